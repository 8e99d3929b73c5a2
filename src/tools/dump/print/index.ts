// The packet printers: given a context pointed at a packet, print it by link type the way tcpdump
// does. format.ts adds the timestamp, the hex dumps and the per-packet bookkeeping.

import { printTrunc, TRUNCATED, type PrintContext } from "./context.js";
import { registerEncapsulatedPrinters } from "./encapsulated.js";
import { chdlcPrint } from "./chdlc.js";
import { etherPrint, ethertypePrint } from "./ethernet.js";
import { ipPrint } from "./ipv4.js";
import { ip6Print } from "./ipv6.js";
import { nullPrint, rawPrint, sllPrint, sll2Print, type InterfaceNamer } from "./linklayer.js";
import { hexAndAsciiPrint } from "./unknown.js";
import { vsockPrint } from "./vsock.js";

export { PrintContext, TRUNCATED, type PrintFlags } from "./context.js";
export { TcpSequenceTable } from "./tcp-state.js";
export type { InterfaceNamer } from "./linklayer.js";

registerEncapsulatedPrinters({ ipv4: ipPrint, ipv6: ip6Print, ethernet: etherPrint, ethertype: ethertypePrint });

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_VSOCK = 271;
/** OpenBSD loopback: the null header in network byte order. */
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

/**
 * Prints the packet in `c` (already reset to it), catching truncation. Leaves the link-level header
 * length in c.llHeaderLength (0 after truncation, as tcpdump then dumps the whole packet).
 */
export function printLinkLayer(c: PrintContext, linkType: number, wireLength: number, ifName?: InterfaceNamer): void {
  const caplen = c.caplen;
  try {
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        c.protocol = "ether";
        c.llHeaderLength = etherPrint(c, 0, wireLength, caplen);
        break;
      case LINKTYPE_C_HDLC:
        c.llHeaderLength = chdlcPrint(c, 0, wireLength);
        break;
      case LINKTYPE_LINUX_SLL:
        c.llHeaderLength = sllPrint(c, 0, wireLength, caplen);
        break;
      case LINKTYPE_LINUX_SLL2:
        c.llHeaderLength = sll2Print(c, 0, wireLength, caplen, ifName);
        break;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP:
        c.llHeaderLength = nullPrint(c, 0, wireLength, caplen);
        break;
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        c.llHeaderLength = rawPrint(c, 0, wireLength);
        break;
      case LINKTYPE_VSOCK:
        c.llHeaderLength = vsockPrint(c, caplen);
        break;
      default:
        c.markUnsupported("link type " + linkType);
        c.out += "[link type " + linkType + "], length " + wireLength + ":";
        hexAndAsciiPrint(c, "\n\t", 0, caplen);
        c.llHeaderLength = 0;
    }
  } catch (e) {
    if (e !== TRUNCATED) throw e;
    printTrunc(c);
    c.llHeaderLength = 0;
  }
  c.snapend = caplen;
}
