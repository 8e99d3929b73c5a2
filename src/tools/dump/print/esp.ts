// IPsec ESP (RFC 4303) as tcpdump prints it without keys: "ESP(spi=0x12345678,seq=0x1), length 116".

import { be32, type PrintContext } from "./context.js";

const HEADER_LENGTH = 8;

export function espPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "esp";
  // tcpdump wants more than the header captured.
  if (at + HEADER_LENGTH >= c.snapend) {
    c.out += " [|esp]";
    return;
  }
  c.out += "ESP(spi=0x" + be32(c, at).toString(16).padStart(8, "0") + ",seq=0x" + be32(c, at + 4).toString(16) + ")";
  c.out += ", length " + length;
}
