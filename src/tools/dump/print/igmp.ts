// IGMP (RFC 1112, RFC 2236, RFC 3376): queries, reports and leaves as tcpdump prints them, with -v
// the version 3 group records and the checksum verdict; DVMRP and PIMv1 messages inside IGMP go to
// their own printers, multicast traceroute queries and responses are shown here.

import { be16, be32, finishChecksum, has, onesComplementSum, u8, type PrintContext } from "./context.js";
import { ipv4String } from "./addr.js";
import { dvmrpPrint } from "./dvmrp.js";
import { pimv1Print } from "./pim.js";
import { relativeTime } from "./relative-time.js";

const REPORT_KINDS = ["", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"];

/** A multicast traceroute query or response: its query ID, source, destination and reply address. */
function mtracePrint(c: PrintContext, name: string, at: number, length: number): void {
  // The IGMP header, then source, destination, response address, response TTL and query ID.
  if (length < 24) {
    c.out += " [invalid len " + length + "]";
    return;
  }
  c.out +=
    name +
    " " +
    (be32(c, at + 20) & 0xffffff) +
    ": " +
    ipv4String(c, at + 8) +
    " to " +
    ipv4String(c, at + 12) +
    " reply-to " +
    ipv4String(c, at + 16);
  // A multicast response address is sent to with the TTL the query asks for.
  if ((u8(c, at + 16) & 0xf0) === 0xe0) c.out += " with-ttl " + u8(c, at + 20);
}

function printV3Report(c: PrintContext, at: number, length: number): void {
  if (length < 16 || length & 3) {
    c.out += " [invalid len " + length + "]";
    return;
  }
  const groups = be16(c, at + 6);
  c.out += ", " + groups + " group record(s)";
  if (c.flags.verbose === 0) return;
  let group = 8;
  for (let i = 0; i < groups; i++) {
    if (length < group + 8) {
      c.out += " [invalid number of groups]";
      return;
    }
    c.out += " [gaddr " + ipv4String(c, at + group + 4);
    const kind = u8(c, at + group);
    c.out += " " + (REPORT_KINDS[kind] || " [v3-report-#" + kind + "]");
    const sources = be16(c, at + group + 2);
    if (length < group + 8 + sources * 4) {
      c.out += " [invalid number of sources " + sources + "]";
      return;
    }
    if (c.flags.verbose === 1) c.out += ", " + sources + " source(s)";
    else {
      c.out += " {";
      for (let j = 0; j < sources; j++) c.out += " " + ipv4String(c, at + group + 8 + j * 4);
      c.out += " }";
    }
    group += 8 + sources * 4;
    c.out += "]";
  }
}

function printV3Query(c: PrintContext, at: number, length: number): void {
  c.out += " v3";
  if (length < 12 || length & 3) {
    c.out += " [invalid len " + length + "]";
    return;
  }
  const code = u8(c, at + 1);
  // Codes from 128 on are a floating-point value (RFC 3376 4.1.1).
  const tenths = code < 128 ? code : ((code & 0x0f) | 0x10) << (((code & 0x70) >> 4) + 3);
  if (code !== 100) {
    c.out += " [max resp time ";
    c.out += tenths < 600 ? (tenths * 0.1).toFixed(1) + "s" : relativeTime(Math.floor(tenths / 10));
    c.out += "]";
  }
  if (be32(c, at + 4) === 0) return;
  c.out += " [gaddr " + ipv4String(c, at + 4);
  const sources = be16(c, at + 10);
  if (sources > 0) {
    if (length < 12 + sources * 4) c.out += " [invalid number of sources]";
    else if (c.flags.verbose > 1) {
      c.out += " {";
      for (let i = 0; i < sources; i++) c.out += " " + ipv4String(c, at + 12 + i * 4);
      c.out += " }";
    } else c.out += ", " + sources + " source(s)";
  }
  c.out += "]";
}

export function igmpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "igmp";
  if (c.flags.quick) {
    c.out += "igmp";
    return;
  }
  const type = u8(c, at);
  switch (type) {
    case 0x11:
      c.out += "igmp query";
      if (length >= 12) printV3Query(c, at, length);
      else {
        const maxResponse = u8(c, at + 1);
        if (maxResponse) {
          c.out += " v2";
          if (maxResponse !== 100) c.out += " [max resp time " + maxResponse + "]";
        } else c.out += " v1";
        if (be32(c, at + 4)) c.out += " [gaddr " + ipv4String(c, at + 4) + "]";
        if (length !== 8) c.out += " [len " + length + "]";
      }
      break;
    case 0x12:
      c.out += "igmp v1 report " + ipv4String(c, at + 4);
      if (length !== 8) c.out += " [len " + length + "]";
      break;
    case 0x16:
      c.out += "igmp v2 report " + ipv4String(c, at + 4);
      break;
    case 0x22:
      c.out += "igmp v3 report";
      printV3Report(c, at, length);
      break;
    case 0x17:
      c.out += "igmp leave " + ipv4String(c, at + 4);
      break;
    case 0x13:
      c.out += "igmp dvmrp";
      if (length < 8) c.out += " [len " + length + "]";
      else dvmrpPrint(c, at, length);
      break;
    case 0x14:
      c.out += "igmp pimv1";
      pimv1Print(c, at, length);
      break;
    case 0x1e:
      mtracePrint(c, "mresp", at, length);
      break;
    case 0x1f:
      mtracePrint(c, "mtrace", at, length);
      break;
    default:
      c.out += "igmp-" + type;
  }
  if (c.flags.verbose && length >= 4 && has(c, at, length)) {
    if (finishChecksum(onesComplementSum(c, at, length, 0)) !== 0)
      c.out += " bad igmp cksum " + be16(c, at + 2).toString(16) + "!";
  }
}
