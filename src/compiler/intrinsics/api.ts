// What an intrinsic may ask of the lowering of the function it appears in. Intrinsics — kernel
// functions (helpers), map methods, context fields and methods, kernel objects, log — live in
// tables keyed by name (one module per family); lower.ts looks a call up and hands it this
// interface, never the whole lowerer. Adding an intrinsic is adding a table entry.
import type * as TS from "typescript";
import type { Base, CallArg, CoreAccess, FunctionBuilder, Operand, PtrKind, SrcLoc, VReg } from "../ir.js";
import type { DataT, IntT } from "../ktypes.js";
import type { CT, CtxInfo, MapInfo, Space, Val, VarType } from "../values.js";
import type { TypeScript } from "../host.js";
import type { Btf } from "../../btf/decoder.js";

/** What a name in kernel code refers to. */
export type Resolved =
  | { kind: "local"; symbol: TS.Symbol }
  | { kind: "kernel"; name: string; node: TS.Node }
  | { kind: "const"; value: bigint }
  | { kind: "map"; map: MapInfo }
  | { kind: "type"; t: DataT }
  | { kind: "function"; fn: SubFnInfo }
  | { kind: "global"; g: GlobalVar }
  | { kind: "namespace" };

export type ParamType = VarType | { k: "ctx"; ctx: CtxInfo } | { k: "dynptr" };
export type RetType = { k: "void" } | { k: "int"; t: IntT } | { k: "bool" };

export interface SubFnInfo {
  name: string;
  decl: TS.FunctionDeclaration;
  params: { name: string; symbol: TS.Symbol; type: ParamType }[];
  ret: RetType;
  inline: boolean;
}

export interface GlobalVar {
  name: string;
  section: ".rodata" | ".data" | ".bss";
  offset: number;
  t: DataT;
}

export interface LogArg {
  kind: "int" | "bool" | "hex" | "ipv4" | "ipv6" | "mac" | "str";
  size: number;
  signed: boolean;
  offset: number;
}
export interface LogSite {
  id: number;
  level: number;
  parts: string[];
  args: LogArg[];
  size: number;
  loc: SrcLoc;
}

/** The module compiler, as far as an intrinsic needs it. */
export interface IntrinsicModule {
  readonly checker: TS.TypeChecker;
  loc(node: TS.Node): SrcLoc;
  resolve(node: TS.Identifier): Resolved;
  /** A data type written as a value: u16, Counter, struct({...}), bytes(16) … */
  dataTypeOfValue(expr: TS.Expression): DataT;
  btf(): Btf;
  /** BTF struct/union id by name (vmlinux). */
  btfStruct(name: string, node: TS.Node): number;
  logMap(): MapInfo;
  addLogSite(site: Omit<LogSite, "id">): number;
  /** Appends constant bytes (a format string) to .rodata: their offset there. */
  rodataBytes(bytes: Uint8Array): number;
  /** Compiles a module-level function as a subprogram (a callback's body). */
  subprogram(fn: SubFnInfo): void;
}

/** Something assignable: a variable, a field, an element, a writable context field. */
export interface LValue {
  read(): Val;
  write(v: Val, node: TS.Node): void;
  /** The integer type stored (for conversions of the written value), undefined for bool. */
  intType?: IntT;
  isBool?: boolean;
  /** Memory lvalue of an integer (atomic updates). */
  mem?: { base: Base; off: number; t: IntT; space: Space };
}

export type CtxVal = Val & { k: "ctx" };

/** The lowering of one function, as an intrinsic sees it. */
export interface Lowering {
  readonly ts: TypeScript;
  readonly module: IntrinsicModule;
  /** The IR being built: instructions, blocks, virtual registers, stack slots. */
  readonly b: FunctionBuilder;
  /** Reports a diagnostic at a node (does not return). */
  fail(node: TS.Node, message: string): never;
  /** The program's context (its first parameter), when this function has one. */
  context(): CtxVal | undefined;
  /** State an intrinsic family keeps per function (e.g. packet pointers), made on first use. */
  state<T>(key: object, make: () => T): T;

  /** The call's arguments, reporting a wrong count. */
  args(e: TS.CallExpression, min: number, max?: number): readonly TS.Expression[];
  /** Lowers an argument expression; `want` types untyped constants. */
  expr(e: TS.Expression, want?: IntT): Val;
  /** An integer argument in computational type `ct` (default u64). */
  intArg(e: TS.Expression, ct?: CT): CallArg;
  toInt(v: Val, ct: CT, node: TS.Node, storage?: IntT): Val & { k: "int" };
  toReg(v: Val, ct: CT, node: TS.Node): VReg;
  toBool(v: Val, node: TS.Node): Val & { k: "bool" };
  opReg(op: Operand, w: 32 | 64): VReg;
  /** Calls an eBPF helper by name; the result as an integer of `result`, a bool, nothing or a pointer kind. */
  helper(name: string, args: CallArg[], result?: CT | "bool" | "void" | PtrKind): Val;

  /** base + off in a register. */
  addressReg(base: Base, off: number, kind: PtrKind, core?: CoreAccess): VReg;
  /** A view or kernel object as a call argument (its address). */
  pointerArg(v: Val & { k: "ptr" | "kobj" | "karray" }): CallArg;
  /** An object literal or view passed by address as a value of type t. */
  aggregateArg(e: TS.Expression, t: DataT): CallArg;
  /** A stack slot that lives until the end of the statement. */
  tempSlot(size: number): number;
  loadInt(base: Base, off: number, t: IntT, space: Space): Val;
  storeInt(base: Base, off: number, t: IntT, v: Val, node: TS.Node): void;
  zero(base: Base, off: number, size: number): void;
  copyMemory(
    dst: Base,
    dstOff: number,
    src: Base,
    srcOff: number,
    size: number,
    dstSpace?: Space,
    srcSpace?: Space,
  ): void;
  /** An integer in memory as an assignable place. */
  memLValue(base: Base, off: number, t: IntT, space: Space): LValue;
}

/** A kernel function (`ktimeGetNs()`, `cast<T>(x)` …), by its name in src/kernel. */
export type KernelFunction = (low: Lowering, e: TS.CallExpression, name: string, want?: IntT) => Val;

/** The entry of `table` named `name` (own entries only: "toString" is no intrinsic). */
export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Tables of one kind merged into one; a name defined twice is a mistake in the tables. */
export function mergeTables<T>(...tables: Readonly<Record<string, T>>[]): Readonly<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const t of tables) {
    for (const [name, entry] of Object.entries(t)) {
      if (Object.hasOwn(out, name)) throw new Error(`internal: intrinsic ${name} is defined twice`);
      out[name] = entry;
    }
  }
  return out;
}
