// PIM (RFC 7761, RFC 3973, RFC 5015) as tcpdump prints it: "PIMv2, Hello, length 34" without -v,
// and the version line of other versions. With -v the PIMv2 message type goes on a line of its
// own after the length, then the checksum verdict and the message: hello options, join/prune
// groups and sources, the register's flags and the packet it carries, bootstrap, assert,
// candidate-RP, prune refresh and DF election fields. -vv adds hello address lists and hex dumps
// of the hello options. PIMv1, which travels inside IGMP, is printed by pimv1Print after IGMP's
// "igmp pimv1".
//
// tcpdump stops a message it finds too short with " [|pimv2]" and carries on normally (so -x
// still leaves the link-level header out): trunc() below; reads it does not guard unwind.

import { be16, be32, finishChecksum, has, onesComplementSum, printTrunc, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, ipv6String } from "./addr.js";
import { encapsulated } from "./encapsulated.js";
import { ipv6PseudoSum } from "./pseudo-header.js";
import { relativeTime } from "./relative-time.js";
import { printUnknownData } from "./unknown.js";

const PIMV2_TYPES = [
  "Hello",
  "Register",
  "Register Stop",
  "Join / Prune",
  "Bootstrap",
  "Assert",
  "Graft",
  "Graft Acknowledgement",
  "Candidate RP Advertisement",
  "Prune Refresh",
  "DF Election",
  "ECMP Redirect",
];

const HELLO = 0;
const REGISTER = 1;
const REGISTER_STOP = 2;
const JOIN_PRUNE = 3;
const BOOTSTRAP = 4;
const ASSERT = 5;
const GRAFT = 6;
const GRAFT_ACK = 7;
const CANDIDATE_RP = 8;
const PRUNE_REFRESH = 9;
const DF_ELECTION = 10;

const IPPROTO_PIM = 103;

const OPTION_HOLDTIME = 1;
const OPTION_LAN_PRUNE_DELAY = 2;
const OPTION_DR_PRIORITY_OLD = 18;
const OPTION_DR_PRIORITY = 19;
const OPTION_GENERATION_ID = 20;
const OPTION_REFRESH_CAPABILITY = 21;
const OPTION_BIDIR_CAPABILITY = 22;
const OPTION_ADDRESS_LIST = 24;
const OPTION_ADDRESS_LIST_OLD = 65001;

const HELLO_OPTIONS = new Map([
  [OPTION_HOLDTIME, "Hold Time"],
  [OPTION_LAN_PRUNE_DELAY, "LAN Prune Delay"],
  [OPTION_DR_PRIORITY_OLD, "DR Priority (Old)"],
  [OPTION_DR_PRIORITY, "DR Priority"],
  [OPTION_GENERATION_ID, "Generation ID"],
  [OPTION_REFRESH_CAPABILITY, "State Refresh Capability"],
  [OPTION_BIDIR_CAPABILITY, "Bi-Directional Capability"],
  [OPTION_ADDRESS_LIST, "Address List"],
  [OPTION_ADDRESS_LIST_OLD, "Address List (Old)"],
]);

const DF_BACKOFF = 3;
const DF_PASS = 4;
const DF_SUBTYPES = ["", "Offer", "Winner", "Backoff", "Pass"];

const enum AddressKind {
  Unicast,
  Group,
  Source,
}

export function pimPrint(c: PrintContext, at: number, length: number, ipAt: number, ipVersion: 4 | 6): void {
  c.protocol = "pim";
  const typeVersion = u8(c, at);
  const version = typeVersion >> 4;
  if (version !== 2) {
    c.out += "PIMv" + version + ", length " + length;
    return;
  }
  const type = PIMV2_TYPES[typeVersion & 0xf] ?? "Unknown Type";
  if (!c.flags.verbose) {
    c.out += "PIMv2, " + type + ", length " + length;
    return;
  }
  c.out += "PIMv2, length " + length + "\n\t" + type;
  pimv2Print(c, at, length, ipAt, ipVersion);
}

function trunc(c: PrintContext): void {
  c.out += " [|pimv2]";
}

/**
 * An encoded address (RFC 7761 4.9) of `kind` at `at`, with `len` bytes left in the message;
 * returns its size, or -1 when it is malformed or cut short (the caller then prints the marker).
 * A non-zero `addressLength` is the older RFC 2117 encoding: bare addresses of that size.
 */
function addressPrint(c: PrintContext, at: number, len: number, kind: AddressKind, addressLength: number): number {
  let size: number;
  let header: number;
  if (addressLength === 0) {
    if (len < 2) return -1;
    const family = u8(c, at);
    if (family === 1) size = 4;
    else if (family === 2) size = 16;
    else return -1;
    if (u8(c, at + 1) !== 0) return -1;
    header = 2;
  } else {
    if (addressLength !== 4 && addressLength !== 16) return -1;
    size = addressLength;
    header = 0;
  }
  at += header;
  len -= header;
  if (kind === AddressKind.Unicast) {
    if (len < size || !has(c, at, size)) return -1;
    c.out += size === 4 ? ipv4String(c, at) : ipv6String(c, at);
    return header + size;
  }
  if (len < size + 2 || !has(c, at, size + 2)) return -1;
  const mask = u8(c, at + 1);
  c.out += size === 4 ? ipv4String(c, at + 2) : ipv6String(c, at + 2);
  if (mask !== size * 8) c.out += "/" + mask;
  const flags = u8(c, at);
  if (flags) {
    if (kind === AddressKind.Group) c.out += "(0x" + hex2(flags) + ")";
    else {
      // Sparse, wildcard and RPT bits, then any reserved bits set.
      c.out += "(" + (flags & 4 ? "S" : "") + (flags & 2 ? "W" : "") + (flags & 1 ? "R" : "");
      if (flags & 0xf8) c.out += "+0x" + hex2(flags & 0xf8);
      c.out += ")";
    }
  }
  return header + 2 + size;
}

const enum Checksum {
  Correct,
  Incorrect,
  Unverified,
}

function checksumStatus(c: PrintContext, at: number, len: number, ipAt: number, ipVersion: 4 | 6): Checksum {
  if (!has(c, at, len)) return Checksum.Unverified;
  const initial = ipVersion === 4 ? 0 : ipv6PseudoSum(c, ipAt, len, IPPROTO_PIM);
  return finishChecksum(onesComplementSum(c, at, len, initial)) === 0 ? Checksum.Correct : Checksum.Incorrect;
}

const CHECKSUM_TEXT = ["(correct)", "(incorrect)", "(unverified)"];

function pimv2Print(c: PrintContext, at: number, len: number, ipAt: number, ipVersion: 4 | 6): void {
  c.protocol = "pimv2";
  if (len < 2) {
    c.out += "[length " + len + " < 2] (invalid)";
    return;
  }
  const type = u8(c, at) & 0xf;
  const second = u8(c, at + 1);
  // RFC 5015 took the high four bits of this byte for the DF election subtype.
  const addressLength = second & 0xf;
  if (addressLength !== 0) c.out += ", RFC2117-encoding";
  if (len < 4) {
    c.out += "[length " + len + " < 4] (invalid)";
    return;
  }
  const checksum = be16(c, at + 2);
  c.out += ", cksum 0x" + hex4(checksum) + " ";
  if (checksum === 0) c.out += "(unverified)";
  else {
    let status: Checksum;
    if (type === REGISTER) {
      // The checksum covers the register header only, though some senders cover it all (RFC 4601).
      status = checksumStatus(c, at, 8, ipAt, ipVersion);
      if (status === Checksum.Incorrect) status = checksumStatus(c, at, len, ipAt, ipVersion);
    } else status = checksumStatus(c, at, len, ipAt, ipVersion);
    c.out += CHECKSUM_TEXT[status];
  }
  let p = at + 4;
  len -= 4;
  let advance: number;
  switch (type) {
    case HELLO:
      helloPrint(c, p, len, addressLength);
      return;
    case REGISTER: {
      if (len < 4 || !has(c, p, 4)) return trunc(c);
      const flags = be32(c, p);
      c.out += ", Flags [ " + (flags === 0x80000000 ? "Border" : flags === 0x40000000 ? "Null" : "none") + " ]\n\t";
      p += 4;
      len -= 4;
      if (len === 0) return trunc(c);
      const version = u8(c, p) >> 4;
      if (version === 0) c.out += "IP-Null-header " + ipv4String(c, p + 12) + " > " + ipv4String(c, p + 16);
      else if (version === 4) encapsulated().ipv4(c, p, len);
      else if (version === 6) encapsulated().ipv6(c, p, len);
      else c.out += "IP ver " + version;
      return;
    }
    case REGISTER_STOP:
      c.out += " group=";
      if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      c.out += " source=";
      if (addressPrint(c, p, len, AddressKind.Unicast, addressLength) < 0) return trunc(c);
      return;
    case JOIN_PRUNE:
    case GRAFT:
    case GRAFT_ACK:
      joinPrunePrint(c, type, p, len, addressLength);
      return;
    case BOOTSTRAP:
      bootstrapPrint(c, p, len, addressLength);
      return;
    case ASSERT:
      c.out += " group=";
      if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      c.out += " src=";
      if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      if (len < 8 || !has(c, p, 8)) return trunc(c);
      if (u8(c, p) & 0x80) c.out += " RPT";
      c.out += " pref=" + (be32(c, p) & 0x7fffffff) + " metric=" + be32(c, p + 4);
      return;
    case CANDIDATE_RP: {
      if (len < 1) return trunc(c);
      const prefixes = u8(c, p);
      c.out += " prefix-cnt=" + prefixes;
      if (len < 2) return trunc(c);
      c.out += " prio=" + u8(c, p + 1);
      if (len < 4) return trunc(c);
      c.out += " holdtime=";
      c.out += relativeTime(be16(c, p + 2));
      p += 4;
      len -= 4;
      c.out += " RP=";
      if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      for (let i = 0; i < prefixes && len > 0; i++) {
        c.out += " Group" + i + "=";
        if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
        p += advance;
        len -= advance;
      }
      return;
    }
    case PRUNE_REFRESH:
      c.out += " src=";
      if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      c.out += " grp=";
      if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      c.out += " forwarder=";
      if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      if (len < 2) return trunc(c);
      c.out += " TUNR ";
      c.out += relativeTime(be16(c, p));
      return;
    case DF_ELECTION:
      dfElectionPrint(c, second >> 4, p, len, addressLength);
      return;
    default:
      c.out += " [type " + type + "]";
  }
}

function helloPrint(c: PrintContext, p: number, len: number, addressLength: number): void {
  const verbose = c.flags.verbose;
  while (len > 0) {
    if (len < 4) return trunc(c);
    const type = be16(c, p);
    const olen = be16(c, p + 2);
    c.out += "\n\t  " + (HELLO_OPTIONS.get(type) ?? "Unknown") + " Option (" + type + "), length " + olen + ", Value: ";
    p += 4;
    len -= 4;
    if (len < olen || !has(c, p, olen)) return trunc(c);
    switch (type) {
      case OPTION_HOLDTIME:
        if (olen !== 2) return optionLengthInvalid(c, olen, 2);
        c.out += relativeTime(be16(c, p));
        break;
      case OPTION_LAN_PRUNE_DELAY: {
        if (olen !== 4) return optionLengthInvalid(c, olen, 4);
        const delay = be16(c, p);
        c.out +=
          "\n\t    T-bit=" +
          (delay >> 15) +
          ", LAN delay " +
          (delay & 0x7fff) +
          "ms, Override interval " +
          be16(c, p + 2) +
          "ms";
        break;
      }
      case OPTION_DR_PRIORITY_OLD:
      case OPTION_DR_PRIORITY:
        if (olen === 0) c.out += "Bi-Directional Capability (Old)";
        else if (olen === 4) c.out += be32(c, p);
        else return optionLengthInvalid(c, olen, 4);
        break;
      case OPTION_GENERATION_ID:
        if (olen !== 4) return optionLengthInvalid(c, olen, 4);
        c.out += "0x" + be32(c, p).toString(16).padStart(8, "0");
        break;
      case OPTION_REFRESH_CAPABILITY: {
        if (olen !== 4) return optionLengthInvalid(c, olen, 4);
        c.out += "v" + u8(c, p);
        if (u8(c, p + 1) !== 0) c.out += ", interval " + relativeTime(u8(c, p + 1));
        const reserved = be16(c, p + 2);
        if (reserved !== 0) c.out += " ?0x" + hex4(reserved) + "?";
        break;
      }
      case OPTION_BIDIR_CAPABILITY:
        break;
      case OPTION_ADDRESS_LIST_OLD:
      case OPTION_ADDRESS_LIST:
        if (verbose > 1) {
          // Each address is read against what is left of the whole message, as tcpdump does.
          let q = p;
          let left = len;
          while (q < p + olen) {
            c.out += "\n\t    ";
            const advance = addressPrint(c, q, left, AddressKind.Unicast, addressLength);
            if (advance < 0) return trunc(c);
            q += advance;
            left = (left - advance) >>> 0;
          }
        }
        break;
      default:
        if (verbose <= 1) printUnknownData(c, p, "\n\t    ", olen);
    }
    if (verbose > 1) printUnknownData(c, p, "\n\t    ", olen);
    p += olen;
    len -= olen;
  }
}

function optionLengthInvalid(c: PrintContext, olen: number, want: number): void {
  c.out += "[option length " + olen + " != " + want + "] (invalid)";
}

function joinPrunePrint(c: PrintContext, type: number, p: number, len: number, addressLength: number): void {
  let advance: number;
  if (type !== GRAFT_ACK) {
    c.out += ", upstream-neighbor: ";
    if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
    p += advance;
    len -= advance;
  }
  if (len < 4 || !has(c, p, 4)) return trunc(c);
  const groups = u8(c, p + 1);
  const holdtime = be16(c, p + 2);
  c.out += "\n\t  " + groups + " group(s)";
  if (type !== GRAFT_ACK) c.out += ", holdtime: " + (holdtime === 0xffff ? "infinite" : relativeTime(holdtime));
  p += 4;
  len -= 4;
  for (let i = 0; i < groups; i++) {
    c.out += "\n\t    group #" + (i + 1) + ": ";
    if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
    p += advance;
    len -= advance;
    if (len < 4 || !has(c, p, 4)) return trunc(c);
    const joined = be16(c, p);
    const pruned = be16(c, p + 2);
    c.out += ", joined sources: " + joined + ", pruned sources: " + pruned;
    p += 4;
    len -= 4;
    for (let j = 0; j < joined; j++) {
      c.out += "\n\t      joined source #" + (j + 1) + ": ";
      if ((advance = addressPrint(c, p, len, AddressKind.Source, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
    }
    for (let j = 0; j < pruned; j++) {
      c.out += "\n\t      pruned source #" + (j + 1) + ": ";
      if ((advance = addressPrint(c, p, len, AddressKind.Source, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
    }
  }
}

function bootstrapPrint(c: PrintContext, p: number, len: number, addressLength: number): void {
  let advance: number;
  if (len < 2) return trunc(c);
  c.out += " tag=" + be16(c, p).toString(16);
  p += 2;
  len -= 2;
  if (len < 1) return trunc(c);
  c.out += " hashmlen=" + u8(c, p);
  if (len < 2 || !has(c, p + 2, 1)) return trunc(c);
  c.out += " BSRprio=" + u8(c, p + 1);
  p += 2;
  len -= 2;
  c.out += " BSR=";
  if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
  p += advance;
  len -= advance;
  for (let i = 0; len > 0; i++) {
    c.out += " (group" + i + ": ";
    if ((advance = addressPrint(c, p, len, AddressKind.Group, addressLength)) < 0) return trunc(c);
    p += advance;
    len -= advance;
    if (len < 1) return trunc(c);
    c.out += " RPcnt=" + u8(c, p);
    if (len < 2) return trunc(c);
    const fragmentRps = u8(c, p + 1);
    c.out += " FRPcnt=" + fragmentRps;
    if (len < 4) return trunc(c);
    p += 4;
    len -= 4;
    for (let j = 0; j < fragmentRps && len > 0; j++) {
      c.out += " RP" + j + "=";
      if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
      p += advance;
      len -= advance;
      if (len < 2) return trunc(c);
      c.out += ",holdtime=";
      c.out += relativeTime(be16(c, p));
      if (len < 3) return trunc(c);
      c.out += ",prio=" + u8(c, p + 2);
      if (len < 4) return trunc(c);
      p += 4;
      len -= 4;
    }
    c.out += ")";
  }
}

function dfElectionPrint(c: PrintContext, subtype: number, p: number, len: number, addressLength: number): void {
  let advance: number;
  c.out += "\n\t  " + (DF_SUBTYPES[subtype] || "Unknown") + ",";
  c.out += " rpa=";
  if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
  p += advance;
  len -= advance;
  // Each field is printed before the next is read: a short message ends after the last one there.
  c.out += " sender pref=" + be32(c, p);
  c.out += " sender metric=" + be32(c, p + 4);
  p += 8;
  // tcpdump's count is unsigned: a short message leaves a huge one, and the next read fails.
  len = (len - 8) >>> 0;
  if (subtype !== DF_BACKOFF && subtype !== DF_PASS) return;
  const what = subtype === DF_BACKOFF ? "offer" : "new winner";
  c.out += "\n\t  " + what + " addr=";
  if ((advance = addressPrint(c, p, len, AddressKind.Unicast, addressLength)) < 0) return trunc(c);
  p += advance;
  c.out += " " + what + " pref=" + be32(c, p);
  c.out += " " + what + " metric=" + be32(c, p + 4);
  p += 8;
  if (subtype === DF_BACKOFF) c.out += " interval " + be16(c, p) + "ms";
}

const PIMV1_TYPES = [
  "Query",
  "Register",
  "Register-Stop",
  "Join/Prune",
  "RP-reachable",
  "Assert",
  "Graft",
  "Graft-ACK",
];

const PIMV1_QUERY = 0;
const PIMV1_REGISTER = 1;
const PIMV1_REGISTER_STOP = 2;
const PIMV1_JOIN_PRUNE = 3;
const PIMV1_RP_REACHABLE = 4;
const PIMV1_ASSERT = 5;
const PIMV1_GRAFT = 6;
const PIMV1_GRAFT_ACK = 7;

const PIMV1_MODES = [" Dense-mode", " Sparse-mode", " Sparse-Dense-mode"];

/**
 * PIMv1, which rides in IGMP type 0x14, after tcpdump's "igmp pimv1": the message name, then its
 * fields (-v for the query's hold time, RP reachability and join/prune; -vv for every join/prune
 * group and source), and " [vN]" when the version nibble is not 1.
 */
export function pimv1Print(c: PrintContext, at: number, length: number): void {
  c.protocol = "pimv1";
  const type = u8(c, at + 1);
  c.out += " " + (PIMV1_TYPES[type] ?? "[type " + type + "]");
  switch (type) {
    case PIMV1_QUERY:
      if (has(c, at + 8, 1)) {
        const mode = u8(c, at + 8) >> 4;
        c.out += PIMV1_MODES[mode] ?? " mode-" + mode;
      }
      if (c.flags.verbose) {
        c.out += " (Hold-time ";
        c.out += relativeTime(be16(c, at + 10)) + ")";
      }
      break;
    case PIMV1_REGISTER:
      // The register carries the data packet's IP header: its addresses are what is shown.
      if (!has(c, at + 8, 20)) {
        printTrunc(c);
        return;
      }
      c.out += " for " + ipv4String(c, at + 20) + " > " + ipv4String(c, at + 24);
      break;
    case PIMV1_REGISTER_STOP:
      c.out += " for " + ipv4String(c, at + 8) + " > " + ipv4String(c, at + 12);
      break;
    case PIMV1_RP_REACHABLE:
      if (c.flags.verbose) {
        c.out += " group " + ipv4String(c, at + 8);
        if (be32(c, at + 12) !== 0xffffffff) c.out += "/" + ipv4String(c, at + 12);
        c.out += " RP " + ipv4String(c, at + 16) + " hold ";
        c.out += relativeTime(be16(c, at + 22));
      }
      break;
    case PIMV1_ASSERT:
      c.out += " for " + ipv4String(c, at + 16) + " > " + ipv4String(c, at + 8);
      if (be32(c, at + 12) !== 0xffffffff) c.out += "/" + ipv4String(c, at + 12);
      c.out +=
        " " +
        (u8(c, at + 20) & 0x80 ? "RP-tree" : "SPT") +
        " pref " +
        (be32(c, at + 20) & 0x7fffffff) +
        " metric " +
        be32(c, at + 24);
      break;
    case PIMV1_JOIN_PRUNE:
    case PIMV1_GRAFT:
    case PIMV1_GRAFT_ACK:
      if (c.flags.verbose) {
        if (length < 8) {
          printTrunc(c);
          return;
        }
        pimv1JoinPrunePrint(c, at + 8, length - 8);
      }
      break;
  }
  const version = u8(c, at + 4) >> 4;
  if (version !== 1) c.out += " [v" + version + "]";
}

function pimv1JoinPrunePrint(c: PrintContext, at: number, len: number): void {
  // One group with one source fits on one line.
  if (has(c, at, 30) && u8(c, at + 11) === 1) {
    const joins = be16(c, at + 20);
    if (joins + be16(c, at + 22) === 1) {
      c.out += " RPF " + ipv4String(c, at) + " ";
      const hold = be16(c, at + 6);
      if (hold !== 180) c.out += "Hold " + relativeTime(hold);
      c.out +=
        (joins ? "Join" : "Prune") +
        " (" +
        ipv4String(c, at + 26) +
        "/" +
        (u8(c, at + 25) & 0x3f) +
        ", " +
        ipv4String(c, at + 12);
      if (be32(c, at + 16) !== 0xffffffff) c.out += "/" + ipv4String(c, at + 16);
      const flags = u8(c, at + 25);
      c.out +=
        ") " +
        (u8(c, at + 24) & 1 ? "Sparse" : "Dense") +
        (flags & 0x80 ? " WC" : "") +
        " " +
        (flags & 0x40 ? "RP" : "SPT");
      return;
    }
  }
  const vv = c.flags.verbose > 1;
  if (len < 4) return printTrunc(c);
  if (vv) c.out += "\n";
  c.out += " Upstream Nbr: " + ipv4String(c, at);
  at += 4;
  len -= 4;
  if (len < 4) return printTrunc(c);
  if (vv) c.out += "\n";
  c.out += " Hold time: ";
  c.out += relativeTime(be16(c, at + 2));
  if (!vv) return;
  at += 4;
  len -= 4;
  if (len < 4) return printTrunc(c);
  let groups = u8(c, at + 3);
  at += 4;
  len -= 4;
  for (; groups !== 0; groups--) {
    if (len < 4) return printTrunc(c);
    c.out += "\n\tGroup: " + ipv4String(c, at);
    at += 4;
    len -= 4;
    if (len < 4) return printTrunc(c);
    if (be32(c, at) !== 0xffffffff) c.out += "/" + ipv4String(c, at);
    at += 4;
    len -= 4;
    if (len < 4) return printTrunc(c);
    const joins = be16(c, at);
    const prunes = be16(c, at + 2);
    c.out += " joined: " + joins + " pruned: " + prunes;
    at += 4;
    len -= 4;
    for (let i = 0; i < joins + prunes; i++) {
      if (len < 6) return printTrunc(c);
      const flags = u8(c, at + 1);
      c.out +=
        "\n\t" +
        (i < joins ? "Join " : "Prune") +
        " " +
        (u8(c, at) & 1 ? "Sparse " : "Dense ") +
        (flags & 0x80 ? "WC " : "") +
        (flags & 0x40 ? "RP " : "SPT ") +
        ipv4String(c, at + 2) +
        "/" +
        (flags & 0x3f);
      at += 6;
      len -= 6;
    }
  }
}
