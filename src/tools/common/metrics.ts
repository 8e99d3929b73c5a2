// `--metrics ADDR:PORT`: Prometheus text exposition format 0.0.4 on GET /metrics, over node:net.
//
// Kept in-house rather than taking prom-client: the tools only need counters and gauges whose
// values are read from BPF maps at scrape time (a collect callback per family), which is a page of
// code here; prom-client's model is push-style metric objects updated by the application, plus
// default process metrics we do not want, and it would be the project's first runtime dependency
// besides koffi. The format rules followed: one HELP and one TYPE line per family, counters named
// `*_total`, base units (bytes, seconds) in the name, label values escaped, no labels of
// unbounded cardinality (PIDs, ephemeral ports).
import { createServer, isIP, type Server, type Socket } from "node:net";
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

/**
 * How much a client may hold of the endpoint. A scraper needs one connection and one request at a
 * time; these bounds stop clients that open many connections, pipeline requests without reading
 * the answers, or send headers slowly from growing the tool (a monitoring agent must stay small)
 * or starving real scrapes.
 */
export interface MetricsServerLimits {
  /** Open connections; a new one beyond it closes the oldest, so a fresh scrape always gets in. */
  maxConnections: number;
  /** Requests answered on one connection; the last answer closes it. */
  maxRequestsPerConnection: number;
  /** Bytes of request head (request line and headers). */
  maxHeaderBytes: number;
  /** Time for a whole request head to arrive, from the connection or the previous answer (also the keep-alive idle time). */
  headersTimeoutMs: number;
  /** A connection whose answers sit unread (nothing read or written) for this long is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_METRICS_LIMITS: MetricsServerLimits = {
  maxConnections: 64,
  // A scraper's keep-alive connection idles out between scrapes, so ten answers are ample.
  maxRequestsPerConnection: 10,
  maxHeaderBytes: 8192,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
};

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * A running /metrics endpoint: HTTP/1.1 over node:net, kept to what a scraper uses (GET and HEAD,
 * keep-alive, no request bodies). Written here instead of on node:http because node:http parses
 * every pipelined request of a chunk up front and, when such a connection is dropped, builds an
 * error with a stack trace for each one: a thousand hostile pipelining clients then cost seconds
 * of CPU each. Here a connection is read one request at a time, and not read at all while its
 * client leaves an answer unread.
 */
export class MetricsServer implements AsyncDisposable {
  readonly #open = new Set<Socket>();
  #shed = 0;
  #current: Buffer | undefined;

  private constructor(
    private readonly server: Server,
    private readonly registry: MetricsRegistry,
    private readonly limits: MetricsServerLimits,
    readonly host: string,
    readonly port: number,
  ) {
    server.on("connection", (socket: Socket) => this.#accept(socket));
  }

  /** How many connections were closed because of the limits so far. */
  get connectionsShed(): number {
    return this.#shed;
  }

  /** "http://127.0.0.1:9100/metrics" */
  get url(): string {
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/metrics`;
  }

  /** Listens on `address`; resolves once bound (rejects with a clear error when it cannot bind). */
  static async start(
    registry: MetricsRegistry,
    address: ListenAddress,
    limits: Partial<MetricsServerLimits> = {},
  ): Promise<MetricsServer> {
    const server = createServer();
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
    return new MetricsServer(server, registry, { ...DEFAULT_METRICS_LIMITS, ...limits }, host, port);
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.#open) socket.destroy();
      this.#open.clear();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #drop(socket: Socket): void {
    this.#shed++;
    socket.destroy();
  }

  #accept(socket: Socket): void {
    socket.unref();
    // Oldest first (a Set keeps insertion order): at the cap, the longest-held connection goes.
    this.#open.add(socket);
    for (const oldest of this.#open) {
      if (this.#open.size <= this.limits.maxConnections) break;
      this.#open.delete(oldest);
      this.#drop(oldest);
    }
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs, () => this.#drop(socket));
    let pending: Buffer = Buffer.alloc(0);
    let answered = 0;
    let headTimer: NodeJS.Timeout | undefined;
    const awaitHead = (): void => {
      clearTimeout(headTimer);
      headTimer = setTimeout(() => {
        // A request begun and not finished counts as shed; a quiet keep-alive connection just closes.
        if (pending.length) this.#drop(socket);
        else socket.destroy();
      }, this.limits.headersTimeoutMs).unref();
    };
    let closing = false;
    // The last answer is on its way: read nothing more, close once it is written.
    const finish = (): void => {
      closing = true;
      pending = Buffer.alloc(0);
      socket.destroySoon();
    };
    const serve = (): void => {
      while (!socket.destroyed && !closing) {
        const end = pending.indexOf(HEAD_END);
        if (end < 0 ? pending.length > this.limits.maxHeaderBytes : end > this.limits.maxHeaderBytes) {
          this.#answer(socket, 431, "request header too large\n", "GET", false);
          finish();
          return;
        }
        if (end < 0) return;
        const head = pending.toString("latin1", 0, end);
        pending = pending.subarray(end + HEAD_END.length);
        answered++;
        const keepAlive = this.#respond(socket, head, answered < this.limits.maxRequestsPerConnection);
        if (!keepAlive) {
          finish();
          return;
        }
        awaitHead();
        if (socket.writableNeedDrain) {
          // The client is not reading its answers: read nothing more from it until it does.
          socket.pause();
          socket.once("drain", () => {
            socket.resume();
            serve();
          });
          return;
        }
      }
    };
    socket.on("data", (chunk: Buffer) => {
      if (closing) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      serve();
    });
    socket.on("error", () => {}); // a client going away is not the tool's problem
    socket.on("close", () => {
      clearTimeout(headTimer);
      this.#open.delete(socket);
    });
    awaitHead();
  }

  /** Answers one request head; returns whether the connection stays open. */
  #respond(socket: Socket, head: string, mayKeepAlive: boolean): boolean {
    const lines = head.split("\r\n");
    const request = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0] ?? "");
    if (!request) {
      this.#answer(socket, 400, "bad request\n", "GET", false);
      return false;
    }
    const [, method, target, minor] = request;
    let keepAlive = minor === "1" && mayKeepAlive;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === "connection") {
        if (value.includes("close")) keepAlive = false;
        else if (value.includes("keep-alive") && mayKeepAlive) keepAlive = true;
      }
      // A scrape has no body; rather than read one, answer and close.
      if ((name === "content-length" && value !== "0") || name === "transfer-encoding") keepAlive = false;
    }
    const path = target!.replace(/^https?:\/\/[^/]*/i, "").split("?")[0];
    if (method !== "GET" && method !== "HEAD") {
      this.#answer(socket, 405, "method not allowed\n", method!, keepAlive, "Allow: GET, HEAD\r\n");
    } else if (path !== "/metrics") {
      this.#answer(socket, 404, "not found; metrics are at /metrics\n", method!, keepAlive);
    } else {
      let body: Buffer;
      try {
        body = this.#exposition();
      } catch (err) {
        this.#answer(socket, 500, `collecting metrics failed: ${(err as Error).message}\n`, method!, keepAlive);
        return keepAlive;
      }
      this.#answer(socket, 200, body, method!, keepAlive, "", CONTENT_TYPE);
    }
    return keepAlive;
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

  #answer(
    socket: Socket,
    status: number,
    body: string | Buffer,
    method: string,
    keepAlive: boolean,
    extraHeaders = "",
    type = "text/plain; charset=utf-8",
  ): void {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    const head =
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n` +
      `${extraHeaders}Connection: ${keepAlive ? `keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.limits.headersTimeoutMs / 1000)}` : "close"}\r\n\r\n`;
    socket.cork();
    socket.write(head, "latin1");
    if (method !== "HEAD") socket.write(bytes);
    socket.uncork();
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

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
