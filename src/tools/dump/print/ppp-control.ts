// PPP control protocols (RFC 1661 and the protocols built on its packet format: IPCP, IP6CP, CCP,
// BACP, OSICP, MPLSCP): the code, identifier and length, and with -v the encoded length, the
// configuration options of LCP, IPCP, IP6CP, CCP and BACP, echo magic numbers and rejected protocols, as tcpdump
// prints them. tcpdump's option printers are handed the whole encoded length rather than what is
// left of it; that is kept, as it decides what tcpdump prints for malformed option lists.

import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, macString } from "./addr.js";
import { ouiName, PPP_NAMES } from "./names.js";

import { printableChar, printUnknownData } from "./unknown.js";

export const PPP_LCP = 0xc021;
export const PPP_CCP = 0x80fd;
const PPP_CHAP = 0xc223;
const PPP_LQM = 0xc025;
const NO_AUTH_DETAIL: ReadonlySet<number> = new Set([0xc023, 0xc227, 0xc027, 0xc123]);

const CODES = [
  "Vendor-Extension",
  "Conf-Request",
  "Conf-Ack",
  "Conf-Nack",
  "Conf-Reject",
  "Term-Request",
  "Term-Ack",
  "Code-Reject",
  "Prot-Reject",
  "Echo-Request",
  "Echo-Reply",
  "Disc-Req",
  "Ident",
  "Time-Rem",
  "Reset-Req",
  "Reset-Ack",
];
const LCP_OPTIONS = [
  "Vend-Ext",
  "MRU",
  "ACCM",
  "Auth-Prot",
  "Qual-Prot",
  "Magic-Num",
  "deprecated(6)",
  "PFC",
  "ACFC",
  "FCS-Alt",
  "SDP",
  "Num-Mode",
  "deprecated(12)",
  "Call-Back",
  "deprecated(14)",
  "deprecated(15)",
  "deprecated(16)",
  "MRRU",
  "12-Bit seq #",
  "End-Disc",
  "Proprietary",
  "DCE-Id",
  "MP+",
  "Link-Disc",
  "LCP-Auth-Opt",
  "COBS",
  "Prefix-elision",
  "Multilink-header-Form",
  "I18N",
  "SDL-over-SONET/SDH",
  "PPP-Muxing",
];
const CCP_OPTIONS = new Map([
  [0, "OUI"],
  [1, "Pred-1"],
  [2, "Pred-2"],
  [3, "Puddle"],
  [16, "HP-PPC"],
  [17, "Stac-LZS"],
  [18, "MPPC"],
  [19, "Gand-FZA"],
  [20, "V.42bis"],
  [21, "BSD-Comp"],
  [23, "LZS-DCP"],
  [24, "MVRCA"],
  [25, "DEC"],
  [26, "Deflate"],
  [255, "Reserved"],
]);
const AUTH_ALGORITHMS = new Map([
  [5, "MD5"],
  [128, "MS-CHAPv1"],
  [129, "MS-CHAPv2"],
]);
const CALLBACKS = new Map([
  [0, "UserAuth"],
  [1, "DialString"],
  [2, "LocalID"],
  [3, "E.164"],
  [4, "X.500"],
  [6, "CBCP"],
]);

const hex8 = (v: number): string => v.toString(16).padStart(8, "0");

/**
 * A control protocol packet of `length` bytes at `at` (after the PPP protocol field); `name` is
 * the protocol's name, "unknown ctrl-proto (0x....)" when it has none.
 */
export function pppControlPrint(c: PrintContext, protocol: number, name: string, at: number, length: number): void {
  c.out += name + ", ";
  if (length < 4 || !has(c, at, 2)) {
    c.out += "[|" + name + "]";
    return;
  }
  const code = u8(c, at);
  c.out +=
    (CODES[code] ?? "Unknown Opcode") + " (0x" + hex2(code) + "), id " + u8(c, at + 1) + ", length " + (length + 2);
  if (!c.flags.verbose) return;
  const len = be16(c, at + 2);
  let p = at + 4;
  if (len < 4) {
    c.out += "\n\tencoded length " + len + " (< 4))";
    return;
  }
  if (len > length) {
    c.out += "\n\tencoded length " + len + " (> packet length " + length + "))";
    return;
  }
  c.out += "\n\tencoded length " + len + " (=Option(s) length " + (len - 4) + ")";
  if (len === 4) return;
  if (c.flags.verbose > 1) printUnknownData(c, at - 2, "\n\t", 6);
  switch (code) {
    case 0:
      if (len < 11) return;
      c.out += "\n\t  Magic-Num 0x" + hex8(be32(c, p));
      c.out += " Vendor: " + ouiName(oui(c, p + 4)) + " (" + oui(c, p + 4) + ")";
      return;
    case 1:
    case 2:
    case 3:
    case 4: {
      const options = OPTION_PRINTERS.get(protocol);
      if (options === undefined) return;
      let left = len - 4;
      do {
        const advance = options(c, p, len);
        if (advance === 0) return;
        if (left < advance) {
          c.out += " [remaining options length " + left + " < " + advance + "] (invalid)";
          return;
        }
        left -= advance;
        p += advance;
      } while (left !== 0);
      return;
    }
    case 8:
      if (len < 6) return;
      {
        const rejected = be16(c, p);
        c.out += "\n\t  Rejected " + (pppProtocolName(rejected) ?? "unknown") + " Protocol (0x" + hex4(rejected) + ")";
      }
      if (len > 6) {
        c.out += "\n\t  Rejected Packet";
        printUnknownData(c, p + 2, "\n\t    ", len - 2);
      }
      return;
    case 9:
    case 10:
    case 11:
      if (len < 8) return;
      c.out += "\n\t  Magic-Num 0x" + hex8(be32(c, p));
      if (len > 8) {
        c.out += "\n\t  -----trailing data-----";
        if (!has(c, p + 4, len - 8)) {
          c.out += "[|" + name + "]";
          return;
        }
        printUnknownData(c, p + 4, "\n\t  ", len - 8);
      }
      return;
    case 12:
      if (len < 8) return;
      c.out += "\n\t  Magic-Num 0x" + hex8(be32(c, p));
      if (len > 8) {
        // tcpdump prints as many characters as the length less the header, from after the number.
        c.out += "\n\t  Message\n\t    ";
        for (let i = 0, q = p + 4; i < len - 4; i++, q++) {
          if (q >= c.snapend) {
            c.out += "[|" + name + "]";
            return;
          }
          c.out += printableChar(c.bytes[q]!);
        }
      }
      return;
    case 13:
      if (len < 12) return;
      c.out += "\n\t  Magic-Num 0x" + hex8(be32(c, p));
      c.out += ", Seconds-Remaining " + be32(c, p + 4) + "s";
      return;
    case 5:
    case 6:
    case 7:
      return;
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, at - 2, "\n\t  ", len + 2);
  }
}

function oui(c: PrintContext, at: number): number {
  return (u8(c, at) << 16) | (u8(c, at + 1) << 8) | u8(c, at + 2);
}

/** Notes a length the option's type does not allow; returns what the caller returns. */
function bogus(c: PrintContext, should: string, result: number): number {
  c.out += " (length bogus, should be " + should + ")";
  return result;
}

/** One LCP option; returns the bytes it takes, 0 to stop. */
function lcpOption(c: PrintContext, p: number, length: number): number {
  if (length < 2) return 0;
  if (!has(c, p, 2)) {
    c.out += "[|lcp]";
    return 0;
  }
  const opt = c.bytes[p]!;
  const len = c.bytes[p + 1]!;
  if (length < len) return 0;
  const optName = LCP_OPTIONS[opt];
  if (len < 2) {
    if (optName !== undefined)
      c.out += "\n\t  " + optName + " Option (0x" + hex2(opt) + "), length " + len + " (length bogus, should be >= 2)";
    else c.out += "\n\tunknown LCP option 0x" + hex2(opt);
    return 0;
  }
  if (optName === undefined) {
    c.out += "\n\tunknown LCP option 0x" + hex2(opt);
    return len;
  }
  c.out += "\n\t  " + optName + " Option (0x" + hex2(opt) + "), length " + len;
  switch (opt) {
    case 0:
      if (len < 6) return bogus(c, ">= 6", len);
      c.out += ": Vendor: " + ouiName(oui(c, p + 2)) + " (" + oui(c, p + 2) + ")";
      break;
    case 1:
      if (len !== 4) return bogus(c, "= 4", len);
      c.out += ": " + be16(c, p + 2);
      break;
    case 2:
      if (len !== 6) return bogus(c, "= 6", len);
      c.out += ": 0x" + hex8(be32(c, p + 2));
      break;
    case 3: {
      if (len < 4) return bogus(c, ">= 4", len);
      const auth = be16(c, p + 2);
      // tcpdump's text for an unnamed protocol has no conversion in it: it prints as written.
      c.out += ": " + (pppProtocolName(auth) ?? "Unknown Auth Proto (0x04x)");
      if (auth === PPP_CHAP) {
        const alg = u8(c, p + 4);
        c.out += ", " + (AUTH_ALGORITHMS.get(alg) ?? "Unknown Auth Alg " + alg);
      } else if (!NO_AUTH_DETAIL.has(auth)) printUnknownData(c, p, "\n\t", len);
      break;
    }
    case 4:
      if (len < 4) return bogus(c, ">= 4", 0);
      c.out += be16(c, p + 2) === PPP_LQM ? ": LQR" : ": unknown";
      break;
    case 5:
      if (len !== 6) return bogus(c, "= 6", 0);
      c.out += ": 0x" + hex8(be32(c, p + 2));
      break;
    case 7:
    case 8:
      break;
    case 23:
      if (len !== 4) return bogus(c, "= 4", 0);
      c.out += ": 0x" + hex4(be16(c, p + 2));
      break;
    case 13: {
      if (len < 3) return bogus(c, ">= 3", 0);
      // tcpdump prints a separator of its own before the operation's.
      c.out += ": ";
      const op = u8(c, p + 2);
      c.out += ": Callback Operation " + (CALLBACKS.get(op) ?? "Unknown") + " (" + op + ")";
      break;
    }
    case 17:
      if (len !== 4) return bogus(c, "= 4", 0);
      c.out += ": " + be16(c, p + 2);
      break;
    case 19: {
      if (len < 3) return bogus(c, ">= 3", 0);
      const cls = u8(c, p + 2);
      if (cls === 0) c.out += ": Null";
      else if (cls === 1) c.out += ": Local";
      else if (cls === 2) {
        if (len !== 7) return bogus(c, "= 7", 0);
        c.out += ": IPv4 " + ipv4String(c, p + 3);
      } else if (cls === 3) {
        if (len !== 9) return bogus(c, "= 9", 0);
        c.out += ": MAC " + macString(c, p + 3);
      } else if (cls === 4) c.out += ": Magic-Num-Block";
      else if (cls === 5) c.out += ": PSNDN";
      else c.out += ": Unknown class " + cls;
      break;
    }
    default:
      if (c.flags.verbose < 2) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  }
  if (c.flags.verbose > 1) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  return len;
}

/** One CCP option; returns the bytes it takes, 0 to stop. */
function ccpOption(c: PrintContext, p: number, length: number): number {
  if (length < 2) return 0;
  if (!has(c, p, 2)) {
    c.out += "[|ccp]";
    return 0;
  }
  const opt = c.bytes[p]!;
  const len = c.bytes[p + 1]!;
  if (length < len) return 0;
  c.out += "\n\t  " + (CCP_OPTIONS.get(opt) ?? "Unknown") + " Option (0x" + hex2(opt) + "), length " + len;
  if (len < 2) {
    c.out += " (length bogus, should be >= 2)";
    return 0;
  }
  switch (opt) {
    case 21: {
      if (len < 3) {
        c.out += " (length bogus, should be >= 3)";
        return len;
      }
      const v = u8(c, p + 2);
      c.out += ": Version: " + (v >> 5) + ", Dictionary Bits: " + (v & 0x1f);
      break;
    }
    case 24: {
      if (len < 4) {
        c.out += " (length bogus, should be >= 4)";
        return len;
      }
      const v = u8(c, p + 2);
      c.out +=
        ": Features: " +
        ((v & 0xc0) >> 6) +
        ", PxP: " +
        (v & 0x20 ? "Enabled" : "Disabled") +
        ", History: " +
        (v & 0x1f) +
        ", #CTX-ID: " +
        u8(c, p + 3);
      break;
    }
    case 26: {
      if (len < 4) {
        c.out += " (length bogus, should be >= 4)";
        return len;
      }
      const v = u8(c, p + 2);
      const w = u8(c, p + 3);
      c.out +=
        ": Window: " +
        ((v & 0xf0) >> 4) +
        "K, Method: " +
        ((v & 0x0f) === 8 ? "zlib" : "unknown") +
        " (0x" +
        (v & 0x0f).toString(16) +
        "), MBZ: " +
        ((w & 0xfc) >> 2) +
        ", CHK: " +
        (w & 0x03);
      break;
    }
    default:
      if (c.flags.verbose < 2) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  }
  if (c.flags.verbose > 1) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  return len;
}

function pppProtocolName(protocol: number): string | undefined {
  return PPP_NAMES.get(protocol);
}

const IPCP_OPTIONS = new Map([
  [1, "IP-Addrs"],
  [2, "IP-Comp"],
  [3, "IP-Addr"],
  [4, "Home-Addr"],
  [129, "Pri-DNS"],
  [130, "Pri-NBNS"],
  [131, "Sec-DNS"],
  [132, "Sec-NBNS"],
]);
const PPP_VJC = 0x002d;
const IP_HEADER_COMPRESSION = 0x61;
const IPCOMP_MIN_LENGTH = 14;

/**
 * The option header shared by IPCP, IP6CP, CCP and BACP; returns its length, 0 to stop, or -1
 * when the option's body is to be decoded.
 */
function optionHeader(
  c: PrintContext,
  p: number,
  length: number,
  names: ReadonlyMap<number, string>,
  unknown: string,
  proto: string,
): number {
  if (length < 2) return 0;
  if (!has(c, p, 2)) {
    c.out += "[|" + proto + "]";
    return 0;
  }
  const opt = c.bytes[p]!;
  const len = c.bytes[p + 1]!;
  if (length < len) return 0;
  c.out += "\n\t  " + (names.get(opt) ?? unknown) + " Option (0x" + hex2(opt) + "), length " + len;
  if (len < 2) {
    c.out += " (length bogus, should be >= 2)";
    return 0;
  }
  return -1;
}

/** The raw bytes tcpdump shows for an option it does not decode (-v) or for every option (-vv). */
function optionTail(c: PrintContext, p: number, len: number, decoded: boolean): number {
  if (!decoded && c.flags.verbose < 2) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  if (c.flags.verbose > 1) printUnknownData(c, p + 2, "\n\t    ", len - 2);
  return len;
}

function ipcpOption(c: PrintContext, p: number, length: number): number {
  const header = optionHeader(c, p, length, IPCP_OPTIONS, "unknown", "ipcp");
  if (header >= 0) return header;
  const opt = c.bytes[p]!;
  const len = c.bytes[p + 1]!;
  switch (opt) {
    case 1:
      if (len !== 10) {
        c.out += " (length bogus, should be = 10)";
        return len;
      }
      c.out += ": src " + ipv4String(c, p + 2) + ", dst " + ipv4String(c, p + 6);
      break;
    case 2: {
      if (len < 4) {
        c.out += " (length bogus, should be >= 4)";
        return 0;
      }
      const proto = be16(c, p + 2);
      const protoName =
        proto === PPP_VJC ? "VJ-Comp" : proto === IP_HEADER_COMPRESSION ? "IP Header Compression" : "Unknown";
      c.out += ": " + protoName + " (0x" + (proto < 0x10 ? "0" : "") + proto.toString(16) + "):";
      if (proto !== IP_HEADER_COMPRESSION) break;
      if (len < IPCOMP_MIN_LENGTH) {
        c.out += " (length bogus, should be >= " + IPCOMP_MIN_LENGTH + ")";
        return 0;
      }
      if (!has(c, p + 2, IPCOMP_MIN_LENGTH)) {
        c.out += "[|ipcp]";
        return 0;
      }
      c.out +=
        "\n\t    TCP Space " +
        be16(c, p + 4) +
        ", non-TCP Space " +
        be16(c, p + 6) +
        ", maxPeriod " +
        be16(c, p + 8) +
        ", maxTime " +
        be16(c, p + 10) +
        ", maxHdr " +
        be16(c, p + 12);
      if (len > IPCOMP_MIN_LENGTH) {
        let left = len - IPCOMP_MIN_LENGTH;
        // tcpdump moves past the fixed part here, so the raw dump at -vv starts there.
        p += IPCOMP_MIN_LENGTH;
        c.out += "\n\t      Suboptions, length " + left;
        while (left >= 2) {
          if (!has(c, p, 2)) {
            c.out += "[|ipcp]";
            return 0;
          }
          const sub = c.bytes[p]!;
          const subLen = c.bytes[p + 1]!;
          if (sub === 0 || subLen === 0) break;
          const subName = sub === 1 ? "RTP-Compression" : sub === 2 ? "Enhanced RTP-Compression" : "Unknown";
          c.out += "\n\t\t" + subName + " Suboption #" + sub + ", length " + subLen;
          if (left < subLen) {
            c.out += " [remaining suboptions length " + left + " < " + subLen + "] (invalid)";
            break;
          }
          left -= subLen;
          p += subLen;
        }
      }
      break;
    }
    case 3:
    case 4:
    case 129:
    case 130:
    case 131:
    case 132:
      if (len !== 6) {
        c.out += " (length bogus, should be = 6)";
        return 0;
      }
      c.out += ": " + ipv4String(c, p + 2);
      break;
    default:
      return optionTail(c, p, len, false);
  }
  return optionTail(c, p, len, true);
}

const IP6CP_OPTIONS = new Map([[1, "Interface-ID"]]);

function ip6cpOption(c: PrintContext, p: number, length: number): number {
  const header = optionHeader(c, p, length, IP6CP_OPTIONS, "unknown", "ip6cp");
  if (header >= 0) return header;
  const len = c.bytes[p + 1]!;
  if (c.bytes[p] !== 1) return optionTail(c, p, len, false);
  if (len !== 10) {
    c.out += " (length bogus, should be = 10)";
    return len;
  }
  if (!has(c, p + 2, 8)) {
    c.out += "[|ip6cp]";
    return 0;
  }
  c.out +=
    ": " + hex4(be16(c, p + 2)) + ":" + hex4(be16(c, p + 4)) + ":" + hex4(be16(c, p + 6)) + ":" + hex4(be16(c, p + 8));
  return optionTail(c, p, len, true);
}

const BACP_OPTIONS = new Map([[1, "Favored-Peer"]]);

function bacpOption(c: PrintContext, p: number, length: number): number {
  const header = optionHeader(c, p, length, BACP_OPTIONS, "Unknown", "bacp");
  if (header >= 0) return header;
  const len = c.bytes[p + 1]!;
  if (c.bytes[p] !== 1) return optionTail(c, p, len, false);
  if (len !== 6) {
    c.out += " (length bogus, should be = 6)";
    return len;
  }
  c.out += ": Magic-Num 0x" + hex8(be32(c, p + 2));
  return optionTail(c, p, len, true);
}

const OPTION_PRINTERS: ReadonlyMap<number, (c: PrintContext, p: number, length: number) => number> = new Map([
  [PPP_LCP, lcpOption],
  [0x8021, ipcpOption],
  [0x8057, ip6cpOption],
  [PPP_CCP, ccpOption],
  [0xc02b, bacpOption],
]);

const CHAP_CODES = ["", "Challenge", "Response", "Success", "Fail"];
const PAP_CODES = ["", "Auth-Req", "Auth-ACK", "Auth-NACK"];

/** `count` bytes as text from `p`; a count past the capture ends in a truncated packet. */
function printChars(c: PrintContext, p: number, count: number): number {
  for (let i = 0; i < count; i++) c.out += printableChar(u8(c, p++));
  return p;
}

/** CHAP (RFC 1994): the code and id, the challenge or response value and name, or the message. */
export function chapPrint(c: PrintContext, at: number, length: number): void {
  if (length < 1) {
    c.out += "[|chap]";
    return;
  }
  if (length < 4) {
    c.out += "[|chap 0x" + hex2(u8(c, at)) + "]";
    return;
  }
  const code = u8(c, at);
  c.out += "CHAP, " + (CHAP_CODES[code] || "unknown") + " (0x" + hex2(code) + ")";
  c.out += ", id " + u8(c, at + 1);
  const len = be16(c, at + 2);
  let p = at + 4;
  if (code === 1 || code === 2) {
    if (length - 4 < 1) return;
    const valueSize = u8(c, p++);
    if (length - 5 < valueSize) return;
    c.out += ", Value ";
    for (let i = 0; i < valueSize; i++) c.out += hex2(u8(c, p++));
    // tcpdump takes the name's size from the encoded length as an unsigned number: a length
    // shorter than what was read makes it run to the end of the capture.
    c.out += ", Name ";
    printChars(c, p, (len - (p - at)) >>> 0);
  } else if (code === 3 || code === 4) {
    c.out += ", Msg ";
    printChars(c, p, (len - 4) >>> 0);
  }
}

/** PAP (RFC 1334): the code and id, the peer and password of a request, the message of a reply. */
export function papPrint(c: PrintContext, at: number, length: number): void {
  if (length < 1) {
    c.out += "[|pap]";
    return;
  }
  if (length < 4) {
    c.out += "[|pap 0x" + hex2(u8(c, at)) + "]";
    return;
  }
  const code = u8(c, at);
  c.out += "PAP, " + (PAP_CODES[code] || "unknown") + " (0x" + hex2(code) + ")";
  c.out += ", id " + u8(c, at + 1);
  const len = be16(c, at + 2);
  if (len > length) {
    c.out += ", length " + len + " > packet size";
    return;
  }
  length = len;
  if (length < 4) {
    c.out += ", length " + length + " < PAP header length";
    return;
  }
  let p = at + 4;
  if (code === 1) {
    if (len < 6) {
      c.out += "[|pap]";
      return;
    }
    if (length - (p - at) < 1) return;
    const peerLength = u8(c, p++);
    if (length - (p - at) < peerLength) return;
    c.out += ", Peer ";
    p = printChars(c, p, peerLength);
    if (length - (p - at) < 1) return;
    const passwordLength = u8(c, p++);
    if (length - (p - at) < passwordLength) return;
    c.out += ", Name ";
    printChars(c, p, passwordLength);
  } else if (code === 2 || code === 3) {
    if (len < 5) {
      c.out += "[|pap]";
      return;
    }
    if (length - (p - at) < 1) return;
    const messageLength = u8(c, p++);
    if (length - (p - at) < messageLength) return;
    c.out += ", Msg ";
    printChars(c, p, messageLength);
  }
}

/** A multilink fragment header (RFC 1990, 12-bit sequence numbers as tcpdump assumes). */
export function mlpppPrint(c: PrintContext, at: number, length: number): void {
  if (!c.flags.linkHeader) c.out += "MLPPP, ";
  if (length < 2 || !has(c, at, 2)) {
    c.out += "[|mlppp]";
    return;
  }
  const word = be16(c, at);
  const flags = (word >> 8) & 0xc0;
  const names = flags === 0 ? "none" : flags === 0xc0 ? "begin, end" : flags === 0x80 ? "begin" : "end";
  c.out += "seq 0x" + (word & 0x0fff).toString(16).padStart(3, "0") + ", Flags [" + names + "], length " + length;
}
