// Register allocation: linear scan over live intervals, then spill-everywhere and retry.
//
// eBPF has r0–r9 (r10 is the read-only frame pointer). A call — helper or subprogram — clobbers
// r0–r5 and preserves r6–r9, so a value live across a call must sit in r6–r9 (or on the stack).
// Arguments travel in r1–r5 and results come back in r0; those registers are hinted so the moves
// codegen inserts mostly vanish. When no register fits, the interval that ends furthest away is
// spilled: every use reloads it from its 8-byte stack slot and every definition stores it, and
// allocation runs again over the rewritten function (the reload temporaries live for one
// instruction, so this converges). Spill slots are 8 bytes, which keeps pointers pointers for the
// verifier (it tracks spilled registers precisely).
import { defs, uses, type Block, type Instr, type IrFunction, type Terminator, type VReg } from "./ir.js";

const CALLER_SAVED = [1, 2, 3, 4, 5, 0];
void 0;
const CALLEE_SAVED = [6, 7, 8, 9];

export interface Allocation {
  /** Physical register of each virtual register (-1: never live). */
  regOf: Int8Array;
  /** Frame size including spill slots. */
  frameSize: number;
  /** How many virtual registers were spilled (for statistics and tests). */
  spilled: number;
}

interface Interval {
  vreg: VReg;
  start: number;
  end: number;
  crossesCall: boolean;
  reg: number;
}

const NON_COMMUTATIVE = new Set(["sub", "div", "sdiv", "mod", "smod", "lsh", "rsh", "arsh"]);

/** Allocates registers for `f`, whose blocks will be emitted in `order`. May insert spill code into f. */
export function allocate(f: IrFunction, order: readonly Block[]): Allocation {
  let spilledTotal = 0;
  // Reload/store temporaries of spilled registers live for one instruction: never spill them.
  const unspillable = new Set<VReg>();
  for (let round = 0; round < 256; round++) {
    const result = tryAllocate(f, order, unspillable);
    if (result.spill.length === 0) {
      return { regOf: result.regOf, frameSize: f.frameSize, spilled: spilledTotal };
    }
    spilledTotal += result.spill.length;
    for (const v of result.spill) {
      const before = f.kinds.length;
      spillEverywhere(f, v);
      for (let t = before; t < f.kinds.length; t++) unspillable.add(t);
    }
  }
  throw new Error(`register allocation of ${f.name} did not converge`);
}

function tryAllocate(
  f: IrFunction,
  order: readonly Block[],
  unspillable: ReadonlySet<VReg>,
): { regOf: Int8Array; spill: VReg[] } {
  const n = f.kinds.length;
  // ---- positions: instruction i of the linear order uses at 2i and defines at 2i+1
  const blockStart = new Map<Block, number>();
  const blockEnd = new Map<Block, number>();
  let index = 0;
  const calls: number[] = [];
  for (const b of order) {
    blockStart.set(b, 2 * index);
    for (const i of b.instrs) {
      if (i.op === "call" || i.op === "callLocal") calls.push(2 * index);
      index++;
    }
    blockEnd.set(b, 2 * index + 1); // the terminator
    index++;
  }

  // ---- liveness
  const liveIn = new Map<Block, Set<VReg>>();
  const liveOut = new Map<Block, Set<VReg>>();
  const useSets = new Map<Block, Set<VReg>>();
  const defSets = new Map<Block, Set<VReg>>();
  for (const b of order) {
    const u = new Set<VReg>(),
      d = new Set<VReg>();
    const visit = (i: Instr | Terminator) => {
      for (const r of uses(i)) if (!d.has(r)) u.add(r);
      for (const r of defs(i)) d.add(r);
    };
    b.instrs.forEach(visit);
    if (b.term) visit(b.term);
    useSets.set(b, u);
    defSets.set(b, d);
    liveIn.set(b, new Set());
    liveOut.set(b, new Set());
  }
  const succ = (b: Block): Block[] => {
    const t = b.term;
    if (!t) return [];
    if (t.op === "jmp") return [t.target];
    if (t.op === "br") return [t.then, t.else];
    return [];
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const b = order[k]!;
      const out = liveOut.get(b)!;
      for (const s of succ(b))
        for (const r of liveIn.get(s) ?? [])
          if (!out.has(r)) {
            out.add(r);
            changed = true;
          }
      const inn = liveIn.get(b)!;
      for (const r of useSets.get(b)!)
        if (!inn.has(r)) {
          inn.add(r);
          changed = true;
        }
      const d = defSets.get(b)!;
      for (const r of out)
        if (!d.has(r) && !inn.has(r)) {
          inn.add(r);
          changed = true;
        }
    }
  }

  // ---- live ranges as segments (with holes), use counts and hints
  const segments: [number, number][][] = Array.from({ length: n }, () => []);
  const refs = new Float64Array(n);
  const hint = new Int8Array(n).fill(-1);
  const moveSources = new Map<VReg, VReg>();
  index = 0;
  for (const b of order) {
    const bs = blockStart.get(b)!,
      be = blockEnd.get(b)!;
    const items: { i: Instr | Terminator; p: number }[] = b.instrs.map((i, k) => ({ i, p: 2 * (index + k) }));
    if (b.term) items.push({ i: b.term, p: 2 * (index + b.instrs.length) });
    index += b.instrs.length + 1;
    const curEnd = new Map<VReg, number>();
    for (const r of liveOut.get(b)!) curEnd.set(r, be);
    for (let k = items.length - 1; k >= 0; k--) {
      const { i, p } = items[k]!;
      for (const r of defs(i)) {
        refs[r]! += 1;
        const e = curEnd.get(r);
        segments[r]!.push([p + 1, e ?? p + 1]);
        curEnd.delete(r);
      }
      const late = i.op === "alu" && NON_COMMUTATIVE.has(i.alu) && "reg" in i.b ? i.b.reg : -1;
      for (const r of uses(i)) {
        refs[r]! += 1;
        // The second operand of a non-commutative operation must survive the definition, or
        // codegen's `dst = a; dst op= b` would overwrite b first.
        const at = r === late ? p + 1 : p;
        const e = curEnd.get(r);
        if (e === undefined || e < at) curEnd.set(r, at);
      }
      if (i.op === "call" || i.op === "callLocal") {
        i.args.forEach((a, k2) => {
          if ("reg" in a && hint[a.reg] === -1) hint[a.reg] = k2 + 1;
        });
        if (i.dst !== undefined) hint[i.dst] = 0;
      } else if (i.op === "params") {
        i.regs.forEach((r, k2) => {
          hint[r] = k2 + 1;
        });
      } else if (i.op === "ret" && "reg" in i.value && hint[i.value.reg] === -1) {
        hint[i.value.reg] = 0;
      } else if (i.op === "mov" && "reg" in i.src && i.w === 64) {
        moveSources.set(i.dst, i.src.reg);
      } else if ((i.op === "alu" || i.op === "neg" || i.op === "endian") && !moveSources.has(i.dst)) {
        // Two-address form: dst in a's register saves the copy when a dies here.
        moveSources.set(i.dst, i.a);
      }
    }
    for (const [r, e] of curEnd) segments[r]!.push([bs, e]);
  }

  const intervals: Interval[] = [];
  for (let v = 0; v < n; v++) {
    const segs = segments[v]!;
    if (segs.length === 0) continue;
    segs.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const sg of segs) {
      const last = merged.at(-1);
      if (last && sg[0] <= last[1] + 1) last[1] = Math.max(last[1], sg[1]);
      else merged.push([sg[0], sg[1]]);
    }
    segments[v] = merged;
    // Live before the call (a range that starts at it is live into its block) and after it.
    const crossesCall = calls.some((c) => merged.some(([s2, e2]) => s2 <= c && e2 > c + 1));
    intervals.push({ vreg: v, start: merged[0]![0], end: merged.at(-1)![1], crossesCall, reg: -1 });
  }
  intervals.sort((a, b) => a.start - b.start || a.vreg - b.vreg);

  const overlaps = (a: VReg, b: VReg): boolean => {
    const x = segments[a]!,
      y = segments[b]!;
    let i = 0,
      j = 0;
    while (i < x.length && j < y.length) {
      if (x[i]![1] < y[j]![0]) i++;
      else if (y[j]![1] < x[i]![0]) j++;
      else return true;
    }
    return false;
  };

  // ---- greedy assignment in start order, conflicts checked against every assigned range
  const regOf = new Int8Array(n).fill(-1);
  const byReg: VReg[][] = Array.from({ length: 10 }, () => []);
  const length = (v: VReg): number => segments[v]!.reduce((sum, [a, b]) => sum + b - a + 1, 0);
  for (const cur of intervals) {
    const candidates = cur.crossesCall ? CALLEE_SAVED : [...CALLER_SAVED, ...CALLEE_SAVED];
    const preferred: number[] = [];
    const src = moveSources.get(cur.vreg);
    if (src !== undefined && regOf[src]! >= 0) preferred.push(regOf[src]!);
    if (hint[cur.vreg]! >= 0) preferred.push(hint[cur.vreg]!);
    let chosen = -1;
    for (const r of [...preferred, ...candidates]) {
      if (!candidates.includes(r)) continue;
      if (byReg[r]!.some((o) => overlaps(o, cur.vreg))) continue;
      chosen = r;
      break;
    }
    if (chosen < 0) {
      // Spill the cheapest of this range and the ones in its way: fewest references per length.
      const cost = (v: VReg): number => (unspillable.has(v) ? Infinity : refs[v]! / (length(v) + 1));
      let victim = cur.vreg;
      for (const r of candidates)
        for (const o of byReg[r]!) if (overlaps(o, cur.vreg) && cost(o) < cost(victim)) victim = o;
      if (cost(victim) === Infinity)
        throw new Error(`internal: ${f.name}: no register for v${cur.vreg} and nothing to spill`);
      return { regOf, spill: [victim] };
    }
    regOf[cur.vreg] = chosen;
    byReg[chosen]!.push(cur.vreg);
  }
  return { regOf, spill: [] };
}

/** Rewrites `f` so that `v` lives in a stack slot: loads before uses, stores after definitions. */
function spillEverywhere(f: IrFunction, v: VReg): void {
  f.frameSize = Math.ceil((f.frameSize + 8) / 8) * 8;
  const slot = -f.frameSize;
  const kind = f.kinds[v]!;
  const fresh = (): VReg => {
    f.kinds.push(kind);
    return f.kinds.length - 1;
  };
  const fp = { fp: true as const };

  for (const b of f.blocks) {
    const out: Instr[] = [];
    const rewrite = (i: Instr | Terminator): { before: Instr[]; after: Instr[] } => {
      const before: Instr[] = [],
        after: Instr[] = [];
      if (uses(i).includes(v)) {
        const t = fresh();
        before.push({ op: "load", size: 8, signed: false, dst: t, base: fp, off: slot, loc: i.loc });
        replaceUses(i, v, t);
      }
      if (defs(i).includes(v)) {
        const t = fresh();
        replaceDefs(i, v, t);
        after.push({ op: "store", size: 8, base: fp, off: slot, src: { reg: t }, loc: i.loc });
      }
      return { before, after };
    };
    for (const i of b.instrs) {
      const { before, after } = rewrite(i);
      out.push(...before, i, ...after);
    }
    if (b.term) {
      const { before } = rewrite(b.term);
      out.push(...before);
    }
    b.instrs.length = 0;
    b.instrs.push(...out);
  }
}

function replaceUses(i: Instr | Terminator, from: VReg, to: VReg): void {
  const op = <T extends object>(o: T): T => ("reg" in o && (o as { reg: VReg }).reg === from ? { ...o, reg: to } : o);
  switch (i.op) {
    case "mov":
      i.src = op(i.src);
      break;
    case "alu":
      if (i.a === from) i.a = to;
      i.b = op(i.b);
      break;
    case "neg":
    case "endian":
    case "movsx":
      if (i.a === from) i.a = to;
      break;
    case "load":
      i.base = op(i.base);
      break;
    case "store":
      i.base = op(i.base);
      i.src = op(i.src);
      break;
    case "atomic":
      i.base = op(i.base);
      if (i.src === from) i.src = to;
      break;
    case "call":
    case "callLocal":
      i.args = i.args.map(op);
      break;
    case "br":
      if (i.a === from) i.a = to;
      i.b = op(i.b);
      break;
    case "ret":
      i.value = op(i.value);
      break;
    default:
      break;
  }
}

function replaceDefs(i: Instr | Terminator, from: VReg, to: VReg): void {
  switch (i.op) {
    case "mov":
    case "lddw":
    case "alu":
    case "neg":
    case "endian":
    case "movsx":
    case "load":
    case "ldmap":
    case "ldglobal":
    case "addr":
      if (i.dst === from) i.dst = to;
      break;
    case "call":
    case "callLocal":
      if (i.dst === from) i.dst = to;
      break;
    case "params":
      i.regs = i.regs.map((r) => (r === from ? to : r));
      break;
    default:
      break;
  }
}
