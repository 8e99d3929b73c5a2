// ISAKMP/IKE (RFC 2408 and 2409, IKEv2 RFC 7296) as tcpdump prints it: "isakmp: phase 1 I ident",
// "isakmp: parent_sa ikev2_init[I]". IKEv1 names the side that sent a message from the initiator
// cookies of earlier packets (print/ike-cookies.ts). With -v tcpdump adds the version, message id
// (and cookies at -vv) and each payload (print/isakmp-payloads.ts).

import { be32, u8, type PrintContext } from "./context.js";
import { hexBytes, ikePayloadsPrint, payloadName } from "./isakmp-payloads.js";

const HEADER_LENGTH = 28;
const COOKIE_LENGTH = 8;
const FLAG_ENCRYPTED = 0x01;
const FLAG_COMMIT = 0x02;
const FLAG_INITIATOR = 0x08;
const FLAG_VERSION = 0x10;
const FLAG_RESPONSE = 0x20;

const EXCHANGE_TYPES: (string | undefined)[] = [];
for (const [n, name] of [
  [0, "none"],
  [1, "base"],
  [2, "ident"],
  [3, "auth"],
  [4, "agg"],
  [5, "inf"],
  [32, "oakley-quick"],
  [33, "oakley-newgroup"],
  [34, "ikev2_init"],
  [35, "ikev2_auth"],
  [36, "child_sa"],
  [37, "inf2"],
] as const)
  EXCHANGE_TYPES[n] = name;

/** ISAKMP on its UDP ports. */
export function isakmpUdpPrint(
  c: PrintContext,
  at: number,
  length: number,
  _sport: number,
  _dport: number,
  ipAt: number,
): void {
  isakmpPrint(c, at, length, ipAt);
}

/** A message at `at` that came in the IP datagram whose header is at `ipAt`. */
export function isakmpPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
  c.protocol = "isakmp";
  if (c.snapend < at + HEADER_LENGTH) {
    c.out += " [|isakmp]";
    return;
  }
  c.out += "isakmp";
  const version = u8(c, at + 17);
  const major = version >> 4;
  const v = c.flags.verbose;
  if (v) c.out += " " + major + "." + (version & 0x0f) + " msgid " + hexBytes(c, at + 20, 4);
  if (v > 1) c.out += " cookie " + hexBytes(c, at, 8) + "->" + hexBytes(c, at + 8, 8);
  c.out += ":";
  if (major === 1) ikev1Print(c, at, length, ipAt);
  else if (major === 2) ikev2Print(c, at, length);
}

function exchangeName(type: number): string {
  return EXCHANGE_TYPES[type] ?? "#" + type;
}

function ikev1Print(c: PrintContext, at: number, length: number, ipAt: number): void {
  const phase = be32(c, at + 20) === 0 ? 1 : 2;
  c.out += phase === 1 ? " phase 1" : " phase 2/others";
  const cookies = c.ikeCookies;
  const b = c.bytes;
  const ipVersion = u8(c, ipAt) >> 4;
  // The source and destination addresses of the datagram, for recording and comparing.
  const size = ipVersion === 6 ? 16 : 4;
  const srcAt = ipVersion === 6 ? ipAt + 8 : ipAt + 12;
  const slot = cookies.find(b, at);
  if (slot < 0) {
    let zero = true;
    for (let i = 0; i < COOKIE_LENGTH; i++) if (u8(c, at + COOKIE_LENGTH + i) !== 0) zero = false;
    if (zero) {
      // The exchange's first message.
      c.out += " I";
      if (ipVersion === 4 || ipVersion === 6) cookies.record(b, at, ipVersion, srcAt, srcAt + size, size);
    } else c.out += " ?";
  } else if (cookies.sentBy(slot, true, b, ipVersion, srcAt, size)) c.out += " I";
  else if (cookies.sentBy(slot, false, b, ipVersion, srcAt, size)) c.out += " R";
  else c.out += " ?";
  c.out += " " + exchangeName(u8(c, at + 18));
  const flags = u8(c, at + 19);
  if (flags) c.out += "[" + (flags & FLAG_ENCRYPTED ? "E" : "") + (flags & FLAG_COMMIT ? "C" : "") + "]";
  bodyPrint(c, at, length, flags, phase, 1);
}

function ikev2Print(c: PrintContext, at: number, length: number): void {
  const phase = be32(c, at + 20) === 0 ? 1 : 2;
  c.out += phase === 1 ? " parent_sa" : " child_sa ";
  c.out += " " + exchangeName(u8(c, at + 18));
  const flags = u8(c, at + 19);
  if (flags) {
    c.out +=
      "[" +
      (flags & FLAG_INITIATOR ? "I" : "") +
      (flags & FLAG_VERSION ? "V" : "") +
      (flags & FLAG_RESPONSE ? "R" : "") +
      "]";
  }
  bodyPrint(c, at, length, flags, phase, 2);
}

/** -v: the payloads (or that they are encrypted), then a length that disagrees with the datagram's. */
function bodyPrint(c: PrintContext, at: number, length: number, flags: number, phase: number, major: number): void {
  if (!c.flags.verbose) return;
  c.out += ":";
  const np = u8(c, at + 16);
  if (flags & FLAG_ENCRYPTED) c.out += " [encrypted " + payloadName(np) + "]";
  else ikePayloadsPrint(c, at, np, at + HEADER_LENGTH, phase, major);
  const declared = be32(c, at + 24);
  if (declared !== length) c.out += " (len mismatch: isakmp " + declared + "/ip " + length + ")";
}
