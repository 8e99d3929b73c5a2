// OSPFv2 (RFC 2328) and OSPFv3 (RFC 5340) as tcpdump prints them without -v: "OSPFv2, Hello,
// length 44". The -v decoding of the packets and LSAs is not done yet: such packets are marked
// unsupported.

import { be16, u8, type PrintContext } from "./context.js";

const TYPES = ["", "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack"];
const AUTH_MD5 = 2;
/** The MD5 digest trailing an OSPFv2 packet, which tcpdump leaves out of the length. */
const MD5_LENGTH = 16;

function typeName(type: number): string | undefined {
  return type >= 1 && type <= 5 ? TYPES[type] : undefined;
}

/** OSPF over IPv4. */
export function ospfPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ospf2";
  if (be16(c, at + 14) === AUTH_MD5) length = (length - MD5_LENGTH) >>> 0;
  const type = u8(c, at + 1);
  const name = typeName(type);
  c.out += "OSPFv" + u8(c, at) + ", " + (name ?? "unknown LS-type " + type) + ", length " + length;
  if (name !== undefined && c.flags.verbose) c.markUnsupported("ospf -v");
}

/** OSPF over IPv6. */
export function ospf6Print(c: PrintContext, at: number, length: number): void {
  c.protocol = "ospf3";
  const type = u8(c, at + 1);
  const name = typeName(type);
  c.out += "OSPFv" + u8(c, at) + ", " + (name ?? "unknown packet type (" + type + ")") + ", length " + length;
  if (name !== undefined && c.flags.verbose) c.markUnsupported("ospf -v");
}
