/**
 * Encoding checks per RFC 9669: is an instruction one the ISA defines, with
 * its unused fields zero? This is the static part of what a verifier or VM
 * must reject (it does not track control flow or register state).
 *
 * With `{ linux: true }` (the default) the Linux extensions that the kernel
 * accepts beyond the RFC also pass: may_goto, load-acquire/store-release,
 * addr_space_cast, and a module-BTF index in a kfunc call's offset.
 */
import { isLddw, type Instruction } from "./instruction.js";
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ADDR_SPACE_CAST,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_LOAD_ACQ,
  BPF_MAY_GOTO,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_ST,
  BPF_STORE_REL,
  BPF_STX,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  insnClass,
  insnMode,
  insnOp,
  insnSize,
  insnSource,
} from "./opcodes.js";

export interface ValidateOptions {
  /** Accept Linux extensions beyond RFC 9669 (default true). */
  linux?: boolean;
}

export interface ValidationProblem {
  /** Index in the instruction array. */
  index: number;
  /** Slot (8-byte unit) of the instruction. */
  slot: number;
  message: string;
}

const FETCHABLE = new Set([BPF_ADD, BPF_OR, BPF_AND, BPF_XOR]);

/** Returns why the instruction is not a valid encoding, or undefined if it is. */
export function checkInstruction(insn: Instruction, opts: ValidateOptions = {}): string | undefined {
  const linux = opts.linux ?? true;
  const { code, dst, src, off, imm } = insn;
  const cls = insnClass(code);
  const hex = `0x${code.toString(16).padStart(2, "0")}`;
  const zero = (field: "dst" | "src" | "off" | "imm", value: number): string | undefined =>
    value === 0 ? undefined : `opcode ${hex}: ${field} must be 0 (is ${value})`;
  const regOk = (field: "dst" | "src", value: number): string | undefined =>
    value <= 10 ? undefined : `opcode ${hex}: ${field} r${value} is not a register (r0..r10)`;
  const first = (...checks: (string | undefined)[]): string | undefined => checks.find((c) => c !== undefined);

  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      const op = insnOp(code);
      const x = insnSource(code) === BPF_X;
      if (op === BPF_END) {
        if (cls === BPF_ALU64 && x) return `opcode ${hex}: 64-bit byte swap has no register form`;
        if (imm !== 16 && imm !== 32 && imm !== 64)
          return `opcode ${hex}: byte swap width must be 16, 32 or 64 (is ${imm})`;
        return first(regOk("dst", dst), zero("src", src), zero("off", off));
      }
      if (op === BPF_NEG) {
        if (x) return `opcode ${hex}: neg has no register form`;
        return first(regOk("dst", dst), zero("src", src), zero("off", off), zero("imm", imm));
      }
      if (op > BPF_END) return `opcode ${hex}: unknown ALU operation`;
      let offOk = off === 0;
      if ((op === BPF_DIV || op === BPF_MOD) && off === 1) offOk = true;
      if (op === BPF_MOV && x) {
        if (off === 8 || off === 16 || (cls === BPF_ALU64 && off === 32)) offOk = true;
        if (linux && cls === BPF_ALU64 && off === BPF_ADDR_SPACE_CAST) {
          return first(regOk("dst", dst), regOk("src", src));
        }
      }
      if (!offOk) return `opcode ${hex}: invalid offset ${off} for this operation`;
      if (x) return first(regOk("dst", dst), regOk("src", src), zero("imm", imm));
      return first(regOk("dst", dst), zero("src", src));
    }

    case BPF_JMP:
    case BPF_JMP32: {
      const op = insnOp(code);
      const x = insnSource(code) === BPF_X;
      if (op === BPF_JA) {
        if (x) return `opcode ${hex}: ja has no register form`;
        if (cls === BPF_JMP) return first(zero("dst", dst), zero("src", src), zero("imm", imm));
        return first(zero("dst", dst), zero("src", src), zero("off", off));
      }
      if (op === BPF_CALL || op === BPF_EXIT) {
        if (cls === BPF_JMP32) return `opcode ${hex}: ${op === BPF_CALL ? "call" : "exit"} is JMP-class only`;
        if (x) return `opcode ${hex}: ${op === BPF_CALL ? "call" : "exit"} has no register form`;
        if (op === BPF_EXIT) return first(zero("dst", dst), zero("src", src), zero("off", off), zero("imm", imm));
        if (src > BPF_PSEUDO_KFUNC_CALL) return `opcode ${hex}: call src ${src} is not a call kind (0, 1 or 2)`;
        if (linux && src === BPF_PSEUDO_KFUNC_CALL) return zero("dst", dst);
        return first(zero("dst", dst), zero("off", off));
      }
      if (op === BPF_JCOND) {
        if (linux && cls === BPF_JMP && !x && src === BPF_MAY_GOTO) return first(zero("dst", dst), zero("imm", imm));
        return `opcode ${hex}: unknown jump operation`;
      }
      if (op > BPF_JCOND) return `opcode ${hex}: unknown jump operation`;
      if (x) return first(regOk("dst", dst), regOk("src", src), zero("imm", imm));
      return first(regOk("dst", dst), zero("src", src));
    }

    case BPF_LD: {
      const mode = insnMode(code);
      const size = insnSize(code);
      if (mode === BPF_IMM && size === BPF_DW) {
        if (src > BPF_PSEUDO_MAP_IDX_VALUE) return `opcode ${hex}: lddw src ${src} is not a pseudo kind (0..6)`;
        return first(regOk("dst", dst), zero("off", off));
      }
      if ((mode === BPF_ABS || mode === BPF_IND) && size !== BPF_DW) {
        return first(zero("dst", dst), mode === BPF_ABS ? zero("src", src) : regOk("src", src), zero("off", off));
      }
      return `opcode ${hex}: invalid LD-class opcode`;
    }

    case BPF_LDX: {
      const mode = insnMode(code);
      if (mode === BPF_MEM || (mode === BPF_MEMSX && insnSize(code) !== BPF_DW)) {
        return first(regOk("dst", dst), regOk("src", src), zero("imm", imm));
      }
      return `opcode ${hex}: invalid LDX-class opcode`;
    }

    case BPF_ST:
      if (insnMode(code) !== BPF_MEM) return `opcode ${hex}: invalid ST-class opcode`;
      return first(regOk("dst", dst), zero("src", src));

    case BPF_STX: {
      const mode = insnMode(code);
      const size = insnSize(code);
      if (mode === BPF_MEM) return first(regOk("dst", dst), regOk("src", src), zero("imm", imm));
      if (mode !== BPF_ATOMIC) return `opcode ${hex}: invalid STX-class opcode`;
      const regs = first(regOk("dst", dst), regOk("src", src));
      if (linux && (imm === BPF_LOAD_ACQ || imm === BPF_STORE_REL)) return regs;
      if (size !== BPF_W && size !== BPF_DW) return `opcode ${hex}: atomic operations are 32 or 64 bits`;
      const base = imm & ~BPF_FETCH;
      if (FETCHABLE.has(base) || imm === BPF_XCHG || imm === BPF_CMPXCHG) return regs;
      return `opcode ${hex}: unknown atomic operation 0x${(imm >>> 0).toString(16)}`;
    }
  }
  return `opcode ${hex}: unknown class`;
}

/** Checks every instruction; returns the problems found (empty when the program is well-formed). */
export function validateInstructions(insns: readonly Instruction[], opts: ValidateOptions = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  let slot = 0;
  insns.forEach((insn, index) => {
    const message = checkInstruction(insn, opts);
    if (message !== undefined) problems.push({ index, slot, message });
    slot += isLddw(insn) ? 2 : 1;
  });
  return problems;
}
