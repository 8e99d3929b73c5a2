// IPv4 (RFC 791): "IP src > dst: …", with -v the header fields and options line
// "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)", fragments as
// "ip-proto-N", and the header checksum check.

import {
  be16,
  be32,
  finishChecksum,
  checksumShouldBe,
  has,
  onesComplementSum,
  printInvalid,
  printTrunc,
  pushSnaplen,
  u8,
  TRUNCATED,
  type PrintContext,
} from "./context.js";
import { hex, ipv4String } from "./addr.js";
import { decimal } from "./decimal.js";
import { ipProtoName, netdbProtoName } from "./names.js";
import { ipDemuxPrint } from "./ip-demux.js";

const IP_MF = 0x2000;
const IP_DF = 0x4000;
const IP_RES = 0x8000;
const IP_OFFMASK = 0x1fff;

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_RR = 7;
const IPOPT_TS = 68;
const IPOPT_SECURITY = 130;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;
const IPOPT_RA = 148;

const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [IPOPT_EOL, "EOL"],
  [IPOPT_NOP, "NOP"],
  [IPOPT_TS, "timestamp"],
  [IPOPT_SECURITY, "security"],
  [IPOPT_RR, "RR"],
  [IPOPT_SSRR, "SSRR"],
  [IPOPT_LSRR, "LSRR"],
  [IPOPT_RA, "RA"],
  [82, "traceroute"],
]);

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_DCCP = 33;
const PROTO_SCTP = 132;

function fragFlags(off: number): string {
  let s = "";
  if (off & IP_MF) s = "+";
  if (off & IP_DF) s += (s ? ", " : "") + "DF";
  if (off & IP_RES) s += (s ? ", " : "") + "rsvd";
  return s || "none";
}

/** Route options (RR, LSRR, SSRR): the addresses, a comma after those already visited. */
function printRoute(c: PrintContext, at: number, length: number): void {
  if (length < 3) {
    c.out += " [bad length " + length + "]";
    return;
  }
  if ((length + 1) & 3) c.out += " [bad length " + length + "]";
  const ptr = u8(c, at + 2) - 1;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) c.out += " [bad ptr " + u8(c, at + 2) + "]";
  for (let len = 3; len < length; len += 4) {
    if (!has(c, at + len, 4)) throw OPTION_TRUNCATED;
    c.out += " " + ipv4String(c, at + len);
    if (ptr > len) c.out += ",";
  }
}

/** Signals "goto trunc" inside option printing (distinct from a read running off the end). */
const OPTION_TRUNCATED = { optionTruncated: true };

function printTimestamps(c: PrintContext, at: number, length: number): void {
  if (length < 4) {
    c.out += "[bad length " + length + "]";
    return;
  }
  c.out += " TS{";
  const flags = u8(c, at + 3);
  const hoplen = (flags & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) c.out += "[bad length " + length + "]";
  const ptr = u8(c, at + 2) - 1;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hoplen - 1) || ptr > length + 1) c.out += "[bad ptr " + u8(c, at + 2) + "]";
  let valid = true;
  switch (flags & 0xf) {
    case 0:
      c.out += "TSONLY";
      break;
    case 1:
      c.out += "TS+ADDR";
      break;
    case 3:
      c.out += "PRESPEC";
      break;
    default:
      c.out += "[bad ts type " + (flags & 0xf) + "]";
      valid = false;
  }
  if (valid) {
    let type = " ";
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = " ^ ";
      if (!has(c, at + len, hoplen)) throw OPTION_TRUNCATED;
      c.out += type + be32(c, at + len + hoplen - 4) + "@" + (hoplen !== 8 ? "" : ipv4String(c, at + len));
      type = " ";
    }
  }
  c.out += ptr === len ? " ^ " : "";
  const hops = u8(c, at + 3) >> 4;
  if (hops) c.out += " [" + hops + " hops not recorded]} ";
  else c.out += "}";
}

/** Prints IP options; false when they run past the captured data. */
function printOptions(c: PrintContext, at: number, length: number): boolean {
  let sep = "";
  try {
    while (length > 0) {
      c.out += sep;
      sep = ",";
      const code = u8(c, at);
      c.out += OPTION_NAMES.get(code) ?? "unknown " + code;
      let optionLen: number;
      if (code === IPOPT_NOP || code === IPOPT_EOL) optionLen = 1;
      else {
        optionLen = u8(c, at + 1);
        if (optionLen < 2) {
          c.out += " [bad length " + optionLen + "]";
          return true;
        }
      }
      if (optionLen > length) {
        c.out += " [bad length " + optionLen + "]";
        return true;
      }
      if (!has(c, at, optionLen)) return false;
      switch (code) {
        case IPOPT_EOL:
          return true;
        case IPOPT_TS:
          printTimestamps(c, at, optionLen);
          break;
        case IPOPT_RR:
        case IPOPT_SSRR:
        case IPOPT_LSRR:
          printRoute(c, at, optionLen);
          break;
        case IPOPT_RA:
          if (optionLen < 4) {
            c.out += " [bad length " + optionLen + "]";
            break;
          }
          if (be16(c, at + 2) !== 0) c.out += " value " + be16(c, at + 2);
          break;
        default:
          break;
      }
      at += optionLen;
      length -= optionLen;
    }
  } catch (e) {
    if (e === OPTION_TRUNCATED) return false;
    throw e;
  }
  return true;
}

export function ipPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ip";
  const version = u8(c, at) >> 4;
  if (version !== 4) {
    if (version === 6) c.out += "IP6, wrong link-layer encapsulation";
    else c.out += "IP" + version;
    printInvalid(c);
    return;
  }
  if (!c.flags.linkHeader) c.out += "IP ";

  if (!has(c, at, 20)) {
    printTrunc(c);
    return;
  }
  if (length < 20) {
    c.out += "truncated-ip " + length;
    return;
  }
  const hlen = (u8(c, at) & 0x0f) * 4;
  if (hlen < 20) {
    c.out += "bad-hlen " + hlen;
    return;
  }
  let len = be16(c, at + 2);
  if (length < len) c.out += "truncated-ip - " + (len - length) + " bytes missing! ";
  if (len < hlen) {
    c.out += "bad-len " + len;
    return;
  }
  const saved = pushSnaplen(c, at, len);
  len -= hlen;
  const off = be16(c, at + 6);
  const proto = u8(c, at + 9);

  if (c.flags.verbose) {
    const tos = u8(c, at + 1);
    let s = "(tos 0x" + hex(tos);
    switch (tos & 3) {
      case 1:
        s += ",ECT(1)";
        break;
      case 2:
        s += ",ECT(0)";
        break;
      case 3:
        s += ",CE";
        break;
    }
    c.out += s;
    const ttl = u8(c, at + 8);
    if (ttl >= 1) c.out += ", ttl " + ttl;
    c.out +=
      ", id " +
      decimal(be16(c, at + 4)) +
      ", offset " +
      (off & IP_OFFMASK) * 8 +
      ", flags [" +
      fragFlags(off) +
      "], proto " +
      (ipProtoName(proto) ?? "unknown") +
      " (" +
      proto +
      ")";
    c.out += ", length " + decimal(be16(c, at + 2));
    let truncated = false;
    if (hlen > 20) {
      c.out += ", options (";
      if (!printOptions(c, at + 20, hlen - 20)) {
        c.out += " [truncated-option]";
        truncated = true;
      }
      c.out += ")";
    }
    if (!c.flags.noChecksums && at + hlen <= c.snapend) {
      const sum = finishChecksum(onesComplementSum(c, at, hlen, 0));
      if (sum !== 0) {
        const stored = be16(c, at + 10);
        c.out += ", bad cksum " + hex(stored) + " (->" + hex(checksumShouldBe(stored, sum)) + ")!";
      }
    }
    c.out += ")\n    ";
    if (truncated) {
      c.out += ipv4String(c, at + 12) + " > " + ipv4String(c, at + 16) + ": ";
      printTrunc(c);
      c.snapend = saved;
      return;
    }
  }

  if ((off & IP_OFFMASK) === 0) {
    if (proto !== PROTO_TCP && proto !== PROTO_UDP && proto !== PROTO_SCTP && proto !== PROTO_DCCP) {
      c.out += ipv4String(c, at + 12) + " > " + ipv4String(c, at + 16) + ": ";
    }
    if (!has(c, at, hlen)) {
      c.out += " [remaining caplen(" + (c.snapend - at) + ") < header length(" + hlen + ")]";
      throw TRUNCATED;
    }
    ipDemuxPrint(c, at + hlen, len, 4, (off & IP_MF) !== 0, proto, at);
  } else {
    if (c.flags.quick > 1) {
      c.snapend = saved;
      return;
    }
    c.out += ipv4String(c, at + 12) + " > " + ipv4String(c, at + 16) + ":";
    const name = c.flags.numeric ? undefined : netdbProtoName(proto);
    c.out += name !== undefined ? " " + name : " ip-proto-" + proto;
  }
  c.snapend = saved;
}
