// HSRP version 0 (RFC 2281): "HSRPv0-hello 20: state=active group=1 addr=10.0.0.1", with -v the
// timers, priority and authentication string. Other versions print their number only, as in
// tcpdump.

import { u8, type PrintContext } from "./context.js";
import { ipv4String } from "./addr.js";
import { printPaddedText } from "./unknown.js";
import { relativeTime } from "./relative-time.js";

const OPCODES = ["hello", "coup", "resign"];
const STATES = new Map([
  [0, "initial"],
  [1, "learn"],
  [2, "listen"],
  [4, "speak"],
  [8, "standby"],
  [16, "active"],
]);
const AUTH_LENGTH = 8;

export function hsrpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "hsrp";
  const version = u8(c, at);
  c.out += "HSRPv" + version;
  if (version !== 0) return;
  const opcode = u8(c, at + 1);
  c.out += "-" + (OPCODES[opcode] ?? "unknown (" + opcode + ")") + " " + length + ": ";
  const state = u8(c, at + 2);
  c.out += "state=" + (STATES.get(state) ?? "Unknown (" + state + ")") + " ";
  c.out += "group=" + u8(c, at + 6) + " ";
  const reserved = u8(c, at + 7);
  if (reserved !== 0) c.out += "[reserved=" + reserved + "!] ";
  c.out += "addr=" + ipv4String(c, at + 16);
  if (!c.flags.verbose) return;
  c.out += " hellotime=" + relativeTime(u8(c, at + 3));
  c.out += " holdtime=" + relativeTime(u8(c, at + 4));
  c.out += " priority=" + u8(c, at + 5);
  // Zero-padded to eight bytes.
  c.out += ' auth="';
  printPaddedText(c, at + 8, AUTH_LENGTH);
  c.out += '"';
}
