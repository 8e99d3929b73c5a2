// Raw data as tcpdump shows it: the hex dump of -x, the hex-and-ASCII dump of -X (also what an
// undecoded payload gets), the ASCII of -A, and the hex dump protocol printers use for data they
// do not decode. Each stops at the readable end and then reports truncation like tcpdump.

import { available, printTrunc, TRUNCATED, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";

const BYTES_PER_LINE = 16;
/** Width of the hex column of -X lines: 8 groups of " xxxx". */
const HEX_COLUMN_WIDTH = 40;

function offsetLabel(offset: number): string {
  const h = offset.toString(16);
  return h.length >= 4 ? h : "0000".slice(h.length) + h;
}

function graphic(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? String.fromCharCode(byte) : ".";
}

/** -x style: "\n\t0x0000:  4500 0054 ...", 16 bytes a line. */
export function hexPrint(c: PrintContext, indent: string, at: number, length: number, offset = 0): void {
  let truncated = false;
  const avail = available(c, at);
  if (length > avail) {
    length = avail;
    truncated = true;
  }
  const b = c.bytes;
  let out = "";
  let shorts = length >> 1;
  let i = 0;
  while (shorts !== 0) {
    if (i++ % 8 === 0) {
      out += indent + "0x" + offsetLabel(offset) + ": ";
      offset += BYTES_PER_LINE;
    }
    out += " " + hex2(b[at]!) + hex2(b[at + 1]!);
    at += 2;
    shorts--;
  }
  if (length & 1) {
    if (i % 8 === 0) out += indent + "0x" + offsetLabel(offset) + ": ";
    out += " " + hex2(b[at]!);
  }
  c.out += out;
  if (truncated) throw TRUNCATED;
}

/** -X style: hex column padded to its width, two spaces, then the printable characters. */
export function hexAndAsciiPrint(c: PrintContext, indent: string, at: number, length: number, offset = 0): void {
  let truncated = false;
  const avail = available(c, at);
  if (length > avail) {
    length = avail;
    truncated = true;
  }
  const b = c.bytes;
  let out = "";
  let hexPart = "";
  let asciiPart = "";
  let shorts = length >> 1;
  let i = 0;
  while (shorts !== 0) {
    const s1 = b[at]!;
    const s2 = b[at + 1]!;
    at += 2;
    hexPart += " " + hex2(s1) + hex2(s2);
    asciiPart += graphic(s1) + graphic(s2);
    if (++i >= 8) {
      out += indent + "0x" + offsetLabel(offset) + ": " + hexPart + "  " + asciiPart;
      i = 0;
      hexPart = "";
      asciiPart = "";
      offset += BYTES_PER_LINE;
    }
    shorts--;
  }
  if (length & 1) {
    const s1 = b[at]!;
    hexPart += " " + hex2(s1);
    asciiPart += graphic(s1);
    ++i;
  }
  if (i > 0) out += indent + "0x" + offsetLabel(offset) + ": " + hexPart.padEnd(HEX_COLUMN_WIDTH) + "  " + asciiPart;
  c.out += out;
  if (truncated) throw TRUNCATED;
}

/** -A style: a newline, then the bytes as text with non-printables as '.'. */
export function asciiPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ascii";
  let truncated = false;
  const avail = available(c, at);
  if (length > avail) {
    length = avail;
    truncated = true;
  }
  const b = c.bytes;
  let out = "\n";
  while (length > 0) {
    const s = b[at++]!;
    length--;
    if (s === 0x0d) {
      // A CR only shows (as '.') in the middle of a line.
      if (length > 1 && b[at] !== 0x0a) out += ".";
    } else if ((s >= 0x21 && s <= 0x7e) || s === 0x09 || s === 0x20 || s === 0x0a) {
      out += String.fromCharCode(s);
    } else {
      out += ".";
    }
  }
  c.out += out;
  if (truncated) throw TRUNCATED;
}

/** What tcpdump prints for a payload it has no decoder for: a hex and ASCII dump, unless -q/-x/-X. */
export function defaultPrint(c: PrintContext, at: number, length: number): void {
  if (!c.flags.suppressDefaultPrint) hexAndAsciiPrint(c, "\n\t", at, length);
}

/** Hex dump of data a protocol printer does not decode, cut to what was captured. */
export function printUnknownData(c: PrintContext, at: number, indent: string, length: number): void {
  if (at > c.snapend) {
    c.out += indent + "Dissector error: print_unknown_data called with pointer past end of packet";
    return;
  }
  const avail = available(c, at);
  hexPrint(c, indent, at, length > avail ? avail : length);
}

/** tcpdump's rendering of one byte as text: M- for the high bit, ^ for controls. */
export function printableChar(byte: number): string {
  let s = "";
  if (byte > 0x7f) {
    byte &= 0x7f;
    s = "M-";
  }
  if (!(byte >= 0x20 && byte <= 0x7e)) {
    byte ^= 0x40;
    s += "^";
  }
  return s + String.fromCharCode(byte);
}

/**
 * `n` bytes as text, NULs included (tcpdump's nd_printjn). Each byte shows before the next is
 * read, so a field cut by the capture prints what was captured before the truncation is reported.
 */
export function printCountedText(c: PrintContext, at: number, n: number): void {
  for (let i = 0; i < n; i++) c.out += printableChar(u8(c, at + i));
}

/** A NUL-padded field of at most `n` bytes as text, up to its first NUL (tcpdump's nd_printjnp). */
export function printPaddedText(c: PrintContext, at: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const ch = u8(c, at + i);
    if (ch === 0) return;
    c.out += printableChar(ch);
  }
}

export { printTrunc };
