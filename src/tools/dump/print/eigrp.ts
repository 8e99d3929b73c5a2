// EIGRP (RFC 7868) as tcpdump prints it without -v: "EIGRP Hello, length: 40". The -v decoding of
// the header and TLVs is not done yet: such packets are marked unsupported.

import { has, u8, type PrintContext } from "./context.js";

const HEADER_LENGTH = 20;
const VERSION = 2;
const OPCODES = new Map([
  [1, "Update"],
  [3, "Query"],
  [4, "Reply"],
  [5, "Hello"],
  [6, "IPX SAP"],
  [7, "Probe"],
]);

export function eigrpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "eigrp";
  if (!has(c, at, HEADER_LENGTH)) {
    c.out += " [|eigrp]";
    return;
  }
  const version = u8(c, at);
  if (version !== VERSION) {
    c.out += "EIGRP version " + version + " packet not supported";
    return;
  }
  if (c.flags.verbose) {
    c.markUnsupported("eigrp -v");
    return;
  }
  const opcode = u8(c, at + 1);
  c.out += "EIGRP " + (OPCODES.get(opcode) ?? "unknown (" + opcode + ")") + ", length: " + length;
}
