// Small IR clean-ups that matter for instruction count and for the verifier: unreachable blocks
// go, jumps to jumps are threaded, a null test right after a join is threaded into the
// predecessors that know the answer (so `const x = cond ? p : null; if (x === null)` costs
// nothing), packet bounds checks already proven on every path are removed, straight-line blocks
// are merged, and blocks are laid out so most branches fall through.
import { Block, defs, successors, uses, type Instr, type IrFunction, type PtrKind, type VReg } from "./ir.js";

const NON_NULL = new Set<PtrKind>(["ctx", "packet", "stack", "mapValue", "mem", "btf", "map"]);

export function optimize(f: IrFunction): void {
  for (let round = 0; round < 8; round++) {
    let changed = false;
    changed = removeUnreachable(f) || changed;
    changed = threadJumps(f) || changed;
    changed = threadNullTests(f) || changed;
    changed = removeRedundantPacketChecks(f) || changed;
    changed = mergeBlocks(f) || changed;
    changed = removeDeadCode(f) || changed;
    changed = coalesceCopies(f) || changed;
    changed = shareReturns(f) || changed;
    if (!changed) break;
  }
  removeUnreachable(f);
}

function predecessors(f: IrFunction): Map<Block, Block[]> {
  const preds = new Map<Block, Block[]>(f.blocks.map((b) => [b, []]));
  for (const b of f.blocks) for (const s of successors(b)) preds.get(s)!.push(b);
  return preds;
}

function removeUnreachable(f: IrFunction): boolean {
  const seen = new Set<Block>();
  const stack = [f.entry];
  while (stack.length) {
    const b = stack.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    stack.push(...successors(b));
  }
  const before = f.blocks.length;
  f.blocks = f.blocks.filter((b) => seen.has(b));
  return f.blocks.length !== before;
}

/** Follows empty blocks that only jump elsewhere. */
function forward(b: Block): Block {
  const seen = new Set<Block>();
  while (b.instrs.length === 0 && b.term?.op === "jmp" && !seen.has(b)) {
    seen.add(b);
    b = b.term.target;
  }
  return b;
}

function threadJumps(f: IrFunction): boolean {
  let changed = false;
  for (const b of f.blocks) {
    const t = b.term!;
    if (t.op === "jmp") {
      const target = forward(t.target);
      if (target !== t.target) {
        t.target = target;
        changed = true;
      }
    } else if (t.op === "br") {
      const a = forward(t.then),
        c = forward(t.else);
      if (a !== t.then || c !== t.else) {
        t.then = a;
        t.else = c;
        changed = true;
      }
      if (t.then === t.else) {
        b.term = { op: "jmp", target: t.then, loc: t.loc };
        changed = true;
      }
    }
  }
  return changed;
}

/** What the last definition of `r` in `b` says about its value: null, non-null or unknown. */
function knownNullness(f: IrFunction, b: Block, r: VReg): "null" | "nonnull" | undefined {
  for (let k = b.instrs.length - 1; k >= 0; k--) {
    const i = b.instrs[k]!;
    if (!defs(i).includes(r)) continue;
    if (i.op === "mov") {
      if (i.core) return undefined; // relocated at load time: its value here means nothing
      if ("imm" in i.src) return i.src.imm === 0 ? "null" : "nonnull";
      return NON_NULL.has(f.kinds[i.src.reg]!) ? "nonnull" : undefined;
    }
    if (i.op === "addr") return "nonnull";
    if (i.op === "alu" && i.alu === "add" && NON_NULL.has(f.kinds[i.a]!)) return "nonnull";
    return undefined;
  }
  return undefined;
}

/**
 * A block that is only `if (r == 0)` (or !=), reached by a jump from a block that just set r to a
 * constant or a known pointer, can be skipped by that predecessor.
 */
function threadNullTests(f: IrFunction): boolean {
  let changed = false;
  const preds = predecessors(f);
  for (const j of f.blocks) {
    const t = j.term;
    if (
      j.instrs.length !== 0 ||
      !t ||
      t.op !== "br" ||
      (t.cmp !== "eq" && t.cmp !== "ne") ||
      !("imm" in t.b) ||
      t.b.imm !== 0
    )
      continue;
    for (const p of preds.get(j) ?? []) {
      if (p.term?.op !== "jmp" || p.term.target !== j) continue;
      const known = knownNullness(f, p, t.a);
      if (!known) continue;
      const isZero = known === "null";
      const taken = (t.cmp === "eq") === isZero ? t.then : t.else;
      p.term = { op: "jmp", target: taken, loc: p.term.loc };
      changed = true;
    }
  }
  return changed;
}

/** Appends a block to its only predecessor when that predecessor jumps straight to it. */
function mergeBlocks(f: IrFunction): boolean {
  let changed = false;
  const preds = predecessors(f);
  for (const b of f.blocks) {
    const t = b.term;
    if (!t || t.op !== "jmp") continue;
    const s = t.target;
    if (s === b || s === f.entry || preds.get(s)!.length !== 1) continue;
    b.instrs.push(...s.instrs);
    b.term = s.term;
    s.instrs.length = 0;
    s.term = { op: "jmp", target: s }; // unreachable now; removed next round
    preds.set(s, []);
    for (const n of successors(b)) {
      const list = preds.get(n)!;
      const at = list.indexOf(s);
      if (at >= 0) list[at] = b;
    }
    changed = true;
  }
  return changed;
}

/** Removes definitions nobody reads (no side effects: moves, arithmetic, loads). */
function removeDeadCode(f: IrFunction): boolean {
  const used = new Set<VReg>();
  for (const b of f.blocks) {
    for (const i of b.instrs) for (const r of uses(i)) used.add(r);
    if (b.term) for (const r of uses(b.term)) used.add(r);
  }
  let changed = false;
  for (const b of f.blocks) {
    const keep = b.instrs.filter((i: Instr) => {
      if (!PURE.has(i.op)) return true;
      const d = defs(i);
      return d.some((r) => used.has(r));
    });
    if (keep.length !== b.instrs.length) {
      b.instrs.splice(0, b.instrs.length, ...keep);
      changed = true;
    }
  }
  return changed;
}

/**
 * `t = expr; x = t` where t is used only there becomes `x = expr` (a variable assigned from a
 * temporary, a call result moved into its variable …).
 */
function coalesceCopies(f: IrFunction): boolean {
  const defCount = new Map<VReg, number>(),
    useCount = new Map<VReg, number>();
  for (const b of f.blocks) {
    for (const i of [...b.instrs, ...(b.term ? [b.term] : [])]) {
      for (const r of defs(i)) defCount.set(r, (defCount.get(r) ?? 0) + 1);
      for (const r of uses(i)) useCount.set(r, (useCount.get(r) ?? 0) + 1);
    }
  }
  let changed = false;
  for (const b of f.blocks) {
    for (let k = 0; k < b.instrs.length; k++) {
      const mv = b.instrs[k]!;
      if (mv.op !== "mov" || mv.w !== 64 || !("reg" in mv.src)) continue;
      const s = mv.src.reg,
        d = mv.dst;
      if (s === d || defCount.get(s) !== 1 || useCount.get(s) !== 1) continue;
      let j = k - 1;
      while (j >= 0 && !defs(b.instrs[j]!).includes(s)) j--;
      if (j < 0) continue;
      const def = b.instrs[j]!;
      if (def.op === "params") continue;
      // d must be untouched between the definition and the copy.
      let clash = false;
      for (let x = j + 1; x < k; x++)
        if (defs(b.instrs[x]!).includes(d) || uses(b.instrs[x]!).includes(d)) {
          clash = true;
          break;
        }
      if (clash) continue;
      // The definition may read d only as the left operand (codegen's dst = a op b).
      if (def.op === "alu" && "reg" in def.b && def.b.reg === d) continue;
      if ((def.op === "call" || def.op === "callLocal") && uses(def).includes(d)) continue;
      if (def.op === "store" || def.op === "atomic") continue;
      (def as { dst: VReg }).dst = d;
      if (f.kinds[d] === "scalar" && f.kinds[s] !== "scalar") f.kinds[d] = f.kinds[s]!;
      b.instrs.splice(k, 1);
      k--;
      changed = true;
    }
  }
  return changed;
}

/**
 * Empty blocks returning the same constant from the same source line become one (branches jump
 * straight to it). Returns on different lines keep their own exits: a verifier complaint at an
 * exit (a leaked ring buffer record, say) names that exit's line, so a shared exit would blame
 * the first return for another's leak.
 */
const SHARE_NONEMPTY_RETURNS = false;

function shareReturns(f: IrFunction): boolean {
  const canonical = new Map<number, Block>();
  const canonicalEmpty = new Map<string, Block>();
  const replace = new Map<Block, Block>();
  let changed = false;
  for (const b of f.blocks) {
    const t = b.term;
    if (b.instrs.length !== 0 || t?.op !== "ret" || !("imm" in t.value) || b === f.entry) continue;
    const key = `${t.value.imm}@${t.loc ? `${t.loc.file}:${t.loc.line}` : ""}`;
    const c = canonicalEmpty.get(key);
    if (c) replace.set(b, c);
    else canonicalEmpty.set(key, b);
  }
  // Several blocks ending in `return k` after some work could jump to one shared `return k`
  // (one instruction less each), but then a verifier complaint at that exit (a leaked ring buffer
  // record, say) would name one return for all of them: each return keeps its own exit.
  const counts = new Map<number, number>();
  if (SHARE_NONEMPTY_RETURNS)
    for (const b of f.blocks)
      if (b.term?.op === "ret" && "imm" in b.term.value)
        counts.set(b.term.value.imm, (counts.get(b.term.value.imm) ?? 0) + 1);
  for (const b of f.blocks) {
    const t = b.term;
    if (t?.op !== "ret" || !("imm" in t.value) || b.instrs.length === 0 || (counts.get(t.value.imm) ?? 0) < 2) continue;
    let c = canonical.get(t.value.imm);
    if (!c) {
      c = new Block(Math.max(...f.blocks.map((x) => x.id)) + 1, "return");
      c.term = { op: "ret", value: t.value, loc: t.loc };
      f.blocks.push(c);
      canonical.set(t.value.imm, c);
    }
    b.term = { op: "jmp", target: c, loc: t.loc };
    changed = true;
  }
  if (replace.size === 0) return changed;
  for (const b of f.blocks) {
    const t = b.term;
    if (t?.op === "jmp") t.target = replace.get(t.target) ?? t.target;
    else if (t?.op === "br") {
      t.then = replace.get(t.then) ?? t.then;
      t.else = replace.get(t.else) ?? t.else;
    }
  }
  return true;
}

const PURE = new Set(["mov", "lddw", "alu", "neg", "endian", "movsx", "load", "ldmap", "ldglobal", "addr"]);

/**
 * Packet checks `end = data + K; if end > data_end` where every path to it already passed a check
 * of at least K on the same data pointer: the check always passes.
 */
function removeRedundantPacketChecks(f: IrFunction): boolean {
  // Facts: data register → bytes proven present. Computed forward over blocks (meet = minimum).
  interface Check {
    data: VReg;
    dataEnd: VReg;
    size: number;
    endReg: VReg;
  }
  const checkOf = (b: Block): Check | undefined => {
    const t = b.term;
    if (!t || t.op !== "br" || t.cmp !== "gt" || t.w !== 64 || !("reg" in t.b)) return undefined;
    const last = b.instrs.at(-1);
    if (!last || last.op !== "alu" || last.alu !== "add" || last.dst !== t.a || !("imm" in last.b)) return undefined;
    if (f.kinds[last.a] !== "packet" || f.kinds[t.b.reg] !== "packetEnd") return undefined;
    return { data: last.a, dataEnd: t.b.reg, size: last.b.imm, endReg: last.dst };
  };
  const preds = predecessors(f);
  const factsOut = new Map<Block, Map<VReg, number>>();
  const factsIn = new Map<Block, Map<VReg, number>>();
  const redefined = (b: Block): Set<VReg> => new Set(b.instrs.flatMap((i) => defs(i)));
  const order = f.blocks;
  for (let round = 0; round < 20; round++) {
    let changed = false;
    for (const b of order) {
      let incoming: Map<VReg, number> | undefined;
      if (b !== f.entry) {
        for (const p of preds.get(b)!) {
          const out = edgeFacts(p, b);
          if (!out) {
            incoming = new Map();
            break;
          }
          if (!incoming) incoming = new Map(out);
          else
            for (const [k, v] of incoming) {
              const o = out.get(k);
              if (o === undefined) incoming.delete(k);
              else incoming.set(k, Math.min(v, o));
            }
        }
      }
      incoming ??= new Map();
      const killed = redefined(b);
      const out = new Map([...incoming].filter(([k]) => !killed.has(k)));
      // Helpers that move the packet invalidate everything.
      if (b.instrs.some((i) => i.op === "call" || i.op === "callLocal")) out.clear();
      const prev = factsOut.get(b);
      if (!prev || prev.size !== out.size || [...out].some(([k, v]) => prev.get(k) !== v)) changed = true;
      factsIn.set(b, incoming);
      factsOut.set(b, out);
    }
    if (!changed) break;
  }
  function edgeFacts(p: Block, to: Block): Map<VReg, number> | undefined {
    const out = factsOut.get(p);
    if (!out) return undefined;
    const c = checkOf(p);
    const t = p.term;
    if (c && t?.op === "br" && t.else === to && t.then !== to) {
      const m = new Map(out);
      m.set(c.data, Math.max(m.get(c.data) ?? 0, c.size));
      return m;
    }
    return out;
  }
  let changed = false;
  for (const b of f.blocks) {
    const c = checkOf(b);
    if (!c) continue;
    const facts = factsIn.get(b);
    const killedBefore = new Set(b.instrs.slice(0, -1).flatMap((i) => defs(i)));
    if (b.instrs.some((i) => i.op === "call" || i.op === "callLocal")) continue;
    const known = facts?.get(c.data);
    if (known !== undefined && known >= c.size && !killedBefore.has(c.data)) {
      const t = b.term as Extract<typeof b.term, { op: "br" }>;
      b.term = { op: "jmp", target: t.else, loc: t.loc };
      changed = true;
    }
  }
  return changed;
}

/**
 * After register allocation: copies between the same register vanish, and blocks left empty are
 * jumped over (liveness does not change, so the allocation stays valid).
 */
export function cleanupAfterAllocation(f: IrFunction, order: Block[], regOf: Int8Array): Block[] {
  for (const b of f.blocks) {
    const keep = b.instrs.filter(
      (i) =>
        !(i.op === "mov" && i.w === 64 && "reg" in i.src && regOf[i.dst] === regOf[i.src.reg] && regOf[i.dst]! >= 0),
    );
    if (keep.length !== b.instrs.length) b.instrs.splice(0, b.instrs.length, ...keep);
  }
  threadJumps(f);
  removeUnreachable(f);
  const alive = new Set(f.blocks);
  return order.filter((b) => alive.has(b));
}

/** Block order: depth-first from the entry, preferring the fall-through successor (else, then jump target). */
export function layout(f: IrFunction): Block[] {
  const placed = new Set<Block>();
  const order: Block[] = [];
  const index = new Map(f.blocks.map((b, i) => [b, i]));
  const place = (start: Block) => {
    let b: Block | undefined = start;
    while (b && !placed.has(b)) {
      placed.add(b);
      order.push(b);
      const t: Block["term"] = b.term;
      let next: Block | undefined;
      if (t?.op === "jmp") next = t.target;
      else if (t?.op === "br") next = !placed.has(t.else) ? t.else : !placed.has(t.then) ? t.then : undefined;
      // Keep loop headers and returns where the source has them: do not pull a block that comes
      // earlier in source order (a loop header) after its body.
      if (next && placed.has(next)) next = undefined;
      b = next;
    }
  };
  place(f.entry);
  for (const b of [...f.blocks].sort((x, y) => index.get(x)! - index.get(y)!)) if (!placed.has(b)) place(b);
  return order;
}
