// IPv6 (RFC 8200) and its extension headers as tcpdump prints them: "IP6 src > dst: …",
// hop-by-hop and destination options ("HBH ", "DSTOPT "), fragments "frag (off|len)", routing
// headers "RT6 (len=…)", jumbograms; with -v "(flowlabel 0x…, hlim 64, next-header TCP (6) payload
// length: 40) ".

import { be16, be32, has, printInvalid, printTrunc, pushSnaplen, u8, type PrintContext } from "./context.js";
import { hex4, ipv6String } from "./addr.js";
import { ipProtoName } from "./names.js";
import { ipDemuxPrint } from "./ip-demux.js";

const NH_HOPOPTS = 0;
const NH_TCP = 6;
const NH_UDP = 17;
const NH_DCCP = 33;
const NH_ROUTING = 43;
const NH_FRAGMENT = 44;
const NH_DSTOPTS = 60;
const NH_MOBILITY_OLD = 62;
const NH_SCTP = 132;
const NH_MOBILITY = 135;

const OPT_PAD1 = 0x00;
const OPT_PADN = 0x01;
const OPT_ROUTER_ALERT = 0x05;
const OPT_JUMBO = 0xc2;
const OPT_HOME_ADDRESS = 0xc9;
const OPT_MINLEN = 2;
const OPT_RTALERT_LEN = 4;
const OPT_JUMBO_LEN = 6;
const OPT_HOMEADDR_MINLEN = 18;

const FRAG_OFFSET_MASK = 0xfff8;

function hex2w(v: number): string {
  return v.toString(16).padStart(2, "0");
}

/** Sub-options of the home address option (-v). Returns false on truncation. */
function printSubOptions(c: PrintContext, at: number, len: number): boolean {
  let optlen: number;
  for (let i = 0; i < len; i += optlen) {
    if (u8(c, at + i) === OPT_PAD1) optlen = 1;
    else {
      if (i + 1 < len) optlen = u8(c, at + i + 1) + 2;
      else return false;
    }
    if (i + optlen > len) return false;
    switch (u8(c, at + i)) {
      case OPT_PAD1:
        c.out += ", pad1";
        break;
      case OPT_PADN:
        if (len - i < OPT_MINLEN) {
          c.out += ", padn: trunc";
          return false;
        }
        c.out += ", padn";
        break;
      default:
        if (len - i < OPT_MINLEN) {
          c.out += ", sopt_type " + u8(c, at + i) + ": trunc)";
          return false;
        }
        c.out += ", sopt_type 0x" + hex2w(u8(c, at + i)) + ": len=" + u8(c, at + i + 1);
    }
  }
  return true;
}

interface JumboState {
  found: boolean;
  payloadLength: number;
}

/** Hop-by-hop or destination options. Returns false on truncation. */
function printOptions(c: PrintContext, at: number, len: number, jumbo: JumboState | undefined): boolean {
  const v = c.flags.verbose;
  let foundJumbo = false;
  if (len === 0) return true;
  let optlen = 0;
  for (let i = 0; i < len; i += optlen) {
    const type = u8(c, at + i);
    if (type === OPT_PAD1) optlen = 1;
    else {
      if (i + 1 < len) optlen = u8(c, at + i + 1) + 2;
      else return false;
    }
    if (i + optlen > len) return false;
    switch (type) {
      case OPT_PAD1:
        if (v) c.out += "(pad1)";
        break;
      case OPT_PADN:
        if (len - i < OPT_MINLEN) {
          c.out += "(padn: trunc)";
          return false;
        }
        if (v) c.out += "(padn)";
        break;
      case OPT_ROUTER_ALERT:
        if (len - i < OPT_RTALERT_LEN) {
          c.out += "(rtalert: trunc)";
          return false;
        }
        if (u8(c, at + i + 1) !== OPT_RTALERT_LEN - 2) {
          c.out += "(rtalert: invalid len " + u8(c, at + i + 1) + ")";
          return false;
        }
        if (v) c.out += "(rtalert: 0x" + hex4(be16(c, at + i + 2)) + ") ";
        break;
      case OPT_JUMBO: {
        if (len - i < OPT_JUMBO_LEN) {
          c.out += "(jumbo: trunc)";
          return false;
        }
        if (u8(c, at + i + 1) !== OPT_JUMBO_LEN - 2) {
          c.out += "(jumbo: invalid len " + u8(c, at + i + 1) + ")";
          return false;
        }
        const jumbolen = be32(c, at + i + 2);
        if (foundJumbo) {
          if (v) c.out += "(jumbo: " + jumbolen + " - already seen) ";
        } else {
          foundJumbo = true;
          if (jumbo === undefined) {
            if (v) c.out += "(jumbo: " + jumbolen + " - not a hop-by-hop option) ";
          } else if (jumbo.payloadLength !== 0) {
            if (v) c.out += "(jumbo: " + jumbolen + " - payload len != 0) ";
          } else if (jumbolen < 65536) {
            if (v) c.out += "(jumbo: " + jumbolen + " - < 65536) ";
          } else {
            jumbo.found = true;
            jumbo.payloadLength = jumbolen;
            if (v) c.out += "(jumbo: " + jumbolen + ") ";
          }
        }
        break;
      }
      case OPT_HOME_ADDRESS:
        if (len - i < OPT_HOMEADDR_MINLEN) {
          c.out += "(homeaddr: trunc)";
          return false;
        }
        if (u8(c, at + i + 1) < OPT_HOMEADDR_MINLEN - 2) {
          c.out += "(homeaddr: invalid len " + u8(c, at + i + 1) + ")";
          return false;
        }
        if (v) {
          c.out += "(homeaddr: " + ipv6String(c, at + i + 2);
          if (u8(c, at + i + 1) > OPT_HOMEADDR_MINLEN - 2) {
            if (!printSubOptions(c, at + i + OPT_HOMEADDR_MINLEN, optlen - OPT_HOMEADDR_MINLEN)) return false;
          }
          c.out += ")";
        }
        break;
      default:
        if (len - i < OPT_MINLEN) {
          c.out += "(type " + type + ": trunc)";
          return false;
        }
        if (v) c.out += "(opt_type 0x" + hex2w(type) + ": len=" + u8(c, at + i + 1) + ")";
    }
  }
  if (v) c.out += " ";
  return true;
}

function hopByHop(c: PrintContext, at: number, jumbo: JumboState): number {
  c.protocol = "hbhopt";
  const hbhlen = (u8(c, at + 1) + 1) << 3;
  if (!has(c, at, hbhlen)) {
    printTrunc(c);
    return -1;
  }
  c.out += "HBH ";
  if (!printOptions(c, at + 2, hbhlen - 2, jumbo)) {
    printTrunc(c);
    return -1;
  }
  return hbhlen;
}

function destinationOptions(c: PrintContext, at: number): number {
  c.protocol = "dstopt";
  const len = (u8(c, at + 1) + 1) << 3;
  if (!has(c, at, len)) {
    printTrunc(c);
    return -1;
  }
  c.out += "DSTOPT ";
  if (c.flags.verbose) {
    if (!printOptions(c, at + 2, len - 2, undefined)) {
      printTrunc(c);
      return -1;
    }
  }
  return len;
}

function fragment(c: PrintContext, at: number, ipAt: number): number {
  c.protocol = "frag6";
  const off = be16(c, at + 2) & FRAG_OFFSET_MASK;
  // tcpdump prints this as a size_t, so a header chain longer than the payload wraps around.
  const fragLenValue = 40 + be16(c, ipAt + 4) - (at - ipAt) - 8;
  const fragLen = fragLenValue >= 0 ? "" + fragLenValue : (18446744073709551616n + BigInt(fragLenValue)).toString();
  if (c.flags.verbose) {
    c.out +=
      "frag (0x" +
      be32(c, at + 4)
        .toString(16)
        .padStart(8, "0") +
      ":" +
      off +
      "|" +
      fragLen +
      ")";
  } else {
    c.out += "frag (" + off + "|" + fragLen + ")";
  }
  if ((be16(c, at + 2) & FRAG_OFFSET_MASK) !== 0) return -1;
  c.out += " ";
  return 8;
}

function routing(c: PrintContext, at: number): number {
  c.protocol = "rt6";
  c.out += "RT6";
  let len = u8(c, at + 1);
  c.out += " (len=" + len;
  const type = u8(c, at + 2);
  c.out += ", type=" + type;
  if (type === 0) c.out += " [Deprecated]";
  c.out += ", segleft=" + u8(c, at + 3);
  switch (type) {
    case 0:
    case 2: {
      const reserved = be32(c, at + 4);
      if (reserved || c.flags.verbose) c.out += ", rsv=0x" + reserved.toString(16);
      if (len % 2 === 1) {
        c.out += " (invalid length " + len + ")";
        printInvalid(c);
        return -1;
      }
      len >>= 1;
      let p = at + 8;
      for (let i = 0; i < len; i++) {
        c.out += ", [" + i + "]" + ipv6String(c, p);
        p += 16;
      }
      c.out += ") ";
      return (u8(c, at + 1) + 1) << 3;
    }
    case 4: {
      c.out += ", last-entry=" + u8(c, at + 4);
      const flags = u8(c, at + 5);
      if (flags || c.flags.verbose) c.out += ", flags=0x" + flags.toString(16);
      c.out += ", tag=" + be16(c, at + 6).toString(16);
      if (len % 2 === 1) {
        c.out += " (invalid length " + len + ")";
        printInvalid(c);
        return -1;
      }
      len >>= 1;
      let p = at + 8;
      for (let i = 0; i < len; i++) {
        c.out += ", [" + i + "]" + ipv6String(c, p);
        p += 16;
      }
      c.out += ") ";
      return (u8(c, at + 1) + 1) << 3;
    }
    default:
      c.out += " (unknown type)";
      printInvalid(c);
      return -1;
  }
}

export function ip6Print(c: PrintContext, at: number, length: number): void {
  c.protocol = "ip6";
  if (!has(c, at, 40)) {
    printTrunc(c);
    return;
  }
  if (length < 40) {
    c.out += "truncated-ip6 " + length;
    return;
  }
  if (!c.flags.linkHeader) c.out += "IP6 ";
  const version = u8(c, at) >> 4;
  if (version !== 6) {
    c.out += "version error: " + version + " != 6";
    return;
  }
  const jumbo: JumboState = { found: false, payloadLength: be16(c, at + 4) };
  const payloadLen = jumbo.payloadLength;
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) c.out += "truncated-ip6 - " + (len - length) + " bytes missing!";
  } else len = length + 40;

  let ph = 255;
  let nh = u8(c, at + 6);
  if (c.flags.verbose) {
    const flow = be32(c, at);
    c.out += "(";
    if (flow & 0x0ff00000) c.out += "class 0x" + hex2w((flow & 0x0ff00000) >>> 20) + ", ";
    if (flow & 0x000fffff) c.out += "flowlabel 0x" + (flow & 0x000fffff).toString(16).padStart(5, "0") + ", ";
    c.out +=
      "hlim " +
      u8(c, at + 7) +
      ", next-header " +
      (ipProtoName(nh) ?? "unknown") +
      " (" +
      nh +
      ") payload length: " +
      payloadLen +
      ") ";
  }

  const saved = pushSnaplen(c, at, len);
  let cp = at;
  let advance = 40;
  let totalAdvance = 0;
  let foundExtensionHeader = false;
  let foundHbh = false;
  let fragmented = false;
  while (cp < c.snapend && advance > 0) {
    if (len < advance) {
      printTrunc(c);
      return;
    }
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === at + 40 && nh !== NH_TCP && nh !== NH_UDP && nh !== NH_DCCP && nh !== NH_SCTP) {
      c.out += ipv6String(c, at + 8) + " > " + ipv6String(c, at + 24) + ": ";
    }
    switch (nh) {
      case NH_HOPOPTS:
        if (foundHbh) {
          c.out += "[The Hop-by-Hop Options header was already found]";
          printInvalid(c);
          return;
        }
        if (ph !== 255) {
          c.out += "[The Hop-by-Hop Options header don't follow the IPv6 header]";
          printInvalid(c);
          return;
        }
        advance = hopByHop(c, cp, jumbo);
        if (jumbo.payloadLength === 0 && !jumbo.found) {
          c.out += "[No valid Jumbo Payload Hop-by-Hop option found]";
          printInvalid(c);
          return;
        }
        if (advance < 0) {
          c.snapend = saved;
          return;
        }
        foundExtensionHeader = true;
        foundHbh = true;
        nh = u8(c, cp);
        break;
      case NH_DSTOPTS:
        advance = destinationOptions(c, cp);
        if (advance < 0) {
          c.snapend = saved;
          return;
        }
        foundExtensionHeader = true;
        nh = u8(c, cp);
        break;
      case NH_FRAGMENT:
        advance = fragment(c, cp, at);
        if (advance < 0 || c.snapend <= cp + advance) {
          c.snapend = saved;
          return;
        }
        foundExtensionHeader = true;
        nh = u8(c, cp);
        fragmented = true;
        break;
      case NH_MOBILITY_OLD:
      case NH_MOBILITY:
        c.markUnsupported("ipv6 mobility header");
        c.out += "mobility";
        c.snapend = saved;
        return;
      case NH_ROUTING:
        if (!has(c, cp, 1)) {
          printTrunc(c);
          return;
        }
        advance = routing(c, cp);
        if (advance < 0) {
          c.snapend = saved;
          return;
        }
        foundExtensionHeader = true;
        nh = u8(c, cp);
        break;
      default:
        if (jumbo.found) {
          len = jumbo.payloadLength + 40;
          if (len < totalAdvance) {
            printTrunc(c);
            return;
          }
          if (length < len) c.out += "truncated-ip6 - " + (len - length) + " bytes missing!";
          changeSnaplen(c, at, len, saved);
          len -= totalAdvance;
        } else if (payloadLen === 0) {
          if (foundExtensionHeader) {
            printTrunc(c);
            return;
          }
          len = 40;
          changeSnaplen(c, at, len, saved);
          len -= totalAdvance;
        }
        ipDemuxPrint(c, cp, len, 6, fragmented, nh, at);
        c.snapend = saved;
        return;
    }
    ph = nh;
    c.protocol = "ip6";
  }
  c.snapend = saved;
}

/** Moves the readable end to at+len, bounded by the end that was in force before the push. */
function changeSnaplen(c: PrintContext, at: number, len: number, previous: number): void {
  c.snapend = len <= previous - at ? at + len : previous;
}
