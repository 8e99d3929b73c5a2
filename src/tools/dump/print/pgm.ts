// PGM (RFC 3208, IP protocol 113) as tcpdump prints it: the addresses with the ports (as TCP
// ports), then "PGM, length N" from the header's own length field; with -v the global source id
// and each packet type's fields. Packets carrying options are not decoded at -v yet: they are
// marked unsupported.

import { ipv4String, ipv6String, tcpPortString } from "./addr.js";
import { hex2 } from "./addr.js";
import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";

const HEADER_LENGTH = 16;
const IPPROTO_PGM = 113;

export function pgmPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
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
  if (!c.flags.verbose) return;
  const type = u8(c, at + 4);
  c.out += " 0x";
  for (let i = 0; i < 6; i++) c.out += hex2(c.bytes[at + 8 + i]!);
  c.out += " ";
  if (!typePrint(c, type, at + HEADER_LENGTH)) return printTrunc(c);
  if (u8(c, at + 5) & OPTIONS_PRESENT) {
    c.markUnsupported("pgm options");
    return;
  }
  c.out += " [" + length + "]";
}

const SPM = 0;
const POLL = 1;
const POLR = 2;
const ODATA = 4;
const RDATA = 5;
const NAK = 8;
const NULLNAK = 9;
const NCF = 10;
const ACK = 11;
const SPMR = 12;
const OPTIONS_PRESENT = 0x01;
const AFI_IPV4 = 1;
const AFI_IPV6 = 2;

/** A network-layer address after its AFI at `afiAt`; undefined (cut short, as tcpdump says) otherwise. */
function nla(c: PrintContext, afi: number, at: number): string | undefined {
  if (afi === AFI_IPV4) return has(c, at, 4) ? ipv4String(c, at) : undefined;
  if (afi === AFI_IPV6) return has(c, at, 16) ? ipv6String(c, at) : undefined;
  return undefined;
}

/** The fields of a packet type; false when they are cut short (" [|pgm]" follows). */
function typePrint(c: PrintContext, type: number, at: number): boolean {
  switch (type) {
    case SPM: {
      if (!has(c, at, 16)) return false;
      const address = nla(c, be16(c, at + 12), at + 16);
      if (address === undefined) return false;
      c.out += "SPM seq " + be32(c, at) + " trail " + be32(c, at + 4) + " lead " + be32(c, at + 8) + " nla " + address;
      return true;
    }
    case POLL: {
      if (!has(c, at, 12)) return false;
      const afi = be16(c, at + 8);
      const address = nla(c, afi, at + 12);
      if (address === undefined) return false;
      const p = at + 12 + (afi === AFI_IPV4 ? 4 : 16);
      const interval = be32(c, p);
      const random = be32(c, p + 4);
      const mask = be32(c, p + 8);
      c.out +=
        "POLL seq " +
        be32(c, at) +
        " round " +
        be16(c, at + 4) +
        " nla " +
        address +
        " ivl " +
        interval +
        " rnd 0x" +
        random.toString(16).padStart(8, "0") +
        " mask 0x" +
        mask.toString(16).padStart(8, "0");
      return true;
    }
    case POLR:
      if (!has(c, at, 8)) return false;
      c.out += "POLR seq " + be32(c, at) + " round " + be16(c, at + 4);
      return true;
    case ODATA:
    case RDATA:
      if (!has(c, at, 8)) return false;
      c.out += (type === ODATA ? "ODATA" : "RDATA") + " trail " + be32(c, at + 4) + " seq " + be32(c, at);
      return true;
    case NAK:
    case NULLNAK:
    case NCF: {
      if (!has(c, at, 8)) return false;
      const sourceAfi = be16(c, at + 4);
      const source = nla(c, sourceAfi, at + 8);
      if (source === undefined) return false;
      // tcpdump skips the group's AFI and reserved field, then reads the AFI where the address is.
      const g = at + 8 + (sourceAfi === AFI_IPV4 ? 4 : 16) + 4;
      const group = nla(c, be16(c, g), g);
      if (group === undefined) return false;
      c.out +=
        (type === NAK ? "NAK " : type === NULLNAK ? "NNAK " : "NCF ") +
        "(" +
        source +
        " -> " +
        group +
        "), seq " +
        be32(c, at);
      return true;
    }
    case ACK:
      if (!has(c, at, 8)) return false;
      c.out += "ACK seq " + be32(c, at);
      return true;
    case SPMR:
      c.out += "SPMR";
      return true;
    default:
      c.out += "UNKNOWN type 0x" + hex2(type);
      return true;
  }
}
