// ICMP for IPv4 (RFC 792): "ICMP echo request, id 1, seq 2, length 64", unreachables with the
// quoted packet's destination, redirects, time exceeded, router discovery; with -v the checksum,
// the quoted IP packet and RFC 4884 multi-part extensions.

import {
  be16,
  be32,
  checksumShouldBe,
  finishChecksum,
  has,
  onesComplementSum,
  printTrunc,
  u8,
  type PrintContext,
} from "./context.js";
import { hex, hex4, ipv4String, tcpPortString, udpPortString } from "./addr.js";
import { decimal } from "./decimal.js";
import { encapsulated } from "./encapsulated.js";
import { printUnknownData } from "./unknown.js";

const ECHOREPLY = 0;
const UNREACH = 3;
const SOURCEQUENCH = 4;
const REDIRECT = 5;
const ECHO = 8;
const ROUTERADVERT = 9;
const TIMXCEED = 11;
const PARAMPROB = 12;
const TSTAMP = 13;
const TSTAMPREPLY = 14;
const MASKREPLY = 18;

/** Where the quoted IP header starts. */
const QUOTED_IP = 8;
/** ICMP header plus the 128-byte original datagram field of RFC 4884. */
const EXTENSION_MIN_LENGTH = 136;

const SIMPLE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, "echo reply"],
  [4, "source quench"],
  [8, "echo request"],
  [10, "router solicitation"],
  [13, "time stamp request"],
  [14, "time stamp reply"],
  [15, "information request"],
  [16, "information reply"],
  [17, "address mask request"],
]);

const UNREACH_TEXT: ReadonlyMap<number, [string, string]> = new Map([
  [0, ["net ", " unreachable"]],
  [1, ["host ", " unreachable"]],
  [5, ["", " unreachable - source route failed"]],
  [6, ["net ", " unreachable - unknown"]],
  [7, ["host ", " unreachable - unknown"]],
  [8, ["", " unreachable - source host isolated"]],
  [9, ["net ", " unreachable - admin prohibited"]],
  [10, ["host ", " unreachable - admin prohibited"]],
  [11, ["net ", " unreachable - tos prohibited"]],
  [12, ["host ", " unreachable - tos prohibited"]],
  [13, ["host ", " unreachable - admin prohibited filter"]],
  [14, ["host ", " unreachable - host precedence violation"]],
  [15, ["host ", " unreachable - precedence cutoff"]],
]);

function isErrorType(type: number): boolean {
  return type === UNREACH || type === SOURCEQUENCH || type === REDIRECT || type === TIMXCEED || type === PARAMPROB;
}

function pad2(v: number): string {
  return v < 10 ? "0" + v : "" + v;
}

/** Milliseconds since midnight UT as HH:MM:SS.mmm. */
function timestampText(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor(ms / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  return pad2(hrs) + ":" + pad2(min) + ":" + pad2(sec) + "." + (msec < 10 ? "00" : msec < 100 ? "0" : "") + msec;
}

function lifetimeText(lifetime: number): string {
  if (lifetime < 60) return "" + lifetime;
  if (lifetime < 3600) return Math.floor(lifetime / 60) + ":" + pad2(lifetime % 60);
  return Math.floor(lifetime / 3600) + ":" + pad2(Math.floor((lifetime % 3600) / 60)) + ":" + pad2(lifetime % 60);
}

/** The message text before ", length N"; undefined after printing a truncation marker. */
function describe(c: PrintContext, at: number, type: number, code: number): string | undefined {
  const dst = at + QUOTED_IP + 16;
  switch (type) {
    case ECHO:
    case ECHOREPLY:
      return (
        "echo " +
        (type === ECHO ? "request" : "reply") +
        ", id " +
        decimal(be16(c, at + 4)) +
        ", seq " +
        decimal(be16(c, at + 6))
      );
    case UNREACH:
      switch (code) {
        case 2:
          return ipv4String(c, dst) + " protocol " + u8(c, at + QUOTED_IP + 9) + " unreachable";
        case 3: {
          if (!has(c, at + QUOTED_IP + 9, 1)) {
            printTrunc(c);
            return undefined;
          }
          const hlen = (u8(c, at + QUOTED_IP) & 0x0f) * 4;
          const dport = be16(c, at + QUOTED_IP + hlen + 2);
          const proto = u8(c, at + QUOTED_IP + 9);
          if (proto === 6) return ipv4String(c, dst) + " tcp port " + tcpPortString(c, dport) + " unreachable";
          if (proto === 17) return ipv4String(c, dst) + " udp port " + udpPortString(c, dport) + " unreachable";
          return ipv4String(c, dst) + " protocol " + proto + " port " + dport + " unreachable";
        }
        case 4: {
          const mtu = be16(c, at + 6);
          if (mtu) return ipv4String(c, dst) + " unreachable - need to frag (mtu " + mtu + ")";
          return ipv4String(c, dst) + " unreachable - need to frag";
        }
        default: {
          const text = UNREACH_TEXT.get(code);
          if (text !== undefined) return text[0] + ipv4String(c, dst) + text[1];
          return ipv4String(c, dst) + " unreachable - #" + code;
        }
      }
    case REDIRECT: {
      const target = ipv4String(c, dst);
      const gateway = ipv4String(c, at + 4);
      switch (code) {
        case 0:
          return "redirect " + target + " to net " + gateway;
        case 1:
          return "redirect " + target + " to host " + gateway;
        case 2:
          return "redirect-tos " + target + " to net " + gateway;
        case 3:
          return "redirect-tos " + target + " to host " + gateway;
        default:
          return "redirect-#" + code + " " + target + " to " + gateway;
      }
    }
    case ROUTERADVERT: {
      let s = "router advertisement";
      if (!has(c, at + 4, 4)) {
        printTrunc(c);
        return undefined;
      }
      s += " lifetime " + lifetimeText(be16(c, at + 6));
      let num = u8(c, at + 4);
      s += " " + num + ":";
      const size = u8(c, at + 5);
      if (size !== 2) return s + " [size " + size + "]";
      let p = at + 8;
      while (num > 0) {
        if (!has(c, p, 8)) {
          printTrunc(c);
          return undefined;
        }
        s += " {" + ipv4String(c, p) + " " + be32(c, p + 4) + "}";
        p += 8;
        num--;
      }
      return s;
    }
    case TIMXCEED:
      if (!has(c, dst, 4)) {
        printTrunc(c);
        return undefined;
      }
      if (code === 0) return "time exceeded in-transit";
      if (code === 1) return "ip reassembly time exceeded";
      return "time exceeded-#" + code;
    case PARAMPROB:
      if (code) return "parameter problem - code " + code;
      return "parameter problem - octet " + u8(c, at + 4);
    case MASKREPLY:
      return (
        "address mask is 0x" +
        be32(c, at + 8)
          .toString(16)
          .padStart(8, "0")
      );
    case TSTAMP:
      return "time stamp query id " + be16(c, at + 4) + " seq " + be16(c, at + 6);
    case TSTAMPREPLY: {
      if (!has(c, at + 16, 4)) {
        printTrunc(c);
        return undefined;
      }
      let s =
        "time stamp reply id " +
        be16(c, at + 4) +
        " seq " +
        be16(c, at + 6) +
        ": org " +
        timestampText(be32(c, at + 8));
      s += ", recv " + timestampText(be32(c, at + 12));
      s += ", xmit " + timestampText(be32(c, at + 16));
      return s;
    }
    default:
      return SIMPLE_TYPES.get(type) ?? "type-#" + type;
  }
}

export function icmpPrint(c: PrintContext, at: number, plen: number, fragmented: boolean): void {
  c.protocol = "icmp";
  const type = u8(c, at);
  const code = u8(c, at + 1);
  const text = describe(c, at, type, code);
  if (text === undefined) return;
  c.out += "ICMP " + text + ", length " + plen;
  const v = c.flags.verbose;
  if (v && !fragmented && has(c, at, plen)) {
    const sum = finishChecksum(onesComplementSum(c, at, plen, 0));
    if (sum !== 0) {
      const stored = be16(c, at + 2);
      c.out += " (wrong icmp cksum " + hex(stored) + " (->" + hex(checksumShouldBe(stored, sum)) + ")!)";
    }
  }
  if (v >= 1 && isErrorType(type)) {
    const inner = at + 8;
    c.out += "\n\t";
    const innerLength = be16(c, inner + 2);
    const saved = c.snapend;
    if (inner + innerLength < c.snapend) c.snapend = inner + innerLength;
    encapsulated().ipv4(c, inner, innerLength);
    c.snapend = saved;
  }
  c.protocol = "icmp";
  if (v >= 1 && plen > EXTENSION_MIN_LENGTH && (type === UNREACH || type === TIMXCEED || type === PARAMPROB)) {
    printExtensions(c, at, plen);
  }
}

/** RFC 4884 / RFC 4950 extension objects (MPLS label stacks). */
function printExtensions(c: PrintContext, at: number, plen: number): void {
  if (!has(c, at, 141)) {
    printTrunc(c);
    return;
  }
  const ext = at + EXTENSION_MIN_LENGTH;
  if (u8(c, at + 5) === 0 && has(c, ext, plen - EXTENSION_MIN_LENGTH)) {
    if (finishChecksum(onesComplementSum(c, ext, plen - EXTENSION_MIN_LENGTH, 0)) !== 0) return;
  }
  const version = (c.bytes[ext]! & 0xf0) >> 4;
  c.out += "\n\tICMP Multi-Part extension v" + version;
  if (version !== 2) {
    c.out += " packet not supported";
    return;
  }
  let hlen = plen - EXTENSION_MIN_LENGTH;
  if (has(c, ext, hlen)) {
    const bad = finishChecksum(onesComplementSum(c, ext, hlen, 0)) !== 0;
    c.out += ", checksum 0x" + hex4(be16(c, ext + 2)) + " (" + (bad ? "in" : "") + "correct), length " + hlen;
  }
  hlen -= 4;
  let obj = ext + 4;
  while (hlen > 4) {
    if (!has(c, obj, 4)) {
      printTrunc(c);
      return;
    }
    let objLen = be16(c, obj);
    const classNum = u8(c, obj + 2);
    const ctype = u8(c, obj + 3);
    obj += 4;
    const className = classNum === 1 ? "MPLS Stack Entry" : classNum === 2 ? "Interface Identification" : "unknown";
    c.out += "\n\t  " + className + " Object (" + classNum + "), Class-Type: " + ctype + ", length " + objLen;
    hlen -= 4;
    if (classNum === 0 || objLen < 4) return;
    objLen -= 4;
    if (classNum === 1 && ctype === 1) {
      const label = be32(c, obj);
      c.out += "\n\t    label " + ((label >>> 12) & 0xfffff) + ", tc " + ((label >>> 9) & 7);
      if ((label >>> 8) & 1) c.out += ", [S]";
      c.out += ", ttl " + (label & 0xff);
    } else {
      printUnknownData(c, obj, "\n\t    ", objLen);
    }
    if (hlen < objLen) break;
    hlen -= objLen;
    obj += objLen;
  }
}
