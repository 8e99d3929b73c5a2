// SSH (RFC 4253): the identification line ("SSH-2.0-…") a connection starts with; other segments
// print nothing beyond TCP's line, as in tcpdump.

import { u8, type PrintContext } from "./context.js";

const LF = 0x0a;
const CR = 0x0d;

export function sshPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ssh";
  // "SSH-"
  if (u8(c, at) !== 0x53 || u8(c, at + 1) !== 0x53 || u8(c, at + 2) !== 0x48 || u8(c, at + 3) !== 0x2d) return;
  for (let i = 4; i < length; i++) {
    const ch = u8(c, at + i);
    if (ch === LF || (ch === CR && i + 1 < length && u8(c, at + i + 1) === LF)) {
      c.out += ": SSH: " + String.fromCharCode(...c.bytes.subarray(at, at + i));
      return;
    }
    // A line cut by the segment, a lone CR or binary data: not a banner tcpdump prints.
    if (ch === CR || ch < 0x20 || ch > 0x7e) return;
  }
}
