// BPF_MAP_TYPE_LPM_TRIE: longest-prefix-match lookups, e.g. routing tables and CIDR allow-lists.
// Keys are struct bpf_lpm_trie_key_u8: a u32 prefix length in bits, then the data bytes (in
// network order for addresses) directly at offset 4.
import { MapFlags, MapType } from "../uapi.js";
import { u32, type Codec, type TypeDescriptor } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { KeyValueMap } from "./map.js";

export interface LpmKey<D> {
  /** Number of leading bits of `data` that the entry covers. */
  prefixLen: number;
  data: D;
}

/** The key codec: prefix length then data, unpadded (the kernel reads data at offset 4). */
export function lpmKey<D>(data: Codec<D>): Codec<LpmKey<D>> {
  const maxBits = data.size * 8;
  return {
    size: 4 + data.size,
    align: 4,
    encode(value, view, offset) {
      if (!(value.prefixLen >= 0 && value.prefixLen <= maxBits))
        throw new RangeError(`LPM prefix length ${value.prefixLen} is outside 0..${maxBits}`);
      view.setUint32(offset, value.prefixLen, true);
      data.encode(value.data, view, offset + 4);
    },
    decode(view, offset) {
      return { prefixLen: view.getUint32(offset, true), data: data.decode(view, offset + 4) };
    },
    describe(): TypeDescriptor {
      if (!data.describe) throw new TypeError("the LPM data codec does not implement describe()");
      return {
        kind: "struct",
        name: "bpf_lpm_trie_key_u8",
        size: 4 + data.size,
        fields: [
          { name: "prefixlen", offset: 0, type: u32.describe!() },
          { name: "data", offset: 4, type: data.describe() },
        ],
      };
    },
  };
}

export interface LpmTrieMapOptions<D, V> extends MapOptions {
  /** The data part of the key, e.g. bytes(4) for IPv4 or bytes(16) for IPv6. */
  data: Codec<D>;
  value: Codec<V>;
  maxEntries: number;
}

export class LpmTrieMap<D, V> extends KeyValueMap<LpmKey<D>, V> {
  /** The longest prefix length a key can have: all bits of the data. */
  get maxPrefixLen(): number {
    return (this.keySize - 4) * 8;
  }

  /** Creates the trie; BPF_F_NO_PREALLOC is added because the kernel requires it. */
  static create<D, V>(options: LpmTrieMapOptions<D, V>): LpmTrieMap<D, V> {
    const key = lpmKey(options.data);
    const flags = (options.flags ?? 0) | MapFlags.NO_PREALLOC;
    return createWith(
      { ...options, flags, type: MapType.LPM_TRIE, keySize: key.size, valueSize: options.value.size },
      (fd, description) => new LpmTrieMap(fd, description, key, options.value),
    );
  }

  static openPinned<D, V>(path: string, data: Codec<D>, value: Codec<V>, options?: OpenOptions): LpmTrieMap<D, V> {
    return LpmTrieMap.#adopt(openMapFd({ path }, options), data, value);
  }

  static fromId<D, V>(id: number, data: Codec<D>, value: Codec<V>, options?: OpenOptions): LpmTrieMap<D, V> {
    return LpmTrieMap.#adopt(openMapFd({ id }, options), data, value);
  }

  static #adopt<D, V>(fd: number, data: Codec<D>, value: Codec<V>): LpmTrieMap<D, V> {
    const key = lpmKey(data);
    return adoptWith(
      fd,
      { kind: "LpmTrieMap", types: [MapType.LPM_TRIE], keySize: key.size, valueSize: value.size },
      (fd, description) => new LpmTrieMap(fd, description, key, value),
    );
  }

  /** The value of the longest stored prefix that matches `data` (all of its bits), or undefined. */
  lookup(data: D): V | undefined {
    return this.get({ prefixLen: this.maxPrefixLen, data });
  }
}
