// BPF_MAP_TYPE_BLOOM_FILTER: set membership with false positives and no false negatives. Values
// are only added, never removed or listed.
import { MapSpecError } from "./errors.js";
import { MapType, UpdateFlags } from "../uapi.js";
import type { Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { KeylessMap } from "./keyless.js";

export interface BloomFilterMapOptions<V> extends MapOptions {
  value: Codec<V>;
  /** Expected number of values; sizes the bit array. */
  maxEntries: number;
  /** Hash functions per value, 1–15 (map_extra). The kernel uses 5 when omitted. */
  hashes?: number;
}

export class BloomFilterMap<V> extends KeylessMap<V> {
  static create<V>(options: BloomFilterMapOptions<V>): BloomFilterMap<V> {
    const hashes = options.hashes;
    if (hashes !== undefined && !(Number.isInteger(hashes) && hashes >= 1 && hashes <= 15)) {
      throw new MapSpecError(options.name ?? "bloom_filter", `hashes must be an integer in 1..15 (got ${hashes})`);
    }
    return createWith(
      {
        ...options,
        type: MapType.BLOOM_FILTER,
        keySize: 0,
        valueSize: options.value.size,
        mapExtra: BigInt(hashes ?? 0),
      },
      (fd, description) => new BloomFilterMap(fd, description, options.value),
    );
  }

  static openPinned<V>(path: string, value: Codec<V>, options?: OpenOptions): BloomFilterMap<V> {
    return BloomFilterMap.#adopt(openMapFd({ path }, options), value);
  }

  static fromId<V>(id: number, value: Codec<V>, options?: OpenOptions): BloomFilterMap<V> {
    return BloomFilterMap.#adopt(openMapFd({ id }, options), value);
  }

  static #adopt<V>(fd: number, value: Codec<V>): BloomFilterMap<V> {
    return adoptWith(
      fd,
      { kind: "BloomFilterMap", types: [MapType.BLOOM_FILTER], keySize: 0, valueSize: value.size },
      (fd, description) => new BloomFilterMap(fd, description, value),
    );
  }

  add(value: V): this {
    this.write(value, UpdateFlags.ANY);
    return this;
  }

  /** False: certainly never added. True: probably added. */
  has(value: V): boolean {
    return this.probe(value);
  }
}
