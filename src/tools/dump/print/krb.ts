// Kerberos on UDP ports 88 and 750: the protocol version, and for version 4 (Athena Technical
// Plan E.2.1) the byte order, the message type and the principal names of the request, reply and
// error messages as tcpdump shows them. Version 5's ASN.1 is not decoded by tcpdump either: it
// prints "v5" only.

import { printTrunc, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const KDC_REQUEST = 2;
const KDC_REPLY = 4;
const APPL_REQUEST = 6;
const ERR_REPLY = 10;
// The type byte holds the message type shifted left once; its low bit says little-endian.
const TYPES = new Map([
  [KDC_REQUEST, "KDC_REQUEST"],
  [KDC_REPLY, "KDC_REPLY"],
  [APPL_REQUEST, "APPL_REQUEST"],
  [8, "APPL_REQUEST_MUTUAL"],
  [ERR_REPLY, "ERR_REPLY"],
  [12, "PRIVATE"],
  [14, "SAFE"],
  [16, "APPL_ERR"],
  [126, "DIE"],
]);
const ERRORS = [
  "OK",
  "NAME_EXP",
  "SERVICE_EXP",
  "AUTH_EXP",
  "PKT_VER",
  "NAME_MAST_KEY_VER",
  "SERV_MAST_KEY_VER",
  "BYTE_ORDER",
  "PRINCIPAL_UNKNOWN",
  "PRINCIPAL_NOT_UNIQUE",
  "NULL_KEY",
];

// A string or header cut by the capture is reported where it stops and the packet printed as
// decoded (so -x still leaves the link-level header out); a fixed field read past the end throws
// TRUNCATED as elsewhere, which tcpdump reports the same way but with the whole packet dumped.
const CUT = -1;

export function krbPrint(c: PrintContext, at: number): void {
  c.protocol = "krb";
  if (at >= c.snapend) return printTrunc(c);
  const version = u8(c, at);
  if (version >= 1 && version <= 4) c.out += " v" + version;
  else if (version === 106 || version === 107) c.out += " v5";
  if (version === 4) krb4Print(c, at);
}

/**
 * Prints the NUL-terminated string at `at` and returns the offset after its NUL, or CUT (having
 * printed the truncation mark) when the capture ends before the NUL.
 */
function printString(c: PrintContext, at: number): number {
  while (at < c.snapend) {
    const ch = c.bytes[at++]!;
    if (ch === 0) return at;
    c.out += printableChar(ch);
  }
  printTrunc(c);
  return CUT;
}

/** name.instance@realm after the two header bytes; returns the offset after the realm, or CUT. */
function printPrincipal(c: PrintContext, at: number): number {
  let p = printString(c, at + 2);
  if (p === CUT) return CUT;
  c.out += ".";
  p = printString(c, p);
  if (p === CUT) return CUT;
  c.out += "@";
  return printString(c, p);
}

/** A 16-bit field in the message's byte order. */
function u16(c: PrintContext, p: number, little: boolean): number {
  const first = u8(c, p);
  const second = u8(c, p + 1);
  return little ? first | (second << 8) : (first << 8) | second;
}

function krb4Print(c: PrintContext, at: number): void {
  const typeByte = u8(c, at + 1);
  const little = (typeByte & 1) !== 0;
  const type = typeByte & 0xfe;
  c.out += " " + (little ? "le" : "be") + " " + (TYPES.get(type) ?? "#" + type) + ": ";
  let p: number;
  switch (type) {
    case KDC_REQUEST:
      // The request time (4 bytes), then the lifetime in units of five minutes.
      p = printPrincipal(c, at);
      if (p === CUT) return;
      c.out += " " + u8(c, p + 4) * 5 + "min ";
      p = printString(c, p + 5);
      if (p === CUT) return;
      c.out += ".";
      printString(c, p);
      return;
    case APPL_REQUEST:
      p = at + 2;
      c.out += "v" + u8(c, p) + " ";
      p = printString(c, p + 1);
      if (p === CUT) return;
      c.out += " (" + u8(c, p) + ")";
      c.out += " (" + u8(c, p + 1) + ")";
      return;
    case KDC_REPLY:
      // Timestamp, count, expiry and key version precede the ticket length.
      p = printPrincipal(c, at);
      if (p === CUT) return;
      c.out += " (" + u16(c, p + 10, little) + ")";
      return;
    case ERR_REPLY: {
      p = printPrincipal(c, at);
      if (p === CUT) return;
      const code = u16(c, p + 4, little);
      c.out += " " + (ERRORS[code] ?? "#" + code) + " ";
      printString(c, p + 8);
      return;
    }
    default:
      c.out += "(unknown)";
  }
}
