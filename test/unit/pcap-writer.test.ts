// The capture writers against the readers that matter: files written here are read back by
// tcpdump and tshark (and by our reader), with every packet there and decoded as in the original
// capture; pcapng interface names, direction flags and statistics-block drop counts are visible to
// tshark; rotation produces tcpdump's file names — byte-for-byte tcpdump's files with -C/-W.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { readCapture, type Capture, type CapturedPacket } from "../../src/pcap/index.js";
import {
  MemorySink,
  PacketDirection,
  PcapngWriter,
  PcapWriter,
  packetFlags,
  writePcap,
} from "../../src/pcap/writer.js";
import {
  fileNumberWidth,
  RotatingCaptureWriter,
  RotationPlan,
  rotationFileName,
  strftime,
} from "../../src/pcap/rotation.js";
import { testData } from "../helpers/test-data.js";

process.env.TZ = "UTC";

const here = path.dirname(fileURLToPath(import.meta.url));
const PCAP_DIR = testData("pcaps");

function has(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const HAVE_TCPDUMP = has("tcpdump");
const HAVE_TSHARK = has("tshark");

function tmpdir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbpf-writer-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {
      env: { ...process.env, TZ: "UTC" },
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 28,
    }).toString();
  } catch (e) {
    // tcpdump exits 1 on a damaged original after printing what it read; keep that output.
    return (e as { stdout?: Buffer }).stdout?.toString() ?? "";
  }
}

function tcpdump(file: string, ...flags: string[]): string {
  return run("tcpdump", ["-nn", ...flags, "-r", file]);
}

/** tshark's packet summary lines and the fields that say what was decoded. */
function tshark(file: string, ...extra: string[]): string {
  return run("tshark", [
    "-r",
    file,
    "-T",
    "fields",
    "-e",
    "frame.number",
    "-e",
    "frame.time_epoch",
    "-e",
    "frame.len",
    "-e",
    "frame.cap_len",
    "-e",
    "frame.protocols",
    "-e",
    "_ws.col.Info",
    ...extra,
  ]);
}

/** A few real captures of different link types, read once. */
function samples(): { name: string; capture: Capture }[] {
  const wanted = new Map<number, { name: string; capture: Capture }>();
  for (const name of fs.readdirSync(PCAP_DIR).sort()) {
    if (!name.endsWith(".pcap")) continue;
    let capture: Capture;
    try {
      capture = readCapture(fs.readFileSync(path.join(PCAP_DIR, name)));
    } catch {
      continue;
    }
    const lt = capture.linkType;
    if (![0, 1, 101, 113].includes(lt) || capture.packets.length < 5) continue;
    const best = wanted.get(lt);
    if (!best || capture.packets.length > best.capture.packets.length) wanted.set(lt, { name, capture });
  }
  return [...wanted.values()];
}

function writeLike(
  file: string,
  capture: Capture,
  opts: { nanosecond?: boolean; byteOrder?: "little" | "big"; bufferSize?: number },
): void {
  const w = new PcapWriter(file, { linkType: capture.linkType, snaplen: capture.snaplen, ...opts });
  for (const p of capture.packets) w.writePacket(p.data, p.timestampNs, p.originalLength);
  w.close();
}

test("pcap writer: µs and ns files, both byte orders, read back by tcpdump and tshark as the originals", {
  skip: !HAVE_TCPDUMP ? "tcpdump not installed" : false,
}, (t) => {
  const dir = tmpdir(t);
  const picked = samples();
  assert.ok(picked.length >= 4, "expected captures of four link types");
  let checked = 0;
  for (const { name, capture } of picked) {
    const original = path.join(PCAP_DIR, name);
    const micro = path.join(dir, name + ".us.pcap");
    const nano = path.join(dir, name + ".ns.pcap");
    writeLike(micro, capture, { byteOrder: "big", bufferSize: 4096 });
    writeLike(nano, capture, { nanosecond: true });
    const expected = tcpdump(original, "-tt", "-v");
    assert.equal(expected.trim().split("\n").length >= capture.packets.length, true);
    assert.equal(tcpdump(micro, "-tt", "-v"), expected, `${name}: tcpdump reads the µs copy as the original`);
    assert.equal(tcpdump(nano, "--nano", "-tt", "-v"), tcpdump(original, "--nano", "-tt", "-v"), `${name}: ns copy`);
    // Our reader agrees on every field.
    for (const copy of [micro, nano]) {
      const back = readCapture(fs.readFileSync(copy));
      assert.equal(back.packets.length, capture.packets.length);
      back.packets.forEach((p, i) => {
        const o = capture.packets[i]!;
        assert.deepEqual(
          [p.timestampNs / (copy === micro ? 1000n : 1n), p.originalLength, Buffer.from(p.data).toString("hex")],
          [o.timestampNs / (copy === micro ? 1000n : 1n), o.originalLength, Buffer.from(o.data).toString("hex")],
        );
      });
    }
    if (HAVE_TSHARK && checked < 2) {
      assert.equal(tshark(micro), tshark(original), `${name}: tshark decodes the µs copy as the original`);
      checked++;
    }
  }
});

test("pcapng writer: interface names, ns and µs resolutions, direction flags, drop counts", {
  skip: !HAVE_TCPDUMP ? "tcpdump not installed" : false,
}, (t) => {
  const dir = tmpdir(t);
  const source = samples().find((s) => s.capture.linkType === 1)!;
  const packets = source.capture.packets;
  const file = path.join(dir, "two-interfaces.pcapng");
  const w = new PcapngWriter(file, { application: "tsbpf test", os: "Linux", bufferSize: 4096 });
  const eth0 = w.addInterface({ linkType: 1, name: "eth0", tsresol: 9, filter: "tcp or arp" });
  const veth = w.addInterface({ linkType: 1, name: "veth-test", description: "test peer" });
  const ifaceOf = (i: number): number => (i % 3 === 2 ? veth : eth0);
  const directionOf = (i: number): number => (i % 2 === 0 ? PacketDirection.inbound : PacketDirection.outbound);
  packets.forEach((p, i) =>
    w.writePacket(ifaceOf(i), p.data, p.timestampNs, p.originalLength, packetFlags(directionOf(i) as 1 | 2)),
  );
  const last = packets[packets.length - 1]!.timestampNs;
  w.writeStatistics(eth0, {
    timestampNs: last,
    startTimeNs: packets[0]!.timestampNs,
    endTimeNs: last,
    received: 1000n,
    dropped: 7n,
    osDropped: 2,
  });
  w.writeStatistics(veth, { timestampNs: last, received: 5, dropped: 3 });
  w.close();

  // tcpdump: every packet, decoded as in the original (microsecond view of both interfaces).
  const original = path.join(PCAP_DIR, source.name);
  assert.equal(tcpdump(file, "-tt", "-v"), tcpdump(original, "-tt", "-v"));

  // Our reader: interfaces, flags and statistics.
  const back = readCapture(fs.readFileSync(file));
  assert.deepEqual(
    back.interfaces.map((i) => [i.name, i.unitsPerSecond]),
    [
      ["eth0", 1_000_000_000n],
      ["veth-test", 1_000_000n],
    ],
  );
  back.packets.forEach((p: CapturedPacket, i) => {
    assert.equal(p.interface.id, ifaceOf(i));
    assert.equal(p.flags! & 3, directionOf(i));
    const o = packets[i]!.timestampNs;
    assert.equal(p.timestampNs, ifaceOf(i) === eth0 ? o : (o / 1000n) * 1000n);
  });
  assert.deepEqual(
    back.statistics.map((s) => [s.interface.id, s.values.ifRecv, s.values.ifDrop, s.values.osDrop]),
    [
      [0, 1000n, 7n, 2n],
      [1, 5n, 3n, undefined],
    ],
  );
  assert.equal(back.statistics[0]!.values.startTimeNs, packets[0]!.timestampNs);

  if (!HAVE_TSHARK) return;
  const fields = run("tshark", [
    "-r",
    file,
    "-T",
    "fields",
    "-e",
    "frame.interface_name",
    "-e",
    "frame.packet_flags_direction",
    "-e",
    "frame.time_epoch",
  ])
    .trim()
    .split("\n")
    .map((l) => l.split("\t"));
  assert.equal(fields.length, packets.length, "tshark sees every packet");
  fields.forEach(([name, direction, epoch], i) => {
    assert.equal(name, ifaceOf(i) === eth0 ? "eth0" : "veth-test");
    assert.equal(Number(direction), directionOf(i));
    const ns = packets[i]!.timestampNs;
    const expected = ifaceOf(i) === eth0 ? ns : (ns / 1000n) * 1000n;
    assert.equal(epoch, `${expected / 1_000_000_000n}.${(expected % 1_000_000_000n).toString().padStart(9, "0")}`);
  });
  // The statistics blocks, through tshark's dissector of the pcapng format itself.
  const blocks = run("tshark", [
    "-r",
    file,
    "-X",
    "read_format:MIME Files Format",
    "-T",
    "fields",
    "-e",
    "pcapng.options.option.data.interface.dropped",
    "-e",
    "pcapng.options.option.data.interface.received",
  ]);
  // One record for the file: the drop and receive counters of both statistics blocks, in order.
  assert.equal(blocks.trim(), "7,3\t1000,5", "tshark shows eth0's 7 of 1000 and veth-test's 3 of 5 dropped");
});

test("pcap writer: to a stream, and to standard output as `-w -` piped into tcpdump -r -", {
  skip: !HAVE_TCPDUMP ? "tcpdump not installed" : false,
}, async (t) => {
  const dir = tmpdir(t);
  const source = samples().find((s) => s.capture.linkType === 1)!;
  const original = path.join(PCAP_DIR, source.name);

  // A Node stream.
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => stream.on("end", resolve));
  const w = new PcapWriter(stream, { linkType: 1, snaplen: source.capture.snaplen, bufferSize: 4096 });
  for (const p of source.capture.packets) w.writePacket(p.data, p.timestampNs, p.originalLength);
  w.close();
  await ended;
  const viaStream = path.join(dir, "stream.pcap");
  fs.writeFileSync(viaStream, Buffer.concat(chunks));
  assert.equal(tcpdump(viaStream, "-tt"), tcpdump(original, "-tt"));

  // A child writing to its stdout ("-"), a pipe, read by tcpdump from its stdin.
  const script = path.join(dir, "write-stdout.mjs");
  const writerModule = path.resolve(here, "../../src/pcap/writer.js");
  const readerModule = path.resolve(here, "../../src/pcap/index.js");
  fs.writeFileSync(
    script,
    `
    import { PcapWriter } from ${JSON.stringify(writerModule)};
    import { readCapture } from ${JSON.stringify(readerModule)};
    import * as fs from "node:fs";
    const cap = readCapture(fs.readFileSync(${JSON.stringify(original)}));
    const w = new PcapWriter("-", { linkType: cap.linkType, snaplen: cap.snaplen, bufferSize: 4096 });
    for (let round = 0; round < 50; round++) for (const p of cap.packets) w.writePacket(p.data, p.timestampNs, p.originalLength);
    w.close();
  `,
  );
  const out = await new Promise<string>((resolve, reject) => {
    const writer = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    const reader = spawn("tcpdump", ["-nn", "-tt", "-r", "-"], {
      stdio: ["pipe", "pipe", "ignore"],
      env: { ...process.env, TZ: "UTC" },
    });
    writer.stdout.pipe(reader.stdin);
    let text = "";
    reader.stdout.on("data", (c: Buffer) => (text += c.toString()));
    reader.on("error", reject);
    reader.on("close", () => resolve(text));
  });
  const once = tcpdump(original, "-tt");
  assert.equal(out, once.repeat(50));
});

test("rotation: tcpdump's file names for -C, -W and -G", () => {
  assert.deepEqual([1, 2, 9, 10, 11, 100, 101].map(fileNumberWidth), [0, 1, 1, 1, 2, 2, 3]);
  assert.equal(rotationFileName("cap", 0, 0), "cap");
  assert.equal(rotationFileName("cap", 3, 0), "cap3");
  assert.equal(rotationFileName("cap", 0, 2), "cap00");
  assert.equal(rotationFileName("cap-%Y%m%d-%H%M%S", 0, 0, 1_700_000_000), "cap-20231114-221320");
  assert.equal(strftime("%F %T %j %a %b %%", new Date(1_700_000_000_000)), "2023-11-14 22:13:20 318 Tue Nov %");

  // -G: exact multiples of the interval from the start, names from each slot's start.
  const start = 1_700_000_000;
  const plan = new RotationPlan({ baseName: "g-%H%M%S", secondsPerFile: 60, startSeconds: start });
  assert.equal(plan.currentName, "g-221320");
  assert.equal(plan.check(100, 10, start + 59, 24), "keep");
  assert.equal(plan.check(100, 10, start + 60, 24), "rotate");
  assert.equal(plan.currentName, "g-221420");
  assert.equal(plan.check(24, 10, start + 250, 24), "rotate");
  assert.equal(plan.currentName, "g-221720", "a quiet period skips slots but stays on the grid (slot start+240)");
  assert.equal(plan.nextBoundary, start + 300);

  // -G with -W and no -C: stop after W files.
  const limited = new RotationPlan({ baseName: "w", secondsPerFile: 10, maxFiles: 2, startSeconds: start });
  assert.equal(limited.check(0, 10, start + 10, 0), "rotate");
  assert.equal(limited.check(0, 10, start + 20, 0), "stop");

  // -G with -C: the size number restarts with each time slot.
  const both = new RotationPlan({ baseName: "b", secondsPerFile: 10, maxFileBytes: 100, startSeconds: start });
  assert.equal(both.currentName, "b");
  assert.equal(both.check(90, 20, start, 24), "rotate");
  assert.equal(both.currentName, "b1");
  assert.equal(both.check(30, 20, start + 10, 24), "rotate");
  assert.equal(both.currentName, "b");
});

test("rotation: -C files never exceed the limit; with tcpdump's rule they are tcpdump's files byte for byte", {
  skip: !HAVE_TCPDUMP ? "tcpdump not installed" : false,
}, (t) => {
  const dir = tmpdir(t);
  // 3000 packets of 1000 bytes: a few megabytes.
  const records = Array.from({ length: 3000 }, (_, i) => {
    const data = new Uint8Array(1000);
    data.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 0x12, 0x34]);
    for (let j = 14; j < data.length; j++) data[j] = (i + j) & 0xff;
    return {
      data,
      timestampNs: BigInt(1_700_000_000 + Math.floor(i / 100)) * 1_000_000_000n + BigInt((i % 100) * 10_000_000),
    };
  });
  const input = path.join(dir, "input.pcap");
  fs.writeFileSync(input, writePcap(records, { linkType: 1, snaplen: 65535 }));

  for (const maxFiles of [0, 2]) {
    const theirs = path.join(dir, `tcpdump-W${maxFiles}`);
    const ours = path.join(dir, `ours-W${maxFiles}`);
    fs.mkdirSync(theirs);
    fs.mkdirSync(ours);
    execFileSync(
      "tcpdump",
      [
        "-Z",
        "root",
        "-r",
        input,
        "-w",
        path.join(theirs, "cap"),
        "-C",
        "1",
        ...(maxFiles ? ["-W", String(maxFiles)] : []),
      ],
      { stdio: "ignore" },
    );
    const rot = new RotatingCaptureWriter(
      { baseName: path.join(ours, "cap"), maxFileBytes: 1_000_000, maxFiles, sizeRule: "tcpdump" },
      (p) => new PcapWriter(p, { linkType: 1, snaplen: 65535 }),
    );
    for (const r of records) rot.writerFor(16 + r.data.length, 0)!.writePacket(r.data, r.timestampNs);
    rot.close();
    const names = fs.readdirSync(theirs).sort();
    assert.deepEqual(fs.readdirSync(ours).sort(), names, `-W ${maxFiles}: tcpdump's file names`);
    assert.deepEqual(names, maxFiles ? ["cap0", "cap1"] : ["cap", "cap1", "cap2", "cap3"]);
    for (const n of names) {
      assert.ok(
        fs.readFileSync(path.join(ours, n)).equals(fs.readFileSync(path.join(theirs, n))),
        `${n} is tcpdump's file`,
      );
    }
  }

  // Default rule: no file passes the limit, and the files hold every packet in order.
  const exact = path.join(dir, "exact");
  fs.mkdirSync(exact);
  const limit = 250_000;
  const rot = new RotatingCaptureWriter(
    { baseName: path.join(exact, "cap"), maxFileBytes: limit },
    (p) => new PcapWriter(p, { linkType: 1, snaplen: 65535 }),
  );
  const opened: string[] = [];
  for (const r of records) rot.writerFor(16 + r.data.length, 0)!.writePacket(r.data, r.timestampNs);
  rot.close();
  opened.push(...rot.opened);
  assert.equal(opened[0], path.join(exact, "cap"));
  assert.equal(opened[1], path.join(exact, "cap1"));
  let total = 0;
  for (const [i, f] of opened.entries()) {
    const size = fs.statSync(f).size;
    assert.ok(size <= limit, `${f} is ${size} bytes`);
    if (i < opened.length - 1) assert.ok(size > limit - 1016, `${f} is filled up to the limit`);
    const back = readCapture(fs.readFileSync(f));
    for (const p of back.packets) assert.equal(p.timestampNs, records[total++]!.timestampNs);
  }
  assert.equal(total, records.length);
});

test("rotation: -G rotates on a timer tick without packets; pcapng files get their interfaces again", (t) => {
  const dir = tmpdir(t);
  const start = 1_700_000_000;
  const rot = new RotatingCaptureWriter(
    { baseName: path.join(dir, "g-%H%M%S.pcapng"), secondsPerFile: 10, startSeconds: start },
    (p) => {
      const w = new PcapngWriter(p);
      w.addInterface({ linkType: 1, name: "eth0" });
      return w;
    },
  );
  const pkt = new Uint8Array(60);
  rot.writerFor(100, start + 1)!.writePacket(0, pkt, BigInt(start + 1) * 1_000_000_000n);
  assert.equal(rot.tick(start + 10), true);
  assert.equal(rot.tick(start + 20), true);
  rot.writerFor(100, start + 25)!.writePacket(0, pkt, BigInt(start + 25) * 1_000_000_000n);
  rot.close();
  assert.deepEqual(
    rot.opened.map((f) => path.basename(f)),
    ["g-221320.pcapng", "g-221330.pcapng", "g-221340.pcapng"],
  );
  const counts = rot.opened.map((f) => {
    const c = readCapture(fs.readFileSync(f));
    assert.equal(c.interfaces[0]!.name, "eth0");
    return c.packets.length;
  });
  assert.deepEqual(counts, [1, 0, 1]);
});

test("pcap writer: in-memory builder and streaming writer produce the same bytes", () => {
  const packets = [0, 1, 2].map((i) => ({
    data: Uint8Array.from({ length: 61 + i }, (_, j) => j),
    timestampNs: 1_500_000_000_123_456_789n + BigInt(i),
  }));
  for (const nanosecond of [false, true]) {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { linkType: 1, nanosecond, bufferSize: 4096 });
    for (const p of packets) w.writePacket(p.data, p.timestampNs);
    w.close();
    assert.deepEqual(sink.bytes(), writePcap(packets, { linkType: 1, nanosecond }));
    assert.equal(w.bytesWritten, sink.bytes().length);
  }
});

test("writePacketFrom: every length and alignment copies the same bytes as the in-memory builder", () => {
  // Two sources at odd offsets, alternating (the ring and the rebuilt-frame scratch), lengths on
  // both sides of the word-copy limit, and a small buffer so records also straddle its end.
  const ring = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 255);
  const frame = Uint8Array.from({ length: 4096 }, (_, i) => (i * 13 + 5) & 255);
  const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 60, 106, 255, 256, 257, 300, 1514];
  const cases = lengths.map((length, i) => ({ source: i % 2 ? frame : ring, start: 3 + i * 5, length }));
  const packets = cases.map((c, i) => ({
    data: c.source.slice(c.start, c.start + c.length),
    timestampNs: 1_700_000_000_000_000_000n + BigInt(i * 1000),
  }));
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { linkType: 1, nanosecond: true, bufferSize: 4096 });
  cases.forEach((c, i) => w.writePacketFrom(c.source, c.start, c.length, 1_700_000_000, i * 1000));
  w.close();
  assert.deepEqual(sink.bytes(), writePcap(packets, { linkType: 1, nanosecond: true }));

  const ngSink = new MemorySink();
  const ng = new PcapngWriter(ngSink, { bufferSize: 4096 });
  ng.addInterface({ linkType: 1, tsresol: 9 });
  cases.forEach((c, i) => ng.writePacketFrom(0, c.source, c.start, c.length, 1_700_000_000, i * 1000));
  ng.close();
  const read = readCapture(ngSink.bytes());
  assert.equal(read.packets.length, cases.length);
  read.packets.forEach((p, i) => assert.deepEqual(p.data, packets[i]!.data, `pcapng packet ${i}`));
});

test("writePacketFrom: a source sharing the buffer's ArrayBuffer (copyWithin) writes the same bytes as any other", () => {
  // As a ring mapped with a scratch area: the records and the writer's buffer in one ArrayBuffer,
  // next to a source elsewhere (rebuilt frames) for the same writer, records straddling the end
  // of a small buffer, and lengths past the word-copy limit.
  const area = new ArrayBuffer(8192 + 4096);
  const ring = new Uint8Array(area, 0, 8192);
  for (let i = 0; i < ring.length; i++) ring[i] = (i * 11 + 1) & 255;
  const scratch = new Uint8Array(area, 8192, 4096);
  const frame = Uint8Array.from({ length: 2048 }, (_, i) => (i * 5 + 9) & 255);
  const lengths = [0, 1, 7, 8, 60, 106, 256, 257, 1514, 3000, 4081, 60, 1514, 2];
  const cases = lengths.map((length, i) => ({
    source: i % 3 === 2 && length <= 2000 ? frame : ring,
    start: 8 + i * 24,
    length,
  }));
  for (const nanosecond of [false, true]) {
    const shared = new MemorySink();
    const own = new MemorySink();
    const a = new PcapWriter(shared, { linkType: 1, nanosecond, buffer: scratch });
    const b = new PcapWriter(own, { linkType: 1, nanosecond, bufferSize: 4096 });
    for (const [i, c] of cases.entries()) {
      a.writePacketFrom(c.source, c.start, c.length, 1_700_000_000 + i, i * 1001);
      b.writePacketFrom(c.source, c.start, c.length, 1_700_000_000 + i, i * 1001);
    }
    a.close();
    b.close();
    assert.deepEqual(shared.bytes(), own.bytes());
    assert.equal(a.bytesWritten, shared.bytes().length);
  }
  const ngShared = new MemorySink();
  const ngOwn = new MemorySink();
  const ngA = new PcapngWriter(ngShared, { buffer: scratch });
  const ngB = new PcapngWriter(ngOwn, { bufferSize: 4096 });
  for (const w of [ngA, ngB]) {
    w.addInterface({ linkType: 1, tsresol: 9 });
    for (const [i, c] of cases.entries()) w.writePacketFrom(0, c.source, c.start, c.length, 1_700_000_000, i, c.length);
    w.close();
  }
  assert.deepEqual(ngShared.bytes(), ngOwn.bytes());
  assert.throws(() => new PcapWriter(new MemorySink(), { linkType: 1, buffer: new Uint8Array(100) }), RangeError);
});
