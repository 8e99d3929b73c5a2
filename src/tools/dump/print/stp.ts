// Spanning tree BPDUs (IEEE 802.1D, 802.1w rapid, 802.1s multiple, 802.1aq shortest path bridging)
// as tcpdump prints them without -v: "STP 802.1d, Config, Flags [none], bridge-id
// 8000.00:11:22:33:44:55.8001, length 35", and with -v the timers, root and port role, an MST
// BPDU's configuration identifier and MSTIs, and an SPB BPDU's agreement fields.

import { be16, be32, u8, type PrintContext } from "./context.js";
import { hex2, hex4 } from "./addr.js";
import { printPaddedText } from "./unknown.js";
import { flagNames } from "./names.js";

const PROTO_REGULAR = 0x00;
const PROTO_RAPID = 0x02;
const PROTO_MSTP = 0x03;
const PROTO_SPB = 0x04;
const PROTOCOLS = new Map([
  [PROTO_REGULAR, "802.1d"],
  [PROTO_RAPID, "802.1w"],
  [PROTO_MSTP, "802.1s"],
  [PROTO_SPB, "802.1aq"],
]);
const TYPE_CONFIG = 0x00;
const TYPE_RSTP = 0x02;
const TYPES = new Map([
  [TYPE_CONFIG, "Config"],
  [TYPE_RSTP, "Rapid STP"],
  [0x80, "Topology Change"],
]);
const FLAGS: [number, string][] = [
  [0x01, "Topology change"],
  [0x02, "Proposal"],
  [0x10, "Learn"],
  [0x20, "Forward"],
  [0x40, "Agreement"],
  [0x80, "Topology change ACK"],
];
/** Bytes of a configuration BPDU up to and including the version 1 length. */
const BPDU_LENGTH = 36;
const MSTP_MIN_LENGTH = 102;
const VER3_LENGTH_OFFSET = 36;
const SPB_MIN_LENGTH = 87;

function bridgeId(c: PrintContext, at: number): string {
  let s = hex2(u8(c, at)) + hex2(u8(c, at + 1)) + ".";
  for (let i = 2; i < 8; i++) s += (i > 2 ? ":" : "") + hex2(u8(c, at + i));
  return s;
}

function printConfig(c: PrintContext, at: number, length: number): void {
  c.out += ", Flags [" + flagNames(FLAGS, u8(c, at + 4)) + "]";
  c.out += ", bridge-id " + bridgeId(c, at + 17) + "." + hex4(be16(c, at + 25));
  c.out += ", length " + length;
  if (!c.flags.verbose) return;
  c.out += "\n\t" + timers(c, at);
  c.out += "\n\troot-id " + bridgeId(c, at + 5) + ", root-pathcost " + be32(c, at + 13);
  // The port role is only defined for 802.1w.
  if (u8(c, at + 2) === PROTO_RAPID) c.out += ", port-role " + portRole(u8(c, at + 4));
}

const PORT_ROLES = ["Unknown", "Alternate", "Root", "Designated"];

function portRole(flags: number): string {
  return PORT_ROLES[(flags & 0x0c) >> 2]!;
}

/** Seconds in 1/256 units with two decimals, ties to even as printf rounds them. */
function seconds(value: number): string {
  const scaled = value * 25;
  let hundredths = Math.floor(scaled / 64);
  const rest = scaled % 64;
  if (rest > 32 || (rest === 32 && hundredths % 2 === 1)) hundredths++;
  return Math.floor(hundredths / 100) + "." + String(hundredths % 100).padStart(2, "0") + "s";
}

function timers(c: PrintContext, at: number): string {
  return (
    "message-age " +
    seconds(be16(c, at + 27)) +
    ", max-age " +
    seconds(be16(c, at + 29)) +
    ", hello-time " +
    seconds(be16(c, at + 31)) +
    ", forwarding-delay " +
    seconds(be16(c, at + 33))
  );
}

function hex32s(c: PrintContext, at: number, count: number): string {
  let s = "";
  for (let i = 0; i < count; i++)
    s += be32(c, at + 4 * i)
      .toString(16)
      .padStart(8, "0");
  return s;
}

const CONFIG_INFO_LENGTH = 64;
const MSTI_LENGTH = 16;
const MSTI_OFFSET = 102;

// Each statement appends one of tcpdump's print calls whole, so a packet cut short shows the same
// text before its " [|stp]".
function printMstpVerbose(c: PrintContext, at: number): void {
  const flags = u8(c, at + 4);
  c.out += "\n\tport-role " + portRole(flags) + ", ";
  c.out += "CIST root-id " + bridgeId(c, at + 5) + ", CIST ext-pathcost " + be32(c, at + 13);
  c.out += "\n\tCIST regional-root-id " + bridgeId(c, at + 17) + ", ";
  c.out += "CIST port-id " + hex4(be16(c, at + 25)) + ",";
  c.out += "\n\t" + timers(c, at);
  c.out += "\n\tv3len " + be16(c, at + VER3_LENGTH_OFFSET) + ", ";
  c.out += "MCID Name ";
  printPaddedText(c, at + 39, 32);
  c.out += ", rev " + be16(c, at + 71) + ",\n\t\tdigest " + hex32s(c, at + 73, 4) + ", ";
  c.out += "CIST int-root-pathcost " + be32(c, at + 89) + ",";
  c.out += "\n\tCIST bridge-id " + bridgeId(c, at + 93) + ", ";
  c.out += "CIST remaining-hops " + u8(c, at + 101);
  const v3len = be16(c, at + VER3_LENGTH_OFFSET);
  if (v3len <= CONFIG_INFO_LENGTH) return;
  let left = v3len - CONFIG_INFO_LENGTH;
  for (let p = at + MSTI_OFFSET; left >= MSTI_LENGTH; left -= MSTI_LENGTH, p += MSTI_LENGTH) {
    const msti = be16(c, p + 1) & 0x0fff;
    c.out += "\n\tMSTI " + msti + ", Flags [" + flagNames(FLAGS, u8(c, p)) + "], port-role " + portRole(u8(c, p));
    c.out += "\n\t\tMSTI regional-root-id " + bridgeId(c, p + 1) + ", pathcost " + be32(c, p + 9);
    c.out +=
      "\n\t\tMSTI bridge-prio " +
      (u8(c, p + 13) >> 4) +
      ", port-prio " +
      (u8(c, p + 14) >> 4) +
      ", hops " +
      u8(c, p + 15);
  }
}

function printSpbVerbose(c: PrintContext, at: number): void {
  c.out += "\n\tv4len " + be16(c, at) + ", ";
  c.out += "AUXMCID Name ";
  printPaddedText(c, at + 3, 32);
  c.out += ", Rev " + be16(c, at + 35) + ",\n\t\tdigest " + hex32s(c, at + 37, 4);
  c.out += agreement(c, at);
}

function agreement(c: PrintContext, at: number): string {
  const flags = u8(c, at + 53);
  const format = u8(c, at + 55);
  const convention = u8(c, at + 56);
  return (
    "\n\tAgreement num " +
    (flags >> 6) +
    ", Discarded Agreement num " +
    ((flags >> 4) & 0x3) +
    ", Agreement valid-flag " +
    ((flags >> 3) & 0x1) +
    ",\n\tRestricted role-flag: " +
    ((flags >> 2) & 0x1) +
    ", Format id " +
    (format >> 4) +
    " cap " +
    format +
    ", Convention id " +
    (convention >> 4) +
    " cap " +
    convention +
    ",\n\tEdge count " +
    be16(c, at + 57) +
    ", Agreement digest " +
    hex32s(c, at + 67, 5)
  );
}

export function stpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "stp";
  if (length < 4) {
    c.out += " (invalid)";
    return;
  }
  if (be16(c, at)) {
    c.out += "unknown STP version, length " + length;
    return;
  }
  const version = u8(c, at + 2);
  c.out += "STP " + (PROTOCOLS.get(version) ?? "Unknown STP protocol (0x" + hex2(version) + ")");
  if (!PROTOCOLS.has(version)) return;
  const type = u8(c, at + 3);
  c.out += ", " + (TYPES.get(type) ?? "Unknown BPDU Type (0x" + hex2(type) + ")");
  if (type === TYPE_CONFIG) {
    if (length < BPDU_LENGTH - 1) {
      c.out += " (invalid)";
      return;
    }
    printConfig(c, at, length);
  } else if (type === TYPE_RSTP) {
    if (version === PROTO_RAPID) {
      if (length < BPDU_LENGTH) {
        c.out += " (invalid)";
        return;
      }
      printConfig(c, at, length);
    } else if (version === PROTO_MSTP || version === PROTO_SPB) {
      if (length < MSTP_MIN_LENGTH || u8(c, at + 35) !== 0) {
        c.out += " (invalid)";
        return;
      }
      const mstpLength = be16(c, at + VER3_LENGTH_OFFSET) + 2;
      if (length < BPDU_LENGTH + mstpLength) {
        c.out += " (invalid)";
        return;
      }
      c.out += ", CIST Flags [" + flagNames(FLAGS, u8(c, at + 4)) + "], length " + length;
      if (c.flags.verbose) printMstpVerbose(c, at);
      if (version === PROTO_SPB) {
        const spbLength = be16(c, at + VER3_LENGTH_OFFSET + mstpLength) + 2;
        if (length < BPDU_LENGTH + mstpLength + spbLength || spbLength < SPB_MIN_LENGTH) c.out += " (invalid)";
        else if (c.flags.verbose) printSpbVerbose(c, at + BPDU_LENGTH + mstpLength);
      }
    }
  }
}
