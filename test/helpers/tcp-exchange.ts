// A known TCP exchange over loopback between two processes the test spawns (node, so it runs in the
// qemu guests of the kernel matrix too, which have no network tools): a server that accepts two
// connections, and a client that sends and receives known byte counts over IPv4 and IPv6, then
// tries a port nobody listens on (refused).
import { spawn } from "node:child_process";

/** Payload bytes of each direction. */
export const EXCHANGE = { client4: 100_000, server4: 7_000, client6: 12_345, server6: 54_321 } as const;

export interface ExchangeResult {
  serverPid: number;
  clientPid: number;
  port4: number;
  port6: number;
  refusedPort: number;
  /** What the client read back, and the refused connect's error code. */
  got4: number;
  got6: number;
  refused: string;
}

/** What each process of the exchange did, as TCP counters. */
export function expectedCounters(): {
  client: { connects: number; accepts: number; failures: number; sent: number; received: number };
  server: { connects: number; accepts: number; failures: number; sent: number; received: number };
} {
  const { client4, server4, client6, server6 } = EXCHANGE;
  return {
    client: { connects: 3, accepts: 0, failures: 1, sent: client4 + client6, received: server4 + server6 },
    server: { connects: 0, accepts: 2, failures: 0, sent: server4 + server6, received: client4 + client6 },
  };
}

const SERVER = `
import net from "node:net";
let open = 2;
const servers = [];
const serve = (host, reply) => new Promise((resolve, reject) => {
  const s = net.createServer((c) => {
    c.on("data", () => {});
    c.on("end", () => c.end(Buffer.alloc(reply, 3)));
    c.on("close", () => { if (--open === 0) for (const x of servers) x.close(); });
  });
  servers.push(s);
  s.on("error", reject);
  s.listen(0, host, () => resolve(s.address().port));
});
const port4 = await serve("127.0.0.1", ${EXCHANGE.server4});
const port6 = await serve("::1", ${EXCHANGE.server6});
process.stdout.write(JSON.stringify({ pid: process.pid, port4, port6 }) + "\\n");`;

const CLIENT = `
import net from "node:net";
const [port4, port6] = process.argv.slice(1).map(Number);
const exchange = (host, port, size) => new Promise((resolve, reject) => {
  let got = 0;
  const c = net.connect(port, host, () => c.end(Buffer.alloc(size, 1)));
  c.on("data", (d) => { got += d.length; });
  c.on("close", () => resolve(got));
  c.on("error", reject);
});
const got4 = await exchange("127.0.0.1", port4, ${EXCHANGE.client4});
const got6 = await exchange("::1", port6, ${EXCHANGE.client6});
// A port that was just free: listen on an ephemeral one and close it.
const refusedPort = await new Promise((r) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
const refused = await new Promise((r) => { const c = net.connect(refusedPort, "127.0.0.1"); c.on("error", (e) => r(e.code)); c.on("connect", () => { c.destroy(); r("connected"); }); });
process.stdout.write(JSON.stringify({ pid: process.pid, got4, got6, refusedPort, refused }) + "\\n");`;

/** Runs `script` as a node child; resolves with its first stdout line (JSON) and a promise of its exit. */
function child(script: string, args: string[]): { line: Promise<Record<string, unknown>>; exited: Promise<number> } {
  const p = spawn(process.execPath, ["--input-type=module", "-e", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => p.on("exit", (code) => resolve(code ?? -1)));
  const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
  exited.finally(() => clearTimeout(timer));
  const line = new Promise<Record<string, unknown>>((resolve, reject) => {
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
    exited.then((code) =>
      reject(new Error(`the exchange's ${script === SERVER ? "server" : "client"} exited (${code}): ${err.trim()}`)),
    );
  });
  return { line, exited };
}

/** Runs the exchange to its end (both processes exited). */
export async function tcpExchange(): Promise<ExchangeResult> {
  const server = child(SERVER, []);
  const ready = await server.line;
  const client = child(CLIENT, [String(ready.port4), String(ready.port6)]);
  const done = await client.line;
  const [clientCode, serverCode] = await Promise.all([client.exited, server.exited]);
  if (clientCode !== 0 || serverCode !== 0)
    throw new Error(`the exchange's processes exited with ${clientCode} (client) and ${serverCode} (server)`);
  return {
    serverPid: Number(ready.pid),
    clientPid: Number(done.pid),
    port4: Number(ready.port4),
    port6: Number(ready.port6),
    refusedPort: Number(done.refusedPort),
    got4: Number(done.got4),
    got6: Number(done.got6),
    refused: String(done.refused),
  };
}
