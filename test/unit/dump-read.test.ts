// tsbpf dump -r reads a capture as it comes: a cut or damaged file prints every packet before the
// bad record and then libpcap's words with tcpdump's status, what libpcap accepts is read, the
// wrong kind of input fails on its first bytes, a live stream on stdin is printed as it is written,
// and memory stays flat however long the input. tcpdump on the same bytes is the oracle.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCapture, writePcap, writePcapng } from "../../src/pcap/index.js";
import { PCAP_DIR, tcpdumpAvailable } from "../helpers/filter-fixtures.js";
import { Rng } from "../helpers/filter-grammar.js";
import { runTool, TSBPF_MAIN } from "../helpers/tool-process.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-dump-read-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(bytes: Uint8Array, suffix = ".pcap"): string {
  const path = join(dir, `f${files++}${suffix}`);
  writeFileSync(path, bytes);
  return path;
}

/** Packets printed: an entry starts at a line that does not start with white space. */
function entries(stdout: string): number {
  return stdout.split("\n").filter((l) => l !== "" && !/^\s/.test(l)).length;
}

function tcpdump(path: string): { code: number | null; packets: number; stderr: string } {
  const r = spawnSync("tcpdump", ["-nn", "-r", path], { encoding: "utf8", maxBuffer: 1 << 28 });
  return { code: r.status, packets: entries(r.stdout), stderr: r.stderr };
}

function dump(path: string): { code: number | null; packets: number; stderr: string; stdout: string } {
  const r = runTool(["dump", "-nn", "-r", path]);
  return { ...r, packets: entries(r.stdout) };
}

const lastLine = (text: string): string => text.trimEnd().split("\n").at(-1) ?? "";

/** A corpus capture as tsbpf's own writers write it. */
function ownCapture(format: "pcap" | "pcapng"): Uint8Array {
  const source = readCapture(readFileSync(join(PCAP_DIR, "afs.pcap")));
  const packets = source.packets.map((p) => ({
    data: p.data,
    originalLength: p.originalLength,
    timestampNs: p.timestampNs,
  }));
  return format === "pcap"
    ? writePcap(packets, { linkType: source.linkType, snaplen: 65535 })
    : writePcapng([{ interfaces: [{ linkType: source.linkType, snaplen: 65535, name: "eth0" }], packets }]);
}

test("a capture cut mid-record prints every packet before the cut, then libpcap's message and status 1", (t) => {
  if (!tcpdumpAvailable()) return t.skip("tcpdump is not installed");
  for (const format of ["pcap", "pcapng"] as const) {
    const whole = ownCapture(format);
    const offsets = readCapture(whole).packets.map((p) => p.fileOffset);
    // inside the 101st record: past its header, into its data
    const cut = file(whole.subarray(0, offsets[100]! + 30), `.${format}`);
    const theirs = tcpdump(cut);
    const mine = dump(cut);
    assert.equal(mine.packets, 100, `${format}: ${mine.stderr}`);
    assert.equal(mine.packets, theirs.packets, `${format}: tcpdump printed ${theirs.packets}`);
    assert.equal(mine.code, 1);
    assert.equal(mine.code, theirs.code);
    const message = lastLine(theirs.stderr).replace(/^tcpdump: (pcap_loop: )?/, "");
    assert.match(message, /^truncated (pcapng )?dump file; tried to read \d+ (captured )?bytes, only got \d+$/);
    assert.ok(
      lastLine(mine.stderr).startsWith(`tsbpf dump: ${cut}: ${message}`),
      `${lastLine(mine.stderr)} vs ${message}`,
    );
    // the same bytes through a pipe
    const piped = spawnSync(process.execPath, [TSBPF_MAIN, "dump", "-nn", "-r", "-"], {
      input: readFileSync(cut),
      encoding: "utf8",
    });
    assert.equal(entries(piped.stdout), 100);
    assert.equal(piped.status, 1);
    assert.ok(lastLine(piped.stderr).includes(message), piped.stderr);
  }
});

test("damaged corpus captures print as many packets as tcpdump before the bad record, with its status", (t) => {
  if (!tcpdumpAvailable()) return t.skip("tcpdump is not installed");
  const rng = new Rng(14);
  const sources = [
    "afs.pcap",
    "OSPFv2_Capture_FINAL.pcapng",
    "LINKTYPE_RAW_ipv4.pcap",
    "hdlc_slarp.pcapng",
    "LACP.pcap",
  ];
  let compared = 0,
    cutShort = 0,
    printedBeforeError = 0;
  for (let i = 0; i < 40; i++) {
    const name = rng.pick(sources);
    const original = readFileSync(join(PCAP_DIR, name));
    const offsets = readCapture(original).packets.map((p) => p.fileOffset);
    let bytes: Buffer;
    if (i % 2 === 0) {
      // cut anywhere
      bytes = Buffer.from(original.subarray(0, 1 + rng.int(original.length - 1)));
    } else {
      // a record's length fields garbled
      bytes = Buffer.from(original);
      const at = offsets[rng.int(offsets.length)]!;
      const field = name.endsWith(".pcapng") ? at + 4 + 4 * rng.int(6) : at + 8 + 4 * rng.int(2);
      bytes.writeUInt32LE(
        rng.int(2) === 0 ? rng.int(1 << 20) : (bytes.readUInt32LE(field) + 1 + rng.int(64)) >>> 0,
        field,
      );
    }
    const path = file(bytes, name.endsWith(".pcapng") ? ".pcapng" : ".pcap");
    const theirs = tcpdump(path);
    const mine = dump(path);
    assert.equal(mine.packets, theirs.packets, `${name} mutation ${i}: ${theirs.stderr} / ${mine.stderr}`);
    assert.equal(mine.code, theirs.code, `${name} mutation ${i}: ${theirs.stderr} / ${mine.stderr}`);
    compared++;
    if (theirs.code !== 0) {
      cutShort++;
      printedBeforeError += theirs.packets;
    }
  }
  t.diagnostic(`${compared} damaged files, ${cutShort} ended early after ${printedBeforeError} packets in all`);
  assert.ok(cutShort > 10 && printedBeforeError > 100, `${cutShort} ended early, ${printedBeforeError} packets`);
});

test("what libpcap accepts is read: EPB options past their block, statistics for an undescribed interface", (t) => {
  if (!tcpdumpAvailable()) return t.skip("tcpdump is not installed");
  const ng = Buffer.from(
    writePcapng([{ interfaces: [{ linkType: 1, snaplen: 65535 }], packets: [{ data: new Uint8Array(60) }] }]),
  );
  const shb = ng.readUInt32LE(4);
  const idb = ng.readUInt32LE(shb + 4);
  const epb = ng.subarray(shb + idb);
  // an option whose length (200) runs past the end of its block
  const body = Buffer.concat([epb.subarray(8, 28 + 60), Buffer.from([1, 0, 200, 0]), Buffer.from("abcd")]);
  const badOption = Buffer.alloc(body.length + 12);
  badOption.writeUInt32LE(6, 0);
  badOption.writeUInt32LE(badOption.length, 4);
  body.copy(badOption, 8);
  badOption.writeUInt32LE(badOption.length, badOption.length - 4);
  // statistics for interface 7, which no block describes
  const isb = Buffer.alloc(24);
  isb.writeUInt32LE(5, 0);
  isb.writeUInt32LE(24, 4);
  isb.writeUInt32LE(7, 8);
  isb.writeUInt32LE(24, 20);
  const path = file(Buffer.concat([ng.subarray(0, shb + idb), isb, badOption, epb]), ".pcapng");
  const theirs = tcpdump(path);
  const mine = dump(path);
  assert.equal(theirs.code, 0, theirs.stderr);
  assert.equal(theirs.packets, 2);
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(mine.packets, 2);
});

test("the wrong input fails on its first bytes; a section header alone names what is missing", () => {
  const zero = runTool(["dump", "-r", "/dev/zero"], { timeoutMs: 20_000 });
  assert.equal(zero.code, 1);
  assert.equal(zero.stderr.trim().split("\n").length, 1, zero.stderr);
  assert.match(zero.stderr, /^tsbpf dump: \/dev\/zero: unknown file format/);
  const filter = runTool(["filter", "-r", "/dev/zero", "tcp"], { timeoutMs: 20_000 });
  assert.equal(filter.code, 1);
  assert.match(filter.stderr, /^tsbpf filter: \/dev\/zero: unknown file format/);
  const load = runTool(["load", "/dev/zero"], { timeoutMs: 20_000 });
  assert.equal(load.code, 1);
  assert.match(load.stderr, /^tsbpf load: \/dev\/zero: not an ELF object/);
  const artifact = join(TSBPF_MAIN, "../../tools/count/count.bpf.json");
  const data = runTool(["run", "--data", "/dev/zero", artifact], { timeoutMs: 20_000 });
  assert.equal(data.code, 1);
  assert.match(data.stderr, /^tsbpf run: \/dev\/zero: more than 16 MiB, the most read for --data\n/);

  const shbOnly = writePcapng([{ interfaces: [], packets: [] }]);
  const lone = dump(file(shbOnly, ".pcapng"));
  assert.equal(lone.code, 1);
  assert.doesNotMatch(lone.stderr, /LINKTYPE_-1/);
  assert.match(lone.stderr, /the capture file has no Interface Description Blocks/);
});

test("dump -r - follows a live stream: packets are printed before the writer ends", async () => {
  const packet = (i: number): Uint8Array => {
    const p = new Uint8Array(60);
    p.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, i, 0x08, 0x06]); // Ethernet, ARP
    return p;
  };
  const all = writePcap(
    Array.from({ length: 5 }, (_, i) => ({ data: packet(i), timestampNs: 1_700_000_000_000_000_000n + BigInt(i) })),
    { linkType: 1, snaplen: 65535 },
  );
  const firstThree = 24 + 3 * (16 + 60);
  const child = spawn(process.execPath, [TSBPF_MAIN, "dump", "-nn", "-r", "-"], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const lines = async (n: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (entries(stdout) < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} packets; stdout: ${stdout} stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    // the header, three packets and half of the fourth: the three are printed while the writer waits
    child.stdin.write(all.subarray(0, firstThree + 20));
    await lines(3);
    assert.equal(entries(stdout), 3);
    assert.equal(child.exitCode, null, "the reader waits for more");
    child.stdin.end(all.subarray(firstThree + 20));
    assert.equal(await exited, 0, stderr);
    assert.equal(entries(stdout), 5);
  } finally {
    if (child.exitCode === null) child.kill();
  }
});

/**
 * Peak RSS (KiB) of `dump -r -` reading `totalBytes` of `recordBytes`-long ARP records, generated
 * into the pipe and never on disk; by default a filter that keeps none makes the read itself the
 * work. `tail` is the rest of the command line after the tsbpf CLI.
 */
function peakRssReadingPipe(recordBytes: number, totalBytes: number, tail = "dump -r - udp port 9"): number {
  const generator = `
    const fs = require("node:fs");
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16); header.writeUInt32LE(1, 20);
    fs.writeSync(1, header);
    const record = Buffer.alloc(16 + ${recordBytes});
    record.writeUInt32LE(${recordBytes}, 8); record.writeUInt32LE(${recordBytes}, 12); record.writeUInt16BE(0x0806, 16 + 12);
    const chunk = Buffer.concat(Array(Math.ceil(1e6 / record.length)).fill(record));
    for (let n = 0; n < ${totalBytes}; n += chunk.length) fs.writeSync(1, chunk);`;
  const r = spawnSync(
    "bash",
    [
      "-c",
      `set -o pipefail; "${process.execPath}" -e '${generator}' | /usr/bin/time -f 'maxrss %M' "${process.execPath}" "${TSBPF_MAIN}" ${tail}`,
    ],
    { encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const kib = Number(/maxrss (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(kib > 0, r.stderr);
  return kib;
}

test("memory stays flat: 300 MB of small records through a pipe", () => {
  const kib = peakRssReadingPipe(134, 300_000_000);
  assert.ok(kib < 64 * 1024, `peak RSS ${(kib / 1024).toFixed(1)} MiB for 300 MB of 150-byte records`);
});

test("printing into a slow pipe: what it has not taken yet does not pile up", () => {
  // 700,000 lines, into a pipe nobody reads for the first two seconds
  const kib = peakRssReadingPipe(134, 100_000_000, "dump -nn -r - | (sleep 2; cat >/dev/null)");
  assert.ok(kib < 64 * 1024, `peak RSS ${(kib / 1024).toFixed(1)} MiB printing 100 MB into a slow pipe`);
});

test("no size limit: 2.6 GB through a pipe (more than Node reads into one buffer)", () => {
  const kib = peakRssReadingPipe(65000, 2_600_000_000);
  assert.ok(kib < 64 * 1024, `peak RSS ${(kib / 1024).toFixed(1)} MiB for 2.6 GB`);
});

test("-w - into a pipe closed early ends quietly; -w /dev/full says so once", () => {
  const source = join(PCAP_DIR, "afs.pcap");
  const r = spawnSync(
    "bash",
    [
      "-c",
      `"${process.execPath}" "${TSBPF_MAIN}" dump -r "${source}" -w - | head -c 1000 >/dev/null; exit \${PIPESTATUS[0]}`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|pipe/i);
  const full = runTool(["dump", "-r", source, "-w", "/dev/full"]);
  assert.equal(full.code, 1);
  const errors = full.stderr.split("\n").filter((l) => l.startsWith("tsbpf dump:"));
  assert.deepEqual(errors, ["tsbpf dump: /dev/full: No space left on device"]);
});
