// TIPC (EtherType 0x88ca) as tcpdump prints it: version, the originating and destination
// addresses (zone.cluster.node, with ports for data messages), header and message sizes, the
// user and the message type; with -v the link-level fields of each kind of header. Every field is
// read before the line is printed, as tcpdump does.

import { be32, type PrintContext } from "./context.js";

const USERS = new Map([
  [0, "Low Importance Data payload"],
  [1, "Medium Importance Data payload"],
  [2, "High Importance Data payload"],
  [3, "Critical Importance Data payload"],
  [5, "Broadcast Link Protocol internal"],
  [6, "Message Bundler Protocol internal"],
  [7, "Link State Protocol internal"],
  [8, "Connection Manager internal"],
  [10, "Link Changeover Protocol internal"],
  [11, "Name Table Update Protocol internal"],
  [12, "Message Fragmentation Protocol internal"],
  [13, "Neighbor Detection Protocol internal"],
]);
// tcpdump's names for message types 1 and 3 are swapped; printed as it prints them.
const MESSAGE_TYPES = ["CONN_MSG", "MCAST_MSG", "NAMED_MSG", "DIRECT_MSG"];
const LINK_CONFIG_TYPES = ["Link request", "Link response"];
const PAYLOAD_USERS = new Set([0, 1, 2, 3, 11, 8]);
const INTERNAL_USERS = new Set([5, 6, 7, 10, 12]);
const LINK_CONFIG = 13;

function node(addr: number): string {
  return (addr >>> 24) + "." + ((addr >>> 12) & 0xfff) + "." + (addr & 0xfff);
}

export function tipcPrint(c: PrintContext, at: number): void {
  c.protocol = "tipc";
  const w0 = be32(c, at);
  const user = (w0 >>> 25) & 0x0f;
  if (PAYLOAD_USERS.has(user)) payloadPrint(c, at, w0, user);
  else if (user === LINK_CONFIG) linkConfigPrint(c, at, w0, user);
  else if (INTERNAL_USERS.has(user)) internalPrint(c, at, w0, user);
}

function sizes(w0: number, user: number): string {
  return (
    ", headerlength " +
    ((w0 >>> 21) & 0x0f) * 4 +
    " bytes, MessageSize " +
    (w0 & 0x1ffff) +
    " bytes, " +
    (USERS.get(user) ?? "unknown") +
    ", messageType "
  );
}

function payloadPrint(c: PrintContext, at: number, w0: number, user: number): void {
  const w1 = be32(c, at + 4);
  const prevNode = be32(c, at + 12);
  const origPort = be32(c, at + 16);
  const destPort = be32(c, at + 20);
  const version = "TIPC v" + (w0 >>> 29) + ".0 ";
  const type = MESSAGE_TYPES[w1 >>> 29] ?? "Unknown";
  if (((w0 >>> 21) & 0x0f) <= 6) {
    c.out += version + node(prevNode) + ":" + origPort + " > " + destPort + sizes(w0, user) + type;
    return;
  }
  const origNode = be32(c, at + 24);
  const destNode = be32(c, at + 28);
  c.out += version + node(origNode) + ":" + origPort + " > " + node(destNode) + ":" + destPort + sizes(w0, user) + type;
  if (!c.flags.verbose) return;
  const w2 = be32(c, at + 8);
  c.out +=
    "\n\tPrevious Node " +
    node(prevNode) +
    ", Broadcast Ack " +
    (w1 & 0xffff) +
    ", Link Ack " +
    (w2 >>> 16) +
    ", Link Sequence " +
    (w2 & 0xffff);
}

function internalPrint(c: PrintContext, at: number, w0: number, user: number): void {
  const w1 = be32(c, at + 4);
  const origNode = be32(c, at + 24);
  const destNode = be32(c, at + 28);
  c.out +=
    "TIPC v" +
    (w0 >>> 29) +
    ".0 " +
    node(origNode) +
    " > " +
    node(destNode) +
    sizes(w0, user) +
    (MESSAGE_TYPES[w1 >>> 29] ?? "Unknown") +
    " (0x" +
    w1.toString(16).padStart(8, "0") +
    ")";
  if (!c.flags.verbose) return;
  const w2 = be32(c, at + 8);
  const prevNode = be32(c, at + 12);
  const w4 = be32(c, at + 16);
  const w5 = be32(c, at + 20);
  const transportSequence = be32(c, at + 32);
  const w9 = be32(c, at + 36);
  c.out +=
    "\n\tPrevious Node " +
    node(prevNode) +
    ", Session No. " +
    (w5 >>> 16) +
    ", Broadcast Ack " +
    (w1 & 0xffff) +
    ", Sequence Gap " +
    ((w1 >>> 16) & 0x1fff) +
    ",  Broadcast Gap After " +
    (w2 >>> 16) +
    ", Broadcast Gap To " +
    (w2 & 0xffff) +
    ", Last Sent Packet No. " +
    (w4 >>> 16) +
    ", Next sent Packet No. " +
    (w4 & 0xffff) +
    ", Transport Sequence " +
    transportSequence +
    ", msg_count " +
    (w9 >>> 16) +
    ", Link Tolerance " +
    (w9 & 0xffff);
}

function linkConfigPrint(c: PrintContext, at: number, w0: number, user: number): void {
  const w1 = be32(c, at + 4);
  const destDomain = be32(c, at + 8);
  const prevNode = be32(c, at + 12);
  c.out +=
    "TIPC v" +
    (w0 >>> 29) +
    ".0 " +
    node(prevNode) +
    " > " +
    node(destDomain) +
    sizes(w0, user) +
    (LINK_CONFIG_TYPES[w1 >>> 29] ?? "Unknown");
  if (!c.flags.verbose) return;
  const networkId = be32(c, at + 16);
  const w5 = be32(c, at + 20);
  c.out += "\n\tNodeSignature " + (w1 & 0xffff) + ", network_id " + networkId + ", media_id " + (w5 & 0xff);
}
