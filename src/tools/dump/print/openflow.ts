// OpenFlow (versions 1.0 and 1.3 by name, others by number) as tcpdump prints it: one
// "version 1.0, type HELLO, length 8, xid 0x00000001" line per message in the segment, with the
// length checks tcpdump applies per message type; with -v the message bodies (openflow-body.ts).

import { be16, be32, check, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";
import { openflowBodyPrint } from "./openflow-body.js";

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
    } else if (!info || !c.flags.verbose || !openflowBodyPrint(c, version, type, p, body)) {
      // A message may run past the segment; its captured part must still be there.
      check(c, p, body);
    }
    if (body > len) break;
    p += body;
    len -= body;
  }
}

function partialHeader(c: PrintContext, at: number, len: number): void {
  c.out += " (end of TCP payload)";
  check(c, at, len);
}
