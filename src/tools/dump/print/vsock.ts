// Linux vsockmon captures (link type 271, AF_VSOCK monitoring) as tcpdump prints them: the
// transport, "cid.port > cid.port", the operation and the captured length; with -v the virtio
// transport header, with -vv a payload's bytes in hex. All fields are little-endian.

import { le16, le32, printTrunc, type PrintContext } from "./context.js";
import { printUnknownData } from "./unknown.js";

/** The monitoring header: cids, ports, operation, transport, transport header length. */
export const VSOCK_HEADER_LENGTH = 32;
const VIRTIO_HEADER_LENGTH = 44;
const TRANSPORT_VIRTIO = 2;
const TRANSPORTS = ["UNKNOWN", "NO_INFO", "VIRTIO"];
const OPS = ["UNKNOWN", "CONNECT", "DISCONNECT", "CONTROL", "PAYLOAD"];
const OP_PAYLOAD = 4;
const VIRTIO_TYPES = ["", "STREAM"];
const VIRTIO_OPS = ["INVALID", "REQUEST", "RESPONSE", "RST", "SHUTDOWN", "RW", "CREDIT UPDATE", "CREDIT REQUEST"];

function le64(c: PrintContext, at: number): string {
  const low = le32(c, at);
  const high = le32(c, at + 4);
  if (high < 0x200000) return "" + (high * 0x100000000 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

/** Prints a vsockmon packet of `caplen` captured bytes; returns the link-level header length. */
export function vsockPrint(c: PrintContext, caplen: number): number {
  c.protocol = "vsock";
  if (caplen < VSOCK_HEADER_LENGTH) {
    printTrunc(c);
    return caplen;
  }
  const transport = le16(c, 26);
  c.out += TRANSPORTS[transport] ?? "Invalid transport (" + transport + ")";
  const transportLength = transport === TRANSPORT_VIRTIO ? VIRTIO_HEADER_LENGTH : 0;
  let cut = false;
  if (c.flags.verbose) {
    if (caplen < VSOCK_HEADER_LENGTH + transportLength) cut = true;
    else {
      if (transport === TRANSPORT_VIRTIO) virtioPrint(c, VSOCK_HEADER_LENGTH);
      c.out += "\n\t";
    }
  } else c.out += " ";
  const sourceCid = le64(c, 0);
  const destinationCid = le64(c, 8);
  const sourcePort = le32(c, 16);
  const destinationPort = le32(c, 20);
  const op = le16(c, 24);
  c.out +=
    sourceCid +
    "." +
    sourcePort +
    " > " +
    destinationCid +
    "." +
    destinationPort +
    " " +
    (OPS[op] ?? " invalid op (" + op + ")") +
    ", length " +
    caplen;
  if (cut) {
    printTrunc(c);
    return VSOCK_HEADER_LENGTH;
  }
  const total = VSOCK_HEADER_LENGTH + transportLength;
  if (c.flags.verbose > 1 && op === OP_PAYLOAD) {
    if (caplen > total) {
      c.out += "\n";
      printUnknownData(c, total, "\t", caplen - total);
    } else printTrunc(c);
  }
  return VSOCK_HEADER_LENGTH;
}

function virtioPrint(c: PrintContext, at: number): void {
  c.out += " (len " + le32(c, at + 24);
  const type = le16(c, at + 28);
  c.out += ", type " + (VIRTIO_TYPES[type] || "Invalid type (" + type + ")");
  const op = le16(c, at + 30);
  c.out += ", op " + (VIRTIO_OPS[op] ?? "Invalid op (" + op + ")");
  c.out += ", flags " + le32(c, at + 32).toString(16);
  c.out += ", buf_alloc " + le32(c, at + 36);
  c.out += ", fwd_cnt " + le32(c, at + 40) + ")";
}
