// RPKI-Router protocol (RFC 6810, TCP port 323) as tcpdump prints it: ", RPKI-RTR" without -v; with
// -v each PDU of the segment on a line of its own with its type and length, then its fields
// (session ID and serial, prefixes with their origin AS, error reports with the erroneous PDU
// decoded one level deep and the error text); -vv, and -v for unknown PDU types, adds the PDU in
// hex. A PDU of another version ends the segment, as its length cannot be trusted.

import { available, be16, be32, check, printInvalidRest, TRUNCATED, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, ipv6String } from "./addr.js";
import { printableChar, printUnknownData } from "./unknown.js";

const HEADER_LENGTH = 8;
const SERIAL_NOTIFY = 0;
const SERIAL_QUERY = 1;
const RESET_QUERY = 2;
const CACHE_RESPONSE = 3;
const IPV4_PREFIX = 4;
const IPV6_PREFIX = 6;
const END_OF_DATA = 7;
const CACHE_RESET = 8;
const ERROR_REPORT = 10;
const IPV4_PREFIX_LENGTH = 20;
const IPV6_PREFIX_LENGTH = 32;

const PDU_TYPES = new Map([
  [SERIAL_NOTIFY, "Serial Notify"],
  [SERIAL_QUERY, "Serial Query"],
  [RESET_QUERY, "Reset Query"],
  [CACHE_RESPONSE, "Cache Response"],
  [IPV4_PREFIX, "IPV4 Prefix"],
  [IPV6_PREFIX, "IPV6 Prefix"],
  [END_OF_DATA, "End of Data"],
  [CACHE_RESET, "Cache Reset"],
  [ERROR_REPORT, "Error Report"],
]);
const ERROR_CODES = [
  "Corrupt Data",
  "Internal Error",
  "No Data Available",
  "Invalid Request",
  "Unsupported Protocol Version",
  "Unsupported PDU Type",
  "Withdrawal of Unknown Record",
  "Duplicate Announcement Received",
];

/** A newline, a tab for each 8 columns and a space for each column left. */
function indentation(columns: number): string {
  return "\n" + "\t".repeat(columns >> 3) + " ".repeat(columns & 7);
}

/** Prints one PDU of at most `length` bytes at `at`; returns how many bytes it took. */
function pduPrint(c: PrintContext, at: number, length: number, recurse: boolean, indent: number): number {
  const version = u8(c, at);
  if (version !== 0) {
    c.out += indentation(8) + "RPKI-RTRv" + version + " (unknown)";
    return length;
  }
  if (length < HEADER_LENGTH) {
    c.out += "(" + length + " bytes is too few to decode)";
    return invalid(c, at, length);
  }
  check(c, at, HEADER_LENGTH);
  const type = u8(c, at + 1);
  const pduLength = be32(c, at + 4);
  c.out += indentation(8) + "RPKI-RTRv" + version + ", " + (PDU_TYPES.get(type) ?? "Unknown") + " PDU (" + type + ")";
  c.out += ", length: " + pduLength;
  if (pduLength < HEADER_LENGTH || pduLength > length) return invalid(c, at, length);

  let hexdump = false;
  switch (type) {
    case SERIAL_NOTIFY:
    case SERIAL_QUERY:
    case END_OF_DATA:
      if (pduLength !== HEADER_LENGTH + 4) return invalid(c, at, length);
      c.out +=
        indentation(indent + 2) + "Session ID: 0x" + hex4(be16(c, at + 2)) + ", Serial: " + be32(c, at + HEADER_LENGTH);
      break;
    case RESET_QUERY:
    case CACHE_RESET:
      if (pduLength !== HEADER_LENGTH) return invalid(c, at, length);
      break;
    case CACHE_RESPONSE:
      if (pduLength !== HEADER_LENGTH) return invalid(c, at, length);
      c.out += indentation(indent + 2) + "Session ID: 0x" + hex4(be16(c, at + 2));
      break;
    case IPV4_PREFIX:
    case IPV6_PREFIX: {
      const v4 = type === IPV4_PREFIX;
      if (pduLength !== (v4 ? IPV4_PREFIX_LENGTH : IPV6_PREFIX_LENGTH)) return invalid(c, at, length);
      const prefix = v4 ? ipv4String(c, at + 12) : ipv6String(c, at + 12);
      c.out +=
        indentation(indent + 2) +
        (v4 ? "IPv4" : "IPv6") +
        " Prefix " +
        prefix +
        "/" +
        u8(c, at + 9) +
        "-" +
        u8(c, at + 10) +
        ", origin-as " +
        be32(c, at + (v4 ? 16 : 28)) +
        ", flags 0x" +
        hex2(u8(c, at + 8));
      break;
    }
    case ERROR_REPORT: {
      let taken = HEADER_LENGTH;
      if (pduLength < taken + 4) return invalid(c, at, length);
      check(c, at, taken + 4);
      const encapsulatedLength = be32(c, at + taken);
      taken += 4;
      const code = be16(c, at + 2);
      c.out +=
        indentation(indent + 2) +
        "Error code: " +
        (ERROR_CODES[code] ?? "Unknown") +
        " (" +
        code +
        "), Encapsulated PDU length: " +
        encapsulatedLength;
      if (encapsulatedLength !== 0) {
        if (pduLength < taken + encapsulatedLength) return invalid(c, at, length);
        if (!recurse) check(c, at, taken + encapsulatedLength);
        else {
          c.out += indentation(indent + 4) + "-----encapsulated PDU-----";
          pduPrint(c, at + taken, encapsulatedLength, false, indent + 2);
        }
        taken += encapsulatedLength;
      }
      if (pduLength < taken + 4) return invalid(c, at, length);
      check(c, at, taken + 4);
      const textLength = be32(c, at + taken);
      taken += 4;
      if (textLength !== 0) {
        if (pduLength < taken + textLength) return invalid(c, at, length);
        c.out += indentation(indent + 2) + "Error text: ";
        // What was captured of the text is printed before the truncation is reported.
        const textAt = at + taken;
        const shown = Math.min(textLength, available(c, textAt));
        let text = "";
        for (let i = 0; i < shown; i++) text += printableChar(c.bytes[textAt + i]!);
        c.out += text;
        if (shown < textLength) throw TRUNCATED;
      }
      break;
    }
    default:
      check(c, at, pduLength);
      hexdump = true;
  }
  if (c.flags.verbose > 1 || hexdump) printUnknownData(c, at, "\n\t  ", pduLength);
  return pduLength;
}

function invalid(c: PrintContext, at: number, length: number): number {
  printInvalidRest(c, at, length);
  return length;
}

export function rpkiRtrPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "rpki_rtr";
  if (!c.flags.verbose) {
    c.out += ", RPKI-RTR";
    return;
  }
  while (length > 0) {
    const taken = pduPrint(c, at, length, true, 8);
    length -= taken;
    at += taken;
  }
}
