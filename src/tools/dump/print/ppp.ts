// PPP frames (RFC 1661) as carried by PPPoE sessions: the optional address/control bytes, the
// protocol field (one byte when compressed), the protocol's name with -e, then IPv4 and IPv6
// decoded, and the control protocols (LCP, IPCP, CCP, …), CHAP, PAP and multilink headers in
// ppp-control.ts. The other network layers tcpdump opens (IPX, OSI, MPLS) are not decoded here:
// such packets are marked unsupported.

import { be16, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";
import { printUnknownData } from "./unknown.js";
import { chapPrint, mlpppPrint, papPrint, pppControlPrint } from "./ppp-control.js";
import { PPP_NAMES } from "./names.js";
import { encapsulated } from "./encapsulated.js";

const ADDRESS_CONTROL = 0xff03;
const PPPD_IN = 0x0003;
const PPPD_OUT = 0x0103;
const PPP_IP = 0x0021;
const PPP_VJNC = 0x002f;
const PPP_IPV6 = 0x0057;
const PPP_COMP = 0x00fd;
const PPP_MLPPP = 0x003d;
const PPP_CHAP = 0xc223;
const PPP_PAP = 0xc023;
const PPP_BAP = 0xc02d;
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** Protocols tcpdump hands to a printer this module does not have. */
const DECODED_ELSEWHERE: ReadonlySet<number> = new Set([0x8137, 0x002b, 0x0023, 0x0281, 0x0283]);
/** The control protocols sharing LCP's packet format. */
const CONTROL_PROTOCOLS: ReadonlySet<number> = new Set([0xc021, 0x8021, 0x8023, 0x8281, 0x8057, 0x80fd, 0xc02b]);

/** A PPP frame of `length` bytes at `at`. */
export function pppPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ppp";
  const original = length;
  if (length < 2) return printTrunc(c);
  let p = at;
  const header = be16(c, p);
  if (header === PPPD_IN || header === PPPD_OUT || header === ADDRESS_CONTROL) {
    if (c.flags.linkHeader && header !== ADDRESS_CONTROL) c.out += header === PPPD_IN ? "In  " : "Out ";
    p += 2;
    length -= 2;
  }
  if (length < 2) return printTrunc(c);
  let protocol: number;
  // An odd first byte is a compressed one-byte protocol field.
  if (u8(c, p) % 2) {
    protocol = u8(c, p);
    p++;
    length--;
  } else {
    protocol = be16(c, p);
    p += 2;
    length -= 2;
  }
  const name = PPP_NAMES.get(protocol);
  if (c.flags.linkHeader) {
    c.out += (name ?? "unknown") + " (0x" + hex4(protocol) + "), length " + original;
    if (name === undefined) return;
    c.out += ": ";
  }
  if ((protocol & 0xff00) === 0x7e00 || DECODED_ELSEWHERE.has(protocol)) {
    c.markUnsupported("ppp protocol 0x" + hex4(protocol));
    return;
  }
  if (CONTROL_PROTOCOLS.has(protocol)) {
    return pppControlPrint(c, protocol, PPP_NAMES.get(protocol)!, p, length);
  }
  switch (protocol) {
    case PPP_MLPPP:
      return mlpppPrint(c, p, length);
    case PPP_CHAP:
      return chapPrint(c, p, length);
    case PPP_PAP:
      return papPrint(c, p, length);
    case PPP_BAP:
      // tcpdump names BAP (with -e) and prints nothing of it.
      return;
    case ETHERTYPE_IP:
    case PPP_VJNC:
    case PPP_IP:
      return encapsulated().ipv4(c, p, length);
    case ETHERTYPE_IPV6:
    case PPP_IPV6:
      return encapsulated().ipv6(c, p, length);
    case PPP_COMP:
      c.out += "compressed PPP data";
      return;
    default:
      c.out += (name ?? "unknown PPP protocol (0x" + hex4(protocol) + ")") + " ";
      printUnknownData(c, p, "\n\t", length);
  }
}
