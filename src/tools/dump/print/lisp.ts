// LISP control messages (RFC 6830, UDP port 4342) as tcpdump prints them: the message type, and for
// Map-Register and Map-Notify the record count, each EID record with its locators, and the xTR-ID
// and site ID when the I bit says they follow. -v adds the header flags, the authentication data in
// hex, the record TTL, action and map version, and each locator's priorities and flags. Other
// message types are named only. tcpdump stops silently at an EID of an address family other than
// IPv4 and IPv6 (LCAF), and calls a message without records or with a cut xTR-ID "(invalid)".

import { be16, be32, has, printInvalid, printTrunc, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { hexPrint } from "./unknown.js";

const MAP_REGISTER = 3;
const MAP_NOTIFY = 4;
const HEADER_LENGTH = 16;
const RECORD_LENGTH = 12;
const LOCATOR_LENGTH = 8;
const AFI_IPV4 = 1;
const AFI_IPV6 = 2;
/** xTR-ID (16 bytes) and site ID (8). */
const XTR_LENGTH = 24;
/** The I bit in the first byte: a different bit for each of the two messages. */
const REGISTER_XTR_BIT = 0x02;
const NOTIFY_XTR_BIT = 0x08;

const TYPES = new Map([
  [0, "LISP-Reserved"],
  [1, "LISP-Map-Request"],
  [2, "LISP-Map-Reply"],
  [MAP_REGISTER, "LISP-Map-Register"],
  [MAP_NOTIFY, "LISP-Map-Notify"],
  [8, "LISP-Encapsulated-Contol-Message"],
]);
const REGISTER_FLAGS: readonly (readonly [number, string])[] = [
  [0x08000000, "P-Proxy-Map-Reply"],
  [0x04000000, "S-LISP-SEC-Capable"],
  [0x02000000, "I-xTR-ID-Present"],
  [0x01000000, "R-Build-For-RTR"],
  [0x00000100, "M-Want-Map-Notify"],
];
const NOTIFY_FLAGS: readonly (readonly [number, string])[] = [
  [0x08000000, "I-xTR-ID-Present"],
  [0x04000000, "R-Build-For-RTR"],
];
const LOCATOR_FLAGS: readonly (readonly [number, string])[] = [
  [0x0004, "Local-Locator"],
  [0x0002, "RLoc-Probed"],
  [0x0001, "Reachable"],
];
const AUTH_TYPES = ["None", "SHA1", "SHA256"];
const ACTIONS = ["No-Action", "Natively-Forward", "Send-Map-Request", "Drop"];

function flagNames(table: readonly (readonly [number, string])[], value: number): string {
  let s = "";
  for (const [bit, name] of table) if ((value & bit) >>> 0 === bit) s += (s === "" ? "" : ", ") + name;
  return s === "" ? "none" : s;
}

export function lispPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "lisp";
  const verbose = c.flags.verbose > 0;
  // tcpdump checks the header, each record and each locator before reading it, and then stops
  // printing but returns normally (the -x dump still leaves the link layer out); a read past the
  // end elsewhere abandons the packet (TRUNCATED).
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  const first = u8(c, at);
  const type = first >> 4;
  c.out += (TYPES.get(type) ?? "unknown-type-" + type) + ",";
  if (verbose) {
    if (type === MAP_REGISTER) c.out += " flags [" + flagNames(REGISTER_FLAGS, be32(c, at)) + "],";
    else if (type === MAP_NOTIFY) c.out += " flags [" + flagNames(NOTIFY_FLAGS, be32(c, at)) + "],";
  }
  if (type !== MAP_REGISTER && type !== MAP_NOTIFY) return;
  const xtrPresent = (first & (type === MAP_REGISTER ? REGISTER_XTR_BIT : NOTIFY_XTR_BIT)) !== 0;

  const authLength = be16(c, at + 14);
  let records = u8(c, at + 3);
  if (verbose) {
    const keyId = be16(c, at + 12);
    c.out += "\n    " + records + " record(s), Authentication " + (AUTH_TYPES[keyId] ?? "unknown-type") + ",";
    hexPrint(c, "\n    Authentication-Data: ", at + HEADER_LENGTH, authLength);
  } else c.out += " " + records + " record(s),";
  // tcpdump keeps the offset in 16 bits.
  let offset = (HEADER_LENGTH + authLength) & 0xffff;
  if (records === 0) {
    printInvalid(c);
    return;
  }

  while (length > offset && records !== 0) {
    records--;
    const record = at + offset;
    if (!has(c, record, RECORD_LENGTH)) return printTrunc(c);
    c.out += "\n";
    offset = (offset + RECORD_LENGTH) & 0xffff;
    const maskLength = u8(c, record + 5);
    const eidAfi = be16(c, record + 10);
    let locators = u8(c, record + 4);
    if (verbose) {
      const actionBits = u8(c, record + 6);
      c.out +=
        "      Record TTL " +
        be32(c, record) +
        "," +
        ((actionBits >> 4) & 1 ? " Authoritative," : " Non-Authoritative,") +
        " " +
        (ACTIONS[actionBits >> 5] ?? "unknown") +
        ", Map Version: " +
        (be16(c, record + 8) & 0x0fff) +
        ",";
    }
    if (eidAfi === AFI_IPV4) {
      c.out += " EID " + ipv4String(c, at + offset) + "/" + maskLength + ",";
      offset = (offset + 4) & 0xffff;
    } else if (eidAfi === AFI_IPV6) {
      c.out += " EID " + ipv6String(c, at + offset) + "/" + maskLength + ",";
      offset = (offset + 16) & 0xffff;
    } else return;
    c.out += " " + locators + " locator(s)";

    while (locators !== 0) {
      locators--;
      const locator = at + offset;
      if (!has(c, locator, LOCATOR_LENGTH)) return printTrunc(c);
      offset = (offset + LOCATOR_LENGTH) & 0xffff;
      const locatorAfi = be16(c, locator + 6);
      if (verbose) c.out += "\n       ";
      if (locatorAfi === AFI_IPV4) {
        if (!has(c, locator + LOCATOR_LENGTH, 4)) return printTrunc(c);
        c.out += " LOC " + ipv4String(c, locator + LOCATOR_LENGTH);
        offset = (offset + 4) & 0xffff;
      } else if (locatorAfi === AFI_IPV6) {
        if (!has(c, locator + LOCATOR_LENGTH, 16)) return printTrunc(c);
        c.out += " LOC " + ipv6String(c, locator + LOCATOR_LENGTH);
        offset = (offset + 16) & 0xffff;
      }
      if (verbose) {
        c.out +=
          "\n          Priority/Weight " +
          u8(c, locator) +
          "/" +
          u8(c, locator + 1) +
          ", Multicast Priority/Weight " +
          u8(c, locator + 2) +
          "/" +
          u8(c, locator + 3) +
          ", flags [" +
          flagNames(LOCATOR_FLAGS, be16(c, locator + 4)) +
          "],";
      }
    }
  }

  const rest = at + offset;
  if (xtrPresent) {
    if (!has(c, rest, XTR_LENGTH)) {
      printInvalid(c);
      return;
    }
    hexPrint(c, "\n    xTR-ID: ", rest, 16);
    c.out += "\n    SITE-ID: " + ((BigInt(be32(c, rest + 16)) << 32n) | BigInt(be32(c, rest + 20)));
  } else if (rest < c.snapend) hexPrint(c, "\n    Data: ", rest, c.snapend - rest);
}
