// IPsec ESP (RFC 4303) as tcpdump prints it without keys: "ESP(spi=0x12345678,seq=0x1), length 116",
// directly over IP or in UDP (RFC 3948); and the AH header (RFC 4302) before what it authenticates.

import { be16, be32, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";
import { isakmpPrint } from "./isakmp.js";

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
 * bytes.
 */
export function udpEncapsulationPrint(
  c: PrintContext,
  at: number,
  length: number,
  _sport: number,
  _dport: number,
  ipAt: number,
): void {
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
    c.out += "NONESP-encap: ";
    isakmpPrint(c, at + 4, length - 4, ipAt);
    return;
  }
  c.out += "UDP-encap: ";
  espPrint(c, at, length);
}

/** IPsec AH (RFC 4302): "AH(spi=0x…,seq=0x…,icv=0x…): "; returns the header's length. */
export function ahPrint(c: PrintContext, at: number): number {
  c.protocol = "ah";
  c.out += "AH(";
  const words = u8(c, at + 1);
  const headerLength = (words + 2) * 4;
  if (c.flags.verbose) c.out += "length=" + words + "(" + headerLength + "-bytes),";
  const reserved = be16(c, at + 2);
  if (reserved) c.out += "reserved=0x" + reserved.toString(16) + "[MustBeZero],";
  c.out +=
    "spi=0x" +
    be32(c, at + 4)
      .toString(16)
      .padStart(8, "0") +
    ",";
  c.out += "seq=0x" + be32(c, at + 8).toString(16) + ",";
  c.out += "icv=0x";
  for (let p = at + 12; p < at + headerLength; p++) c.out += hex2(u8(c, p));
  c.out += "): ";
  return headerLength;
}
