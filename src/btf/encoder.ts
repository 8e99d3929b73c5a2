// Building BTF blobs: types are added one at a time and get consecutive ids; build() writes the
// header, the type section and a deduplicated string section, ready for BPF_BTF_LOAD.
// The builder stores each type in the same shape the decoder returns, so a round trip is an
// identity (tests rely on this).
import type { Btf } from "./decoder.js";
import {
  BtfError,
  BtfHeader,
  BtfKind,
  BTF_MAGIC,
  BTF_MAX_NAME_OFFSET,
  BTF_MAX_TYPE,
  BTF_MAX_VLEN,
  BTF_VERSION,
  FuncLinkage,
  IntEncoding,
  VarLinkage,
  intData,
  makeInfo,
  memberOffsetWord,
  type BtfType,
  type Enum64Value,
  type EnumValue,
  type Member,
  type Param,
  type VarSecinfo,
} from "./kinds.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Section names (DATASEC) may also contain dots, as in ".data" or ".rodata.str1.1". */
const SECTION_NAME = /^[A-Za-z0-9_.]+$/;
const MAX_CHAIN = 128;

export interface IntOptions {
  signed?: boolean;
  char?: boolean;
  bool?: boolean;
  /** Value bits (default size*8). */
  bits?: number;
  /** Bit offset of the value within the storage (default 0). */
  bitOffset?: number;
}

export interface MemberSpec {
  name: string;
  type: number;
  /** Offset from the start of the struct in bits. */
  bitOffset: number;
  /** Bitfield width; omit or 0 for an ordinary member. */
  bitfieldSize?: number;
}

export interface FieldSpec {
  /** "" for an anonymous member (e.g. an anonymous union). */
  name: string;
  type: number;
  /** Make the field a bitfield of this many bits. */
  bits?: number;
}

export interface CStructOptions {
  union?: boolean;
  /** No padding between members and alignment 1, like __attribute__((packed)). */
  packed?: boolean;
}

export interface BuilderOptions {
  /** Build split BTF over `base`: ids and string offsets continue after the base's. */
  base?: Btf;
}

type Entry = Exclude<BtfType, { kind: "void" }>;

function checkName(name: string, what: string, pattern: RegExp = IDENTIFIER, optional = false): void {
  if (name === "" && optional) return;
  if (!pattern.test(name)) throw new BtfError(`invalid ${what} name ${JSON.stringify(name)}`);
}

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new BtfError(`${what} ${value} is not a u32`);
}

/** Standard C names of the integer types stdInt() creates. */
const STD_INT_NAMES: Record<number, [unsigned: string, signed: string]> = {
  1: ["unsigned char", "signed char"],
  2: ["unsigned short", "short"],
  4: ["unsigned int", "int"],
  8: ["unsigned long long", "long long"],
  16: ["unsigned __int128", "__int128"],
};

export class BtfBuilder {
  readonly #types: Entry[] = [];
  readonly #strings: string[] = [""];
  readonly #stringOffsets = new Map<string, number>([["", 0]]);
  #stringBytes = 1;
  readonly #stdInts = new Map<string, number>();
  /** Alignments the C layout helper chose for its structs (explicit structs compute theirs). */
  readonly #alignments = new Map<number, number>();
  #arrayIndexType = 0;
  readonly base: Btf | undefined;
  readonly firstId: number;
  readonly #strBase: number;

  constructor(options: BuilderOptions = {}) {
    this.base = options.base;
    this.firstId = options.base ? options.base.typeCount : 1;
    this.#strBase = options.base ? options.base.stringsLength : 0;
  }

  /** The id the next added type will get. */
  get nextId(): number {
    return this.firstId + this.#types.length;
  }

  /** Adds a string (deduplicated) and returns its offset in the string section. */
  addString(s: string): number {
    let off = this.#stringOffsets.get(s);
    if (off === undefined) {
      if (s.includes("\0")) throw new BtfError(`string ${JSON.stringify(s)} contains a NUL byte`);
      off = this.#strBase + this.#stringBytes;
      if (off > BTF_MAX_NAME_OFFSET) throw new BtfError(`string section too large (offset ${off})`);
      this.#strings.push(s);
      this.#stringOffsets.set(s, off);
      this.#stringBytes += Buffer.byteLength(s, "utf8") + 1;
    }
    return off;
  }

  #add(t: Entry): number {
    const id = this.nextId;
    if (id > BTF_MAX_TYPE) throw new BtfError(`too many types (max id ${BTF_MAX_TYPE})`);
    t.id = id;
    this.#types.push(t);
    this.addString(t.name);
    return id;
  }

  /** The stored description of a type added to this builder. */
  get(id: number): BtfType {
    if (id === 0) return { kind: "void", id: 0, name: "" };
    const t = this.#types[id - this.firstId];
    if (!t) {
      if (this.base && id < this.firstId) return this.base.typeById(id);
      throw new BtfError(`type id ${id} does not exist (next id is ${this.nextId})`);
    }
    return t;
  }

  // ---- kinds ---------------------------------------------------------------------------------

  addInt(name: string, size: number, options: IntOptions = {}): number {
    if (name === "") throw new BtfError("an int needs a name");
    if (![1, 2, 4, 8, 16].includes(size)) throw new BtfError(`int ${name}: size ${size} is not 1, 2, 4, 8 or 16`);
    const bits = options.bits ?? size * 8;
    const bitOffset = options.bitOffset ?? 0;
    if (bits < 1 || bitOffset < 0 || bitOffset + bits > size * 8)
      throw new BtfError(`int ${name}: ${bits} bits at bit ${bitOffset} do not fit in ${size} bytes`);
    const flags = [options.signed, options.char, options.bool].filter(Boolean).length;
    if (flags > 1)
      throw new BtfError(`int ${name}: signed, char and bool are exclusive (the kernel accepts one encoding)`);
    return this.#add({
      kind: "int",
      id: 0,
      name,
      size,
      bits,
      bitOffset,
      signed: options.signed ?? false,
      char: options.char ?? false,
      bool: options.bool ?? false,
    });
  }

  /** A standard C integer type of `size` bytes, added once and reused. */
  stdInt(size: 1 | 2 | 4 | 8 | 16, signed = false): number {
    const names = STD_INT_NAMES[size];
    if (!names) throw new BtfError(`no standard integer of ${size} bytes`);
    const name = signed ? names[1] : names[0];
    let id = this.#stdInts.get(name);
    if (id === undefined) {
      id = this.addInt(name, size, { signed });
      this.#stdInts.set(name, id);
    }
    return id;
  }

  addPtr(type: number): number {
    return this.#add({ kind: "ptr", id: 0, name: "", type });
  }

  /** An array of `nelems` elements; the index type defaults to a 4-byte unsigned int. */
  addArray(type: number, nelems: number, indexType?: number): number {
    checkU32(nelems, "array length");
    if (indexType === undefined) {
      // Clang names this int __ARRAY_SIZE_TYPE__; the kernel only needs a regular int.
      if (this.#arrayIndexType === 0) this.#arrayIndexType = this.addInt("__ARRAY_SIZE_TYPE__", 4);
      indexType = this.#arrayIndexType;
    }
    return this.#add({ kind: "array", id: 0, name: "", type, indexType, nelems });
  }

  #composite(kind: "struct" | "union", name: string, size: number, members: readonly MemberSpec[]): number {
    checkName(name, kind, IDENTIFIER, true);
    checkU32(size, `${kind} ${name} size`);
    const id = this.#add({ kind, id: 0, name, size, members: [] });
    this.setMembers(id, members);
    return id;
  }

  /** A struct with explicit member offsets (in bits). Members may be set later with setMembers(). */
  addStruct(name: string, size: number, members: readonly MemberSpec[] = []): number {
    return this.#composite("struct", name, size, members);
  }

  addUnion(name: string, size: number, members: readonly MemberSpec[] = []): number {
    return this.#composite("union", name, size, members);
  }

  /** (Re)sets the members of a struct or union: lets a struct refer to itself through a pointer. */
  setMembers(id: number, members: readonly MemberSpec[]): void {
    const t = this.#own(id);
    if (t.kind !== "struct" && t.kind !== "union")
      throw new BtfError(`type ${id} is a ${t.kind}, not a struct or union`);
    if (members.length > BTF_MAX_VLEN) throw new BtfError(`${t.kind} ${t.name}: too many members (${members.length})`);
    t.members = members.map((m): Member => {
      checkName(m.name, "member", IDENTIFIER, true);
      const bitfieldSize = m.bitfieldSize ?? 0;
      if (bitfieldSize < 0 || bitfieldSize > 255)
        throw new BtfError(`member ${m.name}: bitfield of ${bitfieldSize} bits`);
      if (m.bitOffset < 0 || m.bitOffset > (bitfieldSize ? 0xffffff : 0xffff_ffff))
        throw new BtfError(`member ${m.name}: bit offset ${m.bitOffset} out of range`);
      return { name: m.name, type: m.type, bitOffset: m.bitOffset, bitfieldSize };
    });
    for (const m of t.members) this.addString(m.name);
  }

  /**
   * A struct (or union) laid out the way a C compiler does on a 64-bit target: each member at the
   * next multiple of its alignment, bitfields packed into units of their type, size rounded up to
   * the largest alignment. Returns the id; sizeOf()/alignOf() report the result.
   */
  addCStruct(name: string, fields: readonly FieldSpec[], options: CStructOptions = {}): number {
    const union = options.union === true;
    const packed = options.packed === true;
    const members: MemberSpec[] = [];
    let bit = 0; // next free bit (struct) / largest extent (union)
    let align = 1;
    for (const f of fields) {
      const size = this.sizeOf(f.type);
      const fieldAlign = packed ? 1 : this.alignOf(f.type);
      align = Math.max(align, fieldAlign);
      if (f.bits !== undefined) {
        const unitBits = size * 8;
        if (f.bits < 0 || f.bits > unitBits)
          throw new BtfError(`field ${f.name}: ${f.bits} bits do not fit its ${size}-byte type`);
        let at = union ? 0 : bit;
        // A bitfield that would straddle a unit of its type starts the next unit (zero-width
        // bitfields just align), unless packed.
        if (!packed && (f.bits === 0 || Math.floor(at / unitBits) !== Math.floor((at + f.bits - 1) / unitBits))) {
          at = Math.ceil(at / (fieldAlign * 8)) * fieldAlign * 8;
        }
        if (f.bits > 0) members.push({ name: f.name, type: f.type, bitOffset: at, bitfieldSize: f.bits });
        bit = union ? Math.max(bit, f.bits) : at + f.bits;
      } else {
        const at = union ? 0 : Math.ceil(bit / (fieldAlign * 8)) * fieldAlign * 8;
        members.push({ name: f.name, type: f.type, bitOffset: at });
        bit = union ? Math.max(bit, size * 8) : at + size * 8;
      }
    }
    const size = Math.ceil(Math.ceil(bit / 8) / align) * align;
    const id = this.#composite(union ? "union" : "struct", name, size, members);
    this.#alignments.set(id, align);
    return id;
  }

  addEnum(
    name: string,
    values: readonly EnumValue[],
    options: { size?: 1 | 2 | 4 | 8; signed?: boolean } = {},
  ): number {
    checkName(name, "enum", IDENTIFIER, true);
    const size = options.size ?? 4;
    if (![1, 2, 4, 8].includes(size)) throw new BtfError(`enum ${name}: size ${size} is not 1, 2, 4 or 8`);
    if (values.length > BTF_MAX_VLEN) throw new BtfError(`enum ${name}: too many values (${values.length})`);
    const signed = options.signed ?? values.some((v) => v.value < 0);
    const copy = values.map((v) => {
      checkName(v.name, "enumerator");
      if (!Number.isInteger(v.value) || v.value < -0x8000_0000 || v.value > 0xffff_ffff)
        throw new BtfError(`enumerator ${v.name}: ${v.value} does not fit 32 bits (use addEnum64)`);
      if (signed && v.value > 0x7fff_ffff)
        throw new BtfError(`enumerator ${v.name}: ${v.value} does not fit a signed 32-bit enum`);
      if (!signed && v.value < 0)
        throw new BtfError(`enumerator ${v.name}: ${v.value} is negative in an unsigned enum`);
      this.addString(v.name);
      return { name: v.name, value: v.value };
    });
    return this.#add({ kind: "enum", id: 0, name, size, signed, values: copy });
  }

  addEnum64(
    name: string,
    values: readonly Enum64Value[],
    options: { size?: 1 | 2 | 4 | 8; signed?: boolean } = {},
  ): number {
    checkName(name, "enum", IDENTIFIER, true);
    const size = options.size ?? 8;
    if (![1, 2, 4, 8].includes(size)) throw new BtfError(`enum64 ${name}: size ${size} is not 1, 2, 4 or 8`);
    if (values.length > BTF_MAX_VLEN) throw new BtfError(`enum64 ${name}: too many values (${values.length})`);
    const signed = options.signed ?? values.some((v) => v.value < 0n);
    const copy = values.map((v) => {
      checkName(v.name, "enumerator");
      const ok = signed ? BigInt.asIntN(64, v.value) === v.value : BigInt.asUintN(64, v.value) === v.value;
      if (!ok)
        throw new BtfError(
          `enumerator ${v.name}: ${v.value} does not fit a ${signed ? "signed" : "unsigned"} 64-bit enum`,
        );
      this.addString(v.name);
      return { name: v.name, value: v.value };
    });
    return this.#add({ kind: "enum64", id: 0, name, size, signed, values: copy });
  }

  /** A forward declaration: `struct name;` (or `union name;`). */
  addFwd(name: string, options: { union?: boolean } = {}): number {
    checkName(name, "fwd");
    return this.#add({ kind: "fwd", id: 0, name, union: options.union === true });
  }

  addTypedef(name: string, type: number): number {
    checkName(name, "typedef");
    return this.#add({ kind: "typedef", id: 0, name, type });
  }

  addConst(type: number): number {
    return this.#add({ kind: "const", id: 0, name: "", type });
  }
  addVolatile(type: number): number {
    return this.#add({ kind: "volatile", id: 0, name: "", type });
  }
  addRestrict(type: number): number {
    return this.#add({ kind: "restrict", id: 0, name: "", type });
  }

  /** A type tag (`__attribute__((btf_type_tag("name")))`); the kernel wants it right under a pointer. */
  addTypeTag(name: string, type: number, options: { attribute?: boolean } = {}): number {
    if (name === "") throw new BtfError("a type tag needs a name");
    return this.#add({ kind: "type_tag", id: 0, name, type, attribute: options.attribute === true });
  }

  /** A declaration tag on a struct/union/var/func/typedef, or on member/parameter `componentIdx`. */
  addDeclTag(name: string, type: number, componentIdx = -1, options: { attribute?: boolean } = {}): number {
    if (name === "") throw new BtfError("a decl tag needs a name");
    if (!Number.isInteger(componentIdx) || componentIdx < -1)
      throw new BtfError(`decl tag ${name}: bad component index ${componentIdx}`);
    return this.#add({ kind: "decl_tag", id: 0, name, type, componentIdx, attribute: options.attribute === true });
  }

  /** A function prototype. Parameter names are optional; `variadic` adds the trailing `...`. */
  addFuncProto(
    returnType: number,
    params: readonly { name?: string; type: number }[],
    options: { variadic?: boolean } = {},
  ): number {
    if (params.length + (options.variadic ? 1 : 0) > BTF_MAX_VLEN)
      throw new BtfError(`too many parameters (${params.length})`);
    const copy = params.map((p, i): Param => {
      checkName(p.name ?? "", "parameter", IDENTIFIER, true);
      if (p.type === 0) throw new BtfError(`parameter ${p.name || i} is void`);
      this.addString(p.name ?? "");
      return { name: p.name ?? "", type: p.type };
    });
    return this.#add({
      kind: "func_proto",
      id: 0,
      name: "",
      returnType,
      params: copy,
      variadic: options.variadic === true,
    });
  }

  addFunc(name: string, proto: number, linkage: FuncLinkage = FuncLinkage.STATIC): number {
    checkName(name, "function");
    if (![0, 1, 2].includes(linkage)) throw new BtfError(`function ${name}: bad linkage ${linkage}`);
    return this.#add({ kind: "func", id: 0, name, type: proto, linkage });
  }

  addVar(name: string, type: number, linkage: VarLinkage = VarLinkage.GLOBAL_ALLOCATED): number {
    checkName(name, "variable");
    if (![0, 1, 2].includes(linkage)) throw new BtfError(`variable ${name}: bad linkage ${linkage}`);
    return this.#add({ kind: "var", id: 0, name, type, linkage });
  }

  /** A data section: its variables with their offsets and sizes (sorted by offset, as the kernel wants). */
  addDatasec(name: string, size: number, vars: readonly VarSecinfo[]): number {
    checkName(name, "section", SECTION_NAME);
    checkU32(size, `section ${name} size`);
    if (vars.length > BTF_MAX_VLEN) throw new BtfError(`section ${name}: too many variables`);
    const copy = vars
      .map((v) => ({ type: v.type, offset: v.offset, size: v.size }))
      .sort((a, b) => a.offset - b.offset);
    return this.#add({ kind: "datasec", id: 0, name, size, vars: copy });
  }

  addFloat(name: string, size: 2 | 4 | 8 | 12 | 16): number {
    if (name === "") throw new BtfError("a float needs a name");
    if (![2, 4, 8, 12, 16].includes(size)) throw new BtfError(`float ${name}: size ${size} is not 2, 4, 8, 12 or 16`);
    return this.#add({ kind: "float", id: 0, name, size });
  }

  // ---- sizes -------------------------------------------------------------------------------------

  #own(id: number): Entry {
    const t = this.#types[id - this.firstId];
    if (!t) throw new BtfError(`type id ${id} is not defined in this builder`);
    return t;
  }

  /** Size in bytes of a type added so far (or of a base type). */
  sizeOf(id: number): number {
    let multiplier = 1;
    for (let n = 0; n < MAX_CHAIN; n++) {
      if (id !== 0 && id < this.firstId && this.base) return multiplier * this.base.sizeOf(id);
      const t = this.get(id);
      switch (t.kind) {
        case "int":
        case "enum":
        case "enum64":
        case "struct":
        case "union":
        case "float":
        case "datasec":
          return multiplier * t.size;
        case "ptr":
          return multiplier * 8;
        case "array":
          multiplier *= t.nelems;
          id = t.type;
          break;
        case "typedef":
        case "const":
        case "volatile":
        case "restrict":
        case "type_tag":
        case "var":
          id = t.type;
          break;
        default:
          throw new BtfError(`type ${id} (${t.kind}) has no size`);
      }
    }
    throw new BtfError(`type ${id}: reference chain too long (a loop?)`);
  }

  /** Natural alignment on a 64-bit target. */
  alignOf(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      const own = this.#alignments.get(id);
      if (own !== undefined) return own;
      if (id !== 0 && id < this.firstId && this.base) return guessAlignFromBase(this.base, id);
      const t = this.get(id);
      switch (t.kind) {
        case "int":
        case "enum":
        case "enum64":
          return Math.min(t.size, 16);
        case "float":
          return t.size === 12 ? 4 : Math.min(t.size, 16);
        case "ptr":
          return 8;
        case "array":
        case "typedef":
        case "const":
        case "volatile":
        case "restrict":
        case "type_tag":
        case "var":
          id = t.type;
          break;
        case "struct":
        case "union": {
          let align = 1;
          for (const m of t.members) align = Math.max(align, this.alignOf(m.type));
          // A struct whose size is not a multiple of its members' alignment must be packed.
          return t.size % align === 0 ? align : 1;
        }
        default:
          throw new BtfError(`type ${id} (${t.kind}) has no alignment`);
      }
    }
    throw new BtfError(`type ${id}: reference chain too long (a loop?)`);
  }

  // ---- output ------------------------------------------------------------------------------------

  /** Writes the blob: header, type section, string section (little-endian). */
  build(): Buffer {
    const next = this.nextId;
    const ref = (t: Entry, target: number, what: string): number => {
      if (!Number.isInteger(target) || target < 0 || target >= next) {
        throw new BtfError(
          `type ${t.id} (${t.kind} ${t.name || "<anon>"}): ${what} refers to type ${target}, which does not exist`,
        );
      }
      return target;
    };
    const name = (s: string): number => {
      const off = this.#stringOffsets.get(s);
      if (off === undefined) return this.addString(s); // cannot happen: every name is added
      return off;
    };
    const words: number[] = [];
    for (const t of this.#types) {
      const nameOff = name(t.name);
      switch (t.kind) {
        case "int": {
          const enc =
            (t.signed ? IntEncoding.SIGNED : 0) | (t.char ? IntEncoding.CHAR : 0) | (t.bool ? IntEncoding.BOOL : 0);
          words.push(nameOff, makeInfo(BtfKind.INT, 0, false), t.size, intData(enc, t.bitOffset, t.bits));
          break;
        }
        case "ptr":
        case "typedef":
        case "volatile":
        case "const":
        case "restrict": {
          const kind = {
            ptr: BtfKind.PTR,
            typedef: BtfKind.TYPEDEF,
            volatile: BtfKind.VOLATILE,
            const: BtfKind.CONST,
            restrict: BtfKind.RESTRICT,
          }[t.kind];
          words.push(nameOff, makeInfo(kind, 0, false), ref(t, t.type, "its target"));
          break;
        }
        case "type_tag":
          words.push(nameOff, makeInfo(BtfKind.TYPE_TAG, 0, t.attribute), ref(t, t.type, "its target"));
          break;
        case "array":
          words.push(
            nameOff,
            makeInfo(BtfKind.ARRAY, 0, false),
            0,
            ref(t, t.type, "its element type"),
            ref(t, t.indexType, "its index type"),
            t.nelems,
          );
          break;
        case "struct":
        case "union": {
          const kflag = t.members.some((m) => m.bitfieldSize > 0);
          words.push(
            nameOff,
            makeInfo(t.kind === "struct" ? BtfKind.STRUCT : BtfKind.UNION, t.members.length, kflag),
            t.size,
          );
          for (const m of t.members)
            words.push(
              name(m.name),
              ref(t, m.type, `member ${m.name || "<anon>"}`),
              memberOffsetWord(m.bitOffset, m.bitfieldSize, kflag),
            );
          break;
        }
        case "enum":
          words.push(nameOff, makeInfo(BtfKind.ENUM, t.values.length, t.signed), t.size);
          for (const v of t.values) words.push(name(v.name), v.value >>> 0);
          break;
        case "enum64":
          words.push(nameOff, makeInfo(BtfKind.ENUM64, t.values.length, t.signed), t.size);
          for (const v of t.values) {
            const u = BigInt.asUintN(64, v.value);
            words.push(name(v.name), Number(u & 0xffff_ffffn), Number(u >> 32n));
          }
          break;
        case "fwd":
          words.push(nameOff, makeInfo(BtfKind.FWD, 0, t.union), 0);
          break;
        case "func":
          if (this.#kindOfAny(t.type) !== "func_proto")
            throw new BtfError(`function ${t.name}: type ${t.type} is not a func_proto`);
          words.push(nameOff, makeInfo(BtfKind.FUNC, t.linkage, false), ref(t, t.type, "its prototype"));
          break;
        case "func_proto":
          words.push(
            nameOff,
            makeInfo(BtfKind.FUNC_PROTO, t.params.length + (t.variadic ? 1 : 0), false),
            ref(t, t.returnType, "its return type"),
          );
          for (const p of t.params) words.push(name(p.name), ref(t, p.type, `parameter ${p.name || "<anon>"}`));
          if (t.variadic) words.push(0, 0);
          break;
        case "var":
          words.push(nameOff, makeInfo(BtfKind.VAR, 0, false), ref(t, t.type, "its type"), t.linkage);
          break;
        case "datasec":
          words.push(nameOff, makeInfo(BtfKind.DATASEC, t.vars.length, false), t.size);
          for (const v of t.vars) words.push(ref(t, v.type, "a variable"), v.offset, v.size);
          break;
        case "float":
          words.push(nameOff, makeInfo(BtfKind.FLOAT, 0, false), t.size);
          break;
        case "decl_tag":
          words.push(
            nameOff,
            makeInfo(BtfKind.DECL_TAG, 0, t.attribute),
            ref(t, t.type, "its target"),
            t.componentIdx >>> 0,
          );
          break;
      }
    }
    const typeLen = words.length * 4;
    const strLen = this.#stringBytes;
    const out = Buffer.alloc(BtfHeader.SIZE + typeLen + strLen);
    out.writeUInt16LE(BTF_MAGIC, BtfHeader.MAGIC);
    out.writeUInt8(BTF_VERSION, BtfHeader.VERSION);
    out.writeUInt8(0, BtfHeader.FLAGS);
    out.writeUInt32LE(BtfHeader.SIZE, BtfHeader.HDR_LEN);
    out.writeUInt32LE(0, BtfHeader.TYPE_OFF);
    out.writeUInt32LE(typeLen, BtfHeader.TYPE_LEN);
    out.writeUInt32LE(typeLen, BtfHeader.STR_OFF);
    out.writeUInt32LE(strLen, BtfHeader.STR_LEN);
    let pos = BtfHeader.SIZE;
    for (const w of words) {
      out.writeUInt32LE(w >>> 0, pos);
      pos += 4;
    }
    for (const s of this.#strings) {
      pos += out.write(s, pos, "utf8");
      out[pos++] = 0;
    }
    return out;
  }

  #kindOfAny(id: number): string {
    if (id !== 0 && id < this.firstId && this.base) return this.base.typeById(id).kind;
    return this.get(id).kind;
  }

  // ---- described types -----------------------------------------------------------------------

  /** Adds the types a small descriptor describes (see TypeDesc) and returns the outer id. */
  addDescribed(desc: TypeDesc): number {
    if (typeof desc === "string") {
      const m = /^([us])(8|16|32|64|128)$/.exec(desc);
      if (!m) throw new BtfError(`unknown type shorthand ${JSON.stringify(desc)}`);
      return this.stdInt((Number(m[2]) / 8) as 1 | 2 | 4 | 8 | 16, m[1] === "s");
    }
    switch (desc.kind) {
      case "int":
        return desc.name
          ? this.addInt(desc.name, desc.size, { signed: desc.signed })
          : this.stdInt(desc.size, desc.signed ?? false);
      case "bytes":
        return this.addArray(this.stdInt(1), desc.length);
      case "array":
        return this.addArray(this.addDescribed(desc.of), desc.length);
      case "struct":
      case "union": {
        const fields = desc.fields.map((f) => ({ name: f.name, type: this.addDescribed(f.type), bits: f.bits }));
        return this.addCStruct(desc.name ?? "", fields, { union: desc.kind === "union", packed: desc.packed });
      }
    }
  }
}

/** A base BTF type's alignment: its size for scalars, 8 for pointers, else the largest power of two ≤ 8 dividing its size. */
function guessAlignFromBase(base: Btf, id: number): number {
  const r = base.resolve(id);
  const kind = base.kindOf(r);
  if (kind === BtfKind.PTR) return 8;
  const size = base.sizeOf(r);
  if (kind === BtfKind.INT || kind === BtfKind.ENUM || kind === BtfKind.ENUM64 || kind === BtfKind.FLOAT)
    return Math.min(size, 16);
  for (const a of [8, 4, 2]) if (size % a === 0) return a;
  return 1;
}

/**
 * A small description of a C type, for map keys and values: "u32"/"s64"… shorthands, an int of N
 * bytes, a fixed byte array, an array, or a struct/union of named fields laid out like C.
 */
export type TypeDesc =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "u128"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "s128"
  | { kind: "int"; size: 1 | 2 | 4 | 8 | 16; signed?: boolean; name?: string }
  | { kind: "bytes"; length: number }
  | { kind: "array"; of: TypeDesc; length: number }
  | {
      kind: "struct" | "union";
      name?: string;
      fields: readonly { name: string; type: TypeDesc; bits?: number }[];
      packed?: boolean;
    };

/** A map's key and value types encoded as a BTF blob, not yet loaded (maps' MapBtf is the loaded form). */
export interface MapKeyValueBtf {
  btf: Buffer;
  keyTypeId: number;
  valueTypeId: number;
  keySize: number;
  valueSize: number;
}

/** BTF describing a map's key and value, with the ids to pass as btf_key_type_id/btf_value_type_id. */
export function mapKeyValueBtf(key: TypeDesc, value: TypeDesc): MapKeyValueBtf {
  const b = new BtfBuilder();
  const keyTypeId = b.addDescribed(key);
  const valueTypeId = b.addDescribed(value);
  return { btf: b.build(), keyTypeId, valueTypeId, keySize: b.sizeOf(keyTypeId), valueSize: b.sizeOf(valueTypeId) };
}
