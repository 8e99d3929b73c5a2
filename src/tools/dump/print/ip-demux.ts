// What follows an IPv4 header or the last IPv6 extension header: TCP, UDP, ICMP, ICMPv6, tunnelled
// IP, or tcpdump's generic "ip-proto-N LEN" for protocols it has no printer for.

import { type PrintContext, printInvalid, available, has, u8 } from "./context.js";
import { ipProtoName, netdbProtoName } from "./names.js";
import { tcpPrint } from "./tcp.js";
import { udpPrint } from "./udp.js";
import { icmpPrint } from "./icmp.js";
import { icmp6Print } from "./icmpv6.js";
import { encapsulated } from "./encapsulated.js";
import { grePrint } from "./gre.js";
import { sctpPrint } from "./sctp.js";
import { dccpPrint } from "./dccp.js";
import { pgmPrint } from "./pgm.js";
import { ahPrint, espPrint } from "./esp.js";
import { eigrpPrint } from "./eigrp.js";
import { ospf6Print, ospfPrint } from "./ospf.js";
import { pimPrint } from "./pim.js";
import { igmpPrint } from "./igmp.js";
import { vrrpPrint } from "./vrrp.js";
import { rsvpPrint } from "./rsvp.js";

const P_ICMP = 1;
const P_IGMP = 2;
const P_IPV4 = 4;
const P_TCP = 6;
const P_UDP = 17;
const P_DCCP = 33;
const P_IPV6 = 41;
const P_ICMPV6 = 58;
const P_NONE = 59;
const P_ND = 77;
const P_SCTP = 132;
const P_ESP = 50;
const P_AH = 51;
const P_EIGRP = 88;
const P_OSPF = 89;
const P_ETHERNET = 143;
const P_GRE = 47;
const P_PIM = 103;
const P_VRRP = 112;
const P_PGM = 113;
const P_RSVP = 46;

/** Protocols tcpdump decodes with printers this module does not have. */
const DECODED_ELSEWHERE: ReadonlySet<number> = new Set([8, 9, 55, 108]);

function genericProto(c: PrintContext, nh: number, length: number): void {
  const name = c.flags.numeric ? undefined : netdbProtoName(nh);
  c.out += (name !== undefined ? " " + name : " ip-proto-" + nh) + " " + length;
}

export function ipDemuxPrint(
  c: PrintContext,
  at: number,
  length: number,
  version: 4 | 6,
  fragmented: boolean,
  nh: number,
  ipAt: number,
): void {
  switch (nh) {
    case P_TCP:
      tcpPrint(c, at, length, ipAt, fragmented);
      return;
    case P_UDP:
      udpPrint(c, at, length, ipAt, fragmented);
      return;
    case P_ICMP:
      if (version === 4) icmpPrint(c, at, length, fragmented);
      else {
        c.out += "[" + (ipProtoName(nh) ?? "unknown") + " requires IPv4]";
        printInvalid(c);
      }
      return;
    case P_ICMPV6:
      if (version === 6) icmp6Print(c, at, length, ipAt, fragmented);
      else {
        c.out += "[" + (ipProtoName(nh) ?? "unknown") + " requires IPv6]";
        printInvalid(c);
      }
      return;
    case P_IGMP:
      if (version === 6) {
        c.out += "[" + (ipProtoName(nh) ?? "unknown") + " requires IPv4]";
        printInvalid(c);
        return;
      }
      igmpPrint(c, at, length);
      return;
    case P_ND:
      c.out += " nd " + length;
      return;
    case P_IPV4:
      encapsulated().ipv4(c, at, length);
      return;
    case P_IPV6:
      encapsulated().ipv6(c, at, length);
      return;
    case P_ETHERNET:
      if (version === 6) encapsulated().ethernet(c, at, length, available(c, at));
      else {
        c.out += "[" + (ipProtoName(nh) ?? "unknown") + " requires IPv6]";
        printInvalid(c);
      }
      return;
    case P_NONE:
      c.out += "no next header";
      return;
    case P_GRE:
      grePrint(c, at, length);
      return;
    case P_DCCP:
      dccpPrint(c, at, length, ipAt);
      return;
    case P_SCTP:
      sctpPrint(c, at, length, ipAt);
      return;
    case P_ESP:
      espPrint(c, at, length);
      return;
    case P_AH: {
      if (!has(c, at, 1)) {
        c.protocol = "ah";
        c.out += " [|ah]";
        return;
      }
      const next = u8(c, at);
      const advance = ahPrint(c, at);
      ipDemuxPrint(c, at + advance, (length - advance) >>> 0, version, fragmented, next, ipAt);
      return;
    }
    case P_EIGRP:
      eigrpPrint(c, at, length);
      return;
    case P_OSPF:
      if (version === 4) ospfPrint(c, at, length);
      else ospf6Print(c, at, length);
      return;
    case P_PIM:
      pimPrint(c, at, length, ipAt, version);
      return;
    case P_PGM:
      pgmPrint(c, at, length, ipAt);
      return;
    case P_VRRP:
      vrrpPrint(c, at, length, ipAt, version, version === 4 ? u8(c, ipAt + 8) : u8(c, ipAt + 7));
      return;
    case P_RSVP:
      rsvpPrint(c, at, length);
      return;
  }
  if (DECODED_ELSEWHERE.has(nh)) {
    c.markUnsupported("ip protocol " + nh);
  }
  genericProto(c, nh, length);
}
