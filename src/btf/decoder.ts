// A lazy BTF reader. Parsing makes one pass over the type section and keeps only the word offset
// of every 16th type, so loading the kernel's 150k-type BTF touches the blob once and allocates
// tens of kilobytes. Types are decoded into objects only when asked. A name lookup finds the
// name in the string section and its offset in the type section with native searches (results
// are remembered); a hash index over all names is built only once lookups become frequent.
import {
  BtfError,
  BtfHeader,
  BtfKind,
  BTF_MAGIC,
  BTF_VERSION,
  kindName,
  kindNumber,
  type BtfKindName,
  type BtfType,
  type DatasecType,
  type FuncProtoType,
  type Member,
  type StructType,
} from "./kinds.js";

/** Types between two recorded offsets; an id's offset is found by walking at most STRIDE-1 records. */
const STRIDE_SHIFT = 4;
const STRIDE_MASK = (1 << STRIDE_SHIFT) - 1;
/** An unindexed name lookup costs 1-3 ms on vmlinux; after this many, a hash index pays for itself. */
const INDEX_AFTER_LOOKUPS = 32;
/** False hits a name lookup accepts from native searches of the type section before walking it. */
const NATIVE_HIT_BUDGET = 1024;
/** Name lookups remembered (all kinds per name); cleared when full. */
const MEMO_LIMIT = 4096;
/** Longest chain of references followed before declaring a loop (real chains are < 10). */
const MAX_CHAIN = 128;
/** Size of a pointer: BPF programs and the kernels they run on are 64-bit. */
const POINTER_SIZE = 8;

type SliceFn = (this: Buffer, start: number, end: number) => string;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: SliceFn }).utf8Slice;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Record length in words = FIXED_WORDS[kind] + PER_ITEM_WORDS[kind] * vlen; FIXED_WORDS is 0 for
// kinds that do not exist. Tables instead of a switch: the parse loop runs 150k times, mostly
// before V8 has optimized it, and the interpreter is much faster at a load than at a call.
const FIXED_WORDS = new Uint8Array(32);
const PER_ITEM_WORDS = new Uint8Array(32);
for (const k of [
  BtfKind.PTR,
  BtfKind.FWD,
  BtfKind.TYPEDEF,
  BtfKind.VOLATILE,
  BtfKind.CONST,
  BtfKind.RESTRICT,
  BtfKind.FUNC,
  BtfKind.FLOAT,
  BtfKind.TYPE_TAG,
])
  FIXED_WORDS[k] = 3;
for (const k of [BtfKind.INT, BtfKind.VAR, BtfKind.DECL_TAG]) FIXED_WORDS[k] = 4;
FIXED_WORDS[BtfKind.ARRAY] = 6;
for (const k of [BtfKind.STRUCT, BtfKind.UNION, BtfKind.DATASEC, BtfKind.ENUM64]) {
  FIXED_WORDS[k] = 3;
  PER_ITEM_WORDS[k] = 3;
}
for (const k of [BtfKind.ENUM, BtfKind.FUNC_PROTO]) {
  FIXED_WORDS[k] = 3;
  PER_ITEM_WORDS[k] = 2;
}
/** Both tables in one: fixed | perItem << 8 (one load per record in the parse loop). */
const RECORD_LAYOUT = new Int32Array(32).map((_, k) => FIXED_WORDS[k]! | (PER_ITEM_WORDS[k]! << 8));

/** Length in u32 words of the (already validated) record whose info word is `info`. */
function recordWords(info: number): number {
  const kind = (info >>> 24) & 0x1f;
  return FIXED_WORDS[kind]! + PER_ITEM_WORDS[kind]! * (info & 0xffff);
}

/**
 * The parse loop, alone in a small function: V8 optimizes it while it runs (on-stack
 * replacement), and a small function compiles in a fraction of the time a big one would, so most
 * of the 150k iterations run optimized. Stops at the first record of an unknown kind (or at a
 * header cut short); the caller turns where it stopped into an error.
 */
function scanRecords(words: Uint32Array, nWords: number, checkpoints: Uint32Array): { w: number; count: number } {
  const layout = RECORD_LAYOUT;
  let w = 0;
  let count = 0;
  while (w < nWords) {
    const info = words[w + 1]!; // undefined past the end: kind 0, like an unknown kind
    const shape = layout[(info >>> 24) & 0x1f]!;
    if (shape === 0) break;
    if ((count & STRIDE_MASK) === 0) checkpoints[count >>> STRIDE_SHIFT] = w;
    w += (shape & 0xff) + (shape >>> 8) * (info & 0xffff);
    count++;
  }
  return { w, count };
}

function isModifier(kind: number): boolean {
  return (
    kind === BtfKind.TYPEDEF ||
    kind === BtfKind.VOLATILE ||
    kind === BtfKind.CONST ||
    kind === BtfKind.RESTRICT ||
    kind === BtfKind.TYPE_TAG
  );
}

/**
 * Name index key: the length and the first and last four bytes. Bounded work per name (the
 * index is built over every type), and kernel names that share long prefixes ("btf_trace_…",
 * "trace_event_raw_…") still spread out. Chains are resolved by comparing whole names.
 */
function nameKey(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(len, 0x9e3779b1);
  const head = Math.min(4, len);
  for (let i = 0; i < head; i++) h = Math.imul(h ^ bytes[start + i]!, 0x01000193);
  for (let i = Math.max(end - 4, start + head); i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

export interface ParseOptions {
  /** The BTF this one extends (split BTF, e.g. a kernel module's BTF over vmlinux). */
  base?: Btf;
}

/** One member of a struct or union as laid out in memory. */
export interface LayoutMember {
  name: string;
  type: number;
  typeName: string;
  /** Byte offset from the start of the outermost struct (rounded down for bitfields). */
  offset: number;
  bitOffset: number;
  /** Bitfield width in bits, 0 when not a bitfield. */
  bitfieldSize: number;
  /** Size in bytes of the member's type (of the storage type, for a bitfield). */
  size: number;
}

export interface StructLayout {
  id: number;
  name: string;
  kind: "struct" | "union";
  size: number;
  members: LayoutMember[];
}

/** Where a (possibly nested) member lives, as found by {@link Btf.member}. */
export type MemberLocation = LayoutMember;

export interface FunctionSignature {
  /** Name looked up (function, or typedef for tracepoints). */
  name: string;
  /** Id of the FUNC, or of the typedef when found through one (tp_btf targets are typedefs). */
  id: number;
  protoId: number;
  returnType: number;
  returnTypeName: string;
  params: { name: string; type: number; typeName: string }[];
  variadic: boolean;
}

interface NameIndex {
  buckets: Int32Array;
  next: Int32Array;
  mask: number;
}

export class Btf {
  /** The type section as u32 words (a view of the blob when alignment and byte order allow). */
  readonly #words: Uint32Array;
  readonly #strings: Buffer;
  /** Byte offsets, within the blob, of the type and string sections (for error reports). */
  readonly #typeSecStart: number;
  readonly #strSecStart: number;
  /** Word offset of local type i*STRIDE. */
  readonly #checkpoints: Uint32Array;
  /** String offsets below this belong to the base BTF. */
  readonly #strBase: number;
  /** The type section as bytes in host order (for native searches of u32 values). */
  readonly #typeBytes: Buffer;
  #lookups = 0;
  #index: NameIndex | undefined;
  readonly #memo = new Map<string, number[]>();

  /** The base of split BTF, if any. */
  readonly base: Btf | undefined;
  /** First type id defined by this blob (1, or the base's typeCount for split BTF). */
  readonly firstId: number;
  /** Number of type ids, void included: valid ids are 0 .. typeCount-1. */
  readonly typeCount: number;
  /** Total length of the string space (base included): the next string offset a split blob would use. */
  readonly stringsLength: number;
  /** True when the blob was big-endian (it was byte-swapped into a copy). */
  readonly bigEndian: boolean;

  private constructor(
    words: Uint32Array,
    strings: Buffer,
    typeSecStart: number,
    strSecStart: number,
    checkpoints: Uint32Array,
    count: number,
    base: Btf | undefined,
    bigEndian: boolean,
  ) {
    this.#words = words;
    this.#typeBytes = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
    this.#strings = strings;
    this.#typeSecStart = typeSecStart;
    this.#strSecStart = strSecStart;
    this.#checkpoints = checkpoints;
    this.base = base;
    this.#strBase = base ? base.stringsLength : 0;
    this.firstId = base ? base.typeCount : 1;
    this.typeCount = this.firstId + count;
    this.stringsLength = this.#strBase + strings.length;
    this.bigEndian = bigEndian;
  }

  /**
   * Parses a BTF blob (the .BTF section of an object file, /sys/kernel/btf/*, or what BtfBuilder
   * builds). The blob is kept by reference and never written; do not modify it afterwards.
   */
  static parse(blob: Uint8Array, options: ParseOptions = {}): Btf {
    const size = blob.length;
    if (size < 8) throw new BtfError(`truncated header: blob is ${size} bytes, a header needs ${BtfHeader.SIZE}`, 0);
    let littleEndian: boolean;
    if (blob[0] === (BTF_MAGIC & 0xff) && blob[1] === BTF_MAGIC >> 8) littleEndian = true;
    else if (blob[0] === BTF_MAGIC >> 8 && blob[1] === (BTF_MAGIC & 0xff)) littleEndian = false;
    else {
      const seen = ((blob[0]! | (blob[1]! << 8)) >>> 0).toString(16).padStart(4, "0");
      throw new BtfError(`bad magic 0x${seen} (expected 0x${BTF_MAGIC.toString(16)})`, 0);
    }
    const dv = new DataView(blob.buffer, blob.byteOffset, size);
    if (blob[BtfHeader.VERSION] !== BTF_VERSION) {
      throw new BtfError(`unsupported BTF version ${blob[BtfHeader.VERSION]}`, BtfHeader.VERSION);
    }
    const hdrLen = dv.getUint32(BtfHeader.HDR_LEN, littleEndian);
    if (size < BtfHeader.SIZE)
      throw new BtfError(`truncated header: blob is ${size} bytes, a header needs ${BtfHeader.SIZE}`, 0);
    if (hdrLen < BtfHeader.SIZE)
      throw new BtfError(`header length ${hdrLen} is shorter than ${BtfHeader.SIZE}`, BtfHeader.HDR_LEN);
    if (hdrLen > size)
      throw new BtfError(`header length ${hdrLen} exceeds the blob (${size} bytes)`, BtfHeader.HDR_LEN);
    const typeOff = dv.getUint32(BtfHeader.TYPE_OFF, littleEndian);
    const typeLen = dv.getUint32(BtfHeader.TYPE_LEN, littleEndian);
    const strOff = dv.getUint32(BtfHeader.STR_OFF, littleEndian);
    const strLen = dv.getUint32(BtfHeader.STR_LEN, littleEndian);
    const body = size - hdrLen;
    if (typeOff > body || typeLen > body - typeOff) {
      throw new BtfError(
        `type section [${typeOff}, +${typeLen}) lies outside the blob (${body} bytes after the header)`,
        BtfHeader.TYPE_OFF,
      );
    }
    if (strOff > body || strLen > body - strOff) {
      throw new BtfError(
        `string section [${strOff}, +${strLen}) lies outside the blob (${body} bytes after the header)`,
        BtfHeader.STR_OFF,
      );
    }
    if (typeOff % 4 !== 0)
      throw new BtfError(`type section offset ${typeOff} is not 4-byte aligned`, BtfHeader.TYPE_OFF);
    if (typeLen % 4 !== 0)
      throw new BtfError(`type section length ${typeLen} is not a multiple of 4`, BtfHeader.TYPE_LEN);

    const typeStart = hdrLen + typeOff;
    const strStart = hdrLen + strOff;
    const nWords = typeLen >>> 2;
    let words: Uint32Array;
    if (littleEndian === HOST_LITTLE_ENDIAN && (blob.byteOffset + typeStart) % 4 === 0) {
      words = new Uint32Array(blob.buffer, blob.byteOffset + typeStart, nWords);
    } else {
      // Foreign byte order or odd alignment: every field of the type section is a u32, so a
      // word-by-word copy is a complete conversion.
      words = new Uint32Array(nWords);
      for (let i = 0; i < nWords; i++) words[i] = dv.getUint32(typeStart + i * 4, littleEndian);
    }
    const strings = Buffer.from(blob.buffer, blob.byteOffset + strStart, strLen);

    // The one pass: validate record boundaries and kinds, remember every 16th offset.
    const checkpoints = new Uint32Array(Math.ceil(nWords / 3 / (STRIDE_MASK + 1)) + 1);
    const scanned = scanRecords(words, nWords, checkpoints);
    const w = scanned.w;
    const count = scanned.count;
    const firstId = options.base ? options.base.typeCount : 1;
    if (w < nWords && w + 3 <= nWords) {
      throw new BtfError(
        `unknown kind ${(words[w + 1]! >>> 24) & 0x1f} in type ${firstId + count}`,
        typeStart + w * 4 + 4,
      );
    }
    if (w < nWords) {
      throw new BtfError(`truncated type record: ${(nWords - w) * 4} bytes left, a record needs 12`, typeStart + w * 4);
    }
    if (w > nWords) {
      // Only the last record can overrun: every earlier one ended where the next began.
      let last = checkpoints[(count - 1) >>> STRIDE_SHIFT]!;
      for (let k = (count - 1) & STRIDE_MASK; k > 0; k--) last += recordWords(words[last + 1]!);
      const what =
        last + 3 > nWords
          ? `truncated type record: ${(nWords - last) * 4} bytes left, a record needs 12`
          : `type ${firstId + count - 1} (${kindName((words[last + 1]! >>> 24) & 0x1f)}) runs past the end of the type section`;
      throw new BtfError(what, typeStart + last * 4);
    }
    return new Btf(words, strings, typeStart, strStart, checkpoints, count, options.base, !littleEndian);
  }

  // ---- raw access ------------------------------------------------------------------------------

  #checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.typeCount) {
      throw new BtfError(`type id ${id} out of range (0 .. ${this.typeCount - 1})`);
    }
  }

  /** Word offset of a local type (id already checked to be local). */
  #wordOf(id: number): number {
    const i = id - this.firstId;
    const words = this.#words;
    let w = this.#checkpoints[i >>> STRIDE_SHIFT]!;
    for (let k = i & STRIDE_MASK; k > 0; k--) w += recordWords(words[w + 1]!);
    return w;
  }

  /** Numeric kind of a type (0 for void). */
  kindOf(id: number): number {
    if (id === 0) return 0;
    if (id < this.firstId && this.base) return this.base.kindOf(id);
    this.#checkId(id);
    return (this.#words[this.#wordOf(id) + 1]! >>> 24) & 0x1f;
  }

  /** Name of a type ("" for anonymous types and void), without decoding the rest of it. */
  nameOf(id: number): string {
    if (id === 0) return "";
    if (id < this.firstId && this.base) return this.base.nameOf(id);
    this.#checkId(id);
    const w = this.#wordOf(id);
    return this.#str(this.#words[w]!, this.#typeSecStart + w * 4);
  }

  /** The string at `offset` in the string section (base included for split BTF). */
  stringAt(offset: number): string {
    return this.#str(offset, undefined);
  }

  #str(offset: number, where: number | undefined): string {
    if (offset < this.#strBase) return this.base!.#str(offset, where);
    const rel = offset - this.#strBase;
    const strings = this.#strings;
    if (rel >= strings.length) {
      if (offset === 0) return ""; // an empty string section still names anonymous types
      throw new BtfError(`string offset ${offset} out of bounds (string space is ${this.stringsLength} bytes)`, where);
    }
    let end = strings.indexOf(0, rel);
    if (end < 0) end = strings.length;
    if (end === rel) return "";
    // utf8Slice skips toString()'s argument handling: 3x faster for these short names.
    return utf8Slice ? utf8Slice.call(strings, rel, end) : strings.toString("utf8", rel, end);
  }

  /** Whether the string at `offset` equals `needle` (bytes, no NUL). */
  #strEquals(offset: number, needle: Uint8Array): boolean {
    if (offset < this.#strBase) return this.base!.#strEquals(offset, needle);
    const rel = offset - this.#strBase;
    const strings = this.#strings;
    const n = needle.length;
    if (rel + n > strings.length) return false;
    for (let i = 0; i < n; i++) if (strings[rel + i] !== needle[i]) return false;
    return rel + n === strings.length || strings[rel + n] === 0;
  }

  #strKey(offset: number): number {
    if (offset < this.#strBase) return this.base!.#strKey(offset);
    const rel = offset - this.#strBase;
    const strings = this.#strings;
    if (rel >= strings.length) return 0;
    let end = strings.indexOf(0, rel);
    if (end < 0) end = strings.length;
    return nameKey(strings, rel, end);
  }

  // ---- decoding --------------------------------------------------------------------------------

  /** Decodes one type into an object. Throws BtfError for an unknown id or a bad string offset. */
  typeById(id: number): BtfType {
    if (id === 0) return { kind: "void", id: 0, name: "" };
    if (id < this.firstId && this.base) return this.base.typeById(id);
    this.#checkId(id);
    return this.#decode(id, this.#wordOf(id));
  }

  #decode(id: number, w: number): BtfType {
    const words = this.#words;
    const at = this.#typeSecStart + w * 4;
    const name = this.#str(words[w]!, at);
    const info = words[w + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const sizeOrType = words[w + 2]!;
    switch (kind) {
      case BtfKind.INT: {
        const data = words[w + 3]!;
        const enc = (data >>> 24) & 0x0f;
        return {
          kind: "int",
          id,
          name,
          size: sizeOrType,
          bits: data & 0xff,
          bitOffset: (data >>> 16) & 0xff,
          signed: (enc & 1) !== 0,
          char: (enc & 2) !== 0,
          bool: (enc & 4) !== 0,
        };
      }
      case BtfKind.PTR:
        return { kind: "ptr", id, name, type: sizeOrType };
      case BtfKind.ARRAY:
        return { kind: "array", id, name, type: words[w + 3]!, indexType: words[w + 4]!, nelems: words[w + 5]! };
      case BtfKind.STRUCT:
      case BtfKind.UNION: {
        const members: Member[] = new Array(vlen);
        for (let i = 0, m = w + 3; i < vlen; i++, m += 3) {
          const off = words[m + 2]!;
          members[i] = {
            name: this.#str(words[m]!, this.#typeSecStart + m * 4),
            type: words[m + 1]!,
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          };
        }
        return { kind: kind === BtfKind.STRUCT ? "struct" : "union", id, name, size: sizeOrType, members };
      }
      case BtfKind.ENUM: {
        const values = new Array<{ name: string; value: number }>(vlen);
        for (let i = 0, m = w + 3; i < vlen; i++, m += 2) {
          const raw = words[m + 1]!;
          values[i] = { name: this.#str(words[m]!, this.#typeSecStart + m * 4), value: kflag ? raw | 0 : raw };
        }
        return { kind: "enum", id, name, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.ENUM64: {
        const values = new Array<{ name: string; value: bigint }>(vlen);
        for (let i = 0, m = w + 3; i < vlen; i++, m += 3) {
          const raw = (BigInt(words[m + 2]!) << 32n) | BigInt(words[m + 1]!);
          values[i] = {
            name: this.#str(words[m]!, this.#typeSecStart + m * 4),
            value: kflag ? BigInt.asIntN(64, raw) : raw,
          };
        }
        return { kind: "enum64", id, name, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.FWD:
        return { kind: "fwd", id, name, union: kflag };
      case BtfKind.TYPEDEF:
        return { kind: "typedef", id, name, type: sizeOrType };
      case BtfKind.VOLATILE:
        return { kind: "volatile", id, name, type: sizeOrType };
      case BtfKind.CONST:
        return { kind: "const", id, name, type: sizeOrType };
      case BtfKind.RESTRICT:
        return { kind: "restrict", id, name, type: sizeOrType };
      case BtfKind.TYPE_TAG:
        return { kind: "type_tag", id, name, type: sizeOrType, attribute: kflag };
      case BtfKind.FUNC:
        return { kind: "func", id, name, type: sizeOrType, linkage: vlen };
      case BtfKind.FUNC_PROTO: {
        const params: { name: string; type: number }[] = [];
        let variadic = false;
        for (let i = 0, m = w + 3; i < vlen; i++, m += 2) {
          const pname = this.#str(words[m]!, this.#typeSecStart + m * 4);
          const ptype = words[m + 1]!;
          if (i === vlen - 1 && ptype === 0 && pname === "") variadic = true;
          else params.push({ name: pname, type: ptype });
        }
        return { kind: "func_proto", id, name, returnType: sizeOrType, params, variadic };
      }
      case BtfKind.VAR:
        return { kind: "var", id, name, type: sizeOrType, linkage: words[w + 3]! };
      case BtfKind.DATASEC: {
        const vars = new Array<{ type: number; offset: number; size: number }>(vlen);
        for (let i = 0, m = w + 3; i < vlen; i++, m += 3)
          vars[i] = { type: words[m]!, offset: words[m + 1]!, size: words[m + 2]! };
        return { kind: "datasec", id, name, size: sizeOrType, vars };
      }
      case BtfKind.FLOAT:
        return { kind: "float", id, name, size: sizeOrType };
      case BtfKind.DECL_TAG:
        return { kind: "decl_tag", id, name, type: sizeOrType, componentIdx: words[w + 3]! | 0, attribute: kflag };
      default:
        // parse() rejected unknown kinds; reaching this means the blob changed under us.
        throw new BtfError(`unknown kind ${kind} in type ${id}`, at + 4);
    }
  }

  /** Every type, decoded, in id order (void excluded, base types included). */
  *types(): IterableIterator<BtfType> {
    if (this.base) yield* this.base.types();
    const words = this.#words;
    let w = 0;
    for (let id = this.firstId; id < this.typeCount; id++) {
      yield this.#decode(id, w);
      w += recordWords(words[w + 1]!);
    }
  }

  /**
   * Decodes every type and checks what parse() leaves for later: string offsets, type references,
   * int encodings. Throws the first problem as a BtfError. Costs a full decode; meant for blobs
   * from untrusted sources, not for vmlinux on every start.
   */
  validate(): void {
    const words = this.#words;
    let w = 0;
    const ref = (t: number, id: number, at: number, what: string): void => {
      if (t >= this.typeCount)
        throw new BtfError(`type ${id}: ${what} refers to type ${t}, past the last id ${this.typeCount - 1}`, at);
    };
    for (let id = this.firstId; id < this.typeCount; id++, w += recordWords(words[w + 1]!)) {
      const at = this.#typeSecStart + w * 4;
      const t = this.#decode(id, w);
      switch (t.kind) {
        case "int":
          if (t.bits === 0 || t.bitOffset + t.bits > 128 || Math.ceil((t.bitOffset + t.bits) / 8) > t.size) {
            throw new BtfError(
              `type ${id}: int of ${t.size} bytes cannot hold ${t.bits} bits at bit ${t.bitOffset}`,
              at + 12,
            );
          }
          if ([t.signed, t.char, t.bool].filter(Boolean).length > 1)
            throw new BtfError(`type ${id}: int has more than one encoding flag`, at + 12);
          break;
        case "ptr":
        case "typedef":
        case "volatile":
        case "const":
        case "restrict":
        case "type_tag":
        case "var":
        case "decl_tag":
          ref(t.type, id, at + 8, "its target");
          if (t.kind === "decl_tag" && t.type === 0) throw new BtfError(`type ${id}: decl_tag applied to void`, at + 8);
          break;
        case "func":
          ref(t.type, id, at + 8, "its prototype");
          if (this.kindOf(t.type) !== BtfKind.FUNC_PROTO)
            throw new BtfError(`type ${id}: func ${t.name} does not point at a func_proto`, at + 8);
          break;
        case "array":
          ref(t.type, id, at + 12, "its element type");
          ref(t.indexType, id, at + 16, "its index type");
          break;
        case "struct":
        case "union":
          t.members.forEach((m, i) => ref(m.type, id, at + 12 + i * 12 + 4, `member ${m.name || i}`));
          break;
        case "func_proto":
          ref(t.returnType, id, at + 8, "its return type");
          t.params.forEach((p, i) => {
            ref(p.type, id, at + 12 + i * 8 + 4, `parameter ${p.name || i}`);
            if (p.type === 0) throw new BtfError(`type ${id}: parameter ${i} is void`, at + 12 + i * 8 + 4);
          });
          break;
        case "datasec":
          t.vars.forEach((v, i) => ref(v.type, id, at + 12 + i * 12, `variable ${i}`));
          break;
        default:
          break;
      }
    }
    if (this.#strings.length > 0 && this.#strings[this.#strings.length - 1] !== 0) {
      throw new BtfError("string section does not end with a NUL byte", this.#strSecStart + this.#strings.length - 1);
    }
  }

  // ---- names -----------------------------------------------------------------------------------

  /** Ids of the types called `name`, optionally only of one kind ("struct", BtfKind.STRUCT …). */
  findByName(name: string, kind?: BtfKindName | number): number[] {
    const out = this.base ? this.base.findByName(name, kind) : [];
    if (name === "" || name.includes("\0")) return out; // no BTF name is empty or holds a NUL

    const wantKind = kind === undefined ? -1 : kindNumber(kind);
    let ids = this.#memo.get(name);
    if (ids === undefined) {
      const needle = Buffer.from(name, "utf8");
      if (this.#index === undefined && ++this.#lookups > INDEX_AFTER_LOOKUPS) this.#index = this.#buildIndex();
      ids = this.#index ? this.#lookupIndex(this.#index, needle) : this.#search(needle);
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
      this.#memo.set(name, ids);
    }
    for (const id of ids) if (wantKind < 0 || this.kindOf(id) === wantKind) out.push(id);
    return out;
  }

  /**
   * Without an index: find the string's offsets in the string section, then the types whose
   * name_off holds one of them, both with Buffer.indexOf. Native searches take a millisecond or two
   * on vmlinux whether or not V8 has optimized anything yet, which a JavaScript scan does not.
   */
  #search(needle: Buffer): number[] {
    const offsets = this.#stringOffsets(needle);
    if (offsets.length === 0) return [];
    const ids: number[] = [];
    const key = new Uint32Array(1);
    const keyBytes = new Uint8Array(key.buffer);
    const types = this.#typeBytes;
    let budget = NATIVE_HIT_BUDGET;
    for (const off of offsets) {
      key[0] = off;
      for (let p = types.indexOf(keyBytes, 0); p >= 0; p = types.indexOf(keyBytes, p + 1)) {
        // Small offsets are also common sizes and bit offsets: past a thousand false hits, one
        // pass over the records is cheaper than more native calls.
        if (--budget < 0) return this.#scanNameOffsets(offsets);
        if ((p & 3) !== 0) continue;
        const id = this.#idAtWord(p >>> 2);
        if (id >= 0) ids.push(id);
      }
    }
    if (offsets.length > 1) ids.sort((x, y) => x - y);
    return ids;
  }

  /** Ids of the local types whose name_off is one of `offsets`, by walking every record. */
  #scanNameOffsets(offsets: readonly number[]): number[] {
    const words = this.#words;
    const ids: number[] = [];
    const single = offsets.length === 1 ? offsets[0]! : -1;
    let w = 0;
    for (let id = this.firstId, end = this.typeCount; id < end; id++) {
      const nameOff = words[w]!;
      if (nameOff === single || (single < 0 && offsets.includes(nameOff))) ids.push(id);
      w += recordWords(words[w + 1]!);
    }
    return ids;
  }

  /** Offsets (in the whole string space) of the strings equal to `needle`. */
  #stringOffsets(needle: Buffer): number[] {
    const out = this.base ? this.base.#stringOffsets(needle) : [];
    const strings = this.#strings;
    const n = needle.length;
    // A split blob's section may start with a string rather than with the empty one.
    if (strings.length > n && strings[n] === 0 && strings.compare(needle, 0, n, 0, n) === 0) out.push(this.#strBase);
    // "\0name\0" only matches whole strings, and its rarity keeps the native search fast.
    const pattern = Buffer.allocUnsafe(n + 2);
    pattern[0] = 0;
    needle.copy(pattern, 1);
    pattern[n + 1] = 0;
    for (let p = strings.indexOf(pattern, 0); p >= 0; p = strings.indexOf(pattern, p + 1))
      out.push(this.#strBase + p + 1);
    // A last string without its NUL (the kernel would refuse such a blob, but be exact anyway).
    const tail = strings.length - n;
    if (tail > 0 && strings[tail - 1] === 0 && strings.compare(needle, 0, n, tail, strings.length) === 0)
      out.push(this.#strBase + tail);
    return out;
  }

  /** The id of the local type whose record starts at word `wi`, or -1 if no record starts there. */
  #idAtWord(wi: number): number {
    const cps = this.#checkpoints;
    const count = this.typeCount - this.firstId;
    let lo = 0;
    let hi = (count - 1) >>> STRIDE_SHIFT;
    if (count === 0 || wi < cps[0]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cps[mid]! <= wi) lo = mid;
      else hi = mid - 1;
    }
    const words = this.#words;
    let w = cps[lo]!;
    let i = lo << STRIDE_SHIFT;
    const end = Math.min(count, i + STRIDE_MASK + 1);
    while (w < wi && i < end) {
      w += recordWords(words[w + 1]!);
      i++;
    }
    return w === wi && i < end ? this.firstId + i : -1;
  }

  #lookupIndex(index: NameIndex, needle: Buffer): number[] {
    const words = this.#words;
    const ids: number[] = [];
    for (let i = index.buckets[nameKey(needle, 0, needle.length) & index.mask]!; i !== 0; i = index.next[i]!) {
      const id = this.firstId + i - 1;
      if (this.#strEquals(words[this.#wordOf(id)]!, needle)) ids.push(id);
    }
    // Chains run from high ids to low ones (see #buildIndex).
    return ids.reverse();
  }

  /** The first type called `name` (of `kind`, if given), decoded; undefined when there is none. */
  findType(name: string, kind?: BtfKindName | number): BtfType | undefined {
    const ids = this.findByName(name, kind);
    return ids.length > 0 ? this.typeById(ids[0]!) : undefined;
  }

  #buildIndex(): NameIndex {
    const count = this.typeCount - this.firstId;
    let size = 1024;
    while (size < count) size <<= 1;
    const buckets = new Int32Array(size);
    const next = new Int32Array(count + 1);
    const mask = size - 1;
    const words = this.#words;
    let w = 0;
    let lastOff = 0;
    let lastBucket = 0;
    for (let i = 1; i <= count; i++) {
      const nameOff = words[w]!;
      if (nameOff !== 0) {
        // Deduplicated BTF often names neighbours alike (a struct and its typedef).
        const b = nameOff === lastOff ? lastBucket : this.#strKey(nameOff) & mask;
        lastOff = nameOff;
        lastBucket = b;
        next[i] = buckets[b]!;
        buckets[b] = i;
      }
      w += recordWords(words[w + 1]!);
    }
    return { buckets, next, mask };
  }

  // ---- type algebra ----------------------------------------------------------------------------

  /** Follows typedef/const/volatile/restrict/type_tag to the underlying type id. */
  resolve(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      if (id === 0) return 0;
      if (!isModifier(this.kindOf(id))) return id;
      id = this.#refTarget(id);
    }
    throw new BtfError(`type ${id}: reference chain longer than ${MAX_CHAIN} (a loop?)`);
  }

  /** The `type` field of a reference kind (ptr, typedef, modifiers, func, var, decl_tag). */
  #refTarget(id: number): number {
    if (id < this.firstId && this.base) return this.base.#refTarget(id);
    this.#checkId(id);
    return this.#words[this.#wordOf(id) + 2]!;
  }

  /** Size in bytes of a type. Throws BtfError for types without a size (void, func, fwd …). */
  sizeOf(id: number): number {
    let multiplier = 1;
    for (let n = 0; n < MAX_CHAIN; n++) {
      if (id === 0) throw new BtfError("void has no size");
      if (id < this.firstId && this.base) return multiplier * this.base.sizeOf(id);
      this.#checkId(id);
      const w = this.#wordOf(id);
      const kind = (this.#words[w + 1]! >>> 24) & 0x1f;
      switch (kind) {
        case BtfKind.INT:
        case BtfKind.ENUM:
        case BtfKind.ENUM64:
        case BtfKind.STRUCT:
        case BtfKind.UNION:
        case BtfKind.FLOAT:
        case BtfKind.DATASEC:
          return multiplier * this.#words[w + 2]!;
        case BtfKind.PTR:
          return multiplier * POINTER_SIZE;
        case BtfKind.ARRAY:
          multiplier *= this.#words[w + 5]!;
          id = this.#words[w + 3]!;
          break;
        case BtfKind.TYPEDEF:
        case BtfKind.VOLATILE:
        case BtfKind.CONST:
        case BtfKind.RESTRICT:
        case BtfKind.TYPE_TAG:
        case BtfKind.VAR:
          id = this.#words[w + 2]!;
          break;
        default:
          throw new BtfError(`type ${id} (${kindName(kind)} ${this.nameOf(id) || "<anon>"}) has no size`);
      }
    }
    throw new BtfError(`type ${id}: reference chain longer than ${MAX_CHAIN} (a loop?)`);
  }

  /** The type formatted as C would spell it in a cast: `struct sock *`, `char[16]`, `int (*)(void *)`. */
  typeName(id: number): string {
    return this.#declarator(id, "", 0);
  }

  #declarator(id: number, inner: string, depth: number): string {
    if (depth > MAX_CHAIN) throw new BtfError(`type ${id}: reference chain longer than ${MAX_CHAIN} (a loop?)`);
    const join = (base: string): string => (inner === "" ? base : inner[0] === "[" ? base + inner : `${base} ${inner}`);
    if (id === 0) return join("void");
    if (id < this.firstId && this.base) return this.base.#declarator(id, inner, depth);
    this.#checkId(id);
    // Raw words instead of typeById(): naming a struct must not decode its members.
    const words = this.#words;
    const w = this.#wordOf(id);
    const info = words[w + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const name = (): string => this.#str(words[w]!, this.#typeSecStart + w * 4);
    const target = words[w + 2]!;
    switch (kind) {
      case BtfKind.INT:
      case BtfKind.FLOAT:
      case BtfKind.TYPEDEF:
        return join(name());
      case BtfKind.STRUCT:
        return join(`struct ${name() || "{...}"}`);
      case BtfKind.UNION:
        return join(`union ${name() || "{...}"}`);
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
        return join(`enum ${name() || "{...}"}`);
      case BtfKind.FWD:
        return join(`${info >>> 31 ? "union" : "struct"} ${name()}`);
      case BtfKind.PTR: {
        const targetKind = target === 0 ? 0 : this.kindOf(target);
        const wrapped = targetKind === BtfKind.ARRAY || targetKind === BtfKind.FUNC_PROTO ? `(*${inner})` : `*${inner}`;
        return this.#declarator(target, wrapped, depth + 1);
      }
      case BtfKind.CONST:
      case BtfKind.VOLATILE:
      case BtfKind.RESTRICT: {
        const qualifier = kind === BtfKind.CONST ? "const" : kind === BtfKind.VOLATILE ? "volatile" : "restrict";
        // A qualified pointer is spelled after the star (`char *const`); anything else before.
        if (target !== 0 && this.kindOf(target) === BtfKind.PTR) {
          return this.#declarator(target, inner === "" ? qualifier : `${qualifier} ${inner}`, depth + 1);
        }
        return `${qualifier} ${this.#declarator(target, inner, depth + 1)}`;
      }
      case BtfKind.TYPE_TAG:
      case BtfKind.DECL_TAG:
        return this.#declarator(target, inner, depth + 1);
      case BtfKind.ARRAY:
        return this.#declarator(words[w + 3]!, `${inner}[${words[w + 5]!}]`, depth + 1);
      case BtfKind.FUNC_PROTO: {
        const vlen = info & 0xffff;
        const params: string[] = [];
        for (let i = 0, m = w + 3; i < vlen; i++, m += 2) {
          const ptype = words[m + 1]!;
          if (i === vlen - 1 && ptype === 0 && words[m] === 0) params.push("...");
          else params.push(this.#declarator(ptype, "", depth + 1));
        }
        return this.#declarator(target, `${inner}(${params.length ? params.join(", ") : "void"})`, depth + 1);
      }
      case BtfKind.FUNC:
      case BtfKind.VAR: {
        const n = name();
        return this.#declarator(target, inner === "" ? n : `${n} ${inner}`, depth + 1);
      }
      case BtfKind.DATASEC:
        return join(`SEC("${name()}")`);
      default:
        throw new BtfError(`unknown kind ${kind} in type ${id}`, this.#typeSecStart + w * 4 + 4);
    }
  }

  // ---- structs ---------------------------------------------------------------------------------

  /** A struct or union by id, or by name ("sock", "struct sock", "union bpf_attr", or a typedef). */
  #composite(root: string | number): StructType {
    let id: number | undefined;
    if (typeof root === "number") {
      id = this.resolve(root);
    } else {
      let name = root.trim();
      let kinds: number[] = [BtfKind.STRUCT, BtfKind.UNION];
      if (name.startsWith("struct ")) {
        kinds = [BtfKind.STRUCT];
        name = name.slice(7).trim();
      } else if (name.startsWith("union ")) {
        kinds = [BtfKind.UNION];
        name = name.slice(6).trim();
      }
      for (const k of kinds) {
        const ids = this.findByName(name, k);
        if (ids.length > 0) {
          id = ids[0];
          break;
        }
      }
      if (id === undefined && kinds.length === 2) {
        const td = this.findByName(name, BtfKind.TYPEDEF);
        if (td.length > 0) id = this.resolve(td[0]!);
      }
      if (id === undefined) throw new BtfError(`no struct or union named ${JSON.stringify(root)}`);
    }
    const t = this.typeById(id);
    if (t.kind !== "struct" && t.kind !== "union") {
      throw new BtfError(
        `type ${id} (${typeof root === "string" ? root : this.typeName(root)}) is a ${t.kind}, not a struct or union`,
      );
    }
    return t;
  }

  #layoutMember(m: Member, baseBits: number): LayoutMember {
    const bitOffset = baseBits + m.bitOffset;
    let size = 0;
    try {
      size = this.sizeOf(m.type);
    } catch (e) {
      if (!(e instanceof BtfError)) throw e;
    }
    return {
      name: m.name,
      type: m.type,
      typeName: this.typeName(m.type),
      offset: Math.floor(bitOffset / 8),
      bitOffset,
      bitfieldSize: m.bitfieldSize,
      size,
    };
  }

  /** The members of a struct or union with their offsets and sizes (anonymous members as they are). */
  structLayout(root: string | number): StructLayout {
    const t = this.#composite(root);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      size: t.size,
      members: t.members.map((m) => this.#layoutMember(m, 0)),
    };
  }

  /**
   * Finds a member by path, e.g. `"__sk_common.skc_dport"` in `struct sock`. Members of anonymous
   * structs and unions are found as if they were direct members (as in C); `name[i]` indexes arrays.
   * Offsets are from the start of the root struct.
   */
  member(root: string | number, path: string): MemberLocation {
    let current: StructType = this.#composite(root);
    let bits = 0;
    let found: LayoutMember | undefined;
    const parts = path.split(".");
    for (let p = 0; p < parts.length; p++) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(parts[p]!.trim());
      if (!match) throw new BtfError(`bad member path ${JSON.stringify(path)} at ${JSON.stringify(parts[p])}`);
      const hit = this.#findMember(current, match[1]!, 0);
      if (!hit) {
        throw new BtfError(
          `${current.kind} ${current.name || "<anon>"} has no member ${JSON.stringify(match[1])} (path ${JSON.stringify(path)})`,
        );
      }
      bits += hit.bits;
      let type = hit.member.type;
      let bitfieldSize = hit.member.bitfieldSize;
      for (const idx of match[2]!.match(/\d+/g) ?? []) {
        const arr = this.typeById(this.resolve(type));
        if (arr.kind !== "array")
          throw new BtfError(`member ${match[1]} in path ${JSON.stringify(path)} is not an array`);
        const index = Number(idx);
        if (arr.nelems !== 0 && index >= arr.nelems)
          throw new BtfError(`index ${index} out of bounds for ${this.typeName(type)} in path ${JSON.stringify(path)}`);
        bits += index * this.sizeOf(arr.type) * 8;
        type = arr.type;
        bitfieldSize = 0;
      }
      found = this.#layoutMember({ name: match[1]!, type, bitOffset: 0, bitfieldSize }, bits);
      if (p < parts.length - 1) {
        const next = this.typeById(this.resolve(type));
        if (next.kind !== "struct" && next.kind !== "union") {
          throw new BtfError(
            `member ${match[1]} (${this.typeName(type)}) in path ${JSON.stringify(path)} is not a struct or union`,
          );
        }
        current = next;
      }
    }
    return found!;
  }

  /** Byte offset of a (nested) member from the start of `root`; see member(). */
  memberOffset(root: string | number, path: string): number {
    return this.member(root, path).offset;
  }

  /** Depth-first search of `name`, descending into anonymous struct/union members. */
  #findMember(t: StructType, name: string, depth: number): { member: Member; bits: number } | undefined {
    if (depth > 32) throw new BtfError(`struct ${t.name || "<anon>"}: anonymous members nested too deep (a loop?)`);
    for (const m of t.members) if (m.name === name) return { member: m, bits: m.bitOffset };
    for (const m of t.members) {
      if (m.name !== "") continue;
      const inner = this.typeById(this.resolve(m.type));
      if (inner.kind !== "struct" && inner.kind !== "union") continue;
      const hit = this.#findMember(inner, name, depth + 1);
      if (hit) return { member: hit.member, bits: m.bitOffset + hit.bits };
    }
    return undefined;
  }

  // ---- functions, tracepoints, enums -----------------------------------------------------------

  #signature(name: string, id: number, protoId: number): FunctionSignature {
    const proto = this.typeById(protoId) as FuncProtoType;
    return {
      name,
      id,
      protoId,
      returnType: proto.returnType,
      returnTypeName: this.typeName(proto.returnType),
      params: proto.params.map((p) => ({ name: p.name, type: p.type, typeName: this.typeName(p.type) })),
      variadic: proto.variadic,
    };
  }

  /**
   * The prototype of a function: a FUNC called `name`, or a typedef of a function pointer (how the
   * kernel describes tracepoints: `btf_trace_<event>`). Undefined when there is neither.
   */
  funcProto(name: string): FunctionSignature | undefined {
    for (const id of this.findByName(name, BtfKind.FUNC)) {
      const protoId = this.#refTarget(id);
      if (this.kindOf(protoId) === BtfKind.FUNC_PROTO) return this.#signature(name, id, protoId);
    }
    for (const id of this.findByName(name, BtfKind.TYPEDEF)) {
      let target = this.resolve(id);
      if (target !== 0 && this.kindOf(target) === BtfKind.PTR) target = this.resolve(this.#refTarget(target));
      if (target !== 0 && this.kindOf(target) === BtfKind.FUNC_PROTO) return this.#signature(name, id, target);
    }
    return undefined;
  }

  /**
   * A BTF tracepoint (tp_btf / raw_tp) by event name, e.g. "sched_process_exec". `id` is the id of
   * the `btf_trace_<event>` typedef (the attach_btf_id for tp_btf); `params` are the arguments the
   * program sees, without the tracepoint's leading `void *__data`.
   */
  tracepoint(event: string): FunctionSignature | undefined {
    const sig = this.funcProto(`btf_trace_${event}`);
    if (!sig) return undefined;
    return { ...sig, params: sig.params.slice(1) };
  }

  /**
   * The value of enumerator `valueName` in enum `enumName` (enum or enum64), or in any enum when
   * `enumName` is null (many kernel constants live in anonymous enums). Numbers when they fit in a
   * double exactly, else bigint; undefined when not found.
   */
  enumValue(enumName: string | null, valueName: string): number | bigint | undefined {
    const ids =
      enumName === null
        ? this.#allEnums()
        : [...this.findByName(enumName, BtfKind.ENUM), ...this.findByName(enumName, BtfKind.ENUM64)];
    for (const id of ids) {
      const t = this.typeById(id);
      if (t.kind === "enum") {
        const v = t.values.find((x) => x.name === valueName);
        if (v) return v.value;
      } else if (t.kind === "enum64") {
        const v = t.values.find((x) => x.name === valueName);
        if (v)
          return v.value >= -BigInt(Number.MAX_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(v.value)
            : v.value;
      }
    }
    return undefined;
  }

  #allEnums(): number[] {
    const out = this.base ? this.base.#allEnums() : [];
    const words = this.#words;
    let w = 0;
    for (let id = this.firstId; id < this.typeCount; id++) {
      const kind = (words[w + 1]! >>> 24) & 0x1f;
      if (kind === BtfKind.ENUM || kind === BtfKind.ENUM64) out.push(id);
      w += recordWords(words[w + 1]!);
    }
    return out;
  }

  /** The variables of a DATASEC by section name (".data", ".bss", ".rodata" …). */
  datasec(name: string): DatasecType | undefined {
    const t = this.findType(name, BtfKind.DATASEC);
    return t?.kind === "datasec" ? t : undefined;
  }
}
