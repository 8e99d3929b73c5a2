// A capture of Rx packets for the dump printer's tests: a call to every operation of every AFS
// service tcpdump knows (fs, cb, pt, vldb, kauth, vol, bos and ubik over pt, vldb and kauth), each
// with a few argument layouts (well-formed strings and IDs, zeros, all ones), each followed by its
// reply (data and abort); acks with runs of acked and nacked packets and the MTU trailer; every
// packet type and flag; IPv6 as well as IPv4. Each frame is also cut short at several places and
// mutated at random (from a fixed seed). The corpus holds one AFS session, which uses few operations.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { sum16 } from "./udp-frame.js";

const MUTATED_COPIES = 2;
const CLIENT_PORT = 7001;

const word = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const words = (...ns: number[]): number[] => ns.flatMap(word);
/** A counted string padded to four bytes. */
const str = (s: string): number[] => {
  const bytes = [...Buffer.from(s, "latin1")];
  while (bytes.length % 4) bytes.push(0);
  return [...word(s.length), ...bytes];
};
/** A string sent one character per word, `n` words. */
const vec = (s: string, n: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(...word(i < s.length ? s.charCodeAt(i) : 0));
  return out;
};
const fid = (a: number, b: number, c: number): number[] => words(a, b, c);

interface Header {
  callNumber: number;
  seq?: number;
  serial?: number;
  type: number;
  flags: number;
  service?: number;
  security?: number;
}

function rxHeader(h: Header): number[] {
  return [
    ...words(0x38125e0b, 0x9cb5c804 + (h.callNumber & 3), h.callNumber, h.seq ?? 1, h.serial ?? h.callNumber * 3),
    h.type,
    h.flags,
    0,
    h.security ?? 2,
    0,
    0,
    ...word(h.service ?? 1).slice(2),
  ];
}

// Operation numbers by service port; ubik's ranges are tried on the ports that carry it.
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const UBIK = [...range(10000, 10008), ...range(20000, 20014)];
const SERVICES: [number, number[]][] = [
  [7000, [...range(129, 163), 220, ...range(65536, 65542)]],
  [7001, [...range(203, 218), ...range(65536, 65538)]],
  [7002, [...range(499, 521), 530, ...UBIK]],
  [7003, [...range(500, 535), ...UBIK]],
  [7004, [...range(0, 15), ...range(21, 23), ...UBIK]],
  [7005, [...range(99, 128), ...range(65536, 65538), 655537]],
  [7006, [1]],
  [7007, [...range(79, 116)]],
  [7009, [1]],
];

const ACL = "2 1\nsystem:administrators 127\nnneul 9\nbad\u00e9user 2\n";
const ACLS = [
  "0 0",
  "1 0\nx",
  "1 0\nx 99999999999",
  " 3 -1 \n a 1 b\t2\n",
  "-1 2\nuser 4\n\u0001ctl -8\n",
  "12",
  "x 1",
  "1\n1\nq +64",
];

/** Argument layouts: readable strings and IDs, a second readable one, zeros, all ones. */
function bodies(op: number): number[][] {
  const readable = [
    ...str("tmpdir"),
    ...words(1, 1701, 28),
    ...str("users.nneul"),
    ...words(2, 3, 942342384, 0, 3, 0x1ff),
  ];
  const list = [...words(3), ...fid(536871098, 1, 1), ...fid(536871098, 677, 1097448), ...fid(1, 2, 3), ...words(2)];
  const acl = [...str(ACL)];
  const uuid = words(0x01020304, 0x0506, 0x0708, 9, 10, 11, 12, 13, 14, 15, 0x1ff);
  const servers = (slots: number): number[] => [
    ...[131, 151, 1, 146, 131, 151, 1, 60, 10, 0, 0, 1],
    ...Array(4 * (slots - 3)).fill(7),
    ...words(0, 1, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).slice(0, 4 * slots),
    ...Array(4 * slots).fill(0),
    ...words(536870915, 536870916, 536870917),
  ];
  const vlEntry = [...vec("root.cell", 65), ...words(3), ...servers(13)];
  const vlEntry8 = [...vec("root.cell", 65), ...words(0, 3), ...servers(8)];
  const uuidEntry = [
    ...vec("u", 65),
    ...words(2),
    ...uuid,
    ...uuid,
    ...Array(44 * 11 + 52).fill(0),
    ...words(1, 2),
    ...Array(44 + 52).fill(0),
    ...words(7, 8, 9),
  ];
  const volumes = [
    ...words(2),
    ...vec("users.nneul", 32),
    ...words(536871098),
    ...Array(84).fill(0),
    ...vec("x", 32),
    ...words(5),
    ...Array(84).fill(1),
  ];
  const ubik = words(1, 942342384, 5, 6, 7, 8, 9, 10, 11, 12, 13);
  const list2 = [...words(4, 1, 2, -3 >>> 0, 4), ...vec("system:anyuser", 64)];
  return [
    readable,
    list,
    acl,
    [...fid(1, 2, 3), ...acl],
    ...ACLS.map(str),
    vlEntry,
    vlEntry8,
    [...words(1, 0), ...vlEntry],
    [...uuid, ...uuid],
    [...words(1, 0), ...vlEntry],
    [...words(1, 0), ...uuidEntry],
    volumes,
    ubik,
    list2,
    [...words(2), ...vec("a", 64), ...vec("b\u0001", 64)],
    [...words(0, 1, 2, 3), ...Array(6).fill(0x41)],
    Array(64).fill(0),
    Array(64).fill(0xff),
    [],
    [0, 0],
  ].map((b, i) => (i === 3 && op % 2 ? b.slice(0, 20) : b));
}

const ACK_PATTERNS: number[][] = [
  [],
  [1],
  [0],
  [1, 1, 1, 0, 0, 1, 0, 1, 1],
  [0, 0, 1, 1, 0, 2, 1, 0],
  [1, 0, 1, 0, 1, 0],
  Array(40).fill(1),
];

function ack(pattern: number[], reason: number, trailer: number): number[] {
  return [
    ...[0, 32, 0, 4],
    ...words(5, 4, 347),
    reason,
    pattern.length,
    ...pattern,
    0,
    0,
    0,
    ...words(1444, 1444, 32, 4).slice(0, trailer),
  ];
}

const HOST_A = [131, 151, 32, 21];
const HOST_B = [131, 151, 1, 59];
const HOST_A6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const HOST_B6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

function frame(
  payload: number[],
  sport: number,
  dport: number,
  toServer: boolean,
  v6: boolean,
  id: number,
): Uint8Array {
  const length = 8 + payload.length;
  const header = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, length >> 8, length & 0xff, 0, 0];
  const [src, dst] = v6
    ? toServer
      ? [HOST_A6, HOST_B6]
      : [HOST_B6, HOST_A6]
    : toServer
      ? [HOST_A, HOST_B]
      : [HOST_B, HOST_A];
  const pseudo = sum16([...src!, ...dst!, 0, 17, length >> 8, length & 0xff]);
  const check = ~sum16([...header, ...payload], pseudo) & 0xffff || 0xffff;
  header[6] = check >> 8;
  header[7] = check & 0xff;
  if (v6) {
    const ip = [0x60, 0, 0, 0, length >> 8, length & 0xff, 17, 64, ...src!, ...dst!];
    return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd, ...ip, ...header, ...payload]);
  }
  const total = 20 + length;
  const ip = [0x45, 0, total >> 8, total & 0xff, id >> 8, id & 0xff, 0, 0, 64, 17, 0, 0, ...src!, ...dst!];
  const ipCheck = ~sum16(ip) & 0xffff;
  ip[10] = ipCheck >> 8;
  ip[11] = ipCheck & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...header, ...payload]);
}

/** Calls with their replies, acks and the other packet types, whole, cut short and mutated. */
export function rxCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(7000);
  let n = 0;
  const add = (payload: number[], sport: number, dport: number, toServer: boolean, cut: boolean): void => {
    const v6 = n % 11 === 5;
    const data = frame(payload, sport, dport, toServer, v6, n & 0xffff);
    const timestampNs = BigInt(1_700_000_000 + n) * 1_000_000_000n;
    n++;
    records.push({ data, timestampNs });
    if (!cut) return;
    const start = data.length - payload.length;
    for (const at of new Set([start + 10, start + 28, start + 31, start + 40, start + 60, data.length - 1])) {
      if (at < data.length) records.push({ data: data.subarray(0, at), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  };
  let callNumber = 1;
  for (const [port, ops] of SERVICES) {
    for (const op of ops) {
      bodies(op).forEach((body, k) => {
        const cut = k === 0 || k === 4 || (op & 7) === k % 8;
        const service = k === 5 ? 2 : 1;
        add(
          [...rxHeader({ callNumber, type: 1, flags: 1 | (k & 2), service }), ...word(op), ...body],
          CLIENT_PORT,
          port,
          true,
          cut,
        );
        // The reply: data for most, an abort now and then, and a continuation that must not be decoded.
        const type = k % 5 === 4 ? 4 : 1;
        const reply = type === 4 ? words(k === 9 ? 102 : -100 >>> 0) : body;
        add([...rxHeader({ callNumber, type, flags: k & 4, service }), ...reply], port, CLIENT_PORT, false, cut);
        if (k === 1)
          add(
            [...rxHeader({ callNumber, seq: 2, type: 1, flags: 0, service }), ...body],
            port,
            CLIENT_PORT,
            false,
            false,
          );
        callNumber++;
      });
    }
  }
  // A reply with no call and a call whose reply comes back from another port.
  add([...rxHeader({ callNumber: 99999, type: 1, flags: 0 }), ...words(1, 2)], 7000, CLIENT_PORT, false, false);
  add([...rxHeader({ callNumber, type: 1, flags: 1 }), ...word(132), ...fid(1, 2, 3)], CLIENT_PORT, 7000, true, false);
  add([...rxHeader({ callNumber, type: 1, flags: 0 }), ...words(1, 2)], 7003, CLIENT_PORT, false, false);
  ACK_PATTERNS.forEach((pattern, i) => {
    for (const trailer of [0, 3, 4, 8, 12, 16]) {
      add(
        [...rxHeader({ callNumber: i + 1, type: 2, flags: 0x3f }), ...ack(pattern, (i + trailer) % 11, trailer)],
        7000,
        CLIENT_PORT,
        false,
        trailer === 16,
      );
    }
  });
  for (let type = 0; type < 16; type++) {
    for (const flags of [0, 0x3f, 0x20]) {
      add(
        [...rxHeader({ callNumber: 5, type, flags, seq: 7, service: 52, security: 1 }), ...words(1, 2, 3)],
        7000,
        CLIENT_PORT,
        false,
        false,
      );
    }
  }
  return writeCaptureFile(dir, "rx.pcap", records);
}
