// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): values without keys, pushed by one
// side and popped by the other. The kernel decides the order; both share the same operations.
import { Cmd } from "../sys/bpf.js";
import { MapType, UpdateFlags } from "../uapi.js";
import type { Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapDescription, type MapOptions, type OpenOptions } from "./handle.js";
import { KeylessMap } from "./keyless.js";

export interface QueueMapOptions<V> extends MapOptions {
  value: Codec<V>;
  maxEntries: number;
}

export interface PushOptions {
  /** When full, drop the oldest value (BPF_EXIST) instead of failing with MapFullError. */
  overwrite?: boolean;
}

/** push/pop/peek over UPDATE_ELEM / LOOKUP_AND_DELETE_ELEM / LOOKUP_ELEM with a NULL key. */
export class PushPopMap<V> extends KeylessMap<V> {
  /** Adds a value. A full map gives MapFullError unless `overwrite` is set. */
  push(value: V, options: PushOptions = {}): this {
    this.write(value, options.overwrite ? UpdateFlags.EXIST : UpdateFlags.ANY);
    return this;
  }

  /** Removes and returns the next value, or undefined when empty. */
  pop(): V | undefined {
    return this.read(Cmd.MAP_LOOKUP_AND_DELETE_ELEM);
  }

  /** Returns the next value without removing it, or undefined when empty. */
  peek(): V | undefined {
    return this.read(Cmd.MAP_LOOKUP_ELEM);
  }

  /** Pops until empty. */
  *drain(): IterableIterator<V> {
    for (let v = this.pop(); v !== undefined; v = this.pop()) yield v;
  }
}

function open<M>(
  kind: string,
  type: number,
  fd: number,
  value: Codec<unknown>,
  make: (fd: number, d: MapDescription) => M,
): M {
  return adoptWith(fd, { kind, types: [type], keySize: 0, valueSize: value.size }, make);
}

export class QueueMap<V> extends PushPopMap<V> {
  static create<V>(options: QueueMapOptions<V>): QueueMap<V> {
    return createWith(
      { ...options, type: MapType.QUEUE, keySize: 0, valueSize: options.value.size },
      (fd, description) => new QueueMap(fd, description, options.value),
    );
  }

  static openPinned<V>(path: string, value: Codec<V>, options?: OpenOptions): QueueMap<V> {
    return open("QueueMap", MapType.QUEUE, openMapFd({ path }, options), value, (fd, d) => new QueueMap(fd, d, value));
  }

  static fromId<V>(id: number, value: Codec<V>, options?: OpenOptions): QueueMap<V> {
    return open("QueueMap", MapType.QUEUE, openMapFd({ id }, options), value, (fd, d) => new QueueMap(fd, d, value));
  }
}

export class StackMap<V> extends PushPopMap<V> {
  static create<V>(options: QueueMapOptions<V>): StackMap<V> {
    return createWith(
      { ...options, type: MapType.STACK, keySize: 0, valueSize: options.value.size },
      (fd, description) => new StackMap(fd, description, options.value),
    );
  }

  static openPinned<V>(path: string, value: Codec<V>, options?: OpenOptions): StackMap<V> {
    return open("StackMap", MapType.STACK, openMapFd({ path }, options), value, (fd, d) => new StackMap(fd, d, value));
  }

  static fromId<V>(id: number, value: Codec<V>, options?: OpenOptions): StackMap<V> {
    return open("StackMap", MapType.STACK, openMapFd({ id }, options), value, (fd, d) => new StackMap(fd, d, value));
  }
}
