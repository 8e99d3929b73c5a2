// `tsbpf compile` from a V8 start-up snapshot. Loading the 9 MB TypeScript compiler and parsing
// and binding tsbpf's kernel declarations is most of a command-line compile, and none of it
// depends on the file compiled: a snapshot taken after doing it once (`node --build-snapshot`)
// gives a process that starts with all of it in its heap. Node reads a snapshot only at start-up,
// so the command runs the compile in a second process started from the snapshot; the first does
// nothing else and stays cheaper than what the snapshot saves.
//
// The snapshot is built at first use, in the background after a compile without it, into the
// code cache's directory (the user's own, mode 0700), named for everything its contents depend on:
// Node, the compiler, the entry script. Without one (or with TSBPF_COMPILER_SNAPSHOT=0) the compile
// runs in-process as before.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { outputPath } from "../package-root.js";
import { cacheDirectory } from "./code-cache.js";

export { inCompilerSnapshot } from "./host.js";

/** The environment variable carrying a build's plan to the snapshot entry (compiler-snapshot.ts). */
export const BUILD_ENV = "TSBPF_COMPILER_SNAPSHOT_BUILD";

/** Where a snapshot is (or would be) and what builds it. */
export interface SnapshotPlan {
  /** The snapshot file. */
  blob: string;
  /** The bundled entry script (dist/bin/compiler-snapshot.cjs). */
  entry: string;
  /** typescript.js, loaded into the snapshot. */
  typescript: string;
  /** tsbpf/kernel's declarations (…/src/kernel/index.d.ts), parsed into the snapshot. */
  kernel: string;
  /** Held while a build runs, so that concurrent compiles start one build. */
  lock: string;
}

const PREFIX = "compiler-";

/** Node's exit status when it cannot start from a snapshot (tsbpf's commands exit with 0, 1 or 2). */
const SNAPSHOT_UNUSABLE = 14;

/** The plan for this Node and this package, or undefined where snapshots cannot be used. */
export function snapshotPlan(): SnapshotPlan | undefined {
  if (process.env.TSBPF_COMPILER_SNAPSHOT === "0") return undefined;
  const dir = cacheDirectory();
  if (!dir) return undefined;
  try {
    const entry = outputPath("bin", "compiler-snapshot.cjs");
    const kernel = outputPath("src", "kernel", "index.d.ts");
    const typescript = createRequire(import.meta.url).resolve("typescript");
    // V8 refuses a snapshot taken under other V8 options, which NODE_OPTIONS may carry.
    let key = [process.version, process.arch, process.execPath, process.env.NODE_OPTIONS ?? ""].join("\0");
    for (const file of [entry, kernel, typescript]) {
      const st = statSync(file);
      key += `\0${file}\0${st.size}\0${st.mtimeMs}`;
    }
    const blob = join(dir, `${PREFIX}${fnv1a(key)}.blob`);
    return { blob, entry, typescript, kernel, lock: `${blob}.lock` };
  } catch {
    return undefined;
  }
}

/**
 * A name for the key (two 32-bit FNV-1a hashes, 64 bits in hex): it only tells builds apart, and
 * node:crypto would cost the command more to load than the whole lookup.
 */
function fnv1a(text: string): string {
  let a = 0x811c9dc5,
    b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c ^ (i & 0xff), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Runs `node --snapshot-blob BLOB script args…` with this process's standard streams and returns its
 * exit status, or undefined when there is no snapshot yet (then the caller compiles in-process).
 */
export function runFromSnapshot(plan: SnapshotPlan, script: string, args: readonly string[]): number | undefined {
  if (!exists(plan.blob)) return undefined;
  // This process's own V8 options (--cpu-prof, --stack-size, …) are not passed on: under other
  // options than it was taken with V8 would not read the snapshot.
  const r = spawnSync(process.execPath, ["--snapshot-blob", plan.blob, script, ...args], {
    stdio: "inherit",
    env: compileEnvironment(),
  });
  if (r.error) return undefined;
  if (r.status === SNAPSHOT_UNUSABLE || r.signal === "SIGABRT") {
    // Node could not read it (it said so on stderr; a damaged file makes it abort): compile
    // in-process, and build it again afterwards.
    removeQuietly(plan.blob);
    return undefined;
  }
  if (r.status !== null) return r.status;
  // Killed by a signal: report it as a shell would.
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (signals[r.signal ?? ""] ?? 0);
}

/**
 * The environment of the compiling process: this one's, without NODE_EXTRA_CA_CERTS. Node reads
 * and parses that certificate bundle at start-up, before any code runs (50 ms of CPU for a
 * system bundle, more than Node's own start without it), and a compile opens no TLS connection.
 */
function compileEnvironment(): NodeJS.ProcessEnv {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return process.env;
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return env;
}

/**
 * Starts building the snapshot in a detached process, unless one is already being built or the
 * snapshot exists. It takes a second or two, once; nothing waits for it.
 */
export function buildSnapshotInBackground(plan: SnapshotPlan): void {
  if (exists(plan.blob) || !takeLock(plan.lock)) return;
  try {
    const child = spawn(process.execPath, [plan.entry], {
      detached: true,
      stdio: "ignore",
      env: { ...compileEnvironment(), [BUILD_ENV]: JSON.stringify(plan) },
    });
    child.on("error", () => releaseLock(plan.lock));
    child.unref();
  } catch {
    releaseLock(plan.lock);
  }
}

/** A lock older than this is taken to be left by a build that died. */
const STALE_LOCK_MS = 120_000;

function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      return true;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
        unlinkSync(lock);
      } catch {
        return false;
      }
    }
  }
  return false;
}

function releaseLock(lock: string): void {
  removeQuietly(lock);
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/**
 * The build itself, run by the detached process (the entry script outside snapshot building):
 * `node --build-snapshot` into a temporary file, a trial start from it, then the rename that
 * publishes it, and the removal of snapshots of earlier builds.
 */
export function buildSnapshot(plan: SnapshotPlan): boolean {
  const temporary = `${plan.blob}.${process.pid}`;
  try {
    const env = { ...process.env, [BUILD_ENV]: JSON.stringify(plan) };
    const built = spawnSync(process.execPath, ["--snapshot-blob", temporary, "--build-snapshot", plan.entry], {
      stdio: "ignore",
      env,
    });
    if (built.status !== 0) return false;
    const trial = spawnSync(
      process.execPath,
      [
        "--snapshot-blob",
        temporary,
        "-e",
        `process.exitCode = Symbol.for("tsbpf.compiler-snapshot") in globalThis ? 0 : 3`,
      ],
      { stdio: "ignore" },
    );
    if (trial.status !== 0) return false;
    chmodSync(temporary, 0o600);
    renameSync(temporary, plan.blob);
    const dir = join(plan.blob, "..");
    for (const name of readdirSync(dir))
      if (name.startsWith(PREFIX) && name.endsWith(".blob") && join(dir, name) !== plan.blob)
        removeQuietly(join(dir, name));
    return true;
  } catch {
    return false;
  } finally {
    removeQuietly(temporary);
    releaseLock(plan.lock);
  }
}
