// The data types of kernel TypeScript: integer aliases, C-layout structs and fixed arrays.
//
// Each integer type has two faces with the same name. As a *type* (`let n: u32`) it is an alias
// of `number` that tsc accepts and erases, and that the tsbpf compiler reads from the annotation to
// pick the width. As a *value* (`struct({ port: u16 })`, `u8(x)`) it is a codec the user side uses
// to decode the same bytes, and a cast when called. So one struct declaration serves both sides:
// the kernel lays it out like C, user space decodes records and map values with it.
import {
  array as arrayCodec,
  bool as boolCodec,
  bytes as bytesCodec,
  cstring as cstringCodec,
  i16 as i16Codec,
  i32 as i32Codec,
  i64 as i64Codec,
  i8 as i8Codec,
  u16 as u16Codec,
  u32 as u32Codec,
  u64 as u64Codec,
  u8 as u8Codec,
  be16 as be16Codec,
  be32 as be32Codec,
  struct as structCodec,
  type Codec,
  type TypeDescriptor,
} from "../maps/codec.js";

/** Integer kinds the compiler knows. `be*` are stored big-endian and read in host order. */
export type IntKind = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "bool" | "be16" | "be32" | "be64";

export type u8 = number;
export type u16 = number;
export type u32 = number;
/** 64-bit integers are `number` in kernel code (exact to 2^53 in tsc's eyes; the kernel computes all 64 bits). */
export type u64 = number;
export type i8 = number;
export type i16 = number;
export type i32 = number;
export type i64 = number;
export type bool = boolean;
/** A 16-bit field stored in network byte order; reads give the host-order value, writes convert back. */
export type be16 = number;
export type be32 = number;
export type be64 = number;

/** An integer type as a value: a codec for user space, a truncating cast when called. */
export interface IntType<K extends IntKind = IntKind, J = number> extends Codec<J> {
  /** A BigInt argument is a constant beyond 2^53 (`u64(0xffff_ffff_ffff_fff0n)`): exact in kernel code. */
  (value: number | bigint): K extends "bool" ? boolean : number;
  readonly kind: K;
}

function intType<K extends IntKind, J>(
  kind: K,
  codec: Codec<J>,
  cast: (value: number | bigint) => number | boolean,
): IntType<K, J> {
  const f = ((value: number | bigint) => cast(value)) as unknown as IntType<K, J>;
  Object.defineProperties(f, {
    kind: { value: kind },
    size: { value: codec.size },
    align: { value: codec.align },
    encode: { value: codec.encode },
    decode: { value: codec.decode },
    describe: { value: codec.describe },
  });
  return f;
}

const wrap =
  (bits: number, signed: boolean) =>
  (v: number | bigint): number => {
    const big = BigInt.asUintN(bits, typeof v === "bigint" ? v : BigInt(Math.trunc(v)));
    return Number(signed ? BigInt.asIntN(bits, big) : big);
  };

export const u8: IntType<"u8", number> = intType("u8", u8Codec, wrap(8, false));
export const u16: IntType<"u16", number> = intType("u16", u16Codec, wrap(16, false));
export const u32: IntType<"u32", number> = intType("u32", u32Codec, wrap(32, false));
export const u64: IntType<"u64", bigint> = intType("u64", u64Codec, wrap(64, false));
export const i8: IntType<"i8", number> = intType("i8", i8Codec, wrap(8, true));
export const i16: IntType<"i16", number> = intType("i16", i16Codec, wrap(16, true));
export const i32: IntType<"i32", number> = intType("i32", i32Codec, wrap(32, true));
export const i64: IntType<"i64", bigint> = intType("i64", i64Codec, wrap(64, true));
export const bool: IntType<"bool", boolean> = intType("bool", boolCodec, (v) => v !== 0 && v !== 0n);
export const be16: IntType<"be16", number> = intType("be16", be16Codec, wrap(16, false));
export const be32: IntType<"be32", number> = intType("be32", be32Codec, wrap(32, false));
const be64Codec: Codec<bigint> = {
  size: 8,
  align: 8,
  encode: (v, d, o) => d.setBigUint64(o, v, false),
  decode: (d, o) => d.getBigUint64(o, false),
  describe: () => ({ kind: "int", name: "__be64", size: 8, encoding: "unsigned", byteOrder: "big" }),
};
export const be64: IntType<"be64", bigint> = intType("be64", be64Codec, wrap(64, false));

/** A fixed array inside a struct: `array(u16, 4)`, `bytes(16)`, `cstring(16)`. */
export interface ArrayType<E extends DataType = DataType, N extends number = number, J = unknown> extends Codec<J> {
  readonly element: E;
  readonly length: N;
  /** How user space decodes it: "array" (a JS array), "bytes" (Uint8Array), "string" (C string). */
  readonly flavor: "array" | "bytes" | "string";
}

function arrayType<E extends DataType, N extends number, J>(
  element: E,
  length: N,
  flavor: ArrayType["flavor"],
  codec: Codec<J>,
): ArrayType<E, N, J> {
  return Object.freeze({
    element,
    length,
    flavor,
    size: codec.size,
    align: codec.align,
    encode: codec.encode,
    decode: codec.decode,
    describe: codec.describe,
  }) as ArrayType<E, N, J>;
}

/** `T[n]`; user space sees a JavaScript array. */
export function array<E extends DataType, N extends number>(element: E, length: N): ArrayType<E, N, Decoded<E>[]> {
  return arrayType(element, length, "array", arrayCodec(element as Codec<Decoded<E>>, length));
}
/** `unsigned char[n]`; user space sees a Uint8Array. */
export function bytes<N extends number>(length: N): ArrayType<IntType<"u8", number>, N, Uint8Array> {
  return arrayType(u8, length, "bytes", bytesCodec(length));
}
/** `char[n]` holding a NUL-terminated string; user space sees a string. */
export function cstring<N extends number>(length: N): ArrayType<IntType<"u8", number>, N, string> {
  return arrayType(u8, length, "string", cstringCodec(length));
}

/** Anything a struct field, map key or map value can be. */
export type DataType = IntType<IntKind, any> | ArrayType<any, number, any> | AnyStruct;
/** Any struct type (a class extending `struct({...})`, or the value `struct({...})` returns). */
export interface AnyStruct extends Codec<any> {
  new (): object;
  readonly fields: Fields;
}
export type Fields = { readonly [name: string]: DataType };

/** What user space decodes a data type to (u64 → bigint, bytes → Uint8Array, structs → objects). */
export type Decoded<T> = T extends Codec<infer J> ? J : never;

/** Fixed array in kernel code: indexed reads and writes; variable indexes are bounds-checked. */
export interface ArrayView<E, N extends number = number> {
  [index: number]: E;
  readonly length: N;
  /** Copies `source` (an array of the same element type, at most this long) into this array. */
  set(source: ArrayView<E, number>): void;
  /** Sets every element to `value`. */
  fill(value: E): void;
}

/** How kernel code sees a value of a data type. */
export type View<T> =
  T extends IntType<infer K, any>
    ? K extends "bool"
      ? boolean
      : number
    : T extends ArrayType<infer E, infer N, any>
      ? ArrayView<View<E>, N>
      : T extends abstract new () => infer I
        ? I
        : never;

/** The fields of a struct as kernel code sees them. */
export type StructView<F extends Fields> = { -readonly [K in keyof F]: View<F[K]> };

/**
 * A C struct. Use it as a base class, which gives a type and a value of the same name:
 *
 *   export class Flow extends struct({ saddr: be32, daddr: be32, sport: be16, dport: be16 }) {}
 *
 * Kernel code: `const f: Flow = { saddr: 0, ... }`, `ctx.load(Flow, 14)`, `flows.lookup(f)`.
 * User space: `Flow.decode(view, 0)` → `{ saddr: number, ... }`, `Flow.size`, `Flow.offsetOf("dport")`.
 */
export interface StructType<F extends Fields = Fields> extends Codec<{ [K in keyof F]: Decoded<F[K]> }> {
  new (): StructView<F>;
  readonly fields: F;
  offsetOf(field: keyof F & string): number;
}

/** Declares a C-layout struct (fields in order, natural alignment, padded like C). */
export function struct<F extends Fields>(fields: F): StructType<F> {
  const codec = structCodec(fields as unknown as Record<string, Codec<unknown>>);
  // A class, so that `class X extends struct({...}) {}` works; its statics make it a codec.
  const base = class {
    constructor() {
      throw new TypeError("kernel structs are not constructed in user space; decode them");
    }
  };
  Object.defineProperties(base, {
    fields: { value: fields },
    size: { value: codec.size },
    align: { value: codec.align },
    encode: { value: codec.encode },
    decode: { value: codec.decode },
    offsetOf: { value: (field: string) => codec.offsetOf(field) },
    // `this` is the derived class when called as X.describe(), so BTF gets the class's name.
    describe: {
      value: function describe(this: { name?: string }): TypeDescriptor {
        const d = codec.describe!();
        const name = typeof this?.name === "string" && this.name !== "" && this.name !== "base" ? this.name : undefined;
        return name === undefined ? d : ({ ...d, name } as TypeDescriptor);
      },
    },
  });
  return base as unknown as StructType<F>;
}

/** `sizeof(T)` in bytes (a compile-time constant in kernel code). */
export function sizeOf(type: DataType): number {
  return type.size;
}

/** A `__data_loc` tracepoint field: where a variable-length string or array lives in the record. */
export interface DataLoc {
  readonly __dataLoc: true;
}
