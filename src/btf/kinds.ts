// BTF wire format facts (include/uapi/linux/btf.h, Documentation/bpf/btf.rst) and the typed
// shapes the decoder hands out. Everything in the type section is a little sequence of u32 words,
// which is why the decoder and encoder both work in 32-bit words rather than bytes.
import { TsbpfError } from "../errors.js";

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;

/** struct btf_header: byte offsets of its fields. Section offsets are relative to the header's end. */
export const BtfHeader = {
  MAGIC: 0,
  VERSION: 2,
  FLAGS: 3,
  HDR_LEN: 4,
  TYPE_OFF: 8,
  TYPE_LEN: 12,
  STR_OFF: 16,
  STR_LEN: 20,
  /** Size of the header this library writes (and the smallest one it reads). */
  SIZE: 24,
} as const;

/** Largest type id and string offset the format can express. */
export const BTF_MAX_TYPE = 0x000fffff;
export const BTF_MAX_NAME_OFFSET = 0x00ffffff;
export const BTF_MAX_VLEN = 0xffff;

/** Numeric kinds as stored in bits 24-28 of btf_type.info. */
export const BtfKind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;
export type BtfKind = (typeof BtfKind)[keyof typeof BtfKind];
export const BTF_KIND_MAX = 19;

/** Names used in decoded types (the `kind` discriminant). "void" is type id 0. */
export type BtfKindName =
  | "void"
  | "int"
  | "ptr"
  | "array"
  | "struct"
  | "union"
  | "enum"
  | "fwd"
  | "typedef"
  | "volatile"
  | "const"
  | "restrict"
  | "func"
  | "func_proto"
  | "var"
  | "datasec"
  | "float"
  | "decl_tag"
  | "type_tag"
  | "enum64";

/** Indexed by numeric kind; index 0 ("unknown") decodes as void only for id 0. */
export const KIND_NAMES: readonly BtfKindName[] = [
  "void",
  "int",
  "ptr",
  "array",
  "struct",
  "union",
  "enum",
  "fwd",
  "typedef",
  "volatile",
  "const",
  "restrict",
  "func",
  "func_proto",
  "var",
  "datasec",
  "float",
  "decl_tag",
  "type_tag",
  "enum64",
];

const KIND_BY_NAME: ReadonlyMap<string, number> = new Map(KIND_NAMES.map((n, i) => [n, i]));

export function kindName(kind: number): BtfKindName | `kind ${number}` {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

/** Accepts a numeric kind or its name; returns the numeric kind (or -1 when unknown). */
export function kindNumber(kind: number | BtfKindName): number {
  if (typeof kind === "number") return kind;
  return KIND_BY_NAME.get(kind) ?? -1;
}

/** btf_type.info layout. */
export const Info = {
  VLEN_MASK: 0xffff,
  KIND_SHIFT: 24,
  KIND_MASK: 0x1f,
  KFLAG_BIT: 31,
} as const;

export function makeInfo(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 0x8000_0000 : 0) | ((kind & Info.KIND_MASK) << Info.KIND_SHIFT) | (vlen & Info.VLEN_MASK)) >>> 0;
}

/** The u32 after an INT's btf_type: encoding in bits 24-27, bit offset in 16-23, bit count in 0-7. */
export const IntEncoding = { SIGNED: 1 << 0, CHAR: 1 << 1, BOOL: 1 << 2 } as const;

export function intData(encoding: number, bitOffset: number, bits: number): number {
  return (((encoding & 0x0f) << 24) | ((bitOffset & 0xff) << 16) | (bits & 0xff)) >>> 0;
}

/** Linkage of a FUNC (stored in its vlen). The kernel accepts STATIC and GLOBAL in loaded BTF. */
export const FuncLinkage = { STATIC: 0, GLOBAL: 1, EXTERN: 2 } as const;
export type FuncLinkage = (typeof FuncLinkage)[keyof typeof FuncLinkage];

/** Linkage of a VAR (struct btf_var). The kernel accepts STATIC and GLOBAL_ALLOCATED. */
export const VarLinkage = { STATIC: 0, GLOBAL_ALLOCATED: 1, GLOBAL_EXTERN: 2 } as const;
export type VarLinkage = (typeof VarLinkage)[keyof typeof VarLinkage];

/** Record sizes in u32 words: the fixed btf_type (3 words) plus what follows each kind. */
export const TYPE_WORDS = 3;
export const MEMBER_WORDS = 3; // btf_member: name_off, type, offset
export const ENUM_WORDS = 2; // btf_enum: name_off, val
export const ENUM64_WORDS = 3; // btf_enum64: name_off, val_lo32, val_hi32
export const PARAM_WORDS = 2; // btf_param: name_off, type
export const SECINFO_WORDS = 3; // btf_var_secinfo: type, offset, size
export const ARRAY_WORDS = 3; // btf_array: type, index_type, nelems

/** Member offset word when the struct's kind_flag is set: bitfield size in bits 24-31. */
export function memberOffsetWord(bitOffset: number, bitfieldSize: number, kflag: boolean): number {
  return kflag ? ((bitfieldSize << 24) | (bitOffset & 0xffffff)) >>> 0 : bitOffset >>> 0;
}

// ---- errors --------------------------------------------------------------------------------

/**
 * A BTF blob is malformed, or a question about it has no answer (unknown name, unsized type…).
 * `what` says what is wrong; `offset` is the byte offset in the blob where it was found, when the
 * problem is tied to a place in the blob.
 */
export class BtfError extends TsbpfError {
  override name = "BtfError";
  constructor(
    readonly what: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? `BTF: ${what}` : `BTF: ${what} (at byte ${offset})`);
  }
}

// ---- decoded types -------------------------------------------------------------------------

interface Base {
  /** Type id (0 is void). */
  id: number;
  /** Name, "" when anonymous. */
  name: string;
}

export interface VoidType extends Base {
  kind: "void";
}
export interface IntType extends Base {
  kind: "int";
  /** Size in bytes. */
  size: number;
  /** Number of value bits (≤ size*8) and where they start (bit offset, rarely non-zero). */
  bits: number;
  bitOffset: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
}
export interface PtrType extends Base {
  kind: "ptr";
  type: number;
}
export interface ArrayType extends Base {
  kind: "array";
  type: number;
  indexType: number;
  nelems: number;
}
export interface Member {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Width of a bitfield in bits; 0 when the member is not a bitfield. */
  bitfieldSize: number;
}
export interface StructType extends Base {
  kind: "struct" | "union";
  size: number;
  members: Member[];
}
export interface EnumValue {
  name: string;
  value: number;
}
export interface EnumType extends Base {
  kind: "enum";
  size: number;
  signed: boolean;
  values: EnumValue[];
}
export interface Enum64Value {
  name: string;
  value: bigint;
}
export interface Enum64Type extends Base {
  kind: "enum64";
  size: number;
  signed: boolean;
  values: Enum64Value[];
}
export interface FwdType extends Base {
  kind: "fwd";
  union: boolean;
}
export interface RefType extends Base {
  kind: "typedef" | "volatile" | "const" | "restrict";
  type: number;
}
export interface TypeTagType extends Base {
  kind: "type_tag";
  type: number;
  attribute: boolean;
}
export interface FuncType extends Base {
  kind: "func";
  type: number;
  linkage: number;
}
export interface Param {
  name: string;
  type: number;
}
export interface FuncProtoType extends Base {
  kind: "func_proto";
  returnType: number;
  params: Param[];
  /** True when the last parameter is the `...` marker (void, unnamed); it is not in `params`. */
  variadic: boolean;
}
export interface VarType extends Base {
  kind: "var";
  type: number;
  linkage: number;
}
export interface VarSecinfo {
  type: number;
  offset: number;
  size: number;
}
export interface DatasecType extends Base {
  kind: "datasec";
  size: number;
  vars: VarSecinfo[];
}
export interface FloatType extends Base {
  kind: "float";
  size: number;
}
export interface DeclTagType extends Base {
  kind: "decl_tag";
  type: number;
  /** -1 when the tag applies to the type itself, else the member/parameter index. */
  componentIdx: number;
  attribute: boolean;
}

export type BtfType =
  | VoidType
  | IntType
  | PtrType
  | ArrayType
  | StructType
  | EnumType
  | Enum64Type
  | FwdType
  | RefType
  | TypeTagType
  | FuncType
  | FuncProtoType
  | VarType
  | DatasecType
  | FloatType
  | DeclTagType;
