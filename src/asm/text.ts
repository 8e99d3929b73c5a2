/**
 * Text assembler for the syntax of the bpf_conformance suite (and uBPF):
 *
 *   mov %r0, 1            mov32 %r1, -3          add %r0, %r1       neg32 %r0
 *   sdiv %r0, 3           smod32 %r0, %r1        movsx832 %r2, %r1  be16 %r0   swap64 %r0
 *   lddw %r0, 0x1122334455667788                 ldxw %r0, [%r1+4]  ldxsb %r0, [%r10-1]
 *   stxdw [%r10-8], %r1   stw [%r10-4], 0x11     ldabsh 12          ldindw %r1, 4
 *   jeq %r1, 5, +2        jslt32 %r1, %r2, label ja label        ja32 label
 *   call 1                call local func        call runtime 7     call %r2
 *   lock add [%r10-8], %r1    lock fetch xor32 [%r10-4], %r1    lock cmpxchg [%r10-8], %r1
 *   label:                # comment              exit
 *
 * Suffix `32` selects the 32-bit ALU/JMP32 class, no suffix or `64` the 64-bit
 * one. Registers are `%r0`..`%r10` (the `%` is optional). Numbers are decimal
 * or 0x-hex, optionally signed. Immediates must fit 32 bits (a decimal within
 * int32, hex within u32), offsets 16 bits, lddw values 64 bits. As in the
 * suite, the label `exit` means the first `exit` instruction unless a label
 * of that name is defined. Errors are AsmErrors naming the line.
 */
import { Assembler, type JumpTarget } from "./assembler.js";
import { AsmError } from "./errors.js";
import { isHelperName } from "./helpers.js";
import type { Instruction } from "./instruction.js";
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_B,
  BPF_CALL,
  BPF_DIV,
  BPF_DW,
  BPF_H,
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
  BPF_MOV,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_W,
  BPF_X,
  BPF_XOR,
  reg,
  type Register,
  type Size,
} from "./opcodes.js";

const ALU_OPS: Record<string, { op: number; off: number }> = {
  add: { op: BPF_ADD, off: 0 },
  sub: { op: BPF_SUB, off: 0 },
  mul: { op: BPF_MUL, off: 0 },
  div: { op: BPF_DIV, off: 0 },
  sdiv: { op: BPF_DIV, off: 1 },
  mod: { op: BPF_MOD, off: 0 },
  smod: { op: BPF_MOD, off: 1 },
  or: { op: BPF_OR, off: 0 },
  and: { op: BPF_AND, off: 0 },
  lsh: { op: BPF_LSH, off: 0 },
  rsh: { op: BPF_RSH, off: 0 },
  arsh: { op: BPF_ARSH, off: 0 },
  xor: { op: BPF_XOR, off: 0 },
  mov: { op: BPF_MOV, off: 0 },
};

const JMP_OPS: Record<string, number> = {
  jeq: BPF_JEQ,
  jne: BPF_JNE,
  jgt: BPF_JGT,
  jge: BPF_JGE,
  jlt: BPF_JLT,
  jle: BPF_JLE,
  jsgt: BPF_JSGT,
  jsge: BPF_JSGE,
  jslt: BPF_JSLT,
  jsle: BPF_JSLE,
  jset: BPF_JSET,
};

const SIZES: Record<string, Size> = { b: BPF_B, h: BPF_H, w: BPF_W, dw: BPF_DW };

const LABEL_RE = /^[A-Za-z_.$][\w.$]*$/;
const NUMBER_RE = /^([+-]?)(0x[0-9a-f]+|[0-9]+)$/i;

type IntKind = "imm32" | "off16" | "imm64";

/** Parses a decimal or hex integer and checks it fits the field. */
function parseInteger(token: string, kind: IntKind): bigint {
  const m = NUMBER_RE.exec(token.trim());
  if (!m) throw new AsmError(`invalid number "${token}"`);
  const negative = m[1] === "-";
  const isHex = m[2]!.toLowerCase().startsWith("0x");
  const magnitude = BigInt(m[2]!);
  const value = negative ? -magnitude : magnitude;
  // Unsigned hex spellings may use the whole field (0xffffffff == -1); decimals must fit the signed range.
  const unsignedOk = isHex && m[1] === "";
  let min: bigint, maxSigned: bigint, maxUnsigned: bigint;
  switch (kind) {
    case "imm32":
      [min, maxSigned, maxUnsigned] = [-(1n << 31n), (1n << 31n) - 1n, (1n << 32n) - 1n];
      break;
    case "off16":
      [min, maxSigned, maxUnsigned] = [-(1n << 15n), (1n << 15n) - 1n, (1n << 16n) - 1n];
      break;
    case "imm64":
      // lddw takes any 64-bit pattern, signed or unsigned.
      [min, maxSigned, maxUnsigned] = [-(1n << 63n), (1n << 64n) - 1n, (1n << 64n) - 1n];
      break;
  }
  const max = unsignedOk ? maxUnsigned : maxSigned;
  if (value < min || value > max) {
    const what = kind === "imm32" ? "32-bit immediate" : kind === "off16" ? "16-bit offset" : "64-bit immediate";
    throw new AsmError(`${token} is out of range for a ${what}`);
  }
  return value;
}

function int32(token: string): number {
  return Number(BigInt.asIntN(32, parseInteger(token, "imm32")));
}

function int16(token: string): number {
  return Number(BigInt.asIntN(16, parseInteger(token, "off16")));
}

function isNumber(token: string): boolean {
  return NUMBER_RE.test(token.trim());
}

function parseRegisterIndex(token: string): number {
  const m = /^%?r(\d+)$/i.exec(token.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 10)) throw new AsmError(`invalid register "${token}"`);
  return n;
}

function parseRegister(token: string): Register {
  return reg(parseRegisterIndex(token));
}

function looksLikeRegister(token: string): boolean {
  return /^%/.test(token.trim()) || /^r\d+$/i.test(token.trim());
}

/** `[%r1+4]`, `[%r10-8]`, `[%r1]` -> register and offset. */
function parseMemory(token: string): { base: Register; off: number } {
  const m = /^\[\s*(%?\w+)\s*(?:([+-])\s*(0x[0-9a-f]+|[0-9]+))?\s*\]$/i.exec(token.trim());
  if (!m) throw new AsmError(`invalid memory operand "${token}" (expected [%rN+off])`);
  const base = parseRegister(m[1]!);
  const off = m[2] === undefined ? 0 : int16(`${m[2]}${m[3]}`);
  return { base, off };
}

function parseTarget(token: string, wide: boolean): JumpTarget {
  const t = token.trim();
  if (isNumber(t)) return wide ? int32(t) : int16(t);
  if (!LABEL_RE.test(t)) throw new AsmError(`invalid jump target "${token}"`);
  return t;
}

function expectOperands(mnemonic: string, operands: string[], count: number): void {
  if (operands.length !== count) {
    throw new AsmError(`invalid number of operands for ${mnemonic}: expected ${count}, got ${operands.length}`);
  }
}

function splitOperands(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed === "") return [];
  return trimmed.split(",").map((s) => s.trim());
}

/** Handles one instruction line (label already stripped). */
function assembleLine(a: Assembler, mnemonicRaw: string, rest: string): void {
  const mnemonic = mnemonicRaw.toLowerCase();

  if (mnemonic === "lock") {
    const m = /^(?:(fetch)\s+)?([a-z]+(?:32|64)?)\s*(.*)$/i.exec(rest.trim());
    if (!m || rest.trim() === "") throw new AsmError(`invalid number of operands for lock`);
    const fetch = m[1] !== undefined;
    const opName = m[2]!.toLowerCase();
    const operands = splitOperands(m[3]!);
    if (operands.length !== 2) throw new AsmError(`invalid number of operands for lock: expected [%rN+off], %rM`);
    const is32 = opName.endsWith("32");
    const base = opName.replace(/(32|64)$/, "");
    const size = is32 ? BPF_W : BPF_DW;
    const { base: dst, off } = parseMemory(operands[0]!);
    const src = parseRegister(operands[1]!);
    switch (base) {
      case "add":
        fetch ? a.fetchAdd(size, dst, src, off) : a.lockAdd(size, dst, src, off);
        return;
      case "or":
        fetch ? a.fetchOr(size, dst, src, off) : a.lockOr(size, dst, src, off);
        return;
      case "and":
        fetch ? a.fetchAnd(size, dst, src, off) : a.lockAnd(size, dst, src, off);
        return;
      case "xor":
        fetch ? a.fetchXor(size, dst, src, off) : a.lockXor(size, dst, src, off);
        return;
      case "xchg":
        a.xchg(size, dst, src, off);
        return;
      case "cmpxchg":
        a.cmpxchg(size, dst, src, off);
        return;
      default:
        throw new AsmError(`invalid atomic operation "${m[2]}"`);
    }
  }

  if (mnemonic === "call") {
    const words = rest
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    if (words.length === 1) {
      const t = words[0]!;
      if (looksLikeRegister(t)) {
        // callx: not in RFC 9669, but the conformance suite (and uBPF) use it.
        a.raw({ code: BPF_JMP | BPF_CALL | BPF_X, dst: parseRegisterIndex(t), src: 0, off: 0, imm: 0 });
        return;
      }
      if (isNumber(t)) {
        a.call(int32(t));
        return;
      }
      if (isHelperName(t)) {
        a.call(t);
        return;
      }
      throw new AsmError(`invalid call target "${t}"`);
    }
    if (words.length === 2) {
      const [mode, target] = words as [string, string];
      switch (mode.toLowerCase()) {
        case "helper":
          a.call(isNumber(target) ? int32(target) : target);
          return;
        case "local":
          a.callLocal(parseTarget(target, true));
          return;
        case "runtime":
          a.callKfunc(int32(target));
          return;
      }
      throw new AsmError(`invalid call mode "${mode}" (expected helper, local or runtime)`);
    }
    throw new AsmError(`invalid number of operands for call`);
  }

  const operands = splitOperands(rest);

  if (mnemonic === "exit") {
    expectOperands(mnemonic, operands, 0);
    a.exit();
    return;
  }
  if (mnemonic === "ja") {
    expectOperands(mnemonic, operands, 1);
    a.ja(parseTarget(operands[0]!, false));
    return;
  }
  if (mnemonic === "ja32" || mnemonic === "gotol") {
    expectOperands(mnemonic, operands, 1);
    a.gotol(parseTarget(operands[0]!, true));
    return;
  }

  let m: RegExpExecArray | null;

  // Conditional jumps: jeq, jeq32, ...
  if ((m = /^(j[a-z]+?)(32)?$/.exec(mnemonic)) && JMP_OPS[m[1]!] !== undefined) {
    expectOperands(mnemonic, operands, 3);
    const dst = parseRegister(operands[0]!);
    const src = looksLikeRegister(operands[1]!) ? parseRegister(operands[1]!) : int32(operands[1]!);
    a.jmp(m[2] ? BPF_JMP32 : BPF_JMP, JMP_OPS[m[1]!]!, dst, src, parseTarget(operands[2]!, false));
    return;
  }

  // Byte order: be16, le32, swap64 / bswap64.
  if ((m = /^(be|le|swap|bswap)(16|32|64)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 1);
    const dst = parseRegister(operands[0]!);
    const bits = Number(m[2]) as 16 | 32 | 64;
    if (m[1] === "be") a.be(dst, bits);
    else if (m[1] === "le") a.le(dst, bits);
    else a.bswap(dst, bits);
    return;
  }

  // Sign-extending moves: movsx<from><to>, e.g. movsx832, movsx3264.
  if ((m = /^movsx(8|16|32)(32|64)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    const from = Number(m[1]);
    const dst = parseRegister(operands[0]!);
    const src = parseRegister(operands[1]!);
    if (m[2] === "64") a.movsx64(dst, src, from as 8 | 16 | 32);
    else if (from === 32) throw new AsmError(`invalid mnemonic "${mnemonicRaw}" (movsx to 32 bits takes 8 or 16)`);
    else a.movsx32(dst, src, from as 8 | 16);
    return;
  }

  // neg / neg32 / neg64
  if ((m = /^neg(32|64)?$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 1);
    const dst = parseRegister(operands[0]!);
    if (m[1] === "32") a.neg32(dst);
    else a.neg64(dst);
    return;
  }

  // ALU: add, add32, add64, ...
  if ((m = /^([a-z]+?)(32|64)?$/.exec(mnemonic)) && ALU_OPS[m[1]!] !== undefined) {
    expectOperands(mnemonic, operands, 2);
    const { op, off } = ALU_OPS[m[1]!]!;
    const dst = parseRegister(operands[0]!);
    const src = looksLikeRegister(operands[1]!) ? parseRegister(operands[1]!) : int32(operands[1]!);
    if (m[2] === "32") a.alu32(op, dst, src, off);
    else a.alu64(op, dst, src, off);
    return;
  }

  if (mnemonic === "lddw") {
    expectOperands(mnemonic, operands, 2);
    a.lddw(parseRegister(operands[0]!), parseInteger(operands[1]!, "imm64"));
    return;
  }

  // Sign-extending loads: ldxsb/ldxsh/ldxsw, also spelled ldxbsx/ldxhsx/ldxwsx.
  if ((m = /^ldxs(b|h|w)$/.exec(mnemonic) ?? /^ldx(b|h|w)sx$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    const { base, off } = parseMemory(operands[1]!);
    a.ldxsx(SIZES[m[1]!]!, parseRegister(operands[0]!), base, off);
    return;
  }

  if ((m = /^ldx(b|h|w|dw)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    const { base, off } = parseMemory(operands[1]!);
    a.ldx(SIZES[m[1]!]!, parseRegister(operands[0]!), base, off);
    return;
  }

  if ((m = /^stx(b|h|w|dw)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    const { base, off } = parseMemory(operands[0]!);
    a.stx(SIZES[m[1]!]!, base, parseRegister(operands[1]!), off);
    return;
  }

  if ((m = /^st(b|h|w|dw)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    const { base, off } = parseMemory(operands[0]!);
    a.st(SIZES[m[1]!]!, base, off, int32(operands[1]!));
    return;
  }

  if ((m = /^ldabs(b|h|w|dw)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 1);
    a.ldAbs(SIZES[m[1]!]!, int32(operands[0]!));
    return;
  }

  if ((m = /^ldind(b|h|w|dw)$/.exec(mnemonic))) {
    expectOperands(mnemonic, operands, 2);
    a.ldInd(SIZES[m[1]!]!, parseRegister(operands[0]!), int32(operands[1]!));
    return;
  }

  throw new AsmError(`invalid mnemonic "${mnemonicRaw}"`);
}

/** Assembles conformance-suite syntax into instructions (lddw as one entry). */
export function assembleText(source: string): Instruction[] {
  const a = new Assembler();
  const lines = source.split(/\r?\n/);
  const explicitExitLabel = lines.some((l) => /^\s*exit\s*:/.test(l.replace(/#.*/, "")));
  let exitLabelPlaced = explicitExitLabel;
  const lineOfSlot = new Map<number, number>();

  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    let text = rawLine.replace(/#.*/, "").trim();
    try {
      // Labels: "name:" alone or in front of an instruction.
      let lm: RegExpExecArray | null;
      while ((lm = /^([A-Za-z_.$][\w.$]*)\s*:\s*(.*)$/.exec(text))) {
        a.label(lm[1]!);
        text = lm[2]!.trim();
      }
      if (text === "") return;
      const sp = text.search(/\s/);
      const mnemonic = sp < 0 ? text : text.slice(0, sp);
      const rest = sp < 0 ? "" : text.slice(sp + 1);
      if (!exitLabelPlaced && mnemonic.toLowerCase() === "exit") {
        a.label("exit");
        exitLabelPlaced = true;
      }
      lineOfSlot.set(a.pc, lineNo);
      assembleLine(a, mnemonic, rest);
    } catch (err) {
      if (err instanceof AsmError || err instanceof TypeError || err instanceof RangeError) {
        throw new AsmError(`line ${lineNo}: ${err.message}: ${rawLine.trim()}`, { line: lineNo });
      }
      throw err;
    }
  });

  try {
    return a.assemble().insns;
  } catch (err) {
    if (err instanceof AsmError) {
      const lineNo = err.slot === undefined ? undefined : lineOfSlot.get(err.slot);
      if (lineNo !== undefined) {
        const details: { line: number; label?: string } = { line: lineNo };
        if (err.label !== undefined) details.label = err.label;
        throw new AsmError(`line ${lineNo}: ${err.message}: ${lines[lineNo - 1]!.trim()}`, details);
      }
    }
    throw err;
  }
}
