// From allocated IR to eBPF through the framework's Assembler: two-address lowering, argument
// moves into r1–r5 (a parallel move), branch layout with fall-through, line_info from each
// instruction's source position, and relocation records for everything only known at load time
// (map fds, global data, calls between separately placed functions).
import {
  Assembler,
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MOD,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
  BPF_CALL,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  Size,
  insn,
  lddwInsn,
  type Register,
} from "../asm/index.js";
import type { IsaVersion } from "../asm/isa.js";
import type { Allocation } from "./regalloc.js";
import type {
  Base,
  Block,
  CallArg,
  CmpOp,
  CoreAccess,
  Instr,
  IrFunction,
  MemSize,
  Operand,
  SrcLoc,
  Terminator,
} from "./ir.js";

/** Something the loader (or the ELF writer) must patch in the program's instructions. */
export type Relocation =
  | { kind: "map"; slot: number; map: string }
  | { kind: "global"; slot: number; section: string; offset: number }
  /** A bpf-to-bpf call or a function address (lddw src=4) to a function placed elsewhere. */
  | { kind: "call" | "func"; slot: number; target: string }
  /** A kernel struct field's byte offset (CO-RE FIELD_BYTE_OFFSET) in a load's offset or an add's immediate. */
  | { kind: "core"; slot: number; core: CoreAccess };

export interface CodegenOptions {
  /** Functions that are emitted in the same Assembler (calls to them use labels). */
  local: ReadonlySet<string>;
  /** The target instruction set (default 4): below 2, no jlt/jle/jslt/jsle. */
  isa?: IsaVersion;
}

const REGS: Register[] = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"];
const SIZES: Record<MemSize, Size> = { 1: Size.B, 2: Size.H, 4: Size.W, 8: Size.DW };
const ALU_CODES = {
  add: BPF_ADD,
  sub: BPF_SUB,
  mul: BPF_MUL,
  div: BPF_DIV,
  sdiv: BPF_DIV,
  mod: BPF_MOD,
  smod: BPF_MOD,
  or: BPF_OR,
  and: BPF_AND,
  xor: BPF_XOR,
  lsh: BPF_LSH,
  rsh: BPF_RSH,
  arsh: BPF_ARSH,
} as const;
const COMMUTATIVE = new Set(["add", "mul", "or", "and", "xor"]);
const JMP_CODES: Record<CmpOp, number> = {
  eq: BPF_JEQ,
  ne: BPF_JNE,
  gt: BPF_JGT,
  ge: BPF_JGE,
  lt: BPF_JLT,
  le: BPF_JLE,
  sgt: BPF_JSGT,
  sge: BPF_JSGE,
  slt: BPF_JSLT,
  sle: BPF_JSLE,
  set: BPF_JSET,
};
/** The jumps instruction set v2 added; below it each is taken in the inverse sense. */
const V2_JUMPS = new Set<CmpOp>(["lt", "le", "slt", "sle"]);
const INVERSE: Partial<Record<CmpOp, CmpOp>> = {
  eq: "ne",
  ne: "eq",
  gt: "le",
  le: "gt",
  ge: "lt",
  lt: "ge",
  sgt: "sle",
  sle: "sgt",
  sge: "slt",
  slt: "sge",
};

export function blockLabel(f: IrFunction, b: Block): string {
  return `${f.name}#${b.id}`;
}

/** Emits one allocated function into `a`, starting with a.func(name). Returns its relocations. */
export function emitFunction(
  a: Assembler,
  f: IrFunction,
  order: readonly Block[],
  alloc: Allocation,
  options: CodegenOptions,
): Relocation[] {
  const relocs: Relocation[] = [];
  const R = (v: number): Register => {
    const r = alloc.regOf[v]!;
    if (r < 0) throw new Error(`internal: v${v} of ${f.name} has no register`);
    return REGS[r]!;
  };
  const has = (v: number): boolean => alloc.regOf[v]! >= 0;
  let lastLoc: SrcLoc | undefined;
  const at = (loc: SrcLoc | undefined) => {
    if (
      loc &&
      loc !== lastLoc &&
      (!lastLoc || loc.line !== lastLoc.line || loc.column !== lastLoc.column || loc.file !== lastLoc.file)
    ) {
      a.line(loc.file, loc.line, loc.column, loc.text);
      lastLoc = loc;
    }
  };
  const src = (o: Operand): Register | number => ("reg" in o ? R(o.reg) : o.imm);
  const baseReg = (b: Base): Register => ("fp" in b ? "r10" : R(b.reg));

  a.func(f.name);
  if (f.loc) at(f.loc);

  const parallelMove = (moves: { dst: number; src: number }[]) => {
    // Registers written here are r1..r5 (arguments) or any (entry parameters); resolve chains
    // first, then break cycles through a register no pending move touches.
    let pending = moves.filter((m) => m.dst !== m.src);
    while (pending.length) {
      const ready = pending.find((m) => !pending.some((o) => o !== m && o.src === m.dst));
      if (ready) {
        a.mov64(REGS[ready.dst]!, REGS[ready.src]!);
        pending = pending.filter((m) => m !== ready);
        continue;
      }
      const busy = new Set(pending.flatMap((m) => [m.src, m.dst]));
      const scratch = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((r) => !busy.has(r));
      if (scratch === undefined) throw new Error(`internal: no scratch register for a parallel move in ${f.name}`);
      const m = pending[0]!;
      a.mov64(REGS[scratch]!, REGS[m.src]!);
      pending = pending.map((o) => (o.src === m.src ? { ...o, src: scratch } : o));
    }
  };

  const materialize = (arg: CallArg, target: Register) => {
    if ("imm" in arg) a.mov64(target, arg.imm);
    else if ("map" in arg) {
      relocs.push({ kind: "map", slot: a.pc, map: arg.map });
      a.ldMapFd(target, 0);
    } else if ("fp" in arg) a.mov64(target, "r10").add64(target, arg.fp);
    else if ("func" in arg) {
      if (options.local.has(arg.func)) a.ldFunc(target, arg.func);
      else {
        relocs.push({ kind: "func", slot: a.pc, target: arg.func });
        a.raw(lddwInsn(REGS.indexOf(target), BPF_PSEUDO_FUNC, 0));
      }
    }
  };

  const callArgs = (args: CallArg[]) => {
    const moves: { dst: number; src: number }[] = [];
    args.forEach((arg, k) => {
      if ("reg" in arg) moves.push({ dst: k + 1, src: alloc.regOf[arg.reg]! });
    });
    parallelMove(moves);
    args.forEach((arg, k) => {
      if (!("reg" in arg)) materialize(arg, REGS[k + 1]!);
    });
  };

  const emitInstr = (i: Instr) => {
    at(i.loc);
    switch (i.op) {
      case "params": {
        const moves = i.regs.map((v, k) => ({ dst: alloc.regOf[v]!, src: k + 1 })).filter((m) => m.dst >= 0);
        parallelMove(moves);
        break;
      }
      case "mov":
        if (!has(i.dst)) break;
        // A relocated constant (field existence, an enumerator's value): its immediate is patched at load.
        if (i.core) relocs.push({ kind: "core", slot: a.pc, core: i.core });
        if (i.w === 64) {
          if (!("reg" in i.src) || R(i.src.reg) !== R(i.dst)) a.mov64(R(i.dst), src(i.src));
        } else a.mov32(R(i.dst), src(i.src));
        break;
      case "lddw":
        if (has(i.dst)) a.lddw(R(i.dst), i.value);
        break;
      case "alu": {
        if (!has(i.dst)) break;
        const d = R(i.dst),
          x = R(i.a);
        const code = ALU_CODES[i.alu];
        const off = i.alu === "sdiv" || i.alu === "smod" ? 1 : 0;
        const op = (dst: Register, s: Register | number) =>
          i.w === 64 ? a.alu64(code, dst, s, off) : a.alu32(code, dst, s, off);
        const mov = (dst: Register, s: Register) => (i.w === 64 ? a.mov64(dst, s) : a.mov32(dst, s));
        const b = src(i.b);
        const core = i.core;
        if (core) {
          // the relocated immediate is on the ALU instruction itself, after any move
          if (d !== x) mov(d, x);
          relocs.push({ kind: "core", slot: a.pc, core });
          op(d, b);
          break;
        }
        if (d === x) op(d, b);
        else if (d === b && COMMUTATIVE.has(i.alu)) op(d, x);
        else if (d === b)
          throw new Error(`internal: ${f.name}: destination of ${i.alu} shares a register with its right operand`);
        else {
          mov(d, x);
          op(d, b);
        }
        break;
      }
      case "neg":
        if (!has(i.dst)) break;
        if (R(i.dst) !== R(i.a)) i.w === 64 ? a.mov64(R(i.dst), R(i.a)) : a.mov32(R(i.dst), R(i.a));
        if (i.w === 64) a.neg64(R(i.dst));
        else a.neg32(R(i.dst));
        break;
      case "endian":
        if (!has(i.dst)) break;
        if (R(i.dst) !== R(i.a)) a.mov64(R(i.dst), R(i.a));
        a.be(R(i.dst), i.bits);
        break;
      case "movsx":
        if (!has(i.dst)) break;
        if (i.w === 64) a.movsx64(R(i.dst), R(i.a), i.bits);
        else a.movsx32(R(i.dst), R(i.a), i.bits as 8 | 16);
        break;
      case "load":
        if (!has(i.dst)) break;
        if (i.core) relocs.push({ kind: "core", slot: a.pc, core: i.core });
        if (i.signed && i.size < 8) a.ldxsx(SIZES[i.size], R(i.dst), baseReg(i.base), i.off);
        else a.ldx(SIZES[i.size], R(i.dst), baseReg(i.base), i.off);
        break;
      case "store":
        if (i.core) relocs.push({ kind: "core", slot: a.pc, core: i.core });
        if ("reg" in i.src) a.stx(SIZES[i.size], baseReg(i.base), R(i.src.reg), i.off);
        else a.st(SIZES[i.size], baseReg(i.base), i.off, i.src.imm);
        break;
      case "atomic": {
        const s = i.size === 8 ? Size.DW : Size.W;
        const b = baseReg(i.base),
          v = R(i.src);
        if (i.aop === "add") a.lockAdd(s, b, v, i.off);
        else if (i.aop === "or") a.lockOr(s, b, v, i.off);
        else if (i.aop === "and") a.lockAnd(s, b, v, i.off);
        else a.lockXor(s, b, v, i.off);
        break;
      }
      case "call":
        callArgs(i.args);
        a.call(i.helper);
        if (i.dst !== undefined && has(i.dst) && R(i.dst) !== "r0") a.mov64(R(i.dst), "r0");
        break;
      case "callLocal":
        callArgs(i.args);
        if (options.local.has(i.fn)) a.callLocal(i.fn);
        else {
          relocs.push({ kind: "call", slot: a.pc, target: i.fn });
          a.raw(insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -1));
        }
        if (i.dst !== undefined && has(i.dst) && R(i.dst) !== "r0") a.mov64(R(i.dst), "r0");
        break;
      case "ldmap":
        if (!has(i.dst)) break;
        relocs.push({ kind: "map", slot: a.pc, map: i.map });
        a.ldMapFd(R(i.dst), 0);
        break;
      case "ldglobal":
        if (!has(i.dst)) break;
        relocs.push({ kind: "global", slot: a.pc, section: i.section, offset: i.offset });
        a.ldMapValue(R(i.dst), 0, i.offset);
        break;
      case "addr":
        if (!has(i.dst)) break;
        a.mov64(R(i.dst), "r10").add64(R(i.dst), i.fp);
        break;
    }
  };

  const emitTerm = (t: Terminator, next: Block | undefined) => {
    at(t.loc);
    switch (t.op) {
      case "ret":
        if (!("reg" in t.value) || R(t.value.reg) !== "r0") a.mov64("r0", src(t.value));
        a.exit();
        break;
      case "jmp":
        if (t.target !== next) a.ja(blockLabel(f, t.target));
        break;
      case "br": {
        const cls = t.w === 64 ? BPF_JMP : BPF_JMP32;
        const b = src(t.b);
        let cmp = t.cmp,
          target = t.then,
          other = t.else;
        let invert = t.then === next && INVERSE[cmp] !== undefined;
        if ((options.isa ?? 4) < 2) {
          if (V2_JUMPS.has(cmp)) invert = true;
          else if (V2_JUMPS.has(INVERSE[cmp]!)) invert = false;
        }
        if (invert) {
          cmp = INVERSE[cmp]!;
          target = t.else;
          other = t.then;
        }
        a.jmp(cls, JMP_CODES[cmp], R(t.a), b, blockLabel(f, target));
        if (other !== next) a.ja(blockLabel(f, other));
        break;
      }
    }
  };

  order.forEach((b, k) => {
    a.label(blockLabel(f, b));
    for (const i of b.instrs) emitInstr(i);
    if (!b.term) throw new Error(`internal: block ${b.name}${b.id} of ${f.name} has no terminator`);
    emitTerm(b.term, order[k + 1]);
  });
  return relocs;
}
