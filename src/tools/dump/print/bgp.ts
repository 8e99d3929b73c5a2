// BGP (RFC 4271) as tcpdump prints it: ": BGP" after TCP's line without -v; with -v every message
// in the segment (found by its marker): open with its optional parameters and capabilities,
// update with withdrawn routes, path attributes and NLRI, notification with its codes (and the
// shutdown communication of RFC 9003), keepalive and route refresh; -vv adds hex dumps.
//
// Multiprotocol NLRI are decoded for every address family tcpdump decodes: IPv4 and IPv6
// unicast and multicast, labeled unicast, labeled VPN, multicast VPN, MDT, route target routing
// information, L2VPN/VPLS and CLNP.
//
// A message whose own lengths run out gets " [|bgp]" and the next message is printed; a read
// past the captured data unwinds the packet with the same marker, as tcpdump's does.

import { be16, be32, be64, has, u8, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, ipv6FromBytes, ipv6String } from "./addr.js";
import { hexPrint, printableChar, printUnknownData } from "./unknown.js";
import { ADDRESS_FAMILY_NAMES } from "./names.js";

const HEADER_LENGTH = 19;
const OPEN_LENGTH = 29;
const NOTIFICATION_LENGTH = 21;
const ROUTE_REFRESH_LENGTH = 23;

const OPEN = 1;
const UPDATE = 2;
const NOTIFICATION = 3;
const KEEPALIVE = 4;
const ROUTE_REFRESH = 5;
const MESSAGES = ["", "Open", "Update", "Notification", "Keepalive", "Route Refresh"];

const ATTRIBUTES = new Map([
  [1, "Origin"],
  [2, "AS Path"],
  [17, "AS4 Path"],
  [3, "Next Hop"],
  [4, "Multi Exit Discriminator"],
  [5, "Local Preference"],
  [6, "Atomic Aggregate"],
  [7, "Aggregator"],
  [18, "Aggregator4"],
  [8, "Community"],
  [9, "Originator ID"],
  [10, "Cluster List"],
  [11, "DPA"],
  [12, "Advertisers"],
  [13, "RCID Path / Cluster ID"],
  [14, "Multi-Protocol Reach NLRI"],
  [15, "Multi-Protocol Unreach NLRI"],
  [16, "Extended Community"],
  [22, "PMSI Tunnel"],
  [23, "Tunnel Encapsulation"],
  [24, "Traffic Engineering"],
  [25, "IPv6 Extended Community"],
  [26, "Accumulated IGP Metric"],
  [27, "PE Distinguisher Label"],
  [28, "Entropy Label"],
  [32, "Large Community"],
  [128, "Attribute Set"],
  [255, "Reserved for development"],
]);
const ORIGIN = 1;
const AS_PATH = 2;
const NEXT_HOP = 3;
const MULTI_EXIT_DISC = 4;
const LOCAL_PREF = 5;
const ATOMIC_AGGREGATE = 6;
const AGGREGATOR = 7;
const COMMUNITIES = 8;
const ORIGINATOR_ID = 9;
const CLUSTER_LIST = 10;
const MP_REACH_NLRI = 14;
const MP_UNREACH_NLRI = 15;
const EXTENDED_COMMUNITIES = 16;
const AS4_PATH = 17;
const AGGREGATOR4 = 18;
const PMSI_TUNNEL = 22;
const AIGP = 26;
const LARGE_COMMUNITY = 32;
const ATTRIBUTE_SET = 128;

const ORIGINS = ["IGP", "EGP", "Incomplete"];
// AS path segment brackets: set, sequence, confederation sequence, confederation set.
const SEGMENT_OPEN = ["?", "{ ", "", "( ", "({ "];
const SEGMENT_CLOSE = ["?", "}", "", ")", "})"];

const OPTIONS = ["", "Authentication Information", "Capabilities Advertisement"];
const OPTION_CAPABILITIES = 2;
const CAPABILITIES = new Map([
  [1, "Multiprotocol Extensions"],
  [2, "Route Refresh"],
  [3, "Cooperative Route Filtering"],
  [4, "Multiple Routes to a Destination"],
  [5, "Extended Next Hop Encoding"],
  [8, "Multiple Labels"],
  [64, "Graceful Restart"],
  [65, "32-Bit AS Number"],
  [67, "Dynamic Capability"],
  [68, "Multisession BGP"],
  [69, "Multiple Paths"],
  [70, "Enhanced Route Refresh"],
  [71, "Long-lived Graceful Restart"],
  [128, "Route Refresh (Cisco)"],
]);
const ADD_PATH_MODES = ["", "Receive", "Send", "Both"];

const NOTIFY_MAJOR = [
  "",
  "Message Header Error",
  "OPEN Message Error",
  "UPDATE Message Error",
  "Hold Timer Expired",
  "Finite State Machine Error",
  "Cease",
  "Capability Message Error",
];
const NOTIFY_MSG = ["", "Connection Not Synchronized", "Bad Message Length", "Bad Message Type"];
const NOTIFY_OPEN = [
  "",
  "Unsupported Version Number",
  "Bad Peer AS",
  "Bad BGP Identifier",
  "Unsupported Optional Parameter",
  "Authentication Failure",
  "Unacceptable Hold Time",
  "Capability Message Error",
];
const NOTIFY_UPDATE = [
  "",
  "Malformed Attribute List",
  "Unrecognized Well-known Attribute",
  "Missing Well-known Attribute",
  "Attribute Flags Error",
  "Attribute Length Error",
  "Invalid ORIGIN Attribute",
  "AS Routing Loop",
  "Invalid NEXT_HOP Attribute",
  "Optional Attribute Error",
  "Invalid Network Field",
  "Malformed AS_PATH",
];
const NOTIFY_FSM = ["Unspecified Error", "In OpenSent State", "In OpenConfirm State", "In Established State"];
const NOTIFY_CAP = [
  "",
  "Invalid Action Value",
  "Invalid Capability Length",
  "Malformed Capability Value",
  "Unsupported Capability Code",
];
const NOTIFY_CEASE = [
  "",
  "Maximum Number of Prefixes Reached",
  "Administrative Shutdown",
  "Peer Unconfigured",
  "Administrative Reset",
  "Connection Rejected",
  "Other Configuration Change",
  "Connection Collision Resolution",
];
const CEASE_MAX_PREFIXES = 1;
const CEASE_SHUTDOWN = 2;
const CEASE_RESET = 4;

const AF_INET = 1;
const AF_INET6 = 2;
const AF_NSAP = 3;
const AF_VPLS = 25;
const AF_L2VPN = 196;
const SAFIS = new Map([
  [0, "Reserved"],
  [1, "Unicast"],
  [2, "Multicast"],
  [3, "Unicast+Multicast"],
  [4, "labeled Unicast"],
  [64, "Tunnel"],
  [65, "VPLS"],
  [66, "MDT"],
  [70, "EVPN"],
  [128, "labeled VPN Unicast"],
  [129, "labeled VPN Multicast"],
  [130, "labeled VPN Unicast+Multicast"],
  [132, "Route Target Routing Information"],
  [5, "Multicast VPN"],
]);
const SAFI_UNICAST = 1;
const SAFI_MULTICAST = 2;
const SAFI_UNIMULTICAST = 3;
const SAFI_LABELED_UNICAST = 4;
const SAFI_MULTICAST_VPN = 5;
const SAFI_VPLS = 65;
const SAFI_MDT = 66;
const SAFI_VPN_UNICAST = 128;
const SAFI_VPN_MULTICAST = 129;
const SAFI_VPN_UNIMULTICAST = 130;
const SAFI_RT_ROUTING_INFO = 132;

/** The address family and SAFI pairs tcpdump decodes MP NLRI for. */
const DECODED_AF_SAFI = new Set([
  (AF_INET << 8) | SAFI_UNICAST,
  (AF_INET << 8) | SAFI_MULTICAST,
  (AF_INET << 8) | SAFI_UNIMULTICAST,
  (AF_INET << 8) | SAFI_LABELED_UNICAST,
  (AF_INET << 8) | SAFI_RT_ROUTING_INFO,
  (AF_INET << 8) | SAFI_VPN_UNICAST,
  (AF_INET << 8) | SAFI_VPN_MULTICAST,
  (AF_INET << 8) | SAFI_VPN_UNIMULTICAST,
  (AF_INET << 8) | SAFI_MULTICAST_VPN,
  (AF_INET << 8) | SAFI_MDT,
  (AF_INET6 << 8) | SAFI_UNICAST,
  (AF_INET6 << 8) | SAFI_MULTICAST,
  (AF_INET6 << 8) | SAFI_UNIMULTICAST,
  (AF_INET6 << 8) | SAFI_LABELED_UNICAST,
  (AF_INET6 << 8) | SAFI_VPN_UNICAST,
  (AF_INET6 << 8) | SAFI_VPN_MULTICAST,
  (AF_INET6 << 8) | SAFI_VPN_UNIMULTICAST,
  (AF_NSAP << 8) | SAFI_UNICAST,
  (AF_NSAP << 8) | SAFI_MULTICAST,
  (AF_NSAP << 8) | SAFI_UNIMULTICAST,
  (AF_NSAP << 8) | SAFI_VPN_UNICAST,
  (AF_NSAP << 8) | SAFI_VPN_MULTICAST,
  (AF_NSAP << 8) | SAFI_VPN_UNIMULTICAST,
  (AF_L2VPN << 8) | SAFI_VPN_UNICAST,
  (AF_L2VPN << 8) | SAFI_VPN_MULTICAST,
  (AF_L2VPN << 8) | SAFI_VPN_UNIMULTICAST,
  (AF_VPLS << 8) | SAFI_VPLS,
]);

const EXTENDED_COMMUNITY_TYPES = new Map([
  [0x0002, "target"],
  [0x0102, "target"],
  [0x0202, "target"],
  [0x0003, "origin"],
  [0x0103, "origin"],
  [0x0203, "origin"],
  [0x4004, "link-BW"],
  [0x0005, "ospf-domain"],
  [0x0105, "ospf-domain"],
  [0x0205, "ospf-domain"],
  [0x8005, "ospf-domain"],
  [0x0306, "ospf-route-type"],
  [0x8000, "ospf-route-type"],
  [0x030c, "encapsulation"],
  [0x0107, "ospf-router-id"],
  [0x8001, "ospf-router-id"],
  [0x800a, "layer2-info"],
  [0x8800, "eigrp-general-route (flag, tag)"],
  [0x8801, "eigrp-route-metric (AS, delay)"],
  [0x8802, "eigrp-route-metric (reliability, nexthop, bandwidth)"],
  [0x8803, "eigrp-route-metric (load, MTU)"],
  [0x8804, "eigrp-external-route (remote-AS, remote-ID)"],
  [0x8805, "eigrp-external-route (remote-proto, remote-metric)"],
  [0x0009, "source-AS"],
  [0x010b, "vrf-route-import"],
  [0x000a, "l2vpn-id"],
  [0xf10a, "l2vpn-id"],
]);
const TUNNEL_TYPES = [
  "",
  "L2TPv3 over IP",
  "GRE",
  "Transmit Tunnel",
  "IPsec",
  "IP in IP with IPsec",
  "MPLS in IP with IPsec",
  "IP in IP",
  "VXLAN",
  "NVGRE",
  "MPLS",
  "MPLS in GRE",
  "VXLAN GPE",
  "MPLS in UDP",
  "IPv6",
  "SR TE",
  "Bare",
  "SR",
];
const OSPF_ROUTE_TYPES = new Map([
  [1, "Router"],
  [2, "Network"],
  [3, "Summary"],
  [5, "External"],
  [7, "NSSA External"],
  [129, "MPLS-VPN Sham"],
]);
const PMSI_TUNNELS = [
  "",
  "RSVP-TE P2MP LSP",
  "LDP P2MP LSP",
  "PIM-SSM Tree",
  "PIM-SM Tree",
  "PIM-Bidir Tree",
  "Ingress Replication",
  "LDP MP2MP LSP",
];

function trunc(c: PrintContext): void {
  c.out += " [|bgp]";
}

export function afName(af: number, unknown = "Unknown"): string {
  return ADDRESS_FAMILY_NAMES.get(af) ?? unknown;
}

function safiName(safi: number, unknown = "Unknown"): string {
  return SAFIS.get(safi) ?? unknown;
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

export function bgpPrint(c: PrintContext, at: number): void {
  c.protocol = "bgp";
  c.out += ": BGP";
  if (!c.flags.verbose) return;
  let p = at;
  let start = p;
  while (p < c.snapend) {
    if (c.bytes[p] !== 0xff) {
      p++;
      continue;
    }
    if (!has(c, p, 16)) break;
    let marker = true;
    for (let i = 1; i < 16 && marker; i++) marker = c.bytes[p + i] === 0xff;
    if (!marker) {
      p++;
      continue;
    }
    if (!has(c, p, HEADER_LENGTH)) return trunc(c);
    // Bytes before the marker belonged to a message cut off at the segment's start.
    if (start !== p) trunc(c);
    const length = be16(c, p + 16);
    if (length < HEADER_LENGTH) {
      c.out += "\nmessage length " + length + " < " + HEADER_LENGTH + " (invalid)";
      break;
    }
    if (!has(c, p, length)) {
      c.out += "\n[|BGP " + (MESSAGES[u8(c, p + 18)] || "Unknown Message Type") + "]";
      break;
    }
    messagePrint(c, p, length);
    p += length;
    start = p;
  }
}

function messagePrint(c: PrintContext, at: number, length: number): void {
  const type = u8(c, at + 18);
  c.out += "\n\t" + (MESSAGES[type] || "Unknown") + " Message (" + type + "), length: " + length;
  switch (type) {
    case OPEN:
      return openPrint(c, at, length);
    case UPDATE:
      return updatePrint(c, at, length);
    case NOTIFICATION:
      return notificationPrint(c, at, length);
    case KEEPALIVE:
      return;
    case ROUTE_REFRESH:
      return routeRefreshPrint(c, at, length);
    default:
      c.out += "\n\t  no Message " + type + " decoder";
      printUnknownData(c, at, "\n\t  ", length);
  }
}

function openPrint(c: PrintContext, at: number, length: number): void {
  if (!has(c, at, OPEN_LENGTH) || length < OPEN_LENGTH) return trunc(c);
  c.out += "\n\t  Version " + u8(c, at + 19) + ", ";
  c.out += "my AS " + be16(c, at + 20) + ", ";
  c.out += "Holdtime " + be16(c, at + 22) + "s, ";
  c.out += "ID " + ipv4String(c, at + 24);
  const optionsLength = u8(c, at + 28);
  c.out += "\n\t  Optional parameters, length: " + optionsLength;
  const opt = at + OPEN_LENGTH;
  length -= OPEN_LENGTH;
  let i = 0;
  while (i < optionsLength) {
    if (!has(c, opt + i, 2) || length < 2 + i) return trunc(c);
    const type = u8(c, opt + i);
    const len = u8(c, opt + i + 1);
    if (2 + i + len > optionsLength) {
      c.out += "\n\t     Option " + type + ", length: " + len + ", goes past the end of the options";
      break;
    }
    c.out += "\n\t    Option " + (OPTIONS[type] || "Unknown") + " (" + type + "), length: " + len;
    if (type === OPTION_CAPABILITIES) capabilitiesPrint(c, opt + 2 + i, len);
    else c.out += "\n\t      no decoder for option " + type;
    i += 2 + len;
  }
}

function afSafiCount(c: PrintContext, p: number): string {
  const af = be16(c, p);
  const safi = u8(c, p + 2);
  return "AFI " + afName(af) + " (" + af + "), SAFI " + safiName(safi) + " (" + safi + ")";
}

function capabilitiesPrint(c: PrintContext, opt: number, capsLength: number): void {
  let i = 0;
  while (i < capsLength) {
    if (!has(c, opt + i, 2)) return trunc(c);
    const type = u8(c, opt + i);
    const len = u8(c, opt + i + 1);
    c.out += "\n\t      " + (CAPABILITIES.get(type) ?? "Unknown") + " (" + type + "), length: " + len;
    if (!has(c, opt + 2 + i, len)) return trunc(c);
    const v = opt + i + 2;
    switch (type) {
      case 1:
        if (len < 4) {
          c.out += " (too short, < 4)";
          return;
        }
        c.out +=
          "\n\t\tAFI " +
          afName(be16(c, v)) +
          " (" +
          be16(c, v) +
          "), SAFI " +
          safiName(u8(c, v + 3)) +
          " (" +
          u8(c, v + 3) +
          ")";
        break;
      case 8:
        for (let left = len, q = v; left >= 4; left -= 4, q += 4)
          c.out += "\n\t\t" + afSafiCount(c, q) + ", Count: " + u8(c, q + 3);
        break;
      case 64: {
        if (len < 2) {
          c.out += " (too short, < 2)";
          return;
        }
        c.out +=
          "\n\t\tRestart Flags: [" + (u8(c, v) & 0x80 ? "R" : "none") + "], Restart Time " + (be16(c, v) & 0xfff) + "s";
        for (let left = len - 2, q = v + 2; left >= 4; left -= 4, q += 4)
          c.out +=
            "\n\t\t  " + afSafiCount(c, q) + ", Forwarding state preserved: " + (u8(c, q + 3) & 0x80 ? "yes" : "no");
        break;
      }
      case 2:
      case 71:
      case 128:
        break;
      case 65:
        if (len < 4) {
          c.out += " (too short, < 4)";
          return;
        }
        c.out += "\n\t\t 4 Byte AS " + be32(c, v);
        break;
      case 69:
        if (len === 0) {
          c.out += " (bogus)";
          break;
        }
        for (let left = len, q = v; left !== 0; left -= 4, q += 4) {
          if (left < 4) {
            c.out += " (invalid)";
            break;
          }
          const mode = u8(c, q + 3);
          c.out +=
            "\n\t\t" +
            afSafiCount(c, q) +
            ", Send/Receive: " +
            (ADD_PATH_MODES[mode] || "Bogus (0x" + hex2(mode) + ")");
        }
        break;
      default:
        c.out += "\n\t\tno decoder for Capability " + type;
        if (c.flags.verbose <= 1) printUnknownData(c, v, "\n\t\t", len);
    }
    if (c.flags.verbose > 1 && len !== 0) printUnknownData(c, v, "\n\t\t", len);
    i += 2 + len;
  }
}

/**
 * Whether NLRI look like they carry add-path identifiers (RFC 7911): they parse with 4-byte ids
 * in front and not without. tcpdump guesses the same way.
 */
function addPath(c: PrintContext, p: number, length: number, maxPrefix: number): boolean {
  if (length < 5) return false;
  let offset = 0;
  while (offset < length) {
    offset += 4;
    if (!has(c, p + offset, 1)) break;
    const bits = c.bytes[p + offset]!;
    if (bits > maxPrefix) return false;
    offset += 1 + Math.floor((bits + 7) / 8);
  }
  if (offset > length) return false;
  for (offset = 0; offset < length; ) {
    if (!has(c, p + offset, 1)) break;
    const bits = c.bytes[p + offset]!;
    if (bits < 1 || bits > maxPrefix) return true;
    offset += 1 + Math.floor((bits + 7) / 8);
  }
  return offset > length;
}

/** `bits` of prefix from `at`, masked, as an address of `size` bytes. */
function prefixBytes(c: PrintContext, at: number, bits: number, size: number): Uint8Array {
  const count = Math.floor((bits + 7) / 8);
  if (!has(c, at, count)) u8(c, c.snapend);
  const address = new Uint8Array(size);
  address.set(c.bytes.subarray(at, at + count));
  if (bits % 8) address[count - 1]! &= (0xff00 >> (bits % 8)) & 0xff;
  return address;
}

function ipv4Text(b: Uint8Array): string {
  return b[0] + "." + b[1] + "." + b[2] + "." + b[3];
}

/** An IPv4 or IPv6 prefix; its size, -1 for an impossible length, -2 when `left` is too short. */
export function prefixDecode(c: PrintContext, p: number, left: number, v6: boolean): [number, string] {
  if (left < 1) return [-2, ""];
  const bits = u8(c, p);
  if (bits > (v6 ? 128 : 32)) return [-1, ""];
  const count = Math.floor((bits + 7) / 8);
  if (left - 1 < count) return [-2, ""];
  const address = prefixBytes(c, p + 1, bits, v6 ? 16 : 4);
  return [1 + count, (v6 ? ipv6FromBytes(address, 0) : ipv4Text(address)) + "/" + bits];
}

function labelText(c: PrintContext, p: number): string {
  return (
    ", label:" +
    (((u8(c, p + 1) << 16) | be16(c, p + 2)) >>> 4) +
    " " +
    ((u8(c, p + 3) & 1) === 0 ? "(BOGUS: Bottom of Stack NOT set!)" : "(bottom)")
  );
}

/** A labeled prefix (RFC 8277); its size, -1 impossible length, -2 cut short, -3 `left` too short. */
function labeledPrefixDecode(c: PrintContext, p: number, left: number, v6: boolean): [number, string] {
  if (!has(c, p, 4)) return [-2, ""];
  if (left < 4) return [-3, ""];
  let bits = u8(c, p);
  if (bits < 24) return [-1, ""];
  bits -= 24;
  if (bits > (v6 ? 128 : 32)) return [-1, ""];
  const count = Math.floor((bits + 7) / 8);
  if (!v6 && left - 4 < count) return [-3, ""];
  const address = prefixBytes(c, p + 4, bits, v6 ? 16 : 4);
  return [4 + count, (v6 ? ipv6FromBytes(address, 0) : ipv4Text(address)) + "/" + bits + labelText(c, p)];
}

/** An RFC 4364 route distinguisher: "admin:assigned" and, for an IPv4 administrator, its dotted form. */
export function routeDistinguisherText(c: PrintContext, p: number): string {
  switch (be16(c, p)) {
    case 0:
      return (
        be16(c, p + 2) +
        ":" +
        be32(c, p + 4) +
        " (= " +
        u8(c, p + 4) +
        "." +
        u8(c, p + 5) +
        "." +
        u8(c, p + 6) +
        "." +
        u8(c, p + 7) +
        ")"
      );
    case 1:
      return u8(c, p + 2) + "." + u8(c, p + 3) + "." + u8(c, p + 4) + "." + u8(c, p + 5) + ":" + be16(c, p + 6);
    case 2:
      return (
        be32(c, p + 2) +
        ":" +
        be16(c, p + 6) +
        " (" +
        u8(c, p + 2) +
        "." +
        u8(c, p + 3) +
        "." +
        u8(c, p + 4) +
        "." +
        u8(c, p + 5) +
        ":" +
        be16(c, p + 6) +
        ")"
      );
    default:
      return "unknown RD format";
  }
}

/** A labeled VPN prefix (RFC 4364): label, route distinguisher, prefix. */
function vpnPrefixDecode(c: PrintContext, p: number, v6: boolean): [number, string] {
  let bits = u8(c, p);
  if (bits < 24 + 64) return [-1, ""];
  bits -= 24 + 64;
  if (bits > (v6 ? 128 : 32)) return [-1, ""];
  const address = prefixBytes(c, p + 12, bits, v6 ? 16 : 4);
  return [
    12 + Math.floor((bits + 7) / 8),
    "RD: " +
      routeDistinguisherText(c, p + 4) +
      ", " +
      (v6 ? ipv6FromBytes(address, 0) : ipv4Text(address)) +
      "/" +
      bits +
      labelText(c, p),
  ];
}

/** One NLRI of an MP attribute; its size, or a negative value as tcpdump's decoder returns. */
function nlriPrint(
  c: PrintContext,
  af: number,
  safi: number,
  p: number,
  len: number,
  addPath4: boolean,
  addPath6: boolean,
): number {
  const pair = (af << 8) | safi;
  let result: [number, string];
  switch (pair) {
    case (AF_INET << 8) | SAFI_UNICAST:
    case (AF_INET << 8) | SAFI_MULTICAST:
    case (AF_INET << 8) | SAFI_UNIMULTICAST:
    case (AF_INET6 << 8) | SAFI_UNICAST:
    case (AF_INET6 << 8) | SAFI_MULTICAST:
    case (AF_INET6 << 8) | SAFI_UNIMULTICAST: {
      const v6 = af === AF_INET6;
      const withPath = v6 ? addPath6 : addPath4;
      let pathId = 0;
      if (withPath) {
        pathId = be32(c, p);
        p += 4;
      }
      // tcpdump hands each prefix the attribute's whole length.
      result = prefixDecode(c, p, len, v6);
      let advance = result[0];
      if (advance === -1) c.out += "\n\t    (illegal prefix length)";
      else if (advance === -2) return advance;
      else c.out += "\n\t      " + result[1];
      if (withPath) {
        c.out += "   Path Id: " + pathId;
        advance += 4;
      }
      return advance;
    }
    case (AF_INET << 8) | SAFI_LABELED_UNICAST:
    case (AF_INET6 << 8) | SAFI_LABELED_UNICAST:
      result = labeledPrefixDecode(c, p, len, af === AF_INET6);
      if (result[0] === -1) c.out += "\n\t    (illegal prefix length)";
      else if (result[0] === -2) return -2;
      else if (result[0] === -3) return -3;
      else c.out += "\n\t      " + result[1];
      return result[0];
    case (AF_INET << 8) | SAFI_VPN_UNICAST:
    case (AF_INET << 8) | SAFI_VPN_MULTICAST:
    case (AF_INET << 8) | SAFI_VPN_UNIMULTICAST:
    case (AF_INET6 << 8) | SAFI_VPN_UNICAST:
    case (AF_INET6 << 8) | SAFI_VPN_MULTICAST:
    case (AF_INET6 << 8) | SAFI_VPN_UNIMULTICAST:
      result = vpnPrefixDecode(c, p, af === AF_INET6);
      if (result[0] === -1) c.out += "\n\t    (illegal prefix length)";
      else c.out += "\n\t      " + result[1];
      return result[0];
    case (AF_INET << 8) | SAFI_RT_ROUTING_INFO:
      return rtRoutingInfoPrint(c, p);
    case (AF_INET << 8) | SAFI_MULTICAST_VPN:
    case (AF_INET6 << 8) | SAFI_MULTICAST_VPN:
      result = multicastVpnDecode(c, p);
      if (result[0] === -2) return -2;
      c.out += "\n\t      " + result[1];
      return result[0];
    case (AF_INET << 8) | SAFI_MDT: {
      if (u8(c, p) !== 128) {
        c.out += "\n\t    (illegal prefix length)";
        return -1;
      }
      if (!has(c, p + 1, 8)) return -2;
      c.out +=
        "\n\t      RD: " +
        routeDistinguisherText(c, p + 1) +
        ", VPN IP Address: " +
        ipv4String(c, p + 9) +
        ", MC Group Address: " +
        ipv4String(c, p + 13);
      return 17;
    }
    case (AF_VPLS << 8) | SAFI_VPLS:
    case (AF_L2VPN << 8) | SAFI_VPN_UNICAST:
    case (AF_L2VPN << 8) | SAFI_VPN_MULTICAST:
    case (AF_L2VPN << 8) | SAFI_VPN_UNIMULTICAST:
      result = l2vpnDecode(c, p);
      if (result[0] === -2) return -2;
      c.out += "\n\t      " + result[1];
      return result[0];
    case (AF_NSAP << 8) | SAFI_UNICAST:
    case (AF_NSAP << 8) | SAFI_MULTICAST:
    case (AF_NSAP << 8) | SAFI_UNIMULTICAST: {
      const bits = u8(c, p);
      if (bits > 152) {
        c.out += "\n\t    (illegal prefix length)";
        return -1;
      }
      // tcpdump reads the prefix three bytes further on than its length byte's successor.
      const address = prefixBytes(c, p + 4, bits, 19);
      c.out += "\n\t      " + nsapText(address, Math.floor((bits + 7) / 8)) + "/" + bits;
      return 1 + Math.floor((bits + 7) / 8);
    }
    case (AF_NSAP << 8) | SAFI_VPN_UNICAST:
    case (AF_NSAP << 8) | SAFI_VPN_MULTICAST:
    case (AF_NSAP << 8) | SAFI_VPN_UNIMULTICAST: {
      let bits = u8(c, p);
      if (bits < 24 + 64) {
        c.out += "\n\t    (illegal prefix length)";
        return -1;
      }
      bits -= 24 + 64;
      if (bits > 152) {
        c.out += "\n\t    (illegal prefix length)";
        return -1;
      }
      const count = Math.floor((bits + 7) / 8);
      const address = prefixBytes(c, p + 12, bits, 19);
      c.out +=
        "\n\t      RD: " +
        routeDistinguisherText(c, p + 4) +
        ", " +
        nsapText(address, count) +
        "/" +
        bits +
        labelText(c, p);
      return 12 + count;
    }
    default:
      c.out += "\n\t    ERROR: no AFI " + af + " / SAFI " + safi + " decoder";
      return -4;
  }
}

/** The AFI/SAFI line of an MP attribute; -1 when tcpdump has no decoder for the pair. */
function mpAfPrint(c: PrintContext, p: number, len: number): number {
  const af = be16(c, p);
  const safi = u8(c, p + 2);
  c.out +=
    "\n\t    AFI: " +
    afName(af, "Unknown AFI") +
    " (" +
    af +
    "), " +
    (safi > 128 ? "vendor specific " : "") +
    "SAFI: " +
    safiName(safi, "Unknown SAFI") +
    " (" +
    safi +
    ")";
  if (DECODED_AF_SAFI.has((af << 8) | safi)) return 0;
  if (!has(c, p, len)) return -2;
  c.out += "\n\t    no AFI " + af + " / SAFI " + safi + " decoder";
  if (c.flags.verbose <= 1) printUnknownData(c, p, "\n\t    ", len);
  return -1;
}

function flagsText(flags: number): string {
  let s =
    ", Flags [" +
    (flags & 0x80 ? "O" : "") +
    (flags & 0x40 ? "T" : "") +
    (flags & 0x20 ? "P" : "") +
    (flags & 0x10 ? "E" : "");
  if (flags & 0xf) s += "+" + (flags & 0xf).toString(16);
  return s;
}

/** The 2- or 4-byte AS numbers of an AS_PATH: 2 when its segments parse that way. */
function asSize(c: PrintContext, type: number, p: number, len: number): number {
  if (type === AS4_PATH) return 4;
  let q = p;
  while (q < p + len) {
    const segment = u8(c, q);
    if (segment < 1 || segment > 4) return 4;
    q += 2 + u8(c, q + 1) * 2;
  }
  return q === p + len ? 2 : 4;
}

/** One path attribute's value; false when it runs out (the update then ends with the marker). */
function attributePrint(c: PrintContext, type: number, p: number, len: number, level: number): boolean {
  let q = p;
  let left = len;
  switch (type) {
    case ORIGIN:
      if (len !== 1) c.out += "invalid len";
      else c.out += ORIGINS[u8(c, q)] ?? "Unknown Origin Typecode";
      break;
    case AS4_PATH:
    case AS_PATH: {
      if (len % 2) {
        c.out += "invalid len";
        break;
      }
      if (!len) {
        c.out += "empty";
        break;
      }
      const size = asSize(c, type, p, len);
      while (q < p + len) {
        const segment = u8(c, q);
        c.out += SEGMENT_OPEN[segment] ?? "?";
        for (let i = 0; i < u8(c, q + 1) * size; i += size) {
          if (!has(c, q + 2 + i, size)) return false;
          c.out += (size === 2 ? be16(c, q + i + 2) : be32(c, q + i + 2)) + " ";
        }
        c.out += SEGMENT_CLOSE[segment] ?? "?";
        q += 2 + u8(c, q + 1) * size;
      }
      break;
    }
    case NEXT_HOP:
    case ORIGINATOR_ID:
      if (len !== 4) c.out += "invalid len";
      else c.out += ipv4String(c, q);
      break;
    case MULTI_EXIT_DISC:
    case LOCAL_PREF:
      if (len !== 4) c.out += "invalid len";
      else c.out += be32(c, q);
      break;
    case ATOMIC_AGGREGATE:
      if (len !== 0) c.out += "invalid len";
      break;
    case AGGREGATOR:
      if (len !== 6 && len !== 8) {
        c.out += "invalid len";
        break;
      }
      if (!has(c, q, len)) return false;
      if (len === 6) c.out += " AS #" + be16(c, q) + ", origin " + ipv4String(c, q + 2);
      else c.out += " AS #" + be32(c, q) + ", origin " + ipv4String(c, q + 4);
      break;
    case AGGREGATOR4:
      if (len !== 8) {
        c.out += "invalid len";
        break;
      }
      c.out += " AS #" + be32(c, q) + ", origin " + ipv4String(c, q + 4);
      break;
    case COMMUNITIES:
      if (len % 4) {
        c.out += "invalid len";
        break;
      }
      for (; left !== 0; left -= 4, q += 4) {
        if (!has(c, q, 4)) return false;
        const community = be32(c, q);
        if (community === 0xffffff01) c.out += " NO_EXPORT";
        else if (community === 0xffffff02) c.out += " NO_ADVERTISE";
        else if (community === 0xffffff03) c.out += " NO_EXPORT_SUBCONFED";
        else c.out += (community >>> 16) + ":" + (community & 0xffff) + (left > 4 ? ", " : "");
      }
      break;
    case CLUSTER_LIST:
      if (len % 4) {
        c.out += "invalid len";
        break;
      }
      for (; left !== 0; left -= 4, q += 4) c.out += ipv4String(c, q) + (left > 4 ? ", " : "");
      break;
    case MP_REACH_NLRI: {
      if (!has(c, q, 3) || left < 3) return false;
      const ret = mpAfPrint(c, q, left);
      if (ret === -2) return false;
      if (ret < 0) break;
      const af = be16(c, q);
      const safi = u8(c, q + 2);
      q += 3;
      left -= 3;
      if (!has(c, q, 1) || left < 1) return false;
      const nhLength = u8(c, q);
      q++;
      left--;
      if (nhLength) {
        if (left < nhLength) return false;
        c.out += "\n\t    nexthop: ";
        const done = nextHopsPrint(c, af, safi, q, nhLength);
        q += nhLength;
        left -= nhLength;
        if (!done) break;
      }
      c.out += ", nh-length: " + nhLength;
      if (left < 1) return false;
      let snpa = u8(c, q);
      q++;
      left--;
      if (snpa) {
        c.out += "\n\t    " + snpa + " SNPA";
        for (; snpa !== 0; snpa--) {
          if (left < 1) return false;
          const snpaLength = u8(c, q);
          c.out += "\n\t      " + snpaLength + " bytes";
          q++;
          left--;
          if (left < snpaLength || !has(c, q, snpaLength)) return false;
          q += snpaLength;
          left -= snpaLength;
        }
      } else c.out += ", no SNPA";
      if (!nlriListPrint(c, af, safi, p, len, q)) return false;
      break;
    }
    case MP_UNREACH_NLRI: {
      if (!has(c, q, 3)) return false;
      const ret = mpAfPrint(c, q, left);
      if (ret === -2) return false;
      if (ret < 0) break;
      if (len === 3) c.out += "\n\t      End-of-Rib Marker (empty NLRI)";
      if (!nlriListPrint(c, be16(c, q), u8(c, q + 2), p, len, q + 3)) return false;
      break;
    }
    case EXTENDED_COMMUNITIES:
      if (len % 8) {
        c.out += "invalid len";
        break;
      }
      for (; left !== 0; left -= 8, q += 8) {
        if (!has(c, q, 2)) return false;
        const subtype = be16(c, q);
        let flags = "";
        if (subtype & 0x8000) flags = "vendor-specific";
        if (subtype & 0x4000) flags += (flags ? ", " : "") + "non-transitive";
        c.out +=
          "\n\t    " +
          (EXTENDED_COMMUNITY_TYPES.get(subtype) ?? "unknown extd community typecode") +
          " (0x" +
          hex4(subtype) +
          "), Flags [" +
          (flags || "none") +
          "]";
        if (!has(c, q, 8)) return false;
        c.out += ": ";
        extendedCommunityPrint(c, q);
      }
      break;
    case PMSI_TUNNEL: {
      if (!has(c, q, 5) || left < 5) return false;
      const flags = u8(c, q);
      const tunnel = u8(c, q + 1);
      c.out +=
        "\n\t    Tunnel-type " +
        (PMSI_TUNNELS[tunnel] || "Unknown") +
        " (" +
        tunnel +
        "), Flags [" +
        (flags & 1 ? "Leaf Information required" : "none") +
        "], MPLS Label " +
        (((u8(c, q + 2) << 16) | be16(c, q + 3)) >>> 4);
      q += 5;
      left -= 5;
      switch (tunnel) {
        case 4:
        case 5:
          c.out += "\n\t      Sender " + ipv4String(c, q) + ", P-Group " + ipv4String(c, q + 4);
          break;
        case 3:
          c.out += "\n\t      Root-Node " + ipv4String(c, q) + ", P-Group " + ipv4String(c, q + 4);
          break;
        case 6:
          c.out += "\n\t      Tunnel-Endpoint " + ipv4String(c, q);
          break;
        case 2:
        case 7:
          c.out += "\n\t      Root-Node " + ipv4String(c, q) + ", LSP-ID 0x" + hex8(be32(c, q + 4));
          break;
        case 1:
          c.out += "\n\t      Extended-Tunnel-ID " + ipv4String(c, q) + ", P2MP-ID 0x" + hex8(be32(c, q + 4));
          break;
        default:
          if (c.flags.verbose <= 1) printUnknownData(c, q, "\n\t      ", left);
      }
      break;
    }
    case AIGP:
      while (left >= 3) {
        const tlvType = u8(c, q);
        let tlvLength = be16(c, q + 1);
        q += 3;
        left -= 3;
        c.out += "\n\t    " + (tlvType === 1 ? "AIGP" : "Unknown") + " TLV (" + tlvType + "), length " + tlvLength;
        if (tlvLength < 3) return false;
        tlvLength -= 3;
        if (left < tlvLength) return false;
        if (tlvType === 1) {
          if (tlvLength < 8) return false;
          c.out += ", metric " + be64(c, q);
        } else if (c.flags.verbose <= 1) printUnknownData(c, q, "\n\t      ", tlvLength);
        q += tlvLength;
        left -= tlvLength;
      }
      break;
    case ATTRIBUTE_SET:
      if (!has(c, q, 4) || len < 4) return false;
      c.out += "\n\t    Origin AS: " + be32(c, q);
      q += 4;
      len -= 4;
      while (len) {
        if (!has(c, q, 2)) return false;
        if (len < 2) {
          c.out += " [path attr too short]";
          break;
        }
        const flags = u8(c, q);
        const innerType = u8(c, q + 1);
        q += 2;
        len -= 2;
        const lengthSize = flags & 0x10 ? 2 : 1;
        if (!has(c, q, lengthSize)) return false;
        if (len < lengthSize) {
          c.out += " [path attr too short]";
          break;
        }
        const innerLength = lengthSize === 2 ? be16(c, q) : u8(c, q);
        q += lengthSize;
        len -= lengthSize;
        c.out +=
          "\n\t      " +
          (ATTRIBUTES.get(innerType) ?? "Unknown Attribute") +
          " (" +
          innerType +
          "), length: " +
          innerLength;
        if (flags) c.out += flagsText(flags) + "]";
        c.out += ": ";
        if (len < innerLength) {
          c.out += " [path attr too short]";
          break;
        }
        if (level === 10) c.out += "(too many nested levels, not recursing)";
        else if (!attributePrint(c, innerType, q, innerLength, level + 1)) return false;
        q += innerLength;
        len -= innerLength;
      }
      break;
    case LARGE_COMMUNITY:
      if (len === 0 || len % 12) {
        c.out += "invalid len";
        break;
      }
      c.out += "\n\t    ";
      for (; left !== 0; left -= 12, q += 12)
        c.out += be32(c, q) + ":" + be32(c, q + 4) + ":" + be32(c, q + 8) + (left > 12 ? ", " : "");
      // tcpdump counts this attribute's length down to zero, so -vv shows no hex dump of it.
      len = 0;
      break;
    default:
      if (!has(c, p, len)) return false;
      c.out += "\n\t    no Attribute " + type + " decoder";
      if (c.flags.verbose <= 1) printUnknownData(c, p, "\n\t    ", len);
  }
  if (c.flags.verbose > 1 && len) {
    if (!has(c, p, len)) return false;
    printUnknownData(c, p, "\n\t    ", len);
  }
  return true;
}

/** The next hops of an MP_REACH_NLRI; false where tcpdump stops decoding the attribute. */
function nextHopsPrint(c: PrintContext, af: number, safi: number, q: number, left: number): boolean {
  let count = 0;
  while (left !== 0) {
    if (count++ > 0) c.out += ", ";
    let size: number;
    switch ((af << 8) | safi) {
      case (AF_INET << 8) | SAFI_UNICAST:
      case (AF_INET << 8) | SAFI_MULTICAST:
      case (AF_INET << 8) | SAFI_UNIMULTICAST:
      case (AF_INET << 8) | SAFI_LABELED_UNICAST:
      case (AF_INET << 8) | SAFI_RT_ROUTING_INFO:
      case (AF_INET << 8) | SAFI_MULTICAST_VPN:
      case (AF_INET << 8) | SAFI_MDT:
      case (AF_VPLS << 8) | SAFI_VPLS:
      case (AF_L2VPN << 8) | SAFI_VPN_UNICAST:
      case (AF_L2VPN << 8) | SAFI_VPN_MULTICAST:
      case (AF_L2VPN << 8) | SAFI_VPN_UNIMULTICAST:
        size = 4;
        if (left >= size) c.out += ipv4String(c, q);
        break;
      case (AF_INET << 8) | SAFI_VPN_UNICAST:
      case (AF_INET << 8) | SAFI_VPN_MULTICAST:
      case (AF_INET << 8) | SAFI_VPN_UNIMULTICAST:
        size = 12;
        if (left >= size) c.out += "RD: " + routeDistinguisherText(c, q) + ", " + ipv4String(c, q + 8);
        break;
      case (AF_INET6 << 8) | SAFI_UNICAST:
      case (AF_INET6 << 8) | SAFI_MULTICAST:
      case (AF_INET6 << 8) | SAFI_UNIMULTICAST:
      case (AF_INET6 << 8) | SAFI_LABELED_UNICAST:
        size = 16;
        if (left >= size) c.out += ipv6String(c, q);
        break;
      case (AF_INET6 << 8) | SAFI_VPN_UNICAST:
      case (AF_INET6 << 8) | SAFI_VPN_MULTICAST:
      case (AF_INET6 << 8) | SAFI_VPN_UNIMULTICAST:
        size = 24;
        if (left >= size) c.out += "RD: " + routeDistinguisherText(c, q) + ", " + ipv6String(c, q + 8);
        break;
      case (AF_NSAP << 8) | SAFI_UNICAST:
      case (AF_NSAP << 8) | SAFI_MULTICAST:
      case (AF_NSAP << 8) | SAFI_UNIMULTICAST:
        if (!has(c, q, left)) u8(c, c.snapend);
        c.out += nsapText(c.bytes.subarray(q, q + left), left);
        return true;
      case (AF_NSAP << 8) | SAFI_VPN_UNICAST:
      case (AF_NSAP << 8) | SAFI_VPN_MULTICAST:
      case (AF_NSAP << 8) | SAFI_VPN_UNIMULTICAST:
        if (left < 9) {
          c.out += "invalid len";
          return true;
        }
        if (!has(c, q, left)) return false;
        c.out += "RD: " + routeDistinguisherText(c, q) + ", " + nsapText(c.bytes.subarray(q + 8, q + left), left - 8);
        // An IPv4 or IPv6 address in its NSAP form (RFC 4548).
        if (be32(c, q + 8) === 0x47000601) c.out += " = " + ipv4String(c, q + 12);
        else if (((u8(c, q + 8) << 16) | be16(c, q + 9)) === 0x350000) c.out += " = " + ipv6String(c, q + 11);
        return true;
      default:
        c.out += "ERROR: no AFI " + af + "/SAFI " + safi + " nexthop decoder";
        return false;
    }
    if (left < size) {
      c.out += "invalid len";
      return true;
    }
    q += size;
    left -= size;
  }
  return true;
}

/** The NLRI from `q` to the end of the attribute at `p`; false when one is cut short. */
function nlriListPrint(c: PrintContext, af: number, safi: number, p: number, len: number, q: number): boolean {
  const rest = len - (q - p);
  const addPath4 = addPath(c, q, rest, 32);
  const addPath6 = addPath(c, q, rest, 128);
  while (q < p + len) {
    const advance = nlriPrint(c, af, safi, q, len, addPath4, addPath6);
    if (advance === -2) return false;
    if (advance < 0) break;
    q += advance;
  }
  return true;
}

function extendedCommunityPrint(c: PrintContext, p: number): void {
  const type = be16(c, p);
  switch (type) {
    case 0x0002:
    case 0x0003:
    case 0x000a:
      c.out += be16(c, p + 2) + ":" + be32(c, p + 4) + " (= " + ipv4String(c, p + 4) + ")";
      return;
    case 0x0102:
    case 0x0103:
    case 0xf10a:
    case 0x010b:
      c.out += ipv4String(c, p + 2) + ":" + be16(c, p + 6);
      return;
    case 0x0202:
    case 0x0203:
      c.out += be32(c, p + 2) + ":" + be16(c, p + 6);
      return;
    case 0x4004: {
      const bytes = c.view.getFloat32(c.base + p + 4);
      c.out += "bandwidth: " + Math.fround(Math.fround(bytes * 8) / 1000000).toFixed(3) + " Mbps";
      return;
    }
    case 0x0005:
    case 0x0105:
    case 0x0205:
    case 0x8005:
    case 0x0107:
    case 0x8001:
      c.out += ipv4String(c, p + 2);
      return;
    case 0x0306:
    case 0x8000: {
      const routeType = u8(c, p + 6);
      c.out +=
        "area:" +
        ipv4String(c, p + 2) +
        ", router-type:" +
        (OSPF_ROUTE_TYPES.get(routeType) ?? "unknown (0x" + hex2(routeType) + ")") +
        ", metric-type:" +
        (u8(c, p + 7) & 1 ? "E2" : "") +
        (routeType === 5 || routeType === 7 ? "E1" : "");
      return;
    }
    case 0x800a:
      c.out +=
        (L2VPN_ENCAPSULATIONS.get(u8(c, p + 2)) ?? "unknown encaps") +
        " Control Flags [0x" +
        hex2(u8(c, p + 3)) +
        "]:MTU " +
        be16(c, p + 4);
      return;
    case 0x0009:
      c.out += "AS " + be16(c, p + 2);
      return;
    case 0x030c:
      c.out += "Tunnel type: " + (TUNNEL_TYPES[be16(c, p + 6)] || "unknown encaps");
      return;
    default:
      for (let i = 2; i < 8; i++) c.out += hex2(u8(c, p + i));
  }
}

function updatePrint(c: PrintContext, at: number, length: number): void {
  if (length < HEADER_LENGTH) return trunc(c);
  let p = at + HEADER_LENGTH;
  length -= HEADER_LENGTH;
  if (!has(c, p, 2) || length < 2) return trunc(c);
  let withdrawn = be16(c, p);
  p += 2;
  length -= 2;
  if (!has(c, p, withdrawn) || length < withdrawn) return trunc(c);
  if (withdrawn > 1) {
    c.out += "\n\t  Withdrawn routes:";
    const withPath = addPath(c, p, withdrawn, 32);
    while (withdrawn !== 0) {
      let pathId = 0;
      if (withPath) {
        if (withdrawn < 4) {
          p += withdrawn;
          length -= withdrawn;
          break;
        }
        pathId = be32(c, p);
        p += 4;
        length -= 4;
        withdrawn -= 4;
      }
      const [size, text] = prefixDecode(c, p, withdrawn, false);
      if (size === -1) {
        c.out += "\n\t    (illegal prefix length)";
        break;
      }
      if (size === -2) return trunc(c);
      c.out += "\n\t    " + text;
      if (withPath) c.out += "   Path Id: " + pathId;
      p += size;
      length -= size;
      withdrawn -= size;
    }
  } else {
    p += withdrawn;
    length -= withdrawn;
  }
  if (!has(c, p, 2) || length < 2) return trunc(c);
  let attributesLength = be16(c, p);
  p += 2;
  length -= 2;
  if (withdrawn === 0 && attributesLength === 0 && length === 0) {
    c.out += "\n\t  End-of-Rib Marker (empty NLRI)";
    return;
  }
  if (attributesLength) {
    if (length < attributesLength) return trunc(c);
    while (attributesLength) {
      if (!has(c, p, 2) || length < 2) return trunc(c);
      if (attributesLength < 2) {
        c.out += "\n\t  [path attrs too short]";
        p += attributesLength;
        length -= attributesLength;
        break;
      }
      const flags = u8(c, p);
      const type = u8(c, p + 1);
      p += 2;
      attributesLength -= 2;
      length -= 2;
      const lengthSize = flags & 0x10 ? 2 : 1;
      if (!has(c, p, lengthSize) || length < lengthSize) return trunc(c);
      if (attributesLength < lengthSize) {
        c.out += "\n\t  [path attrs too short]";
        p += attributesLength;
        length -= attributesLength;
        break;
      }
      const attributeLength = lengthSize === 2 ? be16(c, p) : u8(c, p);
      p += lengthSize;
      attributesLength -= lengthSize;
      length -= lengthSize;
      c.out += "\n\t  " + (ATTRIBUTES.get(type) ?? "Unknown Attribute") + " (" + type + "), length: " + attributeLength;
      if (flags) c.out += flagsText(flags) + "]: ";
      if (attributesLength < attributeLength) {
        c.out += " [path attrs too short]";
        p += attributesLength;
        length -= attributesLength;
        break;
      }
      if (length < attributeLength) return trunc(c);
      if (!attributePrint(c, type, p, attributeLength, 0)) return trunc(c);
      p += attributeLength;
      attributesLength -= attributeLength;
      length -= attributeLength;
    }
  }
  if (length) {
    const withPath = addPath(c, p, length, 32);
    c.out += "\n\t  Updated routes:";
    while (length !== 0) {
      let pathId = 0;
      if (withPath) {
        if (!has(c, p, 4) || length < 4) return trunc(c);
        pathId = be32(c, p);
        p += 4;
        length -= 4;
      }
      const [size, text] = prefixDecode(c, p, length, false);
      if (size === -1) {
        c.out += "\n\t    (illegal prefix length)";
        break;
      }
      if (size === -2) return trunc(c);
      c.out += "\n\t    " + text;
      if (withPath) c.out += "   Path Id: " + pathId;
      p += size;
      length -= size;
    }
  }
}

function notificationPrint(c: PrintContext, at: number, length: number): void {
  if (!has(c, at, NOTIFICATION_LENGTH)) return trunc(c);
  if (length < NOTIFICATION_LENGTH) return;
  const major = u8(c, at + 19);
  const minor = u8(c, at + 20);
  c.out += ", " + (NOTIFY_MAJOR[major] || "Unknown Error") + " (" + major + ")";
  const subcode = (names: readonly string[], comma: boolean): void => {
    c.out += (comma ? ", " : " ") + "subcode " + (names[minor] || "Unknown") + " (" + minor + ")";
  };
  switch (major) {
    case 1:
      return subcode(NOTIFY_MSG, true);
    case 2:
      return subcode(NOTIFY_OPEN, true);
    case 3:
      return subcode(NOTIFY_UPDATE, true);
    case 5:
      return subcode(NOTIFY_FSM, false);
    case 7:
      return subcode(NOTIFY_CAP, false);
    case 6: {
      subcode(NOTIFY_CEASE, true);
      const data = at + NOTIFICATION_LENGTH;
      if (minor === CEASE_MAX_PREFIXES && length >= NOTIFICATION_LENGTH + 7)
        c.out += ", " + afSafiCount(c, data) + ", Max Prefixes: " + be32(c, data + 3);
      if ((minor === CEASE_SHUTDOWN || minor === CEASE_RESET) && length >= NOTIFICATION_LENGTH + 1) {
        const messageLength = u8(c, data);
        let consumed = 0;
        if (messageLength > length - (NOTIFICATION_LENGTH + 1)) c.out += ", invalid Shutdown Communication length";
        else if (messageLength === 0) {
          c.out += ", empty Shutdown Communication";
          consumed = 1;
        } else {
          c.out += ", Shutdown Communication (length: " + messageLength + '): "';
          for (let i = 0; i < messageLength; i++) c.out += printableChar(u8(c, data + 1 + i));
          c.out += '"';
          consumed = messageLength + 1;
        }
        const rest = length - (consumed + NOTIFICATION_LENGTH);
        if (rest > 0) {
          c.out += ", Data: (length: " + rest + ")";
          hexPrint(c, "\n\t\t", data + consumed, rest);
        }
      }
      return;
    }
  }
}

function routeRefreshPrint(c: PrintContext, at: number, length: number): void {
  if (!has(c, at, ROUTE_REFRESH_LENGTH)) return trunc(c);
  if (length < ROUTE_REFRESH_LENGTH) return;
  const af = be16(c, at + 19);
  const safi = u8(c, at + 22);
  c.out += "\n\t  AFI " + afName(af) + " (" + af + "), SAFI " + safiName(safi) + " (" + safi + ")";
  if (c.flags.verbose > 1) {
    if (!has(c, at, length)) return trunc(c);
    printUnknownData(c, at, "\n\t  ", length);
  }
}

/** Route target membership NLRI (RFC 4684): origin AS and a route target prefix. */
function rtRoutingInfoPrint(c: PrintContext, p: number): number {
  let bits = u8(c, p);
  if (bits === 0) {
    c.out += "\n\t      default route target";
    return 1;
  }
  if (bits < 32) {
    c.out += "\n\t      (illegal prefix length)";
    return -1;
  }
  const originAs = be32(c, p + 1);
  bits -= 32;
  if (bits > 64) {
    c.out += "\n\t      (illegal prefix length)";
    return -1;
  }
  const target = prefixBytes(c, p + 5, bits, 8);
  c.out += "\n\t      origin AS: " + originAs + ", " + routeTargetText(target, bits);
  return 5 + Math.floor((bits + 7) / 8);
}

function routeTargetText(t: Uint8Array, bits: number): string {
  if (bits === 0) return "route-target: 0:0/0";
  const count = Math.floor((bits + 7) / 8);
  let hexText = "";
  for (let i = 0; i < count; i++) hexText += hex2(t[i]!) + (i % 2 === 1 && i < count - 1 ? " " : "");
  if (bits < 16) return "route-target: partial-type: (" + hexText + "/" + bits + ")";
  const type = (t[0]! << 8) | t[1]!;
  const word = (i: number): number => (t[i]! << 8) | t[i + 1]!;
  const long = (i: number): number => ((t[i]! << 24) | (t[i + 1]! << 16) | (t[i + 2]! << 8) | t[i + 3]!) >>> 0;
  let text: string;
  switch (type) {
    case 0x0002:
      text = "route-target: " + word(2) + ":" + long(4) + "/" + bits + " (" + hexText + ")";
      break;
    case 0x0102:
      text =
        "route-target: " +
        t[2] +
        "." +
        t[3] +
        "." +
        t[4] +
        "." +
        t[5] +
        ":" +
        word(6) +
        "/" +
        bits +
        " (" +
        hexText +
        ")";
      break;
    case 0x0202:
      text = "route-target: " + long(2) + ":" + word(6) + "/" + bits + " (" + hexText + ")";
      break;
    default:
      text = "route target: unknown-type(" + hex4(type) + ") (" + hexText + "/" + bits + ")";
  }
  // tcpdump formats it into a 61-byte buffer.
  return text.slice(0, 60);
}

const MVPN_ROUTE_TYPES = [
  "",
  "Intra-AS I-PMSI",
  "Inter-AS I-PMSI",
  "S-PMSI",
  "Intra-AS Segment-Leaf",
  "Source-Active",
  "Shared Tree Join",
  "Source Tree Join",
];

/** An address of `bits` bits (32 or 128) as tcpdump names it, or its complaint about the length. */
function vpnAddressText(c: PrintContext, p: number, bits: number): string {
  if (bits === 32) return ipv4String(c, p);
  if (bits === 128) return ipv6String(c, p);
  return "bogus address length " + bits;
}

/** The source and group of a multicast VPN route; returns their size and the text. */
function sourceGroupText(c: PrintContext, p: number): [number, string] {
  let text = "";
  let size = 0;
  let bits = u8(c, p);
  p++;
  if (!has(c, p, bits >> 3)) return [size, text];
  size += (bits >> 3) + 1;
  if (bits) {
    text += ", Source " + vpnAddressText(c, p, bits);
    p += bits >> 3;
  }
  bits = u8(c, p);
  p++;
  if (!has(c, p, bits >> 3)) return [size, text];
  size += (bits >> 3) + 1;
  if (bits) text += ", Group " + vpnAddressText(c, p, bits);
  return [size, text];
}

/** A multicast VPN route (RFC 6514); its size and text, or -2 when cut short. */
function multicastVpnDecode(c: PrintContext, p: number): [number, string] {
  const type = u8(c, p);
  const length = u8(c, p + 1);
  p += 2;
  let text = "Route-Type: " + (MVPN_ROUTE_TYPES[type] || "Unknown") + " (" + type + "), length: " + length;
  switch (type) {
    case 1:
      if (!has(c, p, 8)) return [-2, ""];
      text +=
        ", RD: " + routeDistinguisherText(c, p) + ", Originator " + vpnAddressText(c, p + 8, ((length - 8) << 3) >>> 0);
      break;
    case 2:
    case 6:
    case 7:
      if (!has(c, p, 12)) return [-2, ""];
      text += ", RD: " + routeDistinguisherText(c, p) + ", Source-AS " + be32(c, p + 8);
      if (type !== 2) text += sourceGroupText(c, p + 12)[1];
      break;
    case 3: {
      if (!has(c, p, 8)) return [-2, ""];
      text += ", RD: " + routeDistinguisherText(c, p);
      p += 8;
      const [size, sg] = sourceGroupText(c, p);
      text += sg;
      const addressLength = (length - size) >>> 0;
      if (!has(c, p, addressLength)) return [-2, ""];
      text += ", Originator " + vpnAddressText(c, p, (addressLength << 3) >>> 0);
      break;
    }
    case 5:
      if (!has(c, p, 8)) return [-2, ""];
      text += ", RD: " + routeDistinguisherText(c, p) + sourceGroupText(c, p + 8)[1];
      break;
  }
  return [length + 2, text];
}

/** An NSAP address as tcpdump writes it: "49.0001.0203...", or its complaint about the length. */
function nsapText(b: Uint8Array, length: number): string {
  if (length < 1 || length > 20) return "isonsap_string: illegal length";
  let s = "";
  for (let i = 0; i < length; i++) {
    s += hex2(b[i]!);
    if ((i & 1) === 0 && i + 1 < length) s += ".";
  }
  return s;
}

/** Layer-2 VPN encapsulation types (RFC 4761/6624) as tcpdump names them. */
const L2VPN_ENCAPSULATIONS = new Map([
  [0, "Reserved"],
  [1, "Frame Relay"],
  [2, "ATM AAL5 SDU VCC transport"],
  [3, "ATM transparent cell transport"],
  [4, "Ethernet (VLAN) Tagged Mode"],
  [5, "Ethernet Raw Mode"],
  [6, "Cisco HDLC"],
  [7, "PPP"],
  [8, "SONET/SDH Circuit Emulation Service over MPLS"],
  [9, "ATM n-to-one VCC cell transport"],
  [10, "ATM n-to-one VPC cell transport"],
  [11, "IP layer 2 transport"],
  [15, "Frame Relay Port mode"],
  [17, "Structure-agnostic E1 over packet"],
  [18, "Structure-agnostic T1 (DS1) over packet"],
  [19, "VPLS"],
  [20, "Structure-agnostic T3 (DS3) over packet"],
  [21, "Nx64kbit/s Basic Service using Structure-aware"],
  [25, "Frame Relay DLCI"],
  [40, "Structure-agnostic E3 over packet"],
  [41, "Octet-aligned playload for Structure-agnostic DS1 circuits"],
  [42, "E1 Nx64kbit/s with CAS using Structure-aware"],
  [43, "DS1 (ESF) Nx64kbit/s with CAS using Structure-aware"],
  [44, "DS1 (SF) Nx64kbit/s with CAS using Structure-aware"],
]);

/** tcpdump formats an NLRI into a buffer of this many bytes (NUL included). */
const NLRI_BUFFER = 164;

/** An L2VPN/VPLS NLRI (RFC 4761, RFC 6074); its size and text, or -2 when it is neither form. */
function l2vpnDecode(c: PrintContext, p: number): [number, string] {
  const length = be16(c, p);
  let left = length;
  p += 2;
  if (length === 12) {
    if (!has(c, p, 12)) return [-2, ""];
    return [
      length + 2,
      ("RD: " + routeDistinguisherText(c, p) + ", BGPNH: " + ipv4String(c, p + 8)).slice(0, NLRI_BUFFER - 1),
    ];
  }
  if (length <= 17) return [-2, ""];
  if (!has(c, p, 15)) return [-2, ""];
  let text =
    "RD: " +
    routeDistinguisherText(c, p) +
    ", CE-ID: " +
    be16(c, p + 8) +
    ", Label-Block Offset: " +
    be16(c, p + 10) +
    ", Label Base " +
    (((u8(c, p + 12) << 16) | be16(c, p + 13)) >>> 4);
  p += 15;
  left -= 15;
  // Once the buffer is full tcpdump stops writing, and stops stepping through a status vector.
  const full = (): boolean => text.length >= NLRI_BUFFER;
  while (left !== 0) {
    if (left < 3) {
      if (!full()) text += "\n\t\tran past the end";
      break;
    }
    const type = u8(c, p);
    p++;
    const bits = be16(c, p);
    let bytes = Math.floor((bits + 7) / 8);
    p += 2;
    if (type === 1) {
      if (!full()) text += "\n\t\tcircuit status vector (" + type + ") length: " + bits + ": 0x";
      let ranPast = false;
      for (; bytes !== 0; bytes--, left--) {
        if (left < 1) {
          if (!full()) text += " (ran past the end)";
          ranPast = true;
          break;
        }
        if (!has(c, p, 1)) return [-2, ""];
        if (!full()) {
          text += hex2(u8(c, p));
          p++;
        }
      }
      if (ranPast) break;
    } else {
      if (!full()) text += "\n\t\tunknown TLV #" + type + ", length: " + bits;
      if (left < bytes) {
        if (!full()) text += " (ran past the end)";
        break;
      }
      left -= bytes;
    }
  }
  return [length + 2, text.slice(0, NLRI_BUFFER - 1)];
}
