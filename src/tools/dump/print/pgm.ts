// PGM (RFC 3208, IP protocol 113) as tcpdump prints it without -v: the addresses with the ports
// (as TCP ports), then "PGM, length N" from the header's own length field. The -v decoding of each
// packet type and its options is not done yet: such packets are marked unsupported.

import { ipv4String, ipv6String, tcpPortString } from "./addr.js";
import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";

const HEADER_LENGTH = 16;
const IPPROTO_PGM = 113;

export function pgmPrint(c: PrintContext, at: number, ipAt: number): void {
  c.protocol = "pgm";
  const v6 = u8(c, ipAt) >> 4 === 6;
  if (!has(c, at + 2, 2)) {
    c.out += v6
      ? ipv6String(c, ipAt + 8) + " > " + ipv6String(c, ipAt + 24) + ":"
      : ipv4String(c, ipAt + 12) + " > " + ipv4String(c, ipAt + 16) + ":";
    return printTrunc(c);
  }
  const sport = tcpPortString(c, be16(c, at));
  const dport = tcpPortString(c, be16(c, at + 2));
  // The addresses only when PGM is the header's own next protocol (not after extension headers).
  const direct = v6 ? u8(c, ipAt + 6) === IPPROTO_PGM : u8(c, ipAt + 9) === IPPROTO_PGM;
  if (!direct) c.out += sport + " > " + dport + ": ";
  else if (v6) c.out += ipv6String(c, ipAt + 8) + "." + sport + " > " + ipv6String(c, ipAt + 24) + "." + dport + ": ";
  else c.out += ipv4String(c, ipAt + 12) + "." + sport + " > " + ipv4String(c, ipAt + 16) + "." + dport + ": ";
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  c.out += "PGM, length " + be16(c, at + 14);
  if (c.flags.verbose) c.markUnsupported("pgm -v");
}
