// Emulated maps for the VM, with the kernel's semantics where a program or a test can see them:
// update flags (NOEXIST → EEXIST, EXIST → ENOENT), a full hash map answers E2BIG, LRU maps evict
// the least recently used element instead, arrays cannot be deleted from (EINVAL), per-CPU maps
// keep one value per CPU (user space reads all of them, a program its own CPU's), queues and
// stacks overwrite the oldest value with BPF_EXIST. The user-side methods mirror the real map
// classes of src/maps (get/set/delete/has/keys/values/entries, push/pop/peek/drain) and throw the
// same error classes, so a test written against an emulated map reads like one against the kernel.
import { bytes as bytesCodec, perCpu as perCpuCodec, u32 as u32Codec, type Codec } from "../maps/codec.js";
import { KeyExistsError, KeyNotFoundError, MapError, MapFullError, MapSpecError } from "../maps/errors.js";
import { Errno } from "../errors.js";
import { MapFlags, MapType, UpdateFlags } from "../uapi.js";
import type { DecodedProgram } from "./decode.js";
import type { Machine } from "./machine.js";
import { Memory, Region, RegionKind } from "./memory.js";

/** High word of the value a program holds for a map (lddw map fd): not memory, only a handle. */
export const MAP_PTR_HI = 0x7e000000 | 0;

/** What maps need from the VM that owns them. */
export interface MapEnv {
  readonly memory: Memory;
  /** Number of possible CPUs (per-CPU maps keep this many values). */
  readonly cpus: number;
  /** The CPU the program runs on. */
  readonly cpu: number;
  /** Registers a map; returns its id (the low word of its handle). */
  register(map: VmMap): number;
}

/** Creation arguments: codecs like src/maps' MapSpec, or raw sizes (values are then Uint8Array). */
export interface VmMapSpec<K = unknown, V = unknown> {
  type: number;
  name?: string;
  key?: Codec<K>;
  value?: Codec<V>;
  keySize?: number;
  valueSize?: number;
  maxEntries: number;
  flags?: number;
  /** Template of the inner maps of a map-in-map (only its presence is checked). */
  innerMap?: unknown;
}

type KeyId = number | string;

/** A key's identity in a JavaScript Map: a number for keys up to 6 bytes, else a latin1 string. */
export function keyIdOf(key: Uint8Array): KeyId {
  const n = key.length;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + key[i]!;
    return v;
  }
  return Buffer.from(key.buffer, key.byteOffset, n).toString("latin1");
}

const roundUp8 = (n: number): number => (n + 7) & ~7;
const PER_CPU_TYPES: readonly number[] = [MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH];
let nextFd = 1 << 20;

/** Raises the user-side error the real map classes raise for an errno. */
function userError(operation: string, errno: number, map: VmMap): Error {
  switch (errno) {
    case Errno.E2BIG:
      return new MapFullError(operation, map.name, map.maxEntries);
    case Errno.EEXIST:
      return new KeyExistsError(operation, map.name);
    case Errno.ENOENT:
      return new KeyNotFoundError(operation, map.name);
    default:
      return new MapError(operation, errno, map.name);
  }
}

/** What every emulated map shares: identity, sizes and the program-side operations. */
export abstract class VmMap {
  /** A pseudo file descriptor: programs reference the map with `lddw rX, map[fd]`. */
  readonly fd: number;
  /** Low word of the handle a program holds. */
  readonly id: number;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  protected readonly env: MapEnv;

  constructor(env: MapEnv, spec: VmMapSpec, keySize: number, valueSize: number) {
    this.env = env;
    this.type = spec.type;
    this.name = spec.name ?? "";
    this.keySize = keySize;
    this.valueSize = valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    if (!Number.isInteger(spec.maxEntries) || spec.maxEntries <= 0)
      throw new MapSpecError(this.name, `maxEntries must be a positive integer (got ${spec.maxEntries})`);
    this.fd = nextFd++;
    this.id = env.register(this);
  }

  /** Are program-side writes into values allowed (BPF_F_RDONLY_PROG makes them read-only)? */
  protected get programWritable(): boolean {
    return (this.flags & MapFlags.RDONLY_PROG) === 0;
  }

  // ---- program side: called by the emulated helpers; results are 0 or -errno ----
  /** bpf_map_lookup_elem: sets r0 to a value pointer or 0. */
  progLookup(m: Machine, _key: Uint8Array): void {
    m.setR0(0, 0);
  }
  progUpdate(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }
  progDelete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }
  progPush(_value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }
  progPop(_out: Uint8Array): number {
    return -Errno.EINVAL;
  }
  progPeek(_out: Uint8Array): number {
    return -Errno.EINVAL;
  }
  /** Calls `visit(key, valuePointerLo, valuePointerHi)` for each element (bpf_for_each_map_elem). */
  forEachElement(_visit: (keyRegion: Region, value: Region) => boolean): number {
    return -Errno.EINVAL;
  }

  protected check(operation: string, ret: number): void {
    if (ret < 0) throw userError(operation, -ret, this);
  }
}

function sizesOf(spec: VmMapSpec): { keySize: number; valueSize: number } {
  const keySize = spec.key?.size ?? spec.keySize;
  const valueSize = spec.value?.size ?? spec.valueSize;
  if (keySize === undefined || valueSize === undefined)
    throw new MapSpecError(spec.name ?? "", "give key/value codecs or keySize/valueSize");
  return { keySize, valueSize };
}

interface Elem {
  key: Uint8Array;
  data: Uint8Array;
  regions: (Region | undefined)[];
}

/** Encodes user-side keys and values into scratch bytes. */
class Scratch<T> {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(readonly codec: Codec<T>) {
    this.bytes = new Uint8Array(codec.size);
    this.view = new DataView(this.bytes.buffer);
  }
  encode(v: T): Uint8Array {
    this.codec.encode(v, this.view, 0);
    return this.bytes;
  }
  decode(bytes: Uint8Array): T {
    return this.codec.decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  }
}

/**
 * HASH, LRU_HASH, PERCPU_HASH, LRU_PERCPU_HASH (and, with `indexed`, the device/cpu/xsk maps
 * whose keys are indices below max_entries). For per-CPU kinds user space sees `V` as an array of
 * one value per CPU, like PerCpuHashMap.
 */
export class VmHashMap<K = Uint8Array, V = Uint8Array> extends VmMap implements Iterable<[K, V]> {
  readonly lru: boolean;
  readonly perCpu: boolean;
  readonly #stride: number;
  readonly #table = new Map<KeyId, Elem>();
  readonly #key: Scratch<K>;
  readonly #value: Scratch<V>;
  readonly #indexed: boolean;

  constructor(env: MapEnv, spec: VmMapSpec<K, unknown>, options: { indexed?: boolean } = {}) {
    const { keySize, valueSize } = sizesOf(spec);
    super(env, spec, keySize, valueSize);
    if (keySize <= 0 || valueSize <= 0)
      throw new MapSpecError(this.name, "hash maps need non-zero key and value sizes");
    this.lru = spec.type === MapType.LRU_HASH || spec.type === MapType.LRU_PERCPU_HASH;
    this.perCpu = PER_CPU_TYPES.includes(spec.type);
    this.#stride = roundUp8(valueSize);
    this.#indexed = options.indexed ?? false;
    this.#key = new Scratch((spec.key ?? bytesCodec(keySize)) as Codec<K>);
    const element = (spec.value ?? bytesCodec(valueSize)) as Codec<unknown>;
    this.#value = new Scratch((this.perCpu ? perCpuCodec(element, env.cpus) : element) as Codec<V>);
  }

  /** Number of elements. */
  get size(): number {
    return this.#table.size;
  }

  #regionFor(e: Elem, cpu: number): Region {
    let r = e.regions[cpu];
    if (r === undefined) {
      const start = this.perCpu ? cpu * this.#stride : 0;
      r = this.env.memory.add(
        new Region(
          e.data,
          RegionKind.MAP_VALUE,
          this.programWritable,
          `map "${this.name}" value`,
          start,
          start + this.valueSize,
        ),
      );
      e.regions[cpu] = r;
    }
    return r;
  }

  #find(key: Uint8Array, touch: boolean): Elem | undefined {
    const id = keyIdOf(key);
    const e = this.#table.get(id);
    if (e !== undefined && touch && this.lru) {
      this.#table.delete(id);
      this.#table.set(id, e);
    }
    return e;
  }

  #free(e: Elem): void {
    for (const r of e.regions) if (r) this.env.memory.remove(r);
    e.regions.length = 0;
  }

  /** The update every path shares. `whole`: `value` holds all CPUs' values (user space). */
  #update(key: Uint8Array, value: Uint8Array, flags: number, whole: boolean): number {
    const f = flags & ~UpdateFlags.F_LOCK;
    if (f > UpdateFlags.EXIST) return -Errno.EINVAL;
    const id = keyIdOf(key);
    let e = this.#table.get(id);
    if (e !== undefined) {
      if (f === UpdateFlags.NOEXIST) return -Errno.EEXIST;
      if (this.lru) {
        this.#table.delete(id);
        this.#table.set(id, e);
      }
    } else {
      if (f === UpdateFlags.EXIST) return -Errno.ENOENT;
      if (this.#indexed) {
        if (key.length >= 4 && new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) >= this.maxEntries)
          return -Errno.E2BIG;
      } else if (this.#table.size >= this.maxEntries) {
        if (!this.lru) return -Errno.E2BIG;
        const oldest = this.#table.keys().next().value as KeyId;
        this.#free(this.#table.get(oldest)!);
        this.#table.delete(oldest);
      }
      e = {
        key: key.slice(),
        data: new Uint8Array(this.perCpu ? this.#stride * this.env.cpus : this.valueSize),
        regions: [],
      };
      this.#table.set(id, e);
    }
    if (whole || !this.perCpu) e.data.set(value.subarray(0, e.data.length));
    else e.data.set(value.subarray(0, this.valueSize), this.env.cpu * this.#stride);
    return 0;
  }

  override progLookup(m: Machine, key: Uint8Array): void {
    const e = this.#find(key, true);
    if (e === undefined) {
      m.setR0(0, 0);
      return;
    }
    const r = this.#regionFor(e, this.env.cpu);
    m.setR0(r.start, r.hi);
  }

  /** bpf_map_lookup_percpu_elem: another CPU's value. */
  lookupOnCpu(m: Machine, key: Uint8Array, cpu: number): void {
    const e = this.perCpu && cpu < this.env.cpus ? this.#find(key, true) : undefined;
    if (e === undefined) {
      m.setR0(0, 0);
      return;
    }
    const r = this.#regionFor(e, cpu);
    m.setR0(r.start, r.hi);
  }

  override progUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.#update(key, value, flags, false);
  }

  override progDelete(key: Uint8Array): number {
    const id = keyIdOf(key);
    const e = this.#table.get(id);
    if (e === undefined) return -Errno.ENOENT;
    this.#free(e);
    this.#table.delete(id);
    return 0;
  }

  override forEachElement(visit: (key: Region, value: Region) => boolean): number {
    let n = 0;
    for (const e of [...this.#table.values()]) {
      n++;
      const keyRegion = this.env.memory.add(new Region(e.key, RegionKind.RODATA, false, `map "${this.name}" key`));
      try {
        if (visit(keyRegion, this.#regionFor(e, this.env.cpu))) break;
      } finally {
        this.env.memory.remove(keyRegion);
      }
    }
    return n;
  }

  /** Raw bytes of an element's value (all CPUs' for per-CPU maps), or undefined. */
  rawGet(key: Uint8Array): Uint8Array | undefined {
    return this.#table.get(keyIdOf(key))?.data;
  }

  // ---- user side, like src/maps ----
  get(key: K): V | undefined {
    const e = this.#table.get(keyIdOf(this.#key.encode(key)));
    return e === undefined ? undefined : this.#value.decode(e.data);
  }
  set(key: K, value: V, flags: number = UpdateFlags.ANY): this {
    const k = this.#key.encode(key);
    this.check("update", this.#update(k, this.#value.encode(value), flags, true));
    return this;
  }
  delete(key: K): boolean {
    return this.progDelete(this.#key.encode(key)) === 0;
  }
  has(key: K): boolean {
    return this.#table.has(keyIdOf(this.#key.encode(key)));
  }
  clear(): void {
    for (const e of this.#table.values()) this.#free(e);
    this.#table.clear();
  }
  *keys(): IterableIterator<K> {
    for (const e of [...this.#table.values()]) yield this.#key.decode(e.key);
  }
  *values(): IterableIterator<V> {
    for (const e of [...this.#table.values()]) yield this.#value.decode(e.data);
  }
  *entries(): IterableIterator<[K, V]> {
    for (const e of [...this.#table.values()]) yield [this.#key.decode(e.key), this.#value.decode(e.data)];
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/** ARRAY and PERCPU_ARRAY: max_entries values of 8-byte-rounded size, all present from the start. */
export class VmArrayMap<V = Uint8Array> extends VmMap implements Iterable<[number, V]> {
  readonly perCpu: boolean;
  readonly #stride: number;
  /** CPU c's value i is at ((c * max) + i) * stride. */
  readonly storage: Uint8Array;
  readonly #regions: (Region | undefined)[] = [];
  readonly #value: Scratch<V>;
  readonly #element: Codec<unknown>;

  constructor(env: MapEnv, spec: VmMapSpec<number, unknown>) {
    const { keySize, valueSize } = sizesOf({ keySize: 4, ...spec });
    super(env, spec, keySize, valueSize);
    if (keySize !== 4) throw new MapSpecError(this.name, `array maps need 4-byte keys (got ${keySize})`);
    if (valueSize <= 0) throw new MapSpecError(this.name, "array maps need a non-zero value size");
    this.perCpu = spec.type === MapType.PERCPU_ARRAY;
    this.#stride = roundUp8(valueSize);
    this.storage = new Uint8Array(this.#stride * this.maxEntries * (this.perCpu ? env.cpus : 1));
    this.#element = (spec.value ?? bytesCodec(valueSize)) as Codec<unknown>;
    this.#value = new Scratch((this.perCpu ? perCpuCodec(this.#element, env.cpus) : this.#element) as Codec<V>);
  }

  #offset(index: number, cpu: number): number {
    return ((this.perCpu ? cpu * this.maxEntries : 0) + index) * this.#stride;
  }

  /** The region of value `index` on `cpu` (created on first use). */
  regionAt(index: number, cpu = 0): Region {
    const slot = (this.perCpu ? cpu * this.maxEntries : 0) + index;
    let r = this.#regions[slot];
    if (r === undefined) {
      const start = this.#offset(index, cpu);
      r = this.env.memory.add(
        new Region(
          this.storage,
          RegionKind.MAP_VALUE,
          this.programWritable,
          `map "${this.name}" value [${index}]`,
          start,
          start + this.valueSize,
        ),
      );
      this.#regions[slot] = r;
    }
    return r;
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  override progLookup(m: Machine, key: Uint8Array): void {
    const i = this.#index(key);
    if (i >= this.maxEntries) {
      m.setR0(0, 0);
      return;
    }
    const r = this.regionAt(i, this.env.cpu);
    m.setR0(r.start, r.hi);
  }

  lookupOnCpu(m: Machine, key: Uint8Array, cpu: number): void {
    const i = this.#index(key);
    if (!this.perCpu || i >= this.maxEntries || cpu >= this.env.cpus) {
      m.setR0(0, 0);
      return;
    }
    const r = this.regionAt(i, cpu);
    m.setR0(r.start, r.hi);
  }

  #update(i: number, value: Uint8Array, flags: number, whole: boolean): number {
    const f = flags & ~UpdateFlags.F_LOCK;
    if (f > UpdateFlags.EXIST) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (f === UpdateFlags.NOEXIST) return -Errno.EEXIST;
    if (whole && this.perCpu) {
      for (let c = 0; c < this.env.cpus; c++) {
        this.storage.set(value.subarray(c * this.#stride, c * this.#stride + this.valueSize), this.#offset(i, c));
      }
    } else {
      this.storage.set(value.subarray(0, this.valueSize), this.#offset(i, this.env.cpu));
    }
    return 0;
  }

  override progUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.#update(this.#index(key), value, flags, false);
  }

  override forEachElement(visit: (key: Region, value: Region) => boolean): number {
    const keyBytes = new Uint8Array(4);
    const keyRegion = this.env.memory.add(new Region(keyBytes, RegionKind.RODATA, false, `map "${this.name}" key`));
    let n = 0;
    try {
      for (let i = 0; i < this.maxEntries; i++) {
        n++;
        new DataView(keyBytes.buffer).setUint32(0, i, true);
        if (visit(keyRegion, this.regionAt(i, this.env.cpu))) break;
      }
    } finally {
      this.env.memory.remove(keyRegion);
    }
    return n;
  }

  // ---- user side, like ArrayMap / PerCpuArrayMap ----
  get(index: number): V | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) return undefined;
    if (!this.perCpu)
      return this.#value.decode(this.storage.subarray(this.#offset(index, 0), this.#offset(index, 0) + this.valueSize));
    const all = new Uint8Array(this.#stride * this.env.cpus);
    for (let c = 0; c < this.env.cpus; c++)
      all.set(this.storage.subarray(this.#offset(index, c), this.#offset(index, c) + this.valueSize), c * this.#stride);
    return this.#value.decode(all);
  }
  set(index: number, value: V, flags: number = UpdateFlags.ANY): this {
    this.check("update", this.#update(index >>> 0, this.#value.encode(value), flags, true));
    return this;
  }
  /** Arrays cannot delete (EINVAL), like the kernel. */
  delete(_index: number): boolean {
    throw userError("delete", Errno.EINVAL, this);
  }
  has(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.maxEntries;
  }
  *keys(): IterableIterator<number> {
    for (let i = 0; i < this.maxEntries; i++) yield i;
  }
  *values(): IterableIterator<V> {
    for (let i = 0; i < this.maxEntries; i++) yield this.get(i)!;
  }
  *entries(): IterableIterator<[number, V]> {
    for (let i = 0; i < this.maxEntries; i++) yield [i, this.get(i)!];
  }
  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }
  /** Sum over CPUs of a per-CPU numeric value (like PerCpuMap.sum). */
  sum(index: number): number | bigint | undefined {
    const v = this.get(index) as unknown;
    if (!Array.isArray(v)) return undefined;
    return (v as (number | bigint)[]).reduce<number | bigint>(
      (a, b) => (typeof a === "bigint" ? a + BigInt(b) : a + Number(b)),
      typeof v[0] === "bigint" ? 0n : 0,
    );
  }
}

/** QUEUE (FIFO) and STACK (LIFO). */
export class VmQueueMap<V = Uint8Array> extends VmMap {
  readonly lifo: boolean;
  readonly #items: Uint8Array[] = [];
  readonly #value: Scratch<V>;

  constructor(env: MapEnv, spec: VmMapSpec<unknown, V>) {
    const { valueSize } = sizesOf({ keySize: 0, ...spec });
    super(env, spec, 0, valueSize);
    this.lifo = spec.type === MapType.STACK;
    this.#value = new Scratch((spec.value ?? bytesCodec(valueSize)) as Codec<V>);
  }

  get size(): number {
    return this.#items.length;
  }

  override progPush(value: Uint8Array, flags: number): number {
    if ((flags & ~UpdateFlags.EXIST) !== 0) return -Errno.EINVAL;
    if (this.#items.length >= this.maxEntries) {
      if ((flags & UpdateFlags.EXIST) === 0) return -Errno.E2BIG;
      this.#items.shift(); // the oldest value goes, for queues and stacks alike
    }
    this.#items.push(value.slice(0, this.valueSize));
    return 0;
  }
  override progPop(out: Uint8Array): number {
    const v = this.lifo ? this.#items.pop() : this.#items.shift();
    if (v === undefined) return -Errno.ENOENT;
    out.set(v);
    return 0;
  }
  override progPeek(out: Uint8Array): number {
    const v = this.lifo ? this.#items[this.#items.length - 1] : this.#items[0];
    if (v === undefined) return -Errno.ENOENT;
    out.set(v);
    return 0;
  }

  push(value: V, options: { overwrite?: boolean } = {}): this {
    this.check("push", this.progPush(this.#value.encode(value), options.overwrite ? UpdateFlags.EXIST : 0));
    return this;
  }
  pop(): V | undefined {
    const v = this.lifo ? this.#items.pop() : this.#items.shift();
    return v === undefined ? undefined : this.#value.decode(v);
  }
  peek(): V | undefined {
    const v = this.lifo ? this.#items[this.#items.length - 1] : this.#items[0];
    return v === undefined ? undefined : this.#value.decode(v);
  }
  *drain(): IterableIterator<V> {
    for (let v = this.pop(); v !== undefined; v = this.pop()) yield v;
  }
}

/** BLOOM_FILTER, exact (no false positives: a valid, if unusually lucky, bloom filter). */
export class VmBloomFilterMap<V = Uint8Array> extends VmMap {
  readonly #set = new Set<KeyId>();
  readonly #value: Scratch<V>;
  constructor(env: MapEnv, spec: VmMapSpec<unknown, V>) {
    const { valueSize } = sizesOf({ keySize: 0, ...spec });
    super(env, spec, 0, valueSize);
    this.#value = new Scratch((spec.value ?? bytesCodec(valueSize)) as Codec<V>);
  }
  override progPush(value: Uint8Array, flags: number): number {
    if (flags !== 0 && flags !== UpdateFlags.ANY) return -Errno.EINVAL;
    this.#set.add(keyIdOf(value.subarray(0, this.valueSize)));
    return 0;
  }
  override progPeek(value: Uint8Array): number {
    return this.#set.has(keyIdOf(value.subarray(0, this.valueSize))) ? 0 : -Errno.ENOENT;
  }
  add(value: V): this {
    this.progPush(this.#value.encode(value), 0);
    return this;
  }
  has(value: V): boolean {
    return this.#set.has(keyIdOf(this.#value.encode(value)));
  }
}

/** LPM_TRIE: key = { u32 prefixlen; u8 data[] }, lookups find the longest matching prefix. */
export class VmLpmTrieMap<K = Uint8Array, V = Uint8Array> extends VmMap {
  readonly #byPrefix = new Map<KeyId, Elem>();
  readonly #key: Scratch<K>;
  readonly #value: Scratch<V>;
  readonly #maxPrefix: number;

  constructor(env: MapEnv, spec: VmMapSpec<K, V>) {
    const { keySize, valueSize } = sizesOf(spec);
    super(env, spec, keySize, valueSize);
    if (keySize <= 4) throw new MapSpecError(this.name, "LPM trie keys are a u32 prefix length followed by the data");
    if ((this.flags & MapFlags.NO_PREALLOC) === 0)
      throw new MapSpecError(this.name, "LPM tries need BPF_F_NO_PREALLOC (the kernel refuses them otherwise)");
    this.#maxPrefix = (keySize - 4) * 8;
    this.#key = new Scratch((spec.key ?? bytesCodec(keySize)) as Codec<K>);
    this.#value = new Scratch((spec.value ?? bytesCodec(valueSize)) as Codec<V>);
  }

  /** The key with the bits past its prefix cleared (its identity). */
  #normal(key: Uint8Array, prefix: number): Uint8Array {
    const k = key.slice(0, this.keySize);
    new DataView(k.buffer).setUint32(0, prefix, true);
    for (let bit = prefix; bit < this.#maxPrefix; bit++) k[4 + (bit >> 3)]! &= ~(0x80 >> (bit & 7));
    return k;
  }

  #longest(key: Uint8Array): Elem | undefined {
    const want = Math.min(new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true), this.#maxPrefix);
    for (let p = want; p >= 0; p--) {
      const e = this.#byPrefix.get(keyIdOf(this.#normal(key, p)));
      if (e !== undefined) return e;
    }
    return undefined;
  }

  override progLookup(m: Machine, key: Uint8Array): void {
    const e = this.#longest(key);
    if (e === undefined) {
      m.setR0(0, 0);
      return;
    }
    let r = e.regions[0];
    if (r === undefined) {
      r = this.env.memory.add(
        new Region(e.data, RegionKind.MAP_VALUE, this.programWritable, `map "${this.name}" value`),
      );
      e.regions[0] = r;
    }
    m.setR0(r.start, r.hi);
  }

  override progUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > UpdateFlags.EXIST) return -Errno.EINVAL;
    const prefix = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (prefix > this.#maxPrefix) return -Errno.EINVAL;
    const k = this.#normal(key, prefix);
    const id = keyIdOf(k);
    let e = this.#byPrefix.get(id);
    if (e !== undefined && flags === UpdateFlags.NOEXIST) return -Errno.EEXIST;
    if (e === undefined) {
      if (flags === UpdateFlags.EXIST) return -Errno.ENOENT;
      if (this.#byPrefix.size >= this.maxEntries) return -Errno.ENOSPC;
      e = { key: k, data: new Uint8Array(this.valueSize), regions: [] };
      this.#byPrefix.set(id, e);
    }
    e.data.set(value.subarray(0, this.valueSize));
    return 0;
  }

  override progDelete(key: Uint8Array): number {
    const prefix = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (prefix > this.#maxPrefix) return -Errno.EINVAL;
    const id = keyIdOf(this.#normal(key, prefix));
    const e = this.#byPrefix.get(id);
    if (e === undefined) return -Errno.ENOENT;
    for (const r of e.regions) if (r) this.env.memory.remove(r);
    this.#byPrefix.delete(id);
    return 0;
  }

  /** Exact-prefix lookup from user space (like the syscall). */
  get(key: K): V | undefined {
    const k = this.#key.encode(key);
    const e = this.#byPrefix.get(keyIdOf(this.#normal(k, new DataView(k.buffer).getUint32(0, true))));
    return e === undefined ? undefined : this.#value.decode(e.data);
  }
  /** Longest-prefix match from user space. */
  match(key: K): V | undefined {
    const e = this.#longest(this.#key.encode(key));
    return e === undefined ? undefined : this.#value.decode(e.data);
  }
  set(key: K, value: V, flags: number = UpdateFlags.ANY): this {
    this.check("update", this.progUpdate(this.#key.encode(key), this.#value.encode(value), flags));
    return this;
  }
  delete(key: K): boolean {
    return this.progDelete(this.#key.encode(key)) === 0;
  }
  *entries(): IterableIterator<[K, V]> {
    for (const e of [...this.#byPrefix.values()]) yield [this.#key.decode(e.key), this.#value.decode(e.data)];
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/** What a PROG_ARRAY slot holds: a program loaded in the same VM. */
export interface TailCallable {
  readonly decoded: DecodedProgram;
}

/** PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS: slots holding references (programs, maps). */
export class VmRefMap<T> extends VmMap {
  readonly #slots = new Map<KeyId, T>();
  readonly indexed: boolean;
  constructor(env: MapEnv, spec: VmMapSpec) {
    const indexed = spec.type !== MapType.HASH_OF_MAPS;
    const { keySize } = sizesOf({ keySize: 4, valueSize: 4, ...spec });
    super(env, spec, keySize, 4);
    this.indexed = indexed;
    if (indexed && keySize !== 4) throw new MapSpecError(this.name, "array-like maps need 4-byte keys");
  }
  /** The reference at a key (bytes), or undefined. */
  refAt(key: Uint8Array): T | undefined {
    return this.#slots.get(keyIdOf(key));
  }
  refAtIndex(index: number): T | undefined {
    return this.indexed ? this.#slots.get(index >>> 0) : undefined;
  }

  override progLookup(m: Machine, key: Uint8Array): void {
    const v = this.#slots.get(keyIdOf(key));
    if (v instanceof VmMap) m.setR0(v.id, MAP_PTR_HI);
    else m.setR0(0, 0);
  }

  #keyBytes(key: number | Uint8Array): Uint8Array {
    if (typeof key !== "number") return key;
    const k = new Uint8Array(4);
    new DataView(k.buffer).setUint32(0, key, true);
    return k;
  }
  /** Puts a reference in a slot (user space only, as for the kernel's fd maps). */
  set(key: number | Uint8Array, value: T): this {
    const k = this.#keyBytes(key);
    if (this.indexed && (keyIdOf(k) as number) >= this.maxEntries) throw userError("update", Errno.E2BIG, this);
    if (!this.indexed && !this.#slots.has(keyIdOf(k)) && this.#slots.size >= this.maxEntries)
      throw userError("update", Errno.E2BIG, this);
    this.#slots.set(keyIdOf(k), value);
    return this;
  }
  get(key: number | Uint8Array): T | undefined {
    return this.#slots.get(keyIdOf(this.#keyBytes(key)));
  }
  delete(key: number | Uint8Array): boolean {
    return this.#slots.delete(keyIdOf(this.#keyBytes(key)));
  }
  override progDelete(key: Uint8Array): number {
    return this.#slots.delete(keyIdOf(key)) ? 0 : -Errno.ENOENT;
  }
}

/**
 * SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE: one value per owner object, found by
 * the owner's pointer (bpf_task_storage_get(map, task, …)); created on demand with
 * BPF_LOCAL_STORAGE_GET_F_CREATE, from the given value or zeros.
 */
export class VmLocalStorageMap<V = Uint8Array> extends VmMap {
  readonly #owners = new Map<string, Elem>();
  readonly #value: Scratch<V>;

  constructor(env: MapEnv, spec: VmMapSpec<unknown, V>) {
    const { valueSize } = sizesOf({ keySize: 4, ...spec });
    super(env, { ...spec, maxEntries: spec.maxEntries || 1 }, 4, valueSize);
    this.#value = new Scratch((spec.value ?? bytesCodec(valueSize)) as Codec<V>);
  }

  /** The storage helpers' get: r0 = the owner's value, created when `create` (and room). */
  storageGet(m: Machine, ownerHi: number, ownerLo: number, init: Uint8Array | null, create: boolean): void {
    if (ownerHi === 0 && ownerLo === 0) {
      m.setR0(0, 0);
      return;
    }
    const id = `${ownerHi >>> 0}:${ownerLo >>> 0}`;
    let e = this.#owners.get(id);
    if (e === undefined) {
      if (!create) {
        m.setR0(0, 0);
        return;
      }
      const data = new Uint8Array(this.valueSize);
      if (init) data.set(init.subarray(0, this.valueSize));
      e = { key: new Uint8Array(0), data, regions: [] };
      this.#owners.set(id, e);
    }
    let r = e.regions[0];
    if (r === undefined) {
      r = this.env.memory.add(
        new Region(e.data, RegionKind.MAP_VALUE, this.programWritable, `map "${this.name}" storage`),
      );
      e.regions[0] = r;
    }
    m.setR0(r.start, r.hi);
  }

  storageDelete(ownerHi: number, ownerLo: number): number {
    const id = `${ownerHi >>> 0}:${ownerLo >>> 0}`;
    const e = this.#owners.get(id);
    if (e === undefined) return -Errno.ENOENT;
    for (const r of e.regions) if (r) this.env.memory.remove(r);
    this.#owners.delete(id);
    return 0;
  }

  /** Number of owners with a value. */
  get size(): number {
    return this.#owners.size;
  }
  /** Values by owner pointer. */
  *entries(): IterableIterator<[bigint, V]> {
    for (const [id, e] of this.#owners) {
      const [hi, lo] = id.split(":").map(Number) as [number, number];
      yield [(BigInt(hi) << 32n) | BigInt(lo), this.#value.decode(e.data)];
    }
  }
}

/** Creates the emulated map for a spec; the kinds the VM cannot emulate are refused. */
export function createVmMap(env: MapEnv, spec: VmMapSpec): VmMap {
  switch (spec.type) {
    case MapType.HASH:
    case MapType.LRU_HASH:
    case MapType.PERCPU_HASH:
    case MapType.LRU_PERCPU_HASH:
      return new VmHashMap(env, spec);
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY:
      return new VmArrayMap(env, spec as VmMapSpec<number, unknown>);
    case MapType.DEVMAP:
    case MapType.CPUMAP:
    case MapType.XSKMAP:
      return new VmHashMap(env, { keySize: 4, ...spec, key: spec.key ?? u32Codec }, { indexed: true });
    case MapType.DEVMAP_HASH:
      return new VmHashMap(env, spec);
    case MapType.QUEUE:
    case MapType.STACK:
      return new VmQueueMap(env, spec);
    case MapType.BLOOM_FILTER:
      return new VmBloomFilterMap(env, spec);
    case MapType.LPM_TRIE:
      return new VmLpmTrieMap(env, spec);
    case MapType.PROG_ARRAY:
    case MapType.ARRAY_OF_MAPS:
    case MapType.HASH_OF_MAPS:
      return new VmRefMap(env, spec);
    case MapType.SK_STORAGE:
    case MapType.INODE_STORAGE:
    case MapType.TASK_STORAGE:
    case MapType.CGRP_STORAGE:
      return new VmLocalStorageMap(env, spec);
    default:
      throw new MapSpecError(
        spec.name ?? "",
        `map type ${spec.type} is not emulated by the VM (emulated: hash, array, their per-CPU and LRU kinds, LPM trie, queue, stack, bloom filter, ring buffer, perf event array, program array, maps of maps, device/CPU/XSK maps, local storage)`,
      );
  }
}
