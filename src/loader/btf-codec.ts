// Map keys, map values and global variables of an object file, typed from its BTF: a codec that
// reads and writes the exact bytes the C program sees (offsets, padding and bitfields from BTF,
// not recomputed), and the TypeScript type of the values it produces (used by `tsbpf gen types`).
// One set of rules for both, so the generated types describe what the codecs return:
//   integers of up to 4 bytes, enums, floats → number; 8- and 16-byte integers, pointers → bigint;
//   _Bool → boolean; char arrays → string (NUL-terminated); other arrays → arrays;
//   structs and unions → objects (members of anonymous structs/unions appear as direct members,
//   as in C); anything else → Uint8Array of its size.
import type { Btf } from "../btf/decoder.js";
import { BtfError, type BtfType } from "../btf/kinds.js";
import type { Codec } from "../maps/codec.js";

const MAX_DEPTH = 64;

type AnyCodec = Codec<unknown>;

function bytesCodec(size: number): AnyCodec {
  return {
    size,
    align: 1,
    encode: (v, view, o) => {
      const src = v instanceof Uint8Array ? v : new Uint8Array(0);
      if (src.length > size) throw new RangeError(`value of ${src.length} bytes does not fit ${size}`);
      for (let i = 0; i < size; i++) view.setUint8(o + i, i < src.length ? src[i]! : 0);
    },
    decode: (view, o) => new Uint8Array(view.buffer.slice(view.byteOffset + o, view.byteOffset + o + size)),
  };
}

function intCodec(size: number, signed: boolean, bool: boolean): AnyCodec {
  if (bool && size === 1)
    return { size, align: 1, encode: (v, d, o) => d.setUint8(o, v ? 1 : 0), decode: (d, o) => d.getUint8(o) !== 0 };
  switch (size) {
    case 1:
      return signed
        ? { size, align: 1, encode: (v, d, o) => d.setInt8(o, Number(v)), decode: (d, o) => d.getInt8(o) }
        : { size, align: 1, encode: (v, d, o) => d.setUint8(o, Number(v)), decode: (d, o) => d.getUint8(o) };
    case 2:
      return signed
        ? { size, align: 2, encode: (v, d, o) => d.setInt16(o, Number(v), true), decode: (d, o) => d.getInt16(o, true) }
        : {
            size,
            align: 2,
            encode: (v, d, o) => d.setUint16(o, Number(v), true),
            decode: (d, o) => d.getUint16(o, true),
          };
    case 4:
      return signed
        ? { size, align: 4, encode: (v, d, o) => d.setInt32(o, Number(v), true), decode: (d, o) => d.getInt32(o, true) }
        : {
            size,
            align: 4,
            encode: (v, d, o) => d.setUint32(o, Number(v), true),
            decode: (d, o) => d.getUint32(o, true),
          };
    case 8:
      return signed
        ? {
            size,
            align: 8,
            encode: (v, d, o) => d.setBigInt64(o, BigInt(v as bigint), true),
            decode: (d, o) => d.getBigInt64(o, true),
          }
        : {
            size,
            align: 8,
            encode: (v, d, o) => d.setBigUint64(o, BigInt(v as bigint), true),
            decode: (d, o) => d.getBigUint64(o, true),
          };
    case 16:
      return {
        size,
        align: 16,
        encode: (v, d, o) => {
          const x = BigInt.asUintN(128, BigInt(v as bigint));
          d.setBigUint64(o, x & 0xffff_ffff_ffff_ffffn, true);
          d.setBigUint64(o + 8, x >> 64n, true);
        },
        decode: (d, o) => {
          const x = (d.getBigUint64(o + 8, true) << 64n) | d.getBigUint64(o, true);
          return signed ? BigInt.asIntN(128, x) : x;
        },
      };
    default:
      return bytesCodec(size);
  }
}

function stringCodec(size: number): AnyCodec {
  return {
    size,
    align: 1,
    encode: (v, d, o) => {
      const b = Buffer.from(String(v ?? ""), "utf8");
      if (b.length > size) throw new RangeError(`string of ${b.length} bytes does not fit char[${size}]`);
      for (let i = 0; i < size; i++) d.setUint8(o + i, i < b.length ? b[i]! : 0);
    },
    decode: (d, o) => {
      const bytes = new Uint8Array(d.buffer, d.byteOffset + o, size);
      let end = bytes.indexOf(0);
      if (end < 0) end = size;
      return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString("utf8");
    },
  };
}

interface Field {
  name: string;
  byteOffset: number;
  codec: AnyCodec;
  bitOffset: number;
  bits: number;
  signed: boolean;
}

/** A bitfield: read the bytes that hold it, extract `bits` bits at `bitOffset` (little-endian). */
function readBits(d: DataView, o: number, f: Field): number | bigint {
  const first = Math.floor(f.bitOffset / 8);
  const last = Math.floor((f.bitOffset + f.bits - 1) / 8);
  let x = 0n;
  for (let i = last; i >= first; i--) x = (x << 8n) | BigInt(d.getUint8(o + i));
  x = (x >> BigInt(f.bitOffset - first * 8)) & ((1n << BigInt(f.bits)) - 1n);
  if (f.signed) x = BigInt.asIntN(f.bits, x);
  return f.bits > 32 ? x : Number(x);
}

function writeBits(d: DataView, o: number, f: Field, value: unknown): void {
  const first = Math.floor(f.bitOffset / 8);
  const last = Math.floor((f.bitOffset + f.bits - 1) / 8);
  const shift = BigInt(f.bitOffset - first * 8);
  const mask = ((1n << BigInt(f.bits)) - 1n) << shift;
  let x = 0n;
  for (let i = last; i >= first; i--) x = (x << 8n) | BigInt(d.getUint8(o + i));
  x = (x & ~mask) | ((BigInt.asUintN(f.bits, BigInt(value as number | bigint)) << shift) & mask);
  for (let i = first; i <= last; i++) {
    d.setUint8(o + i, Number(x & 0xffn));
    x >>= 8n;
  }
}

function isCharLike(btf: Btf, id: number): boolean {
  const t = btf.typeById(btf.resolve(id));
  return (
    t.kind === "int" &&
    t.size === 1 &&
    (t.char || t.name === "char" || t.name === "signed char" || t.name === "unsigned char")
  );
}

/** More members than any real struct flattens to: hostile BTF (anonymous members nested in loops). */
const MAX_FLAT_MEMBERS = 65536;

/** Flattens a struct/union's members (anonymous ones into their parent) with absolute bit offsets. */
function flatMembers(
  btf: Btf,
  t: Extract<BtfType, { kind: "struct" | "union" }>,
  base: number,
  depth: number,
  out: { name: string; type: number; bitOffset: number; bitfieldSize: number }[],
): void {
  if (depth > MAX_DEPTH) throw new BtfError(`${t.kind} ${t.name || "<anon>"}: nested too deep`);
  if (out.length > MAX_FLAT_MEMBERS)
    throw new BtfError(`${t.kind} ${t.name || "<anon>"}: more than ${MAX_FLAT_MEMBERS} members`);
  for (const m of t.members) {
    if (m.name === "") {
      const inner = btf.typeById(btf.resolve(m.type));
      if (inner.kind === "struct" || inner.kind === "union")
        flatMembers(btf, inner, base + m.bitOffset, depth + 1, out);
      continue;
    }
    out.push({ name: m.name, type: m.type, bitOffset: base + m.bitOffset, bitfieldSize: m.bitfieldSize });
  }
}

/** A codec for BTF type `id`. Throws BtfError for types without a size. */
export function btfCodec(btf: Btf, id: number): AnyCodec {
  return codecOf(btf, id, 0, new Map());
}

/** Codecs are memoised per type (shared subtrees are built once) and cycles by value are refused. */
function codecOf(btf: Btf, id: number, depth: number, memo: Map<number, AnyCodec | null>): AnyCodec {
  if (depth > MAX_DEPTH) throw new BtfError(`type ${id}: nested too deep for a codec`);
  const resolved = btf.resolve(id);
  const known = memo.get(resolved);
  if (known === null) throw new BtfError(`type ${resolved} contains itself`);
  if (known) return known;
  memo.set(resolved, null);
  const codec = buildCodec(btf, resolved, depth, memo);
  memo.set(resolved, codec);
  return codec;
}

function buildCodec(btf: Btf, id: number, depth: number, memo: Map<number, AnyCodec | null>): AnyCodec {
  const t = btf.typeById(id);
  switch (t.kind) {
    case "int":
      return intCodec(t.size, t.signed, t.bool);
    case "enum":
      return intCodec(t.size, t.signed, false);
    case "enum64":
      return intCodec(t.size, t.signed, false);
    case "float":
      if (t.size === 4)
        return {
          size: 4,
          align: 4,
          encode: (v, d, o) => d.setFloat32(o, Number(v), true),
          decode: (d, o) => d.getFloat32(o, true),
        };
      if (t.size === 8)
        return {
          size: 8,
          align: 8,
          encode: (v, d, o) => d.setFloat64(o, Number(v), true),
          decode: (d, o) => d.getFloat64(o, true),
        };
      return bytesCodec(t.size);
    case "ptr":
      return intCodec(8, false, false);
    case "array": {
      const size = btf.sizeOf(t.id);
      if (t.nelems === 0) return bytesCodec(0);
      if (isCharLike(btf, t.type)) return stringCodec(size);
      const elem = codecOf(btf, t.type, depth + 1, memo);
      const stride = elem.size;
      const n = t.nelems;
      return {
        size,
        align: elem.align,
        encode: (v, d, o) => {
          const arr = Array.isArray(v) ? v : [];
          if (arr.length > n) throw new RangeError(`array of ${arr.length} elements does not fit [${n}]`);
          for (let i = 0; i < n; i++) {
            if (i < arr.length) elem.encode(arr[i], d, o + i * stride);
            else for (let b = 0; b < stride; b++) d.setUint8(o + i * stride + b, 0);
          }
        },
        decode: (d, o) => {
          const out = new Array(n);
          for (let i = 0; i < n; i++) out[i] = elem.decode(d, o + i * stride);
          return out;
        },
      };
    }
    case "struct":
    case "union": {
      const members: { name: string; type: number; bitOffset: number; bitfieldSize: number }[] = [];
      flatMembers(btf, t, 0, depth, members);
      const fields: Field[] = members.map((m) => {
        if (m.bitfieldSize > 0) {
          const mt = btf.typeById(btf.resolve(m.type));
          const signed = (mt.kind === "int" || mt.kind === "enum" || mt.kind === "enum64") && mt.signed;
          return {
            name: m.name,
            byteOffset: 0,
            codec: intCodec(0, false, false),
            bitOffset: m.bitOffset,
            bits: m.bitfieldSize,
            signed,
          };
        }
        if (m.bitOffset % 8 !== 0) {
          // Bitfields in BTF without kind_flag: the width is the int's own bit count.
          const mt = btf.typeById(btf.resolve(m.type));
          if (mt.kind === "int" && mt.bits < mt.size * 8) {
            return {
              name: m.name,
              byteOffset: 0,
              codec: intCodec(0, false, false),
              bitOffset: m.bitOffset,
              bits: mt.bits,
              signed: mt.signed,
            };
          }
          throw new BtfError(`${t.kind} ${t.name || "<anon>"}: member ${m.name} is not byte-aligned`);
        }
        return {
          name: m.name,
          byteOffset: m.bitOffset / 8,
          codec: codecOf(btf, m.type, depth + 1, memo),
          bitOffset: 0,
          bits: 0,
          signed: false,
        };
      });
      const size = t.size;
      let align = 1;
      for (const f of fields) if (f.bits === 0) align = Math.max(align, f.codec.align);
      return {
        size,
        align,
        encode: (v, d, o) => {
          for (let i = 0; i < size; i++) d.setUint8(o + i, 0);
          const obj = (v ?? {}) as Record<string, unknown>;
          for (const f of fields) {
            const x = obj[f.name];
            if (x === undefined) continue;
            if (f.bits > 0) writeBits(d, o, f, x);
            else f.codec.encode(x, d, o + f.byteOffset);
          }
        },
        decode: (d, o) => {
          const out: Record<string, unknown> = {};
          for (const f of fields) out[f.name] = f.bits > 0 ? readBits(d, o, f) : f.codec.decode(d, o + f.byteOffset);
          return out;
        },
      };
    }
    case "datasec": {
      const vars = t.vars.map((v) => ({
        name: btf.nameOf(v.type),
        offset: v.offset,
        codec: codecOf(btf, v.type, depth + 1, memo),
      }));
      return {
        size: t.size,
        align: 8,
        encode: (v, d, o) => {
          const obj = (v ?? {}) as Record<string, unknown>;
          for (const x of vars) if (obj[x.name] !== undefined) x.codec.encode(obj[x.name], d, o + x.offset);
        },
        decode: (d, o) => Object.fromEntries(vars.map((x) => [x.name, x.codec.decode(d, o + x.offset)])),
      };
    }
    case "var":
      return codecOf(btf, t.type, depth + 1, memo);
    default: {
      let size = 0;
      try {
        size = btf.sizeOf(t.id);
      } catch (e) {
        if (!(e instanceof BtfError)) throw e;
      }
      return bytesCodec(size);
    }
  }
}

/** A codec of `size` raw bytes (maps without BTF). */
export function rawCodec(size: number): AnyCodec {
  return bytesCodec(size);
}

// ---- TypeScript types ---------------------------------------------------------------------------

/** A valid TypeScript identifier for a C name. */
export function tsIdentifier(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[0-9]/.test(s) ? `_${s}` : s || "_";
}

/** PascalCase of a C name: "exec_info" → "ExecInfo". */
export function pascal(name: string): string {
  return (
    tsIdentifier(name)
      .split("_")
      .filter(Boolean)
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join("") || "Anonymous"
  );
}

/**
 * TypeScript declarations for BTF types: `typeOf(id)` returns a type expression and records named
 * structs/unions/enums it refers to, whose interfaces `declarations()` then prints.
 */
export class TsTypes {
  readonly #decls = new Map<number, string>();
  readonly #names = new Map<number, string>();
  readonly #used = new Set<string>();
  readonly #memo = new Map<number, string | null>();
  constructor(readonly btf: Btf) {}

  #nameFor(t: BtfType): string {
    let n = this.#names.get(t.id);
    if (n) return n;
    const base = pascal(t.name);
    n = base;
    for (let i = 2; this.#used.has(n); i++) n = `${base}${i}`;
    this.#used.add(n);
    this.#names.set(t.id, n);
    return n;
  }

  typeOf(id: number, depth = 0): string {
    if (depth > MAX_DEPTH) return "unknown";
    const resolved = this.btf.resolve(id);
    const known = this.#memo.get(resolved);
    if (known === null) return "unknown"; // contains itself: only hostile BTF does that
    if (known !== undefined) return known;
    this.#memo.set(resolved, null);
    const result = this.#typeOf(resolved, depth);
    this.#memo.set(resolved, result);
    return result;
  }

  #typeOf(id: number, depth: number): string {
    const t = this.btf.typeById(id);
    switch (t.kind) {
      case "int":
        return t.bool && t.size === 1
          ? "boolean"
          : t.size <= 4
            ? "number"
            : t.size === 8 || t.size === 16
              ? "bigint"
              : "Uint8Array";
      case "enum":
        return "number";
      case "enum64":
        return "bigint";
      case "float":
        return t.size === 4 || t.size === 8 ? "number" : "Uint8Array";
      case "ptr":
        return "bigint";
      case "array":
        if (t.nelems === 0) return "Uint8Array";
        if (isCharLike(this.btf, t.type)) return "string";
        return `${this.#wrap(this.typeOf(t.type, depth + 1))}[]`;
      case "struct":
      case "union": {
        if (t.name !== "") {
          const n = this.#nameFor(t);
          if (!this.#decls.has(t.id)) {
            this.#decls.set(t.id, "");
            this.#decls.set(
              t.id,
              `/** ${t.kind} ${t.name} (${t.size} bytes) */\nexport interface ${n} ${this.#body(t, depth)}`,
            );
          }
          return n;
        }
        return this.#body(t, depth);
      }
      case "var":
        return this.typeOf(t.type, depth + 1);
      default:
        return "Uint8Array";
    }
  }

  #wrap(s: string): string {
    return /^[A-Za-z0-9_]+$/.test(s) ? s : `(${s})`;
  }

  #body(t: Extract<BtfType, { kind: "struct" | "union" }>, depth: number): string {
    const members: { name: string; type: number; bitOffset: number; bitfieldSize: number }[] = [];
    flatMembers(this.btf, t, 0, depth, members);
    const lines = members.map((m) => {
      const ty = m.bitfieldSize > 0 ? (m.bitfieldSize > 32 ? "bigint" : "number") : this.typeOf(m.type, depth + 1);
      const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(m.name) ? m.name : JSON.stringify(m.name);
      return `  ${key}: ${ty};`;
    });
    return lines.length ? `{\n${lines.join("\n")}\n}` : "{}";
  }

  /** The interfaces of every named struct/union met so far. */
  declarations(): string[] {
    return [...this.#decls.values()].filter(Boolean);
  }
}
