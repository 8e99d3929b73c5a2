// The package as a user receives it: `npm pack` of the built tree (once per test process) and an
// empty project with that tarball installed. Everything lives in temporary directories that are
// removed when the process exits.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root (dist/test/helpers → ../../..). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface PackedPackage {
  /** The .tgz file. */
  tarball: string;
  /** Its size in bytes. */
  size: number;
  /** The files it holds, relative to the package root. */
  files: string[];
}

const temporary: string[] = [];
process.on("exit", () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory, removed when the process exits. */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

let packed: PackedPackage | undefined;

/**
 * `npm pack` of the checkout as it is built now. Scripts are not run: `npm test` built the tree
 * already, and a build inside a test would race with the compiled tests being read.
 */
export function packPackage(): PackedPackage {
  if (packed) return packed;
  const dir = temporaryDirectory("tsbpf-pack-");
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], {
    cwd: PACKAGE_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [info] = JSON.parse(out) as { filename: string; size: number; files: { path: string }[] }[];
  if (!info) throw new Error("npm pack printed no package");
  packed = { tarball: join(dir, info.filename), size: info.size, files: info.files.map((f) => f.path) };
  return packed;
}

const NPM_INSTALL_TIMEOUT_MS = 180_000;

/**
 * An empty project (its own package.json, `type: module`) with the packed tarball and `extra`
 * packages installed from npm's cache where it has them.
 */
export function projectWithPackage(prefix: string, extra: readonly string[] = []): string {
  const { tarball } = packPackage();
  const dir = temporaryDirectory(prefix);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "tsbpf-user", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  // npm has been seen to stall for good on a request (no syscall for minutes): each attempt is
  // bounded, and a stalled one is tried once more before the test fails with npm's output.
  const install = (): void => {
    execFileSync(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--fetch-timeout=60000",
        tarball,
        ...extra,
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"], timeout: NPM_INSTALL_TIMEOUT_MS, killSignal: "SIGKILL" },
    );
  };
  try {
    install();
  } catch (err) {
    if ((err as { signal?: string }).signal !== "SIGKILL") throw err;
    install();
  }
  return dir;
}
