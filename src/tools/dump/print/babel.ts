// Babel (RFC 8966) as tcpdump prints it: "babel 2 (24) hello ihu" without -v, the body's TLV
// names, then " |" and the trailer's (RFC 8967 MACs); with -v a line per TLV with its fields
// (addresses and prefixes, with the prefix compression of updates, intervals, sub-TLVs), and
// "----" before the trailer.

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv6FromBytes } from "./addr.js";

const MAGIC = 42;
/** Without -v: the name of each TLV type tcpdump knows; others print as "unknown". */
const TLV_NAMES = [
  "pad1",
  "padN",
  "ack-req",
  "ack",
  "hello",
  "ihu",
  "router-id",
  "nh",
  "update",
  "route-request",
  "seqno-request",
  "tspc",
  "hmac",
  "ss-update",
  "ss-request",
  "ss-mh-request",
  "mac",
  "pc",
  "challenge_request",
  "challenge_reply",
];
const UPDATE_MIN_LENGTH = 10;

export function babelPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "babel";
  c.out += "babel";
  // tcpdump's own checks end the line with " [|babel]" and still dump the packet without its link
  // header; a failed read (TRUNCATED) does not.
  if (!has(c, at, 4)) {
    printTrunc(c);
    return;
  }
  if (u8(c, at) !== MAGIC) {
    c.out += " invalid header";
    return;
  }
  const version = u8(c, at + 1);
  c.out += " " + version;
  if (version !== 2) {
    c.out += " unknown version";
    return;
  }
  if (length < 4) {
    c.out += " (invalid)";
    return;
  }
  const bodyLength = be16(c, at + 2);
  c.out += " (" + bodyLength + ")";
  let rest = length - 4;
  if (rest < bodyLength) {
    c.out += " (invalid)";
    return;
  }
  if (!tlvsPrint(c, at + 4, bodyLength, rest)) return;
  rest -= bodyLength;
  if (rest !== 0) {
    c.out += c.flags.verbose ? "\n\t----" : " |";
    tlvsPrint(c, at + 4 + bodyLength, rest, rest);
  }
}

const HELLO = 4;
const IHU = 5;
const UPDATE = 8;
const SS_UPDATE = 13;

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (b[i] !== V4_MAPPED[i]) return false;
  return true;
}

function prefixText(b: Uint8Array, bits: number): string {
  bits &= 0xff;
  if (bits >= 96 && isV4Mapped(b)) return b[12] + "." + b[13] + "." + b[14] + "." + b[15] + "/" + (bits - 96);
  return ipv6FromBytes(b, 0) + "/" + bits;
}

function addressText(b: Uint8Array): string {
  return isV4Mapped(b) ? b[12] + "." + b[13] + "." + b[14] + "." + b[15] : ipv6FromBytes(b, 0);
}

function interval(i: number): string {
  return i === 0 ? "0.0s (bogus)" : Math.floor(i / 100) + "." + String(i % 100).padStart(2, "0") + "s";
}

function updateInterval(i: number): string {
  return i === 0xffff ? "infinity" : interval(i);
}

function timestamp(i: number): string {
  return Math.floor(i / 1000000) + "." + String(i % 1000000).padStart(6, "0") + "s";
}

function routerId(c: PrintContext, p: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += (i ? ":" : "") + hex2(u8(c, p + i));
  return s;
}

/**
 * A prefix of address encoding `ae` into `out` (16 bytes, IPv4 as v4-mapped), its first
 * `omitted` bytes taken from `previous` (update prefix compression); returns the bytes consumed
 * from `p`, or -1 when it does not fit.
 */
function networkPrefix(
  c: PrintContext,
  ae: number,
  bits: number,
  omitted: number,
  p: number,
  previous: Uint8Array | undefined,
  len: number,
  out: Uint8Array,
): number {
  const bytes = bits >= 0 ? Math.floor((bits + 7) / 8) : ae === 1 ? 4 : 16;
  if (bytes > 16) return -1;
  out.fill(0);
  let consumed = 0;
  switch (ae) {
    case 0:
      break;
    case 1:
      if (omitted > 4 || bytes > 4 || (bytes > omitted && len < bytes - omitted)) return -1;
      out.set(V4_MAPPED);
      if (omitted) {
        if (!previous) return -1;
        out.set(previous.subarray(0, 12 + omitted));
      }
      if (bytes > omitted) {
        consumed = bytes - omitted;
        copy(c, p, consumed, out, 12 + omitted);
      }
      break;
    case 2:
      if (omitted > 16 || (bytes > omitted && len < bytes - omitted)) return -1;
      if (omitted) {
        if (!previous) return -1;
        out.set(previous.subarray(0, omitted));
      }
      if (bytes > omitted) {
        consumed = bytes - omitted;
        copy(c, p, consumed, out, omitted);
      }
      break;
    case 3:
      if (bytes > 8 && len < bytes - 8) return -1;
      out[0] = 0xfe;
      out[1] = 0x80;
      if (bytes > 8) {
        consumed = bytes - 8;
        copy(c, p, consumed, out, 8);
      }
      break;
    default:
      return -1;
  }
  return consumed;
}

function copy(c: PrintContext, p: number, n: number, out: Uint8Array, at: number): void {
  for (let i = 0; i < n; i++) out[at + i] = u8(c, p + i);
}

/** Sub-TLVs (RFC 8966 4.4) from `p` to `end`, of a TLV of type `tlvType`. */
function subTlvsPrint(c: PrintContext, p: number, end: number, tlvType: number): void {
  while (p < end) {
    const type = u8(c, p);
    p++;
    if (type === 0) {
      c.out += " sub-pad1";
      continue;
    }
    if (type & 0x80) c.out += " (M)";
    if (p === end) {
      c.out += " (invalid)";
      return;
    }
    let len = u8(c, p);
    p++;
    if (p + len > end) {
      c.out += " (invalid)";
      return;
    }
    switch (type) {
      case 1:
        c.out += " sub-padn";
        p += len;
        break;
      case 2: {
        c.out += " sub-diversity";
        if (len === 0) {
          c.out += " empty";
          break;
        }
        let sep = " ";
        for (; len; len--, p++) {
          const v = u8(c, p);
          c.out += sep + (v === 0 ? "reserved" : v === 255 ? "all" : String(v));
          sep = "-";
        }
        if (tlvType !== UPDATE && tlvType !== SS_UPDATE) c.out += " (bogus)";
        break;
      }
      case 3:
        c.out += " sub-timestamp";
        if (tlvType === HELLO) {
          if (len < 4) {
            c.out += " (invalid)";
            return;
          }
          c.out += " " + timestamp(be32(c, p));
        } else if (tlvType === IHU) {
          if (len < 8) {
            c.out += " (invalid)";
            return;
          }
          c.out += " " + timestamp(be32(c, p));
          c.out += "|" + timestamp(be32(c, p + 4));
        } else c.out += " (bogus)";
        p += len;
        break;
      default:
        c.out += " sub-unknown-0x" + hex2(type);
        p += len;
    }
  }
}

/**
 * The TLVs of `length` bytes at `at` (`remaining` bytes left in the packet); false after
 * " (invalid)" or " [|babel]" when one overruns them or the capture.
 */
function tlvsPrint(c: PrintContext, at: number, length: number, remaining: number): boolean {
  const result = tlvs(c, at, length, remaining);
  if (result === -1) printTrunc(c);
  else if (result === -2) c.out += " (invalid)";
  return result === 0;
}

const INVALID = -2;

function tlvs(c: PrintContext, at: number, length: number, remaining: number): number {
  const verbose = c.flags.verbose;
  const fits = (i: number, l: number): boolean => i + l <= length && i + l <= remaining;
  // The prefixes later updates may abbreviate, per address family.
  const v4Previous = new Uint8Array(16);
  v4Previous.set(V4_MAPPED);
  const v6Previous = new Uint8Array(16);
  const prefix = new Uint8Array(16);
  const source = new Uint8Array(16);
  let i = 0;
  while (i < length) {
    const m = at + i;
    if (!fits(i, 1)) return INVALID;
    const type = u8(c, m);
    if (type === 0) {
      c.out += verbose ? "\n\tPad 1" : " pad1";
      i += 1;
      continue;
    }
    if (!fits(i, 2)) return INVALID;
    if (!has(c, m, 2)) return -1;
    const len = u8(c, m + 1);
    if (!fits(i, 2 + len)) return INVALID;
    if (!has(c, m, 2 + len)) return -1;
    if (!verbose) {
      c.out += " " + (type < TLV_NAMES.length ? TLV_NAMES[type] : "unknown");
      if (type === UPDATE) {
        if (len < UPDATE_MIN_LENGTH) return INVALID;
        const flags = u8(c, m + 3);
        c.out += (flags & 0x80 ? "/prefix" : "") + (flags & 0x40 ? "/id" : "") + (flags & 0x3f ? "/unknown" : "");
      }
      i += len + 2;
      continue;
    }
    switch (type) {
      case 1:
        c.out += "\n\tPad " + (len + 2);
        break;
      case 2:
        c.out += "\n\tAcknowledgment Request ";
        if (len < 6) return INVALID;
        c.out += hex4(be16(c, m + 4)) + " " + interval(be16(c, m + 6));
        break;
      case 3:
        c.out += "\n\tAcknowledgment ";
        if (len < 2) return INVALID;
        c.out += hex4(be16(c, m + 2));
        break;
      case HELLO: {
        c.out += "\n\tHello ";
        if (len < 6) return INVALID;
        const unicast = be16(c, m + 2) & 0x8000;
        const seqno = be16(c, m + 4);
        const every = be16(c, m + 6);
        if (unicast) c.out += "(Unicast) ";
        c.out += "seqno " + seqno + " ";
        c.out += every !== 0 ? "interval " + interval(every) : "unscheduled";
        if (len > 6) subTlvsPrint(c, m + 8, m + 2 + len, type);
        break;
      }
      case IHU: {
        c.out += "\n\tIHU ";
        if (len < 6) return INVALID;
        const rxcost = be16(c, m + 4);
        const every = be16(c, m + 6);
        const ae = u8(c, m + 2);
        const rc = networkPrefix(c, ae, -1, 0, m + 8, undefined, len - 6, prefix);
        if (rc < 0) {
          printTrunc(c);
          break;
        }
        c.out += (ae === 0 ? "any" : addressText(prefix)) + " rxcost " + rxcost + " interval " + interval(every);
        if (rc < len - 6) subTlvsPrint(c, m + 8 + rc, m + 2 + len, type);
        break;
      }
      case 6:
        c.out += "\n\tRouter Id";
        if (len < 10) return INVALID;
        c.out += " " + routerId(c, m + 4);
        break;
      case 7: {
        c.out += "\n\tNext Hop";
        if (len < 2) return INVALID;
        const ae = u8(c, m + 2);
        if (networkPrefix(c, ae, -1, 0, m + 4, undefined, len - 2, prefix) < 0) return INVALID;
        c.out += " " + (ae === 0 ? "invalid AE 0" : addressText(prefix));
        break;
      }
      case UPDATE: {
        c.out += "\n\tUpdate";
        if (len < 10) return INVALID;
        const ae = u8(c, m + 2);
        const flags = u8(c, m + 3);
        const bits = u8(c, m + 4) + (ae === 1 ? 96 : 0);
        const rc = networkPrefix(
          c,
          ae,
          u8(c, m + 4),
          u8(c, m + 5),
          m + 12,
          ae === 1 ? v4Previous : v6Previous,
          len - 10,
          prefix,
        );
        if (rc < 0) return INVALID;
        c.out +=
          (flags & 0x80 ? "/prefix" : "") +
          (flags & 0x40 ? "/id" : "") +
          (flags & 0x3f ? "/unknown" : "") +
          " " +
          (ae === 0 ? "any" : prefixText(prefix, bits)) +
          " metric " +
          be16(c, m + 10) +
          " seqno " +
          be16(c, m + 8) +
          " interval " +
          updateInterval(be16(c, m + 6));
        if (flags & 0x80) (ae === 1 ? v4Previous : v6Previous).set(prefix);
        if (rc < len - 10) subTlvsPrint(c, m + 12 + rc, m + 2 + len, type);
        break;
      }
      case 9: {
        c.out += "\n\tRoute Request ";
        if (len < 2) return INVALID;
        const ae = u8(c, m + 2);
        const bits = u8(c, m + 3) + (ae === 1 ? 96 : 0);
        if (networkPrefix(c, ae, u8(c, m + 3), 0, m + 4, undefined, len - 2, prefix) < 0) return INVALID;
        c.out += "for " + (ae === 0 ? "any" : prefixText(prefix, bits));
        break;
      }
      case 10: {
        c.out += "\n\tSeqno Request ";
        if (len < 14) return INVALID;
        const ae = u8(c, m + 2);
        const seqno = be16(c, m + 4);
        if (networkPrefix(c, ae, u8(c, m + 3), 0, m + 16, undefined, len - 14, prefix) < 0) return INVALID;
        const bits = u8(c, m + 3) + (ae === 1 ? 96 : 0);
        c.out +=
          "(" +
          u8(c, m + 6) +
          " hops) for " +
          (ae === 0 ? "invalid AE 0" : prefixText(prefix, bits)) +
          " seqno " +
          seqno +
          " id " +
          routerId(c, m + 8);
        break;
      }
      case 11:
        c.out += "\n\tTS/PC ";
        if (len < 6) return INVALID;
        c.out += "timestamp " + be32(c, m + 4) + " packetcounter " + be16(c, m + 2);
        break;
      case 12:
        c.out += "\n\tHMAC ";
        if (len < 18) return INVALID;
        c.out += "key-id " + be16(c, m + 2) + " digest-" + (len - 2) + " ";
        for (let j = 0; j < len - 2; j++) c.out += hex2(u8(c, m + j + 4)).toUpperCase();
        break;
      case SS_UPDATE: {
        c.out += "\n\tSS-Update";
        if (len < 10) return INVALID;
        const ae = u8(c, m + 2);
        let sourceBits = u8(c, m + 3);
        let bits = u8(c, m + 4);
        const omitted = u8(c, m + 5);
        const every = be16(c, m + 6);
        const seqno = be16(c, m + 8);
        const metric = be16(c, m + 10);
        let parsed = 10;
        let rc = networkPrefix(
          c,
          ae,
          bits,
          omitted,
          m + 2 + parsed,
          ae === 1 ? v4Previous : v6Previous,
          len - parsed,
          prefix,
        );
        if (rc < 0) return INVALID;
        if (ae === 1) bits += 96;
        parsed += rc;
        rc = networkPrefix(c, ae, sourceBits, 0, m + 2 + parsed, undefined, len - parsed, source);
        if (rc < 0) return INVALID;
        if (ae === 1) sourceBits += 96;
        parsed += rc;
        c.out += " " + prefixText(prefix, bits) + " from";
        c.out +=
          " " +
          prefixText(source, sourceBits) +
          " metric " +
          metric +
          " seqno " +
          seqno +
          " interval " +
          updateInterval(every);
        if (parsed < len) subTlvsPrint(c, m + 2 + parsed, m + 2 + len, type);
        break;
      }
      case 14: {
        c.out += "\n\tSS-Request ";
        if (len < 3) return INVALID;
        const ae = u8(c, m + 2);
        let bits = u8(c, m + 3);
        let sourceBits = u8(c, m + 4);
        let parsed = 3;
        let rc = networkPrefix(c, ae, bits, 0, m + 2 + parsed, undefined, len - parsed, prefix);
        if (rc < 0) return INVALID;
        if (ae === 1) bits += 96;
        parsed += rc;
        rc = networkPrefix(c, ae, sourceBits, 0, m + 2 + parsed, undefined, len - parsed, source);
        if (rc < 0) return INVALID;
        if (ae === 1) sourceBits += 96;
        if (ae === 0) c.out += "for any";
        else {
          c.out += "for (" + prefixText(prefix, bits) + ", ";
          c.out += prefixText(source, sourceBits) + ")";
        }
        break;
      }
      case 15: {
        c.out += "\n\tSS-MH-Request ";
        if (len < 14) return INVALID;
        const ae = u8(c, m + 2);
        let bits = u8(c, m + 3);
        const seqno = be16(c, m + 4);
        const hops = u8(c, m + 6);
        let sourceBits = u8(c, m + 7);
        let parsed = 14;
        let rc = networkPrefix(c, ae, bits, 0, m + 2 + parsed, undefined, len - parsed, prefix);
        if (rc < 0) return INVALID;
        if (ae === 1) bits += 96;
        parsed += rc;
        rc = networkPrefix(c, ae, sourceBits, 0, m + 2 + parsed, undefined, len - parsed, source);
        if (rc < 0) return INVALID;
        if (ae === 1) sourceBits += 96;
        c.out += "(" + hops + " hops) for (" + prefixText(prefix, bits) + ", ";
        c.out += prefixText(source, sourceBits) + ") seqno " + seqno + " id " + routerId(c, m + 8);
        break;
      }
      case 16:
        c.out += "\n\tMAC len " + len;
        break;
      case 17:
        c.out += "\n\tPC";
        if (len < 4) return INVALID;
        c.out += " value " + be32(c, m + 2);
        c.out += " index len " + (len - 4);
        break;
      case 18:
      case 19:
        c.out += type === 18 ? "\n\tChallenge Request" : "\n\tChallenge Reply";
        if (len > 192) return INVALID;
        c.out += " len " + len;
        break;
      default:
        c.out += "\n\tUnknown message type " + type;
    }
    i += len + 2;
  }
  return 0;
}
