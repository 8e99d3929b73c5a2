// Value codecs: how a JavaScript value is laid out in the bytes the kernel stores for a map key
// or value. Layouts follow C on the host (little-endian integers, natural alignment, structs
// padded like the compiler pads them), so a codec describes the same bytes a BPF C program sees.
//
// Every codec writes all `size` bytes it owns (padding included): map keys are compared byte by
// byte by the kernel, and the native key buffers are reused between calls.

/** Describes a codec's type in terms BTF can express (the loader turns this into BTF types). */
export type TypeDescriptor =
  | { kind: "int"; name: string; size: number; encoding: "unsigned" | "signed" | "char" | "bool"; byteOrder?: "big" }
  | { kind: "float"; name: string; size: number }
  | { kind: "array"; element: TypeDescriptor; length: number; size: number }
  | {
      kind: "struct";
      name?: string;
      size: number;
      fields: readonly { name: string; offset: number; type: TypeDescriptor }[];
    };

export interface Codec<T> {
  /** Bytes the value occupies (C `sizeof`). */
  readonly size: number;
  /** C alignment of the type. */
  readonly align: number;
  encode(value: T, view: DataView, offset: number): void;
  decode(view: DataView, offset: number): T;
  /** The type as BTF would describe it; built-in codecs all provide it. */
  describe?(): TypeDescriptor;
  /**
   * For scalars: the typed array whose element holds the value exactly as encode() writes it on a
   * little-endian host (and reads back what decode() returns). Maps then store and load such keys
   * and values with one element access instead of a codec call.
   */
  readonly typedArray?: ScalarArrayConstructor;
}

/** Typed arrays a scalar codec can be read and written through (see Codec.typedArray). */
export type ScalarArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor;

/** The JavaScript type a codec encodes and decodes. */
export type Infer<C> = C extends Codec<infer T> ? T : never;

function intCodec<T>(
  name: string,
  size: number,
  encoding: "unsigned" | "signed" | "char" | "bool",
  encode: (value: T, view: DataView, offset: number) => void,
  decode: (view: DataView, offset: number) => T,
  typedArray?: ScalarArrayConstructor,
  byteOrder?: "big",
): Codec<T> {
  const descriptor: TypeDescriptor = byteOrder
    ? { kind: "int", name, size, encoding, byteOrder }
    : { kind: "int", name, size, encoding };
  return typedArray
    ? { size, align: size, encode, decode, describe: () => descriptor, typedArray }
    : { size, align: size, encode, decode, describe: () => descriptor };
}

export const u8: Codec<number> = intCodec(
  "unsigned char",
  1,
  "unsigned",
  (v, d, o) => d.setUint8(o, v),
  (d, o) => d.getUint8(o),
  Uint8Array,
);
export const i8: Codec<number> = intCodec(
  "signed char",
  1,
  "signed",
  (v, d, o) => d.setInt8(o, v),
  (d, o) => d.getInt8(o),
  Int8Array,
);
export const u16: Codec<number> = intCodec(
  "unsigned short",
  2,
  "unsigned",
  (v, d, o) => d.setUint16(o, v, true),
  (d, o) => d.getUint16(o, true),
  Uint16Array,
);
export const i16: Codec<number> = intCodec(
  "short",
  2,
  "signed",
  (v, d, o) => d.setInt16(o, v, true),
  (d, o) => d.getInt16(o, true),
  Int16Array,
);
export const u32: Codec<number> = intCodec(
  "unsigned int",
  4,
  "unsigned",
  (v, d, o) => d.setUint32(o, v, true),
  (d, o) => d.getUint32(o, true),
  Uint32Array,
);
export const i32: Codec<number> = intCodec(
  "int",
  4,
  "signed",
  (v, d, o) => d.setInt32(o, v, true),
  (d, o) => d.getInt32(o, true),
  Int32Array,
);
export const u64: Codec<bigint> = intCodec(
  "unsigned long long",
  8,
  "unsigned",
  (v, d, o) => d.setBigUint64(o, v, true),
  (d, o) => d.getBigUint64(o, true),
  BigUint64Array,
);
export const i64: Codec<bigint> = intCodec(
  "long long",
  8,
  "signed",
  (v, d, o) => d.setBigInt64(o, v, true),
  (d, o) => d.getBigInt64(o, true),
  BigInt64Array,
);
/** A 16-bit number in network byte order (`__be16`, e.g. a port). */
export const be16: Codec<number> = intCodec(
  "__be16",
  2,
  "unsigned",
  (v, d, o) => d.setUint16(o, v, false),
  (d, o) => d.getUint16(o, false),
  undefined,
  "big",
);
/** A 32-bit number in network byte order (`__be32`, e.g. an IPv4 address). */
export const be32: Codec<number> = intCodec(
  "__be32",
  4,
  "unsigned",
  (v, d, o) => d.setUint32(o, v, false),
  (d, o) => d.getUint32(o, false),
  undefined,
  "big",
);
/** C `_Bool`: one byte, 0 or 1. */
export const bool: Codec<boolean> = intCodec(
  "_Bool",
  1,
  "bool",
  (v, d, o) => d.setUint8(o, v ? 1 : 0),
  (d, o) => d.getUint8(o) !== 0,
);

export const f32: Codec<number> = {
  size: 4,
  align: 4,
  encode: (v, d, o) => d.setFloat32(o, v, true),
  decode: (d, o) => d.getFloat32(o, true),
  describe: () => ({ kind: "float", name: "float", size: 4 }),
  typedArray: Float32Array,
};
export const f64: Codec<number> = {
  size: 8,
  align: 8,
  encode: (v, d, o) => d.setFloat64(o, v, true),
  decode: (d, o) => d.getFloat64(o, true),
  describe: () => ({ kind: "float", name: "double", size: 8 }),
  typedArray: Float64Array,
};

function checkLength(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: length must be a non-negative integer (got ${n})`);
}

/** Raw bytes (`unsigned char[n]`). Shorter input is zero-padded; longer input is an error. */
export function bytes(n: number): Codec<Uint8Array> {
  checkLength("bytes", n);
  return {
    size: n,
    align: 1,
    encode(value, view, offset) {
      if (value.length > n) throw new RangeError(`bytes(${n}): got ${value.length} bytes`);
      const target = new Uint8Array(view.buffer, view.byteOffset + offset, n);
      target.set(value);
      if (value.length < n) target.fill(0, value.length);
    },
    decode(view, offset) {
      // A copy: the view is a reused native buffer.
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + n));
    },
    describe: () => ({ kind: "array", element: u8.describe!(), length: n, size: n }),
  };
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** A NUL-padded C string in `char[n]`. Encoding keeps at least one NUL; decoding stops at the first NUL. */
export function cstring(n: number): Codec<string> {
  checkLength("cstring", n);
  return {
    size: n,
    align: 1,
    encode(value, view, offset) {
      const target = new Uint8Array(view.buffer, view.byteOffset + offset, n);
      const { written } = utf8Encoder.encodeInto(value, target.subarray(0, Math.max(n - 1, 0)));
      target.fill(0, written);
    },
    decode(view, offset) {
      const source = new Uint8Array(view.buffer, view.byteOffset + offset, n);
      const end = source.indexOf(0);
      return utf8Decoder.decode(end < 0 ? source : source.subarray(0, end));
    },
    describe: () => ({
      kind: "array",
      element: { kind: "int", name: "char", size: 1, encoding: "char" },
      length: n,
      size: n,
    }),
  };
}

/** A C array `T[n]`, as a JavaScript array of exactly n elements. */
export function array<T>(element: Codec<T>, n: number): Codec<T[]> {
  checkLength("array", n);
  const stride = element.size;
  return {
    size: stride * n,
    align: element.align,
    encode(value, view, offset) {
      if (value.length !== n) throw new RangeError(`array(…, ${n}): got ${value.length} elements`);
      for (let i = 0; i < n; i++) element.encode(value[i]!, view, offset + i * stride);
    },
    decode(view, offset) {
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = element.decode(view, offset + i * stride);
      return out;
    },
    describe: () => ({ kind: "array", element: describeOf(element), length: n, size: stride * n }),
  };
}

type Fields = Record<string, Codec<unknown>>;
/** The object a struct codec encodes: one property per field, typed by the field's codec. */
export type StructValue<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export interface StructCodec<F extends Fields> extends Codec<StructValue<F>> {
  readonly fields: F;
  /** Byte offset of a field inside the struct. */
  offsetOf(field: keyof F & string): number;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * A C struct: fields in object-key order, each at its natural alignment, the total size rounded
 * up to the largest alignment. `name` is used when the struct is described for BTF.
 */
export function struct<F extends Fields>(fields: F, name?: string): StructCodec<F> {
  const names = Object.keys(fields);
  const codecs = names.map((n) => fields[n]!);
  const offsets: number[] = [];
  let size = 0;
  let align = 1;
  for (const codec of codecs) {
    size = roundUp(size, codec.align);
    offsets.push(size);
    size += codec.size;
    align = Math.max(align, codec.align);
  }
  size = roundUp(size, align);
  // Byte ranges no field covers (holes and the tail), zeroed on every encode.
  const gaps: [number, number][] = [];
  let covered = 0;
  for (let i = 0; i < codecs.length; i++) {
    if (offsets[i]! > covered) gaps.push([covered, offsets[i]!]);
    covered = offsets[i]! + codecs[i]!.size;
  }
  if (size > covered) gaps.push([covered, size]);
  const offsetByName = new Map(names.map((n, i) => [n, offsets[i]!]));
  const count = names.length;

  return {
    size,
    align,
    fields,
    offsetOf(field) {
      const offset = offsetByName.get(field);
      if (offset === undefined) throw new RangeError(`struct has no field "${field}"`);
      return offset;
    },
    encode(value, view, offset) {
      const record = value as Record<string, unknown>;
      for (let i = 0; i < count; i++) {
        const field = record[names[i]!];
        if (field === undefined) throw new TypeError(`struct field "${names[i]}" is missing`);
        codecs[i]!.encode(field, view, offset + offsets[i]!);
      }
      for (const [from, to] of gaps) for (let b = from; b < to; b++) view.setUint8(offset + b, 0);
    },
    decode(view, offset) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) out[names[i]!] = codecs[i]!.decode(view, offset + offsets[i]!);
      return out as StructValue<F>;
    },
    describe: () => ({
      kind: "struct",
      ...(name === undefined ? {} : { name }),
      size,
      fields: names.map((n, i) => ({ name: n, offset: offsets[i]!, type: describeOf(codecs[i]!) })),
    }),
  };
}

function describeOf(codec: Codec<unknown>): TypeDescriptor {
  if (!codec.describe) throw new TypeError("a codec inside an array or struct does not implement describe()");
  return codec.describe();
}

/** Nothing: the zero-size key of queues, stacks and bloom filters. */
export const none: Codec<undefined> = {
  size: 0,
  align: 1,
  encode() {
    /* no bytes */
  },
  decode() {
    return undefined;
  },
};

/**
 * The value buffer of a per-CPU map: one `element` per possible CPU, each in a slot rounded up to
 * 8 bytes (the kernel's layout for per-CPU values in the syscall interface).
 */
export function perCpu<T>(element: Codec<T>, cpus: number): Codec<T[]> {
  const stride = roundUp(element.size, 8);
  return {
    size: stride * cpus,
    align: 8,
    encode(value, view, offset) {
      if (value.length !== cpus)
        throw new RangeError(`per-CPU value: expected ${cpus} values (one per possible CPU), got ${value.length}`);
      for (let i = 0; i < cpus; i++) {
        element.encode(value[i]!, view, offset + i * stride);
        for (let b = element.size; b < stride; b++) view.setUint8(offset + i * stride + b, 0);
      }
    },
    decode(view, offset) {
      const out = new Array<T>(cpus);
      for (let i = 0; i < cpus; i++) out[i] = element.decode(view, offset + i * stride);
      return out;
    },
  };
}
