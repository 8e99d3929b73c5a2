// Map definitions in an object file: BTF-defined maps (the `.maps` section, described by the
// types of its variables: `__uint(max_entries, 16)` is a pointer to an array of 16 ints,
// `__type(key, u32)` a pointer to u32, `__array(values, …)` a zero-length array of pointers to the
// inner map's definition or to a program's prototype), legacy `maps` (struct bpf_map_def), and
// the global data sections that become one-element array maps (.rodata*, .data*, .bss*, .kconfig).
import type { Btf } from "../btf/decoder.js";
import { BtfError, BtfKind } from "../btf/kinds.js";
import { MapFlags, MapType } from "../uapi.js";
import { MapDefinitionError } from "./errors.js";
import type { StructOpsDefinition } from "./struct-ops.js";

/** LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME. */
export type Pinning = "none" | "by_name";

/** What kind of definition a map comes from. */
export type MapOrigin = "btf" | "legacy" | "rodata" | "data" | "bss" | "kconfig" | "struct_ops";

/** An initial slot of a prog array or map-in-map, from the `.values` initialiser. */
export interface MapSlot {
  index: number;
  /** Name of the program (prog arrays) or map (map-in-map) to store there. */
  target: string;
}

/** A map as the object defines it: everything BPF_MAP_CREATE needs, plus where it came from. */
export interface MapDefinition {
  /** The C name (the variable's name), or the section name for global data (".rodata"). */
  name: string;
  /** The name given to the kernel (at most 15 characters, as libbpf derives it). */
  kernelName: string;
  origin: MapOrigin;
  /** ELF section index and byte offset of the definition (for relocations). */
  sectionIndex: number;
  section: string;
  offset: number;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  mapExtra: bigint;
  pinning: Pinning;
  /** Key and value types in the object's BTF (0: none). For global data the value is the DATASEC. */
  keyTypeId: number;
  valueTypeId: number;
  /** The inner map's definition (map-in-map): a template, created only to create the outer map. */
  inner?: MapDefinition;
  /** Initial slots from `.values`. */
  slots: MapSlot[];
  /** Initial contents of a global data map (zeros for .bss); undefined for other maps. */
  data?: Uint8Array;
  /** A struct_ops map: the variable it comes from (its value is laid out for the kernel at load). */
  structOps?: StructOpsDefinition;
}

const BPF_MAP_TYPES = Object.values(MapType) as number[];
const MAP_IN_MAP = [MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS] as number[];

function err(map: string, what: string): MapDefinitionError {
  return new MapDefinitionError(what, `map "${map}"`);
}

/** Runs a BTF query, turning a BtfError into a MapDefinitionError about `map`. */
function btfQuery<T>(map: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BtfError) throw new MapDefinitionError(e.what, `map "${map}"`, { cause: e });
    throw e;
  }
}

/** `__uint(name, N)`: a pointer to an array of N elements; returns N. */
function fieldInt(btf: Btf, map: string, field: string, typeId: number): number {
  return btfQuery(map, () => {
    const ptr = btf.typeById(btf.resolve(typeId));
    if (ptr.kind !== "ptr")
      throw err(map, `field "${field}" is a ${ptr.kind}, expected __uint(${field}, N) (a pointer to an array)`);
    const arr = btf.typeById(btf.resolve(ptr.type));
    if (arr.kind !== "array") throw err(map, `field "${field}" points to a ${arr.kind}, expected an array (__uint)`);
    return arr.nelems;
  });
}

/** The 15-character kernel name libbpf gives a global data map of object `objectName`. */
export function internalMapName(objectName: string, section: string): string {
  const MAX = 15;
  let suffixLength = Math.max(7, section.length);
  if (suffixLength > MAX) suffixLength = MAX;
  // Sections with a second dot (".rodata.str1.1", ".data.custom") are named as they are.
  const prefixLength = section.indexOf(".", 1) >= 0 ? 0 : Math.min(MAX - suffixLength, objectName.length);
  const name = objectName.slice(0, prefixLength) + section.slice(0, MAX - prefixLength);
  return name.replace(/[^A-Za-z0-9_.]/g, "_");
}

interface ParsedDef {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  mapExtra: bigint;
  pinning: Pinning;
  keyTypeId: number;
  valueTypeId: number;
  inner?: ParsedDef;
  /** Byte offset of the `values` member within the definition struct. */
  valuesOffset?: number;
}

/** Decodes a map definition struct (the type of a `.maps` variable, or an inner map's). */
function parseDef(btf: Btf, map: string, structId: number, isInner: boolean): ParsedDef {
  const def: ParsedDef = {
    type: 0,
    keySize: 0,
    valueSize: 0,
    maxEntries: 0,
    flags: 0,
    numaNode: 0,
    mapExtra: 0n,
    pinning: "none",
    keyTypeId: 0,
    valueTypeId: 0,
  };
  const t = btfQuery(map, () => btf.typeById(btf.resolve(structId)));
  if (t.kind !== "struct") throw err(map, `definition is a ${t.kind}, expected a struct`);
  const setSize = (which: "keySize" | "valueSize", size: number): void => {
    if (def[which] && def[which] !== size)
      throw err(map, `conflicting ${which === "keySize" ? "key" : "value"} size ${def[which]} != ${size}`);
    def[which] = size;
  };
  t.members.forEach((m, i) => {
    switch (m.name) {
      case "type":
        def.type = fieldInt(btf, map, m.name, m.type);
        break;
      case "max_entries":
        def.maxEntries = fieldInt(btf, map, m.name, m.type);
        break;
      case "map_flags":
        def.flags = fieldInt(btf, map, m.name, m.type);
        break;
      case "numa_node":
        def.numaNode = fieldInt(btf, map, m.name, m.type);
        break;
      case "key_size":
        setSize("keySize", fieldInt(btf, map, m.name, m.type));
        break;
      case "value_size":
        setSize("valueSize", fieldInt(btf, map, m.name, m.type));
        break;
      case "map_extra":
        def.mapExtra = BigInt(fieldInt(btf, map, m.name, m.type));
        break;
      case "key":
      case "value": {
        const which = m.name;
        btfQuery(map, () => {
          const ptr = btf.typeById(m.type);
          if (ptr.kind !== "ptr") throw err(map, `${which} is a ${ptr.kind}, expected __type(${which}, T) (a pointer)`);
          setSize(which === "key" ? "keySize" : "valueSize", btf.sizeOf(ptr.type));
          if (which === "key") def.keyTypeId = ptr.type;
          else def.valueTypeId = ptr.type;
        });
        break;
      }
      case "values": {
        const isMapInMap = MAP_IN_MAP.includes(def.type);
        const isProgArray = def.type === MapType.PROG_ARRAY;
        if (isInner) throw err(map, "inner maps cannot have inner maps themselves");
        if (i !== t.members.length - 1) throw err(map, `"values" must be the last member`);
        if (!isMapInMap && !isProgArray)
          throw err(map, `"values" needs a map-in-map or prog array type (type is ${def.type})`);
        setSize("valueSize", 4);
        def.valuesOffset = Math.floor(m.bitOffset / 8);
        btfQuery(map, () => {
          const arr = btf.typeById(m.type);
          if (arr.kind !== "array" || arr.nelems !== 0)
            throw err(map, `"values" is not a zero-length array (__array(values, …))`);
          const ptr = btf.typeById(btf.resolve(arr.type));
          if (ptr.kind !== "ptr") throw err(map, `"values" elements are ${ptr.kind}s, expected pointers`);
          const target = btf.typeById(btf.resolve(ptr.type));
          if (isProgArray) {
            if (target.kind !== "func_proto")
              throw err(map, `prog array "values" point to a ${target.kind}, expected a function prototype`);
          } else {
            if (target.kind !== "struct")
              throw err(
                map,
                `map-in-map "values" point to a ${target.kind}, expected an inner map definition (a struct)`,
              );
            def.inner = parseDef(btf, `${map}.inner`, target.id, true);
          }
        });
        break;
      }
      case "pinning": {
        if (isInner) throw err(map, "an inner map definition cannot be pinned");
        const v = fieldInt(btf, map, m.name, m.type);
        if (v !== 0 && v !== 1) throw err(map, `invalid pinning value ${v} (0: none, 1: by name)`);
        def.pinning = v === 1 ? "by_name" : "none";
        break;
      }
      default:
        throw err(map, `unknown field "${m.name}" in the map definition`);
    }
  });
  if (def.type === 0) throw err(map, "map type is not specified");
  if (!BPF_MAP_TYPES.includes(def.type)) throw err(map, `unknown map type ${def.type}`);
  // The kernel wants a ring buffer's size to be a power-of-two multiple of the page size.
  if ((def.type === MapType.RINGBUF || def.type === MapType.USER_RINGBUF) && def.maxEntries !== 0) {
    def.maxEntries = ringbufSize(def.maxEntries);
  }
  return def;
}

const PAGE_SIZE = 4096;

/** Rounds a ring buffer size up to a power-of-two multiple of the page size (like libbpf). */
export function ringbufSize(size: number, pageSize = PAGE_SIZE): number {
  const pages = size / pageSize;
  if (size % pageSize === 0 && (pages & (pages - 1)) === 0) return size;
  for (let mul = 1; mul * pageSize <= 0xffff_ffff; mul *= 2) if (mul * pageSize > size) return mul * pageSize;
  return size;
}

function definition(
  name: string,
  kernelName: string,
  origin: MapOrigin,
  sectionIndex: number,
  section: string,
  offset: number,
  d: ParsedDef,
): MapDefinition {
  return {
    name,
    kernelName,
    origin,
    sectionIndex,
    section,
    offset,
    type: d.type,
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: d.maxEntries,
    flags: d.flags,
    numaNode: d.numaNode,
    mapExtra: d.mapExtra,
    pinning: d.pinning,
    keyTypeId: d.keyTypeId,
    valueTypeId: d.valueTypeId,
    slots: [],
    inner: d.inner
      ? definition(`${name}.inner`, `${name}.inner`.slice(0, 15), origin, sectionIndex, section, offset, d.inner)
      : undefined,
  };
}

export interface BtfMapsResult {
  maps: MapDefinition[];
  /** Offset of each map's `values` member within its definition, by map name. */
  valuesOffsets: Map<string, number>;
}

/**
 * The maps of the `.maps` section, in the order of its DATASEC. `sectionSize` bounds the
 * variables; `offsets` gives each variable's offset (from the ELF symbols).
 */
export function parseBtfMaps(
  btf: Btf,
  sectionIndex: number,
  sectionSize: number,
  offsets: ReadonlyMap<string, number>,
): BtfMapsResult {
  const maps: MapDefinition[] = [];
  const valuesOffsets = new Map<string, number>();
  const datasec = btfQuery(".maps", () => btf.datasec(".maps"));
  if (!datasec)
    throw new MapDefinitionError(
      "the object has a .maps section but its BTF has no .maps DATASEC (compile with -g)",
      `section ".maps"`,
    );
  datasec.vars.forEach((v, i) => {
    const variable = btfQuery(".maps", () => btf.typeById(v.type));
    if (variable.kind !== "var")
      throw new MapDefinitionError(`DATASEC entry ${i} is a ${variable.kind}, not a variable`, `section ".maps"`);
    const name = variable.name;
    if (name === "") throw new MapDefinitionError(`map #${i} has no name`, `section ".maps"`);
    if (variable.linkage !== 1)
      throw err(name, `unsupported linkage ${variable.linkage} (maps must be global variables)`);
    const offset = offsets.get(name) ?? v.offset;
    const size = btfQuery(name, () => btf.sizeOf(variable.type));
    if (offset + size > sectionSize)
      throw err(name, `definition [${offset}, +${size}) lies outside the .maps section (${sectionSize} bytes)`);
    const d = parseDef(btf, name, variable.type, false);
    if (d.valuesOffset !== undefined) valuesOffsets.set(name, d.valuesOffset);
    maps.push(definition(name, name.slice(0, 15), "btf", sectionIndex, ".maps", offset, d));
  });
  return { maps, valuesOffsets };
}

/** Legacy `SEC("maps")` definitions: struct bpf_map_def {type, key_size, value_size, max_entries, map_flags}. */
export function parseLegacyMaps(
  data: Uint8Array,
  sectionIndex: number,
  symbols: readonly { name: string; value: number }[],
): MapDefinition[] {
  if (symbols.length === 0) return [];
  const defSize = Math.floor(data.length / symbols.length);
  if (defSize < 20 || data.length % symbols.length !== 0) {
    throw new MapDefinitionError(
      `${symbols.length} map symbols do not divide the section (${data.length} bytes) into definitions of at least 20 bytes`,
      `section "maps"`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  return [...symbols]
    .sort((a, b) => a.value - b.value)
    .map((sym) => {
      if (sym.value % defSize !== 0 || sym.value + defSize > data.length)
        throw err(sym.name, `definition at ${sym.value} is misaligned or outside the section`);
      for (let at = sym.value + 20; at < sym.value + defSize; at++) {
        if (data[at] !== 0)
          throw err(sym.name, `unknown non-zero fields after the first 20 bytes of the legacy definition`);
      }
      const type = view.getUint32(sym.value, true);
      if (!BPF_MAP_TYPES.includes(type) || type === 0) throw err(sym.name, `unknown map type ${type}`);
      return {
        name: sym.name,
        kernelName: sym.name.slice(0, 15),
        origin: "legacy" as const,
        sectionIndex,
        section: "maps",
        offset: sym.value,
        type,
        keySize: view.getUint32(sym.value + 4, true),
        valueSize: view.getUint32(sym.value + 8, true),
        maxEntries: view.getUint32(sym.value + 12, true),
        flags: view.getUint32(sym.value + 16, true),
        numaNode: 0,
        mapExtra: 0n,
        pinning: "none" as const,
        keyTypeId: 0,
        valueTypeId: 0,
        slots: [],
      };
    });
}

/**
 * A global data map: a one-element array holding the whole section. Read-only sections (and
 * .kconfig) are read-only for programs, which lets the verifier treat their values as constants
 * once the map is frozen. `mmapable` maps can be mapped by user space (libbpf sets it when the
 * section has a non-static variable).
 */
export function dataMap(
  objectName: string,
  section: string,
  sectionIndex: number,
  origin: "rodata" | "data" | "bss" | "kconfig",
  data: Uint8Array,
  valueTypeId: number,
  mmapable: boolean,
): MapDefinition {
  let flags = origin === "rodata" || origin === "kconfig" ? MapFlags.RDONLY_PROG : 0;
  if (mmapable) flags |= MapFlags.MMAPABLE;
  return {
    name: section,
    kernelName: internalMapName(objectName, section),
    origin,
    sectionIndex,
    section,
    offset: 0,
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: data.length,
    maxEntries: 1,
    flags,
    numaNode: 0,
    mapExtra: 0n,
    pinning: "none",
    keyTypeId: 0,
    valueTypeId,
    slots: [],
    data,
  };
}

/** The BTF kind test used for BTF-map sanity: DATASEC id by name (0 when absent). */
export function datasecId(btf: Btf | undefined, name: string): number {
  if (!btf) return 0;
  return btf.findByName(name, BtfKind.DATASEC)[0] ?? 0;
}

/**
 * The map a struct_ops variable becomes: one element whose value is the kernel's
 * `bpf_struct_ops_<name>` (its size is the kernel's, known at load).
 */
export function structOpsMap(def: StructOpsDefinition): MapDefinition {
  return {
    name: def.name,
    kernelName: def.name.slice(0, 15),
    origin: "struct_ops",
    sectionIndex: def.sectionIndex,
    section: def.section,
    offset: def.offset,
    type: MapType.STRUCT_OPS,
    keySize: 4,
    valueSize: 0,
    maxEntries: 1,
    flags: def.link ? MapFlags.LINK : 0,
    numaNode: 0,
    mapExtra: 0n,
    pinning: "none",
    keyTypeId: 0,
    valueTypeId: 0,
    slots: [],
    structOps: def,
  };
}
