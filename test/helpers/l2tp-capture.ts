// A capture of L2TP messages for the dump printer's tests: control messages with every AVP tcpdump
// decodes (and ones too short for their value), hidden and vendor AVPs, zero-length
// acknowledgements, data messages carrying PPP with and without sequence numbers and offsets,
// L2F and other versions, over UDP port 1701; each also cut short by the snapshot length at
// several places and mutated at random (from a fixed seed). The corpus holds a few malformed
// control messages only.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { udpFrame } from "./udp-frame.js";

const MUTATED_COPIES = 6;
const PORT = 1701;

const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const text = (s: string): number[] => [...Buffer.from(s, "latin1")];
/** An AVP: flags (mandatory, hidden), vendor, type and value. */
const avp = (type: number, value: number[], flags = 0x8000, vendor = 0): number[] => [
  ...u16(flags | (value.length + 6)),
  ...u16(vendor),
  ...u16(type),
  ...value,
];
/** A control message: T, L and S set, tunnel 7, session 9. */
const control = (...avps: number[][]): number[] => {
  const body = avps.flat();
  return [0xc8, 0x02, ...u16(12 + body.length), 0, 7, 0, 9, 0, 1, 0, 2, ...body];
};

function messages(): number[][] {
  const avps = [
    avp(0, u16(1)),
    avp(0, u16(99)),
    avp(0, [1]),
    avp(1, u16(2)),
    avp(1, [0, 2, 0, 6]),
    avp(1, [0, 2, 0, 6, ...text("busy\x01")]),
    avp(1, [0, 2, 0]),
    avp(1, []),
    avp(2, [1, 0]),
    avp(3, u32(3)),
    avp(3, u32(1)),
    avp(4, u32(2)),
    avp(4, [0, 0]),
    avp(5, [1, 2, 3, 4, 5, 6, 7, 8]),
    avp(5, [1, 2]),
    avp(6, u16(0x0680)),
    avp(7, text("lac.example")),
    avp(8, text("Vendor\xe9")),
    avp(9, u16(7)),
    avp(10, u16(4)),
    avp(11, [0xde, 0xad, 0xbe, 0xef]),
    avp(12, [0, 16, 0x42, ...text("cause")]),
    avp(12, [0, 16, 0x42]),
    avp(12, [0, 16]),
    avp(
      13,
      Array.from({ length: 16 }, (_, i) => i),
    ),
    avp(13, [1, 2, 3]),
    avp(14, u16(12)),
    avp(15, u32(123456)),
    avp(16, u32(9600)),
    avp(17, u32(100000000)),
    avp(18, u32(3)),
    avp(19, u32(2)),
    avp(20, [1, 2]),
    avp(21, text("5551234")),
    avp(22, text("5559876")),
    avp(23, text("sub")),
    avp(24, u32(64000)),
    avp(25, u32(5)),
    avp(26, [1, 2, 3]),
    avp(27, [4, 5]),
    avp(28, [6]),
    avp(29, u16(2)),
    avp(29, u16(9)),
    avp(30, text("user")),
    avp(31, [7, 8]),
    avp(32, u16(0x1234)),
    avp(33, [9]),
    avp(34, [0, 0, ...u32(1), ...u32(2), ...u32(3), ...u32(4), ...u32(5), ...u32(6)]),
    avp(34, [0, 0, ...u32(1), ...u32(2)]),
    avp(35, [0, 0, ...u32(0xffffffff), ...u32(0x0a)]),
    avp(35, [0, 0, ...u32(1)]),
    avp(35, [0]),
    avp(36, [1, 2, 3, 4]),
    avp(37, text("grp")),
    avp(38, u32(33600)),
    avp(39, []),
    avp(46, [0, 1, 0xc0, 0x21, 1, ...text("gone")]),
    avp(46, [0, 1, 0xc0, 0x21, 7]),
    avp(46, [0, 1]),
    avp(60, [1, 2]),
    avp(7, text("secret"), 0xc000),
    avp(1, [1, 2, 3], 0, 311),
  ];
  const out: number[][] = [];
  for (let i = 0; i < avps.length; i += 3) out.push(control(...avps.slice(i, i + 3)));
  const lcp = [0xff, 0x03, 0xc0, 0x21, 9, 1, 0, 8, 1, 2, 3, 4];
  out.push(
    control(),
    control(...avps.slice(0, 20)),
    [0xc8, 0x02, 0, 200, 0, 7, 0, 9, 0, 1, 0, 2, ...avp(0, u16(6))],
    [0xc8, 0x02, 0, 6, 0, 7, 0, 9, 0, 1, 0, 2],
    [0x80, 0x02, 0, 7, 0, 9, ...avp(0, u16(6))],
    [0xc8, 0x02, ...u16(12 + 4), 0, 7, 0, 9, 0, 1, 0, 2, 0x80, 3, 0, 0],
    [0xc8, 0x02, ...u16(12 + 8), 0, 7, 0, 9, 0, 1, 0, 2, 0x80, 8, 0, 0, 0, 0, 0, 0],
    [0x00, 0x02, 0, 7, 0, 9, ...lcp],
    [0x40, 0x02, ...u16(8 + lcp.length), 0, 7, 0, 9, ...lcp],
    [0x08, 0x02, 0, 7, 0, 9, 0, 3, 0, 4, ...lcp],
    [0x02, 0x02, 0, 7, 0, 9, 0, 2, 0xaa, 0xbb, ...lcp],
    [0x02, 0x02, 0, 7, 0, 9, 0, 40, 0xaa],
    [0x01, 0x02, 0, 7, 0, 9, 0x00, 0x21, 0x45],
    [0x00, 0x01, 0, 7],
    [0x00, 0x03, 0, 7],
    [0xc8, 0x02],
    [0xc8],
  );
  return out;
}

/** Ethernet/IPv4/UDP between two hosts, to or from port 1701. */
function frame(payload: number[], i: number): Uint8Array {
  const [sport, dport] = i % 2 ? [PORT, PORT] : [30000 + i, PORT];
  return udpFrame(payload, sport, dport, i);
}

/** Every message whole, cut short at a few places inside it, and mutated. */
export function l2tpCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(PORT);
  messages().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = data.length - payload.length;
    const cuts = new Set([start, start + 1, start + 3, start + 9, start + 14, start + 20, data.length - 1]);
    for (const cut of cuts) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "l2tp.pcap", records);
}
