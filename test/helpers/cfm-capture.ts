// A capture of CFM (IEEE 802.1ag) frames for the dump printer's tests: continuity checks with every
// interval and name format, linktrace messages and replies, loopbacks, other opcodes and versions,
// each TLV kind (sender IDs with every chassis ID type, management addresses, organization-specific
// ones) and the lengths and offsets tcpdump complains about; each also cut short by the snapshot
// length at several places and mutated at random (from a fixed seed). The corpus holds four CFM
// frames.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

const MUTATED_COPIES = 6;
const MAC = [0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e];

const text = (s: string): number[] => [...Buffer.from(s, "latin1")];
const tlv = (type: number, value: number[], length = value.length): number[] => [
  type,
  length >> 8,
  length & 0xff,
  ...value,
];
const header = (level: number, version: number, opcode: number, flags: number, offset: number): number[] => [
  (level << 5) | version,
  opcode,
  flags,
  offset,
];

/** A continuity check's 70 bytes: sequence, MEP ID, the 48 bytes of names, 16 bytes of Y.1731. */
function ccmBody(names: number[], sequence = 0x1234, mep = 0x1f4): number[] {
  const padded = [...names, ...Array(48).fill(0)].slice(0, 48);
  return [sequence >>> 24, (sequence >> 16) & 0xff, (sequence >> 8) & 0xff, sequence & 0xff, mep >> 8, mep & 0xff]
    .concat(padded)
    .concat(Array(16).fill(0));
}
const ccm = (flags: number, names: number[], ...tlvs: number[][]): number[] => [
  ...header(5, 0, 1, flags, 70),
  ...ccmBody(names),
  ...tlvs.flat(),
];

function senderIds(): number[][] {
  return [
    tlv(1, [6, 4, ...MAC]),
    tlv(1, [5, 4, 1, 2, 3, 4, 5]),
    tlv(1, [7, 6, ...text("switch")]),
    tlv(1, [5, 5, 1, 192, 0, 2, 1]),
    tlv(1, [17, 5, 2, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    tlv(1, [3, 5, 1, 10, 0]),
    tlv(1, [3, 5, 2, 10, 0]),
    tlv(1, [3, 5, 6, 10, 0]),
    tlv(1, [4, 2, ...text("eth0")]),
    tlv(1, [3, 1, ...text("ab\x00")]),
    tlv(1, [3, 3, ...text("idx")]),
    tlv(1, [3, 9, 1, 2, 3]),
    tlv(1, [3, 0, 1, 2, 3]),
    tlv(1, [0]),
    tlv(1, [0, 4, 0x2b, 6, 1, 2, 3, 10, 0, 0, 1]),
    tlv(1, [0, 4, 0x2b, 6, 1, 2]),
    tlv(1, [0, 4, 0x2b, 6, 1, 2, 0]),
    tlv(1, [0, 4, 0x2b, 6, 1, 2, 5, 10, 0]),
    tlv(1, [0, 9, 1, 2]),
    tlv(1, [6, 4, ...MAC, 2, 0x2b, 6, 4, 127, 0, 0, 1]),
    tlv(1, [2]),
    tlv(1, [], 0),
  ];
}

function messages(): number[][] {
  const mdChar = [4, 6, ...text("domain"), 2, 4, ...text("ma-1")];
  const list: number[][] = [];
  for (let interval = 0; interval < 8; interval++) list.push(ccm(interval, mdChar, tlv(2, [2]), [0]));
  list.push(
    ccm(0x84, mdChar, tlv(3, [1]), [0]),
    ccm(0x01, [1, 2, 4, ...text("only")], [0]),
    ccm(0x01, [2, 11, ...text("example.com"), 3, 2, 0, 100], [0]),
    ccm(0x01, [3, 8, ...MAC, 0, 7, 1, 2, 0, 5], [0]),
    ccm(0x01, [3, 5, ...MAC, 1, 2, 0, 5], [0]),
    ccm(0x01, [0, 3, 1, 2, 3, 4, 7, 0, 0, 0x1a, 0x2b, 0, 0, 1], [0]),
    ccm(0x01, [9, 2, 1, 2, 9, 3, 1, 2, 3], [0]),
    ccm(0x01, [4, 44, ...Array(44).fill(0x41)], [0]),
    ccm(0x01, [4, 43, ...Array(43).fill(0x41), 2, 1, 0x42], [0]),
    ccm(0x01, [1, 2, 47, ...Array(45).fill(0x43)], [0]),
    ccm(0x01, [1, 2, 46, ...Array(45).fill(0x43)], [0]),
    ccm(0x01, [4, 3, ...text("a\x01\xff"), 2, 3, ...text("b\x00c")], [0]),
    [...header(5, 0, 1, 0x01, 69), ...ccmBody(mdChar), 0],
    [...header(5, 0, 1, 0x01, 70), ...ccmBody(mdChar).slice(0, 60)],
    [...header(5, 0, 1, 0x01, 90), ...ccmBody(mdChar)],
    // Linktrace, loopback and others.
    [...header(3, 0, 5, 0x80, 17), 0, 0, 0, 9, 64, ...MAC, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...tlv(7, [1, 2]), 0],
    [...header(3, 0, 5, 0x00, 16), 0, 0, 0, 9, 64, ...MAC, ...MAC, 0],
    [...header(3, 0, 5, 0x00, 17), 0, 0, 0, 9, 64, ...MAC],
    [...header(3, 0, 4, 0xe0, 6), 0, 0, 0, 9, 63, 1, ...tlv(5, [1, ...MAC]), ...tlv(6, [2, ...MAC]), 0],
    [...header(3, 0, 4, 0x40, 6), 0, 0, 0, 9, 63, 2, 0],
    [...header(3, 0, 4, 0x00, 6), 0, 0, 0, 9, 63, 9],
    [...header(3, 0, 4, 0x00, 5), 0, 0, 0, 9, 63, 3, 0],
    [...header(2, 0, 3, 0, 4), 0, 0, 0, 1, ...tlv(4, text("payload")), 0],
    [...header(2, 0, 2, 0, 4), 0, 0, 0, 1, 0],
    [...header(7, 0, 47, 0, 0), ...tlv(31, [0x00, 0x80, 0xc2, 1, 5, 6]), 0],
    [...header(7, 0, 46, 0, 4), 1, 2, 3, 4, ...tlv(31, [0x00, 0x12, 0x0f, 2]), ...tlv(31, [0, 0, 1]), 0],
    [...header(0, 0, 99, 0, 0), ...tlv(2, []), 0],
    [...header(0, 0, 99, 0, 0), ...tlv(3, [9]), ...tlv(2, [7]), ...tlv(2, [1, 2])],
    [...header(0, 0, 99, 0, 0), ...tlv(3, []), 0],
    [...header(0, 0, 99, 0, 0), ...tlv(31, [1, 2, 3])],
    [...header(0, 0, 99, 0, 0), 2, 0],
    [...header(0, 0, 99, 0, 0), ...tlv(4, [1, 2, 3], 9)],
    [...header(0, 0, 99, 0, 0), ...tlv(200, [1])],
    [...header(0, 0, 99, 0, 200), 1, 2],
    [...header(1, 1, 1, 0, 70)],
    [...header(1, 31, 1, 0, 70)],
    [0, 1, 0],
    [],
  );
  for (const sender of senderIds()) list.push([...header(4, 0, 3, 0, 4), 0, 0, 0, 2, ...sender, 0]);
  return list;
}

/** An Ethernet frame of EtherType 0x8902 (0xabcd, the pre-standard type, for every fifth). */
function frame(payload: number[], i: number): Uint8Array {
  const type = i % 5 === 4 ? 0xabcd : 0x8902;
  return new Uint8Array([0x01, 0x80, 0xc2, 0, 0, 0x30 + (i % 8), ...MAC, type >> 8, type & 0xff, ...payload]);
}

/** Every frame whole, cut short at a few places inside its CFM payload, and mutated. */
export function cfmCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(0x8902);
  messages().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = 14;
    const cuts = new Set([start + 2, start + 5, start + 30, start + 76, data.length - 3, data.length - 1]);
    for (const cut of cuts) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "cfm.pcap", records);
}
