// The compiler end to end on small programs: integer semantics, structs, maps, packet access,
// control flow, subprograms — each compiled, loaded into the kernel and run with BPF_PROG_TEST_RUN.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { VerifierError } from "../../src/programs/program.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { compileSource, frame, ipv4, KERNEL_IMPORT, loadSource, ports } from "../helpers/compiler-helpers.js";

const K = KERNEL_IMPORT;

/** Runs an XDP program once on `data` and returns r0. */
function run(obj: KernelObject, data: Buffer = frame(0x0800)): number {
  const prog = Object.values(obj.programs)[0]!;
  return testRun(prog, { data }).retval;
}

test("an XDP program returning a constant loads and runs", async () => {
  using obj = await loadSource(`import { xdp, XDP_DROP } from "${K}";\nexport const p = xdp(() => XDP_DROP);`);
  assert.equal(run(obj), 1);
});

test("integer arithmetic wraps at 32 or 64 bits by type, and x/0 is 0", async () => {
  // Each case stores its result in an array slot; user space reads them back.
  using obj = await loadSource(`
import { xdp, ArrayMap, u8, u16, u32, u64, i32, i64, XDP_PASS } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 16 });
function put(i: u32, v: u64): void { out.update(i, v); }
export const p = xdp((ctx) => {
  const big: u32 = 0xffffffff;
  let a: u32 = big + 1;                 // wraps to 0
  put(0, a);
  let b: u64 = 0xffffffff;
  b = b + 1;                            // 64-bit: no wrap
  put(1, b);
  let c: u8 = 250;
  c += 10;                              // u8 wraps to 4
  put(2, c);
  const z: u32 = ctx.len - ctx.len;     // 0, not a constant
  put(3, 100 / z);                      // eBPF: x / 0 = 0
  put(4, 100 % z);                      // eBPF: x % 0 = x
  const n: i32 = -7;
  put(5, n / 2);                        // signed division truncates toward zero: -3
  const m: i64 = -1;
  put(6, m >> 60);                      // arithmetic shift keeps the sign
  put(7, big >> 28);                    // logical shift of unsigned: 15
  const w: u16 = 0x1234;
  put(8, u8(w));                        // cast truncates: 0x34
  put(9, (w << 8) as u16);              // as-cast truncates: 0x3400
  return XDP_PASS;
});`);
  assert.equal(run(obj), 2);
  const out = obj.maps.out as unknown as { get(i: number): bigint };
  const expected = [
    0n,
    0x1_0000_0000n,
    4n,
    0n,
    100n,
    BigInt.asUintN(64, -3n),
    BigInt.asUintN(64, -1n),
    15n,
    0x34n,
    0x3400n,
  ];
  expected.forEach((v, i) => assert.equal(out.get(i), v, `slot ${i}`));
});

test("packet views: bounds-checked struct loads in network order, null when the packet is short", async () => {
  using obj = await loadSource(`
import { xdp, EthHdr, Ipv4Hdr, XDP_PASS, XDP_DROP, XDP_ABORTED, ETH_P_IP } from "${K}";
export const p = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return XDP_ABORTED;
  if (eth.etherType !== ETH_P_IP) return XDP_PASS;
  const ip = ctx.load(Ipv4Hdr, 14);
  if (!ip) return XDP_ABORTED;
  return ip.daddr === 0x0a000002 ? XDP_DROP : XDP_PASS;
});`);
  assert.equal(run(obj, frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2"))), 1);
  assert.equal(run(obj, frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.3"))), 2);
  assert.equal(run(obj, frame(0x86dd)), 2);
  // 14-byte frame: Ethernet fits, IPv4 does not.
  assert.equal(run(obj, frame(0x0800, [], 14).subarray(0, 14)), 0);
});

test("a verifier rejection names the TypeScript line it happened on", async () => {
  const m = await compileSource(
    `
import { xdp, RingBuf, struct, u32, XDP_PASS } from "${K}";
export class Ev extends struct({ value: u32 }) {}
export const events = new RingBuf({ size: 4096 });
export const p = xdp(() => {
  const ev = events.reserve(Ev);
  if (ev === null) return XDP_PASS;
  ev.value = 1;
  return XDP_PASS; // never submitted: the verifier sees a leaked reference
});`,
    "leak",
  );
  assert.throws(
    () => KernelObject.load(m.artifact),
    (err: unknown) => {
      assert.ok(err instanceof VerifierError, String(err));
      assert.match(err.log, /Unreleased reference/);
      assert.ok(err.sourceLine, "the failing instruction has a source line");
      assert.equal(err.sourceLine.line, 9);
      assert.match(err.sourceLine.text, /never submitted/);
      assert.match(err.sourceLine.file, /leak\.bpf\.ts$/);
      // The kernel's own log shows the TypeScript source too (line_info).
      assert.match(err.log, /never submitted/);
      return true;
    },
  );
});

test("a leaked reservation is reported at the return that leaks it, not at an earlier return of the same value", async () => {
  const m = await compileSource(
    `
import { xdp, RingBuf, struct, u32, XDP_PASS } from "${K}";
export class Ev extends struct({ value: u32 }) {}
export const events = new RingBuf({ size: 4096 });
export const p = xdp((ctx) => {
  const ev = events.reserve(Ev);
  if (ev === null) return XDP_PASS; // nothing reserved: no leak
  if (ctx.len > 100) return XDP_PASS; // the leak
  ev.value = 1;
  events.submit(ev);
  return XDP_PASS;
});`,
    "leak2",
  );
  assert.throws(
    () => KernelObject.load(m.artifact),
    (err: unknown) => {
      assert.ok(err instanceof VerifierError, String(err));
      assert.match(err.log, /Unreleased reference/);
      assert.ok(err.sourceLine, "the failing instruction has a source line");
      assert.equal(err.sourceLine.line, 8, err.sourceLine.text);
      assert.match(err.sourceLine.text, /the leak/);
      return true;
    },
  );
});

test("a module importing tsbpf/kernel (the package's built declarations) compiles and runs", async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { repoRoot } = await import("../helpers/compiler-helpers.js");
  const { compileFile } = await import("../../src/compiler/compile.js");
  // Inside the package, so "tsbpf/kernel" resolves through package.json's exports (dist/src/kernel).
  const dir = mkdtempSync(join(repoRoot, ".tsbpf-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "prog.bpf.ts");
  writeFileSync(
    file,
    `import { xdp, EthHdr, Ipv4Hdr, HashMap, u32, u64, XDP_PASS, XDP_DROP, ETH_P_IP } from "tsbpf/kernel";
export const blocked = new HashMap({ key: u32, value: u64, maxEntries: 16 });
export const p = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null || eth.etherType !== ETH_P_IP) return XDP_PASS;
  const ip = ctx.load(Ipv4Hdr, 14);
  if (ip === null) return XDP_PASS;
  const hits = blocked.lookup(ip.saddr);
  if (hits === null) return XDP_PASS;
  hits.value += 1;
  return XDP_DROP;
});
`,
  );
  const artifact = await compileFile(file);
  using obj = KernelObject.load(artifact);
  const blocked = obj.maps.blocked as unknown as {
    set(k: number, v: bigint): void;
    get(k: number): bigint | undefined;
  };
  blocked.set(0x0a000001, 0n);
  const prog = Object.values(obj.programs)[0]!;
  assert.equal(testRun(prog, { data: frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2")) }).retval, 1);
  assert.equal(testRun(prog, { data: frame(0x0800, ipv4(6, "10.0.0.9", "10.0.0.2")) }).retval, 2);
  assert.equal(blocked.get(0x0a000001), 1n);
});

test("packet bounds checks: one per header, repeated loads coalesced, unknown variable offsets clamped", async () => {
  const { decode } = await import("../../src/asm/index.js");
  const count = async (body: string): Promise<{ checks: number; clamps: number }> => {
    const m = await compileSource(
      `import { xdp, EthHdr, Ipv4Hdr, TcpHdr, u32, XDP_PASS, XDP_DROP } from "${K}";\nexport const p = xdp((ctx) => {\n${body}\n});`,
    );
    const insns = decode(Buffer.from(m.artifact.programs[0]!.insns, "base64"));
    // JGT/JLE reg, reg (the data_end comparison, either way round) and JGT/JLE reg, 0xffff - size (the clamp).
    return {
      checks: insns.filter((i) => i.code === 0x2d || i.code === 0xbd).length,
      clamps: insns.filter((i) => (i.code === 0x25 || i.code === 0xb5) && i.imm > 0xff00 && i.imm < 0xffff).length,
    };
  };
  assert.deepEqual(
    await count(
      `const a = ctx.load(EthHdr, 0);\n if (a === null) return XDP_PASS;\n const b = ctx.load(EthHdr, 0);\n if (b === null) return XDP_DROP;\n return b.etherType === a.etherType ? XDP_PASS : XDP_DROP;`,
    ),
    { checks: 1, clamps: 0 },
  );
  assert.deepEqual(
    await count(
      `const ip = ctx.load(Ipv4Hdr, 14);\n if (ip === null) return XDP_PASS;\n const eth = ctx.load(EthHdr, 0);\n if (eth === null) return XDP_DROP;\n return ip.ttl === eth.dst[0] ? XDP_DROP : XDP_PASS;`,
    ),
    { checks: 1, clamps: 0 },
  );
  // ihl * 4 is at most 60: no clamp; an offset read from a u32 variable of unknown range is clamped.
  assert.deepEqual(
    await count(
      `const ip = ctx.load(Ipv4Hdr, 14);\n if (ip === null) return XDP_PASS;\n const tcp = ctx.load(TcpHdr, 14 + (ip.versionIhl & 0xf) * 4);\n if (tcp === null) return XDP_DROP;\n return tcp.dport === 80 ? XDP_DROP : XDP_PASS;`,
    ),
    { checks: 2, clamps: 0 },
  );
  assert.deepEqual(
    await count(
      `const off: u32 = ctx.ingressIfindex;\n const tcp = ctx.load(TcpHdr, off);\n if (tcp === null) return XDP_DROP;\n return tcp.dport === 80 ? XDP_DROP : XDP_PASS;`,
    ),
    { checks: 1, clamps: 1 },
  );
  // A u16 offset (at most 65535) still needs the clamp: offset + size must stay within 64 KiB, or the
  // verifier gives the packet pointer no range.
  const u16Offset = `const ip = ctx.load(Ipv4Hdr, 14);\n if (ip === null) return XDP_PASS;\n const tcp = ctx.load(TcpHdr, ip.totalLength);\n if (tcp === null) return XDP_DROP;\n return tcp.dport === 80 ? XDP_DROP : XDP_PASS;`;
  assert.deepEqual(await count(u16Offset), { checks: 2, clamps: 1 });
  using obj = await loadSource(
    `import { xdp, Ipv4Hdr, TcpHdr, XDP_PASS, XDP_DROP } from "${K}";\nexport const p = xdp((ctx) => {\n${u16Offset}\n});`,
  );
  const ip = ipv4(6, "10.0.0.1", "10.0.0.2");
  ip[2] = 0;
  ip[3] = 14 + 20; // "total length" 34: a TCP header at offset 34
  const packet = frame(0x0800, [...ip, ...ports(1, 80)]);
  assert.equal(testRun(Object.values(obj.programs)[0]!, { data: packet }).retval, 1, "XDP_DROP: port 80 at offset 34");
});

test("line_info covers every statement and every function starts with one", async () => {
  const m = await compileSource(`
import { xdp, ArrayMap, u32, u64, XDP_PASS } from "${K}";
export const out = new ArrayMap({ value: u64, maxEntries: 4 });
function twice(x: u64): u64 {
  const y = x * 2;
  return y;
}
export const p = xdp((ctx) => {
  const a: u64 = ctx.len;
  const b = twice(a);
  out.update(0, b);
  return XDP_PASS;
});`);
  const prog = m.artifact.programs[0]!;
  const lines = new Set(prog.lines.map((l) => l.line));
  for (const line of [5, 6, 9, 10, 11, 12])
    assert.ok(lines.has(line), `line ${line} has line_info (${[...lines].join(",")})`);
  for (const f of prog.functions)
    assert.ok(
      prog.lines.some((l) => l.insnOffset === f.insnOffset),
      `${f.name} starts with a line`,
    );
  assert.ok(prog.lines.every((l) => l.text.length > 0 && l.file.endsWith(".bpf.ts")));
});
