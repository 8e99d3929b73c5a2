// PIM (RFC 7761): "PIMv2, Hello, length 34" as tcpdump prints it without -v, and the version line
// of other versions. The -v decoding of PIMv2 messages is not done yet: such packets are marked
// unsupported.

import { u8, type PrintContext } from "./context.js";

const PIMV2_TYPES = [
  "Hello",
  "Register",
  "Register Stop",
  "Join / Prune",
  "Bootstrap",
  "Assert",
  "Graft",
  "Graft Acknowledgement",
  "Candidate RP Advertisement",
  "Prune Refresh",
  "DF Election",
  "ECMP Redirect",
];

export function pimPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "pim";
  const typeVersion = u8(c, at);
  const version = typeVersion >> 4;
  if (version !== 2) {
    c.out += "PIMv" + version + ", length " + length;
    return;
  }
  const type = PIMV2_TYPES[typeVersion & 0xf] ?? "Unknown Type";
  if (c.flags.verbose) {
    c.markUnsupported("pimv2 -v");
    c.out += "PIMv2, length " + length + "\n\t" + type;
    return;
  }
  c.out += "PIMv2, " + type + ", length " + length;
}
