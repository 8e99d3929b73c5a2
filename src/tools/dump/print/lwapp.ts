// LWAPP, Cisco's lightweight access point protocol (UDP 12222 data, 12223 control), as tcpdump
// prints it: "LWAPPv0, Data frame, Flags [none], length 30"; with -v a data frame's radio and
// fragment ids and its payload in hex. The -v decoding of control messages is not done yet: such
// packets are marked unsupported.

import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

const CONTROL_PORT = 12223;
const HEADER_LENGTH = 6;
const AP_IDENTITY_LENGTH = 6;
const VERSION = 0;
const FLAGS: [number, string][] = [
  [0x01, "Last Fragment Bit"],
  [0x02, "Fragment Bit"],
  [0x04, "Control Bit"],
];

export function lwappPrint(c: PrintContext, at: number, length: number, sport: number, dport: number): void {
  const control = dport === CONTROL_PORT || sport === CONTROL_PORT;
  c.protocol = control ? "lwapp_control" : "lwapp_data";
  // Control messages to the controller start with the AP's identity.
  const header = dport === CONTROL_PORT ? at + AP_IDENTITY_LENGTH : at;
  if (!has(c, at, AP_IDENTITY_LENGTH) || !has(c, header, HEADER_LENGTH)) return printTrunc(c);
  const version = u8(c, header);
  const kind = (version & 0x04 ? "Control" : "Data") + " frame";
  if (version >> 6 !== VERSION) {
    c.out += "LWAPP version " + (version >> 6) + " packet not supported";
    return;
  }
  if (!c.flags.verbose) {
    c.out +=
      "LWAPPv" + (version >> 6) + ", " + kind + ", Flags [" + flagNames(FLAGS, version & 0x07) + "], length " + length;
    return;
  }
  if (control) {
    c.markUnsupported("lwapp control -v");
    return;
  }
  const total = be16(c, header + 2);
  const radio = (version >> 3) & 0x07;
  c.out +=
    "LWAPPv" +
    (version >> 6) +
    ", " +
    kind +
    ", Radio-id  " +
    radio +
    ", Flags [" +
    flagNames(FLAGS, version & 0x07) +
    "], ";
  if (total < HEADER_LENGTH) {
    c.out += "length " + total + " < transport header length";
    return;
  }
  c.out += "Frag-id  " + u8(c, header + 1) + ", length " + total;
  // An 802.11 frame follows: tcpdump dumps it in hex.
  printUnknownData(c, header + HEADER_LENGTH, "\n\t", total - HEADER_LENGTH);
}
