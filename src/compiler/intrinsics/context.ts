// The program's context in kernel code: its fields (`ctx.len`, `ctx.protocol`, a tracepoint's
// record fields, `ctx.ip` …), keyed by program kind, and its methods (`ctx.load(u16, 12)`,
// `ctx.adjustHead(-8)`, `ctx.arg(0)` …), keyed by name. Packet pointers are loaded once per
// function and reloaded after helpers that move the packet.
import type * as TS from "typescript";
import { helperId } from "../../asm/helpers.js";
import type { Base, Operand, VReg } from "../ir.js";
import { INTS, arrayOf, type DataT, type IntT } from "../ktypes.js";
import { I32, I64, U32, U64, type NullInfo, type PacketCheck, type Val } from "../values.js";
import { PERF_EVENT_DATA, SK_BUFF, SK_MSG_MD, XDP_MD, ptRegs, type CtxField } from "../contexts.js";
import type { ProgramKind } from "../contexts.js";
import { lookup, type CtxVal, type Lowering, type LValue } from "./api.js";

/** The largest packet offset a program may test (the verifier's limit on packet pointer math). */
export const MAX_PACKET_OFF = 0xffff;

/** Reads field `name` of a context of one kind; undefined when the kind has no such field. */
export type ContextFieldReader = (low: Lowering, ctx: CtxVal, name: string, node: TS.Node) => Val | undefined;

/** Lowers a context method; undefined when this context kind has no method of this name. */
export type ContextMethod = (low: Lowering, ctx: CtxVal, name: string, e: TS.CallExpression) => Val | undefined;

const packetState = {};

/** data and data_end of an XDP or TC context, loaded at the function's start on first use. */
function packetPointers(low: Lowering, ctx: CtxVal, node: TS.Node): { data: VReg; end: VReg } {
  if (ctx.ctx.kind !== "xdp" && ctx.ctx.kind !== "tc")
    low.fail(node, "direct packet access needs an XDP or TC context");
  const state = low.state(packetState, () => ({}) as { pointers?: { data: VReg; end: VReg } });
  if (!state.pointers) {
    // Not variable homes: views keep using these registers (reloads after adjustHead invalidate views anyway).
    const data = low.b.vreg("packet"),
      end = low.b.vreg("packetEnd");
    const layout = ctx.ctx.kind === "xdp" ? XDP_MD : SK_BUFF;
    // Loaded once, at the function's start (after the parameters land).
    low.b.entry.instrs.splice(
      1,
      0,
      {
        op: "load",
        size: 4,
        signed: false,
        dst: data,
        base: { reg: ctx.reg },
        off: layout.data!.offset,
        loc: low.b.entry.instrs[0]?.loc ?? low.module.loc(node),
      },
      {
        op: "load",
        size: 4,
        signed: false,
        dst: end,
        base: { reg: ctx.reg },
        off: layout.dataEnd!.offset,
        loc: low.b.entry.instrs[0]?.loc ?? low.module.loc(node),
      },
    );
    state.pointers = { data, end };
  }
  return state.pointers;
}

/** Reloads data/data_end after a helper that moves the packet. */
function reloadPacket(low: Lowering, ctx: CtxVal): void {
  const pointers = low.state(packetState, () => ({}) as { pointers?: { data: VReg; end: VReg } }).pointers;
  if (!pointers) return;
  const layout = ctx.ctx.kind === "xdp" ? XDP_MD : SK_BUFF;
  low.b.emit({
    op: "load",
    size: 4,
    signed: false,
    dst: pointers.data,
    base: { reg: ctx.reg },
    off: layout.data!.offset,
  });
  low.b.emit({
    op: "load",
    size: 4,
    signed: false,
    dst: pointers.end,
    base: { reg: ctx.reg },
    off: layout.dataEnd!.offset,
  });
}

/** ctx.load(u16, off) and friends: an integer read from the packet, null when out of bounds. */
function packetScalar(t: IntT, base: Base, off: number, check: PacketCheck): Val {
  // Read it as a one-field view; the caller tests it against null before use.
  return { k: "ptr", t, base, off, space: "packet", nullable: { kind: "packet", check }, scalar: true };
}

/** Socket filters cannot read the packet directly: copy it to the stack with bpf_skb_load_bytes. */
function skbLoad(low: Lowering, ctx: CtxVal, t: DataT, off: Val, node: TS.Node): Val {
  const slot = low.b.allocStack(t.size, 8);
  const r = low.b.vreg("scalar");
  low.b.emit({
    op: "call",
    helper: helperId("skb_load_bytes"),
    args: [{ reg: ctx.reg }, low.toInt(off, U32, node).op, { fp: slot }, { imm: t.size }],
    dst: r,
  });
  // The copy is valid when the helper returned 0: a pointer that is null otherwise.
  const p = low.b.vreg("pointer");
  const ok = low.b.newBlock("skb_ok"),
    bad = low.b.newBlock("skb_short"),
    join = low.b.newBlock("skb_done");
  low.b.terminate({ op: "br", cmp: "eq", w: 64, a: r, b: { imm: 0 }, then: ok, else: bad });
  low.b.setBlock(ok);
  low.b.emit({ op: "addr", dst: p, fp: slot });
  low.b.jump(join);
  low.b.setBlock(bad);
  low.b.emit({ op: "mov", w: 64, dst: p, src: { imm: 0 } });
  low.b.jump(join);
  low.b.setBlock(join);
  return {
    k: "ptr",
    t,
    base: { reg: p },
    off: 0,
    space: "stack",
    nullable: { kind: "reg", reg: p },
    scalar: t.kind === "int",
  };
}

/** A field of a UAPI context struct (__sk_buff, xdp_md, sk_msg_md). */
function ctxLoad(low: Lowering, base: Base, f: CtxField): Val {
  const dst = low.b.vreg("scalar");
  low.b.emit({ op: "load", size: f.size, signed: false, dst, base, off: f.offset });
  if (f.be16) {
    const swapped = low.b.vreg("scalar");
    low.b.emit({ op: "endian", bits: 16, dst: swapped, a: dst });
    return { k: "int", ct: U32, op: { reg: swapped }, max: 0xffffn };
  }
  return { k: "int", ct: f.size === 8 ? U64 : U32, op: { reg: dst } };
}

const skbField: ContextFieldReader = (low, ctx, name) => {
  const f = SK_BUFF[name];
  if (!f || name === "data" || name === "dataEnd") return undefined;
  return ctxLoad(low, { reg: ctx.reg }, f);
};

/** Registers of a uprobe's pt_regs (and a perf event's, plus its sample fields). */
const regsField: ContextFieldReader = (low, ctx, name) => {
  const kind = ctx.ctx.kind;
  const base: Base = { reg: ctx.reg };
  const regs = ptRegs();
  if (kind === "perf_event" && (name === "samplePeriod" || name === "addr")) {
    const dst = low.b.vreg("scalar");
    low.b.emit({
      op: "load",
      size: 8,
      signed: false,
      dst,
      base,
      off: PERF_EVENT_DATA.regsSize + (name === "addr" ? 8 : 0),
    });
    return { k: "int", ct: U64, op: { reg: dst } };
  }
  if (kind === "perf_event" && name === "regs") return { k: "ctx", ctx: { kind: "uprobe" }, reg: ctx.reg };
  const off =
    name === "ret" ? regs.ret : name === "ip" ? regs.ip : name === "sp" ? regs.sp : name === "fp" ? regs.fp : undefined;
  if (off === undefined) return undefined;
  const dst = low.b.vreg("scalar");
  low.b.emit({ op: "load", size: 8, signed: false, dst, base, off });
  return { k: "int", ct: U64, op: { reg: dst } };
};

export const CONTEXT_FIELDS: Readonly<Partial<Record<ProgramKind, ContextFieldReader>>> = {
  xdp: (low, ctx, name, node) => {
    if (name === "len") {
      const { data, end } = packetPointers(low, ctx, node);
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "alu", w: 64, alu: "sub", dst, a: end, b: { reg: data } });
      return { k: "int", ct: U32, op: { reg: dst }, max: 0xffffn };
    }
    const f = XDP_MD[name];
    if (!f || name === "data" || name === "dataEnd" || name === "dataMeta") return undefined;
    return ctxLoad(low, { reg: ctx.reg }, f);
  },
  tc: skbField,
  socket_filter: skbField,
  sk_skb: skbField,
  /** A tracepoint record's fields, as tracefs describes them. */
  tracepoint: (low: Lowering, ctx, name, node) => {
    const base: Base = { reg: ctx.reg };
    const format = ctx.ctx.format!;
    const field = format.fields.find((x) => x.name === name);
    if (!field)
      low.fail(
        node,
        `${format.category}:${format.name} has no field ${name} (fields: ${format.fields.map((x) => x.name).join(", ")})`,
      );
    if (field.dataLoc) {
      // __data_loc: low 16 bits are the data's offset in the record.
      const loc = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 4, signed: false, dst: loc, base, off: field.offset });
      const off = low.b.vreg("scalar");
      low.b.emit({ op: "alu", w: 64, alu: "and", dst: off, a: loc, b: { imm: 0xffff } });
      const addr = low.b.vreg("pointer");
      low.b.emit({ op: "alu", w: 64, alu: "add", dst: addr, a: off, b: { reg: ctx.reg } });
      return { k: "int", ct: U64, op: { reg: addr } };
    }
    if (field.type.endsWith("[]") || /\[\d+\]/.test(field.type)) {
      return { k: "ptr", t: arrayOf(INTS.u8!, field.size, "bytes"), base, off: field.offset, space: "ctx" };
    }
    if (![1, 2, 4, 8].includes(field.size))
      low.fail(node, `field ${name} (${field.type}, ${field.size} bytes) is not an integer`);
    const t: IntT = {
      kind: "int",
      name: `${field.signed ? "i" : "u"}${field.size * 8}`,
      size: field.size as 1 | 2 | 4 | 8,
      signed: field.signed,
      be: false,
      bool: false,
    };
    return low.loadInt(base, field.offset, t, "ctx");
  },
  sk_msg: (low, ctx, name) => {
    const f = SK_MSG_MD[name];
    if (!f) return undefined;
    return ctxLoad(low, { reg: ctx.reg }, f);
  },
  uprobe: regsField,
  uretprobe: regsField,
  perf_event: regsField,
};

/** `ctx.name` read. */
export function lowerContextField(low: Lowering, ctx: CtxVal, name: string, node: TS.Node): Val {
  const kind = ctx.ctx.kind;
  const value = lookup(CONTEXT_FIELDS, kind)?.(low, ctx, name, node);
  if (value) return value;
  low.fail(node, `${kind} contexts have no field ${name}`);
}

/** Context fields a program may write, by program kind. */
const WRITABLE_CONTEXT_FIELDS: Readonly<Partial<Record<ProgramKind, Record<string, CtxField>>>> = { tc: SK_BUFF };

/** `ctx.name = v`. */
export function contextLValue(low: Lowering, ctx: CtxVal, name: string, node: TS.Node): LValue {
  const f = lookup(WRITABLE_CONTEXT_FIELDS, ctx.ctx.kind)?.[name];
  if (!f || !f.writable) low.fail(node, `${name} of a ${ctx.ctx.kind} context is read-only`);
  const t = f.size === 8 ? INTS.u64! : INTS.u32!;
  return low.memLValue({ reg: ctx.reg }, f.offset, t, "ctx");
}

function hasPacket(ctx: CtxVal): boolean {
  const kind = ctx.ctx.kind;
  return kind === "xdp" || kind === "tc" || kind === "socket_filter" || kind === "sk_skb";
}

/** xdp_adjust_head/tail (XDP), skb_pull_data (TC): the packet moves, its pointers are reloaded. */
function movesPacket(kind: ProgramKind, helper: (name: string) => string, argType: typeof I32): ContextMethod {
  return (low: Lowering, ctx, name, e) => {
    if (ctx.ctx.kind !== kind) return undefined;
    const [arg] = low.args(e, 1);
    const r = low.helper(helper(name), [{ reg: ctx.reg }, low.intArg(arg!, argType)], I64);
    reloadPacket(low, ctx);
    return r;
  };
}

const adjustXdp = movesPacket("xdp", (name) => (name === "adjustHead" ? "xdp_adjust_head" : "xdp_adjust_tail"), I32);

export const CONTEXT_METHODS: Readonly<Record<string, ContextMethod>> = {
  /** load(T, offset): a bounds-checked view (or integer) of the packet; null when it is short. */
  load: (low: Lowering, ctx, _name, e) => {
    if (!hasPacket(ctx)) return undefined;
    const kind = ctx.ctx.kind;
    const [typeExpr, offExpr] = low.args(e, 2);
    const t = low.module.dataTypeOfValue(typeExpr!);
    const offVal = low.expr(offExpr!, INTS.u32);
    if (kind === "socket_filter" || kind === "sk_skb") return skbLoad(low, ctx, t, offVal, offExpr!);
    const { data, end } = packetPointers(low, ctx, e);
    let offset: Operand;
    let clamp = false;
    if (offVal.k === "const") {
      if (offVal.value < 0n || offVal.value > BigInt(MAX_PACKET_OFF))
        low.fail(offExpr!, "packet offsets are 0 … 65535");
      offset = { imm: Number(offVal.value) };
    } else {
      const iv = low.toInt(offVal, U64, offExpr!);
      const reg = low.opReg(iv.op, 64);
      offset = { reg };
      // A known bound (0 … max, for signed types too) within the packet range needs no clamp.
      clamp = !(offVal.k === "int" && offVal.max !== undefined && offVal.max <= BigInt(MAX_PACKET_OFF));
    }
    const check: PacketCheck = { data, end, offset, size: t.size, clamp };
    const nullable: NullInfo = { kind: "packet", check };
    if ("imm" in offset) {
      if (t.kind === "int") return packetScalar(t, { reg: data }, offset.imm, check);
      return { k: "ptr", t, base: { reg: data }, off: offset.imm, space: "packet", nullable };
    }
    check.pointer = low.b.vreg("packet");
    if (t.kind === "int") return packetScalar(t, { reg: check.pointer }, 0, check);
    return { k: "ptr", t, base: { reg: check.pointer }, off: 0, space: "packet", nullable };
  },
  /** loadBytes(offset, into, length): copies packet bytes into a byte array (xdp/skb_load_bytes). */
  loadBytes: (low: Lowering, ctx, _name, e) => {
    if (!hasPacket(ctx)) return undefined;
    const kind = ctx.ctx.kind;
    const [offExpr, into, lenExpr] = low.args(e, 3);
    const dst = low.expr(into!);
    if (dst.k !== "ptr" || dst.t.kind !== "array") low.fail(into!, "loadBytes() copies into a byte array");
    const cap = dst.t.size;
    const len = low.expr(lenExpr!, INTS.u32);
    // The length register must be proven 1 … capacity for the verifier.
    const result = low.b.vreg("scalar");
    const n = low.b.vreg("scalar");
    low.b.emit({ op: "mov", w: 64, dst: n, src: low.toInt(len, U64, lenExpr!).op });
    const clampBlock = low.b.newBlock("lb_clamp"),
      ready = low.b.newBlock("lb_ready"),
      skip = low.b.newBlock("lb_empty"),
      join = low.b.newBlock("lb_done");
    low.b.terminate({ op: "br", cmp: "gt", w: 64, a: n, b: { imm: cap }, then: clampBlock, else: ready });
    low.b.setBlock(clampBlock);
    low.b.emit({ op: "mov", w: 64, dst: n, src: { imm: cap } });
    low.b.jump(ready);
    low.b.setBlock(ready);
    const call = low.b.newBlock("lb_call");
    low.b.terminate({ op: "br", cmp: "eq", w: 64, a: n, b: { imm: 0 }, then: skip, else: call });
    low.b.setBlock(call);
    const helper = kind === "xdp" ? "xdp_load_bytes" : "skb_load_bytes";
    low.b.emit({
      op: "call",
      helper: helperId(helper),
      args: [{ reg: ctx.reg }, low.intArg(offExpr!, U32), low.pointerArg(dst), { reg: n }],
      dst: result,
    });
    low.b.jump(join);
    low.b.setBlock(skip);
    low.b.emit({ op: "mov", w: 64, dst: result, src: { imm: 0 } });
    low.b.jump(join);
    low.b.setBlock(join);
    return { k: "int", ct: I64, op: { reg: result } };
  },
  adjustHead: adjustXdp,
  adjustTail: adjustXdp,
  pullData: movesPacket("tc", () => "skb_pull_data", U32),
  /** storeBytes(offset, from, length, flags?): writes into a TC packet. */
  storeBytes: (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "tc") return undefined;
    const [offExpr, from, lenExpr, flags] = low.args(e, 3, 4);
    const src = low.expr(from!);
    if (src.k !== "ptr") low.fail(from!, "storeBytes() copies from an array");
    const r = low.helper(
      "skb_store_bytes",
      [
        { reg: ctx.reg },
        low.intArg(offExpr!, U32),
        low.pointerArg(src),
        low.intArg(lenExpr!, U32),
        flags ? low.intArg(flags) : { imm: 0 },
      ],
      I64,
    );
    reloadPacket(low, ctx);
    return r;
  },
  /** arg(i): the i-th argument of a raw tracepoint, tp_btf event, uprobe or perf event. */
  arg: (low: Lowering, ctx, _name, e) => {
    const kind = ctx.ctx.kind;
    const [index] = low.args(e, 1);
    const iv = low.expr(index!);
    if (iv.k !== "const" || iv.value < 0n) low.fail(index!, "arg(i) needs a constant index");
    const i = Number(iv.value);
    if (kind === "raw_tracepoint" || kind === "tp_btf") {
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctx.reg }, off: 8 * i });
      return { k: "int", ct: U64, op: { reg: dst } };
    }
    if (kind === "uprobe" || kind === "uretprobe" || kind === "perf_event") {
      const regs = ptRegs();
      if (i > 5) low.fail(index!, "arg(i) reaches the first 6 arguments");
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctx.reg }, off: regs.args[i]! });
      return { k: "int", ct: U64, op: { reg: dst } };
    }
    return undefined;
  },
};

/** `ctx.name(args)`. */
export function lowerContextMethod(low: Lowering, ctx: CtxVal, name: string, e: TS.CallExpression): Val {
  const value = lookup(CONTEXT_METHODS, name)?.(low, ctx, name, e);
  if (value) return value;
  low.fail(e, `${ctx.ctx.kind} contexts have no method ${name}()`);
}
