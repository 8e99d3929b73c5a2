// A capture of LISP control messages (UDP port 4342) for the dump printer's tests: Map-Register and
// Map-Notify with and without the xTR-ID, each authentication type, IPv4 and IPv6 EIDs and
// locators, locators of other families, LCAF EIDs, trailing data, no records, lengths that run
// past the end, and the other message types; each also cut short at several places and mutated at
// random (from a fixed seed). The corpus holds eleven Map-Register and Map-Notify messages.

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";
import { udpFrame } from "./udp-frame.js";

const PORT = 4342;
const MUTATED_COPIES = 6;
const V4 = [20, 20, 8, 253];
const V6 = [0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34];

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

/** The 16-byte header: type and flags in the first and third bytes, then a nonce, key ID and auth data. */
function header(
  first: number,
  third: number,
  records: number,
  keyId: number,
  auth: number[],
  authLength = auth.length,
) {
  return [first, 0, third, records, 1, 2, 3, 4, 5, 6, 7, 8, ...be16(keyId), ...be16(authLength), ...auth];
}
function locator(afi: number, address: number[], flags = 0, priority = 1): number[] {
  return [priority, 100, 255, 0, ...be16(flags), ...be16(afi), ...address];
}
function record(afi: number, eid: number[], mask: number, locators: number[][], action = 0x10, version = 7): number[] {
  return [...be32(1440), locators.length, mask, action, 0, ...be16(version), ...be16(afi), ...eid, ...locators.flat()];
}
const sha1 = Array.from({ length: 20 }, (_, i) => i * 13);
const sha256 = Array.from({ length: 32 }, (_, i) => 255 - i * 7);
const xtr = [...Array.from({ length: 16 }, (_, i) => 0x90 + i), 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88];

function messages(): number[][] {
  const v4Record = record(1, [10, 30, 1, 100], 32, [locator(1, V4, 7)]);
  const v6Record = record(2, V6, 80, [locator(2, V6, 1), locator(1, V4, 4, 255)], 0x60, 0xfff);
  return [
    [...header(0x32, 0x01, 2, 1, sha1), ...v4Record, ...v6Record, ...xtr],
    [...header(0x38, 0x00, 1, 2, sha256), ...v6Record, ...xtr],
    [...header(0x40, 0x00, 2, 1, sha1), ...v4Record, ...v4Record],
    [...header(0x48, 0x00, 1, 0, []), ...v4Record, ...xtr],
    [
      ...header(0x30, 0x01, 1, 7, sha1),
      ...record(1, [10, 0, 0, 0], 8, [locator(99, [1, 2, 3, 4]), locator(1, V4)], 0xa0),
    ],
    [...header(0x30, 0x00, 1, 1, sha1), ...v4Record, 0xde, 0xad, 0xbe, 0xef, 0x01],
    [...header(0x40, 0x00, 0, 1, sha1)],
    [...header(0x30, 0x00, 3, 1, sha1), ...record(16387, [0, 1, 2, 3, 4, 5], 24, [locator(1, V4)]), ...v4Record],
    [...header(0x30, 0x00, 1, 1, sha1), ...record(1, [10, 0, 0, 0], 8, [], 0xe0)],
    [...header(0x32, 0x00, 1, 1, sha1), ...v4Record, 1, 2, 3],
    [...header(0x30, 0x00, 1, 1, sha1, 0xfff8), ...v4Record],
    [...header(0x30, 0x00, 255, 1, []), ...v4Record],
    [...header(0x10, 0x00, 1, 1, sha1), ...v4Record],
    [...header(0x20, 0x00, 1, 1, sha1)],
    [...header(0x80, 0x00, 1, 1, sha1)],
    [...header(0x50, 0x00, 1, 1, sha1)],
    [0x30, 0, 0, 1],
    [],
  ];
}

/** Ethernet/IPv4/UDP between two hosts, to port 4342 (from it, for every third). */
function frame(payload: number[], i: number): Uint8Array {
  return udpFrame(payload, i % 3 === 2 ? PORT : 40000 + i, PORT, i);
}

/** Every message whole, cut short at a few places inside it, and mutated. */
export function lispCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(PORT);
  messages().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = data.length - payload.length;
    const cuts = new Set([
      start + 2,
      start + 15,
      start + 30,
      start + 45,
      start + 60,
      data.length - 10,
      data.length - 1,
    ]);
    for (const cut of cuts) {
      if (cut >= start && cut < data.length) {
        records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
      }
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "lisp.pcap", records);
}
