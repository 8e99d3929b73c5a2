// A pure reader of capture files: classic pcap (microsecond and nanosecond magic, both byte orders,
// the old "modified" format) and pcapng (SHB, IDB, EPB, SPB, the obsolete PB, ISB; several sections
// and interfaces; if_tsresol / if_tsoffset; both byte orders). It works on bytes in memory, does no
// I/O, and never copies packet data: each packet's `data` is a view into the input.
//
// Lengths follow libpcap, so a filter sees what tcpdump sees: a pcap record longer than the file's
// snapshot length is cut to it (the rest of the record is skipped), and a snapshot length of 0 or
// beyond the link type's maximum means that maximum.
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

/** What kind of capture the bytes start with, or undefined. */
export function sniffCaptureFormat(bytes: Uint8Array): "pcap" | "pcapng" | undefined {
  if (bytes.length < 4) return undefined;
  const le = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  const be = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (le === PCAPNG_SHB) return "pcapng";
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED]) if (le === m || be === m) return "pcap";
  return undefined;
}

/** Reads a whole capture. Throws CaptureFormatError (what, byte offset) on malformed input. */
export function readCapture(bytes: Uint8Array): Capture {
  const format = sniffCaptureFormat(bytes);
  if (format === "pcap") return readPcap(bytes);
  if (format === "pcapng") return readPcapng(bytes);
  if (bytes.length < 4) throw new CaptureFormatError("file too short for a capture header", 0, `${bytes.length} bytes`);
  throw new CaptureFormatError("unknown magic number (not a pcap or pcapng file)", 0, `0x${hex32(bytes, 0)}`);
}

function hex32(bytes: Uint8Array, at: number): string {
  return Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

class Cursor {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }
  i32(at: number): number {
    return this.view.getInt32(at, this.little);
  }
  u64(at: number): bigint {
    return this.view.getBigUint64(at, this.little);
  }
}

// ------------------------------------------------------------------------------------ pcap

function readPcap(bytes: Uint8Array): Capture {
  if (bytes.length < 24)
    throw new CaptureFormatError("truncated pcap file header", 0, `need 24 bytes, file has ${bytes.length}`);
  const probe = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = probe.getUint32(0, true);
  const little = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS || magicLe === PCAP_MAGIC_MODIFIED;
  const c = new Cursor(bytes, little);
  const magic = c.u32(0);
  const major = c.u16(4),
    minor = c.u16(6);
  if (major < 2) throw new CaptureFormatError("archaic pcap savefile format", 4, `version ${major}.${minor}`);
  if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
    throw new CaptureFormatError("unsupported pcap savefile version", 4, `version ${major}.${minor}`);
  }
  const snaplenField = c.u32(16);
  const linkField = c.u32(20);
  const linkType = linkField & 0x03ffffff;
  const linkTypeExtra = (linkField & 0xfc000000) >>> 0;
  const maxSnap = maxSnaplenFor(linkType);
  let snaplen = snaplenField === 0 || snaplenField > maxSnap ? maxSnap : snaplenField;
  const modified = magic === PCAP_MAGIC_MODIFIED;
  // The "modified" format's Ethernet snaplen does not count the Ethernet header (libpcap adds it).
  if (modified && linkType === 1) snaplen += 14;
  const nanosecond = magic === PCAP_MAGIC_NS;
  // Versions before 2.3 wrote len before caplen; 2.3 did either.
  const lengthsSwapped =
    major === 543 ? "yes" : major === 2 && minor < 3 ? "yes" : major === 2 && minor === 3 ? "maybe" : "no";
  const recordHeader = modified ? 24 : 16;

  const iface: CaptureInterface = {
    index: 0,
    section: 0,
    id: 0,
    linkType,
    linkTypeExtra,
    snaplen: snaplenField,
    unitsPerSecond: nanosecond ? 1_000_000_000n : 1_000_000n,
    offsetSeconds: 0n,
    byteOrder: little ? "little" : "big",
  };
  const packets: CapturedPacket[] = [];
  let at = 24;
  while (at < bytes.length) {
    if (bytes.length - at < recordHeader) {
      throw new CaptureFormatError(
        "truncated packet record header",
        at,
        `need ${recordHeader} bytes, ${bytes.length - at} left`,
      );
    }
    const sec = c.u32(at),
      frac = c.u32(at + 4);
    let caplen = c.u32(at + 8),
      len = c.u32(at + 12);
    if (lengthsSwapped === "yes" || (lengthsSwapped === "maybe" && caplen > len)) [caplen, len] = [len, caplen];
    if (caplen > maxSnap) {
      throw new CaptureFormatError(
        "invalid packet capture length",
        at + 8,
        caplen > snaplen
          ? `${caplen}, bigger than snaplen of ${snaplen}`
          : `${caplen}, bigger than maximum of ${maxSnap}`,
      );
    }
    const dataAt = at + recordHeader;
    if (bytes.length - dataAt < caplen) {
      throw new CaptureFormatError(
        "truncated packet data",
        dataAt,
        `record says ${caplen} bytes, ${bytes.length - dataAt} left`,
      );
    }
    const kept = Math.min(caplen, snaplen);
    packets.push({
      index: packets.length,
      interface: iface,
      linkType,
      fileOffset: at,
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanosecond ? 1n : 1000n),
      data: bytes.subarray(dataAt, dataAt + kept),
      originalLength: len,
      recordedLength: caplen,
    });
    at = dataAt + caplen;
  }
  return {
    format: "pcap",
    byteOrder: little ? "little" : "big",
    version: { major, minor },
    nanosecond,
    interfaces: [iface],
    packets,
    statistics: [],
    linkType,
    snaplen,
  };
}

// ------------------------------------------------------------------------------------ pcapng

const BT_IDB = 0x00000001;
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;

interface Option {
  code: number;
  at: number;
  value: Uint8Array;
}

/** Options run from `start` to `end` (the block's trailing length field). */
function readOptions(c: Cursor, start: number, end: number, blockAt: number): Option[] {
  const options: Option[] = [];
  let at = start;
  while (at + 4 <= end) {
    const code = c.u16(at),
      len = c.u16(at + 2);
    if (code === 0) break; // opt_endofopt
    const valueAt = at + 4;
    if (valueAt + len > end) {
      throw new CaptureFormatError(
        "option runs past the end of its block",
        at,
        `option ${code}, length ${len}, block at ${blockAt}`,
      );
    }
    options.push({ code, at, value: c.bytes.subarray(valueAt, valueAt + len) });
    at = valueAt + ((len + 3) & ~3);
  }
  return options;
}

function utf8(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8").replace(/\0+$/, "");
}

function readPcapng(bytes: Uint8Array): Capture {
  const interfaces: CaptureInterface[] = [];
  const packets: CapturedPacket[] = [];
  const statistics: InterfaceStatistics[] = [];
  let section = -1;
  let sectionIfaces: CaptureInterface[] = [];
  let c = new Cursor(bytes, true);
  let firstOrder: ByteOrder = "little";
  let version = { major: 1, minor: 0 };
  let at = 0;

  while (at < bytes.length) {
    if (bytes.length - at < 12)
      throw new CaptureFormatError("truncated block header", at, `need 12 bytes, ${bytes.length - at} left`);
    const rawType = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
    if (rawType === PCAPNG_SHB) {
      // The byte-order magic decides how to read this section, including the SHB's own length.
      if (bytes.length - at < 28)
        throw new CaptureFormatError("truncated section header block", at, `need 28 bytes, ${bytes.length - at} left`);
      const bom = new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4);
      let little: boolean;
      if (bom.getUint32(0, true) === PCAPNG_BYTE_ORDER_MAGIC) little = true;
      else if (bom.getUint32(0, false) === PCAPNG_BYTE_ORDER_MAGIC) little = false;
      else
        throw new CaptureFormatError(
          "bad byte-order magic in section header block",
          at + 8,
          `0x${hex32(bytes, at + 8)}`,
        );
      c = new Cursor(bytes, little);
      section += 1;
      sectionIfaces = [];
      if (section === 0) firstOrder = little ? "little" : "big";
      const major = c.u16(at + 12),
        minor = c.u16(at + 14);
      if (major !== 1) throw new CaptureFormatError("unsupported pcapng version", at + 12, `version ${major}.${minor}`);
      if (section === 0) version = { major, minor };
    } else if (section < 0) {
      throw new CaptureFormatError(
        "pcapng file does not start with a section header block",
        at,
        `block type 0x${rawType.toString(16)}`,
      );
    }
    const type = c.u32(at);
    const total = c.u32(at + 4);
    if (total < 12 || total % 4 !== 0) {
      throw new CaptureFormatError(
        "invalid block length",
        at + 4,
        `${total} (must be a multiple of 4 and at least 12)`,
      );
    }
    if (total > bytes.length - at) {
      throw new CaptureFormatError(
        "block runs past the end of the file",
        at + 4,
        `block length ${total}, ${bytes.length - at} bytes left`,
      );
    }
    const end = at + total - 4; // the trailing copy of the length
    if (c.u32(end) !== total) {
      throw new CaptureFormatError(
        "block's trailing length does not match its leading length",
        end,
        `${c.u32(end)} vs ${total}`,
      );
    }
    const body = at + 8;
    const need = (n: number, what: string): void => {
      if (body + n > end)
        throw new CaptureFormatError(`${what} is too short`, at, `block length ${total}, needs ${n + 12}`);
    };

    switch (type) {
      case PCAPNG_SHB:
        need(16, "section header block");
        break;
      case BT_IDB: {
        need(8, "interface description block");
        const linkType = c.u16(body);
        const snaplen = c.u32(body + 4);
        const iface: CaptureInterface = {
          index: interfaces.length,
          section,
          id: sectionIfaces.length,
          linkType,
          linkTypeExtra: 0,
          snaplen,
          unitsPerSecond: 1_000_000n,
          offsetSeconds: 0n,
          byteOrder: c.little ? "little" : "big",
        };
        let sawResol = false,
          sawOffset = false;
        for (const o of readOptions(c, body + 8, end, at)) {
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
              if (exponent > 19)
                throw new CaptureFormatError("if_tsresol resolution too high", o.at, `10^-${exponent}`);
              iface.unitsPerSecond = 10n ** BigInt(exponent);
            }
          } else if (o.code === 14) {
            if (o.value.length !== 8)
              throw new CaptureFormatError("if_tsoffset option must be 8 bytes", o.at, `length ${o.value.length}`);
            if (sawOffset)
              throw new CaptureFormatError("interface description block has more than one if_tsoffset option", o.at);
            sawOffset = true;
            iface.offsetSeconds = new DataView(o.value.buffer, o.value.byteOffset, 8).getBigInt64(0, c.little);
          }
        }
        interfaces.push(iface);
        sectionIfaces.push(iface);
        break;
      }
      case BT_EPB:
      case BT_PB: {
        need(20, type === BT_EPB ? "enhanced packet block" : "packet block");
        const ifaceId = type === BT_EPB ? c.u32(body) : c.u16(body);
        const iface = sectionIfaces[ifaceId];
        if (!iface) {
          throw new CaptureFormatError(
            "packet refers to an interface with no interface description block",
            body,
            `interface ${ifaceId}, section has ${sectionIfaces.length}`,
          );
        }
        const ts = (BigInt(c.u32(body + 4)) << 32n) | BigInt(c.u32(body + 8));
        const caplen = c.u32(body + 12);
        const len = c.u32(body + 16);
        const dataAt = body + 20;
        if (caplen > end - dataAt) {
          throw new CaptureFormatError(
            "packet's captured length runs past the end of its block",
            body + 12,
            `caplen ${caplen}, room for ${end - dataAt}`,
          );
        }
        const packet: CapturedPacket = {
          index: packets.length,
          interface: iface,
          linkType: iface.linkType,
          fileOffset: at,
          timestampNs: timestampNs(ts, iface),
          data: bytes.subarray(dataAt, dataAt + caplen),
          originalLength: len,
          recordedLength: caplen,
        };
        if (type === BT_EPB) {
          for (const o of readOptions(c, dataAt + ((caplen + 3) & ~3), end, at)) {
            if (o.code === 2 && o.value.length === 4)
              packet.flags = new DataView(o.value.buffer, o.value.byteOffset, 4).getUint32(0, c.little);
            else if (o.code === 1) (packet.comments ??= []).push(utf8(o.value));
          }
        }
        packets.push(packet);
        break;
      }
      case BT_SPB: {
        need(4, "simple packet block");
        const iface = sectionIfaces[0];
        if (!iface) throw new CaptureFormatError("simple packet block before any interface description block", at);
        const len = c.u32(body);
        const dataAt = body + 4;
        const snap =
          iface.snaplen === 0 || iface.snaplen > maxSnaplenFor(iface.linkType)
            ? maxSnaplenFor(iface.linkType)
            : iface.snaplen;
        const caplen = Math.min(len, snap);
        if (caplen > end - dataAt) {
          throw new CaptureFormatError(
            "simple packet block is shorter than its packet",
            body,
            `packet length ${caplen}, room for ${end - dataAt}`,
          );
        }
        packets.push({
          index: packets.length,
          interface: iface,
          linkType: iface.linkType,
          fileOffset: at,
          timestampNs: 0n,
          data: bytes.subarray(dataAt, dataAt + caplen),
          originalLength: len,
          recordedLength: caplen,
        });
        break;
      }
      case BT_ISB: {
        need(12, "interface statistics block");
        const ifaceId = c.u32(body);
        const iface = sectionIfaces[ifaceId];
        if (!iface)
          throw new CaptureFormatError(
            "statistics refer to an interface with no interface description block",
            body,
            `interface ${ifaceId}`,
          );
        const ts = (BigInt(c.u32(body + 4)) << 32n) | BigInt(c.u32(body + 8));
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
        for (const o of readOptions(c, body + 12, end, at)) {
          const key = names[o.code as keyof typeof names];
          if (!key || o.value.length !== 8) continue;
          const dv = new DataView(o.value.buffer, o.value.byteOffset, 8);
          if (o.code === 2 || o.code === 3) {
            values[key] = timestampNs(
              (BigInt(dv.getUint32(0, c.little)) << 32n) | BigInt(dv.getUint32(4, c.little)),
              iface,
            );
          } else values[key] = dv.getBigUint64(0, c.little);
        }
        statistics.push({ interface: iface, timestampNs: timestampNs(ts, iface), values, fileOffset: at });
        break;
      }
      default:
        break; // name resolution, decryption secrets, custom and unknown blocks carry nothing a filter needs
    }
    at += total;
  }
  if (section < 0) throw new CaptureFormatError("empty pcapng file", 0);
  const first = interfaces[0];
  const snaplen = first
    ? first.snaplen === 0 || first.snaplen > maxSnaplenFor(first.linkType)
      ? maxSnaplenFor(first.linkType)
      : first.snaplen
    : 0;
  return {
    format: "pcapng",
    byteOrder: firstOrder,
    version,
    nanosecond: false,
    interfaces,
    packets,
    statistics,
    linkType: first?.linkType ?? -1,
    snaplen,
  };
}

function timestampNs(units: bigint, iface: CaptureInterface): bigint {
  const perSecond = iface.unitsPerSecond;
  const seconds = units / perSecond + iface.offsetSeconds;
  const fraction = units % perSecond;
  return seconds * 1_000_000_000n + (fraction * 1_000_000_000n) / perSecond;
}
