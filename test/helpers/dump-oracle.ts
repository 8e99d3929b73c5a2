// The dump printer's oracle: tcpdump itself, run over the real captures in ../shared/data/pcaps,
// and the comparison of the printer's text with its text. Shared by the printer's tests that need
// no kernel (test/unit/dump-print.test.ts) and the one that isolates tcpdump's name lookups in a
// network namespace (test/kernel/dump-print-names.test.ts).
//
// tcpdump runs once per capture and flag set; its complete output (a run that failed is never
// kept) is cached inside the checkout (test/helpers/test-cache.ts), keyed by tcpdump's and
// libpcap's versions, tcpdump's arguments, the captures' contents and, without -n, the name tables
// it reads. Never committed.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCapture, writePcap, type Capture, type PacketRecord } from "../../src/pcap/index.js";
import { FormatState, formatPacket, type FormatOptions } from "../../src/tools/dump/format.js";
import { testCacheDir, writeCacheEntry } from "./test-cache.js";
import { testData } from "./test-data.js";

process.env.TZ = "UTC";
export const PCAP_DIR = testData("pcaps");
const SUPPORTED_LINK_TYPES = new Set([0, 1, 101, 113, 276]);

/** tcpdump's --version text (tcpdump's, libpcap's and OpenSSL's versions), or undefined without tcpdump. */
function tcpdumpVersion(): string | undefined {
  try {
    return execFileSync("tcpdump", ["--version"], { stdio: ["ignore", "pipe", "pipe"] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

export const TCPDUMP = tcpdumpVersion();
const CACHE_DIR = testCacheDir("tcpdump-expectations");

let nameTables: string | undefined;
/** A digest of the files tcpdump's name lookups read without -n (hosts is replaced by an empty one). */
function nameTablesDigest(): string {
  if (nameTables === undefined) {
    const hash = createHash("sha256");
    for (const file of ["/etc/services", "/etc/protocols", "/etc/networks", "/etc/ethers", "/etc/nsswitch.conf"]) {
      hash.update(`${file}\0`);
      try {
        hash.update(fs.readFileSync(file));
      } catch {
        hash.update("(absent)");
      }
      hash.update("\0");
    }
    nameTables = hash.digest("hex");
  }
  return nameTables;
}

export interface CaptureFile {
  name: string;
  path: string;
  bytes: Buffer;
  hash: string;
  capture: Capture;
}

/** `records` written as an Ethernet pcap file `name` in `dir`: a capture crafted for a test, ready to compare. */
export function writeCaptureFile(dir: string, name: string, records: PacketRecord[]): CaptureFile {
  const bytes = Buffer.from(writePcap(records, { linkType: 1 }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return { name, path: file, bytes, capture: readCapture(bytes), hash: createHash("sha1").update(bytes).digest("hex") };
}

let corpus: CaptureFile[] | undefined;

/** The captures the printer covers, read once. */
export function loadCorpus(): CaptureFile[] {
  if (corpus) return corpus;
  corpus = [];
  for (const name of fs.readdirSync(PCAP_DIR).sort()) {
    const bytes = fs.readFileSync(path.join(PCAP_DIR, name));
    let capture: Capture;
    try {
      capture = readCapture(bytes);
    } catch {
      continue;
    }
    if (capture.interfaces.length === 0 || !capture.interfaces.every((i) => SUPPORTED_LINK_TYPES.has(i.linkType)))
      continue;
    corpus.push({
      name,
      path: path.join(PCAP_DIR, name),
      bytes,
      capture,
      hash: createHash("sha1").update(bytes).digest("hex"),
    });
  }
  return corpus;
}

function splitEntries(out: string): string[] {
  const lines = out.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const entries: string[] = [];
  for (const line of lines) {
    const m = /^ *(\d+) {2}/.exec(line);
    if (m && Number(m[1]) === entries.length + 1) entries.push(line);
    else if (entries.length > 0) entries[entries.length - 1] += "\n" + line;
  }
  return entries;
}

/**
 * tcpdump's output (with -#, so each packet's entry can be found) for one capture, or with -V for
 * a list of captures in one process (TCP state, -ttt references and numbering then run on across
 * the files, as they do for the printer's single FormatState in that case).
 */
function runTcpdump(files: CaptureFile[], flags: string[], namesInIsolation: boolean): Promise<string> {
  // -Z root: run as root, tcpdump otherwise becomes the "tcpdump" user once the first file is open,
  // and then cannot open the rest of a -V list from a directory that user cannot read.
  const args = ["-Z", "root", "-#", ...flags];
  const key = createHash("sha256")
    .update(
      JSON.stringify({
        tcpdump: TCPDUMP,
        args,
        names: namesInIsolation ? nameTablesDigest() : null,
        captures: files.map((f) => f.hash),
      }),
    )
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.txt`);
  if (fs.existsSync(cached)) return Promise.resolve(fs.readFileSync(cached, "utf8"));
  // One capture: -r FILE. Several: -V - with the list of files on standard input.
  const input = files.length === 1 ? ["-r", files[0]!.path] : ["-V", "-"];
  // Without -n tcpdump resolves addresses; in a namespace with no network and an empty hosts
  // file every lookup fails and it prints numbers, as this printer does.
  const [cmd, cmdArgs] = namesInIsolation
    ? [
        "unshare",
        ["-mn", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec tcpdump "$@"', emptyHosts(), ...args, ...input],
      ]
    : ["tcpdump", [...args, ...input]];
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      cmdArgs,
      { env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 30, encoding: "utf8" },
      (err, stdout, stderr) => {
        // Only a complete run is an expectation: a failed one (a file it could not open, a damaged
        // capture) fails the test with tcpdump's own words and is not kept.
        if (err) {
          const said = stderr
            .split("\n")
            .filter((l) => l !== "" && !l.startsWith("reading from file"))
            .slice(-3)
            .join("; ");
          reject(
            new Error(
              `tcpdump ${[...args, ...input].join(" ")} on ${files.length} capture(s) failed (${err.code ?? err.signal}): ${said}`,
            ),
          );
          return;
        }
        writeCacheEntry(cached, stdout);
        resolve(stdout);
      },
    );
    // A tcpdump that stops early closes the pipe; its exit status reports that, not EPIPE here.
    child.stdin!.on("error", () => {});
    if (files.length === 1) child.stdin!.end();
    else child.stdin!.end(files.map((f) => f.path).join("\n") + "\n");
  });
}

let emptyHostsPath: string | undefined;
function emptyHosts(): string {
  if (!emptyHostsPath) {
    emptyHostsPath = path.join(CACHE_DIR, "empty-hosts");
    writeCacheEntry(emptyHostsPath, "");
  }
  return emptyHostsPath;
}

async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** True when a pcap record's fraction-of-a-second field is out of range (the reader normalises it; libpcap does not). */
function rawFractionOutOfRange(capture: Capture, fileBytes: Buffer, fileOffset: number): boolean {
  if (capture.format !== "pcap") return false;
  const v = new DataView(fileBytes.buffer, fileBytes.byteOffset, fileBytes.byteLength);
  const frac = v.getUint32(fileOffset + 4, capture.byteOrder === "little");
  return frac >= (capture.nanosecond ? 1_000_000_000 : 1_000_000);
}

/** An entry without its timestamp, for records whose timestamp fields libpcap passes through unnormalised. */
export function withoutTimestamp(entry: string): string {
  return entry.replace(/^( *\d+ {2})\S+ /, "$1");
}

export interface Comparison {
  files: number;
  packets: number;
  compared: number;
  equal: number;
  timestampFieldsOutOfRange: number;
  skipped: Map<string, number>;
  mismatches: string[];
  countMismatches: string[];
}

/**
 * Compares tcpdump's and the printer's text. `batched`: one tcpdump process (-V) and one
 * FormatState for all files; otherwise one of each per file.
 */
export async function compare(
  files: CaptureFile[],
  flags: string[],
  options: FormatOptions,
  namesInIsolation = false,
  batched = false,
): Promise<Comparison> {
  const result: Comparison = {
    files: files.length,
    packets: 0,
    compared: 0,
    equal: 0,
    timestampFieldsOutOfRange: 0,
    skipped: new Map(),
    mismatches: [],
    countMismatches: [],
  };
  const opts: FormatOptions = { ...options, packetNumbers: true };
  const groups = batched ? [files] : files.map((f) => [f]);
  const outputs = await mapConcurrent(groups, 12, (g) => runTcpdump(g, flags, namesInIsolation));
  groups.forEach((group, gi) => {
    const entries = splitEntries(outputs[gi]!);
    const total = group.reduce((n, f) => n + f.capture.packets.length, 0);
    if (entries.length !== total) {
      result.countMismatches.push(
        `${group
          .map((f) => f.name)
          .join(",")
          .slice(0, 200)}: tcpdump printed ${entries.length} packets, the reader found ${total}`,
      );
      return;
    }
    const state = new FormatState();
    let e = 0;
    for (const file of group) {
      file.capture.packets.forEach((p, i) => {
        let ours = formatPacket(p.data, p.linkType, p.timestampNs, opts, state, p.originalLength);
        let theirs = entries[e++]!;
        result.packets++;
        if (state.unsupported !== undefined) {
          result.skipped.set(state.unsupported, (result.skipped.get(state.unsupported) ?? 0) + 1);
          return;
        }
        if (rawFractionOutOfRange(file.capture, file.bytes, p.fileOffset)) {
          result.timestampFieldsOutOfRange++;
          ours = withoutTimestamp(ours);
          theirs = withoutTimestamp(theirs);
        }
        result.compared++;
        if (ours === theirs) result.equal++;
        else if (result.mismatches.length < 20) {
          result.mismatches.push(
            `${file.name} packet ${i + 1}\n  tcpdump: ${JSON.stringify(theirs)}\n  ours:    ${JSON.stringify(ours)}`,
          );
        }
      });
    }
  });
  return result;
}

export function report(t: { diagnostic(message: string): void }, label: string, r: Comparison): void {
  const skipped = [...r.skipped.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(
    `${label}: ${r.files} files, ${r.packets} packets, ${r.compared} compared, ${r.equal} equal, ` +
      `${skipped} with protocols outside the printer (${r.timestampFieldsOutOfRange} compared without the timestamp: ` +
      `out-of-range timestamp fields)`,
  );
}

export function assertAllEqual(r: Comparison): void {
  assert.deepEqual(r.countMismatches, [], "tcpdump and the reader disagree on packet counts");
  assert.deepEqual(r.mismatches, [], `${r.compared - r.equal} packets print differently`);
  assert.equal(r.equal, r.compared);
}

/** True for a pcap record whose seconds field has its top bit set: libpcap 1.10 reads it as signed, the reader as unsigned. */
function secondsPastSigned32(capture: Capture, timestampNs: bigint): boolean {
  return capture.format === "pcap" && timestampNs >= 0x80000000n * 1_000_000_000n;
}

/**
 * The captures for the flag variants: all of them but those whose records carry out-of-range
 * timestamp fields (libpcap passes those through unnormalised) or seconds past 2038 in a pcap file
 * (libpcap 1.10 takes them for times before 1970): either skews -ttt deltas for the packets after
 * them when one tcpdump process reads every file.
 */
export function variantCorpus(files: CaptureFile[]): CaptureFile[] {
  return files.filter(
    (f) =>
      !f.capture.packets.some(
        (p) => rawFractionOutOfRange(f.capture, f.bytes, p.fileOffset) || secondsPastSigned32(f.capture, p.timestampNs),
      ),
  );
}
