// The streaming reader hands on the same packets as the whole-file reader, whatever its buffer size
// (records split across reads, a block longer than the buffer), converts timestamps without BigInt
// exactly, and bounds what it will buffer.
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CaptureFormatError,
  CaptureStream,
  MAX_BLOCK_LENGTH,
  readCapture,
  writePcapng,
  type Capture,
  type InterfaceStatistics,
} from "../../src/pcap/index.js";
import { PCAP_DIR } from "../helpers/filter-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-pcap-stream-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function streamed(
  path: string,
  bufferBytes?: number,
): Promise<{ packets: { data: Buffer; ns: bigint; length: number; iface: number }[]; statistics: number }> {
  const packets: { data: Buffer; ns: bigint; length: number; iface: number }[] = [];
  let statistics = 0;
  using stream = await CaptureStream.open(path, {
    bufferBytes,
    onStatistics: (_: InterfaceStatistics) => statistics++,
  });
  for await (const p of stream) {
    assert.ok(p.nanoseconds >= 0 && p.nanoseconds < 1e9);
    packets.push({
      data: Buffer.from(p.data),
      ns: BigInt(p.seconds) * 1_000_000_000n + BigInt(p.nanoseconds),
      length: p.originalLength,
      iface: p.interface.index,
    });
  }
  return { packets, statistics };
}

test("every corpus capture streams as it reads whole, with a 4 KiB buffer too", async () => {
  let files = 0,
    packets = 0;
  for (const name of readdirSync(PCAP_DIR).sort()) {
    let whole: Capture;
    try {
      whole = readCapture(readFileSync(join(PCAP_DIR, name)));
    } catch {
      continue;
    }
    if (whole.interfaces.length === 0) continue;
    for (const bufferBytes of [undefined, 4096]) {
      const s = await streamed(join(PCAP_DIR, name), bufferBytes);
      assert.equal(s.packets.length, whole.packets.length, name);
      s.packets.forEach((p, i) => {
        const q = whole.packets[i]!;
        assert.ok(p.data.equals(q.data), `${name} packet ${i}`);
        assert.equal(p.ns, q.timestampNs, `${name} packet ${i} time`);
        assert.equal(p.length, q.originalLength);
        assert.equal(p.iface, q.interface.index);
      });
      assert.equal(s.statistics, whole.statistics.length, name);
    }
    files++;
    packets += whole.packets.length;
  }
  assert.ok(files > 500 && packets > 9000, `${files} files, ${packets} packets`);
});

test("a block longer than the buffer grows it; one past the block limit is an error, not an allocation", async () => {
  const big = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
  const file = writePcapng([
    {
      interfaces: [{ linkType: 1, snaplen: 0 }],
      packets: [{ data: big.subarray(0, 200_000) }, { data: new Uint8Array(60) }],
    },
  ]);
  // the first packet's block (200,000 bytes and more) is longer than the 64 KiB buffer
  const path = join(dir, "big.pcapng");
  writeFileSync(path, file);
  const s = await streamed(path, 65536);
  assert.equal(s.packets.length, 2);
  assert.equal(s.packets[0]!.data.length, 200_000);

  const huge = Buffer.from(file);
  const shb = huge.readUInt32LE(4),
    idb = huge.readUInt32LE(shb + 4);
  huge.writeUInt32LE(MAX_BLOCK_LENGTH + 4, shb + idb + 4);
  const hugePath = join(dir, "huge.pcapng");
  writeFileSync(hugePath, huge);
  await assert.rejects(
    streamed(hugePath),
    (e: unknown) => e instanceof CaptureFormatError && /pcapng block size \d+ > maximum 16777216/.test(e.message),
  );
});
