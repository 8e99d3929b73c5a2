// The map kinds, decided once: for every BPF_MAP_TYPE, the user-space class its handle is, what
// that class is generic over, whether values are per CPU and what creation needs. The object
// loader (opening the maps it made from an ELF object), `tsbpf gen types` (naming that class in
// the code it writes) and KernelObject (creating the maps of compiled kernel TypeScript) all look
// the kind up here, so the three agree by construction. Types without a class of their own are
// key/value maps of any type (BpfMap).
import { MapType, enumName } from "../uapi.js";
import { loadBtf } from "../btf/load.js";
import { mapKeyValueBtf } from "../btf/encoder.js";
import { closeFd } from "../sys/bpf.js";
import { TsbpfError } from "../errors.js";
import { bytes, u32, type Codec } from "./codec.js";
import type { MapBtf, MapHandle } from "./handle.js";
import { BpfMap, isPerCpuType, type PerCpuMapType } from "./map.js";
import { HashMap } from "./hash.js";
import { LruHashMap } from "./lru-hash.js";
import { ArrayMap } from "./array.js";
import { PerCpuArrayMap, PerCpuHashMap, LruPerCpuHashMap } from "./per-cpu.js";
import { ProgramArray } from "./program-array.js";
import { ArrayOfMaps, HashOfMaps } from "./map-in-map.js";
import { RingBufMap, UserRingBufMap } from "./ringbuf.js";
import { PerfEventArray } from "./perf-event-array.js";
import { QueueMap, StackMap } from "./queue.js";
import { BloomFilterMap } from "./bloom-filter.js";
import { SocketMap } from "./sock-map.js";

type AnyCodec = Codec<unknown>;

/** What a map kind's creation is given (sizes always; codecs and the inner template where the kind takes them). */
export interface MapCreation {
  name: string;
  type: number;
  flags: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  key?: AnyCodec;
  value?: AnyCodec;
  /** The inner map template (maps of maps). */
  inner?: MapHandle;
  /** Kind-specific extra: the bloom filter's number of hashes. */
  extra?: number;
  /** Key/value BTF, for kinds whose `btf` is "optional". */
  btf?: MapBtf;
}

export interface MapKind {
  readonly type: MapType;
  /** BPF_MAP_TYPE_* in lower case ("hash", "lru_percpu_hash"): kernel TypeScript's `mapType`. */
  readonly name: string;
  /** The handle class, as tsbpf exports it. */
  readonly className: string;
  /** Whether the class has a key type parameter and a value type parameter (in that order). */
  readonly keyed: boolean;
  readonly valued: boolean;
  /** Values are one per possible CPU. */
  readonly perCpu: boolean;
  /**
   * Key/value BTF at creation: "never" (the kernel refuses it for this type), "optional", or
   * "required" (local storage: the kernel creates it only with BTF).
   */
  readonly btf: "never" | "optional" | "required";
  /** Creation needs an inner map template. */
  readonly needsInner: boolean;
  /**
   * The value is a kernel struct named at creation by its kernel BTF id (btf_vmlinux_value_type_id:
   * struct_ops), laid out from the kernel's BTF rather than declared by the object.
   */
  readonly kernelValue: boolean;
  /** Opens an existing map by id as this kind's class, keys and values through the codecs. */
  open(id: number, key: AnyCodec, value: AnyCodec): MapHandle;
  /** Creates a map of this kind. */
  create(spec: MapCreation): MapHandle;
}

const need = <T>(c: T | undefined, spec: MapCreation, what: string): T => {
  if (!c) throw new TsbpfError(`map ${spec.name}: no ${what} type was given`);
  return c;
};
const key = (s: MapCreation): AnyCodec => need(s.key, s, "key");
const value = (s: MapCreation): AnyCodec => need(s.value, s, "value");
const inner = (s: MapCreation): MapHandle => {
  if (!s.inner) throw new TsbpfError(`map ${s.name}: a map of maps needs an inner map template`);
  return s.inner;
};
const base = (s: MapCreation): { name: string; flags: number; btf?: MapBtf } => ({
  name: s.name,
  flags: s.flags,
  btf: s.btf,
});

/** A key/value map of any type: the codecs given, or raw bytes of the declared sizes. */
function createGeneric(s: MapCreation, btf?: { fd: number; keyTypeId: number; valueTypeId: number }): MapHandle {
  return BpfMap.create({
    ...base(s),
    type: s.type as Exclude<MapType, PerCpuMapType>,
    maxEntries: s.maxEntries,
    innerMap: s.inner,
    btf,
    key: s.key ?? bytes(s.keySize),
    value: s.value ?? bytes(s.valueSize),
  });
}

/** Local storage: the kernel creates it only with BTF for its key (an int: the owner's fd) and value. */
function createLocalStorage(s: MapCreation): MapHandle {
  const kv = mapKeyValueBtf("s32", { kind: "bytes", length: s.valueSize });
  const btfFd = loadBtf(kv.btf);
  try {
    return createGeneric(s, { fd: btfFd, keyTypeId: kv.keyTypeId, valueTypeId: kv.valueTypeId });
  } finally {
    closeFd(btfFd);
  }
}

type KindRow = Omit<MapKind, "type" | "name" | "perCpu" | "btf" | "needsInner" | "kernelValue"> &
  Partial<Pick<MapKind, "btf" | "needsInner" | "kernelValue">>;

const GENERIC: KindRow = {
  className: "BpfMap",
  keyed: true,
  valued: true,
  open: (id, k, v) => BpfMap.fromId(id, k, v),
  create: (s) => createGeneric(s, s.btf),
};

const ROWS: Partial<Record<MapType, KindRow>> = {
  [MapType.HASH]: {
    className: "HashMap",
    keyed: true,
    valued: true,
    open: (id, k, v) => HashMap.fromId(id, k, v),
    create: (s) => HashMap.create({ ...base(s), key: key(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.LRU_HASH]: {
    className: "LruHashMap",
    keyed: true,
    valued: true,
    open: (id, k, v) => LruHashMap.fromId(id, k, v),
    create: (s) => LruHashMap.create({ ...base(s), key: key(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.PERCPU_HASH]: {
    className: "PerCpuHashMap",
    keyed: true,
    valued: true,
    open: (id, k, v) => PerCpuHashMap.fromId(id, k, v),
    create: (s) => PerCpuHashMap.create({ ...base(s), key: key(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.LRU_PERCPU_HASH]: {
    className: "LruPerCpuHashMap",
    keyed: true,
    valued: true,
    open: (id, k, v) => LruPerCpuHashMap.fromId(id, k, v),
    create: (s) => LruPerCpuHashMap.create({ ...base(s), key: key(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.ARRAY]: {
    className: "ArrayMap",
    keyed: false,
    valued: true,
    open: (id, _k, v) => ArrayMap.fromId(id, v),
    create: (s) => ArrayMap.create({ ...base(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.PERCPU_ARRAY]: {
    className: "PerCpuArrayMap",
    keyed: false,
    valued: true,
    open: (id, _k, v) => PerCpuArrayMap.fromId(id, v),
    create: (s) => PerCpuArrayMap.create({ ...base(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.PROG_ARRAY]: {
    className: "ProgramArray",
    keyed: false,
    valued: false,
    btf: "never",
    open: (id) => ProgramArray.fromId(id),
    create: (s) => ProgramArray.create({ name: s.name, maxEntries: s.maxEntries }),
  },
  [MapType.PERF_EVENT_ARRAY]: {
    className: "PerfEventArray",
    keyed: false,
    valued: false,
    btf: "never",
    open: (id) => PerfEventArray.fromId(id),
    create: (s) => PerfEventArray.create({ name: s.name, ...(s.maxEntries ? { maxEntries: s.maxEntries } : {}) }),
  },
  [MapType.ARRAY_OF_MAPS]: {
    className: "ArrayOfMaps",
    keyed: false,
    valued: false,
    btf: "never",
    needsInner: true,
    open: (id) => ArrayOfMaps.fromId(id),
    create: (s) => ArrayOfMaps.create({ ...base(s), innerMap: inner(s), maxEntries: s.maxEntries }),
  },
  [MapType.HASH_OF_MAPS]: {
    className: "HashOfMaps",
    keyed: true,
    valued: false,
    btf: "never",
    needsInner: true,
    open: (id, k) => HashOfMaps.fromId(id, k),
    create: (s) => HashOfMaps.create({ ...base(s), innerMap: inner(s), maxEntries: s.maxEntries, key: key(s) }),
  },
  [MapType.RINGBUF]: {
    className: "RingBufMap",
    keyed: false,
    valued: false,
    btf: "never",
    open: (id) => RingBufMap.fromId(id),
    create: (s) => RingBufMap.create({ name: s.name, size: s.maxEntries }),
  },
  [MapType.USER_RINGBUF]: {
    className: "UserRingBufMap",
    keyed: false,
    valued: false,
    btf: "never",
    open: (id) => UserRingBufMap.fromId(id),
    create: (s) => UserRingBufMap.create({ name: s.name, size: s.maxEntries }),
  },
  [MapType.QUEUE]: {
    className: "QueueMap",
    keyed: false,
    valued: true,
    btf: "never",
    open: (id, _k, v) => QueueMap.fromId(id, v),
    create: (s) => QueueMap.create({ ...base(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.STACK]: {
    className: "StackMap",
    keyed: false,
    valued: true,
    btf: "never",
    open: (id, _k, v) => StackMap.fromId(id, v),
    create: (s) => StackMap.create({ ...base(s), value: value(s), maxEntries: s.maxEntries }),
  },
  [MapType.BLOOM_FILTER]: {
    className: "BloomFilterMap",
    keyed: false,
    valued: true,
    open: (id, _k, v) => BloomFilterMap.fromId(id, v),
    create: (s) =>
      BloomFilterMap.create({
        ...base(s),
        value: value(s),
        maxEntries: s.maxEntries,
        ...(s.extra ? { hashes: s.extra } : {}),
      }),
  },
  [MapType.SOCKMAP]: {
    className: "SocketMap",
    keyed: true,
    valued: false,
    btf: "never",
    open: (id, k) => SocketMap.fromId(id, k),
    create: (s) => SocketMap.create({ ...base(s), type: s.type, key: s.key ?? u32, maxEntries: s.maxEntries }),
  },
  [MapType.SOCKHASH]: {
    className: "SocketMap",
    keyed: true,
    valued: false,
    btf: "never",
    open: (id, k) => SocketMap.fromId(id, k),
    create: (s) => SocketMap.create({ ...base(s), type: s.type, key: key(s), maxEntries: s.maxEntries }),
  },
  [MapType.REUSEPORT_SOCKARRAY]: {
    className: "SocketMap",
    keyed: true,
    valued: false,
    btf: "never",
    open: (id, k) => SocketMap.fromId(id, k),
    create: (s) => SocketMap.create({ ...base(s), type: s.type, key: u32, maxEntries: s.maxEntries }),
  },
  // Types the kernel refuses key/value BTF for, with no class of their own.
  [MapType.STACK_TRACE]: { ...GENERIC, btf: "never" },
  [MapType.CGROUP_ARRAY]: { ...GENERIC, btf: "never" },
  [MapType.DEVMAP]: { ...GENERIC, btf: "never" },
  [MapType.DEVMAP_HASH]: { ...GENERIC, btf: "never" },
  [MapType.CPUMAP]: { ...GENERIC, btf: "never" },
  [MapType.XSKMAP]: { ...GENERIC, btf: "never" },
  // struct_ops: one element, the kernel's bpf_struct_ops_<name>; no key/value BTF of the object's own.
  [MapType.STRUCT_OPS]: { ...GENERIC, btf: "never", kernelValue: true },
  // Local storage.
  [MapType.TASK_STORAGE]: { ...GENERIC, btf: "required", create: createLocalStorage },
  [MapType.SK_STORAGE]: { ...GENERIC, btf: "required", create: createLocalStorage },
  [MapType.CGRP_STORAGE]: { ...GENERIC, btf: "required", create: createLocalStorage },
  [MapType.INODE_STORAGE]: { ...GENERIC, btf: "required", create: createLocalStorage },
};

/** Every map type the kernel defines (UNSPEC aside), with its kind. */
export const MAP_KINDS: ReadonlyMap<MapType, MapKind> = new Map(
  (Object.values(MapType) as MapType[])
    .filter((t) => t !== MapType.UNSPEC)
    .map((type) => {
      const row = ROWS[type] ?? GENERIC;
      const kind: MapKind = {
        type,
        name: enumName(MapType, type),
        btf: "optional",
        needsInner: false,
        kernelValue: false,
        ...row,
        perCpu: isPerCpuType(type),
      };
      return [type, kind];
    }),
);

/** The kind of a map type; a type this table does not know is a key/value map of any type. */
export function mapKind(type: number): MapKind {
  return (
    MAP_KINDS.get(type as MapType) ?? {
      btf: "optional",
      needsInner: false,
      kernelValue: false,
      ...GENERIC,
      type: type as MapType,
      name: enumName(MapType, type),
      perCpu: false,
    }
  );
}

/** The kind whose name (kernel TypeScript's `mapType`, "hash", "ringbuf" …) is `name`. */
export function mapKindNamed(name: string): MapKind | undefined {
  for (const k of MAP_KINDS.values()) if (k.name === name) return k;
  return undefined;
}

/** The handle's type as TypeScript names it, with the key and value types given: `HashMap<K, V>`, `RingBufMap`. */
export function mapTypeName(kind: MapKind, keyType: string, valueType: string): string {
  const args = [...(kind.keyed ? [keyType] : []), ...(kind.valued ? [valueType] : [])];
  return args.length ? `${kind.className}<${args.join(", ")}>` : kind.className;
}
