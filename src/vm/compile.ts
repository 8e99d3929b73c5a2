// The second tier: each program becomes JavaScript (new Function) that V8 compiles to machine
// code: one function, or one per chunk of a few hundred instructions for large programs.
// Registers are local variables (lo/hi int32 pairs), every basic block is a `case` of one
// `switch (pc)` inside a loop, straight-line code falls from block to block without dispatch,
// constants are inlined, and memory accesses keep the interpreter's region check. A program in one
// function also gets runners: a whole run, input to retval, in one function the caller calls.
// Semantics are exactly the interpreter's (tests run both on the same programs).
import { NO_TARGET, type DecodedProgram } from "./decode.js";
import { bswap16, bswap32, sdiv64, smod64, udiv64, umod64, umulhi } from "./int64.js";
import { MAX_FRAMES, MAY_GOTO_LOOPS, STACK_SIZE, STACK_TOP, type Machine } from "./machine.js";
import { ADDR_HI_BASE } from "./memory.js";
import { Op } from "./ops.js";

export type CompiledFn = (m: Machine, prog: DecodedProgram, entry: number) => void;

/** The input a runner reads: memory (r1, r2) or whatever the VM lays out for its program type. */
export interface RunnerInput {
  readonly mem?: Uint8Array | undefined;
}

/** What a runner needs of its VM to lay out a run's input. */
export interface RunnerHost<I extends RunnerInput> {
  readonly machine: Machine;
  /** High word of r1 for the memory bound last (its low word is 0). */
  readonly memoryHi: number;
  bindMemory(mem: Uint8Array): void;
  /** Lays out a packet or context, leaving r1 in the register file (R[2], R[3]). */
  prepare(kind: 0 | 1 | 2, l2: boolean, input: I): void;
}

/**
 * One whole run from the input to the 32-bit retval, in a single generated function: the caller's
 * call lands directly in the program's code, with r1..r5 and r10 as locals from the start.
 */
export type Runner<I extends RunnerInput> = (input: I) => number;

interface Compiled {
  /** The general entry: for a program in one function, made with its first runner when it has one. */
  run: CompiledFn | undefined;
  /** Compiled into one function (not in chunks): only such programs get runners. */
  whole: boolean;
  /** Runner factories, generated on first use: on memory, and on packets or contexts. */
  onMemory: RunnerFactory | undefined;
  onPrepared: RunnerFactory | undefined;
}

type RunnerFactory = (
  host: RunnerHost<RunnerInput>,
  general: (input: RunnerInput) => number,
  kind: 0 | 1 | 2,
  l2: boolean,
) => Runner<RunnerInput>;

const cache = new WeakMap<DecodedProgram, Compiled>();

/**
 * Instructions per generated function. V8 only optimises functions up to a size, so a large
 * program is cut into chunks at basic-block boundaries, each its own function with registers in
 * locals; leaving a chunk stores them to the register file and a small loop calls the next.
 */
let chunkInsns = 200;

/** Sets the chunk size for programs compiled from now on (tests use tiny chunks). Returns the old one. */
export function setChunkSize(insns: number): number {
  const old = chunkInsns;
  chunkInsns = Math.max(1, insns);
  return old;
}

type ChunkFn = (m: Machine, pc: number, base: number) => number;

/** The program as JavaScript (compiled once per decoded program). */
export function compileProgram(p: DecodedProgram): CompiledFn {
  const c = compiled(p);
  if (c.run === undefined) {
    const source = `return ${wrap(generate(p, 0, p.length, "whole"), "run", 0)};`;
    c.run = new Function("env", `${envLine(source)}\n${source}`)(baseEnv()) as CompiledFn;
  }
  return c.run;
}

/**
 * A runner for the program, or undefined when it is compiled in chunks. "memory" runs take
 * `input.mem` as r1 (a null pointer when empty) and its length as r2, and hand any input without
 * memory to `general`; "prepared" runs let the host lay out a packet or context and take r1 from
 * the register file. Either way the machine is reset for the run as Machine.begin does.
 */
export function compileRunner<I extends RunnerInput>(
  p: DecodedProgram,
  flavour: "memory" | "prepared",
  host: RunnerHost<I>,
  general: (input: I) => number,
  kind: 0 | 1 | 2,
  l2: boolean,
): Runner<I> | undefined {
  const c = compiled(p);
  if (!c.whole) return undefined;
  let factory = flavour === "memory" ? c.onMemory : c.onPrepared;
  if (factory === undefined) {
    // a run starts at pc 0: where no jump goes backwards and no bpf-to-bpf call returns to a
    // pc, its entry is straight-line code with labelled blocks instead of a loop around a switch
    const body = generate(p, 0, p.length, "entry", straightLine(p));
    const makeRunner = `function(host, general, inputKind, inputL2) {\nreturn ${wrap(body, flavour, 0, stackClearFrom(p))};\n}`;
    // the general entry (the runner refers to it) in the same source when it is not made yet:
    // one new Function instead of two
    const withRun = c.run === undefined;
    const source = withRun
      ? `const run = ${wrap(generate(p, 0, p.length, "whole"), "run", 0)};\nreturn [run, ${makeRunner}];`
      : `return [run, ${makeRunner}];`;
    const names = withRun ? [...ENV_NAMES, "P"] : [...ENV_NAMES, "P", "run"];
    const env = { ...baseEnv(), P: p, run: c.run };
    const [run, made] = new Function("env", `${envLine(source, names)}\n${source}`)(env) as [CompiledFn, RunnerFactory];
    c.run = run;
    factory = made;
    if (flavour === "memory") c.onMemory = factory;
    else c.onPrepared = factory;
  }
  return factory(host as RunnerHost<RunnerInput>, general as (input: RunnerInput) => number, kind, l2) as Runner<I>;
}

function baseEnv() {
  return { bswap16, bswap32, sdiv64, smod64, udiv64, umod64, umulhi, runTail, T: new Int32Array(2) };
}

function compiled(p: DecodedProgram): Compiled {
  let c = cache.get(p);
  if (c === undefined) {
    const chunks = partition(p);
    if (chunks.length === 1) c = { run: undefined, whole: true, onMemory: undefined, onPrepared: undefined };
    else {
      const env = baseEnv();
      const fns = chunks.map(([start, end]) => {
        const source = `return ${wrap(generate(p, start, end, "chunk"), "chunk", start)};`;
        return new Function("env", `${envLine(source)}\n${source}`)(env) as ChunkFn;
      });
      const chunkOf = new Int32Array(p.length);
      chunks.forEach(([start, end], i) => chunkOf.fill(i, start, end));
      const run: CompiledFn = (m, _prog, entry) => {
        const base = m.depth;
        let pc = entry;
        do pc = fns[chunkOf[pc]!]!(m, pc, base);
        while (pc >= 0);
      };
      c = { run, whole: false, onMemory: undefined, onPrepared: undefined };
    }
    cache.set(p, c);
  }
  return c;
}

/** Where the next run must start clearing the stack after a run of `p` (as Machine.begin sets it). */
function stackClearFrom(p: DecodedProgram): number {
  return p.usesStack ? Math.max(0, STACK_TOP + p.stackWriteLow) : STACK_TOP;
}

/**
 * Stack words a runner zeroes as its program exits, so that the next run starts on a clean stack
 * without clearing it: a few words of the first frame, for programs that only use that frame.
 */
function stackWordsToClear(p: DecodedProgram, hasLocalCalls: boolean): number[] {
  const from = stackClearFrom(p);
  if (hasLocalCalls || from >= STACK_TOP || STACK_TOP - from > 64) return [];
  const words: number[] = [];
  for (let w = from >> 2; w < STACK_TOP >> 2; w++) words.push(w);
  return words;
}

/** No backward jump and no bpf-to-bpf call: every jump goes forward to a block of the same function. */
function straightLine(p: DecodedProgram): boolean {
  for (let pc = 0; pc < p.length; pc++) {
    const o = p.op[pc]!;
    if (o === Op.CALL_LOCAL) return false;
    const t = p.target[pc]!;
    if (t !== NO_TARGET && t <= pc) return false;
  }
  return true;
}

/** Slot ranges [start, end) of the chunks: whole basic blocks, about `chunkInsns` each. */
function partition(p: DecodedProgram): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let pc = 1; pc < p.length; pc++) {
    if (p.leaders[pc] && pc - start >= chunkInsns) {
      out.push([start, pc]);
      start = pc;
    }
  }
  out.push([start, p.length]);
  return out;
}

/** Continues in the program a tail call switched to. */
function runTail(m: Machine): void {
  compileProgram(m.prog)(m, m.prog, 0);
}

/** The generated source, for inspection (every chunk's, for large programs). */
export function generatedSource(p: DecodedProgram): string {
  const chunks = partition(p);
  if (chunks.length === 1) return wrap(generate(p, 0, p.length, "whole"), "run", 0);
  return chunks.map(([start, end]) => wrap(generate(p, start, end, "chunk"), "chunk", start)).join("\n// ----\n");
}

const FRAME_WORDS = 11;
/**
 * The body of an atomic read-modify-write on `rg.view` at `a` (bounds already checked). Fetch
 * forms leave the old value in the source register (zero-extended for 32 bits); cmpxchg compares
 * r0 with the old value (its low word only for 32 bits), stores the source when they are equal,
 * and leaves the old value in r0.
 */
function inlineAtomic(o: number, ls: string, hs: string): string | undefined {
  const dw = o >= Op.AADD_DW;
  const kind = dw ? o - (Op.AADD_DW - Op.AADD_W) : o;
  const fetch = kind >= Op.AFADD_W && kind <= Op.AXCHG_W;
  // t = old low word, b = old high word (0 for W)
  let body = `t=rg.view.getInt32(a,true);b=${dw ? "rg.view.getInt32(a+4,true)" : "0"};`;
  const lo = (expr: string): string => `rg.view.setInt32(a,${expr},true);`;
  const hi = (expr: string): string => (dw ? `rg.view.setInt32(a+4,${expr},true);` : "");
  switch (kind) {
    case Op.ACMPXCHG_W:
      // the store reads the source before r0 changes (the source may be r0 itself)
      return `${body}if(t===l0${dw ? "&&b===h0" : ""}){${lo(ls)}${hi(hs)}}l0=t;h0=b;`;
    case Op.AADD_W:
    case Op.AFADD_W:
      body += `${lo(`(t+${ls})|0`)}${hi(`(b+${hs}+((t>>>0)+(${ls}>>>0)>4294967295?1:0))|0`)}`;
      break;
    case Op.AOR_W:
    case Op.AFOR_W:
      body += `${lo(`t|${ls}`)}${hi(`b|${hs}`)}`;
      break;
    case Op.AAND_W:
    case Op.AFAND_W:
      body += `${lo(`t&${ls}`)}${hi(`b&${hs}`)}`;
      break;
    case Op.AXOR_W:
    case Op.AFXOR_W:
      body += `${lo(`t^${ls}`)}${hi(`b^${hs}`)}`;
      break;
    case Op.AXCHG_W:
      body += `${lo(ls)}${hi(hs)}`;
      break;
    default:
      return undefined;
  }
  if (fetch) body += `${ls}=t;${hs}=b;`;
  return body;
}

/** A numeric literal that is safe after any operator (`x - (-1)`, not `x --1`). */
const lit = (n: number): string => (n < 0 ? `(${n})` : String(n));

/**
 * Source of the function for slots [start, end). "whole": the entire program, `(m, P, entry)`,
 * returns when the entry frame exits. "entry": the same for a runner, which returns the retval.
 * "chunk": `(m, pc, base)`, returns the pc to continue at in another chunk, or -1 when the program
 * (or a tail call it made) has finished.
 */
function generate(
  p: DecodedProgram,
  start: number,
  end: number,
  mode: "whole" | "entry" | "chunk",
  dag = false,
): string {
  const { op, dst, src, off, imm, immHi, target, leaders, length: n } = p;
  const whole = mode !== "chunk";
  const done = mode === "whole" ? "return;" : mode === "entry" ? "return R[0]>>>0;" : "return -1;";
  let hasLocalCalls = false;
  for (let pc = 0; pc < n; pc++) if (op[pc] === Op.CALL_LOCAL) hasLocalCalls = true;
  // the entry frame's exit: r0 to the register file (run() reads it); a runner also zeroes the
  // stack words its program wrote (the next run then finds nothing to clear) and returns the retval
  const cleared = mode === "entry" ? stackWordsToClear(p, hasLocalCalls) : [];
  const clearing =
    cleared.length > 0 ? `${cleared.map((w) => `S[${w}]=0;`).join("")}m.stackClearFrom=${STACK_TOP};` : "";
  const exit = `R[0]=l0;R[1]=h0;m.steps=steps;${mode === "entry" ? `${clearing}return l0>>>0;` : done}`;
  const L = (r: number): string => `l${r}`;
  const H = (r: number): string => `h${r}`;
  const out: string[] = [];
  const emit = (s: string): void => {
    out.push(s);
  };
  const syncOut = (regs: readonly number[]): string =>
    regs.map((r) => `R[${2 * r}]=l${r};R[${2 * r + 1}]=h${r};`).join("");
  const allRegs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  /** Code that continues at `to` (a literal or a variable): inside this function or via the dispatcher. */
  const labels = new Set<number>();
  const goTo = (to: number | string): string => {
    if (typeof to === "number") {
      if (dag) {
        labels.add(to);
        return `break L${to};`;
      }
      return to >= start && to < end ? `pc=${to};continue;` : `${syncOut(allRegs)}m.steps=steps;return ${to};`;
    }
    return whole
      ? `pc=${to};continue;`
      : `pc=${to};if(pc>=${start}&&pc<${end})continue;${syncOut(allRegs)}m.steps=steps;return pc;`;
  };

  if (!dag) emit(`for(;;){switch(pc){`);

  for (let pc = start; pc < end; pc++) {
    const o = op[pc]!;
    if (o === Op.LDDW_HI) continue;
    if (leaders[pc]) {
      // count the block's instructions once, at its start
      let count = 0;
      for (let q = pc; q < end; q++) {
        if (q > pc && leaders[q]) break;
        if (op[q] !== Op.LDDW_HI) count++;
      }
      // straight-line form: the block a forward jump lands on ends the labelled block it breaks out of
      const head = dag ? (labels.has(pc) ? "}" : "") : `case ${pc}:`;
      emit(`${head} steps+=${count}; if(steps>budget){m.steps=steps;throw m.budgetFault(${pc});}`);
    }
    const d = dst[pc]! >> 1,
      s = src[pc]! >> 1;
    const ld = L(d),
      hd = H(d),
      ls = L(s),
      hs = H(s);
    const k = imm[pc]!,
      kh = immHi[pc]!,
      ku = k >>> 0,
      khu = kh >>> 0;
    const T = target[pc]!;
    const jump = (cond: string): void => emit(`if(${cond}){${goTo(T)}}`);
    // operand words of K/X forms
    const isX = ((): boolean => {
      if (o <= Op.ARSH64_X) return (o - Op.ADD64_K) % 2 === 1;
      if (o >= Op.ADD32_K && o <= Op.ARSH32_X) return (o - Op.ADD32_K) % 2 === 1;
      if (o >= Op.JEQ_K && o <= Op.JSLE32_X) return (o - Op.JEQ_K) % 2 === 1;
      return false;
    })();
    const bl = isX ? ls : lit(k),
      bh = isX ? hs : lit(kh);
    const blu = isX ? `(${ls}>>>0)` : String(ku),
      bhu = isX ? `(${hs}>>>0)` : String(khu);
    const viaScratch = (fn: string): void =>
      emit(`T[0]=${ld};T[1]=${hd};${fn}(T,0,${bl},${bh});${ld}=T[0];${hd}=T[1];`);
    /**
     * 64-bit division and modulo: inline when both operands fit in 32 bits (unsigned: high words
     * zero; signed: high words the sign of the low ones) — the common case; else, as doubles, when
     * both are below 2^53 in magnitude, where floor or trunc of the double quotient is the exact
     * one (its rounding error is below the distance to the next integer) and % is exact; then two
     * cases with a short answer: an unsigned divisor of 2^63 or more (the quotient is 0 or 1) and a
     * signed divisor of -1 (negation, remainder 0); the int64 kernels otherwise (and for a zero
     * divisor).
     */
    const divide64 = (fn: "udiv64" | "umod64" | "sdiv64" | "smod64"): void => {
      const signed = fn[0] === "s";
      const fits = signed ? `${hd}===(${ld}>>31)&&${bh}===(${bl}>>31)` : `${hd}===0&&${bh}===0`;
      const body = {
        udiv64: `${ld}=Math.floor((${ld}>>>0)/${blu})|0;`,
        umod64: `${ld}=((${ld}>>>0)%${blu})|0;`,
        // INT32_MIN / -1 is 2^31 here, exact in 64 bits; -0 from trunc or % becomes 0
        sdiv64: `t=Math.trunc(${ld}/${bl});${ld}=t|0;${hd}=t<0?-1:0;`,
        smod64: `t=${ld}%${bl};${ld}=t|0;${hd}=t<0?-1:0;`,
      }[fn];
      // high words within ±(2^21 - 1) (signed) or below 2^21 (unsigned): magnitudes below 2^53
      const fits53 = signed
        ? `(${hd}+2097151)>>>0<4194303&&(${bh}+2097151)>>>0<4194303`
        : `(${hd}>>>0)<2097152&&(${bh}>>>0)<2097152`;
      const word = (lo: string, hi: string): string => `${hi}*4294967296+(${lo}>>>0)`;
      const body53 = {
        udiv64: "t=Math.floor(a/t);",
        umod64: "t=a%t;",
        sdiv64: "t=Math.trunc(a/t);",
        smod64: "t=a%t;",
      }[fn];
      emit(`if(${fits}&&${bl}!==0){${body}}`);
      emit(
        `else if(${fits53}&&(${bl}|${bh})!==0){a=${word(ld, hd)};t=${word(bl, bh)};${body53}${ld}=t|0;${hd}=Math.floor(t/4294967296)|0;}`,
      );
      const atLeast = `(${hd}>>>0)>${bhu}||(${hd}===${bh}&&(${ld}>>>0)>=${blu})`;
      const short = {
        udiv64: `else if(${bh}<0){${ld}=${atLeast}?1:0;${hd}=0;}`,
        umod64: `else if(${bh}<0){if(${atLeast}){a=(${ld}>>>0)-${blu};${hd}=(${hd}-${bh}-(a<0?1:0))|0;${ld}=a|0;}}`,
        // INT64_MIN / -1 wraps to INT64_MIN, as the kernel's
        sdiv64: `else if((${bl}&${bh})===-1){${ld}=-${ld}|0;${hd}=(~${hd}+(${ld}===0?1:0))|0;}`,
        smod64: `else if((${bl}&${bh})===-1){${ld}=0;${hd}=0;}`,
      }[fn];
      emit(`${short}else{`);
      viaScratch(fn);
      emit("}");
    };
    const shift64 = (kind: "lsh" | "rsh" | "arsh"): void => {
      const amount = isX ? null : k & 63;
      const body = (c: string, big: string, small: string): string =>
        `t=${c};if(t>=32){${big}}else if(t!==0){${small}}`;
      const parts = {
        lsh: [`${hd}=${ld}<<(t-32);${ld}=0;`, `${hd}=(${hd}<<t)|(${ld}>>>(32-t));${ld}=${ld}<<t;`],
        // `>>>` yields an unsigned number: `|0` keeps every local an int32, as comparisons expect
        rsh: [`${ld}=(${hd}>>>(t-32))|0;${hd}=0;`, `${ld}=(${ld}>>>t)|(${hd}<<(32-t));${hd}=(${hd}>>>t)|0;`],
        arsh: [`${ld}=${hd}>>(t-32);${hd}=${hd}>>31;`, `${ld}=(${ld}>>>t)|(${hd}<<(32-t));${hd}=${hd}>>t;`],
      }[kind];
      if (amount === null) {
        emit(body(`${ls}&63`, parts[0]!, parts[1]!));
        return;
      }
      if (amount === 0) return;
      emit(body(String(amount), parts[0]!, parts[1]!));
    };
    const mem = (size: number, write: boolean, base: number): string => {
      const bl_ = L(base),
        bh_ = H(base);
      const o_ = off[pc]!;
      // r10 is read-only and stays in the stack region; every frame's r10 is at least 512 bytes
      // from the stack's start (MAX_FRAMES frames of 512), so r10-512..r10 needs no check
      if (base === 10 && o_ >= -STACK_SIZE && o_ + size <= 0) return `a=(${bl_}+(${o_}))|0;rg=stack;if(true)`;
      return (
        `a=(${bl_}>>>0)+${off[pc]!};rg=regions[(${bh_}-(${ADDR_HI_BASE}))>>>0];` +
        `if(rg!==undefined&&a>=rg.start&&a+${size}<=rg.${write ? "wend" : "rend"})`
      );
    };
    const load = (size: number, signed: boolean): void => {
      const get =
        size === 1
          ? signed
            ? "getInt8(a)"
            : "getUint8(a)"
          : size === 2
            ? signed
              ? "getInt16(a,true)"
              : "getUint16(a,true)"
            : "getInt32(a,true)";
      const fast =
        size === 8
          ? `{b=rg.view.getInt32(a+4,true);${ld}=rg.view.getInt32(a,true);${hd}=b;}`
          : `{${ld}=rg.view.${get};${hd}=${signed || size < 4 ? `${ld}>>31` : "0"};}`;
      emit(
        `${mem(size, false, s)}${fast}else{m.slowLoad(${pc},${hs},a,${size},${signed},${2 * d});${ld}=R[${2 * d}];${hd}=R[${2 * d + 1}];}`,
      );
    };
    const store = (size: number, valLo: string, valHi: string): void => {
      const set =
        size === 1
          ? `rg.view.setUint8(a,${valLo}&255);`
          : size === 2
            ? `rg.view.setUint16(a,${valLo}&65535,true);`
            : size === 4
              ? `rg.view.setInt32(a,${valLo},true);`
              : `rg.view.setInt32(a,${valLo},true);rg.view.setInt32(a+4,${valHi},true);`;
      emit(`${mem(size, true, d)}{${set}}else m.slowStore(${pc},${hd},a,${size},${valLo},${valHi});`);
    };

    switch (o) {
      case Op.ADD64_K:
      case Op.ADD64_X:
        emit(`a=(${ld}>>>0)+${blu};${hd}=(${hd}+${bh}+(a>4294967295?1:0))|0;${ld}=a|0;`);
        break;
      case Op.SUB64_K:
      case Op.SUB64_X:
        emit(`a=(${ld}>>>0)-${blu};${hd}=(${hd}-${bh}-(a<0?1:0))|0;${ld}=a|0;`);
        break;
      case Op.MUL64_K:
      case Op.MUL64_X:
        emit(
          `a=Math.imul(${ld},${bl});${hd}=(umulhi(${ld},${bl})+Math.imul(${ld},${bh})+Math.imul(${hd},${bl}))|0;${ld}=a;`,
        );
        break;
      case Op.DIV64_K:
      case Op.DIV64_X:
        divide64("udiv64");
        break;
      case Op.SDIV64_K:
      case Op.SDIV64_X:
        divide64("sdiv64");
        break;
      case Op.MOD64_K:
      case Op.MOD64_X:
        divide64("umod64");
        break;
      case Op.SMOD64_K:
      case Op.SMOD64_X:
        divide64("smod64");
        break;
      case Op.OR64_K:
      case Op.OR64_X:
        emit(`${ld}|=${bl};${hd}|=${bh};`);
        break;
      case Op.AND64_K:
      case Op.AND64_X:
        emit(`${ld}&=${bl};${hd}&=${bh};`);
        break;
      case Op.XOR64_K:
      case Op.XOR64_X:
        emit(`${ld}^=${bl};${hd}^=${bh};`);
        break;
      case Op.LSH64_K:
      case Op.LSH64_X:
        shift64("lsh");
        break;
      case Op.RSH64_K:
      case Op.RSH64_X:
        shift64("rsh");
        break;
      case Op.ARSH64_K:
      case Op.ARSH64_X:
        shift64("arsh");
        break;
      case Op.NEG64:
        emit(`${ld}=-${ld}|0;${hd}=(~${hd}+(${ld}===0?1:0))|0;`);
        break;
      case Op.MOV64_K:
      case Op.LDDW:
        emit(`${ld}=${lit(k)};${hd}=${lit(kh)};`);
        break;
      case Op.MOV64_X:
        if (d !== s) emit(`${ld}=${ls};${hd}=${hs};`);
        break;
      case Op.MOVSX8_64:
        emit(`${ld}=(${ls}<<24)>>24;${hd}=${ld}>>31;`);
        break;
      case Op.MOVSX16_64:
        emit(`${ld}=(${ls}<<16)>>16;${hd}=${ld}>>31;`);
        break;
      case Op.MOVSX32_64:
        emit(`${ld}=${ls};${hd}=${ld}>>31;`);
        break;
      case Op.BSWAP16:
      case Op.BE16:
        emit(`${ld}=bswap16(${ld});${hd}=0;`);
        break;
      case Op.BSWAP32:
      case Op.BE32:
        emit(`${ld}=bswap32(${ld});${hd}=0;`);
        break;
      case Op.BSWAP64:
      case Op.BE64:
        emit(`t=${ld};${ld}=bswap32(${hd});${hd}=bswap32(t);`);
        break;

      case Op.ADD32_K:
      case Op.ADD32_X:
        emit(`${ld}=(${ld}+${bl})|0;${hd}=0;`);
        break;
      case Op.SUB32_K:
      case Op.SUB32_X:
        emit(`${ld}=(${ld}-${bl})|0;${hd}=0;`);
        break;
      case Op.MUL32_K:
      case Op.MUL32_X:
        emit(`${ld}=Math.imul(${ld},${bl});${hd}=0;`);
        break;
      case Op.DIV32_K:
      case Op.DIV32_X:
        emit(`t=${blu};${ld}=t===0?0:Math.floor((${ld}>>>0)/t)|0;${hd}=0;`);
        break;
      case Op.SDIV32_K:
      case Op.SDIV32_X:
        emit(`t=${bl};${ld}=t===0?0:Math.trunc(${ld}/t)|0;${hd}=0;`);
        break;
      case Op.MOD32_K:
      case Op.MOD32_X:
        emit(`t=${blu};if(t!==0)${ld}=(${ld}>>>0)%t|0;${hd}=0;`);
        break;
      case Op.SMOD32_K:
      case Op.SMOD32_X:
        emit(`t=${bl};if(t!==0)${ld}=${ld}%t|0;${hd}=0;`);
        break;
      case Op.OR32_K:
      case Op.OR32_X:
        emit(`${ld}|=${bl};${hd}=0;`);
        break;
      case Op.AND32_K:
      case Op.AND32_X:
        emit(`${ld}&=${bl};${hd}=0;`);
        break;
      case Op.XOR32_K:
      case Op.XOR32_X:
        emit(`${ld}^=${bl};${hd}=0;`);
        break;
      case Op.LSH32_K:
      case Op.LSH32_X:
        emit(`${ld}=${ld}<<(${bl}&31);${hd}=0;`);
        break;
      case Op.RSH32_K:
      case Op.RSH32_X:
        emit(`${ld}=(${ld}>>>(${bl}&31))|0;${hd}=0;`);
        break;
      case Op.ARSH32_K:
      case Op.ARSH32_X:
        emit(`${ld}=${ld}>>(${bl}&31);${hd}=0;`);
        break;
      case Op.NEG32:
        emit(`${ld}=-${ld}|0;${hd}=0;`);
        break;
      case Op.MOV32_K:
        emit(`${ld}=${lit(k)};${hd}=0;`);
        break;
      case Op.MOV32_X:
        emit(`${ld}=${ls};${hd}=0;`);
        break;
      case Op.MOVSX8_32:
        emit(`${ld}=(${ls}<<24)>>24;${hd}=0;`);
        break;
      case Op.MOVSX16_32:
        emit(`${ld}=(${ls}<<16)>>16;${hd}=0;`);
        break;
      case Op.LE16:
        emit(`${ld}&=65535;${hd}=0;`);
        break;
      case Op.LE32:
        emit(`${hd}=0;`);
        break;
      case Op.NOP:
        break;

      case Op.JA:
        emit(goTo(T));
        break;
      case Op.JEQ_K:
      case Op.JEQ_X:
        jump(`${ld}===${bl}&&${hd}===${bh}`);
        break;
      case Op.JNE_K:
      case Op.JNE_X:
        jump(`${ld}!==${bl}||${hd}!==${bh}`);
        break;
      case Op.JSET_K:
      case Op.JSET_X:
        jump(`(${ld}&${bl})!==0||(${hd}&${bh})!==0`);
        break;
      case Op.JGT_K:
      case Op.JGT_X:
        jump(`(${hd}>>>0)>${bhu}||(${hd}===${bh}&&(${ld}>>>0)>${blu})`);
        break;
      case Op.JGE_K:
      case Op.JGE_X:
        jump(`(${hd}>>>0)>${bhu}||(${hd}===${bh}&&(${ld}>>>0)>=${blu})`);
        break;
      case Op.JLT_K:
      case Op.JLT_X:
        jump(`(${hd}>>>0)<${bhu}||(${hd}===${bh}&&(${ld}>>>0)<${blu})`);
        break;
      case Op.JLE_K:
      case Op.JLE_X:
        jump(`(${hd}>>>0)<${bhu}||(${hd}===${bh}&&(${ld}>>>0)<=${blu})`);
        break;
      case Op.JSGT_K:
      case Op.JSGT_X:
        jump(`${hd}>${bh}||(${hd}===${bh}&&(${ld}>>>0)>${blu})`);
        break;
      case Op.JSGE_K:
      case Op.JSGE_X:
        jump(`${hd}>${bh}||(${hd}===${bh}&&(${ld}>>>0)>=${blu})`);
        break;
      case Op.JSLT_K:
      case Op.JSLT_X:
        jump(`${hd}<${bh}||(${hd}===${bh}&&(${ld}>>>0)<${blu})`);
        break;
      case Op.JSLE_K:
      case Op.JSLE_X:
        jump(`${hd}<${bh}||(${hd}===${bh}&&(${ld}>>>0)<=${blu})`);
        break;
      case Op.JEQ32_K:
      case Op.JEQ32_X:
        jump(`${ld}===${bl}`);
        break;
      case Op.JNE32_K:
      case Op.JNE32_X:
        jump(`${ld}!==${bl}`);
        break;
      case Op.JSET32_K:
      case Op.JSET32_X:
        jump(`(${ld}&${bl})!==0`);
        break;
      case Op.JGT32_K:
      case Op.JGT32_X:
        jump(`(${ld}>>>0)>${blu}`);
        break;
      case Op.JGE32_K:
      case Op.JGE32_X:
        jump(`(${ld}>>>0)>=${blu}`);
        break;
      case Op.JLT32_K:
      case Op.JLT32_X:
        jump(`(${ld}>>>0)<${blu}`);
        break;
      case Op.JLE32_K:
      case Op.JLE32_X:
        jump(`(${ld}>>>0)<=${blu}`);
        break;
      case Op.JSGT32_K:
      case Op.JSGT32_X:
        jump(`${ld}>${bl}`);
        break;
      case Op.JSGE32_K:
      case Op.JSGE32_X:
        jump(`${ld}>=${bl}`);
        break;
      case Op.JSLT32_K:
      case Op.JSLT32_X:
        jump(`${ld}<${bl}`);
        break;
      case Op.JSLE32_K:
      case Op.JSLE32_X:
        jump(`${ld}<=${bl}`);
        break;

      case Op.CALL_HELPER:
      case Op.CALLX:
        emit(
          `${syncOut([1, 2, 3, 4, 5, 10])}m.steps=steps;m.callHelper(${pc},${o === Op.CALL_HELPER ? String(k) : ld});steps=m.steps;l0=R[0];h0=R[1];`,
        );
        emit(`if(m.tailCallTarget!==null&&m.takeTailCall(${pc})){m.steps=steps;runTail(m);${done}}`);
        break;
      case Op.CALL_LOCAL:
        emit(
          `if(m.depth+1>=${MAX_FRAMES}){m.pc=${pc};throw m.fault("call stack too deep (more than ${MAX_FRAMES} frames)");}`,
        );
        emit(
          `t=m.depth*${FRAME_WORDS};F[t]=l6;F[t+1]=h6;F[t+2]=l7;F[t+3]=h7;F[t+4]=l8;F[t+5]=h8;F[t+6]=l9;F[t+7]=h9;F[t+8]=l10;F[t+9]=h10;F[t+10]=${pc + 1};`,
        );
        emit(`if(++m.depth>m.deepestFrame)m.deepestFrame=m.depth;l10=(l10-${STACK_SIZE})|0;${goTo(T)}`);
        break;
      case Op.EXIT:
        // without bpf-to-bpf calls the depth never changes inside the function: every exit returns
        if (!hasLocalCalls) {
          emit(exit);
          break;
        }
        emit(`if(m.depth===base){${exit}}`);
        emit(
          `m.depth--;t=m.depth*${FRAME_WORDS};l6=F[t];h6=F[t+1];l7=F[t+2];h7=F[t+3];l8=F[t+4];h8=F[t+5];l9=F[t+6];h9=F[t+7];l10=F[t+8];h10=F[t+9];${goTo("F[t+10]")}`,
        );
        break;
      case Op.MAY_GOTO:
        emit(`if(m.mayGotoLeft>0){m.mayGotoLeft--;}else{${goTo(T)}}`);
        break;

      case Op.LDXB:
        load(1, false);
        break;
      case Op.LDXH:
        load(2, false);
        break;
      case Op.LDXW:
        load(4, false);
        break;
      case Op.LDXDW:
        load(8, false);
        break;
      case Op.LDXSB:
        load(1, true);
        break;
      case Op.LDXSH:
        load(2, true);
        break;
      case Op.LDXSW:
        load(4, true);
        break;
      case Op.STB:
        store(1, lit(k), "0");
        break;
      case Op.STH:
        store(2, lit(k), "0");
        break;
      case Op.STW:
        store(4, lit(k), "0");
        break;
      case Op.STDW:
        store(8, lit(k), lit(kh));
        break;
      case Op.STXB:
        store(1, ls, "0");
        break;
      case Op.STXH:
        store(2, ls, "0");
        break;
      case Op.STXW:
        store(4, ls, "0");
        break;
      case Op.STXDW:
        store(8, ls, hs);
        break;

      case Op.LD_ABS_B:
      case Op.LD_ABS_H:
      case Op.LD_ABS_W:
      case Op.LD_IND_B:
      case Op.LD_IND_H:
      case Op.LD_IND_W: {
        const size = o === Op.LD_ABS_B || o === Op.LD_IND_B ? 1 : o === Op.LD_ABS_H || o === Op.LD_IND_H ? 2 : 4;
        const where = o >= Op.LD_IND_B ? `(${ls}+${lit(k)})|0` : lit(k);
        emit(`l1=h1=l2=h2=l3=h3=l4=h4=l5=h5=0;`);
        emit(
          `if(!m.loadPacket(${where},${size})){if(m.depth===base){R[0]=0;R[1]=0;m.steps=steps;${done}}m.pc=${pc};throw m.fault("out-of-bounds LD_ABS/LD_IND inside a bpf-to-bpf call");}`,
        );
        emit(`l0=R[0];h0=R[1];`);
        break;
      }
      default:
        if (o >= Op.AADD_W && o <= Op.ACMPXCHG_DW) {
          const slow = `${syncOut([0, d, s])}m.atomic(${pc},${o},${2 * d},${2 * s},${off[pc]!});${L(s)}=R[${2 * s}];${H(s)}=R[${2 * s + 1}];l0=R[0];h0=R[1];`;
          const fast = inlineAtomic(o, ls, hs);
          if (fast === undefined) emit(slow);
          else emit(`${mem(o >= Op.AADD_DW ? 8 : 4, true, d)}{${fast}}else{${slow}}`);
          break;
        }
        throw new Error(`compile: unexpected op ${o} at ${pc}`);
    }
  }
  // a chunk whose last instruction falls through continues in the next chunk
  if (dag) {
    // every jump target's label opens at the top, the furthest outermost, so that each closes
    // just before its target
    const open = [...labels].sort((x, y) => y - x).map((t) => `L${t}:{`);
    return `${open.join("")}\n${out.join("\n")}`;
  }
  if (!whole) emit(goTo(end));
  emit(`default: throw new Error("bad pc "+pc);`);
  emit(`}}`);
  return out.join("\n");
}

/**
 * The source of a function around `body`: only the locals and machine fields the body mentions,
 * so that a program of a few instructions does not pay for loading eleven registers and the
 * frame table per run. "run" and "chunk" take the registers from the register file. The runners
 * ("memory", "prepared"; see compileRunner) start a run themselves: r1 and r2 from the input,
 * r3..r5 zero, r10 the top of the stack.
 */
function wrap(
  body: string,
  kind: "run" | "chunk" | "memory" | "prepared",
  start: number,
  runnerStackClearFrom = STACK_TOP,
): string {
  const used = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(body);
  const runner = kind === "memory" || kind === "prepared";
  const head: string[] = [];
  if (kind === "run") head.push(`function run(m, P, entry) {`);
  else if (kind === "chunk") head.push(`function chunk_${start}(m, entry, base) {`);
  else {
    head.push(`function runRetval(input) {`, `const m=host.machine;`);
    if (kind === "memory")
      head.push(`const mem=input.mem;if(mem===undefined)return general(input);host.bindMemory(mem);`);
    else head.push(`host.prepare(inputKind,inputL2,input);`);
    // Machine.begin with this program's values
    head.push(
      `if(m.stackClearFrom<${STACK_TOP}||m.deepestFrame>0)m.clearStack();m.stackClearFrom=${runnerStackClearFrom};` +
        `m.depth=0;m.steps=0;m.prog=P;m.tailCallTarget=null;m.tailCalls=0;m.mayGotoLeft=${MAY_GOTO_LOOPS};m.compiledRun=run;`,
    );
  }
  const consts = ["R=m.regs"];
  if (used("F")) consts.push("F=m.frames");
  if (used("regions")) consts.push("regions=m.memory.regions");
  if (used("stack")) consts.push("stack=m.stack");
  if (used("S")) consts.push("S=m.stackWords");
  if (used("budget")) consts.push("budget=m.budget");
  if (kind !== "chunk" && used("base")) consts.push("base=m.depth");
  head.push(`const ${consts.join(", ")};`);
  // a chunk starts anywhere, so it takes every register it mentions from the register file; a
  // whole program takes r1..r5 (arguments) and r10 from the caller, and never reads r0 or r6..r9
  // before writing them
  const initial = (r: number, word: 0 | 1): string => {
    if (kind === "chunk") return `R[${2 * r + word}]`;
    if (kind === "run") return (r >= 1 && r <= 5) || r === 10 ? `R[${2 * r + word}]` : "0";
    // memory: r1 = (0, memoryHi), r2 = the length; prepared: r1 as the host laid it out
    if (r === 1) return word ? (kind === "memory" ? "host.memoryHi" : "R[3]") : kind === "memory" ? "0" : "R[2]";
    if (r === 2 && !word && kind === "memory") return "mem.length";
    if (r === 10) return word ? "m.stackHi" : String(STACK_SIZE * MAX_FRAMES);
    return "0";
  };
  const regs: string[] = [];
  for (let r = 0; r <= 10; r++) {
    if (used(`l${r}`)) regs.push(`l${r}=${initial(r, 0)}`);
    if (used(`h${r}`)) regs.push(`h${r}=${initial(r, 1)}`);
  }
  const locals = runner ? ["steps=0"] : ["steps=m.steps"];
  if (used("pc")) locals.push(runner ? "pc=0" : "pc=entry");
  for (const v of ["a", "b", "t"]) if (used(v)) locals.push(`${v}=0`);
  if (used("rg")) locals.push("rg");
  head.push(`let ${[...regs, ...locals].join(", ")};`);
  return `${head.join("\n")}\n${body}\n}`;
}

/** The env bindings a generated source uses, as its first line. */
function envLine(source: string, names: readonly string[] = ENV_NAMES): string {
  // strict: a call with no receiver then skips converting it to the global object
  return `"use strict";const {${names.filter((name) => new RegExp(`\\b${name}\\b`).test(source)).join(",")}}=env;`;
}

const ENV_NAMES = ["bswap16", "bswap32", "sdiv64", "smod64", "udiv64", "umod64", "umulhi", "runTail", "T"];
