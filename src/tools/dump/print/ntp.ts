// NTP (RFC 5905) as tcpdump prints it: "NTPv4, Client, length 48" without -v; with -v the leap
// indicator, then the time message's header fields and timestamps, or the control message's
// (mode 6) header. Mode 7 (ntpdc's private messages) shows only the leap indicator, as tcpdump.
// tcpdump checks some spans without unwinding (root delay and dispersion, the reference id, each
// timestamp, the digest, a control message's data): there a short packet ends the line with the marker and is
// done normally, so -x still skips the link-level header. Other short reads unwind.

import { ipv4String } from "./addr.js";
import { be16, be32, has, printInvalid, printInvalidRest, printTrunc, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const MODES = [
  "unspecified",
  "symmetric active",
  "symmetric passive",
  "Client",
  "Server",
  "Broadcast",
  "Control Message",
  "Reserved",
];

/** Leap indicator names, indexed by the two top bits of the first byte. */
const LEAP_INDICATORS = ["", "+1s", "-1s", "clock unsynchronized"];

/** The fixed part of a time message, before the optional key id and digest. */
const TIME_MESSAGE_LENGTH = 48;
/** The fixed part of a control message, before its data. */
const CONTROL_MESSAGE_LENGTH = 12;
const MODE_CONTROL = 6;
/** Seconds from the NTP era (1900) to the Unix epoch. */
const SECONDS_1900_TO_1970 = 2208988800;
const TWO_TO_32 = 4294967296;

export function ntpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ntp";
  const status = u8(c, at);
  const mode = status & 0x7;
  c.out += "NTPv" + ((status >> 3) & 0x7) + ", " + MODES[mode] + ", length " + length;
  if (!c.flags.verbose) return;
  const leap = status & 0xc0;
  c.out += "\n\tLeap indicator: " + LEAP_INDICATORS[leap >> 6] + " (" + leap + ")";
  if (mode < MODE_CONTROL) timeMessagePrint(c, at, length);
  else if (mode === MODE_CONTROL) controlMessagePrint(c, at, length);
}

function stratumName(stratum: number): string {
  if (stratum === 0) return "unspecified";
  if (stratum === 1) return "primary reference";
  return stratum <= 15 ? "secondary reference" : "reserved";
}

function timeMessagePrint(c: PrintContext, at: number, length: number): void {
  if (length < TIME_MESSAGE_LENGTH) {
    printInvalidRest(c, at, length);
    return;
  }
  const stratum = u8(c, at + 1);
  c.out += ", Stratum " + stratum + " (" + stratumName(stratum) + ")";
  const poll = (u8(c, at + 2) << 24) >> 24;
  c.out += ", poll " + poll;
  // 2^poll seconds, or its reciprocal for sub-second intervals.
  if (poll > -32 && poll < 32) c.out += poll >= 0 ? " (" + 2 ** poll + "s)" : " (1/" + 2 ** -poll + "s)";
  c.out += ", precision " + ((u8(c, at + 3) << 24) >> 24);
  if (!has(c, at + 4, 4)) return printTrunc(c);
  c.out += "\n\tRoot Delay: " + shortFixed(c, at + 4);
  if (!has(c, at + 8, 4)) return printTrunc(c);
  c.out += ", Root dispersion: " + shortFixed(c, at + 8);
  const refid = at + 12;
  if (!has(c, refid, 4)) return printTrunc(c);
  c.out += ", Reference-ID: ";
  // What the reference id means depends on the stratum.
  if (stratum === 0) {
    c.out += "(unspec)";
  } else if (stratum === 1) {
    for (let i = 0; i < 4; i++) c.out += printableChar(c.bytes[refid + i]!);
  } else if (stratum === 62 || stratum === 63) {
    // ntpdc's info query and reply: nothing tcpdump prints follows.
    c.out += ipv4String(c, refid) + (stratum === 62 ? " INFO_QUERY" : " INFO_REPLY");
    return;
  } else {
    c.out += "0x" + be32(c, refid).toString(16).padStart(8, "0");
  }
  const labels = [
    "Reference Timestamp:  ",
    "Originator Timestamp: ",
    "Receive Timestamp:    ",
    "Transmit Timestamp:   ",
  ];
  for (let i = 0; i < 4; i++) {
    if (!has(c, at + 16 + 8 * i, 8)) return printTrunc(c);
    c.out += "\n\t  " + labels[i] + ntpTimestamp(c, at + 16 + 8 * i);
  }
  c.out += "\n\t    Originator - Receive Timestamp:  " + delta(c, at + 24, at + 32);
  c.out += "\n\t    Originator - Transmit Timestamp: " + delta(c, at + 24, at + 40);
  const extra = length - TIME_MESSAGE_LENGTH;
  // A key id alone (a crypto-NAK), or a key id with a 128-bit or 160-bit digest.
  if (extra === 4 || extra === 20 || extra === 24) {
    c.out += "\n\tKey id: " + be32(c, at + 48);
    if (extra > 4) {
      if (!has(c, at + 52, extra - 4)) return printTrunc(c);
      let digest = "";
      for (let p = at + 52; p < at + 48 + extra; p += 4) digest += be32(c, p).toString(16).padStart(8, "0");
      c.out += "\n\tAuthentication: " + digest;
    }
  } else if (extra > 0) {
    c.out += "\n\t(" + extra + " more bytes after the header)";
  }
}

function controlMessagePrint(c: PrintContext, at: number, length: number): void {
  if (length < CONTROL_MESSAGE_LENGTH) {
    printInvalid(c);
    if (!has(c, at, length)) printTrunc(c);
    return;
  }
  const control = u8(c, at + 1);
  c.out +=
    ", " +
    (control & 0x80 ? "Response" : "Request") +
    ", " +
    (control & 0x40 ? "Error" : "OK") +
    ", " +
    (control & 0x20 ? "More" : "Last") +
    ", OpCode=" +
    (control & 0x1f);
  c.out += "\n\tSequence=" + be16(c, at + 2);
  const status = be16(c, at + 4);
  c.out += ", Status=" + (status === 0 ? "0" : "0x" + status.toString(16));
  c.out += ", Assoc.=" + be16(c, at + 6);
  c.out += ", Offset=" + be16(c, at + 8);
  const count = be16(c, at + 10);
  c.out += ", Count=" + count;
  if (CONTROL_MESSAGE_LENGTH + count > length) {
    printInvalid(c);
    if (!has(c, at, length)) printTrunc(c);
    return;
  }
  if (count !== 0) {
    if (!has(c, at + CONTROL_MESSAGE_LENGTH, count)) return printTrunc(c);
    c.out += "\n\tTO-BE-DONE: data not interpreted";
  }
}

/** A 16.16 fixed-point value (root delay, root dispersion) in microseconds. */
function shortFixed(c: PrintContext, at: number): string {
  const whole = be16(c, at);
  const micros = Math.trunc((be16(c, at + 2) / 65536) * 1000000);
  return whole + "." + String(micros).padStart(6, "0");
}

/** Nanoseconds of a 32-bit binary fraction, truncated as tcpdump does. */
function fractionNanos(fraction: number): string {
  return String(Math.trunc((fraction / TWO_TO_32) * 1000000000)).padStart(9, "0");
}

/** A 32.32 NTP timestamp, with its UTC date when the seconds are not zero. */
export function ntpTimestamp(c: PrintContext, at: number): string {
  const seconds = be32(c, at);
  const text = seconds + "." + fractionNanos(be32(c, at + 4));
  if (seconds === 0) return text;
  const date = new Date((seconds - SECONDS_1900_TO_1970) * 1000).toISOString();
  return text + " (" + date.slice(0, 19) + "Z)";
}

/** The signed difference later - origin, or the later timestamp itself when origin is zero. */
function delta(c: PrintContext, origin: number, later: number): string {
  const u = be32(c, later);
  const ou = be32(c, origin);
  const uf = be32(c, later + 4);
  const ouf = be32(c, origin + 4);
  if (ou === 0 && ouf === 0) return ntpTimestamp(c, later);
  let negative: boolean;
  let whole: number;
  let fraction: number;
  if (u !== ou) {
    negative = u < ou;
    const [hi, lo, hiFraction, loFraction] = negative ? [ou, u, ouf, uf] : [u, ou, uf, ouf];
    whole = hi - lo;
    fraction = (hiFraction - loFraction) >>> 0;
    // Borrow from the seconds when the fraction went below zero.
    if (loFraction > hiFraction) whole -= 1;
  } else {
    whole = 0;
    negative = !(uf > ouf);
    fraction = negative ? ouf - uf : uf - ouf;
  }
  return (negative ? "-" : "+") + whole + "." + fractionNanos(fraction);
}
