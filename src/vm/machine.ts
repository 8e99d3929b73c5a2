// The interpreter: registers as int32 word pairs in one Int32Array (lo at 2i, hi at 2i + 1), a
// pre-decoded program in typed arrays, and a dense `switch` that V8 turns into a jump table.
// No BigInt and no allocation on the hot path; memory goes through the region table with a bounds
// check on every access.
import type { DecodedProgram } from "./decode.js";
import { VmBudgetExceeded, VmFault, type AccessKind } from "./errors.js";
import { bswap16, bswap32, joinBig, mul64, sdiv64, smod64, splitBig, udiv64, umod64 } from "./int64.js";
import { ADDR_HI_BASE, accessFault, Memory, Region, RegionKind } from "./memory.js";
import { Op } from "./ops.js";

export const STACK_SIZE = 512;
/** The kernel's MAX_CALL_FRAMES. */
export const MAX_FRAMES = 8;
/** The kernel's MAX_TAIL_CALL_CNT. */
export const MAX_TAIL_CALLS = 33;
/** The kernel's BPF_MAX_LOOPS, the budget of may_goto. */
export const MAY_GOTO_LOOPS = 8 * 1024 * 1024;
const FRAME_WORDS = 11; // r6..r10 (lo, hi) and the return pc
/** Size of the whole stack; the first frame's r10. */
/** Offset of the top of the stack: r10 of the first frame. */
export const STACK_TOP = STACK_SIZE * MAX_FRAMES;
/** r0 and r6..r9 as entry-register bits. */
const ENTRY_OTHERS = 0b1111000001;

/** A helper: reads its arguments from `m.regs` (r1..r5), writes r0 with `m.setR0*`. */
export type HelperFn = (m: Machine) => void;

export class Machine {
  /** r0..r10 as (lo, hi) int32 pairs. */
  readonly regs = new Int32Array(22);
  readonly memory = new Memory();
  /** All frames' stacks, MAX_FRAMES × 512 bytes; frame k's r10 is at 4096 - 512k. */
  readonly stack: Region;
  readonly frames = new Int32Array(MAX_FRAMES * FRAME_WORDS);
  depth = 0;
  /** Instructions executed in this run so far, and the limit. */
  steps = 0;
  budget = 100_000_000;
  /** Helpers by id. */
  helpers: (HelperFn | undefined)[] = [];
  /** Program currently executing. */
  prog!: DecodedProgram;
  /** Slot of the instruction being executed (valid inside helpers). */
  pc = 0;
  /** Set by the tail_call helper: the program to continue in. */
  tailCallTarget: DecodedProgram | null = null;
  tailCalls = 0;
  mayGotoLeft = MAY_GOTO_LOOPS;
  /** The packet (skb data .. data_end) for legacy LD_ABS / LD_IND, when the program has one. */
  packet: Region | null = null;
  /** The running program's compiled form, when it runs compiled (callbacks re-enter through it). */
  compiledRun: ((m: Machine, prog: DecodedProgram, pc: number) => void) | null = null;

  /** High word of stack pointers (the stack region is never removed, so its tag never changes). */
  readonly stackHi: number;

  constructor() {
    this.stack = this.memory.add(new Region(new Uint8Array(STACK_SIZE * MAX_FRAMES), RegionKind.STACK, true, "stack"));
    this.stackHi = this.stack.hi;
    this.stackWords = new Int32Array(this.stack.bytes.buffer, this.stack.bytes.byteOffset, STACK_TOP >> 2);
  }

  /**
   * The deepest frame a run entered (0: only the first): the frames down to it are cleared before
   * the next run, not the whole stack (a call one level deep costs 1 KiB of clearing, not 4).
   */
  deepestFrame = 0;
  /** Set when a run used frames below the first: their stack is cleared before the next run. */
  get deepFramesUsed(): boolean {
    return this.deepestFrame > 0;
  }
  set deepFramesUsed(used: boolean) {
    this.deepestFrame = used ? MAX_FRAMES - 1 : 0;
  }
  /**
   * Offset in the stack from which the last run's programs could have written the first frame
   * (the stack's size when they could not): the next reset clears from there, often a few bytes.
   */
  stackClearFrom = STACK_TOP - STACK_SIZE;
  /** Set when the last run's program could write its stack frame. */
  get stackDirty(): boolean {
    return this.stackClearFrom < STACK_TOP;
  }
  set stackDirty(dirty: boolean) {
    this.stackClearFrom = dirty ? STACK_TOP - STACK_SIZE : STACK_TOP;
  }
  /** @internal The stack as words, for clearing a few bytes without a fill() call. */
  readonly stackWords: Int32Array;

  /** Notes that `prog` runs in the first frame: the next reset clears what it may write. */
  #mayWriteStack(prog: DecodedProgram): void {
    if (prog.usesStack)
      this.stackClearFrom = Math.max(0, Math.min(this.stackClearFrom, STACK_TOP + prog.stackWriteLow));
  }

  /**
   * Resets the per-run state: registers, frames, counters; r10 at the top of the stack. The
   * stack starts zeroed so that a run does not depend on the runs before it.
   */
  reset(prog: DecodedProgram): void {
    const R = this.regs;
    // r1..r5 may be read at entry (arguments); the validator refuses reading r0 and r6..r9 before
    // a write unless the program was loaded with them as entry registers, so only then are they
    // cleared too (unrolled: this runs before every run of a program a few instructions long)
    R[2] = 0;
    R[3] = 0;
    R[4] = 0;
    R[5] = 0;
    R[6] = 0;
    R[7] = 0;
    R[8] = 0;
    R[9] = 0;
    R[10] = 0;
    R[11] = 0;
    if ((prog.entryRegisters & ENTRY_OTHERS) !== 0) R.fill(0, 0, 20);
    R[20] = STACK_TOP;
    R[21] = this.stackHi;
    this.begin(prog);
  }

  /**
   * The per-run state other than the registers: the stack cleared of what earlier runs wrote,
   * frames, counters. (A compiled program's runner does the same in its own code, with the
   * program's values as constants: keep the two alike.)
   */
  begin(prog: DecodedProgram): void {
    if (this.stackClearFrom < STACK_TOP || this.deepestFrame > 0) this.clearStack();
    // a program that never reads r10 cannot reach its stack, and leaves it clean for the next
    // (stackWriteLow is at most 0)
    this.stackClearFrom = prog.usesStack ? Math.max(0, STACK_TOP + prog.stackWriteLow) : STACK_TOP;
    this.depth = 0;
    this.steps = 0;
    this.prog = prog;
    this.tailCallTarget = null;
    this.tailCalls = 0;
    this.mayGotoLeft = MAY_GOTO_LOOPS;
  }

  /** @internal Zeroes what the last run may have written: from stackClearFrom, and deeper frames. */
  clearStack(): void {
    let from = this.stackClearFrom;
    if (this.deepestFrame > 0) {
      from = Math.min(from, STACK_SIZE * (MAX_FRAMES - 1 - this.deepestFrame));
      this.deepestFrame = 0;
    }
    if (STACK_TOP - from <= 64) {
      const words = this.stackWords;
      for (let w = from >> 2; w < STACK_TOP >> 2; w++) words[w] = 0;
    } else this.stack.bytes.fill(0, from);
    this.stackClearFrom = STACK_TOP;
  }

  // ---------------------------------------------------------------- helper-facing accessors

  /** Low word of argument register ri (1..5), as an unsigned number. */
  argU32(i: number): number {
    return this.regs[i * 2]! >>> 0;
  }
  /** Low word of ri, signed. */
  argI32(i: number): number {
    return this.regs[i * 2]!;
  }
  /** Full 64-bit value of ri. */
  argU64(i: number): bigint {
    return joinBig(this.regs[i * 2]!, this.regs[i * 2 + 1]!);
  }
  /** ri as a JavaScript number; exact below 2^53, throws (a fault) above. */
  argNumber(i: number): number {
    const hi = this.regs[i * 2 + 1]! >>> 0;
    if (hi >= 0x200000) throw this.fault(`argument r${i} = ${this.argU64(i)} is too large here`);
    return hi * 4294967296 + (this.regs[i * 2]! >>> 0);
  }
  setR0(lo: number, hi: number): void {
    this.regs[0] = lo | 0;
    this.regs[1] = hi | 0;
  }
  /** r0 = a signed 32-bit value sign-extended (helper error codes like -ENOENT). */
  setR0Int(v: number): void {
    this.regs[0] = v | 0;
    this.regs[1] = (v | 0) >> 31;
  }
  setR0Big(v: bigint): void {
    const [lo, hi] = splitBig(v);
    this.regs[0] = lo;
    this.regs[1] = hi;
  }

  fault(reason: string, address?: bigint): VmFault {
    return new VmFault(this.pc, reason, address, this.prog.describe(this.pc));
  }

  /**
   * Bytes at a pointer argument, bounds-checked: `len` bytes starting at the address in ri.
   * Returns a view into the region (writes through it land in VM memory).
   */
  argBytes(i: number, len: number, kind: AccessKind = "read"): Uint8Array {
    return this.bytesAt(this.regs[i * 2 + 1]!, this.regs[i * 2]!, len, kind);
  }

  /**
   * A copy of `len` bytes at the pointer in ri, in a scratch buffer reused by the next call with
   * the same `slot` (0 or 1) and length: for keys and values a helper only reads and does not keep.
   */
  argCopy(i: number, len: number, slot: 0 | 1 = 0): Uint8Array {
    const hi = this.regs[i * 2 + 1]!,
      lo = this.regs[i * 2]!;
    const r = this.memory.regionOf(hi);
    const a = lo >>> 0;
    if (r === undefined || a < r.start || a + len > r.end) {
      throw accessFault(this.memory, this.pc, this.prog.describe(this.pc), "read", len, hi, lo);
    }
    const pool = slot === 0 ? this.#scratch0 : this.#scratch1;
    let out = pool[len];
    if (out === undefined) {
      out = new Uint8Array(len);
      pool[len] = out;
    }
    const src = r.bytes;
    for (let k = 0; k < len; k++) out[k] = src[a + k]!;
    return out;
  }
  readonly #scratch0: Uint8Array[] = [];
  readonly #scratch1: Uint8Array[] = [];

  bytesAt(hi: number, lo: number, len: number, kind: AccessKind = "read"): Uint8Array {
    const r = this.memory.regionOf(hi);
    const a = lo >>> 0;
    if (len === 0) return new Uint8Array(0);
    if (r === undefined || a < r.start || a + len > r.end || (kind !== "read" && !r.writable)) {
      throw accessFault(this.memory, this.pc, this.prog.describe(this.pc), kind, len, hi, lo);
    }
    return r.bytes.subarray(a, a + len);
  }

  /** Like bytesAt but answers undefined instead of faulting (probe_read semantics). */
  tryBytesAt(hi: number, lo: number, len: number, write = false): Uint8Array | undefined {
    const r = this.memory.regionOf(hi);
    const a = lo >>> 0;
    if (r === undefined || a < r.start || a + len > r.end || (write && !r.writable)) return undefined;
    return r.bytes.subarray(a, a + len);
  }

  /** Calls a callback function of the program (bpf_loop, for_each_map_elem) and returns its r0. */
  invoke(entryPc: number, args: readonly (number | bigint)[]): bigint {
    const R = this.regs;
    if (this.depth + 1 >= MAX_FRAMES) throw this.fault(`call stack too deep (more than ${MAX_FRAMES} frames)`);
    const saved = R.slice(0, 22);
    const savedPc = this.pc;
    for (let i = 0; i < 5; i++) {
      const v = args[i] ?? 0;
      if (typeof v === "bigint") {
        const [lo, hi] = splitBig(v);
        R[2 + 2 * i] = lo;
        R[3 + 2 * i] = hi;
      } else {
        R[2 + 2 * i] = v | 0;
        R[3 + 2 * i] = v < 0 ? -1 : Math.floor(v / 4294967296) | 0;
      }
    }
    R[20] = (R[20]! - STACK_SIZE) | 0;
    if (++this.depth > this.deepestFrame) this.deepestFrame = this.depth;
    try {
      if (this.compiledRun) this.compiledRun(this, this.prog, entryPc);
      else this.run(entryPc);
    } finally {
      this.depth--;
    }
    const r0 = joinBig(R[0]!, R[1]!);
    R.set(saved);
    this.pc = savedPc;
    return r0;
  }

  // ---------------------------------------------------------------- slow paths of memory access

  /** Address plus offset with carry into the high word, then the full check; returns the offset. */
  private slowAddress(pc: number, kind: AccessKind, size: number, hi: number, a: number): Region {
    if (a < 0 || a >= 4294967296) {
      hi = (hi + Math.floor(a / 4294967296)) | 0;
      a = a >>> 0;
    }
    const r = this.memory.regionOf(hi);
    if (r === undefined || a < r.start || a + size > r.end || (kind !== "read" && !r.writable)) {
      this.pc = pc;
      throw accessFault(this.memory, pc, this.prog.describe(pc), kind, size, hi, a | 0);
    }
    this.slowOffset = a;
    return r;
  }
  private slowOffset = 0;

  /** A load the fast path did not take: carries, hooks, faults. Writes ri (d is 2i). */
  slowLoad(pc: number, hi: number, a: number, size: number, signed: boolean, d: number): void {
    // context fields that read as pointers (xdp_md.data, ...) come here on every load: their
    // hook first, before the general address arithmetic
    const hooked = this.memory.regions[(hi - ADDR_HI_BASE) >>> 0];
    if (
      hooked !== undefined &&
      hooked.loadHook !== null &&
      a >= hooked.start &&
      a + size <= hooked.end &&
      hooked.loadHook(a - hooked.start, size, this.regs, d)
    )
      return;
    const r = this.slowAddress(pc, "read", size, hi, a);
    const off = this.slowOffset;
    const R = this.regs;
    if (r.loadHook !== null && r.loadHook(off - r.start, size, R, d)) return;
    const v = r.view;
    switch (size) {
      case 1:
        R[d] = signed ? v.getInt8(off) : v.getUint8(off);
        break;
      case 2:
        R[d] = signed ? v.getInt16(off, true) : v.getUint16(off, true);
        break;
      case 4:
        R[d] = v.getInt32(off, true);
        break;
      default:
        R[d] = v.getInt32(off, true);
        R[d + 1] = v.getInt32(off + 4, true);
        return;
    }
    R[d + 1] = signed ? R[d]! >> 31 : 0;
  }

  /** A store the fast path did not take. */
  slowStore(pc: number, hi: number, a: number, size: number, lo32: number, hi32: number): void {
    const r = this.slowAddress(pc, "write", size, hi, a);
    const off = this.slowOffset;
    const v = r.view;
    switch (size) {
      case 1:
        v.setUint8(off, lo32 & 0xff);
        break;
      case 2:
        v.setUint16(off, lo32 & 0xffff, true);
        break;
      case 4:
        v.setInt32(off, lo32, true);
        break;
      default:
        v.setInt32(off, lo32, true);
        v.setInt32(off + 4, hi32, true);
    }
  }

  /** Region and offset for an atomic operation (always the checked path; atomics are rare). */
  atomicView(pc: number, hi: number, a: number, size: number): DataView {
    const r = this.slowAddress(pc, "atomic", size, hi, a);
    return r.view;
  }
  get atomicOffset(): number {
    return this.slowOffset;
  }

  /** Legacy packet load: r0 = big-endian value at skb data + offset; false when out of bounds. */
  loadPacket(offset: number, size: number): boolean {
    const p = this.packet;
    if (p === null) return false;
    const a = p.start + offset;
    if (offset < 0 || a + size > p.end) return false;
    const R = this.regs;
    R[0] = size === 1 ? p.view.getUint8(a) : size === 2 ? p.view.getUint16(a, false) : p.view.getInt32(a, false);
    R[1] = 0;
    return true;
  }

  budgetFault(pc: number): VmBudgetExceeded {
    this.pc = pc;
    return new VmBudgetExceeded(
      pc,
      `instruction budget of ${this.budget} exhausted (an endless loop?)`,
      undefined,
      this.prog.describe(pc),
    );
  }

  callHelper(pc: number, id: number): void {
    const fn = this.helpers[id];
    this.pc = pc;
    if (fn === undefined) throw this.fault(`call to unknown helper function #${id}`);
    fn(this);
  }

  /** Applies a pending tail call; false if the caller must go on (there was none). */
  takeTailCall(pc: number): boolean {
    const next = this.tailCallTarget;
    if (next === null) return false;
    this.tailCallTarget = null;
    if (this.depth !== 0) {
      this.pc = pc;
      throw this.fault("tail calls from inside a bpf-to-bpf call are not supported by the VM");
    }
    this.prog = next;
    this.#mayWriteStack(next);
    return true;
  }

  // ---------------------------------------------------------------- the interpreter

  /** Runs from `entryPc` until the frame current at entry returns; r0 is then in regs[0..1]. */
  run(entryPc: number): void {
    const R = this.regs;
    const regions = this.memory.regions;
    const baseDepth = this.depth;
    const budget = this.budget;
    const frames = this.frames;
    let p = this.prog;
    let op = p.op,
      dst = p.dst,
      src = p.src,
      off = p.off,
      imm = p.imm,
      immHi = p.immHi,
      target = p.target;
    let pc = entryPc;
    let steps = this.steps;
    let d = 0,
      s = 0,
      a = 0,
      h = 0,
      t = 0,
      u = 0;
    let r: Region | undefined;

    for (;;) {
      if (++steps > budget) {
        this.steps = steps;
        throw this.budgetFault(pc);
      }
      switch (op[pc]) {
        // ------------------------------------------------ ALU64
        case Op.ADD64_K:
          d = dst[pc]!;
          a = (R[d]! >>> 0) + (imm[pc]! >>> 0);
          R[d] = a | 0;
          R[d + 1] = (R[d + 1]! + immHi[pc]! + (a > 0xffffffff ? 1 : 0)) | 0;
          pc++;
          continue;
        case Op.ADD64_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = (R[d]! >>> 0) + (R[s]! >>> 0);
          R[d] = a | 0;
          R[d + 1] = (R[d + 1]! + R[s + 1]! + (a > 0xffffffff ? 1 : 0)) | 0;
          pc++;
          continue;
        case Op.SUB64_K:
          d = dst[pc]!;
          a = (R[d]! >>> 0) - (imm[pc]! >>> 0);
          R[d] = a | 0;
          R[d + 1] = (R[d + 1]! - immHi[pc]! - (a < 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        case Op.SUB64_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = (R[d]! >>> 0) - (R[s]! >>> 0);
          R[d] = a | 0;
          R[d + 1] = (R[d + 1]! - R[s + 1]! - (a < 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        case Op.MUL64_K:
          mul64(R, dst[pc]!, imm[pc]!, immHi[pc]!);
          pc++;
          continue;
        case Op.MUL64_X:
          s = src[pc]!;
          mul64(R, dst[pc]!, R[s]!, R[s + 1]!);
          pc++;
          continue;
        case Op.DIV64_K:
          udiv64(R, dst[pc]!, imm[pc]!, immHi[pc]!);
          pc++;
          continue;
        case Op.DIV64_X:
          s = src[pc]!;
          udiv64(R, dst[pc]!, R[s]!, R[s + 1]!);
          pc++;
          continue;
        case Op.SDIV64_K:
          sdiv64(R, dst[pc]!, imm[pc]!, immHi[pc]!);
          pc++;
          continue;
        case Op.SDIV64_X:
          s = src[pc]!;
          sdiv64(R, dst[pc]!, R[s]!, R[s + 1]!);
          pc++;
          continue;
        case Op.MOD64_K:
          umod64(R, dst[pc]!, imm[pc]!, immHi[pc]!);
          pc++;
          continue;
        case Op.MOD64_X:
          s = src[pc]!;
          umod64(R, dst[pc]!, R[s]!, R[s + 1]!);
          pc++;
          continue;
        case Op.SMOD64_K:
          smod64(R, dst[pc]!, imm[pc]!, immHi[pc]!);
          pc++;
          continue;
        case Op.SMOD64_X:
          s = src[pc]!;
          smod64(R, dst[pc]!, R[s]!, R[s + 1]!);
          pc++;
          continue;
        case Op.OR64_K:
          d = dst[pc]!;
          R[d] |= imm[pc]!;
          R[d + 1] |= immHi[pc]!;
          pc++;
          continue;
        case Op.OR64_X:
          d = dst[pc]!;
          s = src[pc]!;
          R[d] |= R[s]!;
          R[d + 1] |= R[s + 1]!;
          pc++;
          continue;
        case Op.AND64_K:
          d = dst[pc]!;
          R[d] &= imm[pc]!;
          R[d + 1] &= immHi[pc]!;
          pc++;
          continue;
        case Op.AND64_X:
          d = dst[pc]!;
          s = src[pc]!;
          R[d] &= R[s]!;
          R[d + 1] &= R[s + 1]!;
          pc++;
          continue;
        case Op.XOR64_K:
          d = dst[pc]!;
          R[d] ^= imm[pc]!;
          R[d + 1] ^= immHi[pc]!;
          pc++;
          continue;
        case Op.XOR64_X:
          d = dst[pc]!;
          s = src[pc]!;
          R[d] ^= R[s]!;
          R[d + 1] ^= R[s + 1]!;
          pc++;
          continue;
        case Op.LSH64_K:
        case Op.LSH64_X:
          d = dst[pc]!;
          t = (op[pc] === Op.LSH64_K ? imm[pc]! : R[src[pc]!]!) & 63;
          if (t >= 32) {
            R[d + 1] = R[d]! << (t - 32);
            R[d] = 0;
          } else if (t !== 0) {
            R[d + 1] = (R[d + 1]! << t) | (R[d]! >>> (32 - t));
            R[d] = R[d]! << t;
          }
          pc++;
          continue;
        case Op.RSH64_K:
        case Op.RSH64_X:
          d = dst[pc]!;
          t = (op[pc] === Op.RSH64_K ? imm[pc]! : R[src[pc]!]!) & 63;
          if (t >= 32) {
            R[d] = R[d + 1]! >>> (t - 32);
            R[d + 1] = 0;
          } else if (t !== 0) {
            R[d] = (R[d]! >>> t) | (R[d + 1]! << (32 - t));
            R[d + 1] = R[d + 1]! >>> t;
          }
          pc++;
          continue;
        case Op.ARSH64_K:
        case Op.ARSH64_X:
          d = dst[pc]!;
          t = (op[pc] === Op.ARSH64_K ? imm[pc]! : R[src[pc]!]!) & 63;
          if (t >= 32) {
            R[d] = R[d + 1]! >> (t - 32);
            R[d + 1] = R[d + 1]! >> 31;
          } else if (t !== 0) {
            R[d] = (R[d]! >>> t) | (R[d + 1]! << (32 - t));
            R[d + 1] = R[d + 1]! >> t;
          }
          pc++;
          continue;
        case Op.NEG64:
          d = dst[pc]!;
          R[d] = -R[d]! | 0;
          R[d + 1] = (~R[d + 1]! + (R[d] === 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        case Op.MOV64_K:
          d = dst[pc]!;
          R[d] = imm[pc]!;
          R[d + 1] = immHi[pc]!;
          pc++;
          continue;
        case Op.MOV64_X:
          d = dst[pc]!;
          s = src[pc]!;
          R[d] = R[s]!;
          R[d + 1] = R[s + 1]!;
          pc++;
          continue;
        case Op.MOVSX8_64:
          d = dst[pc]!;
          R[d] = (R[src[pc]!]! << 24) >> 24;
          R[d + 1] = R[d]! >> 31;
          pc++;
          continue;
        case Op.MOVSX16_64:
          d = dst[pc]!;
          R[d] = (R[src[pc]!]! << 16) >> 16;
          R[d + 1] = R[d]! >> 31;
          pc++;
          continue;
        case Op.MOVSX32_64:
          d = dst[pc]!;
          R[d] = R[src[pc]!]!;
          R[d + 1] = R[d]! >> 31;
          pc++;
          continue;
        case Op.BSWAP16:
          d = dst[pc]!;
          R[d] = bswap16(R[d]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.BSWAP32:
          d = dst[pc]!;
          R[d] = bswap32(R[d]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.BSWAP64:
        case Op.BE64:
          d = dst[pc]!;
          t = R[d]!;
          R[d] = bswap32(R[d + 1]!);
          R[d + 1] = bswap32(t);
          pc++;
          continue;

        // ------------------------------------------------ ALU (32-bit), upper word cleared
        case Op.ADD32_K:
          d = dst[pc]!;
          R[d] = (R[d]! + imm[pc]!) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.ADD32_X:
          d = dst[pc]!;
          R[d] = (R[d]! + R[src[pc]!]!) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.SUB32_K:
          d = dst[pc]!;
          R[d] = (R[d]! - imm[pc]!) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.SUB32_X:
          d = dst[pc]!;
          R[d] = (R[d]! - R[src[pc]!]!) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MUL32_K:
          d = dst[pc]!;
          R[d] = Math.imul(R[d]!, imm[pc]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MUL32_X:
          d = dst[pc]!;
          R[d] = Math.imul(R[d]!, R[src[pc]!]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.DIV32_K:
        case Op.DIV32_X:
          d = dst[pc]!;
          t = (op[pc] === Op.DIV32_K ? imm[pc]! : R[src[pc]!]!) >>> 0;
          R[d] = t === 0 ? 0 : Math.floor((R[d]! >>> 0) / t) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.SDIV32_K:
        case Op.SDIV32_X:
          d = dst[pc]!;
          t = op[pc] === Op.SDIV32_K ? imm[pc]! : R[src[pc]!]!;
          R[d] = t === 0 ? 0 : Math.trunc(R[d]! / t) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MOD32_K:
        case Op.MOD32_X:
          d = dst[pc]!;
          t = (op[pc] === Op.MOD32_K ? imm[pc]! : R[src[pc]!]!) >>> 0;
          if (t !== 0) R[d] = ((R[d]! >>> 0) % t) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.SMOD32_K:
        case Op.SMOD32_X:
          d = dst[pc]!;
          t = op[pc] === Op.SMOD32_K ? imm[pc]! : R[src[pc]!]!;
          if (t !== 0) R[d] = (R[d]! % t) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.OR32_K:
          d = dst[pc]!;
          R[d] |= imm[pc]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.OR32_X:
          d = dst[pc]!;
          R[d] |= R[src[pc]!]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.AND32_K:
          d = dst[pc]!;
          R[d] &= imm[pc]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.AND32_X:
          d = dst[pc]!;
          R[d] &= R[src[pc]!]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.XOR32_K:
          d = dst[pc]!;
          R[d] ^= imm[pc]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.XOR32_X:
          d = dst[pc]!;
          R[d] ^= R[src[pc]!]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.LSH32_K:
          d = dst[pc]!;
          R[d] = R[d]! << (imm[pc]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.LSH32_X:
          d = dst[pc]!;
          R[d] = R[d]! << (R[src[pc]!]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.RSH32_K:
          d = dst[pc]!;
          R[d] = R[d]! >>> (imm[pc]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.RSH32_X:
          d = dst[pc]!;
          R[d] = R[d]! >>> (R[src[pc]!]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.ARSH32_K:
          d = dst[pc]!;
          R[d] = R[d]! >> (imm[pc]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.ARSH32_X:
          d = dst[pc]!;
          R[d] = R[d]! >> (R[src[pc]!]! & 31);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.NEG32:
          d = dst[pc]!;
          R[d] = -R[d]! | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MOV32_K:
          d = dst[pc]!;
          R[d] = imm[pc]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MOV32_X:
          d = dst[pc]!;
          R[d] = R[src[pc]!]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MOVSX8_32:
          d = dst[pc]!;
          R[d] = (R[src[pc]!]! << 24) >> 24;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.MOVSX16_32:
          d = dst[pc]!;
          R[d] = (R[src[pc]!]! << 16) >> 16;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.LE16:
          d = dst[pc]!;
          R[d] &= 0xffff;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.LE32:
          d = dst[pc]!;
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.BE16:
          d = dst[pc]!;
          R[d] = bswap16(R[d]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.BE32:
          d = dst[pc]!;
          R[d] = bswap32(R[d]!);
          R[d + 1] = 0;
          pc++;
          continue;
        case Op.NOP:
          pc++;
          continue;

        // ------------------------------------------------ jumps, 64-bit compare
        case Op.JA:
          pc = target[pc]!;
          continue;
        case Op.JEQ_K:
          d = dst[pc]!;
          pc = R[d] === imm[pc] && R[d + 1] === immHi[pc] ? target[pc]! : pc + 1;
          continue;
        case Op.JEQ_X:
          d = dst[pc]!;
          s = src[pc]!;
          pc = R[d] === R[s] && R[d + 1] === R[s + 1] ? target[pc]! : pc + 1;
          continue;
        case Op.JNE_K:
          d = dst[pc]!;
          pc = R[d] !== imm[pc] || R[d + 1] !== immHi[pc] ? target[pc]! : pc + 1;
          continue;
        case Op.JNE_X:
          d = dst[pc]!;
          s = src[pc]!;
          pc = R[d] !== R[s] || R[d + 1] !== R[s + 1] ? target[pc]! : pc + 1;
          continue;
        case Op.JSET_K:
          d = dst[pc]!;
          pc = (R[d]! & imm[pc]!) !== 0 || (R[d + 1]! & immHi[pc]!) !== 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JSET_X:
          d = dst[pc]!;
          s = src[pc]!;
          pc = (R[d]! & R[s]!) !== 0 || (R[d + 1]! & R[s + 1]!) !== 0 ? target[pc]! : pc + 1;
          continue;
        // unsigned: high words as u32 first, then low words; signed: high words as i32
        case Op.JGT_K:
          d = dst[pc]!;
          a = R[d + 1]! >>> 0;
          h = immHi[pc]! >>> 0;
          pc = a > h || (a === h && R[d]! >>> 0 > imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JGT_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]! >>> 0;
          h = R[s + 1]! >>> 0;
          pc = a > h || (a === h && R[d]! >>> 0 > R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JGE_K:
          d = dst[pc]!;
          a = R[d + 1]! >>> 0;
          h = immHi[pc]! >>> 0;
          pc = a > h || (a === h && R[d]! >>> 0 >= imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JGE_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]! >>> 0;
          h = R[s + 1]! >>> 0;
          pc = a > h || (a === h && R[d]! >>> 0 >= R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JLT_K:
          d = dst[pc]!;
          a = R[d + 1]! >>> 0;
          h = immHi[pc]! >>> 0;
          pc = a < h || (a === h && R[d]! >>> 0 < imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JLT_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]! >>> 0;
          h = R[s + 1]! >>> 0;
          pc = a < h || (a === h && R[d]! >>> 0 < R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JLE_K:
          d = dst[pc]!;
          a = R[d + 1]! >>> 0;
          h = immHi[pc]! >>> 0;
          pc = a < h || (a === h && R[d]! >>> 0 <= imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JLE_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]! >>> 0;
          h = R[s + 1]! >>> 0;
          pc = a < h || (a === h && R[d]! >>> 0 <= R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSGT_K:
          d = dst[pc]!;
          a = R[d + 1]!;
          h = immHi[pc]!;
          pc = a > h || (a === h && R[d]! >>> 0 > imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSGT_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]!;
          h = R[s + 1]!;
          pc = a > h || (a === h && R[d]! >>> 0 > R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSGE_K:
          d = dst[pc]!;
          a = R[d + 1]!;
          h = immHi[pc]!;
          pc = a > h || (a === h && R[d]! >>> 0 >= imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSGE_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]!;
          h = R[s + 1]!;
          pc = a > h || (a === h && R[d]! >>> 0 >= R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSLT_K:
          d = dst[pc]!;
          a = R[d + 1]!;
          h = immHi[pc]!;
          pc = a < h || (a === h && R[d]! >>> 0 < imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSLT_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]!;
          h = R[s + 1]!;
          pc = a < h || (a === h && R[d]! >>> 0 < R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSLE_K:
          d = dst[pc]!;
          a = R[d + 1]!;
          h = immHi[pc]!;
          pc = a < h || (a === h && R[d]! >>> 0 <= imm[pc]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        case Op.JSLE_X:
          d = dst[pc]!;
          s = src[pc]!;
          a = R[d + 1]!;
          h = R[s + 1]!;
          pc = a < h || (a === h && R[d]! >>> 0 <= R[s]! >>> 0) ? target[pc]! : pc + 1;
          continue;
        // ------------------------------------------------ jumps, 32-bit compare
        case Op.JEQ32_K:
          pc = R[dst[pc]!] === imm[pc] ? target[pc]! : pc + 1;
          continue;
        case Op.JEQ32_X:
          pc = R[dst[pc]!] === R[src[pc]!] ? target[pc]! : pc + 1;
          continue;
        case Op.JNE32_K:
          pc = R[dst[pc]!] !== imm[pc] ? target[pc]! : pc + 1;
          continue;
        case Op.JNE32_X:
          pc = R[dst[pc]!] !== R[src[pc]!] ? target[pc]! : pc + 1;
          continue;
        case Op.JSET32_K:
          pc = (R[dst[pc]!]! & imm[pc]!) !== 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JSET32_X:
          pc = (R[dst[pc]!]! & R[src[pc]!]!) !== 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JGT32_K:
          pc = R[dst[pc]!]! >>> 0 > imm[pc]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JGT32_X:
          pc = R[dst[pc]!]! >>> 0 > R[src[pc]!]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JGE32_K:
          pc = R[dst[pc]!]! >>> 0 >= imm[pc]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JGE32_X:
          pc = R[dst[pc]!]! >>> 0 >= R[src[pc]!]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JLT32_K:
          pc = R[dst[pc]!]! >>> 0 < imm[pc]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JLT32_X:
          pc = R[dst[pc]!]! >>> 0 < R[src[pc]!]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JLE32_K:
          pc = R[dst[pc]!]! >>> 0 <= imm[pc]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JLE32_X:
          pc = R[dst[pc]!]! >>> 0 <= R[src[pc]!]! >>> 0 ? target[pc]! : pc + 1;
          continue;
        case Op.JSGT32_K:
          pc = R[dst[pc]!]! > imm[pc]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSGT32_X:
          pc = R[dst[pc]!]! > R[src[pc]!]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSGE32_K:
          pc = R[dst[pc]!]! >= imm[pc]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSGE32_X:
          pc = R[dst[pc]!]! >= R[src[pc]!]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSLT32_K:
          pc = R[dst[pc]!]! < imm[pc]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSLT32_X:
          pc = R[dst[pc]!]! < R[src[pc]!]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSLE32_K:
          pc = R[dst[pc]!]! <= imm[pc]! ? target[pc]! : pc + 1;
          continue;
        case Op.JSLE32_X:
          pc = R[dst[pc]!]! <= R[src[pc]!]! ? target[pc]! : pc + 1;
          continue;

        // ------------------------------------------------ calls
        case Op.CALL_HELPER:
        case Op.CALLX:
          this.steps = steps;
          this.callHelper(pc, op[pc] === Op.CALL_HELPER ? imm[pc]! : R[dst[pc]!]!);
          steps = this.steps;
          if (this.tailCallTarget !== null && this.takeTailCall(pc)) {
            p = this.prog;
            op = p.op;
            dst = p.dst;
            src = p.src;
            off = p.off;
            imm = p.imm;
            immHi = p.immHi;
            target = p.target;
            pc = 0;
            continue;
          }
          pc++;
          continue;
        case Op.CALL_LOCAL:
          if (this.depth + 1 >= MAX_FRAMES) {
            this.pc = pc;
            throw this.fault(`call stack too deep (more than ${MAX_FRAMES} frames)`);
          }
          t = this.depth * FRAME_WORDS;
          for (u = 0; u < 10; u++) frames[t + u] = R[12 + u]!;
          frames[t + 10] = pc + 1;
          if (++this.depth > this.deepestFrame) this.deepestFrame = this.depth;
          R[20] = (R[20]! - STACK_SIZE) | 0;
          pc = target[pc]!;
          continue;
        case Op.EXIT:
          if (this.depth === baseDepth) {
            this.steps = steps;
            return;
          }
          this.depth--;
          t = this.depth * FRAME_WORDS;
          for (u = 0; u < 10; u++) R[12 + u] = frames[t + u]!;
          pc = frames[t + 10]!;
          continue;
        case Op.MAY_GOTO:
          if (this.mayGotoLeft > 0) {
            this.mayGotoLeft--;
            pc++;
          } else pc = target[pc]!;
          continue;

        // ------------------------------------------------ loads
        case Op.LDXB:
        case Op.LDXSB:
          s = src[pc]!;
          a = (R[s]! >>> 0) + off[pc]!;
          r = regions[(R[s + 1]! - ADDR_HI_BASE) >>> 0];
          d = dst[pc]!;
          if (r !== undefined && a >= r.start && a + 1 <= r.rend) {
            R[d] = op[pc] === Op.LDXB ? r.view.getUint8(a) : r.view.getInt8(a);
            R[d + 1] = R[d]! >> 31;
          } else this.slowLoad(pc, R[s + 1]!, a, 1, op[pc] === Op.LDXSB, d);
          pc++;
          continue;
        case Op.LDXH:
        case Op.LDXSH:
          s = src[pc]!;
          a = (R[s]! >>> 0) + off[pc]!;
          r = regions[(R[s + 1]! - ADDR_HI_BASE) >>> 0];
          d = dst[pc]!;
          if (r !== undefined && a >= r.start && a + 2 <= r.rend) {
            R[d] = op[pc] === Op.LDXH ? r.view.getUint16(a, true) : r.view.getInt16(a, true);
            R[d + 1] = R[d]! >> 31;
          } else this.slowLoad(pc, R[s + 1]!, a, 2, op[pc] === Op.LDXSH, d);
          pc++;
          continue;
        case Op.LDXW:
        case Op.LDXSW:
          s = src[pc]!;
          a = (R[s]! >>> 0) + off[pc]!;
          r = regions[(R[s + 1]! - ADDR_HI_BASE) >>> 0];
          d = dst[pc]!;
          if (r !== undefined && a >= r.start && a + 4 <= r.rend) {
            R[d] = r.view.getInt32(a, true);
            R[d + 1] = op[pc] === Op.LDXW ? 0 : R[d]! >> 31;
          } else this.slowLoad(pc, R[s + 1]!, a, 4, op[pc] === Op.LDXSW, d);
          pc++;
          continue;
        case Op.LDXDW:
          s = src[pc]!;
          a = (R[s]! >>> 0) + off[pc]!;
          r = regions[(R[s + 1]! - ADDR_HI_BASE) >>> 0];
          d = dst[pc]!;
          if (r !== undefined && a >= r.start && a + 8 <= r.rend) {
            h = r.view.getInt32(a + 4, true);
            R[d] = r.view.getInt32(a, true);
            R[d + 1] = h;
          } else this.slowLoad(pc, R[s + 1]!, a, 8, false, d);
          pc++;
          continue;
        case Op.LDDW:
          d = dst[pc]!;
          R[d] = imm[pc]!;
          R[d + 1] = immHi[pc]!;
          pc += 2;
          continue;

        // ------------------------------------------------ stores
        case Op.STB:
        case Op.STXB:
          d = dst[pc]!;
          a = (R[d]! >>> 0) + off[pc]!;
          r = regions[(R[d + 1]! - ADDR_HI_BASE) >>> 0];
          t = op[pc] === Op.STB ? imm[pc]! : R[src[pc]!]!;
          if (r !== undefined && a >= r.start && a + 1 <= r.wend) r.view.setUint8(a, t & 0xff);
          else this.slowStore(pc, R[d + 1]!, a, 1, t, 0);
          pc++;
          continue;
        case Op.STH:
        case Op.STXH:
          d = dst[pc]!;
          a = (R[d]! >>> 0) + off[pc]!;
          r = regions[(R[d + 1]! - ADDR_HI_BASE) >>> 0];
          t = op[pc] === Op.STH ? imm[pc]! : R[src[pc]!]!;
          if (r !== undefined && a >= r.start && a + 2 <= r.wend) r.view.setUint16(a, t & 0xffff, true);
          else this.slowStore(pc, R[d + 1]!, a, 2, t, 0);
          pc++;
          continue;
        case Op.STW:
        case Op.STXW:
          d = dst[pc]!;
          a = (R[d]! >>> 0) + off[pc]!;
          r = regions[(R[d + 1]! - ADDR_HI_BASE) >>> 0];
          t = op[pc] === Op.STW ? imm[pc]! : R[src[pc]!]!;
          if (r !== undefined && a >= r.start && a + 4 <= r.wend) r.view.setInt32(a, t, true);
          else this.slowStore(pc, R[d + 1]!, a, 4, t, 0);
          pc++;
          continue;
        case Op.STDW:
        case Op.STXDW:
          d = dst[pc]!;
          a = (R[d]! >>> 0) + off[pc]!;
          r = regions[(R[d + 1]! - ADDR_HI_BASE) >>> 0];
          if (op[pc] === Op.STDW) {
            t = imm[pc]!;
            h = immHi[pc]!;
          } else {
            s = src[pc]!;
            t = R[s]!;
            h = R[s + 1]!;
          }
          if (r !== undefined && a >= r.start && a + 8 <= r.wend) {
            r.view.setInt32(a, t, true);
            r.view.setInt32(a + 4, h, true);
          } else this.slowStore(pc, R[d + 1]!, a, 8, t, h);
          pc++;
          continue;

        // ------------------------------------------------ atomics
        case Op.AADD_W:
        case Op.AOR_W:
        case Op.AAND_W:
        case Op.AXOR_W:
        case Op.AFADD_W:
        case Op.AFOR_W:
        case Op.AFAND_W:
        case Op.AFXOR_W:
        case Op.AXCHG_W:
        case Op.ACMPXCHG_W:
        case Op.AADD_DW:
        case Op.AOR_DW:
        case Op.AAND_DW:
        case Op.AXOR_DW:
        case Op.AFADD_DW:
        case Op.AFOR_DW:
        case Op.AFAND_DW:
        case Op.AFXOR_DW:
        case Op.AXCHG_DW:
        case Op.ACMPXCHG_DW:
          this.atomic(pc, op[pc]!, dst[pc]!, src[pc]!, off[pc]!);
          pc++;
          continue;

        // ------------------------------------------------ legacy packet loads (exit 0 when out of bounds)
        case Op.LD_ABS_B:
        case Op.LD_ABS_H:
        case Op.LD_ABS_W:
        case Op.LD_IND_B:
        case Op.LD_IND_H:
        case Op.LD_IND_W: {
          t = op[pc]!;
          const size = t === Op.LD_ABS_B || t === Op.LD_IND_B ? 1 : t === Op.LD_ABS_H || t === Op.LD_IND_H ? 2 : 4;
          const where = t >= Op.LD_IND_B ? (R[src[pc]!]! + imm[pc]!) | 0 : imm[pc]!;
          for (u = 2; u < 12; u++) R[u] = 0; // r1..r5 are clobbered, like after a call
          if (!this.loadPacket(where, size)) {
            R[0] = 0;
            R[1] = 0;
            if (this.depth === baseDepth) {
              this.steps = steps;
              return;
            }
            this.pc = pc;
            throw this.fault("out-of-bounds LD_ABS/LD_IND inside a bpf-to-bpf call");
          }
          pc++;
          continue;
        }
        case Op.LDDW_HI:
        default:
          this.pc = pc;
          throw this.fault(`cannot execute slot ${pc} (internal op ${op[pc]})`);
      }
    }
  }

  /** All atomic read-modify-write operations. */
  atomic(pc: number, o: number, d: number, s: number, offset: number): void {
    const R = this.regs;
    const dw = o >= Op.AADD_DW;
    const kind = dw ? o - (Op.AADD_DW - Op.AADD_W) : o;
    const v = this.atomicView(pc, R[d + 1]!, (R[d]! >>> 0) + offset, dw ? 8 : 4);
    const at = this.atomicOffset;
    const oldLo = v.getInt32(at, true),
      oldHi = dw ? v.getInt32(at + 4, true) : 0;
    const sl = R[s]!,
      sh = dw ? R[s + 1]! : 0;
    let nl = oldLo,
      nh = oldHi;
    switch (kind) {
      case Op.AADD_W:
      case Op.AFADD_W: {
        const sum = (oldLo >>> 0) + (sl >>> 0);
        nl = sum | 0;
        nh = (oldHi + sh + (sum > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case Op.AOR_W:
      case Op.AFOR_W:
        nl = oldLo | sl;
        nh = oldHi | sh;
        break;
      case Op.AAND_W:
      case Op.AFAND_W:
        nl = oldLo & sl;
        nh = oldHi & sh;
        break;
      case Op.AXOR_W:
      case Op.AFXOR_W:
        nl = oldLo ^ sl;
        nh = oldHi ^ sh;
        break;
      case Op.AXCHG_W:
        nl = sl;
        nh = sh;
        break;
      case Op.ACMPXCHG_W: {
        const equal = dw ? oldLo === R[0] && oldHi === R[1] : oldLo === R[0];
        if (equal) {
          nl = sl;
          nh = sh;
        }
        R[0] = oldLo;
        R[1] = oldHi;
        break;
      }
    }
    v.setInt32(at, nl, true);
    if (dw) v.setInt32(at + 4, nh, true);
    if (kind >= Op.AFADD_W && kind <= Op.AXCHG_W) {
      R[s] = oldLo;
      R[s + 1] = oldHi;
    }
  }
}

export { joinBig, splitBig };
