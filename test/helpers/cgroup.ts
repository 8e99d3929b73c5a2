// A fresh cgroup v2 directory per test, and a way to run a command inside it. The test process
// itself never moves: each command runs in a shell that first writes its own pid to
// cgroup.procs and then execs the command, so everything the command does happens in the cgroup.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { cgroup2Path } from "../../src/sys/mounts.js";

const PREFIX = "tsbpf-test-";
const OURS = /^tsbpf-test-(\d+)-\d+$/;
let counter = 0;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills stray processes of a test cgroup and removes the directory (it must hold no process to go). */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const pid of readFileSync(join(path, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      /* gone already */
    }
  }
  for (let i = 0; i < 100; i++) {
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EBUSY") throw err;
      spawnSync("sleep", ["0.02"]);
    }
  }
  rmdirSync(path);
}

export class TestCgroup implements Disposable {
  private constructor(readonly path: string) {}

  static create(): TestCgroup {
    const root = cgroup2Path();
    for (const name of readdirSync(root)) {
      const match = OURS.exec(name);
      if (match && !pidAlive(Number(match[1]))) removeCgroup(join(root, name));
    }
    const path = join(root, `${PREFIX}${process.pid}-${++counter}`);
    mkdirSync(path);
    return new TestCgroup(path);
  }

  /** Runs `cmd args…` inside this cgroup and waits for it. */
  run(cmd: string, args: string[], timeoutMs = 30_000): SpawnSyncReturns<string> {
    const result = spawnSync("sh", ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.path, cmd, ...args], {
      encoding: "utf8",
      timeout: timeoutMs,
    });
    if (result.error) throw result.error;
    return result;
  }

  /** Runs a CommonJS snippet with this Node.js inside the cgroup; returns what it prints as JSON. */
  node<T>(source: string): T {
    const result = this.run(process.execPath, ["-e", source]);
    if (result.status !== 0)
      throw new Error(`node in cgroup exited with ${result.status ?? result.signal}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  delete(): void {
    removeCgroup(this.path);
  }

  [Symbol.dispose](): void {
    this.delete();
  }
}

/** A cgroup removed when the test ends, pass or fail. */
export function cgroupFor(t: { after(fn: () => void): void }): TestCgroup {
  const cgroup = TestCgroup.create();
  t.after(() => cgroup.delete());
  return cgroup;
}
