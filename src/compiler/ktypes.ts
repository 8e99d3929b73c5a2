// The compiler's view of kernel TypeScript data types: integers of a width, fixed arrays and
// C-layout structs, laid out exactly as src/maps/codec.ts lays them out for user space (natural
// alignment, padding like C), so both sides agree on every byte.
import type { TypeDescriptor } from "../maps/codec.js";

export interface IntT {
  kind: "int";
  /** The kernel/tsbpf name: u8 … i64, bool, be16, be32, be64. */
  name: string;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
  /** Stored big-endian (network order). */
  be: boolean;
  bool: boolean;
}

export interface ArrT {
  kind: "array";
  elem: DataT;
  length: number;
  size: number;
  align: number;
  flavor: "array" | "bytes" | "string";
}

export interface FieldT {
  name: string;
  offset: number;
  type: DataT;
}

export interface StructT {
  kind: "struct";
  name: string;
  size: number;
  align: number;
  fields: FieldT[];
}

export type DataT = IntT | ArrT | StructT;

const int = (name: string, size: 1 | 2 | 4 | 8, signed: boolean, be = false, bool = false): IntT => ({
  kind: "int",
  name,
  size,
  signed,
  be,
  bool,
});

export const INTS: Record<string, IntT> = {
  u8: int("u8", 1, false),
  u16: int("u16", 2, false),
  u32: int("u32", 4, false),
  u64: int("u64", 8, false),
  i8: int("i8", 1, true),
  i16: int("i16", 2, true),
  i32: int("i32", 4, true),
  i64: int("i64", 8, true),
  bool: int("bool", 1, false, false, true),
  be16: int("be16", 2, false, true),
  be32: int("be32", 4, false, true),
  be64: int("be64", 8, false, true),
};

export function alignOf(t: DataT): number {
  return t.kind === "int" ? t.size : t.align;
}

export function sizeOf(t: DataT): number {
  return t.size;
}

export function arrayOf(elem: DataT, length: number, flavor: ArrT["flavor"] = "array"): ArrT {
  return { kind: "array", elem, length, size: elem.size * length, align: alignOf(elem), flavor };
}

export function structOf(name: string, fields: readonly { name: string; type: DataT }[]): StructT {
  let size = 0,
    align = 1;
  const out: FieldT[] = [];
  for (const f of fields) {
    const a = alignOf(f.type);
    size = Math.ceil(size / a) * a;
    out.push({ name: f.name, offset: size, type: f.type });
    size += f.type.size;
    align = Math.max(align, a);
  }
  size = Math.ceil(size / align) * align;
  return { kind: "struct", name, size, align, fields: out };
}

export function typeName(t: DataT): string {
  if (t.kind === "int") return t.name;
  if (t.kind === "array") return `${typeName(t.elem)}[${t.length}]`;
  return t.name;
}

/** The codec description user space rebuilds codecs from (same shape as src/maps/codec.ts). */
export function describe(t: DataT): TypeDescriptor {
  if (t.kind === "int") {
    const names: Record<string, string> = {
      u8: "unsigned char",
      i8: "signed char",
      u16: "unsigned short",
      i16: "short",
      u32: "unsigned int",
      i32: "int",
      u64: "unsigned long long",
      i64: "long long",
      bool: "_Bool",
      be16: "__be16",
      be32: "__be32",
      be64: "__be64",
    };
    const d: TypeDescriptor = {
      kind: "int",
      name: names[t.name]!,
      size: t.size,
      encoding: t.bool ? "bool" : t.signed ? "signed" : "unsigned",
    };
    return t.be ? ({ ...d, byteOrder: "big" } as TypeDescriptor) : d;
  }
  if (t.kind === "array") {
    const element: TypeDescriptor =
      t.flavor === "string" ? { kind: "int", name: "char", size: 1, encoding: "char" } : describe(t.elem);
    return { kind: "array", element, length: t.length, size: t.size, flavor: t.flavor } as TypeDescriptor;
  }
  return {
    kind: "struct",
    name: t.name,
    size: t.size,
    fields: t.fields.map((f) => ({ name: f.name, offset: f.offset, type: describe(f.type) })),
  };
}
