// DNS (RFC 1035) and multicast DNS (RFC 6762) as tcpdump prints them: "id flags counts" followed
// by the questions of a query or the answers of a response ("22836*- 2/2/5 A 192.0.2.1, …"),
// with the question, authority and additional sections at -vv and TTLs at -vvv.
//
// A name or record that runs off the captured data ends the line with " [|domain]", as do the
// section loops when a count promises more records than the packet holds.

import { be16, be32, has, TRUNCATED, u8, type PrintContext } from "./context.js";
import { hex2, ipv4String, ipv6FromBytes, ipv6String } from "./addr.js";
import { decimal } from "./decimal.js";
import { printableChar } from "./unknown.js";
import { relativeTime } from "./relative-time.js";

/** No pointer: tcpdump's NULL from its name and record walkers. */
const NONE = -1;

/**
 * A message cut short where tcpdump checks for it itself: " [|domain]" ends the line and the -x
 * dump still leaves out the link-level header. (A failed read throws TRUNCATED instead, which the
 * link layer reports, dumping the whole packet, as tcpdump does.)
 */
const MESSAGE_TRUNCATED = Object.freeze({ domain: "truncated" });

const HEADER_LENGTH = 12;
const MAX_NAME_CHARS = 255;

const LABEL_KIND_MASK = 0xc0;
const LABEL_POINTER = 0xc0;
const LABEL_RESERVED = 0x80;
const LABEL_EXTENDED = 0x40;
const EXTENDED_BIT_LABEL = 0x01;

const CLASS_IN = 1;
/** The top class bit: "unicast response wanted" in an mDNS question, "cache flush" in an mDNS record. */
const MDNS_CLASS_BIT = 0x8000;

const T_A = 1;
const T_NS = 2;
const T_CNAME = 5;
const T_SOA = 6;
const T_PTR = 12;
const T_MX = 15;
const T_TXT = 16;
const T_AAAA = 28;
const T_SRV = 33;
const T_A6 = 38;
const T_DNAME = 39;
const T_OPT = 41;
const T_UNSPECA = 104;
const T_TSIG = 250;
const T_URI = 256;

const OPCODE_INVERSE_QUERY = 1;

const OPCODES = [
  "",
  " inv_q",
  " stat",
  " op3",
  " notify",
  " update",
  " op6",
  " op7",
  " op8",
  " updateA",
  " updateD",
  " updateDA",
  " updateM",
  " updateMA",
  " zoneInit",
  " zoneRef",
];

// tcpdump's table, including its two entries without a leading space (17 and 21).
const RCODES = [
  "",
  " FormErr",
  " ServFail",
  " NXDomain",
  " NotImp",
  " Refused",
  " YXDomain",
  " YXRRSet",
  " NXRRSet",
  " NotAuth",
  " NotZone",
  " Resp11",
  " Resp12",
  " Resp13",
  " Resp14",
  " NoChange",
  " BadVers",
  "Resp17",
  " Resp18",
  " Resp19",
  " Resp20",
  "Resp21",
  " Resp22",
  " BadCookie",
];

const TYPE_NAMES = new Map<number, string>([
  [1, "A"],
  [2, "NS"],
  [3, "MD"],
  [4, "MF"],
  [5, "CNAME"],
  [6, "SOA"],
  [7, "MB"],
  [8, "MG"],
  [9, "MR"],
  [10, "NULL"],
  [11, "WKS"],
  [12, "PTR"],
  [13, "HINFO"],
  [14, "MINFO"],
  [15, "MX"],
  [16, "TXT"],
  [17, "RP"],
  [18, "AFSDB"],
  [19, "X25"],
  [20, "ISDN"],
  [21, "RT"],
  [22, "NSAP"],
  [23, "NSAP_PTR"],
  [24, "SIG"],
  [25, "KEY"],
  [26, "PX"],
  [27, "GPOS"],
  [28, "AAAA"],
  [29, "LOC"],
  [30, "NXT"],
  [31, "EID"],
  [32, "NIMLOC"],
  [33, "SRV"],
  [34, "ATMA"],
  [35, "NAPTR"],
  [36, "KX"],
  [37, "CERT"],
  [38, "A6"],
  [39, "DNAME"],
  [40, "SINK"],
  [41, "OPT"],
  [42, "APL"],
  [43, "DS"],
  [44, "SSHFP"],
  [45, "IPSECKEY"],
  [46, "RRSIG"],
  [47, "NSEC"],
  [48, "DNSKEY"],
  [99, "SPF"],
  [100, "UINFO"],
  [101, "UID"],
  [102, "GID"],
  [103, "UNSPEC"],
  [104, "UNSPECA"],
  [249, "TKEY"],
  [250, "TSIG"],
  [251, "IXFR"],
  [252, "AXFR"],
  [253, "MAILB"],
  [254, "MAILA"],
  [255, "ANY"],
  [256, "URI"],
]);

const CLASS_NAMES = new Map<number, string>([
  [1, "IN"],
  [3, "CHAOS"],
  [4, "HS"],
  [255, "ANY"],
]);

const EDNS_OPTION_NAMES = new Map<number, string>([
  [1, "LLQ"],
  [2, "UL"],
  [3, "NSID"],
  [5, "DAU"],
  [6, "DHU"],
  [7, "N3U"],
  [8, "ECS"],
  [9, "EXPIRE"],
  [10, "COOKIE"],
  [11, "KEEPALIVE"],
  [12, "PADDING"],
  [13, "CHAIN"],
  [14, "KEY-TAG"],
  [16, "CLIENT-TAG"],
  [17, "SERVER-TAG"],
]);
const E_DAU = 5;
const E_DHU = 6;
const E_N3U = 7;
const E_ECS = 8;
const E_EXPIRE = 9;
const E_COOKIE = 10;
const E_KEEPALIVE = 11;
const E_PADDING = 12;
const E_CHAIN = 13;
const E_KEYTAG = 14;

const SIGNING_ALGORITHMS = new Map<number, string>([
  [0, "DELETE"],
  [1, "RSAMD5"],
  [2, "DH"],
  [3, "DS"],
  [5, "RSASHA1"],
  [6, "DSA-NSEC3-SHA1"],
  [7, "RSASHA1-NSEC3-SHA1"],
  [8, "RSASHA256"],
  [10, "RSASHA512"],
  [12, "ECC-GOST"],
  [13, "ECDSAP256SHA256"],
  [14, "ECDSAP384SHA384"],
  [15, "ED25519"],
  [16, "ED448"],
  [252, "INDIRECT"],
  [253, "PRIVATEDNS"],
  [254, "PRIVATEOID"],
]);
const DS_HASHES = new Map<number, string>([
  [1, "SHA-1"],
  [2, "SHA-256"],
  [3, "GOST_R_34.11-94"],
  [4, "SHA-384"],
]);
const NSEC3_HASHES = new Map<number, string>([[1, "SHA-1"]]);

function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? "Type" + type;
}

function className(cls: number): string {
  return CLASS_NAMES.get(cls) ?? "(Class " + cls + ")";
}

/**
 * Prints n bytes as text the way tcpdump does (M- and ^ escapes); true when the captured data ended
 * first (what was there is printed).
 */
function printText(c: PrintContext, at: number, n: number): boolean {
  while (n > 0 && at < c.snapend) {
    n--;
    c.out += printableChar(c.bytes[at]!);
    at++;
  }
  return n !== 0;
}

/** Past the name at `at`, without printing it; NONE when it runs off the data or is malformed. */
function skipName(c: PrintContext, at: number): number {
  if (!has(c, at, 1)) return NONE;
  let i = c.bytes[at++]!;
  while (i) {
    const kind = i & LABEL_KIND_MASK;
    if (kind === LABEL_POINTER) return at + 1;
    if (kind === LABEL_EXTENDED) {
      if ((i & ~LABEL_KIND_MASK) !== EXTENDED_BIT_LABEL) return NONE;
      if (!has(c, at, 1)) return NONE;
      let bits = c.bytes[at]!;
      if (bits === 0) bits = 256;
      at += 1 + ((bits + 7) >> 3);
    } else if (kind === LABEL_RESERVED) return NONE;
    else at += i;
    if (!has(c, at, 1)) return NONE;
    i = c.bytes[at++]!;
  }
  return at;
}

/** Length of the label at `at` (bytes after its first), or -1 (with tcpdump's remark) when unusable. */
function labelLength(c: PrintContext, at: number): number {
  if (!has(c, at, 1)) return -1;
  const i = c.bytes[at]!;
  switch (i & LABEL_KIND_MASK) {
    case LABEL_EXTENDED: {
      const elt = i & ~LABEL_KIND_MASK;
      if (elt !== EXTENDED_BIT_LABEL) {
        c.out += "<ELT " + elt + ">";
        return -1;
      }
      if (!has(c, at + 1, 1)) return -1;
      let bits = c.bytes[at + 1]!;
      if (bits === 0) bits = 256;
      return ((bits + 7) >> 3) + 1;
    }
    case LABEL_POINTER:
    case 0:
      return i;
    default:
      c.out += "<BAD LABEL TYPE>";
      return -1;
  }
}

/** An RFC 2673 bit-string label as "\[xHEX/BITS]". */
function printBitLabel(c: PrintContext, at: number): boolean {
  if (!has(c, at, 1)) return false;
  let bits = c.bytes[at]!;
  if (bits === 0) bits = 256;
  const lim = at + 1 + ((bits + 3) >> 2);
  c.out += "\\[x";
  let p = at + 1;
  let b = bits;
  for (; p < lim && b > 7; b -= 8, p++) c.out += hex2(u8(c, p));
  if (b > 4) c.out += hex2(u8(c, p) & ((0xff << (8 - b)) & 0xff));
  else if (b > 0) c.out += ((u8(c, p) >> 4) & 0x0f & (0x0f << (4 - b))).toString(16);
  c.out += "/" + bits + "]";
  return true;
}

/**
 * Prints the domain name at `at` (compression pointers are resolved against `base`, the message
 * start, and must point backwards). Returns the offset after the name where it sits, or NONE.
 */
export function printName(c: PrintContext, at: number, base: number): number {
  let l = labelLength(c, at);
  if (l === -1) return NONE;
  if (!has(c, at, 1)) return NONE;
  let maxOffset = (at - base) >>> 0;
  let i = c.bytes[at++]!;
  let compressed = false;
  let rp = NONE;
  if ((i & LABEL_KIND_MASK) !== LABEL_POINTER) rp = at + l;
  if (i === 0) {
    c.out += ".";
    return rp;
  }
  let nameChars = 0;
  while (i && at < c.snapend) {
    const kind = i & LABEL_KIND_MASK;
    if (kind === LABEL_POINTER) {
      if (!compressed) {
        rp = at + 1;
        compressed = true;
      }
      if (!has(c, at, 1)) return NONE;
      const offset = ((i << 8) | c.bytes[at]!) & 0x3fff;
      if (offset >= maxOffset) {
        c.out += "<BAD PTR>";
        return NONE;
      }
      maxOffset = offset;
      at = base + offset;
      if (!has(c, at, 1)) return NONE;
      i = c.bytes[at]!;
      l = labelLength(c, at);
      if (l === -1) return NONE;
      at++;
      continue;
    }
    if (kind === LABEL_EXTENDED) {
      const elt = i & ~LABEL_KIND_MASK;
      if (elt !== EXTENDED_BIT_LABEL) {
        c.out += "<ELT " + elt + ">";
        return NONE;
      }
      if (!printBitLabel(c, at)) return NONE;
    } else if (kind === LABEL_RESERVED) {
      c.out += "<BAD LABEL TYPE>";
      return NONE;
    } else {
      if (nameChars + l <= MAX_NAME_CHARS) {
        if (printText(c, at, l)) return NONE;
      } else if (nameChars < MAX_NAME_CHARS) {
        if (printText(c, at, MAX_NAME_CHARS - nameChars)) return NONE;
      }
      nameChars += l;
    }
    at += l;
    if (nameChars <= MAX_NAME_CHARS) c.out += ".";
    nameChars++;
    if (!has(c, at, 1)) return NONE;
    i = c.bytes[at]!;
    l = labelLength(c, at);
    if (l === -1) return NONE;
    at++;
    if (!compressed) rp += l + 1;
  }
  if (nameChars > MAX_NAME_CHARS) c.out += "<DOMAIN NAME TOO LONG>";
  return rp;
}

/** A <character-string>: its length byte, then the text. */
function printCharacterString(c: PrintContext, at: number): number {
  if (!has(c, at, 1)) return NONE;
  const n = c.bytes[at]!;
  if (printText(c, at + 1, n)) return NONE;
  return at + 1 + n;
}

function printInvalid(c: PrintContext): void {
  c.out += " (invalid)";
}

/** EDNS client subnet (RFC 7871): "address/source/scope". */
function printClientSubnet(c: PrintContext, at: number, len: number): void {
  if (len < 4) return printInvalid(c);
  const family = be16(c, at);
  const sourceBits = u8(c, at + 2);
  const scopeBits = u8(c, at + 3);
  const addressBits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (addressBits === 0 || len - 4 > addressBits / 8) return printInvalid(c);
  if (sourceBits > addressBits || scopeBits > addressBits || (sourceBits + 7) >> 3 !== len - 4) return printInvalid(c);
  const padded = new Uint8Array(16);
  padded.set(c.bytes.subarray(at + 4, at + len));
  const address = family === 1 ? padded.slice(0, 4).join(".") : ipv6FromBytes(padded, 0);
  c.out += address + "/" + sourceBits + "/" + scopeBits;
}

function printAlgorithms(c: PrintContext, at: number, len: number, names: Map<number, string>): void {
  for (let i = 0; i < len; i++) {
    if (i > 0) c.out += " ";
    const a = u8(c, at + i);
    c.out += names.get(a) ?? "Alg_" + a;
  }
}

/** One EDNS option (RFC 6891); NONE when it runs off the data. */
function printEdnsOption(c: PrintContext, at: number): number {
  if (!has(c, at, 2)) return NONE;
  const option = be16(c, at);
  at += 2;
  c.out += EDNS_OPTION_NAMES.get(option) ?? "Opt" + option;
  if (!has(c, at, 2)) return NONE;
  const len = be16(c, at);
  at += 2;
  if (!has(c, at, len)) return NONE;
  if (len > 0) {
    c.out += " ";
    switch (option) {
      case E_ECS:
        printClientSubnet(c, at, len);
        break;
      case E_COOKIE:
        if (len < 8 || (len > 8 && len < 16) || len > 40) printInvalid(c);
        else
          for (let i = 0; i < len; i++) {
            // The client cookie, then the server's.
            if (i === 8) c.out += " ";
            c.out += hex2(u8(c, at + i));
          }
        break;
      case E_KEEPALIVE:
        // In units of 100 ms.
        if (len !== 2) printInvalid(c);
        else c.out += (be16(c, at) / 10).toFixed(1) + " sec";
        break;
      case E_EXPIRE:
        if (len !== 4) printInvalid(c);
        else c.out += be32(c, at) + " sec";
        break;
      case E_PADDING:
        c.out += "(" + len + ")";
        break;
      case E_KEYTAG:
        if (len % 2 !== 0) printInvalid(c);
        else
          for (let i = 0; i < len; i += 2) {
            if (i > 0) c.out += " ";
            c.out += be16(c, at + i);
          }
        break;
      case E_DAU:
        printAlgorithms(c, at, len, SIGNING_ALGORITHMS);
        break;
      case E_DHU:
        printAlgorithms(c, at, len, DS_HASHES);
        break;
      case E_N3U:
        printAlgorithms(c, at, len, NSEC3_HASHES);
        break;
      case E_CHAIN:
        printName(c, at, at + len);
        break;
      default:
        for (let i = 0; i < len; i++) c.out += hex2(u8(c, at + i));
    }
  }
  return at + len;
}

/** A question: " TYPE[ CLASS][ (QU|QM)]? name". */
function printQuestion(c: PrintContext, at: number, base: number, mdns: boolean): number {
  const nameAt = at;
  at = skipName(c, at);
  if (at === NONE || !has(c, at, 4)) return NONE;
  c.out += " " + typeName(be16(c, at));
  const rawClass = be16(c, at + 2);
  const cls = mdns ? rawClass & ~MDNS_CLASS_BIT : rawClass;
  if (cls !== CLASS_IN) c.out += " " + className(cls);
  if (mdns) c.out += rawClass & MDNS_CLASS_BIT ? " (QU)" : " (QM)";
  c.out += "? ";
  const end = printName(c, nameAt, base);
  return end === NONE ? NONE : end + 4;
}

/**
 * A resource record: its name at -v, " TYPE" and the data tcpdump shows for that type. Returns the
 * offset of the next record (its declared end), c.snapend when the fixed fields are missing, or
 * NONE when the record runs off the data.
 */
function printRecord(c: PrintContext, at: number, base: number, mdns: boolean): number {
  const verbose = c.flags.verbose;
  if (verbose) {
    c.out += " ";
    at = printName(c, at, base);
    if (at === NONE) return NONE;
  } else at = skipName(c, at);
  if (at === NONE || !has(c, at, 10)) return c.snapend;
  const type = be16(c, at);
  const rawClass = be16(c, at + 2);
  const cls = mdns ? rawClass & ~MDNS_CLASS_BIT : rawClass;
  if (cls !== CLASS_IN && type !== T_OPT) c.out += " " + className(cls);
  if (mdns && rawClass & MDNS_CLASS_BIT) c.out += " (Cache flush)";
  let optFlags = 0;
  if (type === T_OPT) optFlags = be16(c, at + 6);
  else if (verbose > 2) c.out += " [" + relativeTime(be32(c, at + 4)) + "]";
  const len = be16(c, at + 8);
  at += 10;
  const end = at + len;
  c.out += " " + typeName(type);
  if (end > c.snapend) return NONE;

  switch (type) {
    case T_A:
      if (!has(c, at, 4)) return NONE;
      c.out += " " + ipv4String(c, at);
      break;
    case T_NS:
    case T_CNAME:
    case T_PTR:
    case T_DNAME:
      c.out += " ";
      if (printName(c, at, base) === NONE) return NONE;
      break;
    case T_SOA: {
      if (!verbose) break;
      c.out += " ";
      let p = printName(c, at, base);
      if (p === NONE) return NONE;
      c.out += " ";
      p = printName(c, p, base);
      if (p === NONE || !has(c, p, 20)) return NONE;
      for (let k = 0; k < 5; k++) c.out += " " + be32(c, p + 4 * k);
      break;
    }
    case T_MX:
      c.out += " ";
      if (!has(c, at, 2)) return NONE;
      if (printName(c, at + 2, base) === NONE) return NONE;
      c.out += " " + be16(c, at);
      break;
    case T_TXT: {
      let p = at;
      while (p < end) {
        c.out += ' "';
        p = printCharacterString(c, p);
        if (p === NONE) return NONE;
        c.out += '"';
      }
      break;
    }
    case T_SRV:
      c.out += " ";
      if (!has(c, at, 6)) return NONE;
      if (printName(c, at + 6, base) === NONE) return NONE;
      c.out += ":" + be16(c, at + 4) + " " + be16(c, at) + " " + be16(c, at + 2);
      break;
    case T_AAAA:
      if (!has(c, at, 16)) return NONE;
      c.out += " " + ipv6String(c, at);
      break;
    case T_A6: {
      if (!has(c, at, 1)) return NONE;
      const prefixBits = c.bytes[at]!;
      const prefixBytes = (prefixBits & ~7) / 8;
      if (prefixBits > 128) {
        c.out += " " + prefixBits + "(bad plen)";
        break;
      }
      if (prefixBits < 128) {
        // The address suffix follows the prefix length; the prefix bytes are zero.
        if (!has(c, at + 1, 16 - prefixBytes)) throw TRUNCATED;
        const a = new Uint8Array(16);
        a.set(c.bytes.subarray(at + 1, at + 1 + 16 - prefixBytes), prefixBytes);
        c.out += " " + prefixBits + " " + ipv6FromBytes(a, 0);
      }
      if (prefixBits > 0) {
        c.out += " ";
        if (printName(c, at + 1 + 16 - prefixBytes, base) === NONE) return NONE;
      }
      break;
    }
    case T_URI:
      if (!has(c, at, len)) return NONE;
      c.out += " " + be16(c, at) + " " + be16(c, at + 2) + " ";
      if (printText(c, at + 4, (len - 4) >>> 0)) return NONE;
      break;
    case T_OPT: {
      c.out += " UDPsize=" + cls;
      if (optFlags & 0x8000) c.out += " DO";
      let p = at;
      if (p < end) {
        c.out += " [";
        while (p < end) {
          p = printEdnsOption(c, p);
          if (p === NONE) return NONE;
          if (p < end) c.out += ",";
        }
        c.out += "]";
      }
      break;
    }
    case T_UNSPECA:
      if (!has(c, at, len)) return NONE;
      if (printText(c, at, len)) return NONE;
      break;
    case T_TSIG: {
      if (!verbose) break;
      c.out += " ";
      let p = printName(c, at, base);
      if (p === NONE) return NONE;
      p += 6; // the signing time
      if (!has(c, p, 2)) return NONE;
      c.out += " fudge=" + be16(c, p);
      p += 2;
      if (!has(c, p, 2)) return NONE;
      const macLength = be16(c, p);
      c.out += " maclen=" + macLength;
      p += 2 + macLength;
      if (!has(c, p, 2)) return NONE;
      c.out += " origid=" + be16(c, p);
      p += 2;
      if (!has(c, p, 2)) return NONE;
      c.out += " error=" + be16(c, p);
      p += 2;
      if (!has(c, p, 2)) return NONE;
      c.out += " otherlen=" + be16(c, p);
      break;
    }
  }
  return end;
}

/** The response code, with the upper bits an OPT record in the additional section carries. */
function extendedRcode(c: PrintContext, at: number, flags: number, counts: number[]): number {
  let rcode = flags & 0xf;
  const [qd, an, ns, ar] = counts as [number, number, number, number];
  for (let i = 0; i < qd; i++) {
    at = skipName(c, at);
    if (at === NONE) return rcode;
    at += 4;
    if (at >= c.snapend) return rcode;
  }
  for (let i = 0; i < an + ns; i++) {
    at = skipName(c, at);
    if (at === NONE) return rcode;
    at += 8;
    if (at + 2 > c.snapend) return rcode;
    at += 2 + be16(c, at);
    if (at >= c.snapend) return rcode;
  }
  for (let i = 0; i < ar; i++) {
    at = skipName(c, at);
    if (at === NONE || at + 2 > c.snapend) return rcode;
    const type = be16(c, at);
    at += 4;
    if (at + 1 > c.snapend) return rcode;
    if (type === T_OPT) return rcode | (c.bytes[at]! << 4);
    at += 4;
    if (at + 2 > c.snapend) return rcode;
    at += 2 + be16(c, at);
    if (at >= c.snapend) return rcode;
  }
  return rcode;
}

/** Prints `count` records after `label` (" ns:", " ar:" or ""), comma-separated; throws on truncation. */
function printSection(c: PrintContext, at: number, base: number, mdns: boolean, count: number, label: string): number {
  if (count === 0) return at;
  if (label !== "") {
    if (at >= c.snapend) throw MESSAGE_TRUNCATED;
    c.out += label;
  }
  at = printRecord(c, at, base, mdns);
  if (at === NONE) throw MESSAGE_TRUNCATED;
  count--;
  while (at < c.snapend && count) {
    c.out += ",";
    at = printRecord(c, at, base, mdns);
    if (at === NONE) throw MESSAGE_TRUNCATED;
    count--;
  }
  if (count) throw MESSAGE_TRUNCATED;
  return at;
}

/**
 * A DNS message of `length` bytes at `at` (after the UDP header, or the TCP payload with its
 * two-byte length prefix when overTcp).
 */
export function domainPrint(c: PrintContext, at: number, length: number, overTcp: boolean, mdns: boolean): void {
  c.protocol = "domain";
  try {
    printMessage(c, at, length, overTcp, mdns);
  } catch (e) {
    if (e !== MESSAGE_TRUNCATED) throw e;
    c.out += " [|domain]";
  }
}

function printMessage(c: PrintContext, at: number, length: number, overTcp: boolean, mdns: boolean): void {
  if (overTcp) {
    if (length < 2) {
      c.out += " [DNS over TCP: length " + length + " < 2]";
      printInvalid(c);
      return;
    }
    length -= 2;
    const prefix = be16(c, at);
    if (prefix !== length) {
      c.out += " [prefix length(" + prefix + ") != length(" + length + ")]";
      printInvalid(c);
      return;
    }
    at += 2;
    c.out += " ";
  }
  if (length < HEADER_LENGTH) {
    c.out += "domain [length " + length + " < " + HEADER_LENGTH + "]";
    printInvalid(c);
    return;
  }
  if (!has(c, at, HEADER_LENGTH)) throw MESSAGE_TRUNCATED;
  const base = at;
  const id = be16(c, at);
  const flags = be16(c, at + 2);
  let qd = be16(c, at + 4);
  const an = be16(c, at + 6);
  const ns = be16(c, at + 8);
  const ar = be16(c, at + 10);
  const opcode = (flags >> 11) & 0xf;
  let p = at + HEADER_LENGTH;
  const verbose = c.flags.verbose;

  if (flags & 0x8000) {
    const rcode = extendedRcode(c, p, flags, [qd, an, ns, ar]);
    c.out +=
      decimal(id) +
      OPCODES[opcode]! +
      (RCODES[rcode] ?? " Resp" + (rcode & 0xfff)) +
      (flags & 0x0400 ? "*" : "") +
      (flags & 0x0080 ? "" : "-") +
      (flags & 0x0200 ? "|" : "") +
      (flags & 0x0020 ? "$" : "");
    if (qd !== 1) c.out += " [" + qd + "q]";
    for (let i = 0; i < qd; i++) {
      if (i !== 0) c.out += ",";
      if (verbose > 1) {
        c.out += " q:";
        p = printQuestion(c, p, base, mdns);
        if (p === NONE) throw MESSAGE_TRUNCATED;
      } else {
        p = skipName(c, p);
        if (p === NONE) throw MESSAGE_TRUNCATED;
        p += 4;
      }
    }
    c.out += " " + an + "/" + ns + "/" + ar;
    p = printSection(c, p, base, mdns, an, "");
    if (verbose > 1) {
      p = printSection(c, p, base, mdns, ns, " ns:");
      printSection(c, p, base, mdns, ar, " ar:");
    }
  } else {
    c.out += decimal(id) + OPCODES[opcode]! + (flags & 0x0100 ? "+" : "") + (flags & 0x0010 ? "%" : "");
    // Bits a query should not have set.
    if (flags & 0x6cf) c.out += " [b2&3=0x" + flags.toString(16) + "]";
    if (opcode === OPCODE_INVERSE_QUERY) {
      if (qd) c.out += " [" + qd + "q]";
      if (an !== 1) c.out += " [" + an + "a]";
    } else {
      if (an) c.out += " [" + an + "a]";
      if (qd !== 1) c.out += " [" + qd + "q]";
    }
    if (ns) c.out += " [" + ns + "n]";
    if (ar) c.out += " [" + ar + "au]";
    if (qd) {
      p = printQuestion(c, p, base, mdns);
      if (p === NONE) throw MESSAGE_TRUNCATED;
      qd--;
      while (p < c.snapend && qd) {
        p = printQuestion(c, p, base, mdns);
        if (p === NONE) throw MESSAGE_TRUNCATED;
        qd--;
      }
    }
    if (qd) throw MESSAGE_TRUNCATED;
    if (verbose > 1) {
      p = printSection(c, p, base, mdns, an, "");
      p = printSection(c, p, base, mdns, ns, " ns:");
      printSection(c, p, base, mdns, ar, " ar:");
    }
  }
  c.out += " (" + length + ")";
}
