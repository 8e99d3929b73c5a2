// DHCPv6 (RFC 8415) as tcpdump prints it without -v: "dhcp6 solicit". The -v decoding of the
// options is not done yet: such packets are marked unsupported.

import { has, u8, type PrintContext } from "./context.js";

const MESSAGE_TYPES = [
  "",
  "solicit",
  "advertise",
  "request",
  "confirm",
  "renew",
  "rebind",
  "reply",
  "release",
  "decline",
  "reconfigure",
  "inf-req",
  "relay-fwd",
  "relay-reply",
  "leasequery",
  "leasequery-reply",
];

export function dhcp6Print(c: PrintContext, at: number): void {
  c.protocol = "dhcp6";
  c.out += "dhcp6";
  if (!has(c, at, 4)) {
    c.out += " [|dhcp6]";
    return;
  }
  const type = u8(c, at);
  c.out += " " + (type >= 1 && type < MESSAGE_TYPES.length ? MESSAGE_TYPES[type] : "msgtype-" + type);
  if (c.flags.verbose) c.markUnsupported("dhcp6 -v");
}
