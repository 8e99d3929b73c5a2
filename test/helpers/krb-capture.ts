// A capture of Kerberos messages for the dump printer's tests: version 4 requests, replies and
// errors in both byte orders with their principals, the types without a decoded body, versions 1
// to 3 and 5, over UDP ports 88 and 750; each also cut short by the snapshot length at several
// places and mutated at random (from a fixed seed). The corpus holds only mangled version 4
// requests.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

const MUTATED_COPIES = 6;

const text = (s: string): number[] => [...Buffer.from(s, "latin1"), 0];
const principal = (name: string, instance: string, realm: string): number[] => [
  ...text(name),
  ...text(instance),
  ...text(realm),
];
/** A 16-bit field in the message's byte order (the low bit of the type byte says little-endian). */
const u16 = (v: number, little: boolean): number[] => (little ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);

function messages(): number[][] {
  const out: number[][] = [];
  for (const little of [false, true]) {
    const le = little ? 1 : 0;
    out.push(
      // KDC request: principal, time, lifetime (units of five minutes), service name.instance.
      [4, 2 | le, ...principal("alice", "", "ATHENA.MIT.EDU"), 1, 2, 3, 4, 96, ...text("krbtgt"), ...text("ATHENA")],
      [
        4,
        2 | le,
        ...principal("bob", "admin", "EXAMPLE.ORG"),
        0,
        0,
        0,
        0,
        255,
        ...text("rcmd"),
        ...text("host\x01\xe9"),
      ],
      // KDC reply: principal, timestamp, count, expiry, key version, then the ticket length.
      [
        4,
        4 | le,
        ...principal("alice", "", "ATHENA.MIT.EDU"),
        1,
        2,
        3,
        4,
        1,
        5,
        6,
        7,
        8,
        3,
        ...u16(1234, little),
        9,
        9,
      ],
      // Application request: key version, realm, ticket and authenticator lengths.
      [4, 6 | le, 5, ...text("ATHENA.MIT.EDU"), 40, 32, 0, 0],
      // Errors: principal, timestamp, code, then the text; an unknown code.
      [4, 10 | le, ...principal("eve", "x", "R"), 1, 2, 3, 4, ...u16(8, little), 0, 0, ...text("Principal unknown")],
      [4, 10 | le, ...principal("eve", "", ""), 0, 0, 0, 0, ...u16(10, little), 0, 0, ...text("")],
      [4, 10 | le, ...principal("eve", "", ""), 0, 0, 0, 0, ...u16(77, little), 0, 0, ...text("?")],
      [4, 8 | le, 1, 2, 3],
      [4, 12 | le, 1, 2, 3],
      [4, 14 | le],
      [4, 16 | le, 0],
      [4, 126 | le, 0],
      [4, 40 | le, 0],
    );
  }
  out.push([1, 0], [2], [3, 9, 9], [106, 0x81, 0x80], [107], [5, 1], [0], [200, 1, 2], []);
  return out;
}

function sum16(bytes: number[], initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Ethernet/IPv4/UDP between two hosts, to or from port 88 or 750. */
function frame(payload: number[], i: number): Uint8Array {
  const port = i % 2 ? 750 : 88;
  const [sport, dport] = i % 3 === 0 ? [port, 30000 + i] : [30000 + i, port];
  const length = 8 + payload.length;
  const header = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, length >> 8, length & 0xff, 0, 0];
  const pseudo = sum16([10, 0, 0, 1, 10, 0, 0, 2, 0, 17, length >> 8, length & 0xff]);
  const check = ~sum16([...header, ...payload], pseudo) & 0xffff || 0xffff;
  header[6] = check >> 8;
  header[7] = check & 0xff;
  const total = 20 + length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, i & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const ipCheck = ~sum16(ip) & 0xffff;
  ip[10] = ipCheck >> 8;
  ip[11] = ipCheck & 0xff;
  const mac = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0];
  return new Uint8Array([...mac, ...ip, ...header, ...payload]);
}

/** Every message whole, cut short at a few places inside it, and mutated. */
export function krbCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(88);
  messages().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = data.length - payload.length;
    const cuts = new Set([
      start,
      start + 1,
      start + 2,
      start + 5,
      start + 12,
      start + 24,
      data.length - 3,
      data.length - 1,
    ]);
    for (const cut of cuts) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "krb.pcap", records);
}
