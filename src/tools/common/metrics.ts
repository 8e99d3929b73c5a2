// `--metrics ADDR:PORT`: Prometheus text exposition format 0.0.4 on GET /metrics, served by the
// tools' bounded HTTP server (http-server.ts).
//
// Kept in-house rather than taking prom-client: the tools only need counters and gauges whose
// values are read from BPF maps at scrape time (a collect callback per family), which is a page of
// code here; prom-client's model is push-style metric objects updated by the application, plus
// default process metrics we do not want, and it would be the project's first runtime dependency
// besides koffi. The format rules followed: one HELP and one TYPE line per family, counters named
// `*_total`, base units (bytes, seconds) in the name, label values escaped, no labels of
// unbounded cardinality (PIDs, ephemeral ports).
import { TsbpfError } from "../../errors.js";
import {
  BoundedHttpServer,
  DEFAULT_HTTP_LIMITS,
  type HttpAnswer,
  type HttpRequest,
  type HttpServerLimits,
} from "./http-server.js";
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

/** How much a client may hold of the endpoint: the bounds of every tool endpoint (`http-server.ts`). */
export type MetricsServerLimits = HttpServerLimits;

export const DEFAULT_METRICS_LIMITS: MetricsServerLimits = DEFAULT_HTTP_LIMITS;

/** A running /metrics endpoint on the tools' bounded HTTP server. */
export class MetricsServer implements AsyncDisposable {
  #current: Buffer | undefined;

  private constructor(
    private readonly http: BoundedHttpServer,
    private readonly registry: MetricsRegistry,
  ) {}

  get host(): string {
    return this.http.host;
  }

  get port(): number {
    return this.http.port;
  }

  /** How many connections were closed because of the limits so far. */
  get connectionsShed(): number {
    return this.http.connectionsShed;
  }

  /** "http://127.0.0.1:9100/metrics" */
  get url(): string {
    return `${this.http.origin}/metrics`;
  }

  /** Listens on `address`; resolves once bound (rejects with a clear error when it cannot bind). */
  static async start(
    registry: MetricsRegistry,
    address: ListenAddress,
    limits: Partial<MetricsServerLimits> = {},
  ): Promise<MetricsServer> {
    let server: MetricsServer | undefined;
    const http = await BoundedHttpServer.start(
      address,
      (request) => server!.#respond(request),
      (why) => new MetricsAddressError(`cannot serve metrics on ${address.host}:${address.port}: ${why}`),
      limits,
    );
    server = new MetricsServer(http, registry);
    return server;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #respond(request: HttpRequest): HttpAnswer {
    if (request.path !== "/metrics") return { status: 404, body: "not found; metrics are at /metrics\n" };
    try {
      return { status: 200, body: this.#exposition(), contentType: CONTENT_TYPE };
    } catch (err) {
      return { status: 500, body: `collecting metrics failed: ${(err as Error).message}\n` };
    }
  }

  /**
   * The exposition of this moment. Requests read in the same turn of the event loop (pipelined)
   * share it: a client sending thousands costs a shared Buffer each, not a walk of every map.
   */
  #exposition(): Buffer {
    if (!this.#current) {
      this.#current = Buffer.from(this.registry.expose());
      setImmediate(() => (this.#current = undefined));
    }
    return this.#current;
  }
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
