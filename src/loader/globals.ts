// Global variables of a loaded object: each data section is a one-element array map. Maps made
// mmapable (every section with a non-static variable) are mapped into this process, so reading
// `obj.variables.counter` is a memory read, like a libbpf skeleton's `skel->bss->counter`;
// other sections go through BPF_MAP_LOOKUP_ELEM/UPDATE_ELEM. Read-only sections (.rodata,
// .kconfig) are frozen once loaded: writing them then is a MapReadOnlyError.
import type { Btf } from "../btf/decoder.js";
import { TsbpfError } from "../errors.js";
import { Mapping, pageSize, Prot } from "../events/mmap.js";
import { bpfErrno, Cmd, mapElemAttr } from "../sys/bpf.js";
import { syscallError } from "../sys/errors.js";
import { NativeMemory } from "../sys/libc.js";
import { MapFlags } from "../uapi.js";
import { MapReadOnlyError } from "../maps/errors.js";
import type { MapDefinition } from "../object/maps.js";
import type { VariableDefinition } from "../object/object.js";
import type { Codec } from "../maps/codec.js";
import { btfCodec, rawCodec } from "./btf-codec.js";

/** Access to one data map's bytes. */
export class DataSection implements Disposable {
  #mapping: Mapping | undefined;
  #scratch: NativeMemory | undefined;
  #key: NativeMemory | undefined;
  readonly readOnly: boolean;

  constructor(
    readonly definition: MapDefinition,
    readonly fd: () => number,
    frozen: boolean,
  ) {
    this.readOnly = frozen;
  }

  get mmapable(): boolean {
    return (this.definition.flags & MapFlags.MMAPABLE) !== 0;
  }

  #view(): DataView {
    const size = this.definition.valueSize;
    if (this.mmapable) {
      if (!this.#mapping) {
        const length = Math.ceil(Math.max(size, 1) / pageSize()) * pageSize();
        this.#mapping = Mapping.map(
          this.fd(),
          length,
          this.readOnly ? Prot.READ : Prot.READ | Prot.WRITE,
          0,
          `map "${this.definition.kernelName}"`,
        );
      }
      return new DataView(this.#mapping.buffer, 0, size);
    }
    this.#scratch ??= new NativeMemory(size);
    this.#key ??= new NativeMemory(4);
    this.#key.view.setUint32(0, 0, true);
    const ret = bpfErrno(Cmd.MAP_LOOKUP_ELEM, mapElemAttr(this.fd(), this.#key.address, this.#scratch.address, 0));
    if (ret < 0) throw syscallError("BPF_MAP_LOOKUP_ELEM", -ret, `global data "${this.definition.name}"`);
    return this.#scratch.view;
  }

  /** Reads a value at `offset` with `codec`. */
  read<T>(codec: Codec<T>, offset: number): T {
    return codec.decode(this.#view(), offset);
  }

  /** Writes a value at `offset` (through the mapping, or a read-modify-update of the element). */
  write<T>(codec: Codec<T>, offset: number, value: T): void {
    if (this.readOnly) throw new MapReadOnlyError("write", this.definition.kernelName);
    const view = this.#view();
    codec.encode(value, view, offset);
    if (!this.mmapable) {
      const ret = bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(this.fd(), this.#key!.address, this.#scratch!.address, 0));
      if (ret < 0) throw syscallError("BPF_MAP_UPDATE_ELEM", -ret, `global data "${this.definition.name}"`);
    }
  }

  /** The whole section's bytes (a copy). */
  bytes(): Uint8Array {
    const v = this.#view();
    return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + this.definition.valueSize));
  }

  close(): void {
    this.#mapping?.unmap();
    this.#mapping = undefined;
    this.#scratch?.free();
    this.#key?.free();
    this.#scratch = this.#key = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A codec for a variable: from BTF when the object has it, else raw bytes. */
export function variableCodec(btf: Btf | undefined, v: VariableDefinition): Codec<unknown> {
  if (btf && v.typeId) return btfCodec(btf, v.typeId);
  return rawCodec(v.size);
}

/**
 * Why `value` cannot be stored in an integer of `size` bytes, or undefined when it can: a preset
 * must not wrap silently (99999999999999999999 into a u32 would otherwise become 1661992960).
 */
export function integerRangeProblem(value: unknown, size: number, signed: boolean): string | undefined {
  if (typeof value !== "number" && typeof value !== "bigint") return undefined;
  if (typeof value === "number" && !Number.isInteger(value)) return `${value} is not an integer`;
  if (typeof value === "number" && !Number.isSafeInteger(value))
    return `${value} is beyond what a JavaScript number holds exactly (give a bigint)`;
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const n = BigInt(value);
  if (n >= min && n <= max) return undefined;
  return `${n} does not fit ${signed ? "a signed" : "an unsigned"} ${size * 8}-bit integer (${min} to ${max})`;
}

/**
 * Writes `values` (by variable name) into the initial contents of the object's data maps, before
 * they are created: how .rodata constants are configured. Throws for unknown names.
 */
export function presetVariables(
  btf: Btf | undefined,
  variables: readonly VariableDefinition[],
  maps: readonly MapDefinition[],
  values: Readonly<Record<string, unknown>>,
  onUnknown: (name: string) => never,
): void {
  for (const [name, value] of Object.entries(values)) {
    const v = variables.find((x) => x.name === name && x.map !== ".kconfig");
    if (!v) onUnknown(name);
    const map = maps.find((m) => m.name === v!.map && m.data);
    if (!map?.data) onUnknown(name);
    const type = btf && v!.typeId ? btf.typeById(btf.resolve(v!.typeId)) : undefined;
    if (
      type &&
      (type.kind === "int" || type.kind === "enum" || type.kind === "enum64") &&
      !(type.kind === "int" && type.bool)
    ) {
      const problem = integerRangeProblem(value, type.size, type.signed);
      if (problem) throw new TsbpfError(`cannot set ${name}: ${problem}`);
    }
    const codec = variableCodec(btf, v!);
    codec.encode(value, new DataView(map!.data!.buffer, map!.data!.byteOffset, map!.data!.byteLength), v!.offset);
  }
}
