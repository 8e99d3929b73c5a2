// LDP (RFC 5036, TCP and UDP port 646) as tcpdump prints it: "LDP, Label-Space-ID: lsr:space,
// pdu-length: N" for each PDU without -v; with -v every message and its TLVs (hello parameters,
// transport addresses, address lists, session parameters, FECs with prefixes and pseudowires,
// labels, status, fault tolerance, MTU), the rest in hex; -vv dumps each message in hex instead of
// the undecoded parts.

import { be16, be32, check, printInvalid, TRUNCATED, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { afName, prefixDecode } from "./bgp.js";
import { pseudowireType } from "./lspping.js";
import { printCountedText, printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

const VERSION = 1;
const COMMON_HEADER_LENGTH = 10;
const MESSAGE_HEADER_LENGTH = 8;
const TLV_HEADER_LENGTH = 4;
/** The PDU and message lengths count what follows their own length field. */
const PDU_LENGTH_MINIMUM = COMMON_HEADER_LENGTH - 4;
const MESSAGE_LENGTH_MINIMUM = MESSAGE_HEADER_LENGTH - 4;
const AF_INET = 1;
const AF_INET6 = 2;

const MESSAGES = new Map([
  [0x0001, "Notification"],
  [0x0100, "Hello"],
  [0x0200, "Initialization"],
  [0x0201, "Keepalive"],
  [0x0300, "Address"],
  [0x0301, "Address Withdraw"],
  [0x0400, "Label Mapping"],
  [0x0401, "Label Request"],
  [0x0402, "Label Withdraw"],
  [0x0403, "Label Release"],
  [0x0404, "Label Abort Request"],
]);
/** Messages whose TLVs are decoded; the others are dumped in hex. */
const TLV_MESSAGES = new Set([0x0001, 0x0100, 0x0200, 0x0201, 0x0300, 0x0400, 0x0301, 0x0402]);

const TLV_FEC = 0x0100;
const TLV_ADDRESS_LIST = 0x0101;
const TLV_GENERIC_LABEL = 0x0200;
const TLV_STATUS = 0x0300;
const TLV_COMMON_HELLO = 0x0400;
const TLV_IPV4_TRANSPORT = 0x0401;
const TLV_CONFIG_SEQUENCE = 0x0402;
const TLV_IPV6_TRANSPORT = 0x0403;
const TLV_COMMON_SESSION = 0x0500;
const TLV_FT_SESSION = 0x0503;
const TLV_MTU = 0x0601;
const TLVS = new Map([
  [TLV_FEC, "FEC"],
  [TLV_ADDRESS_LIST, "Address List"],
  [0x0103, "Hop Count"],
  [0x0104, "Path Vector"],
  [TLV_GENERIC_LABEL, "Generic Label"],
  [0x0201, "ATM Label"],
  [0x0202, "Frame-Relay Label"],
  [TLV_STATUS, "Status"],
  [0x0301, "Extended Status"],
  [0x0302, "Returned PDU"],
  [0x0303, "Returned Message"],
  [TLV_COMMON_HELLO, "Common Hello Parameters"],
  [TLV_IPV4_TRANSPORT, "IPv4 Transport Address"],
  [TLV_CONFIG_SEQUENCE, "Configuration Sequence Number"],
  [TLV_IPV6_TRANSPORT, "IPv6 Transport Address"],
  [TLV_COMMON_SESSION, "Common Session Parameters"],
  [0x0501, "ATM Session Parameters"],
  [0x0502, "Frame-Relay Session Parameters"],
  [TLV_FT_SESSION, "Fault-Tolerant Session Parameters"],
  [0x0600, "Label Request Message ID"],
  [TLV_MTU, "MTU"],
]);

const FEC_WILDCARD = 0x01;
const FEC_PREFIX = 0x02;
const FEC_HOST_ADDRESS = 0x03;
const FEC_MARTINI_VC = 0x80;
const FECS = new Map([
  [FEC_WILDCARD, "Wildcard"],
  [FEC_PREFIX, "Prefix"],
  [FEC_HOST_ADDRESS, "Host address"],
  [FEC_MARTINI_VC, "Martini VC"],
]);
const IFPARM_MTU = 0x01;
const IFPARM_DESCRIPTION = 0x03;
const IFPARM_VCCV = 0x0c;
const IFPARMS = new Map([
  [IFPARM_MTU, "MTU"],
  [IFPARM_DESCRIPTION, "Description"],
  [IFPARM_VCCV, "VCCV"],
]);
const VCCV_CONTROL_CHANNELS: readonly (readonly [number, string])[] = [
  [0x01, "PWE3 control word"],
  [0x02, "MPLS Router Alert Label"],
  [0x04, "MPLS inner label TTL = 1"],
];
const VCCV_CV_TYPES: readonly (readonly [number, string])[] = [
  [0x01, "ICMP Ping"],
  [0x02, "LSP Ping"],
  [0x04, "BFD"],
];

function hex(v: number, digits: number): string {
  const s = v.toString(16);
  return s.length >= digits ? s : "00000000".slice(0, digits - s.length) + s;
}

export function ldpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ldp";
  while (length > COMMON_HEADER_LENGTH + MESSAGE_HEADER_LENGTH) {
    const taken = pduPrint(c, at);
    if (taken === 0) return;
    if (length < taken) {
      c.out += " [remaining length " + length + " < " + taken + "]";
      printInvalid(c);
      return;
    }
    length -= taken;
    at += taken;
  }
}

/** Prints one PDU; returns its length, or 0 where tcpdump stops decoding the segment. */
function pduPrint(c: PrintContext, at: number): number {
  check(c, at, COMMON_HEADER_LENGTH);
  const verbose = c.flags.verbose;
  const lead = verbose ? "\n\t" : "";
  const version = be16(c, at);
  if (version !== VERSION) {
    c.out += lead + "LDP version " + version + " packet not supported";
    return 0;
  }
  const pduLength = be16(c, at + 2);
  if (pduLength < PDU_LENGTH_MINIMUM) {
    c.out += lead + "LDP, pdu-length: " + pduLength + " (too short, < " + PDU_LENGTH_MINIMUM + ")";
    return 0;
  }
  c.out +=
    lead + "LDP, Label-Space-ID: " + ipv4String(c, at + 4) + ":" + be16(c, at + 8) + ", pdu-length: " + pduLength;
  if (!verbose) return 0;

  let p = at + COMMON_HEADER_LENGTH;
  // tcpdump keeps what is left of the PDU in 16 bits.
  let left = pduLength - PDU_LENGTH_MINIMUM;
  while (left > 0) {
    check(c, p, MESSAGE_HEADER_LENGTH);
    const typeField = be16(c, p);
    const type = typeField & 0x7fff;
    const messageLength = be16(c, p + 2);
    const name = MESSAGES.get(type) ?? "Unknown";
    const heading = "\n\t  " + name + " Message (0x" + hex(type, 4) + "), length: " + messageLength;
    if (messageLength < MESSAGE_LENGTH_MINIMUM) {
      c.out += heading + " (too short, < " + MESSAGE_LENGTH_MINIMUM + ")";
      return 0;
    }
    c.out +=
      heading +
      ", Message ID: 0x" +
      hex(be32(c, p + 4), 8) +
      ", Flags: [" +
      (typeField & 0x8000 ? "continue processing" : "ignore") +
      " if unknown]";
    let q = p + MESSAGE_HEADER_LENGTH;
    let messageLeft = messageLength - MESSAGE_LENGTH_MINIMUM;
    check(c, p, messageLength);
    if (TLV_MESSAGES.has(type)) {
      while (messageLeft >= TLV_HEADER_LENGTH) {
        const taken = tlvPrint(c, q, messageLeft);
        if (taken === 0) break;
        messageLeft -= taken;
        q += taken;
      }
    } else if (verbose <= 1) printUnknownData(c, q, "\n\t  ", messageLeft);
    if (verbose > 1) printUnknownData(c, p + MESSAGE_HEADER_LENGTH, "\n\t  ", messageLength);
    p += messageLength + 4;
    left = (left - (messageLength + 4)) & 0xffff;
  }
  return pduLength + 4;
}

/** Prints one TLV of a message with `messageLeft` bytes left; returns its size, 0 when it overruns. */
function tlvPrint(c: PrintContext, at: number, messageLeft: number): number {
  check(c, at, TLV_HEADER_LENGTH);
  const tlvLength = be16(c, at + 2);
  if (tlvLength + 4 > messageLeft) {
    c.out += "\n\t\t TLV contents go past end of message";
    return 0;
  }
  const typeField = be16(c, at);
  const type = typeField & 0x3fff;
  c.out +=
    "\n\t    " +
    (TLVS.get(type) ?? "Unknown") +
    " TLV (0x" +
    hex(type, 4) +
    "), length: " +
    tlvLength +
    ", Flags: [" +
    (typeField & 0x8000 ? "continue processing" : "ignore") +
    " and " +
    (typeField & 0x4000 ? "do" : "don't") +
    " forward if unknown]";
  const size = tlvLength + 4;
  let p = at + TLV_HEADER_LENGTH;
  let left = tlvLength;

  switch (type) {
    case TLV_COMMON_HELLO: {
      if (tooShort(c, left, 4)) break;
      const flags = be16(c, p + 2);
      c.out +=
        "\n\t      Hold Time: " +
        be16(c, p) +
        "s, Flags: [" +
        (flags & 0x8000 ? "Targeted" : "Link") +
        " Hello" +
        (flags & 0x4000 ? ", Request for targeted Hellos" : "") +
        "]";
      break;
    }
    case TLV_IPV4_TRANSPORT:
      if (tooShort(c, left, 4)) break;
      c.out += "\n\t      IPv4 Transport Address: " + ipv4String(c, p);
      break;
    case TLV_IPV6_TRANSPORT:
      if (tooShort(c, left, 16)) break;
      c.out += "\n\t      IPv6 Transport Address: " + ipv6String(c, p);
      break;
    case TLV_CONFIG_SEQUENCE:
      if (tooShort(c, left, 4)) break;
      c.out += "\n\t      Sequence Number: " + be32(c, p);
      break;
    case TLV_ADDRESS_LIST: {
      if (tooShort(c, left, 2)) break;
      const af = be16(c, p);
      p += 2;
      left -= 2;
      c.out += "\n\t      Address Family: " + afName(af, "Unknown (" + af + ")") + ", addresses";
      if (af === AF_INET) {
        for (; left >= 4; left -= 4, p += 4) c.out += " " + ipv4String(c, p);
      } else if (af === AF_INET6) {
        for (; left >= 16; left -= 16, p += 16) c.out += " " + ipv6String(c, p);
      }
      break;
    }
    case TLV_COMMON_SESSION: {
      if (tooShort(c, left, 8)) break;
      const flags = be16(c, p + 6);
      c.out +=
        "\n\t      Version: " +
        be16(c, p) +
        ", Keepalive: " +
        be16(c, p + 2) +
        "s, Flags: [Downstream " +
        (flags & 0x8000 ? "On Demand" : "Unsolicited") +
        ", Loop Detection " +
        (flags & 0x4000 ? "Enabled" : "Disabled") +
        "]";
      break;
    }
    case TLV_FEC: {
      if (tooShort(c, left, 1)) break;
      const fec = u8(c, p);
      c.out += "\n\t      " + (FECS.get(fec) ?? "Unknown") + " FEC (0x" + hex(fec, 2) + ")";
      p += 1;
      left -= 1;
      if (fec === FEC_PREFIX) {
        if (tooShort(c, left, 2)) break;
        const af = be16(c, p);
        p += 2;
        left -= 2;
        if (af === AF_INET || af === AF_INET6) {
          const v6 = af === AF_INET6;
          const [n, text] = prefixDecode(c, p, left, v6);
          // A prefix running past the TLV abandons the packet, as a truncated one does.
          if (n === -2) throw TRUNCATED;
          c.out +=
            n === -1
              ? (v6 ? ": IPv6" : ": IPv4") + " prefix (invalid length)"
              : (v6 ? ": IPv6" : ": IPv4") + " prefix " + text;
        } else c.out += ": Address family " + af + " prefix";
      } else if (fec === FEC_MARTINI_VC) martiniPrint(c, p, left);
      break;
    }
    case TLV_GENERIC_LABEL:
      if (tooShort(c, left, 4)) break;
      c.out += "\n\t      Label: " + (be32(c, p) & 0xfffff);
      break;
    case TLV_STATUS: {
      if (tooShort(c, left, 8)) break;
      const status = be32(c, p);
      c.out +=
        "\n\t      Status: 0x" +
        hex(status & 0x3fffffff, 2) +
        ", Flags: [" +
        (status & 0x80000000 ? "Fatal error" : "Advisory Notification") +
        " and " +
        (status & 0x40000000 ? "do" : "don't") +
        " forward]";
      const message = be32(c, p + 4);
      if (message !== 0) c.out += ", causing Message ID: 0x" + hex(message, 8);
      break;
    }
    case TLV_FT_SESSION: {
      if (tooShort(c, left, 12)) break;
      const flags = be16(c, p);
      c.out +=
        "\n\t      Flags: [" +
        (flags & 0x8000 ? "" : "No ") +
        "Reconnect, " +
        (flags & 0x8 ? "" : "Don't ") +
        "Save State, " +
        (flags & 0x4 ? "" : "No ") +
        "All-Label Protection, " +
        (flags & 0x2 ? "Sequence Numbered Label" : "All Labels") +
        " Checkpoint, " +
        (flags & 0x1 ? "" : "Don't ") +
        "Re-Learn State]";
      const reconnect = be32(c, p + 4);
      if (reconnect !== 0) c.out += ", Reconnect Timeout: " + reconnect + "ms";
      const recovery = be32(c, p + 8);
      if (recovery !== 0) c.out += ", Recovery Time: " + recovery + "ms";
      break;
    }
    case TLV_MTU:
      if (tooShort(c, left, 2)) break;
      c.out += "\n\t      MTU: " + be16(c, p);
      break;
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, p, "\n\t      ", left);
  }
  return size;
}

/** A value shorter than its type needs is noted, and the TLV skipped. */
function tooShort(c: PrintContext, left: number, minimum: number): boolean {
  if (left >= minimum) return false;
  c.out += " [tlv length " + left + " < " + minimum + "]";
  printInvalid(c);
  return true;
}

/** A pseudowire FEC element (RFC 4447's FEC 128) with its interface parameters. */
function martiniPrint(c: PrintContext, p: number, left: number): void {
  if (tooShort(c, left, 7)) return;
  let infoLength = u8(c, p + 2);
  const pwField = be16(c, p);
  const head =
    ": " +
    pseudowireType(pwField & 0x7fff, "Unknown") +
    ", " +
    (pwField & 0x8000 ? "" : "no ") +
    "control word, group-ID " +
    be32(c, p + 3);
  if (infoLength === 0) {
    c.out += head + ", VC-info-length: 0";
    return;
  }
  if (tooShort(c, left, 11)) return;
  c.out += head + ", VC-ID " + be32(c, p + 7) + ", VC-info-length: " + infoLength;
  if (infoLength < 4) {
    c.out += " (invalid, < 4";
    return;
  }
  infoLength -= 4;
  p += 11;
  // The caller's count of what is left moves on with the fixed part and the VC ID.
  if (tooShort(c, left - 11, infoLength)) return;
  while (infoLength > 2) {
    const type = u8(c, p);
    const length = u8(c, p + 1);
    if (length < 2 || infoLength < length) break;
    c.out +=
      "\n\t\tInterface Parameter: " + (IFPARMS.get(type) ?? "Unknown") + " (0x" + hex(type, 2) + "), len " + length;
    if (type === IFPARM_MTU) c.out += ": " + be16(c, p + 2);
    else if (type === IFPARM_DESCRIPTION) {
      c.out += ": ";
      printCountedText(c, p + 2, length - 2);
    } else if (type === IFPARM_VCCV) {
      const channels = u8(c, p + 2);
      c.out +=
        "\n\t\t  Control Channels (0x" + hex(channels, 2) + ") = [" + flagNames(VCCV_CONTROL_CHANNELS, channels) + "]";
      const types = u8(c, p + 3);
      c.out += "\n\t\t  CV Types (0x" + hex(types, 2) + ") = [" + flagNames(VCCV_CV_TYPES, types) + "]";
    } else printUnknownData(c, p + 2, "\n\t\t  ", length - 2);
    infoLength -= length;
    p += length;
  }
}
