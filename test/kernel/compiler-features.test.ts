// Language features of kernel TypeScript, each compiled, loaded and run in the kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { RingBuffer } from "../../src/events/ringbuf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import type { ArrayMap, HashMap, QueueMap } from "../../src/maps/index.js";
import { compileSource, frame, ipv4, ports, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";

const K = KERNEL_IMPORT;

function runXdp(obj: KernelObject, data: Buffer = frame(0x0800)): number {
  return testRun(Object.values(obj.programs)[0]!, { data }).retval;
}

/** A program that writes results into `out[i]` (u64 array) and user space reads them. */
function results(obj: KernelObject, n: number): bigint[] {
  const out = (obj.maps as Record<string, unknown>).out as ArrayMap<bigint>;
  return Array.from({ length: n }, (_, i) => out.get(i)!);
}

const OUT = `export const out = new ArrayMap({ value: u64, maxEntries: 32 });\nfunction put(i: u32, v: u64): void { out.update(i, v); }`;

test("switch with fall-through and default, loops with break and continue", async () => {
  using obj = await loadSource(`
import { xdp, ArrayMap, u32, u64, XDP_PASS } from "${K}";
${OUT}
function classify(x: u32): u32 {
  switch (x) {
    case 1: case 2: return 10;
    case 3: x = 4;
    // falls through
    case 4: return 20 + x;
    default: return 99;
  }
}
export const p = xdp((ctx) => {
  put(0, classify(1)); put(1, classify(2)); put(2, classify(3)); put(3, classify(4)); put(4, classify(7));
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 10; i++) {
    if (i === 3) continue;
    if (i === 7) break;
    sum += i;
  }
  put(5, sum);                 // 0+1+2+4+5+6 = 18
  let n: u32 = 0;
  while (true) { n++; if (n >= 5) break; }
  put(6, n);
  let d: u32 = 100;
  do { d -= 30; } while (d > 50);
  put(7, d);                   // 100 → 70 → 40
  return XDP_PASS;
});`);
  assert.equal(runXdp(obj), 2);
  assert.deepEqual(results(obj, 8), [10n, 10n, 24n, 24n, 99n, 18n, 5n, 40n]);
});

test("subprograms take integers, views and bools and return them; @inline functions are inlined", async () => {
  const m = await compileSource(`
import { xdp, ArrayMap, struct, u32, u64, bool, XDP_PASS } from "${K}";
${OUT}
export class Pair extends struct({ a: u32, b: u32 }) {}
function sum(p: Pair): u64 { return p.a + p.b; }
function both(x: bool, y: bool): bool { return x && y; }
function mix(a: u64, b: u64, c: u64, d: u64, e: u64): u64 { return a * 10000 + b * 1000 + c * 100 + d * 10 + e; }
/**
 * Doubles.
 * @inline
 */
function twice(x: u64): u64 { return x * 2; }
export const p = xdp((ctx) => {
  const pair: Pair = { a: 40, b: 2 };
  put(0, sum(pair));
  put(1, both(true, ctx.len > 10) ? 1 : 0);
  put(2, both(true, ctx.len > 1000) ? 1 : 0);
  put(3, mix(1, 2, 3, 4, 5));
  put(4, twice(21));
  return XDP_PASS;
});`);
  const prog = m.artifact.programs[0]!;
  assert.deepEqual(prog.functions.map((f) => f.name).sort(), ["both", "mix", "p", "put", "sum"]);
  assert.ok(!prog.functions.some((f) => f.name === "twice"), "twice was inlined");
  using obj = KernelObject.load(m.artifact);
  assert.equal(runXdp(obj), 2);
  assert.deepEqual(results(obj, 5), [42n, 1n, 0n, 12345n, 42n]);
});

test("hash map increment, struct keys with padding, lookups typed T | null", async () => {
  using obj = await loadSource(`
import { xdp, HashMap, ArrayMap, struct, u8, u16, u32, u64, XDP_PASS } from "${K}";
export class Key extends struct({ proto: u8, port: u16, addr: u32 }) {}
export const hits = new HashMap({ key: Key, value: u64, maxEntries: 16 });
export const counts = new HashMap({ key: u32, value: u64, maxEntries: 16 });
export const p = xdp((ctx) => {
  counts.increment(7);
  counts.increment(8, 5);
  const k: Key = { proto: 6, port: 443, addr: 0x0a000001 };
  const cur = hits.lookup(k);
  if (cur === null) hits.update(k, 1);
  else cur.value += 10;
  return XDP_PASS;
});`);
  runXdp(obj);
  runXdp(obj);
  runXdp(obj);
  const counts = obj.maps.counts as unknown as HashMap<number, bigint>;
  assert.equal(counts.get(7), 3n);
  assert.equal(counts.get(8), 15n);
  const hits = obj.maps.hits as unknown as HashMap<{ proto: number; port: number; addr: number }, bigint>;
  // The key's padding bytes are zero, so user space finds it with its own encoding.
  assert.equal(hits.get({ proto: 6, port: 443, addr: 0x0a000001 }), 21n);
});

test("globals: .rodata set at load, .data and .bss read and written from both sides", async () => {
  const source = `
import { xdp, u32, u64, XDP_PASS, XDP_DROP } from "${K}";
export const threshold: u32 = 100;
export let seen: u64 = 0;
export let big: u64 = 5;
export const p = xdp((ctx) => {
  seen += 1;
  big = big * 2;
  return ctx.len > threshold ? XDP_DROP : XDP_PASS;
});`;
  const m = await compileSource(source);
  assert.deepEqual(m.artifact.sections.map((s) => s.name).sort(), [".bss", ".data", ".rodata"]);
  {
    using obj = KernelObject.load(m.artifact);
    assert.equal(runXdp(obj, frame(0x0800, [], 64)), 2);
    assert.equal(runXdp(obj, frame(0x0800, [], 200)), 1);
    assert.equal(obj.global("seen"), 2n);
    assert.equal(obj.global("big"), 20n);
    obj.setGlobal("seen", 40n);
    runXdp(obj);
    assert.equal(obj.global("seen"), 41n);
    assert.equal(obj.global("threshold"), 100);
  }
  {
    using obj = KernelObject.load(m.artifact, { constants: { threshold: 30 } });
    assert.equal(runXdp(obj, frame(0x0800, [], 64)), 1);
    assert.equal(obj.global("threshold"), 30);
  }
});

test("log messages reach user space formatted, with integers, addresses and strings", async () => {
  using obj = await loadSource(`
import { xdp, log, hex, ipv4, Ipv4Hdr, XDP_PASS } from "${K}";
export const p = xdp((ctx) => {
  const ip = ctx.load(Ipv4Hdr, 14);
  if (ip === null) { log.warn("short packet"); return XDP_PASS; }
  log.info(\`from \${ipv4(ip.saddr)} to \${ipv4(ip.daddr)} proto \${ip.protocol} id \${hex(ip.id)} len \${ctx.len}\`);
  return XDP_PASS;
});`);
  runXdp(obj, frame(0x0800, ipv4(17, "192.0.2.1", "198.51.100.7"), 80));
  runXdp(obj, frame(0x0800, [], 20).subarray(0, 20));
  using logs = obj.logReader()!;
  const got = logs.drain();
  assert.deepEqual(
    got.map((r) => [r.level, r.message]),
    [
      ["info", "from 192.0.2.1 to 198.51.100.7 proto 17 id 0x0 len 80"],
      ["warn", "short packet"],
    ],
  );
  assert.ok(got[0]!.line > 0 && got[0]!.file.endsWith(".bpf.ts"));
});

test("bpf_loop calls a module function with a state struct on the stack", async () => {
  using obj = await loadSource(`
import { xdp, ArrayMap, struct, loop, u32, u64, XDP_PASS } from "${K}";
${OUT}
export class State extends struct({ sum: u64, limit: u32 }) {}
function step(i: u32, s: State): u32 {
  if (i >= s.limit) return 1;
  s.sum += i;
  return 0;
}
export const p = xdp(() => {
  const st: State = { sum: 0, limit: 50 };
  const n = loop(1000, step, st);
  put(0, st.sum);
  put(1, n);
  return XDP_PASS;
});`);
  runXdp(obj);
  assert.deepEqual(results(obj, 2), [1225n, 51n]);
});

test("ring buffer output, queue push/pop, bloom filter, arrays indexed by variables", async () => {
  using obj = await loadSource(
    `
import { xdp, RingBuf, QueueMap, BloomFilterMap, ArrayMap, struct, bytes, zeroed, u8, u32, u64, XDP_PASS } from "${K}";
${OUT}
export class Rec extends struct({ a: u32, b: u32, tag: bytes(8) }) {}
export const ring = new RingBuf({ size: 4096 });
export const q = new QueueMap({ value: u32, maxEntries: 8 });
export const seenSet = new BloomFilterMap({ value: u32, maxEntries: 64 });
export const p = xdp((ctx) => {
  const r: Rec = zeroed(Rec);
  r.a = 1; r.b = 2; r.tag[0] = 116; r.tag[1] = 115;
  ring.output(r);
  q.push(11); q.push(22);
  const cell = { value: 0 };
  seenSet.add(42);
  put(0, seenSet.has(42) ? 1 : 0);
  const idx: u32 = ctx.len & 7;
  r.tag[idx] = 9;                   // variable index, checked
  put(1, r.tag[idx]);
  put(2, r.tag[ctx.len]);           // out of range: 0
  return XDP_PASS;
});`.replace("const cell = { value: 0 };\n", ""),
  );
  runXdp(obj, frame(0x0800, [], 64));
  const ring = new RingBuffer(obj.maps.ring as never);
  const recs: Buffer[] = [];
  ring.consume((rec) => {
    recs.push(Buffer.from(rec.copy()));
  });
  ring.close();
  assert.equal(recs.length, 1);
  assert.deepEqual([...recs[0]!], [1, 0, 0, 0, 2, 0, 0, 0, 116, 115, 0, 0, 0, 0, 0, 0]);
  const q = obj.maps.q as unknown as QueueMap<number>;
  assert.equal(q.pop(), 11);
  assert.equal(q.pop(), 22);
  assert.deepEqual(results(obj, 3), [1n, 9n, 0n]);
});

test("scalar packet loads, variable packet offsets, be16 stores and a packet rewrite", async () => {
  using obj = await loadSource(`
import { xdp, Ipv4Hdr, UdpHdr, u16, u32, be16, XDP_PASS, XDP_DROP, XDP_TX } from "${K}";
export const p = xdp((ctx) => {
  const type = ctx.load(be16, 12);
  if (type === null || type !== 0x0800) return XDP_PASS;
  const ip = ctx.load(Ipv4Hdr, 14);
  if (ip === null) return XDP_PASS;
  const l4 = 14 + (ip.versionIhl & 0xf) * 4;
  const udp = ctx.load(UdpHdr, l4);
  if (udp === null) return XDP_DROP;
  if (udp.dport !== 53) return XDP_PASS;
  const tmp = udp.sport;   // swap ports and send back
  udp.sport = udp.dport;
  udp.dport = tmp;
  return XDP_TX;
});`);
  const prog = Object.values(obj.programs)[0]!;
  const pkt = frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(5353, 53, 8)), 60);
  const r = testRun(prog, { data: pkt });
  assert.equal(r.retval, 3);
  assert.equal(r.data.readUInt16BE(34), 53);
  assert.equal(r.data.readUInt16BE(36), 5353);
  assert.equal(
    testRun(prog, { data: frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(5353, 80, 8)), 60) }).retval,
    2,
  );
  // IHL 6 (24-byte header): the UDP header moves, and the truncated packet is dropped.
  const opt = frame(0x0800, [0x46, ...ipv4(17, "10.0.0.1", "10.0.0.2").slice(1), 0, 0, 0, 0], 38).subarray(0, 38 + 4);
  assert.equal(testRun(prog, { data: opt }).retval, 1);
});

test("raw tracepoint and tp_btf programs: context arguments and kernel structs read by name", async () => {
  const m = await compileSource(`
import { rawTracepoint, tpBtf, ArrayMap, getCurrentTaskBtf, getCurrentPidTgid, u32, u64 } from "${K}";
${OUT}
export const raw = rawTracepoint("sys_enter", (ctx) => {
  put(0, ctx.arg(1));
  return 0;
});
export const task = tpBtf("sched_process_exec", (ctx, p, oldPid, bprm) => {
  const me = getCurrentTaskBtf();
  put(1, me.tgid);
  put(2, p.pid);
  put(3, oldPid);
  return 0;
});`);
  using obj = KernelObject.load(m.artifact);
  // raw_tp test_run: ctx is the arguments array.
  const args = Buffer.alloc(16);
  args.writeBigUInt64LE(0x1234n, 8);
  testRun(obj.programs.raw!, { ctx: args, ctxOutSize: 0 });
  assert.equal(results(obj, 1)[0], 0x1234n);
});
