// Arista's timestamp header (EtherType 0xd28b, a subtype and a version, then a 64-bit
// seconds/nanoseconds or 48-bit timestamp) as tcpdump prints it before the frame's real type:
// "SubType Timestamp (0x0001), Timescale TAI (0), Format 64-bit (1), HwInfo R/R2 (0),
// Timestamp 2019-05-29 20:36:39.944724424: ".

import { be16, be32, u8, type PrintContext } from "./context.js";

const SUBTYPE_TIMESTAMP = 0x0001;
const TIMESCALES = ["TAI", "UTC"];
const FORMAT_64BIT = 1;
const FORMAT_48BIT = 2;
const FORMATS = ["Unknown", "64-bit", "48-bit"];
const HW_INFO = ["R/R2", "R3"];
const NS_PER_S = 1000000000;

/** Prints the header at `at`; returns its length, or -1 for a subtype or format tcpdump does not know. */
export function aristaPrint(c: PrintContext, at: number): number {
  c.protocol = "arista";
  const subtype = be16(c, at);
  c.out +=
    "SubType " +
    (subtype === SUBTYPE_TIMESTAMP ? "Timestamp" : "Unknown") +
    " (0x" +
    subtype.toString(16).padStart(4, "0") +
    "), ";
  if (subtype !== SUBTYPE_TIMESTAMP) return -1;
  const timescale = u8(c, at + 2);
  c.out += "Timescale " + (TIMESCALES[timescale] ?? "Unknown") + " (" + timescale + "), ";
  const formatInfo = u8(c, at + 3);
  const format = formatInfo >> 4;
  const hw = formatInfo & 0x0f;
  c.out +=
    "Format " +
    (FORMATS[format] ?? "Unknown") +
    " (" +
    format +
    "), HwInfo " +
    (HW_INFO[hw] ?? "Unknown") +
    " (" +
    hw +
    "), Timestamp ";
  let consumed = 4;
  if (format === FORMAT_64BIT) {
    const ns = be32(c, at + 8);
    const seconds = be32(c, at + 4) + Math.floor(ns / NS_PER_S);
    const iso = new Date(seconds * 1000).toISOString();
    c.out += iso.slice(0, 10) + " " + iso.slice(11, 19) + "." + String(ns % NS_PER_S).padStart(9, "0");
    consumed += 8;
  } else if (format === FORMAT_48BIT) {
    const ns = be32(c, at + 6);
    c.out += be16(c, at + 4) + Math.floor(ns / NS_PER_S) + "." + String(ns % NS_PER_S).padStart(9, "0");
    consumed += 6;
  } else return -1;
  c.out += ": ";
  return consumed;
}
