// Names in filter expressions, resolved the way libpcap resolves them on Linux: service names from
// /etc/services (port http), protocol names from /etc/protocols (ip proto \tcp), network names from
// /etc/networks, host names from /etc/hosts (tsbpf does not query DNS), and libpcap's built-in
// tables of Ethernet and LLC protocol names. Tables are read once; an embedded copy of the
// well-known entries is used when a file is missing.
import { readFileSync } from "node:fs";

export const IPPROTO = {
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  IGRP: 9,
  UDP: 17,
  IPV6_FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  PIM: 103,
  VRRP: 112,
  SCTP: 132,
} as const;

interface ServiceEntry {
  name: string;
  port: number;
  proto: string;
  aliases: string[];
}

const FALLBACK_SERVICES = `
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
domain 53/tcp
domain 53/udp
bootps 67/udp
bootpc 68/udp
tftp 69/udp
http 80/tcp www
kerberos 88/tcp kerberos5 krb5 kerberos-sec
kerberos 88/udp kerberos5 krb5 kerberos-sec
pop3 110/tcp pop-3
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
ntp 123/udp
netbios-ns 137/udp
netbios-dgm 138/udp
netbios-ssn 139/tcp
imap2 143/tcp imap
snmp 161/tcp
snmp 161/udp
snmp-trap 162/tcp snmptrap
snmp-trap 162/udp snmptrap
bgp 179/tcp
ldap 389/tcp
ldap 389/udp
https 443/tcp
https 443/udp
microsoft-ds 445/tcp
isakmp 500/udp
syslog 514/udp
ipp 631/tcp
nfs 2049/tcp
nfs 2049/udp
`;

const FALLBACK_PROTOCOLS = `
ip 0 IP
icmp 1 ICMP
igmp 2 IGMP
ggp 3 GGP
ipencap 4 IP-ENCAP
st 5 ST
tcp 6 TCP
egp 8 EGP
igp 9 IGP
pup 12 PUP
udp 17 UDP
hmp 20 HMP
xns-idp 22 XNS-IDP
rdp 27 RDP
iso-tp4 29 ISO-TP4
dccp 33 DCCP
xtp 36 XTP
ddp 37 DDP
idpr-cmtp 38 IDPR-CMTP
ipv6 41 IPv6
ipv6-route 43 IPv6-Route
ipv6-frag 44 IPv6-Frag
idrp 45 IDRP
rsvp 46 RSVP
gre 47 GRE
esp 50 IPSEC-ESP
ah 51 IPSEC-AH
skip 57 SKIP
ipv6-icmp 58 IPv6-ICMP
ipv6-nonxt 59 IPv6-NoNxt
ipv6-opts 60 IPv6-Opts
rspf 73 RSPF CPHB
vmtp 81 VMTP
eigrp 88 EIGRP
ospf 89 OSPFIGP
ax.25 93 AX.25
ipip 94 IPIP
etherip 97 ETHERIP
encap 98 ENCAP
pim 103 PIM
ipcomp 108 IPCOMP
vrrp 112 VRRP
l2tp 115 L2TP
isis 124 ISIS
sctp 132 SCTP
fc 133 FC
mobility-header 135 Mobility-Header
udplite 136 UDPLite
mpls-in-ip 137 MPLS-in-IP
manet 138
hip 139 HIP
shim6 140 Shim6
wesp 141 WESP
rohc 142 ROHC
ethernet 143 Ethernet
`;

function readTable(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function lines(text: string): string[][] {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/\s+/));
}

let services: ServiceEntry[] | undefined;
let protocols: Map<string, number> | undefined;
let networks: Map<string, number> | undefined;
let hosts: Map<string, string[]> | undefined;

function serviceTable(): ServiceEntry[] {
  if (!services) {
    services = [];
    for (const [name, portProto, ...aliases] of lines(readTable("/etc/services", FALLBACK_SERVICES))) {
      const m = /^(\d+)\/(\w+)$/.exec(portProto ?? "");
      if (name && m) services.push({ name, port: Number(m[1]), proto: m[2]!, aliases });
    }
  }
  return services;
}

function serviceLookup(name: string, proto: "tcp" | "udp"): number {
  // getaddrinfo takes a numeric service as the port itself
  if (/^\d+$/.test(name)) return Number(name) & 0xffff;
  for (const s of serviceTable()) if (s.proto === proto && (s.name === name || s.aliases.includes(name))) return s.port;
  return -1;
}

/** pcap_nametoport: the port of a service name and whether it is TCP-only, UDP-only or both ("any"). */
export function lookupPort(name: string): { port: number; proto: number | "any" } | undefined {
  const tcp = serviceLookup(name, "tcp");
  const udp = serviceLookup(name, "udp");
  if (tcp >= 0) return { port: tcp, proto: udp >= 0 && udp === tcp ? "any" : IPPROTO.TCP };
  if (udp >= 0) return { port: udp, proto: IPPROTO.UDP };
  return undefined;
}

/** pcap_nametoportrange: "N-M" (numbers), or "name-name". */
export function lookupPortRange(text: string): { first: number; last: number; proto: number | "any" } | undefined {
  // sscanf("%d-%d") semantics: leading numbers, anything after the second is ignored
  const numeric = /^\s*([+-]?\d+)-\s*([+-]?\d+)/.exec(text);
  if (numeric) return { first: Number(numeric[1]), last: Number(numeric[2]), proto: "any" };
  const dash = text.indexOf("-");
  if (dash < 0) return undefined;
  const a = lookupPort(text.slice(0, dash));
  if (!a) return undefined;
  const b = lookupPort(text.slice(dash + 1));
  if (!b) return undefined;
  return { first: a.port, last: b.port, proto: a.proto === b.proto ? b.proto : "any" };
}

/** getprotobyname. */
export function lookupIpProtocol(name: string): number | undefined {
  if (!protocols) {
    protocols = new Map();
    for (const [n, num, ...aliases] of lines(readTable("/etc/protocols", FALLBACK_PROTOCOLS))) {
      if (!n || !/^\d+$/.test(num ?? "")) continue;
      for (const key of [n, ...aliases]) if (!protocols.has(key)) protocols.set(key, Number(num));
    }
  }
  return protocols.get(name);
}

const ETHER_PROTOCOLS: Record<string, number> = {
  aarp: 0x80f3,
  arp: 0x0806,
  atalk: 0x809b,
  decnet: 0x6003,
  ip: 0x0800,
  ip6: 0x86dd,
  lat: 0x6004,
  loopback: 0x9000,
  mopdl: 0x6001,
  moprc: 0x6002,
  rarp: 0x8035,
  sca: 0x6007,
};
const LLC_PROTOCOLS: Record<string, number> = { iso: 0xfe, stp: 0x42, ipx: 0xe0, netbeui: 0xf0 };

/** pcap_nametoeproto, then pcap_nametollc. */
export function lookupEtherProtocol(name: string): number | undefined {
  return ETHER_PROTOCOLS[name] ?? LLC_PROTOCOLS[name];
}

/** inet_network(): "a.b.c.d" with fewer parts right-aligned, numbers in C notation. */
function inetNetwork(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;
  let v = 0;
  for (const p of parts) {
    const n = /^0[xX][0-9a-fA-F]+$/.test(p)
      ? parseInt(p, 16)
      : /^0[0-7]*$/.test(p)
        ? parseInt(p, 8)
        : /^[1-9]\d*$/.test(p)
          ? Number(p)
          : NaN;
    if (!Number.isFinite(n) || n > 255) return undefined;
    v = (v << 8) | n;
  }
  return v >>> 0;
}

/** getnetbyname (/etc/networks); 0 when unknown, as pcap_nametonetaddr returns. */
export function lookupNetwork(name: string): number {
  if (!networks) {
    networks = new Map();
    for (const [n, num, ...aliases] of lines(readTable("/etc/networks", ""))) {
      const v = num === undefined ? undefined : inetNetwork(num);
      if (!n || v === undefined) continue;
      for (const key of [n, ...aliases]) if (!networks.has(key)) networks.set(key, v);
    }
  }
  return networks.get(name) ?? 0;
}

/** Addresses of a host name in /etc/hosts, in file order (IPv4 as dotted quads, IPv6 as text). */
export function lookupHost(name: string): string[] {
  if (!hosts) {
    hosts = new Map();
    for (const [addr, ...names] of lines(readTable("/etc/hosts", "127.0.0.1 localhost\n::1 localhost"))) {
      if (!addr) continue;
      for (const n of names) {
        const list = hosts.get(n) ?? [];
        if (!list.includes(addr)) list.push(addr);
        hosts.set(n, list);
      }
    }
  }
  return hosts.get(name) ?? [];
}
