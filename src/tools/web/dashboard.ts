// The live web dashboard of `tsbpf top --web` and the agent's `web` setting: one page (page.ts,
// served from the package: no CDN, nothing fetched from elsewhere) that draws the monitor's panels
// as charts and tables, and a server-sent events stream of the interval records the page renders.
// A new page first gets the recent records (the charts' minutes), then each one as it is made.
//
// Bounded like the metrics endpoint: a cap on connections (event streams included), timeouts on
// requests and headers, no request bodies, only GET; other paths answer 404.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { TsbpfError } from "../../errors.js";
import type { ListenAddress } from "../common/listen-address.js";
import { ndjsonLine } from "../common/ndjson.js";
import { dashboardPage } from "./page.js";

/** Connections at once (pages, their event streams, anything else); more are closed at once. */
export const MAX_CONNECTIONS = 64;
/** Records kept for a page that connects: ten minutes at one per second. */
export const HISTORY_RECORDS = 600;

export interface DashboardOptions {
  /** The page's title line: "tsbpf top on HOST — eth0". */
  title: string;
  maxConnections?: number;
}

export class WebDashboard implements AsyncDisposable {
  readonly #server: Server;
  readonly #streams = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  readonly #history: string[] = [];
  readonly #page: string;

  private constructor(server: Server, options: DashboardOptions) {
    this.#server = server;
    this.#page = dashboardPage(options.title);
  }

  /** Starts listening; rejects with a TsbpfError naming the address when it cannot. */
  static async start(address: ListenAddress, options: DashboardOptions): Promise<WebDashboard> {
    const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 });
    const dashboard = new WebDashboard(server, options);
    server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    server.maxHeadersCount = 50;
    server.on("connection", (socket: Socket) => {
      dashboard.#sockets.add(socket);
      socket.once("close", () => dashboard.#sockets.delete(socket));
    });
    server.on("request", (req, res) => dashboard.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          new TsbpfError(
            `cannot serve the web dashboard on ${address.host}:${address.port}: ${err.code ?? err.message}`,
          ),
        ),
      );
      server.listen(address.port, address.host, () => resolve());
    });
    return dashboard;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/`;
  }

  /** Sends an interval record to every open page and keeps it for pages still to come. */
  publish(record: object): void {
    const data = `data: ${ndjsonLine(record)}\n\n`;
    this.#history.push(data);
    if (this.#history.length > HISTORY_RECORDS) this.#history.shift();
    for (const stream of this.#streams) stream.write(data);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (path === "/") {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // Everything the page runs is inline in it; it may talk to this server only.
        "content-security-policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
      });
      res.end(req.method === "HEAD" ? undefined : this.#page);
      return;
    }
    if (path === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      req.socket.setTimeout(0);
      res.write("retry: 2000\n\n");
      for (const data of this.#history) res.write(data);
      this.#streams.add(res);
      res.once("close", () => this.#streams.delete(res));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: the dashboard is at /\n");
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
