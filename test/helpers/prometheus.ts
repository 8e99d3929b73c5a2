// Debian's `prometheus` as a child process of a test: its own configuration and data directory in
// a temporary directory, listening on the loopback of a network namespace (so a fixed port cannot
// collide with anything outside it). The test reaches its HTTP API through a Unix socket in that
// directory, which a small forwarder inside the namespace connects to Prometheus' port (a Unix
// socket is a file: it crosses network namespaces). Both are killed and the directory removed
// when the test ends, pass or fail.
import { request } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolProcess } from "./tool-process.js";

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

/** Connects each client of the Unix socket argv[1] to 127.0.0.1:argv[2]. */
const FORWARDER = `
import { connect, createServer } from "node:net";
const [socket, port] = process.argv.slice(1);
createServer((client) => {
  const server = connect(Number(port), "127.0.0.1");
  client.pipe(server).pipe(client);
  client.on("error", () => server.destroy());
  server.on("error", () => client.destroy());
}).listen(socket, () => process.stdout.write("listening\\n"));
`;

export class PrometheusProcess {
  readonly dir: string;
  readonly process: ToolProcess;
  readonly #forwarder: ToolProcess;

  private constructor(dir: string, process: ToolProcess, forwarder: ToolProcess) {
    this.dir = dir;
    this.process = process;
    this.#forwarder = forwarder;
  }

  get #socket(): string {
    return join(this.dir, "api.sock");
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
    const forwarder = new ToolProcess("nsenter", [
      `--net=${netnsPath}`,
      process.execPath,
      "--input-type=module",
      "-e",
      FORWARDER,
      join(dir, "api.sock"),
      String(PORT),
    ]);
    t.after(async () => {
      for (const p of [child, forwarder]) if (p.running) p.kill("SIGKILL");
      await Promise.all([child.exit(), forwarder.exit()]);
      rmSync(dir, { recursive: true, force: true });
    });
    return new PrometheusProcess(dir, child, forwarder);
  }

  /** GET `path` through the socket: the status and the body. */
  fetch(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.#socket, path, timeout: 30_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`prometheus: no answer to ${path}`)));
      req.on("error", reject);
      req.end();
    });
  }

  /** GET a path of the HTTP API; throws with Prometheus' own error unless it answered "success". */
  async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const { status, body } = await this.fetch(`${path}${query ? `?${query}` : ""}`);
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
  query(expr: string, time?: number): Promise<PromResult> {
    return this.get<PromResult>("/api/v1/query", {
      query: expr,
      ...(time === undefined ? {} : { time: String(time) }),
    });
  }

  queryRange(expr: string, start: number, end: number, step: number): Promise<PromResult> {
    return this.get<PromResult>("/api/v1/query_range", {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
  }

  /** Waits until /-/ready answers 200 (the TSDB is open and the rules are loaded). */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.#forwarder.waitFor((p) => p.stdout.includes("listening"), "the API socket");
    await eventually(
      async () => {
        if (!this.process.running) throw new Error(`prometheus exited: ${this.process.stderr.slice(-2000)}`);
        return (await this.fetch("/-/ready").catch(() => ({ status: 0 }))).status === 200;
      },
      "prometheus ready",
      () => this.process.stderr.slice(-2000),
      timeoutMs,
    );
  }
}

/** Polls `probe` (sync or async) every half second until it returns something truthy; throws with `describe()` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  describe: () => string | Promise<string>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
