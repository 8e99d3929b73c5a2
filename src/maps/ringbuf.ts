// BPF_MAP_TYPE_RINGBUF (kernel → user) and BPF_MAP_TYPE_USER_RINGBUF (user → kernel): creation
// only; src/events maps and reads/writes them. Their size is max_entries, in bytes.
import { native } from "../sys/libc.js";
import { MapType } from "../uapi.js";
import { MapSpecError } from "./errors.js";
import { adoptWith, createWith, MapHandle, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";

export interface RingBufOptions extends Omit<MapOptions, "btf"> {
  /** Data area size in bytes: a power of two and a multiple of the page size. */
  size: number;
}

/** Throws MapSpecError unless `size` is a power-of-two multiple of the page size. */
export function checkRingSize(size: number, mapName: string): void {
  const page = native.getpagesize();
  const powerOfTwo = Number.isInteger(size) && size > 0 && (size & (size - 1)) === 0 && size <= 2 ** 31;
  if (!powerOfTwo || size % page !== 0) {
    let suggestion = page;
    while (suggestion < size && suggestion < 2 ** 30) suggestion *= 2;
    throw new MapSpecError(
      mapName,
      `ring buffer size must be a power of two and a multiple of the page size (${page} bytes); got ${size}, try ${suggestion}`,
    );
  }
}

/** What both ring buffer kinds share: the data area size. */
export class RingBufHandle extends MapHandle {
  /** Size of the data area in bytes (max_entries). */
  get size(): number {
    return this.maxEntries;
  }
}

export class RingBufMap extends RingBufHandle {
  static create(options: RingBufOptions): RingBufMap {
    checkRingSize(options.size, options.name ?? "ringbuf");
    return createWith(
      { ...options, type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: options.size },
      (fd, description) => new RingBufMap(fd, description),
    );
  }

  static openPinned(path: string, options?: OpenOptions): RingBufMap {
    return adoptWith(
      openMapFd({ path }, options),
      { kind: "RingBufMap", types: [MapType.RINGBUF] },
      (fd, d) => new RingBufMap(fd, d),
    );
  }

  static fromId(id: number, options?: OpenOptions): RingBufMap {
    return adoptWith(
      openMapFd({ id }, options),
      { kind: "RingBufMap", types: [MapType.RINGBUF] },
      (fd, d) => new RingBufMap(fd, d),
    );
  }
}

export class UserRingBufMap extends RingBufHandle {
  static create(options: RingBufOptions): UserRingBufMap {
    checkRingSize(options.size, options.name ?? "user_ringbuf");
    return createWith(
      { ...options, type: MapType.USER_RINGBUF, keySize: 0, valueSize: 0, maxEntries: options.size },
      (fd, description) => new UserRingBufMap(fd, description),
    );
  }

  static openPinned(path: string, options?: OpenOptions): UserRingBufMap {
    return adoptWith(
      openMapFd({ path }, options),
      { kind: "UserRingBufMap", types: [MapType.USER_RINGBUF] },
      (fd, d) => new UserRingBufMap(fd, d),
    );
  }

  static fromId(id: number, options?: OpenOptions): UserRingBufMap {
    return adoptWith(
      openMapFd({ id }, options),
      { kind: "UserRingBufMap", types: [MapType.USER_RINGBUF] },
      (fd, d) => new UserRingBufMap(fd, d),
    );
  }
}
