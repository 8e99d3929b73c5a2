// OpenFlow (versions 1.0 and 1.3 by name, others by number) as tcpdump prints it: one "version
// 1.0, type HELLO, length 8, xid 0x00000001" line per message in the segment, with the length
// checks tcpdump applies per message type. With -v the bodies tcpdump decodes: every OpenFlow 1.3
// one (hello elements, error, echo and experimenter data, features, configuration, port status
// and modification, table modification, queue configuration request, role, asynchronous
// configuration), and of 1.0 the hello and echo data, features, configuration, flow
// modifications and removals (match, actions), statistics requests and replies, queue
// configuration requests and replies, errors, packet in and out (at -vvv with the frame they
// carry decoded), port status and modification, vendor messages and actions (Big Switch's
// decoded): every body tcpdump decodes.

import { available, be16, be32, be64, check, pushSnaplen, u8, type PrintContext } from "./context.js";
import { encapsulated } from "./encapsulated.js";
import { hex2, hex4, ipv4String, macString } from "./addr.js";
import { vlanTciString } from "./vlan.js";
import { ouiName } from "./names.js";
import { hexAndAsciiPrint, printCountedText, printPaddedText } from "./unknown.js";

const HEADER_LENGTH = 8;
const VERSIONS = new Map([
  [1, "1.0"],
  [2, "1.1"],
  [3, "1.2"],
  [4, "1.3"],
  [5, "1.4"],
  [6, "1.5"],
]);

/** A message type: its name and the body length it requires ("=" exactly, ">=" at least, "" any). */
type MessageType = [name: string, rule: "=" | ">=" | "", length: number];

const OF10_TYPES: MessageType[] = [
  ["HELLO", ">=", 0],
  ["ERROR", ">=", 4],
  ["ECHO_REQUEST", ">=", 0],
  ["ECHO_REPLY", ">=", 0],
  ["VENDOR", ">=", 4],
  ["FEATURES_REQUEST", "=", 0],
  ["FEATURES_REPLY", ">=", 24],
  ["GET_CONFIG_REQUEST", "=", 0],
  ["GET_CONFIG_REPLY", "=", 4],
  ["SET_CONFIG", "=", 4],
  ["PACKET_IN", ">=", 10],
  ["FLOW_REMOVED", "=", 80],
  ["PORT_STATUS", "=", 56],
  ["PACKET_OUT", ">=", 8],
  ["FLOW_MOD", ">=", 64],
  ["PORT_MOD", "=", 24],
  ["STATS_REQUEST", ">=", 4],
  ["STATS_REPLY", ">=", 4],
  ["BARRIER_REQUEST", "=", 0],
  ["BARRIER_REPLY", "=", 0],
  ["QUEUE_GET_CONFIG_REQUEST", "=", 4],
  ["QUEUE_GET_CONFIG_REPLY", ">=", 8],
];

const OF13_TYPES: MessageType[] = [
  ["HELLO", ">=", 0],
  ["ERROR", ">=", 4],
  ["ECHO_REQUEST", ">=", 0],
  ["ECHO_REPLY", ">=", 0],
  ["EXPERIMENTER", ">=", 8],
  ["FEATURES_REQUEST", "=", 0],
  ["FEATURES_REPLY", "=", 24],
  ["GET_CONFIG_REQUEST", "=", 0],
  ["GET_CONFIG_REPLY", "=", 4],
  ["SET_CONFIG", "=", 4],
  ["PACKET_IN", "", 0],
  ["FLOW_REMOVED", "", 0],
  ["PORT_STATUS", "=", 72],
  ["PACKET_OUT", "", 0],
  ["FLOW_MOD", "", 0],
  ["GROUP_MOD", "", 0],
  ["PORT_MOD", "=", 32],
  ["TABLE_MOD", "=", 8],
  ["MULTIPART_REQUEST", "", 0],
  ["MULTIPART_REPLY", "", 0],
  ["BARRIER_REQUEST", "=", 0],
  ["BARRIER_REPLY", "=", 0],
  ["QUEUE_GET_CONFIG_REQUEST", "=", 8],
  ["QUEUE_GET_CONFIG_REPLY", "", 0],
  ["ROLE_REQUEST", "=", 16],
  ["ROLE_REPLY", "=", 16],
  ["GET_ASYNC_REQUEST", "=", 0],
  ["GET_ASYNC_REPLY", "=", 24],
  ["SET_ASYNC", "=", 24],
  ["METER_MOD", "", 0],
];

function messageType(version: number, type: number): MessageType | undefined {
  if (version === 1) return OF10_TYPES[type];
  if (version === 4) return OF13_TYPES[type];
  return undefined;
}

export function openflowPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "openflow";
  c.out += ": OpenFlow";
  let p = at;
  let len = length;
  while (len) {
    const version = u8(c, p);
    p++;
    len--;
    c.out += "\n\tversion " + (VERSIONS.get(version) ?? "unknown (0x" + hex2(version) + ")");
    if (len < 1) return partialHeader(c, p, len);
    const type = u8(c, p);
    p++;
    len--;
    const info = messageType(version, type);
    c.out += info ? ", type " + info[0] : ", type unknown (0x" + hex2(type) + ")";
    if (len < 2) return partialHeader(c, p, len);
    const messageLength = be16(c, p);
    p += 2;
    len -= 2;
    c.out += ", length " + messageLength + (messageLength < HEADER_LENGTH ? " (too short!)" : "");
    if (len < 4) return partialHeader(c, p, len);
    c.out += ", xid 0x" + be32(c, p).toString(16).padStart(8, "0");
    p += 4;
    len -= 4;
    if (messageLength < HEADER_LENGTH) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const body = messageLength - HEADER_LENGTH;
    if (info && ((info[1] === "=" && body !== info[2]) || (info[1] === ">=" && body < info[2]))) {
      c.out += " (invalid)";
      check(c, p, body);
    } else if (info && c.flags.verbose) bodyPrint(c, version, type, p, body);
    // A message may run past the segment; its captured part must still be there.
    else check(c, p, body);
    if (body > len) break;
    p += body;
    len -= body;
  }
}

function partialHeader(c: PrintContext, at: number, len: number): void {
  c.out += " (end of TCP payload)";
  check(c, at, len);
}

const OF10_DATA_TYPES = new Set([0, 2, 3]);

/** The body of a message of a known type at -v (`len` bytes at `p`). */
function bodyPrint(c: PrintContext, version: number, type: number, p: number, len: number): void {
  if (version === 1) {
    if (OF10_DATA_TYPES.has(type)) return dataPrint(c, p, len);
    if (type === OF10_FLOW_REMOVED) return of10FlowRemovedPrint(c, p);
    if (type === OF10_FLOW_MOD) return of10FlowModPrint(c, p, len);
    if (type === OF10_FEATURES_REPLY) return of10FeaturesReplyPrint(c, p, len);
    if (type === OF10_STATS_REQUEST) return of10StatsRequestPrint(c, p, len);
    if (type === OF10_STATS_REPLY) return of10StatsReplyPrint(c, p, len);
    if (type === OF10_ERROR) return of10ErrorPrint(c, p, len);
    if (type === OF10_PORT_STATUS) {
      const reason = u8(c, p);
      c.out += "\n\t reason " + (PORT_REASONS[reason] ?? "invalid (0x" + hex2(reason) + ")");
      return of10PhyPortPrint(c, p + 8);
    }
    if (type === OF10_PORT_MOD) {
      c.out += "\n\t port_no " + of10Port(be16(c, p));
      c.out += ", hw_addr " + macString(c, p + 2);
      c.out += "\n\t config 0x" + hex8(be32(c, p + 8));
      bitmapPrint(c, OF10_PORT_CONFIG, be32(c, p + 8));
      c.out += "\n\t mask 0x" + hex8(be32(c, p + 12));
      bitmapPrint(c, OF10_PORT_CONFIG, be32(c, p + 12));
      c.out += "\n\t advertise 0x" + hex8(be32(c, p + 16));
      bitmapPrint(c, OF10_PORT_FEATURES, be32(c, p + 16));
      check(c, p + 20, 4);
      return;
    }
    if (type === OF10_VENDOR) {
      const vendor = be32(c, p);
      c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
      if (vendor === OUI_BSN) return bsnMessagePrint(c, p + 4, len - 4);
      return dataPrint(c, p + 4, len - 4);
    }
    if (type === OF10_PACKET_IN) {
      const buffer = be32(c, p);
      c.out += "\n\t buffer_id " + (buffer === 0xffffffff ? "NONE" : "0x" + hex8(buffer));
      c.out += ", total_len " + be16(c, p + 4);
      c.out += ", in_port " + of10Port(be16(c, p + 6));
      const reason = u8(c, p + 8);
      c.out += ", reason " + (reason === 0 ? "NO_MATCH" : reason === 1 ? "ACTION" : "invalid (0x" + hex2(reason) + ")");
      check(c, p + 9, 1);
      return of10PacketDataPrint(c, p + 10, len - 10);
    }
    if (type === OF10_PACKET_OUT) {
      c.out += "\n\t buffer_id 0x" + hex8(be32(c, p));
      c.out += ", in_port " + of10Port(be16(c, p + 4));
      const actionsLength = be16(c, p + 6);
      p += 8;
      len -= 8;
      if (actionsLength > len) {
        c.out += " (invalid)";
        check(c, p, len);
        return;
      }
      of10ActionsPrint(c, "\n\t ", p, actionsLength);
      return of10PacketDataPrint(c, p + actionsLength, len - actionsLength);
    }
    if (type === OF10_QUEUE_GET_CONFIG_REPLY) {
      c.out += "\n\t port " + of10Port(be16(c, p));
      check(c, p + 2, 6);
      return of10QueuesPrint(c, p + 8, len - 8);
    }
    if (type === OF10_GET_CONFIG_REPLY || type === OF10_SET_CONFIG) {
      const flags = be16(c, p);
      c.out += "\n\t flags " + (CONFIG_FLAGS[flags] ?? "invalid (0x" + hex4(flags) + ")");
      c.out += ", miss_send_len " + be16(c, p + 2);
      return;
    }
    if (type === OF10_QUEUE_GET_CONFIG_REQUEST) {
      c.out += "\n\t port " + of10Port(be16(c, p));
      check(c, p + 2, 2);
      return;
    }
    // Features, configuration requests and barriers have no body tcpdump decodes.
    check(c, p, len);
    return;
  }
  switch (type) {
    case 0:
      return helloElementsPrint(c, p, len);
    case 1:
      return errorPrint(c, p, len);
    case 2:
    case 3:
      return dataPrint(c, p, len);
    case 4: {
      const experimenter = be32(c, p);
      c.out += "\n\t experimenter 0x" + hex8(experimenter) + " (" + vendorName(experimenter) + ")";
      c.out += ", exp_type 0x" + hex8(be32(c, p + 4));
      return dataPrint(c, p + 8, len - 8);
    }
    case 6:
      c.out += "\n\t dpid 0x" + hex8(be32(c, p)) + hex8(be32(c, p + 4));
      c.out += ", n_buffers " + be32(c, p + 8);
      c.out += ", n_tables " + u8(c, p + 12);
      c.out += ", auxiliary_id " + u8(c, p + 13);
      c.out += "\n\t capabilities 0x" + hex8(be32(c, p + 16));
      bitmapPrint(c, CAPABILITIES, be32(c, p + 16));
      check(c, p + 20, 4);
      return;
    case 8:
    case 9: {
      const flags = be16(c, p);
      c.out += "\n\t flags " + (CONFIG_FLAGS[flags] ?? "invalid (0x" + hex4(flags) + ")");
      const missSendLength = be16(c, p + 2);
      c.out +=
        ", miss_send_len " +
        (missSendLength === 0xffe5 ? "MAX" : missSendLength === 0xffff ? "NO_BUFFER" : missSendLength);
      return;
    }
    case 12: {
      const reason = u8(c, p);
      // tcpdump's format for an unknown reason lacks its "%", so it prints it as is.
      c.out += "\n\t reason " + (PORT_REASONS[reason] ?? "invalid (0x02x)");
      return portPrint(c, p + 8);
    }
    case 16:
      c.out += "\n\t port_no " + portName(be32(c, p));
      c.out += ", hw_addr " + macString(c, p + 8);
      c.out += "\n\t  config 0x" + hex8(be32(c, p + 16));
      bitmapPrint(c, PORT_CONFIG, be32(c, p + 16));
      c.out += "\n\t  mask 0x" + hex8(be32(c, p + 20));
      bitmapPrint(c, PORT_CONFIG, be32(c, p + 20));
      c.out += "\n\t  advertise 0x" + hex8(be32(c, p + 24));
      bitmapPrint(c, PORT_FEATURES, be32(c, p + 24));
      check(c, p + 28, 4);
      return;
    case 17: {
      const table = u8(c, p);
      c.out += "\n\t table_id " + (table === 0xfe ? "MAX" : table === 0xff ? "ALL" : table);
      c.out += ", config 0x" + hex8(be32(c, p + 4));
      return;
    }
    case 22:
      c.out += "\n\t port " + portName(be32(c, p));
      check(c, p + 4, 4);
      return;
    case 24:
    case 25: {
      const role = be32(c, p);
      c.out += "\n\t role " + (ROLES[role] ?? "invalid (0x" + hex8(role) + ")");
      c.out += ", generation_id 0x" + hex8(be32(c, p + 8)) + hex8(be32(c, p + 12));
      return;
    }
    case 27:
    case 28: {
      const names = [
        "packet_in_mask[EM]",
        "packet_in_mask[S]",
        "port_status_mask[EM]",
        "port_status_mask[S]",
        "flow_removed_mask[EM]",
        "flow_removed_mask[S]",
      ];
      for (let i = 0; i < 6; i++) {
        const v = be32(c, p + 4 * i);
        c.out += "\n\t " + names[i] + " 0x" + hex8(v);
        bitmapPrint(c, i < 2 ? PACKET_IN_REASONS : PORT_REASON_BITS, v);
      }
      return;
    }
    default:
      // tcpdump has no decoder for the other types' bodies.
      check(c, p, len);
  }
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

/** " (names)" for the known bits set, and " (bogus)" when unknown bits are set, as tcpdump prints a bitmap. */
function bitmapPrint(c: PrintContext, table: [number, string][], v: number, valid?: number): void {
  let known = 0;
  let names = "";
  for (const [bit, name] of table) {
    known |= bit;
    if (v & bit) names += (names === "" ? "" : ", ") + name;
  }
  // A table may name a bit the specification reserves: named, but still bogus.
  if (valid !== undefined) known = valid;
  if (v & known) c.out += " (" + names + ")";
  if (v & ~known) c.out += " (bogus)";
}

/** "data (N octets)" of a message, with a hex and ASCII dump at -vv. */
function dataPrint(c: PrintContext, p: number, len: number): void {
  if (len === 0) return;
  c.out += "\n\t data (" + len + " octets)";
  if (c.flags.verbose >= 2) hexAndAsciiPrint(c, "\n\t  ", p, len);
  else check(c, p, len);
}

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

/** An experimenter id: an OUI when its top byte is zero, else an ONF-assigned id. */
function vendorName(id: number): string {
  return (id & 0xff000000) === 0 ? ouiName(id, "unknown") : (EXPERIMENTERS.get(id) ?? "unknown");
}

const CAPABILITIES: [number, string][] = [
  [1 << 0, "FLOW_STATS"],
  [1 << 1, "TABLE_STATS"],
  [1 << 2, "PORT_STATS"],
  [1 << 3, "GROUP_STATS"],
  [1 << 5, "IP_REASM"],
  [1 << 6, "QUEUE_STATS"],
  [1 << 8, "PORT_BLOCKED"],
];
const CONFIG_FLAGS = ["FRAG_NORMAL", "FRAG_DROP", "FRAG_REASM"];
const PORT_CONFIG: [number, string][] = [
  [1 << 0, "PORT_DOWN"],
  [1 << 2, "NO_RECV"],
  [1 << 5, "NO_FWD"],
  [1 << 6, "NO_PACKET_IN"],
];
const PORT_STATE: [number, string][] = [
  [1 << 0, "LINK_DOWN"],
  [1 << 1, "BLOCKED"],
  [1 << 2, "LIVE"],
];
const PORT_FEATURES: [number, string][] = [
  [1 << 0, "10MB_HD"],
  [1 << 1, "10MB_FD"],
  [1 << 2, "100MB_HD"],
  [1 << 3, "100MB_FD"],
  [1 << 4, "1GB_HD"],
  [1 << 5, "1GB_FD"],
  [1 << 6, "10GB_FD"],
  [1 << 7, "40GB_FD"],
  [1 << 8, "100GB_FD"],
  [1 << 9, "1TB_FD"],
  [1 << 10, "OTHER"],
  [1 << 11, "COPPER"],
  [1 << 12, "FIBER"],
  [1 << 13, "AUTONEG"],
  [1 << 14, "PAUSE"],
  [1 << 15, "PAUSE_ASYM"],
];
const PORT_REASONS = ["ADD", "DELETE", "MODIFY"];
const PORT_REASON_BITS: [number, string][] = [
  [1, "ADD"],
  [2, "DELETE"],
  [4, "MODIFY"],
];
const PACKET_IN_REASONS: [number, string][] = [
  [1, "NO_MATCH"],
  [2, "ACTION"],
  [4, "INVALID_TTL"],
];
const ROLES = ["NOCHANGE", "EQUAL", "MASTER", "SLAVE"];
const VERSION_BITS: [number, string][] = [
  [1 << 0, "1.0"],
  [1 << 1, "1.1"],
  [1 << 2, "1.2"],
  [1 << 3, "1.3"],
  [1 << 4, "1.4"],
  [1 << 5, "1.5"],
];
const PORT_NUMBERS = new Map([
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

function portName(port: number): string {
  return PORT_NUMBERS.get(port) ?? String(port);
}

/** An ofp_port (OpenFlow 1.3): number, address and name; its bitmaps and speeds at -vv. */
function portPrint(c: PrintContext, p: number): void {
  c.out += "\n\t  port_no " + portName(be32(c, p));
  c.out += ", hw_addr " + macString(c, p + 8);
  c.out += ", name '";
  printPaddedText(c, p + 16, 16);
  c.out += "'";
  p += 32;
  if (c.flags.verbose < 2) {
    check(c, p, 32);
    return;
  }
  const fields: [string, [number, string][] | undefined][] = [
    ["config", PORT_CONFIG],
    ["state", PORT_STATE],
    ["curr", PORT_FEATURES],
    ["advertised", PORT_FEATURES],
    ["supported", PORT_FEATURES],
    ["peer", PORT_FEATURES],
  ];
  for (const [name, table] of fields) {
    const v = be32(c, p);
    c.out += "\n\t   " + name + " 0x" + hex8(v);
    if (table) bitmapPrint(c, table, v);
    p += 4;
  }
  c.out += "\n\t   curr_speed " + be32(c, p) + "kbps";
  c.out += "\n\t   max_speed " + be32(c, p + 4) + "kbps";
}

function helloElementsPrint(c: PrintContext, p: number, len: number): void {
  while (len) {
    if (len < 4) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const type = be16(c, p);
    p += 2;
    len -= 2;
    c.out += "\n\t type " + (type === 1 ? "VERSIONBITMAP" : "unknown (0x" + hex4(type) + ")");
    const elementLength = be16(c, p);
    p += 2;
    len -= 2;
    c.out += ", length " + elementLength;
    if (elementLength < 4 || elementLength > 4 + len) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    if (type === 1 && elementLength === 8) {
      const bitmap = be32(c, p);
      c.out += ", bitmap 0x" + hex8(bitmap);
      bitmapPrint(c, VERSION_BITS, bitmap);
    } else {
      if (type === 1) c.out += " (bogus)";
      check(c, p, elementLength - 4);
    }
    p += elementLength - 4;
    len -= elementLength - 4;
  }
}

const ERROR_TYPES = [
  "HELLO_FAILED",
  "BAD_REQUEST",
  "BAD_ACTION",
  "BAD_INSTRUCTION",
  "BAD_MATCH",
  "FLOW_MOD_FAILED",
  "GROUP_MOD_FAILED",
  "PORT_MOD_FAILED",
  "TABLE_MOD_FAILED",
  "QUEUE_OP_FAILED",
  "SWITCH_CONFIG_FAILED",
  "ROLE_REQUEST_FAILED",
  "METER_MOD_FAILED",
  "TABLE_FEATURES_FAILED",
];
const EXPERIMENTER_ERROR = 0xffff;
/** The codes of each error type, numbered from zero (OpenFlow 1.3.5 section 7.4.4). */
const ERROR_CODES: string[][] = [
  ["INCOMPATIBLE", "EPERM"],
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
  ["UNKNOWN", "TABLE_FULL", "BAD_TABLE_ID", "OVERLAP", "EPERM", "BAD_TIMEOUT", "BAD_COMMAND", "BAD_FLAGS"],
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
  ["BAD_PORT", "BAD_HW_ADDR", "BAD_CONFIG", "BAD_ADVERTISE", "EPERM"],
  ["BAD_TABLE", "BAD_CONFIG", "EPERM"],
  ["BAD_PORT", "BAD_QUEUE", "EPERM"],
  ["BAD_FLAGS", "BAD_LEN", "EPERM"],
  ["STALE", "UNSUP", "BAD_ROLE"],
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
  ["BAD_TABLE", "BAD_METADATA", "BAD_TYPE", "BAD_LEN", "BAD_ARGUMENT", "EPERM"],
];

function errorPrint(c: PrintContext, p: number, len: number): void {
  const type = be16(c, p);
  c.out +=
    "\n\t type " +
    (type === EXPERIMENTER_ERROR ? "EXPERIMENTER" : (ERROR_TYPES[type] ?? "invalid (0x" + hex4(type) + ")"));
  const code = be16(c, p + 2);
  const codes = ERROR_CODES[type];
  c.out += ", code " + (codes?.[code] ?? "invalid (0x" + hex4(code) + ")");
  dataPrint(c, p + 4, len - 4);
}

const OF10_FLOW_REMOVED = 11;
const OF10_FLOW_MOD = 14;
const OF10_MATCH_LENGTH = 40;

const OF10_PORTS = new Map([
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
const OF10_CONTROLLER = 0xfffd;

function of10Port(port: number): string {
  return OF10_PORTS.get(port) ?? String(port);
}

function vlanText(vid: number): string {
  if (vid === 0xffff) return "NONE";
  return vid + (vid > 0 && vid < 0x0fff ? "" : " (bogus)");
}

function pcpText(pcp: number): string {
  return pcp + (pcp <= 7 ? "" : " (bogus)");
}

function hex16(c: PrintContext, p: number): string {
  return hex8(be32(c, p)) + hex8(be32(c, p + 4));
}

// ofp_match wildcard bits (OpenFlow 1.0 section 5.2.3).
const FW_IN_PORT = 1 << 0;
const FW_DL_VLAN = 1 << 1;
const FW_DL_SRC = 1 << 2;
const FW_DL_DST = 1 << 3;
const FW_DL_TYPE = 1 << 4;
const FW_NW_PROTO = 1 << 5;
const FW_TP_SRC = 1 << 6;
const FW_TP_DST = 1 << 7;
const FW_DL_VLAN_PCP = 1 << 20;
const FW_NW_TOS = 1 << 21;
const FW_ALL = (1 << 22) - 1;

/** The fields of an ofp_match that are not wildcarded, each on a line starting with `prefix`. */
function of10MatchPrint(c: PrintContext, prefix: string, p: number): void {
  const wildcards = be32(c, p);
  if (wildcards & ~FW_ALL) c.out += prefix + "wildcards 0x" + hex8(wildcards) + " (bogus)";
  if (!(wildcards & FW_IN_PORT)) c.out += prefix + "match in_port " + of10Port(be16(c, p + 4));
  if (!(wildcards & FW_DL_SRC)) c.out += prefix + "match dl_src " + macString(c, p + 6);
  if (!(wildcards & FW_DL_DST)) c.out += prefix + "match dl_dst " + macString(c, p + 12);
  if (!(wildcards & FW_DL_VLAN)) c.out += prefix + "match dl_vlan " + vlanText(be16(c, p + 18));
  if (!(wildcards & FW_DL_VLAN_PCP)) c.out += prefix + "match dl_vlan_pcp " + pcpText(u8(c, p + 20));
  const dlType = be16(c, p + 22);
  if (!(wildcards & FW_DL_TYPE)) c.out += prefix + "match dl_type 0x" + hex4(dlType);
  if (!(wildcards & FW_NW_TOS)) c.out += prefix + "match nw_tos 0x" + hex2(u8(c, p + 24));
  const nwProto = u8(c, p + 25);
  const typed = !(wildcards & FW_DL_TYPE);
  if (!(wildcards & FW_NW_PROTO))
    c.out += prefix + "match " + (typed && dlType === 0x0806 ? "arp_opcode" : "nw_proto") + " " + nwProto;
  let bits = (wildcards >>> 8) & 0x3f;
  if (bits < 32) c.out += prefix + "match nw_src " + ipv4String(c, p + 28) + "/" + (32 - bits);
  bits = (wildcards >>> 14) & 0x3f;
  if (bits < 32) c.out += prefix + "match nw_dst " + ipv4String(c, p + 32) + "/" + (32 - bits);
  const icmp = typed && dlType === 0x0800 && !(wildcards & FW_NW_PROTO) && nwProto === 1;
  if (!(wildcards & FW_TP_SRC)) c.out += prefix + "match " + (icmp ? "icmp_type" : "tp_src") + " " + be16(c, p + 36);
  if (!(wildcards & FW_TP_DST)) c.out += prefix + "match " + (icmp ? "icmp_code" : "tp_dst") + " " + be16(c, p + 38);
  else check(c, p + 38, 2);
}

const OF10_ACTIONS = [
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
const ACTION_VENDOR = 0xffff;
const OUI_BSN = 0x5c16c7;

/** A list of ofp_action_header-led actions, each on a line starting with `prefix`. */
function of10ActionsPrint(c: PrintContext, prefix: string, p: number, len: number): void {
  while (len) {
    if (len < 8) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const type = be16(c, p);
    c.out +=
      prefix +
      "action type " +
      (type === ACTION_VENDOR ? "VENDOR" : (OF10_ACTIONS[type] ?? "invalid (0x" + hex4(type) + ")"));
    const actionLength = be16(c, p + 2);
    p += 4;
    len -= 4;
    c.out += ", len " + actionLength;
    if (actionLength < 8 || actionLength > len + 4) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    let bogus = false;
    let skip = false;
    if (type <= 3 || (type >= 6 && type <= 10)) bogus = actionLength !== 8;
    else if (type === 4 || type === 5 || type === 11) bogus = actionLength !== 16;
    else if (type === ACTION_VENDOR) bogus = actionLength % 8 !== 0;
    else skip = true;
    if (bogus) {
      c.out += " (bogus)";
      skip = true;
    }
    const body = actionLength - 4;
    if (skip) {
      check(c, p, body);
      p += body;
      len -= body;
      continue;
    }
    switch (type) {
      case 0: {
        const port = be16(c, p);
        c.out += ", port " + of10Port(port);
        if (port === OF10_CONTROLLER) c.out += ", max_len " + be16(c, p + 2);
        else check(c, p + 2, 2);
        break;
      }
      case 1:
        c.out += ", vlan_vid " + vlanText(be16(c, p));
        check(c, p + 2, 2);
        break;
      case 2:
        c.out += ", vlan_pcp " + pcpText(u8(c, p));
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
        c.out += ", nw_addr " + ipv4String(c, p);
        break;
      case 8:
        c.out += ", nw_tos 0x" + hex2(u8(c, p));
        check(c, p + 1, 3);
        break;
      case 9:
      case 10:
        c.out += ", tp_port " + be16(c, p);
        check(c, p + 2, 2);
        break;
      case 11: {
        c.out += ", port " + of10Port(be16(c, p));
        const queue = be32(c, p + 8);
        c.out += ", queue_id " + (queue === 0xffffffff ? "ALL" : queue);
        break;
      }
      case ACTION_VENDOR: {
        if (body < 4) {
          c.out += " (invalid)";
          check(c, p, body);
          break;
        }
        const vendor = be32(c, p);
        c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
        if (vendor === OUI_BSN) bsnActionPrint(c, p + 4, body - 4);
        else dataPrint(c, p + 4, body - 4);
        break;
      }
    }
    p += body;
    len -= body;
  }
}

const FLOW_MOD_COMMANDS = ["ADD", "MODIFY", "MODIFY_STRICT", "DELETE", "DELETE_STRICT"];
const FLOW_MOD_FLAGS: [number, string][] = [
  [1 << 0, "SEND_FLOW_REM"],
  [1 << 1, "CHECK_OVERLAP"],
  [1 << 2, "EMERG"],
];
const FLOW_REMOVED_REASONS = ["IDLE_TIMEOUT", "HARD_TIMEOUT", "DELETE"];

function of10FlowModPrint(c: PrintContext, p: number, len: number): void {
  of10MatchPrint(c, "\n\t ", p);
  p += OF10_MATCH_LENGTH;
  c.out += "\n\t cookie 0x" + hex16(c, p);
  const command = be16(c, p + 8);
  c.out += ", command " + (FLOW_MOD_COMMANDS[command] ?? "invalid (0x" + hex4(command) + ")");
  if (be16(c, p + 10)) c.out += ", idle_timeout " + be16(c, p + 10);
  if (be16(c, p + 12)) c.out += ", hard_timeout " + be16(c, p + 12);
  if (be16(c, p + 14)) c.out += ", priority " + be16(c, p + 14);
  if (command <= 2) {
    const buffer = be32(c, p + 16);
    c.out += ", buffer_id " + (buffer === 0xffffffff ? "NONE" : "0x" + hex8(buffer));
  }
  if (command === 3 || command === 4) c.out += ", out_port " + of10Port(be16(c, p + 20));
  const flags = be16(c, p + 22);
  c.out += ", flags 0x" + hex4(flags);
  bitmapPrint(c, FLOW_MOD_FLAGS, flags);
  of10ActionsPrint(c, "\n\t ", p + 24, len - OF10_MATCH_LENGTH - 24);
}

function of10FlowRemovedPrint(c: PrintContext, p: number): void {
  of10MatchPrint(c, "\n\t ", p);
  p += OF10_MATCH_LENGTH;
  c.out += "\n\t cookie 0x" + hex16(c, p);
  if (be16(c, p + 8)) c.out += ", priority " + be16(c, p + 8);
  const reason = u8(c, p + 10);
  c.out += ", reason " + (FLOW_REMOVED_REASONS[reason] ?? "unknown (0x" + hex2(reason) + ")");
  c.out += ", duration_sec " + be32(c, p + 12);
  c.out += ", duration_nsec " + be32(c, p + 16);
  if (be16(c, p + 20)) c.out += ", idle_timeout " + be16(c, p + 20);
  c.out += ", packet_count " + be64(c, p + 24);
  c.out += ", byte_count " + be64(c, p + 32);
}

const OF10_FEATURES_REPLY = 6;
const OF10_GET_CONFIG_REPLY = 8;
const OF10_SET_CONFIG = 9;
const OF10_STATS_REQUEST = 16;
const OF10_QUEUE_GET_CONFIG_REQUEST = 20;

const OF10_CAPABILITIES: [number, string][] = [
  [1 << 0, "FLOW_STATS"],
  [1 << 1, "TABLE_STATS"],
  [1 << 2, "PORT_STATS"],
  [1 << 3, "STP"],
  [1 << 4, "RESERVED"],
  [1 << 5, "IP_REASM"],
  [1 << 6, "QUEUE_STATS"],
  [1 << 7, "ARP_MATCH_IP"],
];
/** The capability bits OpenFlow 1.0 defines (bit 4 is reserved). */
const OF10_CAPABILITIES_VALID = 0xef;
const OF10_ACTION_BITS: [number, string][] = OF10_ACTIONS.map((name, i) => [1 << i, name]);
const OF10_PORT_CONFIG: [number, string][] = [
  [1 << 0, "PORT_DOWN"],
  [1 << 1, "NO_STP"],
  [1 << 2, "NO_RECV"],
  [1 << 3, "NO_RECV_STP"],
  [1 << 4, "NO_FLOOD"],
  [1 << 5, "NO_FWD"],
  [1 << 6, "NO_PACKET_IN"],
];
const OF10_PORT_FEATURES: [number, string][] = [
  [1 << 0, "10MB_HD"],
  [1 << 1, "10MB_FD"],
  [1 << 2, "100MB_HD"],
  [1 << 3, "100MB_FD"],
  [1 << 4, "1GB_HD"],
  [1 << 5, "1GB_FD"],
  [1 << 6, "10GB_FD"],
  [1 << 7, "COPPER"],
  [1 << 8, "FIBER"],
  [1 << 9, "AUTONEG"],
  [1 << 10, "PAUSE"],
  [1 << 11, "PAUSE_ASYM"],
];
const STP_STATES = ["STP_LISTEN", "STP_LEARN", "STP_FORWARD", "STP_BLOCK"];
const OF10_PHY_PORT_LENGTH = 48;

/** An ofp_phy_port (OpenFlow 1.0): number, address and name; its state and bitmaps at -vv. */
function of10PhyPortPrint(c: PrintContext, p: number): void {
  c.out += "\n\t  port_no " + of10Port(be16(c, p));
  c.out += ", hw_addr " + macString(c, p + 2);
  c.out += ", name '";
  printPaddedText(c, p + 8, 16);
  c.out += "'";
  p += 24;
  if (c.flags.verbose < 2) {
    check(c, p, 24);
    return;
  }
  c.out += "\n\t   config 0x" + hex8(be32(c, p));
  bitmapPrint(c, OF10_PORT_CONFIG, be32(c, p));
  const state = be32(c, p + 4);
  // The STP state is a code point in bits 8-9, the link-down flag a bit of its own.
  c.out +=
    "\n\t   state 0x" +
    hex8(state) +
    " (" +
    STP_STATES[(state >>> 8) & 3] +
    (state & 1 ? ", LINK_DOWN" : "") +
    ")" +
    (state & ~0x301 ? " (bogus)" : "");
  const names = ["curr", "advertised", "supported", "peer"];
  for (let i = 0; i < 4; i++) {
    const v = be32(c, p + 8 + 4 * i);
    c.out += "\n\t   " + names[i] + " 0x" + hex8(v);
    bitmapPrint(c, OF10_PORT_FEATURES, v);
  }
}

function of10FeaturesReplyPrint(c: PrintContext, p: number, len: number): void {
  c.out += "\n\t dpid 0x" + hex16(c, p);
  c.out += ", n_buffers " + be32(c, p + 8);
  c.out += ", n_tables " + u8(c, p + 12);
  c.out += "\n\t capabilities 0x" + hex8(be32(c, p + 16));
  bitmapPrint(c, OF10_CAPABILITIES, be32(c, p + 16), OF10_CAPABILITIES_VALID);
  c.out += "\n\t actions 0x" + hex8(be32(c, p + 20));
  bitmapPrint(c, OF10_ACTION_BITS, be32(c, p + 20));
  p += 24;
  len -= 24;
  while (len) {
    if (len < OF10_PHY_PORT_LENGTH) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    of10PhyPortPrint(c, p);
    p += OF10_PHY_PORT_LENGTH;
    len -= OF10_PHY_PORT_LENGTH;
  }
}

const STATS_TYPES = ["DESC", "FLOW", "AGGREGATE", "TABLE", "PORT", "QUEUE"];
const STATS_VENDOR = 0xffff;

function statsTypeName(type: number): string {
  return type === STATS_VENDOR ? "VENDOR" : (STATS_TYPES[type] ?? "invalid (0x" + hex4(type) + ")");
}

function of10StatsRequestPrint(c: PrintContext, p: number, len: number): void {
  const type = be16(c, p);
  c.out += "\n\t type " + statsTypeName(type);
  const flags = be16(c, p + 2);
  c.out += ", flags 0x" + hex4(flags);
  if (flags) c.out += " (bogus)";
  p += 4;
  len -= 4;
  const invalid = (): void => {
    c.out += " (invalid)";
    check(c, p, len);
  };
  switch (type) {
    case 0:
    case 3:
      if (len) invalid();
      return;
    case 1:
    case 2: {
      if (len !== 44) return invalid();
      of10MatchPrint(c, "\n\t ", p);
      const table = u8(c, p + 40);
      c.out += "\n\t table_id " + (table === 0xfe ? "EMERG" : table === 0xff ? "ALL" : table);
      c.out += ", out_port " + of10Port(be16(c, p + 42));
      return;
    }
    case 4:
      if (len !== 8) return invalid();
      c.out += "\n\t port_no " + of10Port(be16(c, p));
      check(c, p + 2, 6);
      return;
    case 5: {
      if (len !== 8) return invalid();
      c.out += "\n\t port_no " + of10Port(be16(c, p));
      const queue = be32(c, p + 4);
      c.out += ", queue_id " + (queue === 0xffffffff ? "ALL" : queue);
      return;
    }
    case STATS_VENDOR: {
      if (len < 4) return invalid();
      const vendor = be32(c, p);
      c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
      dataPrint(c, p + 4, len - 4);
      return;
    }
  }
}

const OF10_STATS_REPLY = 17;
const WILDCARD_BITS: [number, string][] = [
  [FW_IN_PORT, "IN_PORT"],
  [FW_DL_VLAN, "DL_VLAN"],
  [FW_DL_SRC, "DL_SRC"],
  [FW_DL_DST, "DL_DST"],
  [FW_DL_TYPE, "DL_TYPE"],
  [FW_NW_PROTO, "NW_PROTO"],
  [FW_TP_SRC, "TP_SRC"],
  [FW_TP_DST, "TP_DST"],
  [FW_DL_VLAN_PCP, "DL_VLAN_PCP"],
  [FW_NW_TOS, "NW_TOS"],
];

/** A NUL-padded string field of `n` bytes between quotes, each byte printed before the next is read. */
function quotedPrint(c: PrintContext, p: number, n: number): void {
  c.out += "'";
  printPaddedText(c, p, n);
  c.out += "'";
}

function tableName(table: number): string {
  return table === 0xfe ? "EMERG" : table === 0xff ? "ALL" : String(table);
}

function of10StatsReplyPrint(c: PrintContext, p: number, len: number): void {
  const type = be16(c, p);
  c.out += "\n\t type " + statsTypeName(type);
  const flags = be16(c, p + 2);
  c.out += ", flags 0x" + hex4(flags);
  bitmapPrint(c, [[1, "MORE"]], flags);
  p += 4;
  len -= 4;
  const invalid = (): void => {
    c.out += " (invalid)";
    check(c, p, len);
  };
  switch (type) {
    case 0: {
      if (len !== 1056) return invalid();
      const fields: [string, number][] = [
        ["mfr_desc", 256],
        ["hw_desc", 256],
        ["sw_desc", 256],
        ["serial_num", 32],
        ["dp_desc", 256],
      ];
      for (const [name, size] of fields) {
        c.out += "\n\t  " + name + " ";
        quotedPrint(c, p, size);
        p += size;
      }
      return;
    }
    case 1:
      while (len) {
        if (len < 88) return invalid();
        const entryLength = be16(c, p);
        c.out += "\n\t length " + entryLength;
        if (entryLength < 88 || entryLength > len) return invalid();
        c.out += ", table_id " + tableName(u8(c, p + 2));
        of10MatchPrint(c, "\n\t  ", p + 4);
        const q = p + 44;
        c.out += "\n\t  duration_sec " + be32(c, q);
        c.out += ", duration_nsec " + be32(c, q + 4);
        c.out += ", priority " + be16(c, q + 8);
        c.out += ", idle_timeout " + be16(c, q + 10);
        c.out += ", hard_timeout " + be16(c, q + 12);
        c.out += ", cookie 0x" + hex16(c, q + 20);
        c.out += ", packet_count " + be64(c, q + 28);
        c.out += ", byte_count " + be64(c, q + 36);
        of10ActionsPrint(c, "\n\t  ", p + 88, entryLength - 88);
        p += entryLength;
        len -= entryLength;
      }
      return;
    case 2:
      if (len !== 24) return invalid();
      c.out += "\n\t packet_count " + be64(c, p);
      c.out += ", byte_count " + be64(c, p + 8);
      c.out += ", flow_count " + be32(c, p + 16);
      check(c, p + 20, 4);
      return;
    case 3:
      while (len) {
        if (len < 64) return invalid();
        c.out += "\n\t table_id " + tableName(u8(c, p));
        c.out += ", name ";
        quotedPrint(c, p + 4, 32);
        const wildcards = be32(c, p + 36);
        c.out += "\n\t  wildcards 0x" + hex8(wildcards);
        bitmapPrint(c, WILDCARD_BITS, wildcards, FW_ALL);
        c.out += "\n\t  max_entries " + be32(c, p + 40);
        c.out += ", active_count " + be32(c, p + 44);
        c.out += ", lookup_count " + be64(c, p + 48);
        c.out += ", matched_count " + be64(c, p + 56);
        p += 64;
        len -= 64;
      }
      return;
    case 4: {
      const counters = [
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
      while (len) {
        if (len < 104) return invalid();
        c.out += "\n\t  port_no " + of10Port(be16(c, p));
        if (c.flags.verbose < 2) check(c, p + 2, 102);
        else for (let i = 0; i < counters.length; i++) c.out += ", " + counters[i] + " " + be64(c, p + 8 + 8 * i);
        p += 104;
        len -= 104;
      }
      return;
    }
    case 5:
      while (len) {
        if (len < 32) return invalid();
        c.out += "\n\t  port_no " + of10Port(be16(c, p));
        c.out += ", queue_id " + be32(c, p + 4);
        c.out += ", tx_bytes " + be64(c, p + 8);
        c.out += ", tx_packets " + be64(c, p + 16);
        c.out += ", tx_errors " + be64(c, p + 24);
        p += 32;
        len -= 32;
      }
      return;
    case STATS_VENDOR: {
      if (len < 4) return invalid();
      const vendor = be32(c, p);
      c.out += ", vendor 0x" + hex8(vendor) + " (" + vendorName(vendor) + ")";
      dataPrint(c, p + 4, len - 4);
      return;
    }
    default:
      check(c, p, len);
  }
}

const OF10_ERROR = 1;
const OF10_QUEUE_GET_CONFIG_REPLY = 21;
const OF10_ERROR_TYPES = [
  "HELLO_FAILED",
  "BAD_REQUEST",
  "BAD_ACTION",
  "FLOW_MOD_FAILED",
  "PORT_MOD_FAILED",
  "QUEUE_OP_FAILED",
];
/** The codes of each OpenFlow 1.0 error type, numbered from zero. */
const OF10_ERROR_CODES: string[][] = [
  ["INCOMPATIBLE", "EPERM"],
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
  ["ALL_TABLES_FULL", "OVERLAP", "EPERM", "BAD_EMERG_TIMEOUT", "BAD_COMMAND", "UNSUPPORTED"],
  ["BAD_PORT", "BAD_HW_ADDR"],
  ["BAD_PORT", "BAD_QUEUE", "EPERM"],
];

function of10ErrorPrint(c: PrintContext, p: number, len: number): void {
  const type = be16(c, p);
  c.out += "\n\t type " + (OF10_ERROR_TYPES[type] ?? "invalid (0x" + hex4(type) + ")");
  const code = be16(c, p + 2);
  c.out += ", code " + (OF10_ERROR_CODES[type]?.[code] ?? "invalid (0x" + hex4(code) + ")");
  dataPrint(c, p + 4, len - 4);
}

/** ofp_packet_queue entries, with their properties at -vv. */
function of10QueuesPrint(c: PrintContext, p: number, len: number): void {
  while (len) {
    if (len < 8) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    c.out += "\n\t  queue_id " + be32(c, p);
    const queueLength = be16(c, p + 4);
    c.out += ", len " + queueLength;
    if (queueLength < 8 || queueLength > len) {
      c.out += " (invalid)";
      check(c, p + 6, len - 6);
      return;
    }
    check(c, p + 6, 2);
    if (c.flags.verbose >= 2) of10QueuePropertiesPrint(c, p + 8, queueLength - 8);
    else check(c, p + 8, queueLength - 8);
    p += queueLength;
    len -= queueLength;
  }
}

function of10QueuePropertiesPrint(c: PrintContext, p: number, len: number): void {
  while (len) {
    if (len < 8) {
      c.out += " (invalid)";
      check(c, p, len);
      return;
    }
    const property = be16(c, p);
    c.out +=
      "\n\t   property " +
      (property === 0 ? "NONE" : property === 1 ? "MIN_RATE" : "invalid (0x" + hex4(property) + ")");
    const propertyLength = be16(c, p + 2);
    c.out += ", len " + propertyLength;
    if (propertyLength < 8 || propertyLength > len) {
      c.out += " (invalid)";
      check(c, p + 4, len - 4);
      return;
    }
    check(c, p + 4, 4);
    let skip = property > 1;
    if (!skip && propertyLength !== (property === 0 ? 8 : 16)) {
      c.out += " (bogus)";
      skip = true;
    }
    if (skip) check(c, p + 8, propertyLength - 8);
    else if (property === 1) {
      const rate = be16(c, p + 8);
      c.out += rate > 1000 ? ", rate disabled" : ", rate " + Math.floor(rate / 10) + "." + (rate % 10) + "%";
      check(c, p + 10, 6);
    }
    p += propertyLength;
    len -= propertyLength;
  }
}

const OF10_PACKET_IN = 10;
const OF10_PACKET_OUT = 13;

/** The frame a packet-in or packet-out carries: its size, and at -vvv tcpdump's decoding of it. */
function of10PacketDataPrint(c: PrintContext, p: number, len: number): void {
  if (len === 0) return;
  c.out += "\n\t data (" + len + " octets)";
  if (c.flags.verbose < 3) {
    check(c, p, len);
    return;
  }
  // At -vvv tcpdump decodes the frame, with three -v fewer, inside the message's bounds.
  c.out += ", frame decoding below\n";
  const flags = c.flags;
  const savedEnd = pushSnaplen(c, p, len);
  flags.verbose -= 3;
  try {
    encapsulated().ethernet(c, p, len, available(c, p));
  } finally {
    flags.verbose += 3;
    c.snapend = savedEnd;
  }
}

const OF10_VENDOR = 4;
const OF10_PORT_STATUS = 12;
const OF10_PORT_MOD = 15;
const BSN_SUBTYPES = new Map([
  [0, "SET_IP_MASK"],
  [1, "GET_IP_MASK_REQUEST"],
  [2, "GET_IP_MASK_REPLY"],
  [3, "SET_MIRRORING"],
  [4, "GET_MIRRORING_REQUEST"],
  [5, "GET_MIRRORING_REPLY"],
  [6, "SHELL_COMMAND"],
  [7, "SHELL_OUTPUT"],
  [8, "SHELL_STATUS"],
  [9, "GET_INTERFACES_REQUEST"],
  [10, "GET_INTERFACES_REPLY"],
  [11, "SET_PKTIN_SUPPRESSION_REQUEST"],
  [12, "SET_L2_TABLE_REQUEST"],
  [13, "GET_L2_TABLE_REQUEST"],
  [14, "GET_L2_TABLE_REPLY"],
  [15, "VIRTUAL_PORT_CREATE_REQUEST"],
  [16, "VIRTUAL_PORT_CREATE_REPLY"],
  [17, "VIRTUAL_PORT_REMOVE_REQUEST"],
  [18, "BW_ENABLE_SET_REQUEST"],
  [19, "BW_ENABLE_GET_REQUEST"],
  [20, "BW_ENABLE_GET_REPLY"],
  [21, "BW_CLEAR_DATA_REQUEST"],
  [22, "BW_CLEAR_DATA_REPLY"],
  [23, "BW_ENABLE_SET_REPLY"],
  [24, "SET_L2_TABLE_REPLY"],
  [25, "SET_PKTIN_SUPPRESSION_REPLY"],
  [26, "VIRTUAL_PORT_REMOVE_REPLY"],
  [27, "HYBRID_GET_REQUEST"],
  [28, "HYBRID_GET_REPLY"],
  [31, "PDU_TX_REQUEST"],
  [32, "PDU_TX_REPLY"],
  [33, "PDU_RX_REQUEST"],
  [34, "PDU_RX_REPLY"],
  [35, "PDU_RX_TIMEOUT"],
]);
const BSN_ACTIONS = new Map([
  [1, "MIRROR"],
  [2, "SET_TUNNEL_DST"],
  [4, "CHECKSUM"],
]);

/** A Big Switch Networks vendor message body (after the vendor id). */
function bsnMessagePrint(c: PrintContext, p: number, len: number): void {
  const invalid = (): void => {
    c.out += " (invalid)";
    check(c, p, len);
  };
  if (len < 4) return invalid();
  const subtype = be32(c, p);
  p += 4;
  len -= 4;
  c.out += "\n\t subtype " + (BSN_SUBTYPES.get(subtype) ?? "unknown (0x" + hex8(subtype) + ")");
  switch (subtype) {
    case 1:
      if (len !== 8) return invalid();
      c.out += ", index " + u8(c, p);
      check(c, p + 1, 7);
      return;
    case 0:
    case 2:
      if (len !== 8) return invalid();
      c.out += ", index " + u8(c, p);
      c.out += ", mask " + ipv4String(c, p + 4);
      return;
    case 3:
    case 4:
    case 5: {
      if (len !== 4) return invalid();
      const v = u8(c, p);
      c.out += ", report_mirror_ports " + (v === 0 ? "OFF" : v === 1 ? "ON" : "bogus (" + v + ")");
      check(c, p + 1, 3);
      return;
    }
    case 9:
    case 13:
    case 19:
    case 21:
    case 27:
      if (len) invalid();
      return;
    case 17:
      if (len !== 4) return invalid();
      c.out += ", vport_no " + be32(c, p);
      return;
    case 6:
      if (len < 4) return invalid();
      c.out += ", service " + be32(c, p);
      c.out += ", data '";
      printCountedText(c, p + 4, len - 4);
      c.out += "'";
      return;
    case 7:
      c.out += ", data '";
      printCountedText(c, p, len);
      c.out += "'";
      return;
    case 8:
      if (len !== 4) return invalid();
      c.out += ", status 0x" + hex8(be32(c, p));
      return;
    default:
      check(c, p, len);
  }
}

/** A Big Switch Networks vendor action body (after the vendor id). */
function bsnActionPrint(c: PrintContext, p: number, len: number): void {
  const invalid = (): void => {
    c.out += " (invalid)";
    check(c, p, len);
  };
  if (len < 4) return invalid();
  const subtype = be32(c, p);
  p += 4;
  len -= 4;
  c.out += "\n\t  subtype " + (BSN_ACTIONS.get(subtype) ?? "unknown (0x" + hex8(subtype) + ")");
  if (subtype !== 1) {
    check(c, p, len);
    return;
  }
  if (len !== 12) return invalid();
  c.out += ", dest_port " + be32(c, p);
  const tag = be32(c, p + 4);
  const tpid = tag >>> 16;
  if (tpid === 0) c.out += ", vlan_tag none";
  else if (tpid === 0x8100) c.out += ", vlan_tag 802.1Q (" + vlanTciString(tag & 0xffff) + ")";
  else c.out += ", vlan_tag unknown (0x" + hex4(tpid) + ")";
  const stage = u8(c, p + 8);
  c.out += ", copy_stage " + (stage === 0 ? "INGRESS" : stage === 1 ? "EGRESS" : "unknown (" + stage + ")");
  check(c, p + 9, 3);
}
