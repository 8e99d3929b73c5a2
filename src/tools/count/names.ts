// Names for EtherTypes and IP protocol numbers, as the count tool prints and labels them.
// Names are lower-case identifiers (stable: they appear in NDJSON and as metric label values);
// numbers without a name here print as hex (EtherTypes) or decimal (IP protocols).

const ETHER_TYPES: ReadonlyMap<number, string> = new Map([
  [0x0000, "802.3"], // the count program folds every 802.3 length value into 0
  [0x0800, "ipv4"],
  [0x0806, "arp"],
  [0x0842, "wol"],
  [0x22f0, "avtp"],
  [0x22f3, "trill"],
  [0x6003, "decnet"],
  [0x8035, "rarp"],
  [0x809b, "appletalk"],
  [0x80f3, "aarp"],
  [0x8100, "vlan"],
  [0x8137, "ipx"],
  [0x86dd, "ipv6"],
  [0x8808, "ethernet_flow_control"],
  [0x8809, "slow_protocols"],
  [0x8847, "mpls"],
  [0x8848, "mpls_multicast"],
  [0x8863, "pppoe_discovery"],
  [0x8864, "pppoe_session"],
  [0x887b, "homeplug"],
  [0x888e, "eapol"],
  [0x8892, "profinet"],
  [0x889a, "hyperscsi"],
  [0x88a2, "aoe"],
  [0x88a4, "ethercat"],
  [0x88a8, "qinq"],
  [0x88b8, "goose"],
  [0x88cc, "lldp"],
  [0x88e1, "homeplug_av"],
  [0x88e3, "mrp"],
  [0x88e5, "macsec"],
  [0x88e7, "pbb"],
  [0x88f7, "ptp"],
  [0x8902, "cfm"],
  [0x8906, "fcoe"],
  [0x8914, "fcoe_init"],
  [0x8915, "roce"],
  [0x891d, "tte"],
  [0x892f, "hsr"],
  [0x9000, "loopback"],
  [0x9100, "vlan_double"],
]);

const IP_PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [0, "hopopt"],
  [1, "icmp"],
  [2, "igmp"],
  [4, "ipip"],
  [6, "tcp"],
  [8, "egp"],
  [17, "udp"],
  [27, "rdp"],
  [33, "dccp"],
  [41, "ipv6"],
  [43, "ipv6_route"],
  [44, "ipv6_frag"],
  [46, "rsvp"],
  [47, "gre"],
  [50, "esp"],
  [51, "ah"],
  [58, "icmpv6"],
  [59, "ipv6_nonxt"],
  [60, "ipv6_opts"],
  [88, "eigrp"],
  [89, "ospf"],
  [94, "ipip_ka9q"],
  [97, "etherip"],
  [103, "pim"],
  [108, "ipcomp"],
  [112, "vrrp"],
  [115, "l2tp"],
  [132, "sctp"],
  [136, "udplite"],
  [137, "mpls_in_ip"],
  [143, "ethernet"],
  [255, "raw"],
]);

/** "0x86dd": the EtherType as it is written in standards, four hex digits. */
export function etherTypeHex(type: number): string {
  return `0x${type.toString(16).padStart(4, "0")}`;
}

/** "ipv4", "arp", … or the hex value when the type has no name here. */
export function etherTypeName(type: number): string {
  return ETHER_TYPES.get(type) ?? etherTypeHex(type);
}

/** "tcp", "udp", "icmpv6", … or the decimal number. */
export function ipProtocolName(protocol: number): string {
  return IP_PROTOCOLS.get(protocol) ?? String(protocol);
}
