// Writers for classic pcap (microsecond or nanosecond timestamps) and pcapng (section header,
// interface description blocks with if_name / if_tsresol, enhanced packet blocks with epb_flags,
// interface statistics blocks with drop counts), to a file, a file descriptor or a stream.
//
// The streaming writers are built for capture rates: records are assembled in one reusable buffer
// and written in large chunks, so writing a packet allocates nothing. `writePcap` / `writePcapng`
// build whole files in memory (tests use them to make captures in every byte order and resolution).

import * as fs from "node:fs";

// ---------------------------------------------------------------------------------------------
// Where the bytes go

/** A destination for capture bytes. */
export interface ByteSink {
  /** Writes all of `bytes`; the caller may reuse the array afterwards. */
  write(bytes: Uint8Array): void;
  /** Flushes and releases the destination (does not close stdout). */
  close(): void;
}

/** A file path, "-" for standard output, an open file descriptor, a Node stream, or a ByteSink. */
export type CaptureOutput = string | number | NodeJS.WritableStream | ByteSink;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Synchronous writes to a file descriptor (retrying when a non-blocking pipe is full). */
export class FdSink implements ByteSink {
  constructor(
    readonly fd: number,
    private readonly ownsFd: boolean,
  ) {}

  write(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      try {
        at += fs.writeSync(this.fd, bytes, at, bytes.length - at);
      } catch (e) {
        // stdout may be a non-blocking pipe: wait for the reader instead of failing.
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        Atomics.wait(sleepCell, 0, 0, 1);
      }
    }
  }

  close(): void {
    if (this.ownsFd) fs.closeSync(this.fd);
  }
}

/** Writes to a Node stream; chunks are copied because the writer reuses its buffer. */
export class StreamSink implements ByteSink {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly endOnClose = true,
  ) {}

  write(bytes: Uint8Array): void {
    this.stream.write(Buffer.from(bytes));
  }

  close(): void {
    if (this.endOnClose) this.stream.end();
  }
}

/** Collects everything written (for tests and in-memory captures). */
export class MemorySink implements ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
  }

  close(): void {}

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function isByteSink(o: unknown): o is ByteSink {
  return (
    typeof o === "object" &&
    o !== null &&
    typeof (o as ByteSink).write === "function" &&
    typeof (o as ByteSink).close === "function" &&
    !("writable" in o)
  );
}

/** Opens a sink for an output: a path (created or truncated, mode 0644), "-", an fd, a stream or a sink. */
export function openSink(output: CaptureOutput): ByteSink {
  if (typeof output === "string") {
    if (output === "-") return new FdSink(1, false);
    return new FdSink(fs.openSync(output, "w", 0o644), true);
  }
  if (typeof output === "number") return new FdSink(output, false);
  if (isByteSink(output)) return output;
  return new StreamSink(output as NodeJS.WritableStream, output !== process.stdout && output !== process.stderr);
}

// ---------------------------------------------------------------------------------------------
// Buffered record assembly

const DEFAULT_BUFFER_SIZE = 1 << 20;
/** Longest run appendFrom copies word by word (measured: above it, subarray + set wins). */
const COPY_BY_WORDS = 256;

/** Splits sec * unitsPerSecond + frac into 32-bit halves exactly (no BigInt, no precision loss). */
function splitUnits(sec: number, unitsPerSecond: number, frac: number, out: Uint32Array): void {
  const secHigh = Math.floor(sec / 65536);
  const secLow = sec - secHigh * 65536;
  const a = secLow * unitsPerSecond + frac; // < 2^47
  const b = secHigh * unitsPerSecond; // to be scaled by 2^16
  const bLow = b % 65536;
  const lowPart = bLow * 65536 + a;
  const low = lowPart % 4294967296;
  out[0] = Math.floor(b / 65536) + Math.floor(lowPart / 4294967296);
  out[1] = low;
}

abstract class BufferedWriter {
  protected readonly buf: Uint8Array;
  protected readonly view: DataView;
  /** The whole ArrayBuffer `buf` lies in: sources in it are copied with copyWithin. */
  private readonly area: Uint8Array;
  protected pos = 0;
  protected readonly little: boolean;
  private readonly sink: ByteSink;
  private closed = false;
  private lastSource: Uint8Array | undefined;
  private lastSourceView: DataView | undefined;
  private sourceShared = false;
  /** Where the last source starts in its ArrayBuffer. */
  private sourceOffset = 0;
  /** Where `buf` starts in its ArrayBuffer. */
  private readonly bufOffset: number;
  /** Bytes handed to this writer so far, including what is still buffered (the file size). */
  bytesWritten = 0;

  constructor(output: CaptureOutput, byteOrder: "little" | "big", bufferSize: number, buffer?: Uint8Array) {
    if (buffer !== undefined && buffer.length < 4096)
      throw new RangeError("a capture writer's buffer takes 4096 bytes or more");
    this.sink = openSink(output);
    this.little = byteOrder === "little";
    this.buf = buffer ?? new Uint8Array(Math.max(bufferSize, 4096));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.area = new Uint8Array(this.buf.buffer);
    this.bufOffset = this.buf.byteOffset;
  }

  /** Makes room for n contiguous bytes in the buffer (n must fit the buffer). */
  protected reserve(n: number): void {
    if (this.closed) throw new Error("capture writer is closed");
    if (this.pos + n > this.buf.length) this.flush();
  }

  /** Appends bytes, writing through when they do not fit the buffer. */
  protected append(bytes: Uint8Array): void {
    if (this.pos + bytes.length <= this.buf.length) {
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
      return;
    }
    this.flush();
    if (bytes.length <= this.buf.length) {
      this.buf.set(bytes, 0);
      this.pos = bytes.length;
    } else this.sink.write(bytes);
  }

  /**
   * Appends source[start, start + length) (the per-packet hot path). A source in the buffer's own
   * ArrayBuffer (a ring mapped with a scratch area, the buffer placed there) is copied with one
   * copyWithin: a native memmove, no view allocated. Otherwise runs up to COPY_BY_WORDS bytes are
   * copied eight bytes per step through DataViews, which allocates nothing and beats both a byte
   * loop (about 4x slower) and a subarray + set (a view allocated per packet); longer runs go
   * through set, where the copy itself outweighs the view.
   */
  protected appendFrom(source: Uint8Array, start: number, length: number): void {
    if (source !== this.lastSource) this.adoptSource(source);
    if (this.sourceShared && this.pos + length <= this.buf.length) {
      const from = this.sourceOffset + start;
      this.area.copyWithin(this.bufOffset + this.pos, from, from + length);
      this.pos += length;
      return;
    }
    if (length > COPY_BY_WORDS || this.pos + length > this.buf.length) {
      this.append(source.subarray(start, start + length));
      return;
    }
    const from = this.lastSourceView!;
    const to = this.view;
    let at = this.pos;
    let i = start;
    const end = start + length;
    for (; i + 8 <= end; i += 8, at += 8) {
      to.setUint32(at, from.getUint32(i, true), true);
      to.setUint32(at + 4, from.getUint32(i + 4, true), true);
    }
    if (i + 4 <= end) {
      to.setUint32(at, from.getUint32(i, true), true);
      i += 4;
      at += 4;
    }
    const buf = this.buf;
    for (; i < end; i++) buf[at++] = source[i]!;
    this.pos = at;
  }

  /**
   * Notes what appendFrom needs about a new source, kept for the next packets (they come from one
   * or two areas): a DataView on it, and whether it shares the buffer's ArrayBuffer (reading
   * `.buffer` per packet would cost more than the copy).
   */
  private adoptSource(source: Uint8Array): void {
    this.lastSource = source;
    this.lastSourceView = new DataView(source.buffer, source.byteOffset, source.byteLength);
    this.sourceShared = source.buffer === this.area.buffer;
    this.sourceOffset = source.byteOffset;
  }

  protected zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Writes out everything buffered. */
  flush(): void {
    if (this.pos > 0) {
      const length = this.pos;
      // Emptied first: bytes a failed write could not take are not tried again by close().
      this.pos = 0;
      this.sink.write(this.buf.subarray(0, length));
    }
  }

  /** Flushes and closes the output. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sink.close();
  }
}

// ---------------------------------------------------------------------------------------------
// pcap

export interface PcapWriterOptions {
  linkType: number;
  /** Snapshot length recorded in the header (default 262144). */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  byteOrder?: "little" | "big";
  /** Bytes buffered before a write (default 1 MiB). */
  bufferSize?: number;
  /**
   * The buffer to assemble records in, instead of a new one of bufferSize (4096 bytes or more).
   * Only one open writer may use it at a time: a writer closed first can hand it to the next.
   */
  buffer?: Uint8Array;
}

/** Size of a pcap file header. */
export const PCAP_HEADER_LENGTH = 24;
/** Size of a pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** A classic pcap file written packet by packet. */
export class PcapWriter extends BufferedWriter {
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  packets = 0;

  constructor(output: CaptureOutput, options: PcapWriterOptions) {
    super(output, options.byteOrder ?? "little", options.bufferSize ?? DEFAULT_BUFFER_SIZE, options.buffer);
    this.linkType = options.linkType;
    this.snaplen = options.snaplen ?? 262144;
    this.nanosecond = options.nanosecond ?? false;
    this.reserve(PCAP_HEADER_LENGTH);
    const v = this.view;
    const at = this.pos;
    const le = this.little;
    v.setUint32(at, this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
    v.setUint16(at + 4, 2, le);
    v.setUint16(at + 6, 4, le);
    v.setInt32(at + 8, 0, le);
    v.setUint32(at + 12, 0, le);
    v.setUint32(at + 16, this.snaplen, le);
    v.setUint32(at + 20, this.linkType, le);
    this.pos += PCAP_HEADER_LENGTH;
    this.bytesWritten = PCAP_HEADER_LENGTH;
  }

  /** Bytes a record for a packet of `capturedLength` bytes adds to the file. */
  static recordLength(capturedLength: number): number {
    return PCAP_RECORD_HEADER_LENGTH + capturedLength;
  }

  /**
   * Appends a packet. `seconds`/`nanoseconds` since the epoch; `data` longer than the snapshot
   * length is cut to it; `originalLength` is the length on the wire (default data.length).
   */
  writePacketAt(data: Uint8Array, seconds: number, nanoseconds: number, originalLength: number = data.length): void {
    this.writePacketFrom(data, 0, data.length, seconds, nanoseconds, originalLength);
  }

  /** writePacketAt for the bytes source[start, start + length), with no per-packet allocation. */
  writePacketFrom(
    source: Uint8Array,
    start: number,
    length: number,
    seconds: number,
    nanoseconds: number,
    originalLength: number = length,
  ): void {
    const caplen = length > this.snaplen ? this.snaplen : length;
    this.reserve(PCAP_RECORD_HEADER_LENGTH);
    const v = this.view;
    const at = this.pos;
    const le = this.little;
    v.setUint32(at, seconds, le);
    v.setUint32(at + 4, this.nanosecond ? nanoseconds : Math.floor(nanoseconds / 1000), le);
    v.setUint32(at + 8, caplen, le);
    v.setUint32(at + 12, originalLength, le);
    this.pos += PCAP_RECORD_HEADER_LENGTH;
    this.appendFrom(source, start, caplen);
    this.bytesWritten += PCAP_RECORD_HEADER_LENGTH + caplen;
    this.packets++;
  }

  /** Appends a packet with a timestamp in nanoseconds since the epoch. */
  writePacket(data: Uint8Array, timestampNs: bigint, originalLength: number = data.length): void {
    this.writePacketAt(
      data,
      Number(timestampNs / 1_000_000_000n),
      Number(timestampNs % 1_000_000_000n),
      originalLength,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// pcapng

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const IF_OS = 12;
const EPB_FLAGS = 2;
const EPB_DROPCOUNT = 4;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const ISB_FILTERACCEPT = 6;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;

/** epb_flags bits 0-1: direction. */
export const PacketDirection = { unknown: 0, inbound: 1, outbound: 2 } as const;
export type PacketDirectionValue = (typeof PacketDirection)[keyof typeof PacketDirection];
/** epb_flags bits 2-4: reception type. */
export const ReceptionType = { unspecified: 0, unicast: 1, multicast: 2, broadcast: 3, promiscuous: 4 } as const;

/** Builds an epb_flags word. */
export function packetFlags(direction: PacketDirectionValue, reception = 0, fcsLength = 0): number {
  return (direction & 3) | ((reception & 7) << 2) | ((fcsLength & 15) << 5);
}

export interface PcapngWriterOptions {
  byteOrder?: "little" | "big";
  /** shb_userappl, e.g. "tsbpf 0.1.0". */
  application?: string;
  /** shb_os. */
  os?: string;
  /** shb_hardware. */
  hardware?: string;
  bufferSize?: number;
  /** As PcapWriterOptions.buffer. */
  buffer?: Uint8Array;
}

export interface PcapngInterface {
  linkType: number;
  /** Default 262144. */
  snaplen?: number;
  /** if_name, e.g. "eth0". */
  name?: string;
  /** if_description. */
  description?: string;
  /** Decimal digits of timestamp resolution (if_tsresol): 6 = microseconds (default), 9 = nanoseconds. */
  tsresol?: number;
  /** if_filter: the capture filter expression. */
  filter?: string;
  /** if_os. */
  os?: string;
}

export interface InterfaceStatisticsRecord {
  /** When the statistics were taken, ns since the epoch. */
  timestampNs: bigint;
  /** isb_starttime / isb_endtime, ns since the epoch. */
  startTimeNs?: bigint;
  endTimeNs?: bigint;
  /** isb_ifrecv: packets the interface received. */
  received?: bigint | number;
  /** isb_ifdrop: packets dropped for lack of resources (e.g. ring buffer drops). */
  dropped?: bigint | number;
  /** isb_filteraccept. */
  filterAccepted?: bigint | number;
  /** isb_osdrop: packets the operating system dropped. */
  osDropped?: bigint | number;
  /** isb_usrdeliv: packets delivered to the user. */
  delivered?: bigint | number;
}

const encoder = new TextEncoder();

interface OptionValue {
  code: number;
  value: Uint8Array;
}

/** A pcapng file (one section) written block by block. */
export class PcapngWriter extends BufferedWriter {
  private readonly interfaces: { unitsPerSecond: number; snaplen: number }[] = [];
  private readonly split = new Uint32Array(2);
  packets = 0;

  constructor(output: CaptureOutput, options: PcapngWriterOptions = {}) {
    super(output, options.byteOrder ?? "little", options.bufferSize ?? DEFAULT_BUFFER_SIZE, options.buffer);
    const opts: OptionValue[] = [];
    if (options.hardware) opts.push({ code: SHB_HARDWARE, value: encoder.encode(options.hardware) });
    if (options.os) opts.push({ code: SHB_OS, value: encoder.encode(options.os) });
    if (options.application) opts.push({ code: SHB_USERAPPL, value: encoder.encode(options.application) });
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, BYTE_ORDER_MAGIC, this.little);
    v.setUint16(4, 1, this.little);
    v.setUint16(6, 0, this.little);
    v.setBigInt64(8, -1n, this.little);
    this.block(BT_SHB, body, opts);
  }

  /** Number of interfaces described so far. */
  get interfaceCount(): number {
    return this.interfaces.length;
  }

  /** Writes an interface description block; returns the interface id packets refer to. */
  addInterface(spec: PcapngInterface): number {
    const tsresol = spec.tsresol ?? 6;
    if (!Number.isInteger(tsresol) || tsresol < 0 || tsresol > 9) {
      throw new RangeError("tsresol must be a power-of-ten exponent from 0 to 9");
    }
    const snaplen = spec.snaplen ?? 262144;
    const opts: OptionValue[] = [];
    if (spec.name !== undefined) opts.push({ code: IF_NAME, value: encoder.encode(spec.name) });
    if (spec.description !== undefined) opts.push({ code: IF_DESCRIPTION, value: encoder.encode(spec.description) });
    if (tsresol !== 6) opts.push({ code: IF_TSRESOL, value: Uint8Array.of(tsresol) });
    if (spec.filter !== undefined) {
      const f = encoder.encode(spec.filter);
      const value = new Uint8Array(1 + f.length);
      value.set(f, 1); // filter type 0: libpcap filter string
      opts.push({ code: IF_FILTER, value });
    }
    if (spec.os !== undefined) opts.push({ code: IF_OS, value: encoder.encode(spec.os) });
    const body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setUint16(0, spec.linkType, this.little);
    v.setUint16(2, 0, this.little);
    v.setUint32(4, snaplen, this.little);
    this.block(BT_IDB, body, opts);
    this.interfaces.push({ unitsPerSecond: 10 ** tsresol, snaplen });
    return this.interfaces.length - 1;
  }

  /** Bytes an enhanced packet block adds to the file. */
  static recordLength(capturedLength: number, withFlags: boolean): number {
    return 32 + ((capturedLength + 3) & ~3) + (withFlags ? 12 : 0);
  }

  /**
   * Appends an enhanced packet block. `flags` is the epb_flags word (see packetFlags), omitted
   * when undefined; `dropCount` adds epb_dropcount.
   */
  writePacketAt(
    interfaceId: number,
    data: Uint8Array,
    seconds: number,
    nanoseconds: number,
    originalLength: number = data.length,
    flags?: number,
    dropCount?: number,
  ): void {
    this.writePacketFrom(interfaceId, data, 0, data.length, seconds, nanoseconds, originalLength, flags, dropCount);
  }

  /** writePacketAt for the bytes source[start, start + length), with no per-packet allocation. */
  writePacketFrom(
    interfaceId: number,
    source: Uint8Array,
    start: number,
    length: number,
    seconds: number,
    nanoseconds: number,
    originalLength: number = length,
    flags?: number,
    dropCount?: number,
  ): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) throw new RangeError(`no interface ${interfaceId} in this section`);
    const caplen = length > iface.snaplen ? iface.snaplen : length;
    const padded = (caplen + 3) & ~3;
    const optionBytes = (flags !== undefined ? 8 : 0) + (dropCount !== undefined ? 12 : 0);
    const total = 32 + padded + (optionBytes > 0 ? optionBytes + 4 : 0);
    const le = this.little;
    this.reserve(28);
    const v = this.view;
    let at = this.pos;
    v.setUint32(at, BT_EPB, le);
    v.setUint32(at + 4, total, le);
    v.setUint32(at + 8, interfaceId, le);
    const frac = iface.unitsPerSecond === 1e9 ? nanoseconds : Math.floor((nanoseconds * iface.unitsPerSecond) / 1e9);
    splitUnits(seconds, iface.unitsPerSecond, frac, this.split);
    v.setUint32(at + 12, this.split[0]!, le);
    v.setUint32(at + 16, this.split[1]!, le);
    v.setUint32(at + 20, caplen, le);
    v.setUint32(at + 24, originalLength, le);
    this.pos += 28;
    this.appendFrom(source, start, caplen);
    const tail = padded - caplen + (optionBytes > 0 ? optionBytes + 4 : 0) + 4;
    this.reserve(tail);
    at = this.pos;
    const buf = this.buf;
    for (let pad = padded - caplen; pad > 0; pad--) buf[at++] = 0;
    if (flags !== undefined) {
      v.setUint16(at, EPB_FLAGS, le);
      v.setUint16(at + 2, 4, le);
      v.setUint32(at + 4, flags >>> 0, le);
      at += 8;
    }
    if (dropCount !== undefined) {
      v.setUint16(at, EPB_DROPCOUNT, le);
      v.setUint16(at + 2, 8, le);
      v.setBigUint64(at + 4, BigInt(dropCount), le);
      at += 12;
    }
    if (optionBytes > 0) {
      v.setUint32(at, 0, le);
      at += 4;
    }
    v.setUint32(at, total, le);
    this.pos = at + 4;
    this.bytesWritten += total;
    this.packets++;
  }

  writePacket(
    interfaceId: number,
    data: Uint8Array,
    timestampNs: bigint,
    originalLength?: number,
    flags?: number,
  ): void {
    this.writePacketAt(
      interfaceId,
      data,
      Number(timestampNs / 1_000_000_000n),
      Number(timestampNs % 1_000_000_000n),
      originalLength ?? data.length,
      flags,
    );
  }

  /** Appends an interface statistics block (what tcpdump's "dropped by kernel" comes from). */
  writeStatistics(interfaceId: number, stats: InterfaceStatisticsRecord): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) throw new RangeError(`no interface ${interfaceId} in this section`);
    const opts: OptionValue[] = [];
    const timeOption = (code: number, ns: bigint): void => {
      const value = new Uint8Array(8);
      const v = new DataView(value.buffer);
      this.timestampHalves(iface.unitsPerSecond, ns);
      v.setUint32(0, this.split[0]!, this.little);
      v.setUint32(4, this.split[1]!, this.little);
      opts.push({ code, value });
    };
    const counter = (code: number, n: bigint | number | undefined): void => {
      if (n === undefined) return;
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigUint64(0, BigInt(n), this.little);
      opts.push({ code, value });
    };
    if (stats.startTimeNs !== undefined) timeOption(ISB_STARTTIME, stats.startTimeNs);
    if (stats.endTimeNs !== undefined) timeOption(ISB_ENDTIME, stats.endTimeNs);
    counter(ISB_IFRECV, stats.received);
    counter(ISB_IFDROP, stats.dropped);
    counter(ISB_FILTERACCEPT, stats.filterAccepted);
    counter(ISB_OSDROP, stats.osDropped);
    counter(ISB_USRDELIV, stats.delivered);
    const body = new Uint8Array(12);
    const v = new DataView(body.buffer);
    v.setUint32(0, interfaceId, this.little);
    this.timestampHalves(iface.unitsPerSecond, stats.timestampNs);
    v.setUint32(4, this.split[0]!, this.little);
    v.setUint32(8, this.split[1]!, this.little);
    this.block(BT_ISB, body, opts);
  }

  /** Appends a whole block: header, body, options with their end marker, trailing length. */
  private block(type: number, body: Uint8Array, options: OptionValue[]): void {
    const optionsLength = options.length === 0 ? 0 : options.reduce((n, o) => n + 4 + ((o.value.length + 3) & ~3), 4);
    const total = 12 + ((body.length + 3) & ~3) + optionsLength;
    const le = this.little;
    const block = new Uint8Array(total);
    const v = new DataView(block.buffer);
    v.setUint32(0, type, le);
    v.setUint32(4, total, le);
    block.set(body, 8);
    let at = 8 + ((body.length + 3) & ~3);
    for (const o of options) {
      v.setUint16(at, o.code, le);
      v.setUint16(at + 2, o.value.length, le);
      block.set(o.value, at + 4);
      at += 4 + ((o.value.length + 3) & ~3);
    }
    if (options.length > 0) {
      v.setUint16(at, OPT_ENDOFOPT, le);
      v.setUint16(at + 2, 0, le);
    }
    v.setUint32(total - 4, total, le);
    this.append(block);
    this.bytesWritten += total;
  }

  private timestampHalves(unitsPerSecond: number, ns: bigint): void {
    const seconds = Number(ns / 1_000_000_000n);
    const nanoseconds = Number(ns % 1_000_000_000n);
    const frac = unitsPerSecond === 1e9 ? nanoseconds : Math.floor((nanoseconds * unitsPerSecond) / 1e9);
    splitUnits(seconds, unitsPerSecond, frac, this.split);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole files in memory

export interface PacketRecord {
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  originalLength?: number;
  /** Nanoseconds since the epoch. */
  timestampNs?: bigint;
  /** pcapng: interface id (default 0). */
  interfaceId?: number;
  /** pcapng: epb_flags option. */
  flags?: number;
}

export interface PcapWriteOptions {
  linkType: number;
  snaplen?: number;
  byteOrder?: "little" | "big";
  /** Nanosecond magic (a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
}

/** A classic pcap file. */
export function writePcap(packets: Iterable<PacketRecord>, options: PcapWriteOptions): Uint8Array {
  const little = (options.byteOrder ?? "little") === "little";
  const list = [...packets];
  const size = 24 + list.reduce((n, p) => n + 16 + p.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, little);
  v.setUint16(4, 2, little);
  v.setUint16(6, 4, little);
  v.setUint32(16, options.snaplen ?? 262144, little);
  v.setUint32(20, options.linkType, little);
  let at = 24;
  for (const p of list) {
    const ts = p.timestampNs ?? 0n;
    const divisor = options.nanosecond ? 1n : 1000n;
    v.setUint32(at, Number(ts / 1_000_000_000n), little);
    v.setUint32(at + 4, Number((ts % 1_000_000_000n) / divisor), little);
    v.setUint32(at + 8, p.data.length, little);
    v.setUint32(at + 12, p.originalLength ?? p.data.length, little);
    out.set(p.data, at + 16);
    at += 16 + p.data.length;
  }
  return out;
}

export interface PcapngInterfaceSpec {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte: 6 = microseconds (default), 9 = nanoseconds, 0x80|n = 2^-n. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: bigint;
  name?: string;
}

export interface PcapngSectionSpec {
  byteOrder?: "little" | "big";
  interfaces: PcapngInterfaceSpec[];
  packets: PacketRecord[];
  /** Write these packets as simple packet blocks (interface 0, no timestamp). */
  simple?: boolean;
  /** Interface statistics blocks to append: interface id and received/dropped counters. */
  statistics?: { interfaceId: number; timestampNs: bigint; ifRecv?: bigint; ifDrop?: bigint }[];
}

class BlockWriter {
  private readonly chunks: Uint8Array[] = [];
  constructor(private readonly little: boolean) {}

  block(type: number, body: Uint8Array): void {
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    const b = new Uint8Array(total);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, this.little);
    v.setUint32(4, total, this.little);
    b.set(body, 8);
    v.setUint32(total - 4, total, this.little);
    this.chunks.push(b);
  }

  /** Option list with its end-of-options marker. */
  options(opts: { code: number; value: Uint8Array }[]): Uint8Array {
    if (opts.length === 0) return new Uint8Array(0);
    const size = opts.reduce((n, o) => n + 4 + ((o.value.length + 3) & ~3), 0) + 4;
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    let at = 0;
    for (const o of opts) {
      v.setUint16(at, o.code, this.little);
      v.setUint16(at + 2, o.value.length, this.little);
      b.set(o.value, at + 4);
      at += 4 + ((o.value.length + 3) & ~3);
    }
    return b;
  }

  bytes(): Uint8Array[] {
    return this.chunks;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function unitsPerSecond(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/** A pcapng file with one or more sections. */
export function writePcapng(sections: PcapngSectionSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of sections) {
    const little = (s.byteOrder ?? "little") === "little";
    const w = new BlockWriter(little);
    const shb = new Uint8Array(16);
    const sv = new DataView(shb.buffer);
    sv.setUint32(0, 0x1a2b3c4d, little);
    sv.setUint16(4, 1, little);
    sv.setUint16(6, 0, little);
    sv.setBigInt64(8, -1n, little);
    w.block(0x0a0d0d0a, shb);
    for (const i of s.interfaces) {
      const opts: { code: number; value: Uint8Array }[] = [];
      if (i.name) opts.push({ code: 2, value: new TextEncoder().encode(i.name) });
      if (i.tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(i.tsresol) });
      if (i.tsoffset !== undefined) {
        const o = new Uint8Array(8);
        new DataView(o.buffer).setBigInt64(0, i.tsoffset, little);
        opts.push({ code: 14, value: o });
      }
      const optBytes = w.options(opts);
      const body = new Uint8Array(8 + optBytes.length);
      const bv = new DataView(body.buffer);
      bv.setUint16(0, i.linkType, little);
      bv.setUint32(4, i.snaplen ?? 0, little);
      body.set(optBytes, 8);
      w.block(1, body);
    }
    for (const p of s.packets) {
      const padded = (p.data.length + 3) & ~3;
      if (s.simple) {
        const body = new Uint8Array(4 + padded);
        new DataView(body.buffer).setUint32(0, p.originalLength ?? p.data.length, little);
        body.set(p.data, 4);
        w.block(3, body);
        continue;
      }
      const iface = s.interfaces[p.interfaceId ?? 0];
      const per = unitsPerSecond(iface?.tsresol ?? 6);
      const offset = iface?.tsoffset ?? 0n;
      const ts = p.timestampNs ?? 0n;
      const units = (ts / 1_000_000_000n - offset) * per + ((ts % 1_000_000_000n) * per) / 1_000_000_000n;
      const opts =
        p.flags !== undefined
          ? [
              {
                code: 2,
                value: (() => {
                  const f = new Uint8Array(4);
                  new DataView(f.buffer).setUint32(0, p.flags!, little);
                  return f;
                })(),
              },
            ]
          : [];
      const optBytes = w.options(opts);
      const body = new Uint8Array(20 + padded + optBytes.length);
      const bv = new DataView(body.buffer);
      bv.setUint32(0, p.interfaceId ?? 0, little);
      bv.setUint32(4, Number(units >> 32n), little);
      bv.setUint32(8, Number(units & 0xffffffffn), little);
      bv.setUint32(12, p.data.length, little);
      bv.setUint32(16, p.originalLength ?? p.data.length, little);
      body.set(p.data, 20);
      body.set(optBytes, 20 + padded);
      w.block(6, body);
    }
    for (const st of s.statistics ?? []) {
      const per = unitsPerSecond(s.interfaces[st.interfaceId]?.tsresol ?? 6);
      const units =
        (st.timestampNs / 1_000_000_000n) * per + ((st.timestampNs % 1_000_000_000n) * per) / 1_000_000_000n;
      const opts: { code: number; value: Uint8Array }[] = [];
      for (const [code, value] of [
        [4, st.ifRecv],
        [5, st.ifDrop],
      ] as const) {
        if (value === undefined) continue;
        const o = new Uint8Array(8);
        new DataView(o.buffer).setBigUint64(0, value, little);
        opts.push({ code, value: o });
      }
      const optBytes = w.options(opts);
      const body = new Uint8Array(12 + optBytes.length);
      const bv = new DataView(body.buffer);
      bv.setUint32(0, st.interfaceId, little);
      bv.setUint32(4, Number(units >> 32n), little);
      bv.setUint32(8, Number(units & 0xffffffffn), little);
      body.set(optBytes, 12);
      w.block(5, body);
    }
    parts.push(...w.bytes());
  }
  return concat(parts);
}
