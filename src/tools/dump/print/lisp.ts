// LISP control messages (RFC 6830, UDP port 4342) as tcpdump prints them: the message type, and
// for Map-Register and Map-Notify the EID records with their locators, then the xTR and site ids
// or any remaining data in hex; with -v the flags, authentication, record TTLs, actions, map
// versions and each locator's priorities, weights and flags.

import { ipv4String, ipv6String } from "./addr.js";
import { available, be16, be32, has, printInvalid, printTrunc, u8, type PrintContext } from "./context.js";
import { hexPrint } from "./unknown.js";
import { flagNames } from "./names.js";

const HEADER_LENGTH = 16;
const RECORD_LENGTH = 12;
const LOCATOR_LENGTH = 8;
const MAP_REGISTER = 3;
const MAP_NOTIFY = 4;
const AFI_IPV4 = 1;
const AFI_IPV6 = 2;
const TYPES = new Map([
  [0, "LISP-Reserved"],
  [1, "LISP-Map-Request"],
  [2, "LISP-Map-Reply"],
  [MAP_REGISTER, "LISP-Map-Register"],
  [MAP_NOTIFY, "LISP-Map-Notify"],
  [8, "LISP-Encapsulated-Contol-Message"],
]);
type Bits = [number, string][];
const REGISTER_FLAGS: Bits = [
  [0x08000000, "P-Proxy-Map-Reply"],
  [0x04000000, "S-LISP-SEC-Capable"],
  [0x02000000, "I-xTR-ID-Present"],
  [0x01000000, "R-Build-For-RTR"],
  [0x00000100, "M-Want-Map-Notify"],
];
const NOTIFY_FLAGS: Bits = [
  [0x08000000, "I-xTR-ID-Present"],
  [0x04000000, "R-Build-For-RTR"],
];
const LOCATOR_FLAGS: Bits = [
  [0x0004, "Local-Locator"],
  [0x0002, "RLoc-Probed"],
  [0x0001, "Reachable"],
];
const AUTH_TYPES = ["None", "SHA1", "SHA256"];
const ACTIONS = ["No-Action", "Natively-Forward", "Send-Map-Request", "Drop"];
/** The xTR-ID-present bit of the first byte, by message type. */
const REGISTER_XTR_BIT = 0x02;
const NOTIFY_XTR_BIT = 0x08;
const XTR_AND_SITE_LENGTH = 24;

export function lispPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "lisp";
  // tcpdump's own checks end the line with " [|lisp]" and still dump without the link header.
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  const first = u8(c, at);
  const type = first >> 4;
  const verbose = c.flags.verbose;
  c.out += (TYPES.get(type) ?? "unknown-type-" + type) + ",";
  if (verbose) {
    if (type === MAP_REGISTER) c.out += " flags [" + flagNames(REGISTER_FLAGS, be32(c, at)) + "],";
    else if (type === MAP_NOTIFY) c.out += " flags [" + flagNames(NOTIFY_FLAGS, be32(c, at)) + "],";
  }
  if (type !== MAP_REGISTER && type !== MAP_NOTIFY) return;
  const xtrPresent = first & (type === MAP_REGISTER ? REGISTER_XTR_BIT : NOTIFY_XTR_BIT);
  const authLength = be16(c, at + 14);
  let records = u8(c, at + 3);
  let offset = HEADER_LENGTH;
  if (verbose) {
    const keyId = be16(c, at + 12);
    c.out += "\n    " + records + " record(s), Authentication " + (AUTH_TYPES[keyId] ?? "unknown-type") + ",";
    hexPrint(c, "\n    Authentication-Data: ", at + offset, authLength);
  } else c.out += " " + records + " record(s),";
  // The offset is a 16-bit field in tcpdump: it wraps.
  offset = (offset + authLength) & 0xffff;
  if (records === 0) return printInvalid(c);
  while (length > offset && records !== 0) {
    records--;
    if (!has(c, at + offset, RECORD_LENGTH)) return printTrunc(c);
    c.out += "\n";
    const record = at + offset;
    offset += RECORD_LENGTH;
    const maskLength = u8(c, record + 5);
    const afi = be16(c, record + 10);
    let locators = u8(c, record + 4);
    if (verbose) {
      c.out += "      Record TTL " + be32(c, record) + ",";
      const flags = u8(c, record + 6);
      c.out +=
        (flags & 0x10 ? " Authoritative," : " Non-Authoritative,") + " " + (ACTIONS[flags >> 5] ?? "unknown") + ",";
      c.out += " Map Version: " + (be16(c, record + 8) & 0x0fff) + ",";
    }
    if (afi === AFI_IPV4) {
      c.out += " EID " + ipv4String(c, at + offset) + "/" + maskLength + ",";
      offset += 4;
    } else if (afi === AFI_IPV6) {
      c.out += " EID " + ipv6String(c, at + offset) + "/" + maskLength + ",";
      offset += 16;
    } else return; // LCAF addresses are not decoded by tcpdump either.
    c.out += " " + locators + " locator(s)";
    while (locators !== 0) {
      locators--;
      if (!has(c, at + offset, LOCATOR_LENGTH)) return printTrunc(c);
      const locator = at + offset;
      offset += LOCATOR_LENGTH;
      const locatorAfi = be16(c, locator + 6);
      if (verbose) c.out += "\n       ";
      if (locatorAfi === AFI_IPV4) {
        if (!has(c, at + offset, 4)) return printTrunc(c);
        c.out += " LOC " + ipv4String(c, locator + LOCATOR_LENGTH);
        offset += 4;
      } else if (locatorAfi === AFI_IPV6) {
        if (!has(c, at + offset, 16)) return printTrunc(c);
        c.out += " LOC " + ipv6String(c, locator + LOCATOR_LENGTH);
        offset += 16;
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
          ",";
        c.out += " flags [" + flagNames(LOCATOR_FLAGS, be16(c, locator + 4)) + "],";
      }
    }
  }
  const rest = at + offset;
  if (xtrPresent) {
    if (!has(c, rest, XTR_AND_SITE_LENGTH)) return printInvalid(c);
    hexPrint(c, "\n    xTR-ID: ", rest, 16);
    const high = be32(c, rest + 16);
    const low = be32(c, rest + 20);
    c.out +=
      "\n    SITE-ID: " +
      (high < 0x200000 ? "" + (high * 0x100000000 + low) : ((BigInt(high) << 32n) | BigInt(low)).toString());
  } else if (rest < c.snapend) {
    hexPrint(c, "\n    Data: ", rest, available(c, rest));
  }
}
