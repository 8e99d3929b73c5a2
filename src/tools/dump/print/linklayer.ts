// Link layers other than Ethernet: Linux cooked capture v1 and v2 (what "any" devices produce), BSD
// loopback (null) and raw IP.

import { be16, be32, le32, check, printTrunc, u8, type PrintContext } from "./context.js";
import { hex4, macString } from "./addr.js";
import { ethertypeName } from "./names.js";
import { ethertypePrint } from "./ethernet.js";
import { vlanTciString } from "./vlan.js";
import { ipPrint } from "./ipv4.js";
import { ip6Print } from "./ipv6.js";
import { defaultPrint } from "./unknown.js";

const SLL_HDR_LEN = 16;
const SLL2_HDR_LEN = 20;
const MAX_ETHERNET_LENGTH_VAL = 1500;
const SLL_P_802_3 = 0x0001;
const SLL_P_802_2 = 0x0004;
const ETHERTYPE_8021Q = 0x8100;
const ARPHRD_IEEE80211_RADIOTAP = 803;

const PACKET_TYPES = ["In", "B", "M", "P", "Out"];

function packetTypeName(type: number): string {
  return PACKET_TYPES[type] ?? "?";
}

function padStart3(s: string): string {
  return s.length >= 3 ? s : "   ".slice(s.length) + s;
}

function padEnd(s: string, width: number): string {
  return s.length >= width ? s : s + " ".repeat(width - s.length);
}

/** The header summary printed with -e, or when the payload has no printer. */
function protocolText(c: PrintContext, type: number, length: number): string {
  if (c.flags.quick) return "";
  let s: string;
  if (type <= MAX_ETHERNET_LENGTH_VAL) {
    if (type === SLL_P_802_3) s = "802.3";
    else if (type === SLL_P_802_2) s = "802.2";
    else s = "ethertype Unknown (0x" + hex4(type) + ")";
  } else s = "ethertype " + (ethertypeName(type) ?? "Unknown") + " (0x" + hex4(type) + ")";
  return s + ", length " + length + ": ";
}

function sllHeader(c: PrintContext, at: number, length: number): void {
  c.protocol = "sll";
  let s = padStart3(packetTypeName(be16(c, at))) + " ";
  if (be16(c, at + 4) === 6) s += macString(c, at + 6) + " ";
  c.out += s + protocolText(c, be16(c, at + 14), length);
}

function sll2Header(c: PrintContext, at: number, length: number): void {
  c.protocol = "sll2";
  let s = "ifindex " + be32(c, at + 4) + " ";
  if (u8(c, at + 11) === 6) s += macString(c, at + 12) + " ";
  c.out += s + protocolText(c, be16(c, at), length);
}

/**
 * What follows a cooked header: the EtherType's printer, VLAN tags, or 802.2/802.3 frames
 * (LLC and IPX, which this printer does not decode). Returns the header bytes consumed.
 */
function cookedPayload(
  c: PrintContext,
  at: number,
  length: number,
  caplen: number,
  etherType: number,
  hdrlen: number,
  headerAt: number,
  version: 1 | 2,
): number {
  for (;;) {
    if (etherType <= MAX_ETHERNET_LENGTH_VAL) {
      c.markUnsupported(
        etherType === SLL_P_802_3 ? "ipx" : etherType === SLL_P_802_2 ? "802.2 LLC" : "sll length field",
      );
      defaultPrint(c, at, caplen);
      return hdrlen;
    }
    if (etherType === ETHERTYPE_8021Q) {
      if (caplen < 4) {
        c.protocol = "vlan";
        printTrunc(c);
        return hdrlen + caplen;
      }
      if (c.flags.linkHeader) c.out += vlanTciString(be16(c, at)) + ", ";
      etherType = be16(c, at + 2);
      if (etherType <= MAX_ETHERNET_LENGTH_VAL) etherType = SLL_P_802_2;
      if (!c.flags.quick) c.out += "ethertype " + (ethertypeName(etherType) ?? "Unknown") + ", ";
      at += 4;
      length -= 4;
      caplen -= 4;
      hdrlen += 4;
      continue;
    }
    if (!ethertypePrint(c, etherType, at, length, caplen)) {
      if (!c.flags.linkHeader) {
        if (version === 1) sllHeader(c, headerAt, length + SLL_HDR_LEN);
        else sll2Header(c, headerAt, length + SLL2_HDR_LEN);
      }
      defaultPrint(c, at, caplen);
    }
    return hdrlen;
  }
}

export function sllPrint(c: PrintContext, at: number, length: number, caplen: number): number {
  c.protocol = "sll";
  check(c, at, SLL_HDR_LEN);
  if (c.flags.linkHeader) sllHeader(c, at, length);
  if (be16(c, at + 2) === ARPHRD_IEEE80211_RADIOTAP) {
    c.markUnsupported("802.11 radiotap");
    return SLL_HDR_LEN;
  }
  return cookedPayload(
    c,
    at + SLL_HDR_LEN,
    length - SLL_HDR_LEN,
    caplen - SLL_HDR_LEN,
    be16(c, at + 14),
    SLL_HDR_LEN,
    at,
    1,
  );
}

/** Names of interfaces by index, for SLL2 headers; tcpdump asks the local system. */
export type InterfaceNamer = (index: number) => string | undefined;

export function sll2Print(
  c: PrintContext,
  at: number,
  length: number,
  caplen: number,
  ifName?: InterfaceNamer,
): number {
  c.protocol = "sll2";
  check(c, at, SLL2_HDR_LEN);
  const name = ifName?.(be32(c, at + 4)) ?? "?";
  c.out += padEnd(name, 5) + " " + padEnd(packetTypeName(u8(c, at + 10)), 3) + " ";
  if (c.flags.linkHeader) sll2Header(c, at, length);
  if (be16(c, at + 8) === ARPHRD_IEEE80211_RADIOTAP) {
    c.markUnsupported("802.11 radiotap");
    return SLL2_HDR_LEN;
  }
  return cookedPayload(
    c,
    at + SLL2_HDR_LEN,
    length - SLL2_HDR_LEN,
    caplen - SLL2_HDR_LEN,
    be16(c, at),
    SLL2_HDR_LEN,
    at,
    2,
  );
}

const AF_INET = 2;
const AF_NAMES: ReadonlyMap<number, string> = new Map([
  [2, "IPv4"],
  [6, "NS"],
  [7, "ISO"],
  [16, "Appletalk"],
  [23, "IPX"],
  [24, "IPv6"],
  [28, "IPv6"],
  [30, "IPv6"],
]);

function nullHeader(c: PrintContext, family: number, length: number): void {
  if (!c.flags.quick) c.out += "AF " + (AF_NAMES.get(family) ?? "Unknown") + " (" + family + ")";
  else c.out += AF_NAMES.get(family) ?? "Unknown AF " + family;
  c.out += ", length " + length + ": ";
}

/** BSD loopback: a 4-byte address family in the capturing host's byte order. */
export function nullPrint(c: PrintContext, at: number, length: number, caplen: number): number {
  c.protocol = "null";
  check(c, at, 4);
  let family = le32(c, at);
  if ((family & 0xffff0000) !== 0) {
    family = (((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >>> 8) & 0xff00) | (family >>> 24)) >>> 0;
  }
  if (c.flags.linkHeader) nullHeader(c, family, length);
  length -= 4;
  caplen -= 4;
  const p = at + 4;
  switch (family) {
    case AF_INET:
      ipPrint(c, p, length);
      break;
    case 24:
    case 28:
    case 30:
      ip6Print(c, p, length);
      break;
    case 7:
    case 16:
    case 23:
      c.markUnsupported("address family " + family);
      if (!c.flags.linkHeader) nullHeader(c, family, length + 4);
      defaultPrint(c, p, caplen);
      break;
    default:
      if (!c.flags.linkHeader) nullHeader(c, family, length + 4);
      defaultPrint(c, p, caplen);
  }
  return 4;
}

export function rawPrint(c: PrintContext, at: number, length: number): number {
  c.protocol = "raw";
  if (c.flags.linkHeader) c.out += "ip: ";
  ipNPrint(c, at, length);
  return 0;
}

/** An IPv4 or IPv6 packet, by its version nibble (raw IP link type). */
export function ipNPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ipn";
  if (length < 1) {
    c.out += "truncated-ip " + length;
    return;
  }
  switch (u8(c, at) & 0xf0) {
    case 0x40:
      ipPrint(c, at, length);
      break;
    case 0x60:
      ip6Print(c, at, length);
      break;
    default:
      c.out += "unknown ip " + ((u8(c, at) & 0xf0) >> 4);
  }
}
