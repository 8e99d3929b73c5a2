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
  // build(c, t, f): the graph of c going on to t when true and f when false. The right operand of
  // and/or is built first (it is the left one's continuation); an explicit stack keeps that order
  // without recursion, however deep the condition nests.
  const build = (cond: Cond, t0: Target, f0: Target): Target => {
    type Task = { c: Cond; t: Target; f: Target } | { andLeft: Cond; f: Target } | { orLeft: Cond; t: Target };
    const tasks: Task[] = [{ c: cond, t: t0, f: f0 }];
    const results: Target[] = [];
    while (tasks.length) {
      const task = tasks.pop()!;
      if ("andLeft" in task) {
        tasks.push({ c: task.andLeft, t: results.pop()!, f: task.f });
        continue;
      }
      if ("orLeft" in task) {
        tasks.push({ c: task.orLeft, t: task.t, f: results.pop()! });
        continue;
      }
      const { c, t, f } = task;
      switch (c.k) {
        case "true":
          results.push(t);
          break;
        case "false":
          results.push(f);
          break;
        case "and":
          tasks.push({ andLeft: c.a, f }, { c: c.b, t, f });
          break;
        case "or":
          tasks.push({ orLeft: c.a, t }, { c: c.b, t, f });
          break;
        case "not":
          tasks.push({ c: c.a, t: f, f: t });
          break;
        case "cmp": {
          const { op, a, b } = c;
          // comparisons of two literal constants are decided before anything else
          if (a.k === "const" && b.k === "const") results.push(compare(op, a.v, b.v) ? t : f);
          // (field & mask) == 0 is a bit test
          else if (op === "eq" && isConst(b, 0) && a.k === "alu" && a.mask && a.b.k === "const")
            results.push(setTest(a.a, a.b.v, f, t));
          else if (op === "set" && b.k === "const") results.push(setTest(a, b.v, t, f));
          else results.push({ id: nextId++, op, a, b, jt: t, jf: f });
          break;
        }
      }
    }
    return results.pop()!;
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

/**
 * What the threading compares, as small numbers by test id (the tests keep their values while the
 * graph is restructured): the compared value, the whole comparison ("same": a test of it is decided
 * either way by an edge of a test of it), and for an equality with a constant the value again
 * ("eq": an equality of the value with a constant taken true decides every other one).
 */
interface Signatures {
  value: Int32Array;
  same: Int32Array;
  /** -1 when the test is not an equality with a constant. */
  eq: Int32Array;
  /** The compared operand, for telling two equalities of a value apart. */
  operand: Int32Array;
}

function signatures(root: Target): Signatures {
  const order = topology(root).order;
  let max = 0;
  for (const n of order) max = Math.max(max, n.id);
  const interned = new Map<string, number>();
  const intern = (k: string): number => {
    let v = interned.get(k);
    if (v === undefined) interned.set(k, (v = interned.size));
    return v;
  };
  const sig: Signatures = {
    value: new Int32Array(max + 1),
    same: new Int32Array(max + 1),
    eq: new Int32Array(max + 1).fill(-1),
    operand: new Int32Array(max + 1),
  };
  for (const n of order) {
    sig.value[n.id] = intern(`v${key(n.a)}`);
    sig.operand[n.id] = intern(`v${key(n.b)}`);
    sig.same[n.id] = intern(`s${n.op}|${key(n.a)}|${key(n.b)}`);
    if (n.op === "eq" && isConst(n.b)) sig.eq[n.id] = intern(`e${key(n.a)}`);
  }
  return sig;
}

/**
 * The branch `child` takes when reached through edge (from, sense), as decided by the outermost edge
 * on every path to it whose test compares the same value (libpcap's fold_edge over the dominating
 * edges, outermost first), or undefined.
 */
function decidedBy(
  dom: DominatorTree,
  sig: Signatures,
  child: DagNode,
  from: DagNode,
  sense: boolean,
): Target | undefined {
  const same = dom.outermostAbove(sig.same[child.id]!, from, sense);
  const eqSig = sig.eq[child.id]!;
  const eq = eqSig >= 0 ? dom.outermostAbove(eqSig, from, sense) : -1;
  if (same >= 0 && (eq < 0 || dom.enterOf(same) <= dom.enterOf(eq))) return dom.edgeSense(same) ? child.jt : child.jf;
  if (eq >= 0) return sig.operand[dom.edgeFrom(eq).id] === sig.operand[child.id] ? child.jt : child.jf;
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
  // depth-first, true branch first, with an explicit stack: paths can be as long as the expression
  const stack: { n: DagNode; i: number }[] = [];
  const enter = (t: Target): void => {
    if (levelOf.has(t) || !isNode(t)) return;
    levelOf.set(t, -1); // on the path
    stack.push({ n: t, i: 0 });
  };
  enter(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i < 2) {
      enter(top.i++ === 0 ? top.n.jt : top.n.jf);
      continue;
    }
    stack.pop();
    const t = top.n;
    const level = Math.max(levelOf.get(t.jt)!, levelOf.get(t.jf)!) + 1;
    levelOf.set(t, level);
    (lists[level] ??= []).push(t); // each list is reversed below: libpcap links a level's blocks in front
  }
  for (let i = 0; i < lists.length; i++) lists[i] = (lists[i] ?? []).reverse();
  return lists;
}

/**
 * The dominator tree of the graph with each branch (edge) as an element of its own between a test
 * and its successor: a test's edges hang under it, and a test hangs under the nearest element common
 * to all its incoming edges. An element dominates another when it is its ancestor, which the
 * entry/exit numbers of a walk of the tree answer at once; the tests below an edge are those it
 * decides on every path. Built in one pass over the tests in topological order (nearest common
 * ancestors with jump pointers), so it stays near linear however long the expression.
 */
class DominatorTree {
  /** Element numbers: test i of `order` is i, its true edge is n + 2i, its false edge n + 2i + 1. */
  private readonly index = new Map<DagNode, number>();
  private readonly enter: Int32Array;
  private readonly exit: Int32Array;
  private readonly enterById: number[] = [];
  /** Per signature of a test's comparison, the outermost edges with it: disjoint intervals by entry. */
  private readonly outermost = new Map<number, number[]>();

  constructor(
    private readonly order: DagNode[],
    preds: Map<DagNode, { from: DagNode; sense: boolean }[]>,
    sig: Signatures,
  ) {
    const n = order.length;
    const total = 3 * n;
    order.forEach((node, i) => this.index.set(node, i));
    const edgeOf = (from: DagNode, sense: boolean): number => n + 2 * this.index.get(from)! + (sense ? 0 : 1);
    const parent = new Int32Array(total).fill(-1);
    const jump = new Int32Array(total);
    const depth = new Int32Array(total);
    // jump pointers (Myers): jumps of sizes 1, 3, 7 … give ancestor queries in O(log depth)
    const attach = (v: number, p: number): void => {
      parent[v] = p;
      depth[v] = depth[p]! + 1;
      const j = jump[p]!;
      jump[v] = depth[p]! - depth[j]! === depth[j]! - depth[jump[j]!]! ? jump[j]! : p;
    };
    const lca = (x: number, y: number): number => {
      if (depth[x]! < depth[y]!) [x, y] = [y, x];
      while (depth[x]! > depth[y]!) x = depth[jump[x]!]! >= depth[y]! ? jump[x]! : parent[x]!;
      while (x !== y) {
        if (jump[x] !== jump[y]) {
          x = jump[x]!;
          y = jump[y]!;
        } else {
          x = parent[x]!;
          y = parent[y]!;
        }
      }
      return x;
    };
    for (let i = 0; i < n; i++) {
      const node = order[i]!;
      const incoming = preds.get(node)!;
      if (incoming.length === 0) {
        parent[i] = i;
        jump[i] = i;
        depth[i] = 0;
      } else {
        let idom = edgeOf(incoming[0]!.from, incoming[0]!.sense);
        for (let k = 1; k < incoming.length; k++) idom = lca(idom, edgeOf(incoming[k]!.from, incoming[k]!.sense));
        attach(i, idom);
      }
      attach(n + 2 * i, i);
      attach(n + 2 * i + 1, i);
    }
    // entry/exit numbers by an iterative walk of the tree
    const childStart = new Int32Array(total + 1);
    for (let v = 0; v < total; v++) if (parent[v] !== v && parent[v]! >= 0) childStart[parent[v]! + 1]!++;
    for (let v = 0; v < total; v++) childStart[v + 1]! += childStart[v]!;
    const children = new Int32Array(total);
    const fill = childStart.slice(0, total);
    for (let v = 0; v < total; v++) if (parent[v] !== v && parent[v]! >= 0) children[fill[parent[v]!]!++] = v;
    this.enter = new Int32Array(total).fill(-1);
    this.exit = new Int32Array(total).fill(-1);
    let clock = 0;
    const preorder: number[] = [];
    const walk: number[] = [];
    const cursor = new Int32Array(total);
    for (let r = 0; r < total; r++) {
      if (parent[r] !== r) continue;
      walk.push(r);
      preorder.push(r);
      this.enter[r] = clock++;
      cursor[r] = childStart[r]!;
      while (walk.length) {
        const v = walk[walk.length - 1]!;
        if (cursor[v]! < childStart[v + 1]!) {
          const c = children[cursor[v]!++]!;
          this.enter[c] = clock++;
          preorder.push(c);
          cursor[c] = childStart[c]!;
          walk.push(c);
        } else {
          this.exit[v] = clock;
          walk.pop();
        }
      }
    }
    order.forEach((node, i) => (this.enterById[node.id] = this.enter[i]!));
    // index the edges by the signatures a later test could be decided by: walking the elements in
    // entry order, an edge inside the last one kept for its signature is not outermost
    for (const v of preorder) {
      if (v < n) continue;
      const id = order[(v - n) >> 1]!.id;
      const trueEdge = ((v - n) & 1) === 0;
      this.keepOutermost(sig.same[id]!, v);
      if (trueEdge && sig.eq[id]! >= 0) this.keepOutermost(sig.eq[id]!, v);
    }
  }

  private keepOutermost(sig: number, element: number): void {
    const list = this.outermost.get(sig);
    if (!list) this.outermost.set(sig, [element]);
    else if (this.enter[element]! >= this.exit[list[list.length - 1]!]!) list.push(element);
  }

  /** Whether test `b` is on every path from the root to test `d` (tests not in the graph: no). */
  dominates(b: DagNode, d: DagNode): boolean {
    const ib = this.index.get(b),
      id = this.index.get(d);
    if (ib === undefined || id === undefined) return false;
    return this.enter[ib]! <= this.enter[id]! && this.enter[id]! < this.exit[ib]!;
  }

  /** Entry number of a test (-1 for a test not in the tree). */
  nodeEnter(n: DagNode): number {
    const e = this.enterById[n.id];
    return e === undefined ? -1 : e;
  }

  /** Whether test `b` dominates every test whose entry number lies in [lo, hi]. */
  dominatesRange(b: DagNode, lo: number, hi: number): boolean {
    const i = this.index.get(b);
    return i !== undefined && this.enter[i]! <= lo && hi < this.exit[i]!;
  }

  /**
   * The outermost edge with signature `sig` on every path through edge (from, sense), that edge
   * included, as an element number (-1: none). Outer edges have smaller entry numbers.
   */
  outermostAbove(sig: number, from: DagNode, sense: boolean): number {
    const list = this.outermost.get(sig);
    if (!list) return -1;
    const at = this.enter[this.order.length + 2 * this.index.get(from)! + (sense ? 0 : 1)]!;
    let lo = 0,
      hi = list.length - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.enter[list[mid]!]! <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return -1;
    const element = list[found]!;
    return at < this.exit[element]! ? element : -1;
  }

  enterOf(element: number): number {
    return this.enter[element]!;
  }
  /** The test an edge element leaves, and its branch. */
  edgeFrom(element: number): DagNode {
    return this.order[(element - this.order.length) >> 1]!;
  }
  edgeSense(element: number): boolean {
    return ((element - this.order.length) & 1) === 0;
  }
}

type Slot = { owner: DagNode; sense: boolean };
const getSlot = (s: Slot): Target => (s.sense ? s.owner.jt : s.owner.jf);
const setSlot = (s: Slot, t: Target): void => {
  if (s.sense) s.owner.jt = t;
  else s.owner.jf = t;
};

/**
 * Runs of a chain, for the pull-ups: from a test, the tests that follow it on the chain's branch
 * (false for "or", true for "and") while they compare the same value and share the exit. For each
 * test the run from it is remembered with its last test and the span of its tests'
 * numbers in the dominator tree, so a walk down a long chain skips whole runs instead of stepping
 * test by test. A change to the graph forgets them all (a new epoch). Tables are indexed by test id.
 */
class Runs {
  private epoch = 1;
  private readonly seen: Int32Array;
  private readonly lastOf: DagNode[] = [];
  private readonly minEnter: Int32Array;
  private readonly maxEnter: Int32Array;
  constructor(
    private readonly dom: DominatorTree,
    /** Interned key of each test's compared value, by test id. */
    readonly value: Int32Array,
    /** The chain continues on the true branch ("and") or the false one ("or"). */
    readonly along: boolean,
  ) {
    this.seen = new Int32Array(value.length);
    this.minEnter = new Int32Array(value.length);
    this.maxEnter = new Int32Array(value.length);
  }

  next(n: DagNode): Target {
    return this.along ? n.jt : n.jf;
  }
  exit(n: DagNode): Target {
    return this.along ? n.jf : n.jt;
  }

  forget(): void {
    this.epoch++;
  }

  /** The last test of the run from x. */
  last(x: DagNode): DagNode {
    if (this.seen[x.id] !== this.epoch) this.compute(x);
    return this.lastOf[x.id]!;
  }

  /** Whether `b` dominates every test of the run from x. */
  dominatedBy(x: DagNode, b: DagNode): boolean {
    if (this.seen[x.id] !== this.epoch) this.compute(x);
    const lo = this.minEnter[x.id]!;
    return lo >= 0 && this.dom.dominatesRange(b, lo, this.maxEnter[x.id]!);
  }

  private compute(x: DagNode): void {
    const path: DagNode[] = [x];
    let last: DagNode;
    let lo = Infinity,
      hi = -Infinity;
    for (let y = x; ; ) {
      const n = this.next(y);
      if (!isNode(n) || this.value[n.id] !== this.value[y.id] || this.exit(n) !== this.exit(y)) {
        last = y;
        break;
      }
      if (this.seen[n.id] === this.epoch) {
        last = this.lastOf[n.id]!;
        lo = this.minEnter[n.id]!;
        hi = this.maxEnter[n.id]!;
        break;
      }
      path.push(n);
      y = n;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const id = path[i]!.id;
      const e = this.dom.nodeEnter(path[i]!);
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
      this.seen[id] = this.epoch;
      this.lastOf[id] = last;
      this.minEnter[id] = lo;
      this.maxEnter[id] = hi;
    }
  }
}

/**
 * libpcap's or_pullup (and, with `chain` = true, and_pullup): in a chain of tests that all branch to
 * the same place on success (or on failure), a test of the value the predecessors already compared
 * is moved up in front of the first test of another value. The moved test then runs first and may
 * decide the packet before the other test's loads run. The walks follow libpcap's step by step,
 * a run of tests at a time.
 */
function pullup(b: DagNode, inEdges: Map<DagNode, Edge[]>, dom: DominatorTree, runs: Runs): boolean {
  const eps = inEdges.get(b);
  if (!eps || eps.length === 0) return false;
  const value = runs.value;
  const A = (n: DagNode): number => value[n.id]!;
  const val = A(eps[0]!.from);
  for (const ep of eps.slice(1)) if (A(ep.from) !== val) return false;
  const along = runs.along; // the chain continues on the true branch for "and", the false one for "or"
  const exit = runs.exit(b); // the shared exit
  const first = eps[0]!.from;
  let diffSlot: Slot = { owner: first, sense: first.jt === b };
  let atTop = true;
  let diff: DagNode;
  for (;;) {
    const d = getSlot(diffSlot);
    if (!isNode(d)) return false;
    if (runs.exit(d) !== exit) return false;
    if (!dom.dominates(b, d)) return false;
    if (A(d) !== val) {
      diff = d;
      break;
    }
    // d and the rest of its run compare val and share the exit: step over them all
    if (!runs.dominatedBy(d, b)) return false;
    diffSlot = { owner: runs.last(d), sense: along };
    atTop = false;
  }
  let sameSlot: Slot = { owner: diff, sense: along };
  let pull: DagNode;
  for (;;) {
    const s = getSlot(sameSlot);
    if (!isNode(s)) return false;
    if (runs.exit(s) !== exit) return false;
    if (A(s) === val) {
      if (!dom.dominates(b, s)) return false;
      pull = s;
      break;
    }
    // s and the rest of its run compare another value: step over them all
    if (!runs.dominatedBy(s, b)) return false;
    sameSlot = { owner: runs.last(s), sense: along };
  }
  runs.forget();
  const and = along;
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
  const sig = signatures(root);
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    const lv = levels(root);
    const { order, preds } = topology(root);
    const dom = new DominatorTree(order, preds, sig);
    for (let level = 1; level < lv.length; level++) {
      for (const n of lv[level]!) {
        for (let branch = 0; branch < 2; branch++) {
          const sense = branch === 0;
          let target = sense ? n.jt : n.jf;
          if (isNode(target) && target.jt === target.jf) target = target.jt;
          for (let guard = 0; guard < 100000 && isNode(target); guard++) {
            const next = decidedBy(dom, sig, target, n, sense);
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
            const l = inEdges.get(t);
            if (l) l.push({ from: n, sense });
            else inEdges.set(t, [{ from: n, sense }]);
          }
        }
      }
    }
    for (const l of inEdges.values()) l.reverse(); // libpcap links each in-edge in front
    const orRuns = new Runs(dom, sig.value, false);
    const andRuns = new Runs(dom, sig.value, true);
    for (let level = 1; level < lv.length; level++) {
      for (const n of lv[level]!) {
        if (pullup(n, inEdges, dom, orRuns)) {
          changed = true;
          andRuns.forget();
        }
        if (pullup(n, inEdges, dom, andRuns)) {
          changed = true;
          orRuns.forget();
        }
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
