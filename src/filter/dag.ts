// Conditions as a decision graph: each node computes its values (running their loads) and branches
// on one comparison; the leaves accept or reject. Building it with continuations gives every
// and/or/not short circuits for free and shares the code after each test.
//
// The graph is then simplified the way libpcap's optimizer simplifies tcpdump's code, because that
// is observable: a test whose outcome is implied by a test on every path to it is skipped (its
// loads are then not run, which is safe: the same loads already ran), and a test whose two branches
// lead to the same place is removed — with its loads, so a packet too short for them is no longer
// rejected. Being stronger or weaker than libpcap here would change which truncated packets match.
import { type CmpOp, type Cond, foldVal, isConst, konst, type Val, valKey } from "./ir.js";

export type Terminal = "accept" | "reject";
export type Target = DagNode | Terminal;

export interface DagNode {
  id: number;
  op: CmpOp;
  a: Val;
  b: Val;
  jt: Target;
  jf: Target;
}

export interface Dag {
  root: Target;
  /** Reachable nodes, each after all its predecessors. */
  nodes: DagNode[];
  /** Values computed (for their loads only) before the root: what is left of a first test whose
   *  branches met (libpcap keeps the root block's loads when it skips it). */
  preload: Val[];
}

const keyCache = new WeakMap<Val, string>();
function key(v: Val): string {
  let k = keyCache.get(v);
  if (k === undefined) {
    k = valKey(v);
    keyCache.set(v, k);
  }
  return k;
}

export function isNode(t: Target): t is DagNode {
  return typeof t !== "string";
}

/** Builds the graph of a condition and optimizes it as tcpdump's optimizer would. */
export function buildDag(cond: Cond): Dag {
  let nextId = 0;
  const setTest = (a: Val, mask: number, jt: Target, jf: Target): Target => {
    // libpcap decides "jset #0" as never and "jset #0xffffffff" as always, without loading anything
    if (mask === 0) return jf;
    if (mask === 0xffffffff) return jt;
    return { id: nextId++, op: "set", a, b: konst(mask), jt, jf };
  };
  const build = (c: Cond, t: Target, f: Target): Target => {
    switch (c.k) {
      case "true":
        return t;
      case "false":
        return f;
      case "and":
        return build(c.a, build(c.b, t, f), f);
      case "or":
        return build(c.a, t, build(c.b, t, f));
      case "not":
        return build(c.a, f, t);
      case "cmp": {
        const { op, a, b } = c;
        // comparisons of two literal constants are decided before anything else
        if (a.k === "const" && b.k === "const") return compare(op, a.v, b.v) ? t : f;
        // (field & mask) == 0 is a bit test
        if (op === "eq" && isConst(b, 0) && a.k === "alu" && a.mask && a.b.k === "const")
          return setTest(a.a, a.b.v, f, t);
        if (op === "set" && b.k === "const") return setTest(a, b.v, t, f);
        return { id: nextId++, op, a, b, jt: t, jf: f };
      }
    }
  };
  let root = restructure(build(cond, "accept", "reject"));
  root = foldConstants(root);
  root = mergeIdentical(root);
  // libpcap's opt_root: a first test whose branches meet is skipped, but its loads stay in front of
  // the test that becomes first (they are dropped only when no test is left)
  const first = root;
  while (isNode(root) && root.jt === root.jf) root = root.jt;
  const preload =
    isNode(first) && first !== root && isNode(root) ? [first.a, first.b].filter((v) => v.k !== "const") : [];
  return { root, nodes: topology(root).order, preload };
}

function compare(op: CmpOp, a: number, b: number): boolean {
  return op === "eq" ? a === b : op === "gt" ? a > b : op === "ge" ? a >= b : (a & b) !== 0;
}

/**
 * The second phase of libpcap's optimizer: constants are folded inside each test (dropping loads
 * whose values no longer matter). A test decided this way becomes a step that goes on to its
 * outcome; nothing is rethreaded any more, so tests before it keep their loads even if their
 * branches now meet. `(x & k) == 0`
 * becomes a bit test, and a bit test of 0xffffffff is (wrongly, but as tcpdump does) taken as
 * always true, keeping its loads.
 */
function foldConstants(root: Target): Target {
  const { order } = topology(root);
  for (const n of order) {
    if (n.op === "set") continue;
    const a = foldVal(n.a),
      b = foldVal(n.b);
    if (a.k === "const" && b.k === "const") {
      // decided: it stays as a step without loads that goes on to the outcome
      const to = compare(n.op, a.v, b.v) ? n.jt : n.jf;
      Object.assign(n, { op: "eq", a: konst(0), b: konst(0), jt: to, jf: to });
      continue;
    }
    if (n.op === "eq" && isConst(b, 0) && a.k === "alu" && a.op === "and" && a.b.k === "const") {
      const [jt, jf] = [n.jf, n.jt];
      Object.assign(n, { op: "set", a: a.a, b: a.b, jt, jf: a.b.v === 0xffffffff ? jt : jf });
      continue;
    }
    n.a = a;
    n.b = b;
  }
  return root;
}

function mergeIdentical(root: Target): Target {
  const { order } = topology(root);
  const canon = new Map<string, DagNode>();
  const replacement = new Map<DagNode, DagNode>();
  const resolve = (t: Target): Target => (isNode(t) ? (replacement.get(t) ?? t) : t);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    n.jt = resolve(n.jt);
    n.jf = resolve(n.jf);
    const sig = `${n.op}|${key(n.a)}|${key(n.b)}|${isNode(n.jt) ? n.jt.id : n.jt}|${isNode(n.jf) ? n.jf.id : n.jf}`;
    const existing = canon.get(sig);
    if (existing) replacement.set(n, existing);
    else canon.set(sig, n);
  }
  return resolve(root);
}

/** Reachable nodes in an order where predecessors come first, and the predecessor edges of each. */
function topology(root: Target): { order: DagNode[]; preds: Map<DagNode, { from: DagNode; sense: boolean }[]> } {
  const order: DagNode[] = [];
  const preds = new Map<DagNode, { from: DagNode; sense: boolean }[]>();
  if (!isNode(root)) return { order, preds };
  // depth-first post-order, reversed
  const seen = new Set<DagNode>();
  const post: DagNode[] = [];
  const stack: { n: DagNode; i: number }[] = [{ n: root, i: 0 }];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const kids = [top.n.jt, top.n.jf];
    if (top.i < 2) {
      const k = kids[top.i++]!;
      if (isNode(k) && !seen.has(k)) {
        seen.add(k);
        stack.push({ n: k, i: 0 });
      }
      continue;
    }
    post.push(top.n);
    stack.pop();
  }
  for (let i = post.length - 1; i >= 0; i--) order.push(post[i]!);
  for (const n of order) preds.set(n, []);
  for (const n of order) {
    if (isNode(n.jt)) preds.get(n.jt)!.push({ from: n, sense: true });
    if (isNode(n.jf)) preds.get(n.jf)!.push({ from: n, sense: false });
  }
  return { order, preds };
}

interface Edge {
  from: DagNode;
  sense: boolean;
}
const edgeKey = (e: Edge): string => `${e.from.id}${e.sense ? "t" : "f"}`;

/** libpcap's fold_edge: the branch `child` takes when `e` was taken on every path to it, if known. */
function fold(child: DagNode, e: Edge): Target | undefined {
  const p = e.from;
  if (child.op !== p.op || isConst(child.b) !== isConst(p.b)) return undefined;
  if (key(child.a) !== key(p.a)) return undefined;
  if (key(child.b) === key(p.b)) return e.sense ? child.jt : child.jf;
  if (e.sense && child.op === "eq" && isConst(child.b)) return child.jf;
  return undefined;
}

/** libpcap's levels: terminals are level 0, a test is one above its highest successor; each
 *  level lists its tests in the order libpcap's depth-first walk (true branch first) links them. */
function levels(root: Target): DagNode[][] {
  const levelOf = new Map<Target, number>([
    ["accept", 0],
    ["reject", 0],
  ]);
  const lists: DagNode[][] = [[]];
  const visit = (t: Target): void => {
    if (levelOf.has(t) || !isNode(t)) return;
    levelOf.set(t, -1); // on the path
    visit(t.jt);
    visit(t.jf);
    const level = Math.max(levelOf.get(t.jt)!, levelOf.get(t.jf)!) + 1;
    levelOf.set(t, level);
    (lists[level] ??= []).unshift(t);
  };
  // iterative deepening is not needed: these graphs are shallow (one level per test on a path)
  visit(root);
  for (let i = 0; i < lists.length; i++) lists[i] ??= [];
  return lists;
}

/** Block dominators: for each test, the tests on every path from the root to it (itself included). */
function dominators(root: Target): Map<DagNode, Set<DagNode>> {
  const { order, preds } = topology(root);
  const dom = new Map<DagNode, Set<DagNode>>();
  for (const n of order) {
    let acc: Set<DagNode> | undefined;
    for (const p of preds.get(n)!) {
      const d = dom.get(p.from)!;
      if (!acc) acc = new Set(d);
      else for (const x of [...acc]) if (!d.has(x)) acc.delete(x);
    }
    const mine = acc ?? new Set<DagNode>();
    mine.add(n);
    dom.set(n, mine);
  }
  return dom;
}

type Slot = { owner: DagNode; sense: boolean };
const getSlot = (s: Slot): Target => (s.sense ? s.owner.jt : s.owner.jf);
const setSlot = (s: Slot, t: Target): void => {
  if (s.sense) s.owner.jt = t;
  else s.owner.jf = t;
};

/**
 * libpcap's or_pullup (and, with `chain` = true, and_pullup): in a chain of tests that all branch to
 * the same place on success (or on failure), a test of the value the predecessors already compared
 * is moved up in front of the first test of another value. The moved test then runs first and may
 * decide the packet before the other test's loads run.
 */
function pullup(b: DagNode, inEdges: Map<DagNode, Edge[]>, dom: Map<DagNode, Set<DagNode>>, and: boolean): boolean {
  const eps = inEdges.get(b);
  if (!eps || eps.length === 0) return false;
  const A = (n: DagNode): string => key(n.a);
  const val = A(eps[0]!.from);
  for (const ep of eps.slice(1)) if (A(ep.from) !== val) return false;
  const same = (n: DagNode): Target => (and ? n.jf : n.jt); // the shared exit
  const along = and; // the chain continues on the true branch for "and", the false one for "or"
  const first = eps[0]!.from;
  let diffSlot: Slot = { owner: first, sense: first.jt === b };
  let atTop = true;
  let diff: DagNode;
  for (;;) {
    const d = getSlot(diffSlot);
    if (!isNode(d)) return false;
    if (same(d) !== same(b)) return false;
    if (!dom.get(d)?.has(b)) return false;
    if (A(d) !== val) {
      diff = d;
      break;
    }
    diffSlot = { owner: d, sense: along };
    atTop = false;
  }
  let sameSlot: Slot = { owner: diff, sense: along };
  let pull: DagNode;
  for (;;) {
    const s = getSlot(sameSlot);
    if (!isNode(s)) return false;
    if (same(s) !== same(b)) return false;
    if (!dom.get(s)?.has(b)) return false;
    if (A(s) === val) {
      pull = s;
      break;
    }
    sameSlot = { owner: s, sense: along };
  }
  setSlot(sameSlot, and ? pull.jt : pull.jf);
  if (and) pull.jt = diff;
  else pull.jf = diff;
  if (atTop) {
    for (const ep of eps) {
      if (ep.from.jt === b) ep.from.jt = pull;
      else ep.from.jf = pull;
    }
  } else setSlot(diffSlot, pull);
  return true;
}

/**
 * The first phase of libpcap's optimizer, over the values as generated: branch threading (a test
 * whose outcome an edge on every path to it already decided is skipped — libpcap's fold_edge: the
 * same comparison, or an equality with another constant known true — and a test whose branches
 * meet is removed with its loads), then the or/and pull-ups, repeated until nothing changes.
 */
function restructure(root: Target): Target {
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    const lv = levels(root);
    const { order, preds } = topology(root);
    const domIn = new Map<DagNode, Map<string, Edge>>();
    for (const n of order) {
      let acc: Map<string, Edge> | undefined;
      for (const p of preds.get(n)!) {
        const via = new Map(domIn.get(p.from)!);
        via.set(edgeKey(p), p);
        if (!acc) acc = via;
        else for (const k of [...acc.keys()]) if (!via.has(k)) acc.delete(k);
      }
      domIn.set(n, acc ?? new Map());
    }
    const dom = dominators(root);
    for (let level = 1; level < lv.length; level++) {
      for (const n of lv[level]!) {
        for (const sense of [true, false]) {
          const edge: Edge = { from: n, sense };
          const doms = [...(domIn.get(n)?.values() ?? []), edge];
          let target = sense ? n.jt : n.jf;
          if (isNode(target) && target.jt === target.jf) target = target.jt;
          for (let guard = 0; guard < 100000 && isNode(target); guard++) {
            let next: Target | undefined;
            for (const d of doms) {
              next = fold(target, d);
              if (next !== undefined) break;
            }
            if (next === undefined) break;
            target = next;
          }
          if (target !== (sense ? n.jt : n.jf)) {
            if (sense) n.jt = target;
            else n.jf = target;
            changed = true;
          }
        }
      }
    }
    // in-edges as libpcap links them: from the levels of the start of the pass, highest first
    const inEdges = new Map<DagNode, Edge[]>();
    for (let level = lv.length - 1; level > 0; level--) {
      for (const n of lv[level]!) {
        for (const sense of [true, false]) {
          const t = sense ? n.jt : n.jf;
          if (isNode(t)) {
            const l = inEdges.get(t) ?? [];
            l.unshift({ from: n, sense });
            inEdges.set(t, l);
          }
        }
      }
    }
    for (let level = 1; level < lv.length; level++) {
      for (const n of lv[level]!) {
        if (pullup(n, inEdges, dom, false)) changed = true;
        if (pullup(n, inEdges, dom, true)) changed = true;
      }
    }
    if (!changed) break;
  }
  return root;
}

/** The packet is rejected by a failed load or a run-time division by zero. */
class Reject {}
const REJECT = new Reject();

function evalVal(v: Val, pkt: Uint8Array, wireLength: number): number {
  switch (v.k) {
    case "const":
      return v.v;
    case "len":
      return wireLength >>> 0;
    case "load":
      return loadAt(pkt, v.off, v.size);
    case "loadi": {
      const idx = evalVal(v.index, pkt, wireLength);
      if (idx + v.off > 0xffffffff) throw REJECT;
      return loadAt(pkt, idx + v.off, v.size);
    }
    case "iphl":
      return (loadAt(pkt, v.off, 1) & 0xf) << 2;
    case "neg":
      return (0 - evalVal(v.a, pkt, wireLength)) >>> 0;
    case "alu": {
      const a = evalVal(v.a, pkt, wireLength);
      const b = evalVal(v.b, pkt, wireLength);
      switch (v.op) {
        case "add":
          return (a + b) >>> 0;
        case "sub":
          return (a - b) >>> 0;
        case "mul":
          return Math.imul(a, b) >>> 0;
        case "div":
          if (b === 0) throw REJECT;
          return Math.floor(a / b) >>> 0;
        case "mod":
          if (b === 0) throw REJECT;
          return (a % b) >>> 0;
        case "and":
          return (a & b) >>> 0;
        case "or":
          return (a | b) >>> 0;
        case "xor":
          return (a ^ b) >>> 0;
        case "lsh":
          return b < 32 ? (a << b) >>> 0 : 0;
        case "rsh":
          return b < 32 ? a >>> b : 0;
      }
    }
  }
}

function loadAt(pkt: Uint8Array, off: number, size: number): number {
  if (off + size > pkt.length) throw REJECT;
  if (size === 1) return pkt[off]!;
  if (size === 2) return (pkt[off]! << 8) | pkt[off + 1]!;
  return ((pkt[off]! << 24) | (pkt[off + 1]! << 16) | (pkt[off + 2]! << 8) | pkt[off + 3]!) >>> 0;
}

/** Runs the graph on a packet in JavaScript (the reference the generated code is tested against). */
export function evalDag(dag: Dag, packet: Uint8Array, wireLength = packet.length): boolean {
  let t = dag.root;
  try {
    for (const v of dag.preload) evalVal(v, packet, wireLength);
    while (isNode(t)) {
      const a = evalVal(t.a, packet, wireLength);
      const b = evalVal(t.b, packet, wireLength);
      const r = t.op === "eq" ? a === b : t.op === "gt" ? a > b : t.op === "ge" ? a >= b : (a & b) !== 0;
      t = r ? t.jt : t.jf;
    }
  } catch (e) {
    if (e === REJECT) return false;
    throw e;
  }
  return t === "accept";
}
