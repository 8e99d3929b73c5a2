// A capture of Kerberos messages for the dump printer's tests: version 4 requests, replies and
// errors in both byte orders with their principals, the types without a decoded body, versions 1
// to 3 and 5, over UDP ports 88 and 750; each also cut short by the snapshot length at several
// places and mutated at random (from a fixed seed). The corpus holds only mangled version 4
// requests.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { udpFrame } from "./udp-frame.js";

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

/** Ethernet/IPv4/UDP between two hosts, to or from port 88 or 750. */
function frame(payload: number[], i: number): Uint8Array {
  const port = i % 2 ? 750 : 88;
  const [sport, dport] = i % 3 === 0 ? [port, 30000 + i] : [30000 + i, port];
  return udpFrame(payload, sport, dport, i);
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
