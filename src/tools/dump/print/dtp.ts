// Cisco's Dynamic Trunking Protocol (SNAP, Cisco OUI, PID 0x2004) as tcpdump prints it:
// "DTPv1, length 29"; with -v its TLVs (domain, status, DTP type, neighbor).

import { hex4, macString } from "./addr.js";
import { be16, check, printInvalidRest, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const DOMAIN = 1;
const STATUS = 2;
const DTP_TYPE = 3;
const NEIGHBOR = 4;
const TLV_NAMES = ["", "Domain", "Status", "DTP type", "Neighbor"];

export function dtpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "dtp";
  if (length < 1) {
    c.out += "[zero packet length]";
    return printInvalidRest(c, at, length);
  }
  c.out += "DTPv" + u8(c, at) + ", length " + length;
  if (!c.flags.verbose) return;
  let p = at + 1;
  let len = length - 1;
  while (len) {
    if (len < 4) {
      c.out += "[" + len + " bytes remaining]";
      return printInvalidRest(c, p, len);
    }
    const type = be16(c, p);
    const tlvLength = be16(c, p + 2);
    // Some senders end the list with a zero type: tcpdump stops there.
    if (type === 0) return;
    c.out += "\n\t" + (TLV_NAMES[type] || "Unknown") + " (0x" + hex4(type) + ") TLV, length " + tlvLength;
    if (tlvLength < 4 || tlvLength > len) {
      c.out += "[invalid TLV length " + tlvLength + "]";
      return printInvalidRest(c, p, len);
    }
    switch (type) {
      case DOMAIN:
        c.out += ", ";
        for (let i = 4; i < tlvLength; i++) {
          const byte = u8(c, p + i);
          if (byte === 0) break;
          c.out += printableChar(byte);
        }
        break;
      case STATUS:
      case DTP_TYPE:
        if (tlvLength !== 5) return printInvalidRest(c, p, len);
        c.out += ", 0x" + u8(c, p + 4).toString(16);
        break;
      case NEIGHBOR:
        if (tlvLength !== 10) return printInvalidRest(c, p, len);
        c.out += ", " + macString(c, p + 4);
        break;
      default:
        check(c, p, tlvLength);
    }
    p += tlvLength;
    len -= tlvLength;
  }
}
