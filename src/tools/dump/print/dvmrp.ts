// DVMRP (RFC 1075 and mrouted's later messages) carried in IGMP type 0x13, as tcpdump prints it:
// the message name, the probe's generation ID (-v) and neighbours (-vv), the route report's masks
// and origins (-vv), the neighbour lists of the mapper replies, prunes and grafts. Lengths tcpdump
// rejects print their bracketed reason and " (invalid)"; a read past the capture unwinds.

import { be32, printInvalid, u8, type PrintContext } from "./context.js";
import { ipv4String } from "./addr.js";
import { relativeTime } from "./relative-time.js";

const PROBE = 1;
const REPORT = 2;
const NEIGHBORS = 4;
const NEIGHBORS2 = 6;
const PRUNE = 7;
const GRAFT = 8;
const GRAFT_ACK = 9;

const TYPES = [
  "",
  "Probe",
  "Report",
  "Ask-neighbors(old)",
  "Neighbors(old)",
  "Ask-neighbors2",
  "Neighbors2",
  "Prune",
  "Graft",
  "Graft-ACK",
];

// Neighbour flags of a Neighbors2 reply, in the order tcpdump lists them.
const NF_TUNNEL = 0x01;
const NF_SRCRT = 0x02;
const NF_DOWN = 0x10;
const NF_DISABLED = 0x20;
const NF_QUERIER = 0x40;

/** Dotted quad of a 32-bit value (masks and origins rebuilt from their significant bytes). */
function dotted(v: number): string {
  return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
}

/** The DVMRP message of the IGMP packet at `at`, `length` (at least 8) bytes long. */
export function dvmrpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "dvmrp";
  const type = u8(c, at + 1);
  c.out += " " + (type > 0 && type < TYPES.length ? TYPES[type] : "[type " + type + "]");
  const body = at + 8;
  const len = length - 8;
  switch (type) {
    case PROBE:
      if (c.flags.verbose) probePrint(c, body, len);
      break;
    case REPORT:
      if (c.flags.verbose > 1) reportPrint(c, body, len);
      break;
    case NEIGHBORS:
      neighborsPrint(c, body, len);
      break;
    case NEIGHBORS2:
      // The version travels in the IGMP group address field: minor, then major.
      neighbors2Print(c, body, len, u8(c, at + 7), u8(c, at + 6));
      break;
    case PRUNE:
      c.out += " src " + ipv4String(c, body) + " grp " + ipv4String(c, body + 4);
      c.out += " timer ";
      c.out += relativeTime(be32(c, body + 8));
      break;
    case GRAFT:
    case GRAFT_ACK:
      c.out += " src " + ipv4String(c, body) + " grp " + ipv4String(c, body + 4);
      break;
  }
}

function probePrint(c: PrintContext, at: number, len: number): void {
  if (len < 4) {
    c.out += " [full length " + len + " < 4]";
    printInvalid(c);
    return;
  }
  c.out += c.flags.verbose > 1 ? "\n\t" : " ";
  c.out += "genid " + be32(c, at);
  if (c.flags.verbose < 2) return;
  for (at += 4, len -= 4; len > 0; at += 4, len -= 4) {
    if (len < 4) {
      c.out += "[remaining length " + len + " < 4]";
      printInvalid(c);
      return;
    }
    c.out += "\n\tneighbor " + ipv4String(c, at);
  }
}

function reportPrint(c: PrintContext, at: number, len: number): void {
  while (len > 0) {
    if (len < 3) {
      c.out += " [length " + len + " < 3]";
      printInvalid(c);
      return;
    }
    const m0 = u8(c, at);
    const m1 = u8(c, at + 1);
    const m2 = u8(c, at + 2);
    // Origins carry only as many bytes as the mask has significant ones.
    const width = m2 ? 4 : m1 ? 3 : m0 ? 2 : 1;
    c.out += "\n\tMask 255." + m0 + "." + m1 + "." + m2;
    at += 3;
    len -= 3;
    let done = 0;
    while (!done) {
      if (len < width + 1) {
        c.out += "\n\t  [Truncated Report]";
        printInvalid(c);
        return;
      }
      let origin = 0;
      for (let i = 0; i < 4; i++) origin = origin * 256 + (i < width ? u8(c, at + i) : 0);
      const metric = u8(c, at + width);
      done = metric & 0x80;
      c.out += "\n\t  " + dotted(origin) + " metric " + (metric & 0x7f);
      at += width + 1;
      len -= width + 1;
    }
  }
}

function neighborsPrint(c: PrintContext, at: number, len: number): void {
  while (len > 0) {
    if (len < 7) {
      c.out += " [length " + len + " < 7]";
      printInvalid(c);
      return;
    }
    const local = at;
    const metric = u8(c, at + 4);
    const threshold = u8(c, at + 5);
    let count = u8(c, at + 6);
    at += 7;
    len -= 7;
    while (--count >= 0) {
      if (len < 4) {
        c.out += " [length " + len + " < 4]";
        printInvalid(c);
        return;
      }
      c.out += " [" + ipv4String(c, local) + " ->";
      c.out += " " + ipv4String(c, at) + ", (" + metric + "/" + threshold + ")]";
      at += 4;
      len -= 4;
    }
  }
}

function neighbors2Print(c: PrintContext, at: number, len: number, major: number, minor: number): void {
  c.out += " (v " + major + "." + minor + "):";
  while (len > 0) {
    if (len < 8) {
      c.out += " [length " + len + " < 8]";
      printInvalid(c);
      return;
    }
    const local = at;
    const metric = u8(c, at + 4);
    const threshold = u8(c, at + 5);
    const flags = u8(c, at + 6);
    let count = u8(c, at + 7);
    at += 8;
    len -= 8;
    while (--count >= 0 && len > 0) {
      if (len < 4) {
        c.out += " [length " + len + " < 4]";
        printInvalid(c);
        return;
      }
      c.out += " [" + ipv4String(c, local) + " -> ";
      let s = ipv4String(c, at) + " (" + metric + "/" + threshold;
      if (flags & NF_TUNNEL) s += "/tunnel";
      if (flags & NF_SRCRT) s += "/srcrt";
      if (flags & NF_QUERIER) s += "/querier";
      if (flags & NF_DISABLED) s += "/disabled";
      if (flags & NF_DOWN) s += "/down";
      c.out += s + ")]";
      at += 4;
      len -= 4;
    }
    if (count !== -1) {
      c.out += " [invalid ncount]";
      printInvalid(c);
      return;
    }
  }
}
