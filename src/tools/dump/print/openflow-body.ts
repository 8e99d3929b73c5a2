// OpenFlow message bodies at -v as tcpdump prints them. 1.0: data, errors, vendor messages
// (Big Switch's decoded), features reply with its ports, switch configuration, packet-in/out,
// flow mod and removed (match, actions), port status and mod, stats requests and replies, queue
// configuration. 1.3: hello elements, errors, experimenter, features reply, switch
// configuration, port status and mod, table mod, queue request, role and async messages (tcpdump
// decodes no other 1.3 bodies).

import { hex2, macString } from "./addr.js";
import { available, be16, be32, check, pushSnaplen, u8, type PrintContext } from "./context.js";
import { encapsulated } from "./encapsulated.js";
import { vlanTciString } from "./vlan.js";
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
  FeaturesReply10,
  FlowMod10,
  FlowRemoved10,
  StatsRequest10,
  StatsReply10,
  QueueRequest10,
  QueueReply10,
  PacketIn10,
  PacketOut10,
  Error10,
  Error13,
  Vendor10,
  PortStatus10,
  PortMod10,
}
const N = Body.None;
/** By message type: its body printer. */
const V10_BODIES: Body[] = [
  Body.Data, // HELLO
  Body.Error10,
  Body.Data, // ECHO_REQUEST
  Body.Data, // ECHO_REPLY
  Body.Vendor10,
  N, // FEATURES_REQUEST
  Body.FeaturesReply10,
  N, // GET_CONFIG_REQUEST
  Body.Config10, // GET_CONFIG_REPLY
  Body.Config10, // SET_CONFIG
  Body.PacketIn10,
  Body.FlowRemoved10,
  Body.PortStatus10,
  Body.PacketOut10,
  Body.FlowMod10,
  Body.PortMod10,
  Body.StatsRequest10,
  Body.StatsReply10,
  N, // BARRIER_REQUEST
  N, // BARRIER_REPLY
  Body.QueueRequest10,
  Body.QueueReply10,
];
const V13_BODIES: Body[] = [
  Body.Hello13,
  Body.Error13,
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
 * printed) for a version or type tcpdump has no body printer for.
 */
export function openflowBodyPrint(c: PrintContext, version: number, type: number, at: number, length: number): boolean {
  const body = version === V10 ? V10_BODIES[type] : version === V13 ? V13_BODIES[type] : undefined;
  if (body === undefined) return false;
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
      c.out += ", n_buffers " + be32(c, at + 8);
      c.out += ", n_tables " + u8(c, at + 12);
      c.out += ", auxiliary_id " + u8(c, at + 13);
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
      c.out += "\n\t port_no " + port13(be32(c, at));
      c.out += ", hw_addr " + macString(c, at + 8);
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
    case Body.FeaturesReply10:
      features10Print(c, at, length);
      break;
    case Body.FlowMod10:
      flowMod10Print(c, at, length);
      break;
    case Body.FlowRemoved10: {
      match10Print(c, "\n\t ", at);
      const p = at + MATCH_LENGTH;
      c.out += "\n\t cookie 0x" + hex8(be32(c, p)) + hex8(be32(c, p + 4));
      const priority = be16(c, p + 8);
      if (priority) c.out += ", priority " + priority;
      const reason = u8(c, p + 10);
      c.out += ", reason " + (REMOVED_REASONS[reason] ?? "unknown (0x" + reason.toString(16).padStart(2, "0") + ")");
      c.out += ", duration_sec " + be32(c, p + 12);
      c.out += ", duration_nsec " + be32(c, p + 16);
      const idle = be16(c, p + 20);
      if (idle) c.out += ", idle_timeout " + idle;
      c.out += ", packet_count " + u64(c, p + 24);
      c.out += ", byte_count " + u64(c, p + 32);
      break;
    }
    case Body.StatsRequest10:
      statsRequest10Print(c, at, length);
      break;
    case Body.StatsReply10:
      statsReply10Print(c, at, length);
      break;
    case Body.QueueRequest10:
      c.out += "\n\t port " + port10(be16(c, at));
      check(c, at + 2, 2);
      break;
    case Body.QueueReply10:
      c.out += "\n\t port " + port10(be16(c, at));
      check(c, at + 2, 6);
      queues10Print(c, at + 8, length - 8);
      break;
    case Body.PacketIn10: {
      const buffer = be32(c, at);
      c.out += "\n\t buffer_id " + (buffer === 0xffffffff ? "NONE" : "0x" + hex8(buffer));
      c.out += ", total_len " + be16(c, at + 4);
      c.out += ", in_port " + port10(be16(c, at + 6));
      const reason = u8(c, at + 8);
      c.out += ", reason " + (reason === 0 ? "NO_MATCH" : reason === 1 ? "ACTION" : "invalid (0x" + hex2(reason) + ")");
      check(c, at + 9, 1);
      packetData10Print(c, at + 10, length - 10);
      break;
    }
    case Body.PacketOut10: {
      c.out += "\n\t buffer_id 0x" + hex8(be32(c, at));
      c.out += ", in_port " + port10(be16(c, at + 4));
      const actionsLength = be16(c, at + 6);
      const len = length - 8;
      if (actionsLength > len) {
        invalidBody(c, at + 8, len);
        break;
      }
      actions10Print(c, "\n\t ", at + 8, actionsLength);
      packetData10Print(c, at + 8 + actionsLength, len - actionsLength);
      break;
    }
    case Body.Error10:
    case Body.Error13: {
      const errors = body === Body.Error10 ? ERRORS_10 : ERRORS_13;
      const type = be16(c, at);
      const entry = type === 0xffff && body === Body.Error13 ? EXPERIMENTER_ERROR : errors[type];
      c.out += "\n\t type " + (entry ? entry[0] : "invalid (0x" + type.toString(16).padStart(4, "0") + ")");
      const code = be16(c, at + 2);
      const name = entry?.[1][code];
      c.out += ", code " + (name ?? "invalid (0x" + code.toString(16).padStart(4, "0") + ")");
      dataPrint(c, at + 4, length - 4);
      break;
    }
    case Body.Vendor10:
      vendorPrint(c, at, length, false);
      break;
    case Body.PortStatus10: {
      const reason = u8(c, at);
      c.out += "\n\t reason " + (PORT_REASONS[reason] ?? "invalid (0x" + hex2(reason) + ")");
      phyPort10Print(c, at + 8);
      break;
    }
    case Body.PortMod10:
      c.out += "\n\t port_no " + port10(be16(c, at));
      c.out += ", hw_addr " + macString(c, at + 2);
      bitmap(c, "\n\t config 0x", PORT_CONFIG_10, be32(c, at + 8));
      bitmap(c, "\n\t mask 0x", PORT_CONFIG_10, be32(c, at + 12));
      bitmap(c, "\n\t advertise 0x", PORT_FEATURES_10, be32(c, at + 16));
      check(c, at + 20, 4);
      break;
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
  c.out += "\n\t  port_no " + port13(be32(c, at));
  c.out += ", hw_addr " + macString(c, at + 8) + ", name '";
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

const CAPABILITIES_10: Bits = [
  [1 << 0, "FLOW_STATS"],
  [1 << 1, "TABLE_STATS"],
  [1 << 2, "PORT_STATS"],
  [1 << 3, "STP"],
  [1 << 5, "IP_REASM"],
  [1 << 6, "QUEUE_STATS"],
  [1 << 7, "ARP_MATCH_IP"],
];
/** The reserved capability bit: named when set, yet counted as bogus. */
const CAPABILITY_RESERVED = 1 << 4;
const ACTION_NAMES = [
  "OUTPUT",
  "SET_VLAN_VID",
  "SET_VLAN_PCP",
  "STRIP_VLAN",
  "SET_DL_SRC",
  "SET_DL_DST",
  "SET_NW_SRC",
  "SET_NW_DST",
  "SET_NW_TOS",
  "SET_TP_SRC",
  "SET_TP_DST",
  "ENQUEUE",
];
const ACTIONS_10: Bits = ACTION_NAMES.map((name, bit): [number, string] => [1 << bit, name]);
const PORT_CONFIG_10: Bits = [
  "PORT_DOWN",
  "NO_STP",
  "NO_RECV",
  "NO_RECV_STP",
  "NO_FLOOD",
  "NO_FWD",
  "NO_PACKET_IN",
].map((name, bit): [number, string] => [1 << bit, name]);
const PORT_FEATURES_10: Bits = [
  "10MB_HD",
  "10MB_FD",
  "100MB_HD",
  "100MB_FD",
  "1GB_HD",
  "1GB_FD",
  "10GB_FD",
  "COPPER",
  "FIBER",
  "AUTONEG",
  "PAUSE",
  "PAUSE_ASYM",
].map((name, bit): [number, string] => [1 << bit, name]);
const STP_STATES = ["STP_LISTEN", "STP_LEARN", "STP_FORWARD", "STP_BLOCK"];
const PORTS_10 = new Map([
  [0xff00, "MAX"],
  [0xfff8, "IN_PORT"],
  [0xfff9, "TABLE"],
  [0xfffa, "NORMAL"],
  [0xfffb, "FLOOD"],
  [0xfffc, "ALL"],
  [0xfffd, "CONTROLLER"],
  [0xfffe, "LOCAL"],
  [0xffff, "NONE"],
]);
const PORT_CONTROLLER_10 = 0xfffd;
const FLOW_COMMANDS = ["ADD", "MODIFY", "MODIFY_STRICT", "DELETE", "DELETE_STRICT"];
const FLOW_ADD = 0;
const FLOW_MODIFY_STRICT = 2;
const FLOW_DELETE = 3;
const FLOW_DELETE_STRICT = 4;
const FLOW_FLAGS: Bits = [
  [1 << 0, "SEND_FLOW_REM"],
  [1 << 1, "CHECK_OVERLAP"],
  [1 << 2, "EMERG"],
];
const REMOVED_REASONS = ["IDLE_TIMEOUT", "HARD_TIMEOUT", "DELETE"];
const PHY_PORT_LENGTH = 48;
const MATCH_LENGTH = 40;
const ACTION_MIN_LENGTH = 8;
const VLAN_NONE = 0xffff;
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const IPPROTO_ICMP = 1;
// Wildcard bits of a 1.0 match.
const W_IN_PORT = 1 << 0;
const W_DL_VLAN = 1 << 1;
const W_DL_SRC = 1 << 2;
const W_DL_DST = 1 << 3;
const W_DL_TYPE = 1 << 4;
const W_NW_PROTO = 1 << 5;
const W_TP_SRC = 1 << 6;
const W_TP_DST = 1 << 7;
const W_DL_VLAN_PCP = 1 << 20;
const W_NW_TOS = 1 << 21;
const W_ALL = (1 << 22) - 1;

function port10(port: number): string {
  return PORTS_10.get(port) ?? "" + port;
}

function vlan10(vid: number): string {
  if (vid === VLAN_NONE) return "NONE";
  return vid + (vid > 0 && vid < 0x0fff ? "" : " (bogus)");
}

function pcp10(pcp: number): string {
  return pcp + (pcp <= 7 ? "" : " (bogus)");
}

/** An unsigned 64-bit big-endian integer in decimal. */
function u64(c: PrintContext, at: number): string {
  const high = be32(c, at);
  const low = be32(c, at + 4);
  if (high < 0x200000) return "" + (high * 0x100000000 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

function features10Print(c: PrintContext, at: number, length: number): void {
  c.out += "\n\t dpid 0x" + hex8(be32(c, at)) + hex8(be32(c, at + 4));
  c.out += ", n_buffers " + be32(c, at + 8);
  c.out += ", n_tables " + u8(c, at + 12);
  const capabilities = be32(c, at + 16);
  c.out += "\n\t capabilities 0x" + hex8(capabilities);
  let names = "";
  for (const [bit, name] of CAPABILITIES_10) {
    if (bit === 1 << 5 && capabilities & CAPABILITY_RESERVED) names += (names === "" ? "" : ", ") + "RESERVED";
    if (capabilities & bit) names += (names === "" ? "" : ", ") + name;
  }
  const known = 0xef;
  if (capabilities & known) c.out += " (" + names + ")";
  if (capabilities & ~known) c.out += " (bogus)";
  bitmap(c, "\n\t actions 0x", ACTIONS_10, be32(c, at + 20));
  let p = at + 24;
  let len = length - 24;
  while (len) {
    if (len < PHY_PORT_LENGTH) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    phyPort10Print(c, p);
    p += PHY_PORT_LENGTH;
    len -= PHY_PORT_LENGTH;
  }
}

function phyPort10Print(c: PrintContext, at: number): void {
  c.out += "\n\t  port_no " + port10(be16(c, at));
  c.out += ", hw_addr " + macString(c, at + 2) + ", name '";
  for (let i = 0; i < PORT_NAME_LENGTH; i++) {
    const byte = u8(c, at + 8 + i);
    if (byte === 0) break;
    c.out += printableChar(byte);
  }
  c.out += "'";
  const p = at + 24;
  if (c.flags.verbose < 2) {
    check(c, p, 24);
    return;
  }
  bitmap(c, "\n\t   config 0x", PORT_CONFIG_10, be32(c, p));
  const state = be32(c, p + 4);
  // The STP state is a code point in bits 8-9 beside the link-down bit.
  c.out +=
    "\n\t   state 0x" +
    hex8(state) +
    " (" +
    STP_STATES[(state >> 8) & 3] +
    (state & 1 ? ", LINK_DOWN" : "") +
    ")" +
    (state & ~0x301 ? " (bogus)" : "");
  bitmap(c, "\n\t   curr 0x", PORT_FEATURES_10, be32(c, p + 8));
  bitmap(c, "\n\t   advertised 0x", PORT_FEATURES_10, be32(c, p + 12));
  bitmap(c, "\n\t   supported 0x", PORT_FEATURES_10, be32(c, p + 16));
  bitmap(c, "\n\t   peer 0x", PORT_FEATURES_10, be32(c, p + 20));
}

function match10Print(c: PrintContext, prefix: string, at: number): void {
  const w = be32(c, at);
  if (w & ~W_ALL) c.out += prefix + "wildcards 0x" + hex8(w) + " (bogus)";
  if (!(w & W_IN_PORT)) c.out += prefix + "match in_port " + port10(be16(c, at + 4));
  if (!(w & W_DL_SRC)) c.out += prefix + "match dl_src " + macString(c, at + 6);
  if (!(w & W_DL_DST)) c.out += prefix + "match dl_dst " + macString(c, at + 12);
  if (!(w & W_DL_VLAN)) c.out += prefix + "match dl_vlan " + vlan10(be16(c, at + 18));
  if (!(w & W_DL_VLAN_PCP)) c.out += prefix + "match dl_vlan_pcp " + pcp10(u8(c, at + 20));
  const dlType = be16(c, at + 22);
  if (!(w & W_DL_TYPE)) c.out += prefix + "match dl_type 0x" + dlType.toString(16).padStart(4, "0");
  if (!(w & W_NW_TOS))
    c.out +=
      prefix +
      "match nw_tos 0x" +
      u8(c, at + 24)
        .toString(16)
        .padStart(2, "0");
  const nwProto = u8(c, at + 25);
  const typed = !(w & W_DL_TYPE);
  if (!(w & W_NW_PROTO))
    c.out += prefix + "match " + (typed && dlType === ETHERTYPE_ARP ? "arp_opcode " : "nw_proto ") + nwProto;
  const srcBits = (w >> 8) & 0x3f;
  if (srcBits < 32) {
    check(c, at + 28, 4);
    c.out += prefix + "match nw_src " + ipv4(c, at + 28) + "/" + (32 - srcBits);
  }
  const dstBits = (w >> 14) & 0x3f;
  if (dstBits < 32) {
    check(c, at + 32, 4);
    c.out += prefix + "match nw_dst " + ipv4(c, at + 32) + "/" + (32 - dstBits);
  }
  const icmp = typed && dlType === ETHERTYPE_IP && !(w & W_NW_PROTO) && nwProto === IPPROTO_ICMP;
  if (!(w & W_TP_SRC)) c.out += prefix + "match " + (icmp ? "icmp_type " : "tp_src ") + be16(c, at + 36);
  if (!(w & W_TP_DST)) c.out += prefix + "match " + (icmp ? "icmp_code " : "tp_dst ") + be16(c, at + 38);
  else check(c, at + 38, 2);
}

function ipv4(c: PrintContext, at: number): string {
  return u8(c, at) + "." + u8(c, at + 1) + "." + u8(c, at + 2) + "." + u8(c, at + 3);
}

function flowMod10Print(c: PrintContext, at: number, length: number): void {
  match10Print(c, "\n\t ", at);
  const p = at + MATCH_LENGTH;
  c.out += "\n\t cookie 0x" + hex8(be32(c, p)) + hex8(be32(c, p + 4));
  const command = be16(c, p + 8);
  c.out += ", command " + (FLOW_COMMANDS[command] ?? "invalid (0x" + command.toString(16).padStart(4, "0") + ")");
  const idle = be16(c, p + 10);
  if (idle) c.out += ", idle_timeout " + idle;
  const hard = be16(c, p + 12);
  if (hard) c.out += ", hard_timeout " + hard;
  const priority = be16(c, p + 14);
  if (priority) c.out += ", priority " + priority;
  if (command >= FLOW_ADD && command <= FLOW_MODIFY_STRICT) {
    const buffer = be32(c, p + 16);
    c.out += ", buffer_id " + (buffer === 0xffffffff ? "NONE" : "0x" + hex8(buffer));
  }
  if (command === FLOW_DELETE || command === FLOW_DELETE_STRICT) c.out += ", out_port " + port10(be16(c, p + 20));
  const flags = be16(c, p + 22);
  c.out += ", flags 0x" + flags.toString(16).padStart(4, "0");
  let known = 0;
  let names = "";
  for (const [bit, name] of FLOW_FLAGS) {
    known |= bit;
    if (flags & bit) names += (names === "" ? "" : ", ") + name;
  }
  if (flags & known) c.out += " (" + names + ")";
  if (flags & ~known) c.out += " (bogus)";
  actions10Print(c, "\n\t ", p + 24, length - MATCH_LENGTH - 24);
}

const VENDOR_ACTION = 0xffff;

function actions10Print(c: PrintContext, prefix: string, at: number, length: number): void {
  let p = at;
  let len = length;
  while (len) {
    if (len < ACTION_MIN_LENGTH) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const type = be16(c, p);
    const actionLength = be16(c, p + 2);
    c.out +=
      prefix +
      "action type " +
      (ACTION_NAMES[type] ??
        (type === VENDOR_ACTION ? "VENDOR" : "invalid (0x" + type.toString(16).padStart(4, "0") + ")")) +
      ", len " +
      actionLength;
    p += 4;
    len -= 4;
    if (actionLength < ACTION_MIN_LENGTH || actionLength > len + 4) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    let expected = 0;
    if (type <= 3 || (type >= 6 && type <= 10)) expected = 8;
    else if (type === 4 || type === 5 || type === 11) expected = 16;
    const bogus = type === VENDOR_ACTION ? actionLength % 8 !== 0 : expected !== 0 && actionLength !== expected;
    if (bogus) c.out += " (bogus)";
    const rest = actionLength - 4;
    if (bogus || (expected === 0 && type !== VENDOR_ACTION)) {
      check(c, p, rest);
      p += rest;
      len -= rest;
      continue;
    }
    switch (type) {
      case 0: {
        const port = be16(c, p);
        c.out += ", port " + port10(port);
        if (port === PORT_CONTROLLER_10) c.out += ", max_len " + be16(c, p + 2);
        else check(c, p + 2, 2);
        break;
      }
      case 1:
        c.out += ", vlan_vid " + vlan10(be16(c, p));
        check(c, p + 2, 2);
        break;
      case 2:
        c.out += ", vlan_pcp " + pcp10(u8(c, p));
        check(c, p + 1, 3);
        break;
      case 3:
        check(c, p, 4);
        break;
      case 4:
      case 5:
        c.out += ", dl_addr " + macString(c, p);
        check(c, p + 6, 6);
        break;
      case 6:
      case 7:
        check(c, p, 4);
        c.out += ", nw_addr " + ipv4(c, p);
        break;
      case 8:
        c.out += ", nw_tos 0x" + u8(c, p).toString(16).padStart(2, "0");
        check(c, p + 1, 3);
        break;
      case 9:
      case 10:
        c.out += ", tp_port " + be16(c, p);
        check(c, p + 2, 2);
        break;
      case 11: {
        c.out += ", port " + port10(be16(c, p));
        const queue = be32(c, p + 8);
        c.out += ", queue_id " + (queue === 0xffffffff ? "ALL" : queue);
        break;
      }
      default:
        if (rest < 4) invalidBody(c, p, rest);
        else vendorPrint(c, p, rest, true);
    }
    p += rest;
    len -= rest;
  }
}

const STATS_TYPES = ["DESC", "FLOW", "AGGREGATE", "TABLE", "PORT", "QUEUE"];
const ST_DESC = 0;
const ST_FLOW = 1;
const ST_AGGREGATE = 2;
const ST_TABLE = 3;
const ST_PORT = 4;
const ST_QUEUE = 5;
const ST_VENDOR = 0xffff;
const FLOW_STATS_REQUEST_LENGTH = 44;
const PORT_STATS_REQUEST_LENGTH = 8;
const QUEUE_STATS_REQUEST_LENGTH = 8;
const DESC_STATS_REPLY_LENGTH = 1056;
const DESC_LENGTH = 256;
const SERIAL_LENGTH = 32;
const FLOW_STATS_REPLY_MIN = 88;
const AGGREGATE_STATS_REPLY_LENGTH = 24;
const TABLE_STATS_REPLY_LENGTH = 64;
const TABLE_NAME_LENGTH = 32;
const PORT_STATS_REPLY_LENGTH = 104;
const QUEUE_STATS_REPLY_LENGTH = 32;
const WILDCARDS: Bits = [
  [1 << 0, "IN_PORT"],
  [1 << 1, "DL_VLAN"],
  [1 << 2, "DL_SRC"],
  [1 << 3, "DL_DST"],
  [1 << 4, "DL_TYPE"],
  [1 << 5, "NW_PROTO"],
  [1 << 6, "TP_SRC"],
  [1 << 7, "TP_DST"],
  [1 << 20, "DL_VLAN_PCP"],
  [1 << 21, "NW_TOS"],
];
const PORT_STATS_COUNTERS = [
  "rx_packets",
  "tx_packets",
  "rx_bytes",
  "tx_bytes",
  "rx_dropped",
  "tx_dropped",
  "rx_errors",
  "tx_errors",
  "rx_frame_err",
  "rx_over_err",
  "rx_crc_err",
  "collisions",
];

function statsType(type: number): string {
  return (
    STATS_TYPES[type] ?? (type === ST_VENDOR ? "VENDOR" : "invalid (0x" + type.toString(16).padStart(4, "0") + ")")
  );
}

function tableId(id: number): string {
  return id === 0xfe ? "EMERG" : id === 0xff ? "ALL" : "" + id;
}

function invalidBody(c: PrintContext, at: number, length: number): void {
  c.out += " (invalid)";
  check(c, at, length);
}

function text(c: PrintContext, at: number, length: number): void {
  for (let i = 0; i < length; i++) {
    const byte = u8(c, at + i);
    if (byte === 0) return;
    c.out += printableChar(byte);
  }
}

function statsRequest10Print(c: PrintContext, at: number, length: number): void {
  const type = be16(c, at);
  c.out += "\n\t type " + statsType(type);
  const flags = be16(c, at + 2);
  c.out += ", flags 0x" + flags.toString(16).padStart(4, "0") + (flags ? " (bogus)" : "");
  const p = at + 4;
  const len = length - 4;
  switch (type) {
    case ST_DESC:
    case ST_TABLE:
      if (len) invalidBody(c, p, len);
      return;
    case ST_FLOW:
    case ST_AGGREGATE:
      if (len !== FLOW_STATS_REQUEST_LENGTH) return invalidBody(c, p, len);
      match10Print(c, "\n\t ", p);
      c.out += "\n\t table_id " + tableId(u8(c, p + MATCH_LENGTH));
      c.out += ", out_port " + port10(be16(c, p + MATCH_LENGTH + 2));
      return;
    case ST_PORT:
      if (len !== PORT_STATS_REQUEST_LENGTH) return invalidBody(c, p, len);
      c.out += "\n\t port_no " + port10(be16(c, p));
      check(c, p + 2, 6);
      return;
    case ST_QUEUE: {
      if (len !== QUEUE_STATS_REQUEST_LENGTH) return invalidBody(c, p, len);
      c.out += "\n\t port_no " + port10(be16(c, p));
      const queue = be32(c, p + 4);
      c.out += ", queue_id " + (queue === 0xffffffff ? "ALL" : queue);
      return;
    }
    case ST_VENDOR:
      vendorDataPrint(c, p, len);
      return;
  }
}

function statsReply10Print(c: PrintContext, at: number, length: number): void {
  const type = be16(c, at);
  c.out += "\n\t type " + statsType(type);
  const flags = be16(c, at + 2);
  c.out += ", flags 0x" + flags.toString(16).padStart(4, "0");
  if (flags & 1) c.out += " (MORE)";
  if (flags & ~1) c.out += " (bogus)";
  let p = at + 4;
  let len = length - 4;
  switch (type) {
    case ST_DESC: {
      if (len !== DESC_STATS_REPLY_LENGTH) return invalidBody(c, p, len);
      const labels = ["mfr_desc", "hw_desc", "sw_desc", "serial_num", "dp_desc"];
      for (let i = 0; i < labels.length; i++) {
        const size = i === 3 ? SERIAL_LENGTH : DESC_LENGTH;
        c.out += "\n\t  " + labels[i] + " '";
        text(c, p, size);
        c.out += "'";
        p += size;
      }
      return;
    }
    case ST_FLOW:
      while (len) {
        if (len < FLOW_STATS_REPLY_MIN) return invalidBody(c, p, len);
        const entry = be16(c, p);
        c.out += "\n\t length " + entry;
        if (entry < FLOW_STATS_REPLY_MIN || entry > len) return invalidBody(c, p, len);
        c.out += ", table_id " + tableId(u8(c, p + 2));
        match10Print(c, "\n\t  ", p + 4);
        const q = p + 4 + MATCH_LENGTH;
        c.out += "\n\t  duration_sec " + be32(c, q);
        c.out += ", duration_nsec " + be32(c, q + 4);
        c.out += ", priority " + be16(c, q + 8);
        c.out += ", idle_timeout " + be16(c, q + 10);
        c.out += ", hard_timeout " + be16(c, q + 12);
        c.out += ", cookie 0x" + hex8(be32(c, q + 20)) + hex8(be32(c, q + 24));
        c.out += ", packet_count " + u64(c, q + 28);
        c.out += ", byte_count " + u64(c, q + 36);
        actions10Print(c, "\n\t  ", p + FLOW_STATS_REPLY_MIN, entry - FLOW_STATS_REPLY_MIN);
        p += entry;
        len -= entry;
      }
      return;
    case ST_AGGREGATE:
      if (len !== AGGREGATE_STATS_REPLY_LENGTH) return invalidBody(c, p, len);
      c.out += "\n\t packet_count " + u64(c, p);
      c.out += ", byte_count " + u64(c, p + 8);
      c.out += ", flow_count " + be32(c, p + 16);
      check(c, p + 20, 4);
      return;
    case ST_TABLE:
      while (len) {
        if (len < TABLE_STATS_REPLY_LENGTH) return invalidBody(c, p, len);
        c.out += "\n\t table_id " + tableId(u8(c, p)) + ", name '";
        text(c, p + 4, TABLE_NAME_LENGTH);
        c.out += "'";
        const q = p + 4 + TABLE_NAME_LENGTH;
        const wildcards = be32(c, q);
        c.out += "\n\t  wildcards 0x" + hex8(wildcards);
        let names = "";
        for (const [bit, name] of WILDCARDS) if (wildcards & bit) names += (names === "" ? "" : ", ") + name;
        // The network address bits are counts, not flags: neither named nor bogus.
        if (wildcards & ((1 << 22) - 1)) c.out += " (" + names + ")";
        if (wildcards & ~((1 << 22) - 1)) c.out += " (bogus)";
        c.out += "\n\t  max_entries " + be32(c, q + 4);
        c.out += ", active_count " + be32(c, q + 8);
        c.out += ", lookup_count " + u64(c, q + 12);
        c.out += ", matched_count " + u64(c, q + 20);
        p += TABLE_STATS_REPLY_LENGTH;
        len -= TABLE_STATS_REPLY_LENGTH;
      }
      return;
    case ST_PORT:
      while (len) {
        if (len < PORT_STATS_REPLY_LENGTH) return invalidBody(c, p, len);
        c.out += "\n\t  port_no " + port10(be16(c, p));
        if (c.flags.verbose < 2) check(c, p + 2, PORT_STATS_REPLY_LENGTH - 2);
        else
          for (let i = 0; i < PORT_STATS_COUNTERS.length; i++)
            c.out += ", " + PORT_STATS_COUNTERS[i] + " " + u64(c, p + 8 + 8 * i);
        p += PORT_STATS_REPLY_LENGTH;
        len -= PORT_STATS_REPLY_LENGTH;
      }
      return;
    case ST_QUEUE:
      while (len) {
        if (len < QUEUE_STATS_REPLY_LENGTH) return invalidBody(c, p, len);
        c.out += "\n\t  port_no " + port10(be16(c, p));
        c.out += ", queue_id " + be32(c, p + 4);
        c.out += ", tx_bytes " + u64(c, p + 8);
        c.out += ", tx_packets " + u64(c, p + 16);
        c.out += ", tx_errors " + u64(c, p + 24);
        p += QUEUE_STATS_REPLY_LENGTH;
        len -= QUEUE_STATS_REPLY_LENGTH;
      }
      return;
    case ST_VENDOR:
      vendorDataPrint(c, p, len);
      return;
    default:
      check(c, p, len);
  }
}

const QUEUE_MIN_LENGTH = 8;
const QUEUE_PROPERTY_MIN_LENGTH = 8;
const QUEUE_MIN_RATE_LENGTH = 16;
const QUEUE_PROPERTY_NONE = 0;
const QUEUE_PROPERTY_MIN_RATE = 1;

/** The Ethernet frame a packet-in or packet-out carries; decoded (three -v levels fewer) at -vvv. */
function packetData10Print(c: PrintContext, at: number, length: number): void {
  if (length === 0) return;
  c.out += "\n\t data (" + length + " octets)";
  if (c.flags.verbose < 3) {
    check(c, at, length);
    return;
  }
  c.out += ", frame decoding below\n";
  // The frame may sit in the middle of the segment: it ends where its own length does.
  const saved = pushSnaplen(c, at, length);
  const savedProtocol = c.protocol;
  c.flags.verbose -= 3;
  try {
    encapsulated().ethernet(c, at, length, available(c, at));
  } finally {
    c.flags.verbose += 3;
    c.snapend = saved;
  }
  c.protocol = savedProtocol;
}

function queues10Print(c: PrintContext, at: number, length: number): void {
  let p = at;
  let len = length;
  while (len) {
    if (len < QUEUE_MIN_LENGTH) return invalidBody(c, p, len);
    c.out += "\n\t  queue_id " + be32(c, p);
    const queueLength = be16(c, p + 4);
    c.out += ", len " + queueLength;
    p += 6;
    len -= 6;
    if (queueLength < QUEUE_MIN_LENGTH || queueLength > len + 6) return invalidBody(c, p, len);
    check(c, p, 2);
    p += 2;
    len -= 2;
    const rest = queueLength - QUEUE_MIN_LENGTH;
    if (c.flags.verbose >= 2) queueProperties10Print(c, p, rest);
    else check(c, p, rest);
    p += rest;
    len -= rest;
  }
}

function queueProperties10Print(c: PrintContext, at: number, length: number): void {
  let p = at;
  let len = length;
  while (len) {
    if (len < QUEUE_PROPERTY_MIN_LENGTH) return invalidBody(c, p, len);
    const property = be16(c, p);
    c.out +=
      "\n\t   property " +
      (property === QUEUE_PROPERTY_NONE
        ? "NONE"
        : property === QUEUE_PROPERTY_MIN_RATE
          ? "MIN_RATE"
          : "invalid (0x" + property.toString(16).padStart(4, "0") + ")");
    const propertyLength = be16(c, p + 2);
    c.out += ", len " + propertyLength;
    p += 4;
    len -= 4;
    if (propertyLength < QUEUE_PROPERTY_MIN_LENGTH || propertyLength > len + 4) return invalidBody(c, p, len);
    check(c, p, 4);
    p += 4;
    len -= 4;
    let skip = false;
    if (property === QUEUE_PROPERTY_NONE || property === QUEUE_PROPERTY_MIN_RATE) {
      const expected = property === QUEUE_PROPERTY_NONE ? QUEUE_PROPERTY_MIN_LENGTH : QUEUE_MIN_RATE_LENGTH;
      if (propertyLength !== expected) {
        c.out += " (bogus)";
        skip = true;
      }
    } else skip = true;
    if (skip) {
      const rest = propertyLength - QUEUE_PROPERTY_MIN_LENGTH;
      check(c, p, rest);
      p += rest;
      len -= rest;
      continue;
    }
    if (property === QUEUE_PROPERTY_MIN_RATE) {
      const rate = be16(c, p);
      c.out += rate > 1000 ? ", rate disabled" : ", rate " + Math.floor(rate / 10) + "." + (rate % 10) + "%";
      check(c, p + 2, 6);
      p += 8;
      len -= 8;
    }
  }
}

/** Error types: the name and the names of its codes (numbered from 0). */
type ErrorType = [name: string, codes: string[]];
const ERRORS_10: ErrorType[] = [
  ["HELLO_FAILED", ["INCOMPATIBLE", "EPERM"]],
  [
    "BAD_REQUEST",
    [
      "BAD_VERSION",
      "BAD_TYPE",
      "BAD_STAT",
      "BAD_VENDOR",
      "BAD_SUBTYPE",
      "EPERM",
      "BAD_LEN",
      "BUFFER_EMPTY",
      "BUFFER_UNKNOWN",
    ],
  ],
  [
    "BAD_ACTION",
    [
      "BAD_TYPE",
      "BAD_LEN",
      "BAD_VENDOR",
      "BAD_VENDOR_TYPE",
      "BAD_OUT_PORT",
      "BAD_ARGUMENT",
      "EPERM",
      "TOO_MANY",
      "BAD_QUEUE",
    ],
  ],
  ["FLOW_MOD_FAILED", ["ALL_TABLES_FULL", "OVERLAP", "EPERM", "BAD_EMERG_TIMEOUT", "BAD_COMMAND", "UNSUPPORTED"]],
  ["PORT_MOD_FAILED", ["BAD_PORT", "BAD_HW_ADDR"]],
  ["QUEUE_OP_FAILED", ["BAD_PORT", "BAD_QUEUE", "EPERM"]],
];
const ERRORS_13: ErrorType[] = [
  ["HELLO_FAILED", ["INCOMPATIBLE", "EPERM"]],
  [
    "BAD_REQUEST",
    [
      "BAD_VERSION",
      "BAD_TYPE",
      "BAD_MULTIPART",
      "BAD_EXPERIMENTER",
      "BAD_EXP_TYPE",
      "EPERM",
      "BAD_LEN",
      "BUFFER_EMPTY",
      "BUFFER_UNKNOWN",
      "BAD_TABLE_ID",
      "IS_SLAVE",
      "BAD_PORT",
      "BAD_PACKET",
      "MULTIPART_BUFFER_OVERFLOW",
    ],
  ],
  [
    "BAD_ACTION",
    [
      "BAD_TYPE",
      "BAD_LEN",
      "BAD_EXPERIMENTER",
      "BAD_EXP_TYPE",
      "BAD_OUT_PORT",
      "BAD_ARGUMENT",
      "EPERM",
      "TOO_MANY",
      "BAD_QUEUE",
      "BAD_OUT_GROUP",
      "MATCH_INCONSISTENT",
      "UNSUPPORTED_ORDER",
      "BAD_TAG",
      "BAD_SET_TYPE",
      "BAD_SET_LEN",
      "BAD_SET_ARGUMENT",
    ],
  ],
  [
    "BAD_INSTRUCTION",
    [
      "UNKNOWN_INST",
      "UNSUP_INST",
      "BAD_TABLE_ID",
      "UNSUP_METADATA",
      "UNSUP_METADATA_MASK",
      "BAD_EXPERIMENTER",
      "BAD_EXP_TYPE",
      "BAD_LEN",
      "EPERM",
    ],
  ],
  [
    "BAD_MATCH",
    [
      "BAD_TYPE",
      "BAD_LEN",
      "BAD_TAG",
      "BAD_DL_ADDR_MASK",
      "BAD_NW_ADDR_MASK",
      "BAD_WILDCARDS",
      "BAD_FIELD",
      "BAD_VALUE",
      "BAD_MASK",
      "BAD_PREREQ",
      "DUP_FIELD",
      "EPERM",
    ],
  ],
  [
    "FLOW_MOD_FAILED",
    ["UNKNOWN", "TABLE_FULL", "BAD_TABLE_ID", "OVERLAP", "EPERM", "BAD_TIMEOUT", "BAD_COMMAND", "BAD_FLAGS"],
  ],
  [
    "GROUP_MOD_FAILED",
    [
      "GROUP_EXISTS",
      "INVALID_GROUP",
      "WEIGHT_UNSUPPORTED",
      "OUT_OF_GROUPS",
      "OUT_OF_BUCKETS",
      "CHAINING_UNSUPPORTED",
      "WATCH_UNSUPPORTED",
      "LOOP",
      "UNKNOWN_GROUP",
      "CHAINED_GROUP",
      "BAD_TYPE",
      "BAD_COMMAND",
      "BAD_BUCKET",
      "BAD_MATCH",
      "EPERM",
    ],
  ],
  ["PORT_MOD_FAILED", ["BAD_PORT", "BAD_HW_ADDR", "BAD_CONFIG", "BAD_ADVERTISE", "EPERM"]],
  ["TABLE_MOD_FAILED", ["BAD_TABLE", "BAD_CONFIG", "EPERM"]],
  ["QUEUE_OP_FAILED", ["BAD_PORT", "BAD_QUEUE", "EPERM"]],
  ["SWITCH_CONFIG_FAILED", ["BAD_FLAGS", "BAD_LEN", "EPERM"]],
  ["ROLE_REQUEST_FAILED", ["STALE", "UNSUP", "BAD_ROLE"]],
  [
    "METER_MOD_FAILED",
    [
      "UNKNOWN",
      "METER_EXISTS",
      "INVALID_METER",
      "UNKNOWN_METER",
      "BAD_COMMAND",
      "BAD_FLAGS",
      "BAD_RATE",
      "BAD_BURST",
      "BAD_BAND",
      "BAD_BAND_VALUE",
      "OUT_OF_METERS",
      "OUT_OF_BANDS",
    ],
  ],
  ["TABLE_FEATURES_FAILED", ["BAD_TABLE", "BAD_METADATA", "BAD_TYPE", "BAD_LEN", "BAD_ARGUMENT", "EPERM"]],
];
/** The experimenter error type defines no codes. */
const EXPERIMENTER_ERROR: ErrorType = ["EXPERIMENTER", []];

const OUI_BSN = 0x005c16c7;

/** ", vendor 0x… (name)" and the vendor's data (Big Switch's messages and actions are not decoded yet). */
function vendorPrint(c: PrintContext, at: number, length: number, action: boolean): void {
  const vendor = be32(c, at);
  c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
  if (vendor === OUI_BSN) {
    if (action) bsnActionPrint(c, at + 4, length - 4);
    else bsnMessagePrint(c, at + 4, length - 4);
    return;
  }
  dataPrint(c, at + 4, length - 4);
}

const BSN_SUBTYPES = [
  "SET_IP_MASK",
  "GET_IP_MASK_REQUEST",
  "GET_IP_MASK_REPLY",
  "SET_MIRRORING",
  "GET_MIRRORING_REQUEST",
  "GET_MIRRORING_REPLY",
  "SHELL_COMMAND",
  "SHELL_OUTPUT",
  "SHELL_STATUS",
  "GET_INTERFACES_REQUEST",
  "GET_INTERFACES_REPLY",
  "SET_PKTIN_SUPPRESSION_REQUEST",
  "SET_L2_TABLE_REQUEST",
  "GET_L2_TABLE_REQUEST",
  "GET_L2_TABLE_REPLY",
  "VIRTUAL_PORT_CREATE_REQUEST",
  "VIRTUAL_PORT_CREATE_REPLY",
  "VIRTUAL_PORT_REMOVE_REQUEST",
  "BW_ENABLE_SET_REQUEST",
  "BW_ENABLE_GET_REQUEST",
  "BW_ENABLE_GET_REPLY",
  "BW_CLEAR_DATA_REQUEST",
  "BW_CLEAR_DATA_REPLY",
  "BW_ENABLE_SET_REPLY",
  "SET_L2_TABLE_REPLY",
  "SET_PKTIN_SUPPRESSION_REPLY",
  "VIRTUAL_PORT_REMOVE_REPLY",
  "HYBRID_GET_REQUEST",
  "HYBRID_GET_REPLY",
  "",
  "",
  "PDU_TX_REQUEST",
  "PDU_TX_REPLY",
  "PDU_RX_REQUEST",
  "PDU_RX_REPLY",
  "PDU_RX_TIMEOUT",
];
const BSN_ACTIONS = ["", "MIRROR", "SET_TUNNEL_DST", "", "CHECKSUM"];
const ETHERTYPE_8021Q = 0x8100;

function subtypeName(names: string[], subtype: number): string {
  return names[subtype] || "unknown (0x" + hex8(subtype) + ")";
}

/** Bytes printed as text, every byte escaped as tcpdump does (NULs included). */
function rawText(c: PrintContext, at: number, length: number): void {
  for (let i = 0; i < length; i++) c.out += printableChar(u8(c, at + i));
}

function bsnMessagePrint(c: PrintContext, at: number, length: number): void {
  if (length < 4) return invalidBody(c, at, length);
  const subtype = be32(c, at);
  c.out += "\n\t subtype " + subtypeName(BSN_SUBTYPES, subtype);
  const p = at + 4;
  const len = length - 4;
  switch (subtype) {
    case 1: // GET_IP_MASK_REQUEST
      if (len !== 8) return invalidBody(c, p, len);
      c.out += ", index " + u8(c, p);
      check(c, p + 1, 7);
      return;
    case 0: // SET_IP_MASK
    case 2: // GET_IP_MASK_REPLY
      if (len !== 8) return invalidBody(c, p, len);
      c.out += ", index " + u8(c, p);
      check(c, p + 4, 4);
      c.out += ", mask " + ipv4(c, p + 4);
      return;
    case 3: // SET_MIRRORING
    case 4: // GET_MIRRORING_REQUEST
    case 5: {
      // GET_MIRRORING_REPLY
      if (len !== 4) return invalidBody(c, p, len);
      const on = u8(c, p);
      c.out += ", report_mirror_ports " + (on === 0 ? "OFF" : on === 1 ? "ON" : "bogus (" + on + ")");
      check(c, p + 1, 3);
      return;
    }
    case 9: // GET_INTERFACES_REQUEST
    case 13: // GET_L2_TABLE_REQUEST
    case 19: // BW_ENABLE_GET_REQUEST
    case 21: // BW_CLEAR_DATA_REQUEST
    case 27: // HYBRID_GET_REQUEST
      if (len) invalidBody(c, p, len);
      return;
    case 17: // VIRTUAL_PORT_REMOVE_REQUEST
      if (len !== 4) return invalidBody(c, p, len);
      c.out += ", vport_no " + be32(c, p);
      return;
    case 6: // SHELL_COMMAND
      if (len < 4) return invalidBody(c, p, len);
      c.out += ", service " + be32(c, p) + ", data '";
      rawText(c, p + 4, len - 4);
      c.out += "'";
      return;
    case 7: // SHELL_OUTPUT
      c.out += ", data '";
      rawText(c, p, len);
      c.out += "'";
      return;
    case 8: // SHELL_STATUS
      if (len !== 4) return invalidBody(c, p, len);
      c.out += ", status 0x" + hex8(be32(c, p));
      return;
    default:
      check(c, p, len);
  }
}

function bsnActionPrint(c: PrintContext, at: number, length: number): void {
  if (length < 4) return invalidBody(c, at, length);
  const subtype = be32(c, at);
  c.out += "\n\t  subtype " + subtypeName(BSN_ACTIONS, subtype);
  const p = at + 4;
  const len = length - 4;
  if (subtype !== 1) {
    check(c, p, len);
    return;
  }
  // A mirror action.
  if (len !== 12) return invalidBody(c, p, len);
  c.out += ", dest_port " + be32(c, p);
  const tag = be32(c, p + 4);
  const tpid = tag >>> 16;
  c.out +=
    tpid === 0
      ? ", vlan_tag none"
      : tpid === ETHERTYPE_8021Q
        ? ", vlan_tag 802.1Q (" + vlanTciString(tag & 0xffff) + ")"
        : ", vlan_tag unknown (0x" + tpid.toString(16).padStart(4, "0") + ")";
  const stage = u8(c, p + 8);
  c.out += ", copy_stage " + (stage === 0 ? "INGRESS" : stage === 1 ? "EGRESS" : "unknown (" + stage + ")");
  check(c, p + 9, 3);
}

function vendorDataPrint(c: PrintContext, at: number, length: number): void {
  if (length < 4) return invalidBody(c, at, length);
  const vendor = be32(c, at);
  c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
  dataPrint(c, at + 4, length - 4);
}
