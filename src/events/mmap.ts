// Shared mappings of kernel objects (ring buffers, perf event rings) as zero-copy ArrayBuffers.
import { lastErrno, native, viewOf } from "../sys/libc.js";
import { syscallError } from "../sys/errors.js";

export const Prot = { READ: 1, WRITE: 2 } as const;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

let cachedPageSize = 0;
export function pageSize(): number {
  cachedPageSize ||= native.getpagesize();
  return cachedPageSize;
}

/** One mmap of an fd, with an ArrayBuffer over it. Unmapping makes the buffer poison: drop it. */
export class Mapping {
  #address: bigint;
  readonly buffer: ArrayBuffer;

  private constructor(
    address: bigint,
    readonly length: number,
  ) {
    this.#address = address;
    this.buffer = viewOf(address, length);
  }

  static map(fd: number, length: number, prot: number, offset: number, what: string): Mapping {
    const address = native.mmap(null, length, prot, MAP_SHARED, fd, offset);
    if (address === MAP_FAILED || address === 0n) throw syscallError("mmap", lastErrno(), what);
    return new Mapping(address, length);
  }

  /**
   * map() followed, in the same ArrayBuffer, by `scratchLength` bytes of private read-write memory
   * (a multiple of the page size): an anonymous mapping of the whole length is made first and the
   * fd mapped over its start, so the two are adjacent. Bytes can then move from the fd's mapping
   * to the scratch area with copyWithin (one memmove) rather than through a view per copy.
   */
  static mapWithScratch(
    fd: number,
    length: number,
    prot: number,
    offset: number,
    scratchLength: number,
    what: string,
  ): Mapping {
    const total = length + scratchLength;
    const address = native.mmap(null, total, Prot.READ | Prot.WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address === MAP_FAILED || address === 0n) throw syscallError("mmap", lastErrno(), what);
    const placed = native.mmap(address, length, prot, MAP_SHARED | MAP_FIXED, fd, offset);
    if (placed !== address) {
      const errno = lastErrno();
      native.munmap(address, total);
      throw syscallError("mmap", errno, what);
    }
    return new Mapping(address, total);
  }

  get mapped(): boolean {
    return this.#address !== 0n;
  }

  unmap(): void {
    if (this.#address === 0n) return;
    native.munmap(this.#address, this.length);
    this.#address = 0n;
  }
}
