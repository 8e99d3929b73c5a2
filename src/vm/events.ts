// Emulated BPF ring buffers and perf event arrays, with readers that have the same API as the
// real ones in src/events (consume / poll / records / wait / close, RingRecord callbacks).
//
// The ring buffer keeps the kernel's byte layout: 8-byte headers (length with BUSY and DISCARD
// bits, then a page offset), records rounded up to 8 bytes, free-running producer and consumer
// positions, and a reservation that does not fit leaves the program with NULL. The data area is
// allocated twice over, like the kernel maps it twice, so a record running past the end of the
// ring is still one contiguous piece for the program and for the reader.
import { MapSpecError } from "../maps/errors.js";
import type { Watch } from "../events/epoll.js";
import { EventReader } from "../events/reader.js";
import { RingRecord, type RecordCallback } from "../events/record.js";
import { Errno } from "../errors.js";
import { MapType } from "../uapi.js";
import { Region, RegionKind } from "./memory.js";
import { VmMap, type MapEnv, type VmMapSpec } from "./maps.js";

const BUSY = 0x8000_0000;
const DISCARD = 0x4000_0000;
const LEN_MASK = 0x3fff_ffff;
const HDR = 8;
const PAGE = 4096;

/** Wakes readers waiting on an emulated map: the part of Watch that EventReader uses. */
class Waiters {
  #pending: ((ready: boolean) => void)[] = [];
  #closed = false;
  get closed(): boolean {
    return this.#closed;
  }
  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        this.#pending = this.#pending.filter((r) => r !== done);
        resolve(false);
      };
      const done = (ready: boolean): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(ready);
      };
      this.#pending.push(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  wake(): void {
    const p = this.#pending;
    this.#pending = [];
    for (const r of p) r(true);
  }
  close(): void {
    this.#closed = true;
    const p = this.#pending;
    this.#pending = [];
    for (const r of p) r(false);
  }
}

interface Reservation {
  header: number;
  length: number;
}

/** BPF_MAP_TYPE_RINGBUF, emulated. */
export class VmRingBufMap extends VmMap {
  /** Data area, twice (the second copy continues records that wrap). */
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly size: number;
  producer = 0;
  consumer = 0;
  readonly #open = new Map<Region, Reservation>();
  readonly #waiters = new Set<Waiters>();

  constructor(env: MapEnv, spec: VmMapSpec) {
    super(env, spec, 0, 0);
    const size = spec.maxEntries;
    if (size < PAGE || (size & (size - 1)) !== 0) {
      throw new MapSpecError(this.name, `ring buffer size must be a power of two and at least ${PAGE} (got ${size})`);
    }
    this.size = size;
    this.data = new Uint8Array(size * 2);
    this.view = new DataView(this.data.buffer);
  }

  /** bpf_ringbuf_reserve: a region for the record, or null when it does not fit. */
  reserve(length: number): Region | null {
    if (length > this.size - HDR || length < 0) return null;
    const total = (length + HDR + 7) & ~7;
    // The kernel keeps the producer less than a whole ring ahead of the consumer.
    if (this.producer + total - this.consumer > this.size - 1) return null;
    const at = this.producer & (this.size - 1);
    this.view.setUint32(at, (length | BUSY) >>> 0, true);
    this.view.setUint32(at + 4, Math.floor(at / PAGE) + 1, true);
    this.producer += total;
    this.data.fill(0, at + HDR, at + HDR + length);
    const r = this.env.memory.add(
      new Region(this.data, RegionKind.RINGBUF, true, `ring buffer "${this.name}" record`, at + HDR, at + HDR + length),
    );
    r.owner = this;
    this.#open.set(r, { header: at, length });
    return r;
  }

  /** bpf_ringbuf_submit / discard. False if the region is not an open record of this ring. */
  commit(region: Region, discard: boolean, wakeup = true): boolean {
    const res = this.#open.get(region);
    if (res === undefined) return false;
    this.#open.delete(region);
    this.env.memory.remove(region);
    this.view.setUint32(res.header, (res.length | (discard ? DISCARD : 0)) >>> 0, true);
    if (wakeup) for (const w of this.#waiters) w.wake();
    return true;
  }

  /** bpf_ringbuf_output: reserve, copy, submit. */
  output(bytes: Uint8Array): number {
    const r = this.reserve(bytes.length);
    if (r === null) return -Errno.EAGAIN;
    this.data.set(bytes, r.start);
    this.commit(r, false);
    return 0;
  }

  /** bpf_ringbuf_query. */
  query(flag: number): number {
    switch (flag) {
      case 0:
        return this.producer - this.consumer; // BPF_RB_AVAIL_DATA
      case 1:
        return this.size; // BPF_RB_RING_SIZE
      case 2:
        return this.consumer; // BPF_RB_CONS_POS
      case 3:
        return this.producer; // BPF_RB_PROD_POS
      default:
        return 0;
    }
  }

  /** A reader with the API of src/events' RingBuffer. */
  reader(): VmRingBuffer {
    return new VmRingBuffer(this);
  }

  /** @internal */
  addWaiters(w: Waiters): void {
    this.#waiters.add(w);
  }
  /** @internal */
  removeWaiters(w: Waiters): void {
    this.#waiters.delete(w);
  }
}

/** Reads an emulated ring buffer, like src/events' RingBuffer reads a real one. */
export class VmRingBuffer extends EventReader {
  readonly size: number;
  protected readonly watch: Watch;
  protected readonly what = "ring buffer (VM)";
  readonly #ring: VmRingBufMap;
  readonly #waiters = new Waiters();
  readonly #record: RingRecord;

  constructor(ring: VmRingBufMap) {
    super();
    this.#ring = ring;
    this.size = ring.size;
    this.#record = new RingRecord(ring.data);
    // EventReader only calls wait() and close() on its watch.
    this.watch = this.#waiters as unknown as Watch;
    ring.addWaiters(this.#waiters);
  }

  protected drain(callback: RecordCallback, limit: number): number {
    const ring = this.#ring;
    const record = this.#record;
    const mask = ring.size - 1;
    let delivered = 0;
    while (ring.consumer < ring.producer) {
      const at = ring.consumer & mask;
      const header = ring.view.getUint32(at, true);
      if ((header & BUSY) !== 0) break; // not committed yet: later records wait too
      const length = header & LEN_MASK;
      ring.consumer += (length + HDR + 7) & ~7;
      if ((header & DISCARD) !== 0) continue;
      record.offset = at + HDR;
      record.length = length;
      delivered++;
      if (callback(record) === false || delivered >= limit || this.closed) break;
    }
    return delivered;
  }

  get pendingBytes(): number {
    return this.#ring.producer - this.#ring.consumer;
  }

  stats(): { size: number; consumerPosition: number; producerPosition: number; pendingBytes: number } {
    const r = this.#ring;
    return {
      size: r.size,
      consumerPosition: r.consumer,
      producerPosition: r.producer,
      pendingBytes: r.producer - r.consumer,
    };
  }

  protected release(): void {
    this.#ring.removeWaiters(this.#waiters);
  }
}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY, emulated: one queue of samples per CPU. */
export class VmPerfEventArray extends VmMap {
  /** Samples per CPU, padded like the kernel pads raw samples (u32 size + data to 8 bytes). */
  readonly queues: Uint8Array[][];
  readonly #waiters = new Set<Waiters>();

  constructor(env: MapEnv, spec: VmMapSpec) {
    super(env, { ...spec, maxEntries: spec.maxEntries || env.cpus }, 4, 4);
    this.queues = Array.from({ length: this.maxEntries }, () => []);
  }

  /** bpf_perf_event_output's work once the arguments are checked. */
  output(index: number, bytes: Uint8Array): number {
    const q = this.queues[index];
    if (q === undefined) return -Errno.E2BIG;
    const padded = new Uint8Array(((bytes.length + 4 + 7) & ~7) - 4);
    padded.set(bytes);
    q.push(padded);
    for (const w of this.#waiters) w.wake();
    return 0;
  }

  /** A reader with the API of src/events' PerfBuffer (records carry their CPU). */
  reader(): VmPerfBuffer {
    return new VmPerfBuffer(this);
  }

  /** @internal */
  addWaiters(w: Waiters): void {
    this.#waiters.add(w);
  }
  /** @internal */
  removeWaiters(w: Waiters): void {
    this.#waiters.delete(w);
  }
}

export class VmPerfBuffer extends EventReader {
  protected readonly watch: Watch;
  protected readonly what = "perf buffer (VM)";
  readonly #map: VmPerfEventArray;
  readonly #waiters = new Waiters();
  readonly #record = new RingRecord(new Uint8Array(0));
  /** Samples lost (the emulation never loses any). */
  readonly lost = 0;

  constructor(map: VmPerfEventArray) {
    super();
    this.#map = map;
    this.watch = this.#waiters as unknown as Watch;
    map.addWaiters(this.#waiters);
  }

  protected drain(callback: RecordCallback, limit: number): number {
    const record = this.#record;
    let delivered = 0;
    for (let cpu = 0; cpu < this.#map.queues.length; cpu++) {
      const q = this.#map.queues[cpu]!;
      while (q.length > 0 && delivered < limit) {
        const sample = q.shift()!;
        record.use(sample, new DataView(sample.buffer, sample.byteOffset, sample.byteLength));
        record.offset = 0;
        record.length = sample.length;
        record.cpu = cpu;
        delivered++;
        if (callback(record) === false || this.closed) return delivered;
      }
    }
    return delivered;
  }

  protected release(): void {
    this.#map.removeWaiters(this.#waiters);
  }
}

export function isEventMapType(type: number): boolean {
  return type === MapType.RINGBUF || type === MapType.PERF_EVENT_ARRAY;
}
