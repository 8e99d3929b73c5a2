// A capture of ISAKMP/IKE messages for the dump printer's tests: IKEv1 exchanges with every
// payload type (SA, proposals and transforms for IKE, AH, ESP and IPComp with their attributes,
// key exchange, every identity type, certificates, hash, signature, nonce, notifications, delete,
// vendor id), IKEv2 messages with theirs (SA with SPIs and every transform type, KE, IDs, AUTH,
// nonces, notify types, TS, CP, EAP, encrypted), over IPv4 and IPv6, on ports 500 and 4500, more
// initiators than tcpdump remembers, malformed lengths, and each message cut short at several
// places and mutated at random (from a fixed seed). The corpus' ISAKMP captures cover only a few of these.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCapture, writePcap, type PacketRecord } from "../../src/pcap/index.js";
import type { CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

/** Hostile variants of each frame (bytes of its IKE message replaced). */
const MUTATED_COPIES = 5;

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const bytes = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);

/** A generic payload: next payload, critical bit, length, body. */
const payload = (np: number, body: number[], critical = false): number[] => [
  np,
  critical ? 0x80 : 0,
  ...u16(4 + body.length),
  ...body,
];
/** Payloads chained: each one's next-payload field names the following one's type. */
function chain(items: [number, number[], boolean?][]): { first: number; data: number[] } {
  const data: number[] = [];
  items.forEach(([, body, critical], i) => data.push(...payload(items[i + 1]?.[0] ?? 0, body, critical)));
  return { first: items[0]?.[0] ?? 0, data };
}
const basic = (type: number, value: number): number[] => [...u16(0x8000 | type), ...u16(value)];
const variable = (type: number, value: number[]): number[] => [...u16(type), ...u16(value.length), ...value];

function header(
  ick: number[],
  rck: number[],
  np: number,
  version: number,
  exchange: number,
  flags: number,
  msgid: number,
  length: number,
): number[] {
  return [...ick, ...rck, np, version, exchange, flags, ...u32(msgid), ...u32(length)];
}
function message(
  ick: number[],
  rck: number[],
  version: number,
  exchange: number,
  flags: number,
  msgid: number,
  body: { first: number; data: number[] },
  lengthDelta = 0,
): number[] {
  const length = 28 + body.data.length;
  return [...header(ick, rck, body.first, version, exchange, flags, msgid, length + lengthDelta), ...body.data];
}

const ZERO = [0, 0, 0, 0, 0, 0, 0, 0];
const ICK = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
const RCK = [0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01];

function ikev1Transform(np: number, no: number, id: number, attrs: number[]): number[] {
  return payload(np, [no, id, 0, 0, ...attrs]);
}
function ikev1Proposal(np: number, no: number, proto: number, spi: number[], transforms: number[][]): number[] {
  const body = [no, proto, spi.length, transforms.length, ...spi];
  transforms.forEach((t) => body.push(...t));
  return payload(np, body);
}

function ikev1Sa(situation: number, proposals: number[][], doi = 1): number[] {
  const body = [...u32(doi), ...u32(situation)];
  if (situation !== 1 && doi === 1) body.push(...u32(0));
  proposals.forEach((p) => body.push(...p));
  return body;
}

const OAKLEY = [
  ...basic(1, 7),
  ...basic(14, 128),
  ...basic(2, 2),
  ...basic(4, 14),
  ...basic(3, 1),
  ...basic(11, 1),
  ...variable(12, [0, 0, 0x70, 0x80]),
  ...basic(5, 2),
  ...basic(6, 9),
  ...basic(20, 3),
];
const IPSEC = [...basic(1, 1), ...variable(2, [0, 0, 0x0e, 0x10]), ...basic(4, 1), ...basic(5, 2), ...basic(3, 2)];

const ID = (type: number, proto: number, port: number, data: number[]): number[] => [
  type,
  proto,
  ...u16(port),
  ...data,
];
const V6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6B = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff];
const MASK6 = [...Array(8).fill(0xff), ...Array(8).fill(0)];

/** IKEv1 messages (payload bodies chained under a header). */
function ikev1Messages(): number[][] {
  const list: number[][] = [];
  const sa = ikev1Sa(1, [
    ikev1Proposal(2, 1, 1, [], [ikev1Transform(3, 1, 1, OAKLEY), ikev1Transform(0, 2, 1, basic(1, 5))]),
    ikev1Proposal(2, 2, 3, [1, 2, 3, 4], [ikev1Transform(3, 1, 12, IPSEC), ikev1Transform(0, 2, 3, basic(9, 1))]),
    ikev1Proposal(2, 3, 2, [5, 6, 7, 8], [ikev1Transform(0, 1, 3, IPSEC)]),
    ikev1Proposal(2, 4, 4, [0, 9], [ikev1Transform(0, 1, 2, basic(8, 4))]),
    ikev1Proposal(0, 5, 9, [], [ikev1Transform(0, 1, 7, basic(1, 1))]),
  ]);
  list.push(
    message(
      ICK,
      ZERO,
      0x10,
      2,
      0,
      0,
      chain([
        [1, sa],
        [13, bytes(16, 1)],
        [13, bytes(8, 2)],
      ]),
    ),
  );
  list.push(
    message(
      ICK,
      RCK,
      0x10,
      2,
      0,
      0,
      chain([[1, ikev1Sa(7, [ikev1Proposal(0, 1, 1, [], [ikev1Transform(0, 0, 1, [])])])]]),
    ),
  );
  list.push(message(ICK, RCK, 0x10, 2, 0, 0, chain([[1, ikev1Sa(6, [], 2)]])));
  list.push(
    message(
      ICK,
      RCK,
      0x10,
      2,
      0,
      0,
      chain([
        [4, bytes(64, 3)],
        [10, bytes(20, 4)],
        [20, bytes(20, 5)],
        [20, bytes(20, 6)],
      ]),
    ),
  );
  list.push(
    message(
      ICK,
      RCK,
      0x10,
      2,
      0,
      0,
      chain([
        [5, ID(1, 17, 500, [192, 0, 2, 1])],
        [5, ID(1, 0, 0, [192, 0])],
        [5, ID(2, 6, 0, [...Buffer.from("vpn.example.org")])],
        [5, ID(3, 0, 0, [...Buffer.from("me@ex\x01mple\xc3")])],
        [5, ID(4, 17, 0, [10, 1, 0, 0, 255, 255, 0, 0])],
        [5, ID(4, 17, 0, [10, 1, 0, 0])],
        [5, ID(5, 0, 0, V6)],
        [5, ID(5, 0, 0, V6.slice(0, 8))],
        [5, ID(6, 0, 0, [...V6, ...MASK6])],
        [5, ID(6, 0, 0, V6)],
        [5, ID(7, 0, 0, [10, 0, 0, 1, 10, 0, 0, 9])],
        [5, ID(7, 0, 0, [10, 0, 0, 1])],
        [5, ID(8, 0, 0, [...V6, ...V6B])],
        [5, ID(8, 0, 0, V6)],
        [5, ID(9, 0, 0, bytes(12, 7))],
        [5, ID(11, 0, 0, bytes(6, 8))],
        [5, ID(12, 0, 0, bytes(3, 8))],
        [5, ID(2, 0, 0, [])],
      ]),
    ),
  );
  list.push(
    message(
      ICK,
      RCK,
      0x10,
      2,
      0,
      0,
      chain([
        [6, [4, ...bytes(30, 9)]],
        [7, [4]],
        [7, [99, 1]],
        [8, bytes(20, 10)],
        [9, bytes(40, 11)],
        [10, bytes(8, 12)],
      ]),
    ),
  );
  list.push(
    message(
      ICK,
      RCK,
      0x10,
      5,
      0,
      0x1234,
      chain([
        [11, [...u32(1), 3, 4, ...u16(24576), 1, 2, 3, 4, ...basic(11, 1), ...variable(12, u32(3600))]],
        [11, [...u32(1), 3, 4, ...u16(24577), 1, 2, 3, 4, ...u32(1)]],
        [11, [...u32(1), 3, 4, ...u16(24577), 1, 2, 3, 4, ...u32(0)]],
        [11, [...u32(1), 1, 16, ...u16(24578), ...ICK, ...RCK]],
        [11, [...u32(1), 2, 0, ...u16(14)]],
        [11, [...u32(1), 2, 0, ...u16(8193), ...bytes(40, 13)]],
        [11, [...u32(1), 2, 0, ...u16(16384)]],
        [11, [...u32(1), 7, 0, ...u16(40000)]],
        [11, [...u32(1), 3, 0, ...u16(31)]],
        [11, [...u32(2), 3, 4, ...u16(24), 9, 9, 9, 9]],
        [11, [...u32(2), 3, 0, ...u16(9000)]],
        [11, [...u32(2), 3, 0, ...u16(16384)]],
        [12, [...u32(1), 3, 4, ...u16(2), 1, 2, 3, 4, 5, 6, 7, 8]],
        [12, [...u32(3), 1, 16, ...u16(1), ...ICK, ...RCK]],
      ]),
    ),
  );
  // Encrypted, commit and other flags; exchange types; phase 2.
  list.push(message(ICK, RCK, 0x10, 2, 1, 0, chain([[5, bytes(20, 14)]])));
  list.push(message(ICK, RCK, 0x10, 32, 3, 0x55667788, chain([[8, bytes(20, 15)]])));
  list.push(message(ICK, RCK, 0x10, 33, 2, 0x55667788, chain([[8, bytes(20, 15)]])));
  list.push(message(ICK, RCK, 0x10, 4, 0x40, 0, chain([[8, bytes(4, 15)]])));
  list.push(message(ICK, RCK, 0x10, 1, 0, 0, chain([[13, bytes(4, 16)]]), 5));
  list.push(message(ICK, RCK, 0x10, 3, 0, 0, chain([[2, bytes(4, 16)]])));
  list.push(message(ICK, RCK, 0x10, 9, 0, 0, chain([[46, bytes(8, 16)]])));
  list.push(message(ICK, RCK, 0x10, 2, 0, 0, chain([[50, bytes(8, 16)]])));
  return list;
}

function v2Transform(np: number, type: number, id: number, attrs: number[] = []): number[] {
  return payload(np, [type, 0, ...u16(id), ...attrs]);
}
function v2Proposal(np: number, no: number, proto: number, spi: number[], transforms: number[][]): number[] {
  const body = [no, proto, spi.length, transforms.length, ...spi];
  transforms.forEach((t) => body.push(...t));
  return payload(np, body);
}

/** IKEv2 messages. */
function ikev2Messages(): number[][] {
  const list: number[][] = [];
  const sa = [
    ...v2Proposal(
      2,
      1,
      1,
      [],
      [
        v2Transform(3, 1, 12, basic(14, 256)),
        v2Transform(3, 1, 20, [...basic(14, 128), ...variable(30, [1, 2])]),
        v2Transform(3, 2, 4),
        v2Transform(3, 3, 5),
        v2Transform(3, 4, 14),
        v2Transform(3, 4, 19),
        v2Transform(3, 5, 1),
        v2Transform(3, 6, 1),
        v2Transform(0, 5, 0),
      ],
    ),
    ...v2Proposal(0, 2, 3, [1, 2, 3, 4], [v2Transform(3, 1, 3), v2Transform(0, 3, 2)]),
  ];
  list.push(
    message(
      ICK,
      ZERO,
      0x20,
      34,
      0x08,
      0,
      chain([
        [33, sa, true],
        [34, [...u16(14), 0, 0, ...bytes(32, 20)]],
        [40, bytes(32, 21)],
        [41, [0, 0, ...u16(16388), ...bytes(20, 22)]],
        [41, [0, 0, ...u16(16390), ...bytes(8, 23)]],
        [41, [0, 0, ...u16(16390), ...bytes(40, 23)]],
        [43, [...Buffer.from("strongSwan\x01\x02")]],
      ]),
    ),
  );
  list.push(
    message(
      ICK,
      RCK,
      0x20,
      35,
      0x20,
      1,
      chain([
        [35, [1, 0, 0, 0, 192, 0, 2, 1]],
        [36, [2, 0, 0, 0, ...Buffer.from("gw.example\x7f")]],
        [35, [3, 0, 0, 0, ...Buffer.from("a@b")]],
        [35, [5, 0, 0, 0, ...V6]],
        [35, [9, 0, 0, 0, ...bytes(10, 24)]],
        [35, [10, 0, 0, 0, ...bytes(4, 24)]],
        [35, [11, 0, 0, 0, ...bytes(4, 24)]],
        [35, [4, 0, 0, 0, ...bytes(4, 24)]],
        [37, [4, ...bytes(20, 25)]],
        [38, [4, ...bytes(20, 26)]],
        [39, [2, 0, 0, 0, ...bytes(20, 27)]],
        [39, [7, 0, 0, 0, ...bytes(40, 27)], true],
        [44, [1, 0, 0, 0, ...bytes(16, 28)]],
        [45, [1, 0, 0, 0, ...bytes(16, 29)]],
        [47, [1, 0, 0, 0]],
        [48, bytes(8, 30)],
        [42, [3, 4, 0, 1, 1, 2, 3, 4]],
        [41, [3, 4, ...u16(24), 1, 2, 3, 4]],
        [41, [3, 4, ...u16(16393), 1, 2, 3, 4]],
        [41, [3, 4, ...u16(16384), 1, 2, 3, 4]],
        [41, [3, 0, ...u16(100)]],
        [41, [3, 0, ...u16(9000)]],
        [41, [3, 0, ...u16(30000)]],
        [41, [3, 0, ...u16(50000)]],
        [40, bytes(2, 31), true],
        [34, [0, 2, 0]],
        [46, bytes(40, 32), true],
      ]),
    ),
  );
  list.push(message(ICK, RCK, 0x20, 36, 0x28, 2, chain([[46, bytes(80, 33)]])));
  list.push(message(ICK, RCK, 0x20, 37, 0x10, 3, chain([[41, [0, 0, ...u16(16384)]]])));
  list.push(message(ICK, RCK, 0x20, 40, 0x01, 3, chain([[41, [0, 0, ...u16(16384)]]])));
  // Proposal and transform lengths that overrun what contains them.
  list.push(message(ICK, RCK, 0x20, 34, 0x08, 0, chain([[33, [0, 0, ...u16(200), 1, 1, 0, 1]]])));
  list.push(
    message(ICK, RCK, 0x20, 34, 0x08, 0, chain([[33, [...v2Proposal(0, 1, 1, [], [[0, 0, ...u16(60), 1, 0, 0, 1]])]]])),
  );
  list.push(message(ICK, RCK, 0x20, 34, 0x08, 0, chain([[33, [0, 0, 0, 4, 1, 1, 0, 0]]])));
  list.push(
    message(ICK, RCK, 0x20, 34, 0x08, 0, chain([[33, [...v2Proposal(0, 1, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9], [])]]])),
  );
  list.push(message(ICK, RCK, 0x20, 34, 0x08, 0, chain([[33, [...v2Proposal(46, 1, 1, [], [v2Transform(0, 1, 3)])]]])));
  return list;
}

/** Malformed messages: short headers, zero and overlong payload lengths, versions tcpdump ignores. */
function malformed(): number[][] {
  return [
    header(ICK, RCK, 0, 0x10, 2, 0, 0, 28).slice(0, 20),
    header(ICK, RCK, 0, 0x30, 2, 0, 0, 28),
    header(ICK, RCK, 1, 0x10, 2, 0, 0, 28),
    [...header(ICK, RCK, 1, 0x10, 2, 0, 0, 32), 0, 0, 0, 0],
    [...header(ICK, RCK, 1, 0x10, 2, 0, 0, 36), 0, 0, 0, 40, 0, 0, 0, 1],
    [...header(ICK, RCK, 8, 0x10, 2, 0, 0, 36), 0, 0, 0, 3, 0, 0, 0, 1],
    [...header(ICK, RCK, 41, 0x20, 34, 0, 0, 36), 0, 0, 0, 2, 0, 0, 0, 1],
    [...header(ICK, RCK, 5, 0x10, 2, 0, 1, 36), 0, 0, 0, 8, 1, 17, 0, 0],
    [...header(ICK, RCK, 1, 0x10, 2, 0, 0, 40), 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1],
    [...header(ICK, RCK, 1, 0x10, 2, 0, 0, 48), 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0],
  ];
}

const ip4Checksum = (b: number[]): number => {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
};

function udp(sport: number, dport: number, body: number[]): number[] {
  return [...u16(sport), ...u16(dport), ...u16(8 + body.length), 0, 0, ...body];
}
function ipv4Frame(src: number[], dst: number[], segment: number[], id: number): Uint8Array {
  const total = 20 + segment.length;
  const ip = [0x45, 0, ...u16(total), ...u16(id), 0, 0, 64, 17, 0, 0, ...src, ...dst];
  const sum = ip4Checksum(ip);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...segment]);
}
function ipv6Frame(src: number[], dst: number[], segment: number[]): Uint8Array {
  const ip = [0x60, 0, 0, 0, ...u16(segment.length), 17, 64, ...src, ...dst];
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd, ...ip, ...segment]);
}

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];
const A6 = [0xfe, 0x80, ...Array(13).fill(0), 1];
const B6 = [0xfe, 0x80, ...Array(13).fill(0), 2];

/** The frames, in order (the IKEv1 side names depend on the packets before them). */
function frames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  let id = 1;
  const v4 = (from: number[], to: number[], sport: number, dport: number, msg: number[]): void => {
    out.push(ipv4Frame(from, to, udp(sport, dport, msg), id++));
  };
  const v1 = ikev1Messages();
  // Initiator, responder, a third party; then the rest from both sides.
  v4(A, B, 500, 500, v1[0]!);
  v4(B, A, 500, 500, v1[1]!);
  v4([10, 0, 0, 3], B, 500, 500, v1[1]!);
  v1.slice(2).forEach((m, i) => v4(i % 2 ? B : A, i % 2 ? A : B, 500, 500, m));
  // The same over IPv6, then on port 4500 after the non-ESP marker, and a keep-alive.
  const ick6 = [...ICK.slice(0, 7), 0x66];
  out.push(ipv6Frame(A6, B6, udp(500, 500, message(ick6, ZERO, 0x10, 2, 0, 0, chain([[13, bytes(8, 40)]])))));
  out.push(ipv6Frame(B6, A6, udp(500, 500, message(ick6, RCK, 0x10, 2, 0, 0, chain([[13, bytes(8, 41)]])))));
  out.push(ipv6Frame(A6, B6, udp(500, 500, message(ick6, RCK, 0x10, 2, 0, 0, chain([[13, bytes(8, 42)]])))));
  v4(A, B, 4500, 4500, [0, 0, 0, 0, ...message(ick6, RCK, 0x10, 2, 1, 0, chain([[5, bytes(8, 43)]]))]);
  v4(B, A, 4500, 4500, [0, 0, 0, 0, ...message(ICK, RCK, 0x10, 32, 1, 7, chain([[8, bytes(8, 43)]]))]);
  v4(B, A, 4500, 4500, [0, 0, 0, 0, 1, 2]);
  v4(A, B, 4500, 4500, [0xff]);
  v4(A, B, 7500, 40000, v1[0]!);
  // More initiators than tcpdump's twenty slots: the oldest are forgotten.
  for (let i = 0; i < 23; i++) {
    const ick = [0xc0, 0, 0, 0, 0, 0, 0, i];
    v4([10, 1, 0, i], B, 500, 500, message(ick, ZERO, 0x10, 2, 0, 0, chain([[13, bytes(4, i)]])));
  }
  for (const i of [0, 2, 3, 22]) {
    const ick = [0xc0, 0, 0, 0, 0, 0, 0, i];
    v4(B, [10, 1, 0, i], 500, 500, message(ick, RCK, 0x10, 2, 0, 0, chain([[13, bytes(4, i)]])));
  }
  for (const m of ikev2Messages()) v4(A, B, 500, 500, m);
  for (const m of malformed()) v4(A, B, 500, 500, m);
  return out;
}

/** Every frame whole, cut short at a few places inside its IKE payload, and mutated. */
export function isakmpCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(500);
  frames().forEach((data, i) => {
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = (data[12] === 0x86 ? 54 : 34) + 8;
    const length = data.length - start;
    const cuts = new Set([start + 10, start + 28, start + 32, start + Math.floor(length / 2), data.length - 1]);
    for (const cut of cuts) {
      if (cut > start && cut < data.length)
        records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  const file = path.join(dir, "isakmp.pcap");
  const data = Buffer.from(writePcap(records, { linkType: 1 }));
  fs.writeFileSync(file, data);
  return {
    name: "isakmp.pcap",
    path: file,
    bytes: data,
    capture: readCapture(data),
    hash: createHash("sha1").update(data).digest("hex"),
  };
}
