// A pure reader of capture files: classic pcap (microsecond and nanosecond magic, both byte orders,
// the old "modified" format) and pcapng (SHB, IDB, EPB, SPB, the obsolete PB, ISB; several sections
// and interfaces; if_tsresol / if_tsoffset; both byte orders). The decoder takes one record at a
// time from a window of bytes, so the same code reads a whole file in memory (readCapture) and a
// stream through a fixed buffer (stream.ts). It does no I/O and never copies packet data: each
// packet's `data` is a view into the input.
//
// Lengths and leniency follow libpcap, so a filter sees what tcpdump sees: a pcap record longer than
// the file's snapshot length is cut to it (the rest of the record is skipped), a snapshot length of
// 0 or beyond the link type's maximum means that maximum, EPB options are not required to be well
// formed, and statistics for an interface that was never described are skipped. A cut record is
// reported with libpcap's words ("truncated dump file; tried to read …").
import { CaptureFormatError } from "./errors.js";
import { maxSnaplenFor } from "./linktype.js";

export type ByteOrder = "little" | "big";

export interface CaptureInterface {
  /** Index in `Capture.interfaces` (all sections together). */
  index: number;
  /** pcapng section this interface belongs to (0 for pcap files). */
  section: number;
  /** Interface id inside its section, as packets refer to it. */
  id: number;
  /** LINKTYPE_* value (the low 26 bits of the file's field; see `linkTypeExtra`). */
  linkType: number;
  /** The upper 6 bits of a pcap header's link type field (FCS length information), else 0. */
  linkTypeExtra: number;
  /** Snapshot length as written in the file (0 = none). */
  snaplen: number;
  /** Timestamp units per second (1e6 by default; if_tsresol). */
  unitsPerSecond: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSeconds: bigint;
  name?: string;
  description?: string;
  /** Byte order of the section that declared this interface. */
  byteOrder: ByteOrder;
}

export interface CapturedPacket {
  /** 0-based position in the file. */
  index: number;
  interface: CaptureInterface;
  /** Link type of the packet's interface (shortcut for interface.linkType). */
  linkType: number;
  /** Nanoseconds since the epoch (0n for pcapng simple packet blocks, which carry no timestamp). */
  timestampNs: bigint;
  /** The bytes captured (after libpcap's snapshot length adjustment). */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  originalLength: number;
  /** caplen as stored in the file (can exceed data.length when cut to the snapshot length). */
  recordedLength: number;
  /** Byte offset of the packet's record (pcap) or block (pcapng). */
  fileOffset: number;
  /** pcapng epb_flags when present. */
  flags?: number;
  comments?: string[];
}

export interface InterfaceStatistics {
  interface: CaptureInterface;
  timestampNs: bigint;
  /** Options by name: isb_starttime, isb_endtime (ns), isb_ifrecv, isb_ifdrop, isb_filteraccept, isb_osdrop, isb_usrdeliv. */
  values: Partial<
    Record<"startTimeNs" | "endTimeNs" | "ifRecv" | "ifDrop" | "filterAccept" | "osDrop" | "userDeliv", bigint>
  >;
  fileOffset: number;
}

export interface Capture {
  format: "pcap" | "pcapng";
  /** Byte order of the (first) section. */
  byteOrder: ByteOrder;
  version: { major: number; minor: number };
  /** pcap: timestamps in the file are nanoseconds (magic a1b23c4d). */
  nanosecond: boolean;
  interfaces: CaptureInterface[];
  packets: CapturedPacket[];
  statistics: InterfaceStatistics[];
  /** Link type of the first interface (what tcpdump reports for the file), -1 when there is none. */
  linkType: number;
  /** Snapshot length libpcap uses for the first interface. */
  snaplen: number;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The longest pcapng block read (libpcap's limit too): a longer one is an error, never an allocation. */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/** What kind of capture the bytes start with, or undefined. */
export function sniffCaptureFormat(bytes: Uint8Array): "pcap" | "pcapng" | undefined {
  if (bytes.length < 4) return undefined;
  return formatOfMagic(bytes, 0);
}

function formatOfMagic(bytes: Uint8Array, at: number): "pcap" | "pcapng" | undefined {
  const le = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  const be = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  if (le === PCAPNG_SHB) return "pcapng";
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED]) if (le === m || be === m) return "pcap";
  return undefined;
}

function hex32(bytes: Uint8Array, at: number): string {
  return Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * One packet as the decoder hands it on. The decoder reuses this object for every packet, and its
 * bytes are the caller's: both are valid until the next call that decodes. The captured bytes are
 * `bytes[dataOffset, dataOffset + dataLength)`; `data` makes a view of them (an allocation a
 * per-packet path that copies them, e.g. into a writer, can do without).
 */
export interface PacketView {
  /** 0-based position in the file. */
  index: number;
  interface: CaptureInterface;
  linkType: number;
  /** Seconds since the epoch (0 for pcapng simple packet blocks, which carry no timestamp). */
  seconds: number;
  /** Nanoseconds within the second (0 to 999,999,999). */
  nanoseconds: number;
  readonly data: Uint8Array;
  /** The window the packet lies in, and where. */
  bytes: Uint8Array;
  dataOffset: number;
  dataLength: number;
  originalLength: number;
  recordedLength: number;
  fileOffset: number;
  flags: number | undefined;
  comments: string[] | undefined;
}

class DecodedPacket implements PacketView {
  index = 0;
  interface = undefined as unknown as CaptureInterface;
  linkType = 0;
  seconds = 0;
  nanoseconds = 0;
  bytes: Uint8Array;
  dataOffset = 0;
  dataLength = 0;
  originalLength = 0;
  recordedLength = 0;
  fileOffset = 0;
  flags: number | undefined = undefined;
  comments: string[] | undefined = undefined;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  get data(): Uint8Array {
    return this.bytes.subarray(this.dataOffset, this.dataOffset + this.dataLength);
  }
}

/** How a timestamp of an interface converts to nanoseconds without BigInt, when it can. */
interface Clock {
  /** Units per second as a number. */
  perSecond: number;
  /** Nanoseconds per unit when that is a whole number (resolutions of 10^-1 to 10^-9 s), else 0. */
  nsPerUnit: number;
  offsetSeconds: number;
}

const TRUNCATED = "truncated dump file";
const TRUNCATED_NG = "truncated pcapng dump file";

/**
 * Decodes a capture one record at a time from a window of its bytes. Feed it with decode(); it
 * keeps the file's state (format, sections, interfaces) between calls.
 */
export class CaptureDecoder {
  format: "pcap" | "pcapng" | undefined;
  /** Byte order of the first section. */
  byteOrder: ByteOrder = "little";
  version = { major: 0, minor: 0 };
  /** pcap: timestamps in the file are nanoseconds (magic a1b23c4d). */
  nanosecond = false;
  /** Link type of the first interface, -1 until one was described. */
  linkType = -1;
  /** Snapshot length libpcap uses for the first interface (0 until one was described). */
  snaplen = 0;
  /** True once packets can follow: after a pcap file header, or a pcapng file's first interface description. */
  ready = false;
  readonly interfaces: CaptureInterface[] = [];
  /** Called for each interface statistics block of a described interface. */
  onStatistics: ((statistics: InterfaceStatistics) => void) | undefined;
  /** After decode() returned a count: whether those bytes held a packet, now in `packet`. */
  hasPacket = false;
  readonly packet: PacketView;
  /** After decode() returned 0: how many bytes the next record needs in the window. */
  needed = 0;
  /** Packets decoded so far. */
  packets = 0;

  #bytes: Uint8Array = new Uint8Array(0);
  #view = new DataView(this.#bytes.buffer);
  #little = true;
  #clocks: Clock[] = [];
  // pcap
  #maxSnap = 0;
  #lengthsSwapped: "yes" | "no" | "maybe" = "no";
  #recordHeader = 16;
  // pcapng
  #section = -1;
  #sectionInterfaces: CaptureInterface[] = [];

  constructor() {
    this.packet = new DecodedPacket(this.#bytes);
  }

  /**
   * Decodes the next record of bytes[at, end), which lies at `fileOffset` in the file. Returns the
   * bytes it took (`hasPacket` then says whether they were a packet), or 0 when the record is not
   * all in the window yet (`needed` says how many bytes it wants). With `eof` (nothing follows the
   * window) a record cut short is a CaptureFormatError in libpcap's words instead. Call it only
   * with at < end.
   */
  decode(bytes: Uint8Array, at: number, end: number, fileOffset: number, eof: boolean): number {
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.hasPacket = false;
    const available = end - at;
    if (this.format === "pcap") return this.#pcapRecord(at, available, fileOffset, eof);
    if (this.format === "pcapng") return this.#block(at, available, fileOffset, eof);
    return this.#start(at, available, fileOffset, eof);
  }

  #want(n: number): number {
    this.needed = n;
    return 0;
  }

  #u16(at: number): number {
    return this.#view.getUint16(at, this.#little);
  }
  #u32(at: number): number {
    return this.#view.getUint32(at, this.#little);
  }

  #start(at: number, available: number, fileOffset: number, eof: boolean): number {
    const bytes = this.#bytes;
    if (available < 4) {
      if (eof)
        throw new CaptureFormatError(
          `${TRUNCATED}; tried to read 4 file header bytes, only got ${available}`,
          fileOffset,
        );
      return this.#want(4);
    }
    const format = formatOfMagic(bytes, at);
    if (format === undefined)
      throw new CaptureFormatError(
        "unknown file format",
        fileOffset,
        `not pcap or pcapng: magic 0x${hex32(bytes, at)}`,
      );
    if (format === "pcapng") {
      // libpcap takes a pcapng magic without the rest of a section header for some other format.
      if (available < 12) {
        if (eof) throw new CaptureFormatError("unknown file format", fileOffset, `only ${available} bytes`);
        return this.#want(12);
      }
      this.format = "pcapng";
      return this.#block(at, available, fileOffset, eof);
    }
    if (available < 24) {
      if (eof)
        throw new CaptureFormatError(
          `${TRUNCATED}; tried to read 24 file header bytes, only got ${available - 4}`,
          fileOffset,
        );
      return this.#want(24);
    }
    const magicLe = this.#view.getUint32(at, true);
    const little = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS || magicLe === PCAP_MAGIC_MODIFIED;
    this.#little = little;
    const magic = this.#u32(at);
    const major = this.#u16(at + 4),
      minor = this.#u16(at + 6);
    if (major < 2)
      throw new CaptureFormatError("archaic pcap savefile format", fileOffset + 4, `version ${major}.${minor}`);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0)))
      throw new CaptureFormatError("unsupported pcap savefile version", fileOffset + 4, `version ${major}.${minor}`);
    const snaplenField = this.#u32(at + 16);
    const linkField = this.#u32(at + 20);
    const linkType = linkField & 0x03ffffff;
    const maxSnap = maxSnaplenFor(linkType);
    let snaplen = snaplenField === 0 || snaplenField > maxSnap ? maxSnap : snaplenField;
    const modified = magic === PCAP_MAGIC_MODIFIED;
    // The "modified" format's Ethernet snaplen does not count the Ethernet header (libpcap adds it).
    if (modified && linkType === 1) snaplen += 14;
    this.nanosecond = magic === PCAP_MAGIC_NS;
    // Versions before 2.3 wrote len before caplen; 2.3 did either.
    this.#lengthsSwapped =
      major === 543 ? "yes" : major === 2 && minor < 3 ? "yes" : major === 2 && minor === 3 ? "maybe" : "no";
    this.#recordHeader = modified ? 24 : 16;
    this.#maxSnap = maxSnap;
    this.format = "pcap";
    this.byteOrder = little ? "little" : "big";
    this.version = { major, minor };
    this.linkType = linkType;
    this.snaplen = snaplen;
    this.#addInterface({
      index: 0,
      section: 0,
      id: 0,
      linkType,
      linkTypeExtra: (linkField & 0xfc000000) >>> 0,
      snaplen: snaplenField,
      unitsPerSecond: this.nanosecond ? 1_000_000_000n : 1_000_000n,
      offsetSeconds: 0n,
      byteOrder: this.byteOrder,
    });
    this.ready = true;
    return 24;
  }

  #addInterface(iface: CaptureInterface): void {
    this.interfaces.push(iface);
    const perSecond = Number(iface.unitsPerSecond);
    this.#clocks.push({
      perSecond,
      nsPerUnit: perSecond <= 1e9 && 1e9 % perSecond === 0 ? 1e9 / perSecond : 0,
      offsetSeconds: Number(iface.offsetSeconds),
    });
  }

  #pcapRecord(at: number, available: number, fileOffset: number, eof: boolean): number {
    const header = this.#recordHeader;
    if (available < header) {
      if (eof)
        throw new CaptureFormatError(
          `${TRUNCATED}; tried to read ${header} header bytes, only got ${available}`,
          fileOffset,
        );
      return this.#want(header);
    }
    const sec = this.#u32(at),
      frac = this.#u32(at + 4);
    let caplen = this.#u32(at + 8),
      len = this.#u32(at + 12);
    if (this.#lengthsSwapped === "yes" || (this.#lengthsSwapped === "maybe" && caplen > len))
      [caplen, len] = [len, caplen];
    if (caplen > this.#maxSnap) {
      throw new CaptureFormatError(
        `invalid packet capture length ${caplen}, ` +
          (caplen > this.snaplen
            ? `bigger than snaplen of ${this.snaplen}`
            : `bigger than maximum of ${this.#maxSnap}`),
        fileOffset + 8,
      );
    }
    if (available - header < caplen) {
      if (eof)
        throw new CaptureFormatError(
          `${TRUNCATED}; tried to read ${caplen} captured bytes, only got ${available - header}`,
          fileOffset + header,
        );
      return this.#want(header + caplen);
    }
    const p = this.packet;
    const dataAt = at + header;
    let ns = this.nanosecond ? frac : frac * 1000;
    let seconds = sec;
    if (ns >= 1e9) {
      seconds += Math.floor(ns / 1e9);
      ns %= 1e9;
    }
    this.#place(this.interfaces[0]!, this.linkType, dataAt, Math.min(caplen, this.snaplen), caplen, len, fileOffset);
    p.seconds = seconds;
    p.nanoseconds = ns;
    this.hasPacket = true;
    return header + caplen;
  }

  #block(at: number, available: number, fileOffset: number, eof: boolean): number {
    const first = this.#section < 0;
    if (available < 8) {
      if (eof)
        throw new CaptureFormatError(`${TRUNCATED_NG}; tried to read 8 bytes, only got ${available}`, fileOffset);
      return this.#want(8);
    }
    const base = fileOffset - at; // file offset of window position 0, for error offsets
    const rawType = this.#view.getUint32(at, true);
    if (rawType === PCAPNG_SHB) {
      // The byte-order magic decides how to read this section, including the SHB's own length.
      if (available < 12) {
        if (eof)
          throw new CaptureFormatError(`${TRUNCATED_NG}; tried to read 4 bytes, only got ${available - 8}`, fileOffset);
        return this.#want(12);
      }
      const bom = this.#view.getUint32(at + 8, true);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.#little = true;
      else if (this.#view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.#little = false;
      else
        throw new CaptureFormatError(
          "bad byte-order magic in section header block",
          fileOffset + 8,
          `0x${hex32(this.#bytes, at + 8)}`,
        );
    }
    const type = this.#u32(at);
    const total = this.#u32(at + 4);
    if (total < 12 || total % 4 !== 0)
      throw new CaptureFormatError(
        "invalid block length",
        fileOffset + 4,
        `${total} (must be a multiple of 4 and at least 12)`,
      );
    if (total > MAX_BLOCK_LENGTH)
      throw new CaptureFormatError(`pcapng block size ${total} > maximum ${MAX_BLOCK_LENGTH}`, fileOffset + 4);
    if (total > available) {
      if (eof) {
        const read = first ? 12 : 8;
        throw new CaptureFormatError(
          `${TRUNCATED_NG}; tried to read ${total - read} bytes, only got ${available - read}`,
          fileOffset,
        );
      }
      return this.#want(total);
    }
    const end = at + total - 4; // the trailing copy of the length
    if (this.#u32(end) !== total)
      throw new CaptureFormatError(
        "block's trailing length does not match its leading length",
        base + end,
        `${this.#u32(end)} vs ${total}`,
      );
    const body = at + 8;
    const need = (n: number, what: string): void => {
      if (body + n > end)
        throw new CaptureFormatError(`${what} is too short`, fileOffset, `block length ${total}, needs ${n + 12}`);
    };
    if (type !== PCAPNG_SHB && first)
      throw new CaptureFormatError(
        "pcapng file does not start with a section header block",
        fileOffset,
        `block type 0x${type.toString(16)}`,
      );

    switch (type) {
      case PCAPNG_SHB: {
        need(16, "section header block");
        const major = this.#u16(at + 12),
          minor = this.#u16(at + 14);
        if (major !== 1)
          throw new CaptureFormatError("unsupported pcapng version", fileOffset + 12, `version ${major}.${minor}`);
        this.#section += 1;
        this.#sectionInterfaces = [];
        if (first) {
          this.byteOrder = this.#little ? "little" : "big";
          this.version = { major, minor };
        }
        break;
      }
      case BT_IDB:
        need(8, "interface description block");
        this.#interfaceDescription(body, end, base, fileOffset);
        break;
      case BT_EPB:
      case BT_PB:
        need(20, type === BT_EPB ? "enhanced packet block" : "packet block");
        this.#packetBlock(type, body, end, base, fileOffset);
        break;
      case BT_SPB: {
        need(4, "simple packet block");
        const iface = this.#sectionInterfaces[0];
        if (!iface)
          throw new CaptureFormatError("simple packet block before any interface description block", fileOffset);
        const len = this.#u32(body);
        const dataAt = body + 4;
        const caplen = Math.min(len, effectiveSnaplen(iface));
        if (caplen > end - dataAt)
          throw new CaptureFormatError(
            "simple packet block is shorter than its packet",
            base + body,
            `packet length ${caplen}, room for ${end - dataAt}`,
          );
        const p = this.packet;
        this.#place(iface, iface.linkType, dataAt, caplen, caplen, len, fileOffset);
        p.seconds = 0;
        p.nanoseconds = 0;
        p.flags = undefined;
        p.comments = undefined;
        this.hasPacket = true;
        break;
      }
      case BT_ISB:
        need(12, "interface statistics block");
        this.#statistics(body, end, fileOffset);
        break;
      default:
        break; // name resolution, decryption secrets, custom and unknown blocks carry nothing a filter needs
    }
    return total;
  }

  #interfaceDescription(body: number, end: number, base: number, fileOffset: number): void {
    const iface: CaptureInterface = {
      index: this.interfaces.length,
      section: this.#section,
      id: this.#sectionInterfaces.length,
      linkType: this.#u16(body),
      linkTypeExtra: 0,
      snaplen: this.#u32(body + 4),
      unitsPerSecond: 1_000_000n,
      offsetSeconds: 0n,
      byteOrder: this.#little ? "little" : "big",
    };
    let sawResol = false,
      sawOffset = false;
    for (const o of this.#options(body + 8, end, base, fileOffset, true)) {
      if (o.code === 2) iface.name = utf8(o.value);
      else if (o.code === 3) iface.description = utf8(o.value);
      else if (o.code === 9) {
        if (o.value.length !== 1)
          throw new CaptureFormatError("if_tsresol option must be 1 byte", o.at, `length ${o.value.length}`);
        if (sawResol)
          throw new CaptureFormatError("interface description block has more than one if_tsresol option", o.at);
        sawResol = true;
        const r = o.value[0]!;
        const exponent = r & 0x7f;
        if (r & 0x80) {
          if (exponent > 63) throw new CaptureFormatError("if_tsresol resolution too high", o.at, `2^-${exponent}`);
          iface.unitsPerSecond = 1n << BigInt(exponent);
        } else {
          if (exponent > 19) throw new CaptureFormatError("if_tsresol resolution too high", o.at, `10^-${exponent}`);
          iface.unitsPerSecond = 10n ** BigInt(exponent);
        }
      } else if (o.code === 14) {
        if (o.value.length !== 8)
          throw new CaptureFormatError("if_tsoffset option must be 8 bytes", o.at, `length ${o.value.length}`);
        if (sawOffset)
          throw new CaptureFormatError("interface description block has more than one if_tsoffset option", o.at);
        sawOffset = true;
        iface.offsetSeconds = new DataView(o.value.buffer, o.value.byteOffset, 8).getBigInt64(0, this.#little);
      }
    }
    this.#addInterface(iface);
    this.#sectionInterfaces.push(iface);
    if (!this.ready) {
      this.linkType = iface.linkType;
      this.snaplen = effectiveSnaplen(iface);
      this.ready = true;
    }
  }

  #packetBlock(type: number, body: number, end: number, base: number, fileOffset: number): void {
    const ifaceId = type === BT_EPB ? this.#u32(body) : this.#u16(body);
    const iface = this.#sectionInterfaces[ifaceId];
    if (!iface)
      throw new CaptureFormatError(
        "packet refers to an interface with no interface description block",
        base + body,
        `interface ${ifaceId}, section has ${this.#sectionInterfaces.length}`,
      );
    const high = this.#u32(body + 4),
      low = this.#u32(body + 8);
    const caplen = this.#u32(body + 12);
    const len = this.#u32(body + 16);
    const dataAt = body + 20;
    if (caplen > end - dataAt)
      throw new CaptureFormatError(
        "packet's captured length runs past the end of its block",
        base + body + 12,
        `caplen ${caplen}, room for ${end - dataAt}`,
      );
    const p = this.packet;
    this.#place(iface, iface.linkType, dataAt, caplen, caplen, len, fileOffset);
    this.#setTime(iface, high, low);
    p.flags = undefined;
    p.comments = undefined;
    const optionsAt = dataAt + ((caplen + 3) & ~3);
    // libpcap does not read packet options, so one that runs past its block ends them quietly.
    if (type === BT_EPB && optionsAt + 4 <= end) {
      for (const o of this.#options(optionsAt, end, base, fileOffset, false)) {
        if (o.code === 2 && o.value.length === 4)
          p.flags = new DataView(o.value.buffer, o.value.byteOffset, 4).getUint32(0, this.#little);
        else if (o.code === 1) (p.comments ??= []).push(utf8(o.value));
      }
    }
    this.hasPacket = true;
  }

  /** Points the one reused packet at a record's data (every record kind; times and options are the caller's). */
  #place(
    iface: CaptureInterface,
    linkType: number,
    dataAt: number,
    dataLength: number,
    recordedLength: number,
    originalLength: number,
    fileOffset: number,
  ): void {
    const p = this.packet;
    p.index = this.packets++;
    p.interface = iface;
    p.linkType = linkType;
    p.bytes = this.#bytes;
    p.dataOffset = dataAt;
    p.dataLength = dataLength;
    p.originalLength = originalLength;
    p.recordedLength = recordedLength;
    p.fileOffset = fileOffset;
  }

  /** Sets the packet's seconds and nanoseconds from a 64-bit count of the interface's units. */
  #setTime(iface: CaptureInterface, high: number, low: number): void {
    const p = this.packet;
    const clock = this.#clocks[iface.index]!;
    if (clock.nsPerUnit !== 0 && high < 0x200000) {
      // below 2^53 units: exact in a double
      const units = high * 4294967296 + low;
      let seconds = Math.floor(units / clock.perSecond);
      let fraction = units - seconds * clock.perSecond;
      if (fraction < 0) {
        seconds -= 1;
        fraction += clock.perSecond;
      } else if (fraction >= clock.perSecond) {
        seconds += 1;
        fraction -= clock.perSecond;
      }
      p.seconds = seconds + clock.offsetSeconds;
      p.nanoseconds = fraction * clock.nsPerUnit;
      return;
    }
    const ns = timestampNs((BigInt(high) << 32n) | BigInt(low), iface);
    let seconds = ns / 1_000_000_000n;
    let rest = ns % 1_000_000_000n;
    if (rest < 0n) {
      seconds -= 1n;
      rest += 1_000_000_000n;
    }
    p.seconds = Number(seconds);
    p.nanoseconds = Number(rest);
  }

  #statistics(body: number, end: number, fileOffset: number): void {
    const iface = this.#sectionInterfaces[this.#u32(body)];
    // libpcap skips statistics blocks entirely, so one for an interface never described is no error.
    if (!iface || !this.onStatistics) return;
    const little = this.#little;
    const ts = (BigInt(this.#u32(body + 4)) << 32n) | BigInt(this.#u32(body + 8));
    const values: InterfaceStatistics["values"] = {};
    const names = {
      2: "startTimeNs",
      3: "endTimeNs",
      4: "ifRecv",
      5: "ifDrop",
      6: "filterAccept",
      7: "osDrop",
      8: "userDeliv",
    } as const;
    for (const o of this.#options(body + 12, end, fileOffset - (body - 8), fileOffset, false)) {
      const key = names[o.code as keyof typeof names];
      if (!key || o.value.length !== 8) continue;
      const dv = new DataView(o.value.buffer, o.value.byteOffset, 8);
      if (o.code === 2 || o.code === 3)
        values[key] = timestampNs((BigInt(dv.getUint32(0, little)) << 32n) | BigInt(dv.getUint32(4, little)), iface);
      else values[key] = dv.getBigUint64(0, little);
    }
    this.onStatistics({ interface: iface, timestampNs: timestampNs(ts, iface), values, fileOffset });
  }

  /**
   * The options from `start` to `end` (the block's trailing length field). An option that runs
   * past the block is an error when `strict`, else the end of the options.
   */
  #options(start: number, end: number, base: number, blockOffset: number, strict: boolean): Option[] {
    const options: Option[] = [];
    let at = start;
    while (at + 4 <= end) {
      const code = this.#u16(at),
        len = this.#u16(at + 2);
      if (code === 0) break; // opt_endofopt
      const valueAt = at + 4;
      if (valueAt + len > end) {
        if (!strict) break;
        throw new CaptureFormatError(
          "option runs past the end of its block",
          base + at,
          `option ${code}, length ${len}, block at ${blockOffset}`,
        );
      }
      options.push({ code, at: base + at, value: this.#bytes.subarray(valueAt, valueAt + len) });
      at = valueAt + ((len + 3) & ~3);
    }
    return options;
  }
}

function effectiveSnaplen(iface: CaptureInterface): number {
  const max = maxSnaplenFor(iface.linkType);
  return iface.snaplen === 0 || iface.snaplen > max ? max : iface.snaplen;
}

const BT_IDB = 0x00000001;
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;

interface Option {
  code: number;
  /** File offset of the option. */
  at: number;
  value: Uint8Array;
}

function utf8(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8").replace(/\0+$/, "");
}

function timestampNs(units: bigint, iface: CaptureInterface): bigint {
  const perSecond = iface.unitsPerSecond;
  const seconds = units / perSecond + iface.offsetSeconds;
  const fraction = units % perSecond;
  return seconds * 1_000_000_000n + (fraction * 1_000_000_000n) / perSecond;
}

/**
 * Reads a whole capture held in memory. Throws CaptureFormatError (what, byte offset) on malformed
 * input; a stream's reader (stream.ts) hands on the packets before a bad record instead.
 */
export function readCapture(bytes: Uint8Array): Capture {
  const decoder = new CaptureDecoder();
  const statistics: InterfaceStatistics[] = [];
  decoder.onStatistics = (s) => statistics.push(s);
  const packets: CapturedPacket[] = [];
  const end = bytes.length;
  let at = 0;
  do {
    const n = decoder.decode(bytes, at, end, at, true);
    at += n;
    if (!decoder.hasPacket) continue;
    const p = decoder.packet;
    const packet: CapturedPacket = {
      index: p.index,
      interface: p.interface,
      linkType: p.linkType,
      timestampNs: BigInt(p.seconds) * 1_000_000_000n + BigInt(p.nanoseconds),
      data: p.data,
      originalLength: p.originalLength,
      recordedLength: p.recordedLength,
      fileOffset: p.fileOffset,
    };
    if (p.flags !== undefined) packet.flags = p.flags;
    if (p.comments !== undefined) packet.comments = p.comments;
    packets.push(packet);
  } while (at < end);
  return {
    format: decoder.format!,
    byteOrder: decoder.byteOrder,
    version: decoder.version,
    nanosecond: decoder.nanosecond,
    interfaces: decoder.interfaces,
    packets,
    statistics,
    linkType: decoder.linkType,
    snaplen: decoder.snaplen,
  };
}
