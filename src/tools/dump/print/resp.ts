// RESP, the Redis serialization protocol (TCP port 6379), as tcpdump prints it: ": RESP" then each
// item of every pipelined message ("RESP "SET" "key" "xxx""), with "empty", "null" and tcpdump's
// words for bad lengths; a message cut short ends the line with " [|resp]".

import { has, printTrunc, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const CR = 0x0d;
const LF = 0x0a;
const SIMPLE_STRING = 0x2b; // +
const ERROR = 0x2d; // -
const INTEGER = 0x3a; // :
const BULK_STRING = 0x24; // $
const ARRAY = 0x2a; // *
const MINUS = 0x2d;
const INT_MAX = 0x7fffffff;

/** What a length field held, when not a length. */
const LENGTH_TRUNCATED = -2;
const LENGTH_TOO_LARGE = -3;
const LENGTH_NEGATIVE = -4;
const LENGTH_INVALID = -5;

/** The message ran out: tcpdump's own check, after which the line ends with " [|resp]". */
const CUT = -1;

export function respPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "resp";
  c.out += ": RESP";
  let p = at;
  let rest = length;
  while (rest > 0) {
    const used = parse(c, p, rest);
    if (used <= 0 || used > rest) {
      printTrunc(c);
      return;
    }
    p += used;
    rest -= used;
  }
}

/** Prints one item; the bytes it took, or CUT. */
function parse(c: PrintContext, at: number, length: number): number {
  if (length < 1) return CUT;
  switch (u8(c, at)) {
    case SIMPLE_STRING:
    case ERROR:
    case INTEGER:
      return line(c, at, length);
    case BULK_STRING:
      return bulkString(c, at, length);
    case ARRAY:
      return array(c, at, length);
    default:
      return inline(c, at, length);
  }
}

function printString(c: PrintContext, at: number, length: number): void {
  let s = ' "';
  for (let i = 0; i < length; i++) s += printableChar(u8(c, at + i));
  c.out += s + '"';
}

/** Offset of the next CR LF from `at` within `length` bytes, or CUT. */
function findCrLf(c: PrintContext, at: number, length: number): number {
  for (let i = 0; ; i++) {
    if (length - i < 2 || !has(c, at + i, 2)) return CUT;
    if (c.bytes[at + i] === CR && c.bytes[at + i + 1] === LF) return i;
  }
}

/** "+text", "-error" or ":integer" up to CR LF. */
function line(c: PrintContext, at: number, length: number): number {
  const end = findCrLf(c, at + 1, length - 1);
  if (end === CUT) return CUT;
  printString(c, at + 1, end);
  return 1 + end + 2;
}

/** A length after a "$" or "*" and its CR LF: [value or a LENGTH_ code, bytes it took]. */
function readLength(c: PrintContext, at: number, length: number): [number, number] {
  let p = at;
  let rest = length;
  if (rest === 0) return [LENGTH_TRUNCATED, 0];
  let negative = false;
  if (u8(c, p) === MINUS) {
    negative = true;
    p++;
    rest--;
  }
  let result = 0;
  let sawDigit = false;
  let tooLarge = false;
  for (;;) {
    if (rest === 0) return [LENGTH_TRUNCATED, p - at];
    const ch = u8(c, p);
    if (ch < 0x30 || ch > 0x39) {
      if (!sawDigit) return [LENGTH_INVALID, p + 1 - at];
      break;
    }
    const digit = ch - 0x30;
    if (result > Math.floor(INT_MAX / 10)) tooLarge = true;
    else {
      result *= 10;
      if (result === Math.floor(INT_MAX / 10) * 10 && digit > INT_MAX % 10) tooLarge = true;
      else result += digit;
    }
    p++;
    rest--;
    sawDigit = true;
  }
  if (u8(c, p) !== CR) return [LENGTH_INVALID, p + 1 - at];
  p++;
  rest--;
  if (rest === 0) return [LENGTH_TRUNCATED, p - at];
  if (u8(c, p) !== LF) return [LENGTH_INVALID, p + 1 - at];
  p++;
  if (negative) return [tooLarge || result !== 1 ? LENGTH_NEGATIVE : -1, p - at];
  return [tooLarge ? LENGTH_TOO_LARGE : result, p - at];
}

/** Prints what a length that is not one means; false when the message was cut. */
function printBadLength(c: PrintContext, value: number): boolean {
  switch (value) {
    case -1:
      c.out += " null";
      return true;
    case LENGTH_TRUNCATED:
      return false;
    case LENGTH_TOO_LARGE:
      c.out += " length too large";
      return true;
    case LENGTH_NEGATIVE:
      c.out += " length negative and not -1";
      return true;
    default:
      c.out += " invalid";
      return true;
  }
}

function bulkString(c: PrintContext, at: number, length: number): number {
  const [size, taken] = readLength(c, at + 1, length - 1);
  let p = at + 1 + taken;
  let rest = length - 1 - taken;
  if (size < 0) return printBadLength(c, size) ? length - rest : CUT;
  if (size === 0) c.out += " empty";
  else {
    if (rest < size || !has(c, p, size)) return CUT;
    printString(c, p, size);
    p += size;
    rest -= size;
  }
  // The CR LF closing the string (tcpdump looks for the next one, wherever it is).
  const end = findCrLf(c, p, rest);
  if (end === CUT) return CUT;
  rest -= end + 2;
  return length - rest;
}

function array(c: PrintContext, at: number, length: number): number {
  const [count, taken] = readLength(c, at + 1, length - 1);
  let p = at + 1 + taken;
  let rest = length - 1 - taken;
  if (count > 0) {
    for (let i = 0; i < count; i++) {
      const used = parse(c, p, rest);
      if (used < 0) return CUT;
      p += used;
      rest -= used;
    }
    return length - rest;
  }
  if (count === 0) {
    c.out += " empty";
    return length - rest;
  }
  return printBadLength(c, count) ? length - rest : CUT;
}

/** Skips CR and LF bytes; the bytes skipped, or CUT when the data ends before anything else. */
function skipCrLf(c: PrintContext, at: number, length: number): number {
  let i = 0;
  let found = false;
  for (;;) {
    if (length - i === 0 || !has(c, at + i, 1)) return found ? i : CUT;
    const ch = c.bytes[at + i];
    if (ch !== CR && ch !== LF) return i;
    found = true;
    i++;
  }
}

/** An inline command: text up to CR or LF (as typed into telnet). */
function inline(c: PrintContext, at: number, length: number): number {
  const lead = skipCrLf(c, at, length);
  if (lead === CUT) return CUT;
  const start = at + lead;
  let rest = length - lead;
  let n = 0;
  for (;;) {
    if (rest - n < 1) return CUT;
    const ch = u8(c, start + n);
    if (ch === CR || ch === LF) break;
    n++;
  }
  if (n !== 0) printString(c, start, n);
  else c.out += " empty";
  rest -= n;
  const trail = skipCrLf(c, start + n, rest);
  if (trail === CUT) return CUT;
  rest -= trail;
  return length - rest;
}
