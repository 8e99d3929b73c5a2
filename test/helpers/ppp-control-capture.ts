// A capture of PPP control protocol packets for the dump printer's tests: LCP with every option
// tcpdump decodes (and bogus lengths), the LCP-only codes, the options of IPCP (with IP header
// compression suboptions), IP6CP, CCP and BACP, OSICP and MPLSCP, CHAP, PAP, multilink and BAP, in PPPoE sessions and on Ethernet (EtherType 0x880b); each also cut short by the
// snapshot length at several places and mutated at random (from a fixed seed). The corpus holds
// four such packets.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

const MUTATED_COPIES = 6;
const LCP = 0xc021;
const CCP = 0x80fd;

const option = (type: number, ...value: number[]): number[] => [type, value.length + 2, ...value];
/** Code, identifier, the encoded length (header included unless given), then the data. */
const packet = (code: number, id: number, data: number[], encoded = data.length + 4): number[] => [
  code,
  id,
  encoded >> 8,
  encoded & 0xff,
  ...data,
];

function messages(): [number, number[]][] {
  const lcpOptions = [
    option(1, 0x05, 0xdc),
    option(2, 0, 0, 0, 0),
    option(3, 0xc2, 0x23, 5),
    option(3, 0xc2, 0x23, 0x81),
    option(3, 0xc2, 0x23, 9),
    option(3, 0xc0, 0x23),
    option(3, 0x12, 0x34),
    option(4, 0xc0, 0x25, 0, 0, 0, 10),
    option(4, 0x12, 0x34),
    option(5, 0x12, 0x34, 0x56, 0x78),
    option(7),
    option(8),
    option(13, 6),
    option(13, 9),
    option(17, 0x06, 0x4e),
    option(23, 0x12, 0x34),
    option(0, 0, 0, 0x0c, 1),
    option(6, 1, 2),
    option(9, 1),
  ];
  const endDisc = [
    option(19, 0),
    option(19, 1, 0x41),
    option(19, 2, 10, 0, 0, 1),
    option(19, 3, 0, 1, 2, 3, 4, 5),
    option(19, 4, 1, 2, 3, 4),
    option(19, 5, 0x35),
    option(19, 7),
    option(19, 2, 10, 0),
  ];
  const bogus = [option(1, 1), option(2, 1, 2), option(5, 1), option(23, 1), option(0, 1), option(17, 1), option(13)];
  const ccpOptions = [
    option(21, 0x2f),
    option(24, 0xa5, 3),
    option(26, 0x78, 0x00),
    option(26, 0x71, 0xff),
    option(1),
    option(50, 1, 2),
    option(21),
    option(24, 1),
    option(26, 0x78),
  ];
  const ipcpOptions = [
    option(1, 10, 0, 0, 1, 10, 0, 0, 2),
    option(1, 10, 0, 0, 1),
    option(2, 0, 0x2d, 15, 1),
    option(2, 0, 0x61, 0, 15, 0, 15, 0, 255, 0, 5, 0, 128),
    option(2, 0, 0x61, 0, 15, 0, 15, 0, 255, 0, 5, 0, 128, 1, 2, 2, 4, 0, 0, 3, 9),
    option(2, 0, 0x61, 0, 15, 0, 15, 0, 255, 0, 5, 0, 128, 0, 2),
    option(2, 0x12, 0x34),
    option(2, 0, 0x61, 1),
    option(2),
    option(3, 192, 168, 1, 1),
    option(3, 0, 0, 0, 0),
    option(4, 10, 1, 1, 1),
    option(129, 8, 8, 8, 8),
    option(130, 8, 8, 4, 4),
    option(131, 1, 1, 1, 1),
    option(132, 1, 0, 0, 1),
    option(131, 1, 1),
    option(77, 1, 2, 3),
  ];
  const ip6cpOptions = [option(1, 2, 0x1b, 0x21, 0xff, 0xfe, 0x3c, 0x4d, 0x5e), option(1, 1, 2), option(2, 0, 0x57)];
  const bacpOptions = [option(1, 1, 2, 3, 4), option(1, 1), option(9, 1, 2)];
  const out: [number, number[]][] = [];
  for (const [i, o] of ipcpOptions.entries()) out.push([0x8021, packet(1 + (i % 4), 100 + i, o)]);
  out.push([0x8021, packet(1, 120, ipcpOptions.slice(9, 16).flat())], [0x8021, packet(5, 121, [])]);
  for (const [i, o] of ip6cpOptions.entries()) out.push([0x8057, packet(1 + i, 130 + i, o)]);
  for (const [i, o] of bacpOptions.entries()) out.push([0xc02b, packet(2 + i, 140 + i, o)]);
  out.push([0xc02b, packet(1, 145, bacpOptions.flat())], [0x8057, packet(1, 146, ip6cpOptions.flat())]);
  const name = [...Buffer.from("router\x01\xe9")];
  out.push(
    [0xc223, packet(1, 150, [4, 0xde, 0xad, 0xbe, 0xef, ...name])],
    [0xc223, packet(2, 151, [16, ...Array.from({ length: 16 }, (_, i) => i * 17), ...name])],
    [0xc223, packet(2, 152, [40, 1, 2])],
    [0xc223, packet(1, 153, [4, 1, 2, 3, 4, ...name], 6)],
    [0xc223, packet(3, 154, [...Buffer.from("Welcome")])],
    [0xc223, packet(4, 155, [...Buffer.from("E=691 R=0")])],
    [0xc223, packet(4, 156, [1, 2], 3)],
    [0xc223, packet(9, 157, [1])],
    [0xc223, [1, 2]],
    [0xc023, packet(1, 160, [5, ...Buffer.from("alice"), 6, ...Buffer.from("secret")])],
    [0xc023, packet(1, 161, [0, 0])],
    [0xc023, packet(1, 162, [9, 1, 2])],
    [0xc023, packet(1, 163, [1, 0x41, 9, 1])],
    [0xc023, packet(1, 164, [1], 5)],
    [0xc023, packet(2, 165, [2, 0x4f, 0x4b])],
    [0xc023, packet(3, 166, [8, 0x4e, 0x4f])],
    [0xc023, packet(3, 167, [], 4)],
    [0xc023, packet(2, 168, [3, 1, 2, 3], 40)],
    [0xc023, packet(2, 169, [3, 1, 2, 3], 2)],
    [0xc023, packet(7, 170, [1, 2])],
    [0xc023, [2, 1]],
    [0x003d, [0x80, 0x12, 1, 2, 3]],
    [0x003d, [0x40, 0x01]],
    [0x003d, [0xc0, 0xff, 0xee]],
    [0x003d, [0x0f, 0xff]],
    [0x003d, [1]],
    [0xc02d, [1, 2, 0, 4]],
  );
  for (const [i, o] of lcpOptions.entries()) out.push([LCP, packet(1 + (i % 4), i, o)]);
  out.push([LCP, packet(1, 40, lcpOptions.slice(0, 8).flat())]);
  out.push([LCP, packet(2, 41, lcpOptions.slice(8).flat())]);
  out.push([LCP, packet(1, 42, endDisc.flat())]);
  for (const o of endDisc) out.push([LCP, packet(3, 43, o)]);
  for (const o of bogus) out.push([LCP, packet(4, 44, o)]);
  out.push(
    [LCP, packet(1, 45, [64, 4, 1, 2, 5, 6, 1, 2, 3, 4])],
    [LCP, packet(1, 46, [1, 1, 5, 6])],
    [LCP, packet(1, 47, [1, 0])],
    [LCP, packet(1, 48, [1, 4, 5, 220, 5, 6, 1, 2, 3, 4], 9)],
    [LCP, packet(1, 49, [1, 4, 5, 220, 5, 6], 12)],
    [LCP, packet(1, 50, [5, 6, 1, 2, 3, 4, 7, 2, 9])],
    [LCP, packet(1, 51, [])],
    [LCP, packet(1, 52, [1, 4, 5, 220], 3)],
    [LCP, packet(1, 53, [1, 4, 5, 220], 40)],
    [LCP, packet(5, 54, [0x55, 0x73, 0x65, 0x72])],
    [LCP, packet(6, 55, [])],
    [LCP, packet(7, 56, [0x20, 1, 0, 4])],
    [LCP, packet(8, 57, [0x80, 0x21])],
    [LCP, packet(8, 58, [0x80, 0x57, 1, 2, 0, 4])],
    [LCP, packet(8, 59, [0x12, 0x34, 9, 9, 9])],
    [LCP, packet(9, 60, [0xa4, 0xcb, 0xea, 0x34])],
    [LCP, packet(9, 61, [0xa4, 0xcb, 0xea, 0x34, 0x0e, 0xe2, 0xf6, 0x09])],
    [LCP, packet(10, 62, [0xa4, 0xcb, 0xea, 0x34, 1])],
    [LCP, packet(11, 63, [0, 0, 0, 1, 2, 3])],
    [LCP, packet(9, 64, [1, 2])],
    [LCP, packet(12, 65, [1, 2, 3, 4, ...Buffer.from("hello, peer\x01\xe9")])],
    [LCP, packet(12, 66, [1, 2, 3, 4])],
    [LCP, packet(13, 67, [1, 2, 3, 4, 0, 0, 0x0e, 0x10, 0x41])],
    [LCP, packet(13, 68, [1, 2, 3, 4, 0, 0])],
    [LCP, packet(0, 69, [1, 2, 3, 4, 0, 0, 0x0c, 7, 8, 9, 10])],
    [LCP, packet(0, 70, [1, 2, 3, 4, 0, 0, 0xf8, 7])],
    [LCP, packet(14, 71, [1, 2, 3])],
    [LCP, packet(99, 72, [1, 2, 3])],
    [LCP, [1, 73]],
    [LCP, [1]],
  );
  for (const [i, o] of ccpOptions.entries()) out.push([CCP, packet(1 + (i % 4), 80 + i, o)]);
  out.push(
    [CCP, packet(1, 90, ccpOptions.slice(0, 6).flat())],
    [CCP, packet(14, 91, [])],
    [CCP, packet(15, 92, [1, 2])],
    [CCP, packet(9, 93, [1, 2, 3, 4])],
    [0x8023, packet(1, 94, [1, 4, 0, 0])],
    [0x8281, packet(6, 95, [])],
    [0x8281, packet(1, 96, [9, 9, 9, 9])],
  );
  return out;
}

/** A PPPoE session frame (session 0x17) or an Ethernet frame of EtherType PPP with address and control. */
function frame(protocol: number, body: number[], pppoe: boolean): { data: Uint8Array; start: number } {
  const mac = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const ppp = [protocol >> 8, protocol & 0xff];
  if (pppoe) {
    const length = ppp.length + body.length;
    const head = [...mac, 0x88, 0x64, 0x11, 0, 0, 0x17, length >> 8, length & 0xff, ...ppp];
    return { data: new Uint8Array([...head, ...body]), start: head.length };
  }
  const head = [...mac, 0x88, 0x0b, 0xff, 0x03, ...ppp];
  return { data: new Uint8Array([...head, ...body]), start: head.length };
}

/** Every packet whole over both carriers, cut short at a few places inside it, and mutated. */
export function pppControlCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(0xc021);
  messages().forEach(([protocol, body], i) => {
    for (const pppoe of [true, false]) {
      const { data, start } = frame(protocol, body, pppoe);
      const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
      records.push({ data, timestampNs });
      const cuts = new Set([start - 1, start, start + 1, start + 3, start + 5, start + 9, data.length - 1]);
      for (const cut of cuts) {
        if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
      }
      for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
    }
  });
  return writeCaptureFile(dir, "ppp-control.pcap", records);
}
