// LLDP (IEEE 802.1AB) as tcpdump prints it without -v: "LLDP, length 110: switch-name" (the system
// name is the one TLV shown). The -v decoding of the TLVs is not done yet: such packets are marked
// unsupported.

import { be16, has, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const SYSTEM_NAME_TLV = 5;

export function lldpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "lldp";
  c.out += "LLDP, length " + length;
  if (c.flags.verbose) {
    c.markUnsupported("lldp -v");
    return;
  }
  let p = at;
  let left = length;
  while (left >= 2) {
    if (!has(c, p, 2)) {
      c.out += " [|lldp]";
      return;
    }
    const tlv = be16(c, p);
    const type = tlv >> 9;
    const len = tlv & 0x1ff;
    left -= 2;
    p += 2;
    // A zero type or length ends the list (and guards against looping).
    if (!type || !len) break;
    if (!has(c, p, len) || left < len) {
      c.out += " [|lldp]";
      return;
    }
    if (type === SYSTEM_NAME_TLV) {
      c.out += ": ";
      for (let i = 0; i < len; i++) {
        const ch = u8(c, p + i);
        if (ch === 0) break;
        c.out += printableChar(ch);
      }
    }
    left -= len;
    p += len;
  }
}
