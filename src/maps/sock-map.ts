// BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH from user space: store sockets by fd (TCP,
// UDP, AF_UNIX); sk_skb / sk_msg programs attached to the map redirect data between them.
import { u32, type Codec } from "./codec.js";
import { createWith } from "./handle.js";
import { FdMap } from "./fd-map.js";

export interface SocketMapOptions<K> {
  name?: string;
  /** MapType.SOCKMAP (keys are u32 indexes) or MapType.SOCKHASH. */
  type: number;
  key: Codec<K>;
  maxEntries: number;
  flags?: number;
}

/** A sockmap or sockhash: set(key, socketFd) adds a socket, delete(key) removes it. */
export class SocketMap<K> extends FdMap<K> {
  static create<K>(options: SocketMapOptions<K>): SocketMap<K> {
    return createWith({ name: options.name, type: options.type, keySize: options.key.size, valueSize: 4, maxEntries: options.maxEntries, flags: options.flags },
      (fd, description) => new SocketMap(fd, description, options.key, u32));
  }
}
