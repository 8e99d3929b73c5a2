// MPLS LSP ping (RFC 8029, UDP port 3503) as tcpdump prints it: "LSP-PINGv1, MPLS Echo Request,
// seq 1, length: 80", and with -v the header's codes, handle and timestamps, then its TLVs (the
// target FEC stack's sub-TLVs, downstream mappings, BFD discriminators; others as hex).

import { be16, be32, check, has, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { routeDistinguisherText } from "./bgp.js";
import { ntpTimestamp } from "./ntp.js";
import { smiEnterpriseName } from "./names.js";
import { printUnknownData } from "./unknown.js";

const HEADER_LENGTH = 32;
const VERSION = 1;
const MESSAGE_TYPES = ["", "MPLS Echo Request", "MPLS Echo Reply"];
const REPLY_MODES = [
  "",
  "Do not reply",
  "Reply via an IPv4/IPv6 UDP packet",
  "Reply via an IPv4/IPv6 UDP packet with Router Alert",
  "Reply via application level control channel",
];
const RETURN_CODES = [
  "No return code or return code contained in the Error Code TLV",
  "Malformed echo request received",
  "One or more of the TLVs was not understood",
  "Replying router is an egress for the FEC at stack depth",
  "Replying router has no mapping for the FEC at stack depth",
  "Reserved",
  "Reserved",
  "Reserved",
  "Label switched at stack-depth",
  "Label switched but no MPLS forwarding at stack-depth",
  "Mapping for this FEC is not the given label at stack depth",
  "No label entry at stack-depth",
  "Protocol not associated with interface at FEC stack depth",
  "Premature termination of ping due to label stack shrinking to a single label",
];
/** Return codes whose text ends in a stack depth: the subcode. */
const CODES_WITH_DEPTH: ReadonlySet<number> = new Set([3, 4, 8, 10, 11, 12]);

const TLV_TARGET_FEC_STACK = 1;
const TLV_DOWNSTREAM_MAPPING = 2;
const TLV_VENDOR_ENTERPRISE = 5;
const TLV_BFD_DISCRIMINATOR = 15;
const TLV_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Target FEC Stack"],
  [2, "Downstream Mapping"],
  [3, "Pad"],
  [9, "Error Code"],
  [5, "Vendor Enterprise Code"],
  [7, "Interface Label Stack"],
  [10, "Reply TOS Byte"],
  [15, "BFD Discriminator"],
  [0xfc00, "Vendor Private Code"],
]);
const SUBTLV_NAMES = [
  "Unknown",
  "LDP IPv4 prefix",
  "LDP IPv6 prefix",
  "RSVP IPv4 Session Query",
  "RSVP IPv6 Session Query",
  "Reserved",
  "VPN IPv4 prefix",
  "VPN IPv6 prefix",
  "L2 VPN endpoint",
  "FEC 128 pseudowire (old)",
  "FEC 128 pseudowire",
  "Unknown",
  "BGP labeled IPv4 prefix",
  "BGP labeled IPv6 prefix",
];
const PSEUDOWIRE_TYPES = [
  "Reserved",
  "Frame Relay DLCI (Martini Mode)",
  "ATM AAL5 SDU VCC transport",
  "ATM transparent cell transport",
  "Ethernet VLAN",
  "Ethernet",
  "Cisco-HDLC",
  "PPP",
  "SONET/SDH Circuit Emulation Service over MPLS",
  "ATM n-to-one VCC cell transport",
  "ATM n-to-one VPC cell transport",
  "IP Layer2 Transport",
  "ATM one-to-one VCC Cell Mode",
  "ATM one-to-one VPC Cell Mode",
  "ATM AAL5 PDU VCC transport",
  "Frame-Relay Port mode",
  "SONET/SDH Circuit Emulation over Packet",
  "Structure-agnostic E1 over Packet",
  "Structure-agnostic T1 (DS1) over Packet",
  "Structure-agnostic E3 over Packet",
  "Structure-agnostic T3 (DS3) over Packet",
  "CESoPSN basic mode",
  "TDMoIP basic mode",
  "CESoPSN TDM with CAS",
  "TDMoIP TDM with CAS",
  "Frame Relay DLCI",
];
const PSEUDOWIRE_IP_INTERWORKING = 0x40;
const DOWNSTREAM_ADDRESS_TYPES = ["unknown", "IPv4", "Unnumbered IPv4", "IPv6", "IPv6"];

export function pseudowireType(type: number, unknown = "unknown"): string {
  if (type === PSEUDOWIRE_IP_INTERWORKING) return "IP-interworking";
  return PSEUDOWIRE_TYPES[type] ?? unknown;
}

function hex(v: number, digits: number): string {
  return v.toString(16).padStart(digits, "0");
}

/** tcpdump's "too short" ends: the whole packet, or one TLV (which then gets a hex dump). */
const PACKET_TOO_SHORT = -1;
const TLV_TOO_SHORT = -2;

export function lspPingPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "lspping";
  if (length < HEADER_LENGTH) {
    c.out += "\n\t\t packet is too short";
    return;
  }
  check(c, at, HEADER_LENGTH);
  const version = be16(c, at);
  if (version !== VERSION) {
    c.out += "LSP-PING version " + version + " packet not supported";
    return;
  }
  const type = u8(c, at + 4);
  if (!c.flags.verbose) {
    c.out +=
      "LSP-PINGv" +
      version +
      ", " +
      (MESSAGE_TYPES[type] || "unknown (" + type + ")") +
      ", seq " +
      be32(c, at + 12) +
      ", length: " +
      length;
    return;
  }
  const mode = u8(c, at + 5);
  c.out +=
    "\n\tLSP-PINGv" +
    version +
    ", msg-type: " +
    (MESSAGE_TYPES[type] || "unknown") +
    " (" +
    type +
    "), length: " +
    length +
    "\n\t  reply-mode: " +
    (REPLY_MODES[mode] || "unknown") +
    " (" +
    mode +
    ")";
  const code = u8(c, at + 6);
  const subcode = u8(c, at + 7);
  const codeName = RETURN_CODES[code] ?? "unknown";
  c.out += "\n\t  Return Code: " + codeName + (CODES_WITH_DEPTH.has(code) ? " " + subcode : "") + " (" + code + ")";
  c.out += "\n\t  Return Subcode: (" + subcode + ")";
  c.out += "\n\t  Sender Handle: 0x" + hex(be32(c, at + 8), 8) + ", Sequence: " + be32(c, at + 12);
  c.out += "\n\t  Sender Timestamp: " + ntpTimestamp(c, at + 16) + " ";
  c.out += "Receiver Timestamp: ";
  c.out += be32(c, at + 24) === 0 && be32(c, at + 28) === 0 ? "no timestamp" : ntpTimestamp(c, at + 24);

  let p = at + HEADER_LENGTH;
  let left = length - HEADER_LENGTH;
  while (left !== 0) {
    if (left < 4) break;
    const tlvType = be16(c, p);
    let tlvLength = be16(c, p + 2);
    c.out += "\n\t  " + (TLV_NAMES.get(tlvType) ?? "Unknown") + " TLV (" + tlvType + "), length: " + tlvLength;
    if (tlvLength === 0) {
      p += 4;
      left -= 4;
      continue;
    }
    if (left < tlvLength + 4) break;
    check(c, p + 4, tlvLength);
    const verdict = tlvPrint(c, tlvType, p + 4, tlvLength);
    if (verdict === PACKET_TOO_SHORT) return;
    if (c.flags.verbose > 1 || verdict === TLV_TOO_SHORT) printUnknownData(c, p + 4, "\n\t    ", tlvLength);
    if (tlvLength % 4) {
      tlvLength += 4 - (tlvLength % 4);
      if (left < tlvLength + 4) break;
    }
    p += tlvLength + 4;
    left -= tlvLength + 4;
  }
  if (left !== 0) c.out += "\n\t\t packet is too short";
}

/** One TLV's value; TLV_TOO_SHORT to have it dumped, PACKET_TOO_SHORT to stop, or 0. */
function tlvPrint(c: PrintContext, type: number, at: number, length: number): number {
  switch (type) {
    case TLV_TARGET_FEC_STACK:
      return fecStackPrint(c, at, length);
    case TLV_DOWNSTREAM_MAPPING:
      return downstreamPrint(c, at, length);
    case TLV_BFD_DISCRIMINATOR:
      if (length < 4) return tooShort(c);
      c.out += "\n\t    BFD Discriminator 0x" + hex(be32(c, at), 8);
      return 0;
    case TLV_VENDOR_ENTERPRISE: {
      if (length < 4) return tooShort(c);
      const vendor = be32(c, at);
      c.out += "\n\t    Vendor: " + (smiEnterpriseName(vendor) ?? "Unknown") + " (0x" + hex(vendor, 4) + ")";
      return 0;
    }
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, at, "\n\t    ", length);
      return 0;
  }
}

function tooShort(c: PrintContext): number {
  c.out += "\n\t      TLV is too short";
  return TLV_TOO_SHORT;
}

function fecStackPrint(c: PrintContext, at: number, length: number): number {
  let p = at;
  let left = length;
  while (left !== 0) {
    if (left < 4) return tooShort(c);
    const type = be16(c, p);
    let subLength = be16(c, p + 2);
    const value = p + 4;
    if (left < subLength + 4) return tooShort(c);
    check(c, value, subLength);
    c.out += "\n\t    " + (SUBTLV_NAMES[type] ?? "Unknown") + " subTLV (" + type + "), length: " + subLength;
    const dump = !subTlvPrint(c, type, value, subLength);
    if (c.flags.verbose > 1 || dump) printUnknownData(c, value, "\n\t      ", subLength);
    if (subLength % 4) {
      subLength += 4 - (subLength % 4);
      if (left < subLength + 4) {
        c.out += "\n\t\t TLV is too short";
        return PACKET_TOO_SHORT;
      }
    }
    // tcpdump steps over the value but not the sub-TLV's own header: the next one is read from there.
    p += subLength;
    left -= subLength + 4;
  }
  return 0;
}

/** True when a sub-TLV's length is the `expected` one; otherwise says so. */
function lengthIs(c: PrintContext, length: number, expected: number): boolean {
  if (length === expected) return true;
  c.out += "\n\t      invalid subTLV length, should be " + expected;
  return false;
}

/** Prints a target FEC sub-TLV's value; false when it is to be dumped as hex instead. */
function subTlvPrint(c: PrintContext, type: number, at: number, length: number): boolean {
  switch (type) {
    case 1:
    case 12:
      if (!lengthIs(c, length, 5)) return false;
      c.out += "\n\t      " + ipv4String(c, at) + "/" + u8(c, at + 4);
      return true;
    case 2:
    case 13:
      if (!lengthIs(c, length, 17)) return false;
      c.out += "\n\t      " + ipv6String(c, at) + "/" + u8(c, at + 16);
      return true;
    case 3:
    case 4: {
      // An RSVP session: end point, 2 zero bytes, tunnel ID, extended tunnel ID, sender, 2 zero
      // bytes, LSP ID; the addresses are IPv4 (type 3) or IPv6 (type 4).
      const v6 = type === 4;
      const size = v6 ? 16 : 4;
      if (!lengthIs(c, length, 3 * size + 8)) return false;
      c.out +=
        "\n\t      tunnel end-point " +
        (v6 ? ipv6String(c, at) : ipv4String(c, at)) +
        ", tunnel sender " +
        (v6 ? ipv6String(c, at + 2 * size + 4) : ipv4String(c, at + 2 * size + 4)) +
        ", lsp-id 0x" +
        hex(be16(c, at + 3 * size + 6), 4) +
        "\n\t      tunnel-id 0x" +
        hex(be16(c, at + size + 2), 4) +
        ", extended tunnel-id " +
        (v6 ? ipv6String(c, at + size + 4) : ipv4String(c, at + size + 4));
      return true;
    }
    case 6:
    case 7: {
      const v6 = type === 7;
      if (!lengthIs(c, length, v6 ? 25 : 13)) return false;
      const rd = routeDistinguisherText(c, at);
      const prefix = v6 ? ipv6String(c, at + 8) : ipv4String(c, at + 8);
      c.out += "\n\t      RD: " + rd + ", " + prefix + "/" + u8(c, at + (v6 ? 24 : 12));
      return true;
    }
    case 8: {
      if (!lengthIs(c, length, 14)) return false;
      const rd = routeDistinguisherText(c, at);
      const sender = be16(c, at + 8);
      const receiver = be16(c, at + 10);
      const encapsulation = be16(c, at + 12);
      c.out +=
        "\n\t      RD: " +
        rd +
        ", Sender VE ID: " +
        sender +
        ", Receiver VE ID: " +
        receiver +
        "\n\t      Encapsulation Type: " +
        pseudowireType(encapsulation) +
        " (" +
        encapsulation +
        ")";
      return true;
    }
    case 9: {
      if (!lengthIs(c, length, 10)) return false;
      const pwType = be16(c, at + 8);
      c.out +=
        "\n\t      Remote PE: " +
        ipv4String(c, at) +
        "\n\t      PW ID: 0x" +
        hex(be32(c, at + 4), 8) +
        ", PW Type: " +
        pseudowireType(pwType) +
        " (" +
        pwType +
        ")";
      return true;
    }
    case 10: {
      if (!lengthIs(c, length, 14)) return false;
      const pwType = be16(c, at + 12);
      c.out +=
        "\n\t      Sender PE: " +
        ipv4String(c, at) +
        ", Remote PE: " +
        ipv4String(c, at + 4) +
        "\n\t      PW ID: 0x" +
        hex(be32(c, at + 8), 8) +
        ", PW Type: " +
        pseudowireType(pwType) +
        " (" +
        pwType +
        ")";
      return true;
    }
    default:
      return false;
  }
}

/** Downstream mapping: MTU, address type, addresses; the rest is dumped as hex. */
function downstreamPrint(c: PrintContext, at: number, length: number): number {
  if (length < 4) return tooShort(c);
  check(c, at, 4);
  const addressType = u8(c, at + 2);
  c.out +=
    "\n\t    MTU: " +
    be16(c, at) +
    ", Address-Type: " +
    (DOWNSTREAM_ADDRESS_TYPES[addressType] ?? "unknown") +
    " (" +
    addressType +
    ")";
  let size = 0;
  if (addressType === 1 || addressType === 2) size = 12;
  else if (addressType === 3) size = 36;
  else if (addressType === 4) size = 24;
  if (size !== 0) {
    if (length < size) return tooShort(c);
    check(c, at, size);
    if (addressType === 1) {
      c.out +=
        "\n\t    Downstream IP: " + ipv4String(c, at + 4) + "\n\t    Downstream Interface IP: " + ipv4String(c, at + 8);
    } else if (addressType === 2) {
      c.out +=
        "\n\t    Downstream IP: " +
        ipv4String(c, at + 4) +
        "\n\t    Downstream Interface Index: 0x" +
        hex(be32(c, at + 8), 8);
    } else if (addressType === 3) {
      c.out +=
        "\n\t    Downstream IP: " +
        ipv6String(c, at + 4) +
        "\n\t    Downstream Interface IP: " +
        ipv6String(c, at + 20);
    } else {
      c.out +=
        "\n\t    Downstream IP: " +
        ipv6String(c, at + 4) +
        "\n\t    Downstream Interface Index: 0x" +
        hex(be32(c, at + 20), 8);
    }
  }
  if (length - size < 4) return tooShort(c);
  if (!has(c, at + size, 4)) check(c, at + size, 4);
  // tcpdump dumps the multipath information and label stack that follow as hex.
  return TLV_TOO_SHORT;
}
