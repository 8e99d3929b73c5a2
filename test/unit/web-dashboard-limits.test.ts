// The web dashboard under hostile local clients, bounded as the /metrics endpoint is (the same
// server, common/http-server.ts): with a thousand connections open that pipeline page requests
// without reading, begin a request and never finish it, or open the event stream and never read
// it, the page is still served, a page already watching keeps getting every record, a new page
// gets its stream, and the server stays small. The dashboard runs in a child process, so its
// memory and descriptors are its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { pathToFileURL, fileURLToPath } from "node:url";

const DASHBOARD_MODULE = pathToFileURL(
  fileURLToPath(new URL("../../src/tools/web/dashboard.js", import.meta.url)),
).href;
const MAX_CONNECTIONS = 64;

interface Dashboard {
  child: ChildProcess;
  port: number;
  /** Connections the dashboard has shed so far, as it last reported. */
  shed(): number;
}

/**
 * A dashboard publishing a numbered record (about 2 KB, like a busy interval, plus `padBytes`)
 * every 50 ms, reporting its shed connections on stdout.
 */
async function startDashboard(
  t: { after(fn: () => void): void },
  limits: Record<string, number> = {},
  padBytes = 0,
): Promise<Dashboard> {
  const code = `
    const { WebDashboard } = await import(${JSON.stringify(DASHBOARD_MODULE)});
    const dashboard = await WebDashboard.start({ host: "127.0.0.1", port: 0 }, { title: "limits", limits: ${JSON.stringify(limits)} });
    process.stdout.write("port " + new URL(dashboard.url).port + "\\n");
    let seq = 0;
    const flows = Array.from({ length: 20 }, (_, i) => ({ saddr: "10.0.0." + i, daddr: "10.0.1." + i, total_packets: i * 1000 }));
    const pad = "x".repeat(${padBytes});
    setInterval(() => {
      dashboard.publish({ type: "interval", seq: seq++, network: { flows }, pad });
      process.stdout.write("shed " + dashboard.connectionsShed + "\\n");
    }, 50);
    process.stdin.on("end", () => dashboard.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  t.after(() => {
    child.kill("SIGKILL");
  });
  let shed = 0;
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        const [what, n] = line.split(" ");
        if (what === "port") resolve(Number(n));
        else shed = Number(n);
      }
    });
    child.once("exit", (code) => reject(new Error(`dashboard exited (${code})`)));
  });
  return { child, port, shed: () => shed };
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** A connection that sends `text` and never reads what comes back. */
function hostile(port: number, text: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.pause(); // never read: answers pile up on the server's side unless it stops them
      socket.write(text);
      resolve(socket);
    });
    socket.on("error", () => {}); // the server closing it is the point
  });
}

/**
 * An event stream read as a page's EventSource reads it: the sequence numbers of the records
 * received, and when the server closes the stream, a reconnection naming the last event id.
 */
class EventReader {
  readonly seqs: number[] = [];
  #socket: Socket | undefined;
  #lastId = "";
  #stopped = false;
  reconnects = 0;

  constructor(
    private readonly port: number,
    private readonly reconnect = false,
  ) {
    this.#connect();
  }

  #connect(): void {
    let text = "";
    const socket = connect(this.port, "127.0.0.1", () =>
      socket.write(
        `GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n${this.#lastId ? `Last-Event-ID: ${this.#lastId}\r\n` : ""}\r\n`,
      ),
    );
    this.#socket = socket;
    socket.setEncoding("utf8").on("data", (d: string) => {
      text += d;
      for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const id = /^id: (.*)$/m.exec(event)?.[1];
        if (id) this.#lastId = id;
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data) this.seqs.push((JSON.parse(data) as { seq: number }).seq);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.#stopped || !this.reconnect) return;
      this.reconnects++;
      setTimeout(() => this.#stopped || this.#connect(), 100);
    });
  }

  get closed(): boolean {
    return this.#socket!.destroyed && !this.reconnect;
  }

  get last(): number {
    return this.seqs.at(-1) ?? -1;
  }

  async waitPast(seq: number, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (this.last <= seq) {
      if (this.closed) throw new Error(`the event stream closed before ${what}`);
      if (Date.now() > deadline) throw new Error(`no record past ${seq} (${what})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.#stopped = true;
    this.#socket?.destroy();
  }
}

test("the dashboard serves its page and events while 1,000 hostile connections are open, and stays small", async (t) => {
  const { child, port } = await startDashboard(t);
  const watching = new EventReader(port, true);
  t.after(() => watching.close());
  await watching.waitPast(0, "the first records");
  const before = rssMiB(child.pid!);
  const fdsBefore = openFds(child.pid!);

  const sockets: Socket[] = [];
  t.after(() => {
    for (const s of sockets) s.destroy();
  });
  for (let i = 0; i < 250; i++)
    sockets.push(
      await hostile(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000)), // pipelined, answers never read
      await hostile(port, "GET / HTTP/1.1\r\nHost: x\r\n"), // a head begun and never finished
      await hostile(port, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"), // a stream never read
      await hostile(port, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100)),
    );
  const stillOpen = sockets.filter((s) => !s.destroyed && s.readyState === "open").length;

  // The page that was watching before gets every record once, in order, none skipped: hostile
  // streams may push it out (streams go oldest first once nothing else is left to close), and it
  // then reconnects as a browser does, naming the last record it got.
  const seen = watching.last;
  await watching.waitPast(seen + 10, "ten more records with the hostile clients connected");
  const seqs = watching.seqs;
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0]! + i),
    "records in order, none missing",
  );

  // New pages load and get their stream, again and again, as a reloading browser would.
  for (let round = 0; round < 5; round++) {
    const page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>limits<\/title>/);
    const fresh = new EventReader(port);
    try {
      await fresh.waitPast(watching.last, "a new page's live records");
    } finally {
      fresh.close();
    }
  }

  const fds = openFds(child.pid!) - fdsBefore;
  const grown = rssMiB(child.pid!) - before;
  t.diagnostic(
    `dashboard: ${fds} more descriptors, ${grown.toFixed(1)} MiB more RSS, ${stillOpen} hostile clients connected, ` +
      `the watching page reconnected ${watching.reconnects} times`,
  );
  assert.ok(fds <= MAX_CONNECTIONS + 2, `the dashboard holds ${fds} more descriptors`);
  assert.ok(grown < 48, `the dashboard grew by ${grown.toFixed(1)} MiB under hostile connections`);
});

test("an event stream left unread past its backlog is disconnected; HEAD and other methods are bounded answers", async (t) => {
  // Records of 64 KiB outgrow the kernel's socket buffers in seconds; then 256 KiB may wait.
  const dashboard = await startDashboard(t, { maxStreamBacklogBytes: 256 * 1024 }, 64 * 1024);
  const { port } = dashboard;
  const unread = await hostile(port, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  t.after(() => unread.destroy());
  const reading = new EventReader(port);
  t.after(() => reading.close());
  const deadline = Date.now() + 60_000;
  while (dashboard.shed() === 0) {
    assert.ok(Date.now() < deadline, "the unread stream was never disconnected");
    await new Promise((r) => setTimeout(r, 100));
  }
  // The client now reads what it was sent: a bounded amount, then the end of the stream.
  let received = 0;
  await new Promise<void>((resolve) => {
    unread.on("data", (d: Buffer) => (received += d.length));
    unread.on("close", () => resolve());
    unread.resume();
  });
  t.diagnostic(`the unread stream got ${(received / 1048576).toFixed(1)} MiB before it was closed`);
  // A reading page is not affected.
  await reading.waitPast(reading.last + 3, "more records for the page that reads");
  assert.equal(reading.closed, false);

  const head = await fetch(`http://127.0.0.1:${port}/events`, { method: "HEAD", signal: AbortSignal.timeout(20_000) });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-type"), "text/event-stream");
  const post = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    body: "x",
    signal: AbortSignal.timeout(20_000),
  });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  assert.equal((await fetch(`http://127.0.0.1:${port}/events/x`)).status, 404);
});

test("a dashboard address in use is one line in tsbpf's words", async () => {
  const { WebDashboard } = (await import(DASHBOARD_MODULE)) as typeof import("../../src/tools/web/dashboard.js");
  await using first = await WebDashboard.start({ host: "127.0.0.1", port: 0 }, { title: "first" });
  const port = Number(new URL(first.url).port);
  await assert.rejects(
    WebDashboard.start({ host: "127.0.0.1", port }, { title: "second" }),
    new RegExp(`^TsbpfError: cannot serve the web dashboard on 127\\.0\\.0\\.1:${port}: the address is in use$`),
  );
});
