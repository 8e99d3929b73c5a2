// The socket-selection and flow-dissection hooks of kernel TypeScript (skLookup, skReuseport,
// flowDissector): examples/kernel/*.bpf.ts compiled by tsbpf, loaded, attached and checked against
// real connections and datagrams in test namespaces, and the flow dissector on frames (test run).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor } from "../../src/compiler/index.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { testRun } from "../../src/programs/test-run.js";
import { withNetns } from "../../src/sys/netns.js";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { compileModule } from "../../src/compiler/compile.js";
import { writeElf } from "../../src/compiler/elf.js";
import { loadObject } from "../../src/loader/index.js";
import { SocketMap } from "../../src/maps/sock-map.js";
import type { SkReuseportProgram } from "../../src/programs/sk-reuseport.js";
import type { FlowDissectorProgram, SkLookupProgram } from "../../src/programs/netns-hooks.js";
import { linkInfo } from "../../src/sys/info.js";
import type { Link } from "../../src/links/link.js";
import { programIdentity } from "../../src/programs/net-common.js";
import type * as Lookup from "../../examples/kernel/sk-lookup.bpf.js";
import type * as Reuseport from "../../examples/kernel/sk-reuseport.bpf.js";
import type * as Dissector from "../../examples/kernel/flow-dissector.bpf.js";
import { InetSocket } from "../helpers/inet-sockets.js";
import { vethPairFor } from "../helpers/netns.js";
import {
  compileErrors,
  compileSource,
  loadSource,
  frame,
  ipv4,
  ipv6,
  KERNEL_IMPORT,
  ports,
} from "../helpers/compiler-helpers.js";

// From dist/test/kernel to the sources in examples/kernel.
const EXAMPLES = fileURLToPath(new URL("../../../examples/kernel/", import.meta.url));

async function loadExample<M>(name: string, constants: Record<string, unknown> = {}): Promise<KernelObject<M>> {
  return KernelObject.load<M>(await artifactFor(join(EXAMPLES, `${name}.bpf.ts`)), { constants });
}

const ECONNREFUSED = 111;

test("skLookup example: connections to any port of a range reach one listener, others are untouched", async (t) => {
  const pair = vethPairFor(t);
  using obj = await loadExample<typeof Lookup>("sk-lookup", { firstPort: 7000, lastPort: 7099 });
  assert.equal(obj.programs.steer.constructor.name, "SkLookupProgram");
  using listener = withNetns(pair.a.path, () => InetSocket.listen("127.0.0.1"));
  const listenerPort = listener.port;
  obj.maps.listener.set(0, listener.fd);
  using link = obj.programs.steer.attach(pair.a.path);
  assert.match(link.description, /sk_lookup program "steer" on network namespace/);

  const connectTo = (port: number): { errno: number; localPort?: number } =>
    withNetns(pair.a.path, () => {
      using client = InetSocket.tcp();
      const errno = client.connect("127.0.0.1", port);
      if (errno !== 0) return { errno };
      using accepted = listener.accept();
      assert.ok(accepted, `the connection to port ${port} waits on the listener`);
      return { errno, localPort: accepted.port };
    });

  // The accepted connection keeps the port the client asked for: the listener serves the range.
  assert.deepEqual(connectTo(7000), { errno: 0, localPort: 7000 });
  assert.deepEqual(connectTo(7042), { errno: 0, localPort: 7042 });
  assert.deepEqual(connectTo(7099), { errno: 0, localPort: 7099 });
  assert.equal(connectTo(7100).errno, ECONNREFUSED, "7100 is outside the range and nothing listens there");
  assert.deepEqual(connectTo(listenerPort), { errno: 0, localPort: listenerPort }, "the listener's own port");

  obj.maps.listener.delete(0);
  assert.equal(connectTo(7001).errno, ECONNREFUSED, "no listener stored: the program drops");
  assert.deepEqual(
    [...obj.maps.counters].sort((a, b) => a[0] - b[0]).map(([, v]) => v),
    [3n, 1n],
  );

  link.detach();
  obj.maps.listener.set(0, listener.fd);
  assert.equal(connectTo(7042).errno, ECONNREFUSED, "detached: the kernel's own lookup finds nothing on 7042");
  // Another namespace never saw the program.
  assert.equal(
    withNetns(pair.b.path, () => {
      using client = InetSocket.tcp();
      return client.connect("127.0.0.1", 7042);
    }),
    ECONNREFUSED,
  );
});

test("skLookup context fields: addresses, ports, protocol and interface of a real connection request", async (t) => {
  const pair = vethPairFor(t);
  using obj = await loadSource(`
import { skLookup, ArrayMap, u64, SK_PASS } from "${KERNEL_IMPORT}";
export const fields = new ArrayMap({ value: u64, maxEntries: 8 });
export const record = skLookup((ctx) => {
  fields.update(0, ctx.family);
  fields.update(1, ctx.protocol);
  fields.update(2, ctx.remoteIp4);
  fields.update(3, ctx.remotePort);
  fields.update(4, ctx.localIp4);
  fields.update(5, ctx.localPort);
  fields.update(6, ctx.ingressIfindex);
  fields.update(7, ctx.remoteIp6[0] + ctx.localIp6[3]);
  return SK_PASS;
});`);
  using _link = (obj.programs.record as SkLookupProgram).attach(pair.a.path);
  const serverPort = withNetns(pair.a.path, () => {
    using server = InetSocket.listen("127.0.0.1");
    using client = InetSocket.tcp().bind("127.0.0.1", 40123);
    assert.equal(client.connect("127.0.0.1", server.port), 0);
    server.accept()?.close();
    return server.port;
  });
  const fields = obj.maps.fields as unknown as { get(index: number): bigint | undefined };
  const loopback = 0x0100007fn; // 127.0.0.1 as the kernel stores it (network order) read on a little-endian CPU
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => fields.get(i)),
    // AF_INET, TCP, …, lo (interface 1 in every namespace), no IPv6 addresses.
    [2n, 6n, loopback, 40123n, loopback, BigInt(serverPort), 1n, 0n],
  );
});

test("skReuseport example: each datagram goes to the group socket its first byte names", async (t) => {
  const pair = vethPairFor(t);
  const GROUP = 4;
  using obj = await loadExample<typeof Reuseport>("sk-reuseport", { groupSize: GROUP });
  assert.equal(obj.programs.byFirstByte.constructor.name, "SkReuseportProgram");
  const group = withNetns(pair.b.path, () => {
    const first = InetSocket.udp({ reusePort: true }).bind("127.0.0.1", 0);
    const rest = Array.from({ length: GROUP - 1 }, () =>
      InetSocket.udp({ reusePort: true }).bind("127.0.0.1", first.port),
    );
    return [first, ...rest];
  });
  const sender = withNetns(pair.b.path, () => InetSocket.udp());
  t.after(() => {
    for (const s of [...group, sender]) s.close();
  });
  const port = group[0]!.port;
  group.forEach((s, i) => obj.maps.sockets.set(i, s.fd));
  using attachment = obj.programs.byFirstByte.attach(group[2]!);

  const sent = [0, 1, 2, 3, 3, 2, 1, 0, 2, 2];
  sent.forEach((index, n) => sender.sendTo(Uint8Array.of(index, n), "127.0.0.1", port));
  // Loopback delivers in the send call: every datagram is queued by now.
  const received = group.map((s) => s.drain().map((d) => [...d]));
  const expected = group.map((_, i) => sent.flatMap((index, n) => (index === i ? [[index, n]] : [])));
  assert.deepEqual(received, expected);
  assert.deepEqual(
    [...obj.maps.selected].filter(([, v]) => v > 0n).sort((a, b) => a[0] - b[0]),
    [
      [0, 2n],
      [1, 2n],
      [2, 4n],
      [3, 2n],
    ],
  );

  // Naming no socket of the group: the kernel's hash picks one, exactly one gets it.
  sender.sendTo(Uint8Array.of(9, 99), "127.0.0.1", port);
  assert.equal(group.flatMap((s) => s.drain()).length, 1);

  // A slot left empty: the program refuses the datagram.
  obj.maps.sockets.delete(1);
  sender.sendTo(Uint8Array.of(1, 100), "127.0.0.1", port);
  assert.equal(group.flatMap((s) => s.drain()).length, 0, "dropped");

  attachment.detach();
  for (let n = 0; n < 8; n++) sender.sendTo(Uint8Array.of(1, n), "127.0.0.1", port);
  assert.equal(group.flatMap((s) => s.drain()).length, 8, "detached: the kernel's hash spreads them again");
  assert.equal(obj.maps.selected.get(1), 2n, "the program no longer runs");
});

test("skReuseport context fields of a real datagram: length, protocols, wildcard binding, hash", async (t) => {
  const pair = vethPairFor(t);
  using obj = await loadSource(`
import { skReuseport, ArrayMap, u64, SK_PASS } from "${KERNEL_IMPORT}";
export const fields = new ArrayMap({ value: u64, maxEntries: 5 });
export const record = skReuseport((ctx) => {
  fields.update(0, ctx.len);
  fields.update(1, ctx.ethProtocol);
  fields.update(2, ctx.ipProtocol);
  fields.update(3, ctx.bindInany);
  fields.update(4, ctx.hash === 0 ? 0 : 1);
  return SK_PASS;
});`);
  const [a, b, sender] = withNetns(pair.b.path, () => {
    const first = InetSocket.udp({ reusePort: true }).bind("0.0.0.0", 0);
    return [first, InetSocket.udp({ reusePort: true }).bind("0.0.0.0", first.port), InetSocket.udp()];
  });
  t.after(() => {
    for (const s of [a!, b!, sender!]) s.close();
  });
  using _attachment = (obj.programs.record as SkReuseportProgram).attach(a!);
  sender!.sendTo(Uint8Array.of(1, 2, 3), "127.0.0.1", a!.port);
  assert.equal([...a!.drain(), ...b!.drain()].length, 1);
  const fields = obj.maps.fields as unknown as { get(index: number): bigint | undefined };
  // 8 bytes of UDP header and 3 of payload; IPv4; UDP; bound to 0.0.0.0; a flow hash.
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => fields.get(i)),
    [11n, 0x0800n, 17n, 1n, 1n],
  );
});

/** The flow keys as the test run returns them (struct bpf_flow_keys). */
function flowKeys(b: Buffer) {
  return {
    nhoff: b.readUInt16LE(0),
    thoff: b.readUInt16LE(2),
    addrProto: b.readUInt16LE(4),
    isFrag: b[6],
    isFirstFrag: b[7],
    ipProto: b[9],
    nProto: b.readUInt16BE(10),
    sport: b.readUInt16BE(12),
    dport: b.readUInt16BE(14),
    src: [...b.subarray(16, 20)].join("."),
    dst: [...b.subarray(20, 24)].join("."),
  };
}

test("flowDissector example on frames: IPv4 keys filled, fragments marked, IPv6 left to the kernel, short headers dropped", async () => {
  using obj = await loadExample<typeof Dissector>("flow-dissector");
  const prog = obj.programs.dissect;
  assert.equal(prog.constructor.name, "FlowDissectorProgram");
  const run = (f: Buffer) => {
    const r = testRun(prog, { data: f, dataOutSize: 56 });
    return { retval: r.retval, keys: flowKeys(r.data) };
  };

  const tcp = run(frame(0x0800, ipv4(6, "10.1.2.3", "192.168.7.9", ports(40000, 443))));
  assert.equal(tcp.retval, 0, "BPF_OK");
  assert.deepEqual(tcp.keys, {
    nhoff: 14,
    thoff: 34,
    addrProto: 0x0800,
    isFrag: 0,
    isFirstFrag: 0,
    ipProto: 6,
    nProto: 0x0800,
    sport: 40000,
    dport: 443,
    src: "10.1.2.3",
    dst: "192.168.7.9",
  });

  // IPv4 with options (24-byte header): the ports are found after them.
  const withOptions = Buffer.from(ipv4(17, "10.0.0.1", "10.0.0.2", [1, 1, 1, 0, ...ports(53, 5353, 8)]));
  withOptions[0] = 0x46;
  const udp = run(frame(0x0800, withOptions));
  assert.equal(udp.retval, 0);
  assert.deepEqual([udp.keys.thoff, udp.keys.ipProto, udp.keys.sport, udp.keys.dport], [38, 17, 53, 5353]);

  // A later fragment: marked, no ports.
  const fragment = Buffer.from(ipv4(17, "10.0.0.1", "10.0.0.2", ports(53, 5353, 8)));
  fragment.writeUInt16BE(0x0010, 6); // offset 16 × 8 bytes
  const frag = run(frame(0x0800, fragment));
  assert.deepEqual([frag.retval, frag.keys.isFrag, frag.keys.isFirstFrag, frag.keys.sport], [0, 1, 0, 0]);
  // The first fragment: marked, with ports.
  fragment.writeUInt16BE(0x2000, 6); // more fragments, offset 0
  const first = run(frame(0x0800, fragment));
  assert.deepEqual([first.keys.isFrag, first.keys.isFirstFrag, first.keys.dport], [1, 1, 5353]);

  const v6 = run(frame(0x86dd, ipv6(17, new Uint8Array(16).fill(1), new Uint8Array(16).fill(2), ports(1, 2, 8))));
  assert.equal(v6.retval, 129, "BPF_FLOW_DISSECTOR_CONTINUE");
  const short = run(frame(0x0800, [0x45, 0, 0, 20], 20));
  assert.equal(short.retval, 2, "BPF_DROP: the IPv4 header does not fit");
  assert.deepEqual(
    [...obj.maps.counters].sort((a, b) => a[0] - b[0]).map(([, v]) => v),
    [4n, 1n, 1n],
  );
});

/** Namespace b dissects every IPv4 packet it routes in: a fib rule on ports asks for it. */
function dissectingNamespace(t: { after(fn: () => void): void }) {
  const pair = vethPairFor(t);
  // The local table's rule moves after the port rule, so that the rule refuses datagrams to a local port.
  pair.run(pair.b, "ip", ["rule", "add", "pref", "100", "ipproto", "udp", "dport", "7777", "prohibit"]);
  pair.run(pair.b, "ip", ["rule", "add", "pref", "200", "lookup", "local"]);
  pair.run(pair.b, "ip", ["rule", "del", "pref", "0"]);
  return pair;
}

/** Waits (up to 5 s) until `count` datagrams are queued on `socket`, and takes them. */
async function receiveAll(socket: InetSocket, count: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  for (let waited = 0; got.length < count && waited < 5000; waited += 20) {
    got.push(...socket.drain());
    if (got.length < count) await new Promise((r) => setTimeout(r, 20));
  }
  return got;
}

test("a flow dissector writes every kind of key field, and copies packet bytes with loadBytes on real packets", async (t) => {
  using obj = await loadSource(`
import { flowDissector, ArrayMap, zeroed, bytes, u32, u64, BPF_OK } from "${KERNEL_IMPORT}";
/** [0] 1 when loadBytes succeeded, 2 when it failed; [1] the bytes it copied. */
export const seen = new ArrayMap({ value: u64, maxEntries: 2 });
export const copy = flowDissector((ctx) => {
  const keys = ctx.flowKeys;
  const head = zeroed(bytes(4));
  const r = ctx.loadBytes(keys.nhoff, head, 4);
  seen.update(0, r === 0 ? 1 : 2);
  const word: u32 = (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
  if (r === 0) seen.update(1, word);
  keys.flowLabel = 0x12345;  // be32
  keys.isEncap = 1;          // u8
  keys.addrProto = 0x86dd;   // u16
  keys.ipv6Dst[15] = 7;      // a byte of the 16-byte address
  return BPF_OK;
});`);
  const seen = obj.maps.seen as unknown as { get(index: number): bigint | undefined };
  const r = testRun(obj.programs.copy!, { data: frame(0x0800, [0x45, 0x10, 0x00, 0x54]), dataOutSize: 56 });
  assert.equal(r.retval, 0);
  assert.equal(r.data.readUInt32BE(52), 0x12345);
  assert.equal(r.data[8], 1);
  assert.equal(r.data.readUInt16LE(4), 0x86dd);
  assert.equal(r.data[32 + 15], 7);
  // A test run has no socket buffer, so bpf_skb_load_bytes fails there; attached, it copies.
  assert.equal(seen.get(0), 2n);

  const pair = dissectingNamespace(t);
  using receiver = withNetns(pair.b.path, () => InetSocket.udp().bind("0.0.0.0", 7778));
  using sender = withNetns(pair.a.path, () => InetSocket.udp());
  using _link = (obj.programs.copy as FlowDissectorProgram).attach(pair.b.path);
  sender.sendTo(Uint8Array.of(1), pair.b.address, 7778);
  assert.equal((await receiveAll(receiver, 1)).length, 1);
  assert.equal(seen.get(0), 1n, "loadBytes succeeded on the received datagram");
  // IPv4, header length 5 words, TOS 0, total length 20 + 8 + 1.
  assert.equal(seen.get(1), 0x4500001dn);
});

test("flowDissector attaches to a network namespace with a link, one per namespace", async (t) => {
  const pair = vethPairFor(t);
  using obj = await loadExample<typeof Dissector>("flow-dissector");
  using link = obj.programs.dissect.attach(pair.a.path);
  const info = linkInfo((link as Link).fd);
  assert.deepEqual(info.target, { kind: "netns", netnsIno: statSync(pair.a.path).ino, attachType: 17 });
  assert.equal(info.progId, programIdentity(obj.programs.dissect.fd).id);
  // A namespace holds one flow dissector.
  using other = await loadExample<typeof Dissector>("flow-dissector");
  assert.throws(() => other.programs.dissect.attach(pair.a.path), /already taken/);
  using _second = other.programs.dissect.attach(pair.b.path);
});

test("flowDissector attached to a namespace parses the datagrams it receives, and the routing rules on ports go by the keys it reports", async (t) => {
  const pair = dissectingNamespace(t);
  using obj = await loadExample<typeof Dissector>("flow-dissector");
  const [blocked, open] = withNetns(pair.b.path, () => [
    InetSocket.udp().bind("0.0.0.0", 7777),
    InetSocket.udp().bind("0.0.0.0", 7778),
  ]);
  const sender = withNetns(pair.a.path, () => InetSocket.udp());
  t.after(() => {
    for (const s of [blocked!, open!, sender]) s.close();
  });
  const dissected = (): bigint => obj.maps.counters.get(0) ?? 0n;
  {
    using _link = obj.programs.dissect.attach(pair.b.path);
    for (let n = 0; n < 5; n++) {
      sender.sendTo(Uint8Array.of(n), pair.b.address, 7777);
      sender.sendTo(Uint8Array.of(n), pair.b.address, 7778);
    }
    assert.equal((await receiveAll(open!, 5)).length, 5, "datagrams to 7778 arrive");
    assert.deepEqual(blocked!.drain(), [], "the rule refused those to 7777 by the ports the program found");
    assert.ok(dissected() >= 10n, `the program dissected the 10 datagrams (counted ${dissected()})`);
  }
  const before = dissected();
  sender.sendTo(Uint8Array.of(9), pair.b.address, 7778);
  assert.equal((await receiveAll(open!, 1)).length, 1);
  assert.equal(dissected(), before, "detached: the kernel's own dissector parses again");

  // The kernel routes by the keys the program reports: one that says "port 7777" for every
  // IPv4 packet gets the datagrams to 7778 refused too.
  using liar = await loadSource(`
import { flowDissector, ETH_P_IP, IPPROTO_UDP, BPF_OK, BPF_FLOW_DISSECTOR_CONTINUE } from "${KERNEL_IMPORT}";
export const everythingIs7777 = flowDissector((ctx) => {
  const keys = ctx.flowKeys;
  if (keys.nProto !== ETH_P_IP) return BPF_FLOW_DISSECTOR_CONTINUE;
  keys.addrProto = ETH_P_IP;
  keys.ipProto = IPPROTO_UDP;
  keys.thoff = keys.nhoff + 20;
  keys.dport = 7777;
  return BPF_OK;
});`);
  {
    using _link = (liar.programs.everythingIs7777 as FlowDissectorProgram).attach(pair.b.path);
    for (let n = 0; n < 3; n++) sender.sendTo(Uint8Array.of(n), pair.b.address, 7778);
  }
  // Detached, a last datagram arrives; the three before it on the same path were refused.
  sender.sendTo(Uint8Array.of(7), pair.b.address, 7778);
  assert.deepEqual(
    (await receiveAll(open!, 1)).map((d) => [...d]),
    [[7]],
    "only the datagram sent after detaching arrived: the rule refused the others by the port the program reported",
  );
});

test("the ELF objects load with tsbpf's object loader as the kinds' classes (sections sk_lookup, sk_reuseport, flow_dissector)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-socket-hooks-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const classes: Record<string, string> = {};
  for (const name of ["sk-lookup", "sk-reuseport", "flow-dissector"]) {
    const object = join(dir, `${name}.o`);
    writeFileSync(object, writeElf(await compileModule(join(EXAMPLES, `${name}.bpf.ts`))));
    using obj = loadObject(object);
    for (const [program, p] of Object.entries(obj.programs)) classes[program] = p.constructor.name;
    if (name === "sk-reuseport") assert.ok(obj.maps.sockets instanceof SocketMap, "a reuseport array is a SocketMap");
    if (name === "flow-dissector") {
      const r = testRun(obj.programs.dissect!, {
        data: frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(5, 6, 8))),
        dataOutSize: 56,
      });
      assert.deepEqual([r.retval, flowKeys(r.data).dport], [0, 6]);
    }
  }
  assert.deepEqual(classes, {
    steer: "SkLookupProgram",
    byFirstByte: "SkReuseportProgram",
    dissect: "FlowDissectorProgram",
  });
});

test("skLookup with a SockHash and skReuseport for migration load with their sections and attach types", async () => {
  const m = await compileSource(`
import { skLookup, skReuseport, SockHash, ReuseportSockArray, u8, u32, SK_PASS, SK_DROP, BPF_SK_LOOKUP_F_REPLACE } from "${KERNEL_IMPORT}";
export const byPort = new SockHash({ key: u32, maxEntries: 8 });
export const group = new ReuseportSockArray({ maxEntries: 2 });
export const lookup = skLookup((ctx) => {
  const port: u32 = ctx.localPort;
  const r = ctx.assign(byPort, port, BPF_SK_LOOKUP_F_REPLACE);
  return r === 0 || r === -2 ? SK_PASS : SK_DROP;
});
export const migrate = skReuseport((ctx) => {
  const first = ctx.load(u8, 0);
  if (first === null) return SK_PASS;
  return ctx.selectSocket(group, first & 1, 0) === 0 ? SK_PASS : SK_DROP;
}, { migrate: true });
`);
  assert.deepEqual(
    m.artifact.programs.map((p) => [p.name, p.section, p.expectedAttachType]),
    [
      ["lookup", "sk_lookup", 36],
      ["migrate", "sk_reuseport/migrate", 40],
    ],
  );
  using obj = KernelObject.load(m.artifact);
  assert.equal(obj.programs.lookup!.constructor.name, "SkLookupProgram");
  assert.equal(obj.programs.migrate!.constructor.name, "SkReuseportProgram");
});
