// Arista's vendor EtherType (0xd28b) as tcpdump prints it: the timestamp header an Arista switch
// inserts before the original EtherType ("SubType Timestamp (0x0001), Timescale TAI (0), Format
// 64-bit (1), HwInfo R/R2 (0), Timestamp 2019-05-29 20:36:39.944724424: "), after which the frame
// is decoded from that EtherType on.

import { be16, be32, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";

const SUBTYPE_TIMESTAMP = 0x0001;
const TIMESCALES = ["TAI", "UTC"];
const FORMAT_64BIT = 1;
const FORMAT_48BIT = 2;
const FORMATS = ["Unknown", "64-bit", "48-bit"];
const HARDWARE = ["R/R2", "R3"];
const NS_PER_SECOND = 1_000_000_000;

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in UTC. */
function utcDateTime(seconds: number, nanoseconds: number): string {
  const d = new Date((seconds + Math.floor(nanoseconds / NS_PER_SECOND)) * 1000);
  return (
    d.getUTCFullYear() +
    "-" +
    pad2(d.getUTCMonth() + 1) +
    "-" +
    pad2(d.getUTCDate()) +
    " " +
    pad2(d.getUTCHours()) +
    ":" +
    pad2(d.getUTCMinutes()) +
    ":" +
    pad2(d.getUTCSeconds()) +
    "." +
    String(nanoseconds % NS_PER_SECOND).padStart(9, "0")
  );
}

/**
 * Prints the header at `at` (after the EtherType); returns its length, or -1 for a subtype or
 * format tcpdump does not know (the caller then dumps the frame).
 */
export function aristaPrint(c: PrintContext, at: number): number {
  c.protocol = "arista";
  const subtype = be16(c, at);
  c.out += "SubType " + (subtype === SUBTYPE_TIMESTAMP ? "Timestamp" : "Unknown") + " (0x" + hex4(subtype) + "), ";
  if (subtype !== SUBTYPE_TIMESTAMP) return -1;
  const timescale = u8(c, at + 2);
  c.out += "Timescale " + (TIMESCALES[timescale] ?? "Unknown") + " (" + timescale + "), ";
  const version = u8(c, at + 3);
  const format = version >> 4;
  const hardware = version & 0x0f;
  c.out +=
    "Format " +
    (FORMATS[format] ?? "Unknown") +
    " (" +
    format +
    "), HwInfo " +
    (HARDWARE[hardware] ?? "Unknown") +
    " (" +
    hardware +
    "), Timestamp ";
  let length: number;
  if (format === FORMAT_64BIT) {
    const seconds = be32(c, at + 4);
    c.out += utcDateTime(seconds, be32(c, at + 8));
    length = 12;
  } else if (format === FORMAT_48BIT) {
    const seconds = be16(c, at + 4);
    const nanoseconds = be32(c, at + 6);
    c.out +=
      seconds + Math.floor(nanoseconds / NS_PER_SECOND) + "." + String(nanoseconds % NS_PER_SECOND).padStart(9, "0");
    length = 10;
  } else return -1;
  c.out += ": ";
  return length;
}
