// ICMPv6 (RFC 4443) with neighbour discovery (RFC 4861) and MLD (RFC 2710, RFC 3810) summaries:
// "ICMP6, neighbor solicitation, who has fe80::1, length 32", "ICMP6, echo request, id 1, seq 1,
// length 64"; with -v the checksum and the ND options.

import {
  be16,
  be32,
  checksumShouldBe,
  finishChecksum,
  has,
  onesComplementSum,
  printInvalid,
  printTrunc,
  u8,
  type PrintContext,
} from "./context.js";
import { hex2, hex4, ipv6FromBytes, ipv6String, tcpPortString, udpPortString } from "./addr.js";
import { decimal } from "./decimal.js";
import { ipv6PseudoSum } from "./pseudo-header.js";
import { printUnknownData } from "./unknown.js";

const DST_UNREACH = 1;
const PACKET_TOO_BIG = 2;
const TIME_EXCEEDED = 3;
const PARAM_PROB = 4;
const ECHO_REQUEST = 128;
const ECHO_REPLY = 129;
const MLD_QUERY = 130;
const MLD_REPORT = 131;
const MLD_DONE = 132;
const ROUTER_SOLICIT = 133;
const ROUTER_ADVERT = 134;
const NEIGHBOR_SOLICIT = 135;
const NEIGHBOR_ADVERT = 136;
const REDIRECT = 137;
const ROUTER_RENUMBERING = 138;
const NI_QUERY = 139;
const NI_REPLY = 140;
const IND_SOLICIT = 141;
const IND_ADVERT = 142;
const MLDV2_REPORT = 143;
const HADISCOV_REQUEST = 144;
const HADISCOV_REPLY = 145;
const MOBILEPREFIX_SOLICIT = 146;
const MOBILEPREFIX_ADVERT = 147;
const RPL = 155;

const MLD_MINLEN = 24;
const MLDV2_MINLEN = 28;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "destination unreachable"],
  [2, "packet too big"],
  [3, "time exceeded in-transit"],
  [4, "parameter problem"],
  [128, "echo request"],
  [129, "echo reply"],
  [130, "multicast listener query"],
  [131, "multicast listener report"],
  [132, "multicast listener done"],
  [133, "router solicitation"],
  [134, "router advertisement"],
  [135, "neighbor solicitation"],
  [136, "neighbor advertisement"],
  [137, "redirect"],
  [138, "router renumbering"],
  [141, "inverse neighbor solicitation"],
  [142, "inverse neighbor advertisement"],
  [143, "multicast listener report v2"],
  [144, "ha discovery request"],
  [145, "ha discovery reply"],
  [146, "mobile router solicitation"],
  [147, "mobile router advertisement"],
  [139, "who-are-you request"],
  [140, "who-are-you reply"],
  [200, "mtrace response"],
  [201, "mtrace message"],
  [155, "RPL"],
]);

const UNREACH_CODES: ReadonlyMap<number, string> = new Map([
  [0, "unreachable route"],
  [1, " unreachable prohibited"],
  [2, "beyond scope"],
  [3, "unreachable address"],
  [4, "unreachable port"],
]);

const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "source link-address"],
  [2, "destination link-address"],
  [3, "prefix info"],
  [4, "redirected header"],
  [5, "mtu"],
  [25, "rdnss"],
  [31, "dnssl"],
  [7, "advertisement interval"],
  [8, "homeagent information"],
  [24, "route info"],
]);

const MLDV2_RECORD_TYPES: ReadonlyMap<number, string> = new Map([
  [1, "is_in"],
  [2, "is_ex"],
  [3, "to_in"],
  [4, "to_ex"],
  [5, "allow"],
  [6, "block"],
]);

const RTPREF = ["medium", "high", "rsv", "low"];

function routePreference(v: number): string {
  return RTPREF[(v & 0x18) >> 3]!;
}

function lifetime(v: number): string {
  return v === 0xffffffff ? "infinity" : v + "s";
}

function bitNames(v: number, bits: readonly (readonly [number, string])[]): string {
  let s = "";
  // `>>> 0`: bit 31 (the NA router flag) would otherwise come out of `&` negative and never match
  for (const [bit, name] of bits) if ((v & bit) >>> 0 === bit && bit !== 0) s += (s ? ", " : "") + name;
  return s || "none";
}

const RA_FLAGS = [
  [0x80, "managed"],
  [0x40, "other stateful"],
  [0x20, "home agent"],
  [0x02, "ipv6 only"],
] as const;
const NA_FLAGS = [
  [0x80000000, "router"],
  [0x40000000, "solicited"],
  [0x20000000, "override"],
] as const;
const PI_FLAGS = [
  [0x80, "onlink"],
  [0x40, "auto"],
  [0x20, "router"],
] as const;

/** Signals tcpdump's "goto trunc" (" [|icmp6]" and stop). */
const ICMP6_TRUNC = { icmp6: "trunc" };

/** The transport header inside a quoted packet, following extension headers. */
function upperLayer(c: PrintContext, ipAt: number): { at: number; proto: number } | undefined {
  if (!has(c, ipAt + 6, 1)) return undefined;
  let nh = u8(c, ipAt + 6);
  let hlen = 40;
  let bp = ipAt;
  while (bp < c.snapend) {
    bp += hlen;
    switch (nh) {
      case 17:
      case 6:
        if (has(c, bp + 2, 2)) return { at: bp, proto: nh };
        return undefined;
      case 0:
      case 60:
      case 43:
        if (!has(c, bp + 1, 1)) return undefined;
        nh = u8(c, bp);
        hlen = (u8(c, bp + 1) + 1) << 3;
        break;
      case 44:
        if (!has(c, bp + 2, 2)) return undefined;
        if ((be16(c, bp + 2) & 0xfff8) !== 0) return undefined;
        nh = u8(c, bp);
        hlen = 8;
        break;
      case 51:
        if (!has(c, bp + 1, 1)) return undefined;
        nh = u8(c, bp);
        hlen = (u8(c, bp + 1) + 2) << 2;
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

function printLinkAddress(c: PrintContext, at: number, len: number): void {
  let s = "";
  for (let i = 0; i < len; i++) {
    if (i > 0) s += ":";
    s += hex2(u8(c, at + i));
  }
  c.out += s;
}

/** Neighbour discovery options; throws ICMP6_TRUNC where tcpdump gives up. */
function printOptions(c: PrintContext, at: number, resid: number): void {
  let cp = at;
  const v = c.flags.verbose;
  while (cp < c.snapend) {
    if (!has(c, cp + 1, 1)) throw ICMP6_TRUNC;
    if (resid <= 0) return;
    const type = u8(c, cp);
    const len = u8(c, cp + 1);
    if (len === 0) throw ICMP6_TRUNC;
    if (cp + (len << 3) > c.snapend) throw ICMP6_TRUNC;
    c.out +=
      "\n\t  " +
      (OPTION_NAMES.get(type) ?? "unknown") +
      " option (" +
      type +
      "), length " +
      (len << 3) +
      " (" +
      len +
      "): ";
    switch (type) {
      case 1:
      case 2:
        printLinkAddress(c, cp + 2, (len << 3) - 2);
        break;
      case 3: {
        const prefix = ipv6String(c, cp + 16);
        const prefixLen = u8(c, cp + 2);
        const flags = bitNames(u8(c, cp + 3), PI_FLAGS);
        c.out +=
          prefix +
          "/" +
          prefixLen +
          (len !== 4 ? "badlen" : "") +
          ", Flags [" +
          flags +
          "], valid time " +
          lifetime(be32(c, cp + 4));
        c.out += ", pref. time " + lifetime(be32(c, cp + 8));
        break;
      }
      case 4:
        printUnknownData(c, at, "\n\t    ", len << 3);
        break;
      case 5:
        c.out += " " + be32(c, cp + 4) + (len !== 1 ? "bad option length" : "");
        break;
      case 25: {
        const n = (len - 1) >> 1;
        c.out += " lifetime " + be32(c, cp + 4) + "s,";
        for (let i = 0; i < n; i++) c.out += " addr: " + ipv6String(c, cp + 8 + 16 * i);
        break;
      }
      case 31:
        c.markUnsupported("icmp6 dnssl option");
        c.out += " lifetime " + be32(c, cp + 4) + "s, domain(s):";
        break;
      case 7:
        c.out += " " + be32(c, cp + 4) + "ms";
        break;
      case 8:
        c.out += " preference " + be16(c, cp + 4) + ", lifetime " + be16(c, cp + 6);
        break;
      case 24: {
        if (!has(c, cp + 4, 4)) throw ICMP6_TRUNC;
        const prefix = new Uint8Array(16);
        if (len === 2) {
          if (!has(c, cp + 8, 8)) throw ICMP6_TRUNC;
          prefix.set(c.bytes.subarray(cp + 8, cp + 16));
        } else if (len === 3) {
          if (!has(c, cp + 8, 16)) throw ICMP6_TRUNC;
          prefix.set(c.bytes.subarray(cp + 8, cp + 24));
        } else if (len !== 1) throw ICMP6_TRUNC;
        c.out += " " + ipv6FromBytes(prefix, 0) + "/" + u8(c, cp + 2);
        c.out += ", pref=" + routePreference(u8(c, cp + 3));
        c.out += ", lifetime=" + lifetime(be32(c, cp + 4));
        break;
      }
      default:
        if (v <= 1) {
          printUnknownData(c, cp + 2, "\n\t  ", (len << 3) - 2);
          return;
        }
    }
    if (v > 1) printUnknownData(c, cp + 2, "\n\t    ", (len << 3) - 2);
    cp += len << 3;
    resid -= len << 3;
  }
}

function mldPrint(c: PrintContext, at: number): void {
  if (at + 24 > c.snapend) return;
  c.out += "max resp delay: " + be16(c, at + 4) + " ";
  c.out += "addr: " + ipv6String(c, at + 8);
}

function mldv2ReportPrint(c: PrintContext, at: number, len: number): void {
  if (len < 8) {
    c.out += " [invalid len " + len + "]";
    return;
  }
  const groups = be16(c, at + 6);
  c.out += ", " + groups + " group record(s)";
  if (c.flags.verbose > 0) {
    let group = 8;
    for (let i = 0; i < groups; i++) {
      if (len < group + 20) {
        c.out += " [invalid number of groups]";
        return;
      }
      c.out += " [gaddr " + ipv6String(c, at + group + 4);
      const recordType = u8(c, at + group);
      c.out += " " + (MLDV2_RECORD_TYPES.get(recordType) ?? " [v2-report-#" + recordType + "]");
      const sources = be16(c, at + group + 2);
      if (len < group + 20 + sources * 16) {
        c.out += " [invalid number of sources " + sources + "]";
        return;
      }
      if (c.flags.verbose === 1) c.out += ", " + sources + " source(s)";
      else {
        c.out += " {";
        for (let j = 0; j < sources; j++) c.out += " " + ipv6String(c, at + group + 20 + j * 16);
        c.out += " }";
      }
      group += 20 + sources * 16;
      c.out += "]";
    }
  }
}

function mldv2QueryPrint(c: PrintContext, at: number, len: number): void {
  if (len < 28) {
    c.out += " [invalid len " + len + "]";
    return;
  }
  const mrc = be16(c, at + 4);
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
  const v = c.flags.verbose;
  if (v) c.out += " [max resp delay=" + mrt + "]";
  c.out += " [gaddr " + ipv6String(c, at + 8);
  if (v) {
    if (u8(c, at + 24) & 0x08) c.out += " sflag";
    if (u8(c, at + 24) & 0x07) c.out += " robustness=" + (u8(c, at + 24) & 0x07);
    const q = u8(c, at + 25);
    const qqi = q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3);
    c.out += " qqi=" + qqi;
  }
  const sources = be16(c, at + 26);
  if (sources > 0) {
    if (len < 28 + sources * 16) c.out += " [invalid number of sources]";
    else if (v > 1) {
      c.out += " {";
      for (let i = 0; i < sources; i++) c.out += " " + ipv6String(c, at + 28 + i * 16);
      c.out += " }";
    } else c.out += ", " + sources + " source(s)";
  }
  c.out += "]";
}

export function icmp6Print(c: PrintContext, at: number, length: number, ipAt: number, fragmented: boolean): void {
  c.protocol = "icmp6";
  if (length === 0) {
    c.out += "ICMP6, length 0";
    printInvalid(c);
    return;
  }
  const v = c.flags.verbose;
  if (v && !fragmented && has(c, at, length)) {
    const stored = be16(c, at + 2);
    const sum = finishChecksum(onesComplementSum(c, at, length, ipv6PseudoSum(c, ipAt, length, 58)));
    if (sum !== 0)
      c.out += "[bad icmp6 cksum 0x" + hex4(stored) + " -> 0x" + hex4(checksumShouldBe(stored, sum)) + "!] ";
    else c.out += "[icmp6 sum ok] ";
  }
  const type = u8(c, at);
  c.out += "ICMP6, " + (TYPE_NAMES.get(type) ?? "unknown icmp6 type (" + type + ")");
  if (
    v &&
    (type === ROUTER_SOLICIT ||
      type === ROUTER_ADVERT ||
      type === NEIGHBOR_ADVERT ||
      type === NEIGHBOR_SOLICIT ||
      type === REDIRECT ||
      type === HADISCOV_REPLY ||
      type === MOBILEPREFIX_ADVERT)
  ) {
    c.out += ", length " + length;
  }
  const code = u8(c, at + 1);
  const oip = at + 8;
  try {
    switch (type) {
      case DST_UNREACH:
        c.out += ", " + (UNREACH_CODES.get(code) ?? "unknown unreach code (" + code + ")");
        switch (code) {
          case 0:
          case 1:
          case 3:
            c.out += " " + ipv6String(c, oip + 24);
            break;
          case 2:
            c.out += " " + ipv6String(c, oip + 24) + ", source address " + ipv6String(c, oip + 8);
            break;
          case 4: {
            const upper = upperLayer(c, oip);
            if (upper === undefined) throw ICMP6_TRUNC;
            const dport = be16(c, upper.at + 2);
            if (upper.proto === 6) c.out += ", " + ipv6String(c, oip + 24) + " tcp port " + tcpPortString(c, dport);
            else c.out += ", " + ipv6String(c, oip + 24) + " udp port " + udpPortString(c, dport);
            break;
          }
          default:
            if (v <= 1) {
              printUnknownData(c, at, "\n\t", length);
              return;
            }
        }
        break;
      case PACKET_TOO_BIG:
        c.out += ", mtu " + be32(c, at + 4);
        break;
      case TIME_EXCEEDED:
        if (code === 0) c.out += " for " + ipv6String(c, oip + 24);
        else if (code === 1) c.out += " (reassembly)";
        else c.out += ", unknown code (" + code + ")";
        break;
      case PARAM_PROB:
        if (!has(c, oip + 24, 16)) throw ICMP6_TRUNC;
        switch (code) {
          case 0:
            c.out += ", erroneous - octet " + be32(c, at + 4);
            break;
          case 1:
            c.out += ", next header - octet " + be32(c, at + 4);
            break;
          case 2:
            c.out += ", option - octet " + be32(c, at + 4);
            break;
          case 3:
            c.out += ", incomplete header chain - octet " + be32(c, at + 4);
            break;
          default:
            c.out += ", code-#" + code;
        }
        break;
      case ECHO_REQUEST:
      case ECHO_REPLY:
        c.out += ", id " + decimal(be16(c, at + 4)) + ", seq " + decimal(be16(c, at + 6));
        break;
      case MLD_QUERY:
        if (length === MLD_MINLEN) mldPrint(c, at);
        else if (length >= MLDV2_MINLEN) {
          c.out += " v2";
          mldv2QueryPrint(c, at, length);
        } else c.out += " unknown-version (len " + length + ") ";
        break;
      case MLD_REPORT:
      case MLD_DONE:
        mldPrint(c, at);
        break;
      case ROUTER_SOLICIT:
        if (v) printOptions(c, at + 8, length - 8);
        break;
      case ROUTER_ADVERT:
        if (v) {
          const flags = u8(c, at + 5);
          c.out +=
            "\n\thop limit " +
            u8(c, at + 4) +
            ", Flags [" +
            bitNames(flags, RA_FLAGS) +
            "], pref " +
            routePreference(flags) +
            ", router lifetime " +
            be16(c, at + 6) +
            "s, reachable time " +
            be32(c, at + 8) +
            "ms, retrans timer " +
            be32(c, at + 12) +
            "ms";
          printOptions(c, at + 16, length - 16);
        }
        break;
      case NEIGHBOR_SOLICIT:
        c.out += ", who has " + ipv6String(c, at + 8);
        if (v) printOptions(c, at + 24, length - 24);
        break;
      case NEIGHBOR_ADVERT:
        c.out += ", tgt is " + ipv6String(c, at + 8);
        if (v) {
          c.out += ", Flags [" + bitNames(be32(c, at + 4), NA_FLAGS) + "]";
          printOptions(c, at + 24, length - 24);
        }
        break;
      case REDIRECT:
        c.out += ", " + ipv6String(c, at + 24);
        c.out += " to " + ipv6String(c, at + 8);
        if (v) printOptions(c, at + 40, length - 40);
        break;
      case ROUTER_RENUMBERING:
        rrenumPrint(c, at);
        break;
      case NI_QUERY:
      case NI_REPLY:
      case RPL:
        c.markUnsupported("icmp6 type " + type);
        break;
      case IND_SOLICIT:
      case IND_ADVERT:
        break;
      case MLDV2_REPORT:
        mldv2ReportPrint(c, at, length);
        break;
      case MOBILEPREFIX_SOLICIT:
      case HADISCOV_REQUEST:
        c.out += ", id 0x" + hex4(be16(c, at + 4));
        break;
      case HADISCOV_REPLY:
        if (v) {
          c.out += ", id 0x" + hex4(be16(c, at + 4));
          const end = at + length;
          for (let p = at + 8; p < end; p += 16) c.out += ", " + ipv6String(c, p);
        }
        break;
      case MOBILEPREFIX_ADVERT:
        if (v) {
          c.out += ", id 0x" + hex4(be16(c, at + 4));
          const flags = be16(c, at + 6);
          if (flags & 0xc000) c.out += " ";
          if (flags & 0x8000) c.out += "M";
          if (flags & 0x4000) c.out += "O";
          printOptions(c, at + 8, length - 8);
        }
        break;
      default:
        c.out += ", length " + length;
        if (v <= 1) printUnknownData(c, at, "\n\t", length);
        return;
    }
  } catch (e) {
    if (e === ICMP6_TRUNC) {
      printTrunc(c);
      return;
    }
    throw e;
  }
  if (!v) c.out += ", length " + length;
}

const RR_COMMAND = 0;
const RR_CODES = ["command", "result"];
const RR_SEQNUM_RESET = 255;
const RR_FLAGS: [number, string][] = [
  [0x80, "T"],
  [0x40, "R"],
  [0x20, "A"],
  [0x10, "S"],
  [0x08, "P"],
];
const RPM_CODES = ["", "add", "change", "setglobal"];
const RR_MATCH_AT = 16;
const RR_USE_LENGTH = 32;

/** Router renumbering (RFC 2894): the code, sequence number, and a command's match and use prefixes. */
function rrenumPrint(c: PrintContext, at: number): void {
  // tcpdump's own check: " [|icmp6]", and the line goes on.
  if (!has(c, at + 12, 4)) return printTrunc(c);
  const code = u8(c, at + 1);
  c.out += ", " + (RR_CODES[code] ?? (code === RR_SEQNUM_RESET ? "sequence number reset" : "code-#" + code));
  c.out += ", seq=" + be32(c, at + 4);
  const v = c.flags.verbose;
  if (v) {
    const flags = u8(c, at + 9);
    c.out += "[";
    if (flags) {
      for (const [bit, letter] of RR_FLAGS) if (flags & bit) c.out += letter;
      c.out += ",";
    }
    c.out += "seg=" + u8(c, at + 8) + ",";
    c.out += "maxdelay=" + be16(c, at + 10);
    const reserved = be32(c, at + 12);
    if (reserved) c.out += "rsvd=0x" + reserved.toString(16);
    c.out += "]";
  }
  if (code !== RR_COMMAND) return;
  const m = at + RR_MATCH_AT;
  if (!has(c, m + 8, 16)) return printTrunc(c);
  c.out += (v > 1 ? "\n\t" : " ") + "match(";
  const matchCode = u8(c, m);
  c.out += RPM_CODES[matchCode] || "#" + matchCode;
  if (v) {
    c.out += ",ord=" + u8(c, m + 2);
    c.out += ",min=" + u8(c, m + 4);
    c.out += ",max=" + u8(c, m + 5);
  }
  c.out += "," + ipv6String(c, m + 8) + "/" + u8(c, m + 3) + ")";
  let n = u8(c, m + 1) - 3;
  if (n % 4) return printTrunc(c);
  n /= 4;
  let p = m + 24;
  for (; n > 0; n--, p += RR_USE_LENGTH) {
    if (!has(c, p + 16, 16)) return printTrunc(c);
    c.out += (v > 1 ? "\n\t" : " ") + "use(";
    // tcpdump tests the first byte of the 32-bit flags word against each flag.
    const flags = u8(c, p + 12);
    if (flags) c.out += (flags & 0x80 ? "V" : "") + (flags & 0x40 ? "P" : "") + ",";
    if (v) {
      c.out += "mask=0x" + u8(c, p + 2).toString(16) + ",";
      c.out += "raflags=0x" + u8(c, p + 3).toString(16) + ",";
      const valid = be32(c, p + 4);
      c.out += "vltime=" + (valid === 0xffffffff ? "infty" : valid) + ",";
      const preferred = be32(c, p + 8);
      c.out += "pltime=" + (preferred === 0xffffffff ? "infty" : preferred) + ",";
    }
    c.out += ipv6String(c, p + 16) + "/" + u8(c, p) + "/" + u8(c, p + 1) + ")";
  }
}
