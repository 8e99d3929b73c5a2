// ETSI GeoNetworking (EN 302 636-4-1, EtherTypes 0x8947 and the old 0x0707) and CALM FAST
// (ISO 29281, EtherType 0x1111) as tcpdump prints them: the common header, the sender's long
// position vector, and for BTP the ports and the ITS PDU header; -v adds the user data in hex.

import { linkAddrString, macString } from "./addr.js";
import { be16, be32, check, u8, type PrintContext } from "./context.js";
import { hexAndAsciiPrint } from "./unknown.js";

const COMMON_HEADER_LENGTH = 36;
const BTP_HEADER_LENGTH = 4;
const NEXT_HEADERS = ["Any", "BTP-A", "BTP-B", "IPv6"];
/** Header type names by type, then subtype. */
const HEADER_TYPES: readonly (readonly string[])[] = [
  ["Any"],
  ["Beacon"],
  ["GeoUnicast"],
  ["GeoAnycastCircle", "GeoAnycastRect", "GeoAnycastElipse"],
  ["GeoBroadcastCircle", "GeoBroadcastRect", "GeoBroadcastElipse"],
  ["TopoScopeBcast-SH", "TopoScopeBcast-MH"],
  ["LocService-Request", "LocService-Reply"],
];
const ITS_MESSAGE_TYPES = new Map([
  [0, "CAM"],
  [1, "DENM"],
  [101, "TPEGM"],
  [102, "TSPDUM"],
  [103, "VPM"],
  [104, "SRM"],
  [105, "SLAM"],
  [106, "ecoCAM"],
  [107, "ITM"],
  [150, "SA"],
]);

function headerTypeName(type: number, subtype: number): string {
  const names = HEADER_TYPES[type];
  if (names === undefined) return "Unknown";
  // Any, Beacon and GeoUnicast have no subtypes: tcpdump names them whatever the subtype.
  if (names.length === 1) return names[0]!;
  return names[subtype] ?? "Unknown";
}

/** Bytes of extended header after the common one, where tcpdump knows them (undefined: it stops). */
function extendedHeaderLength(type: number, subtype: number): number | undefined {
  if (type === 0 || type === 1) return 0;
  if (type === 5 && subtype === 0) return 0;
  if (type === 5 && subtype === 1) return 68 - COMMON_HEADER_LENGTH;
  return undefined;
}

/** `srcAt`: the link-layer source address (6 bytes), printed as the sender. */
export function geonetPrint(c: PrintContext, at: number, length: number, srcAt: number): void {
  c.protocol = "geonet";
  c.out += "GeoNet src:" + macString(c, srcAt) + "; ";
  if (length < COMMON_HEADER_LENGTH) {
    c.out += " (common header length " + length + " < 36) (invalid)";
    return;
  }
  const first = u8(c, at);
  const version = first >> 4;
  const nextHeader = first & 0x0f;
  const typeByte = u8(c, at + 1);
  const type = typeByte >> 4;
  const subtype = typeByte & 0x0f;
  const payloadLength = be16(c, at + 4);
  const hopLimit = u8(c, at + 7);
  c.out += "v:" + version + " NH:" + nextHeader + "-" + (NEXT_HEADERS[nextHeader] ?? "Unknown") + " ";
  c.out += "HT:" + type + "-" + subtype + "-" + headerTypeName(type, subtype) + " ";
  c.out += "HopLim:" + hopLimit + " Payload:" + payloadLength + " ";
  // The sender's long position vector: its GeoNetworking address, latitude and longitude.
  c.out += "GN_ADDR:" + linkAddrString(c, at + 8, 8) + " ";
  c.out += "lat:" + be32(c, at + 20) + " ";
  c.out += "lon:" + be32(c, at + 24);
  check(c, at, COMMON_HEADER_LENGTH);
  let p = at + COMMON_HEADER_LENGTH;
  let rest = length - COMMON_HEADER_LENGTH;
  const extended = extendedHeaderLength(type, subtype);
  if (extended !== undefined) {
    if (rest < extended) {
      c.out += " (header size " + extended + " > " + rest + ") (invalid)";
      return;
    }
    check(c, p, extended);
    p += extended;
    rest -= extended;
    if (nextHeader === 1 || nextHeader === 2) {
      if (rest < BTP_HEADER_LENGTH) {
        c.out += " (BTP length " + rest + " < 4) (invalid)";
        return;
      }
      c.out += "; BTP Dst:" + be16(c, p) + " Src:" + be16(c, p + 2);
      p += BTP_HEADER_LENGTH;
      rest -= BTP_HEADER_LENGTH;
      if (rest >= 2) {
        const messageType = u8(c, p + 1);
        c.out +=
          "; ItsPduHeader v:" +
          u8(c, p) +
          " t:" +
          messageType +
          "-" +
          (ITS_MESSAGE_TYPES.get(messageType) ?? "unknown (" + messageType + ")");
      }
    }
  }
  if (c.flags.verbose) userData(c, p, rest);
}

/** -v: the user data in hex and ASCII, which tcpdump prints even with -x. */
function userData(c: PrintContext, at: number, length: number): void {
  hexAndAsciiPrint(c, "\n\t", at, length);
}

export function calmFastPrint(c: PrintContext, at: number, length: number, srcAt: number): void {
  c.protocol = "calm_fast";
  c.out += "CALM FAST src:" + macString(c, srcAt) + "; ";
  if (length < 2) {
    c.out += " (length " + length + " < 2) (invalid)";
    return;
  }
  c.out += "SrcNwref:" + u8(c, at) + "; DstNwref:" + u8(c, at + 1) + "; ";
  if (c.flags.verbose) userData(c, at + 2, length - 2);
}
