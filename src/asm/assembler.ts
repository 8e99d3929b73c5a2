/**
 * A typed builder for BPF programs.
 *
 *   const a = new Assembler();
 *   a.ldx(Size.H, R0, R1, 12);
 *   a.jeq(R0, 0x0800, "ipv4");
 *   a.mov64(R0, 0).exit();
 *   a.label("ipv4");
 *   a.mov64(R0, 1).exit();
 *   const prog = a.assemble();
 *
 * Conventions:
 * - A source operand is a `Register` ("r0".."r10") or a number (32-bit
 *   immediate; 0x80000000..0xffffffff are stored as their two's complement,
 *   and 64-bit operations sign-extend imm — use `lddw` for 64-bit constants).
 * - Operand order follows the kernel's insn macros (BPF_LDX_MEM(size, dst, src,
 *   off), BPF_STX_MEM(size, dst, src, off), BPF_ST_MEM(size, dst, off, imm),
 *   BPF_ATOMIC_OP(size, op, dst, src, off)).
 * - A jump target is a label name, or a number meaning a raw pc-relative offset.
 * - Labels are resolved in `assemble()`, after layout, counting 8-byte slots
 *   (lddw is two slots). Unknown, duplicate and out-of-range labels throw
 *   an AsmError that names the label.
 */
import { AsmError } from "./errors.js";
import { helperId, type HelperName } from "./helpers.js";
import { encode, lddwInsn, slotCount, toS16, toS32, type Instruction } from "./instruction.js";
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ADDR_SPACE_CAST,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_B,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_H,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JCOND,
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
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LOAD_ACQ,
  BPF_LSH,
  BPF_MAY_GOTO,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_RSH,
  BPF_ST,
  BPF_STORE_REL,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  regIndex,
  type Register,
  type Size,
} from "./opcodes.js";

export type Label = string;
/** A label name, or a number taken as a raw pc-relative offset (in slots, from the next instruction). */
export type JumpTarget = Label | number;
/** A register, or a 32-bit immediate. */
export type Operand = Register | number;
/** A map given by fd, or any object carrying its fd (a map handle). */
export type MapRef = number | { readonly fd: number };
/** A helper given by name (with or without `bpf_`) or by id. */
export type HelperRef = HelperName | `bpf_${HelperName}` | number | (string & {});

export interface FunctionInfo {
  name: string;
  /** Start of the function, in 8-byte slots. */
  insnOffset: number;
}

export interface LineInfo {
  /** Instruction the line applies to, in 8-byte slots. */
  insnOffset: number;
  file: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column (0 = unknown). */
  column: number;
  /** The source line's text. */
  text: string;
}

export interface AssembledProgram {
  /** Instructions, lddw as one entry. */
  insns: Instruction[];
  /** Wire encoding: 8 bytes per slot, little-endian. */
  bytes: Buffer;
  /** Function starts sorted by offset; the first is the main function at offset 0. */
  functions: FunctionInfo[];
  /** Source positions, sorted by offset. */
  lines: LineInfo[];
  /** Every label and the slot it points at. */
  labels: ReadonlyMap<string, number>;
}

type FixupKind = "jump16" | "jump32" | "call" | "func";

interface Entry {
  insn: Instruction;
  slot: number;
  fixup?: { label: Label; kind: FixupKind };
}

const ATOMIC_SIZES = new Set<number>([BPF_W, BPF_DW]);
const SIZE_NAMES: Record<number, string> = { [BPF_W]: "W", [BPF_H]: "H", [BPF_B]: "B", [BPF_DW]: "DW" };

function checkSize(size: Size, what: string, allowed?: ReadonlySet<number>): void {
  if (SIZE_NAMES[size] === undefined || (allowed !== undefined && !allowed.has(size))) {
    throw new AsmError(`${what}: invalid size 0x${Number(size).toString(16)}`);
  }
}

function imm32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new AsmError(`${what}: immediate ${value} does not fit 32 bits`);
  }
  return toS32(value);
}

function off16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
    throw new AsmError(`${what}: offset ${value} does not fit a signed 16-bit field`);
  }
  return value;
}

function fdOf(map: MapRef, what: string): number {
  const fd = typeof map === "number" ? map : map.fd;
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) throw new AsmError(`${what}: invalid map fd ${fd}`);
  return fd;
}

export class Assembler {
  private readonly entries: Entry[] = [];
  private readonly labelSlots = new Map<string, number>();
  private readonly funcStarts: FunctionInfo[] = [];
  private readonly lineInfos: LineInfo[] = [];
  private pendingLine: Omit<LineInfo, "insnOffset"> | undefined;
  private slots = 0;

  /** Current position in 8-byte slots (where the next instruction goes). */
  get pc(): number {
    return this.slots;
  }

  /** Number of instructions emitted so far (lddw counts once). */
  get length(): number {
    return this.entries.length;
  }

  // ---------------------------------------------------------------- structure

  /** Defines a label at the current position. */
  label(name: Label): this {
    if (typeof name !== "string" || name.length === 0) throw new AsmError(`label name must be a non-empty string`);
    const prev = this.labelSlots.get(name);
    if (prev !== undefined) {
      throw new AsmError(`duplicate label "${name}" (first defined at slot ${prev}, again at slot ${this.slots})`, {
        label: name,
      });
    }
    this.labelSlots.set(name, this.slots);
    return this;
  }

  /**
   * Starts a function (BTF func_info) at the current position and defines a
   * label of the same name, so `callLocal(name)` reaches it. Code before the
   * first `func()` belongs to the main function.
   */
  func(name: string): this {
    const clash = this.funcStarts.find((f) => f.insnOffset === this.slots);
    if (clash)
      throw new AsmError(`function "${name}" starts where "${clash.name}" starts (slot ${this.slots})`, {
        label: name,
      });
    this.label(name);
    this.funcStarts.push({ name, insnOffset: this.slots });
    return this;
  }

  /**
   * Attaches a source position (BTF line_info) to the next emitted instruction.
   * A later call before that instruction replaces it; one left pending at the end is dropped.
   */
  line(file: string, line: number, column: number, text: string): this {
    this.pendingLine = { file, line, column, text };
    return this;
  }

  /** Appends instructions as they are (no label fixups). */
  raw(...insns: Instruction[]): this {
    for (const insn of insns) this.push({ ...insn });
    return this;
  }

  /** Alias of `raw` for a single instruction. */
  emit(insn: Instruction): this {
    return this.raw(insn);
  }

  private push(insn: Instruction, fixup?: Entry["fixup"]): this {
    const entry: Entry = { insn, slot: this.slots };
    if (fixup) entry.fixup = fixup;
    this.entries.push(entry);
    if (this.pendingLine) {
      this.lineInfos.push({ insnOffset: this.slots, ...this.pendingLine });
      this.pendingLine = undefined;
    }
    this.slots += slotCount(insn);
    return this;
  }

  private one(code: number, dst: number, src: number, off: number, imm: number): Instruction {
    return { code, dst, src, off: toS16(off), imm: toS32(imm) };
  }

  // ---------------------------------------------------------------- ALU

  /** Generic ALU op: `op` is BPF_ADD..BPF_ARSH, class BPF_ALU (32-bit) or BPF_ALU64. `off` selects variants (sdiv/smod = 1, movsx = 8/16/32). */
  alu(cls: typeof BPF_ALU | typeof BPF_ALU64, op: number, dst: Register, src: Operand, off = 0): this {
    const what = `${cls === BPF_ALU ? "alu32" : "alu64"} op 0x${op.toString(16)}`;
    const d = regIndex(dst);
    if (typeof src === "string") return this.push(this.one(cls | op | BPF_X, d, regIndex(src), off, 0));
    return this.push(this.one(cls | op | BPF_K, d, 0, off, imm32(src, what)));
  }

  /** 64-bit ALU op by opcode (see `alu`). */
  alu64(op: number, dst: Register, src: Operand, off = 0): this {
    return this.alu(BPF_ALU64, op, dst, src, off);
  }

  /** 32-bit ALU op by opcode (see `alu`); the result is zero-extended to 64 bits. */
  alu32(op: number, dst: Register, src: Operand, off = 0): this {
    return this.alu(BPF_ALU, op, dst, src, off);
  }

  add64(dst: Register, src: Operand): this {
    return this.alu64(BPF_ADD, dst, src);
  }
  sub64(dst: Register, src: Operand): this {
    return this.alu64(BPF_SUB, dst, src);
  }
  mul64(dst: Register, src: Operand): this {
    return this.alu64(BPF_MUL, dst, src);
  }
  div64(dst: Register, src: Operand): this {
    return this.alu64(BPF_DIV, dst, src);
  }
  sdiv64(dst: Register, src: Operand): this {
    return this.alu64(BPF_DIV, dst, src, 1);
  }
  mod64(dst: Register, src: Operand): this {
    return this.alu64(BPF_MOD, dst, src);
  }
  smod64(dst: Register, src: Operand): this {
    return this.alu64(BPF_MOD, dst, src, 1);
  }
  or64(dst: Register, src: Operand): this {
    return this.alu64(BPF_OR, dst, src);
  }
  and64(dst: Register, src: Operand): this {
    return this.alu64(BPF_AND, dst, src);
  }
  xor64(dst: Register, src: Operand): this {
    return this.alu64(BPF_XOR, dst, src);
  }
  lsh64(dst: Register, src: Operand): this {
    return this.alu64(BPF_LSH, dst, src);
  }
  rsh64(dst: Register, src: Operand): this {
    return this.alu64(BPF_RSH, dst, src);
  }
  arsh64(dst: Register, src: Operand): this {
    return this.alu64(BPF_ARSH, dst, src);
  }
  mov64(dst: Register, src: Operand): this {
    return this.alu64(BPF_MOV, dst, src);
  }
  neg64(dst: Register): this {
    return this.push(this.one(BPF_ALU64 | BPF_NEG | BPF_K, regIndex(dst), 0, 0, 0));
  }

  add32(dst: Register, src: Operand): this {
    return this.alu32(BPF_ADD, dst, src);
  }
  sub32(dst: Register, src: Operand): this {
    return this.alu32(BPF_SUB, dst, src);
  }
  mul32(dst: Register, src: Operand): this {
    return this.alu32(BPF_MUL, dst, src);
  }
  div32(dst: Register, src: Operand): this {
    return this.alu32(BPF_DIV, dst, src);
  }
  sdiv32(dst: Register, src: Operand): this {
    return this.alu32(BPF_DIV, dst, src, 1);
  }
  mod32(dst: Register, src: Operand): this {
    return this.alu32(BPF_MOD, dst, src);
  }
  smod32(dst: Register, src: Operand): this {
    return this.alu32(BPF_MOD, dst, src, 1);
  }
  or32(dst: Register, src: Operand): this {
    return this.alu32(BPF_OR, dst, src);
  }
  and32(dst: Register, src: Operand): this {
    return this.alu32(BPF_AND, dst, src);
  }
  xor32(dst: Register, src: Operand): this {
    return this.alu32(BPF_XOR, dst, src);
  }
  lsh32(dst: Register, src: Operand): this {
    return this.alu32(BPF_LSH, dst, src);
  }
  rsh32(dst: Register, src: Operand): this {
    return this.alu32(BPF_RSH, dst, src);
  }
  arsh32(dst: Register, src: Operand): this {
    return this.alu32(BPF_ARSH, dst, src);
  }
  mov32(dst: Register, src: Operand): this {
    return this.alu32(BPF_MOV, dst, src);
  }
  neg32(dst: Register): this {
    return this.push(this.one(BPF_ALU | BPF_NEG | BPF_K, regIndex(dst), 0, 0, 0));
  }

  /** dst = (s8|s16|s32) src, sign-extended to 64 bits. */
  movsx64(dst: Register, src: Register, bits: 8 | 16 | 32): this {
    if (bits !== 8 && bits !== 16 && bits !== 32) throw new AsmError(`movsx64: bits must be 8, 16 or 32, got ${bits}`);
    return this.push(this.one(BPF_ALU64 | BPF_MOV | BPF_X, regIndex(dst), regIndex(src), bits, 0));
  }

  /** w_dst = (s8|s16) w_src, sign-extended to 32 bits, upper 32 bits zeroed. */
  movsx32(dst: Register, src: Register, bits: 8 | 16): this {
    if (bits !== 8 && bits !== 16) throw new AsmError(`movsx32: bits must be 8 or 16, got ${bits}`);
    return this.push(this.one(BPF_ALU | BPF_MOV | BPF_X, regIndex(dst), regIndex(src), bits, 0));
  }

  /** Convert dst from host to little-endian, truncating to `bits` (a no-op swap on x86/arm64, still truncates). */
  le(dst: Register, bits: 16 | 32 | 64): this {
    return this.endian(BPF_ALU | BPF_END | BPF_TO_LE, dst, bits, "le");
  }

  /** Convert dst from host to big-endian (network order), truncating to `bits`. */
  be(dst: Register, bits: 16 | 32 | 64): this {
    return this.endian(BPF_ALU | BPF_END | BPF_TO_BE, dst, bits, "be");
  }

  /** Unconditional byte swap of the low `bits` of dst (ISA v4). */
  bswap(dst: Register, bits: 16 | 32 | 64): this {
    return this.endian(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, bits, "bswap");
  }

  private endian(code: number, dst: Register, bits: number, what: string): this {
    if (bits !== 16 && bits !== 32 && bits !== 64)
      throw new AsmError(`${what}: width must be 16, 32 or 64, got ${bits}`);
    return this.push(this.one(code, regIndex(dst), 0, 0, bits));
  }

  /** Arena pointer cast: dst = addr_space_cast(src, dstAs, srcAs) (Linux 6.9+). */
  addrSpaceCast(dst: Register, src: Register, dstAs: number, srcAs: number): this {
    if (
      !Number.isInteger(dstAs) ||
      dstAs < 0 ||
      dstAs > 0xffff ||
      !Number.isInteger(srcAs) ||
      srcAs < 0 ||
      srcAs > 0xffff
    ) {
      throw new AsmError(`addrSpaceCast: address spaces must be 0..65535`);
    }
    return this.push(
      this.one(BPF_ALU64 | BPF_MOV | BPF_X, regIndex(dst), regIndex(src), BPF_ADDR_SPACE_CAST, (dstAs << 16) | srcAs),
    );
  }

  // ---------------------------------------------------------------- jumps

  private jumpTo(insn: Instruction, target: JumpTarget, kind: FixupKind, what: string): this {
    if (typeof target === "number") {
      if (kind === "jump16") insn.off = off16(target, what);
      else insn.imm = imm32(target, what);
      if (insn.imm64 !== undefined) insn.imm64 = BigInt(insn.imm >>> 0);
      return this.push(insn);
    }
    if (typeof target !== "string" || target.length === 0)
      throw new AsmError(`${what}: jump target must be a label or a number`);
    return this.push(insn, { label: target, kind });
  }

  /** Generic conditional jump: `op` is BPF_JEQ..BPF_JSLE; class BPF_JMP (64-bit compare) or BPF_JMP32. */
  jmp(cls: typeof BPF_JMP | typeof BPF_JMP32, op: number, dst: Register, src: Operand, target: JumpTarget): this {
    const what = `${cls === BPF_JMP ? "jmp" : "jmp32"} op 0x${op.toString(16)}`;
    const d = regIndex(dst);
    const insn =
      typeof src === "string"
        ? this.one(cls | op | BPF_X, d, regIndex(src), 0, 0)
        : this.one(cls | op | BPF_K, d, 0, 0, imm32(src, what));
    return this.jumpTo(insn, target, "jump16", what);
  }

  /** Unconditional jump with a 16-bit offset (`goto pc+N`). */
  ja(target: JumpTarget): this {
    return this.jumpTo(this.one(BPF_JMP | BPF_JA, 0, 0, 0, 0), target, "jump16", "ja");
  }

  /** Unconditional jump with a 32-bit offset in imm (`gotol`, JMP32|JA, ISA v4). */
  gotol(target: JumpTarget): this {
    return this.jumpTo(this.one(BPF_JMP32 | BPF_JA, 0, 0, 0, 0), target, "jump32", "gotol");
  }

  /** Alias of `gotol`. */
  ja32(target: JumpTarget): this {
    return this.gotol(target);
  }

  /** Bounded-loop escape hatch (`may_goto`, Linux 6.9+): falls through until the verifier's budget runs out. */
  mayGoto(target: JumpTarget): this {
    return this.jumpTo(this.one(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, 0, 0), target, "jump16", "may_goto");
  }

  jeq(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JEQ, dst, src, target);
  }
  jne(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JNE, dst, src, target);
  }
  jgt(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JGT, dst, src, target);
  }
  jge(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JGE, dst, src, target);
  }
  jlt(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JLT, dst, src, target);
  }
  jle(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JLE, dst, src, target);
  }
  jsgt(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JSGT, dst, src, target);
  }
  jsge(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JSGE, dst, src, target);
  }
  jslt(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JSLT, dst, src, target);
  }
  jsle(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JSLE, dst, src, target);
  }
  jset(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP, BPF_JSET, dst, src, target);
  }

  jeq32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JEQ, dst, src, target);
  }
  jne32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JNE, dst, src, target);
  }
  jgt32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JGT, dst, src, target);
  }
  jge32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JGE, dst, src, target);
  }
  jlt32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JLT, dst, src, target);
  }
  jle32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JLE, dst, src, target);
  }
  jsgt32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JSGT, dst, src, target);
  }
  jsge32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JSGE, dst, src, target);
  }
  jslt32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JSLT, dst, src, target);
  }
  jsle32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JSLE, dst, src, target);
  }
  jset32(dst: Register, src: Operand, target: JumpTarget): this {
    return this.jmp(BPF_JMP32, BPF_JSET, dst, src, target);
  }

  // ---------------------------------------------------------------- calls

  /** Calls a kernel helper by name (`"map_lookup_elem"` or `"bpf_map_lookup_elem"`) or id. */
  call(helper: HelperRef): this {
    let id: number;
    if (typeof helper === "number") {
      id = imm32(helper, "call");
    } else {
      id = helperId(helper);
    }
    return this.push(this.one(BPF_JMP | BPF_CALL, 0, 0, 0, id));
  }

  /** bpf-to-bpf call to the function at `target` (src = BPF_PSEUDO_CALL, imm = relative offset). */
  callLocal(target: JumpTarget): this {
    return this.jumpTo(this.one(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0), target, "call", "callLocal");
  }

  /**
   * Calls a kernel function (kfunc) by BTF id (src = BPF_PSEUDO_KFUNC_CALL).
   * `btfFdIndex` selects a module BTF from the fd_array (0 = vmlinux).
   */
  callKfunc(btfId: number, btfFdIndex = 0): this {
    return this.push(
      this.one(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, off16(btfFdIndex, "callKfunc"), imm32(btfId, "callKfunc")),
    );
  }

  exit(): this {
    return this.push(this.one(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }

  // ---------------------------------------------------------------- loads and stores

  /** dst = *(size *)(src + off), zero-extended. */
  ldx(size: Size, dst: Register, src: Register, off: number): this {
    checkSize(size, "ldx");
    return this.push(this.one(BPF_LDX | BPF_MEM | size, regIndex(dst), regIndex(src), off16(off, "ldx"), 0));
  }

  /** dst = *(s8|s16|s32 *)(src + off), sign-extended (ISA v4; size B, H or W). */
  ldxsx(size: Size, dst: Register, src: Register, off: number): this {
    checkSize(size, "ldxsx", new Set([BPF_B, BPF_H, BPF_W]));
    return this.push(this.one(BPF_LDX | BPF_MEMSX | size, regIndex(dst), regIndex(src), off16(off, "ldxsx"), 0));
  }

  /** *(size *)(dst + off) = src. */
  stx(size: Size, dst: Register, src: Register, off: number): this {
    checkSize(size, "stx");
    return this.push(this.one(BPF_STX | BPF_MEM | size, regIndex(dst), regIndex(src), off16(off, "stx"), 0));
  }

  /** *(size *)(dst + off) = imm (imm sign-extended for DW). */
  st(size: Size, dst: Register, off: number, imm: number): this {
    checkSize(size, "st");
    return this.push(this.one(BPF_ST | BPF_MEM | size, regIndex(dst), 0, off16(off, "st"), imm32(imm, "st")));
  }

  /** Legacy packet load: r0 = ntoh(*(size *)(skb->data + imm)). Clobbers r1-r5. */
  ldAbs(size: Size, imm: number): this {
    checkSize(size, "ldAbs");
    return this.push(this.one(BPF_LD | BPF_ABS | size, 0, 0, 0, imm32(imm, "ldAbs")));
  }

  /** Legacy packet load: r0 = ntoh(*(size *)(skb->data + src + imm)). Clobbers r1-r5. */
  ldInd(size: Size, src: Register, imm: number): this {
    checkSize(size, "ldInd");
    return this.push(this.one(BPF_LD | BPF_IND | size, 0, regIndex(src), 0, imm32(imm, "ldInd")));
  }

  /** dst = 64-bit immediate (two slots). Negative numbers are stored as two's complement. */
  lddw(dst: Register, value: bigint | number): this {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new AsmError(`lddw: ${value} is not a safe integer; pass a bigint`);
    }
    return this.push(lddwInsn(regIndex(dst), 0, value));
  }

  /** Alias of `lddw`. */
  ldImm64(dst: Register, value: bigint | number): this {
    return this.lddw(dst, value);
  }

  /** dst = pointer to a map (src = BPF_PSEUDO_MAP_FD, imm = fd). */
  ldMapFd(dst: Register, map: MapRef): this {
    return this.push(lddwInsn(regIndex(dst), BPF_PSEUDO_MAP_FD, fdOf(map, "ldMapFd")));
  }

  /** dst = pointer into a map's value at `offset` (src = BPF_PSEUDO_MAP_VALUE; array maps, global data). */
  ldMapValue(dst: Register, map: MapRef, offset = 0): this {
    const fd = fdOf(map, "ldMapValue");
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff)
      throw new AsmError(`ldMapValue: invalid offset ${offset}`);
    return this.push(lddwInsn(regIndex(dst), BPF_PSEUDO_MAP_VALUE, (BigInt(offset) << 32n) | BigInt(fd)));
  }

  /** dst = pointer to the map at `index` of the load's fd_array (src = BPF_PSEUDO_MAP_IDX). */
  ldMapIdx(dst: Register, index: number): this {
    return this.push(lddwInsn(regIndex(dst), BPF_PSEUDO_MAP_IDX, imm32(index, "ldMapIdx") >>> 0));
  }

  /** dst = pointer into the value of the map at fd_array[index] (src = BPF_PSEUDO_MAP_IDX_VALUE). */
  ldMapIdxValue(dst: Register, index: number, offset = 0): this {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff)
      throw new AsmError(`ldMapIdxValue: invalid offset ${offset}`);
    return this.push(
      lddwInsn(
        regIndex(dst),
        BPF_PSEUDO_MAP_IDX_VALUE,
        (BigInt(offset) << 32n) | BigInt(imm32(index, "ldMapIdxValue") >>> 0),
      ),
    );
  }

  /** dst = address of a kernel variable by BTF id (src = BPF_PSEUDO_BTF_ID); imm2 = module BTF fd (0 = vmlinux). */
  ldBtfId(dst: Register, btfId: number, btfFd = 0): this {
    return this.push(
      lddwInsn(
        regIndex(dst),
        BPF_PSEUDO_BTF_ID,
        (BigInt(imm32(btfFd, "ldBtfId") >>> 0) << 32n) | BigInt(imm32(btfId, "ldBtfId") >>> 0),
      ),
    );
  }

  /** dst = address of the function at `target` (src = BPF_PSEUDO_FUNC), e.g. a bpf_loop callback. */
  ldFunc(dst: Register, target: JumpTarget): this {
    return this.jumpTo(lddwInsn(regIndex(dst), BPF_PSEUDO_FUNC, 0), target, "func", "ldFunc");
  }

  // ---------------------------------------------------------------- atomics

  /** Generic atomic: `op` is an AtomicOp imm value; size W or DW (B/H too for load-acquire/store-release). */
  atomic(size: Size, op: number, dst: Register, src: Register, off: number): this {
    const acqRel = op === BPF_LOAD_ACQ || op === BPF_STORE_REL;
    checkSize(size, "atomic", acqRel ? undefined : ATOMIC_SIZES);
    return this.push(this.one(BPF_STX | BPF_ATOMIC | size, regIndex(dst), regIndex(src), off16(off, "atomic"), op));
  }

  /** lock *(size *)(dst + off) += src */
  lockAdd(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_ADD, dst, src, off);
  }
  /** lock *(size *)(dst + off) |= src */
  lockOr(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_OR, dst, src, off);
  }
  /** lock *(size *)(dst + off) &= src */
  lockAnd(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_AND, dst, src, off);
  }
  /** lock *(size *)(dst + off) ^= src */
  lockXor(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_XOR, dst, src, off);
  }
  /** src = atomic_fetch_add((size *)(dst + off), src) */
  fetchAdd(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_ADD | BPF_FETCH, dst, src, off);
  }
  /** src = atomic_fetch_or((size *)(dst + off), src) */
  fetchOr(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_OR | BPF_FETCH, dst, src, off);
  }
  /** src = atomic_fetch_and((size *)(dst + off), src) */
  fetchAnd(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_AND | BPF_FETCH, dst, src, off);
  }
  /** src = atomic_fetch_xor((size *)(dst + off), src) */
  fetchXor(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_XOR | BPF_FETCH, dst, src, off);
  }
  /** src = atomic_xchg((size *)(dst + off), src) */
  xchg(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_XCHG, dst, src, off);
  }
  /** r0 = atomic_cmpxchg((size *)(dst + off), r0, src) */
  cmpxchg(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_CMPXCHG, dst, src, off);
  }
  /** dst = load_acquire((size *)(src + off)) (Linux 6.15+). */
  loadAcquire(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_LOAD_ACQ, dst, src, off);
  }
  /** store_release((size *)(dst + off), src) (Linux 6.15+). */
  storeRelease(size: Size, dst: Register, src: Register, off: number): this {
    return this.atomic(size, BPF_STORE_REL, dst, src, off);
  }

  // ---------------------------------------------------------------- layout

  /** Resolves labels and returns the program. The builder stays usable (assemble again after appending). */
  assemble(): AssembledProgram {
    const insns: Instruction[] = [];
    for (const entry of this.entries) {
      const insn: Instruction = { ...entry.insn };
      if (entry.fixup) {
        const { label, kind } = entry.fixup;
        const target = this.labelSlots.get(label);
        if (target === undefined) {
          throw new AsmError(`unknown label "${label}" (referenced at slot ${entry.slot})`, {
            label,
            slot: entry.slot,
          });
        }
        const delta = target - (entry.slot + 1);
        if (kind === "jump16") {
          if (delta < -0x8000 || delta > 0x7fff) {
            throw new AsmError(
              `jump to label "${label}" at slot ${entry.slot} is out of range: offset ${delta} does not fit 16 bits (use gotol)`,
              { label, slot: entry.slot },
            );
          }
          insn.off = delta;
        } else {
          if (delta < -0x80000000 || delta > 0x7fffffff) {
            throw new AsmError(
              `reference to label "${label}" at slot ${entry.slot} is out of range (offset ${delta})`,
              {
                label,
                slot: entry.slot,
              },
            );
          }
          insn.imm = delta;
          if (insn.imm64 !== undefined) insn.imm64 = BigInt(delta >>> 0);
        }
      }
      insns.push(insn);
    }

    // Subprograms are the main function, declared functions and every bpf-to-bpf call/ldFunc target.
    const functions = new Map<number, string>();
    for (const f of this.funcStarts) functions.set(f.insnOffset, f.name);
    for (const entry of this.entries) {
      if (entry.fixup && (entry.fixup.kind === "call" || entry.fixup.kind === "func")) {
        const slot = this.labelSlots.get(entry.fixup.label)!;
        if (!functions.has(slot)) functions.set(slot, entry.fixup.label);
      }
    }
    if (!functions.has(0)) functions.set(0, "main");
    const functionList = [...functions.entries()]
      .map(([insnOffset, name]) => ({ name, insnOffset }))
      .sort((a, b) => a.insnOffset - b.insnOffset);

    return {
      insns,
      bytes: encode(insns),
      functions: functionList,
      lines: [...this.lineInfos].sort((a, b) => a.insnOffset - b.insnOffset).map((l) => ({ ...l })),
      labels: new Map(this.labelSlots),
    };
  }
}
