// `--metrics ADDR:PORT`: Prometheus text exposition format 0.0.4 on GET /metrics, from node:http.
//
// Kept in-house rather than taking prom-client: the tools only need counters and gauges whose
// values are read from BPF maps at scrape time (a collect callback per family), which is a page of
// code here; prom-client's model is push-style metric objects updated by the application, plus
// default process metrics we do not want, and it would be the project's first runtime dependency
// besides koffi. The format rules followed: one HELP and one TYPE line per family, counters named
// `*_total`, base units (bytes, seconds) in the name, label values escaped, no labels of
// unbounded cardinality (PIDs, ephemeral ports).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { TsbpfError } from "../../errors.js";
import { MetricsAddressError, type ListenAddress } from "./listen-address.js";

export { MetricsAddressError, parseListenAddress, type ListenAddress } from "./listen-address.js";

export type MetricType = "counter" | "gauge";

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number | bigint;
}

export interface MetricFamily {
  /** Full name, e.g. "tsbpf_count_packets_total". */
  name: string;
  help: string;
  type: MetricType;
  /** The current samples, called on every scrape. */
  collect(): Iterable<Sample>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number | bigint): string {
  if (typeof value === "bigint") return value.toString();
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** The metric families a tool exposes. */
export class MetricsRegistry {
  readonly #families: MetricFamily[] = [];

  /** Adds a family; throws on a malformed or repeated name, or a counter not named `*_total`. */
  register(family: MetricFamily): this {
    if (!METRIC_NAME.test(family.name)) throw new TsbpfError(`invalid metric name "${family.name}"`);
    if (family.type === "counter" && !family.name.endsWith("_total"))
      throw new TsbpfError(`counter "${family.name}" must end in _total`);
    if (family.type !== "counter" && family.name.endsWith("_total"))
      throw new TsbpfError(`only counters end in _total ("${family.name}" is a ${family.type})`);
    if (this.#families.some((f) => f.name === family.name))
      throw new TsbpfError(`metric "${family.name}" registered twice`);
    this.#families.push(family);
    return this;
  }

  counter(name: string, help: string, collect: () => Iterable<Sample>): this {
    return this.register({ name, help, type: "counter", collect });
  }

  gauge(name: string, help: string, collect: () => Iterable<Sample>): this {
    return this.register({ name, help, type: "gauge", collect });
  }

  get families(): readonly MetricFamily[] {
    return this.#families;
  }

  /** Every family in text format 0.0.4. */
  expose(): string {
    const out: string[] = [];
    for (const family of this.#families) {
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const sample of family.collect()) {
        const labels = Object.entries(sample.labels ?? {});
        for (const [name] of labels)
          if (!LABEL_NAME.test(name) || name.startsWith("__"))
            throw new TsbpfError(`invalid label name "${name}" on ${family.name}`);
        const labelText = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}` : "";
        out.push(`${family.name}${labelText} ${formatValue(sample.value)}`);
      }
    }
    return `${out.join("\n")}\n`;
  }
}

/** A running /metrics endpoint. */
export class MetricsServer implements AsyncDisposable {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** "http://127.0.0.1:9100/metrics" */
  get url(): string {
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/metrics`;
  }

  /** Listens on `address`; resolves once bound (rejects with a clear error when it cannot bind). */
  static async start(registry: MetricsRegistry, address: ListenAddress): Promise<MetricsServer> {
    const server = createServer((req, res) => handle(registry, req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const where = `${address.host}:${address.port}`;
        const why =
          err.code === "EADDRINUSE"
            ? "the address is in use"
            : err.code === "EADDRNOTAVAIL"
              ? "no local interface has that address"
              : err.code === "EACCES"
                ? "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)"
                : err.code === "ENOTFOUND"
                  ? "the host name does not resolve"
                  : err.message;
        reject(new MetricsAddressError(`cannot serve metrics on ${where}: ${why}`));
      };
      server.once("error", onError);
      server.listen(address.port, address.host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    const bound = server.address();
    const port = bound !== null && typeof bound === "object" ? bound.port : address.port;
    const host = bound !== null && typeof bound === "object" ? bound.address : address.host;
    // The endpoint must never keep a finished tool alive.
    server.unref();
    return new MetricsServer(server, host, port);
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function handle(registry: MetricsRegistry, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { "Content-Type": "text/plain; charset=utf-8", Allow: "GET, HEAD" }).end("method not allowed\n");
    return;
  }
  if (path === "/") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end("tsbpf: metrics are at /metrics\n");
    return;
  }
  if (path !== "/metrics") {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found; metrics are at /metrics\n");
    return;
  }
  let body: string;
  try {
    body = registry.expose();
  } catch (err) {
    res
      .writeHead(500, { "Content-Type": "text/plain; charset=utf-8" })
      .end(`collecting metrics failed: ${(err as Error).message}\n`);
    return;
  }
  res.writeHead(200, { "Content-Type": CONTENT_TYPE, "Content-Length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Parses text format 0.0.4 (what expose() writes): for tests and for checking output. */
export interface ParsedFamily {
  name: string;
  help?: string;
  type?: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const unescape = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") family(meta[2]!).help = unescape(meta[3]!);
      else family(meta[2]!).type = meta[3]!;
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[m[1]!] = unescape(m[2]!);
    const value = sample[3] === "+Inf" ? Infinity : sample[3] === "-Inf" ? -Infinity : Number(sample[3]);
    family(sample[1]!).samples.push({ name: sample[1]!, labels, value });
  }
  return families;
}
