// Cisco Discovery Protocol as tcpdump prints it without -v: "CDPv2, ttl: 180s, Device-ID 'S1'",
// every other TLV as a hex dump (tcpdump's own choice), then the length. The -v decoding of the
// TLVs is not done yet: such packets are marked unsupported.

import { be16, check, u8, type PrintContext } from "./context.js";
import { printableChar, printUnknownData } from "./unknown.js";

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
  if (c.flags.verbose) c.markUnsupported("cdp -v");
  const totalLength = length;
  c.out += "CDPv" + u8(c, at) + ", ttl: " + u8(c, at + 1) + "s";
  be16(c, at + 2);
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
      c.out += ", " + name + " TLV length " + len + " too short (invalid)";
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
    if (type === T_DEVICE_ID) c.out += ", Device-ID ";
    let covered = false;
    if (known) {
      const min = info?.[1] ?? 0;
      const max = info?.[2] ?? 0;
      if ((min > 0 && len < min) || (max > 0 && len > max)) c.out += " (malformed TLV)";
      else if (type === T_DEVICE_ID) {
        c.out += "'";
        for (let i = 0; i < len; i++) c.out += printableChar(u8(c, p + i));
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
  c.out += ", length " + totalLength;
}
