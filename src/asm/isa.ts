/**
 * Instruction-set versions (clang's `-mcpu=v1…v4`): which version an instruction needs, and the
 * Linux release that first accepts each version.
 *
 * - v1: the original eBPF instructions (Linux 3.18 and later).
 * - v2: the "less than" jumps `jlt`, `jle`, `jslt`, `jsle` (Linux 4.14).
 * - v3: the JMP32 class (32-bit compares) and, in the kernel, 32-bit `arsh` (Linux 5.1);
 *   atomics other than `lock add` (fetch variants, and/or/xor, xchg, cmpxchg) need Linux 5.12.
 * - v4: signed division and modulo (`sdiv`, `smod`), sign-extending loads (`ldsx`) and moves
 *   (`movsx`), unconditional byte swaps (`bswap`) and the 32-bit offset jump `gotol` (Linux 6.6).
 */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_DIV,
  BPF_END,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LDX,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_STX,
  insnClass,
  insnMode,
  insnOp,
} from "./opcodes.js";
import type { Instruction } from "./instruction.js";

/** An instruction-set version, 1 to 4. */
export type IsaVersion = 1 | 2 | 3 | 4;

/** The first Linux release whose verifier accepts every instruction of each version. */
export const ISA_KERNEL: Readonly<Record<IsaVersion, string>> = { 1: "3.18", 2: "4.14", 3: "5.1", 4: "6.6" };

/** The lowest instruction-set version that has `insn`. */
export function instructionIsa(insn: Pick<Instruction, "code" | "off" | "imm">): IsaVersion {
  const cls = insnClass(insn.code);
  const op = insnOp(insn.code);
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      if ((op === BPF_DIV || op === BPF_MOD) && insn.off !== 0) return 4; // sdiv / smod
      if (op === BPF_MOV && insn.off !== 0 && insn.off !== 1) return 4; // movsx (off 1 is arena's cast)
      if (op === BPF_END && cls === BPF_ALU64) return 4; // bswap
      if (op === BPF_ARSH && cls === BPF_ALU) return 3;
      return 1;
    case BPF_LDX:
      return insnMode(insn.code) === BPF_MEMSX ? 4 : 1;
    case BPF_STX:
      // `lock add` (BPF_XADD) is v1; every other atomic came with the atomics extension.
      return insnMode(insn.code) === BPF_ATOMIC && insn.imm !== BPF_ADD ? 3 : 1;
    case BPF_JMP32:
      return op === 0 ? 4 : 3; // JMP32|JA is gotol
    case BPF_JMP:
      return op === BPF_JLT || op === BPF_JLE || op === BPF_JSLT || op === BPF_JSLE ? 2 : 1;
    default:
      return 1;
  }
}
