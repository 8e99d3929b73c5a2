// A capture of LDP PDUs (UDP and TCP port 646) for the dump printer's tests: every message type,
// every TLV tcpdump decodes (hello and session parameters, transport addresses, address lists,
// FECs with IPv4/IPv6 prefixes and pseudowires with interface parameters, labels, status, fault
// tolerance, MTU) and the others, several PDUs a segment, and the lengths tcpdump complains about;
// each also cut short at several places and mutated at random (from a fixed seed). The corpus
// holds hellos, notifications and a few malformed PDUs.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { sum16 } from "./udp-frame.js";

const PORT = 646;
const MUTATED_COPIES = 5;

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const text = (s: string): number[] => [...Buffer.from(s, "latin1")];
const V6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

function tlv(type: number, value: number[], length = value.length): number[] {
  return [...be16(type), ...be16(length), ...value];
}
function message(type: number, tlvs: number[][], id = 0x1234, length?: number): number[] {
  const body = tlvs.flat();
  return [...be16(type), ...be16(length ?? 4 + body.length), ...be32(id), ...body];
}
function pdu(messages: number[][], length?: number, version = 1): number[] {
  const body = messages.flat();
  return [...be16(version), ...be16(length ?? 6 + body.length), 192, 0, 2, 1, 0, 0, ...body];
}

const hello = message(0x0100, [
  tlv(0x0400, [0, 15, 0xc0, 0]),
  tlv(0x0401, [192, 0, 2, 1]),
  tlv(0x0403, V6),
  tlv(0x0402, be32(77)),
]);
const martini = (info: number[], infoLength = info.length + 4, pw = 0x8005): number[] => [
  0x80,
  ...be16(pw),
  infoLength,
  ...be32(9),
  ...be32(1001),
  ...info,
];
const ifParams = [1, 4, 0x05, 0xdc, 3, 6, ...text("pw\x01\xe9"), 0x0c, 4, 0x07, 0x06, 9, 4, 0xaa, 0xbb];

function segments(): number[][] {
  return [
    pdu([hello]),
    pdu([
      message(0x0200, [
        tlv(0x0500, [0, 1, 0, 180, 0, 0, 0xc0, 0, 192, 0, 2, 2, 0, 0]),
        tlv(0x0503, [0x80, 0x0f, 0, 0, ...be32(120000), ...be32(0)]),
      ]),
      message(0x0201, []),
    ]),
    pdu([
      message(0x0300, [tlv(0x0101, [0, 1, 192, 0, 2, 1, 10, 0, 0, 1, 9])]),
      message(0x0301, [tlv(0x0101, [0, 2, ...V6])]),
      message(0x0300, [tlv(0x0101, [0, 99, 1, 2])]),
    ]),
    pdu([
      message(0x0400, [tlv(0x0100, [2, 0, 1, 24, 198, 51, 100]), tlv(0x0200, be32(0x12345))]),
      message(0x0400, [tlv(0x0100, [2, 0, 2, 48, 0x20, 1, 0x0d, 0xb8, 0, 1])]),
      message(0x0402, [
        tlv(0x0100, [1]),
        tlv(0x0100, [3, 1, 2]),
        tlv(0x0100, [2, 0, 1, 40]),
        tlv(0x0100, [2, 0, 7, 8]),
      ]),
    ]),
    pdu([message(0x0400, [tlv(0x0100, martini(ifParams)), tlv(0x0200, be32(16))])]),
    pdu([
      message(0x0400, [
        tlv(0x0100, martini([], 0, 0x0040)),
        tlv(0x0100, martini([], 2, 0x0077)),
        tlv(0x0100, martini([1, 4, 0, 9], 20)),
      ]),
    ]),
    pdu([
      message(
        0x0001,
        [tlv(0x0300, [0x80, 0, 0, 0x0a, ...be32(0x55)]), tlv(0x4601, [5, 0xdc]), tlv(0x8301, [1, 2, 3])],
        0xfffffff9,
      ),
    ]),
    pdu([message(0x0001, [tlv(0x0300, [0x40, 0, 0, 1, 0, 0, 0, 0]), tlv(0x0300, [1, 2])])]),
    pdu([
      message(0x0100, [
        tlv(0x0400, [0, 15]),
        tlv(0x0401, [1]),
        tlv(0x0500, [0]),
        tlv(0x0503, [0]),
        tlv(0x0601, []),
        tlv(0x0403, [1]),
      ]),
    ]),
    pdu([message(0x0100, [tlv(0x0400, [0, 15, 0, 0], 40)])]),
    pdu([message(0x0401, [tlv(0x0100, [1])]), message(0x0403, [[1, 2, 3]]), message(0x7777, [tlv(1, [1])], 5)]),
    pdu([message(0x0100, [], 1, 2)]),
    pdu([hello], 3),
    pdu([hello], 200),
    pdu([hello], undefined, 2),
    [...pdu([hello]), ...pdu([message(0x0201, [])])],
    [...pdu([message(0x0201, [])]), 0, 1, 0, 30, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    pdu([message(0x0400, [tlv(0x0100, [2, 0, 1, 33, 1, 2, 3, 4, 5])])]),
  ];
}

/** Ethernet/IPv4 with UDP (even i) or TCP (odd i) to port 646. */
function frame(payload: number[], i: number): Uint8Array {
  const tcp = i % 2 === 1;
  const protocol = tcp ? 6 : 17;
  const sport = 40000 + i;
  const header = tcp
    ? [...be16(sport), ...be16(PORT), ...be32(5000), ...be32(7000), 0x50, 0x18, ...be16(2048), 0, 0, 0, 0]
    : [...be16(sport), ...be16(PORT), ...be16(8 + payload.length), 0, 0];
  const length = header.length + payload.length;
  const pseudo = sum16([10, 0, 0, 1, 10, 0, 0, 2, 0, protocol, ...be16(length)]);
  const check = ~sum16([...header, ...payload], pseudo) & 0xffff || 0xffff;
  const at = tcp ? 16 : 6;
  header[at] = check >> 8;
  header[at + 1] = check & 0xff;
  const total = 20 + length;
  const ip = [0x45, 0xc0, ...be16(total), 0, i & 0xff, 0, 0, 1, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const ipCheck = ~sum16(ip) & 0xffff;
  ip[10] = ipCheck >> 8;
  ip[11] = ipCheck & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...header, ...payload]);
}

/** Every segment whole over both transports, cut short at a few places inside its payload, and mutated. */
export function ldpCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(PORT);
  segments().forEach((payload, i) => {
    for (const copyIndex of [2 * i, 2 * i + 1]) {
      const data = frame(payload, copyIndex);
      const timestampNs = BigInt(1_700_000_000 + copyIndex) * 1_000_000_000n;
      records.push({ data, timestampNs });
      const start = data.length - payload.length;
      const cuts = new Set([
        start + 5,
        start + 12,
        start + 21,
        start + 30,
        start + 45,
        data.length - 3,
        data.length - 1,
      ]);
      for (const cut of cuts) {
        if (cut >= start && cut < data.length) {
          records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
        }
      }
      for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
    }
  });
  return writeCaptureFile(dir, "ldp.pcap", records);
}
