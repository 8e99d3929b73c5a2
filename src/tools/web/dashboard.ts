// The live web dashboard of `tsbpf top --web` and the agent's `web` setting: one page (page.ts,
// served from the package: no CDN, nothing fetched from elsewhere) that draws the monitor's panels
// as charts and tables, and a server-sent events stream of the interval records the page renders.
// A new page first gets the recent records (the charts' minutes), then each one as it is made.
//
// Served by the same bounded HTTP server as the metrics endpoint (common/http-server.ts): a cap on
// connections with event streams counted, request and header limits and timeouts, no request
// bodies, only GET and HEAD, and a client leaving its stream unread is disconnected. Other paths
// answer 404.
import { TsbpfError } from "../../errors.js";
import {
  BoundedHttpServer,
  type HttpAnswer,
  type HttpRequest,
  type HttpServerLimits,
  type HttpStream,
  type HttpStreamAnswer,
} from "../common/http-server.js";
import type { ListenAddress } from "../common/listen-address.js";
import { ndjsonLine } from "../common/ndjson.js";
import { dashboardPage } from "./page.js";

/** Records kept for a page that connects: ten minutes at one per second. */
export const HISTORY_RECORDS = 600;
/**
 * A comment line on every stream this often: at long intervals it keeps proxies from closing a
 * quiet stream and lets the backlog limit find a page that went away without a word.
 */
const HEARTBEAT_MS = 15_000;

export interface DashboardOptions {
  /** The page's title line: "tsbpf top on HOST — eth0". */
  title: string;
  /** Bounds other than the metrics endpoint's defaults (tests use smaller ones). */
  limits?: Partial<HttpServerLimits>;
}

// Everything the page runs is inline in it; it may talk to this server only.
const PAGE_HEADERS =
  "Cache-Control: no-store\r\n" +
  "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:\r\n";

export class WebDashboard implements AsyncDisposable {
  readonly #streams = new Set<HttpStream>();
  /** The recent records as events, with their ids (a page reconnecting names the last it got). */
  readonly #history: { id: number; data: string }[] = [];
  #nextId = 1;
  readonly #page: Buffer;
  #http: BoundedHttpServer | undefined;
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(options: DashboardOptions) {
    this.#page = Buffer.from(dashboardPage(options.title));
    this.#heartbeat = setInterval(() => {
      for (const stream of this.#streams) stream.write(": keep-alive\n\n");
    }, HEARTBEAT_MS).unref();
  }

  /** Starts listening; rejects with a TsbpfError naming the address when it cannot. */
  static async start(address: ListenAddress, options: DashboardOptions): Promise<WebDashboard> {
    const dashboard = new WebDashboard(options);
    try {
      dashboard.#http = await BoundedHttpServer.start(
        address,
        (request) => dashboard.#respond(request),
        (why) => new TsbpfError(`cannot serve the web dashboard on ${address.host}:${address.port}: ${why}`),
        options.limits,
      );
    } catch (err) {
      await dashboard.close();
      throw err;
    }
    return dashboard;
  }

  get url(): string {
    return `${this.#http!.origin}/`;
  }

  /** How many connections were closed because of the limits so far. */
  get connectionsShed(): number {
    return this.#http!.connectionsShed;
  }

  /** Sends an interval record to every open page and keeps it for pages still to come. */
  publish(record: object): void {
    const id = this.#nextId++;
    const data = `id: ${id}\ndata: ${ndjsonLine(record)}\n\n`;
    this.#history.push({ id, data });
    if (this.#history.length > HISTORY_RECORDS) this.#history.shift();
    for (const stream of this.#streams) stream.write(data);
  }

  #respond(request: HttpRequest): HttpAnswer | HttpStreamAnswer {
    if (request.path === "/")
      return { status: 200, body: this.#page, contentType: "text/html; charset=utf-8", headers: PAGE_HEADERS };
    if (request.path === "/events")
      return {
        contentType: "text/event-stream",
        stream: (stream) => {
          // A page reconnecting (EventSource sends the id of the last record it got) gets only what
          // it missed, so its charts hold each interval once; an id this dashboard never gave (one
          // from before a restart or reload) gets everything.
          let last = Number(request.headers.get("last-event-id") ?? 0) || 0;
          if (last >= this.#nextId) last = 0;
          const missed = this.#history.filter((h) => h.id > last).map((h) => h.data);
          stream.greet(["retry: 2000\n\n", ...missed]);
          this.#streams.add(stream);
          stream.onClose(() => this.#streams.delete(stream));
        },
      };
    return { status: 404, body: "not found: the dashboard is at /\n" };
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#streams.clear();
    await this.#http?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
