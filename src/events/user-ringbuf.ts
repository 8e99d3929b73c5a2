// Writing to a BPF_MAP_TYPE_USER_RINGBUF: user space produces, a program consumes with
// bpf_user_ringbuf_drain(map, callback, ctx, flags).
//
// Layout: page 0 holds consumer_pos (the kernel's: mapped read-only), page 1 holds producer_pos
// (ours: read-write), then the data area mapped twice (read-write), so a sample that runs past
// the end continues in the second copy. Samples use the kernel ring buffer's format: an 8-byte
// header (u32 length with BUSY while being written / DISCARD to skip, u32 unused) then data,
// 8-byte aligned. Reserving writes a BUSY header and publishes the new producer_pos; submitting
// clears BUSY. The kernel stops at the first BUSY sample, so samples reach it in reserve order.
//
// One writer per ring: JavaScript is single-threaded, but two UserRingBuffer objects (or two
// processes) on the same map would corrupt it.
import { setTimeout as sleep } from "node:timers/promises";
import { TsbpfError } from "../errors.js";
import { mapInfo } from "../maps/info.js";
import { MapType } from "../uapi.js";
import { EpollEvents, Poller, type Watch } from "./epoll.js";
import { Mapping, pageSize, Prot } from "./mmap.js";
import { mapFdOf, RINGBUF_BUSY, RINGBUF_DISCARD, RINGBUF_HDR_SIZE, RINGBUF_LEN_MASK, type MapRef } from "./ringbuf.js";

export interface UserRingBufferOptions {
  poller?: Poller;
}

/**
 * A writer for a user ring buffer map. The map stays the caller's.
 *
 * ```ts
 * using ring = new UserRingBuffer(map);
 * const at = ring.reserve(16);          // -1 when full
 * ring.view.setBigUint64(at, 42n, true);
 * ring.submit(at);
 * ring.write(bytes);                    // reserve + copy + submit
 * ```
 */
export class UserRingBuffer implements Disposable {
  /** Size of the data area in bytes (the map's max_entries). */
  readonly size: number;
  /** The writable mapping: reserve() returns offsets into it. Invalid after close(). */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly #consumerPage: Mapping;
  readonly #ring: Mapping;
  readonly #consumerLow: Uint32Array;
  readonly #producerPos: BigUint64Array;
  readonly #words: Uint32Array;
  readonly #dataOffset: number;
  readonly #mask: number;
  readonly #fd: number;
  #watch: Watch | undefined;
  readonly #poller: Poller | undefined;
  #producer: number;
  #closed = false;

  constructor(map: MapRef, options: UserRingBufferOptions = {}) {
    const fd = mapFdOf(map);
    this.#fd = fd;
    const info = mapInfo(fd);
    if (info.type !== MapType.USER_RINGBUF) {
      throw new TsbpfError(
        `UserRingBuffer needs a user_ringbuf map, this one is ${info.typeName}${info.type === MapType.RINGBUF ? " (read it with RingBuffer)" : ""}`,
      );
    }
    const page = pageSize();
    this.size = info.maxEntries;
    this.#mask = this.size - 1;
    this.#dataOffset = page;
    this.#poller = options.poller;
    this.#consumerPage = Mapping.map(fd, page, Prot.READ, 0, "user ring buffer consumer page");
    try {
      this.#ring = Mapping.map(
        fd,
        page + 2 * this.size,
        Prot.READ | Prot.WRITE,
        page,
        "user ring buffer producer page and data",
      );
    } catch (err) {
      this.#consumerPage.unmap();
      throw err;
    }
    this.#consumerLow = new Uint32Array(this.#consumerPage.buffer, 0, 1);
    this.#producerPos = new BigUint64Array(this.#ring.buffer, 0, 1);
    this.#words = new Uint32Array(this.#ring.buffer);
    this.bytes = new Uint8Array(this.#ring.buffer);
    this.view = new DataView(this.#ring.buffer);
    this.#producer = Number(Atomics.load(this.#producerPos, 0));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Largest sample that can ever fit. */
  get maxSampleSize(): number {
    return this.size - RINGBUF_HDR_SIZE;
  }

  /** Bytes free now (a sample takes its length + 8, rounded up to 8). */
  get freeBytes(): number {
    this.#check();
    return this.size - ((this.#producer - Atomics.load(this.#consumerLow, 0)) >>> 0);
  }

  /**
   * Reserves room for a sample of `length` bytes and returns the offset in `bytes`/`view` where
   * its data goes, or -1 when the ring has no room now. The kernel sees it after submit().
   */
  reserve(length: number): number {
    this.#check();
    if (!Number.isInteger(length) || length < 0 || length > RINGBUF_LEN_MASK)
      throw new RangeError(`bad sample length ${length}`);
    const total = (length + RINGBUF_HDR_SIZE + 7) & ~7;
    if (total > this.size)
      throw new RangeError(`a ${length}-byte sample cannot fit a ${this.size}-byte user ring buffer`);
    const used = (this.#producer - Atomics.load(this.#consumerLow, 0)) >>> 0;
    if (this.size - used < total) return -1;
    const at = this.#dataOffset + (this.#producer & this.#mask);
    this.#words[(at + 4) >>> 2] = 0;
    Atomics.store(this.#words, at >>> 2, (length | RINGBUF_BUSY) >>> 0);
    this.#producer += total;
    Atomics.store(this.#producerPos, 0, BigInt(this.#producer));
    return at + RINGBUF_HDR_SIZE;
  }

  /** Hands a reserved sample to the kernel. */
  submit(offset: number): void {
    this.#commit(offset, 0);
  }

  /** Gives a reserved sample up: the kernel skips it. */
  discard(offset: number): void {
    this.#commit(offset, RINGBUF_DISCARD);
  }

  #commit(offset: number, flags: number): void {
    this.#check();
    const index = (offset - RINGBUF_HDR_SIZE) >>> 2;
    const header = Atomics.load(this.#words, index);
    if ((header & RINGBUF_BUSY) === 0) throw new TsbpfError(`user ring buffer: no reserved sample at offset ${offset}`);
    Atomics.store(this.#words, index, ((header & RINGBUF_LEN_MASK) | flags) >>> 0);
  }

  /** Reserves, copies `data` in and submits. Returns false when there is no room now. */
  write(data: Uint8Array): boolean {
    const at = this.reserve(data.length);
    if (at < 0) return false;
    this.bytes.set(data, at);
    this.submit(at);
    return true;
  }

  /**
   * Waits until a sample of `length` bytes fits (true) or `signal` aborts / the writer closes
   * (false). The kernel reports the ring writable whenever it is not completely full, so after
   * a wake-up that freed too little this backs off on a timer (1 → 64 ms) instead of spinning.
   */
  async waitForSpace(length: number, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const { signal } = options;
    const total = (length + RINGBUF_HDR_SIZE + 7) & ~7;
    if (total > this.size)
      throw new RangeError(`a ${length}-byte sample cannot fit a ${this.size}-byte user ring buffer`);
    let backoff = 1;
    while (!this.#closed && !signal?.aborted) {
      if (this.freeBytes >= total) return true;
      this.#watch ??= (this.#poller ?? Poller.shared).watch(this.#fd, EpollEvents.OUT);
      const before = Atomics.load(this.#consumerLow, 0);
      if (!(await this.#watch.wait(signal))) return false;
      if (this.#closed) return false;
      if (Atomics.load(this.#consumerLow, 0) === before) {
        await sleep(backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, 64);
      } else backoff = 1;
    }
    return false;
  }

  /** Like write(), but waits for room (see waitForSpace). Resolves false when aborted. */
  async writeAsync(data: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    for (;;) {
      if (this.write(data)) return true;
      if (!(await this.waitForSpace(data.length, options))) return false;
    }
  }

  #check(): void {
    if (this.#closed) throw new TsbpfError("user ring buffer is closed");
  }

  /** Unmaps the ring. Samples already submitted stay in the map for the kernel to drain. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.close();
    this.#ring.unmap();
    this.#consumerPage.unmap();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
