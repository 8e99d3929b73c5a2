// A capture of ForCES messages in SCTP DATA chunks for the dump printer's tests: heartbeats and
// association setups without TLVs, every message type with header flags and IDs of each kind,
// invalid and unknown types, lengths that disagree with the chunk, a heartbeat carrying data;
// each also cut short by the snapshot length and mutated at random (from a fixed seed).

import type { PacketRecord } from "../../src/pcap/index.js";
import { writeCaptureFile, type CaptureFile } from "./dump-oracle.js";
import { mutatedCopies, seededRandom } from "./mutated-frames.js";

const MUTATED_COPIES = 6;
const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** A ForCES header (type, length in words, IDs, correlator, flags) and its body. */
const message = (
  type: number,
  source: number,
  destination: number,
  flags: number,
  body: number[] = [],
  words?: number,
) => [
  0x10,
  type,
  ...u16(words ?? (24 + body.length) / 4),
  ...u32(source),
  ...u32(destination),
  ...u32(0x01020304),
  ...u32(0x05060708 + type),
  ...u32(flags),
  ...body,
];

function messages(): number[][] {
  const ids = [0x2, 0x40000001, 0xc0000001, 0xfffffffd, 0xfffffffe, 0xffffffff, 0xfffffff0, 0x80000000];
  const out: number[][] = [];
  ids.forEach((id, i) => out.push(message(0x0f, id, ids[(i + 1) % ids.length]!, (i * 0x1b3c7a5) >>> 0)));
  out.push(
    message(0x01, 2, 0x40000001, 0x38400000),
    message(0x01, 2, 0x40000001, 0x38400000, [0, 0, 0, 4]),
    message(0x0f, 2, 0x40000001, 0xf8000000, [1, 2, 3, 4, 5, 6, 7, 8]),
    message(0x0f, 2, 0x40000001, 0xc0500000, [0, 0, 0, 4]),
    message(0x0f, 2, 0x40000001, 0, [], 5),
    message(0x0f, 2, 0x40000001, 0, [], 2),
    message(0x00, 2, 0x40000001, 0),
    message(0x08, 2, 0x40000001, 0),
    message(0x10, 2, 0x40000001, 0),
    message(0x15, 2, 0x40000001, 0),
    message(0x12, 2, 0x40000001, 0),
    [0x10, 0x0f, 0, 6, 0, 0],
  );
  return out;
}

/** Ethernet/IPv4/SCTP with one DATA chunk to the ForCES high-priority port. */
function frame(payload: number[], i: number): Uint8Array {
  const padded = [...payload, ...Array((4 - (payload.length % 4)) % 4).fill(0)];
  const chunk = [0, 3, ...u16(16 + payload.length), ...u32(1000 + i), 0, 0, ...u16(i), ...u32(0), ...padded];
  const sctp = [...u16(40000 + i), ...u16(6704), ...u32(0x11223344), 0, 0, 0, 0, ...chunk];
  const total = 20 + sctp.length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, i & 0xff, 0, 0, 64, 132, 0, 0, 192, 168, 1, 1, 192, 168, 1, 2];
  let sum = 0;
  for (let k = 0; k < ip.length; k += 2) sum += (ip[k]! << 8) | ip[k + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip[10] = (~sum >> 8) & 0xff;
  ip[11] = ~sum & 0xff;
  const mac = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0];
  return new Uint8Array([...mac, ...ip, ...sctp]);
}

/** Every message whole, cut short at a few places inside it, and mutated. */
export function forcesCapture(dir: string): CaptureFile {
  const records: PacketRecord[] = [];
  const random = seededRandom(6704);
  messages().forEach((payload, i) => {
    const data = frame(payload, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    const start = 14 + 20 + 12 + 16;
    for (const cut of new Set([start, start + 2, start + 23, data.length - 1])) {
      if (cut < data.length) records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
    }
    for (const copy of mutatedCopies(data, start, MUTATED_COPIES, random)) records.push({ data: copy, timestampNs });
  });
  return writeCaptureFile(dir, "forces.pcap", records);
}
