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

/** Reachable nodes in an order where predecessors come first. */
function topology(root: Target): { order: DagNode[] } {
  const order: DagNode[] = [];
  if (!isNode(root)) return { order };
  // depth-first post-order, reversed; the stack holds each test and how many branches it has walked
  const seen: boolean[] = []; // by test id
  const post: DagNode[] = [];
  const stack: DagNode[] = [root];
  const walked: number[] = [0];
  seen[root.id] = true;
  while (stack.length) {
    const top = stack.length - 1;
    const n = stack[top]!;
    const i = walked[top]!;
    if (i < 2) {
      walked[top] = i + 1;
      const k = i === 0 ? n.jt : n.jf;
      if (isNode(k) && !seen[k.id]) {
        seen[k.id] = true;
        stack.push(k);
        walked.push(0);
      }
      continue;
    }
    post.push(n);
    stack.pop();
    walked.pop();
  }
  for (let i = post.length - 1; i >= 0; i--) order.push(post[i]!);
  return { order };
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
function levels(root: Target, size: number): DagNode[][] {
  // by test id: -2 not reached yet, -1 on the path, else the level (terminals are level 0)
  const levelOfTest = new Int32Array(size).fill(-2);
  const levelOf = (t: Target): number => (isNode(t) ? levelOfTest[t.id]! : 0);
  const lists: DagNode[][] = [[]];
  // depth-first, true branch first, with an explicit stack: paths can be as long as the expression
  const stack: { n: DagNode; i: number }[] = [];
  const enter = (t: Target): void => {
    if (!isNode(t) || levelOfTest[t.id] !== -2) return;
    levelOfTest[t.id] = -1; // on the path
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
    const level = Math.max(levelOf(t.jt), levelOf(t.jf)) + 1;
    levelOfTest[t.id] = level;
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
  /** Element numbers: test i of `order` is i, its true edge is n + 2i, its false edge n + 2i + 1.
   *  Indexed by test id (-1: not in the graph); a typed array, as the pull-ups ask it at every step. */
  private readonly index: Int32Array;
  private readonly enter: Int32Array;
  private readonly exit: Int32Array;
  private readonly enterById: Int32Array;
  /** Per signature of a test's comparison, the outermost edges with it: disjoint intervals by entry. */
  private readonly outermost: (number[] | undefined)[] = [];

  constructor(
    private readonly order: DagNode[],
    sig: Signatures,
  ) {
    const n = order.length;
    const total = 3 * n;
    this.index = new Int32Array(sig.value.length).fill(-1);
    order.forEach((node, i) => (this.index[node.id] = i));
    const edgeOf = (from: DagNode, sense: boolean): number => n + 2 * this.index[from.id]! + (sense ? 0 : 1);
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
    // the nearest common ancestor of the incoming edges seen so far, by position in order (-1: none);
    // predecessors come first, so a test's is complete when its turn comes
    const common = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const node = order[i]!;
      const idom = common[i]!;
      if (idom < 0) {
        parent[i] = i;
        jump[i] = i;
        depth[i] = 0;
      } else attach(i, idom);
      attach(n + 2 * i, i);
      attach(n + 2 * i + 1, i);
      for (let sense = 0; sense < 2; sense++) {
        const to = sense === 0 ? node.jt : node.jf;
        if (!isNode(to)) continue;
        const j = this.index[to.id]!;
        const edge = edgeOf(node, sense === 0);
        common[j] = common[j]! < 0 ? edge : lca(common[j]!, edge);
      }
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
    this.enterById = new Int32Array(sig.value.length).fill(-1);
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
    const list = this.outermost[sig];
    if (!list) this.outermost[sig] = [element];
    else if (this.enter[element]! >= this.exit[list[list.length - 1]!]!) list.push(element);
  }

  /** Whether test `b` is on every path from the root to test `d` (tests not in the graph: no). */
  dominates(b: DagNode, d: DagNode): boolean {
    const ib = this.index[b.id]!,
      id = this.index[d.id]!;
    if (ib < 0 || id < 0) return false;
    return this.enter[ib]! <= this.enter[id]! && this.enter[id]! < this.exit[ib]!;
  }

  /** Entry number of a test (-1 for a test not in the tree). */
  nodeEnter(n: DagNode): number {
    return this.enterById[n.id]!;
  }

  /** Whether test `b` dominates every test whose entry number lies in [lo, hi]. */
  dominatesRange(b: DagNode, lo: number, hi: number): boolean {
    const i = this.index[b.id]!;
    return i >= 0 && this.enter[i]! <= lo && hi < this.exit[i]!;
  }

  /**
   * The outermost edge with signature `sig` on every path through edge (from, sense), that edge
   * included, as an element number (-1: none). Outer edges have smaller entry numbers.
   */
  outermostAbove(sig: number, from: DagNode, sense: boolean): number {
    const list = this.outermost[sig];
    if (!list) return -1;
    const at = this.enter[this.order.length + 2 * this.index[from.id]! + (sense ? 0 : 1)]!;
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

/**
 * A forest over the tests of one chain direction (the false branch for "or", the true one for
 * "and"): a test's parent is the test its chain branch leads to when that one compares the same
 * value and shares the exit, so the run from a test is its path to its tree's root. Kept as a
 * link-cut tree (splay trees over preferred paths) with the minimum and maximum dominator-tree entry
 * number on each path, so the last test of a run and whether one test dominates all of it take
 * amortized logarithmic time, and a pull-up that rewires a few branches costs a few cuts and links
 * instead of forgetting every run: walks down long chains stay near linear however often they change.
 */
class RunForest {
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** Splay parent, or for a splay tree's root the path parent (-1: none). */
  private readonly up: Int32Array;
  private readonly key: Int32Array;
  private readonly min: Int32Array;
  private readonly max: Int32Array;
  /** The forest parent of each test (-1: its run ends there). */
  private readonly parent: Int32Array;

  constructor(
    size: number,
    /** The chain continues on the true branch ("and") or the false one ("or"). */
    readonly along: boolean,
  ) {
    this.left = new Int32Array(size);
    this.right = new Int32Array(size);
    this.up = new Int32Array(size);
    this.parent = new Int32Array(size);
    this.key = new Int32Array(size);
    this.min = new Int32Array(size);
    this.max = new Int32Array(size);
  }

  /** Every test alone again, keyed by `enter` (dominator-tree entry number by id, -1: not in the tree). */
  reset(enter: (id: number) => number): void {
    this.left.fill(-1);
    this.right.fill(-1);
    this.up.fill(-1);
    this.parent.fill(-1);
    for (let i = 0; i < this.key.length; i++) this.key[i] = enter(i);
    this.min.set(this.key);
    this.max.set(this.key);
  }

  parentOf(x: number): number {
    return this.parent[x]!;
  }

  /**
   * Sets the first parent of x while the forest is built: every splay tree is still a single test,
   * so the parent is only the path parent (no splaying, and no cycle check: the parents follow the
   * graph's branches, which form a DAG).
   */
  initParent(x: number, p: number): void {
    this.parent[x] = p;
    this.up[x] = p;
  }

  /** Makes `p` (-1: none) the forest parent of x. */
  setParent(x: number, p: number): void {
    if (this.parent[x] === p) return;
    if (this.parent[x]! >= 0) {
      this.access(x);
      const l = this.left[x]!;
      this.up[l] = -1;
      this.left[x] = -1;
      this.pull(x);
    }
    this.parent[x] = p;
    if (p >= 0) {
      // the branches form a DAG, so p cannot lie below x; checked, as a cycle would corrupt the trees
      if (this.root(p) === x) throw new Error("internal error: a chain of tests loops");
      this.access(x);
      this.up[x] = p;
    }
  }

  /** The root of x's tree: the last test of the run from x. */
  root(x: number): number {
    this.access(x);
    let y = x;
    while (this.left[y]! >= 0) y = this.left[y]!;
    this.splay(y);
    return y;
  }

  /** The smallest and largest entry numbers on the run from x. */
  span(x: number): [number, number] {
    this.access(x);
    return [this.min[x]!, this.max[x]!];
  }

  private isSplayRoot(x: number): boolean {
    const p = this.up[x]!;
    return p < 0 || (this.left[p] !== x && this.right[p] !== x);
  }

  private pull(x: number): void {
    let lo = this.key[x]!,
      hi = lo;
    const l = this.left[x]!,
      r = this.right[x]!;
    if (l >= 0) {
      lo = Math.min(lo, this.min[l]!);
      hi = Math.max(hi, this.max[l]!);
    }
    if (r >= 0) {
      lo = Math.min(lo, this.min[r]!);
      hi = Math.max(hi, this.max[r]!);
    }
    this.min[x] = lo;
    this.max[x] = hi;
  }

  private rotate(x: number): void {
    const p = this.up[x]!,
      g = this.up[p]!;
    const pRoot = this.isSplayRoot(p);
    if (this.left[p] === x) {
      const b = this.right[x]!;
      this.left[p] = b;
      if (b >= 0) this.up[b] = p;
      this.right[x] = p;
    } else {
      const b = this.left[x]!;
      this.right[p] = b;
      if (b >= 0) this.up[b] = p;
      this.left[x] = p;
    }
    this.up[p] = x;
    this.up[x] = g;
    if (!pRoot) {
      if (this.left[g] === p) this.left[g] = x;
      else this.right[g] = x;
    }
    this.pull(p);
    this.pull(x);
  }

  private splay(x: number): void {
    while (!this.isSplayRoot(x)) {
      const p = this.up[x]!;
      if (!this.isSplayRoot(p)) {
        const g = this.up[p]!;
        this.rotate((this.left[g] === p) === (this.left[p] === x) ? p : x);
      }
      this.rotate(x);
    }
  }

  /** Makes the path from x to its tree's root the preferred one; x then holds it (x has no right child). */
  private access(x: number): void {
    let last = -1;
    for (let y = x; y >= 0; y = this.up[y]!) {
      this.splay(y);
      this.right[y] = last;
      this.pull(y);
      last = y;
    }
    this.splay(x);
  }
}

/**
 * The runs of both chain directions, for the pull-ups, over the graph as it is rewired: every
 * branch change goes through relink, which updates the forests where the change can matter.
 */
class Chains {
  readonly or: RunForest;
  readonly and: RunForest;
  private dom!: DominatorTree;
  private readonly byId: DagNode[] = [];
  /** By test id: the tests whose true (false) branch leads to it, or once did (checked when read). */
  private readonly trueFrom: (DagNode[] | undefined)[] = [];
  private readonly falseFrom: (DagNode[] | undefined)[] = [];
  /** Tests already visited in the current relink, by id. */
  private readonly seen: Int32Array;
  private stamp = 0;

  /** The tables are allocated once and refilled for each pass (they are as large as the graph). */
  constructor(
    /** Interned key of each test's compared value, by test id. */
    readonly value: Int32Array,
  ) {
    const size = value.length;
    this.seen = new Int32Array(size);
    this.or = new RunForest(size, false);
    this.and = new RunForest(size, true);
  }

  /** The runs of the graph as it is now (`order`: its tests), for a pass with dominator tree `dom`. */
  start(order: DagNode[], dom: DominatorTree): void {
    this.dom = dom;
    for (const l of this.trueFrom) if (l) l.length = 0;
    for (const l of this.falseFrom) if (l) l.length = 0;
    for (const n of order) {
      this.byId[n.id] = n;
      if (isNode(n.jt)) (this.trueFrom[n.jt.id] ??= []).push(n);
      if (isNode(n.jf)) (this.falseFrom[n.jf.id] ??= []).push(n);
    }
    const enter = (id: number): number => (this.byId[id] ? dom.nodeEnter(this.byId[id]!) : -1);
    this.or.reset(enter);
    this.and.reset(enter);
    for (const n of order) {
      this.refresh(this.or, n, true);
      this.refresh(this.and, n, true);
    }
  }

  private refresh(forest: RunForest, y: DagNode, building = false): void {
    const next = forest.along ? y.jt : y.jf;
    const exit = forest.along ? y.jf : y.jt;
    const joined =
      isNode(next) && this.value[next.id] === this.value[y.id] && (forest.along ? next.jf : next.jt) === exit;
    if (building) {
      if (joined) forest.initParent(y.id, next.id);
    } else forest.setParent(y.id, joined ? next.id : -1);
  }

  /** Points a branch of `owner` at `to`, keeping the runs of both directions right. */
  relink(owner: DagNode, sense: boolean, to: Target): void {
    if ((sense ? owner.jt : owner.jf) === to) return;
    if (isNode(to)) ((sense ? this.trueFrom : this.falseFrom)[to.id] ??= []).push(owner);
    if (sense) owner.jt = to;
    else owner.jf = to;
    this.refresh(this.or, owner);
    this.refresh(this.and, owner);
    // the branch changed is the exit of one direction: the tests that reach owner on that
    // direction's chain branch may join or leave its run
    const from = (sense ? this.falseFrom : this.trueFrom)[owner.id];
    if (from === undefined) return;
    // drop the tests whose branch has moved elsewhere since
    let kept = 0;
    const stamp = ++this.stamp;
    for (const y of from) {
      if ((sense ? y.jf : y.jt) !== owner || this.seen[y.id] === stamp) continue;
      this.seen[y.id] = stamp;
      from[kept++] = y;
      this.refresh(sense ? this.or : this.and, y);
    }
    from.length = kept;
  }

  /** The last test of the run from x. */
  last(forest: RunForest, x: DagNode): DagNode {
    return this.byId[forest.root(x.id)]!;
  }

  /** Whether `b` dominates every test of the run from x. */
  dominatedBy(forest: RunForest, x: DagNode, b: DagNode): boolean {
    const [lo, hi] = forest.span(x.id);
    return lo >= 0 && this.dom.dominatesRange(b, lo, hi);
  }
}

/**
 * libpcap's or_pullup (and, with `along` = true, and_pullup): in a chain of tests that all branch to
 * the same place on success (or on failure), a test of the value the predecessors already compared
 * is moved up in front of the first test of another value. The moved test then runs first and may
 * decide the packet before the other test's loads run. The walks follow libpcap's step by step,
 * a run of tests at a time.
 */
function pullup(
  b: DagNode,
  inEdges: (Edge[] | undefined)[],
  dom: DominatorTree,
  chains: Chains,
  along: boolean,
): boolean {
  const eps = inEdges[b.id];
  if (!eps || eps.length === 0) return false;
  const runs = along ? chains.and : chains.or;
  const value = chains.value;
  const A = (n: DagNode): number => value[n.id]!;
  const next = (n: DagNode): Target => (along ? n.jt : n.jf);
  const exitOf = (n: DagNode): Target => (along ? n.jf : n.jt);
  const val = A(eps[0]!.from);
  for (let i = 1; i < eps.length; i++) if (A(eps[i]!.from) !== val) return false;
  const exit = exitOf(b); // the shared exit
  const first = eps[0]!.from;
  // a slot is a branch of a test: the owner and which branch
  let diffOwner = first,
    diffSense = first.jt === b;
  let atTop = true;
  let diff: DagNode;
  for (;;) {
    const d = diffSense ? diffOwner.jt : diffOwner.jf;
    if (!isNode(d)) return false;
    if (exitOf(d) !== exit) return false;
    if (!dom.dominates(b, d)) return false;
    if (A(d) !== val) {
      diff = d;
      break;
    }
    // d and the rest of its run compare val and share the exit: step over them all
    if (!chains.dominatedBy(runs, d, b)) return false;
    diffOwner = chains.last(runs, d);
    diffSense = along;
    atTop = false;
  }
  let sameOwner = diff;
  let pull: DagNode;
  for (;;) {
    const s = next(sameOwner);
    if (!isNode(s)) return false;
    if (exitOf(s) !== exit) return false;
    if (A(s) === val) {
      if (!dom.dominates(b, s)) return false;
      pull = s;
      break;
    }
    // s and the rest of its run compare another value: step over them all
    if (!chains.dominatedBy(runs, s, b)) return false;
    sameOwner = chains.last(runs, s);
  }
  chains.relink(sameOwner, along, next(pull));
  chains.relink(pull, along, diff);
  if (atTop) {
    for (const ep of eps) chains.relink(ep.from, ep.from.jt === b, pull);
  } else chains.relink(diffOwner, diffSense, pull);
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
  const chains = new Chains(sig.value);
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    const lv = levels(root, sig.value.length);
    const { order } = topology(root);
    const dom = new DominatorTree(order, sig);
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
    const inEdges: (Edge[] | undefined)[] = new Array(sig.value.length).fill(undefined);
    for (let level = lv.length - 1; level > 0; level--) {
      for (const n of lv[level]!) {
        for (let branch = 0; branch < 2; branch++) {
          const sense = branch === 0;
          const t = sense ? n.jt : n.jf;
          if (isNode(t)) {
            const l = inEdges[t.id];
            if (l) l.push({ from: n, sense });
            else inEdges[t.id] = [{ from: n, sense }];
          }
        }
      }
    }
    for (const l of inEdges) l?.reverse(); // libpcap links each in-edge in front
    chains.start(order, dom);
    for (let level = 1; level < lv.length; level++) {
      for (const n of lv[level]!) {
        if (pullup(n, inEdges, dom, chains, false)) changed = true;
        if (pullup(n, inEdges, dom, chains, true)) changed = true;
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
