// BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf event fd per CPU, the target of bpf_perf_event_output.
// This module creates the map; the perf buffer reader in src/events opens the per-CPU events
// and stores them with set().
import { Cmd } from "../sys/bpf.js";
import { possibleCpuCount } from "../sys/cpus.js";
import { Errno } from "../errors.js";
import { NativeMemory } from "../sys/libc.js";
import { MapType, UpdateFlags } from "../uapi.js";
import {
  adoptWith,
  createWith,
  MapHandle,
  openMapFd,
  type MapDescription,
  type MapOptions,
  type OpenOptions,
} from "./handle.js";
import type { FdSource } from "./fd-map.js";

export interface PerfEventArrayOptions extends MapOptions {
  /** Slots; one per possible CPU when omitted. */
  maxEntries?: number;
}

export class PerfEventArray extends MapHandle {
  // key (u32 index) at 0, value (u32 fd) at 4
  readonly #slot: NativeMemory;

  protected constructor(fd: number, description: MapDescription) {
    super(fd, description);
    this.#slot = new NativeMemory(8);
  }

  static create(options: PerfEventArrayOptions = {}): PerfEventArray {
    return createWith(
      {
        ...options,
        type: MapType.PERF_EVENT_ARRAY,
        keySize: 4,
        valueSize: 4,
        maxEntries: options.maxEntries ?? possibleCpuCount(),
      },
      (fd, description) => new PerfEventArray(fd, description),
    );
  }

  static openPinned(path: string, options?: OpenOptions): PerfEventArray {
    return PerfEventArray.#adopt(openMapFd({ path }, options));
  }

  static fromId(id: number, options?: OpenOptions): PerfEventArray {
    return PerfEventArray.#adopt(openMapFd({ id }, options));
  }

  static #adopt(fd: number): PerfEventArray {
    return adoptWith(
      fd,
      { kind: "PerfEventArray", types: [MapType.PERF_EVENT_ARRAY], keySize: 4, valueSize: 4 },
      (fd, description) => new PerfEventArray(fd, description),
    );
  }

  /** Stores a perf event (fd from perf_event_open) in slot `index` (usually the CPU number). */
  set(index: number, perfEvent: FdSource): this {
    const fd = this.fd;
    this.#slot.view.setUint32(0, index, true);
    this.#slot.view.setUint32(4, typeof perfEvent === "number" ? perfEvent : perfEvent.fd, true);
    const ret = this.elementCall(fd, Cmd.MAP_UPDATE_ELEM, this.#slot.address, this.#slot.address + 4, UpdateFlags.ANY);
    if (ret < 0) throw this.mapError(Cmd.MAP_UPDATE_ELEM, -ret);
    return this;
  }

  /** Empties slot `index`; false when it was empty. */
  delete(index: number): boolean {
    const fd = this.fd;
    this.#slot.view.setUint32(0, index, true);
    const ret = this.elementCall(fd, Cmd.MAP_DELETE_ELEM, this.#slot.address, 0, 0);
    if (ret === -Errno.ENOENT) return false;
    if (ret < 0) throw this.mapError(Cmd.MAP_DELETE_ELEM, -ret);
    return true;
  }

  protected override release(): void {
    this.#slot.free();
    super.release();
  }
}
