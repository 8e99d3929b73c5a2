// PPPoE (RFC 2516, EtherTypes 0x8863 and 0x8864) as tcpdump prints it: the discovery stage's code
// and tags ("PPPoE PADI [Service-Name] [Host-Uniq 0x16372C16]"), or a session's id and the PPP
// frame it carries.

import { be16, check, printInvalid, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";
import { pppPrint } from "./ppp.js";

const HEADER_LENGTH = 6;
const PADI = 0x09;
const CODES = new Map([
  [PADI, "PADI"],
  [0x07, "PADO"],
  [0x19, "PADR"],
  [0x65, "PADS"],
  [0xa7, "PADT"],
  [0, ""],
]);
const TAGS = new Map([
  [0, "EOL"],
  [0x0101, "Service-Name"],
  [0x0102, "AC-Name"],
  [0x0103, "Host-Uniq"],
  [0x0104, "AC-Cookie"],
  [0x0105, "Vendor-Specific"],
  [0x0110, "Relay-Session-ID"],
  [0x0120, "PPP-Max-Payload"],
  [0x0201, "Service-Name-Error"],
  [0x0202, "AC-System-Error"],
  [0x0203, "Generic-Error"],
]);
/** The longest tag value shown as text. */
const MAX_TAG_TEXT = 79;
/** The largest PADI an Ethernet frame holds. */
const MAX_PADI_LENGTH = 1484 - HEADER_LENGTH;

export function pppoePrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "pppoe";
  if (length < HEADER_LENGTH) {
    c.out += " (length " + length + " < " + HEADER_LENGTH + ")";
    return printInvalid(c);
  }
  length -= HEADER_LENGTH;
  check(c, at, HEADER_LENGTH);
  const versionType = u8(c, at);
  const code = u8(c, at + 1);
  const session = be16(c, at + 2);
  let payloadLength = be16(c, at + 4);
  if (versionType >> 4 !== 1) c.out += " [ver " + (versionType >> 4) + "]";
  if ((versionType & 0x0f) !== 1) c.out += " [type " + (versionType & 0x0f) + "]";
  c.out += "PPPoE " + (CODES.get(code) ?? "PAD-" + code.toString(16));
  if (code === PADI && payloadLength > MAX_PADI_LENGTH) c.out += " [len " + payloadLength + "!]";
  if (payloadLength > length) {
    c.out += " [len " + payloadLength + " > " + length + "!]";
    payloadLength = length;
  }
  if (session) c.out += " [ses 0x" + session.toString(16) + "]";
  const payload = at + HEADER_LENGTH;
  if (code === 0) {
    c.out += " ";
    pppPrint(c, payload, payloadLength);
    return;
  }
  // Discovery packets carry tags only, up to an end-of-list tag.
  let tag = 0xffff;
  let p = payload;
  while (tag && p < payload + payloadLength) {
    tag = be16(c, p);
    const tagLength = be16(c, p + 2);
    p += 4;
    const name = TAGS.get(tag) ?? "TAG-0x" + tag.toString(16);
    if (tagLength === 0) {
      c.out += " [" + name + "]";
      continue;
    }
    check(c, p, tagLength);
    let text = "";
    let printable = 0;
    let other = 0;
    for (let i = 0; i < tagLength && i < MAX_TAG_TEXT; i++) {
      const byte = c.bytes[p + i]!;
      if (byte >= 0x20 && byte <= 0x7e) {
        text += String.fromCharCode(byte);
        printable++;
      } else {
        text += ".";
        other++;
      }
    }
    if (printable > other) c.out += " [" + name + ' "' + text + '"]';
    else {
      c.out += " [" + name + " 0x";
      for (let i = 0; i < tagLength; i++) c.out += hex2(c.bytes[p + i]!).toUpperCase();
      c.out += "]";
    }
    p += tagLength;
  }
}
