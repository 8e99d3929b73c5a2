// Map methods in kernel code (`counts.increment(key)`, `events.reserve(T)`, `jumps.tailCall(ctx, i)`
// …) and the methods of a user ring buffer record (Dynptr). A method is one entry; whether a map
// type has it is the entry's own test (it answers undefined when the type has no such method).
import type * as TS from "typescript";
import { helperId } from "../../asm/helpers.js";
import type { CallArg, Operand, VReg } from "../ir.js";
import { INTS, type DataT } from "../ktypes.js";
import { ctOf, describeVal, I64, U32, U64, type MapInfo, type Val } from "../values.js";
import { lookup, type Lowering } from "./api.js";

/** One call of a map method: the map, how it is passed to helpers, its key type. */
export interface MapCall {
  map: MapInfo;
  /** The map as a helper argument (a module map by fd, an inner map by its register). */
  mapArg: CallArg;
  keyType: DataT | undefined;
  perCpu: boolean;
  name: string;
  e: TS.CallExpression;
}

/** Lowers a map method; undefined when the map's type has no method of this name. */
export type MapMethod = (low: Lowering, c: MapCall) => Val | undefined;

/** `map.name(args)`; an inner map of a map of maps is in `reg`. */
export function lowerMapMethod(low: Lowering, map: MapInfo, name: string, e: TS.CallExpression, reg?: VReg): Val {
  // An inner map of a map of maps is a pointer in a register; module maps are loaded by fd.
  const mapArg: CallArg = reg !== undefined ? { reg } : { map: map.name };
  const keyType = map.key ?? (map.mapType.endsWith("array") || map.mapType === "array_of_maps" ? INTS.u32 : undefined);
  const perCpu = map.mapType.startsWith("percpu") || map.mapType.startsWith("lru_percpu");
  const method = lookup(MAP_METHODS, name);
  const result = method?.(low, { map, mapArg, keyType, perCpu, name, e });
  if (result) return result;
  low.fail(e, `${map.mapType} map ${map.name} has no method ${name}() in kernel code`);
}

/** A length argument clamped to 0 … max, so the verifier can prove the access in bounds. */
function boundedLength(low: Lowering, e: TS.Expression, max: number): Operand {
  const v = low.expr(e, INTS.u32);
  if (v.k === "const") {
    if (v.value < 0n || v.value > BigInt(max)) low.fail(e, `length ${v.value} is outside 0 … ${max}`);
    return { imm: Number(v.value) };
  }
  const iv = low.toInt(v, U64, e);
  if (iv.max !== undefined && iv.max <= BigInt(max)) return iv.op;
  const n = low.b.vreg("scalar");
  low.b.emit({ op: "mov", w: 64, dst: n, src: iv.op });
  const clamp = low.b.newBlock("clamp"),
    done = low.b.newBlock("clamped");
  low.b.terminate({ op: "br", cmp: "gt", w: 64, a: n, b: { imm: max }, then: clamp, else: done });
  low.b.setBlock(clamp);
  low.b.emit({ op: "mov", w: 64, dst: n, src: { imm: max } });
  low.b.jump(done);
  low.b.setBlock(done);
  return { reg: n };
}

/** A helper's result r as the bool r === 0 (success). */
function zeroTest(low: Lowering, r: Val & { k: "int" }): Val {
  const dst = low.b.vreg("scalar");
  const yes = low.b.newBlock("zero"),
    join = low.b.newBlock("tested");
  low.b.emit({ op: "mov", w: 64, dst, src: { imm: 0 } });
  low.b.terminate({ op: "br", cmp: "eq", w: 64, a: low.opReg(r.op, 64), b: { imm: 0 }, then: yes, else: join });
  low.b.setBlock(yes);
  low.b.emit({ op: "mov", w: 64, dst, src: { imm: 1 } });
  low.b.jump(join);
  low.b.setBlock(join);
  return { k: "bool", op: { reg: dst } };
}

function keyArg(low: Lowering, e: TS.Expression, t: DataT | undefined, map: MapInfo): CallArg {
  if (!t) low.fail(e, `${map.name} has no key`);
  return low.aggregateArg(e, t);
}

function isLocalStorage(map: MapInfo): boolean {
  return map.mapType === "task_storage" || map.mapType === "sk_storage";
}

/** task/sk local storage: get(owner, flags?) → the value in place or null; delete(owner). */
function storageMethod(low: Lowering, { map, mapArg, name, e }: MapCall): Val {
  const task = map.mapType === "task_storage";
  const [ownerExpr, flags] = name === "get" ? low.args(e, 1, 2) : low.args(e, 1);
  const owner = low.expr(ownerExpr!);
  if (owner.k !== "kobj")
    low.fail(
      ownerExpr!,
      `${map.name}.${name}() needs a kernel ${task ? "task_struct" : "sock"} object (a BTF pointer), got ${describeVal(owner)}`,
    );
  const want = task ? "task_struct" : "sock";
  const btf = low.module.btf();
  const ownerName = btf.typeName(owner.id);
  if (ownerName !== want && !(ownerName === "struct " + want))
    low.fail(ownerExpr!, `${map.name}.${name}() needs a ${want}, got ${ownerName}`);
  if (!owner.direct)
    low.fail(
      ownerExpr!,
      `${map.name}.${name}() needs a BTF pointer the verifier tracks (a tp_btf argument, getCurrentTaskBtf() …), not one read with probe reads`,
    );
  const ownerArg = low.pointerArg(owner);
  if (name === "delete") return low.helper(task ? "task_storage_delete" : "sk_storage_delete", [mapArg, ownerArg], I64);
  if (!map.value) low.fail(e, `${map.name} has no value type`);
  const dst = low.b.vreg("mapValueOrNull");
  low.b.emit({
    op: "call",
    helper: helperId(task ? "task_storage_get" : "sk_storage_get"),
    args: [mapArg, ownerArg, { imm: 0 }, flags ? low.intArg(flags) : { imm: 0 }],
    dst,
  });
  return { k: "ptr", t: map.value, base: { reg: dst }, off: 0, space: "map", nullable: { kind: "reg", reg: dst } };
}

/** ringbuf submit(record, flags?) / discard(record, flags?). */
const finishRecord: MapMethod = (low: Lowering, { map, name, e }) => {
  if (map.mapType !== "ringbuf") return undefined;
  const [rec, flags] = low.args(e, 1, 2);
  const v = low.expr(rec!);
  if (v.k !== "ptr" || v.space !== "mem") low.fail(rec!, `${name}() takes a record from reserve()`);
  return low.helper(
    name === "submit" ? "ringbuf_submit" : "ringbuf_discard",
    [{ reg: low.addressReg(v.base, v.off, "mem") }, flags ? low.intArg(flags) : { imm: 0 }],
    "void",
  );
};

/** queue/stack push(value, flags?), bloom filter add(value, flags?). */
const pushValue: MapMethod = (low: Lowering, { map, mapArg, name, e }) => {
  if (
    !["queue", "stack", "bloom_filter"].includes(map.mapType) ||
    (name === "add") !== (map.mapType === "bloom_filter")
  )
    return undefined;
  const [value, flags] = low.args(e, 1, 2);
  return low.helper(
    "map_push_elem",
    [mapArg, low.aggregateArg(value!, map.value!), flags ? low.intArg(flags) : { imm: 0 }],
    I64,
  );
};

/** queue/stack pop(into) / peek(into): true when a value was there. */
const takeValue: MapMethod = (low: Lowering, { map, mapArg, name, e }) => {
  if (map.mapType !== "queue" && map.mapType !== "stack") return undefined;
  const [into] = low.args(e, 1);
  const v = low.expr(into!);
  if (v.k !== "ptr") low.fail(into!, `${name}() fills a struct or cell`);
  const r = low.helper(name === "pop" ? "map_pop_elem" : "map_peek_elem", [mapArg, low.pointerArg(v)], I64) as Val & {
    k: "int";
  };
  return zeroTest(low, r);
};

export const MAP_METHODS: Readonly<Record<string, MapMethod>> = {
  /** user_ringbuf drain(callback, state, flags?): bpf_user_ringbuf_drain. */
  drain: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType !== "user_ringbuf") low.fail(e, `${map.name} (${map.mapType}) has no drain()`);
    const [body, state, flags] = low.args(e, 2, 3);
    if (!low.ts.isIdentifier(body!)) low.fail(body!, "drain's callback must be a module-level function name");
    const r = low.module.resolve(body);
    if (r.kind !== "function") low.fail(body!, "drain's callback must be a module-level function");
    if (r.fn.params.length !== 2 || r.fn.params[0]!.type.k !== "dynptr")
      low.fail(body!, "the drain callback takes (record: Dynptr, state: S)");
    low.module.subprogram(r.fn);
    const st = low.expr(state!);
    if (st.k !== "ptr") low.fail(state!, "drain's state must be a struct (on the stack)");
    return low.helper(
      "user_ringbuf_drain",
      [mapArg, { func: r.fn.name }, low.pointerArg(st), flags ? low.intArg(flags) : { imm: 0 }],
      I64,
    );
  },
  get: (low, c) => (isLocalStorage(c.map) ? storageMethod(low, c) : undefined),
  delete: (low: Lowering, c) => {
    if (isLocalStorage(c.map)) return storageMethod(low, c);
    const [key] = low.args(c.e, 1);
    return low.helper("map_delete_elem", [c.mapArg, keyArg(low, key!, c.keyType, c.map)], I64);
  },
  /** lookup(key): the value in place or null (an inner map for maps of maps). */
  lookup: (low: Lowering, { map, mapArg, keyType, e }) => {
    if (map.mapType === "array_of_maps" || map.mapType === "hash_of_maps") {
      const [key] = low.args(e, 1);
      if (!map.inner) low.fail(e, `${map.name} (${map.mapType}) needs an inner map template (inner: someMap)`);
      const k = keyArg(low, key!, keyType, map);
      const dst = low.b.vreg("mapValueOrNull");
      low.b.emit({ op: "call", helper: helperId("map_lookup_elem"), args: [mapArg, k], dst });
      return { k: "map", map: map.inner, reg: dst, nullable: { kind: "reg", reg: dst } };
    }
    const [key] = low.args(e, 1);
    if (!map.value) low.fail(e, `${map.name} (${map.mapType}) has no lookup`);
    const k = keyArg(low, key!, keyType, map);
    const dst = low.b.vreg("mapValueOrNull");
    low.b.emit({ op: "call", helper: helperId("map_lookup_elem"), args: [mapArg, k], dst });
    return { k: "ptr", t: map.value, base: { reg: dst }, off: 0, space: "map", nullable: { kind: "reg", reg: dst } };
  },
  update: (low: Lowering, { map, mapArg, keyType, e }) => {
    const [key, value, flags] = low.args(e, 2, 3);
    if (!map.value) low.fail(e, `${map.name} (${map.mapType}) has no update`);
    const k = keyArg(low, key!, keyType, map);
    const valueArg = low.aggregateArg(value!, map.value);
    return low.helper("map_update_elem", [mapArg, k, valueArg, flags ? low.intArg(flags) : { imm: 0 }], I64);
  },
  /** increment(key, by?): an atomic (or per-CPU) add, inserting `by` when the key is missing. */
  increment: (low: Lowering, { map, mapArg, keyType, perCpu, e }) => {
    const [key, byExpr] = low.args(e, 1, 2);
    const v = map.value;
    if (!v || v.kind !== "int" || (v.size !== 4 && v.size !== 8))
      low.fail(e, "increment() needs a map of u32/u64 values");
    const ct = ctOf(v);
    const by = byExpr
      ? low.toInt(low.expr(byExpr, v), ct, byExpr, v)
      : { k: "int" as const, ct, op: { imm: 1 } as Operand };
    // A constant goes straight into the add (per-CPU) or the insert; atomics need a register.
    const needsReg = !perCpu || !("imm" in by.op) || !map.mapType.endsWith("array");
    const byReg = needsReg ? low.opReg(by.op, ct.w) : -1;
    const k = keyArg(low, key!, keyType, map);
    const found = low.b.vreg("mapValueOrNull");
    low.b.emit({ op: "call", helper: helperId("map_lookup_elem"), args: [mapArg, k], dst: found });
    const hit = low.b.newBlock("inc_hit"),
      miss = low.b.newBlock("inc_miss"),
      join = low.b.newBlock("inc_done");
    low.b.terminate({ op: "br", cmp: "eq", w: 64, a: found, b: { imm: 0 }, then: miss, else: hit });
    low.b.setBlock(hit);
    if (perCpu) {
      const cur = low.b.vreg("scalar");
      low.b.emit({ op: "load", size: v.size, signed: false, dst: cur, base: { reg: found }, off: 0 });
      const sum = low.b.vreg("scalar");
      low.b.emit({ op: "alu", w: ct.w, alu: "add", dst: sum, a: cur, b: "imm" in by.op ? by.op : { reg: byReg } });
      low.b.emit({ op: "store", size: v.size, base: { reg: found }, off: 0, src: { reg: sum } });
    } else {
      low.b.emit({ op: "atomic", size: v.size as 4 | 8, aop: "add", base: { reg: found }, off: 0, src: byReg });
    }
    low.b.jump(join);
    low.b.setBlock(miss);
    if (!map.mapType.endsWith("array")) {
      const slot = low.tempSlot(8);
      low.b.emit({ op: "store", size: v.size, base: { fp: true }, off: slot, src: { reg: byReg } });
      // The same key argument as the lookup's (the key expression is evaluated once).
      low.b.emit({ op: "call", helper: helperId("map_update_elem"), args: [mapArg, k, { fp: slot }, { imm: 1 }] });
    }
    low.b.jump(join);
    low.b.setBlock(join);
    return { k: "void" };
  },
  /** ringbuf reserve(T): a record in the buffer, or null when it is full. */
  reserve: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType !== "ringbuf") return undefined;
    const [typeExpr] = low.args(e, 1);
    const t = low.module.dataTypeOfValue(typeExpr!);
    const dst = low.b.vreg("memOrNull");
    low.b.emit({ op: "call", helper: helperId("ringbuf_reserve"), args: [mapArg, { imm: t.size }, { imm: 0 }], dst });
    return { k: "ptr", t, base: { reg: dst }, off: 0, space: "mem", nullable: { kind: "reg", reg: dst } };
  },
  submit: finishRecord,
  discard: finishRecord,
  /** ringbuf output(value, flags?, length?); perf_event_array output(ctx, value). */
  output: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType === "ringbuf") {
      const [value, flags, lengthExpr] = low.args(e, 1, 3);
      const v = low.expr(value!);
      if (v.k !== "ptr") low.fail(value!, "output() sends a struct or array");
      const size = lengthExpr ? boundedLength(low, lengthExpr, v.t.size) : { imm: v.t.size };
      return low.helper(
        "ringbuf_output",
        [mapArg, low.pointerArg(v), size, flags ? low.intArg(flags) : { imm: 0 }],
        I64,
      );
    }
    if (map.mapType === "perf_event_array") {
      const [ctxExpr, value] = low.args(e, 2);
      const c = low.expr(ctxExpr!);
      if (c.k !== "ctx") low.fail(ctxExpr!, "output() takes the program's context first");
      const v = low.expr(value!);
      if (v.k !== "ptr") low.fail(value!, "output() sends a struct or array");
      const flags = low.b.vreg("scalar");
      low.b.emit({ op: "lddw", dst: flags, value: 0xffff_ffffn }); // BPF_F_CURRENT_CPU
      return low.helper(
        "perf_event_output",
        [{ reg: c.reg }, mapArg, { reg: flags }, low.pointerArg(v), { imm: v.t.size }],
        I64,
      );
    }
    return undefined;
  },
  tailCall: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType !== "prog_array") return undefined;
    const [ctxExpr, index] = low.args(e, 2);
    const c = low.expr(ctxExpr!);
    if (c.k !== "ctx") low.fail(ctxExpr!, "tailCall() takes the program's context first");
    return low.helper("tail_call", [{ reg: c.reg }, mapArg, low.intArg(index!, U32)], "void");
  },
  push: pushValue,
  add: pushValue,
  pop: takeValue,
  peek: takeValue,
  /** bloom filter has(value). */
  has: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType !== "bloom_filter") return undefined;
    const [value] = low.args(e, 1);
    const r = low.helper("map_peek_elem", [mapArg, low.aggregateArg(value!, map.value!)], I64) as Val & { k: "int" };
    return zeroTest(low, r);
  },
  /** sockmap/sockhash redirect(ctx, key, flags?); devmap/cpumap/xskmap redirect(key, flags?). */
  redirect: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType === "sockmap" || map.mapType === "sockhash") {
      const [c, key, flags] = low.args(e, 2, 3);
      const cv = low.expr(c!);
      if (cv.k !== "ctx" || (cv.ctx.kind !== "sk_skb" && cv.ctx.kind !== "sk_msg"))
        low.fail(
          c!,
          `${map.name}.redirect() takes an sk_skb or sk_msg program's context first, got ${describeVal(cv)}`,
        );
      const f = flags ? low.intArg(flags) : { imm: 0 };
      const msg = cv.ctx.kind === "sk_msg";
      if (map.mapType === "sockmap")
        return low.helper(
          msg ? "msg_redirect_map" : "sk_redirect_map",
          [{ reg: cv.reg }, mapArg, low.intArg(key!, U32), f],
          I64,
        );
      return low.helper(
        msg ? "msg_redirect_hash" : "sk_redirect_hash",
        [{ reg: cv.reg }, mapArg, keyArg(low, key!, map.key, map), f],
        I64,
      );
    }
    if (!["devmap", "devmap_hash", "cpumap", "xskmap"].includes(map.mapType)) return undefined;
    const [key, flags] = low.args(e, 1, 2);
    return low.helper("redirect_map", [mapArg, low.intArg(key!, U32), flags ? low.intArg(flags) : { imm: 0 }], I64);
  },
  /** stack_trace stackId(ctx, flags?). */
  stackId: (low: Lowering, { map, mapArg, e }) => {
    if (map.mapType !== "stack_trace") return undefined;
    const [ctxExpr, flags] = low.args(e, 1, 2);
    const c = low.expr(ctxExpr!);
    if (c.k !== "ctx") low.fail(ctxExpr!, "stackId() takes the program's context first");
    return low.helper("get_stackid", [{ reg: c.reg }, mapArg, flags ? low.intArg(flags) : { imm: 0 }], I64);
  },
};

/** A method of a user ring buffer record (the drain callback's Dynptr). */
export type DynptrMethod = (low: Lowering, d: Val & { k: "dynptr" }, e: TS.CallExpression) => Val;

export const DYNPTR_METHODS: Readonly<Record<string, DynptrMethod>> = {
  /** record.read(into, offset?): bpf_dynptr_read. */
  read: (low: Lowering, d, e) => {
    const [into, offExpr] = low.args(e, 1, 2);
    const dst = low.expr(into!);
    if (dst.k !== "ptr") low.fail(into!, `read() fills a struct or array view, got ${describeVal(dst)}`);
    if (dst.space === "packet") low.fail(into!, "read() cannot write into the packet");
    return low.helper(
      "dynptr_read",
      [
        low.pointerArg(dst),
        { imm: dst.t.size },
        { reg: d.reg },
        offExpr ? low.intArg(offExpr, U32) : { imm: 0 },
        { imm: 0 },
      ],
      I64,
    );
  },
};

/** `record.name(args)` on a Dynptr. */
export function lowerDynptrMethod(low: Lowering, d: Val & { k: "dynptr" }, name: string, e: TS.CallExpression): Val {
  const method = lookup(DYNPTR_METHODS, name);
  if (!method) low.fail(e, `a Dynptr has read(into, offset?), not ${name}`);
  return method(low, d, e);
}
