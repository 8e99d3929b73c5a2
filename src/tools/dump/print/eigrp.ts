// EIGRP (RFC 7868) as tcpdump prints it: "EIGRP Hello, length: 40" without -v; with -v the header
// and the TLVs (parameters, software version, IPv4 and AppleTalk routes, AppleTalk cable setup),
// and with -vv each TLV's value in hex too.

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String } from "./addr.js";
import { printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

const HEADER_LENGTH = 20;
const VERSION = 2;
const OPCODES = new Map([
  [1, "Update"],
  [3, "Query"],
  [4, "Reply"],
  [5, "Hello"],
  [6, "IPX SAP"],
  [7, "Probe"],
]);

export function eigrpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "eigrp";
  if (!has(c, at, HEADER_LENGTH)) {
    c.out += " [|eigrp]";
    return;
  }
  const version = u8(c, at);
  if (version !== VERSION) {
    c.out += "EIGRP version " + version + " packet not supported";
    return;
  }
  if (c.flags.verbose) {
    verbosePrint(c, at, length);
    return;
  }
  const opcode = u8(c, at + 1);
  c.out += "EIGRP " + (OPCODES.get(opcode) ?? "unknown (" + opcode + ")") + ", length: " + length;
}

const TLV_HEADER_LENGTH = 4;
const HEADER_FLAGS: [number, string][] = [
  [0x01, "Init"],
  [0x02, "Conditionally Received"],
  [0x04, "Restart"],
  [0x08, "End-of-Table"],
];
const TLV_NAMES = new Map([
  [0x0001, "General Parameters"],
  [0x0002, "Authentication"],
  [0x0003, "Sequence"],
  [0x0004, "Software Version"],
  [0x0005, "Next Multicast Sequence"],
  [0x0102, "IP Internal routes"],
  [0x0103, "IP External routes"],
  [0x0202, "AppleTalk Internal routes"],
  [0x0203, "AppleTalk External routes"],
  [0x0204, "AppleTalk Cable setup"],
  [0x0302, "IPX Internal routes"],
  [0x0303, "IPX External routes"],
]);
const EXTERNAL_PROTOCOLS = [
  "unknown",
  "IGRP",
  "EIGRP",
  "Static",
  "RIP",
  "Hello",
  "OSPF",
  "IS-IS",
  "EGP",
  "BGP",
  "IDRP",
  "Connected",
];
const GENERAL_PARAMETERS = 0x0001;
const SOFTWARE_VERSION = 0x0004;
const IP_INTERNAL = 0x0102;
const IP_EXTERNAL = 0x0103;
const IP_INTERNAL_LENGTH = 22;
const IP_EXTERNAL_LENGTH = 42;
const APPLETALK_INTERNAL = 0x0202;
const APPLETALK_EXTERNAL = 0x0203;
const APPLETALK_CABLE_SETUP = 0x0204;
const APPLETALK_INTERNAL_LENGTH = 24;
const APPLETALK_EXTERNAL_LENGTH = 40;
const APPLETALK_CABLE_SETUP_LENGTH = 8;

function verbosePrint(c: PrintContext, at: number, length: number): void {
  const opcode = u8(c, at + 1);
  if (length < HEADER_LENGTH) {
    c.out += "EIGRP " + (OPCODES.get(opcode) ?? "unknown (" + opcode + ")") + ", length: " + length;
    c.out += " (too short, < " + HEADER_LENGTH + ")";
    return;
  }
  let left = length - HEADER_LENGTH;
  const flags = be32(c, at + 4);
  c.out +=
    "\n\tEIGRP v" +
    VERSION +
    ", opcode: " +
    (OPCODES.get(opcode) ?? "unknown, type: " + opcode) +
    " (" +
    opcode +
    "), chksum: 0x" +
    hex4(be16(c, at + 2)) +
    ", Flags: [" +
    flagNames(HEADER_FLAGS, flags) +
    "]\n\tseq: 0x" +
    be32(c, at + 8)
      .toString(16)
      .padStart(8, "0") +
    ", ack: 0x" +
    be32(c, at + 12)
      .toString(16)
      .padStart(8, "0") +
    ", VRID: " +
    be16(c, at + 16) +
    ", AS: " +
    be16(c, at + 18) +
    ", length: " +
    left;
  let p = at + HEADER_LENGTH;
  while (left > 0) {
    // tcpdump checks the TLV header and then the whole TLV without unwinding.
    if (!has(c, p, TLV_HEADER_LENGTH)) return printTrunc(c);
    const tlvLength = be16(c, p + 2);
    const type = be16(c, p);
    if (tlvLength < TLV_HEADER_LENGTH || tlvLength > left) {
      printUnknownData(c, p + TLV_HEADER_LENGTH, "\n\t    ", left);
      return;
    }
    c.out += "\n\t  " + (TLV_NAMES.get(type) ?? "Unknown") + " TLV (0x" + hex4(type) + "), length: " + tlvLength;
    const v = p + TLV_HEADER_LENGTH;
    const valueLength = tlvLength - TLV_HEADER_LENGTH;
    if (!has(c, p, tlvLength)) return printTrunc(c);
    tlvPrint(c, type, v, valueLength);
    if (c.flags.verbose > 1) printUnknownData(c, v, "\n\t    ", valueLength);
    p += tlvLength;
    left -= tlvLength;
  }
}

function tooShort(c: PrintContext, valueLength: number): void {
  c.out += " (too short, < " + (TLV_HEADER_LENGTH + valueLength) + ")";
}

/** The route's delay, bandwidth, MTU, hops, reliability and load, at `at`. */
function metrics(c: PrintContext, at: number): string {
  return (
    "\n\t      delay " +
    Math.floor(be32(c, at) / 100) +
    " ms, bandwidth " +
    be32(c, at + 4) +
    " Kbps, mtu " +
    ((be16(c, at + 8) << 8) | u8(c, at + 10)) +
    ", hop " +
    u8(c, at + 11) +
    ", reliability " +
    u8(c, at + 12) +
    ", load " +
    u8(c, at + 13)
  );
}

/** "IPv4 prefix: ADDR/LEN, nexthop: ..." for a route whose prefix length sits at `plenAt`. */
function prefix(c: PrintContext, nexthop: number, plenAt: number): boolean {
  const bits = u8(c, plenAt);
  if (bits > 32) {
    c.out += "\n\t    illegal prefix length " + bits;
    return false;
  }
  const bytes = (bits + 7) >> 3;
  const octets = [0, 0, 0, 0];
  for (let i = 0; i < bytes; i++) octets[i] = u8(c, plenAt + 1 + i);
  c.out += "\n\t    IPv4 prefix: " + octets.join(".").padStart(15) + "/" + bits + ", nexthop: ";
  c.out += be32(c, nexthop) === 0 ? "self" : ipv4String(c, nexthop);
  return true;
}

/** "Cable-Range: START-END, nexthop: ..." of an AppleTalk route; the next hop is network.node. */
function cableRange(c: PrintContext, nexthop: number, rangeAt: number): void {
  c.out += "\n\t     Cable-Range: " + be16(c, rangeAt) + "-" + be16(c, rangeAt + 2) + ", nexthop: ";
  c.out += be32(c, nexthop) === 0 ? "self" : be16(c, nexthop) + "." + be16(c, nexthop + 2);
}

function tlvPrint(c: PrintContext, type: number, v: number, valueLength: number): void {
  switch (type) {
    case GENERAL_PARAMETERS:
      if (valueLength < 8) return tooShort(c, 8);
      c.out +=
        "\n\t    holdtime: " +
        be16(c, v + 6) +
        "s, k1 " +
        u8(c, v) +
        ", k2 " +
        u8(c, v + 1) +
        ", k3 " +
        u8(c, v + 2) +
        ", k4 " +
        u8(c, v + 3) +
        ", k5 " +
        u8(c, v + 4);
      return;
    case SOFTWARE_VERSION:
      if (valueLength < 4) return tooShort(c, 4);
      c.out +=
        "\n\t    IOS version: " +
        u8(c, v) +
        "." +
        u8(c, v + 1) +
        ", EIGRP version " +
        u8(c, v + 2) +
        "." +
        u8(c, v + 3);
      return;
    case IP_INTERNAL:
      if (valueLength < IP_INTERNAL_LENGTH) return tooShort(c, IP_INTERNAL_LENGTH);
      if (!prefix(c, v, v + 20)) return;
      c.out += metrics(c, v + 4);
      return;
    case IP_EXTERNAL: {
      if (valueLength < IP_EXTERNAL_LENGTH) return tooShort(c, IP_EXTERNAL_LENGTH);
      if (!prefix(c, v, v + 40)) return;
      const protocol = u8(c, v + 22);
      c.out +=
        "\n\t      origin-router " +
        ipv4String(c, v + 4) +
        ", origin-as " +
        be32(c, v + 8) +
        ", origin-proto " +
        (EXTERNAL_PROTOCOLS[protocol] ?? "unknown") +
        ", flags [0x" +
        hex2(u8(c, v + 23)) +
        "], tag 0x" +
        be32(c, v + 12)
          .toString(16)
          .padStart(8, "0") +
        ", metric " +
        be32(c, v + 16);
      c.out += metrics(c, v + 24);
      return;
    }
    case APPLETALK_CABLE_SETUP:
      if (valueLength < APPLETALK_CABLE_SETUP_LENGTH) return tooShort(c, APPLETALK_CABLE_SETUP_LENGTH);
      c.out += "\n\t    Cable-range: " + be16(c, v) + "-" + be16(c, v + 2) + ", Router-ID " + be32(c, v + 4);
      return;
    case APPLETALK_INTERNAL:
      if (valueLength < APPLETALK_INTERNAL_LENGTH) return tooShort(c, APPLETALK_INTERNAL_LENGTH);
      cableRange(c, v, v + 20);
      c.out += metrics(c, v + 4);
      return;
    case APPLETALK_EXTERNAL: {
      if (valueLength < APPLETALK_EXTERNAL_LENGTH) return tooShort(c, APPLETALK_EXTERNAL_LENGTH);
      cableRange(c, v, v + 36);
      const protocol = u8(c, v + 16);
      c.out +=
        "\n\t      origin-router " +
        be32(c, v + 4) +
        ", origin-as " +
        be32(c, v + 8) +
        ", origin-proto " +
        (EXTERNAL_PROTOCOLS[protocol] ?? "unknown") +
        ", flags [0x" +
        hex2(u8(c, v + 17)) +
        "], tag 0x" +
        be32(c, v + 12)
          .toString(16)
          .padStart(8, "0") +
        ", metric " +
        be16(c, v + 18);
      c.out += metrics(c, v + 20);
      return;
    }
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, v, "\n\t    ", valueLength);
  }
}
