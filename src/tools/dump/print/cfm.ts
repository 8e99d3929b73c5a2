// Connectivity Fault Management (IEEE 802.1ag, EtherType 0x8902) as tcpdump prints it:
// "CFMv0 Continuity Check Message, MD Level 3, length 74"; with -v the message's fields (the
// continuity check's interval, names and sequence number, the linktrace fields, other messages in
// hex) and the TLVs after the first-TLV offset, every TLV also in hex at -vv. Lengths that do not
// fit print "packet is too short" on a line of its own; bytes cut short by the snapshot length end
// the line with " [|cfm]" (the fixed parts and TLVs are checked whole first, so such a packet keeps
// its link-layer header out of -x's dump; a field read past the end is tcpdump's generic truncation).

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String, ipv6String, macString } from "./addr.js";
import { ADDRESS_FAMILY_NAMES, flagNames, ouiName } from "./names.js";
import { hexPrint, printPaddedText, printUnknownData } from "./unknown.js";

const HEADER_LENGTH = 4;
const CCM_LENGTH = 70;
const CCM_NAMES_LENGTH = 48;
const LTM_LENGTH = 17;
const LTR_LENGTH = 6;
const TLV_HEADER_LENGTH = 3;
const MAC_LENGTH = 6;

const CCM = 1;
const LTR = 4;
const LTM = 5;
const OPCODES = [
  "",
  "Continuity Check Message",
  "Loopback Reply",
  "Loopback Message",
  "Linktrace Reply",
  "Linktrace Message",
];

/** Seconds per CCM interval code, as the single-precision values tcpdump scales. */
const CCM_INTERVALS = [0, 0.003333, 0.01, 0.1, 1, 10, 60, 600].map(Math.fround);

const MD_NAME_NONE = 1;
const MD_NAME_DNS = 2;
const MD_NAME_MAC = 3;
const MD_NAME_CHAR = 4;
const MD_NAME_FORMATS = ["IEEE 802.1", "No MD Name present", "DNS string", "MAC + 16Bit Integer", "Character string"];
const MA_NAME_CHAR = 2;
const MA_NAME_FORMATS = ["IEEE 802.1", "Primary VID", "Character string", "16Bit Integer", "RFC2685 VPN-ID"];

const LTM_FLAGS: [number, string][] = [[0x80, "Use Forwarding-DB only"]];
const LTR_FLAGS: [number, string][] = [
  [0x80, "UseFDB Only"],
  [0x40, "FwdYes"],
  [0x20, "Terminal MEP"],
];
const REPLY_ACTIONS = ["", "Exact Match", "Filtering DB", "MIP CCM DB"];

const TLV_END = 0;
const TLV_SENDER_ID = 1;
const TLV_PORT_STATUS = 2;
const TLV_INTERFACE_STATUS = 3;
const TLV_PRIVATE = 31;
const TLV_NAMES = new Map([
  [0, "End"],
  [1, "Sender ID"],
  [2, "Port status"],
  [3, "Interface status"],
  [4, "Data"],
  [5, "Reply Ingress"],
  [6, "Reply Egress"],
  [31, "Organization Specific"],
]);
const PORT_STATUSES = ["", "Blocked", "Up"];
const INTERFACE_STATUSES = ["", "Up", "Down", "Testing", "", "Dormant", "not present", "lower Layer down"];

const CHASSIS_ID_MAC = 4;
const CHASSIS_ID_NETWORK = 5;
const CHASSIS_ID_TYPES = [
  "Reserved",
  "Chassis component",
  "Interface alias",
  "Port component",
  "MAC address",
  "Network address",
  "Interface name",
  "Locally assigned",
];
/** Chassis ID types whose value is text. */
const CHASSIS_ID_TEXT: ReadonlySet<number> = new Set([1, 2, 3, 6, 7]);
const AFNUM_INET = 1;
const AFNUM_INET6 = 2;

const TOO_SHORT = "\n\t\t packet is too short";

function named(table: readonly string[], value: number, unknown = "Unknown"): string {
  return (value < table.length ? table[value] : "") || unknown;
}

const hex8 = (v: number): string => v.toString(16).padStart(8, "0");

export function cfmPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "cfm";
  if (length < HEADER_LENGTH) {
    c.out += TOO_SHORT;
    return;
  }
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  const levelVersion = u8(c, at);
  const version = levelVersion & 0x1f;
  if (version !== 0) {
    c.out += "CFMv" + version + " not supported, length " + length;
    return;
  }
  const opcode = u8(c, at + 1);
  const opcodeName = opcode >= 1 && opcode < OPCODES.length ? OPCODES[opcode] : "unknown (" + opcode + ")";
  c.out += "CFMv" + version + " " + opcodeName + ", MD Level " + (levelVersion >> 5) + ", length " + length;
  if (c.flags.verbose < 1) return;

  const flags = u8(c, at + 2);
  const firstTlvOffset = u8(c, at + 3);
  c.out += "\n\tFirst TLV offset " + firstTlvOffset;
  let p = at + HEADER_LENGTH;
  let left = length - HEADER_LENGTH;
  if (firstTlvOffset > left) {
    c.out += " (too large, must be <= " + left + ")";
    return;
  }
  switch (opcode) {
    case CCM:
      if (firstTlvOffset < CCM_LENGTH) {
        c.out += " (too small 1, must be >= " + CCM_LENGTH + ")";
        return;
      }
      if (left < CCM_LENGTH) {
        c.out += TOO_SHORT;
        return;
      }
      if (!has(c, p, CCM_LENGTH)) return printTrunc(c);
      if (!ccmPrint(c, p, flags)) return;
      break;
    case LTM:
      if (firstTlvOffset < LTM_LENGTH) {
        c.out += " (too small 4, must be >= " + LTM_LENGTH + ")";
        return;
      }
      if (left < LTM_LENGTH) {
        c.out += TOO_SHORT;
        return;
      }
      if (!has(c, p, LTM_LENGTH)) return printTrunc(c);
      c.out += ", Flags [" + flagNames(LTM_FLAGS, flags) + "]";
      c.out += "\n\t  Transaction-ID 0x" + hex8(be32(c, p)) + ", ttl " + u8(c, p + 4);
      c.out += "\n\t  Original-MAC " + macString(c, p + 5) + ", Target-MAC " + macString(c, p + 11);
      break;
    case LTR: {
      if (firstTlvOffset < LTR_LENGTH) {
        c.out += " (too small 5, must be >= " + LTR_LENGTH + ")";
        return;
      }
      if (left < LTR_LENGTH) {
        c.out += TOO_SHORT;
        return;
      }
      if (!has(c, p, LTR_LENGTH)) return printTrunc(c);
      c.out += ", Flags [" + flagNames(LTR_FLAGS, flags) + "]";
      c.out += "\n\t  Transaction-ID 0x" + hex8(be32(c, p)) + ", ttl " + u8(c, p + 4);
      const action = u8(c, p + 5);
      c.out += "\n\t  Replay-Action " + named(REPLY_ACTIONS, action) + " (" + action + ")";
      break;
    }
    default:
      // No decoder for the message itself: tcpdump shows as many bytes as the TLVs take.
      printUnknownData(c, p, "\n\t  ", left - firstTlvOffset);
  }
  p += firstTlvOffset;
  left -= firstTlvOffset;
  tlvsPrint(c, p, left);
}

/** The continuity check's fields; false where tcpdump stops at a name length that does not fit. */
function ccmPrint(c: PrintContext, p: number, flags: number): boolean {
  const interval = flags & 0x07;
  c.out += ", Flags [CCM Interval " + interval + (flags & 0x80 ? ", RDI" : "") + "]";
  if (interval) {
    const base = CCM_INTERVALS[interval]!;
    c.out += "\n\t  CCM Interval " + base.toFixed(3) + "s, min CCM Lifetime " + (base * 3.25).toFixed(3);
    c.out += "s, max CCM Lifetime " + (base * 3.5).toFixed(3) + "s";
  }
  c.out += "\n\t  Sequence Number 0x" + hex8(be32(c, p)) + ", MA-End-Point-ID 0x";
  c.out += hex4(be16(c, p + 4));
  let n = p + 6;
  let remaining = CCM_NAMES_LENGTH;
  const mdFormat = u8(c, n);
  n++;
  remaining--;
  if (mdFormat !== MD_NAME_NONE) {
    const mdLength = u8(c, n);
    n++;
    remaining--;
    c.out += "\n\t  MD Name Format " + named(MD_NAME_FORMATS, mdFormat) + " (" + mdFormat + "), MD Name length ";
    c.out += mdLength;
    // Room must be left for the MA name's format, length and one byte.
    if (mdLength > remaining - 3) {
      c.out += " (too large, must be <= " + (remaining - 2) + ")";
      return false;
    }
    c.out += "\n\t  MD Name: ";
    if (mdFormat === MD_NAME_DNS || mdFormat === MD_NAME_CHAR) printPaddedText(c, n, mdLength);
    else if (mdFormat === MD_NAME_MAC) {
      c.out += mdLength === MAC_LENGTH ? "\n\t  MAC " + macString(c, n) : "\n\t  MAC (length invalid)";
    } else printUnknownData(c, n, "\n\t    ", mdLength);
    n += mdLength;
    remaining -= mdLength;
  } else {
    c.out += "\n\t  MD Name Format " + named(MD_NAME_FORMATS, mdFormat) + " (" + mdFormat + ")";
  }
  const maFormat = u8(c, n);
  const maLength = u8(c, n + 1);
  n += 2;
  remaining -= 2;
  c.out += "\n\t  MA Name-Format " + named(MA_NAME_FORMATS, maFormat) + " (" + maFormat + "), MA name length ";
  c.out += maLength;
  if (maLength > remaining) {
    c.out += " (too large, must be <= " + remaining + ")";
    return false;
  }
  c.out += "\n\t  MA Name: ";
  if (maFormat === MA_NAME_CHAR) printPaddedText(c, n, maLength);
  else printUnknownData(c, n, "\n\t    ", maLength);
  return true;
}

function tlvsPrint(c: PrintContext, p: number, left: number): void {
  while (left > 0) {
    const type = u8(c, p);
    c.out += "\n\t" + (TLV_NAMES.get(type) ?? "Unknown") + " TLV (0x" + type.toString(16).padStart(2, "0") + ")";
    if (type === TLV_END) return;
    if (left < TLV_HEADER_LENGTH) {
      c.out += TOO_SHORT;
      return;
    }
    if (!has(c, p, TLV_HEADER_LENGTH)) return printTrunc(c);
    let tlvLength = be16(c, p + 1);
    c.out += ", length " + tlvLength;
    p += TLV_HEADER_LENGTH;
    left -= TLV_HEADER_LENGTH;
    const value = p;
    if (left < tlvLength) {
      c.out += TOO_SHORT;
      return;
    }
    if (!has(c, p, tlvLength)) return printTrunc(c);
    let hexdump = false;
    switch (type) {
      case TLV_PORT_STATUS:
      case TLV_INTERFACE_STATUS: {
        if (tlvLength < 1) {
          c.out += " (too short, must be >= 1)";
          return;
        }
        const status = u8(c, p);
        const names = type === TLV_PORT_STATUS ? PORT_STATUSES : INTERFACE_STATUSES;
        c.out += ", Status: " + named(names, status) + " (" + status + ")";
        break;
      }
      case TLV_PRIVATE: {
        if (tlvLength < 4) {
          c.out += " (too short, must be >= 4)";
          return;
        }
        const oui = (u8(c, p) << 16) | be16(c, p + 1);
        c.out += ", Vendor: " + ouiName(oui) + " (" + oui + "), Sub-Type " + u8(c, p + 3);
        hexdump = true;
        break;
      }
      case TLV_SENDER_ID: {
        // tcpdump walks the sender ID with the TLV's own cursor, and moves on from where that stops.
        const r = senderIdPrint(c, p, left, tlvLength);
        if (r === undefined) return;
        p = r.p;
        left = r.left;
        tlvLength = r.tlvLength;
        if (r.skipHexdump) {
          p += tlvLength;
          left -= tlvLength;
          continue;
        }
        hexdump = r.hexdump;
        break;
      }
      default:
        hexdump = true;
    }
    if (hexdump || c.flags.verbose > 1) printUnknownData(c, value, "\n\t  ", tlvLength);
    p += tlvLength;
    left -= tlvLength;
  }
}

interface SenderIdState {
  p: number;
  left: number;
  tlvLength: number;
  hexdump: boolean;
  /** The TLV ended early ("TLV too short"): no hex dump, straight to the next one. */
  skipHexdump: boolean;
}

/** Reused for every sender ID TLV, so decoding one allocates nothing but its text. */
const senderId: SenderIdState = { p: 0, left: 0, tlvLength: 0, hexdump: false, skipHexdump: false };

/** The sender ID TLV; undefined where tcpdump stops printing the packet. */
function senderIdPrint(c: PrintContext, p: number, left: number, tlvLength: number): SenderIdState | undefined {
  const s = senderId;
  s.p = p;
  s.left = left;
  s.tlvLength = tlvLength;
  s.hexdump = false;
  s.skipHexdump = false;
  if (s.tlvLength < 1) {
    c.out += " (too short, must be >= 1)";
    s.skipHexdump = true;
    return s;
  }
  const chassisLength = u8(c, s.p);
  s.p++;
  s.left--;
  s.tlvLength--;
  if (chassisLength) {
    if (s.tlvLength < 1) {
      c.out += "\n\t  (TLV too short)";
      s.skipHexdump = true;
      return s;
    }
    const chassisType = u8(c, s.p);
    s.tlvLength--;
    c.out += "\n\t  Chassis-ID Type " + named(CHASSIS_ID_TYPES, chassisType) + " (" + chassisType + ")";
    c.out += ", Chassis-ID length " + chassisLength;
    if (s.tlvLength < chassisLength) {
      // The type byte was counted but not stepped over: tcpdump goes on one byte early.
      c.out += "\n\t  (TLV too short)";
      s.skipHexdump = true;
      return s;
    }
    if (chassisType === CHASSIS_ID_MAC) {
      if (chassisLength !== MAC_LENGTH) {
        c.out += " (invalid MAC address length)";
        s.hexdump = true;
      } else c.out += "\n\t  MAC " + macString(c, s.p + 1);
    } else if (chassisType === CHASSIS_ID_NETWORK) {
      if (networkAddressPrint(c, s.p + 1, chassisLength)) s.hexdump = true;
    } else if (CHASSIS_ID_TEXT.has(chassisType)) printPaddedText(c, s.p + 1, chassisLength);
    else s.hexdump = true;
    s.tlvLength -= chassisLength;
    s.p += 1 + chassisLength;
    s.left -= 1 + chassisLength;
  }
  if (s.tlvLength === 0) return s;
  const domainLength = u8(c, s.p);
  s.p++;
  s.left--;
  s.tlvLength--;
  c.out += "\n\t  Management Address Domain Length " + domainLength;
  if (!domainLength) return s;
  if (s.tlvLength < domainLength) {
    c.out += "\n\t  (TLV too short)";
    s.skipHexdump = true;
    return s;
  }
  s.tlvLength -= domainLength;
  hexPrint(c, "\n\t  Management Address Domain: ", s.p, domainLength);
  s.p += domainLength;
  s.left -= domainLength;
  if (s.tlvLength < 1) {
    c.out += " (Management Address Length is missing)";
    s.hexdump = true;
    return s;
  }
  const addressLength = u8(c, s.p);
  s.p++;
  s.left--;
  s.tlvLength--;
  c.out += "\n\t  Management Address Length " + addressLength;
  if (!addressLength) return s;
  if (s.tlvLength < addressLength) {
    c.out += "\n\t  (TLV too short)";
    return undefined;
  }
  s.tlvLength -= addressLength;
  hexPrint(c, "\n\t  Management Address: ", s.p, addressLength);
  s.p += addressLength;
  s.left -= addressLength;
  return s;
}

/** A chassis ID network address; true when tcpdump follows it with a hex dump. */
function networkAddressPrint(c: PrintContext, at: number, length: number): boolean {
  if (length < 1) {
    c.out += "\n\t  Network Address Type (invalid, no data";
    return false;
  }
  const family = u8(c, at);
  c.out += "\n\t  Network Address Type " + (ADDRESS_FAMILY_NAMES.get(family) ?? "Unknown") + " (" + family + ")";
  if (family === AFNUM_INET) {
    if (length !== 5) {
      c.out += "(invalid IPv4 address length " + (length - 1) + ")";
      return true;
    }
    c.out += ", " + ipv4String(c, at + 1);
    return false;
  }
  if (family === AFNUM_INET6) {
    if (length !== 17) {
      c.out += "(invalid IPv6 address length " + (length - 1) + ")";
      return true;
    }
    c.out += ", " + ipv6String(c, at + 1);
    return false;
  }
  return true;
}
