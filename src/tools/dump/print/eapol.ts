// EAPOL (IEEE 802.1X, EtherType 0x888e) as tcpdump prints it without -v: "EAP packet (0) v1, len 5".
// The -v decoding of the EAP packet inside is not done yet: such packets are marked unsupported.

import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";

const HEADER_LENGTH = 4;
const FRAME_TYPES = ["EAP packet", "EAPOL start", "EAPOL logoff", "EAPOL key", "Encapsulated ASF alert"];

export function eapolPrint(c: PrintContext, at: number): void {
  c.protocol = "eap";
  if (!has(c, at, HEADER_LENGTH)) {
    printTrunc(c);
    return;
  }
  const type = u8(c, at + 1);
  c.out += (FRAME_TYPES[type] ?? "unknown") + " (" + type + ") v" + u8(c, at) + ", len " + be16(c, at + 2);
  if (c.flags.verbose) c.markUnsupported("eapol -v");
}
