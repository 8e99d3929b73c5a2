// The seed example programs in examples/ (their kernel sides compiled from kernel TypeScript), run for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentFilter } from "../../examples/socket-filter-drop.js";
import { ExecTracer, type ExecEvent } from "../../examples/exec-tracer.js";
import { socketPair } from "../../src/programs/socket-filter.js";
import { PacketCounter, ticks } from "../../examples/xdp-counter.js";
import { getEventListeners } from "node:events";
import { withNetns } from "../../src/sys/netns.js";
import { vethPairFor } from "../helpers/netns.js";

test("the XDP counter counts exactly the echo requests of a real ping between two namespaces", (t) => {
  const pair = vethPairFor(t);
  using counter = withNetns(pair.b.path, () => PacketCounter.attach(pair.b.ifname, { mode: "skb" }));
  pair.ping(pair.a, 5);
  const ipv4 = counter.read().find((row) => row.name === "IPv4");
  assert.ok(ipv4, "IPv4 traffic was counted");
  assert.equal(ipv4.packets, 5n);
  assert.equal(ipv4.bytes, 5n * 98n); // 14 Ethernet + 20 IPv4 + 8 ICMP + 56 payload
});

test("the socket filter drops exactly the datagrams that contain the needle", () => {
  using filter = ContentFilter.create("secret");
  const [sender, receiver] = socketPair("dgram");
  using _sender = sender;
  using _receiver = receiver;
  using _attached = filter.attachTo(receiver);
  const messages = [
    "hello",
    "a secret here",
    "secret",
    "secre",
    "xsecretx",
    "goodbye",
    "SECRET",
    "s".repeat(100) + "secret",
  ];
  for (const m of messages) sender.send(m);
  const kept = receiver.drain().map((b) => b.toString());
  // Only the first 64 bytes are searched: the needle at offset 100 is not seen.
  assert.deepEqual(kept, ["hello", "secre", "goodbye", "SECRET", "s".repeat(100) + "secret"]);
});

test("the exec tracer reports a process the test spawns, with pid, ppid, comm and filename", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-exec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, "tsbpf-probe-true");
  copyFileSync("/bin/true", binary);
  using tracer = ExecTracer.start();
  const stop = new AbortController();
  const seen: ExecEvent[] = [];
  const polling = tracer.poll((e) => {
    if (e.filename === binary) {
      seen.push(e);
      stop.abort();
    }
  }, stop.signal);
  const child = spawn(binary, [], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const timeout = setTimeout(() => stop.abort(), 10_000);
  await polling;
  clearTimeout(timeout);
  await exited;
  assert.equal(seen.length, 1, "exactly one exec of the probe binary");
  assert.deepEqual(seen[0], { pid: child.pid, ppid: process.pid, comm: "tsbpf-probe-tru", filename: binary });
  assert.equal(tracer.dropped(), 0);
});

test("the README's example is examples/quickstart.ts verbatim, and it counts a real ping", async (t) => {
  const { readFileSync } = await import("node:fs");
  const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..", "..");
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const source = readFileSync(join(root, "examples", "quickstart.ts"), "utf8");
  assert.ok(readme.includes("```ts\n" + source + "```"), "README.md shows examples/quickstart.ts unchanged");

  const { countPackets } = await import("../../examples/quickstart.js");
  const pair = vethPairFor(t);
  // This example counts every packet: keep other traffic off the link (IPv6 neighbour discovery,
  // the first ARP exchange) so the count is exactly the echo requests.
  for (const end of [pair.a, pair.b]) pair.run(end, "sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
  pair.ping(pair.a, 1);
  const counted = withNetns(pair.b.path, () =>
    countPackets(pair.b.ifname, () => {
      pair.ping(pair.a, 4);
    }),
  );
  assert.equal(counted, 4n);
});

test("tcp-by-process: the TcpTracker example sees the exact bytes a process sends itself over TCP", async () => {
  const { watchTcp } = await import("../../examples/tcp-by-process.js");
  const script = `
    import net from "node:net";
    const server = net.createServer((c) => { c.on("data", () => {}); c.on("end", () => { c.end(); server.close(); }); });
    server.listen(0, "127.0.0.1", () => {
      setTimeout(() => { const c = net.connect(server.address().port, "127.0.0.1", () => c.end(Buffer.alloc(7777, 1))); c.on("data", () => {}); }, 300);
    });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
  const lines: string[] = [];
  const rows = await watchTcp(2, (line) => lines.push(line));
  await new Promise((r) => (child.exitCode === null ? child.on("exit", r) : r(null)));
  const mine = rows.find((r) => r.pid === child.pid);
  assert.ok(mine, `the child ${child.pid} is among ${JSON.stringify(rows)}`);
  assert.equal(mine.sent, 7777);
  assert.equal(mine.received, 7777);
  assert.ok(
    lines.some((l) => l.startsWith(`${child.pid} node: `)),
    lines.join("\n"),
  );
});

test("xdp-counter's ticks keep one abort listener however many intervals pass, and end on abort", async () => {
  const stop = new AbortController();
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on("warning", onWarning);
  try {
    let n = 0;
    for await (const _ of ticks(1, stop.signal)) {
      assert.ok(
        getEventListeners(stop.signal, "abort").length <= 1,
        `tick ${n}: ${getEventListeners(stop.signal, "abort").length} abort listeners`,
      );
      if (++n === 30) stop.abort();
    }
    assert.equal(n, 30, "no tick after the abort");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.map((w) => w.name),
      [],
    );
  } finally {
    process.off("warning", onWarning);
  }
});

test("xdp-counter run for more than 11 intervals prints its counts with no warning and exits cleanly on SIGINT", async (t) => {
  const pair = vethPairFor(t);
  const script = join(
    import.meta.dirname ?? new URL(".", import.meta.url).pathname,
    "..",
    "..",
    "examples",
    "xdp-counter.js",
  );
  const child = spawn("nsenter", [`--net=${pair.b.path}`, process.execPath, script, pair.b.ifname, "20"], {
    env: { ...process.env, NODE_OPTIONS: "--trace-warnings" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  t.after(() => {
    clearTimeout(killer);
    child.kill("SIGKILL");
  });
  let stdout = "",
    stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // The header line, then 15 intervals (the old per-interval listener warned at the 11th).
      if (stdout.split("\n").length > 16) resolve();
    });
    void exited.then(() => resolve());
  });
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(stderr, "", "nothing on stderr (no MaxListenersExceededWarning)");
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`^counting packets per EtherType on ${pair.b.ifname}`));
});

test("quickstart without ping on PATH says in one line what to install and exits non-zero", async () => {
  const { spawnSync } = await import("node:child_process");
  const empty = mkdtempSync(join(tmpdir(), "tsbpf-nopath-"));
  try {
    const script = join(
      import.meta.dirname ?? new URL(".", import.meta.url).pathname,
      "..",
      "..",
      "examples",
      "quickstart.js",
    );
    const result = spawnSync(process.execPath, [script], {
      env: { ...process.env, PATH: empty },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^quickstart: .*ping.*install.*iputils-ping/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
