// Key/value maps: typed element access, iteration and batch operations over any map type whose
// elements have a key and a value. The kinds (HashMap, ArrayMap, …) are thin layers over this.
//
// Hot path: get/set/has/delete write the key (and value) into the map's own native block, whose
// bpf_attr is filled once at creation (ElemBlock), and make one bpf() call; nothing is allocated
// but the decoded result (lookupInto() copies the value's bytes out instead). Scalar keys and
// values (u32, u64, …) go through a typed-array element instead of a codec call, with accessors
// per typed-array type (batch-entries.ts). Batches read into native buffers; lookupBatchEach()
// hands those out undecoded, lookupBatchInto() copies them into a caller's BatchEntries, decoded
// as read, and lookupBatch() decodes them into [key, value] pairs.
import { BATCH_ATTR_SIZE, BatchBlock, bpfAt, Cmd, ELEM_ATTR_SIZE, ElemBlock } from "../sys/bpf.js";
import { possibleCpuCount } from "../sys/cpus.js";
import { Errno, TsbpfError } from "../errors.js";
import { NativeMemory } from "../sys/libc.js";
import { MapType, UpdateFlags } from "../uapi.js";
import { perCpu, type Codec } from "./codec.js";
import { type BatchEntries, type CellAccess, type Cells, cellAccess, cellsOf } from "./batch-entries.js";
import {
  adoptWith,
  createWith,
  MapHandle,
  openMapFd,
  type MapDescription,
  type MapOptions,
  type OpenOptions,
} from "./handle.js";

/** Map types whose values are per CPU: their values read and write as one element per possible CPU. */
export type PerCpuMapType =
  | typeof MapType.PERCPU_HASH
  | typeof MapType.PERCPU_ARRAY
  | typeof MapType.LRU_PERCPU_HASH
  | typeof MapType.PERCPU_CGROUP_STORAGE;
const PER_CPU_TYPES: readonly number[] = [
  MapType.PERCPU_HASH,
  MapType.PERCPU_ARRAY,
  MapType.LRU_PERCPU_HASH,
  MapType.PERCPU_CGROUP_STORAGE,
];

export function isPerCpuType(type: number): boolean {
  return PER_CPU_TYPES.includes(type);
}

/** BpfMap.create's argument: any map type, with codecs for its key and value. */
export interface MapSpec<K, V> extends MapOptions {
  type: MapType;
  key: Codec<K>;
  value: Codec<V>;
  maxEntries: number;
  innerMap?: { readonly fd: number };
  mapExtra?: bigint;
  ifindex?: number;
}

/**
 * Called once per kernel batch with the undecoded entries: entry i's key starts at byte
 * i × keySize of `keys`, its value at i × valueSize of `values` (for per-CPU maps, one 8-byte
 * aligned slot per possible CPU, as perCpu() lays them out). The views alias buffers that the next
 * batch overwrites: read them during the call only. Return false to stop after this batch.
 */
export type BatchVisitor = (keys: DataView, values: DataView, count: number) => void | boolean;

interface BatchBuffers {
  capacity: number;
  keys: NativeMemory;
  values: NativeMemory;
  keyView: DataView;
  valueView: DataView;
  /** The buffers as typed arrays, for scalar codecs whose size is the stride. */
  keyCells: Cells | undefined;
  valueCells: Cells | undefined;
  inToken: NativeMemory;
  outToken: NativeMemory;
  attr: BatchBlock;
}

const DEFAULT_BATCH = 256;
// Batch tokens are a bucket index (u32) for hash maps and a key for the generic implementation.
const tokenSize = (keySize: number): number => Math.max(keySize, 8);
/**
 * The behaviour of every map whose elements have a key and a value, encoded by codecs. The kinds
 * (HashMap, ArrayMap, …) extend it; BpfMap adds the factories for a map of any type.
 *
 * Iteration (keys(), values(), entries(), `for…of`) walks BPF_MAP_GET_NEXT_KEY and reads the map
 * as it is at each step; it is not a snapshot. Deleting the key the iteration stands on makes the
 * kernel restart from the first key, so the walk goes on (no error) but may yield keys again; a
 * `for (const k of map.keys()) map.delete(k)` loop therefore still visits every key once.
 */
export class KeyValueMap<K, V> extends MapHandle implements Iterable<[K, V]> {
  /** Codec of the key. */
  readonly key: Codec<K>;
  /** Codec of the whole value as user space sees it (for per-CPU maps: all CPUs' values). */
  readonly value: Codec<V>;
  readonly #elem: ElemBlock;
  readonly #keyCell: Cells | undefined;
  readonly #valueCell: Cells | undefined;
  /** Element accessors of the cells (set with them). */
  readonly #keyAccess: CellAccess | undefined;
  readonly #valueAccess: CellAccess | undefined;
  /** The native value buffer as bytes (what lookupInto copies out). */
  readonly #valueBytes: Uint8Array;
  #batch: BatchBuffers | undefined;

  protected constructor(fd: number, description: MapDescription, key: Codec<K>, value: Codec<V>) {
    super(fd, description);
    this.key = key;
    this.value = value;
    // Maps without keys (queue, stack, bloom filter) get a NULL key.
    const elem = (this.#elem = new ElemBlock(fd, key.size, value.size));
    this.#keyCell = cellsOf(key, elem.mem.bytes.buffer, elem.mem.bytes.byteOffset + elem.keyOffset, 1);
    this.#valueCell = cellsOf(value, elem.mem.bytes.buffer, elem.mem.bytes.byteOffset + elem.valueOffset, 1);
    this.#keyAccess = this.#keyCell !== undefined ? cellAccess(key) : undefined;
    this.#valueAccess = this.#valueCell !== undefined ? cellAccess(value) : undefined;
    this.#valueBytes = new Uint8Array(elem.mem.bytes.buffer, elem.mem.bytes.byteOffset + elem.valueOffset, value.size);
  }

  #putKey(key: K): void {
    const access = this.#keyAccess;
    if (access !== undefined) access.put(this.#keyCell!, 0, key);
    else this.key.encode(key, this.#elem.keyView, 0);
  }

  #putValue(value: V): void {
    const access = this.#valueAccess;
    if (access !== undefined) access.put(this.#valueCell!, 0, value);
    else this.value.encode(value, this.#elem.valueView, 0);
  }

  #takeValue(): V {
    const access = this.#valueAccess;
    return access !== undefined ? (access.take(this.#valueCell!, 0) as V) : this.value.decode(this.#elem.valueView, 0);
  }

  /** Looks a key up. Returns undefined when the key is absent. */
  get(key: K, flags = 0): V | undefined {
    this.fd; // throws MapClosedError once closed (the native block is freed then)
    const elem = this.#elem;
    this.#putKey(key);
    elem.flags(flags);
    const ret = bpfAt(Cmd.MAP_LOOKUP_ELEM, elem.attr, ELEM_ATTR_SIZE);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return this.#takeValue();
  }

  /**
   * Looks a key up and copies the value's bytes (valueSize of them, as the value codec lays them
   * out) into `out` at byte `offset`; returns false, leaving `out` as it was, when the key is
   * absent. Nothing is allocated: for hot loops that read the value's fields themselves, e.g. a
   * u64 through a Uint32Array over `out` as low + high × 2^32 instead of a bigint from get().
   */
  lookupInto(key: K, out: Uint8Array, offset = 0): boolean {
    this.fd;
    const elem = this.#elem;
    this.#putKey(key);
    elem.flags(0);
    const ret = bpfAt(Cmd.MAP_LOOKUP_ELEM, elem.attr, ELEM_ATTR_SIZE);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    const value = this.#valueBytes;
    const size = value.length;
    if (offset < 0 || offset + size > out.length)
      throw new RangeError(`lookupInto: ${size} bytes do not fit at ${offset}`);
    // A byte loop beats TypedArray.prototype.set's fixed cost for the small values maps hold.
    if (size <= 64) for (let i = 0; i < size; i++) out[offset + i] = value[i]!;
    else out.set(value, offset);
    return true;
  }

  /**
   * Inserts or replaces. `flags`: UpdateFlags.ANY (default), NOEXIST (KeyExistsError when present),
   * EXIST (KeyNotFoundError when absent). A full map gives MapFullError, a frozen one MapReadOnlyError.
   */
  set(key: K, value: V, flags: number = UpdateFlags.ANY): this {
    this.fd;
    const elem = this.#elem;
    this.#putKey(key);
    this.#putValue(value);
    elem.flags(flags);
    const ret = bpfAt(Cmd.MAP_UPDATE_ELEM, elem.attr, ELEM_ATTR_SIZE);
    if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_ELEM, -ret);
    return this;
  }

  /** Removes a key; false when it was not there. */
  delete(key: K): boolean {
    this.fd;
    this.#putKey(key);
    const ret = bpfAt(Cmd.MAP_DELETE_ELEM, this.#elem.keyAttr, ELEM_ATTR_SIZE);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_DELETE_ELEM, -ret);
    }
    return true;
  }

  has(key: K): boolean {
    this.fd;
    const elem = this.#elem;
    this.#putKey(key);
    elem.flags(0);
    const ret = bpfAt(Cmd.MAP_LOOKUP_ELEM, elem.attr, ELEM_ATTR_SIZE);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return true;
  }

  /** Looks a key up and removes it in one step (hash maps; queues and stacks use pop()). */
  take(key: K): V | undefined {
    this.fd;
    const elem = this.#elem;
    this.#putKey(key);
    elem.flags(0);
    const ret = bpfAt(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, elem.attr, ELEM_ATTR_SIZE);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined;
      throw this.mapError(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, -ret);
    }
    return this.#takeValue();
  }

  keys(): IterableIterator<K> {
    return this.#walk((keys, offset) => this.key.decode(keys, offset));
  }

  values(): IterableIterator<V> {
    return this.#walk((keys, offset, address) => this.#lookupAt(keys, offset, address)?.[1]);
  }

  entries(): IterableIterator<[K, V]> {
    return this.#walk((keys, offset, address) => this.#lookupAt(keys, offset, address));
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Reads the value of the key at `offset` (native `address`) of an iteration buffer; undefined when it vanished. */
  #lookupAt(keys: DataView, offset: number, address: number): [K, V] | undefined {
    const ret = this.elementCall(this.fd, Cmd.MAP_LOOKUP_ELEM, address, this.#elem.valueAddress, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined; // deleted between GET_NEXT_KEY and the lookup
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return [this.key.decode(keys, offset), this.#takeValue()];
  }

  /**
   * Walks the keys with GET_NEXT_KEY, in a buffer of its own (two key slots, swapped each step) so
   * that element calls made while iterating do not disturb it.
   */
  *#walk<T>(
    produce: (keys: DataView, offset: number, address: number) => T | undefined,
  ): Generator<T, void, undefined> {
    const size = this.keySize;
    this.fd; // throws MapClosedError before anything is allocated
    const mem = new NativeMemory(size * 2);
    try {
      let current = -1; // no key yet: GET_NEXT_KEY with NULL returns the first key
      let next = 0;
      for (;;) {
        const keyAddress = current < 0 ? 0 : mem.address + current;
        const ret = this.elementCall(this.fd, Cmd.MAP_GET_NEXT_KEY, keyAddress, mem.address + next, 0);
        if (ret < 0) {
          if (ret === -Errno.ENOENT) return;
          throw this.mapError(Cmd.MAP_GET_NEXT_KEY, -ret);
        }
        current = next;
        next = current === 0 ? size : 0;
        const item = produce(mem.view, current, mem.address + current);
        if (item !== undefined) yield item;
      }
    } finally {
      mem.free();
    }
  }

  #batchBuffers(minimum = 0): BatchBuffers {
    this.fd; // throws MapClosedError once closed (the buffers are freed then)
    const current = this.#batch;
    if (current && current.capacity >= minimum) return current;
    const capacity = Math.max(
      minimum,
      current ? current.capacity * 2 : Math.min(DEFAULT_BATCH, Math.max(this.maxEntries, 1)),
    );
    const keys = new NativeMemory(capacity * this.key.size);
    const values = new NativeMemory(capacity * this.value.size);
    current?.keys.free();
    current?.values.free();
    const buffers: BatchBuffers = {
      capacity,
      keys,
      values,
      keyView: keys.view,
      valueView: values.view,
      keyCells: cellsOf(this.key, keys.bytes.buffer, keys.bytes.byteOffset, capacity),
      valueCells: cellsOf(this.value, values.bytes.buffer, values.bytes.byteOffset, capacity),
      inToken: current?.inToken ?? new NativeMemory(tokenSize(this.keySize)),
      outToken: current?.outToken ?? new NativeMemory(tokenSize(this.keySize)),
      attr: current?.attr ?? new BatchBlock(),
    };
    this.#batch = buffers;
    return buffers;
  }

  /** Up to `count` entries (all when omitted) read with BPF_MAP_LOOKUP_BATCH, from the start of the map. */
  lookupBatch(count?: number): [K, V][] {
    return this.#collect(Cmd.MAP_LOOKUP_BATCH, count);
  }

  /** Alias of lookupBatch. */
  getBatch(count?: number): [K, V][] {
    return this.lookupBatch(count);
  }

  /**
   * Reads and removes about `count` entries (all when omitted) with
   * BPF_MAP_LOOKUP_AND_DELETE_BATCH. Hash maps hand out whole buckets, so with `count` it may
   * return a few fewer (or, when the first bucket alone is larger than `count`, a few more).
   */
  lookupAndDeleteBatch(count?: number): [K, V][] {
    return this.#collect(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, count);
  }

  /**
   * Like lookupBatch(), without decoding: `visit` sees each kernel batch in the native buffers
   * (see BatchVisitor), so reading the map costs no allocation per entry. Returns how many
   * entries were visited (at most `count` when given).
   */
  lookupBatchEach(visit: BatchVisitor, count?: number): number {
    return this.#readBatches(Cmd.MAP_LOOKUP_BATCH, count, visit);
  }

  /**
   * Like lookupAndDeleteBatch(), without decoding (see lookupBatchEach). The entries of every
   * batch handed to `visit` are gone from the map, also when it returns false to stop.
   */
  lookupAndDeleteBatchEach(visit: BatchVisitor, count?: number): number {
    return this.#readBatches(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, count, visit);
  }

  /**
   * Like lookupBatch(), into `entries` (a BatchEntries made for this map and reused): each kernel
   * batch is copied into memory `entries` keeps, and entries are decoded only as they are read,
   * so no [key, value] pair is made per entry. Returns how many entries were read (also
   * `entries.length`).
   */
  lookupBatchInto(entries: BatchEntries<K, V>, count?: number): number {
    return this.#readInto(Cmd.MAP_LOOKUP_BATCH, entries, count);
  }

  /** Like lookupAndDeleteBatch(), into `entries` (see lookupBatchInto). */
  lookupAndDeleteBatchInto(entries: BatchEntries<K, V>, count?: number): number {
    return this.#readInto(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, entries, count);
  }

  #readInto(
    cmd: Cmd.MAP_LOOKUP_BATCH | Cmd.MAP_LOOKUP_AND_DELETE_BATCH,
    entries: BatchEntries<K, V>,
    count: number | undefined,
  ): number {
    if (entries.keySize !== this.key.size || entries.valueSize !== this.value.size) {
      throw new TsbpfError(
        `map "${this.displayName}": these BatchEntries hold ${entries.keySize}-byte keys and ${entries.valueSize}-byte values, the map has ${this.key.size} and ${this.value.size}: make them with new BatchEntries(map)`,
      );
    }
    entries.clear();
    return this.#readBatches(cmd, count, (_keys, _values, got) => {
      const buffers = this.#batch!; // the buffers being visited
      entries.append(buffers.keys.bytes, buffers.values.bytes, got);
    });
  }

  #collect(cmd: Cmd.MAP_LOOKUP_BATCH | Cmd.MAP_LOOKUP_AND_DELETE_BATCH, count: number | undefined): [K, V][] {
    const out: [K, V][] = [];
    const key = this.key,
      value = this.value;
    const keyStride = key.size,
      valueStride = value.size;
    const keyAccess = this.#keyAccess,
      valueAccess = this.#valueAccess;
    this.#readBatches(cmd, count, (keyView, valueView, got) => {
      const { keyCells, valueCells } = this.#batch!; // the buffers being visited
      for (let i = 0; i < got; i++) {
        const k = keyCells !== undefined ? (keyAccess!.take(keyCells, i) as K) : key.decode(keyView, i * keyStride);
        const v =
          valueCells !== undefined ? (valueAccess!.take(valueCells, i) as V) : value.decode(valueView, i * valueStride);
        out.push([k, v]);
      }
    });
    return out;
  }

  #readBatches(
    cmd: Cmd.MAP_LOOKUP_BATCH | Cmd.MAP_LOOKUP_AND_DELETE_BATCH,
    count: number | undefined,
    visit: BatchVisitor,
  ): number {
    const limit = count ?? Infinity;
    // Plain lookups may read past `count` and hide the surplus; lookup-and-delete must not read
    // more than asked, and hands out all it took.
    const overRead = cmd === Cmd.MAP_LOOKUP_BATCH;
    let done = 0;
    let first = true;
    let want = 0;
    while (done < limit) {
      const buffers = this.#batchBuffers(want);
      want = Math.max(want, overRead ? buffers.capacity : Math.min(buffers.capacity, limit - done));
      const a = buffers.attr.fill(
        first ? 0 : buffers.inToken.address,
        buffers.outToken.address,
        buffers.keys.address,
        buffers.values.address,
        want,
        this.fd,
      );
      const ret = bpfAt(cmd, a.address, BATCH_ATTR_SIZE);
      const got = a.count;
      if (ret < 0 && ret !== -Errno.ENOENT) {
        // ENOSPC: the next hash bucket holds more elements than `want` (nothing was read or
        // deleted). With some entries in hand that is a fine place to stop short of `count`;
        // otherwise ask again with room for a bigger bucket, returning more than `count`.
        if (ret === -Errno.ENOSPC && got === 0) {
          if (done > 0 && count !== undefined) break;
          want *= 2;
          continue;
        }
        throw this.mapError(cmd, -ret);
      }
      const shown = overRead ? Math.min(got, limit - done) : got;
      done += shown;
      if (shown > 0 && visit(buffers.keyView, buffers.valueView, shown) === false) break;
      // ENOENT ends the walk even while it returns the last elements (kernel.md gotcha 3).
      if (ret === -Errno.ENOENT) break;
      buffers.inToken.bytes.set(buffers.outToken.bytes);
      first = false;
      want = 0;
    }
    return done;
  }

  /** Writes entries with BPF_MAP_UPDATE_BATCH; returns how many were written. Errors as for set(). */
  updateBatch(entries: Iterable<readonly [K, V]>, flags: number = UpdateFlags.ANY): number {
    const keyAccess = this.#keyAccess,
      valueAccess = this.#valueAccess;
    const list = Array.isArray(entries) ? (entries as readonly (readonly [K, V])[]) : [...entries];
    const keyStride = this.key.size,
      valueStride = this.value.size;
    let done = 0;
    while (done < list.length) {
      const buffers = this.#batchBuffers();
      const n = Math.min(buffers.capacity, list.length - done);
      const { keyView, valueView, keyCells, valueCells } = buffers;
      for (let i = 0; i < n; i++) {
        const [key, value] = list[done + i]!;
        if (keyCells !== undefined) keyAccess!.put(keyCells, i, key);
        else this.key.encode(key, keyView, i * keyStride);
        if (valueCells !== undefined) valueAccess!.put(valueCells, i, value);
        else this.value.encode(value, valueView, i * valueStride);
      }
      const a = buffers.attr.fill(0, 0, buffers.keys.address, buffers.values.address, n, this.fd, flags);
      const ret = bpfAt(Cmd.MAP_UPDATE_BATCH, a.address, BATCH_ATTR_SIZE);
      if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_BATCH, -ret);
      done += n;
    }
    return done;
  }

  /** Deletes keys with BPF_MAP_DELETE_BATCH, skipping absent ones; returns how many were deleted. */
  deleteBatch(keys: Iterable<K>): number {
    const keyAccess = this.#keyAccess;
    const list = Array.isArray(keys) ? (keys as readonly K[]) : [...keys];
    const keyStride = this.key.size;
    let next = 0;
    let deleted = 0;
    while (next < list.length) {
      const buffers = this.#batchBuffers();
      const n = Math.min(buffers.capacity, list.length - next);
      const { keyView, keyCells } = buffers;
      for (let i = 0; i < n; i++) {
        if (keyCells !== undefined) keyAccess!.put(keyCells, i, list[next + i]);
        else this.key.encode(list[next + i]!, keyView, i * keyStride);
      }
      const a = buffers.attr.fill(0, 0, buffers.keys.address, 0, n, this.fd);
      const ret = bpfAt(Cmd.MAP_DELETE_BATCH, a.address, BATCH_ATTR_SIZE);
      const processed = a.count;
      deleted += ret < 0 ? processed : n;
      if (ret < 0) {
        if (ret !== -Errno.ENOENT) throw this.mapError(Cmd.MAP_DELETE_BATCH, -ret);
        next += processed + 1; // the kernel stopped at an absent key: skip it and go on
      } else {
        next += n;
      }
    }
    return deleted;
  }

  protected override release(): void {
    this.#elem.free();
    if (this.#batch) {
      for (const m of [
        this.#batch.keys,
        this.#batch.values,
        this.#batch.inToken,
        this.#batch.outToken,
        this.#batch.attr,
      ])
        m.free();
      this.#batch = undefined;
    }
    super.release();
  }
}

/**
 * A key/value map of any type, created or opened generically. Every kind (HashMap, ArrayMap, …)
 * is a KeyValueMap, and `x instanceof BpfMap` holds for all of them, so `BpfMap<K, V>` is the
 * type to accept "any map with these keys and values".
 */
export class BpfMap<K, V> extends KeyValueMap<K, V> {
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return instance instanceof KeyValueMap;
  }

  /**
   * Creates a map of any type. For per-CPU types, `value` is one CPU's value and the map reads
   * and writes arrays with one element per possible CPU.
   */
  static create<K, V>(spec: MapSpec<K, V> & { type: PerCpuMapType }): BpfMap<K, V[]>;
  static create<K, V>(spec: MapSpec<K, V> & { type: Exclude<MapType, PerCpuMapType> }): BpfMap<K, V>;
  static create<K, V>(spec: MapSpec<K, V>): BpfMap<K, V> | BpfMap<K, V[]> {
    return createWith({ ...spec, keySize: spec.key.size, valueSize: spec.value.size }, (fd, description) =>
      isPerCpuType(spec.type)
        ? new BpfMap(fd, description, spec.key, perCpu(spec.value, possibleCpuCount()))
        : new BpfMap(fd, description, spec.key, spec.value),
    );
  }

  /**
   * Opens a map pinned in bpffs. Its key and value sizes must match the codecs' sizes
   * (MapMismatchError otherwise). Per-CPU maps are opened with PerCpuHashMap/PerCpuArrayMap.
   */
  static openPinned<K, V>(path: string, key: Codec<K>, value: Codec<V>, options?: OpenOptions): BpfMap<K, V> {
    return BpfMap.#adoptGeneric(openMapFd({ path }, options), key, value);
  }

  /** Opens a map by id (e.g. an id read from an ArrayOfMaps). */
  static fromId<K, V>(id: number, key: Codec<K>, value: Codec<V>, options?: OpenOptions): BpfMap<K, V> {
    return BpfMap.#adoptGeneric(openMapFd({ id }, options), key, value);
  }

  static #adoptGeneric<K, V>(fd: number, key: Codec<K>, value: Codec<V>): BpfMap<K, V> {
    const types = Object.values(MapType).filter((t) => !isPerCpuType(t));
    return adoptWith(
      fd,
      { kind: "BpfMap", types, keySize: key.size, valueSize: value.size },
      (fd, description) => new BpfMap(fd, description, key, value),
    );
  }
}
