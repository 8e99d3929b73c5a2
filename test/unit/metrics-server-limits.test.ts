// The /metrics endpoint under hostile local clients: a thousand connections that pipeline
// requests and never read the answers must not grow the tool nor keep a real scrape out, one
// connection gets a bounded number of answers, silent connections are closed, and paths other
// than /metrics answer 404. The server runs in a child process, so its memory is its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { pathToFileURL, fileURLToPath } from "node:url";

const METRICS_MODULE = pathToFileURL(fileURLToPath(new URL("../../src/tools/common/metrics.js", import.meta.url))).href;

/** A metrics server like a tool's (a few hundred labelled samples) in a child; resolves with its port. */
async function startServer(
  t: { after(fn: () => void | Promise<void>): void },
  limits: Record<string, number> = {},
): Promise<{ child: ChildProcess; port: number }> {
  const code = `
    const { MetricsRegistry, MetricsServer } = await import(${JSON.stringify(METRICS_MODULE)});
    const registry = new MetricsRegistry().counter("demo_packets_total", "Packets per interface and protocol.", () =>
      Array.from({ length: 300 }, (_, i) => ({ labels: { interface: "veth" + (i % 10), protocol: "proto" + i }, value: BigInt(i) * 1000n })));
    const server = await MetricsServer.start(registry, { host: "127.0.0.1", port: 0 }, ${JSON.stringify(limits)});
    process.stdout.write(server.port + "\\n");
    process.stdin.on("end", () => server.close().then(() => process.exit(0)));
    setInterval(() => {}, 1 << 30);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  t.after(() => {
    child.kill("SIGKILL");
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`metrics server exited (${code})`)));
  });
  return { child, port };
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) / 1024;
}

/** Opens a connection that sends `requests` pipelined GETs and never reads an answer. */
function hostile(port: number, requests: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.pause(); // never read: answers pile up on the server's side unless it stops them
      socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests));
      resolve(socket);
    });
    socket.on("error", () => {}); // the server closing it is the point
  });
}

async function scrape(port: number, path = "/metrics"): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(20_000) });
  return { status: r.status, body: await r.text() };
}

/** Opens a connection that sends half a request head and then nothing (a slow-headers client). */
function silent(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
      resolve(socket);
    });
    socket.on("error", () => {});
  });
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

test("scrapes are answered while 1,000 hostile connections are open, and the server stays small", async (t) => {
  const { child, port } = await startServer(t);
  assert.equal((await scrape(port)).status, 200);
  const before = rssMiB(child.pid!);
  const fdsBefore = openFds(child.pid!);
  const sockets: Socket[] = [];
  t.after(() => {
    for (const s of sockets) s.destroy();
  });
  // Half pipeline requests and never read the answers; half begin a request and never finish it.
  for (let i = 0; i < 500; i++) sockets.push(await hostile(port, 2000), await silent(port));
  const stillOpen = sockets.filter((s) => !s.destroyed && s.readyState === "open").length;
  // A few rounds of scraping, as Prometheus would, while the clients hold on.
  for (let round = 0; round < 5; round++) {
    const r = await scrape(port);
    assert.equal(r.status, 200);
    assert.match(r.body, /^demo_packets_total\{interface="veth9",protocol="proto299"\} 299000$/m);
  }
  const fds = openFds(child.pid!) - fdsBefore;
  assert.ok(fds <= 64 + 2, `the server holds ${fds} more descriptors with ${stillOpen} hostile clients connected`);
  const grown = rssMiB(child.pid!) - before;
  t.diagnostic(
    `server: ${fds} more descriptors, ${grown.toFixed(1)} MiB more RSS, ${stillOpen} hostile clients connected`,
  );
  assert.ok(grown < 32, `the server grew by ${grown.toFixed(1)} MiB under hostile connections`);
});

test("one connection gets a bounded number of pipelined answers; a silent one is closed", async (t) => {
  const { port } = await startServer(t, { maxRequestsPerConnection: 10, headersTimeoutMs: 500, idleTimeoutMs: 1000 });
  const answers = await new Promise<number>((resolve) => {
    let text = "";
    const socket = connect(port, "127.0.0.1", () =>
      socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50)),
    );
    socket.setEncoding("utf8").on("data", (d: string) => (text += d));
    socket.on("error", () => {});
    socket.on("close", () => resolve(text.match(/^HTTP\/1\.1 200 /gm)?.length ?? 0));
  });
  assert.equal(answers, 10);
  const closedAfter = await new Promise<string>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("GET /metr"));
    socket.on("error", () => {});
    socket.on("close", () => resolve("closed"));
  });
  assert.equal(closedAfter, "closed", "a client that never finishes its headers is disconnected");
  const oversized = await new Promise<string>((resolve) => {
    let text = "";
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: ${"x".repeat(20_000)}\r\n`),
    );
    socket.setEncoding("utf8").on("data", (d: string) => (text += d));
    socket.on("error", () => {});
    socket.on("close", () => resolve(text));
  });
  assert.match(oversized, /^HTTP\/1\.1 431 /, "a request head past 8 KiB is refused");
});

test("paths other than /metrics answer 404, as documented", async (t) => {
  const { port } = await startServer(t);
  for (const path of ["/", "/index.html", "/metrics/extra"]) assert.equal((await scrape(port, path)).status, 404, path);
  assert.equal((await scrape(port, "/metrics?name=x")).status, 200);
});
