// BFD (RFC 5880, RFC 5881, RFC 5883, RFC 7130): "BFDv1, Control, State Up, Flags: [none],
// length: 24" as tcpdump prints it without -v, and with -v the diagnostic, timers, discriminators
// and authentication section; echo and unknown-port packets at every level.

import { be32, check, u8, type PrintContext } from "./context.js";
import { printableChar, printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

const CONTROL_PORT = 3784;
const MULTIHOP_PORT = 4784;
const LAG_PORT = 6784;
const ECHO_PORT = 3785;
const HEADER_LENGTH = 24;

const PORT_NAMES = new Map([
  [CONTROL_PORT, "Control"],
  [MULTIHOP_PORT, "Multihop"],
  [LAG_PORT, "Lag"],
]);
const STATES = ["AdminDown", "Down", "Init", "Up"];
const V0_FLAGS: [number, string][] = [
  [0x80, "I Hear You"],
  [0x40, "Demand"],
  [0x20, "Poll"],
  [0x10, "Final"],
  [0x08, "Control Plane Independent"],
  [0x04, "Authentication Present"],
  [0x02, "Reserved"],
  [0x01, "Reserved"],
];
const V1_FLAGS: [number, string][] = [
  [0x20, "Poll"],
  [0x10, "Final"],
  [0x08, "Control Plane Independent"],
  [0x04, "Authentication Present"],
  [0x02, "Demand"],
  [0x01, "Multipoint"],
];

export function bfdPrint(c: PrintContext, at: number, length: number, _sport: number, dport: number): void {
  c.protocol = "bfd";
  if (dport === CONTROL_PORT || dport === MULTIHOP_PORT || dport === LAG_PORT) {
    check(c, at, HEADER_LENGTH);
    const version = u8(c, at) >> 5;
    const flags = u8(c, at + 1);
    if (version === 0 || version === 1) {
      if (c.flags.verbose) {
        controlVerbosePrint(c, at, length, version, dport);
        return;
      }
      if (version === 0) c.out += "BFDv0, Control, Flags: [" + flagNames(V0_FLAGS, flags) + "], length: " + length;
      else {
        c.out +=
          "BFDv1, " +
          PORT_NAMES.get(dport) +
          ", State " +
          STATES[flags >> 6] +
          ", Flags: [" +
          flagNames(V1_FLAGS, flags & 0x3f) +
          "], length: " +
          length;
      }
      return;
    }
    c.out += "BFDv" + version + ", Control, length: " + length;
  } else if (dport === ECHO_PORT) c.out += "BFD, Echo, length: " + length;
  else c.out += "BFD, unknown (" + dport + "), length: " + length;
  if (c.flags.verbose) printUnknownData(c, at, "\n\t", length);
}

const DIAGNOSTICS = [
  "No Diagnostic",
  "Control Detection Time Expired",
  "Echo Function Failed",
  "Neighbor Signaled Session Down",
  "Forwarding Plane Reset",
  "Path Down",
  "Concatenated Path Down",
  "Administratively Down",
  "Reverse Concatenated Path Down",
];
const AUTH_TYPES = [
  "Unknown",
  "Simple Password",
  "Keyed MD5",
  "Meticulous Keyed MD5",
  "Keyed SHA1",
  "Meticulous Keyed SHA1",
];
const AUTH_PRESENT = 0x04;

/** Milliseconds of a microsecond interval, right-aligned in four columns. */
function intervalMs(c: PrintContext, at: number): string {
  return String(Math.floor(be32(c, at) / 1000)).padStart(4);
}

function controlVerbosePrint(c: PrintContext, at: number, length: number, version: number, dport: number): void {
  const diagnostic = u8(c, at) & 0x1f;
  const flags = u8(c, at + 1);
  c.out += "BFDv" + version + ", length: " + length + "\n\t";
  if (version === 0) c.out += "Control, Flags: [" + flagNames(V0_FLAGS, flags) + "]";
  else {
    c.out +=
      PORT_NAMES.get(dport) + ", State " + STATES[flags >> 6] + ", Flags: [" + flagNames(V1_FLAGS, flags & 0x3f) + "]";
  }
  c.out +=
    ", Diagnostic: " + (DIAGNOSTICS[diagnostic] ?? "unknown") + " (0x" + diagnostic.toString(16).padStart(2, "0") + ")";
  const multiplier = u8(c, at + 2);
  const desiredTx = be32(c, at + 12);
  // tcpdump multiplies in 32 bits.
  const detection = Math.floor(((multiplier * desiredTx) >>> 0) / 1000);
  c.out +=
    "\n\tDetection Timer Multiplier: " +
    multiplier +
    " (" +
    detection +
    " ms Detection time), BFD Length: " +
    u8(c, at + 3);
  c.out +=
    "\n\tMy Discriminator: 0x" +
    be32(c, at + 4)
      .toString(16)
      .padStart(8, "0");
  c.out +=
    ", Your Discriminator: 0x" +
    be32(c, at + 8)
      .toString(16)
      .padStart(8, "0");
  c.out += "\n\t  Desired min Tx Interval:    " + intervalMs(c, at + 12) + " ms";
  c.out += "\n\t  Required min Rx Interval:   " + intervalMs(c, at + 16) + " ms";
  c.out += "\n\t  Required min Echo Interval: " + intervalMs(c, at + 20) + " ms";
  if (flags & AUTH_PRESENT) authPrint(c, at + HEADER_LENGTH);
}

function authPrint(c: PrintContext, at: number): void {
  check(c, at, 4);
  const type = u8(c, at);
  const length = u8(c, at + 1);
  c.out += "\n\tAuthentication: " + (AUTH_TYPES[type] ?? "Unknown") + " (" + type + "), length: " + length;
  c.out += "\n\t  Auth Key ID: " + u8(c, at + 2);
  if (type === 1) {
    if (length < 4 || length > 19) {
      c.out += "[invalid length " + length + "]";
      return;
    }
    c.out += ", Password: ";
    for (let i = 0; i < length - 3; i++) c.out += printableChar(u8(c, at + 3 + i));
  } else if (type >= 2 && type <= 5) {
    const md5 = type <= 3;
    if (length !== (md5 ? 24 : 28)) {
      c.out += "[invalid length " + length + "]";
      return;
    }
    c.out +=
      ", Sequence Number: 0x" +
      be32(c, at + 4)
        .toString(16)
        .padStart(8, "0");
    const hashLength = md5 ? 16 : 20;
    check(c, at + 8, hashLength);
    c.out += md5 ? "\n\t  Digest: " : "\n\t  Hash: ";
    for (let i = 0; i < hashLength; i++) c.out += c.bytes[at + 8 + i]!.toString(16).padStart(2, "0");
  }
}
