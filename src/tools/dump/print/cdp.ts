// Cisco Discovery Protocol as tcpdump prints it without -v: "CDPv2, ttl: 180s, Device-ID 'S1'",
// every other TLV as a hex dump (tcpdump's own choice), then the length; with -v the checksum and
// every TLV decoded on a line of its own.

import { be16, be32, check, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String, ipv6String } from "./addr.js";
import { printableChar, printCountedText, printUnknownData } from "./unknown.js";
import { flagNames } from "./names.js";

const HEADER_LENGTH = 4;
const TLV_HEADER_LENGTH = 4;
const T_DEVICE_ID = 0x01;

/** Known TLVs: name, minimum and maximum value length (-1: no bound). */
const TLVS: ([string, number, number] | undefined)[] = [
  undefined,
  ["Device-ID", -1, -1],
  ["Address", -1, -1],
  ["Port-ID", -1, -1],
  ["Capability", 4, 4],
  ["Version String", -1, -1],
  ["Platform", -1, -1],
  ["Prefixes", -1, -1],
  ["Protocol-Hello option", -1, -1],
  ["VTP Management Domain", -1, -1],
  ["Native VLAN ID", 2, 2],
  ["Duplex", 1, 1],
  undefined,
  undefined,
  ["ATA-186 VoIP VLAN assignment", 3, 3],
  ["ATA-186 VoIP VLAN request", 2, 3],
  ["power consumption", 1, 3],
  ["MTU", 4, 4],
  ["AVVID trust bitmap", 1, 1],
  ["AVVID untrusted ports CoS", 1, 1],
  ["System Name", -1, -1],
  ["System Object ID (not decoded)", -1, -1],
  ["Management Addresses", 4, -1],
  ["Physical Location", 1, -1],
];

export function cdpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "cdp";
  if (length < HEADER_LENGTH) {
    c.out += " (packet length " + length + " < " + HEADER_LENGTH + ") (invalid)";
    check(c, at, length);
    return;
  }
  const totalLength = length;
  const verbose = c.flags.verbose > 0;
  c.out += "CDPv" + u8(c, at) + ", ttl: " + u8(c, at + 1) + "s";
  const checksum = be16(c, at + 2);
  if (verbose) c.out += ", checksum: 0x" + hex4(checksum) + " (unverified), length " + totalLength;
  let p = at + HEADER_LENGTH;
  length -= HEADER_LENGTH;
  while (length) {
    if (length < TLV_HEADER_LENGTH) {
      c.out += " (remaining packet length " + length + " < " + TLV_HEADER_LENGTH + ") (invalid)";
      check(c, p, length);
      return;
    }
    const type = be16(c, p);
    let len = be16(c, p + 2);
    // Types up to 0x17 have an entry (possibly unnamed); later ones none.
    const known = type <= 0x17;
    const info = known ? TLVS[type] : undefined;
    const name = info?.[0] ?? "unknown field type";
    if (len < TLV_HEADER_LENGTH) {
      c.out += verbose
        ? "\n\t" +
          name +
          " (0x" +
          hex2(type) +
          "), TLV length: " +
          len +
          " byte" +
          (len === 1 ? "" : "s") +
          " (too short) (invalid)"
        : ", " + name + " TLV length " + len + " too short (invalid)";
      check(c, p, length);
      return;
    }
    if (len > length) {
      c.out += " (TLV length " + len + " > " + length + ") (invalid)";
      check(c, p, length);
      return;
    }
    p += TLV_HEADER_LENGTH;
    length -= TLV_HEADER_LENGTH;
    len -= TLV_HEADER_LENGTH;
    if (verbose)
      c.out +=
        "\n\t" + name + " (0x" + hex2(type) + "), value length: " + len + " byte" + (len === 1 ? "" : "s") + ": ";
    else if (type === T_DEVICE_ID) c.out += ", Device-ID ";
    let covered = false;
    if (known) {
      const min = info?.[1] ?? 0;
      const max = info?.[2] ?? 0;
      if ((min > 0 && len < min) || (max > 0 && len > max)) c.out += " (malformed TLV)";
      else if (verbose) {
        valuePrint(c, type, p, len);
        covered = true;
      } else if (type === T_DEVICE_ID) {
        c.out += "'";
        printCountedText(c, p, len);
        c.out += "'";
        covered = true;
      }
    }
    if (!covered) {
      check(c, p, len);
      printUnknownData(c, p, "\n\t  ", len);
    }
    p += len;
    length -= len;
  }
  if (!verbose) c.out += ", length " + totalLength;
}

/** Milliwatts as watts with two decimals, rounded as printf rounds the binary value. */
function watts(milliwatts: number): string {
  // toFixed rounds exact ties up where printf rounds them to even; only multiples of 1/8 W tie exactly.
  if (milliwatts % 125 === 0 && milliwatts % 10 === 5) {
    let hundredths = Math.floor(milliwatts / 10);
    if (hundredths % 2 === 1) hundredths++;
    return (hundredths / 100).toFixed(2);
  }
  return (milliwatts / 1000).toFixed(2);
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}

const CAPABILITIES: [number, string][] = [
  [0x01, "Router"],
  [0x02, "Transparent Bridge"],
  [0x04, "Source Route Bridge"],
  [0x08, "L2 Switch"],
  [0x10, "L3 capable"],
  [0x20, "IGMP snooping"],
  [0x40, "L1 capable"],
];

function quoted(c: PrintContext, at: number, len: number): void {
  c.out += "'";
  printCountedText(c, at, len);
  c.out += "'";
}

/** A known TLV's value at -v, as tcpdump's printer for that type shows it. */
function valuePrint(c: PrintContext, type: number, at: number, len: number): void {
  switch (type) {
    case 0x01:
    case 0x03:
    case 0x06:
    case 0x09:
    case 0x14:
      return quoted(c, at, len);
    case 0x02:
    case 0x16:
      return addressesPrint(c, at, len);
    case 0x04: {
      const value = be32(c, at);
      c.out += "(0x" + value.toString(16).padStart(8, "0") + "): " + flagNames(CAPABILITIES, value);
      return;
    }
    case 0x05:
      // The version string's lines, each indented.
      c.out += "\n\t  ";
      for (let i = 0; i < len; i++) {
        const byte = u8(c, at + i);
        c.out += byte === 0x0a ? "\n\t  " : printableChar(byte);
      }
      return;
    case 0x07:
      if (len % 5) {
        c.out += " [length " + len + " is not a multiple of 5]";
        check(c, at, len);
        return;
      }
      c.out += " IPv4 Prefixes (" + len / 5 + "):";
      for (let p = at; p < at + len; p += 5) c.out += " " + ipv4String(c, p) + "/" + u8(c, p + 4);
      return;
    case 0x0a:
      c.out += be16(c, at);
      return;
    case 0x0b:
      c.out += u8(c, at) ? "full" : "half";
      return;
    case 0x0e:
    case 0x0f:
      c.out += len === 2 ? "unknown 0x" + hex4(be16(c, at)) : "app " + u8(c, at) + ", vlan " + be16(c, at + 1);
      return;
    case 0x10: {
      const value = len === 1 ? u8(c, at) : len === 2 ? be16(c, at) : (be16(c, at) << 8) | u8(c, at + 2);
      c.out += watts(value) + "W";
      return;
    }
    case 0x11:
      c.out += be32(c, at) + " bytes";
      return;
    case 0x12:
    case 0x13:
      c.out += "0x" + hex2(u8(c, at));
      return;
    case 0x17:
      c.out += "0x" + hex2(u8(c, at));
      if (len > 1) {
        c.out += "/";
        printCountedText(c, at + 1, len - 1);
      }
      return;
    default:
      // Named types without a printer (protocol hello, system object id): the value is skipped.
      check(c, at, len);
  }
}

const IPV6_LLC_SNAP = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd];

function addressesPrint(c: PrintContext, at: number, len: number): void {
  let count = be32(c, at);
  let p = at + 4;
  let left = len - 4;
  while (count) {
    if (left < 2) {
      c.out += " (not enough space for PT+PL)";
      check(c, p, left);
      return;
    }
    const protocolType = u8(c, p);
    const protocolLength = u8(c, p + 1);
    p += 2;
    left -= 2;
    if (left < protocolLength + 2) {
      c.out += " (not enough space for P+AL)";
      check(c, p, left);
      return;
    }
    const addressLength = be16(c, p + protocolLength);
    let ipv6 = protocolType === 2 && protocolLength === 8 && addressLength === 16;
    for (let i = 0; ipv6 && i < 8; i++) if (u8(c, p + i) !== IPV6_LLC_SNAP[i]) ipv6 = false;
    const ipv4 = protocolType === 1 && protocolLength === 1 && u8(c, p) === 0xcc && addressLength === 4;
    if (ipv4 || ipv6) {
      p += protocolLength + 2;
      left -= protocolLength + 2;
      if (left < addressLength) {
        c.out += " (not enough space for A)";
        check(c, p, left);
        return;
      }
      c.out += ipv4 ? "IPv4 (" + count + ") " + ipv4String(c, p) : "IPv6 (" + count + ") " + ipv6String(c, p);
    } else {
      c.out += "pt=0x" + hex2(protocolType) + ", pl=" + protocolLength + ", pb=";
      for (let i = 0; i < protocolLength; i++) c.out += " " + hex2(u8(c, p + i));
      p += protocolLength;
      left -= protocolLength;
      c.out += ", al=" + addressLength + ", a=";
      p += 2;
      left -= 2;
      if (left < addressLength) {
        c.out += " (not enough space for A)";
        check(c, p, left);
        return;
      }
      for (let i = 0; i < addressLength; i++) c.out += " " + hex2(u8(c, p + i));
    }
    p += addressLength;
    left -= addressLength;
    count--;
    if (count) c.out += " ";
  }
  if (left) c.out += " (" + left + " bytes of stray data)";
}
