// SCTP (RFC 9260) as tcpdump prints it: the addresses and ports, then each chunk numbered with its
// type and the fields of DATA, INIT, INIT ACK and SACK chunks; with -vv one chunk per line and DATA
// payloads in hex; ForCES payloads in forces.ts. M3UA payloads at -vv are not decoded yet: such
// packets are marked unsupported.

import { forcesPrint } from "./forces.js";
import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { defaultPrint } from "./unknown.js";

const COMMON_HEADER_LENGTH = 12;
const CHUNK_HEADER_LENGTH = 4;
const DATA_HEADER_LENGTH = 12;
const INIT_HEADER_LENGTH = 16;
const SACK_HEADER_LENGTH = 12;

const DATA = 0x00;
const INIT = 0x01;
const INIT_ACK = 0x02;
const SACK = 0x03;
const CHUNK_NAMES = new Map([
  [DATA, "DATA"],
  [INIT, "INIT"],
  [INIT_ACK, "INIT ACK"],
  [SACK, "SACK"],
  [0x04, "HB REQ"],
  [0x05, "HB ACK"],
  [0x06, "ABORT"],
  [0x07, "SHUTDOWN"],
  [0x08, "SHUTDOWN ACK"],
  [0x09, "OP ERR"],
  [0x0a, "COOKIE ECHO"],
  [0x0b, "COOKIE ACK"],
  [0x0c, "ECN ECHO"],
  [0x0d, "ECN CWR"],
  [0x0e, "SHUTDOWN COMPLETE"],
  [0xc0, "FOR CUM TSN"],
  [0xc1, "REL CTRL"],
  [0xc2, "REL CTRL ACK"],
]);
const PAYLOAD_PROTOCOLS = new Map([
  [1, "ISDN Q.921"],
  [2, "M2UA"],
  [3, "M3UA"],
  [4, "SUA"],
  [5, "M2PA"],
  [6, "V5.2"],
  [7, "H.248"],
  [8, "BICC"],
  [9, "TALI"],
  [10, "DUA"],
  [11, "ASAP"],
  [12, "ENRP"],
  [13, "H.323"],
  [14, "Q.IPC"],
  [15, "SIMCO"],
  [16, "DDPSC"],
  [17, "DDPSSC"],
  [18, "S1AP"],
  [19, "RUA"],
  [20, "HNBAP"],
  [21, "ForCES HP"],
  [22, "ForCES MP"],
  [23, "ForCES LP"],
  [24, "SBc-AP"],
  [25, "NBAP"],
  [27, "X2AP"],
]);
const PPID_M3UA = 3;
const FORCES_CHANNELS = new Map([
  [6704, "ForCES HP"],
  [6705, "ForCES MP"],
  [6706, "ForCES LP"],
]);

/** tcpdump's own " [|sctp]": a chunk cut short by the capture. */
const SCTP_TRUNCATED = Object.freeze({ sctp: "truncated" });
/** tcpdump stops the line after "bogus chunk length N]". */
const SCTP_BOGUS = Object.freeze({ sctp: "bogus" });

export function sctpPrint(c: PrintContext, at: number, length: number, ipAt: number): void {
  c.protocol = "sctp";
  if (length < COMMON_HEADER_LENGTH) {
    c.out += "truncated-sctp - " + (COMMON_HEADER_LENGTH - length) + " bytes missing!";
    return;
  }
  try {
    printPacket(c, at, length, ipAt);
  } catch (e) {
    if (e === SCTP_BOGUS) return;
    if (e !== SCTP_TRUNCATED) throw e;
    c.out += " [|sctp]";
  }
}

function printPacket(c: PrintContext, at: number, length: number, ipAt: number): void {
  if (!has(c, at, COMMON_HEADER_LENGTH)) throw SCTP_TRUNCATED;
  const sport = be16(c, at);
  const dport = be16(c, at + 2);
  const v6 = u8(c, ipAt) >> 4 === 6;
  c.out +=
    (v6 ? ipv6String(c, ipAt + 8) : ipv4String(c, ipAt + 12)) +
    "." +
    sport +
    " > " +
    (v6 ? ipv6String(c, ipAt + 24) : ipv4String(c, ipAt + 16)) +
    "." +
    dport +
    ": sctp";
  let forces = false;
  for (const port of [sport, dport]) {
    const channel = FORCES_CHANNELS.get(port);
    if (channel !== undefined) {
      c.out += "[" + channel + "]";
      forces = true;
    }
  }
  const verbose = c.flags.verbose;
  let p = at + COMMON_HEADER_LENGTH;
  // Unsigned like tcpdump's counters: a chunk longer than the rest wraps them around.
  let remaining = (length - COMMON_HEADER_LENGTH) >>> 0;
  let sep = verbose >= 2 ? "\n\t" : " (";
  const bogus = (chunkLength: number): never => {
    c.out += "bogus chunk length " + chunkLength + "]";
    throw SCTP_BOGUS;
  };
  for (let count = 1; remaining !== 0; count++) {
    if (remaining < CHUNK_HEADER_LENGTH) {
      c.out += sep + count + ") [chunk descriptor cut off at end of packet]";
      break;
    }
    if (!has(c, p, CHUNK_HEADER_LENGTH)) throw SCTP_TRUNCATED;
    const chunkLength = be16(c, p + 2);
    if (chunkLength < CHUNK_HEADER_LENGTH) {
      c.out += sep + count + ") [Bad chunk length " + chunkLength + ", < size of chunk descriptor]";
      break;
    }
    let align = chunkLength % 4;
    if (align !== 0) align = 4 - align;
    if (remaining < align) {
      c.out += sep + count + ") [Bad chunk length " + chunkLength + ", > remaining data in packet]";
      break;
    }
    if (!has(c, p, chunkLength)) throw SCTP_TRUNCATED;
    const id = u8(c, p);
    const flags = u8(c, p + 1);
    p += CHUNK_HEADER_LENGTH;
    remaining = (remaining - CHUNK_HEADER_LENGTH) >>> 0;
    let chunkLeft = chunkLength - CHUNK_HEADER_LENGTH;
    c.out += sep + count + ") ";
    c.out += "[" + (CHUNK_NAMES.get(id) ?? "Unknown chunk type: 0x" + id.toString(16)) + "] ";
    switch (id) {
      case DATA: {
        if (flags & 0x04) c.out += "(U)";
        if (flags & 0x02) c.out += "(B)";
        if (flags & 0x01) c.out += "(E)";
        if (flags & 0x07) c.out += " ";
        if (chunkLeft < DATA_HEADER_LENGTH) bogus(chunkLength);
        const ppid = be32(c, p + 8);
        c.out += "[TSN: " + be32(c, p) + "] ";
        c.out += "[SID: " + be16(c, p + 4) + "] ";
        c.out += "[SSEQ " + be16(c, p + 6) + "] ";
        c.out += "[PPID " + (PAYLOAD_PROTOCOLS.get(ppid) ?? "0x" + ppid.toString(16)) + "] ";
        if (!forces) forces = ppid === 21 || ppid === 22 || ppid === 23;
        p += DATA_HEADER_LENGTH;
        remaining = (remaining - DATA_HEADER_LENGTH) >>> 0;
        chunkLeft -= DATA_HEADER_LENGTH;
        const payload = chunkLeft;
        if (payload === 0) bogus(chunkLength);
        if (forces) {
          forcesPrint(c, p, payload);
          c.protocol = "sctp";
        } else if (verbose >= 2) {
          if (ppid === PPID_M3UA) {
            c.markUnsupported("sctp m3ua");
            return;
          }
          c.out += "[Payload";
          if (!c.flags.suppressDefaultPrint) {
            c.out += ":";
            defaultPrint(c, p, payload);
          }
          c.out += "]";
        }
        p += payload;
        remaining = (remaining - payload) >>> 0;
        chunkLeft = 0;
        break;
      }
      case INIT:
      case INIT_ACK:
        if (chunkLeft < INIT_HEADER_LENGTH) bogus(chunkLength);
        c.out += "[init tag: " + be32(c, p) + "] ";
        c.out += "[rwnd: " + be32(c, p + 4) + "] ";
        c.out += "[OS: " + be16(c, p + 8) + "] ";
        c.out += "[MIS: " + be16(c, p + 10) + "] ";
        c.out += "[init TSN: " + be32(c, p + 12) + "] ";
        p += chunkLeft;
        remaining = (remaining - chunkLeft) >>> 0;
        chunkLeft = 0;
        break;
      case SACK: {
        if (chunkLeft < SACK_HEADER_LENGTH) bogus(chunkLength);
        const sackAt = p;
        const cumulative = be32(c, sackAt);
        c.out += "[cum ack " + cumulative + "] ";
        c.out += "[a_rwnd " + be32(c, sackAt + 4) + "] ";
        c.out += "[#gap acks " + be16(c, sackAt + 8) + "] ";
        c.out += "[#dup tsns " + be16(c, sackAt + 10) + "] ";
        p += SACK_HEADER_LENGTH;
        remaining = (remaining - SACK_HEADER_LENGTH) >>> 0;
        chunkLeft -= SACK_HEADER_LENGTH;
        for (let gap = 0; chunkLeft !== 0 && gap < be16(c, sackAt + 8); gap++) {
          if (chunkLeft < 4) bogus(chunkLength);
          c.out +=
            "\n\t\t[gap ack block #" +
            (gap + 1) +
            ": start = " +
            ((cumulative + be16(c, p)) >>> 0) +
            ", end = " +
            ((cumulative + be16(c, p + 2)) >>> 0) +
            "] ";
          p += 4;
          remaining = (remaining - 4) >>> 0;
          chunkLeft -= 4;
        }
        for (let dup = 0; chunkLeft !== 0 && dup < be16(c, sackAt + 10); dup++) {
          if (chunkLeft < 4) bogus(chunkLength);
          c.out += "\n\t\t[dup TSN #" + (dup + 1) + ": " + be32(c, p) + "] ";
          p += 4;
          remaining = (remaining - 4) >>> 0;
          chunkLeft -= 4;
        }
        break;
      }
      default:
        p += chunkLeft;
        remaining = (remaining - chunkLeft) >>> 0;
        chunkLeft = 0;
    }
    // Whatever the chunk's fields left over.
    p += chunkLeft;
    remaining = (remaining - chunkLeft) >>> 0;
    if (verbose < 2) sep = ", (";
    if (align !== 0) {
      if (!has(c, p, align)) throw SCTP_TRUNCATED;
      p += align;
      remaining = (remaining - align) >>> 0;
    }
  }
}
