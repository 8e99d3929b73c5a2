// Debian's `prometheus` as a child process of a test: its own configuration and data directory in
// a temporary directory, listening on the loopback of a network namespace (so a fixed port cannot
// collide with anything outside it), queried through its HTTP API from inside that namespace.
// Killed and its directory removed when the test ends, pass or fail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scrapeIn, ToolProcess } from "./tool-process.js";

/** One series of an instant query (`vector`) or of a range query / range selector (`matrix`). */
export interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface PromResult {
  resultType: "vector" | "matrix" | "scalar" | "string";
  result: PromSeries[];
}

const PORT = 9090;

export class PrometheusProcess {
  readonly dir: string;
  readonly process: ToolProcess;
  readonly #netnsPath: string;

  private constructor(dir: string, netnsPath: string, process: ToolProcess) {
    this.dir = dir;
    this.#netnsPath = netnsPath;
    this.process = process;
  }

  /** Starts prometheus with `config` (the text of prometheus.yml) inside the namespace at `netnsPath`. */
  static start(t: { after(fn: () => Promise<void>): void }, netnsPath: string, config: string): PrometheusProcess {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-prometheus-"));
    const configFile = join(dir, "prometheus.yml");
    writeFileSync(configFile, config);
    const child = new ToolProcess("nsenter", [
      `--net=${netnsPath}`,
      "prometheus",
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${PORT}`,
      "--log.level=warn",
    ]);
    t.after(async () => {
      if (child.running) child.kill("SIGKILL");
      await child.exit();
      rmSync(dir, { recursive: true, force: true });
    });
    return new PrometheusProcess(dir, netnsPath, child);
  }

  get base(): string {
    return `http://127.0.0.1:${PORT}`;
  }

  /** GET a path of the HTTP API; throws with Prometheus' own error unless it answered "success". */
  get<T>(path: string, params: Record<string, string> = {}): T {
    const query = new URLSearchParams(params).toString();
    const { status, body } = scrapeIn(this.#netnsPath, `${this.base}${path}${query ? `?${query}` : ""}`);
    let parsed: { status?: string; data?: T; error?: string };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new Error(`prometheus ${path} answered ${status}: ${body.slice(0, 500)}`);
    }
    if (parsed.status !== "success") throw new Error(`prometheus ${path} ${query}: ${status} ${parsed.error ?? body}`);
    return parsed.data as T;
  }

  /** An instant query, at `time` (seconds) or now. */
  query(expr: string, time?: number): PromResult {
    return this.get<PromResult>("/api/v1/query", {
      query: expr,
      ...(time === undefined ? {} : { time: String(time) }),
    });
  }

  queryRange(expr: string, start: number, end: number, step: number): PromResult {
    return this.get<PromResult>("/api/v1/query_range", {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
  }

  /** Waits until /-/ready answers 200 (the TSDB is open and the rules are loaded). */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.process.waitFor(
      () => {
        try {
          return scrapeIn(this.#netnsPath, `${this.base}/-/ready`).status === 200;
        } catch {
          return false;
        }
      },
      "prometheus ready",
      timeoutMs,
    );
  }
}

/** Polls `probe` every half second until it returns something truthy; throws with `describe()` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | null | false,
  what: string,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = probe();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
