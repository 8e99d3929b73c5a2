// BOOTP and DHCP (RFC 951, RFC 2131): "BOOTP/DHCP, Request from MAC, length N" as tcpdump prints it
// without -v. The -v decoding of the fixed fields and options is not done yet: such packets are
// marked unsupported.

import { u8, type PrintContext } from "./context.js";
import { hex2, macString } from "./addr.js";

const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const HTYPE_ETHERNET = 1;
const MAC_LENGTH = 6;
const CHADDR_OFFSET = 28;

export function bootpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "bootp";
  const op = u8(c, at);
  c.out +=
    "BOOTP/DHCP, " + (op === BOOTREQUEST ? "Request" : op === BOOTREPLY ? "Reply" : "unknown (0x" + hex2(op) + ")");
  const htype = u8(c, at + 1);
  const hlen = u8(c, at + 2);
  if (htype === HTYPE_ETHERNET && hlen === MAC_LENGTH && op === BOOTREQUEST)
    c.out += " from " + macString(c, at + CHADDR_OFFSET);
  c.out += ", length " + length;
  if (c.flags.verbose) c.markUnsupported("udp bootp -v");
}
