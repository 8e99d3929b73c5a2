// Runs `tsbpf TOOL …` (the built bin) as a child process, optionally inside a network namespace,
// and lets a test wait for what it prints and for its exit. Killed with SIGKILL when the test
// ends, if still running.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The bundled bin (dist/bin/tsbpf.js), what `npx tsbpf` and `npm start` run. */
export const TSBPF_MAIN = fileURLToPath(new URL("../../bin/tsbpf.js", import.meta.url));

export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ToolProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<ToolExit>;
  #waiters: (() => void)[] = [];

  constructor(command: string, args: readonly string[]) {
    this.child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      this.stdout += d;
      this.#wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
      this.#wake();
    });
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.#wake();
        resolve({ code, signal });
      });
    });
  }

  /** `tsbpf ARGS` in the namespace at `netnsPath` (nsenter --net, so /sys stays the host's), or here. */
  static start(args: readonly string[], options: { netnsPath?: string; wrap?: readonly string[] } = {}): ToolProcess {
    const node = [process.execPath, TSBPF_MAIN, ...args];
    const inner = options.wrap ? [...options.wrap, ...node] : node;
    return options.netnsPath
      ? new ToolProcess("nsenter", [`--net=${options.netnsPath}`, ...inner])
      : new ToolProcess(inner[0]!, inner.slice(1));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with `test`'s first truthy result on the output so far; rejects on exit or timeout. */
  async waitFor<T>(
    test: (p: ToolProcess) => T | undefined | null | false,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = test(this);
      if (result) return result;
      if (!this.running && this.child.stdout!.readableEnded && this.child.stderr!.readableEnded) {
        throw new Error(
          `the tool exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; stdout: ${this.stdout.slice(-2000)} stderr: ${this.stderr.slice(-2000)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; stdout: ${this.stdout.slice(-2000)} stderr: ${this.stderr.slice(-2000)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the exit, killing with SIGKILL after `timeoutMs`. */
  async exit(timeoutMs = 20_000): Promise<ToolExit> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/**
 * A command prefix that runs what follows without privileges: uid and gid 65534 and no capability
 * but CAP_DAC_READ_SEARCH (permitted, effective, inheritable, ambient and bounding), which only lets
 * it read the built CLI wherever the checkout lies (under a 0700 directory uid 65534 alone could not
 * even load it). CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN are all missing, so what
 * answers is the CLI's privilege check, and the kernel's refusal behind it.
 */
export const UNPRIVILEGED: readonly string[] = [
  "setpriv",
  "--reuid=65534",
  "--regid=65534",
  "--clear-groups",
  "--inh-caps=-all,+dac_read_search",
  "--ambient-caps=-all,+dac_read_search",
  "--bounding-set=-all,+dac_read_search",
];

/** Runs the tool to completion (synchronously). */
export function runTool(
  args: readonly string[],
  options: { netnsPath?: string; wrap?: readonly string[]; timeoutMs?: number } = {},
): { code: number | null; stdout: string; stderr: string } {
  const node = [process.execPath, TSBPF_MAIN, ...args];
  const inner = options.wrap ? [...options.wrap, ...node] : node;
  const argv = options.netnsPath ? ["nsenter", `--net=${options.netnsPath}`, ...inner] : inner;
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses NDJSON output. */
export function ndjsonRecords(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function commandExists(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

/** GET `url` from inside the network namespace at `netnsPath` (a child process: fetch is async, setns is per thread). */
export function scrapeIn(netnsPath: string, url: string): { status: number; type: string | null; body: string } {
  const r = spawnSync(
    "nsenter",
    [
      `--net=${netnsPath}`,
      process.execPath,
      "--input-type=module",
      "-e",
      `const r = await fetch(${JSON.stringify(url)}); process.stdout.write(JSON.stringify({ status: r.status, type: r.headers.get("content-type"), body: await r.text() }));`,
    ],
    { encoding: "utf8", timeout: 15_000 },
  );
  if (r.status !== 0) throw new Error(`scraping ${url} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { status: number; type: string | null; body: string };
}

/**
 * A command prefix that keeps uid 0 but drops every capability: the checkout (owned by root) stays
 * readable wherever it lies, while a file owned by another user with mode 0600 is not — for tests
 * of "Permission denied" messages.
 */
export const ROOT_WITHOUT_CAPABILITIES: readonly string[] = [
  "setpriv",
  "--inh-caps=-all",
  "--ambient-caps=-all",
  "--bounding-set=-all",
];
