// Building and running the C programs the benchmarks compare against (bench/peers/*.c, linked
// with Debian's libbpf: packages gcc and libbpf-dev).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs from dist/bench/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let workDir: string | undefined;

/** A scratch directory for peers and their inputs, removed when the process exits. */
export function benchTempDir(): string {
  if (!workDir) {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    workDir = dir;
  }
  return workDir;
}

/** Compiles bench/peers/NAME.c with -lbpf and returns the executable's path. */
export function buildPeer(name: string): string {
  if (!existsSync("/usr/include/bpf/libbpf.h")) {
    throw new Error("the C peers need libbpf's headers: apt-get install -y gcc libbpf-dev");
  }
  const out = join(benchTempDir(), name);
  execFileSync("cc", ["-O2", "-o", out, join(repoRoot, "bench", "peers", `${name}.c`), "-lbpf", "-lpthread"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  return out;
}

/** Runs a peer and parses the JSON object it prints on its last line. */
export function runPeer<T>(path: string, args: readonly (string | number)[]): T {
  const out = execFileSync(path, args.map(String), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const last = out.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How much the rounds of a figure varied: the range of ours and of the peer's, and how many rounds. */
export function spread(
  ours: readonly number[],
  theirs: readonly number[],
): { rounds: number; spread: [number, number]; peer_spread: [number, number] } {
  return {
    rounds: Math.min(ours.length, theirs.length),
    spread: [Math.min(...ours), Math.max(...ours)],
    peer_spread: [Math.min(...theirs), Math.max(...theirs)],
  };
}
