// The corpus report: over every capture in ../shared/data/pcaps (every link type, hostile ones
// included), how many of the lines `tcpdump -nn -r FILE` prints the printer prints identically —
// in the same place of the same packet's entry. Unlike the printer's comparison in
// dump-print.test.ts, nothing is left out: a packet that reaches a protocol without a decoder
// counts against the printer, so the figure measures how much of tcpdump's text tsbpf reproduces.
//
// tcpdump's output is cached like the printer oracle's (test/helpers/test-cache.ts). A capture that
// tcpdump stops reading part way (a damaged file) is kept as far as tcpdump printed it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCapture, type Capture } from "../../src/pcap/index.js";
import { FormatState, formatPacket, type FormatOptions } from "../../src/tools/dump/format.js";
import { PCAP_DIR, TCPDUMP, withoutTimestamp } from "./dump-oracle.js";
import { testCacheDir, writeCacheEntry } from "./test-cache.js";

const CACHE_DIR = testCacheDir("tcpdump-corpus-report");

export interface FileLines {
  name: string;
  /** Lines tcpdump printed for the capture's packets. */
  lines: number;
  /** Of those, lines the printer printed identically. */
  equal: number;
}

export interface CorpusReport {
  files: FileLines[];
  lines: number;
  equal: number;
  /** Mismatching lines grouped by the protocol chain tcpdump names at their start (for the next decoder to write). */
  missesByKind: Map<string, number>;
  /** A few mismatches per kind, for diagnostics. */
  examples: Map<string, string[]>;
  /** Per protocol asked for: lines of the packets whose first tcpdump line matches its pattern, and how many are identical. */
  protocols: Map<string, { lines: number; equal: number; misses: string[] }>;
}

function tcpdumpOutput(file: string, bytes: Buffer, flags: string[]): Promise<string> {
  const args = ["-Z", "root", "-#", ...flags, "-r", file];
  const key = createHash("sha256")
    .update(
      JSON.stringify({
        tcpdump: TCPDUMP,
        args: args.slice(0, -1),
        capture: createHash("sha1").update(bytes).digest("hex"),
      }),
    )
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.txt`);
  if (fs.existsSync(cached)) return Promise.resolve(fs.readFileSync(cached, "utf8"));
  return new Promise((resolve) => {
    execFile(
      "tcpdump",
      args,
      { env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 30, encoding: "utf8" },
      (_err, stdout) => {
        // A damaged capture ends tcpdump with an error after the packets it could read: those
        // lines are still what a user sees.
        writeCacheEntry(cached, stdout);
        resolve(stdout);
      },
    );
  });
}

/** tcpdump's -# output as one entry per packet (an entry may span lines). */
function entriesOf(out: string): string[] {
  const entries: string[] = [];
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const m = /^ *(\d+) {2}/.exec(line);
    if (m && Number(m[1]) === entries.length + 1) entries.push(line);
    else if (entries.length > 0) entries[entries.length - 1] += "\n" + line;
  }
  return entries;
}

/** The kind of a tcpdump line: the protocol word after the addresses, else the lower port, roughly what tcpdump decoded. */
function kindOf(line: string): string {
  const body = line.replace(/^ *\d+ {2}\S+ /, "");
  const ports = /^(IP6?) \S+?\.(\d+) > \S+?\.(\d+): (\S+)/.exec(body);
  if (ports) {
    const word = /^[A-Za-z][\w-]*/.exec(ports[4]!)?.[0];
    const port = Math.min(Number(ports[2]), Number(ports[3]));
    return word === "Flags"
      ? `${ports[1]} tcp port ${port}`
      : word
        ? `${ports[1]} ${word}`
        : `${ports[1]} port ${port}`;
  }
  const m = /^(IP6?|ARP|\S+) (?:\S+ > \S+: )?([A-Za-z][\w-]*)?/.exec(body);
  if (!m) return "other";
  return m[2] ? `${m[1]} ${m[2]}` : m[1]!;
}

async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/** Compares, line for line, tcpdump's text and the printer's for every capture of the corpus. */
export async function corpusReport(
  flags: string[],
  options: FormatOptions,
  protocols: Record<string, RegExp> = {},
): Promise<CorpusReport> {
  const names = fs.readdirSync(PCAP_DIR).sort();
  const outputs = await mapConcurrent(names, 8, (name) => {
    const file = path.join(PCAP_DIR, name);
    return tcpdumpOutput(file, fs.readFileSync(file), flags);
  });
  const report: CorpusReport = {
    files: [],
    lines: 0,
    equal: 0,
    missesByKind: new Map(),
    examples: new Map(),
    protocols: new Map(),
  };
  for (const name of Object.keys(protocols)) report.protocols.set(name, { lines: 0, equal: 0, misses: [] });
  const opts: FormatOptions = { ...options, packetNumbers: true };
  names.forEach((name, fi) => {
    const theirs = entriesOf(outputs[fi]!);
    let capture: Capture | undefined;
    try {
      capture = readCapture(fs.readFileSync(path.join(PCAP_DIR, name)));
    } catch {
      capture = undefined;
    }
    const state = new FormatState();
    const counts: FileLines = { name, lines: 0, equal: 0 };
    theirs.forEach((entry, i) => {
      const packet = capture?.packets[i];
      const ours = packet
        ? formatPacket(packet.data, packet.linkType, packet.timestampNs, opts, state, packet.originalLength).split("\n")
        : [];
      const first = entry.split("\n")[0]!.replace(/^ *\d+ {2}(?:\[Error converting time\]|\S+) /, "");
      const protocol = Object.entries(protocols).find(([, pattern]) => pattern.test(first))?.[0];
      entry.split("\n").forEach((line, j) => {
        counts.lines++;
        const perProtocol = protocol === undefined ? undefined : report.protocols.get(protocol)!;
        if (perProtocol) perProtocol.lines++;
        if (ours[j] === line) {
          counts.equal++;
          if (perProtocol) perProtocol.equal++;
          return;
        }
        // A protocol's decoder answers for its text, not for the timestamp (a record whose time
        // fields libpcap passes through unnormalised prints a different one).
        if (perProtocol && j === 0 && ours[0] !== undefined && withoutTimestamp(ours[0]) === withoutTimestamp(line))
          perProtocol.equal++;
        else if (perProtocol && perProtocol.misses.length < 5)
          perProtocol.misses.push(`${name} #${i + 1}\n    tcpdump: ${line}\n    ours:    ${ours[j] ?? "(none)"}`);
        const kind = kindOf(entry.split("\n")[0]!);
        report.missesByKind.set(kind, (report.missesByKind.get(kind) ?? 0) + 1);
        const list = report.examples.get(kind) ?? [];
        if (list.length < 3) list.push(`${name} #${i + 1}\n    tcpdump: ${line}\n    ours:    ${ours[j] ?? "(none)"}`);
        report.examples.set(kind, list);
      });
    });
    if (counts.lines > 0) report.files.push(counts);
    report.lines += counts.lines;
    report.equal += counts.equal;
  });
  return report;
}
