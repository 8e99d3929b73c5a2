// RIP versions 1 and 2 (RFC 1058, RFC 2453, RFC 4822) as tcpdump prints them: "RIPv2, Response,
// length: 24" without -v; with -v the route entries and authentication entries, and with -vv the
// whole message in hex after them. An entry cut short ends the list with " [|rip]" without
// unwinding, as tcpdump's does.

import { has, be16, be32, printInvalid, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String } from "./addr.js";
import { printableChar, printUnknownData } from "./unknown.js";

const HEADER_LENGTH = 4;
const ENTRY_HEADER_LENGTH = 4;
const ROUTE_LENGTH = 20;
const AUTH_LENGTH = 16;
const CRYPTO_AUTH_HEADER_LENGTH = 16;
const COMMANDS = ["", "Request", "Response", "Trace on", "Trace off", "Poll", "Poll Entry"];
const REQUEST = 1;
const RESPONSE = 2;
const AF_INET = 2;
const AUTHENTICATION_FAMILY = 0xffff;

/** BSD address family numbers, as RIP entries carry them. */
const FAMILIES = new Map<number, string>([
  [2, "IPv4"],
  [6, "NS"],
  [7, "ISO"],
  [16, "Appletalk"],
  [23, "IPX"],
  [24, "IPv6"],
  [28, "IPv6"],
  [30, "IPv6"],
]);

export function ripPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "rip";
  if (c.snapend < at) {
    c.out += " [|rip]";
    return;
  }
  const available = Math.min(c.snapend - at, length);
  if (available < HEADER_LENGTH) {
    c.out += " [|rip]";
    return;
  }
  const version = u8(c, at + 1);
  c.out += (c.flags.verbose ? "\n\t" : "") + "RIPv" + version;
  if (version === 0) {
    // A pre-RFC 1058 datagram: its bytes in hex.
    printUnknownData(c, at, "\n\t", length);
    return;
  }
  const command = u8(c, at);
  c.out += ", " + (command >= 1 && command <= 6 ? COMMANDS[command] : "unknown command (" + command + ")");
  c.out += ", length: " + length;
  if (!c.flags.verbose) return;
  if (command === REQUEST || command === RESPONSE) {
    if (version === 1 || version === 2) entriesPrint(c, at + HEADER_LENGTH, available - HEADER_LENGTH, version, length);
    else c.out += ", unknown version";
  } else if (command < 1 || command > 6) {
    if (c.flags.verbose <= 1) printUnknownData(c, at, "\n\t", length);
  }
  if (c.flags.verbose > 1) printUnknownData(c, at, "\n\t", length);
}

function entriesPrint(c: PrintContext, at: number, remaining: number, version: number, length: number): void {
  const routes = Math.floor(length / ROUTE_LENGTH);
  c.out += ", routes: " + routes + (version === 2 ? " or less" : "");
  let p = at;
  while (remaining !== 0) {
    const size = version === 1 ? entryV1Print(c, p, remaining) : entryV2Print(c, p, remaining);
    if (size === 0) return printTrunc(c);
    if (remaining < size) {
      c.out += " [remaining entries length " + remaining + " < " + size + "]";
      printInvalid(c);
      return;
    }
    p += size;
    remaining -= size;
  }
}

function familyName(family: number, unknown: string): string {
  return FAMILIES.get(family) ?? unknown;
}

/** An RFC 1058 entry; returns its size, or 0 when it is cut short. */
function entryV1Print(c: PrintContext, p: number, remaining: number): number {
  if (remaining < ROUTE_LENGTH || !has(c, p, ROUTE_LENGTH)) return 0;
  const family = be16(c, p);
  if (family !== AF_INET && family !== 0) {
    c.out += "\n\t AFI " + familyName(family, "Unknown (" + family + ")") + ", ";
    printUnknownData(c, p + ENTRY_HEADER_LENGTH, "\n\t  ", ROUTE_LENGTH - ENTRY_HEADER_LENGTH);
    return ROUTE_LENGTH;
  }
  if (be16(c, p + 2) || be32(c, p + 8) || be32(c, p + 12)) {
    // Fields that must be zero are not.
    printUnknownData(c, p, "\n\t  ", ROUTE_LENGTH);
    return ROUTE_LENGTH;
  }
  c.out += "\n\t  " + (family === 0 ? "AFI 0, " : "") + ipv4String(c, p + 4) + ", metric: " + be32(c, p + 16);
  return ROUTE_LENGTH;
}

/** The prefix length of a contiguous netmask, or -1. */
function maskLength(mask: number): number {
  let bits = 0;
  let m = mask >>> 0;
  while (m & 0x80000000) {
    bits++;
    m = (m << 1) >>> 0;
  }
  return m === 0 ? bits : -1;
}

/** An RFC 2453 entry (a route or an authentication entry); returns its size, or 0 when cut short. */
function entryV2Print(c: PrintContext, p: number, remaining: number): number {
  if (remaining < ENTRY_HEADER_LENGTH || !has(c, p, ENTRY_HEADER_LENGTH)) return 0;
  const family = be16(c, p);
  if (family === AUTHENTICATION_FAMILY) {
    const authType = be16(c, p + 2);
    const data = p + ENTRY_HEADER_LENGTH;
    const dataRemaining = remaining - ENTRY_HEADER_LENGTH;
    if (authType === 2) {
      c.out += "\n\t  Simple Text Authentication data: ";
      for (let i = 0; i < AUTH_LENGTH; i++) {
        const byte = u8(c, data + i);
        if (byte === 0) break;
        c.out += printableChar(byte);
      }
    } else if (authType === 3) {
      if (!has(c, data, CRYPTO_AUTH_HEADER_LENGTH) || dataRemaining < CRYPTO_AUTH_HEADER_LENGTH) return 0;
      c.out += "\n\t  Auth header: Packet Len " + be16(c, data) + ", Key-ID " + u8(c, data + 2);
      c.out += ", Auth Data Len " + u8(c, data + 3) + ", SeqNo " + be32(c, data + 4);
      c.out += ", MBZ " + be32(c, data + 8) + ", MBZ " + be32(c, data + 12);
    } else {
      // An authentication trailer, or an unknown kind: it runs to the end of the message.
      c.out += authType === 1 ? "\n\t  Auth trailer:" : "\n\t  Unknown (" + authType + ") Authentication data:";
      printUnknownData(c, data, "\n\t  ", dataRemaining);
      return remaining;
    }
  } else if (family !== AF_INET && family !== 0) {
    c.out += "\n\t  AFI " + familyName(family, "Unknown (" + family + ")");
    printUnknownData(c, p + ENTRY_HEADER_LENGTH, "\n\t  ", ROUTE_LENGTH - ENTRY_HEADER_LENGTH);
  } else {
    if (!has(c, p, ROUTE_LENGTH) || remaining < ROUTE_LENGTH) return 0;
    const plen = String(maskLength(be32(c, p + 8)));
    c.out += "\n\t  AFI " + familyName(family, String(family)) + ", " + ipv4String(c, p + 4).padStart(15);
    c.out += "/" + plen.padEnd(2) + ", tag 0x" + hex4(be16(c, p + 2));
    c.out += ", metric: " + be32(c, p + 16) + ", next-hop: ";
    c.out += be32(c, p + 12) ? ipv4String(c, p + 12) : "self";
  }
  return ROUTE_LENGTH;
}
