// A capture of the messages IGMP carries besides group membership, for the dump printer's tests:
// DVMRP (probes, route reports, neighbour lists old and new, prunes, grafts, unknown types and bad
// lengths), PIMv1 (queries in each mode, registers, register-stops, one-line and multi-group
// join/prunes, grafts, RP reachability, asserts, other versions) and multicast traceroute queries
// and responses; each also cut short by the snapshot length at several places and mutated at
// random (from a fixed seed). The corpus holds few of them: two DVMRP and a handful of PIMv1.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { sum16 } from "./udp-frame.js";

const MUTATED_COPIES = 6;

const ip = (a: number, b: number, c: number, d: number): number[] => [a, b, c, d];
const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ALL_ONES = [255, 255, 255, 255];

/** An IGMP message: type, code, checksum (filled in later), the 4-byte group field, then the body. */
const igmp = (type: number, code: number, group: number[], ...body: number[][]): number[] => [
  type,
  code,
  0,
  0,
  ...group,
  ...body.flat(),
];
const dvmrp = (code: number, ...body: number[][]): number[] => igmp(0x13, code, [0, 0, 0xff, 3], ...body);
const pimv1 = (code: number, ...body: number[][]): number[] => igmp(0x14, code, [0x10, 0, 0, 0], ...body);

/** A PIMv1 join/prune body: upstream neighbour, hold time, then groups of [group, mask, joins, prunes]. */
function joinPrune(hold: number, groups: [number[], number[], number[][], number[][]][]): number[] {
  const out = [...ip(10, 0, 0, 1), 0, 0, ...u16(hold), 0, 4, 4, groups.length];
  for (const [group, mask, joins, prunes] of groups) {
    out.push(...group, ...mask, ...u16(joins.length), ...u16(prunes.length));
    for (const source of [...joins, ...prunes]) out.push(...source);
  }
  return out;
}
/** A join/prune source: sparse bit, then WC and RP bits with the mask length, then the address. */
const source = (sparse: number, bits: number, addr: number[]): number[] => [sparse, bits, ...addr];

function messages(): number[][] {
  const grp = ip(239, 1, 2, 3);
  const probe = dvmrp(1, u32(0x12345678), ip(10, 0, 0, 2), ip(10, 0, 0, 3));
  const report = dvmrp(
    2,
    [255, 255, 0],
    [10, 1, 1, 2],
    [10, 2, 1, 3],
    [10, 3, 1, 0x81],
    [255, 0, 0],
    [11, 12, 0x85],
    [0, 0, 0],
    [0, 0x90],
  );
  const neighbors = dvmrp(
    4,
    ip(10, 0, 0, 1),
    [1, 2, 2],
    ip(10, 0, 0, 5),
    ip(10, 0, 0, 6),
    ip(10, 0, 1, 1),
    [3, 1, 1],
    ip(10, 0, 1, 2),
  );
  const neighbors2 = dvmrp(
    6,
    ip(10, 0, 0, 1),
    [1, 0, 0x41, 2],
    ip(10, 0, 0, 5),
    ip(10, 0, 0, 6),
    ip(10, 0, 1, 1),
    [2, 8, 0x33, 1],
    ip(10, 0, 1, 2),
  );
  const mtrace = (type: number, reply: number[], ttl: number, ...hops: number[][]): number[] =>
    igmp(type, 5, grp, ip(10, 1, 0, 1), ip(10, 2, 0, 1), reply, [ttl, 0x01, 0x02, 0x03], ...hops);
  const hop = [
    ...u32(0x1000),
    ...ip(10, 0, 0, 1),
    ...ip(10, 0, 0, 2),
    ...ip(10, 0, 0, 3),
    ...u32(1),
    ...u32(2),
    ...u32(3),
    1,
    1,
    24,
    0,
  ];
  return [
    probe,
    dvmrp(1, u32(7)),
    dvmrp(1, u32(7), [10, 0]),
    dvmrp(1),
    report,
    dvmrp(2, [255, 255, 255], [10, 1, 1]),
    dvmrp(2, [255, 255]),
    dvmrp(3),
    neighbors,
    dvmrp(4, ip(10, 0, 0, 1), [1, 2, 3], ip(10, 0, 0, 5)),
    dvmrp(4, ip(10, 0, 0, 1), [1]),
    dvmrp(5),
    neighbors2,
    dvmrp(6, ip(10, 0, 0, 1), [1, 0, 0x02, 3], ip(10, 0, 0, 5)),
    dvmrp(6, ip(10, 0, 0, 1), [1, 0, 0x10, 0]),
    dvmrp(6, ip(10, 0, 0, 1), [1]),
    dvmrp(7, ip(10, 1, 0, 1), grp, u32(7200)),
    dvmrp(7, ip(10, 1, 0, 1), grp, u32(0)),
    dvmrp(8, ip(10, 1, 0, 1), grp),
    dvmrp(9, ip(10, 1, 0, 1), grp),
    dvmrp(10, ip(10, 1, 0, 1)),
    dvmrp(0),
    [0x13, 1, 0, 0, 0],
    pimv1(0, [0x00, 0, 0, 105]),
    pimv1(0, [0x10, 0, 0, 90]),
    pimv1(0, [0x20, 0, 1, 0]),
    pimv1(0, [0x50, 0, 0, 0]),
    pimv1(0),
    pimv1(1, [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0], ip(10, 1, 0, 1), grp),
    pimv1(1, [0x45, 0, 0, 20]),
    pimv1(2, grp, ip(10, 1, 0, 1)),
    pimv1(3, joinPrune(180, [[grp, ALL_ONES, [source(1, 0x20, ip(10, 1, 0, 1))], []]])),
    pimv1(3, joinPrune(210, [[grp, ip(255, 255, 0, 0), [], [source(0, 0xe0, ip(10, 1, 0, 0))]]])),
    pimv1(
      3,
      joinPrune(60, [
        [
          grp,
          ALL_ONES,
          [source(1, 0x20, ip(10, 1, 0, 1)), source(0, 0x98, ip(10, 2, 0, 0))],
          [source(1, 0x60, ip(10, 3, 0, 1))],
        ],
        [ip(239, 9, 9, 9), ip(255, 255, 255, 0), [], []],
      ]),
    ),
    pimv1(
      3,
      joinPrune(60, [[grp, ALL_ONES, [source(1, 0x20, ip(10, 1, 0, 1))], [source(1, 0x20, ip(10, 1, 0, 2))]]]).slice(
        0,
        27,
      ),
    ),
    pimv1(3, ip(10, 0, 0, 1), [0, 0]),
    pimv1(3),
    pimv1(6, joinPrune(180, [[grp, ALL_ONES, [source(1, 0x20, ip(10, 1, 0, 1))], []]])),
    pimv1(7, joinPrune(0, [[grp, ALL_ONES, [], [source(1, 0x20, ip(10, 1, 0, 1)), source(1, 0x20, ip(10, 1, 0, 2))]]])),
    pimv1(4, grp, ip(255, 255, 255, 0), ip(10, 9, 9, 9), [0, 0, 1, 14]),
    pimv1(4, grp, ALL_ONES, ip(10, 9, 9, 9), [0, 0, 0, 0]),
    pimv1(5, grp, ALL_ONES, ip(10, 1, 0, 1), u32(0x80000064), u32(20)),
    pimv1(5, grp, ip(255, 0, 0, 0), ip(10, 1, 0, 1), u32(5), u32(0xffffffff)),
    pimv1(9, grp),
    [0x14, 0, 0, 0, 0x20, 0, 0, 0, 0x10, 0, 0, 30],
    [0x14, 2, 0, 0, 0x00, 0, 0, 0, ...grp, ...ip(10, 1, 0, 1)],
    mtrace(0x1f, ip(10, 1, 0, 1), 64),
    mtrace(0x1f, ip(224, 0, 1, 32), 32),
    mtrace(0x1e, ip(10, 1, 0, 1), 64, hop, hop),
    mtrace(0x1e, ip(239, 255, 0, 1), 1, hop),
    igmp(0x1f, 0, grp, ip(10, 1, 0, 1)),
    igmp(0x1e, 0, grp),
  ];
}

/** Ethernet/IPv4 from a router to 224.0.0.4 (every tenth with a wrong IGMP checksum). */
function frame(message: number[], i: number): Uint8Array {
  const payload = [...message];
  if (payload.length >= 4) {
    const check = (~sum16(payload) & 0xffff) ^ (i % 10 === 9 ? 0x5a5a : 0);
    payload[2] = check >> 8;
    payload[3] = check & 0xff;
  }
  const total = 20 + payload.length;
  const header = [0x45, 0xc0, total >> 8, total & 0xff, 0, i & 0xff, 0, 0, 1, 2, 0, 0, 10, 0, 0, 1, 224, 0, 0, 4];
  const check = ~sum16(header) & 0xffff;
  header[10] = check >> 8;
  header[11] = check & 0xff;
  const mac = [1, 0, 0x5e, 0, 0, 4, 0, 1, 2, 3, 4, 5, 8, 0];
  return new Uint8Array([...mac, ...header, ...payload]);
}

/** Every message whole, cut short at a few places inside it, and mutated. */
export function igmpCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(0x13);
  messages().forEach((message, i) => {
    const data = frame(message, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = data.length - message.length;
    const cuts = new Set([start, start + 1, start + 5, start + 9, start + 13, start + 22, start + 30, data.length - 1]);
    for (const cut of cuts) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "igmp-carried.pcap", records);
}
