// DCCP (RFC 4340) as tcpdump prints it: the ports, the packet type, a Request's or Response's
// service code, a Reset's code and the acknowledgement number ("DCCP DCCP-Response (service=0)
// (ack=1559687427) "); with -v CCVal, CsCov and the checksum; with -vv the sequence number and
// the options.

import { ipv4String, ipv6String } from "./addr.js";
import {
  be16,
  be32,
  checksumShouldBe,
  finishChecksum,
  has,
  onesComplementSum,
  printTrunc,
  u8,
  type PrintContext,
} from "./context.js";
import { ipv4PseudoSum, ipv6PseudoSum } from "./pseudo-header.js";

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
const IPPROTO_DCCP = 33;
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
  const verbose = c.flags.verbose;
  if (verbose) {
    const ccvalCscov = u8(c, at + 5);
    c.out += " (CCVal " + (ccvalCscov >> 4) + ", CsCov " + (ccvalCscov & 0x0f);
    if (has(c, at, length)) {
      const stored = be16(c, at + 6);
      const sum = checksum(c, at, length, ipAt, v6, dataOffset, ccvalCscov & 0x0f);
      c.out += ", cksum 0x" + stored.toString(16).padStart(4, "0") + " ";
      c.out +=
        sum !== 0
          ? "(incorrect -> 0x" + checksumShouldBe(stored, sum).toString(16).padStart(4, "0") + ")"
          : "(correct)";
    }
    c.out += ")";
  }
  c.out += " ";
  const type = (u8(c, at + 8) >> 1) & 0x0f;
  const name = TYPE_NAMES[type];
  if (name === undefined) {
    c.out += "unknown-type-" + type + " ";
  } else {
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
  }
  if (type !== DATA && type !== REQUEST) printAck(c, at, extended);
  if (verbose < 2) return;
  c.out +=
    "seq " + (extended ? be16(c, at + 10) * 0x100000000 + be32(c, at + 12) : (u8(c, at + 9) << 16) | be16(c, at + 10));
  if (dataOffset <= headerLength) return;
  let p = at + headerLength;
  let left = dataOffset - headerLength;
  c.out += " <";
  for (;;) {
    const optionLength = printOption(c, p, left);
    if (optionLength === 0 || left <= optionLength) break;
    left -= optionLength;
    p += optionLength;
    c.out += ", ";
  }
  c.out += ">";
}

/** The checksum over the covered part (CsCov, RFC 4340 section 9.2) and the pseudo-header: 0 when right. */
function checksum(
  c: PrintContext,
  at: number,
  length: number,
  ipAt: number,
  v6: boolean,
  dataOffset: number,
  cscov: number,
): number {
  let coverage = length;
  if (cscov !== 0) {
    const covered = dataOffset + (cscov - 1) * 4;
    if (covered < length) coverage = covered;
  }
  const pseudo = v6 ? ipv6PseudoSum(c, ipAt, length, IPPROTO_DCCP) : ipv4PseudoSum(c, ipAt, length, IPPROTO_DCCP);
  return finishChecksum(onesComplementSum(c, at, coverage, pseudo));
}

const OPTION_NAMES = new Map([
  [0, "nop"],
  [1, "mandatory"],
  [2, "slowreceiver"],
  [32, "change_l"],
  [33, "confirm_l"],
  [34, "change_r"],
  [35, "confirm_r"],
  [36, "initcookie"],
  [37, "ndp_count"],
  [38, "ack_vector0"],
  [39, "ack_vector1"],
  [40, "data_dropped"],
  [41, "timestamp"],
  [42, "timestamp_echo"],
  [43, "elapsed_time"],
  [44, "data_checksum"],
]);
const FEATURES = [
  "reserved",
  "ccid",
  "allow_short_seqno",
  "sequence_window",
  "ecn_incapable",
  "ack_ratio",
  "send_ack_vector",
  "send_ndp_count",
  "minimum checksum coverage",
  "check data checksum",
];
const CCID_OPTIONS = 128;

function optionName(type: number): string {
  return type >= CCID_OPTIONS ? "CCID option " + type : (OPTION_NAMES.get(type) ?? "Option " + type);
}

function hexBytes(c: PrintContext, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++)
    s += u8(c, at + i)
      .toString(16)
      .padStart(2, "0");
  return s;
}

/** One option; returns its length, or 0 when the list cannot go on. */
function printOption(c: PrintContext, at: number, left: number): number {
  const type = u8(c, at);
  let length = 1;
  if (type >= 32) {
    length = u8(c, at + 1);
    if (length < 2) {
      c.out += optionName(type) + " optlen too short";
      return 0;
    }
  }
  if (left < length) {
    c.out += optionName(type) + " optlen goes past header length";
    return 0;
  }
  if (!has(c, at, length)) {
    printTrunc(c);
    return 0;
  }
  c.out += optionName(type);
  if (type >= CCID_OPTIONS) {
    if (length === 4) c.out += " " + be16(c, at + 2);
    else if (length === 6) c.out += " " + be32(c, at + 2);
    return length;
  }
  switch (type) {
    case 32:
    case 33:
    case 34:
    case 35: {
      if (length < 3) {
        c.out += " optlen too short";
        return length;
      }
      const feature = FEATURES[u8(c, at + 2)];
      if (feature !== undefined) {
        c.out += " " + feature;
        for (let i = 3; i < length; i++) c.out += " " + u8(c, at + i);
      }
      break;
    }
    case 36:
    case 38:
    case 39:
    case 40:
      if (length > 2) c.out += " 0x" + hexBytes(c, at + 2, length - 2);
      break;
    case 37:
      for (let i = 2; i < length; i++) c.out += " " + u8(c, at + i);
      break;
    case 41:
      c.out += length === 6 ? " " + be32(c, at + 2) : " [optlen != 6]";
      break;
    case 42:
      if (length === 6) c.out += " " + be32(c, at + 2);
      else if (length === 8) c.out += " " + be32(c, at + 2) + " (elapsed time " + be16(c, at + 6) + ")";
      else if (length === 10) c.out += " " + be32(c, at + 2) + " (elapsed time " + be32(c, at + 6) + ")";
      else c.out += " [optlen != 6 or 8 or 10]";
      break;
    case 43:
      if (length === 6) c.out += " " + be32(c, at + 2);
      else if (length === 4) c.out += " " + be16(c, at + 2);
      else c.out += " [optlen != 4 or 6]";
      break;
    case 44:
      if (length > 2) c.out += " " + hexBytes(c, at + 2, length - 2);
      break;
  }
  return length;
}

/** "(ack=N) ": the acknowledgement number after the generic header (48 or 24 bits). */
function printAck(c: PrintContext, at: number, extended: boolean): void {
  const ackAt = at + (extended ? LONG_HEADER_LENGTH : SHORT_HEADER_LENGTH);
  const ack = extended
    ? be16(c, ackAt + 2) * 0x100000000 + be32(c, ackAt + 4)
    : (u8(c, ackAt + 1) << 16) | be16(c, ackAt + 2);
  c.out += "(ack=" + ack + ") ";
}
