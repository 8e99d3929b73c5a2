// RSVP (RFC 2205, IP protocol 46) as tcpdump prints it without -v: "RSVPv1 Path Message, length:
// 244". With -v tcpdump decodes every object of the message; this printer prints the common header
// line tcpdump starts with and leaves the objects undecoded (the packet is marked unsupported).

import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";

const VERSION = 1;
const HEADER_LENGTH = 8;

const MESSAGES = new Map([
  [1, "Path"],
  [2, "Resv"],
  [3, "PathErr"],
  [4, "ResvErr"],
  [5, "PathTear"],
  [6, "ResvTear"],
  [7, "ResvConf"],
  [12, "Bundle"],
  [13, "Acknowledgement"],
  [14, "Hello (Old)"],
  [15, "Refresh"],
  [20, "Hello"],
]);

export function rsvpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "rsvp";
  // A header cut short is noted and the packet ends normally, as in tcpdump.
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  const versionFlags = u8(c, at);
  const version = versionFlags >> 4;
  if (version !== VERSION) {
    c.out += "ERROR: RSVP version " + version + " packet not supported";
    return;
  }
  const type = u8(c, at + 1);
  if (!c.flags.verbose) {
    c.out += "RSVPv" + version + " " + (MESSAGES.get(type) ?? "unknown (" + type + ")") + " Message, length: " + length;
    return;
  }
  c.markUnsupported("rsvp -v");
  c.out +=
    "\n\tRSVPv" +
    version +
    " " +
    (MESSAGES.get(type) ?? "unknown, type: " + type) +
    " Message (" +
    type +
    "), Flags: [" +
    (versionFlags & 0x01 ? "Refresh reduction capable" : "none") +
    "], length: " +
    be16(c, at + 6) +
    ", ttl: " +
    u8(c, at + 4) +
    ", checksum: 0x" +
    hex4(be16(c, at + 2));
}
