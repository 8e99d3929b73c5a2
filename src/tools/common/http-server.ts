// The one bounded HTTP/1.1 server of the tools' endpoints (the /metrics endpoint and the web
// dashboard), over node:net and kept to what a scraper or a browser uses: GET and HEAD,
// keep-alive, no request bodies, and long-lived streaming answers (server-sent events).
//
// Written here instead of on node:http because node:http parses every pipelined request of a
// chunk up front and, when such a connection is dropped, builds an error with a stack trace for
// each one: a thousand hostile pipelining clients then cost seconds of CPU each. Here a
// connection is read one request at a time, and not read at all while its client leaves an
// answer unread.
import { createServer, isIP, type Server, type Socket } from "node:net";
import type { ListenAddress } from "./listen-address.js";

/**
 * How much a client may hold of an endpoint. A scraper or a page needs a connection or two; these
 * bounds stop clients that open many connections, pipeline requests without reading the answers,
 * send headers slowly or leave an event stream unread from growing the tool (a monitoring agent
 * must stay small) or starving real clients.
 */
export interface HttpServerLimits {
  /**
   * Open connections, event streams included; a new one beyond it closes the oldest connection
   * that is not an event stream (the oldest stream when every one is), so a fresh client always
   * gets in and a page already watching is not pushed out by connections that do nothing.
   */
  maxConnections: number;
  /** Requests answered on one connection; the last answer closes it. */
  maxRequestsPerConnection: number;
  /** Bytes of request head (request line and headers). */
  maxHeaderBytes: number;
  /** Time for a whole request head to arrive, from the connection or the previous answer (also the keep-alive idle time). */
  headersTimeoutMs: number;
  /** A connection whose answers sit unread (nothing read or written) for this long is closed. */
  idleTimeoutMs: number;
  /** Bytes an event stream's client may leave unread before the stream is closed. */
  maxStreamBacklogBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpServerLimits = {
  maxConnections: 64,
  // A scraper's keep-alive connection idles out between scrapes, so ten answers are ample.
  maxRequestsPerConnection: 10,
  maxHeaderBytes: 8192,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
  maxStreamBacklogBytes: 4 * 1024 * 1024,
};

export interface HttpRequest {
  method: "GET" | "HEAD";
  /** The path, without the query. */
  path: string;
  /** Header values by lower-case name (the last one of a repeated header). */
  headers: ReadonlyMap<string, string>;
}

/** A whole answer, sent with its length. */
export interface HttpAnswer {
  status: number;
  body: string | Buffer;
  contentType?: string;
  /** Further header lines, each ending in CRLF. */
  headers?: string;
}

/** A streaming answer: its head now, then text for as long as both sides keep the connection. */
export interface HttpStreamAnswer {
  stream: (stream: HttpStream) => void;
  contentType: string;
  headers?: string;
}

export type HttpHandler = (request: HttpRequest) => HttpAnswer | HttpStreamAnswer;

/** The open end of a streaming answer. */
export class HttpStream {
  #onClose: (() => void) | undefined;
  #greeting = 0;

  constructor(
    private readonly socket: Socket,
    private readonly maxBacklog: number,
    private readonly shed: (socket: Socket) => void,
  ) {
    socket.once("close", () => this.#onClose?.());
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Sends `text`; a client that has left more than the backlog limit unread is disconnected. */
  write(text: string): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableLength > this.maxBacklog + this.#greeting) {
      this.shed(this.socket);
      return;
    }
    this.socket.write(text);
  }

  /**
   * Sends what a client gets on connecting (a history it asked for), allowed on top of the backlog
   * limit: the strings are shared with every other stream until written, so this costs little.
   */
  greet(texts: readonly string[]): void {
    for (const text of texts) {
      this.#greeting += Buffer.byteLength(text);
      this.socket.write(text);
    }
  }

  /** Called once when the stream ends, whichever side ends it. */
  onClose(callback: () => void): void {
    this.#onClose = callback;
  }

  end(): void {
    this.socket.destroySoon();
  }
}

const HEAD_END = Buffer.from("\r\n\r\n");

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

export class BoundedHttpServer implements AsyncDisposable {
  readonly #open = new Set<Socket>();
  readonly #streams = new Set<Socket>();
  #shed = 0;

  private constructor(
    private readonly server: Server,
    private readonly handler: HttpHandler,
    private readonly limits: HttpServerLimits,
    readonly host: string,
    readonly port: number,
  ) {
    server.on("connection", (socket: Socket) => this.#accept(socket));
  }

  /**
   * Listens on `address`; resolves once bound. When it cannot bind, rejects with what
   * `listenError` makes of the reason in words ("the address is in use").
   */
  static async start(
    address: ListenAddress,
    handler: HttpHandler,
    listenError: (why: string) => Error,
    limits: Partial<HttpServerLimits> = {},
  ): Promise<BoundedHttpServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
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
        reject(listenError(why));
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
    // An endpoint must never keep a finished tool alive.
    server.unref();
    return new BoundedHttpServer(server, handler, { ...DEFAULT_HTTP_LIMITS, ...limits }, host, port);
  }

  /** How many connections were closed because of the limits so far. */
  get connectionsShed(): number {
    return this.#shed;
  }

  /** Open connections, event streams included. */
  get connections(): number {
    return this.#open.size;
  }

  /** "http://127.0.0.1:9100" (IPv6 hosts in brackets), without a path. */
  get origin(): string {
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.#open) socket.destroy();
      this.#open.clear();
      this.#streams.clear();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #drop = (socket: Socket): void => {
    this.#shed++;
    socket.destroy();
  };

  #makeRoom(newcomer: Socket): void {
    let excess = this.#open.size - this.limits.maxConnections;
    if (excess <= 0) return;
    // Oldest first (a Set keeps insertion order), never the newcomer; event streams only when
    // nothing else is left (a page pushed out reconnects as the newest).
    for (const oldest of this.#open) {
      if (excess <= 0) return;
      if (this.#streams.has(oldest) || oldest === newcomer) continue;
      this.#open.delete(oldest);
      this.#drop(oldest);
      excess--;
    }
    for (const oldest of this.#streams) {
      if (excess <= 0) return;
      this.#open.delete(oldest);
      this.#streams.delete(oldest);
      this.#drop(oldest);
      excess--;
    }
  }

  #accept(socket: Socket): void {
    socket.unref();
    this.#open.add(socket);
    this.#makeRoom(socket);
    if (socket.destroyed) return;
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
          this.#answer(socket, { status: 431, body: "request header too large\n" }, "GET", false);
          finish();
          return;
        }
        if (end < 0) return;
        const head = pending.toString("latin1", 0, end);
        pending = pending.subarray(end + HEAD_END.length);
        answered++;
        const outcome = this.#respond(socket, head, answered < this.limits.maxRequestsPerConnection);
        if (outcome === "close") {
          finish();
          return;
        }
        if (outcome === "stream") {
          // The connection now only carries the stream: what the client sends is read (so that its
          // leaving is seen at once) and dropped, and the backlog limit (not the timeouts) bounds a
          // client that stops reading.
          closing = true;
          pending = Buffer.alloc(0);
          clearTimeout(headTimer);
          socket.setTimeout(0);
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
      this.#streams.delete(socket);
    });
    awaitHead();
  }

  /** Answers one request head: whether the connection stays open for more, closes, or now streams. */
  #respond(socket: Socket, head: string, mayKeepAlive: boolean): "keep" | "close" | "stream" {
    const lines = head.split("\r\n");
    const request = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0] ?? "");
    if (!request) {
      this.#answer(socket, { status: 400, body: "bad request\n" }, "GET", false);
      return "close";
    }
    const [, method, target, minor] = request;
    let keepAlive = minor === "1" && mayKeepAlive;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, line.slice(colon + 1).trim());
      const value = headers.get(name)!.toLowerCase();
      if (name === "connection") {
        if (value.includes("close")) keepAlive = false;
        else if (value.includes("keep-alive") && mayKeepAlive) keepAlive = true;
      }
      // These endpoints take no bodies; rather than read one, answer and close.
      if ((name === "content-length" && value !== "0") || name === "transfer-encoding") keepAlive = false;
    }
    if (method !== "GET" && method !== "HEAD") {
      this.#answer(
        socket,
        { status: 405, body: "method not allowed\n", headers: "Allow: GET, HEAD\r\n" },
        method!,
        keepAlive,
      );
      return keepAlive ? "keep" : "close";
    }
    const path = target!.replace(/^https?:\/\/[^/]*/i, "").split("?")[0]!;
    let answer: HttpAnswer | HttpStreamAnswer;
    try {
      answer = this.handler({ method: method as "GET" | "HEAD", path, headers });
    } catch (err) {
      answer = { status: 500, body: `${(err as Error).message}\n` };
    }
    if ("stream" in answer) {
      // The stream's length is unknown: its end is the connection's end.
      const head =
        `HTTP/1.1 200 OK\r\nContent-Type: ${answer.contentType}\r\nCache-Control: no-store\r\n` +
        `${answer.headers ?? ""}Connection: close\r\n\r\n`;
      socket.write(head, "latin1");
      if (method === "HEAD") return "close";
      this.#streams.add(socket);
      answer.stream(new HttpStream(socket, this.limits.maxStreamBacklogBytes, this.#drop));
      return "stream";
    }
    this.#answer(socket, answer, method!, keepAlive);
    return keepAlive ? "keep" : "close";
  }

  #answer(socket: Socket, answer: HttpAnswer, method: string, keepAlive: boolean): void {
    const bytes = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
    const type = answer.contentType ?? "text/plain; charset=utf-8";
    const head =
      `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ""}\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n` +
      `${answer.headers ?? ""}Connection: ${keepAlive ? `keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.limits.headersTimeoutMs / 1000)}` : "close"}\r\n\r\n`;
    socket.cork();
    socket.write(head, "latin1");
    if (method !== "HEAD") socket.write(bytes);
    socket.uncork();
  }
}
