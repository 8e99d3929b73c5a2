// Cisco HDLC (link type 104): a 4-byte header (address, control, protocol) before IPv4, IPv6, MPLS or
// an OSI packet, as tcpdump prints it. SLARP payloads are not decoded yet: such packets are marked
// unsupported.

import { hex4 } from "./addr.js";
import { be16, TRUNCATED, u8, type PrintContext } from "./context.js";
import { ip6Print } from "./ipv6.js";
import { ipPrint } from "./ipv4.js";
import { osiPrint } from "./isis.js";
import { ethertypeName } from "./names.js";
import { mplsPrint } from "./mpls.js";

const CHDLC_HEADER_LENGTH = 4;
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ISO = 0xfefe;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ADDRESS_NAMES = new Map([
  [0x0f, "unicast"],
  [0x8f, "bcast"],
]);
const NLPID_CLNP = 0x81;
const NLPID_ESIS = 0x82;
const NLPID_ISIS = 0x83;

/** Prints a Cisco HDLC frame; returns the link-level header length. */
export function chdlcPrint(c: PrintContext, at: number, length: number): number {
  c.protocol = "chdlc";
  if (length < CHDLC_HEADER_LENGTH) throw TRUNCATED;
  const protocol = be16(c, at + 2);
  if (c.flags.linkHeader) {
    const address = u8(c, at);
    c.out +=
      (ADDRESS_NAMES.get(address) ?? "0x" + address.toString(16).padStart(2, "0")) +
      ", ethertype " +
      (ethertypeName(protocol) ?? "Unknown") +
      " (0x" +
      hex4(protocol) +
      "), length " +
      length +
      ": ";
  }
  const p = at + CHDLC_HEADER_LENGTH;
  const rest = length - CHDLC_HEADER_LENGTH;
  switch (protocol) {
    case ETHERTYPE_IP:
      ipPrint(c, p, rest);
      break;
    case ETHERTYPE_IPV6:
      ip6Print(c, p, rest);
      break;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST:
      mplsPrint(c, p, rest);
      break;
    case ETHERTYPE_ISO: {
      if (rest < 2) throw TRUNCATED;
      // Some senders put a padding byte before the NLPID: skip it when an OSI NLPID follows.
      const second = u8(c, p + 1);
      const padded = second === NLPID_CLNP || second === NLPID_ESIS || second === NLPID_ISIS;
      if (!osiPrint(c, padded ? p + 1 : p, padded ? rest - 1 : rest)) c.markUnsupported("chdlc osi");
      break;
    }
    default:
      c.markUnsupported("chdlc protocol 0x" + hex4(protocol));
      if (!c.flags.quick) c.out += "unknown CHDLC protocol (0x" + hex4(protocol) + ")";
  }
  return CHDLC_HEADER_LENGTH;
}
