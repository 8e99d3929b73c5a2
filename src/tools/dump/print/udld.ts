// Cisco UDLD (RFC 5171) as tcpdump prints it without -v: "UDLDv1, Code Probe message (1), Flags
// [RT] (0x01), length 60". The -v decoding of the TLVs is not done yet: such packets are marked
// unsupported.

import { check, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";

const HEADER_LENGTH = 4;
const CODES = ["Reserved", "Probe message", "Echo message", "Flush message"];
const FLAGS = ["RT", "RSY", "MBZ-2", "MBZ-3", "MBZ-4", "MBZ-5", "MBZ-6", "MBZ-7"];

export function udldPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "udld";
  if (length < HEADER_LENGTH) {
    c.out += " (invalid)";
    check(c, at, length);
    return;
  }
  const first = u8(c, at);
  const version = first >> 5;
  const code = first & 0x1f;
  const flags = u8(c, at + 1);
  let names = "";
  for (let bit = 0; bit < 8; bit++) if (flags & (1 << bit)) names += (names === "" ? "" : ", ") + FLAGS[bit];
  c.out +=
    "UDLDv" +
    version +
    ", Code " +
    (CODES[code] ?? "Reserved") +
    " (" +
    code.toString(16) +
    "), Flags [" +
    (names || "none") +
    "] (0x" +
    hex2(flags) +
    "), length " +
    length;
  if (c.flags.verbose) {
    c.markUnsupported("udld -v");
    return;
  }
  check(c, at + 2, length - 2);
}
