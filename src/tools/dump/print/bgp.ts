// BGP (RFC 4271) as tcpdump prints it without -v: just ": BGP" after TCP's line. The -v decoding
// of the messages is not done yet: such packets are marked unsupported.

import type { PrintContext } from "./context.js";

export function bgpPrint(c: PrintContext): void {
  c.protocol = "bgp";
  c.out += ": BGP";
  if (c.flags.verbose) c.markUnsupported("bgp -v");
}
