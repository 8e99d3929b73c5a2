// Kernel objects: BTF-typed kernel memory (a task_struct, a sock, a tp_btf argument). Fields are
// read directly when the verifier tracks the pointer, with probe reads otherwise, and carry their
// CO-RE access path so the loader can move offsets to the running kernel's layout.
import type * as TS from "typescript";
import { helperId } from "../../asm/helpers.js";
import type { CoreAccess, MemSize, VReg } from "../ir.js";
import { describeVal, I32, I64, U32, U64, type Val } from "../values.js";
import type { KernelFunction, Lowering } from "./api.js";

/**
 * The CO-RE access path of a kernel object or array: the one it carries, or — for an object
 * freshly at a register (an argument, a pointer just read, a cast address) — its own struct.
 */
export function coreOf(v: Val & { k: "kobj" | "karray" }): CoreAccess | undefined {
  if (v.core) return v.core;
  if (v.k === "kobj" && v.off === 0 && "reg" in v.base) return { root: v.id, steps: [] };
  return undefined;
}

/** Argument `index` of a tp_btf event, typed by its BTF type `type`. */
export function btfArg(low: Lowering, ctxReg: VReg, index: number, type: number, node: TS.Node): Val {
  const btf = low.module.btf();
  const resolved = btf.resolve(type);
  const t = btf.typeById(resolved);
  const dst = low.b.vreg("scalar");
  low.b.emit({ op: "load", size: 8, signed: false, dst, base: { reg: ctxReg }, off: 8 * index });
  if (t.kind === "ptr") {
    const target = btf.resolve(t.type);
    const tt = btf.typeById(target);
    if (tt.kind === "struct" || tt.kind === "union") {
      low.b.kinds[dst] = "btf";
      return { k: "kobj", id: target, base: { reg: dst }, off: 0, direct: true };
    }
    return { k: "int", ct: U64, op: { reg: dst } };
  }
  if (t.kind === "int" || t.kind === "enum" || t.kind === "enum64") {
    const size = btf.sizeOf(resolved);
    const signed = t.kind === "int" ? t.signed : t.kind === "enum" ? t.signed : false;
    if (size === 8) return { k: "int", ct: signed ? I64 : U64, op: { reg: dst } };
    const low32 = low.b.vreg("scalar");
    if (signed && size < 4) low.b.emit({ op: "movsx", w: 32, bits: (size * 8) as 8 | 16, dst: low32, a: dst });
    else low.b.emit({ op: "mov", w: 32, dst: low32, src: { reg: dst } });
    return { k: "int", ct: signed ? I32 : U32, op: { reg: low32 } };
  }
  void node;
  return { k: "int", ct: U64, op: { reg: dst } };
}

/** `obj.name` of a kernel object: a nested object, an array, a pointer or an integer. */
export function kernelMember(low: Lowering, obj: Val & { k: "kobj" }, name: string, node: TS.Node): Val {
  const btf = low.module.btf();
  let loc;
  try {
    loc = btf.member(obj.id, name);
  } catch (err) {
    low.fail(node, (err as Error).message);
  }
  const off = obj.off + loc.offset;
  const typeId = btf.resolve(loc.type);
  const t = btf.typeById(typeId);
  // CO-RE: the path of this field from the struct at obj.base (relocated at load time).
  const parent = coreOf(obj);
  const core: CoreAccess | undefined = parent ? { root: parent.root, steps: [...parent.steps, name] } : undefined;
  const read = (size: MemSize, relocate = true): VReg => {
    const dst = low.b.vreg("scalar");
    const c = relocate ? core : undefined;
    if (obj.direct) {
      low.b.emit(
        c
          ? { op: "load", size, signed: false, dst, base: obj.base, off, core: c }
          : { op: "load", size, signed: false, dst, base: obj.base, off },
      );
    } else {
      // probe_read_kernel fills the slot (zeroing it when the read faults).
      const slot = low.tempSlot(8);
      low.helper(
        "probe_read_kernel",
        [{ fp: slot }, { imm: size }, { reg: low.addressReg(obj.base, off, "pointer", c) }],
        "void",
      );
      low.b.emit({ op: "load", size, signed: false, dst, base: { fp: true }, off: slot });
    }
    return dst;
  };
  if (t.kind === "struct" || t.kind === "union")
    return { k: "kobj", id: typeId, base: obj.base, off, direct: obj.direct, core };
  if (t.kind === "array") {
    return {
      k: "karray",
      elemId: btf.resolve(t.type),
      length: t.nelems,
      base: obj.base,
      off,
      direct: obj.direct,
      core,
    };
  }
  if (t.kind === "ptr") {
    const reg = read(8);
    const target = btf.resolve(t.type);
    const tt = target === 0 ? undefined : btf.typeById(target);
    if (tt && (tt.kind === "struct" || tt.kind === "union")) {
      low.b.kinds[reg] = obj.direct ? "btf" : "scalar";
      return { k: "kobj", id: target, base: { reg }, off: 0, direct: obj.direct };
    }
    return { k: "int", ct: U64, op: { reg } };
  }
  if (t.kind === "int" || t.kind === "enum" || t.kind === "enum64") {
    const size = btf.sizeOf(typeId) as MemSize;
    const signed = t.kind === "int" ? t.signed : t.kind === "enum" ? t.signed : false;
    if (loc.bitfieldSize) {
      const storage = read(size, false); // bitfields are not relocated (their shifts would be)
      const shift = loc.bitOffset - loc.offset * 8;
      let v = storage;
      if (shift) {
        const s = low.b.vreg("scalar");
        low.b.emit({ op: "alu", w: 64, alu: "rsh", dst: s, a: v, b: { imm: shift } });
        v = s;
      }
      const m = low.b.vreg("scalar");
      low.b.emit({
        op: "alu",
        w: 64,
        alu: "and",
        dst: m,
        a: v,
        b: { imm: Number((1n << BigInt(loc.bitfieldSize)) - 1n) },
      });
      // A bitfield narrower than 32 bits promotes to i32 as in C; its mask bounds it.
      const mask = (1n << BigInt(loc.bitfieldSize)) - 1n;
      return loc.bitfieldSize < 32
        ? { k: "int", ct: I32, op: { reg: m }, max: mask }
        : { k: "int", ct: U32, op: { reg: m }, max: mask };
    }
    const reg = read(size);
    if (size === 8) return { k: "int", ct: signed ? I64 : U64, op: { reg } };
    if (signed && size < 4) {
      const ext = low.b.vreg("scalar");
      low.b.emit({ op: "movsx", w: 32, bits: (size * 8) as 8 | 16, dst: ext, a: reg });
      return { k: "int", ct: I32, op: { reg: ext } };
    }
    // __be16 / __be32 are read as they are stored; kernel code converts explicitly (bswap16 …).
    // Fields narrower than 32 bits promote to i32 as in C (an unsigned one keeps its bound).
    return {
      k: "int",
      ct: signed || size < 4 ? I32 : U32,
      op: { reg },
      max: signed ? undefined : (1n << BigInt(size * 8)) - 1n,
    };
  }
  low.fail(node, `${name} is a ${t.kind}; kernel code reads integers, pointers, structs and arrays`);
}

/** `arr[i]` of a kernel array (constant indexes). */
export function kernelArrayElement(low: Lowering, arr: Val & { k: "karray" }, index: Val, node: TS.Node): Val {
  if (index.k !== "const")
    low.fail(node, "kernel arrays take constant indexes (copy the array to index it with a variable)");
  if (index.value < 0n || index.value >= BigInt(arr.length))
    low.fail(node, `index ${index.value} is outside the array of ${arr.length}`);
  const btf = low.module.btf();
  const size = btf.sizeOf(arr.elemId) as MemSize;
  const off = arr.off + Number(index.value) * size;
  const dst = low.b.vreg("scalar");
  const core: CoreAccess | undefined = arr.core
    ? { root: arr.core.root, steps: [...arr.core.steps, Number(index.value)] }
    : undefined;
  if (arr.direct)
    low.b.emit(
      core
        ? { op: "load", size, signed: false, dst, base: arr.base, off, core }
        : { op: "load", size, signed: false, dst, base: arr.base, off },
    );
  else {
    const slot = low.tempSlot(8);
    low.helper(
      "probe_read_kernel",
      [{ fp: slot }, { imm: size }, { reg: low.addressReg(arr.base, off, "pointer", core) }],
      "void",
    );
    low.b.emit({ op: "load", size, signed: false, dst, base: { fp: true }, off: slot });
  }
  return { k: "int", ct: size === 8 ? U64 : U32, op: { reg: dst } };
}

export const KERNEL_OBJECT_FUNCTIONS: Readonly<Record<string, KernelFunction>> = {
  getCurrentTaskBtf: (low: Lowering, e) => {
    low.args(e, 0);
    const dst = low.b.vreg("btf");
    low.b.emit({ op: "call", helper: helperId("get_current_task_btf"), args: [], dst });
    return { k: "kobj", id: low.module.btfStruct("task_struct", e), base: { reg: dst }, off: 0, direct: true };
  },
  /** cast<T>(x): an address or kernel object seen as kernel struct T. */
  cast: (low: Lowering, e) => {
    const [from] = low.args(e, 1);
    const typeArg = e.typeArguments?.[0];
    if (!typeArg || !low.ts.isTypeReferenceNode(typeArg)) low.fail(e, "cast<T>(x) needs a kernel struct type argument");
    const id = low.module.btfStruct(typeArg.typeName.getText(), typeArg);
    const v = low.expr(from!);
    // The verifier types a BTF pointer by its declared struct: fields of another struct are
    // read with probe reads (like C's BPF_CORE_READ) unless the type is the same.
    if (v.k === "kobj") return { k: "kobj", id, base: v.base, off: v.off, direct: v.direct && id === v.id };
    if (v.k === "int" || v.k === "const") {
      const reg = low.toReg(v, U64, from!);
      return { k: "kobj", id, base: { reg }, off: 0, direct: false };
    }
    low.fail(from!, `cannot cast ${describeVal(v)} to a kernel struct`);
  },
  /** addressOf(x): a kernel object's (or view's) address as an integer. */
  addressOf: (low: Lowering, e) => {
    const [from] = low.args(e, 1);
    const v = low.expr(from!);
    if (v.k !== "kobj" && v.k !== "ptr" && v.k !== "karray")
      low.fail(from!, `addressOf needs a kernel object, got ${describeVal(v)}`);
    return {
      k: "int",
      ct: U64,
      op: { reg: low.addressReg(v.base, v.off, "pointer", v.k === "ptr" ? undefined : coreOf(v)) },
    };
  },
};
