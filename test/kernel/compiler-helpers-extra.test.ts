// Helpers eBPF authors reach for, each compiled from kernel TypeScript, loaded and run in the kernel:
// printk to the trace buffer, checksum helpers, redirect maps, packet head/tail/meta moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { UprobeProgram } from "../../src/programs/uprobe.js";
import { buildC, tempDir } from "../helpers/tracing-helpers.js";
import { testRun } from "../../src/programs/test-run.js";
import { helperSupported } from "../../src/features.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { compileSource, frame, ipv4, ports, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";
import { vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";

const K = KERNEL_IMPORT;
const TRACE = "/sys/kernel/tracing/trace";

function program(obj: KernelObject): { fd: number } {
  return Object.values(obj.programs)[0]!;
}

test("printk and bpfPrintk write formatted lines to the kernel trace buffer", async () => {
  const tag = `tsbpf${randomBytes(4).toString("hex")}`;
  using obj = await loadSource(`
import { xdp, printk, bpfPrintk, hex, ipv4, str, bytes, zeroed, i32, u32, XDP_PASS } from "${K}";
export const p = xdp((ctx) => {
  const neg: i32 = -5;
  const name = zeroed(bytes(8));
  name[0] = 0x6f; name[1] = 0x6b;
  printk(\`${tag} three \${ctx.len} \${neg} \${hex(255)} 100%\`);
  bpfPrintk(\`${tag} many \${ipv4(0xc0a80001)} \${str(name)} 1 \${2} \${3} \${4} \${5}\`);
  return XDP_PASS;
});`);
  assert.equal(testRun(program(obj), { data: frame(0x0800, [], 60) }).retval, 2);
  const trace = readFileSync(TRACE, "utf8");
  assert.match(trace, new RegExp(`${tag} three 60 -5 ff 100%`));
  assert.match(trace, new RegExp(`${tag} many 192\\.168\\.0\\.1 ok 1 2 3 4 5`));
});

/** The Internet checksum (RFC 1071) of `b`: 0 when `b` carries a correct checksum. */
function inetSum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The UDP checksum over the IPv4 pseudo header and the datagram: 0 when it is correct. */
function udpSum(packet: Buffer): number {
  const ip = packet.subarray(14, 34);
  const udp = packet.subarray(34, 14 + ip.readUInt16BE(2));
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo[9] = 17;
  pseudo.writeUInt16BE(udp.length, 10);
  return inetSum(Buffer.concat([pseudo, udp]));
}

test("storeBytes, csumDiff, l3CsumReplace and l4CsumReplace: a tc program decrements the TTL and rewrites the source address with valid checksums", async () => {
  using obj = await loadSource(`
import { tc, struct, bytes, u8, u16, BPF_F_PSEUDO_HDR, BPF_F_MARK_MANGLED_0, TC_ACT_OK, TC_ACT_SHOT, csumDiff, zeroed } from "${K}";
const Addr = bytes(4);
export const p = tc((ctx) => {
  const ttl = ctx.load(u8, 22);
  const word = ctx.load(u16, 22);      // TTL and protocol, as stored
  if (ttl === null || word === null) return TC_ACT_SHOT;
  // Values, not packet views: storeBytes moves the packet.
  const oldTtl: u8 = ttl;
  const oldWord: u16 = word;
  const newTtl = zeroed(bytes(1));
  newTtl[0] = oldTtl - 1;
  const newWord: u16 = (oldWord & 0xff00) | (oldTtl - 1);
  if (ctx.storeBytes(22, newTtl, 1) !== 0) return TC_ACT_SHOT;
  if (ctx.l3CsumReplace(24, oldWord, newWord, 2) !== 0) return TC_ACT_SHOT;
  const oldAddr = zeroed(Addr);
  if (ctx.loadBytes(26, oldAddr, 4) !== 0) return TC_ACT_SHOT;
  const newAddr = zeroed(Addr);
  newAddr[0] = 10; newAddr[1] = 9; newAddr[2] = 8; newAddr[3] = 7;
  const diff = csumDiff(oldAddr, newAddr);
  if (ctx.storeBytes(26, newAddr, 4) !== 0) return TC_ACT_SHOT;
  if (ctx.l3CsumReplace(24, 0, diff, 0) !== 0) return TC_ACT_SHOT;
  if (ctx.l4CsumReplace(40, 0, diff, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0) !== 0) return TC_ACT_SHOT;
  return TC_ACT_OK;
});`);
  const payload = Buffer.from("checksummed payload!");
  const udp = Buffer.concat([Buffer.from(ports(4000, 53, 8)), payload]);
  udp.writeUInt16BE(udp.length, 4);
  const packet = frame(0x0800, ipv4(17, "192.168.1.10", "192.168.1.20", udp), 0);
  packet.writeUInt16BE(inetSum(packet.subarray(14, 34)), 24);
  packet.writeUInt16BE(udpSum(packet), 40);
  assert.equal(inetSum(packet.subarray(14, 34)), 0);
  assert.equal(udpSum(packet), 0);
  const out = testRun(program(obj), { data: packet });
  assert.equal(out.retval, 0);
  assert.equal(out.data[22], 63, "TTL decremented");
  assert.deepEqual([...out.data.subarray(26, 30)], [10, 9, 8, 7], "source address rewritten");
  assert.notEqual(out.data.readUInt16BE(24), packet.readUInt16BE(24));
  assert.equal(inetSum(out.data.subarray(14, 34)), 0, "IPv4 header checksum valid");
  assert.equal(udpSum(out.data), 0, "UDP checksum valid");
  assert.deepEqual(out.data.subarray(42, 42 + payload.length), payload);
});

test("DevMap / CpuMap / XskMap redirect: XDP_REDIRECT for a filled slot, the fallback action of the flags for an empty one", async () => {
  using obj = await loadSource(`
import { xdp, DevMap, CpuMap, XskMap, ArrayMap, redirectMap, u32, XDP_PASS, XDP_DROP } from "${K}";
export const devs = new DevMap({ maxEntries: 4 });
export const cpus = new CpuMap({ maxEntries: 2 });
export const socks = new XskMap({ maxEntries: 2 });
export const which = new ArrayMap({ value: u32, maxEntries: 1 });
export const p = xdp((ctx) => {
  const w = which.lookup(0);
  if (w === null) return XDP_DROP;
  if (w.value === 0) return devs.redirect(0, XDP_PASS);
  if (w.value === 1) return redirectMap(devs, 3, XDP_PASS);
  if (w.value === 2) return redirectMap(cpus, 0, XDP_DROP);
  if (w.value === 3) return cpus.redirect(1, XDP_PASS);
  return socks.redirect(0, XDP_PASS);
});`);
  const maps = obj.maps as unknown as Record<string, { set(k: number, v: unknown): void }>;
  maps.devs!.set(0, Buffer.from(Uint32Array.of(1).buffer)); // lo
  maps.cpus!.set(0, Buffer.from(Uint32Array.of(256, 0).buffer)); // queue size 256, no program
  const run = (w: number): number => {
    maps.which!.set(0, w);
    return testRun(program(obj), { data: frame(0x0800) }).retval;
  };
  assert.equal(run(0), 4, "devmap slot 0 (lo): XDP_REDIRECT");
  assert.equal(run(1), 2, "devmap slot 3 is empty: the fallback XDP_PASS");
  assert.equal(run(2), 4, "cpumap slot 0: XDP_REDIRECT");
  assert.equal(run(3), 2, "cpumap slot 1 is empty: the fallback XDP_PASS");
  assert.equal(run(4), 2, "xskmap slot 0 without a socket: the fallback XDP_PASS");
});

test("adjustHead and adjustTail move an XDP frame's start and end", async () => {
  using obj = await loadSource(`
import { xdp, ArrayMap, u8, u64, XDP_PASS, XDP_DROP, XDP_ABORTED } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 4 });
export const p = xdp((ctx) => {
  out.update(0, ctx.len);
  if (ctx.adjustHead(4) !== 0) return XDP_ABORTED;   // drop 4 bytes in front
  if (ctx.adjustTail(-10) !== 0) return XDP_ABORTED; // and 10 at the end
  out.update(1, ctx.len);
  const first = ctx.load(u8, 0);
  if (first === null) return XDP_DROP;
  const firstByte: u8 = first;
  out.update(2, firstByte);
  return XDP_PASS;
});`);
  const data = frame(0x0800, [], 64);
  for (let i = 0; i < data.length; i++) data[i] = i;
  const r = testRun(program(obj), { data });
  assert.equal(r.retval, 2);
  const out = (obj.maps as unknown as Record<string, { get(i: number): bigint | undefined }>).out!;
  assert.equal(out.get(0), 64n);
  assert.equal(out.get(1), 50n, "64 - 4 - 10");
  assert.equal(out.get(2), 4n, "the frame starts 4 bytes later");
  assert.deepEqual([...r.data], [...data.subarray(4, 54)]);
});

test("adjustMeta grows an XDP frame's metadata area", async (t) => {
  if (!helperSupported("xdp", "xdp_adjust_meta")) {
    t.skip(
      "this kernel refuses bpf_xdp_adjust_meta in XDP programs (the verifier: program of this type cannot use helper)",
    );
    return;
  }
  using obj = await loadSource(`
import { xdp, ArrayMap, u64, XDP_PASS } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 1 });
export const p = xdp((ctx) => {
  const r = ctx.adjustMeta(-8);
  out.update(0, r === 0 ? 1 : 2);
  return XDP_PASS;
});`);
  assert.equal(testRun(program(obj), { data: frame(0x0800) }).retval, 2);
  const out = (obj.maps as unknown as Record<string, { get(i: number): bigint | undefined }>).out!;
  assert.equal(out.get(0), 1n, "adjustMeta(-8) returned 0");
});

test("enum declarations: members are integer constants in expressions, switch cases and returns", async () => {
  using obj = await loadSource(`
import { xdp, ArrayMap, u32, u64, XDP_PASS } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 8 });
enum Verdict { Aborted, Drop, Pass, Tx = 3 }
enum Flag { Seen = 1 << 2, Big = 0x100, Neg = -2 }
const enum Step { First = 10, Second, Third }
function classify(x: u32): u32 {
  switch (x) {
    case Step.First: return Verdict.Drop;
    case Step.Second: return Verdict.Tx;
    default: return Verdict.Pass;
  }
}
function flagged(f: Flag): u32 {
  return f === Flag.Big ? 1 : 0;
}
export const p = xdp((ctx) => {
  out.update(0, classify(10));
  out.update(1, classify(11));
  out.update(2, classify(Step.Third));
  out.update(3, Flag.Seen | Flag.Big);
  out.update(4, flagged(Flag.Big));
  const v: Verdict = Verdict.Pass;
  out.update(5, v);
  return Verdict.Pass;
});`);
  assert.equal(testRun(program(obj), { data: frame(0x0800) }).retval, 2);
  const out = (obj.maps as unknown as Record<string, { get(i: number): bigint | undefined }>).out!;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => out.get(i)),
    [1n, 3n, 2n, 0x104n, 1n, 2n],
  );
});

function linkOf(pair: VethPair, end: NetnsEnd): { ifindex: number; address: string } {
  const [link] = JSON.parse(pair.run(end, "ip", ["-j", "link", "show", end.ifname]).stdout) as {
    ifindex: number;
    address: string;
  }[];
  return link!;
}

function hostOrder(dotted: string): number {
  return dotted.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

test("fibLookup finds the route and the neighbour's MAC of a veth peer, and reports an unroutable address", async (t) => {
  const pair = vethPairFor(t);
  pair.ping(pair.a, 1); // the neighbour entry for b
  // bpf_fib_lookup answers only for interfaces that forward (this namespace's own setting).
  pair.run(pair.a, "sysctl", ["-q", "-w", "net.ipv4.conf.all.forwarding=1"]);
  const a = linkOf(pair, pair.a),
    b = linkOf(pair, pair.b);
  using obj = await loadSource(
    `
import { xdp, fibLookup, FibLookup, zeroed, ArrayMap, u32, i64, AF_INET, IPPROTO_UDP, BPF_FIB_LOOKUP_OUTPUT, XDP_PASS } from "${K}";
export const input = new ArrayMap({ value: u32, maxEntries: 3 });
export const answer = new ArrayMap({ value: FibLookup, maxEntries: 1 });
export const status = new ArrayMap({ value: i64, maxEntries: 2 });
function ask(ctx: XdpContext, oif: u32, src: u32, dst: u32, slot: u32): void {
  const params = zeroed(FibLookup);
  params.family = AF_INET;
  params.l4Protocol = IPPROTO_UDP;
  params.totLen = 28;
  params.ifindex = oif;
  params.ipv4Src = src;
  params.ipv4Dst = dst;
  const r = fibLookup(ctx, params, BPF_FIB_LOOKUP_OUTPUT);
  status.update(slot, r);
  if (slot === 0) answer.update(0, params);
}
export const p = xdp((ctx) => {
  const oif = input.lookup(0), src = input.lookup(1), dst = input.lookup(2);
  if (oif === null || src === null || dst === null) return XDP_PASS;
  ask(ctx, oif.value, src.value, dst.value, 0);
  ask(ctx, oif.value, src.value, 0xcb007101, 1); // 203.0.113.1: no route in the namespace
  return XDP_PASS;
});`.replace("import { xdp,", "import { XdpContext, xdp,"),
  );
  const maps = obj.maps as unknown as Record<string, { set(k: number, v: unknown): void; get(k: number): unknown }>;
  maps.input!.set(0, a.ifindex);
  maps.input!.set(1, hostOrder(pair.a.address));
  maps.input!.set(2, hostOrder(pair.b.address));
  // bpf_fib_lookup asks the tables of the namespace test_run runs in.
  pair.within(pair.a, () => assert.equal(testRun(program(obj), { data: frame(0x0800) }).retval, 2));
  assert.equal(maps.status!.get(0), 0n, "BPF_FIB_LKUP_RET_SUCCESS");
  assert.equal(maps.status!.get(1), 4n, "BPF_FIB_LKUP_RET_NOT_FWDED for an unroutable address");
  const got = maps.answer!.get(0) as { ifindex: number; smac: Uint8Array; dmac: Uint8Array };
  const mac = (m: Uint8Array): string => [...m].map((x) => x.toString(16).padStart(2, "0")).join(":");
  assert.equal(got.ifindex, a.ifindex);
  assert.equal(mac(got.smac), a.address);
  assert.equal(mac(got.dmac), b.address);
});

const USER_TARGET = `
#include <string.h>
struct pair { int a; long b; };
__attribute__((noinline)) int tsbpf_greet(const char *name, struct pair *p) { __asm__ volatile(""); return (int)strlen(name) + p->a; }
/* Names on the stack: a uprobe cannot fault in a page the process has not touched yet. */
__attribute__((noinline)) int path_one(struct pair *p) { char n[] = "from-one"; return tsbpf_greet(n, p); }
__attribute__((noinline)) int path_two(struct pair *p) { char n[] = "from-two"; return tsbpf_greet(n, p) + 1; }
int main(void) {
  struct pair p = { 42, 0x1122334455667788L };
  volatile int s = 0;
  s += path_one(&p);
  s += path_two(&p);
  s += path_one(&p);
  return 0;
}`;

test("probeReadUserStr, probeReadUser and StackTraceMap.stackId in a uprobe: user strings, structs and call stacks", async (t) => {
  using dir = tempDir();
  const bin = buildC(dir.path, "greet", USER_TARGET);
  using obj = await loadSource(`
import { uprobe, HashMap, StackTraceMap, struct, cstring, zeroed, probeReadUser, probeReadUserStr, i32, i64, u64, BPF_F_USER_STACK, BPF_F_REUSE_STACKID } from "${K}";
class Pair extends struct({ a: i32, pad: i32, b: i64 }) {}
class Seen extends struct({ length: i64, a: i64, b: i64, stack: i64, calls: u64 }) {}
export const stacks = new StackTraceMap({ maxEntries: 1024 });
export const seen = new HashMap({ key: cstring(16), value: Seen, maxEntries: 8 });
export const greet = uprobe({ binary: "${bin}", symbol: "tsbpf_greet" }, (ctx) => {
  const name = zeroed(cstring(16));
  const length = probeReadUserStr(name, ctx.arg(0));
  const pair = zeroed(Pair);
  if (probeReadUser(pair, ctx.arg(1)) !== 0) return 0;
  const stack = stacks.stackId(ctx, BPF_F_USER_STACK | BPF_F_REUSE_STACKID);
  const prev = seen.lookup(name);
  const calls: u64 = prev === null ? 1 : prev.calls + 1;
  seen.update(name, { length: length, a: pair.a, b: pair.b, stack: stack, calls: calls });
  return 0;
});`);
  const link = (obj.programs.greet as UprobeProgram).attach({ binary: bin, symbol: "tsbpf_greet" });
  t.after(() => link.detach());
  assert.equal(spawnSync(bin).status, 0);
  type Seen = { length: bigint; a: bigint; b: bigint; stack: bigint; calls: bigint };
  const seen = obj.maps.seen as unknown as { get(k: string): Seen | undefined };
  const one = seen.get("from-one"),
    two = seen.get("from-two");
  assert.ok(one && two, "both call paths seen");
  assert.equal(one.length, 9n, "the string's length with its NUL");
  assert.equal(one.a, 42n);
  assert.equal(one.b, 0x1122334455667788n);
  assert.equal(one.calls, 2n);
  assert.equal(two.calls, 1n);
  assert.ok(one.stack >= 0n && two.stack >= 0n, `stack ids ${one.stack}, ${two.stack}`);
  assert.notEqual(one.stack, two.stack, "different call paths have different stacks");
  // A stack map is created without BTF: keys and values are raw bytes (a u32 id, depth u64 addresses).
  const stacks = obj.maps.stacks as unknown as { get(k: Uint8Array): Uint8Array | undefined };
  for (const id of [one.stack, two.stack]) {
    const entry = stacks.get(new Uint8Array(Uint32Array.of(Number(id)).buffer));
    assert.ok(entry, `stack ${id} is in the map`);
    const frames = Buffer.from(entry);
    const ips = Array.from({ length: frames.length / 8 }, (_, i) => frames.readBigUInt64LE(8 * i)).filter(
      (x) => x !== 0n,
    );
    assert.ok(ips.length >= 3, `stack ${id}: tsbpf_greet, its caller, main (${ips.length} frames)`);
  }
});

test("spinLock/spinUnlock guard a map value's fields; a helper call under the lock is refused by the verifier", async () => {
  const source = (body: string): string => `
import { xdp, HashMap, SpinLock, spinLock, spinUnlock, struct, u32, u64, ktimeGetNs, XDP_PASS, XDP_DROP } from "${K}";
class Account extends struct({ lock: SpinLock, count: u64, total: u64 }) {}
export const accounts = new HashMap({ key: u32, value: Account, maxEntries: 4 });
export const p = xdp((ctx) => {
  const a = accounts.lookup(7);
  if (a === null) return XDP_DROP;
  spinLock(a.lock);
  ${body}
  spinUnlock(a.lock);
  return XDP_PASS;
});`;
  {
    using obj = await loadSource(source("a.count += 1;\n  a.total += ctx.len;"));
    const accounts = obj.maps.accounts as unknown as {
      set(k: number, v: object): void;
      get(k: number): { count: bigint; total: bigint } | undefined;
    };
    accounts.set(7, { lock: { val: 0 }, count: 0n, total: 0n });
    assert.equal(testRun(program(obj), { data: frame(0x0800, [], 60), repeat: 1000 }).retval, 2);
    const v = accounts.get(7)!;
    assert.equal(v.count, 1000n);
    assert.equal(v.total, 60_000n);
  }
  await assert.rejects(loadSource(source("a.count += ktimeGetNs();")), /spin|lock/i);
});

test("coreFieldExists, coreEnumValue and coreEnumValueExists are CO-RE relocations resolved against the running kernel", async () => {
  const m = await compileSource(`
import { xdp, ArrayMap, u64, coreFieldExists, coreEnumValue, coreEnumValueExists, XDP_PASS } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 8 });
export const p = xdp((ctx) => {
  out.update(0, coreFieldExists("task_struct", "pid"));
  out.update(1, coreFieldExists("sk_buff", "len"));
  out.update(2, coreFieldExists("task_struct", "no_such_field"));
  out.update(3, coreEnumValue("bpf_map_type", "BPF_MAP_TYPE_RINGBUF"));
  out.update(4, coreEnumValue("bpf_prog_type", "BPF_PROG_TYPE_XDP"));
  out.update(5, coreEnumValueExists("bpf_map_type", "BPF_MAP_TYPE_ARENA"));
  out.update(6, coreEnumValueExists("bpf_map_type", "BPF_MAP_TYPE_NO_SUCH_MAP"));
  if (coreFieldExists("task_struct", "pid")) out.update(7, 1); else out.update(7, 2);
  return XDP_PASS;
});`);
  const kinds = (m.artifact.programs.find((p) => p.name === "p")?.core ?? []).map((r) => r.kind).sort((a, b) => a - b);
  // field exists (2) ×3, enumerator value (11) ×2, enumerator exists (10) ×1: relocations, not constants
  assert.deepEqual(kinds, [2, 2, 2, 10, 11, 11]);
  using obj = await KernelObject.load(m.artifact);
  assert.equal(testRun(program(obj), { data: frame(0x0800) }).retval, 2);
  const out = (obj.maps as unknown as Record<string, { get(i: number): bigint | undefined }>).out!;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => out.get(i)),
    [1n, 1n, 0n, 27n, 6n, 1n, 0n, 1n],
  );
});

test("timers: an XDP program arms a bpf_timer in a map value whose callback then updates the value", async () => {
  using obj = await loadSource(`
import { xdp, HashMap, Timer, timerInit, timerSetCallback, timerStart, struct, u32, u64, CLOCK_MONOTONIC, XDP_PASS, XDP_DROP } from "${K}";
class Key extends struct({ id: u32 }) {}
class Slot extends struct({ timer: Timer, armed: u64, fired: u64, key: u64 }) {}
export const slots = new HashMap({ key: Key, value: Slot, maxEntries: 4 });
function onTimer(map: u64, key: Key, value: Slot): u32 {
  value.fired += 1;
  value.key = key.id;
  return 0;
}
export const p = xdp((ctx) => {
  const s = slots.lookup({ id: 5 });
  if (s === null) return XDP_DROP;
  if (timerInit(s.timer, slots, CLOCK_MONOTONIC) !== 0) return XDP_DROP;
  if (timerSetCallback(s.timer, onTimer) !== 0) return XDP_DROP;
  if (timerStart(s.timer, 1000000) !== 0) return XDP_DROP;
  s.armed += 1;
  return XDP_PASS;
});`);
  type Slot = { armed: bigint; fired: bigint; key: bigint };
  const slots = obj.maps.slots as unknown as { set(k: object, v: object): void; get(k: object): Slot | undefined };
  slots.set({ id: 5 }, { timer: { opaque0: 0n, opaque1: 0n }, armed: 0n, fired: 0n, key: 0n });
  assert.equal(testRun(program(obj), { data: frame(0x0800) }).retval, 2);
  assert.equal(slots.get({ id: 5 })!.armed, 1n);
  // The timer fires 1 ms later in softirq context; wait for it (generously).
  for (let i = 0; i < 200 && slots.get({ id: 5 })!.fired === 0n; i++) await new Promise((r) => setTimeout(r, 10));
  const v = slots.get({ id: 5 })!;
  assert.equal(v.fired, 1n, "the callback ran once");
  assert.equal(v.key, 5n, "the callback saw its key");
});

test("DevMap.redirect between veths: XDP on one end sends pings back out through a devmap to the peer's XDP program", async (t) => {
  const pair = vethPairFor(t);
  using reflector = await loadSource(`
import { xdp, DevMap, u8, XDP_PASS } from "${K}";
export const ports = new DevMap({ maxEntries: 1 });
export const p = xdp((ctx) => {
  // IPv4 only (EtherType 0x0800): byte 23 of an ARP frame is a byte of the sender's MAC address,
  // which is 1 for one veth in 256, and redirecting that ARP request would leave b unresolved.
  const typeHigh = ctx.load(u8, 12);
  const typeLow = ctx.load(u8, 13);
  const proto = ctx.load(u8, 23);
  if (typeHigh === null || typeLow === null || proto === null) return XDP_PASS;
  if (typeHigh !== 8 || typeLow !== 0 || proto !== 1) return XDP_PASS;
  return ports.redirect(0, XDP_PASS);
});`);
  using counter = await loadSource(`
import { xdp, ArrayMap, u8, u64, XDP_PASS } from "${K}";
export const requests = new ArrayMap({ value: u64, maxEntries: 1 });
export const p = xdp((ctx) => {
  const typeHigh = ctx.load(u8, 12);
  const typeLow = ctx.load(u8, 13);
  const proto = ctx.load(u8, 23);
  const type = ctx.load(u8, 34);
  if (typeHigh !== null && typeLow !== null && proto !== null && type !== null)
    if (typeHigh === 8 && typeLow === 0 && proto === 1 && type === 8) requests.increment(0);
  return XDP_PASS;
});`);
  type Attachable = { attach(i: string): Disposable };
  // Redirected frames reach a veth only when the receiving end runs XDP: the counter is that program.
  using _counting = pair.within(pair.b, () => (counter.programs.p as unknown as Attachable).attach(pair.b.ifname));
  // Devmap entries name interfaces of the namespace that writes them.
  const ports = reflector.maps.ports as unknown as { set(k: number, v: Uint8Array): void };
  pair.within(pair.a, () => ports.set(0, new Uint8Array(Uint32Array.of(linkOf(pair, pair.a).ifindex).buffer)));
  using _reflecting = pair.within(pair.a, () => (reflector.programs.p as unknown as Attachable).attach(pair.a.ifname));
  // b's echo requests come back to b instead of reaching a's stack: no replies, requests seen at b.
  const result = pair.ping(pair.b, 3, { allowFailure: true });
  assert.match(result.stdout, /3 packets transmitted, 0 received/);
  const requests = counter.maps.requests as unknown as { get(i: number): bigint | undefined };
  assert.equal(requests.get(0), 3n, "the three echo requests were redirected back to b");
});
