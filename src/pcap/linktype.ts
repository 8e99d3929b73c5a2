// LINKTYPE_* values as they appear in pcap and pcapng files (tcpdump.org/linktypes.html), with the
// names tcpdump prints. Only the values a user is likely to meet are named; others print as numbers.

export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  USB_LINUX_MMAPPED: 220,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
  VSOCK: 271,
} as const;
export type LinkTypeValue = (typeof LinkType)[keyof typeof LinkType];

const NAMES: Record<number, [string, string]> = {
  0: ["NULL", "BSD loopback"],
  1: ["EN10MB", "Ethernet"],
  9: ["PPP", "PPP"],
  101: ["RAW", "Raw IP"],
  104: ["C_HDLC", "Cisco HDLC"],
  105: ["IEEE802_11", "802.11"],
  113: ["LINUX_SLL", "Linux cooked v1"],
  127: ["IEEE802_11_RADIO", "802.11 plus radiotap header"],
  220: ["USB_LINUX_MMAPPED", "USB with padded Linux header"],
  228: ["IPV4", "Raw IPv4"],
  229: ["IPV6", "Raw IPv6"],
  239: ["NFLOG", "Linux netfilter log messages"],
  271: ["VSOCK", "Linux vsock"],
  276: ["LINUX_SLL2", "Linux cooked v2"],
};

/** tcpdump's short name of a link type ("EN10MB"), or "LINKTYPE_<n>". */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType]?.[0] ?? `LINKTYPE_${linkType}`;
}

/** tcpdump's description of a link type ("Ethernet"). */
export function linkTypeDescription(linkType: number): string {
  return NAMES[linkType]?.[1] ?? `link type ${linkType}`;
}

/** The largest snapshot length libpcap accepts for a link type (pcap/pcap-int.h). */
export function maxSnaplenFor(linkType: number): number {
  if (linkType === 231) return 128 * 1024 * 1024; // D-Bus messages
  if (linkType === 220 || linkType === 189 || linkType === 249 || linkType === 186) return 1024 * 1024; // USB
  if (linkType === 279) return 2 * 1024 * 1024; // EBHSCR
  return 262144;
}
