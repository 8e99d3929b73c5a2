// DECnet Phase IV (EtherType 0x6003) as tcpdump prints it: the routing header's addresses and
// length, then the NSP message ("1.1 > 1.1 45 data 8195>8196 ack 0 oack 0 seg 1"), and endnode
// hellos. Other routing control messages and NSP interrupt messages are not decoded yet: they print
// the generic EtherType line and count as unsupported.

import { check, le16, u8, type PrintContext } from "./context.js";
import { hexAndAsciiPrint } from "./unknown.js";

const SHORT_HEADER_LENGTH = 6;
const LONG_HEADER_LENGTH = 21;
const NSP_HEADER_LENGTH = 5;
const ENDNODE_HELLO_LENGTH = 32;

// Routing flags.
const RMF_PAD = 0x80;
const RMF_PADMASK = 0x7f;
const RMF_FVER = 0x40;
const RMF_IE = 0x20;
const RMF_RTS = 0x10;
const RMF_RQR = 0x08;
const RMF_MASK = 0x07;
const RMF_SHORT = 0x02;
const RMF_LONG = 0x06;
const RMF_CTLMSG = 0x01;
const RMF_CTLMASK = 0x0e;
const RMF_ENDHELLO = 0x0c;
const VISITS_MASK = 0x3f;

// NSP message flags.
const NSP_TYPEMASK = 0x0c;
const NSP_SUBMASK = 0x70;
const MFT_DATA = 0x00;
const MFT_ACK = 0x04;
const MFT_CTL = 0x08;
const MFS_ILS = 0x10;
const MFS_DACK = 0x00;
const MFS_IACK = 0x10;
const MFS_CACK = 0x20;
const MFS_CI = 0x10;
const MFS_CC = 0x20;
const MFS_DI = 0x30;
const MFS_DC = 0x40;
const MFS_RCI = 0x60;

// Segment number fields.
const SGQ_ACK = 0x8000;
const SGQ_NAK = 0x1000;
const SGQ_OACK = 0x2000;
const SGQ_ONAK = 0x3000;
const SGQ_MASK = 0x0fff;

const NODE_TYPES = ["reserved-ntype? ", "l2rout ", "l1rout ", "endnode "];
const VERSIONS = ["ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 "];
const REASONS = new Map([
  [0, "object rejected connect"],
  [1, "insufficient resources"],
  [2, "unrecognized node name"],
  [3, "node is shutting down"],
  [4, "unrecognized object"],
  [5, "invalid object name format"],
  [6, "object too busy"],
  [7, "protocol error discovered"],
  [8, "third party abort"],
  [9, "user abort"],
  [10, "invalid node name format"],
  [11, "local node shutting down"],
  [32, "insufficient local resources"],
  [33, "insufficient remote user resources"],
  [34, "invalid access control information"],
  [36, "bad ACCOUNT information"],
  [38, "no response from object"],
  [39, "node unreachable"],
  [41, "no link terminate"],
  [42, "disconnect complete"],
  [43, "bad image data in connect"],
  [44, "cryptographic service mismatch"],
]);

/** A DECnet address: area (6 bits) and node (10 bits). */
const address = (a: number): string => (a >> 10) + "." + (a & 0x3ff);

/**
 * Prints the DECnet packet at `at`; false, with nothing printed, for the messages this printer does
 * not decode (the caller prints the generic line).
 */
export function decnetPrint(c: PrintContext, at: number, length: number, caplen: number): boolean {
  c.protocol = "decnet";
  if (length < SHORT_HEADER_LENGTH) {
    c.out += " (length " + length + " < " + SHORT_HEADER_LENGTH + ") (invalid)";
    return true;
  }
  const packetLength = le16(c, at);
  if (packetLength < SHORT_HEADER_LENGTH) {
    c.out += " (pktlen " + packetLength + " < " + SHORT_HEADER_LENGTH + ") (invalid)";
    return true;
  }
  if (packetLength > length) {
    c.out += " (pktlen " + packetLength + " > " + length + ") (invalid)";
    return true;
  }
  length = packetLength;
  let ap = at;
  let flags = u8(c, ap + 2);
  if (flags & RMF_PAD) {
    const padLength = flags & RMF_PADMASK;
    if (c.flags.verbose) c.out += "[pad:" + padLength + "] ";
    if (length < padLength + 2) {
      c.out += " (length " + length + " < " + (padLength + 2) + ") (invalid)";
      return true;
    }
    check(c, ap + 2, padLength);
    ap += padLength;
    length -= padLength;
    caplen -= padLength;
    flags = u8(c, ap + 2);
  }
  const header = ap + 2;
  if (flags & RMF_FVER) {
    c.out += "future-version-decnet";
    hexAndAsciiPrint(c, "\n\t", ap, Math.min(length, caplen));
    return true;
  }
  if (flags & RMF_CTLMSG) {
    if ((flags & RMF_CTLMASK) !== RMF_ENDHELLO) {
      c.markUnsupported("decnet routing control message");
      return false;
    }
    endnodeHello(c, header, length);
    return true;
  }
  let dst: number;
  let src: number;
  let hops: number;
  let nspAt: number;
  let nspLength: number;
  switch (flags & RMF_MASK) {
    case RMF_LONG:
      if (length < LONG_HEADER_LENGTH) {
        c.out += " (length " + length + " < " + LONG_HEADER_LENGTH + ") (invalid)";
        return true;
      }
      check(c, header, LONG_HEADER_LENGTH);
      dst = le16(c, header + 7);
      src = le16(c, header + 15);
      hops = u8(c, header + 18);
      nspAt = header + LONG_HEADER_LENGTH;
      // tcpdump's NSP length counts the 2-byte packet length too.
      nspLength = length - LONG_HEADER_LENGTH;
      break;
    case RMF_SHORT:
      dst = le16(c, header + 1);
      src = le16(c, header + 3);
      hops = (u8(c, header + 5) & VISITS_MASK) + 1;
      nspAt = header + SHORT_HEADER_LENGTH;
      nspLength = length - SHORT_HEADER_LENGTH;
      break;
    default:
      c.out += "unknown message flags under mask";
      hexAndAsciiPrint(c, "\n\t", ap, Math.min(length, caplen));
      return true;
  }
  if (!nspDecoded(c, nspAt, nspLength)) {
    c.markUnsupported("decnet nsp interrupt or reserved message");
    return false;
  }
  c.out += address(src) + " > " + address(dst) + " " + packetLength + " ";
  if (c.flags.verbose) {
    if (flags & RMF_RQR) c.out += "RQR ";
    if (flags & RMF_RTS) c.out += "RTS ";
    if (flags & RMF_IE) c.out += "IE ";
    c.out += hops + " hops ";
  }
  if (!nspPrint(c, nspAt, nspLength)) c.out += " (invalid)";
  return true;
}

function endnodeHello(c: PrintContext, at: number, length: number): void {
  c.out += "endnode-hello ";
  if (length < ENDNODE_HELLO_LENGTH) {
    c.out += " (invalid)";
    return;
  }
  check(c, at, ENDNODE_HELLO_LENGTH);
  const info = u8(c, at + 10);
  c.out += NODE_TYPES[info & 3]!;
  if (info & 0x04) c.out += "verif ";
  if (info & 0x08) c.out += "blo ";
  c.out += "vers " + u8(c, at + 1) + " eco " + u8(c, at + 2) + " ueco " + u8(c, at + 3);
  c.out += " src " + address(le16(c, at + 8)) + " blksize " + le16(c, at + 11);
  c.out += " rtr " + address(le16(c, at + 26)) + " hello " + le16(c, at + 28) + " data " + u8(c, at + 31);
}

/** Whether the NSP message at `at` is one this printer decodes (looked at before anything is printed). */
function nspDecoded(c: PrintContext, at: number, length: number): boolean {
  // A message too short or cut off is printed (and found wanting) by nspPrint.
  if (length < NSP_HEADER_LENGTH || at >= c.snapend) return true;
  const flags = u8(c, at);
  const sub = flags & NSP_SUBMASK;
  switch (flags & NSP_TYPEMASK) {
    case MFT_DATA:
      // Data segments (beginning, middle, end, or both) and link service; not interrupts.
      return sub === MFS_ILS || (sub & 0x10) === 0;
    case MFT_ACK:
      return sub === MFS_DACK || sub === MFS_IACK || sub === MFS_CACK;
    case MFT_CTL:
      return sub === MFS_CI || sub === MFS_RCI || sub === MFS_CC || sub === MFS_DI || sub === MFS_DC;
    default:
      return false;
  }
}

/** "ack N " or "nak N " for the first acknowledgement field. */
function ackText(value: number): string {
  return ((value & SGQ_NAK) === SGQ_NAK ? "nak " : "ack ") + (value & SGQ_MASK) + " ";
}

/** The second (other channel) field: a negative acknowledgement has both of its bits set. */
function otherAckText(value: number, nak: string, ack: string): string {
  return ((value & SGQ_ONAK) === SGQ_ONAK ? nak : ack) + " " + (value & SGQ_MASK) + " ";
}

/** Prints an NSP message; false when it is shorter than its type needs. */
function nspPrint(c: PrintContext, at: number, length: number): boolean {
  if (length < NSP_HEADER_LENGTH) {
    c.out += " (nsplen " + length + " < " + NSP_HEADER_LENGTH + ")";
    return false;
  }
  const flags = u8(c, at);
  const dst = le16(c, at + 1);
  const src = le16(c, at + 3);
  const ends = src + ">" + dst + " ";
  const sub = flags & NSP_SUBMASK;
  switch (flags & NSP_TYPEMASK) {
    case MFT_DATA:
      if (sub === MFS_ILS) return linkService(c, at, length, ends);
      c.out += "data " + ends;
      return segmentNumbers(c, at, length);
    case MFT_ACK:
      if (sub === MFS_CACK) {
        c.out += "conn-ack " + dst;
        return true;
      }
      c.out += (sub === MFS_DACK ? "data-ack " : "ils-ack ") + ends;
      if (length < NSP_HEADER_LENGTH + 4) return false;
      check(c, at, NSP_HEADER_LENGTH + 4);
      {
        const ack = le16(c, at + 5);
        if (ack & SGQ_ACK) {
          c.out += ackText(ack);
          const other = le16(c, at + 7);
          if (other & SGQ_OACK)
            c.out += sub === MFS_DACK ? otherAckText(other, "onak", "oack") : otherAckText(other, "nakdat", "ackdat");
        }
      }
      return true;
    default:
      return control(c, at, length, sub, ends);
  }
}

/** A data segment's acknowledgements and number. */
function segmentNumbers(c: PrintContext, at: number, length: number): boolean {
  let offset = NSP_HEADER_LENGTH + 2;
  if (length < offset) return false;
  let value = le16(c, at + 5);
  if (value & SGQ_ACK) {
    c.out += ackText(value);
    offset += 2;
    if (length < offset) return false;
    value = le16(c, at + 7);
    if (value & SGQ_OACK) {
      c.out += otherAckText(value, "onak", "oack");
      offset += 2;
      if (length < offset) return false;
      value = le16(c, at + 9);
    }
  }
  c.out += "seg " + (value & SGQ_MASK) + " ";
  return true;
}

function linkService(c: PrintContext, at: number, length: number, ends: string): boolean {
  c.out += "link-service " + ends;
  // The segment header with all three numbers, then the flow control flags and value.
  if (length < NSP_HEADER_LENGTH + 6 + 2) return false;
  let value = le16(c, at + 5);
  if (value & SGQ_ACK) {
    c.out += ackText(value);
    value = le16(c, at + 7);
    if (value & SGQ_OACK) {
      c.out += otherAckText(value, "nakdat", "ackdat");
      value = le16(c, at + 9);
    }
  }
  c.out += "seg " + (value & SGQ_MASK) + " ";
  const lsFlags = u8(c, at + 11);
  const fcValue = u8(c, at + 12);
  switch (lsFlags & 0x0c) {
    case 0x00:
      c.out += "dat seg count " + fcValue + " ";
      switch (lsFlags & 0x03) {
        case 0:
          break;
        case 1:
          c.out += "donotsend-data ";
          break;
        case 2:
          c.out += "send-data ";
          break;
        default:
          c.out += "reserved-fcmod? " + lsFlags.toString(16);
      }
      break;
    case 0x04:
      c.out += "intr req count " + fcValue + " ";
      break;
    default:
      c.out += "reserved-fcval-int? " + lsFlags.toString(16);
  }
  return true;
}

function control(c: PrintContext, at: number, length: number, sub: number, ends: string): boolean {
  switch (sub) {
    case MFS_CI:
    case MFS_RCI:
    case MFS_CC: {
      c.out +=
        (sub === MFS_CI ? "conn-initiate " : sub === MFS_RCI ? "retrans-conn-initiate " : "conn-confirm ") + ends;
      const size = NSP_HEADER_LENGTH + 4 + (sub === MFS_CC ? 1 : 0);
      if (length < size) return false;
      // Every field is read before any is printed, as tcpdump does.
      const services = u8(c, at + 5);
      const info = u8(c, at + 6);
      const segmentSize = le16(c, at + 7);
      const optionsLength = sub === MFS_CC ? u8(c, at + 9) : 0;
      if ((services & 0x0c) === 0x04) c.out += "seg ";
      else if ((services & 0x0c) === 0x08) c.out += "msg ";
      c.out += VERSIONS[info & 3]! + "segsize " + segmentSize + " ";
      if (optionsLength) c.out += "optlen " + optionsLength + " ";
      return true;
    }
    case MFS_DI:
    case MFS_DC: {
      c.out += (sub === MFS_DI ? "disconn-initiate " : "disconn-confirm ") + ends;
      if (length < NSP_HEADER_LENGTH + 2 + (sub === MFS_DI ? 1 : 0)) return false;
      const reason = le16(c, at + 5);
      const optionsLength = sub === MFS_DI ? u8(c, at + 7) : 0;
      c.out += (REASONS.get(reason) ?? "reason-" + reason) + " ";
      if (optionsLength) c.out += "optlen " + optionsLength + " ";
      return true;
    }
    default:
      // Not reached: nspDecoded keeps the other control messages out.
      return true;
  }
}
