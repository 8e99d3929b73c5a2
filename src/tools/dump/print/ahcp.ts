// AHCP, the ad-hoc configuration protocol (UDP port 5359), as tcpdump prints it without -v:
// "AHCP Version 1". The -v decoding of the message and its options is not done yet: such packets
// are marked unsupported.

import { check, printInvalid, u8, type PrintContext } from "./context.js";

const MAGIC = 43;
const VERSION_1 = 1;
/** The version 1 header after the magic and version bytes. */
const V1_HEADER_REST = 22;

export function ahcpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ahcp";
  c.out += "AHCP";
  if (length < 2 || u8(c, at) !== MAGIC) {
    printInvalid(c);
    return;
  }
  const version = u8(c, at + 1);
  if (version !== VERSION_1) {
    c.out += " Version " + version + " (unknown)";
    return;
  }
  c.out += " Version 1";
  if (length - 2 < V1_HEADER_REST) {
    printInvalid(c);
    return;
  }
  if (c.flags.verbose) {
    c.markUnsupported("ahcp -v");
    return;
  }
  // The whole message must be captured, even though only its version is printed.
  check(c, at, length);
}
