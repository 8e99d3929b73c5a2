/**
 * BPF instruction-set constants (RFC 9669, ISA v1–v4, plus the few Linux
 * extensions the kernel verifier accepts today).
 *
 * An opcode byte is `class | size | mode` for loads/stores and
 * `class | op | source` for arithmetic and jumps. The values below are the
 * kernel UAPI values (linux/bpf_common.h, linux/bpf.h) so code ported from C
 * reads the same: `BPF_ALU64 | BPF_ADD | BPF_K`.
 */

// ---- instruction classes (low 3 bits) ----
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// ---- load/store sizes (bits 3-4) ----
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// ---- load/store modes (bits 5-7) ----
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

// ---- ALU operations (bits 4-7) ----
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

// ---- jump operations (bits 4-7) ----
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** Linux extension: conditional pseudo-jump (`may_goto` when src = BPF_MAY_GOTO). */
export const BPF_JCOND = 0xe0;

// ---- operand source (bit 3) ----
export const BPF_K = 0x00;
export const BPF_X = 0x08;
/** For BPF_END in the ALU class, the source bit selects the target byte order. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

// ---- atomic operations (in imm of STX|ATOMIC) ----
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
/** Linux 6.15+: load-acquire / store-release (B/H/W/DW). Not part of RFC 9669. */
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

// ---- src_reg values of lddw (BPF_LD | BPF_IMM | BPF_DW) ----
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

// ---- src_reg values of call ----
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

// ---- other Linux-specific encodings ----
/** src_reg of JMP|JCOND meaning `may_goto`. */
export const BPF_MAY_GOTO = 0;
/** off of ALU64|MOV|X meaning addr_space_cast (arena pointers); imm = dst_as << 16 | src_as. */
export const BPF_ADDR_SPACE_CAST = 1;

/** The full opcode of the two-slot 64-bit immediate load. */
export const BPF_LDDW = BPF_LD | BPF_IMM | BPF_DW;

// ---- field extraction ----
export const insnClass = (code: number): number => code & 0x07;
export const insnSize = (code: number): number => code & 0x18;
export const insnMode = (code: number): number => code & 0xe0;
export const insnOp = (code: number): number => code & 0xf0;
export const insnSource = (code: number): number => code & 0x08;

// ---- grouped views, for typed APIs ----
export const Class = {
  LD: BPF_LD,
  LDX: BPF_LDX,
  ST: BPF_ST,
  STX: BPF_STX,
  ALU: BPF_ALU,
  JMP: BPF_JMP,
  JMP32: BPF_JMP32,
  ALU64: BPF_ALU64,
} as const;

export const Size = { W: BPF_W, H: BPF_H, B: BPF_B, DW: BPF_DW } as const;
/** One of the four load/store size encodings. */
export type Size = (typeof Size)[keyof typeof Size];

export const Mode = {
  IMM: BPF_IMM,
  ABS: BPF_ABS,
  IND: BPF_IND,
  MEM: BPF_MEM,
  MEMSX: BPF_MEMSX,
  ATOMIC: BPF_ATOMIC,
} as const;

export const AluOp = {
  ADD: BPF_ADD,
  SUB: BPF_SUB,
  MUL: BPF_MUL,
  DIV: BPF_DIV,
  OR: BPF_OR,
  AND: BPF_AND,
  LSH: BPF_LSH,
  RSH: BPF_RSH,
  NEG: BPF_NEG,
  MOD: BPF_MOD,
  XOR: BPF_XOR,
  MOV: BPF_MOV,
  ARSH: BPF_ARSH,
  END: BPF_END,
} as const;

export const JmpOp = {
  JA: BPF_JA,
  JEQ: BPF_JEQ,
  JGT: BPF_JGT,
  JGE: BPF_JGE,
  JSET: BPF_JSET,
  JNE: BPF_JNE,
  JSGT: BPF_JSGT,
  JSGE: BPF_JSGE,
  CALL: BPF_CALL,
  EXIT: BPF_EXIT,
  JLT: BPF_JLT,
  JLE: BPF_JLE,
  JSLT: BPF_JSLT,
  JSLE: BPF_JSLE,
  JCOND: BPF_JCOND,
} as const;

export const Source = { K: BPF_K, X: BPF_X } as const;

export const AtomicOp = {
  ADD: BPF_ADD,
  OR: BPF_OR,
  AND: BPF_AND,
  XOR: BPF_XOR,
  FETCH_ADD: BPF_ADD | BPF_FETCH,
  FETCH_OR: BPF_OR | BPF_FETCH,
  FETCH_AND: BPF_AND | BPF_FETCH,
  FETCH_XOR: BPF_XOR | BPF_FETCH,
  XCHG: BPF_XCHG,
  CMPXCHG: BPF_CMPXCHG,
  LOAD_ACQ: BPF_LOAD_ACQ,
  STORE_REL: BPF_STORE_REL,
} as const;

export const PseudoLd = {
  MAP_FD: BPF_PSEUDO_MAP_FD,
  MAP_VALUE: BPF_PSEUDO_MAP_VALUE,
  BTF_ID: BPF_PSEUDO_BTF_ID,
  FUNC: BPF_PSEUDO_FUNC,
  MAP_IDX: BPF_PSEUDO_MAP_IDX,
  MAP_IDX_VALUE: BPF_PSEUDO_MAP_IDX_VALUE,
} as const;

export const PseudoCall = {
  CALL: BPF_PSEUDO_CALL,
  KFUNC_CALL: BPF_PSEUDO_KFUNC_CALL,
} as const;

// ---- registers ----

/** A BPF register by name. r10 is the read-only frame pointer. */
export type Register = "r0" | "r1" | "r2" | "r3" | "r4" | "r5" | "r6" | "r7" | "r8" | "r9" | "r10";

export const R0 = "r0" as const;
export const R1 = "r1" as const;
export const R2 = "r2" as const;
export const R3 = "r3" as const;
export const R4 = "r4" as const;
export const R5 = "r5" as const;
export const R6 = "r6" as const;
export const R7 = "r7" as const;
export const R8 = "r8" as const;
export const R9 = "r9" as const;
export const R10 = "r10" as const;
/** Alias of r10. */
export const FP = R10;

const REGISTER_NAMES: readonly Register[] = [R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10];

export function isRegister(value: unknown): value is Register {
  return typeof value === "string" && (REGISTER_NAMES as readonly string[]).includes(value);
}

/** The register number (0..10) of a register name; throws for anything else. */
export function regIndex(reg: Register): number {
  const n = REGISTER_NAMES.indexOf(reg);
  if (n < 0) throw new TypeError(`not a BPF register: ${String(reg)} (expected r0..r10)`);
  return n;
}

/** The register name of a register number 0..10. */
export function reg(index: number): Register {
  const r = REGISTER_NAMES[index];
  if (r === undefined || !Number.isInteger(index))
    throw new RangeError(`not a BPF register number: ${index} (expected 0..10)`);
  return r;
}
