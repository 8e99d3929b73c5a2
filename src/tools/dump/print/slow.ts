// The IEEE 802.3 slow protocols (EtherType 0x8809): LACP, the marker protocol and OAM, as tcpdump
// prints them without -v ("LACPv1, length 110"). The -v decoding is not done yet: such packets are
// marked unsupported.

import { u8, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";

const LACP = 1;
const MARKER = 2;
const OAM = 3;
const NAMES = ["", "LACP", "MARKER", "OAM"];

function tooShort(c: PrintContext): void {
  c.out += c.flags.verbose ? "\n\t\t packet is too short" : " (packet is too short)";
}

export function slowPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "slow";
  if (length < 1) return tooShort(c);
  const subtype = u8(c, at);
  let withVersion = -1;
  if (subtype === LACP || subtype === MARKER) {
    if (length < 2) return tooShort(c);
    const version = u8(c, at + 1);
    if (version !== 1) {
      c.out += (subtype === LACP ? "LACP" : "MARKER") + " version " + version + " packet not supported";
      return;
    }
    withVersion = 1;
  } else if (subtype === OAM) withVersion = 0;
  const name = NAMES[subtype] ?? "unknown (" + subtype + ")";
  if (withVersion === 1) c.out += name + "v" + u8(c, at + 1) + ", length " + length;
  else c.out += name + ", length " + length;
  if (withVersion === -1) {
    printUnknownData(c, at, "\n\t", length);
    return;
  }
  if (c.flags.verbose) c.markUnsupported("slow protocols -v");
}
