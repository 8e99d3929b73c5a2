// Kernel functions over memory the program owns (copies, atomics, reinterpretation, zeroed
// structs, sizes) and the methods of array views (`a.set(b)`, `a.fill(v)`).
import type * as TS from "typescript";
import { typeName, type ArrT } from "../ktypes.js";
import { ctOf, describeVal, type Val } from "../values.js";
import type { KernelFunction, Lowering } from "./api.js";

export const MEMORY_FUNCTIONS: Readonly<Record<string, KernelFunction>> = {
  /** copy(to, from): a view's bytes, or a kernel object's (directly or with a probe read). */
  copy: (low: Lowering, e) => {
    const [to, from] = low.args(e, 2);
    const dst = low.expr(to!);
    if (dst.k !== "ptr") low.fail(to!, `copy needs a destination view, got ${describeVal(dst)}`);
    const src = low.expr(from!);
    if (src.k === "ptr") {
      if (src.t.size > dst.t.size) low.fail(from!, `${typeName(src.t)} does not fit ${typeName(dst.t)}`);
      low.copyMemory(dst.base, dst.off, src.base, src.off, src.t.size, dst.space, src.space);
      return { k: "void" };
    }
    if (src.k === "karray" || src.k === "kobj") {
      const size =
        src.k === "karray" ? src.length * low.module.btf().sizeOf(src.elemId) : low.module.btf().sizeOf(src.id);
      const n = Math.min(size, dst.t.size);
      if (src.direct && "reg" in src.base && dst.space !== "packet") {
        low.copyMemory(dst.base, dst.off, src.base, src.off, n, dst.space, "ctx");
      } else {
        low.helper("probe_read_kernel", [low.pointerArg(dst), { imm: n }, low.pointerArg(src)], "void");
      }
      return { k: "void" };
    }
    low.fail(from!, `cannot copy from ${describeVal(src)}`);
  },
  /** atomicAdd(view, "field", n): a lock-free add to a 32/64-bit field. */
  atomicAdd: (low: Lowering, e) => {
    const [target, field, value] = low.args(e, 3);
    const obj = low.expr(target!);
    if (obj.k !== "ptr" || obj.t.kind !== "struct") low.fail(target!, "atomicAdd needs a struct view");
    if (!low.ts.isStringLiteral(field!)) low.fail(field!, "the field must be a string literal");
    const f = obj.t.fields.find((x) => x.name === field.text);
    if (!f || f.type.kind !== "int" || (f.type.size !== 4 && f.type.size !== 8) || f.type.be)
      low.fail(field!, "atomicAdd needs a u32/u64/i32/i64 field");
    const ct = ctOf(f.type);
    const reg = low.toReg(low.expr(value!, f.type), ct, value!);
    low.b.emit({
      op: "atomic",
      size: f.type.size as 4 | 8,
      aop: "add",
      base: obj.base,
      off: obj.off + f.offset,
      src: reg,
    });
    return { k: "void" };
  },
  /** viewAs(T, view, offset?): the same memory seen as another type. */
  viewAs: (low: Lowering, e) => {
    const [typeExpr, ofExpr, offExpr] = low.args(e, 2, 3);
    const t = low.module.dataTypeOfValue(typeExpr!);
    const of = low.expr(ofExpr!);
    if (of.k !== "ptr") low.fail(ofExpr!, `viewAs() reinterprets a struct or array view, got ${describeVal(of)}`);
    const offV = offExpr ? low.expr(offExpr) : { k: "const" as const, value: 0n };
    if (offV.k !== "const") low.fail(offExpr!, "the offset must be a constant");
    const off = Number(offV.value);
    if (off < 0 || off + t.size > of.t.size)
      low.fail(e, `${typeName(t)} at offset ${off} does not fit inside ${typeName(of.t)} (${of.t.size} bytes)`);
    return { k: "ptr", t, base: of.base, off: of.off + off, space: of.space };
  },
  /** zeroed(T): a zero-filled struct or array on the stack. */
  zeroed: (low: Lowering, e) => {
    const [typeExpr] = low.args(e, 1);
    const t = low.module.dataTypeOfValue(typeExpr!);
    if (t.kind === "int") low.fail(typeExpr!, "zeroed() makes structs and arrays (integers are just 0)");
    const off = low.b.allocStack(t.size, 8);
    low.zero({ fp: true }, off, t.size);
    return { k: "ptr", t, base: { fp: true }, off, space: "stack" };
  },
  sizeOf: (low: Lowering, e) => {
    const [t] = low.args(e, 1);
    return { k: "const", value: BigInt(low.module.dataTypeOfValue(t!).size) };
  },
};

/** A method of an array view. */
export type ArrayMethod = (low: Lowering, arr: Val & { k: "ptr" }, t: ArrT, e: TS.CallExpression) => Val;

export const ARRAY_METHODS: Readonly<Record<string, ArrayMethod>> = {
  /** a.set(b): copies another array (or a kernel array) in. */
  set: (low: Lowering, arr, t, e) => {
    const [src] = low.args(e, 1);
    const v = low.expr(src!);
    if (v.k === "ptr" && v.t.kind === "array") {
      if (v.t.size > t.size) low.fail(src!, `${typeName(v.t)} does not fit ${typeName(t)}`);
      low.copyMemory(arr.base, arr.off, v.base, v.off, v.t.size, arr.space, v.space);
      return { k: "void" };
    }
    if (v.k === "karray") {
      const n = Math.min(v.length * low.module.btf().sizeOf(v.elemId), t.size);
      if (v.direct && arr.space !== "packet") low.copyMemory(arr.base, arr.off, v.base, v.off, n, arr.space, "ctx");
      else low.helper("probe_read_kernel", [low.pointerArg(arr), { imm: n }, low.pointerArg(v)], "void");
      return { k: "void" };
    }
    low.fail(src!, `set() copies from an array, got ${describeVal(v)}`);
  },
  /** a.fill(v): every element v (zero-filling with the widest stores). */
  fill: (low: Lowering, arr, t, e) => {
    const [value] = low.args(e, 1);
    const v = low.expr(value!, t.elem.kind === "int" ? t.elem : undefined);
    if (v.k === "const" && v.value === 0n) {
      low.zero(arr.base, arr.off, t.size);
      return { k: "void" };
    }
    if (t.elem.kind !== "int") low.fail(e, "fill() needs an integer array");
    for (let i = 0; i < t.length; i++) low.storeInt(arr.base, arr.off + i * t.elem.size, t.elem, v, value!);
    return { k: "void" };
  },
};
