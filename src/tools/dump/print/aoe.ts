// ATA over Ethernet (EtherType 0x88a2) as tcpdump prints it without -v: "AoE length 46, Ver 1,
// Flags: [Response]". The -v decoding of the command is not done yet: such packets are marked
// unsupported.

import { check, u8, type PrintContext } from "./context.js";

const COMMON_HEADER_LENGTH = 10;
const FLAGS: [number, string][] = [
  [0x08, "Response"],
  [0x04, "Error"],
  [0x02, "MBZ-1"],
  [0x01, "MBZ-0"],
];

export function aoePrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "aoe";
  c.out += "AoE length " + length;
  if (length < 1) {
    c.out += " (invalid)";
    return;
  }
  const version = u8(c, at) >> 4;
  c.out += ", Ver " + version;
  if (version !== 1) return;
  if (length < COMMON_HEADER_LENGTH) {
    c.out += " (invalid)";
    check(c, at, length);
    return;
  }
  const flags = u8(c, at) & 0x0f;
  let names = "";
  for (const [bit, name] of FLAGS) if (flags & bit) names += (names === "" ? "" : ", ") + name;
  c.out += ", Flags: [" + (names || "none") + "]";
  if (c.flags.verbose) c.markUnsupported("aoe -v");
}
