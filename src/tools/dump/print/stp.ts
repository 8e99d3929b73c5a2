// Spanning tree BPDUs (IEEE 802.1D, 802.1w rapid, 802.1s multiple, 802.1aq shortest path bridging)
// as tcpdump prints them without -v: "STP 802.1d, Config, Flags [none], bridge-id
// 8000.00:11:22:33:44:55.8001, length 35". The -v decoding (timers, root, MSTIs) is not done yet:
// such packets are marked unsupported.

import { be16, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";

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

function flagNames(flags: number): string {
  let s = "";
  for (const [bit, name] of FLAGS) if (flags & bit) s += (s === "" ? "" : ", ") + name;
  return s === "" ? "none" : s;
}

function bridgeId(c: PrintContext, at: number): string {
  let s = hex2(u8(c, at)) + hex2(u8(c, at + 1)) + ".";
  for (let i = 2; i < 8; i++) s += (i > 2 ? ":" : "") + hex2(u8(c, at + i));
  return s;
}

function printConfig(c: PrintContext, at: number, length: number): void {
  c.out += ", Flags [" + flagNames(u8(c, at + 4)) + "]";
  c.out +=
    ", bridge-id " +
    bridgeId(c, at + 17) +
    "." +
    be16(c, at + 25)
      .toString(16)
      .padStart(4, "0");
  c.out += ", length " + length;
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
  if (c.flags.verbose && (type === TYPE_CONFIG || type === TYPE_RSTP)) c.markUnsupported("stp -v");
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
      c.out += ", CIST Flags [" + flagNames(u8(c, at + 4)) + "], length " + length;
      if (version === PROTO_SPB) {
        const spbLength = be16(c, at + VER3_LENGTH_OFFSET + mstpLength) + 2;
        if (length < BPDU_LENGTH + mstpLength + spbLength || spbLength < SPB_MIN_LENGTH) c.out += " (invalid)";
      }
    }
  }
}
