// AHCP, the ad-hoc configuration protocol (UDP port 5359), as tcpdump prints it: "AHCP Version 1";
// with -v the header (hop counts, nonce, source and destination ids) and the message type; with
// -vv its options.

import { ipv4String, ipv6String, linkAddrString } from "./addr.js";
import { be16, be32, check, printInvalidRest, u8, type PrintContext } from "./context.js";

const MAGIC = 43;
const VERSION_1 = 1;
/** The version 1 header after the magic and version bytes. */
const V1_HEADER_REST = 22;
const BODY_MIN_LENGTH = 4;
const MESSAGES = ["Discover", "Offer", "Request", "Ack", "Nack", "Release"];
const PAD = 0;
const MANDATORY = 1;
const OPTIONS = [
  "Pad",
  "Mandatory",
  "Origin Time",
  "Expires",
  "My-IPv6-Address",
  "My-IPv4-Address",
  "IPv6 Prefix",
  "IPv4 Prefix",
  "IPv6 Address",
  "IPv4 Address",
  "IPv6 Prefix Delegation",
  "IPv4 Prefix Delegation",
  "Name Server",
  "NTP Server",
];
const enum Value {
  None,
  Time,
  Seconds,
  Ipv6Addresses,
  Ipv4Addresses,
  Ipv6Prefixes,
  Ipv4Prefixes,
}
/** How each option's value is printed; options without a decoder print their length. */
const VALUES = [
  Value.None,
  Value.None,
  Value.Time,
  Value.Seconds,
  Value.Ipv6Addresses,
  Value.Ipv4Addresses,
  Value.Ipv6Prefixes,
  Value.None,
  Value.Ipv6Addresses,
  Value.Ipv4Addresses,
  Value.Ipv6Prefixes,
  Value.Ipv4Prefixes,
  Value.Ipv6Addresses,
  Value.Ipv6Addresses,
];

export function ahcpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ahcp";
  c.out += "AHCP";
  if (length < 2 || u8(c, at) !== MAGIC) return printInvalidRest(c, at, length);
  const version = u8(c, at + 1);
  let p = at + 2;
  let len = length - 2;
  if (version !== VERSION_1) {
    c.out += " Version " + version + " (unknown)";
    check(c, p, len);
    return;
  }
  c.out += " Version 1";
  if (len < V1_HEADER_REST) return printInvalidRest(c, p, len);
  if (!c.flags.verbose) {
    check(c, p, V1_HEADER_REST);
  } else {
    c.out += "\n\tHopcount " + u8(c, p);
    c.out += ", Original Hopcount " + u8(c, p + 1);
    c.out +=
      ", Nonce 0x" +
      be32(c, p + 2)
        .toString(16)
        .padStart(8, "0");
    c.out += ", Source Id " + linkAddrString(c, p + 6, 8);
    c.out += ", Destination Id " + linkAddrString(c, p + 14, 8);
  }
  p += V1_HEADER_REST;
  len -= V1_HEADER_REST;
  bodyPrint(c, p, len);
}

function bodyPrint(c: PrintContext, at: number, length: number): void {
  if (length < BODY_MIN_LENGTH) return printInvalidRest(c, at, length);
  const type = u8(c, at);
  const mbz = u8(c, at + 1);
  const bodyLength = be16(c, at + 2);
  const p = at + BODY_MIN_LENGTH;
  const len = length - BODY_MIN_LENGTH;
  if (c.flags.verbose) {
    c.out += "\n\t" + (MESSAGES[type] ?? "Unknown-" + type);
    if (mbz !== 0) c.out += ", MBZ " + mbz;
    c.out += ", Length " + bodyLength;
  }
  if (bodyLength > len) return printInvalidRest(c, p, len);
  // Only the body's own length: anything after it is ignored.
  if (c.flags.verbose >= 2) optionsPrint(c, p, bodyLength);
  else check(c, p, bodyLength);
}

function optionsPrint(c: PrintContext, at: number, length: number): void {
  let p = at;
  let len = length;
  while (len > 0) {
    const option = u8(c, p);
    p++;
    len--;
    c.out += "\n\t " + (OPTIONS[option] ?? "Unknown-" + option);
    if (option === PAD || option === MANDATORY) continue;
    if (len === 0) return printInvalidRest(c, p, len);
    const optionLength = u8(c, p);
    p++;
    len--;
    if (optionLength > len) return printInvalidRest(c, p, len);
    valuePrint(c, VALUES[option] ?? Value.None, p, optionLength);
    p += optionLength;
    len -= optionLength;
  }
}

function valuePrint(c: PrintContext, kind: Value, at: number, length: number): void {
  switch (kind) {
    case Value.None:
      c.out += " (Length " + length + ")";
      check(c, at, length);
      return;
    case Value.Time: {
      if (length !== 4) return printInvalidRest(c, at, length);
      const iso = new Date(be32(c, at) * 1000).toISOString();
      c.out += ": " + iso.slice(0, 10) + " " + iso.slice(11, 19) + " UTC";
      return;
    }
    case Value.Seconds:
      if (length !== 4) return printInvalidRest(c, at, length);
      c.out += ": " + be32(c, at) + "s";
      return;
    default:
      return listPrint(c, kind, at, length);
  }
}

/** A list of addresses or prefixes: ": a, b, c". */
function listPrint(c: PrintContext, kind: Value, at: number, length: number): void {
  const size =
    kind === Value.Ipv6Addresses ? 16 : kind === Value.Ipv4Addresses ? 4 : kind === Value.Ipv6Prefixes ? 17 : 5;
  let p = at;
  let len = length;
  let separator = ": ";
  while (len > 0) {
    if (len < size) return printInvalidRest(c, p, len);
    const v6 = kind === Value.Ipv6Addresses || kind === Value.Ipv6Prefixes;
    c.out += separator + (v6 ? ipv6String(c, p) : ipv4String(c, p));
    if (kind === Value.Ipv6Prefixes) c.out += "/" + u8(c, p + 16);
    else if (kind === Value.Ipv4Prefixes) c.out += "/" + u8(c, p + 4);
    p += size;
    len -= size;
    separator = ", ";
  }
}
