// Reading a u64 counter a BPF program keeps in a map, summed over CPUs for per-CPU arrays. Used
// for the drop counter convention of ring buffers (the kernel itself counts no ring buffer drops).
import { bpfErrno, Cmd, mapElemAttr } from "../sys/bpf.js";
import { possibleCpuCount } from "../sys/cpus.js";
import { NativeMemory } from "../sys/libc.js";
import { TsbpfError } from "../errors.js";
import { syscallError } from "../sys/errors.js";
import { mapInfo } from "../maps/info.js";
import { MapType } from "../uapi.js";

/** A u64 counter at `key` (default 0) of an array, per-CPU array, hash or per-CPU hash map. */
export interface CounterRef {
  map: { readonly fd: number } | number;
  key?: number;
}

/** Reads one u64 counter; per-CPU maps are summed over every possible CPU. */
export class CounterReader {
  readonly #fd: number;
  readonly #key = new NativeMemory(8);
  readonly #value: NativeMemory;
  readonly #slots: number;
  readonly #stride: number;

  constructor(ref: CounterRef) {
    this.#fd = typeof ref.map === "number" ? ref.map : ref.map.fd;
    const info = mapInfo(this.#fd);
    if (info.keySize !== 4) throw new TsbpfError(`counter map: key size must be 4 (u32), it is ${info.keySize}`);
    if (info.valueSize < 8)
      throw new TsbpfError(`counter map: value size must be at least 8 (u64), it is ${info.valueSize}`);
    const perCpu =
      info.type === MapType.PERCPU_ARRAY || info.type === MapType.PERCPU_HASH || info.type === MapType.LRU_PERCPU_HASH;
    this.#slots = perCpu ? possibleCpuCount() : 1;
    this.#stride = perCpu ? (info.valueSize + 7) & ~7 : info.valueSize;
    this.#value = new NativeMemory(this.#stride * this.#slots);
    this.#key.view.setUint32(0, ref.key ?? 0, true);
  }

  /** The counter's value (summed over CPUs); 0 when the key is absent. */
  read(): number {
    this.#value.bytes.fill(0);
    const ret = bpfErrno(Cmd.MAP_LOOKUP_ELEM, mapElemAttr(this.#fd, this.#key.address, this.#value.address, 0));
    if (ret === -2) return 0;
    if (ret < 0) throw syscallError("BPF_MAP_LOOKUP_ELEM", -ret, "drop counter");
    const v = this.#value.view;
    let sum = 0;
    for (let i = 0; i < this.#slots; i++) {
      const o = i * this.#stride;
      sum += v.getUint32(o + 4, true) * 0x1_0000_0000 + v.getUint32(o, true);
    }
    return sum;
  }

  close(): void {
    this.#key.free();
    this.#value.free();
  }
}
