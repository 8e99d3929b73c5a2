// Babel (RFC 8966) as tcpdump prints it: "babel 2 (24) hello ihu", the body's TLV names, then " |"
// and the trailer's (RFC 8967 MACs); with -v one line per TLV with its fields (addresses and
// prefixes, with omitted bytes taken from the previous update's prefix as the protocol does,
// intervals, sequence numbers, router ids) and its sub-TLVs.

import { hex2, ipv6FromBytes, linkAddrString } from "./addr.js";
import { be16, be32, has, printInvalid, printTrunc, u8, type PrintContext } from "./context.js";

const MAGIC = 42;
const PAD1 = 0;
const PADN = 1;
const ACK_REQUEST = 2;
const ACK = 3;
const HELLO = 4;
const IHU = 5;
const ROUTER_ID = 6;
const NEXT_HOP = 7;
const UPDATE = 8;
const ROUTE_REQUEST = 9;
const SEQNO_REQUEST = 10;
const TSPC = 11;
const HMAC = 12;
const SS_UPDATE = 13;
const SS_REQUEST = 14;
const SS_MH_REQUEST = 15;
const MAC = 16;
const PC = 17;
const CHALLENGE_REQUEST = 18;
const CHALLENGE_REPLY = 19;
/** Name of each TLV type without -v; others print as "unknown". */
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
const SUB_PAD1 = 0;
const SUB_PADN = 1;
const SUB_DIVERSITY = 2;
const SUB_TIMESTAMP = 3;
const MANDATORY = 0x80;
const UNICAST = 0x8000;

/** How a TLV list ended early: cut by the capture, or malformed. */
const OK = 0;
const TRUNCATED_LIST = -1;
const INVALID_LIST = -2;

// Prefixes are built in these buffers (one packet at a time, so no allocation per TLV).
const prefix = new Uint8Array(16);
const sourcePrefix = new Uint8Array(16);
/** The last update's prefixes, per address family, which later updates may omit bytes of. */
const lastV4 = new Uint8Array(16);
const lastV6 = new Uint8Array(16);

export function babelPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "babel";
  c.out += "babel";
  // tcpdump's own checks end the line with " [|babel]" and still dump the packet without its link
  // header; a failed read (TRUNCATED) does not.
  if (!has(c, at, 4)) return printTrunc(c);
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
  if (length < 4) return printInvalid(c);
  const bodyLength = be16(c, at + 2);
  c.out += " (" + bodyLength + ")";
  let rest = length - 4;
  if (rest < bodyLength) return printInvalid(c);
  if (!ended(c, printTlvs(c, at + 4, bodyLength, rest))) return;
  rest -= bodyLength;
  if (rest !== 0) {
    c.out += c.flags.verbose ? "\n\t----" : " |";
    ended(c, printTlvs(c, at + 4 + bodyLength, rest, rest));
  }
}

function ended(c: PrintContext, result: number): boolean {
  if (result === TRUNCATED_LIST) printTrunc(c);
  else if (result === INVALID_LIST) printInvalid(c);
  return result === OK;
}

function interval(i: number): string {
  if (i === 0) return "0.0s (bogus)";
  return Math.floor(i / 100) + "." + (i % 100).toString().padStart(2, "0") + "s";
}

function updateInterval(i: number): string {
  return i === 0xffff ? "infinity" : interval(i);
}

function timestamp(t: number): string {
  return Math.floor(t / 1000000) + "." + (t % 1000000).toString().padStart(6, "0") + "s";
}

function isV4Mapped(p: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (p[i] !== 0) return false;
  return p[10] === 0xff && p[11] === 0xff;
}

function address(p: Uint8Array): string {
  return isV4Mapped(p) ? p[12] + "." + p[13] + "." + p[14] + "." + p[15] : ipv6FromBytes(p, 0);
}

function prefixString(p: Uint8Array, length: number): string {
  if (length >= 96 && isV4Mapped(p)) return address(p) + "/" + (length - 96);
  return ipv6FromBytes(p, 0) + "/" + length;
}

function setV4Mapped(p: Uint8Array): void {
  p.fill(0);
  p[10] = 0xff;
  p[11] = 0xff;
}

/**
 * Builds the prefix of address encoding `ae` into `out` from the bytes at `at` (`length` of them
 * left in the TLV), the first `omitted` taken from `previous`. A negative `bits` means a full
 * address. Returns the bytes read, or -1 when the encoding is impossible.
 */
function networkPrefix(
  c: PrintContext,
  ae: number,
  bits: number,
  omitted: number,
  at: number,
  previous: Uint8Array | undefined,
  length: number,
  out: Uint8Array,
): number {
  const bytes = bits >= 0 ? (bits + 7) >> 3 : ae === 1 ? 4 : 16;
  if (bytes > 16) return -1;
  out.fill(0);
  switch (ae) {
    case 0:
      return 0;
    case 1: {
      if (omitted > 4 || bytes > 4 || (bytes > omitted && length < bytes - omitted)) return -1;
      setV4Mapped(out);
      if (omitted) {
        if (previous === undefined) return -1;
        out.set(previous.subarray(0, 12 + omitted));
      }
      if (bytes <= omitted) return 0;
      for (let i = 0; i < bytes - omitted; i++) out[12 + omitted + i] = u8(c, at + i);
      return bytes - omitted;
    }
    case 2: {
      if (omitted > 16 || (bytes > omitted && length < bytes - omitted)) return -1;
      if (omitted) {
        if (previous === undefined) return -1;
        out.set(previous.subarray(0, omitted));
      }
      if (bytes <= omitted) return 0;
      for (let i = 0; i < bytes - omitted; i++) out[omitted + i] = u8(c, at + i);
      return bytes - omitted;
    }
    case 3:
      // Link-local: fe80::/64 with the interface id carried.
      if (bytes > 8 && length < bytes - 8) return -1;
      out[0] = 0xfe;
      out[1] = 0x80;
      if (bytes <= 8) return 0;
      for (let i = 0; i < bytes - 8; i++) out[8 + i] = u8(c, at + i);
      return bytes - 8;
    default:
      return -1;
  }
}

function subTlvsPrint(c: PrintContext, at: number, end: number, tlvType: number): void {
  let p = at;
  while (p < end) {
    const type = u8(c, p);
    p++;
    if (type === SUB_PAD1) {
      c.out += " sub-pad1";
      continue;
    }
    if (type & MANDATORY) c.out += " (M)";
    if (p === end) return printInvalid(c);
    const length = u8(c, p);
    p++;
    if (p + length > end) return printInvalid(c);
    switch (type) {
      case SUB_PADN:
        c.out += " sub-padn";
        break;
      case SUB_DIVERSITY:
        c.out += " sub-diversity";
        if (length === 0) {
          c.out += " empty";
          break;
        }
        for (let i = 0; i < length; i++) {
          const channel = u8(c, p + i);
          c.out += (i === 0 ? " " : "-") + (channel === 0 ? "reserved" : channel === 255 ? "all" : channel);
        }
        if (tlvType !== UPDATE && tlvType !== SS_UPDATE) c.out += " (bogus)";
        break;
      case SUB_TIMESTAMP:
        c.out += " sub-timestamp";
        if (tlvType === HELLO) {
          if (length < 4) return printInvalid(c);
          c.out += " " + timestamp(be32(c, p));
        } else if (tlvType === IHU) {
          if (length < 8) return printInvalid(c);
          c.out += " " + timestamp(be32(c, p)) + "|" + timestamp(be32(c, p + 4));
        } else c.out += " (bogus)";
        break;
      default:
        c.out += " sub-unknown-0x" + hex2(type);
    }
    p += length;
  }
}

/** The TLVs of `length` bytes at `at` (`remaining` in the packet); OK, TRUNCATED_LIST or INVALID_LIST. */
function printTlvs(c: PrintContext, at: number, length: number, remaining: number): number {
  setV4Mapped(lastV4);
  lastV6.fill(0);
  const verbose = c.flags.verbose;
  let i = 0;
  while (i < length) {
    const m = at + i;
    if (i + 1 > length || i + 1 > remaining) return INVALID_LIST;
    const type = u8(c, m);
    if (type === PAD1) {
      c.out += verbose ? "\n\tPad 1" : " pad1";
      i += 1;
      continue;
    }
    if (i + 2 > length || i + 2 > remaining) return INVALID_LIST;
    if (!has(c, m, 2)) return TRUNCATED_LIST;
    const len = u8(c, m + 1);
    if (i + 2 + len > length || i + 2 + len > remaining) return INVALID_LIST;
    if (!has(c, m, 2 + len)) return TRUNCATED_LIST;
    if (!verbose) {
      c.out += " " + (type < TLV_NAMES.length ? TLV_NAMES[type] : "unknown");
      if (type === UPDATE) {
        if (len < UPDATE_MIN_LENGTH) return INVALID_LIST;
        c.out += updateFlags(u8(c, m + 3));
      }
    } else if (!verboseTlv(c, type, m, len)) return INVALID_LIST;
    i += len + 2;
  }
  return OK;
}

function updateFlags(flags: number): string {
  return (flags & 0x80 ? "/prefix" : "") + (flags & 0x40 ? "/id" : "") + (flags & 0x3f ? "/unknown" : "");
}

/** One TLV at -v; false when it is invalid (which ends the list). */
function verboseTlv(c: PrintContext, type: number, m: number, len: number): boolean {
  const end = m + 2 + len;
  switch (type) {
    case PADN:
      c.out += "\n\tPad " + (len + 2);
      return true;
    case ACK_REQUEST:
      c.out += "\n\tAcknowledgment Request ";
      if (len < 6) return false;
      c.out +=
        be16(c, m + 4)
          .toString(16)
          .padStart(4, "0") +
        " " +
        interval(be16(c, m + 6));
      return true;
    case ACK:
      c.out += "\n\tAcknowledgment ";
      if (len < 2) return false;
      c.out += be16(c, m + 2)
        .toString(16)
        .padStart(4, "0");
      return true;
    case HELLO: {
      c.out += "\n\tHello ";
      if (len < 6) return false;
      if (be16(c, m + 2) & UNICAST) c.out += "(Unicast) ";
      c.out += "seqno " + be16(c, m + 4) + " ";
      const i = be16(c, m + 6);
      c.out += i !== 0 ? "interval " + interval(i) : "unscheduled";
      if (len > 6) subTlvsPrint(c, m + 8, end, type);
      return true;
    }
    case IHU: {
      c.out += "\n\tIHU ";
      if (len < 6) return false;
      const ae = u8(c, m + 2);
      const read = networkPrefix(c, ae, -1, 0, m + 8, undefined, len - 6, prefix);
      if (read < 0) {
        // tcpdump marks this TLV cut short and goes on with the next one.
        printTrunc(c);
        return true;
      }
      c.out +=
        (ae === 0 ? "any" : address(prefix)) + " rxcost " + be16(c, m + 4) + " interval " + interval(be16(c, m + 6));
      if (read < len - 6) subTlvsPrint(c, m + 8 + read, end, type);
      return true;
    }
    case ROUTER_ID:
      c.out += "\n\tRouter Id";
      if (len < 10) return false;
      c.out += " " + linkAddrString(c, m + 4, 8);
      return true;
    case NEXT_HOP: {
      c.out += "\n\tNext Hop";
      if (len < 2) return false;
      const ae = u8(c, m + 2);
      if (networkPrefix(c, ae, -1, 0, m + 4, undefined, len - 2, prefix) < 0) return false;
      c.out += " " + (ae === 0 ? "invalid AE 0" : address(prefix));
      return true;
    }
    case UPDATE: {
      c.out += "\n\tUpdate";
      if (len < 10) return false;
      const ae = u8(c, m + 2);
      const flags = u8(c, m + 3);
      const bits = u8(c, m + 4);
      const shown = (bits + (ae === 1 ? 96 : 0)) & 0xff;
      const last = ae === 1 ? lastV4 : lastV6;
      const read = networkPrefix(c, ae, bits, u8(c, m + 5), m + 12, last, len - 10, prefix);
      if (read < 0) return false;
      c.out +=
        updateFlags(flags) +
        " " +
        (ae === 0 ? "any" : prefixString(prefix, shown)) +
        " metric " +
        be16(c, m + 10) +
        " seqno " +
        be16(c, m + 8) +
        " interval " +
        updateInterval(be16(c, m + 6));
      if (flags & 0x80) last.set(prefix);
      if (read < len - 10) subTlvsPrint(c, m + 12 + read, end, type);
      return true;
    }
    case ROUTE_REQUEST: {
      c.out += "\n\tRoute Request ";
      if (len < 2) return false;
      const ae = u8(c, m + 2);
      const bits = u8(c, m + 3);
      if (networkPrefix(c, ae, bits, 0, m + 4, undefined, len - 2, prefix) < 0) return false;
      c.out += "for " + (ae === 0 ? "any" : prefixString(prefix, (bits + (ae === 1 ? 96 : 0)) & 0xff));
      return true;
    }
    case SEQNO_REQUEST: {
      c.out += "\n\tSeqno Request ";
      if (len < 14) return false;
      const ae = u8(c, m + 2);
      const bits = u8(c, m + 3);
      if (networkPrefix(c, ae, bits, 0, m + 16, undefined, len - 14, prefix) < 0) return false;
      c.out +=
        "(" +
        u8(c, m + 6) +
        " hops) for " +
        (ae === 0 ? "invalid AE 0" : prefixString(prefix, (bits + (ae === 1 ? 96 : 0)) & 0xff)) +
        " seqno " +
        be16(c, m + 4) +
        " id " +
        linkAddrString(c, m + 8, 8);
      return true;
    }
    case TSPC:
      c.out += "\n\tTS/PC ";
      if (len < 6) return false;
      c.out += "timestamp " + be32(c, m + 4) + " packetcounter " + be16(c, m + 2);
      return true;
    case HMAC: {
      c.out += "\n\tHMAC ";
      if (len < 18) return false;
      c.out += "key-id " + be16(c, m + 2) + " digest-" + (len - 2) + " ";
      for (let j = 0; j < len - 2; j++) c.out += hex2(u8(c, m + 4 + j)).toUpperCase();
      return true;
    }
    case SS_UPDATE: {
      c.out += "\n\tSS-Update";
      if (len < 10) return false;
      const ae = u8(c, m + 2);
      let parsed = 10;
      let read = networkPrefix(
        c,
        ae,
        u8(c, m + 4),
        u8(c, m + 5),
        m + 2 + parsed,
        ae === 1 ? lastV4 : lastV6,
        len - parsed,
        prefix,
      );
      if (read < 0) return false;
      parsed += read;
      read = networkPrefix(c, ae, u8(c, m + 3), 0, m + 2 + parsed, undefined, len - parsed, sourcePrefix);
      if (read < 0) return false;
      parsed += read;
      const extra = ae === 1 ? 96 : 0;
      c.out +=
        " " +
        prefixString(prefix, (u8(c, m + 4) + extra) & 0xff) +
        " from " +
        prefixString(sourcePrefix, (u8(c, m + 3) + extra) & 0xff) +
        " metric " +
        be16(c, m + 10) +
        " seqno " +
        be16(c, m + 8) +
        " interval " +
        updateInterval(be16(c, m + 6));
      if (parsed < len) subTlvsPrint(c, m + 2 + parsed, end, type);
      return true;
    }
    case SS_REQUEST: {
      c.out += "\n\tSS-Request ";
      if (len < 3) return false;
      const ae = u8(c, m + 2);
      let parsed = 3;
      let read = networkPrefix(c, ae, u8(c, m + 3), 0, m + 2 + parsed, undefined, len - parsed, prefix);
      if (read < 0) return false;
      parsed += read;
      read = networkPrefix(c, ae, u8(c, m + 4), 0, m + 2 + parsed, undefined, len - parsed, sourcePrefix);
      if (read < 0) return false;
      const extra = ae === 1 ? 96 : 0;
      if (ae === 0) c.out += "for any";
      else
        c.out +=
          "for (" +
          prefixString(prefix, (u8(c, m + 3) + extra) & 0xff) +
          ", " +
          prefixString(sourcePrefix, (u8(c, m + 4) + extra) & 0xff) +
          ")";
      return true;
    }
    case SS_MH_REQUEST: {
      c.out += "\n\tSS-MH-Request ";
      if (len < 14) return false;
      const ae = u8(c, m + 2);
      let parsed = 14;
      let read = networkPrefix(c, ae, u8(c, m + 3), 0, m + 2 + parsed, undefined, len - parsed, prefix);
      if (read < 0) return false;
      parsed += read;
      read = networkPrefix(c, ae, u8(c, m + 7), 0, m + 2 + parsed, undefined, len - parsed, sourcePrefix);
      if (read < 0) return false;
      const extra = ae === 1 ? 96 : 0;
      c.out +=
        "(" +
        u8(c, m + 6) +
        " hops) for (" +
        prefixString(prefix, (u8(c, m + 3) + extra) & 0xff) +
        ", " +
        prefixString(sourcePrefix, (u8(c, m + 7) + extra) & 0xff) +
        ") seqno " +
        be16(c, m + 4) +
        " id " +
        linkAddrString(c, m + 8, 8);
      return true;
    }
    case MAC:
      c.out += "\n\tMAC len " + len;
      return true;
    case PC:
      c.out += "\n\tPC";
      if (len < 4) return false;
      c.out += " value " + be32(c, m + 2) + " index len " + (len - 4);
      return true;
    case CHALLENGE_REQUEST:
    case CHALLENGE_REPLY:
      c.out += type === CHALLENGE_REQUEST ? "\n\tChallenge Request" : "\n\tChallenge Reply";
      if (len > 192) return false;
      c.out += " len " + len;
      return true;
    default:
      c.out += "\n\tUnknown message type " + type;
      return true;
  }
}
