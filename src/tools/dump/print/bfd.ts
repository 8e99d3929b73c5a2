// BFD (RFC 5880, RFC 5881, RFC 5883, RFC 7130): "BFDv1, Control, State Up, Flags: [none],
// length: 24" as tcpdump prints it without -v; echo and unknown-port packets at every level. The -v
// decoding of control packets is not done yet: such packets are marked unsupported.

import { check, u8, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";

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

function flagNames(table: [number, string][], flags: number): string {
  let s = "";
  for (const [bit, name] of table) if (flags & bit) s += (s === "" ? "" : ", ") + name;
  return s === "" ? "none" : s;
}

export function bfdPrint(c: PrintContext, at: number, length: number, _sport: number, dport: number): void {
  c.protocol = "bfd";
  if (dport === CONTROL_PORT || dport === MULTIHOP_PORT || dport === LAG_PORT) {
    check(c, at, HEADER_LENGTH);
    const version = u8(c, at) >> 5;
    const flags = u8(c, at + 1);
    if (version === 0 || version === 1) {
      if (c.flags.verbose) {
        c.markUnsupported("bfd -v");
        c.out += "BFDv" + version + ", length: " + length;
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
