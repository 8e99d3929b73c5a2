// Reading a BPF_MAP_TYPE_PERF_EVENT_ARRAY: one software perf event (PERF_COUNT_SW_BPF_OUTPUT)
// per CPU, each with its own mmapped ring, its fd stored in the map at the CPU's index so that
// bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, …) lands in the ring of the CPU it ran on.
//
// Ring layout (include/uapi/linux/perf_event.h): page 0 is struct perf_event_mmap_page
// (data_head at 1024, written by the kernel; data_tail at 1032, ours), then 2^n data pages used
// as a circular buffer. Records are perf_event_header { u32 type; u16 misc; u16 size } + body,
// 8-byte aligned, and may wrap around the end of the data area (those few are copied into a
// scratch buffer so the callback still sees them in one piece).
//
// Unlike the BPF ring buffer, the kernel counts what it drops: when a ring is full it remembers
// how many samples it lost and writes a PERF_RECORD_LOST record once there is room again.
import { bpfErrno, Cmd, mapElemAttr } from "../sys/bpf.js";
import { onlineCpus } from "../sys/cpus.js";
import { native, NativeMemory } from "../sys/libc.js";
import { TsbpfError } from "../errors.js";
import { syscallError } from "../sys/errors.js";
import { PerfSampleType, PerfSwConfig, PerfType, perfEventOpenErrno } from "../sys/perf.js";
import { mapInfo } from "../maps/info.js";
import { MapType } from "../uapi.js";
import { Poller, type Watch } from "./epoll.js";
import { Mapping, pageSize, Prot } from "./mmap.js";
import { EventReader } from "./reader.js";
import { RingRecord, type RecordCallback } from "./record.js";
import { mapFdOf, type MapRef } from "./ringbuf.js";

const PERF_RECORD_LOST = 2;
const PERF_RECORD_SAMPLE = 9;
const DATA_HEAD_OFFSET = 1024;
const DATA_TAIL_OFFSET = 1032;
const HEADER_SIZE = 8;
/** perf_event_header.size is a u16: no record is larger. */
const MAX_RECORD = 1 << 16;

export interface PerfBufferOptions {
  /** Data pages per CPU, a power of two (default 16: 64 KiB with 4 KiB pages). */
  pagesPerCpu?: number;
  /** Wake the reader after this many samples (default 1). Exclusive with watermarkBytes. */
  wakeupEvents?: number;
  /** Wake the reader when this many bytes are waiting instead. */
  watermarkBytes?: number;
  /** CPUs to open (default: online CPUs below the map's max_entries). */
  cpus?: readonly number[];
  poller?: Poller;
  /** Told about each PERF_RECORD_LOST, on top of the counters. */
  onLost?: (cpu: number, count: number) => void;
}

/** One CPU's event and ring. */
class CpuRing {
  readonly words: Uint32Array;
  readonly tail: BigUint64Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Our data_tail; data_head/data_tail are free-running byte counters. */
  position: number;
  lost = 0;

  constructor(
    readonly cpu: number,
    readonly fd: number,
    readonly mapping: Mapping,
    readonly dataOffset: number,
    readonly dataSize: number,
  ) {
    this.words = new Uint32Array(mapping.buffer);
    this.tail = new BigUint64Array(mapping.buffer, DATA_TAIL_OFFSET, 1);
    this.bytes = new Uint8Array(mapping.buffer);
    this.view = new DataView(mapping.buffer);
    this.position = Number(Atomics.load(this.tail, 0));
  }
}

/**
 * A reader of a perf event array: opens the per-CPU events, mmaps their rings and stores them
 * in the map. Closing it removes them from the map, unmaps and closes them; the map stays open.
 *
 * Samples come out as written by bpf_perf_event_output(), but the kernel pads the raw data so
 * that its u32 size field plus the data end on 8 bytes: a 64-byte sample arrives as 68 bytes
 * (the last 4 zero). Read the fields you wrote; do not rely on `length` being exact.
 */
export class PerfBuffer extends EventReader {
  protected readonly watch: Watch;
  protected readonly what = "perf buffer";
  readonly #rings: CpuRing[] = [];
  readonly #record: RingRecord;
  readonly #scratch = new Uint8Array(MAX_RECORD);
  readonly #scratchView = new DataView(this.#scratch.buffer);
  readonly #mapFd: number;
  readonly #onLost: ((cpu: number, count: number) => void) | undefined;
  /** Bytes of data per CPU. */
  readonly dataSize: number;

  constructor(map: MapRef, options: PerfBufferOptions = {}) {
    super();
    const fd = mapFdOf(map);
    this.#mapFd = fd;
    this.#onLost = options.onLost;
    const info = mapInfo(fd);
    if (info.type !== MapType.PERF_EVENT_ARRAY)
      throw new TsbpfError(`PerfBuffer needs a perf_event_array map, this one is ${info.typeName}`);
    const pages = options.pagesPerCpu ?? 16;
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0)
      throw new TsbpfError(`pagesPerCpu must be a power of two, got ${pages}`);
    if (options.wakeupEvents !== undefined && options.watermarkBytes !== undefined)
      throw new TsbpfError("give wakeupEvents or watermarkBytes, not both");
    const page = pageSize();
    this.dataSize = pages * page;
    const cpus = (options.cpus ?? onlineCpus()).filter((cpu) => cpu < info.maxEntries);
    if (cpus.length === 0) throw new TsbpfError(`perf buffer: no CPU to open (map max_entries ${info.maxEntries})`);
    const key = new NativeMemory(4),
      value = new NativeMemory(4);
    try {
      for (const cpu of cpus) {
        const perfFd = perfEventOpenErrno(
          {
            type: PerfType.SOFTWARE,
            config: PerfSwConfig.BPF_OUTPUT,
            sampleType: PerfSampleType.RAW,
            samplePeriod: 1,
            watermark: options.watermarkBytes !== undefined,
            wakeupEvents: options.watermarkBytes ?? options.wakeupEvents ?? 1,
          },
          -1,
          cpu,
        );
        if (perfFd < 0) throw syscallError("perf_event_open", -perfFd, `PERF_COUNT_SW_BPF_OUTPUT on CPU ${cpu}`);
        let mapping: Mapping;
        try {
          mapping = Mapping.map(perfFd, page + this.dataSize, Prot.READ | Prot.WRITE, 0, `perf ring of CPU ${cpu}`);
        } catch (err) {
          native.close(perfFd);
          throw err;
        }
        this.#rings.push(new CpuRing(cpu, perfFd, mapping, page, this.dataSize));
        key.view.setUint32(0, cpu, true);
        value.view.setUint32(0, perfFd, true);
        const ret = bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(fd, key.address, value.address, 0));
        if (ret < 0)
          throw syscallError("BPF_MAP_UPDATE_ELEM", -ret, `perf event of CPU ${cpu} into the perf_event_array`);
      }
      this.watch = (options.poller ?? Poller.shared).watchAll(this.#rings.map((r) => r.fd));
    } catch (err) {
      this.#releaseRings();
      throw err;
    } finally {
      key.free();
      value.free();
    }
    this.#record = new RingRecord(this.#rings[0]!.bytes);
  }

  /** The CPUs this buffer reads. */
  get cpus(): number[] {
    return this.#rings.map((r) => r.cpu);
  }

  /** Samples the kernel reported lost (PERF_RECORD_LOST) over all CPUs, so far. */
  get lost(): number {
    let sum = 0;
    for (const r of this.#rings) sum += r.lost;
    return sum;
  }

  /** Lost samples per CPU. */
  lostPerCpu(): Map<number, number> {
    return new Map(this.#rings.map((r) => [r.cpu, r.lost]));
  }

  protected drain(callback: RecordCallback, limit: number): number {
    let delivered = 0;
    for (let i = 0; i < this.#rings.length && delivered < limit && !this.closed; i++) {
      delivered += this.#drainRing(this.#rings[i]!, callback, limit - delivered);
    }
    return delivered;
  }

  #drainRing(ring: CpuRing, callback: RecordCallback, limit: number): number {
    const record = this.#record;
    const { words, bytes, view, dataOffset, dataSize } = ring;
    const mask = dataSize - 1;
    const start = ring.position;
    const available = (Atomics.load(words, DATA_HEAD_OFFSET >>> 2) - start) >>> 0;
    if (available === 0) return 0;
    record.cpu = ring.cpu;
    const base = start & mask;
    let delivered = 0;
    let offset = 0;
    try {
      while (offset < available) {
        const at = (base + offset) & mask;
        // Headers never wrap: records are 8-byte aligned and the area is a multiple of 8.
        const type = words[(dataOffset + at) >>> 2]!;
        const size = view.getUint16(dataOffset + at + 6, true);
        if (size < HEADER_SIZE) throw new TsbpfError(`perf buffer of CPU ${ring.cpu}: corrupt record (size ${size})`);
        offset += size;
        let area = bytes,
          areaView = view,
          recordAt = dataOffset + at;
        if (at + size > dataSize) {
          // This record wraps around the end: copy it into one piece.
          const first = dataSize - at;
          this.#scratch.set(bytes.subarray(dataOffset + at, dataOffset + dataSize), 0);
          this.#scratch.set(bytes.subarray(dataOffset, dataOffset + size - first), first);
          area = this.#scratch;
          areaView = this.#scratchView;
          recordAt = 0;
        }
        if (type === PERF_RECORD_SAMPLE) {
          record.use(area, areaView);
          record.length = areaView.getUint32(recordAt + HEADER_SIZE, true);
          record.offset = recordAt + HEADER_SIZE + 4;
          delivered++;
          if (callback(record) === false || delivered >= limit || this.closeRequested) break;
        } else if (type === PERF_RECORD_LOST) {
          // { header; u64 id; u64 lost }
          const count =
            areaView.getUint32(recordAt + 16, true) + areaView.getUint32(recordAt + 20, true) * 0x1_0000_0000;
          ring.lost += count;
          this.#onLost?.(ring.cpu, count);
        }
      }
    } finally {
      if (offset > 0) {
        ring.position = start + offset;
        Atomics.store(ring.tail, 0, BigInt(ring.position));
      }
    }
    return delivered;
  }

  #releaseRings(): void {
    const key = new NativeMemory(4);
    try {
      for (const ring of this.#rings) {
        key.view.setUint32(0, ring.cpu, true);
        // The map holds its own reference to the event: remove it, or it outlives us.
        bpfErrno(Cmd.MAP_DELETE_ELEM, mapElemAttr(this.#mapFd, key.address, 0, 0));
        ring.mapping.unmap();
        native.close(ring.fd);
      }
    } finally {
      key.free();
    }
    this.#rings.length = 0;
  }

  protected release(): void {
    this.#releaseRings();
  }
}
