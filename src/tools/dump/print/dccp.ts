// DCCP (RFC 4340) as tcpdump prints it without -v: the ports, the packet type, a Request's or
// Response's service code, a Reset's code and the acknowledgement number ("DCCP DCCP-Response
// (service=0) (ack=1559687427) "). The -v checksum and the -vv sequence number and options are
// not done yet: such packets are marked unsupported.

import { ipv4String, ipv6String } from "./addr.js";
import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";

const REQUEST = 0;
const RESPONSE = 1;
const DATA = 2;
const RESET = 7;
const TYPE_NAMES = [
  "DCCP-Request",
  "DCCP-Response",
  "DCCP-Data",
  "DCCP-Ack",
  "DCCP-DataAck",
  "DCCP-CloseReq",
  "DCCP-Close",
  "DCCP-Reset",
  "DCCP-Sync",
  "DCCP-SyncAck",
];
/** Bytes each type adds to the generic header (acknowledgement, service code, reset fields). */
const TYPE_HEADER_LENGTHS = [4, 12, 0, 8, 8, 8, 8, 12, 8, 8];
const RESET_CODES = [
  "unspecified",
  "closed",
  "aborted",
  "no_connection",
  "packet_error",
  "option_error",
  "mandatory_error",
  "connection_refused",
  "bad_service_code",
  "too_busy",
  "bad_init_cookie",
  "aggression_penalty",
];
const SHORT_HEADER_LENGTH = 12;
const LONG_HEADER_LENGTH = 16;

export function dccpPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
  c.protocol = "dccp";
  if (!has(c, at, SHORT_HEADER_LENGTH)) {
    printTrunc(c);
    return;
  }
  if (length < SHORT_HEADER_LENGTH) {
    c.out += "truncated-dccp - " + (SHORT_HEADER_LENGTH - length) + " bytes missing!";
    return;
  }
  // The X bit: 48-bit sequence numbers and a longer generic header.
  const extended = (u8(c, at + 8) & 1) !== 0;
  let headerLength = extended ? LONG_HEADER_LENGTH : SHORT_HEADER_LENGTH;
  if (length < headerLength) {
    c.out += "truncated-dccp - " + (headerLength - length) + " bytes missing!";
    return;
  }
  if (!has(c, at, headerLength)) {
    printTrunc(c);
    return;
  }
  const sport = be16(c, at);
  const dport = be16(c, at + 2);
  const dataOffset = u8(c, at + 4) * 4;
  const v6 = u8(c, ipAt) >> 4 === 6;
  c.out +=
    (v6 ? ipv6String(c, ipAt + 8) : ipv4String(c, ipAt + 12)) +
    "." +
    sport +
    " > " +
    (v6 ? ipv6String(c, ipAt + 24) : ipv4String(c, ipAt + 16)) +
    "." +
    dport +
    ": DCCP";
  if (c.flags.quick) {
    c.out += " " + (length - dataOffset);
    if (dataOffset > length) c.out += " [bad hdr length " + dataOffset + " - too long, > " + length + "]";
    return;
  }
  if (c.flags.verbose) {
    c.markUnsupported("dccp -v");
    return;
  }
  c.out += " ";
  const type = (u8(c, at + 8) >> 1) & 0x0f;
  const name = TYPE_NAMES[type];
  if (name === undefined) {
    c.out += "unknown-type-" + type + " ";
    printAck(c, at, extended);
    return;
  }
  const typeFieldsAt = at + headerLength;
  headerLength += TYPE_HEADER_LENGTHS[type]!;
  if (length < headerLength) {
    c.out += "truncated-" + name + " - " + (headerLength - length) + " bytes missing!";
    return;
  }
  if (type === REQUEST || type === RESPONSE || type === RESET) {
    if (!has(c, typeFieldsAt, TYPE_HEADER_LENGTHS[type]!)) {
      printTrunc(c);
      return;
    }
  }
  if (type === REQUEST) c.out += name + " (service=" + be32(c, typeFieldsAt) + ") ";
  else if (type === RESPONSE) c.out += name + " (service=" + be32(c, typeFieldsAt + 8) + ") ";
  else if (type === RESET) {
    const code = u8(c, typeFieldsAt + 8);
    c.out += name + " (code=" + (RESET_CODES[code] ?? "invalid") + ") ";
  } else c.out += name + " ";
  if (type !== DATA && type !== REQUEST) printAck(c, at, extended);
}

/** "(ack=N) ": the acknowledgement number after the generic header (48 or 24 bits). */
function printAck(c: PrintContext, at: number, extended: boolean): void {
  const ackAt = at + (extended ? LONG_HEADER_LENGTH : SHORT_HEADER_LENGTH);
  const ack = extended
    ? be16(c, ackAt + 2) * 0x100000000 + be32(c, ackAt + 4)
    : (u8(c, ackAt + 1) << 16) | be16(c, ackAt + 2);
  c.out += "(ack=" + ack + ") ";
}
