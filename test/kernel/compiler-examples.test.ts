// The example programs written in kernel TypeScript (examples/kernel/*.bpf.ts), compiled by
// tsbpf, loaded and run for real: the compiled twins of the hand-assembled seed examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { withNetns } from "../../src/sys/netns.js";
import { vethPairFor } from "../helpers/netns.js";
import { frame, ipv4, ipv6, ports } from "../helpers/compiler-helpers.js";
import { CompiledPacketCounter } from "../../examples/kernel/xdp-counter.js";
import { FlowMonitor } from "../../examples/kernel/flow-monitor.js";
import { CompiledCapture } from "../../examples/kernel/capture.js";
import { CompiledContentFilter } from "../../examples/kernel/socket-filter.js";
import { CompiledExecTracer, type Exec } from "../../examples/kernel/exec-tracer.js";
import { CompiledTcpLifecycle } from "../../examples/kernel/tcp-lifecycle.js";
import { socketPair } from "../../src/programs/socket-filter.js";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Socket as NetSocket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("compiled XDP counter: test_run counts EtherTypes and IP protocols per CPU", async () => {
  using counter = await CompiledPacketCounter.create();
  const prog = counter.object.programs.count;
  const v6 = new Uint8Array(16);
  const inputs = [
    frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2"), 60),
    frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2"), 80),
    frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2"), 80),
    frame(0x86dd, ipv6(58, v6, v6), 90),
    frame(0x0806, [], 42),
  ];
  for (const data of inputs) assert.equal(testRun(prog, { data }).retval, 2);
  assert.deepEqual(counter.etherTypes(), [
    { key: 0x0800, packets: 3n, bytes: 220n },
    { key: 0x0806, packets: 1n, bytes: 42n },
    { key: 0x86dd, packets: 1n, bytes: 90n },
  ]);
  assert.deepEqual(counter.ipProtocols(), [
    { key: 6, packets: 2n, bytes: 160n },
    { key: 17, packets: 1n, bytes: 60n },
    { key: 58, packets: 1n, bytes: 90n },
  ]);
});

test("compiled XDP counter counts exactly the echo requests of a real ping between two namespaces", async (t) => {
  const pair = vethPairFor(t);
  using counter = await CompiledPacketCounter.create();
  withNetns(pair.b.path, () => counter.attach(pair.b.ifname, { mode: "skb" }));
  pair.ping(pair.a, 5);
  const ipv4Row = counter.etherTypes().find((r) => r.key === 0x0800);
  assert.ok(ipv4Row, "IPv4 traffic was counted");
  assert.equal(ipv4Row.packets, 5n);
  assert.equal(ipv4Row.bytes, 5n * 98n);
  assert.deepEqual(
    counter.ipProtocols().find((r) => r.key === 1),
    { key: 1, packets: 5n, bytes: 5n * 98n },
  );
});

test("compiled TCP/UDP monitor reports IPv4, IPv6 and VLAN-tagged packets with addresses and ports", async () => {
  using monitor = await FlowMonitor.create();
  const prog = monitor.object.programs.monitor;
  const a6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
  const b6 = Uint8Array.from([0xfe, 0x80, ...new Array(13).fill(0), 2]);
  const vlanTagged = (() => {
    const inner = frame(0x0800, ipv4(6, "192.168.1.5", "192.168.1.9", ports(40000, 443)), 80);
    const out = Buffer.alloc(inner.length + 4);
    inner.copy(out, 0, 0, 12);
    out.writeUInt16BE(0x8100, 12);
    out.writeUInt16BE(0x2000 | 42, 14); // priority 1, VLAN 42
    inner.copy(out, 16, 12);
    return out;
  })();
  const inputs = [
    frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(5353, 53, 8)), 60),
    frame(0x86dd, ipv6(6, a6, b6, ports(1234, 80)), 100),
    vlanTagged,
    frame(0x0800, ipv4(1, "10.1.1.1", "10.1.1.2", [8, 0, 0, 0]), 64),
    frame(0x0806, [], 60), // ARP: not reported
    frame(0x0800, [], 20).subarray(0, 20), // truncated IPv4: not reported
  ];
  for (const data of inputs) assert.equal(testRun(prog, { data }).retval, 2);
  assert.deepEqual(monitor.drain(), [
    { family: 4, protocol: 17, vlan: 0, saddr: "10.0.0.1", daddr: "10.0.0.2", sport: 5353, dport: 53, length: 60 },
    { family: 6, protocol: 6, vlan: 0, saddr: "2001:db8::1", daddr: "fe80::2", sport: 1234, dport: 80, length: 100 },
    {
      family: 4,
      protocol: 6,
      vlan: 42,
      saddr: "192.168.1.5",
      daddr: "192.168.1.9",
      sport: 40000,
      dport: 443,
      length: 84,
    },
    { family: 4, protocol: 1, vlan: 0, saddr: "10.1.1.1", daddr: "10.1.1.2", sport: 0, dport: 0, length: 64 },
  ]);
  assert.equal(monitor.ring.drops(), 0);
});

test("compiled capture program copies up to the snap length, with the real length, on XDP and TC", async () => {
  using capture = await CompiledCapture.create(64);
  const big = frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(1, 2, 8)), 300);
  for (let i = 0; i < 300; i++) if (i >= 42) big[i] = i & 0xff;
  const small = frame(0x0806, [], 42);
  assert.equal(testRun(capture.object.programs.ingress, { data: big }).retval, 2);
  assert.equal(testRun(capture.object.programs.ingress, { data: small }).retval, 2);
  assert.equal(testRun(capture.object.programs.egress, { data: big }).retval, 0);
  const got = capture.drain();
  assert.equal(got.length, 3);
  assert.deepEqual(
    got.map((p) => [p.direction, p.length, p.data.length]),
    [
      ["in", 300, 64],
      ["in", 42, 42],
      ["out", 300, 64],
    ],
  );
  assert.deepEqual(got[0]!.data, big.subarray(0, 64));
  assert.deepEqual(got[1]!.data, small);
  assert.deepEqual(got[2]!.data, big.subarray(0, 64));
  assert.ok(got[0]!.timestamp > 0n && got[1]!.timestamp >= got[0]!.timestamp);
  assert.equal(capture.ring.drops(), 0);
});

test("compiled capture program sees a real ping in both directions of a veth", async (t) => {
  const pair = vethPairFor(t);
  for (const end of [pair.a, pair.b]) pair.run(end, "sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
  pair.ping(pair.a, 1); // ARP done before capturing
  using capture = await CompiledCapture.create(1536);
  withNetns(pair.b.path, () => capture.attach(pair.b.ifname, { mode: "skb" }));
  pair.ping(pair.a, 3);
  const icmp = capture.drain().filter((p) => p.data.readUInt16BE(12) === 0x0800 && p.data[23] === 1);
  assert.equal(icmp.filter((p) => p.direction === "in" && p.data[34] === 8).length, 3, "echo requests in");
  assert.equal(icmp.filter((p) => p.direction === "out" && p.data[34] === 0).length, 3, "echo replies out");
  for (const p of icmp) {
    assert.equal(p.length, 98);
    assert.equal(p.data.length, 98);
  }
});

test("compiled socket filter drops exactly the datagrams that contain the needle", async () => {
  using filter = await CompiledContentFilter.create("secret");
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

test("compiled exec tracer reports a process the test spawns, with pid, ppid, comm and filename", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-exec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, "tsbpf-probe-true");
  copyFileSync("/bin/true", binary);
  using tracer = await CompiledExecTracer.start();
  const stop = new AbortController();
  const seen: Exec[] = [];
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

test("compiled TCP lifecycle tracer follows a connection's states and its bytes at close", async () => {
  using tracer = await CompiledTcpLifecycle.start();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const sent = Buffer.alloc(3000, 7);
  const reply = Buffer.alloc(1234, 9);
  const accepted = new Promise<NetSocket>((resolve) => server.once("connection", resolve));
  const client = connect(port, "127.0.0.1");
  await new Promise((resolve) => client.once("connect", resolve));
  const peer = await accepted;
  const localPort = client.localPort!;
  // Client sends 3000 bytes, server answers 1234, then both close.
  let received = 0;
  const gotAll = new Promise<void>((resolve) =>
    peer.on("data", (d) => {
      received += d.length;
      if (received === sent.length) resolve();
    }),
  );
  client.write(sent);
  await gotAll;
  let clientGot = 0;
  const clientAll = new Promise<void>((resolve) =>
    client.on("data", (d) => {
      clientGot += d.length;
      if (clientGot === reply.length) resolve();
    }),
  );
  peer.write(reply);
  await clientAll;
  client.end();
  await new Promise((resolve) => peer.once("end", resolve));
  peer.end();
  await new Promise((resolve) => client.once("close", resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 100));

  const records = tracer.drain();
  const mine = records.filter(
    (r) => (r.sport === localPort && r.dport === port) || (r.sport === port && r.dport === localPort),
  );
  // The SYN_SENT change happens before connect() picks the local port: follow the socket's address.
  const clientSock = mine.find((r) => r.sport === localPort)!.sock;
  const clientStates = records
    .filter((r) => r.kind === "state" && r.sock === clientSock)
    .map((r) => (r.kind === "state" ? `${r.oldstate}>${r.newstate}` : ""));
  assert.deepEqual(clientStates.slice(0, 2), ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED"]);
  assert.ok(clientStates.includes("ESTABLISHED>FIN_WAIT1"), clientStates.join(" "));
  const first = mine.find((r) => r.kind === "state" && r.sport === localPort);
  assert.ok(first && first.kind === "state");
  assert.equal(first.saddr, "127.0.0.1");
  assert.equal(first.daddr, "127.0.0.1");
  assert.equal(first.pid, process.pid, "the connect happened in this process");
  const serverSock = mine.find((r) => r.sport === port)!.sock;
  const closes = records.filter((r) => r.kind === "close");
  const clientClose = closes.find((r) => r.sock === clientSock);
  const serverClose = closes.find((r) => r.sock === serverSock);
  assert.equal(clientClose?.sport, localPort);
  assert.equal(clientClose?.dport, port);
  assert.ok(clientClose && clientClose.kind === "close", "the client's close was seen by tp_btf");
  assert.ok(serverClose && serverClose.kind === "close", "the server side's close was seen by tp_btf");
  // bytes_acked counts the SYN and FIN as one byte each (they take a sequence number); bytes_received counts data and the FIN.
  assert.equal(clientClose.bytesAcked, BigInt(sent.length) + 2n);
  assert.equal(clientClose.bytesReceived, BigInt(reply.length) + 1n);
  assert.equal(serverClose.bytesReceived, BigInt(sent.length) + 1n);
});
