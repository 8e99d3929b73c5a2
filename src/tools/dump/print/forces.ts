// ForCES (RFC 5810) inside SCTP: the message type line tcpdump prints for every message, its
// checks of the type and length (with the message in hex when they fail), and the header's
// version, IDs, correlator (-v) and flags (-vv). The TLVs of the messages that carry them are not
// decoded yet: such packets are marked unsupported.

import { be16, be32, be64, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hexPrint } from "./unknown.js";

const HEADER_LENGTH = 24;
const TLV_HEADER_LENGTH = 4;
const HEARTBEAT = 0x0f;
const ASSOCIATION_SETUP = 0x01;
const MESSAGE_TYPES = new Map([
  [0x01, "Association Setup"],
  [0x02, "Association TearDown"],
  [0x03, "Config"],
  [0x04, "Query"],
  [0x05, "Event Notification"],
  [0x06, "Packet Redirect"],
  [HEARTBEAT, "HeartBeat"],
  [0x11, "Association Response"],
  [0x13, "Config Response"],
  [0x14, "Query Response"],
]);

/** The message types tcpdump accepts at all (others are reported as invalid). */
function typeValid(type: number): boolean {
  return type > 0 && !(type >= 0x7 && type <= 0xe) && type !== 0x10 && type <= 0x14;
}

/** The whole message in hex between brackets, as tcpdump shows a message it rejects. */
function printRejected(c: PrintContext, at: number, length: number): void {
  hexPrint(c, "\n\t[", at, length);
  c.out += "\n\t]";
}

/** A ForCES message of `length` bytes at `at`. */
export function forcesPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "forces";
  if (!has(c, at, HEADER_LENGTH)) return printTrunc(c);
  const type = u8(c, at + 1);
  if (!typeValid(type)) {
    c.out += "Invalid ForCES message type " + type + "\n";
    return printRejected(c, at, length);
  }
  const messageLength = be16(c, at + 2) << 2;
  const name = MESSAGE_TYPES.get(type);
  if (name === undefined) {
    c.out += "\n\tUnknown ForCES message type=0x" + type.toString(16);
    return printRejected(c, at, length);
  }
  c.out += "\n\tForCES " + name + " ";
  if (length < HEADER_LENGTH || messageLength < HEADER_LENGTH || messageLength !== length) {
    c.out +=
      "Illegal ForCES pkt len - min " +
      HEADER_LENGTH +
      ", total recvd " +
      length +
      ", advertised " +
      messageLength +
      " ";
    return printRejected(c, at, length);
  }
  if (c.flags.verbose) printHeaderDetails(c, at, messageLength);
  // -vvvv adds the raw message, not printed here.
  if (c.flags.verbose >= 4) c.markUnsupported("forces raw message");
  const rest = messageLength - HEADER_LENGTH;
  if (type === HEARTBEAT) {
    // A heartbeat carries no TLV; tcpdump rejects one that has more than a TLV header's worth.
    if (rest > TLV_HEADER_LENGTH) {
      c.out += "<0x1>Illegal Top level TLV!\n";
      printRejected(c, at, length);
    }
    return;
  }
  // An association setup may come without TLVs; every other message's TLVs are not decoded here.
  if (type === ASSOCIATION_SETUP && rest <= TLV_HEADER_LENGTH) return;
  c.markUnsupported("forces tlvs");
}

const ACKS = ["NoACK", "SuccessACK", "FailureACK", "AlwaysACK"];
const EXECUTION_MODES = ["EMReserved", "execute-all-or-none", "execute-until-failure", "continue-execute-on-failure"];
const TRANSACTION_PHASES = ["StartofTransaction", "MiddleofTransaction", "EndofTransaction", "abort"];

/** Which kind of element an ID names (RFC 5810 section 4.2.1.1). */
function nodeKind(id: number): string {
  if (id <= 0x3fffffff) return "FE";
  if (id <= 0x7fffffff) return "CE";
  if (id >= 0xc0000000 && id <= 0xffffffef) return "AllMulticast";
  if (id === 0xfffffffd) return "AllCEsBroadcast";
  if (id === 0xfffffffe) return "AllFEsBroadcast";
  if (id === 0xffffffff) return "AllBroadcast";
  return "ForCESreserved";
}

function printHeaderDetails(c: PrintContext, at: number, messageLength: number): void {
  const flags = be32(c, at + 20);
  const source = be32(c, at + 4);
  const destination = be32(c, at + 8);
  const correlator = be64(c, at + 12);
  c.out +=
    "\n\tForCES Version " +
    (u8(c, at) >> 4) +
    " len " +
    messageLength +
    "B flags 0x" +
    flags.toString(16).padStart(8, "0") +
    " ";
  c.out +=
    "\n\tSrcID 0x" +
    source.toString(16) +
    "(" +
    nodeKind(source) +
    ") DstID 0x" +
    destination.toString(16) +
    "(" +
    nodeKind(destination) +
    ") Correlator 0x" +
    correlator.toString(16);
  if (c.flags.verbose < 2) return;
  const ack = flags >>> 30;
  const mode = (flags >>> 22) & 3;
  const atomic = (flags >>> 21) & 1;
  const phase = (flags >>> 19) & 3;
  c.out +=
    "\n\tForCES flags:\n\t  " +
    ACKS[ack] +
    "(0x" +
    ack.toString(16) +
    "), prio=" +
    ((flags >>> 27) & 7) +
    ", " +
    EXECUTION_MODES[mode] +
    "(0x" +
    mode.toString(16) +
    "),\n\t  " +
    (atomic ? "2PCtransaction" : "Standalone") +
    "(0x" +
    atomic +
    "), " +
    TRANSACTION_PHASES[phase] +
    "(0x" +
    phase.toString(16) +
    ")\n";
  c.out +=
    "\t  Extra flags: rsv(b5-7) 0x" +
    ((flags >>> 24) & 7).toString(16) +
    " rsv(b13-31) 0x" +
    (flags & 0x7ffff).toString(16) +
    "\n";
}
