// Babel (RFC 8966) as tcpdump prints it without -v: "babel 2 (24) hello ihu", the body's TLV
// names, then " |" and the trailer's (RFC 8967 MACs). The -v decoding of each TLV is not done
// yet: such packets are marked unsupported.

import { be16, has, printTrunc, u8, type PrintContext } from "./context.js";

const MAGIC = 42;
const PAD1 = 0;
const UPDATE = 8;
/** Name of each TLV type tcpdump knows; others print as "unknown". */
const TLV_NAMES = [
  "pad1",
  "padN",
  "ack-req",
  "ack",
  "hello",
  "ihu",
  "router-id",
  "nh",
  "update",
  "route-request",
  "seqno-request",
  "tspc",
  "hmac",
  "ss-update",
  "ss-request",
  "ss-mh-request",
  "mac",
  "pc",
  "challenge-request",
  "challenge-reply",
];
/** An update's flags byte: prefix (0x80), router id (0x40), and bits tcpdump calls unknown. */
const UPDATE_MIN_LENGTH = 10;

export function babelPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "babel";
  c.out += "babel";
  // tcpdump's own checks end the line with " [|babel]" and still dump the packet without its link
  // header; a failed read (TRUNCATED) does not.
  if (!has(c, at, 4)) {
    printTrunc(c);
    return;
  }
  if (u8(c, at) !== MAGIC) {
    c.out += " invalid header";
    return;
  }
  const version = u8(c, at + 1);
  c.out += " " + version;
  if (version !== 2) {
    c.out += " unknown version";
    return;
  }
  if (c.flags.verbose) c.markUnsupported("babel -v");
  if (length < 4) {
    c.out += " (invalid)";
    return;
  }
  const bodyLength = be16(c, at + 2);
  c.out += " (" + bodyLength + ")";
  let rest = length - 4;
  if (rest < bodyLength) {
    c.out += " (invalid)";
    return;
  }
  if (!printTlvs(c, at + 4, bodyLength)) return;
  rest -= bodyLength;
  if (rest !== 0) {
    c.out += " |";
    printTlvs(c, at + 4 + bodyLength, rest);
  }
}

/** Prints the TLV names of `length` bytes at `at`; false (after " (invalid)" or " [|babel]") when one overruns them or the capture. */
function printTlvs(c: PrintContext, at: number, length: number): boolean {
  let i = 0;
  while (i < length) {
    const type = u8(c, at + i);
    if (type === PAD1) {
      c.out += " pad1";
      i += 1;
      continue;
    }
    const tlvLength = u8(c, at + i + 1);
    if (i + tlvLength + 2 > length) {
      c.out += " (invalid)";
      return false;
    }
    // tcpdump names a TLV only once all of it is captured.
    if (!has(c, at + i, tlvLength + 2)) {
      printTrunc(c);
      return false;
    }
    c.out += " " + (type < TLV_NAMES.length ? TLV_NAMES[type] : "unknown");
    if (type === UPDATE) {
      if (tlvLength < UPDATE_MIN_LENGTH) {
        c.out += " (invalid)";
        return false;
      }
      const flags = u8(c, at + i + 3);
      if (flags & 0x80) c.out += "/prefix";
      if (flags & 0x40) c.out += "/id";
      if (flags & 0x3f) c.out += "/unknown";
    }
    i += tlvLength + 2;
  }
  return true;
}
