// sFlow version 5 as tcpdump prints it without -v: "sFlowv5, IPv4 agent 10.0.0.1, agent-id 1,
// length 1016". The -v decoding of the samples is not done yet: such packets are marked
// unsupported.

import { be32, check, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";

const V4_HEADER_LENGTH = 28;
const V6_HEADER_LENGTH = 40;

export function sflowPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "sflow";
  const ipVersion = be32(c, at + 4);
  if ((length < V4_HEADER_LENGTH && ipVersion === 1) || (length < V6_HEADER_LENGTH && ipVersion === 2)) {
    // tcpdump names the IPv4 header's size either way.
    c.out += "sFlowv" + be32(c, at) + " [length " + length + " < " + V4_HEADER_LENGTH + "] (invalid)";
    return;
  }
  check(c, at, V4_HEADER_LENGTH);
  const version = be32(c, at);
  if (version !== 5) {
    c.out += "sFlow version " + version + " packet not supported";
    return;
  }
  if (c.flags.verbose) {
    c.markUnsupported("sflow -v");
    return;
  }
  const v4 = ipVersion === 1;
  c.out +=
    "sFlowv5, " +
    (v4 ? "IPv4" : "IPv6") +
    " agent " +
    (v4 ? ipv4String(c, at + 8) : ipv6String(c, at + 8)) +
    ", agent-id " +
    be32(c, v4 ? at + 12 : at + 24) +
    ", length " +
    length;
}
