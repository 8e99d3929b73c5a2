// GRE (RFC 1701, RFC 2784, RFC 2890) and enhanced GRE for PPTP (RFC 2637, version 1), as tcpdump
// prints them: "GREv0, key=0x1, seq 5, length 100: " then the carried packet (IPv4, IPv6, MPLS or
// Ethernet; the payloads tcpdump opens with printers this one lacks are marked unsupported), or
// "gre-proto-0xNNNN" for a protocol tcpdump does not open either.

import { available, be16, be32, has, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";
import { ethertypeName, flagNames } from "./names.js";
import { encapsulated } from "./encapsulated.js";
import { osiPrint } from "./isis.js";
import { mplsPrint } from "./mpls.js";
import { pppPrint } from "./ppp.js";

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080;

const FLAG_NAMES: [number, string][] = [
  [GRE_CHECKSUM, "checksum present"],
  [GRE_ROUTING, "routing present"],
  [GRE_KEY, "key present"],
  [GRE_SEQUENCE, "sequence# present"],
  [0x0800, "source routing present"],
  [GRE_ACK, "ack present"],
];

const SRE_IP = 0x0800;
const SRE_ASN = 0xfffe;

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_TEB = 0x6558;
const ETHERTYPE_PPP = 0x880b;
/** GRE's protocol type for OSI network layer packets (RFC 2784 leaves it to the NLPID). */
const ETHERTYPE_OSI = 0x00fe;
const ETHERTYPE_MPLS = 0x8847;
/** Payloads tcpdump opens with printers this one does not have (IPX, AppleTalk, OSI). */
const OPENED_ELSEWHERE: ReadonlySet<number> = new Set([0x8137, 0x809b, 0x00fe]);

/** tcpdump's own " [|gre]": a header shorter than its flags promise. */
const GRE_TRUNCATED = Object.freeze({ gre: "truncated" });

/** Checks that `n` bytes are captured and left in the header's length. */
function need(c: PrintContext, at: number, len: number, n: number): void {
  if (!has(c, at, n) || len < n) throw GRE_TRUNCATED;
}

export function grePrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "gre";
  try {
    need(c, at, length, 2);
    const version = be16(c, at) & 0x7;
    c.out += "GREv" + version;
    if (version === 0) printVersion0(c, at, length);
    else if (version === 1) printVersion1(c, at, length);
    else c.out += " ERROR: unknown-version";
  } catch (e) {
    if (e !== GRE_TRUNCATED) throw e;
    c.out += " [|gre]";
  }
}

function protocolSuffix(c: PrintContext, protocol: number, length: number): void {
  if (c.flags.linkHeader) c.out += ", proto " + (ethertypeName(protocol) ?? "unknown") + " (0x" + hex4(protocol) + ")";
  c.out += ", length " + length;
}

function printVersion0(c: PrintContext, at: number, length: number): void {
  let len = length;
  const flags = be16(c, at);
  const verbose = c.flags.verbose;
  if (verbose) c.out += ", Flags [" + flagNames(FLAG_NAMES, flags) + "]";
  let p = at + 2;
  len -= 2;
  need(c, p, len, 2);
  const protocol = be16(c, p);
  p += 2;
  len -= 2;
  if (flags & (GRE_CHECKSUM | GRE_ROUTING)) {
    need(c, p, len, 2);
    if (verbose) c.out += ", sum 0x" + be16(c, p).toString(16);
    p += 2;
    len -= 2;
    need(c, p, len, 2);
    c.out += ", off 0x" + be16(c, p).toString(16);
    p += 2;
    len -= 2;
  }
  if (flags & GRE_KEY) {
    need(c, p, len, 4);
    c.out += ", key=0x" + be32(c, p).toString(16);
    p += 4;
    len -= 4;
  }
  if (flags & GRE_SEQUENCE) {
    need(c, p, len, 4);
    c.out += ", seq " + be32(c, p);
    p += 4;
    len -= 4;
  }
  if (flags & GRE_ROUTING) {
    for (;;) {
      need(c, p, len, 4);
      const family = be16(c, p);
      const offset = u8(c, p + 2);
      const sreLength = u8(c, p + 3);
      p += 4;
      len -= 4;
      if (family === 0 && sreLength === 0) break;
      if (!printSourceRoute(c, family, offset, sreLength, p, len)) throw GRE_TRUNCATED;
      if (len < sreLength) throw GRE_TRUNCATED;
      p += sreLength;
      len -= sreLength;
    }
  }
  protocolSuffix(c, protocol, length);
  c.out += verbose < 1 ? ": " : "\n\t";
  switch (protocol) {
    case ETHERTYPE_IP:
      encapsulated().ipv4(c, p, len);
      break;
    case ETHERTYPE_IPV6:
      encapsulated().ipv6(c, p, len);
      break;
    case ETHERTYPE_TEB:
      encapsulated().ethernet(c, p, len, available(c, p));
      break;
    case ETHERTYPE_MPLS:
      mplsPrint(c, p, len);
      break;
    default:
      if (protocol === ETHERTYPE_OSI && osiPrint(c, p, len)) break;
      if (OPENED_ELSEWHERE.has(protocol)) c.markUnsupported("gre protocol 0x" + protocol.toString(16));
      c.out += "gre-proto-0x" + protocol.toString(16);
  }
}

function printVersion1(c: PrintContext, at: number, length: number): void {
  let len = length;
  const flags = be16(c, at);
  let p = at + 2;
  len -= 2;
  if (c.flags.verbose) c.out += ", Flags [" + flagNames(FLAG_NAMES, flags) + "]";
  need(c, p, len, 2);
  const protocol = be16(c, p);
  p += 2;
  len -= 2;
  if (flags & GRE_KEY) {
    need(c, p, len, 4);
    c.out += ", call " + (be32(c, p) & 0xffff);
    p += 4;
    len -= 4;
  }
  if (flags & GRE_SEQUENCE) {
    need(c, p, len, 4);
    c.out += ", seq " + be32(c, p);
    p += 4;
    len -= 4;
  }
  if (flags & GRE_ACK) {
    need(c, p, len, 4);
    c.out += ", ack " + be32(c, p);
    p += 4;
    len -= 4;
  }
  if ((flags & GRE_SEQUENCE) === 0) c.out += ", no-payload";
  protocolSuffix(c, protocol, length);
  if ((flags & GRE_SEQUENCE) === 0) return;
  c.out += c.flags.verbose < 1 ? ": " : "\n\t";
  if (protocol === ETHERTYPE_PPP) pppPrint(c, p, len);
  else c.out += "gre-proto-0x" + protocol.toString(16);
}

/** One source route entry; false when it runs off the data. */
function printSourceRoute(
  c: PrintContext,
  family: number,
  offset: number,
  sreLength: number,
  at: number,
  len: number,
): boolean {
  if (family !== SRE_IP && family !== SRE_ASN) {
    c.out += ", (rtaf=0x" + family.toString(16) + ")";
    return true;
  }
  const ip = family === SRE_IP;
  c.out += ip ? ", (rtaf=ip" : ", (rtaf=asn";
  const ok = printRouteEntries(c, ip ? 4 : 2, offset, sreLength, at, len);
  c.out += ")";
  return ok;
}

function printRouteEntries(
  c: PrintContext,
  size: number,
  offset: number,
  sreLength: number,
  at: number,
  len: number,
): boolean {
  if (offset & (size - 1)) {
    c.out += ", badoffset=" + offset;
    return true;
  }
  if (sreLength & (size - 1)) {
    c.out += ", badlength=" + sreLength;
    return true;
  }
  if (offset >= sreLength) {
    c.out += ", badoff/len=" + offset + "/" + sreLength;
    return true;
  }
  for (let p = at; sreLength !== 0; p += size, len -= size, sreLength -= size) {
    if (!has(c, p, size) || len < size) return false;
    const entry = size === 4 ? [0, 1, 2, 3].map((i) => c.bytes[p + i]).join(".") : be16(c, p).toString(16);
    c.out += " " + (p - at === offset ? "*" : "") + entry;
  }
  return true;
}
