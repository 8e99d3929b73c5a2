// IS-IS (ISO 10589, RFC 1195) behind the OSI NLPID, as tcpdump prints it without -v: the PDU type
// and its identifying fields, "IS-IS, L1 LSP, lsp-id 2222.2222.2222.00-00, seq 0x0000000f,
// lifetime  1199s, length 136". At -v every PDU's header and TLVs, sub-TLVs included, as tcpdump
// decodes them (an HMAC-MD5 signature shown unchecked, as tcpdump without a key). Other OSI
// protocols (CLNP, ES-IS) are left to the caller.

import { be16, be32, check, has, printInvalid, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String, ipv6FromBytes, ipv6String } from "./addr.js";
import { flagNames, GMPLS_LINK_PROTECTIONS, GMPLS_LSP_ENCODINGS, GMPLS_SWITCH_CAPABILITIES, ouiName } from "./names.js";
import { printUnknownData } from "./unknown.js";

export const NLPID_ISIS = 0x83;
const VERSION = 1;
const COMMON_HEADER_LENGTH = 8;
const SYSTEM_ID_LENGTH = 6;
const NODE_ID_LENGTH = 7;
const LSP_ID_LENGTH = 8;

const L1_LAN_IIH = 15;
const L2_LAN_IIH = 16;
const PTP_IIH = 17;
const L1_LSP = 18;
const L2_LSP = 20;
const L1_CSNP = 24;
const L2_CSNP = 25;
const L1_PSNP = 26;
const L2_PSNP = 27;

const PDU_NAMES = new Map([
  [L1_LAN_IIH, "L1 Lan IIH"],
  [L2_LAN_IIH, "L2 Lan IIH"],
  [PTP_IIH, "p2p IIH"],
  [L1_LSP, "L1 LSP"],
  [L2_LSP, "L2 LSP"],
  [L1_CSNP, "L1 CSNP"],
  [L2_CSNP, "L2 CSNP"],
  [L1_PSNP, "L1 PSNP"],
  [L2_PSNP, "L2 PSNP"],
]);
/** Each PDU type's fixed header length (the common header included). */
const FIXED_LENGTHS = new Map([
  [L1_LAN_IIH, 27],
  [L2_LAN_IIH, 27],
  [PTP_IIH, 20],
  [L1_LSP, 27],
  [L2_LSP, 27],
  [L1_CSNP, 33],
  [L2_CSNP, 33],
  [L1_PSNP, 17],
  [L2_PSNP, 17],
]);

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/** A system id (xxxx.xxxx.xxxx), node id (.xx after it) or LSP id (.xx-xx after it). */
function isisId(c: PrintContext, at: number, length: number): string {
  check(c, at, length);
  let s = "";
  for (let i = 0; i < SYSTEM_ID_LENGTH; i++) {
    s += hex2(c.bytes[at + i]!);
    if (i === 1 || i === 3) s += ".";
  }
  if (length >= NODE_ID_LENGTH) s += "." + hex2(c.bytes[at + SYSTEM_ID_LENGTH]!);
  if (length === LSP_ID_LENGTH) s += "-" + hex2(c.bytes[at + NODE_ID_LENGTH]!);
  return s;
}

/**
 * Prints the OSI packet at `at` (its first byte the NLPID) when it is IS-IS; false, with nothing
 * printed, for another OSI protocol.
 */
export function osiPrint(c: PrintContext, at: number, length: number): boolean {
  if (at >= c.snapend || c.bytes[at] !== NLPID_ISIS) return false;
  if (c.flags.linkHeader) c.out += "OSI NLPID IS-IS (0x83): ";
  if (!isisPrint(c, at, length)) printUnknownData(c, at, "\n\t", length);
  return true;
}

/**
 * Prints the IS-IS PDU at `at`; false when tcpdump gives up on it (then the caller dumps the PDU in
 * hex, as tcpdump does).
 */
function isisPrint(c: PrintContext, at: number, length: number): boolean {
  c.protocol = "isis";
  const e = c.flags.linkHeader;
  if (!has(c, at, COMMON_HEADER_LENGTH) || length < COMMON_HEADER_LENGTH) {
    printTrunc(c);
    return true;
  }
  if (!e) c.out += "IS-IS";
  const version = u8(c, at + 2);
  if (version !== VERSION) {
    c.out += "version " + version + " packet not supported";
    return false;
  }
  const idLength = u8(c, at + 3);
  if (idLength !== SYSTEM_ID_LENGTH && idLength !== 0) {
    c.out += "system ID length of " + idLength + " is not supported";
    return false;
  }
  const pduVersion = u8(c, at + 5);
  if (pduVersion !== VERSION) {
    c.out += "version " + pduVersion + " packet not supported";
    return false;
  }
  const fixedLength = u8(c, at + 1);
  if (length < fixedLength) {
    c.out += "fixed header length " + fixedLength + " > packet length " + length;
    return false;
  }
  if (fixedLength < COMMON_HEADER_LENGTH) {
    c.out += "fixed header length " + fixedLength + " < minimum header size " + COMMON_HEADER_LENGTH;
    return false;
  }
  if (u8(c, at + 7) === 255) {
    c.out += "bad packet -- 255 areas";
    return false;
  }
  const pduType = u8(c, at + 4);
  if (c.flags.verbose) return isisPrintVerbose(c, at, length, pduType, fixedLength);
  c.out += (e ? "" : ", ") + (PDU_NAMES.get(pduType) ?? "unknown PDU-Type " + pduType);
  const expected = FIXED_LENGTHS.get(pduType);
  if (expected === undefined) {
    c.out += ", length " + length;
    return true;
  }
  if (fixedLength !== expected) {
    c.out += bogusFixedLength(pduType, fixedLength, expected);
    return false;
  }
  // tcpdump's own check: " [|isis]", and the packet is still dumped without its link header.
  if (!has(c, at, expected) || length < expected) {
    printTrunc(c);
    return true;
  }
  const p = at + COMMON_HEADER_LENGTH;
  switch (pduType) {
    case L1_LAN_IIH:
    case L2_LAN_IIH:
      c.out += ", src-id " + isisId(c, p + 1, SYSTEM_ID_LENGTH);
      c.out += ", lan-id " + isisId(c, p + 12, NODE_ID_LENGTH) + ", prio " + u8(c, p + 11);
      c.out += ", length " + length;
      break;
    case PTP_IIH:
      c.out += ", src-id " + isisId(c, p + 1, SYSTEM_ID_LENGTH) + ", length " + length;
      break;
    case L1_LSP:
    case L2_LSP:
      c.out += ", lsp-id " + isisId(c, p + 4, LSP_ID_LENGTH);
      c.out +=
        ", seq 0x" +
        be32(c, p + 12)
          .toString(16)
          .padStart(8, "0");
      c.out += ", lifetime " + String(be16(c, p + 2)).padStart(5) + "s";
      c.out += ", length " + length;
      break;
    default:
      // CSNP and PSNP: the sender's node id.
      c.out += ", src-id " + isisId(c, p + 2, NODE_ID_LENGTH) + ", length " + length;
  }
  return true;
}

function bogusFixedLength(pduType: number, fixedLength: number, expected: number): string {
  // tcpdump's PSNP message starts with a dash, and its LSP one names the header without the common part.
  const lead = pduType === L1_PSNP || pduType === L2_PSNP ? "- " : ", ";
  const should = pduType === L1_LSP || pduType === L2_LSP ? expected - COMMON_HEADER_LENGTH : expected;
  return lead + "bogus fixed header length " + fixedLength + " should be " + should;
}

const CIRCUIT_TYPES = new Map([
  [1, "Level 1 only"],
  [2, "Level 2 only"],
  [3, "Level 1, Level 2"],
]);
const circuitType = (v: number): string => CIRCUIT_TYPES.get(v) ?? "unknown circuit type 0x" + hex2(v);

const LSP_IS_TYPES = ["Unused 0x0 (invalid)", "L1 IS", "Unused 0x2 (invalid)", "L2 IS"];

/**
 * The ISO 8473 (Fletcher) checksum check tcpdump appends: " (correct)", " (incorrect should be
 * 0x....)", or " (unverified)" when the checksum is zero or its bytes are not all captured.
 */
function osiChecksumVerdict(c: PrintContext, at: number, checksum: number, offset: number, length: number): string {
  if (checksum === 0 || length < offset || !has(c, at + offset, 2) || !has(c, at, length)) return " (unverified)";
  let c0 = 0;
  let c1 = 0;
  const b = c.bytes;
  for (let i = 0; i < length; i++) {
    if (i !== offset && i !== offset + 1) c0 += b[at + i]!;
    c1 += c0;
  }
  c0 %= 255;
  c1 %= 255;
  const weighted = Math.imul(length - offset, c0);
  let x = (weighted - c0 - c1) | 0;
  let y = (c1 - weighted - 1) | 0;
  if (y >= 0) y++;
  if (x < 0) x--;
  x %= 255;
  y %= 255;
  if (x === 0) x = 255;
  if (y === 0) y = 255;
  const computed = ((x << 8) | (y & 0xff)) & 0xffff;
  return computed === checksum ? " (correct)" : " (incorrect should be 0x" + hex4(computed) + ")";
}

const TLV_AREA_ADDR = 1;
const TLV_IS_REACH = 2;
const TLV_ES_NEIGH = 3;
const TLV_PREFIX_NEIGH = 5;
const TLV_CHECKSUM = 12;
const TLV_POI = 13;
const TLV_IDRP_INFO = 131;
const TLV_SHARED_RISK_GROUP = 138;
const TLV_MT_IS_REACH = 222;
const TLV_MT_SUPPORTED = 229;
const TLV_IP6ADDR = 232;
const TLV_MT_IP_REACH = 235;
const TLV_MT_IP6_REACH = 237;
const TLV_IIH_SEQNR = 241;
const TLV_VENDOR_PRIVATE = 250;
const TLV_EXT_IS_REACH = 22;
const TLV_IS_ALIAS_ID = 24;
const TLV_EXTD_IP_REACH = 135;
const TLV_IP6_REACH = 236;
const TLV_ROUTER_CAPABILITY = 242;
const TLV_INT_IP_REACH = 128;
const TLV_EXT_IP_REACH = 130;
const TLV_PART_DIS = 4;
const TLV_ISNEIGH = 6;
const TLV_INSTANCE_ID = 7;
const TLV_PADDING = 8;
const TLV_LSP = 9;
const TLV_LSP_BUFFERSIZE = 14;
const TLV_PROTOCOLS = 129;
const TLV_IPADDR = 132;
const TLV_TE_ROUTER_ID = 134;
const TLV_HOSTNAME = 137;
const TLV_AUTH = 10;
const TLV_MT_PORT_CAP = 143;
const TLV_MT_CAPABILITY = 144;
const TLV_RESTART_SIGNALING = 211;
const TLV_PTP_ADJ = 240;

const TLV_NAMES = new Map([
  [1, "Area address(es)"],
  [2, "IS Reachability"],
  [3, "ES Neighbor(s)"],
  [4, "Partition DIS"],
  [5, "Prefix Neighbors"],
  [6, "IS Neighbor(s)"],
  [7, "Instance Identifier"],
  [8, "Padding"],
  [9, "LSP entries"],
  [10, "Authentication"],
  [12, "Checksum"],
  [13, "Purge Originator Identifier"],
  [14, "LSP Buffersize"],
  [22, "Extended IS Reachability"],
  [24, "IS Alias ID"],
  [42, "DECnet Phase IV"],
  [66, "Lucent Proprietary"],
  [128, "IPv4 Internal Reachability"],
  [129, "Protocols supported"],
  [130, "IPv4 External Reachability"],
  [131, "Inter-Domain Information Type"],
  [132, "IPv4 Interface address(es)"],
  [133, "IPv4 authentication (deprecated)"],
  [134, "Traffic Engineering Router ID"],
  [135, "Extended IPv4 Reachability"],
  [137, "Hostname"],
  [138, "Shared Risk Link Group"],
  [143, "Multi-Topology-Aware Port Capability"],
  [144, "Multi-Topology Capability"],
  [176, "Nortel Proprietary"],
  [177, "Nortel Proprietary"],
  [211, "Restart Signaling"],
  [222, "Multi Topology IS Reachability"],
  [229, "Multi Topology"],
  [232, "IPv6 Interface address(es)"],
  [235, "Multi-Topology IPv4 Reachability"],
  [236, "IPv6 reachability"],
  [237, "Multi-Topology IP6 Reachability"],
  [240, "Point-to-point Adjacency State"],
  [241, "Hello PDU Sequence Number"],
  [242, "IS-IS Router Capability"],
  [250, "Vendor Private"],
]);

const NLPIDS = new Map([
  [0x00, "NULL"],
  [0x08, "Q.933"],
  [0x09, "LMI"],
  [0x80, "SNAP"],
  [0x81, "CLNP"],
  [0x82, "ES-IS"],
  [0x83, "IS-IS"],
  [0x84, "CONS"],
  [0x85, "IDRP"],
  [0xc1, "ISIS_SPB"],
  [0xb1, "FRF.15"],
  [0xcc, "IPv4"],
  [0xcf, "PPP"],
  [0x8a, "X25 ES-IS"],
  [0x8e, "IPv6"],
]);

const PTP_ADJACENCY_STATES = new Map([
  [0, "Up"],
  [1, "Initializing"],
  [2, "Down"],
]);

const RESTART_FLAGS: readonly [number, string][] = [
  [0x1, "Restart Request"],
  [0x2, "Restart Acknowledgement"],
  [0x4, "Suppress adjacency advertisement"],
];

const hex8 = (v: number): string => v.toString(16).padStart(8, "0");

/** An NSAP address as tcpdump writes it: "49.000a", or its complaint about the length. */
function nsapString(c: PrintContext, at: number, length: number): string {
  check(c, at, length);
  if (length < 1 || length > 20) return "isonsap_string: illegal length";
  let s = "";
  for (let i = 0; i < length; i++) {
    s += hex2(c.bytes[at + i]!);
    if ((i & 1) === 0 && i + 1 < length) s += ".";
  }
  return s;
}

/**
 * A NUL-padded label as tcpdump prints it: printable ASCII as is, other bytes escaped, stopping at
 * the first NUL; the characters before the readable end are printed before truncation is thrown.
 */
function printLabel(c: PrintContext, at: number, length: number): void {
  for (let i = 0; i < length; i++) {
    let b = u8(c, at + i);
    if (b === 0) return;
    if (b > 0x7f) {
      c.out += "M-";
      b &= 0x7f;
    }
    c.out += b < 0x20 || b === 0x7f ? "^" + String.fromCharCode(b ^ 0x40) : String.fromCharCode(b);
  }
}

/** The -v decoding: the PDU's header fields, then its TLVs one a line. */
function isisPrintVerbose(c: PrintContext, at: number, length: number, pduType: number, fixedLength: number): boolean {
  const vv = c.flags.verbose > 1;
  const maxAreaField = u8(c, at + 7);
  const idField = u8(c, at + 3);
  c.out += (c.flags.linkHeader ? "" : ", ") + "length " + length;
  c.out +=
    "\n\t" +
    (PDU_NAMES.get(pduType) ?? "unknown, type " + pduType) +
    ", hlen: " +
    fixedLength +
    ", v: " +
    VERSION +
    ", pdu-v: " +
    VERSION +
    ", sys-id-len: " +
    SYSTEM_ID_LENGTH +
    " (" +
    idField +
    "), max-area: " +
    (maxAreaField === 0 ? 3 : maxAreaField) +
    " (" +
    maxAreaField +
    ")";
  if (vv) printUnknownData(c, at, "\n\t", COMMON_HEADER_LENGTH);
  const expected = FIXED_LENGTHS.get(pduType);
  const p = at + COMMON_HEADER_LENGTH;
  if (expected === undefined) {
    printUnknownData(c, p, "\n\t  ", length);
    return false;
  }
  if (fixedLength !== expected) {
    c.out += bogusFixedLength(pduType, fixedLength, expected);
    return false;
  }
  if (!has(c, at, expected) || length < expected) {
    printTrunc(c);
    return true;
  }
  let pduLength: number;
  switch (pduType) {
    case L1_LAN_IIH:
    case L2_LAN_IIH:
      pduLength = be16(c, p + 9);
      c.out += "\n\t  source-id: " + isisId(c, p + 1, SYSTEM_ID_LENGTH) + ",  holding time: " + be16(c, p + 7);
      c.out += "s, Flags: [" + circuitType(u8(c, p)) + "]";
      c.out += "\n\t  lan-id:    " + isisId(c, p + 12, NODE_ID_LENGTH) + ", Priority: " + (u8(c, p + 11) & 0x7f);
      c.out += ", PDU length: " + pduLength;
      break;
    case PTP_IIH:
      pduLength = be16(c, p + 9);
      c.out += "\n\t  source-id: " + isisId(c, p + 1, SYSTEM_ID_LENGTH) + ", holding time: " + be16(c, p + 7);
      c.out += "s, Flags: [" + circuitType(u8(c, p)) + "]";
      c.out += "\n\t  circuit-id: 0x" + hex2(u8(c, p + 11)) + ", PDU length: " + pduLength;
      break;
    case L1_CSNP:
    case L2_CSNP:
      pduLength = be16(c, p);
      c.out += "\n\t  source-id:    " + isisId(c, p + 2, NODE_ID_LENGTH) + ", PDU length: " + pduLength;
      c.out += "\n\t  start lsp-id: " + isisId(c, p + 9, LSP_ID_LENGTH);
      c.out += "\n\t  end lsp-id:   " + isisId(c, p + 17, LSP_ID_LENGTH);
      break;
    case L1_PSNP:
    case L2_PSNP:
      pduLength = be16(c, p);
      c.out += "\n\t  source-id:    " + isisId(c, p + 2, NODE_ID_LENGTH) + ", PDU length: " + pduLength;
      break;
    default: {
      // LSPs: the checksum covers the PDU from the LSP id on, the lifetime left out.
      pduLength = be16(c, p);
      const checksum = be16(c, p + 16);
      c.out += "\n\t  lsp-id: " + isisId(c, p + 4, LSP_ID_LENGTH) + ", seq: 0x" + hex8(be32(c, p + 12));
      c.out += ", lifetime: " + String(be16(c, p + 2)).padStart(5) + "s\n\t  chksum: 0x" + hex4(checksum);
      const covered = (length > pduLength ? pduLength : length) - 12;
      c.out += osiChecksumVerdict(c, p + 4, checksum, 12, covered);
      const typeBlock = u8(c, p + 18);
      c.out += ", PDU length: " + pduLength + ", Flags: [ " + (typeBlock & 0x4 ? "Overload bit set, " : "");
      if (typeBlock & 0x78) {
        if (typeBlock & 0x8) c.out += "default ";
        if (typeBlock & 0x10) c.out += "delay ";
        if (typeBlock & 0x20) c.out += "expense ";
        if (typeBlock & 0x40) c.out += "error ";
        c.out += "ATT bit set, ";
      }
      if (typeBlock & 0x80) c.out += "P bit set, ";
      c.out += LSP_IS_TYPES[typeBlock & 3] + " ]";
    }
  }
  if (vv) printUnknownData(c, p, "\n\t  ", expected - COMMON_HEADER_LENGTH);
  // The TLVs run to the PDU length when it is shorter than the packet.
  if (length > pduLength) length = pduLength;
  if (length < expected) {
    c.out += " [packet length " + length + " < " + expected + "]";
    printInvalid(c);
    return true;
  }
  printTlvs(c, at + expected, length - expected, at, length);
  return true;
}

function printTlvs(c: PrintContext, at: number, remaining: number, pdu: number, pduLength: number): void {
  const vv = c.flags.verbose > 1;
  while (remaining > 0) {
    if (!has(c, at, 2) || remaining < 2) {
      printTrunc(c);
      return;
    }
    const type = u8(c, at);
    const tlvLength = u8(c, at + 1);
    at += 2;
    remaining -= 2;
    c.out += "\n\t    " + (TLV_NAMES.get(type) ?? "unknown") + " TLV #" + type + ", length: " + tlvLength;
    if (remaining < tlvLength) {
      printTrunc(c);
      return;
    }
    if (!printTlv(c, type, at, tlvLength, pdu, pduLength)) return;
    if (vv) printUnknownData(c, at, "\n\t      ", tlvLength);
    at += tlvLength;
    remaining -= tlvLength;
  }
}

/** One TLV's contents; false when the packet ends inside it (truncation already printed). */
function printTlv(c: PrintContext, type: number, at: number, length: number, pdu: number, pduLength: number): boolean {
  const end = at + length;
  let p = at;
  switch (type) {
    case TLV_AREA_ADDR:
      while (p < end) {
        const areaLength = u8(c, p++);
        if (end - p < areaLength) return true;
        c.out += "\n\t      Area address (length: " + areaLength + "): " + nsapString(c, p, areaLength);
        p += areaLength;
      }
      return true;
    case TLV_ISNEIGH:
      while (p < end) {
        if (end - p < 6) return true;
        if (!has(c, p, 6)) return softTrunc(c);
        c.out += "\n\t      SNPA: " + snpaString(c, p);
        p += 6;
      }
      return true;
    case TLV_INSTANCE_ID: {
      if (length < 4) return true;
      const count = (length - 2) >> 1;
      c.out += "\n\t      Instance ID: " + be16(c, p) + ", ITIDs(" + count + ")" + (count ? ":" : "") + " ";
      p += 2;
      for (let i = 0; i < count; i++) {
        c.out += be16(c, p) + (i < count - 1 ? ", " : "");
        p += 2;
      }
      return true;
    }
    case TLV_PADDING:
      return true;
    case TLV_IS_REACH:
      if (length < 1) return true;
      c.out += "\n\t      " + (IS_REACH_VIRTUAL.get(u8(c, p)) ?? "bogus virtual flag 0x" + hex2(u8(c, p)));
      p++;
      while (p < end) {
        if (end - p < 11) return true;
        if (!has(c, p, 11)) return softTrunc(c);
        c.out += "\n\t      IS Neighbor: " + isisId(c, p + 4, NODE_ID_LENGTH) + metricBlockText(c, p);
        p += 11;
      }
      return true;
    case TLV_ES_NEIGH:
      while (p < end) {
        if (end - p < 10) return true;
        if (!has(c, p, 10)) return softTrunc(c);
        c.out += "\n\t      ES Neighbor: " + isisId(c, p + 4, SYSTEM_ID_LENGTH) + metricBlockText(c, p);
        p += 10;
      }
      return true;
    case TLV_MT_IS_REACH:
      if (end - p < 2) return softTrunc(c);
      c.out += mtIdText(c, p);
      return printExtendedIsReachList(c, p + 2, end, type);
    case TLV_EXT_IS_REACH:
    case TLV_IS_ALIAS_ID:
      return printExtendedIsReachList(c, p, end, type);
    case TLV_MT_IP_REACH:
    case TLV_MT_IP6_REACH:
      if (end - p < 2) return softTrunc(c);
      c.out += mtIdText(c, p);
      return printExtendedIpReachList(c, p + 2, end, type === TLV_MT_IP6_REACH);
    case TLV_EXTD_IP_REACH:
    case TLV_IP6_REACH:
      return printExtendedIpReachList(c, p, end, type === TLV_IP6_REACH);
    case TLV_MT_SUPPORTED:
      while (p < end) {
        if (end - p === 1) {
          c.out += "\n\t      invalid MT-ID";
          return true;
        }
        c.out += mtIdText(c, p);
        p += 2;
      }
      return true;
    case TLV_IP6ADDR:
      while (p < end) {
        if (end - p < 16) return true;
        c.out += "\n\t      IPv6 interface address: " + ipv6String(c, p);
        p += 16;
      }
      return true;
    case TLV_PREFIX_NEIGH:
      if (length < 4) return true;
      if (!has(c, p, 4)) return softTrunc(c);
      c.out += "\n\t      Metric Block" + metricBlockText(c, p);
      p += 4;
      while (p < end) {
        const semiOctets = u8(c, p++);
        if (semiOctets < 2) {
          c.out += "\n\t\tAddress: prefix length " + semiOctets + " < 2";
          return true;
        }
        if (end - p < semiOctets >> 1) return true;
        c.out += "\n\t\tAddress: " + nsapString(c, p, semiOctets >> 1) + "/" + semiOctets * 4;
        p += semiOctets >> 1;
      }
      return true;
    case TLV_CHECKSUM: {
      if (length < 2) return true;
      if (!has(c, p, 2)) return softTrunc(c);
      const checksum = be16(c, p);
      c.out += "\n\t      checksum: 0x" + hex4(checksum) + " ";
      c.out += osiChecksumVerdict(c, pdu, checksum, p - pdu, pduLength);
      return true;
    }
    case TLV_POI: {
      if (length < 1) return true;
      const count = u8(c, p++);
      if (count === 0) {
        c.out += " No system IDs supplied";
        return true;
      }
      if (end - p < SYSTEM_ID_LENGTH) return true;
      if (!has(c, p, SYSTEM_ID_LENGTH)) return softTrunc(c);
      c.out += "\n\t      Purge Originator System-ID: " + isisId(c, p, SYSTEM_ID_LENGTH);
      p += SYSTEM_ID_LENGTH;
      if (count > 1) {
        if (end - p < SYSTEM_ID_LENGTH) return true;
        // tcpdump checks one byte more than the second id.
        if (!has(c, p, 2 * SYSTEM_ID_LENGTH + 1)) return softTrunc(c);
        c.out += "\n\t      Received from System-ID: " + isisId(c, p, SYSTEM_ID_LENGTH);
      }
      return true;
    }
    case TLV_IDRP_INFO: {
      if (length < 1) return true;
      const kind = u8(c, p++);
      c.out += "\n\t      Inter-Domain Information Type: " + (IDRP_TYPES.get(kind) ?? "Unknown (0x" + hex2(kind) + ")");
      if (kind === 2) {
        if (end - p >= 2) c.out += "AS Number: " + be16(c, p);
      } else printUnknownData(c, p, "\n\t      ", end - p);
      return true;
    }
    case TLV_SHARED_RISK_GROUP:
      if (length < NODE_ID_LENGTH) return true;
      if (!has(c, p, NODE_ID_LENGTH)) return softTrunc(c);
      c.out += "\n\t      IS Neighbor: " + isisId(c, p, NODE_ID_LENGTH);
      p += NODE_ID_LENGTH;
      if (end - p < 1) return true;
      c.out += ", Flags: [" + (u8(c, p++) & 1 ? "numbered" : "unnumbered") + "]";
      if (end - p < 4) return true;
      c.out += "\n\t      IPv4 interface address: " + ipv4String(c, p);
      p += 4;
      if (end - p < 4) return true;
      c.out += "\n\t      IPv4 neighbor address: " + ipv4String(c, p);
      p += 4;
      while (p < end) {
        if (end - p < 4) return true;
        c.out += "\n\t      Link-ID: 0x" + hex8(be32(c, p));
        p += 4;
      }
      return true;
    case TLV_IIH_SEQNR:
      if (length >= 4) c.out += "\n\t      Sequence number: " + be32(c, p);
      return true;
    case TLV_VENDOR_PRIVATE: {
      if (length < 3) return true;
      const oui = (u8(c, p) << 16) | be16(c, p + 1);
      c.out += "\n\t      Vendor: " + ouiName(oui) + " (" + oui + ")";
      if (length > 3) printUnknownData(c, p + 3, "\n\t\t", length - 3);
      return true;
    }
    case TLV_ROUTER_CAPABILITY: {
      if (length < 5) {
        c.out += " [object length " + length + " < 5]";
        printInvalid(c);
        return true;
      }
      c.out += "\n\t      Router-ID " + ipv4String(c, p);
      const flags = u8(c, p + 4);
      let names = flags & 1 ? "S bit" : "";
      if (flags & 2) names += (names ? ", " : "") + "D bit";
      c.out += ", Flags [" + (names || "none") + "]";
      if (length > 5) return printRouterCapabilitySubTlvs(c, p + 5, length - 5);
      return true;
    }
    case TLV_INT_IP_REACH:
    case TLV_EXT_IP_REACH:
      // tcpdump ends the packet quietly on a short or cut entry.
      while (p < end) {
        if (end - p < 12) {
          c.out += "short IPv4 Reachability (" + (end - p) + " vs 12)";
          return false;
        }
        if (!has(c, p, 12)) return false;
        printIpReachEntry(c, p);
        p += 12;
      }
      return true;
    case TLV_LSP:
      while (p < end) {
        if (end - p < 16) return true;
        if (!has(c, p + 2, LSP_ID_LENGTH)) return softTrunc(c);
        c.out += "\n\t      lsp-id: " + isisId(c, p + 2, LSP_ID_LENGTH);
        c.out += ", seq: 0x" + hex8(be32(c, p + 10));
        c.out += ", lifetime: " + String(be16(c, p)).padStart(5) + "s";
        c.out += ", chksum: 0x" + hex4(be16(c, p + 14));
        p += 16;
      }
      return true;
    case TLV_LSP_BUFFERSIZE:
      if (length >= 2) c.out += "\n\t      LSP Buffersize: " + be16(c, p);
      return true;
    case TLV_PART_DIS:
      while (p < end) {
        if (end - p < SYSTEM_ID_LENGTH) return true;
        if (!has(c, p, SYSTEM_ID_LENGTH)) return softTrunc(c);
        c.out += "\n\t      " + isisId(c, p, SYSTEM_ID_LENGTH);
        p += SYSTEM_ID_LENGTH;
      }
      return true;
    case TLV_PROTOCOLS:
      c.out += "\n\t      NLPID(s): ";
      while (p < end) {
        const nlpid = u8(c, p++);
        c.out += (NLPIDS.get(nlpid) ?? "unknown") + " (0x" + hex2(nlpid) + ")" + (p < end ? ", " : "");
      }
      return true;
    case TLV_IPADDR:
      while (p < end) {
        if (end - p < 4) return true;
        c.out += "\n\t      IPv4 interface address: " + ipv4String(c, p);
        p += 4;
      }
      return true;
    case TLV_TE_ROUTER_ID:
      if (length >= 4) c.out += "\n\t      Traffic Engineering Router ID: " + ipv4String(c, p);
      return true;
    case TLV_HOSTNAME:
      c.out += "\n\t      Hostname: ";
      printLabel(c, p, length);
      return true;
    case TLV_RESTART_SIGNALING: {
      if (length < 1) return true;
      if (!has(c, p, 1)) return softTrunc(c);
      const flags = u8(c, p);
      c.out += "\n\t      Flags [" + flagNames(RESTART_FLAGS, flags) + "]";
      if (length < 3) return true;
      if (!has(c, p + 1, 2)) return softTrunc(c);
      c.out += ", Remaining holding time " + be16(c, p + 1) + "s";
      if (length !== 3 + SYSTEM_ID_LENGTH) return true;
      if (!has(c, p + 3, SYSTEM_ID_LENGTH)) return softTrunc(c);
      c.out += ", for " + isisId(c, p + 3, SYSTEM_ID_LENGTH);
      return true;
    }
    case TLV_MT_PORT_CAP:
      if (length < 2) return true;
      c.out += "\n\t       RES: " + (be16(c, p) >> 12) + ", MTID(s): " + (be16(c, p) & 0xfff);
      if (length > 2) printPortCapabilitySubTlvs(c, p + 2, length - 2);
      return true;
    case TLV_MT_CAPABILITY: {
      if (length < 2) return true;
      const v = be16(c, p);
      c.out += "\n\t      O: " + ((v >> 15) & 1) + ", RES: " + ((v >> 12) & 7) + ", MTID(s): " + (v & 0xfff);
      if (length > 2) printMtCapabilitySubTlvs(c, p + 2, length - 2);
      return true;
    }
    case TLV_AUTH: {
      if (length < 1) return true;
      const authType = u8(c, p);
      p++;
      c.out += "\n\t      " + (AUTH_TYPES.get(authType) ?? "unknown Authentication type 0x" + hex2(authType)) + ": ";
      switch (authType) {
        case AUTH_SIMPLE:
          printLabel(c, p, end - p);
          return true;
        case AUTH_GENERIC:
          if (end - p < 2) return true;
          c.out += be16(c, p) + ", password: ";
          for (p += 2; p < end; p++) c.out += hex2(u8(c, p));
          return true;
        case AUTH_MD5:
          for (; p < end; p++) c.out += hex2(u8(c, p));
          if (length - 1 !== 16) c.out += ", (invalid subTLV) ";
          // tcpdump checks the HMAC only with a key given (-M), which dump does not take.
          c.out += " (unchecked)";
          return true;
        default:
          printUnknownData(c, p, "\n\t\t  ", end - p);
          return true;
      }
    }
    case TLV_PTP_ADJ: {
      let left = length;
      if (left >= 1) {
        const state = u8(c, p);
        c.out += "\n\t      Adjacency State: " + (PTP_ADJACENCY_STATES.get(state) ?? "unknown") + " (" + state + ")";
        left--;
      }
      // The fields sit at fixed offsets whatever is present before them.
      if (left > 4) {
        c.out += "\n\t      Extended Local circuit-ID: 0x" + hex8(be32(c, p + 1));
        left -= 4;
      }
      if (left >= SYSTEM_ID_LENGTH) {
        if (!has(c, p + 5, SYSTEM_ID_LENGTH)) return softTrunc(c);
        c.out += "\n\t      Neighbor System-ID: " + isisId(c, p + 5, SYSTEM_ID_LENGTH);
        left -= SYSTEM_ID_LENGTH;
      }
      if (left >= 4) c.out += "\n\t      Neighbor Extended Local circuit-ID: 0x" + hex8(be32(c, p + 11));
      return true;
    }
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, at, "\n\t\t", length);
      return true;
  }
}

/**
 * Truncation found by a bounds check rather than a read: tcpdump then ends the packet normally,
 * which matters for where its hex dump starts.
 */
function softTrunc(c: PrintContext): false {
  printTrunc(c);
  return false;
}

/** A MAC address the way IS-IS prints ids: xxxx.xxxx.xxxx. */
function snpaString(c: PrintContext, at: number): string {
  return isisId(c, at, SYSTEM_ID_LENGTH);
}

const SUBTLV_SPB_MCID = 4;
const SUBTLV_SPB_DIGEST = 5;
const SUBTLV_SPB_BVID = 6;
const SPB_MCID_LENGTH = 51;
const SPB_DIGEST_LENGTH = 33;
const PORT_CAPABILITY_SUBTLV_NAMES = new Map([
  [SUBTLV_SPB_MCID, "SPB MCID"],
  [SUBTLV_SPB_DIGEST, "SPB Digest"],
  [SUBTLV_SPB_BVID, "SPB BVID"],
]);

/** An SPB MST configuration id: format, name, revision level and digest. */
function printMcid(c: PrintContext, at: number): void {
  if (!has(c, at, SPB_MCID_LENGTH)) {
    printTrunc(c);
    return;
  }
  c.out += "ID: " + u8(c, at) + ", Name: ";
  printLabel(c, at + 1, 32);
  c.out += "\n\t              Lvl: " + be16(c, at + 33) + ", Digest: ";
  for (let i = 0; i < 16; i++) c.out += hex2(u8(c, at + 35 + i)) + " ";
}

/**
 * The sub-TLVs of the MT port capability TLV (RFC 6165/6329). A problem inside them ends this TLV
 * only: tcpdump goes on with the next one.
 */
function printPortCapabilitySubTlvs(c: PrintContext, at: number, length: number): void {
  while (length > 2) {
    const type = u8(c, at);
    let subLength = u8(c, at + 1);
    c.out += "\n\t       " + (PORT_CAPABILITY_SUBTLV_NAMES.get(type) ?? "unknown") + " subTLV #" + type;
    c.out += ", length: " + subLength;
    at += 2;
    length -= 2;
    if (length < subLength) {
      c.out += " (> containing TLV length)";
      return;
    }
    if (!has(c, at, subLength)) {
      printTrunc(c);
      return;
    }
    switch (type) {
      case SUBTLV_SPB_MCID:
        if (subLength < 2 * SPB_MCID_LENGTH) {
          c.out += " (too short)";
          return;
        }
        c.out += "\n\t         MCID: ";
        printMcid(c, at);
        c.out += "\n\t         AUX-MCID: ";
        printMcid(c, at + SPB_MCID_LENGTH);
        at += 2 * SPB_MCID_LENGTH;
        length -= 2 * SPB_MCID_LENGTH;
        subLength -= 2 * SPB_MCID_LENGTH;
        break;
      case SUBTLV_SPB_DIGEST: {
        if (subLength < SPB_DIGEST_LENGTH) {
          c.out += " (too short)";
          return;
        }
        const flags = u8(c, at);
        c.out += "\n\t        RES: " + (flags >> 5) + " V: " + ((flags >> 4) & 1) + " A: " + ((flags >> 2) & 3);
        c.out += " D: " + (flags & 3) + "\n\t         Digest: ";
        for (let i = 0; i < 8; i++) {
          c.out += hex8(be32(c, at + 1 + 4 * i)) + " ";
          if (i === 3) c.out += "\n\t                 ";
        }
        at += SPB_DIGEST_LENGTH;
        length -= SPB_DIGEST_LENGTH;
        subLength -= SPB_DIGEST_LENGTH;
        break;
      }
      case SUBTLV_SPB_BVID:
        while (subLength !== 0) {
          if (subLength < 4) {
            c.out += " (too short)";
            return;
          }
          c.out += "\n\t           ECT: " + hex8(be32(c, at));
          at += 4;
          length -= 4;
          subLength -= 4;
          if (subLength < 2) {
            c.out += " (too short)";
            return;
          }
          const v = be16(c, at);
          c.out +=
            " BVID: " + (v >> 4) + ", U:" + ((v >> 3) & 1).toString(16) + " M:" + ((v >> 2) & 1).toString(16) + " ";
          at += 2;
          length -= 2;
          subLength -= 2;
        }
        break;
    }
    at += subLength;
    length -= subLength;
  }
}

const IS_REACH_VIRTUAL = new Map([
  [0, "IsNotVirtual"],
  [1, "IsVirtual"],
]);

const metricText = (v: number): string => (v & 0x3f) + ", " + (v & 0x40 ? "External" : "Internal");

/** The four ISO 10589 metrics: the default always, the others when their "not supported" bit is clear. */
function metricBlockText(c: PrintContext, at: number): string {
  let s = ", Default Metric: " + metricText(u8(c, at));
  if (!(u8(c, at + 1) & 0x80)) s += "\n\t\t  Delay Metric: " + metricText(u8(c, at + 1));
  if (!(u8(c, at + 2) & 0x80)) s += "\n\t\t  Expense Metric: " + metricText(u8(c, at + 2));
  if (!(u8(c, at + 3) & 0x80)) s += "\n\t\t  Error Metric: " + metricText(u8(c, at + 3));
  return s;
}

/** A contiguous mask's prefix length, or -1. */
function prefixLength(mask: number): number {
  const inverted = ~mask >>> 0;
  return (inverted & (inverted + 1)) === 0 ? Math.clz32(inverted) : -1;
}

/** One entry of the RFC 1195 IP reachability TLVs: metrics, prefix and mask. */
function printIpReachEntry(c: PrintContext, at: number): void {
  const indent = "\n\t      ";
  const plen = prefixLength(be32(c, at + 8));
  if (plen === -1) c.out += indent + "IPv4 prefix: " + ipv4String(c, at + 4) + " mask " + ipv4String(c, at + 8);
  else c.out += indent + "IPv4 prefix: " + ipv4String(c, at + 4).padStart(15) + "/" + plen;
  const metric = u8(c, at);
  c.out += ", Distribution: " + (metric & 0x80 ? "down" : "up") + ", Metric: " + metricText(metric);
  if (!(u8(c, at + 1) & 0x80)) c.out += indent + "  Delay Metric: " + metricText(u8(c, at + 1));
  if (!(u8(c, at + 2) & 0x80)) c.out += indent + "  Expense Metric: " + metricText(u8(c, at + 2));
  if (!(u8(c, at + 3) & 0x80)) c.out += indent + "  Error Metric: " + metricText(u8(c, at + 3));
}

/**
 * One neighbor of the extended IS reachability TLVs (22, and 24 without its metric): the bytes it
 * takes, 0 when cut (tcpdump then ends the packet with "[|isis]").
 */
function printExtendedIsReach(c: PrintContext, at: number, type: number, remaining: number): number {
  if (!has(c, at, NODE_ID_LENGTH) || remaining < NODE_ID_LENGTH) return 0;
  c.out += "\n\t      IS Neighbor: " + isisId(c, at, NODE_ID_LENGTH);
  let p = at + NODE_ID_LENGTH;
  remaining -= NODE_ID_LENGTH;
  if (type !== TLV_IS_ALIAS_ID) {
    if (!has(c, p, 3) || remaining < 3) return 0;
    c.out += ", Metric: " + ((u8(c, p) << 16) | be16(c, p + 1));
    p += 3;
    remaining -= 3;
  }
  if (!has(c, p, 1) || remaining < 1) return 0;
  const subTlvLength = u8(c, p++);
  remaining--;
  c.out += ", " + (subTlvLength ? "" : "no ") + "sub-TLVs present";
  if (!subTlvLength) return p - at;
  c.out += " (" + subTlvLength + ")";
  return printIsReachSubTlvs(c, p, subTlvLength, remaining, p - at);
}

const IS_REACH_SUBTLV_NAMES = new Map([
  [3, "Administrative groups"],
  [4, "Link Local/Remote Identifier"],
  [5, "Link Remote Identifier"],
  [6, "IPv4 interface address"],
  [8, "IPv4 neighbor address"],
  [9, "Maximum link bandwidth"],
  [10, "Reservable link bandwidth"],
  [11, "Unreserved bandwidth"],
  [18, "Traffic Engineering Metric"],
  [19, "Link Attribute"],
  [20, "Link Protection Type"],
  [21, "Interface Switching Capability"],
  [12, "Bandwidth Constraints (old)"],
  [22, "Bandwidth Constraints"],
  [32, "LAN Adjacency Segment Identifier"],
  [29, "SPB Metric"],
  [250, "Reserved for cisco specific extensions"],
  [251, "Reserved for cisco specific extensions"],
  [252, "Reserved for cisco specific extensions"],
  [253, "Reserved for cisco specific extensions"],
  [254, "Reserved for cisco specific extensions"],
  [255, "Reserved for future expansion"],
]);
const LINK_ATTRIBUTES: readonly [number, string][] = [
  [0x01, "Local Protection Available"],
  [0x02, "Link excluded from local protection path"],
  [0x04, "Local maintenance required"],
];
const BANDWIDTH_MODELS = new Map([
  [0, "Russian dolls"],
  [1, "Maximum allocation"],
  [2, "Maximum allocation with E-LSP support"],
]);

const TSC_INDICATIONS = new Map([
  [0, "Standard SONET/SDH"],
  [1, "Arbitrary SONET/SDH"],
]);

const LAN_ADJ_SID_FLAGS: readonly [number, string][] = [
  [0x80, "Address family IPv6"],
  [0x40, "Backup"],
  [0x20, "Value"],
  [0x10, "Local significance"],
  [0x08, "Set of adjacencies"],
  [0x04, "Persistent"],
];

const FLOAT_VIEW = new DataView(new ArrayBuffer(4));

/** A bandwidth in bytes per second (an IEEE float) as tcpdump shows it: Mbit/s, single precision. */
function mbps(c: PrintContext, at: number): string {
  const raw = be32(c, at);
  FLOAT_VIEW.setUint32(0, raw);
  const bytesPerSecond = FLOAT_VIEW.getFloat32(0);
  return fixed3(Math.fround(Math.fround(bytesPerSecond * 8) / 1000000), raw >>> 31 === 1) + " Mbps";
}

/**
 * C's "%.3f" of a single-precision value: "inf"/"nan" with their sign, every integer digit, and
 * ties rounded to even (toFixed rounds them up and turns to exponents from 1e21).
 */
function fixed3(x: number, negativeNaN: boolean): string {
  if (Number.isNaN(x)) return (negativeNaN ? "-" : "") + "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  // Exact in a double: a float's 24-bit mantissa times 1000 needs fewer than 53 bits.
  const scaled = a * 1000;
  let units = Math.floor(scaled);
  const rest = scaled - units;
  if (rest > 0.5 || (rest === 0.5 && units % 2 === 1)) units++;
  if (a >= 1e15) return sign + BigInt(a).toString() + ".000";
  const digits = String(units).padStart(4, "0");
  return sign + digits.slice(0, -3) + "." + digits.slice(-3);
}

/**
 * The sub-TLVs of one extended IS reachability entry (RFC 5305 and its extensions). Returns the
 * entry's bytes as tcpdump counts them, 0 when cut. tcpdump's
 * count of what is left of the TLV does not shrink for the bytes a decoder reads itself: kept so.
 */
function printIsReachSubTlvs(c: PrintContext, at: number, sum: number, remaining: number, used: number): number {
  const indent = "\n\t        ";
  while (sum !== 0) {
    if (!has(c, at, 2)) return 0;
    if (remaining < 2) {
      c.out += indent + "Remaining data in TLV shorter than a subTLV header";
      return used + remaining;
    }
    if (sum < 2) {
      c.out += indent + "Remaining data in subTLVs shorter than a subTLV header";
      return used + sum;
    }
    const type = u8(c, at);
    let length = u8(c, at + 1);
    at += 2;
    remaining -= 2;
    sum -= 2;
    used += 2;
    c.out += indent + (IS_REACH_SUBTLV_NAMES.get(type) ?? "unknown") + " subTLV #" + type + ", length: " + length;
    if (sum < length) {
      c.out += " (remaining data in subTLVs shorter than the current subTLV)";
      return used + sum;
    }
    if (remaining < length) {
      c.out += " (> remaining tlv length)";
      return used + remaining;
    }
    if (!has(c, at, length)) return 0;
    // Bytes a decoder below consumes itself (tcpdump moves on from there).
    let taken = 0;
    switch (type) {
      case 3:
      case 4:
      case 5:
        if (length >= 4) {
          c.out += ", 0x" + hex8(be32(c, at));
          if (length === 8) c.out += ", 0x" + hex8(be32(c, at + 4));
        }
        break;
      case 6:
      case 8:
        if (length >= 4) c.out += ", " + ipv4String(c, at);
        break;
      case 9:
      case 10:
        if (length >= 4) c.out += ", " + mbps(c, at);
        break;
      case 11:
        if (length >= 32) {
          for (let i = 0; i < 8; i++) c.out += indent + "  TE-Class " + i + ": " + mbps(c, at + 4 * i);
          taken = 32;
        }
        break;
      case 12:
      case 22: {
        if (length === 0) break;
        const model = u8(c, at);
        c.out +=
          indent + "Bandwidth Constraints Model ID: " + (BANDWIDTH_MODELS.get(model) ?? "unknown") + " (" + model + ")";
        taken = 1;
        for (let i = 0; length - taken >= 4; i++) {
          c.out += indent + "  Bandwidth constraint CT" + i + ": " + mbps(c, at + taken);
          taken += 4;
        }
        break;
      }
      case 18:
        if (length >= 3) c.out += ", " + ((u8(c, at) << 16) | be16(c, at + 1));
        break;
      case 19:
        if (length === 2) {
          const v = be16(c, at);
          c.out += ", [ " + flagNames(LINK_ATTRIBUTES, v, "Unknown") + " ] (0x" + hex4(v) + ")";
        }
        break;
      case 20:
        if (length >= 2) c.out += ", " + flagNames(GMPLS_LINK_PROTECTIONS, u8(c, at)) + ", Priority " + u8(c, at + 1);
        break;
      case 29:
        if (length >= 6) {
          c.out += ", LM: " + ((u8(c, at) << 16) | be16(c, at + 1)) + ", P: " + u8(c, at + 3);
          c.out += ", P-ID: " + be16(c, at + 4);
          taken = 4;
        }
        break;
      case 32:
        if (length >= 8) {
          const flags = u8(c, at);
          c.out += indent + "  Flags: [" + flagNames(LAN_ADJ_SID_FLAGS, flags) + "]";
          c.out += indent + "  Weight: " + u8(c, at + 1);
          taken = 2;
          if (length - taken >= SYSTEM_ID_LENGTH) {
            if (!has(c, at + 2, SYSTEM_ID_LENGTH)) return 0;
            c.out += indent + "  Neighbor System-ID: " + isisId(c, at + 2, SYSTEM_ID_LENGTH);
          }
          // RFC 8667 2.2.2: V and L set, a 3-byte label; both clear, a 4-byte index.
          const valueFlag = (flags & 0x20) !== 0;
          const localFlag = (flags & 0x10) !== 0;
          if (valueFlag && localFlag) c.out += indent + "  Label: " + ((u8(c, at + 8) << 16) | be16(c, at + 9));
          else if (!valueFlag && !localFlag) c.out += indent + "  Index: " + be32(c, at + 8);
          else printInvalid(c);
        }
        break;
      case 21:
        if (length >= 36) {
          const capability = u8(c, at);
          c.out +=
            indent + "  Interface Switching Capability:" + (GMPLS_SWITCH_CAPABILITIES.get(capability) ?? "Unknown");
          c.out += ", LSP Encoding: " + (GMPLS_LSP_ENCODINGS.get(u8(c, at + 1)) ?? "Unknown");
          c.out += indent + "  Max LSP Bandwidth:";
          for (let i = 0; i < 8; i++) c.out += indent + "    priority level " + i + ": " + mbps(c, at + 4 + 4 * i);
          taken = 36;
          const rest = at + 36;
          const left = length - 36;
          if (capability >= 1 && capability <= 4) {
            if (left >= 6) {
              c.out += indent + "  Min LSP Bandwidth: " + mbps(c, rest);
              c.out += indent + "  Interface MTU: " + be16(c, rest + 4);
            }
          } else if (capability === 100) {
            if (left >= 8) {
              const indication = u8(c, rest + 4);
              c.out += indent + "  Min LSP Bandwidth: " + mbps(c, rest);
              c.out += indent + "  Indication " + (TSC_INDICATIONS.get(indication) ?? "Unknown (" + indication + ")");
            }
          } else if (left !== 0) printUnknownData(c, rest, "\n\t\t    ", left);
        }
        break;
      default:
        printUnknownData(c, at, "\n\t\t    ", length);
    }
    sum -= length;
    used += length;
    at += length;
    remaining -= length - taken;
  }
  return used;
}

const IDRP_TYPES = new Map([
  [0, "Reserved"],
  [1, "Routing-Domain Specific"],
  [2, "AS Number Tag"],
]);

const MT_NAMES = new Map([
  [0, "IPv4 unicast"],
  [1, "In-Band Management"],
  [2, "IPv6 unicast"],
  [3, "Multicast"],
  [4095, "Development, Experimental or Proprietary"],
]);

/** A multi-topology id (RFC 5120) with its flags, on its own line. */
function mtIdText(c: PrintContext, at: number): string {
  const v = be16(c, at);
  const id = v & 0xfff;
  let flags = v & 0x4000 ? "ATT bit set" : "";
  if (v & 0x8000) flags += (flags ? ", " : "") + "Overload bit set";
  return (
    "\n\t      " +
    (MT_NAMES.get(id) ?? "Reserved for IETF Consensus") +
    " Topology (0x" +
    id.toString(16).padStart(3, "0") +
    "), Flags: [" +
    (flags || "none") +
    "]"
  );
}

/** The neighbors of an extended IS reachability TLV, one after the other; false to end the packet. */
function printExtendedIsReachList(c: PrintContext, p: number, end: number, type: number): boolean {
  while (p < end) {
    const used = printExtendedIsReach(c, p, type, end - p);
    if (used === 0) return softTrunc(c);
    if (end - p < used) {
      c.out += " [remaining tlv length " + (end - p) + " < " + used + "]";
      printInvalid(c);
      return true;
    }
    p += used;
  }
  return true;
}

/** The prefixes of an extended IP reachability TLV; false to end the packet. */
function printExtendedIpReachList(c: PrintContext, p: number, end: number, ipv6: boolean): boolean {
  while (p < end) {
    const used = printExtendedIpReach(c, p, ipv6);
    if (used === 0) return softTrunc(c);
    if (end - p < used) {
      c.out += " [remaining tlv length " + (end - p) + " < " + used + "]";
      printInvalid(c);
      return true;
    }
    p += used;
  }
  return true;
}

/** The stored bytes of a prefix, zero-filled to an address. */
const PREFIX_SCRATCH = new Uint8Array(16);

/**
 * One prefix of the extended IPv4 (135) or IPv6 (236) reachability TLVs: the bytes it takes, 0
 * after a bad prefix length or a cut.
 */
function printExtendedIpReach(c: PrintContext, at: number, ipv6: boolean): number {
  const metric = be32(c, at);
  let p = at + 4;
  const status = u8(c, p);
  let bits: number;
  if (ipv6) {
    bits = u8(c, p + 1);
    if (bits > 128) {
      c.out += "\n\t      IPv6 prefix: bad bit length " + bits;
      return 0;
    }
    p += 2;
  } else {
    bits = status & 0x3f;
    if (bits > 32) {
      c.out += "\n\t      IPv4 prefix: bad bit length " + bits;
      return 0;
    }
    p++;
  }
  const bytes = (bits + 7) >> 3;
  check(c, p, bytes);
  const prefix = PREFIX_SCRATCH;
  prefix.fill(0);
  for (let i = 0; i < bytes; i++) prefix[i] = c.bytes[p + i]!;
  p += bytes;
  if (ipv6) c.out += "\n\t      IPv6 prefix: " + ipv6FromBytes(prefix, 0) + "/" + bits;
  else {
    const text = prefix[0] + "." + prefix[1] + "." + prefix[2] + "." + prefix[3];
    c.out += "\n\t      IPv4 prefix: " + text.padStart(15) + "/" + bits;
  }
  c.out += ", Distribution: " + (status & 0x80 ? "down" : "up") + ", Metric: " + metric;
  const hasSubTlvs = ipv6 ? (status & 0x20) !== 0 : (status & 0x40) !== 0;
  if (ipv6) c.out += ", " + (status & 0x40 ? "External" : "Internal") + (hasSubTlvs ? ", sub-TLVs present" : "");
  else if (hasSubTlvs) c.out += ", sub-TLVs present";
  if (!hasSubTlvs) return p - at;
  let sum = u8(c, p++);
  const used = p - at + sum;
  c.out += " (" + sum + ")";
  while (sum > 0) {
    const type = u8(c, p);
    const length = u8(c, p + 1);
    p += 2;
    if (!printIpReachSubTlv(c, p, type, length)) return 0;
    p += length;
    sum = (sum - (length + 2)) >>> 0;
  }
  return used;
}

const IP_REACH_SUBTLV_NAMES = new Map([
  [1, "32-Bit Administrative tag"],
  [2, "64-Bit Administrative tag"],
  [3, "Prefix SID"],
  [117, "Management Prefix Color"],
]);
const PREFIX_SID_FLAGS: readonly [number, string][] = [
  [0x80, "Readvertisement"],
  [0x40, "Node"],
  [0x20, "No-PHP"],
  [0x10, "Explicit NULL"],
  [0x08, "Value"],
  [0x04, "Local"],
];
const SID_ALGORITHMS = new Map([
  [0, "SPF"],
  [1, "strict-SPF"],
]);

/** One sub-TLV of an extended IP reachability prefix; false when cut ("[|isis]" printed). */
function printIpReachSubTlv(c: PrintContext, at: number, type: number, length: number): boolean {
  c.out += "\n\t        " + (IP_REACH_SUBTLV_NAMES.get(type) ?? "unknown") + " subTLV #" + type + ", length: " + length;
  if (!has(c, at, length)) {
    printTrunc(c);
    return false;
  }
  switch (type) {
    case 1:
    case 117:
      for (; length >= 4; length -= 4, at += 4) {
        const v = be32(c, at);
        c.out += ", 0x" + hex8(v) + " (=" + v + ")";
      }
      return true;
    case 2:
      for (; length >= 8; length -= 8, at += 8) c.out += ", 0x" + hex8(be32(c, at)) + hex8(be32(c, at + 4));
      return true;
    case 3: {
      const flags = u8(c, at);
      const algorithm = u8(c, at + 1);
      const isLabel = (flags & 0x08) !== 0;
      if (length < (isLabel ? 5 : 6)) {
        printTrunc(c);
        return false;
      }
      const sid = isLabel ? (u8(c, at + 2) << 16) | be16(c, at + 3) : be32(c, at + 2);
      c.out += ", Flags [" + flagNames(PREFIX_SID_FLAGS, flags, "None") + "], Algo ";
      c.out += (SID_ALGORITHMS.get(algorithm) ?? "Unknown") + " (" + algorithm + "), ";
      c.out += (isLabel ? "label " : "index ") + sid;
      return true;
    }
    default:
      printUnknownData(c, at, "\n\t\t    ", length);
      return true;
  }
}

const SR_CAPABILITY_FLAGS: readonly [number, string][] = [
  [0x80, "ipv4"],
  [0x40, "ipv6"],
];

/** The router capability TLV's sub-TLVs: SR capabilities (RFC 8667) decoded, others in hex. */
function printRouterCapabilitySubTlvs(c: PrintContext, at: number, length: number): boolean {
  while (length >= 2) {
    const type = u8(c, at);
    const subLength = u8(c, at + 1);
    length -= 2;
    at += 2;
    c.out += "\n\t\t" + (type === 2 ? "SR-Capabilities" : "unknown") + " subTLV #" + type + ", length: " + subLength;
    if (subLength > length) return true;
    if (!has(c, at, subLength)) return true;
    if (type === 2) printSrCapability(c, at, subLength);
    else printUnknownData(c, at, "\n\t\t", subLength);
    length -= subLength;
    at += subLength;
  }
  return true;
}

const AUTH_SIMPLE = 1;
const AUTH_GENERIC = 3;
const AUTH_MD5 = 54;
const AUTH_TYPES = new Map([
  [AUTH_SIMPLE, "simple text password"],
  [AUTH_GENERIC, "Generic Crypto key-id"],
  [AUTH_MD5, "HMAC-MD5 password"],
  [255, "Routing Domain private password"],
]);

const SUBTLV_SPB_INSTANCE = 1;
const SUBTLV_SPBM_SI = 3;
const SPB_INSTANCE_LENGTH = 19;
const SPB_VLAN_TUPLE_LENGTH = 8;

/**
 * The sub-TLVs of the MT capability TLV (RFC 6329): SPB instance with its VLAN trees, SPBM service
 * identifiers. As tcpdump, a problem inside them ends this TLV only.
 */
function printMtCapabilitySubTlvs(c: PrintContext, at: number, length: number): void {
  while (length > 2) {
    const type = u8(c, at);
    let subLength = u8(c, at + 1);
    at += 2;
    length -= 2;
    const name =
      type === SUBTLV_SPB_INSTANCE
        ? "SPB Instance"
        : type === SUBTLV_SPBM_SI
          ? "SPBM Service Identifier and Unicast Address"
          : "unknown";
    c.out += "\n\t      " + name + " subTLV #" + type + ", length: " + subLength;
    if (length < subLength) {
      c.out += " (> containing TLV length)";
      return;
    }
    if (!has(c, at, subLength)) {
      printTrunc(c);
      return;
    }
    if (type === SUBTLV_SPB_INSTANCE) {
      if (subLength < SPB_INSTANCE_LENGTH) {
        c.out += " (too short)";
        return;
      }
      c.out += "\n\t        CIST Root-ID: " + hex8(be32(c, at)) + " " + hex8(be32(c, at + 4));
      c.out += ", Path Cost: " + hex8(be32(c, at + 8)) + ", Prio: " + be16(c, at + 12);
      const v = be16(c, at + 14);
      c.out +=
        "\n\t        RES: " + (v >> 5) + ", V: " + ((v >> 4) & 1) + ", SPSource-ID: " + (be32(c, at + 14) & 0xfffff);
      let trees = u8(c, at + 18);
      c.out += ", No of Trees: " + trees.toString(16);
      at += SPB_INSTANCE_LENGTH;
      length -= SPB_INSTANCE_LENGTH;
      subLength -= SPB_INSTANCE_LENGTH;
      for (; trees > 0; trees--) {
        if (subLength < SPB_VLAN_TUPLE_LENGTH) {
          printTrunc(c);
          return;
        }
        const flags = u8(c, at);
        c.out += "\n\t         U:" + (flags >> 7) + ", M:" + ((flags >> 6) & 1) + ", A:" + ((flags >> 5) & 1);
        c.out += ", RES:" + (flags & 0x1f) + ", ECT: " + hex8(be32(c, at + 1));
        const vids = (u8(c, at + 5) << 16) | be16(c, at + 6);
        c.out += ", BVID: " + ((vids >> 12) & 0xfff) + ", SPVID: " + (vids & 0xfff);
        at += SPB_VLAN_TUPLE_LENGTH;
        length -= SPB_VLAN_TUPLE_LENGTH;
        subLength -= SPB_VLAN_TUPLE_LENGTH;
      }
    } else if (type === SUBTLV_SPBM_SI) {
      if (subLength < 8) {
        printTrunc(c);
        return;
      }
      c.out += "\n\t        BMAC: " + hex8(be32(c, at)) + hex4(be16(c, at + 4));
      const v = be16(c, at + 6);
      c.out += ", RES: " + (v >> 12) + ", VID: " + (v & 0xfff);
      at += 8;
      length -= 8;
      subLength -= 8;
      while (subLength >= 4) {
        const w = be32(c, at);
        c.out += "\n\t        T: " + (w >>> 31) + ", R: " + ((w >>> 30) & 1) + ", RES: " + ((w >>> 24) & 0x3f);
        c.out += ", ISID: " + (w & 0xffffff);
        at += 4;
        length -= 4;
        subLength -= 4;
      }
    }
    at += subLength;
    length -= subLength;
  }
}

/** SR capabilities: flags, the SRGB range and its SID/label sub-TLVs. */
function printSrCapability(c: PrintContext, at: number, length: number): void {
  const flags = u8(c, at);
  const range = (u8(c, at + 1) << 16) | be16(c, at + 2);
  c.out += ", Flags [" + flagNames(SR_CAPABILITY_FLAGS, flags, "None") + "], Range " + range;
  let p = at + 4;
  // An 8-bit count in tcpdump: a sub-TLV shorter than 4 bytes wraps it.
  let left = (length - 4) & 0xff;
  while (left >= 5) {
    const type = u8(c, p);
    const sidLength = u8(c, p + 1);
    left -= 2;
    p += 2;
    if (sidLength > left) return;
    if (type === 1) {
      if (sidLength === 3) c.out += ", SID value " + ((u8(c, p) << 16) | be16(c, p + 1));
      else if (sidLength === 4) c.out += ", SID value " + be32(c, p);
      else c.out += ", Unknown SID length" + sidLength;
    } else printUnknownData(c, p, "\n\t\t  ", sidLength);
    p += sidLength;
    left -= sidLength;
  }
}
