// The IEEE 802.3 slow protocols (EtherType 0x8809): LACP, the marker protocol and OAM, as tcpdump
// prints them without -v ("LACPv1, length 110"), and LACP and marker TLVs with -v. OAM's -v
// decoding is not done yet: such packets are marked unsupported.

import { be16, be32, check, u8, type PrintContext } from "./context.js";
import { macString } from "./addr.js";
import { printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

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
  if (!c.flags.verbose) return;
  if (subtype === OAM) c.markUnsupported("slow protocols oam -v");
  else markerLacpPrint(c, at + 2, length - 2, subtype);
}

const TLV_HEADER_LENGTH = 2;
const ACTOR_PARTNER_LENGTH = 18;
const COLLECTOR_LENGTH = 14;
const MARKER_INFO_LENGTH = 14;
const STATE_FLAGS: [number, string][] = [
  [0x01, "Activity"],
  [0x02, "Timeout"],
  [0x04, "Aggregation"],
  [0x08, "Synchronization"],
  [0x10, "Collecting"],
  [0x20, "Distributing"],
  [0x40, "Default"],
  [0x80, "Expired"],
];

function tlvName(subtype: number, type: number): string {
  if (type === 0) return "Terminator";
  if (subtype === LACP)
    return ["", "Actor Information", "Partner Information", "Collector Information"][type] ?? "Unknown";
  return type === 1 ? "Marker Information" : "Unknown";
}

function markerLacpPrint(c: PrintContext, at: number, length: number, subtype: number): void {
  let p = at;
  let left = length;
  while (left !== 0) {
    if (left < TLV_HEADER_LENGTH) {
      c.out += "\n\t\t packet is too short";
      return;
    }
    const type = u8(c, p);
    const tlvLength = u8(c, p + 1);
    c.out +=
      "\n\t" + tlvName(subtype, type) + " TLV (0x" + type.toString(16).padStart(2, "0") + "), length " + tlvLength;
    // The terminator ends the list whatever its length says.
    if (type === 0) return;
    if (tlvLength < TLV_HEADER_LENGTH) {
      c.out += "\n\t    ERROR: illegal length - should be >= 2";
      return;
    }
    if (left < tlvLength) {
      c.out += "\n\t\t packet is too short";
      return;
    }
    check(c, p, tlvLength);
    const v = p + TLV_HEADER_LENGTH;
    const valueLength = tlvLength - TLV_HEADER_LENGTH;
    const expected =
      subtype === LACP
        ? type === 1 || type === 2
          ? ACTOR_PARTNER_LENGTH
          : type === 3
            ? COLLECTOR_LENGTH
            : -1
        : type === 1
          ? MARKER_INFO_LENGTH
          : -1;
    if (expected === -1) {
      if (c.flags.verbose <= 1) printUnknownData(c, v, "\n\t  ", valueLength);
    } else if (valueLength !== expected) {
      c.out += "\n\t    ERROR: illegal length - should be " + (expected + TLV_HEADER_LENGTH);
    } else if (subtype === LACP && type !== 3) {
      c.out +=
        "\n\t  System " +
        macString(c, v + 2) +
        ", System Priority " +
        be16(c, v) +
        ", Key " +
        be16(c, v + 8) +
        ", Port " +
        be16(c, v + 12) +
        ", Port Priority " +
        be16(c, v + 10) +
        "\n\t  State Flags [" +
        flagNames(STATE_FLAGS, u8(c, v + 14)) +
        "]";
    } else if (subtype === LACP) {
      c.out += "\n\t  Max Delay " + be16(c, v);
    } else {
      c.out +=
        "\n\t  Request System " +
        macString(c, v + 2) +
        ", Request Port " +
        be16(c, v) +
        ", Request Transaction ID 0x" +
        be32(c, v + 8)
          .toString(16)
          .padStart(8, "0");
    }
    // -vv adds every TLV's value in hex.
    if (c.flags.verbose > 1) printUnknownData(c, v, "\n\t  ", valueLength);
    p += tlvLength;
    left -= tlvLength;
  }
}
