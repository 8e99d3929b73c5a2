// Name tables the printer needs: EtherTypes, IP protocol numbers, well-known TCP/UDP ports, OUIs,
// tables several decoders share, and the list of a flag word's bit names.
// The strings are the ones tcpdump prints; port names follow the IANA service names as Debian's
// netbase ships them in /etc/services (what tcpdump shows without -n).

const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, "IPv4"],
  [0x8847, "MPLS unicast"],
  [0x8848, "MPLS multicast"],
  [0x86dd, "IPv6"],
  [0x8100, "802.1Q"],
  [0x9100, "802.1Q-9100"],
  [0x88a8, "802.1Q-QinQ"],
  [0x9200, "802.1Q-9200"],
  [0x88e5, "802.1AE MACsec"],
  [0x0200, "PUP"],
  [0x0806, "ARP"],
  [0x8035, "Reverse ARP"],
  [0x0600, "NS"],
  [0x0500, "Sprite"],
  [0x1000, "Trail"],
  [0x6001, "MOP DL"],
  [0x6002, "MOP RC"],
  [0x6003, "DN"],
  [0x6004, "LAT"],
  [0x6007, "SCA"],
  [0x6558, "TEB"],
  [0x8038, "Lanbridge"],
  [0x803c, "DEC DNS"],
  [0x803e, "DEC DTS"],
  [0x805b, "VEXP"],
  [0x805c, "VPROD"],
  [0x809b, "Appletalk"],
  [0x80f3, "Appletalk ARP"],
  [0x8137, "IPX"],
  [0x880b, "PPP"],
  [0x8808, "MPCP"],
  [0x8809, "Slow Protocols"],
  [0x8863, "PPPoE D"],
  [0x8864, "PPPoE S"],
  [0x888e, "EAPOL"],
  [0x8899, "Realtek protocols"],
  [0x886f, "MS NLB heartbeat"],
  [0x8870, "Jumbo"],
  [0x894f, "NSH"],
  [0x9000, "Loopback"],
  [0xfefe, "OSI"],
  [0x00fe, "GRE-OSI"],
  [0xabcd, "CFM (old)"],
  [0x8902, "CFM"],
  [0x893a, "IEEE1905.1"],
  [0x88cc, "LLDP"],
  [0x88ca, "TIPC"],
  [0x0707, "GeoNet (old)"],
  [0x8947, "GeoNet"],
  [0x1111, "CALM FAST"],
  [0x88a2, "AoE"],
  [0x88f7, "PTP"],
  [0xd28b, "Arista Vendor Specific Protocol"],
]);

export function ethertypeName(type: number): string | undefined {
  return ETHERTYPE_NAMES.get(type);
}

/** tcpdump's short names of IP protocols ("proto TCP (6)" with -v). */
const IPPROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "Options"],
  [1, "ICMP"],
  [2, "IGMP"],
  [4, "IPIP"],
  [6, "TCP"],
  [8, "EGP"],
  [9, "IGRP"],
  [17, "UDP"],
  [33, "DCCP"],
  [41, "IPv6"],
  [43, "Routing"],
  [44, "Fragment"],
  [46, "RSVP"],
  [47, "GRE"],
  [50, "ESP"],
  [51, "AH"],
  [55, "Mobile IP"],
  [58, "ICMPv6"],
  [62, "Mobile IP (old)"],
  [88, "EIGRP"],
  [89, "OSPF"],
  [103, "PIM"],
  [108, "Compressed IP"],
  [112, "VRRP"],
  [113, "PGM"],
  [132, "SCTP"],
  [135, "Mobility"],
  [143, "Ethernet"],
]);

export function ipProtoName(proto: number): string | undefined {
  return IPPROTO_NAMES.get(proto);
}

// IANA protocol keywords in /etc/protocols spelling, by number; "_" marks unassigned.
const NETDB_PROTOCOLS =
  "hopopt icmp igmp ggp ipencap st tcp cbt egp igp bbn-rcc-mon nvp-ii pup argus emcon xnet chaos " +
  "udp mux dcn-meas hmp prm xns-idp trunk-1 trunk-2 leaf-1 leaf-2 rdp irtp iso-tp4 netblt mfe-nsp " +
  "merit-inp dccp 3pc idpr xtp ddp idpr-cmtp tp++ il ipv6 sdrp ipv6-route ipv6-frag idrp rsvp gre " +
  "dsr bna esp ah i-nlsp swipe narp mobile tlsp skip ipv6-icmp ipv6-nonxt ipv6-opts _ cftp _ " +
  "sat-expak kryptolan rvd ippc _ sat-mon visa ipcv cpnx rspf wsn pvp br-sat-mon sun-nd wb-mon " +
  "wb-expak iso-ip vmtp secure-vmtp vines ttp nsfnet-igp dgp tcf eigrp ospf sprite-rpc larp mtp " +
  "ax.25 ipip micp scc-sp etherip encap _ gmtp ifmp pnni pim aris scps qnx a/n ipcomp snp " +
  "compaq-peer ipx-in-ip vrrp pgm _ l2tp ddx iatp stp srp uti smp sm ptp isis fire crtp crudp " +
  "sscopmce iplt sps pipe sctp fc rsvp-e2e-ignore mobility-header udplite mpls-in-ip manet hip " +
  "shim6 wesp rohc _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ " +
  "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ " +
  "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ exptest-253 exptest-254 reserved ";

let netdbNames: string[] | undefined;

/** The /etc/protocols name of an IP protocol number (tcpdump prints it without -n). */
export function netdbProtoName(proto: number): string | undefined {
  netdbNames ??= NETDB_PROTOCOLS.trim().split(" ");
  const name = netdbNames[proto];
  return name === undefined || name === "_" ? undefined : name;
}

const TCP_SERVICES =
  "1 tcpmux 7 echo 9 discard 11 systat 13 daytime 15 netstat 17 qotd 19 chargen 20 ftp-data 21 ftp " +
  "22 ssh 23 telnet 25 smtp 37 time 43 whois 49 tacacs 53 domain 70 gopher 79 finger 80 http " +
  "88 kerberos 102 iso-tsap 104 acr-nema 106 poppassd 110 pop3 111 sunrpc 113 auth 119 nntp " +
  "135 epmap 139 netbios-ssn 143 imap2 161 snmp 162 snmp-trap 163 cmip-man 164 cmip-agent 174 mailq " +
  "179 bgp 199 smux 209 qmtp 210 z3950 345 pawserv 346 zserv 369 rpc2portmap 370 codaauth2 389 ldap " +
  "427 svrloc 443 https 444 snpp 445 microsoft-ds 464 kpasswd 465 submissions 487 saft 512 exec " +
  "513 login 514 shell 515 printer 538 gdomap 540 uucp 543 klogin 544 kshell 548 afpovertcp " +
  "554 rtsp 563 nntps 587 submission 607 nqs 628 qmqp 631 ipp 636 ldaps 646 ldp 655 tinc 706 silc " +
  "749 kerberos-adm 750 kerberos4 751 kerberos-master 754 krb-prop 775 moira-db 777 moira-update " +
  "783 spamd 853 domain-s 871 supfilesrv 873 rsync 989 ftps-data 990 ftps 992 telnets 993 imaps " +
  "995 pop3s 1080 socks 1093 proofd 1094 rootd 1099 rmiregistry 1127 supfiledbg 1178 skkserv " +
  "1194 openvpn 1236 rmtcfg 1313 xtel 1314 xtelw 1352 lotusnote 1433 ms-sql-s 1524 ingreslock " +
  "1645 datametrics 1646 sa-msg-port 1649 kermit 1677 groupwise 1812 radius 1813 radius-acct " +
  "2000 cisco-sccp 2049 nfs 2086 gnunet 2101 rtcm-sc104 2119 gsigatekeeper 2121 iprop 2135 gris " +
  "2401 cvspserver 2430 venus 2431 venus-se 2432 codasrv 2433 codasrv-se 2583 mon 2600 zebrasrv " +
  "2601 zebra 2602 ripd 2603 ripngd 2604 ospfd 2605 bgpd 2606 ospf6d 2607 ospfapi 2608 isisd " +
  "2628 dict 2792 f5-globalsite 2811 gsiftp 2947 gpsd 3050 gds-db 3205 isns 3260 iscsi-target " +
  "3306 mysql 3389 ms-wbt-server 3493 nut 3632 distcc 3689 daap 3690 svn 4031 suucp 4094 sysrqd " +
  "4190 sieve 4353 f5-iquery 4369 epmd 4373 remctl 4460 ntske 4557 fax 4559 hylafax 4691 mtn " +
  "4899 radmin-port 4949 munin 5060 sip 5061 sip-tls 5222 xmpp-client 5269 xmpp-server " +
  "5308 cfengine 5432 postgresql 5556 freeciv 5666 nrpe 5667 nsca 5671 amqps 5672 amqp 5680 canna " +
  "6000 x11 6001 x11-1 6002 x11-2 6003 x11-3 6004 x11-4 6005 x11-5 6006 x11-6 6007 x11-7 " +
  "6346 gnutella-svc 6347 gnutella-rtr 6379 redis 6444 sge-qmaster 6445 sge-execd 6446 mysql-proxy " +
  "6514 syslog-tls 6566 sane-port 6667 ircd 6697 ircs-u 7000 bbs 7100 font-service 8021 zope-ftp " +
  "8080 http-alt 8081 tproxy 8088 omniorb 8140 puppet 8990 clc-build-daemon 9098 xinetd " +
  "9101 bacula-dir 9102 bacula-fd 9103 bacula-sd 9418 git 9667 xmms2 9673 zope 10000 webmin " +
  "10050 zabbix-agent 10051 zabbix-trapper 10080 amanda 10081 kamanda 10082 amandaidx " +
  "10083 amidxtape 10809 nbd 11112 dicom 11371 hkp 17004 sgi-cad 17500 db-lsp 22125 dcap " +
  "22128 gsidcap 22273 wnn6 24554 binkp 27374 asp 30865 csync2 57000 dircproxy 60177 tfido " +
  "60179 fido ";
const UDP_SERVICES =
  "7 echo 9 discard 13 daytime 19 chargen 21 fsp 37 time 49 tacacs 53 domain 67 bootps 68 bootpc " +
  "69 tftp 88 kerberos 111 sunrpc 123 ntp 137 netbios-ns 138 netbios-dgm 161 snmp 162 snmp-trap " +
  "163 cmip-man 164 cmip-agent 177 xdmcp 213 ipx 319 ptp-event 320 ptp-general 369 rpc2portmap " +
  "370 codaauth2 371 clearcase 389 ldap 427 svrloc 443 https 464 kpasswd 500 isakmp 512 biff " +
  "513 who 514 syslog 517 talk 518 ntalk 520 route 538 gdomap 546 dhcpv6-client 547 dhcpv6-server " +
  "554 rtsp 623 asf-rmcp 636 ldaps 646 ldp 655 tinc 750 kerberos4 751 kerberos-master " +
  "752 passwd-server 779 moira-ureg 853 domain-s 1194 openvpn 1210 predict 1434 ms-sql-m " +
  "1645 datametrics 1646 sa-msg-port 1701 l2f 1812 radius 1813 radius-acct 2049 nfs 2086 gnunet " +
  "2101 rtcm-sc104 2102 zephyr-srv 2103 zephyr-clt 2104 zephyr-hm 2430 venus 2431 venus-se " +
  "2432 codasrv 2433 codasrv-se 2583 mon 3130 icpv2 3205 isns 3493 nut 4500 ipsec-nat-t 4569 iax " +
  "5060 sip 5061 sip-tls 5353 mdns 5555 rplay 6346 gnutella-svc 6347 gnutella-rtr 6696 babel " +
  "7000 afs3-fileserver 7001 afs3-callback 7002 afs3-prserver 7003 afs3-vlserver 7004 afs3-kaserver " +
  "7005 afs3-volser 7007 afs3-bos 7008 afs3-update 7009 afs3-rmtsys 17001 sgi-cmsd 17002 sgi-crsd " +
  "17003 sgi-gcd 27374 asp ";

function parseServices(list: string): Map<number, string> {
  const map = new Map<number, string>();
  const parts = list.trim().split(" ");
  for (let i = 0; i + 1 < parts.length; i += 2) map.set(Number(parts[i]), parts[i + 1]!);
  return map;
}

let tcpServices: Map<number, string> | undefined;
let udpServices: Map<number, string> | undefined;

export function tcpServiceName(port: number): string | undefined {
  tcpServices ??= parseServices(TCP_SERVICES);
  return tcpServices.get(port);
}

export function udpServiceName(port: number): string | undefined {
  udpServices ??= parseServices(UDP_SERVICES);
  return udpServices.get(port);
}

/** Organisation names tcpdump appends to MAC addresses without -n: "(oui Cisco)". */
const OUI_NAMES: ReadonlyMap<number, string> = new Map([
  [0x000000, "Ethernet"],
  [0x00000c, "Cisco"],
  [0x00005e, "IANA"],
  [0x000081, "Nortel Networks SONMP"],
  [0x0000f8, "Cisco bridged"],
  [0x0080c2, "Ethernet bridged"],
  [0x00a03e, "ATM Forum"],
  [0x00e02f, "DOCSIS Spanning Tree"],
  [0x080007, "Appletalk"],
  [0x009069, "Juniper"],
  [0x080009, "Hewlett-Packard"],
  [0x00120f, "IEEE 802.3 Private"],
  [0x0012bb, "ANSI/TIA"],
  [0x001b21, "DCBX"],
  [0x002320, "Nicira Networks"],
  [0x5c16c7, "Big Switch Networks"],
  [0xb0d2f5, "Vello Systems"],
  [0x002481, "HP"],
  [0x0004ea, "HP-Labs"],
  [0x748771, "Infoblox Inc"],
  [0xa42305, "Open Networking Lab"],
  [0x00049f, "Freescale"],
  [0x0015ad, "Netronome"],
  [0x001018, "Broadcom"],
  [0x00e004, "PMC-Sierra"],
  [0xd0f0db, "Ericsson"],
]);

/** The OUI's name; `unknown` for those tcpdump does not name (its callers spell that differently). */
export function ouiName(oui: number, unknown = "Unknown"): string {
  return OUI_NAMES.get(oui) ?? unknown;
}

/** SMI network management private enterprise codes tcpdump names (IANA's registry, a selection: RADIUS Vendor-Specific, LSP ping). */
const SMI_ENTERPRISES: ReadonlyMap<number, string> = new Map([
  [0, "IETF (reserved)"],
  [5, "ACC"],
  [9, "Cisco"],
  [11, "Hewlett Packard"],
  [42, "Sun Microsystems"],
  [61, "Merit"],
  [74, "AT&T"],
  [161, "Motorola"],
  [166, "Shiva"],
  [193, "Ericsson AB"],
  [255, "Cisco VPN 5000"],
  [307, "Livingston"],
  [311, "Microsoft"],
  [429, "3Com"],
  [529, "Ascend"],
  [1584, "Bay Networks"],
  [1991, "Foundry"],
  [2180, "Versanet"],
  [2352, "Redback"],
  [2636, "Juniper Networks"],
  [2637, "Aptis"],
  [2937, "Deutsche Telekom AG"],
  [3054, "Ixia Communications"],
  [3076, "Cisco VPN 3000"],
  [3085, "CoSine Communications"],
  [3224, "Netscreen"],
  [3199, "Shasta"],
  [3309, "Nomadix"],
  [3414, "T-Mobile"],
  [3561, "The Broadband Forum"],
  [3902, "ZTE"],
  [4329, "Siemens"],
  [4491, "CableLabs"],
  [4874, "Unisphere Networks"],
  [5263, "Cisco BBSM"],
  [5535, "3rd Generation Partnership Project 2 (3GPP2)"],
  [5806, "SK Telecom"],
  [5925, "ipUnplugged"],
  [5948, "Issanni Communications"],
  [5951, "Netscaler"],
  [6490, "T-Mobile"],
  [6618, "Quintum"],
  [6728, "Interlink"],
  [7951, "CNCTC"],
  [8164, "Starent Networks"],
  [8744, "Colubris"],
  [10415, "3GPP"],
  [10529, "Gemtek-Systems"],
  [10704, "Barracuda Networks"],
  [10923, "Ericsson AB - Packet Core Networks"],
  [11665, "dacom"],
  [11862, "Columbia University"],
  [12356, "Fortinet"],
  [12951, "Verizon Wireless"],
  [13745, "Plixer"],
  [14122, "Wi-Fi Alliance"],
  [16787, "T-Systems Nova"],
  [20942, "China Telecom - Guangzhou Research Institute"],
  [26866, "Gigamon Systems"],
  [32622, "CACE Technologies"],
  [35632, "ntop"],
  [46098, "Ericsson Canada"],
]);

/** The name tcpdump gives an SMI private enterprise code, or undefined. */
export function smiEnterpriseName(code: number): string | undefined {
  return SMI_ENTERPRISES.get(code);
}

/** The organisation's name, undefined when tcpdump's table has none. */
export function knownOuiName(oui: number): string | undefined {
  return OUI_NAMES.get(oui);
}

/** tcpdump's names of PPP protocols. */
export const PPP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0021, "IP"],
  [0x0023, "OSI"],
  [0x0025, "NS"],
  [0x0027, "DECNET"],
  [0x0029, "APPLE"],
  [0x002b, "IPX"],
  [0x002d, "VJC IP"],
  [0x002f, "VJNC IP"],
  [0x0031, "BRPDU"],
  [0x0033, "STII"],
  [0x0035, "VINES"],
  [0x0281, "MPLS"],
  [0x0283, "MPLS"],
  [0x00fd, "Compressed"],
  [0x003d, "MLPPP"],
  [0x0057, "IP6"],
  [0x0201, "HELLO"],
  [0x0231, "LUXCOM"],
  [0x0233, "SNS"],
  [0x8021, "IPCP"],
  [0x8023, "OSICP"],
  [0x8025, "NSCP"],
  [0x8027, "DECNETCP"],
  [0x8029, "APPLECP"],
  [0x802b, "IPXCP"],
  [0x8033, "STIICP"],
  [0x8035, "VINESCP"],
  [0x8057, "IP6CP"],
  [0x8281, "MPLSCP"],
  [0xc021, "LCP"],
  [0xc023, "PAP"],
  [0xc025, "LQM"],
  [0xc223, "CHAP"],
  [0xc227, "EAP"],
  [0xc027, "SPAP"],
  [0xc123, "Old-SPAP"],
  [0xc02b, "BACP"],
  [0xc02d, "BAP"],
  [0xc03d, "MLPPP-CP"],
  [0x80fd, "CCP"],
]);

/** GMPLS (RFC 3471) link protection bits, as IS-IS and OSPF traffic engineering carry them. */
export const GMPLS_LINK_PROTECTIONS: readonly (readonly [number, string])[] = [
  [0x01, "Extra Traffic"],
  [0x02, "Unprotected"],
  [0x04, "Shared"],
  [0x08, "Dedicated 1:1"],
  [0x10, "Dedicated 1+1"],
  [0x20, "Enhanced"],
  [0x40, "Reserved"],
  [0x80, "Reserved"],
];

/** GMPLS (RFC 3471) interface switching capabilities. */
export const GMPLS_SWITCH_CAPABILITIES: ReadonlyMap<number, string> = new Map([
  [1, "Packet-Switch Capable-1"],
  [2, "Packet-Switch Capable-2"],
  [3, "Packet-Switch Capable-3"],
  [4, "Packet-Switch Capable-4"],
  [51, "Layer-2 Switch Capable"],
  [100, "Time-Division-Multiplex"],
  [150, "Lambda-Switch Capable"],
  [200, "Fiber-Switch Capable"],
]);

/** GMPLS (RFC 3471) LSP encoding types. */
export const GMPLS_LSP_ENCODINGS: ReadonlyMap<number, string> = new Map([
  [1, "Packet"],
  [2, "Ethernet V2/DIX"],
  [3, "ANSI/ETSI PDH"],
  [4, "Reserved"],
  [5, "SDH ITU-T G.707/SONET ANSI T1.105"],
  [6, "Reserved"],
  [7, "Digital Wrapper"],
  [8, "Lambda (photonic)"],
  [9, "Fiber"],
  [10, "Reserved"],
  [11, "FiberChannel"],
]);

/** Address family numbers (IANA) as tcpdump names them. */
export const ADDRESS_FAMILY_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "Reserved"],
  [1, "IPv4"],
  [2, "IPv6"],
  [3, "NSAP"],
  [4, "HDLC"],
  [5, "BBN 1822"],
  [6, "802"],
  [7, "E.163"],
  [8, "E.164"],
  [9, "F.69"],
  [10, "X.121"],
  [11, "Novell IPX"],
  [12, "Appletalk"],
  [13, "Decnet IV"],
  [14, "Banyan Vines"],
  [15, "E.164 with NSAP subaddress"],
  [196, "Layer-2 VPN"],
  [25, "VPLS"],
]);

/**
 * The names of the bits set in `value`, joined by ", ", or `none` when no named bit is set:
 * tcpdump's bittok2str. An entry names its bits when any of them is set.
 */
export function flagNames(table: readonly (readonly [number, string])[], value: number, none = "none"): string {
  let names = "";
  for (const [bit, name] of table) if (value & bit) names += (names === "" ? "" : ", ") + name;
  return names === "" ? none : names;
}
