// CO-RE ("compile once, run everywhere") relocations, resolved the way libbpf resolves them.
//
// The compiler records, for every instruction whose constant depends on a kernel type, the local
// type (from the object's BTF), an access string ("0:1:3": the root index, then member or array
// indices) and what it wants (a field's offset, size, existence, signedness, bitfield shifts; a
// type's id, existence, size or structural match; an enumerator's existence or value).
// Resolution finds the candidate target types (same kind, same name once a "___flavor" suffix is
// dropped), matches the access path in each by member *names*, checks that all matching
// candidates agree, and patches the instruction. When nothing matches, existence relocations
// yield 0 and the others "poison" the instruction: it becomes a call to the invalid helper
// 0xbad2310, so the program still loads if that code is dead, and fails in the verifier if not.
//
// Everything here is pure: BTF in, instruction bytes out.
import type { Btf } from "../btf/decoder.js";
import { BtfError, type BtfType, type Member } from "../btf/kinds.js";
import { CoreReloKind, type CoreRelo } from "./btf-ext.js";
import { CoreRelocationError, RelocationError } from "./errors.js";

/** The helper id libbpf writes into poisoned instructions ("bad relo"). */
export const POISON_HELPER_ID = 0xbad2310;

const KIND_NAMES: Record<number, string> = {
  0: "byte_off",
  1: "byte_sz",
  2: "field_exists",
  3: "signed",
  4: "lshift_u64",
  5: "rshift_u64",
  6: "local_type_id",
  7: "target_type_id",
  8: "type_exists",
  9: "type_size",
  10: "enumval_exists",
  11: "enumval_value",
  12: "type_matches",
};

export function coreKindName(kind: number): string {
  return KIND_NAMES[kind] ?? `unknown kind ${kind}`;
}

const MAX_SPEC_LEN = 64;
const MAX_DEPTH = 32;
/** Type comparisons recurse; on hostile BTF they could take exponential time, so each resolution has a budget. */
const STEP_BUDGET = 200_000;
let steps = 0;
function step(): void {
  if (++steps > STEP_BUDGET)
    throw new BtfError(`type comparison needs more than ${STEP_BUDGET} steps (cyclic or hostile BTF?)`);
}

const isFieldKind = (k: number): boolean => k <= CoreReloKind.FIELD_RSHIFT_U64;
const isTypeKind = (k: number): boolean =>
  k === CoreReloKind.TYPE_ID_LOCAL ||
  k === CoreReloKind.TYPE_ID_TARGET ||
  k === CoreReloKind.TYPE_EXISTS ||
  k === CoreReloKind.TYPE_SIZE ||
  k === CoreReloKind.TYPE_MATCHES;
const isEnumvalKind = (k: number): boolean => k === CoreReloKind.ENUMVAL_EXISTS || k === CoreReloKind.ENUMVAL_VALUE;

/** Decoded-type cache over one Btf (the kernel's big structs are decoded once per load). */
export class TypeCache {
  readonly #types = new Map<number, BtfType>();
  constructor(readonly btf: Btf) {}
  get(id: number): BtfType {
    let t = this.#types.get(id);
    if (!t) {
      t = this.btf.typeById(id);
      this.#types.set(id, t);
    }
    return t;
  }
  /** Skips typedefs and modifiers. */
  skip(id: number): number {
    return this.btf.resolve(id);
  }
  size(id: number): number {
    return this.btf.sizeOf(id);
  }
}

const KIND_NUM: Record<string, number> = {
  void: 0,
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
};
const kindOf = (t: BtfType): number => KIND_NUM[t.kind]!;
const isAnyEnum = (t: BtfType): boolean => t.kind === "enum" || t.kind === "enum64";
const isComposite = (t: BtfType): t is Extract<BtfType, { kind: "struct" | "union" }> =>
  t.kind === "struct" || t.kind === "union";
/** Same kind, or both enums of either width. */
const kindCompat = (a: BtfType, b: BtfType): boolean => kindOf(a) === kindOf(b) || (isAnyEnum(a) && isAnyEnum(b));

/** The name without a "___flavor" suffix: "task_struct___v2" → "task_struct". */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== "_" && name[i + 1] === "_" && name[i + 2] === "_" && name[i + 3] === "_" && name[i + 4] !== "_")
      return name.slice(0, i + 1);
  }
  return name;
}

interface Accessor {
  typeId: number;
  idx: number;
  name?: string;
}

interface Spec {
  cache: TypeCache;
  rootTypeId: number;
  kind: number;
  raw: number[];
  accessors: Accessor[];
  bitOffset: number;
}

function memberBits(m: Member): number {
  return m.bitOffset;
}

function isFlexArray(cache: TypeCache, acc: Accessor | undefined, nelems: number): boolean {
  if (!acc || acc.name === undefined || nelems > 0) return false;
  const t = cache.get(acc.typeId);
  return isComposite(t) && acc.idx === t.members.length - 1;
}

/** Turns the access string into a spec against the local BTF. Throws for malformed relocations. */
function parseSpec(cache: TypeCache, relo: CoreRelo, fail: (what: string) => never): Spec {
  const str = relo.accessString;
  const spec: Spec = { cache, rootTypeId: relo.typeId, kind: relo.kind, raw: [], accessors: [], bitOffset: 0 };
  if (isTypeKind(relo.kind)) {
    if (str !== "0") fail(`type relocation with access string "${str}" (expected "0")`);
    return spec;
  }
  if (!/^\d+(:\d+)*$/.test(str)) fail(`malformed access string "${str}"`);
  spec.raw = str.split(":").map(Number);
  if (spec.raw.length > MAX_SPEC_LEN) fail(`access string "${str}" is too long`);
  let id = cache.skip(relo.typeId);
  let t = cache.get(id);
  spec.accessors.push({ typeId: id, idx: spec.raw[0]! });
  if (isEnumvalKind(relo.kind)) {
    if (!isAnyEnum(t) || spec.raw.length > 1) fail(`enum relocation against a ${t.kind} with access string "${str}"`);
    const values = (t as Extract<BtfType, { kind: "enum" | "enum64" }>).values;
    if (spec.raw[0]! >= values.length)
      fail(`enumerator #${spec.raw[0]} does not exist in ${t.kind} ${t.name || "<anon>"}`);
    spec.accessors[0]!.name = values[spec.raw[0]!]!.name;
    return spec;
  }
  if (!isFieldKind(relo.kind)) fail(`unknown relocation kind ${relo.kind}`);
  spec.bitOffset = spec.raw[0]! * cache.size(id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    id = cache.skip(id);
    t = cache.get(id);
    const idx = spec.raw[i]!;
    if (isComposite(t)) {
      if (idx >= t.members.length) fail(`member #${idx} does not exist in ${t.kind} ${t.name || "<anon>"}`);
      const m = t.members[idx]!;
      spec.bitOffset += memberBits(m);
      if (m.name !== "") spec.accessors.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === "array") {
      const elem = cache.skip(t.type);
      const flex = isFlexArray(cache, spec.accessors[spec.accessors.length - 1], t.nelems);
      if (!flex && idx >= t.nelems) fail(`index ${idx} is out of bounds of an array of ${t.nelems}`);
      spec.accessors.push({ typeId: elem, idx });
      spec.bitOffset += idx * cache.size(elem) * 8;
      id = elem;
    } else {
      fail(`access string "${str}" goes through a ${t.kind} at position ${i}`);
    }
  }
  return spec;
}

/** "struct task_struct___old.comm[3]": the spec in C terms, for messages. */
function describe(spec: Spec): { typeName: string; field: string; text: string } {
  const cache = spec.cache;
  const root = cache.get(spec.rootTypeId);
  const typeName = `${root.kind} ${root.name || "<anon>"}`;
  let field = "";
  if (isEnumvalKind(spec.kind)) {
    field = `::${spec.accessors[0]?.name ?? "?"}`;
  } else if (isFieldKind(spec.kind)) {
    spec.accessors.forEach((a, i) => {
      if (a.name !== undefined) field += `.${a.name}`;
      else if (i > 0 || a.idx > 0) field += `[${a.idx}]`;
    });
  }
  const raw = spec.raw.length
    ? ` (${spec.raw.join(":")} @ offset ${spec.bitOffset % 8 ? `${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8}` : spec.bitOffset / 8})`
    : "";
  return { typeName, field, text: `<${coreKindName(spec.kind)}> [${spec.rootTypeId}] ${typeName}${field}${raw}` };
}

/** Whether two types are compatible (libbpf's rules for CO-RE candidates and __ksym externs). */
export function typesAreCompat(
  local: TypeCache,
  localId: number,
  targ: TypeCache,
  targId: number,
  level: number,
): number {
  steps = 0;
  return typesAreCompatInner(local, localId, targ, targId, level);
}

function typesAreCompatInner(
  local: TypeCache,
  localId: number,
  targ: TypeCache,
  targId: number,
  level: number,
): number {
  if (!kindCompat(local.get(localId), targ.get(targId))) return 0;
  for (let depth = MAX_DEPTH; depth > 0; depth--) {
    step();
    localId = local.skip(localId);
    targId = targ.skip(targId);
    const lt = local.get(localId),
      tt = targ.get(targId);
    if (!kindCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case "void":
      case "struct":
      case "union":
      case "enum":
      case "fwd":
      case "enum64":
        return 1;
      case "int":
        return lt.bitOffset === 0 && (tt as Extract<BtfType, { kind: "int" }>).bitOffset === 0 ? 1 : 0;
      case "ptr":
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case "array":
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      case "func_proto": {
        const tp = tt as typeof lt;
        if (lt.params.length !== tp.params.length || lt.variadic !== tp.variadic) return 0;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) return -1;
          const r = typesAreCompatInner(
            local,
            local.skip(lt.params[i]!.type),
            targ,
            targ.skip(tp.params[i]!.type),
            level - 1,
          );
          if (r <= 0) return r;
        }
        localId = lt.returnType;
        targId = tp.returnType;
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

function fieldsAreCompat(local: TypeCache, localId: number, targ: TypeCache, targId: number): number {
  for (let depth = MAX_DEPTH; depth > 0; depth--) {
    step();
    localId = local.skip(localId);
    targId = targ.skip(targId);
    const lt = local.get(localId),
      tt = targ.get(targId);
    if (isComposite(lt) && isComposite(tt)) return 1;
    if (!kindCompat(lt, tt)) return 0;
    switch (lt.kind) {
      case "ptr":
      case "float":
        return 1;
      case "fwd":
      case "enum":
      case "enum64": {
        const ln = essentialName(lt.name),
          tn = essentialName(tt.name);
        return lt.name === "" || tt.name === "" || ln === tn ? 1 : 0;
      }
      case "int":
        return lt.bitOffset === 0 && (tt as typeof lt).bitOffset === 0 ? 1 : 0;
      case "array":
        localId = lt.type;
        targId = (tt as typeof lt).type;
        continue;
      default:
        return 0;
    }
  }
  return -1;
}

function namesMatch(localName: string, targName: string): boolean {
  if (targName === "") return localName === "";
  return essentialName(localName) === essentialName(targName);
}

function typesMatch(
  local: TypeCache,
  localId: number,
  targ: TypeCache,
  targId: number,
  behindPtr: boolean,
  level: number,
): number {
  if (level <= 0) return -1;
  for (let depth = MAX_DEPTH; depth > 0; depth--) {
    step();
    localId = local.skip(localId);
    targId = targ.skip(targId);
    const lt = local.get(localId),
      tt = targ.get(targId);
    if (!namesMatch(lt.name, tt.name)) return 0;
    switch (lt.kind) {
      case "void":
        return tt.kind === "void" ? 1 : 0;
      case "fwd":
        if (behindPtr) {
          if (tt.kind === "fwd") return lt.union === tt.union ? 1 : 0;
          return (tt.kind === "struct" && !lt.union) || (tt.kind === "union" && lt.union) ? 1 : 0;
        }
        return tt.kind === "fwd" && lt.union === tt.union ? 1 : 0;
      case "enum":
      case "enum64": {
        if (!isAnyEnum(tt)) return 0;
        const te = tt as Extract<BtfType, { kind: "enum" | "enum64" }>;
        if (lt.size !== te.size || lt.values.length > te.values.length) return 0;
        for (const v of lt.values) if (!te.values.some((w) => namesMatch(v.name, w.name))) return 0;
        return 1;
      }
      case "struct":
      case "union": {
        if (behindPtr) {
          if (lt.kind === tt.kind) return 1;
          if (tt.kind !== "fwd") return 0;
          return (lt.kind === "union") === tt.union ? 1 : 0;
        }
        if (lt.kind !== tt.kind) return 0;
        const tm = (tt as typeof lt).members;
        if (lt.members.length > tm.length) return 0;
        for (const m of lt.members) {
          let matched = false;
          for (const n of tm) {
            if (!namesMatch(m.name, n.name)) continue;
            const r = typesMatch(local, m.type, targ, n.type, behindPtr, level - 1);
            if (r < 0) return r;
            if (r > 0) {
              matched = true;
              break;
            }
          }
          if (!matched) return 0;
        }
        return 1;
      }
      case "int": {
        if (tt.kind !== "int") return 0;
        return lt.size === tt.size && lt.signed === tt.signed ? 1 : 0;
      }
      case "ptr":
        if (tt.kind !== "ptr") return 0;
        behindPtr = true;
        localId = lt.type;
        targId = tt.type;
        continue;
      case "array":
        if (tt.kind !== "array" || lt.nelems !== tt.nelems) return 0;
        localId = lt.type;
        targId = tt.type;
        continue;
      case "func_proto": {
        if (tt.kind !== "func_proto" || lt.params.length !== tt.params.length) return 0;
        for (let i = 0; i < lt.params.length; i++) {
          const r = typesMatch(local, lt.params[i]!.type, targ, tt.params[i]!.type, behindPtr, level - 1);
          if (r <= 0) return r;
        }
        localId = lt.returnType;
        targId = tt.returnType;
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

/** Finds `localAcc`'s named member in target composite `targId`, descending into anonymous members. */
function matchMember(
  local: TypeCache,
  localAcc: Accessor,
  targ: TypeCache,
  targId: number,
  spec: Spec,
  next: { id: number },
): number {
  targId = targ.skip(targId);
  const tt = targ.get(targId);
  if (!isComposite(tt)) return 0;
  const lt = local.get(localAcc.typeId) as Extract<BtfType, { kind: "struct" | "union" }>;
  const localMember = lt.members[localAcc.idx]!;
  for (let i = 0; i < tt.members.length; i++) {
    const m = tt.members[i]!;
    step();
    if (spec.raw.length >= MAX_SPEC_LEN) return -1;
    spec.bitOffset += memberBits(m);
    spec.raw.push(i);
    if (m.name === "") {
      const found = matchMember(local, localAcc, targ, m.type, spec, next);
      if (found) return found;
    } else if (m.name === localMember.name) {
      spec.accessors.push({ typeId: targId, idx: i, name: m.name });
      next.id = m.type;
      const found = fieldsAreCompat(local, localMember.type, targ, m.type);
      if (!found) spec.accessors.pop();
      return found;
    }
    spec.bitOffset -= memberBits(m);
    spec.raw.pop();
  }
  return 0;
}

/** Matches a local spec against one candidate; fills `targ` on success (1), 0 for no match, <0 for errors. */
function specMatch(local: Spec, targCache: TypeCache, targId: number): { result: number; spec: Spec } {
  const spec: Spec = { cache: targCache, rootTypeId: targId, kind: local.kind, raw: [], accessors: [], bitOffset: 0 };
  if (isTypeKind(local.kind)) {
    const r =
      local.kind === CoreReloKind.TYPE_MATCHES
        ? typesMatch(local.cache, local.rootTypeId, targCache, targId, false, MAX_DEPTH)
        : typesAreCompatInner(local.cache, local.rootTypeId, targCache, targId, MAX_DEPTH);
    return { result: r, spec };
  }
  if (isEnumvalKind(local.kind)) {
    const id = targCache.skip(targId);
    const t = targCache.get(id);
    if (!isAnyEnum(t)) return { result: 0, spec };
    const want = essentialName(local.accessors[0]!.name!);
    const values = (t as Extract<BtfType, { kind: "enum" | "enum64" }>).values;
    for (let i = 0; i < values.length; i++) {
      if (essentialName(values[i]!.name) === want) {
        spec.accessors.push({ typeId: id, idx: i, name: values[i]!.name });
        spec.raw.push(i);
        return { result: 1, spec };
      }
    }
    return { result: 0, spec };
  }
  let id = targId;
  for (let i = 0; i < local.accessors.length; i++) {
    const acc = local.accessors[i]!;
    id = targCache.skip(id);
    const t = targCache.get(id);
    if (acc.name !== undefined) {
      const next = { id };
      const matched = matchMember(local.cache, acc, targCache, id, spec, next);
      if (matched <= 0) return { result: matched, spec };
      id = next.id;
    } else {
      if (i > 0) {
        if (t.kind !== "array") return { result: 0, spec };
        const flex = isFlexArray(targCache, spec.accessors[spec.accessors.length - 1], t.nelems);
        if (!flex && acc.idx >= t.nelems) return { result: 0, spec };
        id = targCache.skip(t.type);
      }
      if (spec.raw.length >= MAX_SPEC_LEN) return { result: -1, spec };
      spec.accessors.push({ typeId: id, idx: acc.idx });
      spec.raw.push(acc.idx);
      spec.bitOffset += acc.idx * targCache.size(id) * 8;
    }
  }
  return { result: 1, spec };
}

/** What relocating one instruction comes to. */
export interface CoreResult {
  /** Value the compiler put in the instruction (checked before patching when `validate`). */
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  /** Memory access sizes (field byte offsets of non-bitfields): the load/store width may change. */
  origSize: number;
  newSize: number;
  origTypeId: number;
  newTypeId: number;
  failMemSizeAdjust: boolean;
  /** The local spec in C terms, e.g. "<byte_off> [6] struct task_struct___old.pid (0:1 @ offset 4)". */
  description: string;
  typeName: string;
  field: string;
}

type Calc = { val: bigint; size: number; typeId: number; validate: boolean } | "poison";

function calcField(relo: CoreRelo, spec: Spec | undefined, fail: (what: string) => never): Calc {
  if (relo.kind === CoreReloKind.FIELD_EXISTS) return { val: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return "poison";
  const cache = spec.cache;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    const sz = cache.size(acc.typeId);
    if (relo.kind === CoreReloKind.FIELD_BYTE_OFFSET)
      return { val: BigInt(spec.bitOffset / 8), size: sz, typeId: acc.typeId, validate: true };
    if (relo.kind === CoreReloKind.FIELD_BYTE_SIZE) return { val: BigInt(sz), size: 0, typeId: 0, validate: true };
    fail(`relocation ${coreKindName(relo.kind)} cannot be applied to an array element`);
  }
  const t = cache.get(acc.typeId) as Extract<BtfType, { kind: "struct" | "union" }>;
  const m = t.members[acc.idx]!;
  const fieldTypeId = cache.skip(m.type);
  const mt = cache.get(fieldTypeId);
  const bitOff = spec.bitOffset;
  let bitSize = m.bitfieldSize;
  const bitfield = bitSize > 0;
  let byteSize: number, byteOff: number;
  let validate: boolean;
  if (bitfield) {
    byteSize = (mt as { size?: number }).size ?? 0;
    if (byteSize <= 0) fail(`bitfield ${m.name} has a type without a size`);
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) fail(`bitfield ${m.name} cannot be read with a 64-bit load`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
    validate = false;
  } else {
    byteSize = cache.size(fieldTypeId);
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
    validate = true;
  }
  switch (relo.kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      return bitfield
        ? { val: BigInt(byteOff), size: 0, typeId: 0, validate }
        : { val: BigInt(byteOff), size: byteSize, typeId: fieldTypeId, validate };
    case CoreReloKind.FIELD_BYTE_SIZE:
      return { val: BigInt(byteSize), size: 0, typeId: 0, validate };
    case CoreReloKind.FIELD_SIGNED: {
      const signed = (isAnyEnum(mt) && (mt as { signed: boolean }).signed) || (mt.kind === "int" && mt.signed);
      return { val: signed ? 1n : 0n, size: 0, typeId: 0, validate: true };
    }
    case CoreReloKind.FIELD_LSHIFT_U64:
      return { val: BigInt(64 - (bitOff + bitSize - byteOff * 8)), size: 0, typeId: 0, validate };
    case CoreReloKind.FIELD_RSHIFT_U64:
      return { val: BigInt(64 - bitSize), size: 0, typeId: 0, validate: true };
    default:
      return fail(`unexpected field relocation kind ${relo.kind}`);
  }
}

function calcType(relo: CoreRelo, spec: Spec | undefined): Calc {
  if (!spec) return { val: 0n, size: 0, typeId: 0, validate: true };
  switch (relo.kind) {
    case CoreReloKind.TYPE_ID_TARGET:
      return { val: BigInt(spec.rootTypeId), size: 0, typeId: 0, validate: false };
    case CoreReloKind.TYPE_EXISTS:
    case CoreReloKind.TYPE_MATCHES:
      return { val: 1n, size: 0, typeId: 0, validate: true };
    case CoreReloKind.TYPE_SIZE:
      return { val: BigInt(spec.cache.size(spec.rootTypeId)), size: 0, typeId: 0, validate: true };
    default:
      return { val: 0n, size: 0, typeId: 0, validate: true };
  }
}

function calcEnumval(relo: CoreRelo, spec: Spec | undefined): Calc {
  if (relo.kind === CoreReloKind.ENUMVAL_EXISTS) return { val: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return "poison";
  const t = spec.cache.get(spec.accessors[0]!.typeId) as Extract<BtfType, { kind: "enum" | "enum64" }>;
  const v = t.values[spec.accessors[0]!.idx]!.value;
  return { val: BigInt.asUintN(64, BigInt(v)), size: 0, typeId: 0, validate: true };
}

/** Candidate target types for a local type: same kind (enums of either width), same essential name. */
export class CandidateCache {
  readonly #byLocal = new Map<number, number[]>();
  constructor(
    readonly local: TypeCache,
    readonly target: TypeCache,
  ) {}

  get(localId: number): number[] {
    let cands = this.#byLocal.get(localId);
    if (cands) return cands;
    const lt = this.local.get(localId);
    const name = essentialName(lt.name);
    cands = [];
    for (const id of this.target.btf.findByName(name)) {
      const tt = this.target.get(id);
      if (kindCompat(tt, lt)) cands.push(id);
    }
    this.#byLocal.set(localId, cands);
    return cands;
  }

  /** Keeps only the candidates that matched (later relocations of the same type start from them). */
  narrow(localId: number, kept: number[]): void {
    if (kept.length) this.#byLocal.set(localId, kept);
  }
}

/**
 * Resolves one relocation. `where` names it in errors ("section xdp, instruction 12"). Throws
 * CoreRelocationError for malformed or ambiguous relocations (the load cannot proceed), and
 * returns `poison: true` for ones that merely found no target.
 */
export function resolveCoreRelo(
  relo: CoreRelo,
  local: TypeCache,
  candidates: CandidateCache,
  where: string,
): CoreResult {
  const kindName = coreKindName(relo.kind);
  const fail = (what: string, spec?: Spec): never => {
    const d = spec ? describe(spec) : undefined;
    throw new CoreRelocationError(
      `CO-RE relocation ${kindName}${d ? ` ${d.text}` : ` of type [${relo.typeId}]`}: ${what}`,
      where,
      kindName,
      d?.typeName ?? "",
      d?.field ?? "",
    );
  };
  steps = 0;
  let localSpec: Spec;
  try {
    if (relo.typeId === 0 || relo.typeId >= local.btf.typeCount) fail(`local type id ${relo.typeId} does not exist`);
    localSpec = parseSpec(local, relo, (what) => fail(what));
  } catch (e) {
    if (e instanceof BtfError) fail(`the local type is malformed: ${e.what}`);
    throw e;
  }
  const d = describe(localSpec);
  const result = (r: Omit<CoreResult, "description" | "typeName" | "field">): CoreResult => ({
    ...r,
    description: d.text,
    typeName: d.typeName,
    field: d.field,
  });

  if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
    const v = BigInt(relo.typeId);
    return result({
      origVal: v,
      newVal: v,
      poison: false,
      validate: false,
      origSize: 0,
      newSize: 0,
      origTypeId: 0,
      newTypeId: 0,
      failMemSizeAdjust: false,
    });
  }
  const rootName = local.get(relo.typeId).name;
  if (rootName === "") fail("relocations against anonymous types are not supported", localSpec);

  const calc = (spec: Spec | undefined): Calc =>
    isFieldKind(relo.kind)
      ? calcField(relo, spec, (w) => fail(w, localSpec))
      : isTypeKind(relo.kind)
        ? calcType(relo, spec)
        : calcEnumval(relo, spec);
  const origCalc = calc(localSpec);
  if (origCalc === "poison") return fail("the local spec itself cannot be computed", localSpec);
  const orig = origCalc;

  const finish = (targ: Calc, targSpec?: Spec): CoreResult => {
    if (targ === "poison") {
      return result({
        origVal: orig.val,
        newVal: 0n,
        poison: true,
        validate: orig.validate,
        origSize: 0,
        newSize: 0,
        origTypeId: 0,
        newTypeId: 0,
        failMemSizeAdjust: false,
      });
    }
    let failMemSizeAdjust = false;
    if (isFieldKind(relo.kind) && orig.size !== targ.size && targSpec) {
      const ot = local.get(orig.typeId),
        nt = targSpec.cache.get(targ.typeId);
      const bothPtr = ot.kind === "ptr" && nt.kind === "ptr";
      const unsignedInts = ot.kind === "int" && nt.kind === "int" && !ot.signed && !nt.signed;
      failMemSizeAdjust = !bothPtr && !unsignedInts;
    }
    return result({
      origVal: orig.val,
      newVal: targ.val,
      poison: false,
      validate: orig.validate,
      origSize: orig.size,
      newSize: targ.size,
      origTypeId: orig.typeId,
      newTypeId: targ.typeId,
      failMemSizeAdjust,
    });
  };

  let chosen: { res: CoreResult; spec: Spec } | undefined;
  const kept: number[] = [];
  try {
    for (const cand of candidates.get(relo.typeId)) {
      const { result: r, spec } = specMatch(localSpec, candidates.target, cand);
      if (r < 0) fail(`error matching candidate [${cand}] (nesting too deep)`, localSpec);
      if (r === 0) continue;
      const res = finish(calc(spec), spec);
      if (!chosen) chosen = { res, spec };
      else if (spec.bitOffset !== chosen.spec.bitOffset) {
        fail(`field offset ambiguity: candidates at bit ${chosen.spec.bitOffset} and ${spec.bitOffset}`, localSpec);
      } else if (res.poison !== chosen.res.poison || res.newVal !== chosen.res.newVal) {
        fail(`relocation decision ambiguity: ${chosen.res.newVal} != ${res.newVal}`, localSpec);
      }
      kept.push(cand);
    }
  } catch (e) {
    if (e instanceof BtfError) fail(`the target BTF is malformed: ${e.what}`, localSpec);
    throw e;
  }
  candidates.narrow(relo.typeId, kept);
  if (chosen) return chosen.res;
  return finish(calc(undefined));
}

// ---- patching -----------------------------------------------------------------------------

const BPF_LD = 0x00,
  BPF_LDX = 0x01,
  BPF_ST = 0x02,
  BPF_STX = 0x03,
  BPF_ALU = 0x04,
  BPF_ALU64 = 0x07;
const BPF_K = 0x00;
const LDDW = 0x18;
const CALL = 0x85;
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
const BYTES_SIZE: Record<number, number> = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 };

/** Writes the poison call (and, for lddw, poisons its second slot too). */
export function poisonInstruction(insns: DataView, index: number): void {
  const at = index * 8;
  const wide = insns.getUint8(at) === LDDW && at + 16 <= insns.byteLength;
  const write = (p: number): void => {
    insns.setUint8(p, CALL);
    insns.setUint8(p + 1, 0);
    insns.setInt16(p + 2, 0, true);
    insns.setInt32(p + 4, POISON_HELPER_ID, true);
  };
  if (wide) write(at + 8);
  write(at);
}

/**
 * Patches instruction `index` of `insns` with a resolved relocation; returns true when the
 * instruction was poisoned instead. Throws RelocationError when the instruction does not fit.
 */
export function patchInstruction(insns: DataView, index: number, res: CoreResult, where: string): boolean {
  const at = index * 8;
  if (at + 8 > insns.byteLength)
    throw new RelocationError(
      `CO-RE relocation ${res.description} points past the end of the code (instruction ${index})`,
      where,
    );
  if (res.poison) {
    poisonInstruction(insns, index);
    return true;
  }
  const code = insns.getUint8(at);
  const cls = code & 0x07;
  const bad = (what: string): never => {
    throw new RelocationError(`CO-RE relocation ${res.description}: instruction ${index} ${what}`, where);
  };
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      if ((code & 0x08) !== BPF_K) bad("is an ALU instruction with a register operand");
      const imm = insns.getInt32(at + 4, true);
      if (res.validate && BigInt(imm >>> 0) !== res.origVal && BigInt(imm) !== res.origVal) {
        bad(`holds ${imm}, expected ${res.origVal} (the object and its BTF disagree)`);
      }
      insns.setInt32(at + 4, Number(BigInt.asIntN(32, res.newVal)), true);
      return false;
    }
    case BPF_LDX:
    case BPF_ST:
    case BPF_STX: {
      const off = insns.getInt16(at + 2, true);
      if (res.validate && BigInt(off) !== res.origVal) bad(`has offset ${off}, expected ${res.origVal}`);
      if (res.newVal > 0x7fffn) bad(`would need offset ${res.newVal}, more than a load can reach`);
      if (res.failMemSizeAdjust) {
        poisonInstruction(insns, index);
        return true;
      }
      insns.setInt16(at + 2, Number(res.newVal), true);
      if (res.newSize !== res.origSize) {
        const size = SIZE_BYTES[code & 0x18];
        if (size !== res.origSize) bad(`accesses ${size} bytes, expected ${res.origSize}`);
        const newBits = BYTES_SIZE[res.newSize];
        if (newBits === undefined) bad(`would need a ${res.newSize}-byte access`);
        insns.setUint8(at, (code & ~0x18) | newBits!);
      }
      return false;
    }
    case BPF_LD: {
      if (code !== LDDW || at + 16 > insns.byteLength) bad("is not a 64-bit immediate load");
      const regs = insns.getUint8(at + 1);
      if (
        regs >> 4 !== 0 ||
        insns.getInt16(at + 2, true) !== 0 ||
        insns.getUint8(at + 8) !== 0 ||
        insns.getUint8(at + 9) !== 0 ||
        insns.getInt16(at + 10, true) !== 0
      )
        bad("is a 64-bit load of unexpected form");
      const imm = BigInt(insns.getUint32(at + 4, true)) | (BigInt(insns.getUint32(at + 12, true)) << 32n);
      if (res.validate && imm !== res.origVal) bad(`holds ${imm}, expected ${res.origVal}`);
      insns.setUint32(at + 4, Number(res.newVal & 0xffff_ffffn), true);
      insns.setUint32(at + 12, Number((res.newVal >> 32n) & 0xffff_ffffn), true);
      return false;
    }
    default:
      return bad(`(opcode 0x${code.toString(16)}) cannot be relocated`);
  }
}
