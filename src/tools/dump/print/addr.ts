// Addresses and ports as tcpdump prints them with -n: dotted quads, RFC 5952-style IPv6 (with
// tcpdump's rule for embedded IPv4), colon-separated MACs (plus "(oui …)" without -n), and port
// numbers or their service names.

import { check, type PrintContext } from "./context.js";
import { ouiName, tcpServiceName, udpServiceName } from "./names.js";

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const DEC: string[] = Array.from({ length: 256 }, (_, i) => "" + i);
/** "0." … "255.": a dotted quad in three concatenations instead of six (fewer short-lived strings per address). */
const DEC_DOT: string[] = DEC.map((d) => d + ".");

export function hex2(byte: number): string {
  return HEX2[byte]!;
}

/** Lower-case hex without leading zeros, printf("%x"). */
export function hex(value: number): string {
  return (value >>> 0).toString(16);
}

/** Four hex digits, zero-padded (EtherTypes, ARP hardware types). */
export function hex4(v: number): string {
  const h = v.toString(16);
  return h.length >= 4 ? h : "0000".slice(h.length) + h;
}

export function ipv4String(c: PrintContext, at: number): string {
  check(c, at, 4);
  const b = c.bytes;
  return DEC_DOT[b[at]!]! + DEC_DOT[b[at + 1]!]! + DEC_DOT[b[at + 2]!]! + DEC[b[at + 3]!]!;
}

/** An IPv6 address from 16 bytes at `at` in `b` (no bounds check). */
export function ipv6FromBytes(b: Uint8Array, at: number): string {
  // Longest run (leftmost on ties) of at least two zero words becomes "::".
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!;
    if (w === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let s = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ":";
      continue;
    }
    if (i !== 0) s += ":";
    const w5 = (b[at + 10]! << 8) | b[at + 11]!;
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w5 === 0xffff))) {
      s += b[at + 12] + "." + b[at + 13] + "." + b[at + 14] + "." + b[at + 15];
      return s;
    }
    s += ((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ":";
  return s;
}

export function ipv6String(c: PrintContext, at: number): string {
  check(c, at, 16);
  return ipv6FromBytes(c.bytes, at);
}

/** A MAC address as colon-separated hex, never a name (as tcpdump prints it inside IPX addresses). */
export function macHex(c: PrintContext, at: number): string {
  check(c, at, 6);
  const b = c.bytes;
  return (
    HEX2[b[at]!] +
    ":" +
    HEX2[b[at + 1]!] +
    ":" +
    HEX2[b[at + 2]!] +
    ":" +
    HEX2[b[at + 3]!] +
    ":" +
    HEX2[b[at + 4]!] +
    ":" +
    HEX2[b[at + 5]!]
  );
}

export function macString(c: PrintContext, at: number): string {
  const s = macHex(c, at);
  const b = c.bytes;
  if (c.flags.numeric) return s;
  if (s === "ff:ff:ff:ff:ff:ff") return "Broadcast";
  return s + " (oui " + ouiName((b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!) + ")";
}

/** A hardware address of any length: a MAC when 6 bytes, else colon-separated hex bytes. */
export function linkAddrString(c: PrintContext, at: number, len: number): string {
  if (len === 0) return "<empty>";
  if (len === 6) return macString(c, at);
  check(c, at, len);
  let s = HEX2[c.bytes[at]!]!;
  for (let i = 1; i < len; i++) s += ":" + HEX2[c.bytes[at + i]!];
  return s;
}

export function tcpPortString(c: PrintContext, port: number): string {
  if (!c.flags.numeric) {
    const name = tcpServiceName(port);
    if (name !== undefined) return name;
  }
  return "" + port;
}

export function udpPortString(c: PrintContext, port: number): string {
  if (!c.flags.numeric) {
    const name = udpServiceName(port);
    if (name !== undefined) return name;
  }
  return "" + port;
}
