// A capture of RPKI-Router protocol segments (TCP port 323) for the dump printer's tests: every PDU
// type, several PDUs a segment, error reports with and without an erroneous PDU (nested once and
// twice) and error text, unknown types and versions, and the lengths tcpdump calls invalid; each
// also cut short at several places and mutated at random (from a fixed seed). The corpus holds
// only PDUs of unknown versions.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { sum16 } from "./udp-frame.js";

const PORT = 323;
const MUTATED_COPIES = 5;

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const text = (s: string): number[] => [...Buffer.from(s, "latin1")];

/** A PDU: version, type, the session ID or error code, the length (the real one unless given). */
function pdu(type: number, field: number, body: number[], length = 8 + body.length, version = 0): number[] {
  return [version, type, ...be16(field), ...be32(length), ...body];
}
const V6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const serialNotify = pdu(0, 0xbeef, be32(4000000001));
const v4Prefix = pdu(4, 0, [1, 24, 32, 0, 192, 0, 2, 0, ...be32(64496)]);
const v6Prefix = pdu(6, 0, [0, 32, 48, 0, ...V6, ...be32(4200000000)]);
function errorReport(code: number, inner: number[], message: number[], innerLength = inner.length): number[] {
  return pdu(10, code, [...be32(innerLength), ...inner, ...be32(message.length), ...message]);
}

function segments(): number[][] {
  return [
    serialNotify,
    pdu(1, 0x1234, be32(7)),
    pdu(2, 0, []),
    [...pdu(3, 0x0102, []), ...v4Prefix, ...v6Prefix, ...pdu(7, 0x0102, be32(99))],
    pdu(8, 0, []),
    errorReport(2, [], text("no data yet")),
    errorReport(5, pdu(9, 0, [1, 2, 3]), text("bad \x01type\xff\n")),
    errorReport(99, errorReport(0, v4Prefix, text("inner")), text("outer")),
    errorReport(1, v6Prefix, []),
    errorReport(3, v4Prefix, [], 200),
    pdu(10, 0, [0, 0]),
    pdu(10, 0, be32(0)),
    [...pdu(9, 0, [1, 2, 3, 4, 5, 6, 7]), ...serialNotify],
    pdu(0, 0, be32(1), 8),
    pdu(0, 0, be32(1), 4),
    pdu(0, 0, be32(1), 100),
    pdu(2, 0, be32(1)),
    pdu(3, 0, [0]),
    pdu(4, 0, [1, 2, 3, 4]),
    pdu(6, 0, [...v4Prefix.slice(8), 0, 0, 0, 0]),
    [...serialNotify, ...pdu(0, 0, [], 8, 1), ...serialNotify],
    [...serialNotify, 0, 1, 0],
    [0, 2, 0, 0],
  ];
}

/** Ethernet/IPv4/TCP from the cache (port 323) to a router, a push with an ACK, each its own connection. */
function frame(payload: number[], i: number): Uint8Array {
  const sport = i % 2 === 0 ? PORT : 50000 + i;
  const dport = i % 2 === 0 ? 50000 + i : PORT;
  const tcp = [...be16(sport), ...be16(dport), ...be32(1000 + i), ...be32(2000), 0x50, 0x18, ...be16(1024), 0, 0, 0, 0];
  const length = tcp.length + payload.length;
  const pseudo = sum16([10, 0, 0, 1, 10, 0, 0, 2, 0, 6, ...be16(length)]);
  const check = ~sum16([...tcp, ...payload], pseudo) & 0xffff;
  tcp[16] = check >> 8;
  tcp[17] = check & 0xff;
  const total = 20 + length;
  const ip = [0x45, 0, ...be16(total), 0, i & 0xff, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const ipCheck = ~sum16(ip) & 0xffff;
  ip[10] = ipCheck >> 8;
  ip[11] = ipCheck & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...tcp, ...payload]);
}

/** Every segment whole, cut short at a few places inside its payload, and mutated. */
export function rpkiRtrCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(PORT);
  segments().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = data.length - payload.length;
    const cuts = new Set([start + 1, start + 6, start + 10, start + 14, start + 30, data.length - 5, data.length - 1]);
    for (const cut of cuts) {
      if (cut >= start && cut < data.length) {
        records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
      }
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "rpki-rtr.pcap", records);
}
