// PTP (IEEE 1588) version 2 headers and message bodies as tcpdump prints them (one line at every
// verbosity), over Ethernet (0x88f7) and UDP (ports 319 and 320). Version 1 is "not implemented",
// as in tcpdump.

import { be16, be32, be64, u8, type PrintContext } from "./context.js";

const HEADER_LENGTH = 0x22;

const M_SYNC = 0x0;
const M_DELAY_REQ = 0x1;
const M_PDELAY_REQ = 0x2;
const M_PDELAY_RESP = 0x3;
const M_FOLLOW_UP = 0x8;
const M_DELAY_RESP = 0x9;
const M_PDELAY_RESP_FOLLOW_UP = 0xa;
const M_ANNOUNCE = 0xb;
const M_SIGNALLING = 0xc;
const M_MANAGEMENT = 0xd;
const MESSAGE_TYPES = new Map([
  [M_SYNC, "sync msg"],
  [M_DELAY_REQ, "delay req msg"],
  [M_PDELAY_REQ, "peer delay req msg"],
  [M_PDELAY_RESP, "peer delay resp msg"],
  [M_FOLLOW_UP, "follow up msg"],
  [M_DELAY_RESP, "delay resp msg"],
  [M_PDELAY_RESP_FOLLOW_UP, "pdelay resp fup msg"],
  [M_ANNOUNCE, "announce msg"],
  [M_SIGNALLING, "signalling msg"],
  [M_MANAGEMENT, "management msg"],
]);
const CONTROLS = ["Sync", "Delay_Req", "Follow_Up", "Delay_Resp", "Management", "Other"];
const FLAGS: [number, string][] = [
  [0x1, "l1 61"],
  [0x2, "l1 59"],
  [0x4, "utc reasonable"],
  [0x8, "timescale"],
  [0x10, "time tracable"],
  [0x20, "frequency tracable"],
  [0x100, "alternate master"],
  [0x200, "two step"],
  [0x400, "unicast"],
  [0x1000, "profile specific 1"],
  [0x2000, "profile specific 2"],
  [0x4000, "security mask"],
  [0x18c0, "unknown"],
];

const ORIGIN = "originTimeStamp";
const PRECISE_ORIGIN = "preciseOriginTimeStamp";
const RECEIVE = "receiveTimeStamp";

function flagNames(flags: number): string {
  let s = "";
  // A multi-bit entry names the value only when all its bits are set, as tcpdump's table does.
  for (const [bits, name] of FLAGS) if ((flags & bits) === bits) s += (s === "" ? "" : ", ") + name;
  return s === "" ? "none" : s;
}

function be48(c: PrintContext, at: number): number {
  return be16(c, at) * 0x100000000 + be32(c, at + 2);
}

function hex64(c: PrintContext, at: number): string {
  return be64(c, at).toString(16);
}

// The label goes out before the fields are read, so a capture cut inside them shows it, as tcpdump's does.
function timestamp(c: PrintContext, at: number, name: string): void {
  c.out += ", " + name + " :";
  c.out += " " + be48(c, at) + " seconds,";
  c.out += " " + be32(c, at + 6) + " nanoseconds";
}

function portId(c: PrintContext, at: number): void {
  c.out += ", port identity : 0x" + hex64(c, at);
  c.out += ", port id : " + be16(c, at + 8);
}

function timestampAndPort(c: PrintContext, at: number, name: string): void {
  timestamp(c, at, name);
  portId(c, at + 10);
}

function announce(c: PrintContext, at: number): void {
  c.out += ", " + ORIGIN + " :";
  c.out += " " + be48(c, at) + " seconds";
  c.out += " " + be32(c, at + 6) + " nanoseconds";
  c.out += ", origin cur utc :" + be16(c, at + 10);
  c.out += ", rsvd : " + u8(c, at + 12);
  c.out += ", gm priority_1 : " + u8(c, at + 13);
  c.out += ", gm clock class : " + u8(c, at + 14);
  c.out += ", gm clock accuracy : " + u8(c, at + 15);
  c.out += ", gm clock variance : " + be16(c, at + 16);
  c.out += ", gm priority_2 : " + u8(c, at + 18);
  c.out += ", gm clock id : 0x" + hex64(c, at + 19);
  c.out += ", steps removed : " + be16(c, at + 27);
  c.out += ", time source : 0x" + u8(c, at + 29).toString(16);
}

function management(c: PrintContext, at: number): void {
  portId(c, at);
  // tcpdump reads these four fields all from the start of the body.
  const first = u8(c, at);
  c.out += ", , start boundary hops  " + first;
  c.out += ", , boundary hops  " + first;
  c.out += ", , flags  0x" + first.toString(16);
  c.out += ", , reserved  0x" + first.toString(16);
}

export function ptpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ptp";
  if (length < HEADER_LENGTH) {
    c.out += " [length " + length + " < " + HEADER_LENGTH + "] (invalid)";
    return;
  }
  const version = be16(c, at) & 0xff;
  c.out += "PTPv" + version;
  if (version === 1) {
    c.out += " (not implemented)";
    return;
  }
  if (version !== 2) return;
  const first = u8(c, at);
  c.out += ", v1 compat : " + (first & 0x10 ? "yes" : "no");
  const type = first & 0x0f;
  c.out += ", msg type : " + (MESSAGE_TYPES.get(type) ?? "Reserved");
  c.out += ", length : " + be16(c, at + 2);
  c.out += ", domain : " + (be16(c, at + 4) >> 8);
  c.out += ", reserved1 : " + (be16(c, at + 4) & 0xff);
  c.out += ", Flags [" + flagNames(be16(c, at + 6)) + "]";
  c.out += ", NS correction : " + be48(c, at + 8);
  c.out += ", sub NS correction : " + be16(c, at + 14);
  c.out += ", reserved2 : " + be32(c, at + 16);
  c.out += ", clock identity : 0x" + hex64(c, at + 20);
  c.out += ", port id : " + be16(c, at + 28);
  c.out += ", seq id : " + be16(c, at + 30);
  const control = u8(c, at + 32);
  c.out += ", control : " + control + " (" + (CONTROLS[control] ?? "Reserved") + ")";
  c.out += ", log message interval : " + (be16(c, at + 32) & 0xff);
  const body = at + HEADER_LENGTH;
  switch (type) {
    case M_SYNC:
    case M_DELAY_REQ:
      timestamp(c, body, ORIGIN);
      break;
    case M_PDELAY_REQ:
      timestampAndPort(c, body, PRECISE_ORIGIN);
      break;
    case M_PDELAY_RESP:
    case M_DELAY_RESP:
      timestampAndPort(c, body, RECEIVE);
      break;
    case M_FOLLOW_UP:
      timestamp(c, body, PRECISE_ORIGIN);
      break;
    case M_PDELAY_RESP_FOLLOW_UP:
      timestampAndPort(c, body, PRECISE_ORIGIN);
      break;
    case M_ANNOUNCE:
      announce(c, body);
      break;
    case M_SIGNALLING:
      portId(c, body);
      break;
    case M_MANAGEMENT:
      management(c, body);
      break;
  }
}
