// A capture of RIPng messages for the dump printer's tests: requests (the whole-table dump and
// lists of prefixes), responses with tags, metrics and next-hop entries, lengths that are not a
// whole number of entries, other versions and commands, over IPv6 and IPv4; each also cut short by
// the snapshot length at several places and mutated at random (from a fixed seed). The corpus
// holds a single RIPng packet, a malformed one.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { sum16 } from "./udp-frame.js";

const MUTATED_COPIES = 6;
const PORT = 521;

/** An IPv6 address from its sixteen bytes given as eight 16-bit groups. */
const addr = (...groups: number[]): number[] => groups.flatMap((g) => [g >> 8, g & 0xff]);
const ANY = addr(0, 0, 0, 0, 0, 0, 0, 0);
const entry = (prefix: number[], tag: number, plen: number, metric: number): number[] => [
  ...prefix,
  tag >> 8,
  tag & 0xff,
  plen,
  metric,
];
const message = (command: number, version: number, ...entries: number[][]): number[] => [
  command,
  version,
  0,
  0,
  ...entries.flat(),
];

function messages(): number[][] {
  const doc = (n: number): number[] => addr(0x2001, 0xdb8, n, 0, 0, 0, 0, 0);
  const routes = Array.from({ length: 25 }, (_, i) => entry(doc(i), i % 3 === 0 ? 0 : i * 100, 48 + (i % 17), i % 16));
  return [
    message(1, 1, entry(ANY, 0, 0, 16)),
    message(1, 1, entry(ANY, 0, 0, 15)),
    message(1, 1, entry(doc(1), 0, 64, 16)),
    message(1, 1, entry(ANY, 7, 0, 16), entry(ANY, 0, 0, 16)),
    message(1, 1, entry(doc(1), 0, 48, 1), entry(doc(2), 65535, 56, 0)),
    message(1, 1),
    message(1, 1, [...entry(ANY, 0, 0, 16), 0]),
    message(1, 1, [...entry(doc(3), 0, 64, 3), 1, 2, 3]),
    message(2, 1, entry(doc(1), 0, 48, 1)),
    message(2, 1, entry(addr(0xfe80, 0, 0, 0, 0x21b, 0x21ff, 0xfe3c, 0x4d5e), 0, 0, 255), entry(doc(4), 12, 64, 2)),
    message(2, 1, entry(ANY, 0, 0, 255), entry(addr(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 1, 128, 16)),
    message(2, 1, ...routes),
    message(2, 1),
    message(2, 1, [...entry(doc(5), 0, 64, 1), ...Array(19).fill(0)]),
    message(2, 1, [9]),
    message(0, 1, entry(doc(1), 0, 48, 1)),
    message(3, 1, entry(doc(1), 0, 48, 1)),
    message(255, 1),
    message(1, 0, entry(ANY, 0, 0, 16)),
    message(2, 2, entry(doc(1), 0, 48, 1)),
    message(48, 48),
    [1, 1, 0],
    [2, 1],
    [1],
    [],
  ];
}

function udp(sport: number, dport: number, payload: number[], pseudo: number): number[] {
  const length = 8 + payload.length;
  const header = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, length >> 8, length & 0xff, 0, 0];
  const check = ~sum16([...header, ...payload], pseudo) & 0xffff || 0xffff;
  header[6] = check >> 8;
  header[7] = check & 0xff;
  return [...header, ...payload];
}

/** Ethernet/IPv6/UDP from a link-local router to ff02::9, or Ethernet/IPv4/UDP between two hosts. */
function frame(payload: number[], i: number, v6: boolean): Uint8Array {
  const sport = i % 3 === 2 ? 40000 + i : PORT;
  const dport = PORT;
  const length = 8 + payload.length;
  if (v6) {
    const src = addr(0xfe80, 0, 0, 0, 0x21b, 0x21ff, 0xfe3c, 0x4d5e);
    const dst = addr(0xff02, 0, 0, 0, 0, 0, 0, 9);
    const pseudo = sum16([...src, ...dst, 0, 0, length >> 8, length & 0xff, 0, 0, 0, 17]);
    const ip = [0x60, 0, 0, 0, length >> 8, length & 0xff, 17, 255, ...src, ...dst];
    const mac = [0x33, 0x33, 0, 0, 0, 9, 0, 0x1b, 0x21, 0x3c, 0x4d, 0x5e, 0x86, 0xdd];
    return new Uint8Array([...mac, ...ip, ...udp(sport, dport, payload, pseudo)]);
  }
  const total = 20 + length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, i & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const check = ~sum16(ip) & 0xffff;
  ip[10] = check >> 8;
  ip[11] = check & 0xff;
  const pseudo = sum16([10, 0, 0, 1, 10, 0, 0, 2, 0, 17, length >> 8, length & 0xff]);
  const mac = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0];
  return new Uint8Array([...mac, ...ip, ...udp(sport, dport, payload, pseudo)]);
}

/** Every message whole over both transports, cut short at a few places inside it, and mutated. */
export function ripngCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(PORT);
  messages().forEach((payload, i) => {
    for (const v6 of [true, false]) {
      const data = frame(payload, i, v6);
      const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
      records.push({ data, timestampNs });
      const start = data.length - payload.length;
      const cuts = new Set([start, start + 1, start + 3, start + 21, start + 38, data.length - 1]);
      for (const cut of cuts) {
        if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
      }
      for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
    }
  });
  return writeCaptureFile(dir, "ripng.pcap", records);
}
