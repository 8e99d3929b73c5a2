// struct_ops types as kernel TypeScript sees them: a kernel struct of function pointers (each a
// program) and data members (a name, flags), read from the kernel's BTF. The compiler types each
// method's parameters from its function pointer; `tsbpf gen-kernel` declares the same for editors.
import type { Btf } from "../btf/decoder.js";

/**
 * Where a subsystem shows BPF a struct_ops argument as a bigger struct than the prototype says:
 * tcp_congestion_ops callbacks get their socket as a struct tcp_sock (the kernel's bpf_tcp_ca
 * retypes it, and lets the programs write its congestion fields).
 */
export const STRUCT_OPS_ARGUMENT_VIEWS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  tcp_congestion_ops: { sock: "tcp_sock" },
};

export interface StructOpsParam {
  name: string;
  type: number;
  /** The struct the kernel shows this pointer as, when it retypes it (STRUCT_OPS_ARGUMENT_VIEWS). */
  view?: string;
}

export type StructOpsMemberInfo =
  | {
      kind: "function";
      name: string;
      /** The member's index: the program's expected attach type. */
      index: number;
      offset: number;
      params: StructOpsParam[];
      returnType: number;
    }
  | { kind: "string" | "int"; name: string; index: number; offset: number; size: number; required: boolean };

/**
 * The members kernel TypeScript can set in a struct_ops type: function pointers, char arrays
 * (strings) and integers. Other members (list heads, module owners) stay zero, as the kernel wants.
 */
export function structOpsMembers(btf: Btf, structId: number): StructOpsMemberInfo[] {
  const t = btf.typeById(structId);
  if (t.kind !== "struct") return [];
  const views = STRUCT_OPS_ARGUMENT_VIEWS[t.name] ?? {};
  const out: StructOpsMemberInfo[] = [];
  t.members.forEach((m, index) => {
    if (m.name === "" || m.bitfieldSize || m.bitOffset % 8) return;
    const offset = m.bitOffset / 8;
    const mt = btf.typeById(btf.resolve(m.type));
    if (mt.kind === "ptr") {
      const proto = btf.typeById(btf.resolve(mt.type));
      if (proto.kind !== "func_proto") return;
      const params = proto.params.map((p, i): StructOpsParam => {
        const pt = btf.typeById(btf.resolve(p.type));
        const target = pt.kind === "ptr" ? btf.typeById(btf.resolve(pt.type)) : undefined;
        const structName = target && (target.kind === "struct" || target.kind === "union") ? target.name : "";
        const view = structName ? views[structName] : undefined;
        const name = p.name || (structName === "sock" ? "sk" : structName || `arg${i}`);
        return view ? { name, type: p.type, view } : { name, type: p.type };
      });
      out.push({ kind: "function", name: m.name, index, offset, params, returnType: proto.returnType });
      return;
    }
    if (mt.kind === "array") {
      const elem = btf.typeById(btf.resolve(mt.type));
      if (elem.kind === "int" && elem.size === 1)
        out.push({ kind: "string", name: m.name, index, offset, size: mt.nelems, required: m.name === "name" });
      return;
    }
    if (mt.kind === "int" || mt.kind === "enum")
      out.push({ kind: "int", name: m.name, index, offset, size: btf.sizeOf(m.type), required: false });
  });
  return out;
}
