// Maps without keys (queue, stack, bloom filter): element commands take a NULL key and the value
// buffer carries the data in or out.
import { Cmd } from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { NativeMemory } from "../sys/libc.js";
import type { Codec } from "./codec.js";
import { MapHandle, type MapDescription } from "./handle.js";

export class KeylessMap<V> extends MapHandle {
  readonly value: Codec<V>;
  readonly #valueMem: NativeMemory;

  protected constructor(fd: number, description: MapDescription, value: Codec<V>) {
    super(fd, description);
    this.value = value;
    this.#valueMem = new NativeMemory(value.size);
  }

  /** UPDATE_ELEM with `value`; errors as for KeyValueMap.set (MapFullError when full). */
  protected write(value: V, flags: number): void {
    const fd = this.fd;
    this.value.encode(value, this.#valueMem.view, 0);
    const ret = this.elementCall(fd, Cmd.MAP_UPDATE_ELEM, 0, this.#valueMem.address, flags);
    if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_ELEM, -ret);
  }

  /** LOOKUP_ELEM or LOOKUP_AND_DELETE_ELEM into the value buffer; undefined when empty. */
  protected read(cmd: Cmd.MAP_LOOKUP_ELEM | Cmd.MAP_LOOKUP_AND_DELETE_ELEM): V | undefined {
    const ret = this.elementCall(this.fd, cmd, 0, this.#valueMem.address, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return undefined;
      throw this.mapError(cmd, -ret);
    }
    return this.value.decode(this.#valueMem.view, 0);
  }

  /** LOOKUP_ELEM with `value` as the probe (bloom filters): true when found. */
  protected probe(value: V): boolean {
    const fd = this.fd;
    this.value.encode(value, this.#valueMem.view, 0);
    const ret = this.elementCall(fd, Cmd.MAP_LOOKUP_ELEM, 0, this.#valueMem.address, 0);
    if (ret < 0) {
      if (ret === -Errno.ENOENT) return false;
      throw this.mapError(Cmd.MAP_LOOKUP_ELEM, -ret);
    }
    return true;
  }

  protected override release(): void {
    this.#valueMem.free();
    super.release();
  }
}
