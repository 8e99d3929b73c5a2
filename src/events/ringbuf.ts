// Reading a BPF_MAP_TYPE_RINGBUF map from user space, zero-copy.
//
// Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos (ours to write: mapped read-write),
// page 1 holds producer_pos, then the data area follows, mapped twice in a row (both read-only),
// so a record that runs past the end of the area continues in the second copy and can be read
// in one piece. Each record starts with an 8-byte header: u32 length with BUSY (bit 31: still
// being written) and DISCARD (bit 30: skip it), then u32 page offset; records are 8-byte aligned.
//
// Drops: the kernel does not count records a program failed to reserve. The convention here is
// that the program counts them itself: when bpf_ringbuf_reserve() returns NULL (or
// bpf_ringbuf_output() returns < 0) it adds 1 to a u64 at key 0 of a BPF_MAP_TYPE_PERCPU_ARRAY
// (key u32, value u64, 1 entry). Pass that map as `dropCounter` and drops() sums it.
import { TsbpfError } from "../errors.js";
import { mapInfo } from "../maps/info.js";
import { MapType } from "../uapi.js";
import { Poller, type Watch } from "./epoll.js";
import { Mapping, pageSize, Prot } from "./mmap.js";
import { EventReader } from "./reader.js";
import { RingRecord, type RecordCallback } from "./record.js";
import { CounterReader, type CounterRef } from "./counter.js";

/** Header bits and size shared by the kernel and user ring buffers. */
export const RINGBUF_BUSY = 0x8000_0000;
export const RINGBUF_DISCARD = 0x4000_0000;
export const RINGBUF_LEN_MASK = 0x3fff_ffff;
export const RINGBUF_HDR_SIZE = 8;

export type MapRef = { readonly fd: number } | number;

/**
 * Whether record headers need an acquire load. On x86-64 an ordinary load already is one (TSO),
 * and V8 keeps typed-array loads in program order, so the hot loop skips Atomics.load there; it
 * costs about a third of the per-record time.
 */
export const NEEDS_ACQUIRE = process.arch !== "x64";

export function mapFdOf(map: MapRef): number {
  return typeof map === "number" ? map : map.fd;
}

export interface RingBufferOptions {
  /** The poller to sleep in (default: Poller.shared, one epoll set for all readers). */
  poller?: Poller;
  /** The counter the program increments when a reservation fails (see the module comment). */
  dropCounter?: CounterRef;
  /**
   * Bytes of read-write memory (rounded up to whole pages) to map right after the ring, in the
   * same ArrayBuffer as the records: `scratch`. An output buffer placed there takes a record's
   * bytes with one copyWithin (a native memmove) instead of a copy loop in JavaScript or a view
   * allocated per record. Default 0: none.
   */
  scratchBytes?: number;
}

/** Positions as the kernel sees them (bytes since the map was created). */
export interface RingBufferStats {
  /** Size of the data area in bytes (the map's max_entries). */
  size: number;
  consumerPosition: number;
  producerPosition: number;
  /** Bytes written by programs and not consumed yet (headers and padding included). */
  pendingBytes: number;
}

/**
 * A reader of a BPF ring buffer map. The map stays the caller's: closing the reader unmaps the
 * ring and stops waiting, it does not close the map.
 *
 * ```ts
 * using ring = new RingBuffer(eventsMap);
 * await ring.poll((rec) => { total += rec.u32(0); }, { signal });
 * ```
 */
export class RingBuffer extends EventReader {
  readonly size: number;
  /** The read-write area asked for with `scratchBytes` (empty without): same ArrayBuffer as the records. */
  readonly scratch: Uint8Array;
  protected readonly watch: Watch;
  protected readonly what = "ring buffer";
  readonly #consumerPage: Mapping;
  readonly #ring: Mapping;
  /** consumer_pos, written once per batch. */
  readonly #consumerPos: BigUint64Array;
  /**
   * Low 32 bits of producer_pos (enough: positions only ever differ by less than the size), signed
   * for the same reason as #words; differences are taken modulo 2^32 (`>>> 0`) either way.
   */
  readonly #producerLow: Int32Array;
  readonly #producerPos: BigUint64Array;
  /**
   * The read-only mapping as words, for record headers; signed, so that a busy header (bit 31) is
   * a small negative integer rather than a number V8 boxes, which deoptimised the drain.
   */
  readonly #words: Int32Array;
  readonly #record: RingRecord;
  readonly #dataOffset: number;
  readonly #mask: number;
  readonly #drops: CounterReader | undefined;
  /** Our consumer position (a JS number: exact up to 2^53 bytes). */
  #consumer: number;

  constructor(map: MapRef, options: RingBufferOptions = {}) {
    super();
    const fd = mapFdOf(map);
    const info = mapInfo(fd);
    if (info.type !== MapType.RINGBUF) {
      throw new TsbpfError(
        `RingBuffer needs a ringbuf map, this one is ${info.typeName}${info.type === MapType.USER_RINGBUF ? " (write to it with UserRingBuffer)" : ""}`,
      );
    }
    const page = pageSize();
    this.size = info.maxEntries;
    this.#mask = this.size - 1;
    this.#dataOffset = page;
    this.#consumerPage = Mapping.map(fd, page, Prot.READ | Prot.WRITE, 0, "ring buffer consumer page");
    const ringLength = page + 2 * this.size;
    const scratchLength = Math.ceil((options.scratchBytes ?? 0) / page) * page;
    try {
      this.#ring =
        scratchLength > 0
          ? Mapping.mapWithScratch(fd, ringLength, Prot.READ, page, scratchLength, "ring buffer and scratch area")
          : Mapping.map(fd, ringLength, Prot.READ, page, "ring buffer producer page and data");
    } catch (err) {
      this.#consumerPage.unmap();
      throw err;
    }
    this.#consumerPos = new BigUint64Array(this.#consumerPage.buffer, 0, 1);
    this.#producerLow = new Int32Array(this.#ring.buffer, 0, 1);
    this.#producerPos = new BigUint64Array(this.#ring.buffer, 0, 1);
    this.#words = new Int32Array(this.#ring.buffer);
    this.#record = new RingRecord(this.#ring.buffer);
    this.scratch = new Uint8Array(this.#ring.buffer, ringLength, scratchLength);
    // Another reader may have consumed from this map before: continue where it stopped.
    this.#consumer = Number(Atomics.load(this.#consumerPos, 0));
    try {
      this.#drops = options.dropCounter ? new CounterReader(options.dropCounter) : undefined;
      this.watch = (options.poller ?? Poller.shared).watch(fd);
    } catch (err) {
      this.#ring.unmap();
      this.#consumerPage.unmap();
      throw err;
    }
  }

  protected drain(callback: RecordCallback, limit: number): number {
    const words = this.#words;
    const record = this.#record;
    const mask = this.#mask;
    const dataOffset = this.#dataOffset;
    const acquire = NEEDS_ACQUIRE;
    let delivered = 0;
    let consumedBytes = 0;
    let stop = false;
    // Re-read producer_pos after each batch, but give up after one ring's worth, so a producer
    // that never pauses cannot keep this call from returning.
    while (!stop && consumedBytes < this.size) {
      const start = this.#consumer;
      const available = (Atomics.load(this.#producerLow, 0) - start) >>> 0;
      if (available === 0) break;
      const base = start & mask;
      let offset = 0;
      try {
        while (offset < available) {
          const at = dataOffset + ((base + offset) & mask);
          const header = acquire ? Atomics.load(words, at >>> 2) : words[at >>> 2]!;
          if ((header & RINGBUF_BUSY) !== 0) {
            stop = true;
            break;
          } // not committed yet: later records wait too
          const length = header & RINGBUF_LEN_MASK;
          offset += (length + RINGBUF_HDR_SIZE + 7) & ~7;
          if ((header & RINGBUF_DISCARD) !== 0) continue;
          record.offset = at + RINGBUF_HDR_SIZE;
          record.length = length;
          delivered++;
          if (callback(record) === false || delivered >= limit || this.closeRequested) {
            stop = true;
            break;
          }
        }
      } finally {
        // One store per batch (and also when a callback threw: its record counts as consumed).
        if (offset > 0) {
          this.#consumer = start + offset;
          consumedBytes += offset;
          Atomics.store(this.#consumerPos, 0, BigInt(this.#consumer));
        }
      }
    }
    return delivered;
  }

  /** Bytes produced and not consumed yet. */
  get pendingBytes(): number {
    if (this.closed) return 0;
    return (Atomics.load(this.#producerLow, 0) - this.#consumer) >>> 0;
  }

  /** What the kernel exposes about the ring: its size and both positions. */
  stats(): RingBufferStats {
    if (this.closed) throw new TsbpfError("ring buffer is closed");
    const producer = Number(Atomics.load(this.#producerPos, 0));
    return {
      size: this.size,
      consumerPosition: this.#consumer,
      producerPosition: producer,
      pendingBytes: producer - this.#consumer,
    };
  }

  /**
   * Records the program could not write (summed over CPUs), read from the `dropCounter` map.
   * The kernel keeps no such count: see the module comment for the convention.
   */
  drops(): number {
    if (!this.#drops)
      throw new TsbpfError(
        "ring buffer: no dropCounter was given; the kernel does not count ring buffer drops, the program must (see RingBufferOptions.dropCounter)",
      );
    return this.#drops.read();
  }

  protected release(): void {
    this.#ring.unmap();
    this.#consumerPage.unmap();
    this.#drops?.close();
  }
}
