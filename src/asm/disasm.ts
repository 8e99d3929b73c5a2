/**
 * Disassembler printing the kernel verifier's syntax (kernel/bpf/disasm.c,
 * as seen in the verifier log and `bpftool prog dump xlated`):
 *
 *   r0 = *(u16 *)(r1 +12)        *(u32 *)(r10 -4) = r1      w0 += 1
 *   if r1 == 0x800 goto pc+3     r0 = be16 r0               r0 s/= r1
 *   call bpf_map_lookup_elem#1   call pc+5                  gotol pc+70000
 *   lock *(u64 *)(r1 +0) += r2   r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)
 *
 * Where the kernel asks a callback (lddw values, call names) the defaults
 * follow bpftool, with fds instead of map ids because a program that is not
 * loaded yet has no ids: `r1 = map[fd:5]`, `r1 = map[fd:5][0]+16`,
 * `r2 = subprog[+4]`; other 64-bit immediates print as `r1 = 0x1234`
 * (the kernel has no `ll` suffix). Encodings the kernel's tables do not name
 * print as the kernel would print them: `BUG_ld_60`, or `(null)` for a
 * missing operator string. One addition: the non-kernel `callx` (0x8d, used by
 * the conformance suite) prints as `callx r2`.
 */
import { helperName } from "./helpers.js";
import { decode, lddwValue, slotCount, type Instruction } from "./instruction.js";
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
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STORE_REL,
  BPF_STX,
  BPF_TO_BE,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  insnClass,
  insnMode,
  insnOp,
  insnSize,
  insnSource,
} from "./opcodes.js";

export interface DisasmOptions {
  /** Text for an lddw's value (the kernel's cb_imm); return undefined for the default. */
  imm?: (insn: Instruction, value: bigint) => string | undefined;
  /** Name of a call target (the kernel's cb_call); return undefined for the default. */
  call?: (insn: Instruction) => string | undefined;
}

const NULL = "(null)";

const ALU_OPS: Record<number, string> = {
  0x00: "+=",
  0x10: "-=",
  0x20: "*=",
  0x30: "/=",
  0x40: "|=",
  0x50: "&=",
  0x60: "<<=",
  0x70: ">>=",
  0x80: "neg",
  0x90: "%=",
  0xa0: "^=",
  0xb0: "=",
  0xc0: "s>>=",
  0xd0: "endian",
};
const ALU_SIGNED_OPS: Record<number, string> = { [BPF_DIV]: "s/=", [BPF_MOD]: "s%=" };
const MOVSX_CASTS: Record<number, string> = { 8: "(s8)", 16: "(s16)", 32: "(s32)" };
const ATOMIC_ALU_NAMES: Record<number, string> = {
  [BPF_ADD]: "add",
  [BPF_AND]: "and",
  [BPF_OR]: "or",
  [BPF_XOR]: "xor",
};
const LDST_SIZES: Record<number, string> = { 0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64" };
const LDSX_SIZES: Record<number, string> = { 0x00: "s32", 0x08: "s16", 0x10: "s8" };
const JMP_OPS: Record<number, string> = {
  0x00: "jmp",
  0x10: "==",
  0x20: ">",
  0x30: ">=",
  0x40: "&",
  0x50: "!=",
  0x60: "s>",
  0x70: "s>=",
  0x80: "call",
  0x90: "exit",
  0xa0: "<",
  0xb0: "<=",
  0xc0: "s<",
  0xd0: "s<=",
};

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");
/** printf "%+d" */
const signed = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);
/** printf "0x%x" of a u32 */
const hexU32 = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function defaultImm(insn: Instruction, value: bigint): string {
  const lo = insn.imm >>> 0;
  const hi = Number(value >> 32n);
  switch (insn.src) {
    case BPF_PSEUDO_MAP_FD:
      return `map[fd:${lo}]`;
    case BPF_PSEUDO_MAP_VALUE:
      return `map[fd:${lo}][0]+${hi}`;
    case BPF_PSEUDO_MAP_IDX:
      return `map[idx:${lo}]`;
    case BPF_PSEUDO_MAP_IDX_VALUE:
      return `map[idx:${lo}][0]+${hi}`;
    case BPF_PSEUDO_FUNC:
      return `subprog[${signed(insn.imm)}]`;
    default:
      return `0x${value.toString(16)}`;
  }
}

function callName(insn: Instruction, opts: DisasmOptions | undefined): string {
  if (insn.src === 0) {
    const name = helperName(insn.imm);
    if (name !== undefined) return name;
  }
  const custom = opts?.call?.(insn);
  if (custom !== undefined) return custom;
  if (insn.src === BPF_PSEUDO_CALL) return signed(insn.imm);
  if (insn.src === BPF_PSEUDO_KFUNC_CALL) return "kernel-function";
  return "unknown";
}

function aluText(insn: Instruction): string {
  const cls = insnClass(insn.code);
  const op = insnOp(insn.code);
  const w = cls === BPF_ALU ? "w" : "r";
  if (op === BPF_END) {
    if (cls === BPF_ALU64) return `r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
    return `r${insn.dst} = ${insnSource(insn.code) === BPF_TO_BE ? "be" : "le"}${insn.imm} r${insn.dst}`;
  }
  if (op === BPF_NEG) return `${w}${insn.dst} = -${w}${insn.dst}`;
  if (insn.code === (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off === BPF_ADDR_SPACE_CAST) {
    return `r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
  }
  if (insn.code === (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off === -1) {
    // Internal-only form the verifier emits for per-CPU addresses; shows up in xlated dumps.
    return `r${insn.dst} = &(void __percpu *)(r${insn.src})`;
  }
  const sdivSmod = (op === BPF_DIV || op === BPF_MOD) && insn.off === 1;
  const opText = (sdivSmod ? ALU_SIGNED_OPS[op] : ALU_OPS[op]) ?? NULL;
  if (insnSource(insn.code) === BPF_X) {
    const cast = op === BPF_MOV ? (MOVSX_CASTS[insn.off] ?? "") : "";
    return `${w}${insn.dst} ${opText} ${cast}${w}${insn.src}`;
  }
  return `${w}${insn.dst} ${opText} ${insn.imm}`;
}

function stxText(insn: Instruction): string {
  const size = LDST_SIZES[insnSize(insn.code)]!;
  const mode = insnMode(insn.code);
  const mem = `(${size} *)(r${insn.dst} ${signed(insn.off)})`;
  if (mode === BPF_MEM) return `*${mem} = r${insn.src}`;
  if (mode !== BPF_ATOMIC) return `BUG_${hex2(insn.code)}`;
  const bits = insnSize(insn.code) === BPF_DW ? "64" : "";
  const imm = insn.imm;
  const aluOp = imm & 0xf0;
  if (imm === BPF_ADD || imm === BPF_AND || imm === BPF_OR || imm === BPF_XOR) {
    return `lock *${mem} ${ALU_OPS[aluOp]} r${insn.src}`;
  }
  if (
    imm === (BPF_ADD | BPF_FETCH) ||
    imm === (BPF_AND | BPF_FETCH) ||
    imm === (BPF_OR | BPF_FETCH) ||
    imm === (BPF_XOR | BPF_FETCH)
  ) {
    return `r${insn.src} = atomic${bits}_fetch_${ATOMIC_ALU_NAMES[aluOp]}(${mem}, r${insn.src})`;
  }
  if (imm === BPF_CMPXCHG) return `r0 = atomic${bits}_cmpxchg(${mem}, r0, r${insn.src})`;
  if (imm === BPF_XCHG) return `r${insn.src} = atomic${bits}_xchg(${mem}, r${insn.src})`;
  if (imm === BPF_LOAD_ACQ) return `r${insn.dst} = load_acquire((${size} *)(r${insn.src} ${signed(insn.off)}))`;
  if (imm === BPF_STORE_REL) return `store_release(${mem}, r${insn.src})`;
  return `BUG_${hex2(insn.code)}`;
}

function jmpText(insn: Instruction, opts: DisasmOptions | undefined): string {
  const cls = insnClass(insn.code);
  const op = insnOp(insn.code);
  if (op === BPF_CALL) {
    if (insn.code === (BPF_JMP | BPF_CALL | BPF_X) && insn.imm === 0 && insn.src === 0) return `callx r${insn.dst}`;
    if (insn.src === BPF_PSEUDO_CALL) return `call pc${callName(insn, opts)}`;
    return `call ${callName(insn, opts)}#${insn.imm}`;
  }
  if (insn.code === (BPF_JMP | BPF_JA)) return `goto pc${signed(insn.off)}`;
  if (insn.code === (BPF_JMP | BPF_JA | BPF_X)) return `gotox r${insn.dst}`;
  if (insn.code === (BPF_JMP | BPF_JCOND) && insn.src === BPF_MAY_GOTO) return `may_goto pc${signed(insn.off)}`;
  if (insn.code === (BPF_JMP32 | BPF_JA)) return `gotol pc${signed(insn.imm)}`;
  if (insn.code === (BPF_JMP | BPF_EXIT)) return "exit";
  const w = cls === BPF_JMP32 ? "w" : "r";
  const opText = JMP_OPS[op] ?? NULL;
  if (insnSource(insn.code) === BPF_X) return `if ${w}${insn.dst} ${opText} ${w}${insn.src} goto pc${signed(insn.off)}`;
  return `if ${w}${insn.dst} ${opText} ${hexU32(insn.imm)} goto pc${signed(insn.off)}`;
}

/** The kernel's text for one instruction, without the `(code)` prefix: `r0 = *(u16 *)(r1 +12)`. */
export function insnText(insn: Instruction, opts?: DisasmOptions): string {
  const cls = insnClass(insn.code);
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      return aluText(insn);
    case BPF_STX:
      return stxText(insn);
    case BPF_ST: {
      const mode = insnMode(insn.code);
      if (mode === BPF_MEM) {
        return `*(${LDST_SIZES[insnSize(insn.code)]} *)(r${insn.dst} ${signed(insn.off)}) = ${insn.imm}`;
      }
      // 0xc0 in the ST class is the verifier's internal speculation barrier.
      if (mode === 0xc0) return "nospec";
      return `BUG_st_${hex2(insn.code)}`;
    }
    case BPF_LDX: {
      const mode = insnMode(insn.code);
      if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BUG_ldx_${hex2(insn.code)}`;
      const size = (mode === BPF_MEM ? LDST_SIZES : LDSX_SIZES)[insnSize(insn.code)] ?? NULL;
      return `r${insn.dst} = *(${size} *)(r${insn.src} ${signed(insn.off)})`;
    }
    case BPF_LD: {
      const mode = insnMode(insn.code);
      const size = LDST_SIZES[insnSize(insn.code)]!;
      if (mode === BPF_ABS) return `r0 = *(${size} *)skb[${insn.imm}]`;
      if (mode === BPF_IND) return `r0 = *(${size} *)skb[r${insn.src} + ${insn.imm}]`;
      if (mode === BPF_IMM && insnSize(insn.code) === BPF_DW) {
        const value = lddwValue(insn);
        return `r${insn.dst} = ${opts?.imm?.(insn, value) ?? defaultImm(insn, value)}`;
      }
      return `BUG_ld_${hex2(insn.code)}`;
    }
    default:
      return jmpText(insn, opts);
  }
}

/** One verifier-log line: `0: (b7) r0 = 0`. `index` is the slot number. */
export function formatInsn(insn: Instruction, index: number, opts?: DisasmOptions): string {
  return `${index}: (${hex2(insn.code)}) ${insnText(insn, opts)}`;
}

function toInsns(input: readonly Instruction[] | Uint8Array): readonly Instruction[] {
  return input instanceof Uint8Array ? decode(input) : input;
}

/** One text per instruction (lddw once), kernel syntax without prefixes. */
export function disassemble(input: readonly Instruction[] | Uint8Array, opts?: DisasmOptions): string[] {
  return toInsns(input).map((insn) => insnText(insn, opts));
}

/** Numbered listing like the verifier log: `0: (18) r1 = map[fd:3]`, `2: (85) call bpf_map_lookup_elem#1`. */
export function listing(input: readonly Instruction[] | Uint8Array, opts?: DisasmOptions): string[] {
  const lines: string[] = [];
  let slot = 0;
  for (const insn of toInsns(input)) {
    lines.push(formatInsn(insn, slot, opts));
    slot += slotCount(insn);
  }
  return lines;
}
