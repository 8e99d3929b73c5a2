// The corpus report: the share of tcpdump's -nn lines over its whole test corpus that `tsbpf dump`
// prints identically, per capture and in total, against a floor that only goes up (raise it as
// decoders land; never lower it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { TCPDUMP } from "../helpers/dump-oracle.js";
import { corpusReport } from "../helpers/dump-corpus.js";

/** Lines (of every capture tcpdump prints anything for) the printer must print exactly as tcpdump -nn. */
const FLOOR_LINES = 10937;

/** The start of an IP line up to its outer addresses (tcpdump may note a short packet first). */
const IP_LINE = String.raw`^IP6? (?:truncated-ip6? - \d+ bytes missing! ?)?`;
/** Packets whose outer source or destination port is one of `ports`. */
function onPorts(...ports: number[]): RegExp {
  // An IPv4 or IPv6 address, then the port (an address alone, as in ICMP, may end in the same digits).
  const endpoint = String.raw`(?:\d+(?:\.\d+){3}|[\da-f]*:[\da-f:.]*)\.(?:${ports.join("|")})`;
  return new RegExp(IP_LINE + String.raw`(?:${endpoint} > \S+|\S+ > ${endpoint}): `);
}
/** TCP segments whose outer source or destination port is one of `ports`. */
function onTcpPorts(...ports: number[]): RegExp {
  return new RegExp(onPorts(...ports).source + String.raw`Flags \[`);
}
/** Packets whose outer payload tcpdump names with `text`. */
function named(text: string): RegExp {
  return new RegExp(IP_LINE + String.raw`\S+ > \S+: ` + text);
}

/**
 * Protocols whose decoders are done: every line tcpdump prints for their packets must be identical.
 * A packet belongs to the first protocol whose pattern its first line (without the timestamp)
 * matches.
 */
const COMPLETE_PROTOCOLS: Record<string, RegExp> = {
  MPTCP: new RegExp(IP_LINE + String.raw`\S+ > \S+: Flags \[[^\]]*\].*, options \[.*mptcp \d`),
  "DNS and mDNS": onPorts(53, 5353),
  "BOOTP/DHCP": named("BOOTP/DHCP, "),
  DHCPv6: named("dhcp6 "),
  RADIUS: named("RADIUS, "),
  RIP: named(String.raw`RIPv\d`),
  RIPng: onPorts(521),
  NTP: named(String.raw`NTPv\d+, `),
  SNMP: onPorts(161, 162),
  syslog: named("SYSLOG "),
  SSH: onPorts(22),
  OpenFlow: onPorts(6633, 6653),
  BGP: onTcpPorts(179),
  EIGRP: named("EIGRP "),
  "BCM-LI": named("BCM-LI-SHIM: "),
  "HTTP, RTSP, FTP, SMTP, WHOIS": onTcpPorts(80, 8080, 554, 8554, 21, 25, 43),
  // PIM over IP, and PIMv1 inside IGMP.
  PIM: named(String.raw`(?:PIMv\d|igmp pimv1)`),
  VRRP: named(String.raw`VRRPv\d`),
  HSRP: named(String.raw`HSRPv\d`),
  BFD: named(String.raw`BFD(?:v\d)?, `),
  // IGMP with the DVMRP and multicast traceroute messages it carries.
  IGMP: named(String.raw`(?:igmp |mtrace \d|mresp \d)`),
  VXLAN: named("VXLAN, "),
  Geneve: named("Geneve, "),
  OTV: named("OTV, "),
  sFlow: named(String.raw`sFlow`),
  STP: /^STP /,
  CDP: /^CDPv\d/,
  UDLD: /^UDLDv\d/,
  LLDP: /^LLDP, /,
  CFM: /^CFMv\d/,
  LACP: /^(?:LACP|MARKER|OAM)/,
  AoE: /^AoE /,
  PTP: /^(?:PTPv\d|IP6? (?:\S+ > \S+: )PTPv\d)/,
  // SCTP itself; ForCES inside it counts for ForCES.
  SCTP: new RegExp(IP_LINE + String.raw`\S+ > \S+: sctp(?!\[ForCES)(?!.*\[PPID ForCES)`),
  // ForCES message lines and header details (the TLVs tcpdump shows at -vvv are not decoded yet).
  ForCES: new RegExp(IP_LINE + String.raw`\S+ > \S+: sctp(?:\[ForCES|.*\[PPID ForCES)`),
  OSPF: named(String.raw`OSPFv\d`),
  AH: named(String.raw`AH\(`),
  ESP: named(String.raw`(?:UDP-encap: )?ESP\(`),
  ISAKMP: named(String.raw`(?:NONESP-encap: isakmp| ?isakmp| \[\|isakmp)`),
  // tcpdump 4.99 leaves ERSPAN inside GRE undecoded: the GRE line names its protocol type.
  ERSPAN: new RegExp(IP_LINE + String.raw`\S+ > \S+: (?:DSTOPT )?GREv0, .*: gre-proto-0x(?:88be|22eb)$`),
  // The PPP control protocols, CHAP, PAP and multilink in PPPoE sessions, on Ethernet (EtherType 0x880b) and in GRE.
  "PPP control protocols": new RegExp(
    String.raw`(?:^PPPoE  \[ses 0x[\da-f]+\] |^: |^IP \S+ > \S+: GREv1, .*: )(?:LCP|IPCP|OSICP|MPLSCP|IP6CP|CCP|BACP|CHAP|PAP|MLPPP), `,
  ),
  // GRE itself; what it carries counts for that protocol.
  GRE: named(String.raw`GREv\d(?!.*(?:IS-IS|LCP), )`),
  Babel: named("babel "),
  GeoNetworking: /^(?:GeoNet|CALM FAST) src:/,
  "Redis RESP": onTcpPorts(6379),
  IPX: /^IPX /,
  DCCP: named("DCCP "),
  EAPOL: /^(?:EAP packet|EAPOL |Encapsulated ASF alert|unknown \(\d+\) v\d+, len)/,
  AHCP: named("AHCP "),
  DECnet: /^(?:\d+\.\d+ > \d+\.\d+ \d+ |endnode-hello )/,
  "IS-IS": /^(?:IS-IS, |IP \S+ > \S+: GREv0, length \d+: IS-IS, )/,
  // MPLS on Ethernet and in UDP (in GRE it counts for GRE).
  MPLS: new RegExp(String.raw`^(?:` + IP_LINE + String.raw`\S+ > \S+: )?MPLS \(label`),
  "LSP ping": named("LSP-PINGv"),
  "Arista timestamps": /^ethertype Arista /,
  // NFS over UDP and TCP: every packet to or from port 2049.
  "NFS/Sun RPC": onPorts(2049),
  // tcpdump has no TLS printer: port 443 shows the TCP line alone.
  TLS: onTcpPorts(443),
  // The discovery stage (sessions carrying PPP count for what PPP carries).
  "PPPoE discovery": /^PPPoE PAD/,
  LISP: named("LISP-"),
  PGM: named(String.raw`\S+ > \S+: PGM, `),
  Loopback: /^Loopback, /,
  TIPC: /^TIPC v/,
  DTP: /^DTPv\d/,
  SLARP: /^SLARP /,
  "ICMPv6 router renumbering": named("ICMP6, router renumbering"),
  LWAPP: named("LWAPP"),
  vsock: /^(?:VIRTIO|NO_INFO|UNKNOWN|Invalid transport) /,
  // Rx and the AFS services over it, on UDP ports 7000-7009.
  "AFS/Rx": named(String.raw` (?:rx |\[\|rx\])`),
  "RPKI-RTR": onTcpPorts(323),
  LDP: onPorts(646),
  // RSVP without -v (with -v its objects are not decoded yet).
  RSVP: named(String.raw`RSVPv\d`),
  // L2TP (and L2F named only) on UDP port 1701.
  L2TP: new RegExp(onPorts(1701).source + String.raw` (?:l2tp:|l2f:|Unknown Version|\[\|l2tp\])`),
  // Kerberos on UDP: the version, then version 4's message.
  Kerberos: new RegExp(onPorts(88, 750).source + String.raw` (?:v\d|\[\|krb\])`),
};

test("dump corpus report: tcpdump -nn lines printed identically, per capture and in total", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const r = await corpusReport(["-nn"], { numeric: true }, COMPLETE_PROTOCOLS);
  assert.ok(r.files.length >= 500, `expected the capture corpus, found ${r.files.length} captures with output`);
  const percent = ((100 * r.equal) / r.lines).toFixed(1);
  t.diagnostic(`tcpdump -nn: ${r.equal} of ${r.lines} lines identical (${percent}%) over ${r.files.length} captures`);
  const whole = r.files.filter((f) => f.equal === f.lines).length;
  t.diagnostic(`${whole} captures wholly identical`);
  for (const f of r.files) if (f.equal !== f.lines) t.diagnostic(`  ${f.name}: ${f.equal}/${f.lines}`);
  const kinds = [...r.missesByKind].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [kind, n] of kinds) t.diagnostic(`  differing: ${kind} (${n} lines)`);
  if (process.env.TSBPF_CORPUS_EXAMPLES)
    for (const [kind] of kinds) for (const e of r.examples.get(kind) ?? []) t.diagnostic(e);
  for (const [name, p] of r.protocols) {
    t.diagnostic(`${name}: ${p.equal} of ${p.lines} lines identical`);
    assert.ok(p.lines > 0, `no ${name} lines in the corpus`);
    assert.deepEqual(p.misses, [], `${name}: ${p.lines - p.equal} lines differ`);
  }
  assert.ok(r.equal >= FLOOR_LINES, `only ${r.equal} lines identical, the floor is ${FLOOR_LINES}`);
});
