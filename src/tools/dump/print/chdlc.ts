// Cisco HDLC (link type 104): a 4-byte header (address, control, protocol) before IPv4, IPv6, MPLS,
// an OSI packet or SLARP (Cisco's address resolution and keepalives), as tcpdump prints it.

import { hex4, ipv4String } from "./addr.js";
import { be16, be32, has, printTrunc, TRUNCATED, u8, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";
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
const CHDLC_TYPE_SLARP = 0x8035;
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
    case CHDLC_TYPE_SLARP:
      slarpPrint(c, p, rest);
      break;
    default:
      c.markUnsupported("chdlc protocol 0x" + hex4(protocol));
      if (!c.flags.quick) c.out += "unknown CHDLC protocol (0x" + hex4(protocol) + ")";
  }
  return CHDLC_HEADER_LENGTH;
}

const SLARP_REQUEST = 0;
const SLARP_REPLY = 1;
const SLARP_KEEPALIVE = 2;
const SLARP_MIN_LENGTH = 14;
const SLARP_MAX_LENGTH = 18;

function slarpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "chdlc_slarp";
  c.out += "SLARP (length: " + length + "), ";
  if (length < SLARP_MIN_LENGTH || !has(c, at, SLARP_MIN_LENGTH)) return printTrunc(c);
  // The hex dump at -vv starts 4 bytes after wherever the decoding stopped, as tcpdump's does.
  let p = at;
  const code = be32(c, at);
  switch (code) {
    case SLARP_REQUEST:
      c.out += "request";
      break;
    case SLARP_REPLY:
      c.out += "reply " + ipv4String(c, at + 4);
      c.out += "/" + ipv4String(c, at + 8);
      break;
    case SLARP_KEEPALIVE:
      c.out +=
        "keepalive: mineseen=0x" +
        be32(c, at + 4)
          .toString(16)
          .padStart(8, "0") +
        ", yourseen=0x" +
        be32(c, at + 8)
          .toString(16)
          .padStart(8, "0") +
        ", reliability=0x" +
        hex4(be16(c, at + 12));
      if (length >= SLARP_MAX_LENGTH) {
        p = at + SLARP_MIN_LENGTH;
        let seconds = Math.floor(be32(c, p) / 1000);
        let minutes = Math.floor(seconds / 60);
        seconds -= minutes * 60;
        let hours = Math.floor(minutes / 60);
        minutes -= hours * 60;
        const days = Math.floor(hours / 24);
        hours -= days * 24;
        c.out += ", link uptime=" + days + "d" + hours + "h" + minutes + "m" + seconds + "s";
      }
      break;
    default:
      c.out += "0x" + code.toString(16).padStart(2, "0") + " unknown";
      if (c.flags.verbose <= 1) printUnknownData(c, p + 4, "\n\t", length - 4);
  }
  if (length > SLARP_MAX_LENGTH && c.flags.verbose)
    c.out += ", (trailing junk: " + (length - SLARP_MAX_LENGTH) + " bytes)";
  if (c.flags.verbose > 1) printUnknownData(c, p + 4, "\n\t", length - 4);
}
