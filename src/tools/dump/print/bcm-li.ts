// Broadcom's lawful-intercept shim (UDP source port 49152) as tcpdump prints it: direction,
// packet type and subtype, intercept id; with -v the carried packet follows on its own line.

import { available, be32, check, u8, type PrintContext } from "./context.js";
import { encapsulated } from "./encapsulated.js";

const SHIM_LENGTH = 4;
const DIRECTIONS = new Map([
  [1, "unused"],
  [2, "egress"],
  [3, "ingress"],
]);
const UNDECIDED = 4;
const IPV4 = 5;
const IPV6 = 6;
const ETHERNET = 7;
const TYPES = new Map([
  [UNDECIDED, "undecided"],
  [IPV4, "ipv4"],
  [IPV6, "ipv6"],
  [ETHERNET, "ethernet"],
]);
const SUBTYPES = new Map([
  [1, "single VLAN tag"],
  [2, "double VLAN tag"],
  [3, "untagged"],
]);

export function bcmLiPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "bcm_li";
  if (length < SHIM_LENGTH) {
    c.out += " (length " + length + " < " + SHIM_LENGTH + ") (invalid)";
    return;
  }
  const shim = be32(c, at);
  const direction = (shim >>> 29) & 0x7;
  const type = (shim >>> 25) & 0xf;
  const subtype = (shim >>> 22) & 0x7;
  const verbose = c.flags.verbose;
  c.out +=
    (verbose ? "\n    " : "") +
    "BCM-LI-SHIM: direction " +
    (DIRECTIONS.get(direction) ?? "unknown") +
    ", pkt-type " +
    (TYPES.get(type) ?? "unknown") +
    ", pkt-subtype " +
    (SUBTYPES.get(subtype) ?? "unknown") +
    ", li-id " +
    (shim & 0x3fffff) +
    (verbose ? "\n    " : "");
  const p = at + SHIM_LENGTH;
  const len = length - SHIM_LENGTH;
  if (!verbose) {
    check(c, p, len);
    return;
  }
  const printers = encapsulated();
  switch (type) {
    case ETHERNET:
      printers.ethernet(c, p, len, available(c, p));
      break;
    case IPV4:
      printers.ipv4(c, p, len);
      break;
    case IPV6:
      printers.ipv6(c, p, len);
      break;
    case UNDECIDED: {
      // The IP version from the first nibble.
      const version = u8(c, p) >> 4;
      if (version === 4) printers.ipv4(c, p, len);
      else if (version === 6) printers.ipv6(c, p, len);
      else c.out += "unknown payload";
      break;
    }
    default:
      c.out += " (invalid)";
  }
}
