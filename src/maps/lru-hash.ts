// BPF_MAP_TYPE_LRU_HASH: a hash that evicts the least recently used element instead of failing
// when full.
import { MapFlags, MapType } from "../uapi.js";
import type { Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { KeyValueMap } from "./map.js";

export interface LruHashMapOptions<K, V> extends MapOptions {
  key: Codec<K>;
  value: Codec<V>;
  maxEntries: number;
  /** One LRU list per CPU instead of a shared one (BPF_F_NO_COMMON_LRU): faster, less exact. */
  perCpuLru?: boolean;
}

export class LruHashMap<K, V> extends KeyValueMap<K, V> {
  static create<K, V>(options: LruHashMapOptions<K, V>): LruHashMap<K, V> {
    const flags = (options.flags ?? 0) | (options.perCpuLru ? MapFlags.NO_COMMON_LRU : 0);
    return createWith(
      { ...options, flags, type: MapType.LRU_HASH, keySize: options.key.size, valueSize: options.value.size },
      (fd, description) => new LruHashMap(fd, description, options.key, options.value),
    );
  }

  static openPinned<K, V>(path: string, key: Codec<K>, value: Codec<V>, options?: OpenOptions): LruHashMap<K, V> {
    return LruHashMap.#adopt(openMapFd({ path }, options), key, value);
  }

  static fromId<K, V>(id: number, key: Codec<K>, value: Codec<V>, options?: OpenOptions): LruHashMap<K, V> {
    return LruHashMap.#adopt(openMapFd({ id }, options), key, value);
  }

  static #adopt<K, V>(fd: number, key: Codec<K>, value: Codec<V>): LruHashMap<K, V> {
    return adoptWith(
      fd,
      { kind: "LruHashMap", types: [MapType.LRU_HASH], keySize: key.size, valueSize: value.size },
      (fd, description) => new LruHashMap(fd, description, key, value),
    );
  }
}
