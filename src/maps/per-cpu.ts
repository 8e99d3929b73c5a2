// Per-CPU maps: each key holds one value per possible CPU, so BPF programs update them without
// contention. User space reads and writes all of them at once, as an array indexed like
// possibleCpus() (element i belongs to the i-th possible CPU).
import { possibleCpuCount } from "../sys/cpus.js";
import { TsbpfError } from "../errors.js";
import { MapFlags, MapType, UpdateFlags } from "../uapi.js";
import { perCpu, u32, type Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapDescription, type MapOptions, type OpenOptions } from "./handle.js";
import { KeyValueMap } from "./map.js";

export interface PerCpuHashMapOptions<K, V> extends MapOptions {
  key: Codec<K>;
  /** One CPU's value. */
  value: Codec<V>;
  maxEntries: number;
}

export interface LruPerCpuHashMapOptions<K, V> extends PerCpuHashMapOptions<K, V> {
  /** One LRU list per CPU (BPF_F_NO_COMMON_LRU). */
  perCpuLru?: boolean;
}

export interface PerCpuArrayMapOptions<V> extends MapOptions {
  value: Codec<V>;
  maxEntries: number;
}

/** What per-CPU kinds share: the element codec, the CPU count, sum() and setAll(). */
export class PerCpuMap<K, V> extends KeyValueMap<K, V[]> {
  /** Codec of one CPU's value. */
  readonly element: Codec<V>;
  /** How many values each key holds (the number of possible CPUs). */
  readonly cpus: number;

  protected constructor(fd: number, description: MapDescription, key: Codec<K>, element: Codec<V>) {
    const cpus = possibleCpuCount();
    super(fd, description, key, perCpu(element, cpus));
    this.element = element;
    this.cpus = cpus;
  }

  /** The total over all CPUs of a numeric (number or bigint) value; undefined when the key is absent. */
  sum<T extends number | bigint>(this: PerCpuMap<K, T>, key: K): T | undefined {
    const values = this.get(key);
    if (values === undefined) return undefined;
    return sumValues(values, this.displayName);
  }

  /** Sets the same value on every CPU. */
  setAll(key: K, value: V, flags: number = UpdateFlags.ANY): this {
    return this.set(key, new Array<V>(this.cpus).fill(value), flags);
  }
}

function sumValues<T extends number | bigint>(values: readonly T[], mapName: string): T {
  if (typeof values[0] === "bigint") {
    let total = 0n;
    for (const v of values) total += v as bigint;
    return total as T;
  }
  let total = 0;
  for (const v of values) {
    if (typeof v !== "number") throw new TsbpfError(`map "${mapName}": sum() needs number or bigint values`);
    total += v;
  }
  return total as T;
}

export class PerCpuHashMap<K, V> extends PerCpuMap<K, V> {
  static create<K, V>(options: PerCpuHashMapOptions<K, V>): PerCpuHashMap<K, V> {
    return createWith(
      { ...options, type: MapType.PERCPU_HASH, keySize: options.key.size, valueSize: options.value.size },
      (fd, description) => new PerCpuHashMap(fd, description, options.key, options.value),
    );
  }

  static openPinned<K, V>(path: string, key: Codec<K>, value: Codec<V>, options?: OpenOptions): PerCpuHashMap<K, V> {
    return PerCpuHashMap.#adopt(openMapFd({ path }, options), key, value);
  }

  static fromId<K, V>(id: number, key: Codec<K>, value: Codec<V>, options?: OpenOptions): PerCpuHashMap<K, V> {
    return PerCpuHashMap.#adopt(openMapFd({ id }, options), key, value);
  }

  static #adopt<K, V>(fd: number, key: Codec<K>, value: Codec<V>): PerCpuHashMap<K, V> {
    return adoptWith(
      fd,
      { kind: "PerCpuHashMap", types: [MapType.PERCPU_HASH], keySize: key.size, valueSize: value.size },
      (fd, description) => new PerCpuHashMap(fd, description, key, value),
    );
  }
}

export class LruPerCpuHashMap<K, V> extends PerCpuMap<K, V> {
  static create<K, V>(options: LruPerCpuHashMapOptions<K, V>): LruPerCpuHashMap<K, V> {
    const flags = (options.flags ?? 0) | (options.perCpuLru ? MapFlags.NO_COMMON_LRU : 0);
    return createWith(
      { ...options, flags, type: MapType.LRU_PERCPU_HASH, keySize: options.key.size, valueSize: options.value.size },
      (fd, description) => new LruPerCpuHashMap(fd, description, options.key, options.value),
    );
  }

  static openPinned<K, V>(path: string, key: Codec<K>, value: Codec<V>, options?: OpenOptions): LruPerCpuHashMap<K, V> {
    return LruPerCpuHashMap.#adopt(openMapFd({ path }, options), key, value);
  }

  static fromId<K, V>(id: number, key: Codec<K>, value: Codec<V>, options?: OpenOptions): LruPerCpuHashMap<K, V> {
    return LruPerCpuHashMap.#adopt(openMapFd({ id }, options), key, value);
  }

  static #adopt<K, V>(fd: number, key: Codec<K>, value: Codec<V>): LruPerCpuHashMap<K, V> {
    return adoptWith(
      fd,
      { kind: "LruPerCpuHashMap", types: [MapType.LRU_PERCPU_HASH], keySize: key.size, valueSize: value.size },
      (fd, description) => new LruPerCpuHashMap(fd, description, key, value),
    );
  }
}

export class PerCpuArrayMap<V> extends PerCpuMap<number, V> {
  static create<V>(options: PerCpuArrayMapOptions<V>): PerCpuArrayMap<V> {
    return createWith(
      { ...options, type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: options.value.size },
      (fd, description) => new PerCpuArrayMap(fd, description, u32, options.value),
    );
  }

  static openPinned<V>(path: string, value: Codec<V>, options?: OpenOptions): PerCpuArrayMap<V> {
    return PerCpuArrayMap.#adopt(openMapFd({ path }, options), value);
  }

  static fromId<V>(id: number, value: Codec<V>, options?: OpenOptions): PerCpuArrayMap<V> {
    return PerCpuArrayMap.#adopt(openMapFd({ id }, options), value);
  }

  static #adopt<V>(fd: number, value: Codec<V>): PerCpuArrayMap<V> {
    return adoptWith(
      fd,
      { kind: "PerCpuArrayMap", types: [MapType.PERCPU_ARRAY], keySize: 4, valueSize: value.size },
      (fd, description) => new PerCpuArrayMap(fd, description, u32, value),
    );
  }

  /** Writes the values at `index` (RangeError outside 0..maxEntries-1). */
  override set(index: number, values: V[], flags: number = UpdateFlags.ANY): this {
    if (!(index >= 0 && index < this.maxEntries)) {
      throw new RangeError(
        `index ${index} is outside array map "${this.displayName}" (max_entries ${this.maxEntries})`,
      );
    }
    return super.set(index, values, flags);
  }

  /** Array elements always exist; the kernel refuses to delete them. Set them to zero instead. */
  override delete(index: number): boolean {
    throw new TsbpfError(
      `per-CPU array map "${this.displayName}": elements cannot be deleted (index ${index}); write zero values instead`,
    );
  }
}
