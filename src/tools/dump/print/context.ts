// The per-packet printing context: the packet bytes, the current end of readable data (which the
// protocol layers narrow, e.g. an IPv4 header's total length cuts Ethernet padding off), the line
// being built, and the options. One context is reused for every packet, so printing allocates
// only the strings it produces.
//
// A read past the readable end throws TRUNCATED (a preallocated value, so throwing is cheap); the
// packet entry point catches it and appends " [|proto]" naming the protocol that was being
// decoded, which is how tcpdump reports a packet cut short by the snapshot length.

import { IkeCookieCache } from "./ike-cookies.js";
import type { NfsXidTable } from "./nfs-xids.js";
import { RxCallTable } from "./rx-calls.js";
import type { TcpSequenceTable } from "./tcp-state.js";

/** Thrown by bounds-checked reads; caught once per packet. */
export const TRUNCATED: { readonly truncated: true } = Object.freeze({ truncated: true });

/** Printer options, tcpdump's flags. Counts where tcpdump counts repeats (-v, -vv). */
export interface PrintFlags {
  /** -v count. */
  verbose: number;
  /** -e: print the link-level header. */
  linkHeader: boolean;
  /** -q count: quick, less protocol information. */
  quick: number;
  /** -n/-nn: no port or protocol names (addresses are always numeric here). */
  numeric: boolean;
  /** -S: absolute TCP sequence numbers. */
  absoluteSequence: boolean;
  /** -K: do not verify checksums. */
  noChecksums: boolean;
  /** Set by -q, -x, -X: no hex dump for undecoded payloads. */
  suppressDefaultPrint: boolean;
  /** -T rpc: every UDP payload is a Sun RPC message, and TCP payloads are not decoded. */
  rpc: boolean;
}

export class PrintContext {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of bytes[0] inside view. */
  base = 0;
  /** Index (in bytes) one past the last readable byte for the layer being decoded. */
  snapend = 0;
  /** Captured length of the whole packet. */
  caplen = 0;
  out = "";
  /** Name printed in " [|name]" when a read runs off the end. */
  protocol = "";
  /** Bytes of link-layer header, for -x/-X/-A without the link layer. */
  llHeaderLength = 0;
  /**
   * Why tcpdump's text may differ for this packet: it reached a protocol this printer does not
   * decode (an application protocol on a well-known port, an EtherType without a decoder, ...).
   * Undefined when every layer tcpdump would print was printed here.
   */
  unsupported: string | undefined = undefined;
  flags: PrintFlags;
  tcp: TcpSequenceTable;
  /** IKEv1 initiators seen in earlier packets (tcpdump's, kept for the whole run). */
  readonly ikeCookies = new IkeCookieCache();
  /** Recent Rx calls, which AFS replies are decoded by (tcpdump's, kept for the whole run). */
  readonly rx = new RxCallTable();
  /** Recent NFS calls, which NFS replies are decoded by. */
  nfs: NfsXidTable;

  constructor(flags: PrintFlags, tcp: TcpSequenceTable, nfs: NfsXidTable) {
    this.flags = flags;
    this.tcp = tcp;
    this.nfs = nfs;
  }

  /** Points the context at a new packet. */
  reset(bytes: Uint8Array, length: number = bytes.length): void {
    if (this.view.buffer !== bytes.buffer) this.view = new DataView(bytes.buffer);
    this.bytes = bytes;
    this.base = bytes.byteOffset;
    this.caplen = length;
    this.snapend = length;
    this.out = "";
    this.protocol = "";
    this.llHeaderLength = 0;
    this.unsupported = undefined;
  }

  /** Records the first reason this packet is outside what the printer decodes. */
  markUnsupported(reason: string): void {
    if (this.unsupported === undefined) this.unsupported = reason;
  }
}

/** True when len bytes starting at `at` are readable. */
export function has(c: PrintContext, at: number, len: number): boolean {
  return at >= 0 && len >= 0 && at <= c.snapend - len;
}

/** Bytes readable from `at` to the current end (0 when past it). */
export function available(c: PrintContext, at: number): number {
  return c.snapend > at ? c.snapend - at : 0;
}

export function check(c: PrintContext, at: number, len: number): void {
  if (!(at >= 0 && len >= 0 && at <= c.snapend - len)) throw TRUNCATED;
}

export function u8(c: PrintContext, at: number): number {
  if (at < 0 || at >= c.snapend) throw TRUNCATED;
  return c.bytes[at]!;
}

export function be16(c: PrintContext, at: number): number {
  if (at < 0 || at + 2 > c.snapend) throw TRUNCATED;
  return c.view.getUint16(c.base + at);
}

export function be32(c: PrintContext, at: number): number {
  if (at < 0 || at + 4 > c.snapend) throw TRUNCATED;
  return c.view.getUint32(c.base + at);
}

/** The unsigned 64-bit big-endian value at `at`. */
export function be64(c: PrintContext, at: number): bigint {
  return (BigInt(be32(c, at)) << 32n) | BigInt(be32(c, at + 4));
}

export function le16(c: PrintContext, at: number): number {
  if (at < 0 || at + 2 > c.snapend) throw TRUNCATED;
  return c.view.getUint16(c.base + at, true);
}

export function le32(c: PrintContext, at: number): number {
  if (at < 0 || at + 4 > c.snapend) throw TRUNCATED;
  return c.view.getUint32(c.base + at, true);
}

/** Narrows the readable end to at+len when that is shorter; returns the previous end to restore. */
export function pushSnaplen(c: PrintContext, at: number, len: number): number {
  const saved = c.snapend;
  if (len <= saved - at) c.snapend = at + len;
  return saved;
}

/** Appends " [|proto]". */
export function printTrunc(c: PrintContext): void {
  c.out += " [|" + c.protocol + "]";
}

export function printInvalid(c: PrintContext): void {
  c.out += " (invalid)";
}

/**
 * tcpdump's exit through "invalid": " (invalid)", and then the rest of the data (`length` bytes
 * at `at`) must have been captured, else the packet ends with the truncation mark.
 */
export function printInvalidRest(c: PrintContext, at: number, length: number): void {
  printInvalid(c);
  check(c, at, length);
}

/** Internet checksum (RFC 1071) over bytes[at, at+len), folded with a starting partial sum. */
export function onesComplementSum(c: PrintContext, at: number, len: number, initial: number): number {
  let sum = initial;
  const b = c.bytes;
  const end = at + len - 1;
  let i = at;
  for (; i < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i === end) sum += b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Final checksum value: 0 when the data (with its checksum field) is correct. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The checksum the field should have held, given the stored value and the computed result. */
export function checksumShouldBe(stored: number, computed: number): number {
  // Adding the stored field back to the complement of everything else gives the right value.
  let sum = stored + computed;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum & 0xffff;
}
