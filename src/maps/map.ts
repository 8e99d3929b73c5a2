// Key/value maps: typed element access, iteration and batch operations over any map type whose
// elements have a key and a value. The kinds (HashMap, ArrayMap, …) are thin layers over this.
//
// Hot path: get/set/has/delete encode into native key/value buffers the map owns, fill the shared
// scratch attr (mapElemAttr) and make one bpf() call; nothing is allocated but the decoded result.
import { batchAttr, bpfErrno, Cmd } from "../sys/bpf.js";
import { possibleCpuCount } from "../sys/cpus.js";
import { Errno } from "../sys/errors.js";
import { NativeMemory } from "../sys/libc.js";
import { MapType, UpdateFlags } from "../uapi.js";
import { perCpu, type Codec } from "./codec.js";
import { adoptWith, createWith, MapHandle, openMapFd, type MapDescription, type MapOptions, type OpenOptions } from "./handle.js";

/** Map types whose values are per CPU: their values read and write as one element per possible CPU. */
export type PerCpuMapType =
  | typeof MapType.PERCPU_HASH | typeof MapType.PERCPU_ARRAY | typeof MapType.LRU_PERCPU_HASH
  | typeof MapType.PERCPU_CGROUP_STORAGE;
const PER_CPU_TYPES: readonly number[] = [MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE];

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

interface BatchBuffers {
  capacity: number;
  keys: NativeMemory;
  values: NativeMemory;
  inToken: NativeMemory;
  outToken: NativeMemory;
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
  readonly #keyMem: NativeMemory;
  readonly #valueMem: NativeMemory;
  readonly #keyAddress: number;
  readonly #valueAddress: number;
  readonly #keyView: DataView;
  readonly #valueView: DataView;
  #batch: BatchBuffers | undefined;

  protected constructor(fd: number, description: MapDescription, key: Codec<K>, value: Codec<V>) {
    super(fd, description);
    this.key = key;
    this.value = value;
    this.#keyMem = new NativeMemory(key.size);
    this.#valueMem = new NativeMemory(value.size);
    // Maps without keys (queue, stack, bloom filter) must be passed a NULL key.
    this.#keyAddress = key.size === 0 ? 0 : this.#keyMem.address;
    this.#valueAddress = value.size === 0 ? 0 : this.#valueMem.address;
    this.#keyView = this.#keyMem.view;
    this.#valueView = this.#valueMem.view;
  }

  /** Looks a key up. Returns undefined when the key is absent. */
  get(key: K, flags = 0): V | undefined {
    const fd = this.fd;
    this.key.encode(key, this.#keyView, 0);
    const ret = this.elementCall(fd, Cmd.MAP_LOOKUP_ELEM, this.#keyAddress, this.#valueAddress, flags);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return this.value.decode(this.#valueView, 0);
  }

  /**
   * Inserts or replaces. `flags`: UpdateFlags.ANY (default), NOEXIST (KeyExistsError when present),
   * EXIST (KeyNotFoundError when absent). A full map gives MapFullError, a frozen one MapReadOnlyError.
   */
  set(key: K, value: V, flags: number = UpdateFlags.ANY): this {
    const fd = this.fd;
    this.key.encode(key, this.#keyView, 0);
    this.value.encode(value, this.#valueView, 0);
    const ret = this.elementCall(fd, Cmd.MAP_UPDATE_ELEM, this.#keyAddress, this.#valueAddress, flags);
    if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_ELEM, -ret);
    return this;
  }

  /** Removes a key; false when it was not there. */
  delete(key: K): boolean {
    const fd = this.fd;
    this.key.encode(key, this.#keyView, 0);
    const ret = this.elementCall(fd, Cmd.MAP_DELETE_ELEM, this.#keyAddress, 0, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_DELETE_ELEM, -ret);
    }
    return true;
  }

  has(key: K): boolean {
    const fd = this.fd;
    this.key.encode(key, this.#keyView, 0);
    const ret = this.elementCall(fd, Cmd.MAP_LOOKUP_ELEM, this.#keyAddress, this.#valueAddress, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return true;
  }

  /** Looks a key up and removes it in one step (hash maps; queues and stacks use pop()). */
  take(key: K): V | undefined {
    const fd = this.fd;
    this.key.encode(key, this.#keyView, 0);
    const ret = this.elementCall(fd, Cmd.MAP_LOOKUP_AND_DELETE_ELEM, this.#keyAddress, this.#valueAddress, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined;
      throw this.mapError(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, -ret);
    }
    return this.value.decode(this.#valueView, 0);
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
    const ret = this.elementCall(this.fd, Cmd.MAP_LOOKUP_ELEM, address, this.#valueAddress, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined; // deleted between GET_NEXT_KEY and the lookup
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return [this.key.decode(keys, offset), this.value.decode(this.#valueView, 0)];
  }

  /**
   * Walks the keys with GET_NEXT_KEY, in a buffer of its own (two key slots, swapped each step) so
   * that element calls made while iterating do not disturb it.
   */
  *#walk<T>(produce: (keys: DataView, offset: number, address: number) => T | undefined): Generator<T, void, undefined> {
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
    const capacity = Math.max(minimum, current ? current.capacity * 2 : Math.min(DEFAULT_BATCH, Math.max(this.maxEntries, 1)));
    const keys = new NativeMemory(capacity * this.key.size);
    const values = new NativeMemory(capacity * this.value.size);
    current?.keys.free();
    current?.values.free();
    const buffers: BatchBuffers = {
      capacity, keys, values,
      inToken: current?.inToken ?? new NativeMemory(tokenSize(this.keySize)),
      outToken: current?.outToken ?? new NativeMemory(tokenSize(this.keySize)),
    };
    this.#batch = buffers;
    return buffers;
  }

  /** Up to `count` entries (all when omitted) read with BPF_MAP_LOOKUP_BATCH, from the start of the map. */
  lookupBatch(count?: number): [K, V][] {
    return this.#readBatches(Cmd.MAP_LOOKUP_BATCH, count);
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
    return this.#readBatches(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, count);
  }

  #readBatches(cmd: Cmd.MAP_LOOKUP_BATCH | Cmd.MAP_LOOKUP_AND_DELETE_BATCH, count: number | undefined): [K, V][] {
    const limit = count ?? Infinity;
    // Plain lookups may read past `count` and drop the surplus; lookup-and-delete must not.
    const overRead = cmd === Cmd.MAP_LOOKUP_BATCH;
    const out: [K, V][] = [];
    let first = true;
    let want = 0;
    while (out.length < limit) {
      const buffers = this.#batchBuffers(want);
      want = Math.max(want, overRead ? buffers.capacity : Math.min(buffers.capacity, limit - out.length));
      const a = batchAttr({
        inBatch: first ? 0 : buffers.inToken.address, outBatch: buffers.outToken.address,
        keys: buffers.keys.address, values: buffers.values.address, count: want, mapFd: this.fd,
      });
      const ret = bpfErrno(cmd, a);
      const got = a.readU32(32);
      if (ret < 0 && ret !== -Errno.ENOENT) {
        // ENOSPC: the next hash bucket holds more elements than `want` (nothing was read or
        // deleted). With some entries in hand that is a fine place to stop short of `count`;
        // otherwise ask again with room for a bigger bucket, returning more than `count`.
        if (ret === -Errno.ENOSPC && got === 0) {
          if (out.length > 0 && count !== undefined) break;
          want *= 2;
          continue;
        }
        throw this.mapError(cmd, -ret);
      }
      const keyView = buffers.keys.view, valueView = buffers.values.view;
      const keyStride = this.key.size, valueStride = this.value.size;
      for (let i = 0; i < got; i++) out.push([this.key.decode(keyView, i * keyStride), this.value.decode(valueView, i * valueStride)]);
      // ENOENT ends the walk even while it returns the last elements (kernel.md gotcha 3).
      if (ret === -Errno.ENOENT) break;
      buffers.inToken.bytes.set(buffers.outToken.bytes);
      first = false;
      want = 0;
    }
    if (out.length > limit) out.length = limit;
    return out;
  }

  /** Writes entries with BPF_MAP_UPDATE_BATCH; returns how many were written. Errors as for set(). */
  updateBatch(entries: Iterable<readonly [K, V]>, flags: number = UpdateFlags.ANY): number {
    const list = Array.isArray(entries) ? entries as readonly (readonly [K, V])[] : [...entries];
    let done = 0;
    while (done < list.length) {
      const buffers = this.#batchBuffers();
      const n = Math.min(buffers.capacity, list.length - done);
      const keyView = buffers.keys.view, valueView = buffers.values.view;
      for (let i = 0; i < n; i++) {
        const [key, value] = list[done + i]!;
        this.key.encode(key, keyView, i * this.key.size);
        this.value.encode(value, valueView, i * this.value.size);
      }
      const a = batchAttr({ inBatch: 0, outBatch: 0, keys: buffers.keys.address, values: buffers.values.address, count: n, mapFd: this.fd, elemFlags: flags });
      const ret = bpfErrno(Cmd.MAP_UPDATE_BATCH, a);
      if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_BATCH, -ret);
      done += n;
    }
    return done;
  }

  /** Deletes keys with BPF_MAP_DELETE_BATCH, skipping absent ones; returns how many were deleted. */
  deleteBatch(keys: Iterable<K>): number {
    const list = Array.isArray(keys) ? keys as readonly K[] : [...keys];
    let next = 0;
    let deleted = 0;
    while (next < list.length) {
      const buffers = this.#batchBuffers();
      const n = Math.min(buffers.capacity, list.length - next);
      for (let i = 0; i < n; i++) this.key.encode(list[next + i]!, buffers.keys.view, i * this.key.size);
      const a = batchAttr({ inBatch: 0, outBatch: 0, keys: buffers.keys.address, values: 0, count: n, mapFd: this.fd });
      const ret = bpfErrno(Cmd.MAP_DELETE_BATCH, a);
      const processed = a.readU32(32);
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
    this.#keyMem.free();
    this.#valueMem.free();
    if (this.#batch) {
      for (const m of [this.#batch.keys, this.#batch.values, this.#batch.inToken, this.#batch.outToken]) m.free();
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
    return createWith({ ...spec, keySize: spec.key.size, valueSize: spec.value.size }, (fd, description) => isPerCpuType(spec.type)
      ? new BpfMap(fd, description, spec.key, perCpu(spec.value, possibleCpuCount()))
      : new BpfMap(fd, description, spec.key, spec.value));
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
    return adoptWith(fd, { kind: "BpfMap", types, keySize: key.size, valueSize: value.size },
      (fd, description) => new BpfMap(fd, description, key, value));
  }
}
