// The capture reader: every format variant round-trips through the writers, malformed files fail
// with CaptureFormatError naming the problem and its byte offset (never another exception), and the
// whole corpus reads as tcpdump reads it.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CaptureFormatError, readCapture, writePcap, writePcapng, type Capture } from "../../src/pcap/index.js";
import { linkTypeName } from "../../src/pcap/linktype.js";
import { loadCorpus, PCAP_DIR, tcpdumpAvailable } from "../helpers/filter-fixtures.js";
import { Rng } from "../helpers/filter-grammar.js";

const pkt = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);
const T0 = 1_700_000_000_123_456_789n;

test("pcap: both byte orders, microseconds and nanoseconds", () => {
  for (const byteOrder of ["little", "big"] as const) {
    for (const nanosecond of [false, true]) {
      const packets = [pkt(60), pkt(0), pkt(1514, 2)].map((data, i) => ({
        data,
        originalLength: data.length + i,
        timestampNs: T0 + BigInt(i) * 1_000_001n,
      }));
      const cap = readCapture(writePcap(packets, { linkType: 113, snaplen: 65535, byteOrder, nanosecond }));
      assert.equal(cap.format, "pcap");
      assert.equal(cap.byteOrder, byteOrder);
      assert.equal(cap.nanosecond, nanosecond);
      assert.equal(cap.linkType, 113);
      assert.equal(cap.snaplen, 65535);
      assert.equal(cap.packets.length, 3);
      cap.packets.forEach((p, i) => {
        assert.deepEqual(p.data, packets[i]!.data);
        assert.equal(p.originalLength, packets[i]!.originalLength);
        const precision = nanosecond ? 1n : 1000n;
        assert.equal(p.timestampNs, (packets[i]!.timestampNs / precision) * precision);
        assert.equal(p.linkType, 113);
      });
    }
  }
});

test("pcap: records longer than the snapshot length are cut to it, as libpcap does", () => {
  const file = writePcap([{ data: pkt(100) }, { data: pkt(10) }], { linkType: 1, snaplen: 64 });
  const cap = readCapture(file);
  assert.equal(cap.packets[0]!.data.length, 64);
  assert.equal(cap.packets[0]!.recordedLength, 100);
  assert.deepEqual(cap.packets[1]!.data, pkt(10), "the next record is found after the whole long one");
});

test("pcapng: sections, interfaces, if_tsresol and if_tsoffset, EPB, SPB, ISB, both byte orders", () => {
  const file = writePcapng([
    {
      byteOrder: "big",
      interfaces: [
        { linkType: 1, snaplen: 0, name: "eth0" },
        { linkType: 101, tsresol: 9 },
        { linkType: 276, tsresol: 0x80 | 20, tsoffset: 100n },
      ],
      packets: [
        { data: pkt(64), timestampNs: T0, interfaceId: 0, flags: 1 },
        { data: pkt(40, 2), originalLength: 1500, timestampNs: T0 + 5n, interfaceId: 1 },
        { data: pkt(33, 3), timestampNs: T0 + 1_000_000n, interfaceId: 2 },
      ],
      statistics: [{ interfaceId: 1, timestampNs: T0, ifRecv: 10n, ifDrop: 2n }],
    },
    {
      byteOrder: "little",
      interfaces: [{ linkType: 0, snaplen: 20 }],
      packets: [{ data: pkt(50, 4) }, { data: pkt(7, 5) }],
      simple: true,
    },
  ]);
  const cap: Capture = readCapture(file);
  assert.equal(cap.format, "pcapng");
  assert.equal(cap.byteOrder, "big");
  assert.equal(cap.linkType, 1);
  assert.deepEqual(
    cap.interfaces.map((i) => [i.section, i.id, i.linkType, i.byteOrder]),
    [
      [0, 0, 1, "big"],
      [0, 1, 101, "big"],
      [0, 2, 276, "big"],
      [1, 0, 0, "little"],
    ],
  );
  assert.equal(cap.interfaces[0]!.name, "eth0");
  assert.equal(cap.interfaces[1]!.unitsPerSecond, 1_000_000_000n);
  assert.equal(cap.interfaces[2]!.unitsPerSecond, 1n << 20n);
  const [a, b, c, d, e] = cap.packets;
  assert.equal(a!.timestampNs, (T0 / 1000n) * 1000n, "microseconds by default");
  assert.equal(a!.flags, 1);
  assert.equal(b!.timestampNs, T0 + 5n, "nanosecond interface");
  assert.equal(b!.originalLength, 1500);
  assert.equal(b!.linkType, 101);
  // 2^-20 s units: within a microsecond of the written time
  assert.ok(c!.timestampNs - (T0 + 1_000_000n) < 1000n && c!.timestampNs - (T0 + 1_000_000n) > -1000n);
  assert.equal(c!.interface.offsetSeconds, 100n);
  assert.deepEqual(c!.data, pkt(33, 3));
  assert.equal(d!.data.length, 20, "a simple packet block is cut to the interface's snapshot length");
  assert.equal(d!.originalLength, 50);
  assert.deepEqual(e!.data, pkt(7, 5));
  assert.equal(e!.timestampNs, 0n, "simple packet blocks carry no time");
  assert.equal(cap.statistics.length, 1);
  assert.deepEqual(cap.statistics[0]!.values, { ifRecv: 10n, ifDrop: 2n });
  assert.equal(cap.statistics[0]!.interface.index, 1);
});

function expectError(bytes: Uint8Array, what: RegExp, offset: number): void {
  assert.throws(
    () => readCapture(bytes),
    (e: unknown) => {
      assert.ok(e instanceof CaptureFormatError, `not a CaptureFormatError: ${String(e)}`);
      assert.match(e.what, what);
      assert.equal(e.offset, offset, `${e.message}`);
      assert.match(e.message, new RegExp(`at byte offset ${offset}`));
      return true;
    },
  );
}

test("malformed captures fail with what is wrong and the byte offset", () => {
  const good = writePcap([{ data: pkt(60) }, { data: pkt(70) }], { linkType: 1 });
  expectError(new Uint8Array(0), /^truncated dump file; tried to read 4 file header bytes, only got 0$/, 0);
  expectError(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), /^unknown file format$/, 0);
  expectError(good.subarray(0, 20), /^truncated dump file; tried to read 24 file header bytes, only got 16$/, 0);
  const v = Buffer.from(good);
  v.writeUInt16LE(3, 4);
  expectError(v, /unsupported pcap savefile version/, 4);
  expectError(good.subarray(0, 24 + 10), /^truncated dump file; tried to read 16 header bytes, only got 10$/, 24);
  expectError(
    good.subarray(0, 24 + 16 + 30),
    /^truncated dump file; tried to read 60 captured bytes, only got 30$/,
    40,
  );
  const big = Buffer.from(good);
  big.writeUInt32LE(300000, 24 + 8);
  expectError(big, /invalid packet capture length/, 32);

  const ng = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [{ data: pkt(60) }] }]);
  const shbLen = 28,
    idbLen = 20;
  expectError(ng.subarray(0, 10), /^unknown file format$/, 0);
  expectError(ng.subarray(0, 20), /^truncated pcapng dump file; tried to read 16 bytes, only got 8$/, 0);
  const bom = Buffer.from(ng);
  bom.writeUInt32LE(0x11223344, 8);
  expectError(bom, /bad byte-order magic/, 8);
  const odd = Buffer.from(ng);
  odd.writeUInt32LE(22, shbLen + 4);
  expectError(odd, /invalid block length/, shbLen + 4);
  const trailer = Buffer.from(ng);
  trailer.writeUInt32LE(24, shbLen + idbLen - 4);
  expectError(trailer, /trailing length/, shbLen + idbLen - 4);
  expectError(
    ng.subarray(0, ng.length - 4),
    /^truncated pcapng dump file; tried to read 84 bytes, only got 80$/,
    shbLen + idbLen,
  );
  const iface = Buffer.from(ng);
  iface.writeUInt32LE(3, shbLen + idbLen + 8);
  expectError(iface, /no interface description block/, shbLen + idbLen + 8);
  const cap = Buffer.from(ng);
  cap.writeUInt32LE(1000, shbLen + idbLen + 20);
  expectError(cap, /captured length runs past/, shbLen + idbLen + 20);
  expectError(ng.subarray(shbLen), /^unknown file format$/, 0);
  const resol = writePcapng([{ interfaces: [{ linkType: 1, tsresol: 6 }], packets: [] }]);
  const badResol = Buffer.from(resol);
  badResol.writeUInt16LE(2, shbLen + 16 + 2); // option length 2
  expectError(badResol, /if_tsresol option must be 1 byte/, shbLen + 16);
});

test("damaged captures never throw anything but CaptureFormatError", () => {
  const rng = new Rng(99);
  const sources = ["LACP.pcap", "OSPFv2_Capture_FINAL.pcapng", "LINKTYPE_RAW_ipv4.pcap", "hdlc_slarp.pcapng"].map((f) =>
    readFileSync(join(PCAP_DIR, f)),
  );
  let failures = 0,
    reads = 0;
  for (let i = 0; i < 3000; i++) {
    const src = rng.pick(sources);
    const b = Buffer.from(src.subarray(0, rng.chance(0.5) ? rng.int(src.length + 1) : src.length));
    for (let k = rng.int(4); k > 0 && b.length; k--) b[rng.int(b.length)] = rng.int(256);
    try {
      readCapture(b);
      reads++;
    } catch (e) {
      assert.ok(e instanceof CaptureFormatError, String(e));
      failures++;
    }
  }
  assert.ok(failures > 100 && reads > 100, `${failures} failures, ${reads} reads`);
});

test("every capture of the corpus reads as tcpdump reads it", (t) => {
  if (!tcpdumpAvailable()) {
    t.skip("tcpdump is not installed");
    return;
  }
  const corpus = loadCorpus();
  // one tcpdump run per link type and snapshot length: -V reads a list of files and writes their
  // packets as one pcap (cutting them to the first file's snapshot length, hence the grouping)
  const byType = new Map<string, string[]>();
  for (const f of corpus.files) {
    if (f.linkTypes.length !== 1) continue;
    const key = `${f.linkTypes[0]}/${readCapture(readFileSync(join(PCAP_DIR, f.name))).snaplen}`;
    byType.set(key, [...(byType.get(key) ?? []), f.name]);
  }
  let compared = 0;
  for (const [key, names] of byType) {
    const linkType = Number(key.split("/")[0]);
    const list = join(corpus.dir, `list-${key.replace("/", "-")}.txt`);
    writeFileSync(list, names.map((n) => join(PCAP_DIR, n)).join("\n") + "\n");
    const r = spawnSync("tcpdump", ["-V", list, "-w", "-"], { maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr.toString());
    const theirs = readCapture(r.stdout).packets;
    const mine = names.flatMap((n) =>
      readCapture(readFileSync(join(PCAP_DIR, n))).packets.map((p) => ({ ...p, file: n })),
    );
    assert.equal(mine.length, theirs.length, `${linkTypeName(linkType)}: packet count`);
    mine.forEach((p, i) => {
      const q = theirs[i]!;
      assert.deepEqual(p.data, q.data, `${linkTypeName(linkType)} packet ${i}`);
      assert.equal(p.originalLength, q.originalLength);
      // tcpdump writes microseconds and 32-bit seconds: compare where the time fits (and not the
      // file that stores nanosecond fractions of 10^9 or more, which each side carries its own way)
      const seconds = p.timestampNs / 1_000_000_000n;
      if (seconds < 1n << 32n && seconds >= 0n && p.file !== "timestamp_invalid_nano.pcap")
        assert.equal(p.timestampNs / 1000n, q.timestampNs / 1000n, `${linkTypeName(linkType)} packet ${i} time`);
      compared++;
    });
  }
  const total = corpus.files.reduce((n, f) => n + f.packets, 0);
  t.diagnostic(`${corpus.files.length} files, ${total} packets; ${compared} compared with tcpdump's reading`);
  assert.equal(
    compared,
    corpus.files.filter((f) => f.linkTypes.length <= 1).reduce((n, f) => n + f.packets, 0),
  );
});
