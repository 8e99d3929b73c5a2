// NTP (RFC 5905): "NTPv4, Client, length 48" as tcpdump prints it without -v. The -v decoding of
// the time and control messages is not done yet: such packets are marked unsupported.

import { u8, type PrintContext } from "./context.js";

const MODES = [
  "unspecified",
  "symmetric active",
  "symmetric passive",
  "Client",
  "Server",
  "Broadcast",
  "Control Message",
  "Reserved",
];

export function ntpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ntp";
  const status = u8(c, at);
  c.out += "NTPv" + ((status >> 3) & 0x7) + ", " + MODES[status & 0x7] + ", length " + length;
  if (c.flags.verbose) c.markUnsupported("udp ntp -v");
}
