// BPF_MAP_TYPE_HASH: keys and values of fixed size, preallocated up to maxEntries.
import { MapType } from "../uapi.js";
import type { Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { KeyValueMap } from "./map.js";

export interface HashMapOptions<K, V> extends MapOptions {
  key: Codec<K>;
  value: Codec<V>;
  maxEntries: number;
}

export class HashMap<K, V> extends KeyValueMap<K, V> {
  static create<K, V>(options: HashMapOptions<K, V>): HashMap<K, V> {
    return createWith(
      { ...options, type: MapType.HASH, keySize: options.key.size, valueSize: options.value.size },
      (fd, description) => new HashMap(fd, description, options.key, options.value),
    );
  }

  static openPinned<K, V>(path: string, key: Codec<K>, value: Codec<V>, options?: OpenOptions): HashMap<K, V> {
    return HashMap.#adopt(openMapFd({ path }, options), key, value);
  }

  static fromId<K, V>(id: number, key: Codec<K>, value: Codec<V>, options?: OpenOptions): HashMap<K, V> {
    return HashMap.#adopt(openMapFd({ id }, options), key, value);
  }

  static #adopt<K, V>(fd: number, key: Codec<K>, value: Codec<V>): HashMap<K, V> {
    return adoptWith(
      fd,
      { kind: "HashMap", types: [MapType.HASH], keySize: key.size, valueSize: value.size },
      (fd, description) => new HashMap(fd, description, key, value),
    );
  }
}
