// What an expression evaluates to while lowering: integers (in a register or as an untyped
// constant), booleans, views of memory (structs, arrays, integer cells) with where they live,
// kernel objects typed by BTF, and the compile-time things (maps, types, functions) that only
// appear as operands of calls.
import type { TracepointFormat } from "../programs/tracepoint-format.js";
import type { Base, CoreAccess, Operand, VReg } from "./ir.js";
import type { DataT, IntT } from "./ktypes.js";
import type { ProgramKind } from "./contexts.js";

/** The type arithmetic runs in: eBPF computes in 32 or 64 bits. */
export interface CT {
  w: 32 | 64;
  signed: boolean;
}

export const U32: CT = { w: 32, signed: false };
export const I32: CT = { w: 32, signed: true };
export const U64: CT = { w: 64, signed: false };
export const I64: CT = { w: 64, signed: true };

/**
 * Computational type of a storage type, C's integer promotion: types narrower than 32 bits
 * (u8, u16, i8, i16, be16, bool) compute as i32 (every value they hold fits), u32/i32 as themselves,
 * 64-bit types as themselves.
 */
export function ctOf(t: IntT): CT {
  if (t.size === 8) return t.signed ? I64 : U64;
  if (t.size < 4) return I32;
  return t.signed ? I32 : U32;
}

/**
 * C's usual arithmetic conversions on two computational types: the wider type wins (an i64 holds
 * every u32, so u32 with i64 is i64); at equal width the result is unsigned unless both are signed.
 */
export function joinCT(a: CT, b: CT): CT {
  if (a.w !== b.w) return a.w > b.w ? a : b;
  return { w: a.w, signed: a.signed && b.signed };
}

/**
 * A known bound kept only when it still says 0 ≤ value ≤ max in `ct` (a signed type's bound must
 * stay below its sign bit; an unsigned one within its width).
 */
export function boundIn(ct: CT, max: bigint | undefined): bigint | undefined {
  if (max === undefined || max < 0n) return undefined;
  const limit = ct.signed ? (1n << BigInt(ct.w - 1)) - 1n : (1n << BigInt(ct.w)) - 1n;
  return max <= limit ? max : undefined;
}

/** Where a view's memory is. */
export type Space = "packet" | "stack" | "map" | "mem" | "ctx" | "global" | "unknown";

/** A packet bounds check emitted when the view is tested against null. */
export interface PacketCheck {
  data: VReg;
  end: VReg;
  /** Offset from data: a constant, or a register (bounded below 64 KiB by the check itself when needed). */
  offset: Operand;
  size: number;
  /** The offset's range is unknown: clamp it before adding it to the packet pointer. */
  clamp: boolean;
  /** For a register offset: the pointer data + offset, defined by the null test. */
  pointer?: VReg;
}

export type NullInfo = { kind: "reg"; reg: VReg } | { kind: "packet"; check: PacketCheck };

export type MapInfo = {
  name: string;
  /** Kernel map type name: hash, array, ringbuf … */
  mapType: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  key?: DataT;
  value?: DataT;
  pinning?: "byName";
  inner?: MapInfo;
  extra?: number;
};

export interface CtxInfo {
  kind: ProgramKind;
  /** tracepoint: the record layout from tracefs. */
  format?: TracepointFormat;
  /** fexit / fmod_ret / lsm: how many arguments precede the return value in the context. */
  argCount?: number;
  /** fexit / fmod_ret / lsm / kretprobe: the BTF type of the return value (0: untyped). */
  retType?: number;
  /** iter: the BTF id of the iterator's context struct (bpf_iter__<target>). */
  iterStruct?: number;
}

export interface FnRef {
  name: string;
  node: unknown;
}

export type Val =
  /** `max`: the value is known to be in 0 … max (for signed types too: a promoted u8 has max 255). */
  | { k: "int"; ct: CT; op: Operand; max?: bigint }
  /** A compile-time constant; `ct` when it came from a typed declaration (arithmetic then wraps like that type). */
  | { k: "const"; value: bigint; ct?: CT }
  | { k: "bool"; op: Operand }
  /** A view of memory; `scalar`: an integer read lazily (ctx.load(u16, off) is `number | null`). */
  | { k: "ptr"; t: DataT; base: Base; off: number; space: Space; nullable?: NullInfo; scalar?: boolean }
  /** A kernel object read by BTF: a struct/union (id resolved), at base+off; `direct` loads or probe reads. */
  /** `core`: the CO-RE access path of `off` from a struct at `base` (absent: a fresh object, off 0). */
  | { k: "kobj"; id: number; base: Base; off: number; direct: boolean; nullable?: NullInfo; core?: CoreAccess }
  /** A kernel array (e.g. task_struct.comm) read by BTF. */
  | { k: "karray"; elemId: number; length: number; base: Base; off: number; direct: boolean; core?: CoreAccess }
  | { k: "null" }
  | { k: "ctx"; ctx: CtxInfo; reg: VReg }
  /** A module-level map, or (`reg`) an inner map looked up in a map of maps (`nullable` until tested). */
  | { k: "map"; map: MapInfo; reg?: VReg; nullable?: NullInfo }
  | { k: "type"; t: DataT }
  | { k: "fn"; fn: FnRef }
  | { k: "string"; text: string }
  | { k: "void" }
  /** A user ring buffer record in a drain callback (PTR_TO_DYNPTR). */
  | { k: "dynptr"; reg: VReg };

/** The kind of a mutable local's value (what its register holds). */
export type VarType =
  /** `max`: every value ever assigned is at most this (a `let` assigned only constants). */
  | { k: "int"; t: IntT; max?: bigint }
  | { k: "bool" }
  | { k: "ptr"; t: DataT; space: Space; nullable: boolean }
  | { k: "kobj"; id: number; direct: boolean; nullable: boolean };

export type Binding = { kind: "val"; val: Val } | { kind: "var"; reg: VReg; vt: VarType };

export function describeVal(v: Val): string {
  switch (v.k) {
    case "int":
      return `${v.ct.signed ? "i" : "u"}${v.ct.w}`;
    case "const":
      return "a constant";
    case "bool":
      return "bool";
    case "ptr":
      return v.t.kind === "struct" ? v.t.name : v.t.kind === "array" ? "an array" : "an integer cell";
    case "kobj":
      return "a kernel object";
    case "karray":
      return "a kernel array";
    case "null":
      return "null";
    case "ctx":
      return "the context";
    case "map":
      return `map ${v.map.name}`;
    case "dynptr":
      return "a ring buffer record (Dynptr)";
    case "type":
      return "a type";
    case "fn":
      return `function ${v.fn.name}`;
    case "string":
      return "a string";
    case "void":
      return "nothing (void)";
  }
}
