// Load-time work of the VM: decodes wire bytecode into flat typed arrays the interpreter and the
// JavaScript compiler read, and refuses what the kernel would refuse before running anything:
// unknown opcodes, non-zero reserved fields, jumps out of range or into an lddw, code that falls
// off the end of a function, unreachable code or exit, calls to helpers the VM does not have,
// and registers read before any path wrote them.
import { insnText } from "../asm/disasm.js";
import { decode as decodeInsns } from "../asm/instruction.js";
import { VmValidationError } from "./errors.js";
import { Op } from "./ops.js";

/** What a two-slot lddw turns into, for the pseudo kinds the VM resolves (maps, map values). */
export interface LddwValue {
  lo: number;
  hi: number;
}

export interface DecodeOptions {
  /** Is this helper id callable? Unknown ids are refused at load. */
  hasHelper?: (id: number) => boolean;
  /** Resolves lddw with src_reg 1, 2, 5, 6 (map fd / map value / map index / map index value). */
  resolveLddw?: (kind: number, imm: number, next: number, pc: number) => LddwValue;
  /** Registers (bit i = ri) holding a value when the main function starts. Default r1 | r10. */
  entryRegisters?: number;
  /** Allow instructions no path reaches (the kernel refuses them). Default false. */
  allowUnreachable?: boolean;
}

/** `target` of instructions that do not jump (no real target can be this low). */
export const NO_TARGET = -0x80000000;

/** Value of a callback pointer (lddw src_reg 4): the high word tags it, the low word is its pc. */
export const FUNC_PTR_HI = 0x7f000000 | 0;

export interface DecodedProgram {
  /** Number of 8-byte slots. */
  readonly length: number;
  readonly bytes: Uint8Array;
  /** Internal operation per slot (see Op). */
  readonly op: Uint8Array;
  /** Destination register × 2 (an index into the lo/hi register file). */
  readonly dst: Uint8Array;
  /** Source register × 2. */
  readonly src: Uint8Array;
  /** Memory offset (signed 16-bit), or helper id for calls. */
  readonly off: Int32Array;
  /** Immediate, low word (for lddw the low 32 bits of the resolved value). */
  readonly imm: Int32Array;
  /** Immediate, high word: the sign extension of imm, or lddw's high 32 bits. */
  readonly immHi: Int32Array;
  /** Jump / call target pc (absolute), else NO_TARGET. */
  readonly target: Int32Array;
  /** Entry pcs of the functions (0 first), sorted. */
  readonly functions: readonly number[];
  /** Slots that begin a basic block (jump targets, function entries, after branches). */
  readonly leaders: Uint8Array;
  /** Does any instruction read r10? If not, the program cannot touch its stack. */
  readonly usesStack: boolean;
  /**
   * The lowest offset from r10 at which a frame of the program can write its stack: 0 when it
   * writes none; -STACK_SIZE or lower when r10 is used other than as the base of a load or store
   * (a pointer to the stack escapes, so anything in the frame may be written).
   */
  readonly stackWriteLow: number;
  /** Registers (bit i = ri) the main function may read before writing them: r10 and its arguments. */
  readonly entryRegisters: number;
  /** Text of the instruction at a slot, for messages. */
  describe(pc: number): string;
}

const REG_ARGS = 0b111110; // r1..r5
const R0 = 1,
  R10 = 1 << 10;

export function describeSlot(bytes: Uint8Array, pc: number): string {
  try {
    const slots = bytes[pc * 8] === 0x18 && (pc + 2) * 8 <= bytes.length ? 2 : 1;
    const [insn] = decodeInsns(bytes.subarray(pc * 8, (pc + slots) * 8));
    return insn ? insnText(insn) : "";
  } catch {
    return Array.from(bytes.subarray(pc * 8, pc * 8 + 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  }
}

const ALU_OPS: readonly (readonly [number, number] | undefined)[] = (() => {
  // wire op nibble -> [64-bit K op, 32-bit K op]; X is always K + 1
  const t: (readonly [number, number] | undefined)[] = [];
  t[0x0] = [Op.ADD64_K, Op.ADD32_K];
  t[0x1] = [Op.SUB64_K, Op.SUB32_K];
  t[0x2] = [Op.MUL64_K, Op.MUL32_K];
  t[0x3] = [Op.DIV64_K, Op.DIV32_K];
  t[0x4] = [Op.OR64_K, Op.OR32_K];
  t[0x5] = [Op.AND64_K, Op.AND32_K];
  t[0x6] = [Op.LSH64_K, Op.LSH32_K];
  t[0x7] = [Op.RSH64_K, Op.RSH32_K];
  t[0x9] = [Op.MOD64_K, Op.MOD32_K];
  t[0xa] = [Op.XOR64_K, Op.XOR32_K];
  t[0xc] = [Op.ARSH64_K, Op.ARSH32_K];
  return t;
})();

// wire jump op nibble -> 64-bit K op (X = K + 1); the 32-bit family is at a fixed distance
const JMP_OPS: readonly (number | undefined)[] = (() => {
  const t: (number | undefined)[] = [];
  t[0x1] = Op.JEQ_K;
  t[0x2] = Op.JGT_K;
  t[0x3] = Op.JGE_K;
  t[0x4] = Op.JSET_K;
  t[0x5] = Op.JNE_K;
  t[0x6] = Op.JSGT_K;
  t[0x7] = Op.JSGE_K;
  t[0xa] = Op.JLT_K;
  t[0xb] = Op.JLE_K;
  t[0xc] = Op.JSLT_K;
  t[0xd] = Op.JSLE_K;
  return t;
})();
const JMP32_DELTA = Op.JEQ32_K - Op.JEQ_K;

const ATOMIC_OPS: Readonly<Record<number, number>> = {
  0x00: Op.AADD_W,
  0x40: Op.AOR_W,
  0x50: Op.AAND_W,
  0xa0: Op.AXOR_W,
  0x01: Op.AFADD_W,
  0x41: Op.AFOR_W,
  0x51: Op.AFAND_W,
  0xa1: Op.AFXOR_W,
  0xe1: Op.AXCHG_W,
  0xf1: Op.ACMPXCHG_W,
};
const ATOMIC_DW_DELTA = Op.AADD_DW - Op.AADD_W;

const LDX_BY_SIZE: Readonly<Record<number, number>> = { 0x00: Op.LDXW, 0x08: Op.LDXH, 0x10: Op.LDXB, 0x18: Op.LDXDW };
const LDXSX_BY_SIZE: Readonly<Record<number, number>> = { 0x00: Op.LDXSW, 0x08: Op.LDXSH, 0x10: Op.LDXSB };
const ST_BY_SIZE: Readonly<Record<number, number>> = { 0x00: Op.STW, 0x08: Op.STH, 0x10: Op.STB, 0x18: Op.STDW };
const STX_BY_SIZE: Readonly<Record<number, number>> = { 0x00: Op.STXW, 0x08: Op.STXH, 0x10: Op.STXB, 0x18: Op.STXDW };

/** Decodes and validates wire bytecode. Throws VmValidationError naming the first bad instruction. */
export function decodeProgram(bytes: Uint8Array, options: DecodeOptions = {}): DecodedProgram {
  if (bytes.length === 0) throw new VmValidationError(-1, "the program is empty");
  if (bytes.length % 8 !== 0)
    throw new VmValidationError(-1, `the program is ${bytes.length} bytes, not a multiple of 8`);
  const n = bytes.length / 8;
  if (n > 1_000_000)
    throw new VmValidationError(-1, `the program has ${n} instructions (the kernel's limit is 1,000,000)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const op = new Uint8Array(n),
    dst = new Uint8Array(n),
    src = new Uint8Array(n);
  const off = new Int32Array(n),
    imm = new Int32Array(n),
    immHi = new Int32Array(n),
    target = new Int32Array(n).fill(NO_TARGET);
  const describe = (pc: number): string => describeSlot(bytes, pc);
  const fail = (pc: number, reason: string): never => {
    throw new VmValidationError(pc, reason, describe(pc));
  };
  const funcRefs: number[] = []; // slots of lddw src 4, resolved once functions are known

  for (let pc = 0; pc < n; pc++) {
    const p = pc * 8;
    const code = bytes[p]!;
    const d = bytes[p + 1]! & 0x0f,
      s = bytes[p + 1]! >> 4;
    const o = view.getInt16(p + 2, true),
      k = view.getInt32(p + 4, true);
    const cls = code & 7;
    const reserved = (what: string): never => fail(pc, `reserved field ${what} must be zero`);
    const needSrc0 = (): void => {
      if (s !== 0) reserved("src_reg");
    };
    const needDst0 = (): void => {
      if (d !== 0) reserved("dst_reg");
    };
    const needOff0 = (): void => {
      if (o !== 0) reserved("offset");
    };
    const needImm0 = (): void => {
      if (k !== 0) reserved("imm");
    };
    const regOk = (r: number, what: string): void => {
      if (r > 10) fail(pc, `invalid register r${r} in ${what}`);
    };
    const writable = (r: number): void => {
      if (r === 10) fail(pc, "r10 (the frame pointer) is read-only");
    };
    const unknown = (): never => fail(pc, `unknown opcode 0x${code.toString(16).padStart(2, "0")}`);
    regOk(d, "dst_reg");
    regOk(s, "src_reg");
    dst[pc] = d << 1;
    src[pc] = s << 1;
    off[pc] = o;
    imm[pc] = k;
    immHi[pc] = k >> 31;

    switch (cls) {
      case 0x04:
      case 0x07: {
        // ALU, ALU64
        const is64 = cls === 0x07;
        const nib = code >> 4,
          isX = (code & 8) !== 0;
        const pair = ALU_OPS[nib];
        if (pair) {
          if (isX) needImm0();
          else needSrc0();
          let base = is64 ? pair[0] : pair[1];
          if (nib === 0x3 || nib === 0x9) {
            // div / mod: off 1 = signed
            if (o === 1) base += Op.SDIV64_K - Op.DIV64_K;
            else needOff0();
          } else needOff0();
          writable(d);
          op[pc] = base + (isX ? 1 : 0);
          break;
        }
        if (nib === 0x8) {
          // neg
          if (isX) unknown();
          needSrc0();
          needOff0();
          needImm0();
          writable(d);
          op[pc] = is64 ? Op.NEG64 : Op.NEG32;
          break;
        }
        if (nib === 0xb) {
          // mov / movsx
          writable(d);
          if (!isX) {
            needSrc0();
            needOff0();
            op[pc] = is64 ? Op.MOV64_K : Op.MOV32_K;
            break;
          }
          needImm0();
          if (o === 0) op[pc] = is64 ? Op.MOV64_X : Op.MOV32_X;
          else if (o === 8) op[pc] = is64 ? Op.MOVSX8_64 : Op.MOVSX8_32;
          else if (o === 16) op[pc] = is64 ? Op.MOVSX16_64 : Op.MOVSX16_32;
          else if (o === 32 && is64) op[pc] = Op.MOVSX32_64;
          else if (o === 1 && is64) fail(pc, "addr_space_cast (arena pointers) is not supported by the VM");
          else fail(pc, `invalid offset ${o} for mov (0, or 8/16${is64 ? "/32" : ""} for movsx)`);
          break;
        }
        if (nib === 0xd) {
          // byte order
          needSrc0();
          needOff0();
          writable(d);
          if (k !== 16 && k !== 32 && k !== 64) fail(pc, `invalid byte swap width ${k} (16, 32 or 64)`);
          if (is64) {
            if (isX) unknown();
            op[pc] = k === 16 ? Op.BSWAP16 : k === 32 ? Op.BSWAP32 : Op.BSWAP64;
          } else if (isX) op[pc] = k === 16 ? Op.BE16 : k === 32 ? Op.BE32 : Op.BE64;
          else op[pc] = k === 16 ? Op.LE16 : k === 32 ? Op.LE32 : Op.NOP;
          break;
        }
        unknown();
        break;
      }
      case 0x05:
      case 0x06: {
        // JMP, JMP32
        const is32 = cls === 0x06;
        const nib = code >> 4,
          isX = (code & 8) !== 0;
        if (nib === 0x0) {
          // ja / gotol
          if (isX) unknown();
          needSrc0();
          needDst0();
          if (is32) {
            needOff0();
            target[pc] = pc + 1 + k;
          } else {
            needImm0();
            target[pc] = pc + 1 + o;
          }
          op[pc] = Op.JA;
          break;
        }
        const base = JMP_OPS[nib];
        if (base !== undefined) {
          if (isX) needImm0();
          else needSrc0();
          op[pc] = base + (is32 ? JMP32_DELTA : 0) + (isX ? 1 : 0);
          target[pc] = pc + 1 + o;
          break;
        }
        if (is32) unknown(); // call / exit / may_goto exist only in the JMP class
        if (nib === 0x8) {
          // call
          needOff0();
          if (isX) {
            // callx: helper id in the dst register (the conformance suite's encoding)
            needSrc0();
            needImm0();
            op[pc] = Op.CALLX;
            break;
          }
          needDst0();
          if (s === 0) {
            if (options.hasHelper && !options.hasHelper(k)) fail(pc, `call to unknown helper function #${k}`);
            op[pc] = Op.CALL_HELPER;
          } else if (s === 1) {
            op[pc] = Op.CALL_LOCAL;
            target[pc] = pc + 1 + k;
          } else if (s === 2) fail(pc, "kfunc calls are not supported by the VM");
          else fail(pc, `invalid call kind (src_reg ${s})`);
          break;
        }
        if (nib === 0x9) {
          // exit
          if (isX) unknown();
          needSrc0();
          needDst0();
          needOff0();
          needImm0();
          op[pc] = Op.EXIT;
          break;
        }
        if (nib === 0xe) {
          // may_goto
          if (isX || s !== 0) unknown();
          needDst0();
          needImm0();
          op[pc] = Op.MAY_GOTO;
          target[pc] = pc + 1 + o;
          break;
        }
        unknown();
        break;
      }
      case 0x01: {
        // LDX
        const mode = code & 0xe0,
          size = code & 0x18;
        const table = mode === 0x60 ? LDX_BY_SIZE : mode === 0x80 ? LDXSX_BY_SIZE : undefined;
        const which = table?.[size];
        if (which === undefined) unknown();
        needImm0();
        writable(d);
        op[pc] = which!;
        break;
      }
      case 0x02: {
        // ST
        const which = (code & 0xe0) === 0x60 ? ST_BY_SIZE[code & 0x18] : undefined;
        if (which === undefined) unknown();
        needSrc0();
        op[pc] = which!;
        break;
      }
      case 0x03: {
        // STX
        const mode = code & 0xe0,
          size = code & 0x18;
        if (mode === 0x60) {
          needImm0();
          op[pc] = STX_BY_SIZE[size]!;
          break;
        }
        if (mode !== 0xc0) unknown();
        if (k === 0x100) {
          // load-acquire: dst = *(src + off)
          writable(d);
          op[pc] = LDX_BY_SIZE[size]!;
          break;
        }
        if (k === 0x110) {
          op[pc] = STX_BY_SIZE[size]!;
          break;
        } // store-release: *(dst + off) = src
        if (size !== 0x00 && size !== 0x18)
          fail(pc, "atomic operations other than load-acquire/store-release need size W or DW");
        const a = ATOMIC_OPS[k];
        if (a === undefined) fail(pc, `unknown atomic operation 0x${(k >>> 0).toString(16)}`);
        if ((k & 1) !== 0 && k !== 0xf1) writable(s);
        op[pc] = a! + (size === 0x18 ? ATOMIC_DW_DELTA : 0);
        break;
      }
      case 0x00: {
        // LD
        if (code === 0x18) {
          if (pc + 1 >= n) fail(pc, "lddw is missing its second slot");
          const q = p + 8;
          if (bytes[q] !== 0 || bytes[q + 1] !== 0 || view.getInt16(q + 2, true) !== 0) {
            fail(pc + 1, "the second slot of lddw must have zero opcode, registers and offset");
          }
          needOff0();
          writable(d);
          const next = view.getInt32(q + 4, true);
          op[pc] = Op.LDDW;
          op[pc + 1] = Op.LDDW_HI;
          immHi[pc] = next;
          if (s === 4) {
            // callback function pointer
            if (next !== 0) fail(pc, "lddw of a function pointer must have zero high word");
            target[pc] = pc + 1 + k;
            imm[pc] = pc + 1 + k; // the value a helper receives: the callback's pc
            immHi[pc] = FUNC_PTR_HI;
            funcRefs.push(pc);
          } else if (s !== 0) {
            if (!options.resolveLddw)
              fail(pc, `lddw with src_reg ${s} (a map reference) needs maps, and this VM has none`);
            try {
              const v = options.resolveLddw!(s, k, next, pc);
              imm[pc] = v.lo;
              immHi[pc] = v.hi;
            } catch (e) {
              fail(pc, e instanceof Error ? e.message : String(e));
            }
          }
          pc++;
          break;
        }
        const mode = code & 0xe0,
          size = code & 0x18;
        if ((mode !== 0x20 && mode !== 0x40) || size === 0x18) unknown();
        needDst0();
        needOff0();
        if (mode === 0x20) {
          needSrc0();
          op[pc] = size === 0x10 ? Op.LD_ABS_B : size === 0x08 ? Op.LD_ABS_H : Op.LD_ABS_W;
        } else op[pc] = size === 0x10 ? Op.LD_IND_B : size === 0x08 ? Op.LD_IND_H : Op.LD_IND_W;
        break;
      }
      default:
        unknown();
    }
  }

  // ---- control flow: targets, functions, fall-through ----
  const isEntry = new Uint8Array(n);
  isEntry[0] = 1;
  for (let pc = 0; pc < n; pc++) {
    const t = target[pc]!;
    if (t === NO_TARGET) continue;
    if (t < 0 || t >= n) fail(pc, `jump out of range: target ${t} is outside 0..${n - 1}`);
    if (op[t] === Op.LDDW_HI) fail(pc, `jump into the middle of lddw at ${t - 1}`);
    if (op[pc] === Op.CALL_LOCAL || op[pc] === Op.LDDW) isEntry[t] = 1;
  }
  const functions: number[] = [];
  for (let pc = 0; pc < n; pc++) if (isEntry[pc]) functions.push(pc);
  const funcOf = new Int32Array(n);
  for (let f = 0, pc = 0; pc < n; pc++) {
    if (f + 1 < functions.length && pc === functions[f + 1]) f++;
    funcOf[pc] = f;
  }
  const funcEnd = (f: number): number => (f + 1 < functions.length ? functions[f + 1]! : n);
  for (let pc = 0; pc < n; pc++) {
    const o = op[pc]!;
    if (o === Op.LDDW_HI) continue;
    if (target[pc] !== NO_TARGET && o !== Op.CALL_LOCAL && o !== Op.LDDW && funcOf[target[pc]!] !== funcOf[pc]) {
      fail(pc, `jump out of range: target ${target[pc]} is in another function`);
    }
    if (o !== Op.JA && o !== Op.EXIT) {
      const next = pc + (o === Op.LDDW ? 2 : 1);
      if (next >= funcEnd(funcOf[pc]!)) {
        fail(
          pc,
          next >= n
            ? "the program falls off its end (the last instruction must be exit or a jump)"
            : "the function falls through into the next function",
        );
      }
    }
  }

  // ---- reachability and definite initialisation of registers ----
  const entryRegs = (options.entryRegisters ?? 0b10) | R10;
  const state = new Int32Array(n).fill(-1); // registers initialised on every path into pc
  const reached = new Uint8Array(n);
  const work: number[] = [];
  const flow = (to: number, regs: number): void => {
    const before = reached[to] ? state[to]! : -1;
    const after = before & regs;
    if (!reached[to] || after !== before) {
      reached[to] = 1;
      state[to] = after;
      work.push(to);
    }
  };
  functions.forEach((entry, i) => flow(entry, i === 0 ? entryRegs : REG_ARGS | R10));
  while (work.length) {
    const pc = work.pop()!;
    const r = transfer(op[pc]!, dst[pc]! >> 1, src[pc]! >> 1, state[pc]!);
    const o = op[pc]!;
    if (o === Op.EXIT) continue;
    if (o === Op.JA) {
      flow(target[pc]!, r);
      continue;
    }
    if (o !== Op.CALL_LOCAL && o !== Op.LDDW && target[pc] !== NO_TARGET) flow(target[pc]!, r);
    flow(pc + (o === Op.LDDW ? 2 : 1), r);
  }
  let usesStack = false;
  for (let pc = 0; pc < n; pc++) {
    if (op[pc] === Op.LDDW_HI) continue;
    if (reads(op[pc]!, dst[pc]! >> 1, src[pc]! >> 1) & R10) usesStack = true;
    if (!reached[pc]) {
      if (options.allowUnreachable) continue;
      fail(pc, "unreachable instruction");
    }
    const need = reads(op[pc]!, dst[pc]! >> 1, src[pc]! >> 1);
    const missing = need & ~state[pc]!;
    if (missing) {
      const r = 31 - Math.clz32(missing & -missing);
      fail(pc, `invalid read of r${r}: it is not initialized on every path to this instruction`);
    }
  }
  for (let f = 0; f < functions.length; f++) {
    let hasExit = false;
    for (let pc = functions[f]!; pc < funcEnd(f); pc++)
      if (op[pc] === Op.EXIT && reached[pc]) {
        hasExit = true;
        break;
      }
    if (!hasExit) fail(functions[f]!, "exit is unreachable: no path from here returns");
  }
  for (const pc of funcRefs) {
    if (!isEntry[target[pc]!]) fail(pc, "function pointer does not point at a function");
  }

  const leaders = new Uint8Array(n + 1);
  for (const f of functions) leaders[f] = 1;
  for (let pc = 0; pc < n; pc++) {
    const o = op[pc]!;
    if (target[pc] !== NO_TARGET && o !== Op.LDDW && o !== Op.CALL_LOCAL) leaders[target[pc]!] = 1;
    if (isBranch(o)) leaders[pc + 1] = 1;
  }

  return {
    length: n,
    bytes,
    op,
    dst,
    src,
    off,
    imm,
    immHi,
    target,
    functions,
    leaders,
    usesStack,
    stackWriteLow: stackWriteLowOf(op, dst, src, off, n, imm, target, leaders),
    entryRegisters: entryRegs,
    describe,
  };
}

/** See DecodedProgram.stackWriteLow. */
function stackWriteLowOf(
  op: Uint8Array,
  dst: Uint8Array,
  src: Uint8Array,
  off: Int32Array,
  n: number,
  imm: Int32Array,
  target: Int32Array,
  leaders: Uint8Array,
): number {
  const FRAME = 512;
  let low = 0;
  for (let pc = 0; pc < n; pc++) {
    const o = op[pc]!,
      d = dst[pc]! >> 1,
      s = src[pc]! >> 1;
    if (o === Op.LDDW_HI || (reads(o, d, s) & R10) === 0) continue;
    if (o >= Op.LDXB && o <= Op.LDXSW) continue; // r10 can only be the base here
    const store = o >= Op.STB && o <= Op.STDW;
    const storeX = (o >= Op.STXB && o <= Op.STXDW) || (o >= Op.AADD_W && o <= Op.ACMPXCHG_DW);
    if ((store || storeX) && d === 10 && !(storeX && s === 10)) low = Math.min(low, off[pc]!);
    else return Math.min(low, escapedStackLow(op, dst, src, off, n, imm, target, leaders));
  }
  return low;
}

/**
 * The lowest offset from r10 a program can write when r10's value leaves it, or -512 (anything
 * in the frame). The common case is followed exactly: within a basic block, `rX = r10` and
 * constant additions make pointers at known offsets, which stores use as bases and helpers
 * receive as arguments (a helper writes at or above the pointer it is given: a map key, a value
 * to copy out). Anything else gives up: a pointer live across blocks, stored to memory, returned,
 * changed otherwise, or a program with bpf-to-bpf calls or callbacks (they receive pointers as
 * arguments the scan does not follow).
 */
function escapedStackLow(
  op: Uint8Array,
  dst: Uint8Array,
  src: Uint8Array,
  off: Int32Array,
  n: number,
  imm: Int32Array,
  target: Int32Array,
  leaders: Uint8Array,
): number {
  const ANY = -512;
  // offset from r10 of the stack pointer each register holds, NaN when it holds none
  const at = new Float64Array(11).fill(NaN);
  const pointers = (): number => {
    let mask = 0;
    for (let r = 0; r < 10; r++) if (!Number.isNaN(at[r]!)) mask |= 1 << r;
    return mask;
  };
  at[10] = 0;
  let low = 0;
  for (let pc = 0; pc < n; pc++) {
    const o = op[pc]!,
      d = dst[pc]! >> 1,
      s = src[pc]! >> 1;
    if (o === Op.CALL_LOCAL || o === Op.CALLX || (o === Op.LDDW && target[pc] !== NO_TARGET)) return ANY;
    if (o === Op.LDDW_HI) continue;
    if (leaders[pc] && pointers() !== 0) return ANY;
    const live = pointers();
    if (o === Op.MOV64_X) {
      at[d] = at[s]!;
      continue;
    }
    if ((o === Op.ADD64_K || o === Op.SUB64_K) && (live & (1 << d)) !== 0) {
      at[d] = at[d]! + (o === Op.ADD64_K ? imm[pc]! : -imm[pc]!);
      if (at[d]! < ANY) return ANY;
      continue;
    }
    const store = o >= Op.STB && o <= Op.STDW;
    const storeX = (o >= Op.STXB && o <= Op.STXDW) || (o >= Op.AADD_W && o <= Op.ACMPXCHG_DW);
    if (store || storeX) {
      if (storeX && (live & (1 << s)) !== 0) return ANY; // the pointer itself is stored
      if (!Number.isNaN(at[d]!)) low = Math.min(low, at[d]! + off[pc]!);
    } else if (o === Op.CALL_HELPER) {
      for (let r = 1; r <= 5; r++) if (!Number.isNaN(at[r]!)) low = Math.min(low, at[r]!);
      for (let r = 0; r <= 5; r++) at[r] = NaN;
      continue;
    } else if (!(o >= Op.LDXB && o <= Op.LDXSW)) {
      // comparisons may read pointers; any other use of one gives up
      const compares = o >= Op.JEQ_K && o <= Op.JSLE32_X;
      if (!compares && (reads(o, d, s) & live) !== 0) return ANY;
    }
    const written = transfer(o, d, s, 0) | (o >= Op.LD_ABS_B && o <= Op.LD_IND_W ? REG_ARGS : 0);
    for (let r = 0; r < 10; r++) if ((written & (1 << r)) !== 0) at[r] = NaN;
    if (low < ANY) return ANY;
  }
  return pointers() === 0 ? low : ANY;
}

/** Ends a basic block: jumps, exit, calls (they re-enter the dispatcher), may_goto. */
export function isBranch(o: number): boolean {
  return (o >= Op.JA && o <= Op.MAY_GOTO) || (o >= Op.LD_ABS_B && o <= Op.LD_IND_W);
}

/** Registers an instruction reads (bit mask). */
function reads(o: number, d: number, s: number): number {
  const D = 1 << d,
    S = 1 << s;
  if (o <= Op.BSWAP64 || (o >= Op.ADD32_K && o <= Op.BE64)) {
    if (o === Op.MOV64_K || o === Op.MOV32_K) return 0;
    if (
      o === Op.MOV64_X ||
      o === Op.MOV32_X ||
      o === Op.MOVSX8_64 ||
      o === Op.MOVSX16_64 ||
      o === Op.MOVSX32_64 ||
      o === Op.MOVSX8_32 ||
      o === Op.MOVSX16_32
    )
      return S;
    const isX = isAluX(o);
    return isX ? D | S : D;
  }
  if (o >= Op.JEQ_K && o <= Op.JSLE32_X) return (o - Op.JEQ_K) % 2 === 1 ? D | S : D;
  switch (o) {
    case Op.EXIT:
      return R0;
    case Op.CALLX:
      return D;
    case Op.LDXB:
    case Op.LDXH:
    case Op.LDXW:
    case Op.LDXDW:
    case Op.LDXSB:
    case Op.LDXSH:
    case Op.LDXSW:
      return S;
    case Op.STB:
    case Op.STH:
    case Op.STW:
    case Op.STDW:
      return D;
    case Op.STXB:
    case Op.STXH:
    case Op.STXW:
    case Op.STXDW:
      return D | S;
    case Op.ACMPXCHG_W:
    case Op.ACMPXCHG_DW:
      return D | S | R0;
    case Op.LD_ABS_B:
    case Op.LD_ABS_H:
    case Op.LD_ABS_W:
      return 1 << 6;
    case Op.LD_IND_B:
    case Op.LD_IND_H:
    case Op.LD_IND_W:
      return (1 << 6) | S;
  }
  if (o >= Op.AADD_W && o <= Op.ACMPXCHG_DW) return D | S;
  return 0;
}

function isAluX(o: number): boolean {
  // within the K/X pairs, X is odd relative to the family's first op
  if (o <= Op.ARSH64_X) return (o - Op.ADD64_K) % 2 === 1;
  if (o >= Op.ADD32_K && o <= Op.ARSH32_X) return (o - Op.ADD32_K) % 2 === 1;
  return false;
}

/** Registers initialised after an instruction, given those before. */
function transfer(o: number, d: number, s: number, regs: number): number {
  switch (o) {
    case Op.CALL_HELPER:
    case Op.CALL_LOCAL:
    case Op.CALLX:
    case Op.LD_ABS_B:
    case Op.LD_ABS_H:
    case Op.LD_ABS_W:
    case Op.LD_IND_B:
    case Op.LD_IND_H:
    case Op.LD_IND_W:
      return (regs & ~REG_ARGS) | R0;
    case Op.ACMPXCHG_W:
    case Op.ACMPXCHG_DW:
      return regs | R0;
    case Op.AFADD_W:
    case Op.AFOR_W:
    case Op.AFAND_W:
    case Op.AFXOR_W:
    case Op.AXCHG_W:
    case Op.AFADD_DW:
    case Op.AFOR_DW:
    case Op.AFAND_DW:
    case Op.AFXOR_DW:
    case Op.AXCHG_DW:
      return regs | (1 << s);
  }
  if (o <= Op.BE64 || o === Op.LDDW || (o >= Op.LDXB && o <= Op.LDXSW)) return regs | (1 << d);
  return regs;
}
