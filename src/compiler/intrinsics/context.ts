// The program's context in kernel code: its fields (`ctx.len`, `ctx.protocol`, a tracepoint's
// record fields, `ctx.ip` …), keyed by program kind, and its methods (`ctx.load(u16, 12)`,
// `ctx.adjustHead(-8)`, `ctx.arg(0)` …), keyed by name. Packet pointers are loaded once per
// function and reloaded after helpers that move the packet.
import type * as TS from "typescript";
import type { Btf } from "../../btf/decoder.js";
import { helperId } from "../../asm/helpers.js";
import { Errno } from "../../errors.js";
import type { Base, Operand, VReg } from "../ir.js";
import { readPrintTemplate } from "./print-template.js";
import { INTS, arrayOf, type DataT, type IntT, type StructT } from "../ktypes.js";
import { describeVal, I32, I64, U32, U64, type CtxInfo, type NullInfo, type PacketCheck, type Val } from "../values.js";
import {
  BPF_CGROUP_DEV_CTX,
  BPF_SOCK,
  BPF_SOCK_ADDR,
  BPF_SOCK_ADDR_IP6,
  BPF_SOCK_OPS,
  BPF_SOCK_OPS_ARGS,
  BPF_SK_LOOKUP,
  BPF_SK_LOOKUP_IP6,
  BPF_SOCKOPT,
  BPF_SYSCTL,
  PERF_EVENT_DATA,
  SK_BUFF,
  SK_BUFF_FLOW_KEYS,
  SK_MSG_MD,
  SK_REUSEPORT_MD,
  XDP_MD,
  ptRegs,
  type CtxField,
} from "../contexts.js";
import type { ProgramKind } from "../contexts.js";
import { structOpsMembers } from "../struct-ops.js";
import { lookup, type CtxVal, type Lowering, type LValue } from "./api.js";

/** The largest packet offset a program may test (the verifier's limit on packet pointer math). */
export const MAX_PACKET_OFF = 0xffff;

/** Reads field `name` of a context of one kind; undefined when the kind has no such field. */
export type ContextFieldReader = (low: Lowering, ctx: CtxVal, name: string, node: TS.Node) => Val | undefined;

/** Lowers a context method; undefined when this context kind has no method of this name. */
export type ContextMethod = (low: Lowering, ctx: CtxVal, name: string, e: TS.CallExpression) => Val | undefined;

const packetState = {};

/** data and data_end of an XDP, TC or flow dissector context, loaded at the function's start on first use. */
function packetPointers(low: Lowering, ctx: CtxVal, node: TS.Node): { data: VReg; end: VReg } {
  if (ctx.ctx.kind !== "xdp" && ctx.ctx.kind !== "tc" && ctx.ctx.kind !== "flow_dissector")
    low.fail(node, "direct packet access needs an XDP, TC or flow dissector context");
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
  if (f.be16 || f.be32) {
    const swapped = low.b.vreg("scalar");
    low.b.emit({ op: "endian", bits: f.be16 ? 16 : 32, dst: swapped, a: dst });
    return { k: "int", ct: U32, op: { reg: swapped }, max: f.be16 ? 0xffffn : 0xffffffffn };
  }
  if (f.signed) {
    // 32-bit signed fields (bpf_sockopt): sign-extend what the zero-extending load gave.
    const ext = low.b.vreg("scalar");
    low.b.emit({ op: "alu", w: 64, alu: "lsh", dst: ext, a: dst, b: { imm: 32 } });
    low.b.emit({ op: "alu", w: 64, alu: "arsh", dst: ext, a: ext, b: { imm: 32 } });
    return { k: "int", ct: I32, op: { reg: ext } };
  }
  return { k: "int", ct: f.size === 8 ? U64 : U32, op: { reg: dst } };
}

/** The fields of a UAPI context struct described by `table`. */
function tableField(table: Record<string, CtxField>): ContextFieldReader {
  return (low, ctx, name) => {
    const f = table[name];
    return f ? ctxLoad(low, { reg: ctx.reg }, f) : undefined;
  };
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

// ---- kernel-function tracing: kprobes, fentry/fexit/fmod_ret, LSM, iterators ----------------------

/** Kinds whose context is struct pt_regs (the probed function's registers). */
const PT_REGS_KINDS: ReadonlySet<ProgramKind> = new Set<ProgramKind>([
  "uprobe",
  "uretprobe",
  "perf_event",
  "kprobe",
  "kretprobe",
  "kprobe_multi",
  "kretprobe_multi",
  "uprobe_multi",
  "uretprobe_multi",
]);
/** Kinds whose context is the BTF argument array of a trampoline (u64 per argument, then the return value). */
const TRAMPOLINE_KINDS: ReadonlySet<ProgramKind> = new Set<ProgramKind>(["fentry", "fexit", "fmod_ret", "lsm"]);

/**
 * A 64-bit value (a register or an argument slot) seen as BTF type `type`: a pointer to a struct
 * becomes a kernel object — read directly when the verifier knows its type (trampoline
 * arguments), with probe reads otherwise (pt_regs) — and integers are cut to their width.
 */
function typedValue(low: Lowering, raw: VReg, type: number, direct: boolean): Val {
  const btf = low.module.btf();
  const resolved = btf.resolve(type);
  if (resolved === 0) return { k: "int", ct: U64, op: { reg: raw } };
  const t = btf.typeById(resolved);
  if (t.kind === "ptr") {
    const target = btf.resolve(t.type);
    const tt = target === 0 ? undefined : btf.typeById(target);
    if (tt && (tt.kind === "struct" || tt.kind === "union")) {
      low.b.kinds[raw] = direct ? "btf" : "scalar";
      return { k: "kobj", id: target, base: { reg: raw }, off: 0, direct };
    }
    return { k: "int", ct: U64, op: { reg: raw } };
  }
  if (t.kind === "int" || t.kind === "enum" || t.kind === "enum64") {
    const size = btf.sizeOf(resolved);
    const signed = t.kind === "int" ? t.signed : t.kind === "enum" ? t.signed : false;
    if (size === 8) return { k: "int", ct: signed ? I64 : U64, op: { reg: raw } };
    const low32 = low.b.vreg("scalar");
    if (signed && size < 4) low.b.emit({ op: "movsx", w: 32, bits: (size * 8) as 8 | 16, dst: low32, a: raw });
    else if (!signed && size < 4)
      low.b.emit({ op: "alu", w: 32, alu: "and", dst: low32, a: raw, b: { imm: size === 1 ? 0xff : 0xffff } });
    else low.b.emit({ op: "mov", w: 32, dst: low32, src: { reg: raw } });
    return { k: "int", ct: signed ? I32 : U32, op: { reg: low32 } };
  }
  return { k: "int", ct: U64, op: { reg: raw } };
}

function load64(low: Lowering, ctxReg: VReg, off: number): VReg {
  const dst = low.b.vreg("scalar");
  low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctxReg }, off });
  return dst;
}

/** How a program's parameters after the context are read (the typed arguments of its kernel function). */
export interface TypedArguments {
  readers: ((low: Lowering, ctxReg: VReg) => Val)[];
  /** Said when the program declares more parameters than there are readers. */
  tooMany: string;
  /** The parameters are the arguments alone, without a context first (struct_ops callbacks). */
  withoutContext?: boolean;
}

interface ProgramSite {
  kind: ProgramKind;
  target: Record<string, unknown>;
  node: TS.Node;
}

/**
 * The typed parameters of a kprobe, kretprobe, fentry, fexit, fmod_ret or lsm program, from the
 * function's prototype in the kernel's BTF (records argCount/retType in `ctx` for `ctx.ret`).
 * kprobes read the registers of the calling convention; trampolines read the argument array.
 */
export function programArguments(
  module: { btf(): Btf; fail(node: TS.Node, message: string): never },
  p: ProgramSite,
  ctx: CtxInfo,
): TypedArguments | undefined {
  const kind = p.kind;
  if (kind === "struct_ops") return structOpsArguments(module, p);
  if (kind !== "kprobe" && kind !== "kretprobe" && !TRAMPOLINE_KINDS.has(kind)) return undefined;
  const name = kind === "lsm" ? `bpf_lsm_${String(p.target.hook)}` : String(p.target.function);
  const what = kind === "lsm" ? `LSM hook ${String(p.target.hook)}` : name;
  const sig = module.btf().funcProto(name);
  if (!sig) {
    // Trampolines and LSM programs need the BTF prototype to load at all; a kprobe does not.
    if (kind !== "kprobe" && kind !== "kretprobe")
      module.fail(
        p.node,
        `the kernel's BTF has no ${kind === "lsm" ? `${name} (no LSM hook ${String(p.target.hook)})` : `function ${name} (it may be inlined, static without BTF, or misspelled)`}`,
      );
    return {
      readers: [],
      tooMany: `${what} is not in the kernel's BTF, so its arguments are untyped: read them with ctx.arg(i)`,
    };
  }
  const params = sig.params;
  if (kind === "kprobe") {
    if (p.target.offset)
      return { readers: [], tooMany: "a kprobe at an offset inside a function has no typed arguments" };
    const regs = ptRegs();
    return {
      readers: params
        .slice(0, regs.args.length)
        .map((x, i) => (low, ctxReg) => typedValue(low, load64(low, ctxReg, regs.args[i]!), x.type, false)),
      tooMany:
        params.length > regs.args.length
          ? `a kprobe reads the first ${regs.args.length} arguments of ${what} from registers`
          : `${what} has ${params.length} argument(s)`,
    };
  }
  if (kind === "kretprobe") {
    ctx.retType = sig.returnType;
    return {
      readers: [(low, ctxReg) => typedValue(low, load64(low, ctxReg, ptRegs().ret), sig.returnType, false)],
      tooMany: `a kretprobe takes the context and ${what}'s return value`,
    };
  }
  const readers = params.map(
    (x, i) => (low: Lowering, ctxReg: VReg) => typedValue(low, load64(low, ctxReg, 8 * i), x.type, true),
  );
  if (kind === "fentry") return { readers, tooMany: `${what} has ${params.length} argument(s)` };
  // fexit: the return value; fmod_ret and lsm: the previous program's return value (0 at first).
  ctx.argCount = params.length;
  ctx.retType = sig.returnType;
  readers.push((low, ctxReg) => typedValue(low, load64(low, ctxReg, 8 * params.length), sig.returnType, true));
  return { readers, tooMany: `${what} has ${params.length} argument(s), then the return value` };
}

/**
 * A struct_ops callback's parameters: the member's function pointer arguments, a u64 each in the
 * context array, typed from BTF — pointers the kernel retypes (a congestion control's socket is a
 * tcp_sock) as it shows them to the verifier.
 */
function structOpsArguments(
  module: { btf(): Btf; fail(node: TS.Node, message: string): never },
  p: ProgramSite,
): TypedArguments {
  const btf = module.btf();
  const struct = String(p.target.struct);
  const structId = btf.findByName(struct, "struct")[0];
  const member =
    structId === undefined ? undefined : structOpsMembers(btf, structId).find((m) => m.name === p.target.member);
  if (!member || member.kind !== "function")
    module.fail(p.node, `struct ${struct} has no callback ${String(p.target.member)}`);
  const readers = member.params.map((x, i) => (low: Lowering, ctxReg: VReg): Val => {
    const raw = load64(low, ctxReg, 8 * i);
    if (x.view) {
      low.b.kinds[raw] = "btf";
      return { k: "kobj", id: low.module.btfStruct(x.view, p.node), base: { reg: raw }, off: 0, direct: true };
    }
    return typedValue(low, raw, x.type, true);
  });
  return {
    readers,
    tooMany: `${struct}.${member.name} takes ${member.params.length} argument(s)`,
    withoutContext: true,
  };
}

/** `ctx.ret` of fexit / fmod_ret / lsm programs: the slot after the arguments. */
const trampolineField: ContextFieldReader = (low, ctx, name) => {
  if (name !== "ret" || ctx.ctx.argCount === undefined) return undefined;
  return typedValue(low, load64(low, ctx.reg, 8 * ctx.ctx.argCount), ctx.ctx.retType ?? 0, true);
};

/** Fields of an iterator's context (struct bpf_iter__<target>): the object visited, or null at the end. */
const iterField: ContextFieldReader = (low, ctx, name, node) => {
  const btf = low.module.btf();
  const structId = ctx.ctx.iterStruct!;
  if (name === "seqNum" || name === "sessionId") {
    // meta: the seq_file and the position in this read; a pointer the verifier trusts.
    const meta = load64(low, ctx.reg, 0);
    low.b.kinds[meta] = "btf";
    const dst = low.b.vreg("scalar");
    const off = btf.member("bpf_iter_meta", name === "seqNum" ? "seq_num" : "session_id").offset;
    low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: meta }, off });
    return { k: "int", ct: U64, op: { reg: dst } };
  }
  let member;
  try {
    member = btf.member(structId, name);
  } catch {
    return undefined;
  }
  if (name === "meta" || name === "key" || name === "value")
    low.fail(
      node,
      name === "meta"
        ? "read ctx.seqNum; ctx.print() writes to the seq_file"
        : `read the element with ctx.${name}(Type)`,
    );
  const t = btf.typeById(btf.resolve(member.type));
  if (t.kind === "ptr") {
    const reg = low.b.vreg("pointer");
    low.b.emit({ op: "load", size: 8, signed: false, dst: reg, base: { reg: ctx.reg }, off: member.offset });
    const target = btf.resolve(t.type);
    const tt = target === 0 ? undefined : btf.typeById(target);
    if (tt && (tt.kind === "struct" || tt.kind === "union"))
      return { k: "kobj", id: target, base: { reg }, off: 0, direct: true, nullable: { kind: "reg", reg } };
    return { k: "int", ct: U64, op: { reg } };
  }
  const dst = low.b.vreg("scalar");
  low.b.emit({
    op: "load",
    size: member.size as 1 | 2 | 4 | 8,
    signed: false,
    dst,
    base: { reg: ctx.reg },
    off: member.offset,
  });
  return { k: "int", ct: member.size === 8 ? U64 : U32, op: { reg: dst } };
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
  // cgroup and socket hooks
  cgroup_skb: skbField,
  cgroup_sock: tableField(BPF_SOCK),
  cgroup_sock_addr: (low, ctx, name, node) => {
    const ip6 = BPF_SOCK_ADDR_IP6[name];
    if (ip6 !== undefined)
      return { k: "ptr", t: arrayOf(INTS.u32!, 4), base: { reg: ctx.reg }, off: ip6, space: "ctx" };
    return tableField(BPF_SOCK_ADDR)(low, ctx, name, node);
  },
  sock_ops: tableField(BPF_SOCK_OPS),
  cgroup_sysctl: tableField(BPF_SYSCTL),
  cgroup_sockopt: tableField(BPF_SOCKOPT),
  cgroup_device: tableField(BPF_CGROUP_DEV_CTX),
  // socket selection and flow dissection
  sk_lookup: (low, ctx, name, node) => {
    const ip6 = BPF_SK_LOOKUP_IP6[name];
    if (ip6 !== undefined)
      return { k: "ptr", t: arrayOf(INTS.u32!, 4), base: { reg: ctx.reg }, off: ip6, space: "ctx" };
    return tableField(BPF_SK_LOOKUP)(low, ctx, name, node);
  },
  sk_reuseport: tableField(SK_REUSEPORT_MD),
  flow_dissector: (low, ctx, name) => {
    if (name !== "flowKeys") return undefined;
    // The verifier knows this pointer (PTR_TO_FLOW_KEYS) only when loaded whole, 8 bytes.
    const keys = low.b.vreg("pointer");
    low.b.emit({ op: "load", size: 8, signed: false, dst: keys, base: { reg: ctx.reg }, off: SK_BUFF_FLOW_KEYS });
    return { k: "ptr", t: FLOW_KEYS, base: { reg: keys }, off: 0, space: "mem" };
  },
  kprobe: regsField,
  kretprobe: regsField,
  kprobe_multi: regsField,
  kretprobe_multi: regsField,
  uprobe_multi: regsField,
  uretprobe_multi: regsField,
  fentry: trampolineField,
  fexit: trampolineField,
  fmod_ret: trampolineField,
  lsm: trampolineField,
  iter: iterField,
};

/**
 * struct bpf_flow_keys as kernel TypeScript sees it (FlowKeys in tsbpf/kernel): the IPv4 and IPv6
 * addresses share their place (a union in C), and ports, protocols and addresses are big-endian.
 */
const FLOW_KEYS: StructT = {
  kind: "struct",
  name: "bpf_flow_keys",
  size: 56,
  align: 4,
  fields: [
    { name: "nhoff", offset: 0, type: INTS.u16! },
    { name: "thoff", offset: 2, type: INTS.u16! },
    { name: "addrProto", offset: 4, type: INTS.u16! },
    { name: "isFrag", offset: 6, type: INTS.u8! },
    { name: "isFirstFrag", offset: 7, type: INTS.u8! },
    { name: "isEncap", offset: 8, type: INTS.u8! },
    { name: "ipProto", offset: 9, type: INTS.u8! },
    { name: "nProto", offset: 10, type: INTS.be16! },
    { name: "sport", offset: 12, type: INTS.be16! },
    { name: "dport", offset: 14, type: INTS.be16! },
    { name: "ipv4Src", offset: 16, type: INTS.be32! },
    { name: "ipv4Dst", offset: 20, type: INTS.be32! },
    { name: "ipv6Src", offset: 16, type: arrayOf(INTS.u8!, 16, "bytes") },
    { name: "ipv6Dst", offset: 32, type: arrayOf(INTS.u8!, 16, "bytes") },
    { name: "flags", offset: 48, type: INTS.u32! },
    { name: "flowLabel", offset: 52, type: INTS.be32! },
  ],
};

/** `ctx.name` read. */
export function lowerContextField(low: Lowering, ctx: CtxVal, name: string, node: TS.Node): Val {
  const kind = ctx.ctx.kind;
  const value = lookup(CONTEXT_FIELDS, kind)?.(low, ctx, name, node);
  if (value) return value;
  low.fail(node, `${kind} contexts have no field ${name}`);
}

/** Context fields a program may write, by program kind. */
const WRITABLE_CONTEXT_FIELDS: Readonly<Partial<Record<ProgramKind, Record<string, CtxField>>>> = {
  tc: SK_BUFF,
  // cgroup and socket hooks (the kernel checks which of them a hook may write)
  cgroup_skb: SK_BUFF,
  cgroup_sock: BPF_SOCK,
  cgroup_sock_addr: BPF_SOCK_ADDR,
  sock_ops: BPF_SOCK_OPS,
  cgroup_sysctl: BPF_SYSCTL,
  cgroup_sockopt: BPF_SOCKOPT,
};

/** `ctx.name = v`. */
export function contextLValue(low: Lowering, ctx: CtxVal, name: string, node: TS.Node): LValue {
  const f = lookup(WRITABLE_CONTEXT_FIELDS, ctx.ctx.kind)?.[name];
  if (!f || !f.writable) low.fail(node, `${name} of a ${ctx.ctx.kind} context is read-only`);
  if (f.be16) {
    // A port in host order, stored in network order with a full-width store (the only one the kernel accepts).
    return {
      read: () => ctxLoad(low, { reg: ctx.reg }, f),
      write: (v, at) => {
        const host = low.opReg(low.toInt(v, U32, at).op, 64);
        const swapped = low.b.vreg("scalar");
        low.b.emit({ op: "endian", bits: 16, dst: swapped, a: host });
        low.b.emit({ op: "store", size: 4, base: { reg: ctx.reg }, off: f.offset, src: { reg: swapped } });
      },
      intType: INTS.u16!,
    };
  }
  const t = f.size === 8 ? INTS.u64! : f.signed ? INTS.i32! : INTS.u32!;
  return low.memLValue({ reg: ctx.reg }, f.offset, t, "ctx");
}

/** Kinds whose packet is read with bpf_skb_load_bytes (a copy), not in place. */
const COPIED_PACKET_KINDS: ReadonlySet<ProgramKind> = new Set<ProgramKind>([
  "socket_filter",
  "sk_skb",
  "cgroup_skb",
  "sk_reuseport",
]);

function hasPacket(ctx: CtxVal): boolean {
  const kind = ctx.ctx.kind;
  return kind === "xdp" || kind === "tc" || kind === "flow_dissector" || COPIED_PACKET_KINDS.has(kind);
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

const XDP_ADJUST_HELPERS: Readonly<Record<string, string>> = {
  adjustHead: "xdp_adjust_head",
  adjustTail: "xdp_adjust_tail",
  adjustMeta: "xdp_adjust_meta",
};
const adjustXdp = movesPacket("xdp", (name) => XDP_ADJUST_HELPERS[name]!, I32);

/** bpf_l3/l4_csum_replace(skb, offset, from, to, flags) of TC programs; the packet may move. */
function csumReplace(helper: string): ContextMethod {
  return (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "tc") return undefined;
    const [offExpr, from, to, flags] = low.args(e, 4);
    const r = low.helper(
      helper,
      [{ reg: ctx.reg }, low.intArg(offExpr!, U32), low.intArg(from!), low.intArg(to!), low.intArg(flags!)],
      I64,
    );
    reloadPacket(low, ctx);
    return r;
  };
}

export const CONTEXT_METHODS: Readonly<Record<string, ContextMethod>> = {
  /** load(T, offset): a bounds-checked view (or integer) of the packet; null when it is short. */
  load: (low: Lowering, ctx, _name, e) => {
    if (!hasPacket(ctx)) return undefined;
    const kind = ctx.ctx.kind;
    const [typeExpr, offExpr] = low.args(e, 2);
    const t = low.module.dataTypeOfValue(typeExpr!);
    const offVal = low.expr(offExpr!, INTS.u32);
    if (COPIED_PACKET_KINDS.has(kind)) return skbLoad(low, ctx, t, offVal, offExpr!);
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
      // A known bound (0 … max, for signed types too) that keeps the access within the packet range needs no clamp.
      clamp = !(
        offVal.k === "int" &&
        offVal.max !== undefined &&
        offVal.max + BigInt(t.size) <= BigInt(MAX_PACKET_OFF)
      );
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
  adjustMeta: adjustXdp,
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
  /** l3CsumReplace(offset, from, to, size): bpf_l3_csum_replace, the IP checksum at `offset` patched for a 2/4-byte change (size 0: `to` is a csumDiff result). */
  l3CsumReplace: csumReplace("l3_csum_replace"),
  /** l4CsumReplace(offset, from, to, flags): bpf_l4_csum_replace (flags: size | BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0). */
  l4CsumReplace: csumReplace("l4_csum_replace"),
  print: iterPrint,
  write: iterWrite,
  key: iterElement,
  value: iterElement,
  /** arg(i): the i-th argument of a raw tracepoint, tp_btf event, kprobe, uprobe, trampoline program or perf event. */
  arg: (low: Lowering, ctx, _name, e) => {
    const kind = ctx.ctx.kind;
    const [index] = low.args(e, 1);
    const iv = low.expr(index!);
    if (iv.k !== "const" || iv.value < 0n) low.fail(index!, "arg(i) needs a constant index");
    const i = Number(iv.value);
    if (kind === "raw_tracepoint" || kind === "tp_btf" || TRAMPOLINE_KINDS.has(kind)) {
      if (TRAMPOLINE_KINDS.has(kind) && ctx.ctx.argCount !== undefined && i > ctx.ctx.argCount)
        low.fail(
          index!,
          `the function has ${ctx.ctx.argCount} argument(s) (arg(${ctx.ctx.argCount}) is its return value)`,
        );
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctx.reg }, off: 8 * i });
      return { k: "int", ct: U64, op: { reg: dst } };
    }
    if (PT_REGS_KINDS.has(kind)) {
      const regs = ptRegs();
      if (i > 5) low.fail(index!, "arg(i) reaches the first 6 arguments");
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctx.reg }, off: regs.args[i]! });
      return { k: "int", ct: U64, op: { reg: dst } };
    }
    if (kind === "sock_ops") {
      if (i > 3) low.fail(index!, "a sock_ops callback has 4 arguments (arg(0) … arg(3))");
      const dst = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: 4, signed: false, dst, base: { reg: ctx.reg }, off: BPF_SOCK_OPS_ARGS + 4 * i });
      return { k: "int", ct: U32, op: { reg: dst } };
    }
    return undefined;
  },
  /** assign(sockets, key, flags?) of sk_lookup: the socket at `key` gets the packet (bpf_sk_assign). */
  assign: (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "sk_lookup") return undefined;
    const [mapExpr, keyExpr, flagsExpr] = low.args(e, 2, 3);
    const m = low.expr(mapExpr!);
    if (m.k !== "map" || (m.map.mapType !== "sockmap" && m.map.mapType !== "sockhash"))
      low.fail(mapExpr!, `assign() takes a SockMap or SockHash first, got ${describeVal(m)}`);
    const keyType = m.map.mapType === "sockmap" ? INTS.u32! : m.map.key;
    if (!keyType) low.fail(mapExpr!, `${m.map.name} has no key type`);
    const mapArg = m.reg !== undefined ? { reg: m.reg } : { map: m.map.name };
    const key = low.aggregateArg(keyExpr!, keyType);
    const flags = flagsExpr ? low.intArg(flagsExpr) : { imm: 0 };
    // The lookup takes a reference on the socket: released on the one path that has it.
    const sk = low.b.vreg("pointer");
    low.b.emit({ op: "call", helper: helperId("map_lookup_elem"), args: [mapArg, key], dst: sk });
    const result = low.b.vreg("scalar");
    const found = low.b.newBlock("sk_found"),
      missing = low.b.newBlock("sk_missing"),
      join = low.b.newBlock("sk_assigned");
    low.b.terminate({ op: "br", cmp: "eq", w: 64, a: sk, b: { imm: 0 }, then: missing, else: found });
    low.b.setBlock(found);
    low.b.emit({
      op: "call",
      helper: helperId("sk_assign"),
      args: [{ reg: ctx.reg }, { reg: sk }, flags],
      dst: result,
    });
    low.b.emit({ op: "call", helper: helperId("sk_release"), args: [{ reg: sk }] });
    low.b.jump(join);
    low.b.setBlock(missing);
    low.b.emit({ op: "mov", w: 64, dst: result, src: { imm: -Errno.ENOENT } });
    low.b.jump(join);
    low.b.setBlock(join);
    return { k: "int", ct: I64, op: { reg: result } };
  },
  /** selectSocket(group, index, flags?) of sk_reuseport: bpf_sk_select_reuseport. */
  selectSocket: (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "sk_reuseport") return undefined;
    const [mapExpr, indexExpr, flagsExpr] = low.args(e, 2, 3);
    const m = low.expr(mapExpr!);
    if (m.k !== "map" || m.map.mapType !== "reuseport_sockarray")
      low.fail(mapExpr!, `selectSocket() takes a ReuseportSockArray first, got ${describeVal(m)}`);
    const mapArg = m.reg !== undefined ? { reg: m.reg } : { map: m.map.name };
    return low.helper(
      "sk_select_reuseport",
      [
        { reg: ctx.reg },
        mapArg,
        low.aggregateArg(indexExpr!, INTS.u32!),
        flagsExpr ? low.intArg(flagsExpr) : { imm: 0 },
      ],
      I64,
    );
  },
  // cgroup and socket hooks
  /** setCallbackFlags(flags): bpf_sock_ops_cb_flags_set, which further callbacks this socket gets. */
  setCallbackFlags: (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "sock_ops") return undefined;
    const [flags] = low.args(e, 1);
    return low.helper("sock_ops_cb_flags_set", [{ reg: ctx.reg }, low.intArg(flags!, U32)], I64);
  },
  /** getName(into, flags?) / getCurrentValue(into) / getNewValue(into): a sysctl's name or value as text. */
  getName: sysctlString("sysctl_get_name", true),
  getCurrentValue: sysctlString("sysctl_get_current_value", false),
  getNewValue: sysctlString("sysctl_get_new_value", false),
  /** setNewValue(from, length): replaces the value being written (bpf_sysctl_set_new_value). */
  setNewValue: (low: Lowering, ctx, _name, e) => {
    if (ctx.ctx.kind !== "cgroup_sysctl") return undefined;
    const [from, lenExpr] = low.args(e, 2);
    const src = low.expr(from!);
    if (src.k !== "ptr" || src.t.kind !== "array") low.fail(from!, "setNewValue() copies from a byte array");
    const len = low.expr(lenExpr!, INTS.u32);
    if (len.k !== "const" || len.value < 0n || len.value > BigInt(src.t.size))
      low.fail(lenExpr!, `setNewValue() needs a constant length of at most ${src.t.size}`);
    return low.helper("sysctl_set_new_value", [{ reg: ctx.reg }, low.pointerArg(src), { imm: Number(len.value) }], I64);
  },
};

/** A sysctl helper that fills a byte array with text: bytes written (without the NUL), or -E2BIG / -EINVAL. */
function sysctlString(helper: string, takesFlags: boolean): ContextMethod {
  return (low: Lowering, ctx, name, e) => {
    if (ctx.ctx.kind !== "cgroup_sysctl") return undefined;
    const [into, flags] = takesFlags ? low.args(e, 1, 2) : low.args(e, 1);
    const dst = low.expr(into!);
    if (dst.k !== "ptr" || dst.t.kind !== "array" || dst.t.elem.size !== 1)
      low.fail(into!, `${name}() fills a byte array (bytes(n) or cstring(n))`);
    const args = [{ reg: ctx.reg }, low.pointerArg(dst), { imm: dst.t.size }];
    if (takesFlags) args.push(flags ? low.intArg(flags) : { imm: 0 });
    return low.helper(helper, args, I64);
  };
}

/** The seq_file an iterator writes to (meta->seq). */
function iterSeq(low: Lowering, ctx: CtxVal): VReg {
  const meta = load64(low, ctx.reg, 0);
  low.b.kinds[meta] = "btf";
  const seq = low.b.vreg("btf");
  low.b.emit({ op: "load", size: 8, signed: false, dst: seq, base: { reg: meta }, off: 0 });
  return seq;
}

/** The printf conversions a template value may choose (FORMATS of log, those seq_printf has). */
const PRINT_FORMATS: readonly string[] = ["hex", "str"];
/** bpf_seq_printf takes at most 12 values. */
const MAX_PRINT_VALUES = 12;

/**
 * ctx.print(`pid ${pid} ${str(comm)}\n`): bpf_seq_printf with the template as its format (kept in
 * .rodata, which the kernel requires read-only) and the values in a u64 array on the stack.
 */
function iterPrint(low: Lowering, ctx: CtxVal, _name: string, e: TS.CallExpression): Val | undefined {
  if (ctx.ctx.kind !== "iter") return undefined;
  const [msg] = low.args(e, 1);
  const { parts, values } = readPrintTemplate(low, msg!, "ctx.print()", PRINT_FORMATS, (conv) =>
    ["ipv4", "ipv6", "mac"].includes(conv)
      ? `ctx.print() formats integers, hex() and str(); ${conv}() is for log`
      : undefined,
  );
  if (values.length > MAX_PRINT_VALUES) low.fail(msg!, `ctx.print() takes at most ${MAX_PRINT_VALUES} values`);
  const slot = values.length ? low.tempSlot(8 * values.length) : 0;
  // The literal text is the format: a % in it is printed as one.
  let format = parts[0]!.replace(/%/g, "%%");
  values.forEach((x, i) => {
    const v = low.expr(x.e);
    let spec: string;
    let reg: VReg;
    // An integer read through a view (a map value's field, an element's key) prints as a number.
    const cell = v.k === "ptr" && v.scalar === true && v.t.kind === "int" ? v.t : undefined;
    if (!cell && (x.conv === "str" || (v.k === "ptr" && v.t.kind === "array") || v.k === "karray")) {
      if (v.k !== "ptr" && v.k !== "karray") low.fail(x.e, "str() prints a byte array");
      spec = "%s";
      reg = low.addressReg(v.base, v.off, "pointer");
    } else if (cell || v.k === "int" || v.k === "const" || v.k === "bool") {
      const signed = cell ? cell.signed : v.k === "int" && v.ct.signed;
      spec = x.conv === "hex" ? "%llx" : signed ? "%lld" : "%llu";
      reg = low.toReg(v, signed ? I64 : U64, x.e);
    } else low.fail(x.e, `ctx.print() cannot print ${describeVal(v)}`);
    low.b.emit({ op: "store", size: 8, base: { fp: true }, off: slot + 8 * i, src: { reg } });
    format += spec + parts[i + 1]!.replace(/%/g, "%%");
  });
  const bytes = new TextEncoder().encode(`${format}\u0000`);
  const fmt = low.b.vreg("mapValue");
  low.b.emit({ op: "ldglobal", dst: fmt, section: ".rodata", offset: low.module.rodataBytes(bytes) });
  return low.helper(
    "seq_printf",
    [
      { reg: iterSeq(low, ctx) },
      { reg: fmt },
      { imm: bytes.length },
      values.length ? { fp: slot } : { imm: 0 },
      { imm: 8 * values.length },
    ],
    I64,
  );
}

/** ctx.write(view): bpf_seq_write of a struct or byte array, as it is in memory. */
function iterWrite(low: Lowering, ctx: CtxVal, _name: string, e: TS.CallExpression): Val | undefined {
  if (ctx.ctx.kind !== "iter") return undefined;
  const [from] = low.args(e, 1);
  const v = low.expr(from!);
  if (v.k !== "ptr" || v.t.kind === "int") low.fail(from!, "ctx.write() writes a struct or array value");
  return low.helper("seq_write", [{ reg: iterSeq(low, ctx) }, low.pointerArg(v), { imm: v.t.size }], I64);
}

/** ctx.key(T) / ctx.value(T) of a map-element iterator: the element seen as T, null at the end. */
function iterElement(low: Lowering, ctx: CtxVal, name: string, e: TS.CallExpression): Val | undefined {
  if (ctx.ctx.kind !== "iter") return undefined;
  const btf = low.module.btf();
  let member;
  try {
    member = btf.member(ctx.ctx.iterStruct!, name);
  } catch {
    low.fail(e, `this iterator has no ${name} (ctx.key() and ctx.value() belong to bpf_map_elem iterators)`);
  }
  const [typeExpr] = low.args(e, 1);
  const t = low.module.dataTypeOfValue(typeExpr!);
  const reg = low.b.vreg("pointer");
  low.b.emit({ op: "load", size: 8, signed: false, dst: reg, base: { reg: ctx.reg }, off: member.offset });
  return {
    k: "ptr",
    t,
    base: { reg },
    off: 0,
    space: "mem",
    nullable: { kind: "reg", reg },
    scalar: t.kind === "int",
  };
}

/** `ctx.name(args)`. */
export function lowerContextMethod(low: Lowering, ctx: CtxVal, name: string, e: TS.CallExpression): Val {
  const value = lookup(CONTEXT_METHODS, name)?.(low, ctx, name, e);
  if (value) return value;
  low.fail(e, `${ctx.ctx.kind} contexts have no method ${name}()`);
}
