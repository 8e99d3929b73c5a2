// RADIUS (RFC 2865, RFC 2866, RFC 5176) as tcpdump prints it without -v: "RADIUS, Access-Request
// (1), id: 0xf0 length: 141". The -v decoding of the attributes is not done yet: such packets are
// marked unsupported.

import { be16, has, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";

const MIN_LENGTH = 20;
const COMMANDS = new Map([
  [1, "Access-Request"],
  [2, "Access-Accept"],
  [3, "Access-Reject"],
  [4, "Accounting-Request"],
  [5, "Accounting-Response"],
  [11, "Access-Challenge"],
  [12, "Status-Server"],
  [13, "Status-Client"],
  [40, "Disconnect-Request"],
  [41, "Disconnect-ACK"],
  [42, "Disconnect-NAK"],
  [43, "CoA-Request"],
  [44, "CoA-ACK"],
  [45, "CoA-NAK"],
  [255, "Reserved"],
]);

export function radiusPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "radius";
  if (!has(c, at, MIN_LENGTH)) {
    c.out += " [|radius]";
    return;
  }
  let len = be16(c, at + 2);
  if (len < MIN_LENGTH) {
    c.out += " [|radius]";
    return;
  }
  if (len > length) len = length;
  if (c.flags.verbose) {
    c.markUnsupported("radius -v");
    return;
  }
  const code = u8(c, at);
  c.out +=
    "RADIUS, " +
    (COMMANDS.get(code) ?? "Unknown Command") +
    " (" +
    code +
    "), id: 0x" +
    hex2(u8(c, at + 1)) +
    " length: " +
    len;
}
