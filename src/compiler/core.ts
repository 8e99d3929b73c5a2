// CO-RE for compiled programs: every kernel struct field the program reads by name carries a
// relocation (FIELD_BYTE_OFFSET) against a *local* BTF that describes the kernel types as the
// compiler saw them — only the members the program reads, at the offsets it compiled in, with
// members of anonymous structs and unions lifted into their parent (the resolver finds them
// through the target's anonymous members, as libbpf does). At load time the same resolution code
// that relocates clang-built objects (src/object/core.ts) maps each access to the running kernel's
// layout; the ELF writer puts the same types in .BTF and the records in .BTF.ext.
import type { Btf } from "../btf/decoder.js";
import { BtfBuilder } from "../btf/encoder.js";
import type { CoreAccess } from "./ir.js";

/** BPF_CORE_FIELD_BYTE_OFFSET: the only relocation kind compiled code needs (libbpf numbering). */
export const CORE_FIELD_BYTE_OFFSET = 0;
export const CORE_FIELD_EXISTS = 2;
export const CORE_ENUMVAL_EXISTS = 10;
export const CORE_ENUMVAL_VALUE = 11;

/** One relocation as the artifact and the ELF writer carry it. */
export interface CoreRecord {
  /** Instruction index in the program. */
  slot: number;
  kind: number;
  /** Root type id in the local BTF. */
  type: number;
  /** libbpf access string: "0:member:member…" (member indexes in the local BTF, array indexes). */
  access: string;
}

interface LocalMember {
  name: string;
  bitOffset: number;
  srcType: number;
}
interface LocalComposite {
  srcId: number;
  members: Map<string, LocalMember>;
}

/** Collects the accesses of a module, then writes their local BTF into a builder. */
export class CoreTypes {
  readonly #btf: Btf;
  readonly #composites = new Map<number, LocalComposite>();

  constructor(btf: Btf) {
    this.#btf = btf;
  }

  get empty(): boolean {
    return this.#composites.size === 0;
  }

  /** Records the members an access goes through. */
  add(access: CoreAccess): void {
    this.#walk(access);
  }

  #composite(id: number): LocalComposite {
    let c = this.#composites.get(id);
    if (!c) this.#composites.set(id, (c = { srcId: id, members: new Map() }));
    return c;
  }

  /** Follows an access through the source BTF; returns the composites and members it uses. */
  #walk(access: CoreAccess): { composite: LocalComposite | undefined; name?: string; index?: number }[] {
    const btf = this.#btf;
    const out: { composite: LocalComposite | undefined; name?: string; index?: number }[] = [];
    let cur = btf.resolve(access.root);
    // An enumerator relocation names a value of the (whole, copied) enum: no members to record.
    if (access.kind === CORE_ENUMVAL_VALUE || access.kind === CORE_ENUMVAL_EXISTS) return out;
    for (const step of access.steps) {
      const t = btf.typeById(cur);
      if (typeof step === "number") {
        if (t.kind !== "array") throw new Error(`internal: CO-RE step [${step}] on a ${t.kind}`);
        out.push({ composite: undefined, index: step });
        cur = btf.resolve(t.type);
        continue;
      }
      if (t.kind !== "struct" && t.kind !== "union") throw new Error(`internal: CO-RE step .${step} on a ${t.kind}`);
      const found = findMember(btf, cur, step, 0);
      if (!found) throw new Error(`internal: ${t.name || "<anon>"} has no member ${step}`);
      const c = this.#composite(cur);
      if (!c.members.has(step)) c.members.set(step, { name: step, bitOffset: found.bitOffset, srcType: found.type });
      out.push({ composite: c, name: step });
      cur = btf.resolve(found.type);
    }
    return out;
  }

  /**
   * Adds the local types to `b`; returns a function giving each access its root type id and
   * access string there.
   */
  emit(b: BtfBuilder): (access: CoreAccess) => { type: number; access: string } {
    const btf = this.#btf;
    const ids = new Map<number, number>();
    const order = new Map<LocalComposite, LocalMember[]>();
    const idx = b.stdInt(4, true);
    const typeOf = (srcId: number): number => {
      const id = btf.resolve(srcId);
      const known = ids.get(id);
      if (known !== undefined) return known;
      const t = btf.typeById(id);
      let out: number;
      switch (t.kind) {
        case "int":
          out = b.addInt(t.name, t.size, { signed: t.signed, char: t.char, bool: t.bool });
          break;
        case "enum":
          out = b.addEnum(t.name, t.values, { size: t.size as 1 | 2 | 4 | 8, signed: t.signed });
          break;
        case "enum64":
          out = b.addEnum(
            t.name,
            t.values.map((v) => ({ name: v.name, value: Number(BigInt.asIntN(53, v.value)) })),
            { size: 8, signed: t.signed },
          );
          break;
        case "ptr":
          out = b.addPtr(0);
          break; // a pointer read starts a new access: its target never matters here
        case "array":
          out = b.addArray(typeOf(t.type), t.nelems, idx);
          break;
        case "struct":
        case "union": {
          const c = this.#composites.get(id);
          const members = c ? [...c.members.values()].sort((x, y) => x.bitOffset - y.bitOffset) : [];
          if (c) order.set(c, members);
          // Lifted members of an anonymous struct sit at non-zero offsets: a union holding them becomes a struct.
          const union = t.kind === "union" && members.every((m) => m.bitOffset === 0);
          const specs = members.map((m) => ({ name: m.name, type: typeOf(m.srcType), bitOffset: m.bitOffset }));
          out = union ? b.addUnion(t.name, t.size, specs) : b.addStruct(t.name, t.size, specs);
          break;
        }
        default:
          out = b.addInt(`__core_${t.kind}`, Math.max(1, Math.min(8, btf.sizeOf(id))) as 1 | 2 | 4 | 8);
          break;
      }
      ids.set(id, out);
      return out;
    };
    for (const id of this.#composites.keys()) typeOf(id);
    return (access) => {
      const type = typeOf(access.root);
      if (access.kind === CORE_ENUMVAL_VALUE || access.kind === CORE_ENUMVAL_EXISTS) {
        const t = btf.typeById(btf.resolve(access.root));
        const values = t.kind === "enum" || t.kind === "enum64" ? (t.values as { name: string }[]) : [];
        const index = values.findIndex((v) => v.name === access.steps[0]);
        if (index < 0) throw new Error(`internal: no enumerator ${String(access.steps[0])}`);
        return { type, access: String(index) };
      }
      const parts = ["0"];
      for (const s of this.#walk(access)) {
        if (s.index !== undefined) {
          parts.push(String(s.index));
          continue;
        }
        const members = order.get(s.composite!)!;
        parts.push(String(members.findIndex((m) => m.name === s.name)));
      }
      return { type, access: parts.join(":") };
    };
  }

  /** The local BTF on its own (the artifact's `coreBtf`) and the records of each program. */
  static forArtifact(
    btf: Btf,
    accesses: readonly { program: string; slot: number; core: CoreAccess }[],
  ): { blob: Buffer; records: Map<string, CoreRecord[]> } | undefined {
    if (accesses.length === 0) return undefined;
    const types = new CoreTypes(btf);
    for (const a of accesses) types.add(a.core);
    const b = new BtfBuilder();
    const locate = types.emit(b);
    const records = new Map<string, CoreRecord[]>();
    for (const a of accesses) {
      const { type, access } = locate(a.core);
      let list = records.get(a.program);
      if (!list) records.set(a.program, (list = []));
      list.push({ slot: a.slot, kind: a.core.kind ?? CORE_FIELD_BYTE_OFFSET, type, access });
    }
    return { blob: b.build(), records };
  }
}

/** A member by name, searching anonymous struct/union members like C; bit offset from `id`'s start. */
function findMember(btf: Btf, id: number, name: string, base: number): { type: number; bitOffset: number } | undefined {
  const t = btf.typeById(btf.resolve(id));
  if (t.kind !== "struct" && t.kind !== "union") return undefined;
  for (const m of t.members) {
    if (m.name === name) return { type: m.type, bitOffset: base + m.bitOffset };
  }
  for (const m of t.members) {
    if (m.name !== "") continue;
    const hit = findMember(btf, m.type, name, base + m.bitOffset);
    if (hit) return hit;
  }
  return undefined;
}
