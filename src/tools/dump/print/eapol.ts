// EAPOL (IEEE 802.1X, EtherType 0x888e) as tcpdump prints it: "EAP packet (0) v1, len 5", and
// with -v the EAP packet an EAP-packet frame carries.

import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";
import { eapPrint } from "./eap.js";

const HEADER_LENGTH = 4;
const EAP_PACKET = 0;
const FRAME_TYPES = ["EAP packet", "EAPOL start", "EAPOL logoff", "EAPOL key", "Encapsulated ASF alert"];

export function eapolPrint(c: PrintContext, at: number): void {
  c.protocol = "eap";
  if (!has(c, at, HEADER_LENGTH)) {
    printTrunc(c);
    return;
  }
  const type = u8(c, at + 1);
  const length = be16(c, at + 2);
  c.out += (FRAME_TYPES[type] ?? "unknown") + " (" + type + ") v" + u8(c, at) + ", len " + length;
  if (!c.flags.verbose || type !== EAP_PACKET) return;
  if (length === 0) return printTrunc(c);
  c.out += ", ";
  eapPrint(c, at + HEADER_LENGTH, length);
}
