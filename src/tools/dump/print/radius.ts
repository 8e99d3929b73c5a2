// RADIUS (RFC 2865, RFC 2866, RFC 5176 and the attribute RFCs) as tcpdump prints it: "RADIUS,
// Access-Request (1), id: 0xf0 length: 141" without -v; with -v the code, id and authenticator
// on a line of their own, then one line per attribute with its value decoded as tcpdump decodes
// it, and with -vv a hex dump of each attribute's value as well.
//
// Where tcpdump stops an attribute's value with " [|radius]" and goes on with the next
// attribute, so does this printer (truncatedValue); reads it does not guard unwind the packet.

import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { hex2, ipv4String, ipv6FromBytes, ipv6String } from "./addr.js";
import { eapPrint } from "./eap.js";
import { smiEnterpriseName } from "./names.js";
import { ntpTimestamp } from "./ntp.js";
import { hexAndAsciiPrint, printableChar, printUnknownData } from "./unknown.js";

const MIN_LENGTH = 20;
const COMMANDS = new Map([
  [1, "Access-Request"],
  [2, "Access-Accept"],
  [3, "Access-Reject"],
  [4, "Accounting-Request"],
  [5, "Accounting-Response"],
  [11, "Access-Challenge"],
  [12, "Status-Server"],
  [13, "Status-Client"],
  [40, "Disconnect-Request"],
  [41, "Disconnect-ACK"],
  [42, "Disconnect-NAK"],
  [43, "CoA-Request"],
  [44, "CoA-ACK"],
  [45, "CoA-NAK"],
  [255, "Reserved"],
]);

// Attribute numbers with value formats of their own.
const FRAMED_IP_ADDRESS = 8;
const LOGIN_IP_HOST = 14;
const FRAMED_IPX_NETWORK = 23;
const SESSION_TIMEOUT = 27;
const IDLE_TIMEOUT = 28;
const FRAMED_APPLETALK_LINK = 37;
const FRAMED_APPLETALK_NETWORK = 38;
const ACCT_DELAY_TIME = 41;
const ACCT_SESSION_TIME = 46;
const EGRESS_VLANID = 56;
const EGRESS_VLAN_NAME = 58;
const TUNNEL_TYPE = 64;
const TUNNEL_MEDIUM_TYPE = 65;
const TUNNEL_CLIENT_ENDPOINT = 66;
const TUNNEL_SERVER_ENDPOINT = 67;
const TUNNEL_PASSWORD = 69;
const ARAP_PASSWORD = 70;
const ARAP_FEATURES = 71;
const EAP_MESSAGE = 79;
const TUNNEL_PRIVATE_GROUP_ID = 81;
const TUNNEL_ASSIGNMENT_ID = 82;
const TUNNEL_PREFERENCE = 83;
const ARAP_CHALLENGE_RESPONSE = 84;
const ACCT_INTERIM_INTERVAL = 85;
const TUNNEL_CLIENT_AUTH_ID = 90;
const TUNNEL_SERVER_AUTH_ID = 91;
const ERROR_CAUSE = 101;

/** How an attribute's value is printed. */
const enum Kind {
  None,
  Text,
  Number,
  Vendor,
  Address,
  Address6,
  Prefix6,
  HomeLinkPrefix,
  OperatorName,
  LocationInformation,
  LocationData,
  LocationPolicyRules,
  Time,
  FeatureVector,
  Special,
}

// Named values of the numeric attributes; index 0 is undefined where the values start at 1.
const SERVICE_TYPES = [
  undefined,
  "Login",
  "Framed",
  "Callback Login",
  "Callback Framed",
  "Outbound",
  "Administrative",
  "NAS Prompt",
  "Authenticate Only",
  "Callback NAS Prompt",
  "Call Check",
  "Callback Administrative",
  "Voice",
  "Fax",
  "Modem Relay",
  "IAPP-Register",
  "IAPP-AP-Check",
  "Authorize Only",
  "Framed-Management",
  "Additional-Authorization",
];
const FRAMED_PROTOCOLS = [
  undefined,
  "PPP",
  "SLIP",
  "ARAP",
  "Gandalf proprietary",
  "Xylogics IPX/SLIP",
  "X.75 Synchronous",
  "GPRS PDP Context",
];
const FRAMED_ROUTING = ["None", "Send", "Listen", "Send&Listen"];
const FRAMED_COMPRESSION = ["None", "VJ TCP/IP", "IPX", "Stac-LZS"];
const LOGIN_SERVICES = [
  "Telnet",
  "Rlogin",
  "TCP Clear",
  "PortMaster(proprietary)",
  "LAT",
  "X.25-PAD",
  "X.25-T3POS",
  "Unassigned",
  "TCP Clear Quiet",
];
const TERMINATION_ACTIONS = ["Default", "RADIUS-Request"];
const INGRESS_FILTERS = [undefined, "Enabled", "Disabled"];
const NAS_PORT_TYPES = [
  "Async",
  "Sync",
  "ISDN Sync",
  "ISDN Async V.120",
  "ISDN Async V.110",
  "Virtual",
  "PIAFS",
  "HDLC Clear Channel",
  "X.25",
  "X.75",
  "G.3 Fax",
  "SDSL",
  "ADSL-CAP",
  "ADSL-DMT",
  "ISDN-DSL",
  "Ethernet",
  "xDSL",
  "Cable",
  "Wireless - Other",
  "Wireless - IEEE 802.11",
  "Token-Ring",
  "FDDI",
  "Wireless - CDMA200",
  "Wireless - UMTS",
  "Wireless - 1X-EV",
  "IAPP",
  "FTTP",
  "Wireless - IEEE 802.16",
  "Wireless - IEEE 802.20",
  "Wireless - IEEE 802.22",
  "PPPoA",
  "PPPoEoA",
  "PPPoEoE",
  "PPPoEoVLAN",
  "PPPoEoQinQ",
  "xPON",
  "Wireless - XGP",
  "WiMAX Pre-Release 8 IWK Function",
  "WIMAX-WIFI-IWK",
  "WIMAX-SFF",
  "WIMAX-HA-LMA",
  "WIMAX-DHCP",
  "WIMAX-LBS",
  "WIMAX-WVS",
];
const ACCT_STATUS_TYPES = [
  undefined,
  "Start",
  "Stop",
  "Interim-Update",
  "Unassigned",
  "Unassigned",
  "Unassigned",
  "Accounting-On",
  "Accounting-Off",
  "Tunnel-Start",
  "Tunnel-Stop",
  "Tunnel-Reject",
  "Tunnel-Link-Start",
  "Tunnel-Link-Stop",
  "Tunnel-Link-Reject",
  "Failed",
];
const ACCT_AUTHENTIC = [undefined, "RADIUS", "Local", "Remote", "Diameter"];
const ACCT_TERMINATE_CAUSES = [
  undefined,
  "User Request",
  "Lost Carrier",
  "Lost Service",
  "Idle Timeout",
  "Session Timeout",
  "Admin Reset",
  "Admin Reboot",
  "Port Error",
  "NAS Error",
  "NAS Request",
  "NAS Reboot",
  "Port Unneeded",
  "Port Preempted",
  "Port Suspended",
  "Service Unavailable",
  "Callback",
  "User Error",
  "Host Request",
  "Supplicant Restart",
  "Reauthentication Failure",
  "Port Reinitialized",
  "Port Administratively Disabled",
  "Lost Power",
];
const TUNNEL_TYPES = [
  undefined,
  "PPTP",
  "L2F",
  "L2TP",
  "ATMP",
  "VTP",
  "AH",
  "IP-IP",
  "MIN-IP-IP",
  "ESP",
  "GRE",
  "DVS",
  "IP-in-IP Tunneling",
  "VLAN",
];
const TUNNEL_MEDIUM_TYPES = [
  undefined,
  "IPv4",
  "IPv6",
  "NSAP",
  "HDLC",
  "BBN 1822",
  "802",
  "E.163",
  "E.164",
  "F.69",
  "X.121",
  "IPX",
  "Appletalk",
  "Decnet IV",
  "Banyan Vines",
  "E.164 with NSAP subaddress",
];
const ARAP_ZONE_ACCESS = [
  undefined,
  "Only access to dfl zone",
  "Use zone filter inc.",
  "Not used",
  "Use zone filter exc.",
];
const PROMPTS = ["No Echo", "Echo"];

const ERROR_CAUSES = new Map([
  [201, "Residual Session Context Removed"],
  [202, "Invalid EAP Packet (Ignored)"],
  [401, "Unsupported Attribute"],
  [402, "Missing Attribute"],
  [403, "NAS Identification Mismatch"],
  [404, "Invalid Request"],
  [405, "Unsupported Service"],
  [406, "Unsupported Extension"],
  [407, "Invalid Attribute Value"],
  [501, "Administratively Prohibited"],
  [502, "Request Not Routable (Proxy)"],
  [503, "Session Context Not Found"],
  [504, "Session Context Not Removable"],
  [505, "Other Proxy Processing Error"],
  [506, "Resources Unavailable"],
  [507, "Request Initiated"],
  [508, "Multiple Session Selection Unsupported"],
  [509, "Location Info Required"],
]);

/** MIP6-Feature-Vector bits (RFC 5447, RFC 6572), as [high 32 bits, low 32 bits, name]. */
const FEATURE_BITS: [number, number, string][] = [
  [0, 0x1, "MIP6_INTEGRATED"],
  [0, 0x2, "LOCAL_HOME_AGENT_ASSIGNMENT"],
  [0x100, 0, "PMIP6_SUPPORTED"],
  [0x200, 0, "IP4_HOA_SUPPORTED"],
  [0x400, 0, "LOCAL_MAG_ROUTING_SUPPORTED"],
  [0x800, 0, "ASSIGN_LOCAL_IP"],
  [0x1000, 0, "MIP4_SUPPORTED"],
  [0x2000, 0, "OPTIMIZED_IDLE_MODE_MOBILITY"],
  [0x4000, 0, "GTPv2_SUPPORTED"],
  [0x8000, 0, "IP4_TRANSPORT_SUPPORTED"],
  [0x10000, 0, "IP4_HOA_ONLY_SUPPORTED"],
  [0x20000, 0, "INTER_MAG_ROUTING_SUPPORTED"],
];

const OPERATOR_NAMESPACES = new Map([
  [0x30, "TADIG"],
  [0x31, "REALM"],
  [0x32, "E212"],
  [0x33, "ICC"],
]);
const LOCATION_CODES = ["Civic", "Geospatial"];
const LOCATION_ENTITIES = ["User", "RADIUS"];
/** Basic-Location-Policy-Rules flags: bit 15 is the one defined, the rest must be zero. */
function policyFlags(flags: number): string {
  let s = "";
  for (let bit = 0; bit < 15; bit++) if (flags & (1 << bit)) s += (s === "" ? "" : ", ") + "MBZ-" + (15 - bit);
  if (flags & 0x8000) s += (s === "" ? "" : ", ") + "Retransmission Allowed";
  return s === "" ? "none" : s;
}

const VLAN_TAGS = new Map([
  [0x31, "Tagged"],
  [0x32, "Untagged"],
]);

interface Attribute {
  name: string;
  kind: Kind;
  values?: readonly (string | undefined)[];
}

function attr(name: string, kind: Kind, values?: readonly (string | undefined)[]): Attribute {
  return values ? { name, kind, values } : { name, kind };
}

/** Attribute types 0-129, the ones tcpdump names. */
const ATTRIBUTES: Attribute[] = [
  attr("", Kind.None),
  attr("User-Name", Kind.Text),
  attr("User-Password", Kind.None),
  attr("CHAP-Password", Kind.None),
  attr("NAS-IP-Address", Kind.Address),
  attr("NAS-Port", Kind.Number),
  attr("Service-Type", Kind.Number, SERVICE_TYPES),
  attr("Framed-Protocol", Kind.Number, FRAMED_PROTOCOLS),
  attr("Framed-IP-Address", Kind.Address),
  attr("Framed-IP-Netmask", Kind.Address),
  attr("Framed-Routing", Kind.Number, FRAMED_ROUTING),
  attr("Filter-Id", Kind.Text),
  attr("Framed-MTU", Kind.Number),
  attr("Framed-Compression", Kind.Number, FRAMED_COMPRESSION),
  attr("Login-IP-Host", Kind.Address),
  attr("Login-Service", Kind.Number, LOGIN_SERVICES),
  attr("Login-TCP-Port", Kind.Number),
  attr("Unassigned", Kind.None),
  attr("Reply-Message", Kind.Text),
  attr("Callback-Number", Kind.Text),
  attr("Callback-Id", Kind.Text),
  attr("Unassigned", Kind.None),
  attr("Framed-Route", Kind.Text),
  attr("Framed-IPX-Network", Kind.Number),
  attr("State", Kind.Text),
  attr("Class", Kind.Text),
  attr("Vendor-Specific", Kind.Vendor),
  attr("Session-Timeout", Kind.Number),
  attr("Idle-Timeout", Kind.Number),
  attr("Termination-Action", Kind.Number, TERMINATION_ACTIONS),
  attr("Called-Station-Id", Kind.Text),
  attr("Calling-Station-Id", Kind.Text),
  attr("NAS-Identifier", Kind.Text),
  attr("Proxy-State", Kind.Text),
  attr("Login-LAT-Service", Kind.Text),
  attr("Login-LAT-Node", Kind.Text),
  attr("Login-LAT-Group", Kind.Text),
  attr("Framed-AppleTalk-Link", Kind.Number),
  attr("Framed-AppleTalk-Network", Kind.Number),
  attr("Framed-AppleTalk-Zone", Kind.Text),
  attr("Acct-Status-Type", Kind.Number, ACCT_STATUS_TYPES),
  attr("Acct-Delay-Time", Kind.Number),
  attr("Acct-Input-Octets", Kind.Number),
  attr("Acct-Output-Octets", Kind.Number),
  attr("Acct-Session-Id", Kind.Text),
  attr("Acct-Authentic", Kind.Number, ACCT_AUTHENTIC),
  attr("Acct-Session-Time", Kind.Number),
  attr("Acct-Input-Packets", Kind.Number),
  attr("Acct-Output-Packets", Kind.Number),
  attr("Acct-Terminate-Cause", Kind.Number, ACCT_TERMINATE_CAUSES),
  attr("Acct-Multi-Session-Id", Kind.Text),
  attr("Acct-Link-Count", Kind.Number),
  attr("Acct-Input-Gigawords", Kind.Number),
  attr("Acct-Output-Gigawords", Kind.Number),
  attr("Unassigned", Kind.None),
  attr("Event-Timestamp", Kind.Time),
  attr("Egress-VLANID", Kind.Number),
  attr("Ingress-Filters", Kind.Number, INGRESS_FILTERS),
  attr("Egress-VLAN-Name", Kind.Text),
  attr("User-Priority-Table", Kind.None),
  attr("CHAP-Challenge", Kind.Text),
  attr("NAS-Port-Type", Kind.Number, NAS_PORT_TYPES),
  attr("Port-Limit", Kind.Number),
  attr("Login-LAT-Port", Kind.Text),
  attr("Tunnel-Type", Kind.Number, TUNNEL_TYPES),
  attr("Tunnel-Medium-Type", Kind.Number, TUNNEL_MEDIUM_TYPES),
  attr("Tunnel-Client-Endpoint", Kind.Text),
  attr("Tunnel-Server-Endpoint", Kind.Text),
  attr("Acct-Tunnel-Connection", Kind.Text),
  attr("Tunnel-Password", Kind.Text),
  attr("ARAP-Password", Kind.Special),
  attr("ARAP-Features", Kind.Special),
  attr("ARAP-Zone-Access", Kind.Number, ARAP_ZONE_ACCESS),
  attr("ARAP-Security", Kind.Text),
  attr("ARAP-Security-Data", Kind.Text),
  attr("Password-Retry", Kind.Number),
  attr("Prompt", Kind.Number, PROMPTS),
  attr("Connect-Info", Kind.Text),
  attr("Configuration-Token", Kind.Text),
  attr("EAP-Message", Kind.Text),
  attr("Message-Authenticator", Kind.Text),
  attr("Tunnel-Private-Group-ID", Kind.Text),
  attr("Tunnel-Assignment-ID", Kind.Text),
  attr("Tunnel-Preference", Kind.Number),
  attr("ARAP-Challenge-Response", Kind.Special),
  attr("Acct-Interim-Interval", Kind.Number),
  attr("Acct-Tunnel-Packets-Lost", Kind.Number),
  attr("NAS-Port-Id", Kind.Text),
  attr("Framed-Pool", Kind.Text),
  attr("CUI", Kind.Text),
  attr("Tunnel-Client-Auth-ID", Kind.Text),
  attr("Tunnel-Server-Auth-ID", Kind.Text),
  attr("NAS-Filter-Rule", Kind.Text),
  attr("Unassigned", Kind.None),
  attr("Originating-Line-Info", Kind.None),
  attr("NAS-IPv6-Address", Kind.Address6),
  attr("Framed-Interface-ID", Kind.None),
  attr("Framed-IPv6-Prefix", Kind.Prefix6),
  attr("Login-IPv6-Host", Kind.Address6),
  attr("Framed-IPv6-Route", Kind.Text),
  attr("Framed-IPv6-Pool", Kind.Text),
  attr("Error-Cause", Kind.Special),
  attr("EAP-Key-Name", Kind.None),
  attr("Digest-Response", Kind.Text),
  attr("Digest-Realm", Kind.Text),
  attr("Digest-Nonce", Kind.Text),
  attr("Digest-Response-Auth", Kind.Text),
  attr("Digest-Nextnonce", Kind.Text),
  attr("Digest-Method", Kind.Text),
  attr("Digest-URI", Kind.Text),
  attr("Digest-Qop", Kind.Text),
  attr("Digest-Algorithm", Kind.Text),
  attr("Digest-Entity-Body-Hash", Kind.Text),
  attr("Digest-CNonce", Kind.Text),
  attr("Digest-Nonce-Count", Kind.Text),
  attr("Digest-Username", Kind.Text),
  attr("Digest-Opaque", Kind.Text),
  attr("Digest-Auth-Param", Kind.Text),
  attr("Digest-AKA-Auts", Kind.Text),
  attr("Digest-Domain", Kind.Text),
  attr("Digest-Stale", Kind.Text),
  attr("Digest-HA1", Kind.Text),
  attr("SIP-AOR", Kind.Text),
  attr("Delegated-IPv6-Prefix", Kind.Prefix6),
  attr("MIP6-Feature-Vector", Kind.FeatureVector),
  attr("MIP6-Home-Link-Prefix", Kind.HomeLinkPrefix),
  attr("Operator-Name", Kind.OperatorName),
  attr("Location-Information", Kind.LocationInformation),
  attr("Location-Data", Kind.LocationData),
  attr("Basic-Location-Policy-Rules", Kind.LocationPolicyRules),
];

export function radiusPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "radius";
  if (!has(c, at, MIN_LENGTH)) {
    c.out += " [|radius]";
    return;
  }
  let len = be16(c, at + 2);
  if (len < MIN_LENGTH) {
    c.out += " [|radius]";
    return;
  }
  if (len > length) len = length;
  const code = u8(c, at);
  const command = COMMANDS.get(code) ?? "Unknown Command";
  if (!c.flags.verbose) {
    c.out += "RADIUS, " + command + " (" + code + "), id: 0x" + hex2(u8(c, at + 1)) + " length: " + len;
    return;
  }
  c.out += "RADIUS, length: " + len + "\n\t" + command + " (" + code + "), id: 0x" + hex2(u8(c, at + 1));
  // The authenticator is printed from the 20 bytes checked above.
  c.out += ", Authenticator: ";
  for (let i = 0; i < 16; i++) c.out += hex2(c.bytes[at + 4 + i]!);
  if (len > MIN_LENGTH) attributesPrint(c, at + MIN_LENGTH, len - MIN_LENGTH);
}

function truncatedValue(c: PrintContext): void {
  c.out += " [|radius]";
}

function attributesPrint(c: PrintContext, at: number, length: number): void {
  while (length > 0) {
    if (length < 2 || !has(c, at, 2)) {
      truncatedValue(c);
      return;
    }
    const type = u8(c, at);
    const len = u8(c, at + 1);
    const known = type < ATTRIBUTES.length ? ATTRIBUTES[type]! : undefined;
    c.out += "\n\t  " + (type !== 0 && known ? known.name : "Unknown") + " Attribute (" + type + "), length: " + len;
    if (len < 2) {
      c.out += " (bogus, must be >= 2)";
      return;
    }
    if (len > length) {
      c.out += " (bogus, goes past end of packet)";
      return;
    }
    c.out += ", Value: ";
    if (known && len > 2) valuePrint(c, known, type, at + 2, len - 2);
    if (c.flags.verbose > 1) printUnknownData(c, at + 2, "\n\t    ", len - 2);
    length -= len;
    at += len;
  }
}

function valuePrint(c: PrintContext, a: Attribute, type: number, at: number, length: number): void {
  switch (a.kind) {
    case Kind.Text:
      return textPrint(c, type, at, length);
    case Kind.Number:
      return numberPrint(c, a, type, at, length);
    case Kind.Vendor:
      return vendorPrint(c, at, length);
    case Kind.Address:
      if (length !== 4) return lengthError(c, length, 4);
      if (type === FRAMED_IP_ADDRESS || type === LOGIN_IP_HOST) {
        const v = be32(c, at);
        if (v === 0xffffffff) c.out += "User Selected";
        else if (v === 0xfffffffe) c.out += "NAS Select";
        else c.out += ipv4String(c, at);
      } else c.out += ipv4String(c, at);
      return;
    case Kind.Address6:
      if (length !== 16) return lengthError(c, length, 16);
      c.out += ipv6String(c, at);
      return;
    case Kind.Prefix6:
      return prefix6Print(c, at, length);
    case Kind.HomeLinkPrefix:
      if (length !== 17) return lengthError(c, length, 17);
      if (!has(c, at, length)) return truncatedValue(c);
      if (u8(c, at) > 128) {
        c.out += "ERROR: netmask " + u8(c, at) + " not in range (0..128)";
        return;
      }
      c.out += ipv6String(c, at + 1) + "/" + u8(c, at);
      return;
    case Kind.OperatorName: {
      if (!has(c, at, length)) return truncatedValue(c);
      if (length < 2) {
        c.out += "ERROR: length " + length + " < 2";
        return;
      }
      const ns = u8(c, at);
      c.out += "[" + (OPERATOR_NAMESPACES.get(ns) ?? "unknown namespace " + ns) + "] " + rawText(c, at + 1, length - 1);
      return;
    }
    case Kind.LocationInformation: {
      if (!has(c, at, length)) return truncatedValue(c);
      if (length < 21) {
        c.out += "ERROR: length " + length + " < 21";
        return;
      }
      const code = u8(c, at + 2);
      const entity = u8(c, at + 3);
      c.out +=
        "index " +
        be16(c, at) +
        ", code " +
        (LOCATION_CODES[code] ?? "Unknown (" + code + ")") +
        ", entity " +
        (LOCATION_ENTITIES[entity] ?? "Unknown (" + entity + ")") +
        ", sighting time " +
        ntpTimestamp(c, at + 4) +
        ", time to live " +
        ntpTimestamp(c, at + 12) +
        ', method "' +
        rawText(c, at + 20, length - 20) +
        '"';
      return;
    }
    case Kind.LocationData:
      if (!has(c, at, length)) return truncatedValue(c);
      if (length < 3) {
        c.out += "ERROR: length " + length + " < 3";
        return;
      }
      c.out += "index " + be16(c, at) + ", location";
      hexAndAsciiPrint(c, "\n\t    ", at + 2, length - 2);
      return;
    case Kind.LocationPolicyRules:
      if (!has(c, at, length)) return truncatedValue(c);
      if (length < 10) {
        c.out += "ERROR: length " + length + " < 10";
        return;
      }
      c.out += "flags [" + policyFlags(be16(c, at)) + "], retention expires " + ntpTimestamp(c, at + 2);
      if (length > 10) c.out += ', note well "' + rawText(c, at + 10, length - 10) + '"';
      return;
    case Kind.Time:
      if (length !== 4) return lengthError(c, length, 4);
      c.out += ctime(be32(c, at));
      return;
    case Kind.FeatureVector: {
      if (length !== 8) return lengthError(c, length, 8);
      const high = be32(c, at);
      const low = be32(c, at + 4);
      let s = "";
      for (const [h, l, name] of FEATURE_BITS) if (high & h || low & l) s += (s === "" ? "" : ", ") + name;
      c.out += "[" + s + "]";
      return;
    }
    case Kind.Special:
      return specialPrint(c, type, at, length);
    case Kind.None:
      return;
  }
}

function lengthError(c: PrintContext, length: number, want: number): void {
  c.out += "ERROR: length " + length + " != " + want;
}

/** Every byte as tcpdump prints raw text: M- for the high bit, ^ for controls. */
function rawText(c: PrintContext, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += printableChar(u8(c, at + i));
  return s;
}

function textPrint(c: PrintContext, type: number, at: number, length: number): void {
  if (!has(c, at, length)) return truncatedValue(c);
  switch (type) {
    case TUNNEL_PASSWORD: {
      if (length < 3) return truncatedValue(c);
      const tag = u8(c, at);
      c.out += (tag && tag <= 0x1f ? "Tag[" + tag + "] " : "Tag[Unused] ") + "Salt " + be16(c, at + 1) + " ";
      at += 3;
      length -= 3;
      break;
    }
    case TUNNEL_CLIENT_ENDPOINT:
    case TUNNEL_SERVER_ENDPOINT:
    case TUNNEL_PRIVATE_GROUP_ID:
    case TUNNEL_ASSIGNMENT_ID:
    case TUNNEL_CLIENT_AUTH_ID:
    case TUNNEL_SERVER_AUTH_ID: {
      // A first byte up to 0x1f is a tag, not text.
      const tag = u8(c, at);
      if (tag <= 0x1f) {
        c.out += tag ? "Tag[" + tag + "] " : "Tag[Unused] ";
        at++;
        length--;
      }
      break;
    }
    case EGRESS_VLAN_NAME: {
      const tag = u8(c, at);
      c.out += (VLAN_TAGS.get(tag) ?? "Unknown tag") + " (0x" + hex2(tag) + ") ";
      at++;
      length--;
      break;
    }
    case EAP_MESSAGE:
      eapPrint(c, at, length);
      return;
  }
  for (let i = 0; i < length; i++) {
    const ch = u8(c, at + i);
    if (ch === 0) break;
    c.out += ch >= 0x20 && ch <= 0x7e ? String.fromCharCode(ch) : ".";
  }
}

function numberPrint(c: PrintContext, a: Attribute, type: number, at: number, length: number): void {
  if (length !== 4) return lengthError(c, length, 4);
  if (a.values) {
    let value: number;
    if (type === TUNNEL_TYPE || type === TUNNEL_MEDIUM_TYPE) {
      const tag = u8(c, at);
      c.out += tag ? "Tag[" + tag + "] " : "Tag[Unused] ";
      value = be32(c, at) & 0xffffff;
    } else value = be32(c, at);
    const name = value < a.values.length ? a.values[value] : undefined;
    c.out += name ?? "#" + value;
    return;
  }
  const value = be32(c, at);
  switch (type) {
    case FRAMED_IPX_NETWORK:
      c.out += value === 0xfffffffe ? "NAS Select" : String(value);
      return;
    case SESSION_TIMEOUT:
    case IDLE_TIMEOUT:
    case ACCT_DELAY_TIME:
    case ACCT_SESSION_TIME:
    case ACCT_INTERIM_INTERVAL:
      c.out += duration(value);
      return;
    case FRAMED_APPLETALK_LINK:
      c.out += value ? String(value) : "Unnumbered";
      return;
    case FRAMED_APPLETALK_NETWORK:
      c.out += value ? String(value) : "NAS assigned";
      return;
    case TUNNEL_PREFERENCE: {
      const tag = u8(c, at);
      c.out += (tag ? "Tag[" + tag + "] " : "Tag[Unused] ") + (value & 0xffffff);
      return;
    }
    case EGRESS_VLANID: {
      const tag = u8(c, at);
      c.out += (VLAN_TAGS.get(tag) ?? "Unknown tag") + " (0x" + hex2(tag) + ") " + (value & 0xffffff);
      return;
    }
    default:
      c.out += value;
  }
}

function two(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Seconds as tcpdump shows a RADIUS time interval. */
function duration(s: number): string {
  if (s < 60) return two(s) + " secs";
  if (s < 3600) return two(Math.trunc(s / 60)) + ":" + two(s % 60) + " min";
  return two(Math.trunc(s / 3600)) + ":" + two(Math.trunc((s % 3600) / 60)) + ":" + two(s % 60) + " hours";
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime()'s text without its newline, in local time as tcpdump prints Event-Timestamp. */
function ctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = d.getDate();
  return (
    DAYS[d.getDay()] +
    " " +
    MONTHS[d.getMonth()] +
    " " +
    (day < 10 ? " " + day : String(day)) +
    " " +
    two(d.getHours()) +
    ":" +
    two(d.getMinutes()) +
    ":" +
    two(d.getSeconds()) +
    " " +
    d.getFullYear()
  );
}

function prefix6Print(c: PrintContext, at: number, length: number): void {
  if (length < 2 || length > 18) {
    c.out += "ERROR: length " + length + " not in range (2..18)";
    return;
  }
  if (!has(c, at, length)) return truncatedValue(c);
  const bits = u8(c, at + 1);
  if (bits > 128) {
    c.out += "ERROR: netmask " + bits + " not in range (0..128)";
    return;
  }
  // The prefix bytes present, zero-filled to a whole address.
  const address = new Uint8Array(16);
  address.set(c.bytes.subarray(at + 2, at + length));
  c.out += ipv6FromBytes(address, 0) + "/" + bits;
  if (bits > 8 * (length - 2)) c.out += " (inconsistent prefix length)";
}

function vendorPrint(c: PrintContext, at: number, length: number): void {
  if (length < 4) return truncatedValue(c);
  const vendor = be32(c, at);
  at += 4;
  length -= 4;
  c.out += "Vendor: " + (smiEnterpriseName(vendor) ?? "Unknown") + " (" + vendor + ")";
  while (length >= 2) {
    const vtype = u8(c, at);
    let vlen = u8(c, at + 1);
    if (vlen < 2) {
      c.out += "\n\t    Vendor Attribute: " + vtype + ", Length: " + vlen + " (bogus, must be >= 2)";
      return;
    }
    if (vlen > length) {
      c.out +=
        "\n\t    Vendor Attribute: " +
        vtype +
        ", Length: " +
        vlen +
        " (bogus, goes past end of vendor-specific attribute)";
      return;
    }
    at += 2;
    vlen -= 2;
    length -= 2;
    if (!has(c, at, vlen)) return truncatedValue(c);
    c.out += "\n\t    Vendor Attribute: " + vtype + ", Length: " + vlen + ", Value: ";
    for (let i = 0; i < vlen; i++) {
      const ch = c.bytes[at + i]!;
      c.out += ch >= 0x20 && ch <= 0x7e ? String.fromCharCode(ch) : ".";
    }
    at += vlen;
    length -= vlen;
  }
}

/** Bytes in upper-case hex, each printed before the next is read (a short value ends there). */
function upperHex(c: PrintContext, at: number, count: number): void {
  for (let i = 0; i < count; i++) c.out += hex2(u8(c, at + i)).toUpperCase();
}

function specialPrint(c: PrintContext, type: number, at: number, length: number): void {
  switch (type) {
    case ARAP_PASSWORD:
      if (length !== 16) return lengthError(c, length, 16);
      c.out += "User_challenge (";
      upperHex(c, at, 8);
      c.out += ") User_resp(";
      upperHex(c, at + 8, 8);
      c.out += ")";
      return;
    case ARAP_FEATURES:
      if (length !== 14) return lengthError(c, length, 14);
      c.out += u8(c, at) ? "User can change password" : "User cannot change password";
      c.out += ", Min password length: " + u8(c, at + 1) + ", created at: ";
      upperHex(c, at + 2, 4);
      c.out += ", expires in: ";
      upperHex(c, at + 6, 4);
      c.out += ", Current Time: ";
      upperHex(c, at + 10, 4);
      return;
    case ARAP_CHALLENGE_RESPONSE:
      if (length < 8) return lengthError(c, length, 8);
      upperHex(c, at, 8);
      return;
    case ERROR_CAUSE: {
      if (length !== 4) {
        c.out += "Error: length " + length + " != 4";
        return;
      }
      const cause = be32(c, at);
      c.out += "Error cause " + cause + ": " + (ERROR_CAUSES.get(cause) ?? "Error-Cause " + cause + " not known");
      return;
    }
  }
}
