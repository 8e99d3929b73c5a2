// From the decision graph to eBPF, for three places a filter runs:
//
//   xdp     direct packet access between xdp_md->data and ->data_end
//   tc      direct packet access between __sk_buff->data and ->data_end (non-linear packets are
//           pulled in first)
//   socket  no direct access in socket filters: loads are LD_ABS/LD_IND, which the kernel bounds
//           itself (an out-of-bounds load ends the program — or the filter function — with 0)
//
// Register use: r6 = context, r7 = packet start, r8 = packet end, r9 = packet start + IPv4 header
// length (kept while it stays valid), r0 = the value being compared, r1–r5 scratch, stack for
// arithmetic operands and helper buffers.
//
// Bounds checks (direct access): tcpdump rejects a packet when a load falls outside it, so a
// check may reject as soon as every way to "match" from here would load past the end. For each
// test the generator computes that length — its own furthest constant-offset load, or, if larger,
// the smaller of what its two branches need — and emits `if data + N > data_end goto nomatch` only
// where no check on every path to the test already covered N. A chain of header tests thus costs
// one check, and the verifier sees every load covered. Loads relative to the IPv4 header length
// get the same treatment against r9. Offsets past 0x7fff and computed offsets go through
// bpf_xdp_load_bytes / bpf_skb_load_bytes instead. (An XDP frame with fragments is thus filtered
// on its linear part, data..data_end, like a capture cut to that length; `len` counts it whole.)
import { Assembler } from "../asm/assembler.js";
import { BPF_B, BPF_H, BPF_JMP32, BPF_W, type Register } from "../asm/opcodes.js";
import { type Dag, type DagNode, isNode, type Target } from "./dag.js";
import { type AluOp, type Size, type Val, valKey } from "./ir.js";

export type FilterContext = "xdp" | "tc" | "socket";

export interface CodegenOptions {
  context: FilterContext;
  /**
   * Where `len`/`less`/`greater` get the packet's length on the wire (xdp only):
   * "auto" = bpf_xdp_get_buff_len (whole frame, fragments too), "linear" = data_end - data,
   * "meta" = a 32-bit number in the 4 bytes before data (xdp metadata), as a replay of a capture
   * file supplies it; "linear" when the metadata is missing. tc and socket use skb->len.
   */
  wireLength?: "auto" | "linear" | "meta";
  /** tc: pull non-linear packet data into the linear area first (default true). */
  pullNonLinear?: boolean;
  /**
   * socket: how to read the packet. "ldabs" (default) uses LD_ABS/LD_IND; "helper" calls
   * bpf_skb_load_bytes, which also works in a bpf-to-bpf function (this kernel's verifier does not
   * accept LD_ABS in one).
   */
  socketLoads?: "ldabs" | "helper";
}

/** Where the generated code goes: the caller's labels for the two outcomes, a label prefix, stack. */
export interface EmitTarget {
  match: string;
  noMatch: string;
  /** Prefix for the generator's own labels (unique per emitted filter). */
  prefix: string;
  /** Stack bytes below this fp offset are the generator's (at most 160 are used). Default 0. */
  stackTop?: number;
  /** The label the caller places right after the generated code, if any (a branch there falls through). */
  follows?: string;
}

/** Direct loads use the instruction's signed 16-bit offset; beyond that a helper copies the bytes. */
const DIRECT_LIMIT = 0x7fff;
/** Computed offsets: the verifier lets a packet pointer move by a register bounded below 0xffff. */
const VARIABLE_DIRECT_LIMIT = 0xffff;
const COMMUTATIVE: ReadonlySet<AluOp> = new Set(["add", "mul", "and", "or", "xor"]);
/** LD_ABS/LD_IND offsets are a signed int in the kernel; larger ones could reach ancillary data. */
const LDABS_LIMIT = 0x7fffffff;
const SIZE_CODE: Record<Size, typeof BPF_W | typeof BPF_H | typeof BPF_B> = { 1: BPF_B, 2: BPF_H, 4: BPF_W };
const JMP = { eq: 0x10, gt: 0x20, ge: 0x30, set: 0x40, ne: 0x50, lt: 0xa0, le: 0xb0 } as const;
const ALU_CODE: Record<AluOp, number> = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  mod: 0x90,
  xor: 0xa0,
};

/** The reads of one test that bounds checks cover. */
interface Reads {
  /** Furthest end of constant-offset direct loads (0 = none). */
  constEnd: number;
  /** IPv4-header-relative loads: base offset of the header-length byte → furthest end past it. */
  x: Map<number, number>;
}

export class FilterCodegen {
  private readonly direct: boolean;
  /** Socket context with LD_ABS/LD_IND (else loads go through a helper when not direct). */
  private readonly ldabs: boolean;
  private readonly reads = new Map<DagNode, Reads>();
  private readonly need = new Map<Target, number>();
  private readonly needX = new Map<Target, Map<number, number>>();
  private readonly order: DagNode[];
  private spillDepth = 0;
  /** The label right after the test being emitted. */
  private fallthrough: string | undefined;
  private maxSpill = 0;
  private labelCounter = 0;

  constructor(
    private readonly a: Assembler,
    private readonly dag: Dag,
    private readonly opts: CodegenOptions,
    private readonly out: EmitTarget,
  ) {
    this.direct = opts.context !== "socket";
    this.ldabs = opts.context === "socket" && (opts.socketLoads ?? "ldabs") === "ldabs";
    for (const n of dag.nodes) this.reads.set(n, this.collect([n.a, n.b]));
    if (isNode(dag.root) && dag.preload.length) {
      const r = this.reads.get(dag.root)!;
      const p = this.collect(dag.preload);
      r.constEnd = Math.max(r.constEnd, p.constEnd);
      for (const [b, e] of p.x) r.x.set(b, Math.max(r.x.get(b) ?? 0, e));
    }
    this.analyzeNeeds();
    this.order = this.layout();
  }

  /** Which of the two outcome labels the code jumps to (an unused one must not be emitted: the verifier rejects unreachable code). */
  readonly used = { match: false, noMatch: false };
  private matchLabel(): string {
    this.used.match = true;
    return this.out.match;
  }
  private noMatchLabel(): string {
    this.used.noMatch = true;
    return this.out.noMatch;
  }

  /** Stack bytes used below stackTop. */
  get stackUsed(): number {
    return 8 + 8 * this.maxSpill;
  }

  private label(what: string): string {
    return `${this.out.prefix}${what}${this.labelCounter++}`;
  }
  private nodeLabel(n: DagNode): string {
    return `${this.out.prefix}n${n.id}`;
  }

  /** Where a branch goes: a node, or an outcome (a test that can only reject counts as no match). */
  private targetLabel(t: Target): string {
    if (t === "accept") return this.matchLabel();
    if (t === "reject") return this.noMatchLabel();
    if (this.need.get(t) === Infinity) return this.noMatchLabel();
    return this.nodeLabel(t);
  }

  // ------------------------------------------------------------------ analysis

  private isDirectConstLoad(off: number, size: Size): boolean {
    return this.direct && off + size <= DIRECT_LIMIT;
  }

  private collect(vals: Val[]): Reads {
    const r: Reads = { constEnd: 0, x: new Map() };
    const walk = (v: Val): void => {
      switch (v.k) {
        case "load":
          if (this.isDirectConstLoad(v.off, v.size)) r.constEnd = Math.max(r.constEnd, v.off + v.size);
          break;
        case "iphl":
          if (this.isDirectConstLoad(v.off, 1)) r.constEnd = Math.max(r.constEnd, v.off + 1);
          break;
        case "loadi":
          if (v.index.k === "iphl" && this.direct && v.off + v.size <= DIRECT_LIMIT - 64) {
            r.constEnd = Math.max(r.constEnd, v.index.off + 1);
            r.x.set(v.index.off, Math.max(r.x.get(v.index.off) ?? 0, v.off + v.size));
          } else walk(v.index);
          break;
        case "alu":
          walk(v.a);
          walk(v.b);
          break;
        case "neg":
          walk(v.a);
          break;
        default:
          break;
      }
    };
    vals.forEach(walk);
    return r;
  }

  /**
   * need(n): the packet length below which every path from n to a match loads past the end, so
   * n may reject at once. needX(n)[b]: the same past the IPv4 header at base b.
   */
  private analyzeNeeds(): void {
    this.need.set("accept", 0);
    this.need.set("reject", Infinity);
    this.needX.set("accept", new Map());
    this.needX.set("reject", new Map());
    const nodes = this.dag.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      const r = this.reads.get(n)!;
      const below = Math.min(this.need.get(n.jt)!, this.need.get(n.jf)!);
      this.need.set(n, Math.max(r.constEnd, below));
      // X requirements: a base counts if both branches need it (or it is rejected anyway)
      const xt = this.needX.get(n.jt)!,
        xf = this.needX.get(n.jf)!;
      const x = new Map<number, number>();
      const rejT = n.jt === "reject",
        rejF = n.jf === "reject";
      for (const b of new Set([...xt.keys(), ...xf.keys()])) {
        const t = rejT ? Infinity : xt.get(b),
          f = rejF ? Infinity : xf.get(b);
        if (t !== undefined && f !== undefined) x.set(b, Math.min(t, f));
      }
      for (const [b, e] of r.x) x.set(b, Math.max(x.get(b) ?? 0, e));
      for (const [b, e] of x) if (e === Infinity) x.delete(b);
      this.needX.set(n, x);
    }
  }

  /** An emission order (predecessors first) that lets one branch of each test fall through. Tests
   *  from which no path matches are not emitted: branches to them go to no-match directly. */
  private layout(): DagNode[] {
    const live = (t: Target): t is DagNode => isNode(t) && this.need.get(t) !== Infinity;
    const reachable = new Set<DagNode>();
    const stack = live(this.dag.root) ? [this.dag.root] : [];
    while (stack.length) {
      const n = stack.pop()!;
      if (reachable.has(n)) continue;
      reachable.add(n);
      for (const t of [n.jt, n.jf]) if (live(t)) stack.push(t);
    }
    const nodes = this.dag.nodes.filter((n) => reachable.has(n));
    const indeg = new Map<DagNode, number>();
    for (const n of nodes) indeg.set(n, 0);
    for (const n of nodes) for (const t of [n.jt, n.jf]) if (live(t)) indeg.set(t, indeg.get(t)! + 1);
    const ready: DagNode[] = [];
    if (live(this.dag.root)) ready.push(this.dag.root);
    const out: DagNode[] = [];
    const done = new Set<DagNode>();
    let last: DagNode | undefined;
    while (ready.length) {
      // prefer the false branch of the test just placed, then its true branch
      let pick = -1;
      if (last)
        for (const t of [last.jf, last.jt]) {
          const i = ready.indexOf(t as DagNode);
          if (i >= 0) {
            pick = i;
            break;
          }
        }
      if (pick < 0) pick = ready.length - 1;
      const n = ready.splice(pick, 1)[0]!;
      out.push(n);
      done.add(n);
      last = n;
      for (const t of [n.jt, n.jf]) {
        if (!live(t) || done.has(t)) continue;
        const d = indeg.get(t)! - 1;
        indeg.set(t, d);
        if (d === 0 && !ready.includes(t)) ready.push(t);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ emission

  /** Emits the filter. The context pointer must be in r6. */
  emit(): void {
    const a = this.a;
    if (this.direct) this.prologueDirect();
    if (!isNode(this.dag.root) || this.need.get(this.dag.root) === Infinity) {
      a.ja(this.targetLabel(this.dag.root));
      return;
    }
    // forward state: length already checked, base whose header pointer r9 holds and its checked
    // length, and the value r0 holds (a test leaves its compared value there)
    interface State {
      checked: number;
      xBase: number | undefined;
      xChecked: number;
      r0: string | undefined;
    }
    const entry = new Map<DagNode, State>();
    const merge = (to: Target, s: State): void => {
      if (!isNode(to)) return;
      const old = entry.get(to);
      if (!old) {
        entry.set(to, { ...s });
        return;
      }
      old.checked = Math.min(old.checked, s.checked);
      if (old.r0 !== s.r0) old.r0 = undefined;
      if (old.xBase !== s.xBase) {
        old.xBase = undefined;
        old.xChecked = 0;
      } else old.xChecked = Math.min(old.xChecked, s.xChecked);
    };
    entry.set(this.dag.root, { checked: 0, xBase: undefined, xChecked: 0, r0: undefined });
    for (let i = 0; i < this.order.length; i++) {
      const n = this.order[i]!;
      const next = this.order[i + 1];
      const s = entry.get(n) ?? { checked: 0, xBase: undefined, xChecked: 0, r0: undefined };
      this.fallthrough = next ? this.nodeLabel(next) : this.out.follows;
      a.label(this.nodeLabel(n));
      if (this.direct) {
        const need = this.need.get(n)!;
        if (need > s.checked) {
          this.checkLength(need);
          s.checked = need;
        }
        const r = this.reads.get(n)!;
        for (const [base, end] of r.x) {
          if (s.xBase !== base) {
            this.computeHeaderPointer(base);
            s.xBase = base;
            s.xChecked = 0;
          }
          const want = Math.max(end, this.needX.get(n)!.get(base) ?? 0);
          if (want > s.xChecked) {
            this.checkHeaderPointer(want);
            s.xChecked = want;
          }
        }
      }
      if (n === this.dag.root)
        for (const v of this.dag.preload)
          if (this.hasEffect(v)) {
            this.evalInto(v, s);
            s.r0 = undefined;
          }
      this.test(n, s);
      merge(n.jt, s);
      merge(n.jf, s);
    }
  }

  private prologueDirect(): void {
    const a = this.a;
    if (this.opts.context === "xdp") {
      a.ldx(BPF_W, "r7", "r6", 0); // xdp_md->data
      a.ldx(BPF_W, "r8", "r6", 4); // xdp_md->data_end
      return;
    }
    if (this.opts.pullNonLinear !== false) {
      // a non-linear skb shows only its head between data and data_end: pull the rest in
      const linear = this.label("linear");
      a.ldx(BPF_W, "r7", "r6", 76);
      a.ldx(BPF_W, "r8", "r6", 80);
      a.mov64("r2", "r8").sub64("r2", "r7");
      a.ldx(BPF_W, "r3", "r6", 0); // skb->len
      a.jge("r2", "r3", linear);
      a.mov64("r1", "r6").mov64("r2", 0).call("skb_pull_data");
      a.label(linear);
    }
    a.ldx(BPF_W, "r7", "r6", 76); // __sk_buff->data
    a.ldx(BPF_W, "r8", "r6", 80); // __sk_buff->data_end
  }

  private checkLength(n: number): void {
    this.a.mov64("r1", "r7").add64("r1", n).jgt("r1", "r8", this.noMatchLabel());
  }

  /** r9 = data + 4 * (data[base] & 0xf); the byte is covered by the test's length check. */
  private computeHeaderPointer(base: number): void {
    this.a.ldx(BPF_B, "r1", "r7", base).and32("r1", 0xf).lsh32("r1", 2);
    this.a.mov64("r9", "r7").add64("r9", "r1");
  }

  private checkHeaderPointer(n: number): void {
    this.a.mov64("r1", "r9").add64("r1", n).jgt("r1", "r8", this.noMatchLabel());
  }

  /** Whether computing v can reject the packet in ways the bounds checks do not already cover. */
  private hasEffect(v: Val): boolean {
    switch (v.k) {
      case "const":
      case "len":
        return false;
      case "load":
        return !this.isDirectConstLoad(v.off, v.size);
      case "iphl":
        return !this.isDirectConstLoad(v.off, 1);
      case "loadi":
        return !(this.direct && v.index.k === "iphl" && v.off + v.size <= DIRECT_LIMIT - 64) || this.hasEffect(v.index);
      case "neg":
        return this.hasEffect(v.a);
      case "alu":
        return v.op === "div" || v.op === "mod"
          ? v.b.k !== "const" || this.hasEffect(v.a)
          : this.hasEffect(v.a) || this.hasEffect(v.b);
    }
  }

  private test(n: DagNode, s: { xBase: number | undefined; r0: string | undefined }): void {
    const a = this.a;
    const jt = this.targetLabel(n.jt),
      jf = this.targetLabel(n.jf);
    const nextLabel = this.fallthrough;
    if (n.jt === n.jf) {
      // a step that only loads (what is left of a test tcpdump decided): keep the loads' effects
      for (const v of [n.a, n.b])
        if (this.hasEffect(v)) {
          this.evalInto(v, s);
          s.r0 = valKey(v);
        }
      if (jt !== nextLabel) a.ja(jt);
      return;
    }
    const aKey = valKey(n.a);
    if (s.r0 !== aKey) this.evalInto(n.a, s);
    s.r0 = aKey;
    let rhs: Register | number;
    if (n.b.k === "const") rhs = n.b.v;
    else {
      const slot = this.spill();
      this.evalInto(n.b, s);
      a.mov32("r1", "r0");
      this.unspill(slot, "r0");
      rhs = "r1";
    }
    const j = (op: number, target: string): void => {
      a.jmp(BPF_JMP32, op, "r0", typeof rhs === "number" ? rhs >>> 0 : rhs, target);
    };
    if (n.op === "set") {
      if (jf === nextLabel) {
        j(JMP.set, jt);
        return;
      }
      if (jt === nextLabel) {
        if (typeof rhs === "number") a.and32("r0", rhs);
        else a.and32("r0", rhs);
        s.r0 = undefined;
        a.jmp(BPF_JMP32, JMP.eq, "r0", 0, jf);
        return;
      }
      j(JMP.set, jt);
      a.ja(jf);
      return;
    }
    const inverse = n.op === "eq" ? JMP.ne : n.op === "gt" ? JMP.le : JMP.lt;
    if (jf === nextLabel) {
      j(JMP[n.op], jt);
      return;
    }
    if (jt === nextLabel) {
      j(inverse, jf);
      return;
    }
    j(JMP[n.op], jt);
    a.ja(jf);
  }

  private spill(): number {
    const slot = this.spillDepth++;
    this.maxSpill = Math.max(this.maxSpill, this.spillDepth);
    this.a.stx(BPF_W, "r10", "r0", this.spillOffset(slot));
    return slot;
  }

  private unspill(slot: number, into: Register): void {
    this.a.ldx(BPF_W, into, "r10", this.spillOffset(slot));
    this.spillDepth--;
  }

  private spillOffset(slot: number): number {
    return (this.out.stackTop ?? 0) - 16 - 8 * slot;
  }
  private bufferOffset(): number {
    return (this.out.stackTop ?? 0) - 8;
  }

  /** r0 = v (unsigned 32-bit). May clobber r1–r5. */
  private evalInto(v: Val, s: { xBase: number | undefined }): void {
    const a = this.a;
    switch (v.k) {
      case "const":
        a.mov32("r0", v.v);
        return;
      case "len":
        this.wireLength();
        return;
      case "load":
        this.constLoad(v.off, v.size);
        return;
      case "iphl":
        this.constLoad(v.off, 1);
        a.and32("r0", 0xf).lsh32("r0", 2);
        return;
      case "loadi":
        if (v.index.k === "iphl") {
          if (this.direct && v.off + v.size <= DIRECT_LIMIT - 64 && s.xBase === v.index.off) {
            a.ldx(SIZE_CODE[v.size], "r0", "r9", v.off);
            this.swap(v.size);
            return;
          }
          if (!this.direct) {
            if (s.xBase !== v.index.off) {
              this.evalInto(v.index, s);
              a.mov64("r9", "r0");
              s.xBase = v.index.off;
            }
            if (this.ldabs) {
              if (v.off + v.size > LDABS_LIMIT) {
                a.ja(this.noMatchLabel());
                return;
              }
              a.ldInd(SIZE_CODE[v.size], "r9", v.off);
            } else {
              a.mov64("r0", "r9");
              this.indexedLoad(v.off, v.size);
            }
            return;
          }
        }
        this.evalInto(v.index, s);
        this.indexedLoad(v.off, v.size);
        return;
      case "neg":
        this.evalInto(v.a, s);
        a.neg32("r0");
        return;
      case "alu": {
        if (v.b.k === "const") {
          this.evalInto(v.a, s);
          a.alu32(ALU_CODE[v.op], "r0", v.b.v >>> 0);
          return;
        }
        if (v.a.k === "const" && COMMUTATIVE.has(v.op)) {
          // `13 + iphl` (tcpdump's tcp[13]): the constant as the immediate, no spill
          this.evalInto(v.b, s);
          a.alu32(ALU_CODE[v.op], "r0", v.a.v >>> 0);
          return;
        }
        // the left operand into a stack slot, the right into r1, the left back into r0: the slots
        // in use stay within libpcap's limit of 16 scratch registers, which the compiler enforces
        this.evalInto(v.a, s);
        const slot = this.spill();
        this.evalInto(v.b, s);
        a.mov32("r1", "r0");
        this.unspill(slot, "r0");
        this.aluWithChecks(v.op);
        return;
      }
    }
  }

  /** r0 = r0 op r1 with tcpdump's rules: division by zero rejects, shifts by 32 or more give 0. */
  private aluWithChecks(op: AluOp): void {
    const a = this.a;
    if (op === "div" || op === "mod") a.jmp(BPF_JMP32, JMP.eq, "r1", 0, this.noMatchLabel());
    if (op === "lsh" || op === "rsh") {
      const ok = this.label("shift");
      a.jmp(BPF_JMP32, JMP.lt, "r1", 32, ok);
      a.mov32("r1", 0).mov32("r0", 0);
      a.label(ok);
    }
    a.alu32(ALU_CODE[op], "r0", "r1");
  }

  private swap(size: Size): void {
    if (size === 2) this.a.be("r0", 16);
    else if (size === 4) this.a.be("r0", 32);
  }

  private constLoad(off: number, size: Size): void {
    const a = this.a;
    if (this.ldabs) {
      if (off + size > LDABS_LIMIT) {
        a.ja(this.noMatchLabel());
        return;
      }
      a.ldAbs(SIZE_CODE[size], off);
      return;
    }
    if (this.direct && off + size <= DIRECT_LIMIT) {
      a.ldx(SIZE_CODE[size], "r0", "r7", off);
      this.swap(size);
      return;
    }
    a.mov32("r0", 0);
    this.indexedLoad(off, size);
  }

  /** r0 = packet[r0 + off] through LD_IND or a load-bytes helper; out of bounds → no match. */
  private indexedLoad(off: number, size: Size): void {
    const a = this.a;
    // the offset as a 64-bit sum: tcpdump rejects offsets that overflow 32 bits
    a.mov32("r2", "r0");
    if (off > 0 && off <= 0x7fffffff)
      a.add64("r2", off); // a positive immediate: no sign extension
    else if (off) {
      a.mov32("r3", off >>> 0);
      a.add64("r2", "r3");
    }
    if (this.ldabs) {
      a.mov32("r3", LDABS_LIMIT - size);
      a.jgt("r2", "r3", this.noMatchLabel());
      a.ldInd(SIZE_CODE[size], "r2", 0);
      return;
    }
    let loaded: string | undefined;
    if (this.direct) {
      // Direct access where the verifier can bound the offset (below 64 KiB): the check against
      // data_end rejects as tcpdump does; farther offsets take the helper below.
      const far = this.label("far");
      loaded = this.label("loaded");
      a.jgt("r2", VARIABLE_DIRECT_LIMIT - size, far);
      a.add64("r2", "r7").mov64("r3", "r2").add64("r3", size).jgt("r3", "r8", this.noMatchLabel());
      a.ldx(SIZE_CODE[size], "r0", "r2", 0);
      this.swap(size);
      a.ja(loaded);
      a.label(far);
    }
    a.mov64("r3", "r2").rsh64("r3", 32).jne("r3", 0, this.noMatchLabel());
    a.mov64("r1", "r6");
    a.mov64("r3", "r10").add64("r3", this.bufferOffset());
    a.mov64("r4", size);
    a.call(this.opts.context === "xdp" ? "xdp_load_bytes" : "skb_load_bytes");
    a.jne("r0", 0, this.noMatchLabel());
    a.ldx(SIZE_CODE[size], "r0", "r10", this.bufferOffset());
    this.swap(size);
    if (loaded) a.label(loaded);
  }

  private wireLength(): void {
    const a = this.a;
    if (this.opts.context !== "xdp") {
      a.ldx(BPF_W, "r0", "r6", 0);
      return;
    } // skb->len
    const mode = this.opts.wireLength ?? "auto";
    if (mode === "auto") {
      a.mov64("r1", "r6").call("xdp_get_buff_len");
      return;
    }
    if (mode === "meta") {
      const fallback = this.label("nometa"),
        done = this.label("meta");
      a.ldx(BPF_W, "r1", "r6", 8); // xdp_md->data_meta
      a.mov64("r2", "r1").add64("r2", 4).jgt("r2", "r7", fallback);
      a.ldx(BPF_W, "r0", "r1", 0);
      a.ja(done);
      a.label(fallback);
      a.mov64("r0", "r8").sub64("r0", "r7");
      a.label(done);
      return;
    }
    a.mov64("r0", "r8").sub64("r0", "r7");
  }
}
