// IPsec ESP (RFC 4303) as tcpdump prints it without keys: "ESP(spi=0x12345678,seq=0x1), length 116",
// directly over IP or in UDP (RFC 3948).

import { be32, u8, type PrintContext } from "./context.js";

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

/**
 * UDP port 4500 (RFC 3948): a NAT keep-alive, ESP after "UDP-encap: ", or IKE after four zero
 * bytes (IKE is not decoded yet: such packets are marked unsupported).
 */
export function udpEncapsulationPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "isakmp_rfc3948";
  if (length === 1 && u8(c, at) === 0xff) {
    c.out += "isakmp-nat-keep-alive";
    return;
  }
  if (length < 4) {
    c.out += " [|isakmp_rfc3948]";
    return;
  }
  if (be32(c, at) === 0) {
    c.markUnsupported("isakmp");
    c.out += "NONESP-encap: ";
    return;
  }
  c.out += "UDP-encap: ";
  espPrint(c, at, length);
}
