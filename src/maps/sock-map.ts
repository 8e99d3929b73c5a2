// BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH from user space: store sockets by fd (TCP,
// UDP, AF_UNIX); sk_skb / sk_msg programs attached to the map redirect data between them.
import { MapType } from "../uapi.js";
import { u32, type Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type OpenOptions } from "./handle.js";
import { FdMap } from "./fd-map.js";

export interface SocketMapOptions<K> {
  name?: string;
  /** MapType.SOCKMAP or MapType.REUSEPORT_SOCKARRAY (keys are u32 indexes), or MapType.SOCKHASH. */
  type: number;
  key: Codec<K>;
  maxEntries: number;
  flags?: number;
}

/**
 * A socket map's value: a socket fd written, a socket cookie read back. Object files may declare
 * it 8 bytes wide (libbpf allows __u64 so that lookups return the whole cookie).
 */
function socketValue(size: number): Codec<number> {
  if (size === 4) return u32;
  return {
    size: 8,
    align: 8,
    encode: (v, view, offset) => view.setBigUint64(offset, BigInt(v), true),
    decode: (view, offset) => Number(view.getBigUint64(offset, true)),
  };
}

/** A sockmap, sockhash or reuseport socket array: set(key, socketFd) adds a socket, delete(key) removes it. */
export class SocketMap<K> extends FdMap<K> {
  static create<K>(options: SocketMapOptions<K>): SocketMap<K> {
    return createWith(
      {
        name: options.name,
        type: options.type,
        keySize: options.key.size,
        valueSize: 4,
        maxEntries: options.maxEntries,
        flags: options.flags,
      },
      (fd, description) => new SocketMap(fd, description, options.key, u32),
    );
  }

  /** Opens a sockmap, sockhash or reuseport socket array by id (4- or 8-byte values). */
  static fromId<K>(id: number, key: Codec<K>, options?: OpenOptions): SocketMap<K> {
    return adoptWith(
      openMapFd({ id }, options),
      { kind: "SocketMap", types: [MapType.SOCKMAP, MapType.SOCKHASH, MapType.REUSEPORT_SOCKARRAY], keySize: key.size },
      (fd, description) => new SocketMap(fd, description, key, socketValue(description.valueSize)),
    );
  }
}
