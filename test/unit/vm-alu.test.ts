// Exact 64-bit semantics of every ALU, jump, byte-order, sign-extension and atomic operation,
// checked in both VM tiers against a BigInt model written from RFC 9669 (no kernel needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Assembler } from "../../src/asm/assembler.js";
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_B,
  BPF_DIV,
  BPF_DW,
  BPF_H,
  BPF_LSH,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_W,
  BPF_XOR,
} from "../../src/asm/opcodes.js";
import { Vm, type VmProgram } from "../../src/vm/index.js";
import { Rng, imm32, value64 } from "../helpers/vm-gen.js";
import { testData } from "../helpers/test-data.js";

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

type AluName =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "sdiv"
  | "mod"
  | "smod"
  | "or"
  | "and"
  | "xor"
  | "lsh"
  | "rsh"
  | "arsh"
  | "mov";
const ALU: Record<AluName, { op: number; off?: number }> = {
  add: { op: BPF_ADD },
  sub: { op: BPF_SUB },
  mul: { op: BPF_MUL },
  div: { op: BPF_DIV },
  sdiv: { op: BPF_DIV, off: 1 },
  mod: { op: BPF_MOD },
  smod: { op: BPF_MOD, off: 1 },
  or: { op: BPF_OR },
  and: { op: BPF_AND },
  xor: { op: BPF_XOR },
  lsh: { op: BPF_LSH },
  rsh: { op: BPF_RSH },
  arsh: { op: BPF_ARSH },
  mov: { op: BPF_MOV },
};

/** The RFC's definition, on unsigned 64-bit inputs; `wide` false is the 32-bit ALU class. */
function model(name: AluName, a: bigint, b: bigint, wide: boolean): bigint {
  const U = wide ? u64 : u32,
    S = wide ? s64 : s32;
  const bits = wide ? 63n : 31n;
  a = U(a);
  b = U(b);
  switch (name) {
    case "add":
      return U(a + b);
    case "sub":
      return U(a - b);
    case "mul":
      return U(a * b);
    case "div":
      return b === 0n ? 0n : a / b;
    case "sdiv":
      return b === 0n ? 0n : U(S(a) / S(b));
    case "mod":
      return b === 0n ? a : a % b;
    case "smod":
      return b === 0n ? a : U(S(a) % S(b));
    case "or":
      return a | b;
    case "and":
      return a & b;
    case "xor":
      return a ^ b;
    case "lsh":
      return U(a << (b & bits));
    case "rsh":
      return a >> (b & bits);
    case "arsh":
      return U(S(a) >> (b & bits));
    case "mov":
      return b;
  }
}

const tiers = ["interpreter", "compiled"] as const;

/** A program computing mem[16] = mem[0] OP mem[8] (or OP imm), for many inputs. */
function aluProgram(vm: Vm, name: AluName, wide: boolean, imm: number | null, sameReg = false): VmProgram {
  const a = new Assembler();
  a.ldx(BPF_DW, "r2", "r1", 0).ldx(BPF_DW, "r3", "r1", 8);
  const { op, off = 0 } = ALU[name];
  if (wide) a.alu64(op, "r2", imm ?? (sameReg ? "r2" : "r3"), off);
  else a.alu32(op, "r2", imm ?? (sameReg ? "r2" : "r3"), off);
  a.stx(BPF_DW, "r1", "r2", 16).mov64("r0", 0).exit();
  return vm.load({ code: a.assemble().bytes });
}

function runMem(p: VmProgram, a: bigint, b: bigint): bigint {
  const mem = new Uint8Array(24);
  const v = new DataView(mem.buffer);
  v.setBigUint64(0, a, true);
  v.setBigUint64(8, b, true);
  p.run({ mem });
  return v.getBigUint64(16, true);
}

for (const tier of tiers) {
  test(`ALU64 and ALU32, register and immediate forms, match the RFC model (${tier})`, () => {
    const vm = new Vm({ tier });
    const r = new Rng(7);
    const inputs = Array.from({ length: 200 }, () => [value64(r), value64(r)] as const);
    let checked = 0;
    for (const name of Object.keys(ALU) as AluName[]) {
      for (const wide of [true, false]) {
        const px = aluProgram(vm, name, wide, null);
        const same = aluProgram(vm, name, wide, null, true);
        for (const [a, b] of inputs) {
          assert.equal(
            runMem(px, a, b),
            model(name, a, b, wide),
            `${name}${wide ? 64 : 32} 0x${a.toString(16)}, 0x${b.toString(16)}`,
          );
          assert.equal(
            runMem(same, a, b),
            model(name, a, a, wide),
            `${name}${wide ? 64 : 32} same register 0x${a.toString(16)}`,
          );
          checked += 2;
        }
        for (let i = 0; i < 12; i++) {
          let k = imm32(r);
          if ((name === "lsh" || name === "rsh" || name === "arsh") && i % 2 === 0) k = r.int(wide ? 64 : 32);
          const pk = aluProgram(vm, name, wide, k);
          const kb = wide ? u64(BigInt(k)) : u32(BigInt(k)); // 64-bit ops sign-extend the immediate
          for (const [a] of inputs.slice(0, 40)) {
            assert.equal(
              runMem(pk, a, 0n),
              model(name, a, kb, wide),
              `${name}${wide ? 64 : 32} 0x${a.toString(16)}, imm ${k}`,
            );
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 10_000);
  });

  test(`neg, byte swaps and movsx match the RFC model (${tier})`, () => {
    const vm = new Vm({ tier });
    const r = new Rng(11);
    const swap = (v: bigint, bytes: number): bigint => {
      let out = 0n;
      for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
      return out;
    };
    const cases: [string, (a: Assembler) => void, (v: bigint) => bigint][] = [
      ["neg64", (a) => a.neg64("r2"), (v) => u64(-v)],
      ["neg32", (a) => a.neg32("r2"), (v) => u32(-v)],
      ...([16, 32, 64] as const).flatMap((w): [string, (a: Assembler) => void, (v: bigint) => bigint][] => [
        [`le${w}`, (a) => a.le("r2", w), (v) => BigInt.asUintN(w, v)],
        [`be${w}`, (a) => a.be("r2", w), (v) => swap(v, w / 8)],
        [`bswap${w}`, (a) => a.bswap("r2", w), (v) => swap(v, w / 8)],
      ]),
      ["movsx8 64", (a) => a.movsx64("r2", "r3", 8), (v) => u64(BigInt.asIntN(8, v))],
      ["movsx16 64", (a) => a.movsx64("r2", "r3", 16), (v) => u64(BigInt.asIntN(16, v))],
      ["movsx32 64", (a) => a.movsx64("r2", "r3", 32), (v) => u64(BigInt.asIntN(32, v))],
      ["movsx8 32", (a) => a.movsx32("r2", "r3", 8), (v) => u32(BigInt.asIntN(8, v))],
      ["movsx16 32", (a) => a.movsx32("r2", "r3", 16), (v) => u32(BigInt.asIntN(16, v))],
    ];
    for (const [name, emit, expect] of cases) {
      const a = new Assembler();
      a.ldx(BPF_DW, "r2", "r1", 0).ldx(BPF_DW, "r3", "r1", 0);
      emit(a);
      a.stx(BPF_DW, "r1", "r2", 16).mov64("r0", 0).exit();
      const p = vm.load({ code: a.assemble().bytes });
      for (let i = 0; i < 200; i++) {
        const v = value64(r);
        assert.equal(runMem(p, v, 0n), expect(v), `${name} 0x${v.toString(16)}`);
      }
    }
  });

  test(`conditional jumps, 64-bit and 32-bit, register and immediate (${tier})`, () => {
    const vm = new Vm({ tier });
    const r = new Rng(3);
    const rel: [string, (a: bigint, b: bigint) => boolean][] = [
      ["jeq", (a, b) => a === b],
      ["jne", (a, b) => a !== b],
      ["jset", (a, b) => (a & b) !== 0n],
      ["jgt", (a, b) => a > b],
      ["jge", (a, b) => a >= b],
      ["jlt", (a, b) => a < b],
      ["jle", (a, b) => a <= b],
    ];
    const srel: [string, (a: bigint, b: bigint) => boolean][] = [
      ["jsgt", (a, b) => a > b],
      ["jsge", (a, b) => a >= b],
      ["jslt", (a, b) => a < b],
      ["jsle", (a, b) => a <= b],
    ];
    type J = "jeq" | "jne" | "jset" | "jgt" | "jge" | "jlt" | "jle" | "jsgt" | "jsge" | "jslt" | "jsle";
    for (const wide of [true, false]) {
      for (const [name, f, signed] of [
        ...rel.map(([n, g]) => [n, g, false] as const),
        ...srel.map(([n, g]) => [n, g, true] as const),
      ]) {
        const U = wide ? u64 : u32,
          S = wide ? s64 : s32;
        const conv = (x: bigint): bigint => (signed ? S(x) : U(x));
        const build = (operand: "r3" | number): VmProgram => {
          const a = new Assembler();
          a.ldx(BPF_DW, "r2", "r1", 0).ldx(BPF_DW, "r3", "r1", 8).mov64("r0", 1);
          const method = (wide ? name : `${name}32`) as `${J}` | `${J}32`;
          (a[method] as (d: "r2", s: "r3" | number, t: string) => Assembler).call(a, "r2", operand, "out");
          a.mov64("r0", 0).label("out").exit();
          return vm.load({ code: a.assemble().bytes });
        };
        const px = build("r3");
        for (let i = 0; i < 150; i++) {
          const x = value64(r),
            y = i % 5 === 0 ? x : value64(r);
          const taken = f(conv(x), conv(y));
          const mem = new Uint8Array(16);
          new DataView(mem.buffer).setBigUint64(0, x, true);
          new DataView(mem.buffer).setBigUint64(8, y, true);
          assert.equal(
            px.run({ mem }).r0,
            taken ? 1n : 0n,
            `${name}${wide ? "" : "32"} 0x${x.toString(16)} 0x${y.toString(16)}`,
          );
        }
        for (let i = 0; i < 6; i++) {
          const k = imm32(r);
          const pk = build(k);
          const kb = wide ? u64(BigInt(k)) : u32(BigInt(k));
          for (let j = 0; j < 25; j++) {
            const x = j === 0 ? kb : value64(r);
            const mem = new Uint8Array(16);
            new DataView(mem.buffer).setBigUint64(0, x, true);
            assert.equal(
              pk.run({ mem }).r0,
              f(conv(x), conv(kb)) ? 1n : 0n,
              `${name}${wide ? "" : "32"} 0x${x.toString(16)} imm ${k}`,
            );
          }
        }
      }
    }
  });

  test(`loads, sign-extending loads, stores and atomics of every size (${tier})`, () => {
    const vm = new Vm({ tier });
    const r = new Rng(5);
    const sizes = [
      [BPF_B, 1],
      [BPF_H, 2],
      [BPF_W, 4],
      [BPF_DW, 8],
    ] as const;
    for (const [size, n] of sizes) {
      const bits = BigInt(8 * n);
      // store through a register and an immediate, load back zero- and sign-extended
      const a = new Assembler();
      a.ldx(BPF_DW, "r2", "r1", 0).stx(size, "r10", "r2", -8).ldx(size, "r3", "r10", -8).stx(BPF_DW, "r1", "r3", 8);
      if (n < 8) a.ldxsx(size, "r4", "r10", -8).stx(BPF_DW, "r1", "r4", 16);
      a.mov64("r0", 0).exit();
      const p = vm.load({ code: a.assemble().bytes });
      for (let i = 0; i < 100; i++) {
        const v = value64(r);
        const mem = new Uint8Array(24);
        const dv = new DataView(mem.buffer);
        dv.setBigUint64(0, v, true);
        p.run({ mem });
        assert.equal(dv.getBigUint64(8, true), BigInt.asUintN(Number(bits), v));
        if (n < 8) assert.equal(dv.getBigUint64(16, true), u64(BigInt.asIntN(Number(bits), v)));
      }
    }
    // atomics: memory and the fetched value against the model
    const ops: [string, number, (m: bigint, s: bigint) => bigint][] = [
      ["add", 0x00, (m, s) => m + s],
      ["or", 0x40, (m, s) => m | s],
      ["and", 0x50, (m, s) => m & s],
      ["xor", 0xa0, (m, s) => m ^ s],
      ["xchg", 0xe1, (_m, s) => s],
    ];
    for (const dw of [true, false]) {
      const U = dw ? u64 : u32;
      for (const [name, code, f] of ops) {
        for (const fetch of code === 0xe1 ? [true] : [false, true]) {
          const a = new Assembler();
          a.ldx(BPF_DW, "r2", "r1", 0).ldx(BPF_DW, "r3", "r1", 8).stx(BPF_DW, "r10", "r2", -8);
          a.atomic(dw ? BPF_DW : BPF_W, code | (fetch ? 1 : 0), "r10", "r3", -8);
          a.ldx(BPF_DW, "r4", "r10", -8).stx(BPF_DW, "r1", "r4", 16).stx(BPF_DW, "r1", "r3", 24).mov64("r0", 0).exit();
          const p = vm.load({ code: a.assemble().bytes });
          for (let i = 0; i < 60; i++) {
            const m0 = value64(r),
              s = value64(r);
            const mem = new Uint8Array(32);
            const dv = new DataView(mem.buffer);
            dv.setBigUint64(0, m0, true);
            dv.setBigUint64(8, s, true);
            p.run({ mem });
            const high = dw ? 0n : m0 & 0xffffffff00000000n; // a 32-bit atomic leaves the upper half
            assert.equal(dv.getBigUint64(16, true), high | U(f(U(m0), U(s))), `${name}${dw ? 64 : 32} memory`);
            assert.equal(dv.getBigUint64(24, true), fetch ? U(m0) : s, `${name}${dw ? 64 : 32} fetched`);
          }
        }
      }
      // cmpxchg: r0 is compared with memory, receives the old value
      const a = new Assembler();
      a.ldx(BPF_DW, "r2", "r1", 0).ldx(BPF_DW, "r3", "r1", 8).ldx(BPF_DW, "r0", "r1", 16).stx(BPF_DW, "r10", "r2", -8);
      a.atomic(dw ? BPF_DW : BPF_W, 0xf1, "r10", "r3", -8);
      a.ldx(BPF_DW, "r4", "r10", -8).stx(BPF_DW, "r1", "r4", 24).stx(BPF_DW, "r1", "r0", 16).mov64("r0", 0).exit();
      const p = vm.load({ code: a.assemble().bytes });
      for (let i = 0; i < 60; i++) {
        const m0 = value64(r),
          s = value64(r);
        const expected = i % 2 === 0 ? m0 : value64(r);
        const mem = new Uint8Array(32);
        const dv = new DataView(mem.buffer);
        dv.setBigUint64(0, m0, true);
        dv.setBigUint64(8, s, true);
        dv.setBigUint64(16, expected, true);
        p.run({ mem });
        const equal = U(expected) === U(m0);
        const high = dw ? 0n : m0 & 0xffffffff00000000n;
        assert.equal(dv.getBigUint64(24, true), equal ? high | U(s) : m0, `cmpxchg${dw ? 64 : 32} memory`);
        assert.equal(dv.getBigUint64(16, true), U(m0), `cmpxchg${dw ? 64 : 32} r0`);
      }
    }
  });
}

test("both tiers agree on thousands of random straight-line programs", async () => {
  const { randomProgram, randomPacket } = await import("../helpers/vm-gen.js");
  const { ProgType } = await import("../../src/uapi.js");
  const r = new Rng(2024);
  const interp = new Vm({ tier: "interpreter" }),
    compiled = new Vm({ tier: "compiled" });
  let runs = 0;
  for (let i = 0; i < 150; i++) {
    const prog = randomProgram(r, 30 + r.int(40));
    const a = interp.load({ type: ProgType.XDP, code: prog.bytes });
    const b = compiled.load({ type: ProgType.XDP, code: prog.bytes });
    for (let j = 0; j < 15; j++) {
      const data = randomPacket(r);
      const x = a.run({ data }),
        y = b.run({ data });
      assert.deepEqual(Buffer.from(y.data), Buffer.from(x.data), `program ${i} packet ${j}`);
      assert.equal(y.instructions, x.instructions);
      runs++;
    }
  }
  assert.equal(runs, 2250);
});

test("large programs are compiled in chunks: tiny chunks give the same results", async () => {
  const { randomProgram, randomPacket } = await import("../helpers/vm-gen.js");
  const { ProgType } = await import("../../src/uapi.js");
  const { setChunkSize } = await import("../../src/vm/index.js");
  const { runConformance } = await import("../../src/vm/conformance.js");
  const { fileURLToPath } = await import("node:url");
  const old = setChunkSize(3);
  try {
    const r = new Rng(77);
    const interp = new Vm({ tier: "interpreter" }),
      compiled = new Vm({ tier: "compiled" });
    for (let i = 0; i < 40; i++) {
      const prog = randomProgram(r, 40 + r.int(60));
      const a = interp.load({ type: ProgType.XDP, code: prog.bytes });
      const b = compiled.load({ type: ProgType.XDP, code: prog.bytes });
      for (let j = 0; j < 5; j++) {
        const data = randomPacket(r);
        assert.deepEqual(Buffer.from(b.run({ data }).data), Buffer.from(a.run({ data }).data), `program ${i}`);
      }
    }
    // calls, callbacks and loops crossing chunk boundaries
    const suite = testData("bpf_conformance", "tests");
    const report = runConformance(suite, { tier: "compiled" });
    assert.deepEqual(
      report.outcomes.filter((o) => !o.passed).map((o) => o.name),
      [],
    );
  } finally {
    setChunkSize(old);
  }
});

test("the auto tier interprets a program's first runs, then compiles it", () => {
  const vm = new Vm();
  const a = new Assembler();
  a.ldx(BPF_DW, "r0", "r1", 0).mul64("r0", 3).exit();
  const p = vm.load({ code: a.assemble().bytes });
  const mem = new Uint8Array(8).fill(1);
  const first = p.run({ mem }).r0;
  assert.equal(p.tier, "interpreter");
  for (let i = 0; i < 20; i++) assert.equal(p.run({ mem }).r0, first);
  assert.equal(p.tier, "compiled");
  assert.equal(first, (0x0101010101010101n * 3n) & ((1n << 64n) - 1n));
});

for (const tier of tiers) {
  test(`64-bit division and modulo of operands around 2^53 (the compiled tier divides doubles below it) (${tier})`, () => {
    const vm = new Vm({ tier });
    const r = new Rng(53);
    // magnitudes from 2^20 to 2^63 with both signs, most near the 2^53 boundary and the 2^21
    // boundary of the high word, plus off-by-one neighbours
    const values: bigint[] = [];
    for (const bits of [20n, 31n, 32n, 33n, 52n, 53n, 54n, 63n]) {
      const p = 1n << bits;
      for (const d of [-1n, 0n, 1n]) values.push(p + d, -(p + d));
    }
    for (let i = 0; i < 40; i++) {
      const v = (BigInt(r.u32()) << 32n) | BigInt(r.u32());
      values.push(v >> BigInt(8 + r.int(48)), -(v >> BigInt(8 + r.int(48))));
    }
    values.push(0n, 1n, -1n, 3n, -7n);
    let checked = 0;
    for (const name of ["div", "sdiv", "mod", "smod"] as const) {
      const px = aluProgram(vm, name, true, null);
      for (const a of values)
        for (const b of values) {
          assert.equal(runMem(px, u64(a), u64(b)), model(name, a, b, true), `${name}64 ${a}, ${b}`);
          checked++;
        }
      for (const k of [3, -3, 1 << 30, -(1 << 30), 7919]) {
        const pk = aluProgram(vm, name, true, k);
        for (const a of values) {
          assert.equal(runMem(pk, u64(a), 0n), model(name, a, BigInt(k), true), `${name}64 ${a}, imm ${k}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 20_000);
  });
}

for (const tier of tiers) {
  test(`64-bit unsigned division by 2^63 and more, and signed division by -1 (${tier})`, () => {
    const vm = new Vm({ tier });
    // unsigned divisors of 2^63 or more give a quotient of 0 or 1: dividends just below, at and
    // above them; signed division by -1 negates (INT64_MIN stays INT64_MIN) with remainder 0
    const min = -(1n << 63n);
    const divisors = [1n << 63n, u64(-1n), u64(-2n), u64(-10n), (1n << 63n) + 12345n];
    const dividends = [0n, 1n, 5n, min, min + 1n, -1n, -2n, -10n, 1n << 62n, (1n << 63n) - 1n, -(1n << 32n)];
    for (const name of ["div", "mod", "sdiv", "smod"] as const) {
      const px = aluProgram(vm, name, true, null);
      for (const b of [...divisors, u64(-1n)])
        for (const a0 of [...dividends, ...divisors]) {
          for (const a of [a0, u64(a0 + 1n), u64(a0 - 1n)])
            assert.equal(runMem(px, u64(a), b), model(name, s64(a), s64(b), true), `${name}64 ${a}, ${b}`);
        }
      const pk = aluProgram(vm, name, true, -1);
      for (const a of dividends)
        assert.equal(runMem(pk, u64(a), 0n), model(name, a, -1n, true), `${name}64 ${a}, imm -1`);
    }
  });
}

for (const tier of tiers) {
  test(`cmpxchg compares only r0's low word in 32 bits, and may take r0 as its source (${tier})`, () => {
    const vm = new Vm({ tier });
    // memory word at mem[0]; r0 = mem[8]; the source is r0 itself or r3 = mem[16];
    // results: mem[0] after, r0 after at mem[24]
    const program = (dw: boolean, source: "r0" | "r3"): VmProgram => {
      const a = new Assembler();
      a.ldx(BPF_DW, "r0", "r1", 8).ldx(BPF_DW, "r3", "r1", 16);
      a.atomic(dw ? BPF_DW : BPF_W, 0xf1, "r1", source, 0)
        .stx(BPF_DW, "r1", "r0", 24)
        .exit();
      return vm.load({ code: a.assemble().bytes });
    };
    const run = (p: VmProgram, m0: bigint, r0: bigint, r3: bigint): [bigint, bigint] => {
      const mem = new Uint8Array(32);
      const dv = new DataView(mem.buffer);
      dv.setBigUint64(0, m0, true);
      dv.setBigUint64(8, r0, true);
      dv.setBigUint64(16, r3, true);
      p.run({ mem });
      return [dv.getBigUint64(0, true), dv.getBigUint64(24, true)];
    };
    const m0 = 0x11111111_22222222n;
    // r0's high word differs, its low word matches: a 32-bit cmpxchg swaps, a 64-bit one does not
    assert.deepEqual(run(program(false, "r3"), m0, 0x99999999_22222222n, 0x77n), [0x11111111_00000077n, 0x22222222n]);
    assert.deepEqual(run(program(true, "r3"), m0, 0x99999999_22222222n, 0x77n), [m0, m0]);
    // the source is r0: the stored value is r0 from before the exchange
    assert.deepEqual(run(program(true, "r0"), m0, m0, 0x77n), [m0, m0]);
    assert.deepEqual(run(program(false, "r0"), m0, 0x55555555_22222222n, 0n), [m0, 0x22222222n]);
    assert.deepEqual(run(program(true, "r0"), m0, 5n, 0n), [m0, m0]);
  });
}

test("64-bit division and modulo by divisors of 2^32 and more are exact (no BigInt fallback)", async () => {
  const { udiv64, umod64, sdiv64, smod64 } = await import("../../src/vm/int64.js");
  const r = new Rng(64);
  const word = (v: bigint): [number, number] => [Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0];
  const run = (fn: typeof udiv64, a: bigint, b: bigint): bigint => {
    const R = new Int32Array(2);
    [R[0], R[1]] = word(a);
    const [blo, bhi] = word(b);
    fn(R, 0, blo, bhi);
    return (BigInt(R[1]! >>> 0) << 32n) | BigInt(R[0]! >>> 0);
  };
  // divisors from just above 2^32 to 2^64 - 1, dividends near multiples of them (where an
  // estimate of the quotient is most likely off by one), and random ones
  const rand64 = (): bigint => (BigInt(r.u32()) << 32n) | BigInt(r.u32());
  let checked = 0;
  for (let i = 0; i < 4000; i++) {
    const bits = 33n + BigInt(r.int(32));
    const b = u64((rand64() >> (64n - bits)) | (1n << 32n));
    const q = rand64() >> (32n + BigInt(r.int(32)));
    const near = u64(b * q + BigInt(r.int(5)) - 2n);
    for (const a of [near, rand64(), u64(-1n), b, b - 1n]) {
      assert.equal(run(udiv64, a, b), a / b, `udiv 0x${a.toString(16)} / 0x${b.toString(16)}`);
      assert.equal(run(umod64, a, b), a % b, `umod 0x${a.toString(16)} % 0x${b.toString(16)}`);
      const sa = s64(a),
        sb = s64(b);
      assert.equal(run(sdiv64, a, b), u64(sa / sb), `sdiv ${sa} / ${sb}`);
      assert.equal(run(smod64, a, b), u64(sa % sb), `smod ${sa} % ${sb}`);
      checked += 4;
    }
  }
  assert.equal(checked, 80_000);
});

for (const tier of tiers) {
  test(`every run starts with a zeroed stack, in the first frame and in called frames (${tier})`, () => {
    // mem[0] = 1: each frame writes its stack; mem[0] = 0: each frame reads it back, unwritten
    const a = new Assembler();
    a.ldx(BPF_B, "r6", "r1", 0).mov64("r1", "r6").callLocal("f").mov64("r7", "r0");
    a.jne("r6", 0, "write0").ldx(BPF_DW, "r0", "r10", -8).or64("r0", "r7").exit();
    a.label("write0").st(BPF_DW, "r10", -8, 0x11).mov64("r0", 0).exit();
    a.func("f").mov64("r6", "r1").callLocal("g").mov64("r7", "r0");
    a.jne("r6", 0, "write1").ldx(BPF_DW, "r0", "r10", -512).or64("r0", "r7").exit();
    a.label("write1").st(BPF_DW, "r10", -512, 0x22).mov64("r0", 0).exit();
    a.func("g").jne("r1", 0, "write2").ldx(BPF_DW, "r0", "r10", -16).exit();
    a.label("write2").st(BPF_DW, "r10", -16, 0x44).mov64("r0", 0).exit();
    // a pointer to the stack that escapes r10: any byte of the frame may be written through it
    const e = new Assembler();
    e.ldx(BPF_B, "r6", "r1", 0).mov64("r2", "r10").add64("r2", -300).jne("r6", 0, "write");
    e.ldx(BPF_DW, "r0", "r2", 0).exit();
    e.label("write").st(BPF_DW, "r2", 0, 0x33).st(BPF_DW, "r10", -8, 0x55).mov64("r0", 0).exit();
    // pointers made from r10 in one block: a store through one, and one a helper writes through
    const h = new Assembler();
    h.ldx(BPF_B, "r6", "r1", 0).jne("r6", 0, "write");
    h.ldx(BPF_DW, "r0", "r10", -40).ldx(BPF_DW, "r1", "r10", -200).or64("r0", "r1").exit();
    h.label("write").mov64("r2", "r10").add64("r2", -48).add64("r2", 8).st(BPF_DW, "r2", 0, 0x66);
    h.mov64("r1", "r10").add64("r1", -200).mov64("r2", 16).call("get_current_comm").mov64("r0", 0).exit();
    const vm = new Vm({ tier });
    const programs = [a, e, h].map((x) => vm.load({ code: x.assemble().bytes }));
    assert.equal(programs[2]!.decoded.stackWriteLow, -200, "the scan follows pointers made within a block");
    for (const p of programs) {
      for (let i = 0; i < 3; i++) {
        assert.equal(p.run({ mem: Uint8Array.of(1) }).retval, 0);
        assert.equal(p.run({ mem: Uint8Array.of(0) }).retval, 0, "a frame saw the previous run's stack");
      }
    }
  });
}
