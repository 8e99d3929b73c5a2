// BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: maps holding other maps. The inner
// maps must all look like the template given at creation (type, key/value sizes, flags;
// max_entries too unless BPF_F_INNER_MAP is set on the template).
import { MapType } from "../uapi.js";
import { u32, type Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { FdMap } from "./fd-map.js";
import { BpfMap } from "./map.js";

export interface ArrayOfMapsOptions extends MapOptions {
  /** A map like the ones this map will hold; only read at creation, may be closed afterwards. */
  innerMap: { readonly fd: number };
  maxEntries: number;
}

export interface HashOfMapsOptions<K> extends ArrayOfMapsOptions {
  key: Codec<K>;
}

/** What both map-in-map kinds add to FdMap: opening the inner map stored under a key. */
export class MapOfMaps<K> extends FdMap<K> {
  /** Opens the inner map stored under `key` (a new fd: close it when done), or undefined. */
  openInner<IK, IV>(
    key: K,
    innerKey: Codec<IK>,
    innerValue: Codec<IV>,
    options?: OpenOptions,
  ): BpfMap<IK, IV> | undefined {
    const id = this.get(key);
    return id === undefined ? undefined : BpfMap.fromId(id, innerKey, innerValue, options);
  }
}

export class ArrayOfMaps extends MapOfMaps<number> {
  static create(options: ArrayOfMapsOptions): ArrayOfMaps {
    return createWith(
      { ...options, type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4 },
      (fd, description) => new ArrayOfMaps(fd, description, u32, u32),
    );
  }

  static openPinned(path: string, options?: OpenOptions): ArrayOfMaps {
    return ArrayOfMaps.#adopt(openMapFd({ path }, options));
  }

  static fromId(id: number, options?: OpenOptions): ArrayOfMaps {
    return ArrayOfMaps.#adopt(openMapFd({ id }, options));
  }

  static #adopt(fd: number): ArrayOfMaps {
    return adoptWith(
      fd,
      { kind: "ArrayOfMaps", types: [MapType.ARRAY_OF_MAPS], keySize: 4, valueSize: 4 },
      (fd, description) => new ArrayOfMaps(fd, description, u32, u32),
    );
  }
}

export class HashOfMaps<K> extends MapOfMaps<K> {
  static create<K>(options: HashOfMapsOptions<K>): HashOfMaps<K> {
    return createWith(
      { ...options, type: MapType.HASH_OF_MAPS, keySize: options.key.size, valueSize: 4 },
      (fd, description) => new HashOfMaps(fd, description, options.key, u32),
    );
  }

  static openPinned<K>(path: string, key: Codec<K>, options?: OpenOptions): HashOfMaps<K> {
    return HashOfMaps.#adopt(openMapFd({ path }, options), key);
  }

  static fromId<K>(id: number, key: Codec<K>, options?: OpenOptions): HashOfMaps<K> {
    return HashOfMaps.#adopt(openMapFd({ id }, options), key);
  }

  static #adopt<K>(fd: number, key: Codec<K>): HashOfMaps<K> {
    return adoptWith(
      fd,
      { kind: "HashOfMaps", types: [MapType.HASH_OF_MAPS], keySize: key.size, valueSize: 4 },
      (fd, description) => new HashOfMaps(fd, description, key, u32),
    );
  }
}
