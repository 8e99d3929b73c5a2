// The Ethernet configuration testing protocol ("loopback", EtherType 0x9000) as tcpdump prints
// it: the skip count, then the first message after the skipped ones (a reply's receipt number, a
// forward-data message's forwarding address) and its data length. Its fields are little-endian.

import { macString } from "./addr.js";
import { check, le16, printInvalidRest, type PrintContext } from "./context.js";

const REPLY = 1;
const FORWARD_DATA = 2;
const MAC_LENGTH = 6;

export function loopbackPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "loopback";
  c.out += "Loopback";
  if (length < 2) return printInvalidRest(c, at, length);
  const skip = le16(c, at);
  let p = at + 2;
  let len = length - 2;
  c.out += ", skipCount " + skip + (skip % 8 ? " (bogus)" : "");
  if (skip > len) return printInvalidRest(c, p, len);
  check(c, p, skip);
  p += skip;
  len -= skip;
  if (len < 2) return printInvalidRest(c, p, len);
  const fn = le16(c, p);
  p += 2;
  len -= 2;
  // tcpdump's text for an unknown function begins with a space of its own.
  c.out += ", " + (fn === REPLY ? "Reply" : fn === FORWARD_DATA ? "Forward Data" : " invalid (" + fn + ")");
  if (fn === REPLY) {
    if (len < 2) return printInvalidRest(c, p, len);
    c.out += ", receipt number " + le16(c, p);
    p += 2;
    len -= 2;
  } else if (fn === FORWARD_DATA) {
    if (len < MAC_LENGTH) return printInvalidRest(c, p, len);
    c.out += ", forwarding address " + macString(c, p);
    p += MAC_LENGTH;
    len -= MAC_LENGTH;
  } else {
    check(c, p, len);
    return;
  }
  c.out += ", data (" + len + " octets)";
  check(c, p, len);
}
