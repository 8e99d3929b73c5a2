// OpenFlow message bodies at -v as tcpdump prints them: data (HELLO 1.0, ECHO), switch
// configuration, and for 1.3 the hello elements, experimenter, features reply, port status and
// port mod (with the port's bitmaps at -vv), table mod, queue config request, role and async
// messages. Bodies of the other types (1.0 flow, stats, packet, queue, vendor and error messages;
// 1.3 errors) are not decoded yet: their packets are marked unsupported.

import { macString } from "./addr.js";
import { be16, be32, check, u8, type PrintContext } from "./context.js";
import { knownOuiName } from "./names.js";
import { hexAndAsciiPrint, printableChar } from "./unknown.js";

const V10 = 1;
const V13 = 4;

const enum Body {
  /** Nothing printed at -v. */
  None,
  Data,
  Config10,
  Config13,
  Hello13,
  Experimenter13,
  FeaturesReply13,
  PortStatus13,
  PortMod13,
  TableMod13,
  QueueRequest13,
  Role13,
  Async13,
}
const N = Body.None;
const UNSUPPORTED = -1;

/** By message type: its body printer, or UNSUPPORTED. */
const V10_BODIES: (Body | typeof UNSUPPORTED)[] = [
  Body.Data, // HELLO
  UNSUPPORTED, // ERROR
  Body.Data, // ECHO_REQUEST
  Body.Data, // ECHO_REPLY
  UNSUPPORTED, // VENDOR
  N, // FEATURES_REQUEST
  UNSUPPORTED, // FEATURES_REPLY
  N, // GET_CONFIG_REQUEST
  Body.Config10, // GET_CONFIG_REPLY
  Body.Config10, // SET_CONFIG
  UNSUPPORTED, // PACKET_IN
  UNSUPPORTED, // FLOW_REMOVED
  UNSUPPORTED, // PORT_STATUS
  UNSUPPORTED, // PACKET_OUT
  UNSUPPORTED, // FLOW_MOD
  UNSUPPORTED, // PORT_MOD
  UNSUPPORTED, // STATS_REQUEST
  UNSUPPORTED, // STATS_REPLY
  N, // BARRIER_REQUEST
  N, // BARRIER_REPLY
  UNSUPPORTED, // QUEUE_GET_CONFIG_REQUEST
  UNSUPPORTED, // QUEUE_GET_CONFIG_REPLY
];
const V13_BODIES: (Body | typeof UNSUPPORTED)[] = [
  Body.Hello13,
  UNSUPPORTED, // ERROR
  Body.Data, // ECHO_REQUEST
  Body.Data, // ECHO_REPLY
  Body.Experimenter13,
  N, // FEATURES_REQUEST
  Body.FeaturesReply13,
  N, // GET_CONFIG_REQUEST
  Body.Config13, // GET_CONFIG_REPLY
  Body.Config13, // SET_CONFIG
  N, // PACKET_IN
  N, // FLOW_REMOVED
  Body.PortStatus13,
  N, // PACKET_OUT
  N, // FLOW_MOD
  N, // GROUP_MOD
  Body.PortMod13,
  Body.TableMod13,
  N, // MULTIPART_REQUEST
  N, // MULTIPART_REPLY
  N, // BARRIER_REQUEST
  N, // BARRIER_REPLY
  Body.QueueRequest13,
  N, // QUEUE_GET_CONFIG_REPLY
  Body.Role13, // ROLE_REQUEST
  Body.Role13, // ROLE_REPLY
  N, // GET_ASYNC_REQUEST
  Body.Async13, // GET_ASYNC_REPLY
  Body.Async13, // SET_ASYNC
  N, // METER_MOD
];

const CONFIG_FLAGS = ["FRAG_NORMAL", "FRAG_DROP", "FRAG_REASM"];
type Bits = [number, string][];
const CAPABILITIES_13: Bits = [
  [1 << 0, "FLOW_STATS"],
  [1 << 1, "TABLE_STATS"],
  [1 << 2, "PORT_STATS"],
  [1 << 3, "GROUP_STATS"],
  [1 << 5, "IP_REASM"],
  [1 << 6, "QUEUE_STATS"],
  [1 << 8, "PORT_BLOCKED"],
];
const PORT_CONFIG_13: Bits = [
  [1 << 0, "PORT_DOWN"],
  [1 << 2, "NO_RECV"],
  [1 << 5, "NO_FWD"],
  [1 << 6, "NO_PACKET_IN"],
];
const PORT_STATE_13: Bits = [
  [1 << 0, "LINK_DOWN"],
  [1 << 1, "BLOCKED"],
  [1 << 2, "LIVE"],
];
const PORT_FEATURES_13: Bits = [
  "10MB_HD",
  "10MB_FD",
  "100MB_HD",
  "100MB_FD",
  "1GB_HD",
  "1GB_FD",
  "10GB_FD",
  "40GB_FD",
  "100GB_FD",
  "1TB_FD",
  "OTHER",
  "COPPER",
  "FIBER",
  "AUTONEG",
  "PAUSE",
  "PAUSE_ASYM",
].map((name, bit): [number, string] => [1 << bit, name]);
const VERSION_BITS: Bits = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"].map((name, bit): [number, string] => [
  1 << bit,
  name,
]);
const ASYNC_PACKET_IN: Bits = [
  [1 << 0, "NO_MATCH"],
  [1 << 1, "ACTION"],
  [1 << 2, "INVALID_TTL"],
];
const ASYNC_PORT_STATUS: Bits = [
  [1 << 0, "ADD"],
  [1 << 1, "DELETE"],
  [1 << 2, "MODIFY"],
];
const PORT_REASONS = ["ADD", "DELETE", "MODIFY"];
const ROLES = ["NOCHANGE", "EQUAL", "MASTER", "SLAVE"];
const PORTS_13 = new Map([
  [0xffffff00, "MAX"],
  [0xfffffff8, "IN_PORT"],
  [0xfffffff9, "TABLE"],
  [0xfffffffa, "NORMAL"],
  [0xfffffffb, "FLOOD"],
  [0xfffffffc, "ALL"],
  [0xfffffffd, "CONTROLLER"],
  [0xfffffffe, "LOCAL"],
  [0xffffffff, "ANY"],
]);
const EXPERIMENTERS = new Map([
  [0x4f4e4600, "ONF Extensions"],
  [0xff000001, "Budapest University of Technology and Economics"],
  [0xff000002, "NoviFlow"],
  [0xff000003, "L3+ Extensions, Vendor Neutral"],
  [0xff000004, "L4-L7 Extensions"],
  [0xff000005, "Wireless and Mobility Extensions"],
  [0xff000006, "Forwarding Abstractions Extensions"],
  [0xff000007, "Optical Transport Extensions"],
  [0xff000008, "Network Benchmarking Lab, NCTU"],
  [0xff000009, "Mobile Packet Core Extensions"],
  [0xff00000a, "MPLS-TP OpenFlow Extensions for SPTN"],
]);
const VERSION_BITMAP = 1;
const HELLO_ELEMENT_MIN = 4;
const PORT_NAME_LENGTH = 16;

/**
 * Prints the body of a message whose length checks passed, at -v. Returns false (nothing
 * printed) for a type with no body printer here; such packets are marked unsupported.
 */
export function openflowBodyPrint(c: PrintContext, version: number, type: number, at: number, length: number): boolean {
  const body = version === V10 ? V10_BODIES[type] : version === V13 ? V13_BODIES[type] : undefined;
  if (body === undefined) return false;
  if (body === UNSUPPORTED) {
    c.markUnsupported("openflow -v message type " + type);
    return false;
  }
  switch (body) {
    case Body.None:
      check(c, at, length);
      break;
    case Body.Data:
      dataPrint(c, at, length);
      break;
    case Body.Config10:
    case Body.Config13: {
      const flags = be16(c, at);
      c.out += "\n\t flags " + (CONFIG_FLAGS[flags] ?? "invalid (0x" + flags.toString(16).padStart(4, "0") + ")");
      const miss = be16(c, at + 2);
      c.out +=
        ", miss_send_len " +
        (body === Body.Config13 && miss === 0xffe5
          ? "MAX"
          : body === Body.Config13 && miss === 0xffff
            ? "NO_BUFFER"
            : miss);
      break;
    }
    case Body.Hello13:
      helloElementsPrint(c, at, length);
      break;
    case Body.Experimenter13: {
      const experimenter = be32(c, at);
      c.out += "\n\t experimenter 0x" + hex8(experimenter) + " (" + vendorName(experimenter) + ")";
      c.out += ", exp_type 0x" + hex8(be32(c, at + 4));
      dataPrint(c, at + 8, length - 8);
      break;
    }
    case Body.FeaturesReply13: {
      c.out += "\n\t dpid 0x" + hex8(be32(c, at)) + hex8(be32(c, at + 4));
      c.out += ", n_buffers " + be32(c, at + 8) + ", n_tables " + u8(c, at + 12) + ", auxiliary_id " + u8(c, at + 13);
      bitmap(c, "\n\t capabilities 0x", CAPABILITIES_13, be32(c, at + 16));
      check(c, at + 20, 4);
      break;
    }
    case Body.PortStatus13: {
      const reason = u8(c, at);
      // tcpdump's text for an unknown reason lacks its conversion: printed as written.
      c.out += "\n\t reason " + (PORT_REASONS[reason] ?? "invalid (0x02x)");
      portPrint(c, at + 8);
      break;
    }
    case Body.PortMod13:
      c.out += "\n\t port_no " + port13(be32(c, at)) + ", hw_addr " + macString(c, at + 8);
      bitmap(c, "\n\t  config 0x", PORT_CONFIG_13, be32(c, at + 16));
      bitmap(c, "\n\t  mask 0x", PORT_CONFIG_13, be32(c, at + 20));
      bitmap(c, "\n\t  advertise 0x", PORT_FEATURES_13, be32(c, at + 24));
      check(c, at + 28, 4);
      break;
    case Body.TableMod13: {
      const table = u8(c, at);
      c.out += "\n\t table_id " + (table === 0xfe ? "MAX" : table === 0xff ? "ALL" : table);
      c.out += ", config 0x" + hex8(be32(c, at + 4));
      break;
    }
    case Body.QueueRequest13:
      c.out += "\n\t port " + port13(be32(c, at));
      check(c, at + 4, 4);
      break;
    case Body.Role13: {
      const role = be32(c, at);
      c.out += "\n\t role " + (ROLES[role] ?? "invalid (0x" + hex8(role) + ")");
      c.out += ", generation_id 0x" + hex8(be32(c, at + 8)) + hex8(be32(c, at + 12));
      break;
    }
    case Body.Async13:
      bitmap(c, "\n\t packet_in_mask[EM] 0x", ASYNC_PACKET_IN, be32(c, at));
      bitmap(c, "\n\t packet_in_mask[S] 0x", ASYNC_PACKET_IN, be32(c, at + 4));
      bitmap(c, "\n\t port_status_mask[EM] 0x", ASYNC_PORT_STATUS, be32(c, at + 8));
      bitmap(c, "\n\t port_status_mask[S] 0x", ASYNC_PORT_STATUS, be32(c, at + 12));
      bitmap(c, "\n\t flow_removed_mask[EM] 0x", ASYNC_PORT_STATUS, be32(c, at + 16));
      bitmap(c, "\n\t flow_removed_mask[S] 0x", ASYNC_PORT_STATUS, be32(c, at + 20));
      break;
  }
  return true;
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

function port13(port: number): string {
  return PORTS_13.get(port) ?? "" + port;
}

function vendorName(vendor: number): string {
  return ((vendor & 0xff000000) === 0 ? knownOuiName(vendor) : EXPERIMENTERS.get(vendor)) ?? "unknown";
}

/** "<label>XXXXXXXX", then the names of the assigned bits set and " (bogus)" for the others. */
function bitmap(c: PrintContext, label: string, bits: Bits, value: number): void {
  c.out += label + hex8(value);
  let known = 0;
  let names = "";
  for (const [bit, name] of bits) {
    known |= bit;
    if (value & bit) names += (names === "" ? "" : ", ") + name;
  }
  if (value & known) c.out += " (" + names + ")";
  if (value & ~known) c.out += " (bogus)";
}

function dataPrint(c: PrintContext, at: number, length: number): void {
  if (length === 0) return;
  c.out += "\n\t data (" + length + " octets)";
  if (c.flags.verbose >= 2) hexAndAsciiPrint(c, "\n\t  ", at, length);
  else check(c, at, length);
}

function helloElementsPrint(c: PrintContext, at: number, length: number): void {
  let p = at;
  let len = length;
  while (len) {
    if (len < HELLO_ELEMENT_MIN) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const type = be16(c, p);
    c.out +=
      "\n\t type " +
      (type === VERSION_BITMAP ? "VERSIONBITMAP" : "unknown (0x" + type.toString(16).padStart(4, "0") + ")");
    const elementLength = be16(c, p + 2);
    c.out += ", length " + elementLength;
    p += 4;
    len -= 4;
    if (elementLength < HELLO_ELEMENT_MIN || elementLength > HELLO_ELEMENT_MIN + len) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const rest = elementLength - HELLO_ELEMENT_MIN;
    if (type === VERSION_BITMAP && rest === 4) bitmap(c, ", bitmap 0x", VERSION_BITS, be32(c, p));
    else {
      if (type === VERSION_BITMAP) c.out += " (bogus)";
      check(c, p, rest);
    }
    p += rest;
    len -= rest;
  }
}

/** An OpenFlow 1.3 port description (64 bytes): number, address, name; its bitmaps at -vv. */
function portPrint(c: PrintContext, at: number): void {
  c.out += "\n\t  port_no " + port13(be32(c, at)) + ", hw_addr " + macString(c, at + 8) + ", name '";
  for (let i = 0; i < PORT_NAME_LENGTH; i++) {
    const byte = u8(c, at + 16 + i);
    if (byte === 0) break;
    c.out += printableChar(byte);
  }
  c.out += "'";
  const p = at + 32;
  if (c.flags.verbose < 2) {
    check(c, p, 32);
    return;
  }
  bitmap(c, "\n\t   config 0x", PORT_CONFIG_13, be32(c, p));
  bitmap(c, "\n\t   state 0x", PORT_STATE_13, be32(c, p + 4));
  bitmap(c, "\n\t   curr 0x", PORT_FEATURES_13, be32(c, p + 8));
  bitmap(c, "\n\t   advertised 0x", PORT_FEATURES_13, be32(c, p + 12));
  bitmap(c, "\n\t   supported 0x", PORT_FEATURES_13, be32(c, p + 16));
  bitmap(c, "\n\t   peer 0x", PORT_FEATURES_13, be32(c, p + 20));
  c.out += "\n\t   curr_speed " + be32(c, p + 24) + "kbps";
  c.out += "\n\t   max_speed " + be32(c, p + 28) + "kbps";
}
