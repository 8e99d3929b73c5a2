/**
 * The BPF instruction record and its wire encoding.
 *
 * Wire format (RFC 9669 §3, little-endian host order as the kernel expects on
 * x86/arm64): 8 bytes per slot —
 *   byte 0      opcode
 *   byte 1      dst_reg (low nibble) | src_reg (high nibble)
 *   bytes 2-3   off  (signed 16-bit)
 *   bytes 4-7   imm  (signed 32-bit)
 *
 * The 64-bit immediate load (lddw, opcode 0x18) takes two slots. It is
 * represented here as ONE Instruction: `imm64` holds the full 64-bit value
 * (unsigned, 0 .. 2^64-1: low 32 bits go to the first slot's imm, high 32 bits
 * to the second slot's imm) and `imm` mirrors the low 32 bits as a signed
 * int32, so code that only looks at `imm` (map fd, BTF id, subprog offset)
 * keeps working. For map-value loads the high half is the value offset.
 * The second slot's other fields are always zero (the kernel rejects anything
 * else), so `decode` throws if they are not.
 */
import { AsmError } from "./errors.js";
import { BPF_LDDW } from "./opcodes.js";

export interface Instruction {
  /** Opcode byte. */
  code: number;
  /** Destination register number, 0..15 on the wire (0..10 are real registers). */
  dst: number;
  /** Source register number, 0..15 on the wire; pseudo-kind for lddw and call. */
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate (for lddw: the low 32 bits, signed). */
  imm: number;
  /** lddw only: the full 64-bit immediate, 0 .. 2^64-1. */
  imm64?: bigint;
}

export const SLOT_SIZE = 8;

export function isLddw(insn: Pick<Instruction, "code">): boolean {
  return insn.code === BPF_LDDW;
}

/** Number of 8-byte slots the instruction occupies (2 for lddw, else 1). */
export function slotCount(insn: Pick<Instruction, "code">): 1 | 2 {
  return insn.code === BPF_LDDW ? 2 : 1;
}

/** Total slots of a sequence of instructions. */
export function totalSlots(insns: readonly Instruction[]): number {
  let n = 0;
  for (const insn of insns) n += slotCount(insn);
  return n;
}

/**
 * Builds a one-slot instruction. `off`/`imm` may be given signed or unsigned
 * (0xffff == -1) and are stored signed; values that do not fit throw.
 */
export function insn(code: number, dst: number, src: number, off: number, imm: number): Instruction {
  const raw = { code, dst, src, off, imm };
  checkField(raw);
  return { code, dst, src, off: toS16(off), imm: toS32(imm) };
}

/** Builds an lddw instruction from a 64-bit value (negative values wrap to two's complement). */
export function lddwInsn(dst: number, src: number, value: bigint | number): Instruction {
  const big = BigInt(value);
  if (big < -(1n << 63n) || big >= 1n << 64n) throw new AsmError(`lddw value ${value} does not fit 64 bits`);
  checkField({ code: BPF_LDDW, dst, src, off: 0, imm: 0 });
  const v = BigInt.asUintN(64, big);
  return { code: BPF_LDDW, dst: dst & 0x0f, src: src & 0x0f, off: 0, imm: Number(BigInt.asIntN(32, v)), imm64: v };
}

/** The full 64-bit immediate of an lddw (unsigned). Falls back to the zero-extended `imm`. */
export function lddwValue(insn: Instruction): bigint {
  return insn.imm64 ?? BigInt(insn.imm >>> 0);
}

export function toS16(n: number): number {
  return (n << 16) >> 16;
}

export function toS32(n: number): number {
  return n | 0;
}

function checkField(insn: Instruction, index?: number, slot?: number): void {
  const { code, dst, src, off, imm } = insn;
  const bad = (what: string): never => {
    if (index === undefined) throw new AsmError(what);
    throw new AsmError(`instruction ${index}: ${what}`, slot === undefined ? {} : { slot });
  };
  if (!Number.isInteger(code) || code < 0 || code > 0xff) bad(`opcode ${code} is not a byte`);
  if (!Number.isInteger(dst) || dst < 0 || dst > 15) bad(`dst ${dst} does not fit 4 bits`);
  if (!Number.isInteger(src) || src < 0 || src > 15) bad(`src ${src} does not fit 4 bits`);
  if (!Number.isInteger(off) || off < -0x8000 || off > 0xffff) bad(`off ${off} does not fit 16 bits`);
  if (!Number.isInteger(imm) || imm < -0x80000000 || imm > 0xffffffff) bad(`imm ${imm} does not fit 32 bits`);
}

/**
 * Encodes instructions into the kernel's wire format.
 * Fields are accepted as signed or unsigned (e.g. off 0xffff == -1) but must fit their width.
 */
export function encode(insns: readonly Instruction[]): Buffer {
  const buf = Buffer.alloc(totalSlots(insns) * SLOT_SIZE);
  let p = 0;
  insns.forEach((insn, index) => {
    checkField(insn, index, p / SLOT_SIZE);
    buf[p] = insn.code;
    buf[p + 1] = (insn.src << 4) | insn.dst;
    buf.writeInt16LE(toS16(insn.off), p + 2);
    if (insn.code === BPF_LDDW) {
      let v: bigint;
      if (insn.imm64 !== undefined) {
        v = BigInt.asUintN(64, insn.imm64);
        if (Number(BigInt.asIntN(32, v)) !== toS32(insn.imm)) {
          throw new AsmError(
            `instruction ${index}: lddw imm (${insn.imm}) disagrees with the low 32 bits of imm64 (0x${v.toString(16)})`,
            { slot: p / SLOT_SIZE },
          );
        }
      } else {
        v = BigInt(insn.imm >>> 0);
      }
      buf.writeUInt32LE(Number(v & 0xffffffffn), p + 4);
      buf.writeUInt32LE(Number(v >> 32n), p + 12);
      p += 16;
    } else {
      buf.writeInt32LE(toS32(insn.imm), p + 4);
      p += 8;
    }
  });
  return buf;
}

/** Decodes wire-format bytes (a multiple of 8) into instructions; lddw becomes one instruction. */
export function decode(bytes: Uint8Array): Instruction[] {
  if (bytes.length % SLOT_SIZE !== 0) {
    throw new AsmError(`program length ${bytes.length} is not a multiple of ${SLOT_SIZE} bytes`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Instruction[] = [];
  const slots = buf.length / SLOT_SIZE;
  for (let slot = 0; slot < slots; slot++) {
    const p = slot * SLOT_SIZE;
    const code = buf[p]!;
    const regs = buf[p + 1]!;
    const off = buf.readInt16LE(p + 2);
    const imm = buf.readInt32LE(p + 4);
    if (code !== BPF_LDDW) {
      out.push({ code, dst: regs & 0x0f, src: regs >> 4, off, imm });
      continue;
    }
    if (slot + 1 >= slots) {
      throw new AsmError(`slot ${slot}: lddw is missing its second slot`, { slot });
    }
    const q = p + SLOT_SIZE;
    if (buf[q] !== 0 || buf[q + 1] !== 0 || buf.readInt16LE(q + 2) !== 0) {
      throw new AsmError(`slot ${slot + 1}: second slot of lddw must have zero opcode, registers and offset`, {
        slot: slot + 1,
      });
    }
    const hi = buf.readUInt32LE(q + 4);
    const imm64 = (BigInt(hi) << 32n) | BigInt(imm >>> 0);
    out.push({ code, dst: regs & 0x0f, src: regs >> 4, off, imm, imm64 });
    slot++;
  }
  return out;
}
