// Disassembly in the kernel verifier's syntax. The expected strings are copied from a real
// verifier log (Linux 6.18, log_level 2) for the same instructions, and from kernel/bpf/disasm.c's
// formats for the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Assembler,
  BPF_JMP,
  BPF_JMP32,
  BPF_JEQ,
  BPF_JGT,
  BPF_JSET,
  BPF_JSLE,
  BPF_JLT,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R6,
  R7,
  R10,
  Size,
  disassemble,
  formatInsn,
  insnText,
  listing,
  type Instruction,
} from "../../src/asm/index.js";

/** Builds one instruction with the assembler and returns its text. */
function text(build: (a: Assembler) => void): string {
  const a = new Assembler();
  build(a);
  const { insns } = a.assemble();
  assert.equal(insns.length, 1);
  return insnText(insns[0]!);
}

const CASES: [string, (a: Assembler) => void][] = [
  // Seen in the 6.18 verifier log:
  ["r6 = r1", (a) => a.mov64(R6, R1)],
  ["w4 = w1", (a) => a.mov32(R4, R1)],
  ["w1 += 1", (a) => a.add32(R1, 1)],
  ["r1 -= 2", (a) => a.sub64(R1, 2)],
  ["w1 <<= 7", (a) => a.lsh32(R1, 7)],
  ["r1 s>>= 12", (a) => a.arsh64(R1, 12)],
  ["r1 /= r2", (a) => a.div64(R1, R2)],
  ["w1 %= w2", (a) => a.mod32(R1, R2)],
  ["r1 s/= 3", (a) => a.sdiv64(R1, 3)],
  ["w1 s/= w2", (a) => a.sdiv32(R1, R2)],
  ["r1 s%= r2", (a) => a.smod64(R1, R2)],
  ["w1 s%= -5", (a) => a.smod32(R1, -5)],
  ["r1 = -r1", (a) => a.neg64(R1)],
  ["w1 = -w1", (a) => a.neg32(R1)],
  ["r1 = (s8)r2", (a) => a.movsx64(R1, R2, 8)],
  ["r1 = (s16)r2", (a) => a.movsx64(R1, R2, 16)],
  ["r1 = (s32)r2", (a) => a.movsx64(R1, R2, 32)],
  ["w1 = (s8)w2", (a) => a.movsx32(R1, R2, 8)],
  ["w1 = (s16)w2", (a) => a.movsx32(R1, R2, 16)],
  ["r1 = le16 r1", (a) => a.le(R1, 16)],
  ["r1 = le64 r1", (a) => a.le(R1, 64)],
  ["r1 = be32 r1", (a) => a.be(R1, 32)],
  ["r1 = bswap16 r1", (a) => a.bswap(R1, 16)],
  ["r1 = bswap64 r1", (a) => a.bswap(R1, 64)],
  ["*(u64 *)(r10 -8) = 0", (a) => a.st(Size.DW, R10, -8, 0)],
  ["*(u32 *)(r10 -16) = -1", (a) => a.st(Size.W, R10, -16, -1)],
  ["r5 = *(s32 *)(r10 -36)", (a) => a.ldxsx(Size.W, R5, R10, -36)],
  ["r5 = *(s16 *)(r10 -38)", (a) => a.ldxsx(Size.H, R5, R10, -38)],
  ["r5 = *(s8 *)(r10 -39)", (a) => a.ldxsx(Size.B, R5, R10, -39)],
  ["r0 = *(u32 *)skb[12]", (a) => a.ldAbs(Size.W, 12)],
  ["r0 = *(u16 *)skb[r7 + 12]", (a) => a.ldInd(Size.H, R7, 12)],
  ["r1 = 0x1122334455667788", (a) => a.lddw(R1, 0x1122334455667788n)],
  ["r2 = 0xfffffffffffffffe", (a) => a.lddw(R2, -2)],
  ["lock *(u64 *)(r10 -8) += r1", (a) => a.lockAdd(Size.DW, R10, R1, -8)],
  ["lock *(u64 *)(r10 -8) |= r1", (a) => a.lockOr(Size.DW, R10, R1, -8)],
  ["lock *(u32 *)(r10 -16) &= r1", (a) => a.lockAnd(Size.W, R10, R1, -16)],
  ["lock *(u32 *)(r10 -16) ^= r1", (a) => a.lockXor(Size.W, R10, R1, -16)],
  ["r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)", (a) => a.fetchAdd(Size.DW, R10, R1, -8)],
  ["r1 = atomic64_fetch_and((u64 *)(r10 -8), r1)", (a) => a.fetchAnd(Size.DW, R10, R1, -8)],
  ["r1 = atomic_fetch_or((u32 *)(r10 -16), r1)", (a) => a.fetchOr(Size.W, R10, R1, -16)],
  ["r1 = atomic_fetch_xor((u32 *)(r10 -16), r1)", (a) => a.fetchXor(Size.W, R10, R1, -16)],
  ["r1 = atomic64_xchg((u64 *)(r10 -8), r1)", (a) => a.xchg(Size.DW, R10, R1, -8)],
  ["r1 = atomic_xchg((u32 *)(r10 -16), r1)", (a) => a.xchg(Size.W, R10, R1, -16)],
  ["r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)", (a) => a.cmpxchg(Size.DW, R10, R1, -8)],
  ["r0 = atomic_cmpxchg((u32 *)(r10 -16), r0, r1)", (a) => a.cmpxchg(Size.W, R10, R1, -16)],
  ["r3 = load_acquire((u64 *)(r10 -8))", (a) => a.loadAcquire(Size.DW, R3, R10, -8)],
  ["store_release((u32 *)(r10 -16), r3)", (a) => a.storeRelease(Size.W, R10, R3, -16)],
  ["if r1 == 0x800 goto pc+0", (a) => a.jeq(R1, 0x800, 0)],
  ["if r1 & 0x800 goto pc+0", (a) => a.jset(R1, 0x800, 0)],
  ["if r1 s<= r2 goto pc+0", (a) => a.jsle(R1, R2, 0)],
  ["if w1 == w2 goto pc+0", (a) => a.jeq32(R1, R2, 0)],
  ["if w1 < 0xfffffffe goto pc+0", (a) => a.jlt32(R1, -2, 0)],
  ["goto pc+0", (a) => a.ja(0)],
  ["gotol pc+0", (a) => a.gotol(0)],
  ["may_goto pc+0", (a) => a.mayGoto(0)],
  ["call bpf_ktime_get_ns#5", (a) => a.call("ktime_get_ns")],
  ["call bpf_get_prandom_u32#7", (a) => a.call("bpf_get_prandom_u32")],
  ["call pc+2", (a) => a.callLocal(2)],
  // From kernel/bpf/disasm.c's formats:
  ["r0 = *(u16 *)(r1 +12)", (a) => a.ldx(Size.H, R0, R1, 12)],
  ["*(u32 *)(r10 -4) = r1", (a) => a.stx(Size.W, R10, R1, -4)],
  ["*(u8 *)(r1 +0) = 255", (a) => a.st(Size.B, R1, 0, 255)],
  ["w0 += 1", (a) => a.add32(R0, 1)],
  ["r0 = be16 r0", (a) => a.be(R0, 16)],
  ["r0 s/= r1", (a) => a.sdiv64(R0, R1)],
  ["r0 = (s8)r1", (a) => a.movsx64(R0, R1, 8)],
  ["r0 = -1", (a) => a.mov64(R0, 0xffffffff)],
  ["if r1 == 0x800 goto pc+3", (a) => a.jeq(R1, 0x800, 3)],
  ["if r1 s> 0xffffffff goto pc-4", (a) => a.jsgt(R1, -1, -4)],
  ["call bpf_map_lookup_elem#1", (a) => a.call("map_lookup_elem")],
  ["call pc-7", (a) => a.callLocal(-7)],
  ["call kernel-function#1234", (a) => a.callKfunc(1234)],
  ["call unknown#999", (a) => a.call(999)],
  ["gotol pc+70000", (a) => a.gotol(70000)],
  ["exit", (a) => a.exit()],
  ["r1 = map[fd:5]", (a) => a.ldMapFd(R1, 5)],
  ["r2 = map[fd:7][0]+16", (a) => a.ldMapValue(R2, { fd: 7 }, 16)],
  ["r1 = map[idx:2]", (a) => a.ldMapIdx(R1, 2)],
  ["r1 = map[idx:0][0]+8", (a) => a.ldMapIdxValue(R1, 0, 8)],
  ["r2 = subprog[+4]", (a) => a.ldFunc(R2, 4)],
  ["r1 = addr_space_cast(r2, 0, 1)", (a) => a.addrSpaceCast(R1, R2, 0, 1)],
  ["r0 = 0x0", (a) => a.lddw(R0, 0)],
];

test("instruction text matches the kernel's disassembler", () => {
  for (const [expected, build] of CASES) assert.equal(text(build), expected);
});

test("every conditional jump operator", () => {
  const ops: [number, string][] = [
    [BPF_JEQ, "=="],
    [BPF_JGT, ">"],
    [BPF_JSET, "&"],
    [BPF_JLT, "<"],
    [BPF_JSLE, "s<="],
  ];
  for (const [op, sym] of ops) {
    assert.equal(
      text((a) => a.jmp(BPF_JMP, op, R3, R4, 1)),
      `if r3 ${sym} r4 goto pc+1`,
    );
    assert.equal(
      text((a) => a.jmp(BPF_JMP32, op, R3, 9, -1)),
      `if w3 ${sym} 0x9 goto pc-1`,
    );
  }
});

test("invalid encodings print like the kernel prints them", () => {
  const t = (i: Instruction) => insnText(i);
  assert.equal(t({ code: 0x60, dst: 0, src: 0, off: 0, imm: 0 }), "BUG_ld_60");
  assert.equal(t({ code: 0x21, dst: 0, src: 0, off: 0, imm: 0 }), "BUG_ldx_21");
  assert.equal(t({ code: 0x22, dst: 0, src: 0, off: 0, imm: 0 }), "BUG_st_22");
  assert.equal(t({ code: 0xdb, dst: 1, src: 2, off: 0, imm: 0x33 }), "BUG_db");
  assert.equal(t({ code: 0xe4, dst: 1, src: 0, off: 0, imm: 3 }), "w1 (null) 3");
  // callx is not a kernel instruction; printed in LLVM's spelling.
  assert.equal(t({ code: 0x8d, dst: 2, src: 0, off: 0, imm: 0 }), "callx r2");
});

test("numbered listing counts slots like the verifier log", () => {
  const a = new Assembler();
  a.ldMapFd(R1, 3).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem").exit();
  const prog = a.assemble();
  const expected = [
    "0: (18) r1 = map[fd:3]",
    "2: (bf) r2 = r10",
    "3: (07) r2 += -4",
    "4: (85) call bpf_map_lookup_elem#1",
    "5: (95) exit",
  ];
  assert.deepEqual(listing(prog.insns), expected);
  assert.deepEqual(listing(prog.bytes), expected);
  assert.deepEqual(
    disassemble(prog.bytes),
    expected.map((l) => l.replace(/^\d+: \(..\) /, "")),
  );
  assert.equal(formatInsn(prog.insns[1]!, 2), "2: (bf) r2 = r10");
});

test("callbacks name lddw values and call targets", () => {
  const a = new Assembler();
  a.ldMapFd(R1, 9).callKfunc(77).call("ktime_get_ns");
  const out = disassemble(a.assemble().insns, {
    imm: (insn) => (insn.src === 1 ? `map[id:${insn.imm + 100}]` : undefined),
    call: (insn) => (insn.src === 2 ? "bpf_obj_new_impl" : undefined),
  });
  assert.deepEqual(out, ["r1 = map[id:109]", "call bpf_obj_new_impl#77", "call bpf_ktime_get_ns#5"]);
});
