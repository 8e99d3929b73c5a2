// RIP versions 1 and 2 (RFC 1058, RFC 2453) as tcpdump prints them without -v: "RIPv2, Response,
// length: 24". The -v decoding of the routes is not done yet: such packets are marked unsupported.

import { u8, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";

const HEADER_LENGTH = 4;
const COMMANDS = ["", "Request", "Response", "Trace on", "Trace off", "Poll", "Poll Entry"];

export function ripPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "rip";
  if (c.snapend < at) {
    c.out += " [|rip]";
    return;
  }
  const available = Math.min(c.snapend - at, length);
  if (available < HEADER_LENGTH) {
    c.out += " [|rip]";
    return;
  }
  const version = u8(c, at + 1);
  c.out += (c.flags.verbose ? "\n\t" : "") + "RIPv" + version;
  if (version === 0) {
    // A pre-RFC 1058 datagram: its bytes in hex.
    printUnknownData(c, at, "\n\t", length);
    return;
  }
  const command = u8(c, at);
  c.out += ", " + (command >= 1 && command <= 6 ? COMMANDS[command] : "unknown command (" + command + ")");
  c.out += ", length: " + length;
  if (c.flags.verbose) c.markUnsupported("rip -v");
}
