// Multipath TCP options (RFC 6824, RFC 8684) inside TCP's option list, as tcpdump prints them:
// "mptcp LEN SUBTYPE details". A length that does not fit the subtype makes the caller print
// "[bad opt]", as tcpdump does.

import { be16, be32, be64, u8, type PrintContext } from "./context.js";
import { hex2, ipv4String, ipv6String } from "./addr.js";

const TH_SYN = 0x02;
const TH_ACK = 0x10;

const CAPABLE_CHECKSUM = 0x80;
const JOIN_BACKUP = 0x01;
const PRIO_BACKUP = 0x01;
const DSS_FIN = 0x10;
const DSS_SEQ_8 = 0x08;
const DSS_SEQ = 0x04;
const DSS_ACK_8 = 0x02;
const DSS_ACK = 0x01;

const ADD_ADDR_VARIANTS: Record<number, string> = { 6: "v0-ip6", 4: "v0-ip4", 1: "v1-echo", 0: "v1" };

function hex64(c: PrintContext, at: number): string {
  return be64(c, at).toString(16);
}

type SubtypePrinter = (c: PrintContext, at: number, len: number, flags: number) => boolean;

function capable(c: PrintContext, at: number, len: number, flags: number): boolean {
  if (
    !((len === 12 || len === 4) && flags & TH_SYN) &&
    !((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK)
  )
    return false;
  const version = u8(c, at + 2) & 0xf;
  if (version > 1) {
    c.out += " Unknown Version (" + version + ")";
    return true;
  }
  c.out += " v" + version;
  if (u8(c, at + 3) & CAPABLE_CHECKSUM) c.out += " csum";
  if (len === 12 || len >= 20) {
    c.out += " {0x" + hex64(c, at + 4);
    if (len >= 20) c.out += ",0x" + hex64(c, at + 12);
    c.out += "}";
  }
  return true;
}

function join(c: PrintContext, at: number, len: number, flags: number): boolean {
  if (
    !(len === 12 && flags & TH_SYN) &&
    !(len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) &&
    !(len === 24 && flags & TH_ACK)
  )
    return false;
  if (len !== 24) {
    if (u8(c, at + 2) & JOIN_BACKUP) c.out += " backup";
    c.out += " id " + u8(c, at + 3);
  }
  if (len === 12) c.out += " token 0x" + be32(c, at + 4).toString(16) + " nonce 0x" + be32(c, at + 8).toString(16);
  else if (len === 16) c.out += " hmac 0x" + hex64(c, at + 4) + " nonce 0x" + be32(c, at + 12).toString(16);
  else {
    c.out += " hmac 0x";
    for (let i = 0; i < 20; i++) c.out += hex2(u8(c, at + 4 + i));
  }
  return true;
}

/** A DSS data ack or sequence number, 8 or 4 bytes: prints it and returns its size, or 0 when cut short. */
function dssNumber(c: PrintContext, at: number, left: number, wide: boolean): number {
  const size = wide ? 8 : 4;
  if (left < size) return 0;
  c.out += wide ? be64(c, at) : be32(c, at);
  return size;
}

function dss(c: PrintContext, at: number, len: number, flags: number): boolean {
  if (len < 4 || flags & TH_SYN) return false;
  const dssFlags = u8(c, at + 3);
  if (dssFlags & DSS_FIN) c.out += " fin";
  let p = at + 4;
  let left = len - 4;
  if (dssFlags & DSS_ACK) {
    c.out += " ack ";
    const n = dssNumber(c, p, left, (dssFlags & DSS_ACK_8) !== 0);
    if (n === 0) return false;
    p += n;
    left -= n;
  }
  if (dssFlags & DSS_SEQ) {
    c.out += " seq ";
    const n = dssNumber(c, p, left, (dssFlags & DSS_SEQ_8) !== 0);
    if (n === 0) return false;
    p += n;
    left -= n;
    if (left < 4) return false;
    c.out += " subseq " + be32(c, p);
    p += 4;
    left -= 4;
    if (left < 2) return false;
    c.out += " len " + be16(c, p);
    p += 2;
    left -= 2;
    // The checksum is there only when it was negotiated.
    if (left >= 2) {
      c.out += " csum 0x" + be16(c, p).toString(16);
      left -= 2;
    }
  }
  return left === 0;
}

function addAddress(c: PrintContext, at: number, len: number): boolean {
  if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return false;
  c.out += " " + (ADD_ADDR_VARIANTS[u8(c, at + 2) & 0xf] ?? "[bad version/echo]");
  c.out += " id " + u8(c, at + 3);
  if (len <= 18) {
    c.out += " " + ipv4String(c, at + 4);
    if (len === 10 || len === 18) c.out += ":" + be16(c, at + 8);
    if (len === 16) c.out += " hmac 0x" + hex64(c, at + 8);
    if (len === 18) c.out += " hmac 0x" + hex64(c, at + 10);
  } else {
    c.out += " " + ipv6String(c, at + 4);
    if (len === 22 || len === 30) c.out += ":" + be16(c, at + 20);
    if (len === 28) c.out += " hmac 0x" + hex64(c, at + 20);
    if (len === 30) c.out += " hmac 0x" + hex64(c, at + 22);
  }
  return true;
}

function removeAddress(c: PrintContext, at: number, len: number): boolean {
  if (len < 4) return false;
  c.out += " id";
  for (let i = 0; i < len - 3; i++) c.out += " " + u8(c, at + 3 + i);
  return true;
}

function priority(c: PrintContext, at: number, len: number): boolean {
  if (len !== 3 && len !== 4) return false;
  c.out += u8(c, at + 2) & PRIO_BACKUP ? " backup" : " non-backup";
  if (len === 4) c.out += " id " + u8(c, at + 3);
  return true;
}

function fail(c: PrintContext, at: number, len: number): boolean {
  if (len !== 12) return false;
  c.out += " seq " + be64(c, at + 4);
  return true;
}

function fastClose(c: PrintContext, at: number, len: number): boolean {
  if (len !== 12) return false;
  c.out += " key 0x" + hex64(c, at + 4);
  return true;
}

const SUBTYPES: [string, SubtypePrinter][] = [
  ["capable", capable],
  ["join", join],
  ["dss", dss],
  ["add-addr", addAddress],
  ["rem-addr", removeAddress],
  ["prio", priority],
  ["fail", fail],
  ["fast-close", fastClose],
  ["unknown", () => true],
];

/**
 * The MPTCP option of `len` bytes at `at` (its kind byte), after "mptcp"; `flags` are the
 * segment's TCP flags. False when the length does not fit the subtype.
 */
export function mptcpPrint(c: PrintContext, at: number, len: number, flags: number): boolean {
  c.protocol = "mptcp";
  if (len < 3) return false;
  const subtype = Math.min(u8(c, at + 2) >> 4, SUBTYPES.length - 1);
  const [name, print] = SUBTYPES[subtype]!;
  c.out += " " + len + " " + name;
  return print(c, at, len, flags);
}
