// The dump printer's RSVP line (no -v) against tcpdump over built packets the corpus lacks: every
// message type and an unknown one, another version, and headers cut short by the snapshot length.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readCapture, writePcap, type PacketRecord } from "../../src/pcap/index.js";
import { TCPDUMP, compare, report, assertAllEqual, type CaptureFile } from "../helpers/dump-oracle.js";

function frame(rsvp: number[], i: number): Uint8Array {
  const total = 20 + rsvp.length;
  const ip = [0x45, 0xc0, total >> 8, total & 0xff, 0, i, 0, 0, 1, 46, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += (ip[k]! << 8) | ip[k + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip[10] = (~sum >> 8) & 0xff;
  ip[11] = ~sum & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...rsvp]);
}

test("dump printer: RSVP message lines, other versions and cut headers, against tcpdump -nn", {
  skip: TCPDUMP ? false : "tcpdump not installed",
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-rsvp-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const records: PacketRecord[] = [];
  const messages: number[][] = [];
  for (const type of [1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 20, 99, 255]) {
    messages.push([0x10 | (type & 1), type, 0x12, 0x34, 64, 0, 0, 16, 0, 8, 1, 1, 1, 2, 3, 4]);
  }
  messages.push([0x20, 1, 0, 0, 64, 0, 0, 8], [0x00, 20, 0, 0, 1, 0, 0, 8], [0xf1, 1, 0, 0, 1, 0, 0, 8]);
  messages.forEach((rsvp, i) => {
    const data = frame(rsvp, i);
    const timestampNs = BigInt(1_700_000_000 + i) * 1_000_000_000n;
    records.push({ data, timestampNs });
    for (const cut of [34, 35, 38, 41])
      records.push({ data: data.subarray(0, cut), originalLength: data.length, timestampNs });
  });
  const bytes = Buffer.from(writePcap(records, { linkType: 1 }));
  const file = path.join(dir, "rsvp.pcap");
  fs.writeFileSync(file, bytes);
  const capture: CaptureFile = {
    name: "rsvp.pcap",
    path: file,
    bytes,
    capture: readCapture(bytes),
    hash: createHash("sha1").update(bytes).digest("hex"),
  };
  const r = await compare([capture], ["-nn"], { numeric: true });
  report(t, "rsvp -nn", r);
  assertAllEqual(r);
  assert.equal(r.compared, r.packets, "every RSVP packet is decoded");
  assert.equal(r.packets, 90);
});
