// Rewrites IR instructions the target instruction set lacks into ones it has, before register
// allocation (the rewrites need temporaries):
// - below v4: signed division and modulo become unsigned ones on absolute values with the sign
//   fixed up afterwards (no branches), with the results the v4 instructions define for every
//   input: x / 0 = 0, x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0; sign-extending moves
//   and loads become shifts;
// - below v3: 32-bit compares become 64-bit compares of the zero- or sign-extended operands, and
//   32-bit arithmetic shifts become 64-bit ones (older kernels refuse a 32-bit `arsh`).
// The "less than" jumps of v2 are chosen in codegen, which picks each branch's sense anyway.
import type { IsaVersion } from "../asm/isa.js";
import type { Block, CmpOp, Instr, IrFunction, Operand, Terminator, VReg, Width } from "./ir.js";

const UNSIGNED_CMP = new Set<CmpOp>(["eq", "ne", "gt", "ge", "lt", "le", "set"]);

export function lowerForIsa(f: IrFunction, isa: IsaVersion): void {
  if (isa >= 4) return;
  for (const b of f.blocks) rewriteBlock(f, b, isa);
}

function rewriteBlock(f: IrFunction, b: Block, isa: IsaVersion): void {
  const out: Instr[] = [];
  let loc: Instr["loc"];
  const temp = (): VReg => {
    f.kinds.push("scalar");
    return f.kinds.length - 1;
  };
  const emit = (i: Instr): void => {
    if (loc) i.loc = loc;
    out.push(i);
  };
  const alu = (w: Width, op: Extract<Instr, { op: "alu" }>["alu"], a: VReg, bb: Operand, dst = temp()): VReg => {
    emit({ op: "alu", w, alu: op, dst, a, b: bb });
    return dst;
  };
  /** dst = the low `bits` of a, sign-extended to 64 bits. */
  const signExtend64 = (a: VReg, bits: number, dst = temp()): VReg => {
    if (bits === 64) {
      emit({ op: "mov", w: 64, dst, src: { reg: a } });
      return dst;
    }
    return alu(64, "arsh", alu(64, "lsh", a, { imm: 64 - bits }), { imm: 64 - bits }, dst);
  };
  /** 0 when the `w`-bit value of a is non-negative, all ones when negative. */
  const signMask = (w: Width, a: VReg): VReg =>
    w === 64 ? alu(64, "arsh", a, { imm: 63 }) : alu(64, "arsh", alu(64, "lsh", a, { imm: 32 }), { imm: 63 });
  /** (x ^ s) - s: |x| when s is x's sign mask; x negated when s is all ones, x when 0. */
  const applySign = (w: Width, x: VReg, s: VReg, dst = temp()): VReg =>
    alu(w, "sub", alu(w, "xor", x, { reg: s }), { reg: s }, dst);

  const signedDivMod = (i: Extract<Instr, { op: "alu" }>): void => {
    const w = i.w;
    const isDiv = i.alu === "sdiv";
    const unsignedOp = isDiv ? "div" : "mod";
    if ("imm" in i.b && i.b.imm === 0) {
      // eBPF's rules, which the verifier will not let an instruction compute with a 0 immediate.
      emit(isDiv ? { op: "mov", w, dst: i.dst, src: { imm: 0 } } : { op: "mov", w, dst: i.dst, src: { reg: i.a } });
      return;
    }
    const sa = signMask(w, i.a);
    const ua = applySign(w, i.a, sa);
    if ("imm" in i.b) {
      const v = w === 32 ? i.b.imm | 0 : i.b.imm;
      let divisor: Operand = { imm: Math.abs(v) };
      if (v === -0x80000000) {
        // |v| = 2^31: a 32-bit immediate holds it only as the unsigned 32-bit operand of ALU32.
        if (w === 32) divisor = { imm: v };
        else {
          const r = temp();
          emit({ op: "mov", w: 32, dst: r, src: { imm: v } }); // zero-extended: 2^31
          divisor = { reg: r };
        }
      }
      const q = alu(w, unsignedOp, ua, divisor);
      if (isDiv && v < 0) {
        // the quotient's sign is the opposite of the dividend's
        const t = applySign(w, q, sa);
        emit({ op: "neg", w, dst: i.dst, a: t });
      } else applySign(w, q, sa, i.dst);
      return;
    }
    const sb = signMask(w, i.b.reg);
    const ub = applySign(w, i.b.reg, sb);
    const q = alu(w, unsignedOp, ua, { reg: ub });
    applySign(w, q, isDiv ? alu(w, "xor", sa, { reg: sb }) : sa, i.dst);
  };

  for (const i of b.instrs) {
    loc = i.loc;
    if (i.op === "alu" && (i.alu === "sdiv" || i.alu === "smod")) signedDivMod(i);
    else if (i.op === "movsx") {
      if (i.w === 64) signExtend64(i.a, i.bits, i.dst);
      else if (isa >= 3) alu(32, "arsh", alu(32, "lsh", i.a, { imm: 32 - i.bits }), { imm: 32 - i.bits }, i.dst);
      else emit({ op: "mov", w: 32, dst: i.dst, src: { reg: signExtend64(i.a, i.bits) } });
    } else if (i.op === "load" && i.signed && i.size < 8) {
      const raw = temp();
      out.push({ ...i, signed: false, dst: raw });
      signExtend64(raw, i.size * 8, i.dst);
    } else if (i.op === "alu" && i.alu === "arsh" && i.w === 32 && isa < 3) {
      // (s32)a >> n computed on the sign-extended 64-bit value, then cut back to 32 bits; the
      // count is taken modulo 32 as the 32-bit instruction does.
      const wide = signExtend64(i.a, 32);
      const count: Operand = "imm" in i.b ? { imm: i.b.imm & 31 } : { reg: alu(64, "and", i.b.reg, { imm: 31 }) };
      emit({ op: "mov", w: 32, dst: i.dst, src: { reg: alu(64, "arsh", wide, count) } });
    } else out.push(i);
  }
  const t = b.term;
  if (t?.op === "br" && t.w === 32 && isa < 3) {
    loc = t.loc;
    b.term = widenCompare(t, {
      zeroExtend: (a) => {
        const r = temp();
        emit({ op: "mov", w: 32, dst: r, src: { reg: a } });
        return r;
      },
      signExtend: (a) => signExtend64(a, 32),
      materialize32: (imm) => {
        const r = temp();
        emit({ op: "mov", w: 32, dst: r, src: { imm } });
        return r;
      },
    });
  }
  b.instrs.splice(0, b.instrs.length, ...out);
}

/** A 32-bit compare as a 64-bit one on extended operands (JMP32 arrived with v3). */
function widenCompare(
  t: Extract<Terminator, { op: "br" }>,
  x: { zeroExtend(a: VReg): VReg; signExtend(a: VReg): VReg; materialize32(imm: number): VReg },
): Terminator {
  const unsigned = UNSIGNED_CMP.has(t.cmp);
  const a = unsigned ? x.zeroExtend(t.a) : x.signExtend(t.a);
  let b: Operand;
  if ("reg" in t.b) b = { reg: unsigned ? x.zeroExtend(t.b.reg) : x.signExtend(t.b.reg) };
  else {
    // A 64-bit compare sign-extends its immediate: right for signed compares and for `set`
    // (a's upper half is zero), and for unsigned ones while bit 31 is clear.
    const imm = t.b.imm | 0;
    b = unsigned && t.cmp !== "set" && imm < 0 ? { reg: x.materialize32(imm) } : { imm };
  }
  return { ...t, w: 64, a, b };
}
