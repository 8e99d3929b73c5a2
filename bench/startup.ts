// Start-up of an exec tracer: wall time from starting the tool to its first event on stdout.
//
// A shell loop execs a marker program (a copy of /bin/true with a unique name) every 20 ms for the
// whole suite; each run starts a tracer and waits until it prints an exec of the marker. So the
// figure is process start + load + attach + the wait for the next exec (≤ 20 ms, the same for
// both) + reading and printing the event.
//   - ours: `node dist/bin/tsbpf.js exec --json` (kernel side prebuilt, no TypeScript compiler);
//   - peer: `bpftrace -e 'tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, comm); }'`
//     (bpftrace 0.17 compiles its program with LLVM at start-up).
// RUNS runs of each, alternating, after a warm-up of each; the figure is the median. Beside it,
// startup.node_floor_s: a bare `node -e 0` (start to exit) in the same rounds, Node's own share.
// Run alone: npx tsc -p . && node dist/bench/startup.js
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTracefs } from "../src/sys/mounts.js";
import { median, spread } from "./c-peer.js";
import type { Figures } from "./run.js";

const RUNS = 7;
const MAIN = fileURLToPath(new URL("../bin/tsbpf.js", import.meta.url));
const MARKER = "tsbpfstartup";

/** Milliseconds from spawning `argv` until its stdout contains `needle`; the process is then killed. */
function timeToFirst(argv: readonly string[], needle: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "",
      err = "";
    const done = (result: number | Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      child.once("close", () => (typeof result === "number" ? resolve(result) : reject(result)));
    };
    const timer = setTimeout(
      () => done(new Error(`${argv[0]}: no event within ${timeoutMs} ms; stderr: ${err.slice(-500)}`)),
      timeoutMs,
    );
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      if (out.includes(needle)) return;
      out += d;
      if (out.includes(needle)) done(performance.now() - t0);
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.once("error", (e) => done(e));
  });
}

export async function run(): Promise<Figures> {
  ensureTracefs(); // bpftrace needs /sys/kernel/tracing
  if (spawnSync("bpftrace", ["--version"], { stdio: "ignore" }).status !== 0)
    throw new Error("bpftrace is not installed");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-startup-"));
  const marker = join(dir, MARKER);
  copyFileSync("/bin/true", marker);
  chmodSync(dir, 0o755);
  chmodSync(marker, 0o755);
  const loop = spawn("sh", ["-c", `while :; do "${marker}"; sleep 0.02; done`], { stdio: "ignore", detached: true });
  try {
    const ours = (): Promise<number> => timeToFirst([process.execPath, MAIN, "exec", "--json"], `"comm":"${MARKER}"`);
    const peer = (): Promise<number> =>
      timeToFirst(
        ["bpftrace", "-e", 'tracepoint:sched:sched_process_exec { printf("%d %s\\n", pid, comm); }'],
        ` ${MARKER}\n`,
      );
    // Node's own floor: a bare `node -e 0`, start to exit, so the remainder is what tsbpf adds.
    const floor = (): number => {
      const t0 = performance.now();
      spawnSync(process.execPath, ["-e", "0"], { stdio: "ignore" });
      return performance.now() - t0;
    };
    await ours();
    await peer();
    floor();
    const a: number[] = [],
      b: number[] = [],
      f: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      a.push(await ours());
      b.push(await peer());
      f.push(floor());
    }
    const value = median(a) / 1000,
      peerValue = median(b) / 1000;
    console.log(`tsbpf exec runs (ms): ${a.map((x) => x.toFixed(0)).join(" ")}`);
    console.log(`bpftrace runs (ms):   ${b.map((x) => x.toFixed(0)).join(" ")}`);
    const figures: Figures = {
      exec_s: {
        value: Number(value.toFixed(3)),
        unit: "s",
        peer: "bpftrace 0.17 (tracepoint:sched:sched_process_exec)",
        peer_value: Number(peerValue.toFixed(3)),
        ratio: Number((value / peerValue).toFixed(3)),
        ...spread(
          a.map((x) => x / 1000),
          b.map((x) => x / 1000),
        ),
      },
      node_floor_s: {
        value: Number((median(f) / 1000).toFixed(3)),
        unit: "s",
        peer: "bpftrace 0.17 start to first event (the exec figure's peer)",
        peer_value: Number(peerValue.toFixed(3)),
        ratio: Number((median(f) / 1000 / peerValue).toFixed(3)),
        ...spread(
          f.map((x) => x / 1000),
          b.map((x) => x / 1000),
        ),
      },
    };
    for (const [k, f] of Object.entries(figures))
      console.log(`startup.${k}: ${f.value} ${f.unit} vs ${f.peer} ${f.peer_value} (${f.ratio}x)`);
    if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
      // Node parses that bundle before any code runs: part of the floor, and of every Node tool's start.
      const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
      const bare = Array.from({ length: RUNS }, () => {
        const t0 = performance.now();
        spawnSync(process.execPath, ["-e", "0"], { stdio: "ignore", env });
        return performance.now() - t0;
      });
      console.log(
        `note: NODE_EXTRA_CA_CERTS is set; node -e 0 without it: ${(median(bare) / 1000).toFixed(3)} s (with it: ${figures.node_floor_s!.value} s)`,
      );
    }
    return figures;
  } finally {
    try {
      process.kill(-loop.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
