// The one table of application protocols above UDP and TCP: which ports hand a payload to which
// decoder, in tcpdump's order (the first entry whose ports match wins, so a DNS reply to port 500
// is DNS, not ISAKMP). An entry without a printer is a protocol tcpdump decodes and this printer
// does not yet: the packet is marked unsupported under the entry's name.

import type { PrintContext } from "./context.js";
import { ahcpPrint } from "./ahcp.js";
import { babelPrint } from "./babel.js";
import { lispPrint } from "./lisp.js";
import { lwappPrint } from "./lwapp.js";
import { bcmLiPrint } from "./bcm-li.js";
import { bfdPrint } from "./bfd.js";
import { bgpPrint } from "./bgp.js";
import { bootpPrint } from "./bootp.js";
import { dhcp6Print } from "./dhcp6.js";
import { hsrpPrint } from "./hsrp.js";
import { isakmpUdpPrint } from "./isakmp.js";
import { domainPrint } from "./domain.js";
import { ntpPrint } from "./ntp.js";
import { krbPrint } from "./krb.js";
import { l2tpPrint } from "./l2tp.js";
import { ripPrint } from "./rip.js";
import { ripngPrint } from "./ripng.js";
import { rxPrint } from "./rx.js";
import { radiusPrint } from "./radius.js";
import { respPrint } from "./resp.js";
import { udpEncapsulationPrint } from "./esp.js";
import { openflowPrint } from "./openflow.js";
import { ptpPrint } from "./ptp.js";
import { sshPrint } from "./ssh.js";
import { syslogPrint } from "./syslog.js";
import { ftpPrint, httpPrint, rtspPrint, smtpPrint, whoisPrint } from "./text-protocols.js";
import { genevePrint, otvPrint, vxlanPrint } from "./vxlan.js";
import { sflowPrint } from "./sflow.js";
import { snmpPrint } from "./snmp.js";
import { mplsPrint } from "./mpls.js";
import { lspPingPrint } from "./lspping.js";
import { rpkiRtrPrint } from "./rpki-rtr.js";
import { ldpPrint } from "./ldp.js";

/**
 * Prints `length` payload bytes at `at`; the caller has printed the addresses and ports. `ipAt` is
 * the offset of the IPv4 or IPv6 header the transport came in.
 */
export type ApplicationPrinter = (
  c: PrintContext,
  at: number,
  length: number,
  sport: number,
  dport: number,
  ipAt: number,
) => void;

export interface ApplicationEntry {
  /** What tcpdump calls it (the unsupported reason for entries without a printer). */
  readonly name: string;
  readonly matches: (sport: number, dport: number) => boolean;
  readonly print?: ApplicationPrinter;
}

const either =
  (...ports: number[]) =>
  (sport: number, dport: number): boolean =>
    ports.includes(sport) || ports.includes(dport);
const toPort =
  (...ports: number[]) =>
  (_sport: number, dport: number): boolean =>
    ports.includes(dport);
const fromPort =
  (...ports: number[]) =>
  (sport: number): boolean =>
    ports.includes(sport);

const RX_PORT_LOW = 7000;
const RX_PORT_HIGH = 7009;

/** UDP, in the order tcpdump tries them. AppleTalk (decided by payload) is udp.ts's own check. */
export const UDP_APPLICATIONS: readonly ApplicationEntry[] = [
  { name: "domain", matches: either(53), print: (c, at, length) => domainPrint(c, at, length, false, false) },
  { name: "mdns", matches: either(5353), print: (c, at, length) => domainPrint(c, at, length, false, true) },
  { name: "timed", matches: either(525) },
  { name: "tftp", matches: either(69) },
  { name: "bootp", matches: either(67, 68), print: bootpPrint },
  { name: "rip", matches: either(520), print: ripPrint },
  { name: "aodv", matches: either(654) },
  { name: "isakmp", matches: either(500), print: isakmpUdpPrint },
  { name: "isakmp nat-t", matches: either(4500), print: udpEncapsulationPrint },
  { name: "isakmp", matches: either(7500, 8500), print: isakmpUdpPrint },
  { name: "snmp", matches: either(161, 162), print: snmpPrint },
  { name: "ntp", matches: either(123), print: ntpPrint },
  { name: "kerberos", matches: either(88, 750), print: (c, at) => krbPrint(c, at) },
  { name: "l2tp", matches: either(1701), print: l2tpPrint },
  { name: "netbios-ns", matches: either(137) },
  { name: "netbios-dgm", matches: either(138) },
  { name: "vat", matches: toPort(3456) },
  { name: "zephyr", matches: either(2103, 2104) },
  {
    name: "rx",
    matches: (s, d) => (s >= RX_PORT_LOW && s <= RX_PORT_HIGH) || (d >= RX_PORT_LOW && d <= RX_PORT_HIGH),
    print: rxPrint,
  },
  { name: "ripng", matches: either(521), print: ripngPrint },
  { name: "dhcp6", matches: either(546, 547), print: dhcp6Print },
  { name: "ahcp", matches: either(5359), print: ahcpPrint },
  { name: "babel", matches: either(6696, 6697), print: babelPrint },
  { name: "hncp", matches: either(8231) },
  { name: "wb", matches: toPort(4567) },
  { name: "cisco autorp", matches: either(496) },
  { name: "radius", matches: either(1645, 1812, 1646, 1813, 1700, 3799), print: radiusPrint },
  { name: "hsrp", matches: toPort(1985), print: hsrpPrint },
  { name: "lwres", matches: either(921) },
  { name: "ldp", matches: either(646), print: (c, at, length) => ldpPrint(c, at, length) },
  { name: "olsr", matches: either(698) },
  { name: "lsp-ping", matches: either(3503), print: (c, at, length) => lspPingPrint(c, at, length) },
  { name: "bcm-li", matches: fromPort(49152), print: bcmLiPrint },
  { name: "bfd", matches: toPort(3784, 4784, 6784, 3785), print: bfdPrint },
  { name: "lmp", matches: either(701) },
  { name: "vqp", matches: either(1589) },
  { name: "sflow", matches: either(6343), print: sflowPrint },
  { name: "lwapp", matches: either(12223, 12222), print: lwappPrint },
  { name: "sip", matches: either(5060) },
  { name: "syslog", matches: either(514), print: syslogPrint },
  { name: "otv", matches: either(8472), print: otvPrint },
  { name: "vxlan", matches: either(4789), print: vxlanPrint },
  { name: "geneve", matches: either(6081), print: genevePrint },
  { name: "lisp", matches: either(4342), print: lispPrint },
  { name: "vxlan-gpe", matches: either(4790) },
  { name: "zep", matches: either(17754) },
  { name: "mpls", matches: either(6635), print: (c, at, length) => mplsPrint(c, at, length) },
];

/** UDP entries tcpdump tries after AppleTalk's payload check. */
export const UDP_APPLICATIONS_AFTER_APPLETALK: readonly ApplicationEntry[] = [
  { name: "ptp", matches: either(319, 320), print: ptpPrint },
  { name: "someip", matches: either(30490) },
];

/** TCP, in the order tcpdump tries them (NFS, decided by payload, is tcp.ts's own check). */
export const TCP_APPLICATIONS: readonly ApplicationEntry[] = [
  { name: "telnet", matches: either(23) },
  { name: "smtp", matches: either(25), print: smtpPrint },
  { name: "whois", matches: either(43), print: whoisPrint },
  { name: "bgp", matches: either(179), print: bgpPrint },
  { name: "pptp", matches: either(1723) },
  { name: "resp", matches: either(6379), print: respPrint },
  { name: "ssh", matches: either(22), print: sshPrint },
  { name: "beep", matches: either(10288) },
  { name: "openflow", matches: either(6633, 6653), print: openflowPrint },
  { name: "ftp", matches: either(21), print: ftpPrint },
  { name: "http", matches: either(80, 8080), print: httpPrint },
  { name: "rtsp", matches: either(554, 8554), print: rtspPrint },
  { name: "domain", matches: either(53), print: (c, at, length) => domainPrint(c, at, length, true, false) },
  { name: "msdp", matches: either(639) },
  { name: "rpki-rtr", matches: either(323), print: (c, at, length) => rpkiRtrPrint(c, at, length) },
  { name: "ldp", matches: either(646), print: (c, at, length) => ldpPrint(c, at, length) },
];

/** The first entry of `table` for these ports, or undefined. */
export function applicationFor(
  table: readonly ApplicationEntry[],
  sport: number,
  dport: number,
): ApplicationEntry | undefined {
  for (const entry of table) if (entry.matches(sport, dport)) return entry;
  return undefined;
}
