// Wire encoding of BPF instructions: every RFC 9669 opcode survives encode/decode, literal byte
// layouts match the kernel's, lddw's two slots are handled, the helper table is the kernel's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Assembler,
  AsmError,
  R0,
  R1,
  R2,
  R3,
  R10,
  Size,
  checkInstruction,
  decode,
  encode,
  helperId,
  helperName,
  HELPER_MAX_ID,
  insn,
  lddwInsn,
  slotCount,
  type Instruction,
} from "../../src/asm/index.js";

// RFC 9669 Appendix A, plus the Linux-only may_goto (0xe5) and load-acquire/store-release (0xcb, 0xd3).
const EXPECTED_VALID_OPCODES = [
  // LD: lddw, legacy abs/ind (w, h, b)
  0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
  // LDX: mem w/h/b/dw, memsx w/h/b
  0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
  // ST / STX mem
  0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b,
  // STX atomic w/dw (+ b/h for acquire/release)
  0xc3, 0xdb, 0xcb, 0xd3,
  // ALU (32-bit)
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c,
  0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
  // ALU64
  0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f,
  0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7,
  // JMP
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d, 0x85, 0x95, 0xa5, 0xad,
  0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0xe5,
  // JMP32
  0x06, 0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6e, 0x76, 0x7e, 0xa6, 0xae, 0xb6, 0xbe,
  0xc6, 0xce, 0xd6, 0xde,
].sort((a, b) => a - b);

// Field values that exercise every encoding variant (sdiv off=1, movsx 8/16/32, bswap widths,
// atomic ops, pseudo kinds) along with plain and negative values.
const DSTS = [0, 3, 10];
const SRCS = [0, 1, 2, 4, 6];
const OFFS = [0, 1, 8, 16, 32, -5, 0x7fff, -0x8000];
const IMMS = [
  0, 1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110, -7, 0x7fffffff, -0x80000000,
];

function validVariants(code: number): Instruction[] {
  const out: Instruction[] = [];
  for (const dst of DSTS)
    for (const src of SRCS)
      for (const off of OFFS)
        for (const imm of IMMS) {
          const i: Instruction =
            code === 0x18
              ? { ...lddwInsn(dst, src, BigInt(imm >>> 0) | (0xdeadbeefn << 32n)), off }
              : { code, dst, src, off, imm };
          if (checkInstruction(i) === undefined) out.push(i);
        }
  return out;
}

test("the set of valid opcodes is exactly RFC 9669's (plus Linux extensions)", () => {
  const valid: number[] = [];
  for (let code = 0; code < 256; code++) if (validVariants(code).length > 0) valid.push(code);
  assert.deepEqual(
    valid.map((c) => c.toString(16)),
    EXPECTED_VALID_OPCODES.map((c) => c.toString(16)),
  );
});

test("RFC-only validation rejects the Linux extensions", () => {
  assert.equal(checkInstruction({ code: 0xe5, dst: 0, src: 0, off: 2, imm: 0 }), undefined);
  assert.match(checkInstruction({ code: 0xe5, dst: 0, src: 0, off: 2, imm: 0 }, { linux: false })!, /unknown jump/);
  assert.match(checkInstruction({ code: 0xbf, dst: 1, src: 2, off: 1, imm: 1 }, { linux: false })!, /invalid offset 1/);
  assert.match(
    checkInstruction({ code: 0xdb, dst: 1, src: 2, off: 0, imm: 0x100 }, { linux: false })!,
    /unknown atomic/,
  );
});

test("encode/decode round-trips every variant of every valid opcode", () => {
  let count = 0;
  for (const code of EXPECTED_VALID_OPCODES) {
    const variants = validVariants(code);
    assert.ok(variants.length > 0, `opcode 0x${code.toString(16)} has variants`);
    const bytes = encode(variants);
    assert.equal(
      bytes.length,
      variants.reduce((n, i) => n + slotCount(i) * 8, 0),
    );
    const back = decode(bytes);
    assert.deepEqual(back, variants, `opcode 0x${code.toString(16)}`);
    // And byte-exact the other way.
    assert.ok(encode(back).equals(bytes));
    count += variants.length;
  }
  assert.ok(count > 5000, `tested ${count} instructions`);
});

test("decode keeps every field of arbitrary single-slot instructions", () => {
  const all: Instruction[] = [];
  for (let code = 0; code < 256; code++) {
    if (code === 0x18) continue;
    all.push({
      code,
      dst: code & 0xf,
      src: 15 - (code & 0xf),
      off: code === 0 ? 0 : -code * 100,
      imm: (code * 0x1010101 - 0x7f000000) | 0,
    });
  }
  assert.deepEqual(decode(encode(all)), all);
});

test("literal byte layouts", () => {
  const hex = (insns: Instruction[]) => encode(insns).toString("hex");
  // mov64 r0, 1
  assert.equal(hex([insn(0xb7, 0, 0, 0, 1)]), "b700000001000000");
  // *(u64 *)(r10 -8) = r1: dst in the low nibble, src in the high nibble
  assert.equal(hex([insn(0x7b, 10, 1, -8, 0)]), "7b1af8ff00000000");
  // if r1 s>= -1 goto +0
  assert.equal(hex([insn(0x75, 1, 0, 0, -1)]), "75010000ffffffff");
  // lddw r1, 0x1122334455667788 — the conformance suite's raw form is 0x5566778800000018 / 0x1122334400000000
  assert.equal(hex([lddwInsn(1, 0, 0x1122334455667788n)]), "18010000887766550000000044332211");
  // unsigned spellings of off/imm are accepted and stored signed
  assert.deepEqual(insn(0x05, 0, 0, 0xffff, 0xffffffff), { code: 5, dst: 0, src: 0, off: -1, imm: -1 });
});

test("lddw: one instruction, two slots, imm mirrors the low half", () => {
  const i = lddwInsn(2, 0, -1n);
  assert.equal(i.imm64, 0xffffffffffffffffn);
  assert.equal(i.imm, -1);
  assert.equal(slotCount(i), 2);
  const bytes = encode([i, insn(0x95, 0, 0, 0, 0)]);
  assert.equal(bytes.length, 24);
  const back = decode(bytes);
  assert.equal(back.length, 2);
  assert.deepEqual(back[0], i);
  // imm without imm64 is the zero-extended low half
  assert.equal(
    encode([{ code: 0x18, dst: 0, src: 1, off: 0, imm: 7 }]).toString("hex"),
    "18100000070000000000000000000000",
  );
  // imm and imm64 that disagree are refused rather than silently picking one
  assert.throws(() => encode([{ code: 0x18, dst: 0, src: 0, off: 0, imm: 1, imm64: 2n }]), AsmError);
});

test("decode refuses malformed programs", () => {
  assert.throws(() => decode(Buffer.alloc(12)), /multiple of 8/);
  assert.throws(() => decode(Buffer.from("1801000001000000", "hex")), /missing its second slot/);
  assert.throws(
    () => decode(Buffer.from("18010000010000000100000000000000", "hex")),
    (e: unknown) => e instanceof AsmError && e.slot === 1 && /second slot/.test(e.message),
  );
});

test("encode refuses fields that do not fit", () => {
  assert.throws(() => encode([{ code: 0x07, dst: 16, src: 0, off: 0, imm: 0 }]), /dst 16/);
  assert.throws(() => encode([{ code: 0x07, dst: 0, src: 0, off: 0x10000, imm: 0 }]), /off 65536/);
  assert.throws(() => encode([{ code: 0x07, dst: 0, src: 0, off: 0, imm: 2 ** 32 }]), /imm 4294967296/);
  assert.throws(() => encode([{ code: 256, dst: 0, src: 0, off: 0, imm: 0 }]), /opcode 256/);
});

test("helper table is the kernel's bpf_func_id", () => {
  assert.equal(helperId("map_lookup_elem"), 1);
  assert.equal(helperId("bpf_map_lookup_elem"), 1);
  assert.equal(helperId("trace_printk"), 6);
  assert.equal(helperId("tail_call"), 12);
  assert.equal(helperId("ringbuf_output"), 130);
  assert.equal(helperId("loop"), 181);
  assert.equal(helperId("user_ringbuf_drain"), 209);
  assert.equal(helperId("cgrp_storage_get"), 210);
  assert.equal(helperId("cgrp_storage_delete"), 211);
  assert.equal(HELPER_MAX_ID, 212);
  assert.equal(helperName(1), "bpf_map_lookup_elem");
  assert.equal(helperName(0), "bpf_unspec");
  assert.equal(helperName(212), undefined);
  assert.equal(helperName(-1), undefined);
  for (let id = 0; id < HELPER_MAX_ID; id++) assert.equal(helperId(helperName(id)!), id);
  assert.throws(
    () => helperId("map_lookup_elemm"),
    (e: unknown) => e instanceof AsmError && /map_lookup_elemm/.test(e.message),
  );
});

// Independent check of the encodings against LLVM's BPF assembler, when one is installed
// (LLVM 14 knows ISA v1-v3 only, so v4 forms are left out).
test("encodings match llvm-mc for the instructions LLVM 14 accepts", (t) => {
  const llvmMc = ["/usr/bin/llvm-mc", "/usr/bin/llvm-mc-14"].find((p) => existsSync(p));
  if (!llvmMc) {
    t.skip("llvm-mc is not installed");
    return;
  }
  const cases: [string, (a: Assembler) => void][] = [
    ["r0 = *(u16 *)(r1 + 12)", (a) => a.ldx(Size.H, R0, R1, 12)],
    ["r3 = *(u64 *)(r10 - 8)", (a) => a.ldx(Size.DW, R3, R10, -8)],
    ["*(u32 *)(r10 - 4) = r1", (a) => a.stx(Size.W, R10, R1, -4)],
    ["*(u8 *)(r2 + 3) = r3", (a) => a.stx(Size.B, R2, R3, 3)],
    ["w0 += 1", (a) => a.add32(R0, 1)],
    ["r0 += r1", (a) => a.add64(R0, R1)],
    ["r2 -= -7", (a) => a.sub64(R2, -7)],
    ["w3 *= w1", (a) => a.mul32(R3, R1)],
    ["r1 /= 3", (a) => a.div64(R1, 3)],
    ["r1 |= r2", (a) => a.or64(R1, R2)],
    ["w1 &= 255", (a) => a.and32(R1, 255)],
    ["r1 <<= 32", (a) => a.lsh64(R1, 32)],
    ["r1 >>= r2", (a) => a.rsh64(R1, R2)],
    ["w3 s>>= 5", (a) => a.arsh32(R3, 5)],
    ["r1 ^= r3", (a) => a.xor64(R1, R3)],
    ["w0 = w1", (a) => a.mov32(R0, R1)],
    ["r1 = -1", (a) => a.mov64(R1, -1)],
    ["r1 = -r1", (a) => a.neg64(R1)],
    ["w1 = -w1", (a) => a.neg32(R1)],
    ["r1 = le32 r1", (a) => a.le(R1, 32)],
    ["r0 = be16 r0", (a) => a.be(R0, 16)],
    ["r2 = be64 r2", (a) => a.be(R2, 64)],
    ["r1 = 1234605616436508552 ll", (a) => a.lddw(R1, 0x1122334455667788n)],
    ["r1 = -1 ll", (a) => a.lddw(R1, -1)],
    ["if r1 == 2048 goto +3", (a) => a.jeq(R1, 0x800, 3)],
    ["if r1 s>= -1 goto +0", (a) => a.jsge(R1, -1, 0)],
    ["if w1 s< w2 goto -2", (a) => a.jslt32(R1, R2, -2)],
    ["if r1 > r2 goto +1", (a) => a.jgt(R1, R2, 1)],
    ["if w1 <= 7 goto +1", (a) => a.jle32(R1, 7, 1)],
    ["goto +5", (a) => a.ja(5)],
    ["call 1", (a) => a.call("map_lookup_elem")],
    ["exit", (a) => a.exit()],
    ["r0 = *(u8 *)skb[12]", (a) => a.ldAbs(Size.B, 12)],
    ["lock *(u64 *)(r1 + 0) += r2", (a) => a.lockAdd(Size.DW, R1, R2, 0)],
    ["lock *(u64 *)(r1 + 0) |= r2", (a) => a.lockOr(Size.DW, R1, R2, 0)],
    ["lock *(u32 *)(r1 - 4) ^= w2", (a) => a.lockXor(Size.W, R1, R2, -4)],
    ["lock *(u32 *)(r1 + 0) &= w2", (a) => a.lockAnd(Size.W, R1, R2, 0)],
  ];
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-asm-"));
  try {
    const file = join(dir, "cases.s");
    writeFileSync(file, cases.map(([text]) => text).join("\n") + "\n");
    const out = execFileSync(llvmMc, ["-triple", "bpfel", "-show-encoding", file], { encoding: "utf8" });
    const encodings = [...out.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) =>
      Buffer.from(m[1]!.split(",").map((b) => parseInt(b, 16))).toString("hex"),
    );
    assert.equal(encodings.length, cases.length, out);
    cases.forEach(([text, build], i) => {
      const a = new Assembler();
      build(a);
      assert.equal(a.assemble().bytes.toString("hex"), encodings[i], text);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
