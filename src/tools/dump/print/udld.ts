// Cisco UDLD (RFC 5171) as tcpdump prints it without -v: "UDLDv1, Code Probe message (1), Flags
// [RT] (0x01), length 60", and with -v the checksum and TLVs.

import { be16, be32, check, printInvalidRest, u8, type PrintContext } from "./context.js";
import { hex2, hex4 } from "./addr.js";
import { printableChar } from "./unknown.js";

const HEADER_LENGTH = 4;
const CODES = ["Reserved", "Probe message", "Echo message", "Flush message"];
const FLAGS = ["RT", "RSY", "MBZ-2", "MBZ-3", "MBZ-4", "MBZ-5", "MBZ-6", "MBZ-7"];

export function udldPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "udld";
  if (length < HEADER_LENGTH) {
    c.out += " (invalid)";
    check(c, at, length);
    return;
  }
  const first = u8(c, at);
  const version = first >> 5;
  const code = first & 0x1f;
  const flags = u8(c, at + 1);
  let names = "";
  for (let bit = 0; bit < 8; bit++) if (flags & (1 << bit)) names += (names === "" ? "" : ", ") + FLAGS[bit];
  c.out +=
    "UDLDv" +
    version +
    ", Code " +
    (CODES[code] ?? "Reserved") +
    " (" +
    code.toString(16) +
    "), Flags [" +
    (names || "none") +
    "] (0x" +
    hex2(flags) +
    "), length " +
    length;
  if (c.flags.verbose) tlvsPrint(c, at + 2, length - 2);
  else check(c, at + 2, length - 2);
}

const TLV_HEADER_LENGTH = 4;
const TLV_NAMES = [
  "Unknown",
  "Device-ID TLV",
  "Port-ID TLV",
  "Echo TLV",
  "Message Interval TLV",
  "Timeout Interval TLV",
  "Device Name TLV",
  "Sequence Number TLV",
];

function tlvsPrint(c: PrintContext, at: number, length: number): void {
  c.out += "\n\tChecksum 0x" + hex4(be16(c, at)) + " (unverified)";
  let p = at + 2;
  let left = length - 2;
  while (left) {
    if (left < TLV_HEADER_LENGTH) return printInvalidRest(c, p, left);
    const type = be16(c, p);
    const tlvLength = be16(c, p + 2);
    p += 4;
    left -= 4;
    c.out += "\n\t" + (TLV_NAMES[type] ?? "Unknown") + " (0x" + hex4(type) + ") TLV, length " + tlvLength;
    // A length that covers no value would never advance.
    if (tlvLength <= TLV_HEADER_LENGTH) return printInvalidRest(c, p, left);
    const len = tlvLength - TLV_HEADER_LENGTH;
    if (left < len) return printInvalidRest(c, p, left);
    if (type === 1 || type === 2 || type === 3 || type === 6) {
      c.out += ", ";
      // Names stop at a NUL; the echo list is printed whole.
      for (let i = 0; i < len; i++) {
        const byte = u8(c, p + i);
        if (byte === 0 && type !== 3) break;
        c.out += printableChar(byte);
      }
    } else if (type === 4 || type === 5) {
      if (len !== 1) return printInvalidRest(c, p, left);
      c.out += ", " + u8(c, p) + "s";
    } else if (type === 7) {
      if (len !== 4) return printInvalidRest(c, p, left);
      c.out += ", " + be32(c, p);
    } else check(c, p, len);
    p += len;
    left -= len;
  }
}
