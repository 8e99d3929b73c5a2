// RIPng (RFC 2080) as tcpdump prints it: " ripng-req 2: PREFIX/LEN ..." or " ripng-resp N: ...",
// one entry per 20 bytes after the 4-byte header, on a line of its own at -vv. A request for the
// whole table (one entry, ::, metric 16) is " ripng-req dump". A length that is not a whole number
// of entries prints "N[LENGTH]" and ends in " (invalid)", as do a version other than 1 and an
// unknown command; bytes cut short by the snapshot length end the line with " [|ripng]".

import { be16, printInvalid, u8, type PrintContext } from "./context.js";
import { ipv6String } from "./addr.js";

const VERSION = 1;
const REQUEST = 1;
const RESPONSE = 2;
const HEADER_LENGTH = 4;
const ENTRY_LENGTH = 20;
const ADDRESS_LENGTH = 16;
const INFINITY = 16;

export function ripngPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ripng";
  const version = u8(c, at + 1);
  if (version !== VERSION) {
    c.out += " [vers " + version + "]";
    return printInvalid(c);
  }
  const command = u8(c, at);
  if (command !== REQUEST && command !== RESPONSE) {
    c.out += " ripng-" + command + " ?? " + length;
    return printInvalid(c);
  }
  if (length < HEADER_LENGTH) return printInvalid(c);
  let left = length - HEADER_LENGTH;
  const entries = Math.floor(left / ENTRY_LENGTH);
  let p = at + HEADER_LENGTH;
  if (command === REQUEST && entries === 1 && u8(c, p + ENTRY_LENGTH - 1) === INFINITY && unspecified(c, p)) {
    c.out += " ripng-req dump";
    return;
  }
  c.out += (command === REQUEST ? " ripng-req " : " ripng-resp ") + entries;
  c.out += entries * ENTRY_LENGTH !== left ? "[" + length + "]:" : ":";
  const separator = c.flags.verbose > 1 ? "\n\t" : " ";
  for (; left >= ENTRY_LENGTH; left -= ENTRY_LENGTH, p += ENTRY_LENGTH) {
    c.out += separator;
    entryPrint(c, p, command === RESPONSE);
  }
  if (left !== 0) printInvalid(c);
}

/** The destination is :: (the entry's last byte, read before, proves all 16 bytes are there). */
function unspecified(c: PrintContext, p: number): boolean {
  for (let i = 0; i < ADDRESS_LENGTH; i++) if (c.bytes[p + i] !== 0) return false;
  return true;
}

function entryPrint(c: PrintContext, p: number, withMetric: boolean): void {
  c.out += ipv6String(c, p) + "/" + u8(c, p + 18);
  const tag = be16(c, p + 16);
  if (tag) c.out += " [" + tag + "]";
  const metric = u8(c, p + 19);
  if (metric && withMetric) c.out += " (" + metric + ")";
}
