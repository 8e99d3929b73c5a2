// BPF_MAP_TYPE_PROG_ARRAY: the jump table of bpf_tail_call. Slots hold programs of the same type
// as the program making the call.
import { MapType } from "../uapi.js";
import { u32 } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapOptions, type OpenOptions } from "./handle.js";
import { FdMap } from "./fd-map.js";

export interface ProgramArrayOptions extends MapOptions {
  maxEntries: number;
}

export class ProgramArray extends FdMap<number> {
  static create(options: ProgramArrayOptions): ProgramArray {
    return createWith(
      { ...options, type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4 },
      (fd, description) => new ProgramArray(fd, description, u32, u32),
    );
  }

  static openPinned(path: string, options?: OpenOptions): ProgramArray {
    return ProgramArray.#adopt(openMapFd({ path }, options));
  }

  static fromId(id: number, options?: OpenOptions): ProgramArray {
    return ProgramArray.#adopt(openMapFd({ id }, options));
  }

  static #adopt(fd: number): ProgramArray {
    return adoptWith(
      fd,
      { kind: "ProgramArray", types: [MapType.PROG_ARRAY], keySize: 4, valueSize: 4 },
      (fd, description) => new ProgramArray(fd, description, u32, u32),
    );
  }
}
