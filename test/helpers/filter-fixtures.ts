// Shared by the filter tests: the capture corpus grouped the way tcpdump compiles filters (one
// group per link type, BSD loopback split by byte order), merged capture files that tcpdump reads
// in one run per expression, tcpdump itself, and a vocabulary for random expressions.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCapture } from "../../src/pcap/reader.js";
import { writePcap } from "../../src/pcap/writer.js";
import { filterableLinkType } from "../../src/filter/lower.js";
import { testData } from "./test-data.js";

export const PCAP_DIR = testData("pcaps");

export interface CorpusPacket {
  file: string;
  /** 1-based number in its file. */
  number: number;
  data: Uint8Array;
  originalLength: number;
}

export interface PacketGroup {
  /** "1", "113", "0-le", "276-synthetic", … */
  name: string;
  linkType: number;
  loopbackByteOrder: "little" | "big";
  packets: CorpusPacket[];
  /** For each packet, the index of the first packet with the same bytes and length (itself if none). */
  firstCopy: number[];
  /** The group's distinct packets as one pcap file; packet i of the group has timestamp i seconds. */
  mergedFile: string;
  synthetic: boolean;
}

export interface Corpus {
  files: { name: string; linkTypes: number[]; packets: number }[];
  groups: PacketGroup[];
  /** Files no group covers (link types tsbpf does not compile for), with their link types. */
  unsupported: { name: string; linkTypes: number[] }[];
  dir: string;
  cleanup(): void;
}

export function tcpdumpAvailable(): boolean {
  return spawnSync("tcpdump", ["--version"], { stdio: "ignore" }).status === 0;
}

function bswap32(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b);
  if (out.length >= 4) [out[0], out[1], out[2], out[3]] = [b[3]!, b[2]!, b[1]!, b[0]!];
  return out;
}

/** SLL (16-byte header) → SLL2 (20-byte header) with the same addresses, protocol and payload. */
function sllToSll2(d: Uint8Array, index: number): Uint8Array {
  if (d.length < 16) return d;
  const out = new Uint8Array(d.length + 4);
  const v = new DataView(out.buffer);
  out[0] = d[14]!;
  out[1] = d[15]!; // protocol
  v.setUint32(4, 1 + (index % 3), false); // interface index
  out[8] = d[2]!;
  out[9] = d[3]!; // ARPHRD type
  out[10] = d[1]!; // packet type (the low byte of SLL's 16-bit field)
  out[11] = d[5]!; // address length
  out.set(d.subarray(6, 14), 12); // address
  out.set(d.subarray(16), 20);
  return out;
}

let cached: Corpus | undefined;

/** Reads every capture once per process and builds the merged files (in a temporary directory). */
export function loadCorpus(): Corpus {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-filter-"));
  // several tests of a file share the corpus; the directory goes when the process does
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const files: Corpus["files"] = [];
  const unsupported: Corpus["unsupported"] = [];
  const byKey = new Map<string, PacketGroup>();
  const group = (name: string, linkType: number, order: "little" | "big", synthetic = false): PacketGroup => {
    let g = byKey.get(name);
    if (!g) {
      g = {
        name,
        linkType,
        loopbackByteOrder: order,
        packets: [],
        firstCopy: [],
        mergedFile: join(dir, `${name}.pcap`),
        synthetic,
      };
      byKey.set(name, g);
    }
    return g;
  };
  for (const name of readdirSync(PCAP_DIR).sort()) {
    const cap = readCapture(readFileSync(join(PCAP_DIR, name)));
    const linkTypes = [...new Set(cap.packets.map((p) => p.linkType))];
    files.push({ name, linkTypes, packets: cap.packets.length });
    if (linkTypes.some((lt) => !filterableLinkType(lt))) {
      unsupported.push({ name, linkTypes });
      continue;
    }
    for (const p of cap.packets) {
      const order = p.linkType === 0 ? p.interface.byteOrder : "little";
      const g = group(p.linkType === 0 ? `0-${order}` : String(p.linkType), p.linkType, order);
      g.packets.push({ file: name, number: p.index + 1, data: p.data, originalLength: p.originalLength });
    }
  }
  // Link types and byte orders the corpus lacks, made from packets it has (tcpdump reads them as such).
  const sll = byKey.get("113");
  if (sll) {
    const g = group("276-synthetic", 276, "little", true);
    sll.packets.forEach((p, i) =>
      g.packets.push({ ...p, data: sllToSll2(p.data, i), originalLength: p.originalLength + 4 }),
    );
  }
  const loop = byKey.get("0-little");
  if (loop && !byKey.has("0-big")) {
    const g = group("0-big-synthetic", 0, "big", true);
    for (const p of loop.packets) g.packets.push({ ...p, data: bswap32(p.data) });
  }
  for (const g of byKey.values()) {
    const seen = new Map<string, number>();
    g.firstCopy = g.packets.map((p, i) => {
      const key = `${p.originalLength}:${Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString("latin1")}`;
      const first = seen.get(key);
      if (first !== undefined) return first;
      seen.set(key, i);
      return i;
    });
    const distinct = g.packets.map((p, i) => ({ p, i })).filter(({ i }) => g.firstCopy[i] === i);
    writeFileSync(
      g.mergedFile,
      writePcap(
        distinct.map(({ p, i }) => ({
          data: p.data,
          originalLength: p.originalLength,
          timestampNs: BigInt(i) * 1_000_000_000n,
        })),
        { linkType: g.linkType, byteOrder: g.loopbackByteOrder },
      ),
    );
  }
  cached = {
    files,
    groups: [...byKey.values()],
    unsupported,
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      cached = undefined;
    },
  };
  return cached;
}

export type TcpdumpResult = { matches: Set<number> } | { error: string };

function parseTcpdumpOutput(code: number, out: Uint8Array, stderrText: string): TcpdumpResult {
  const stderr = stderrText
    .split("\n")
    .filter((l) => l && !l.startsWith("reading from file"))
    .join("\n");
  if (code !== 0) return { error: stderr.replace(/^tcpdump: /, "") };
  const cap = readCapture(out);
  return { matches: new Set(cap.packets.map((p) => Number(p.timestampNs / 1_000_000_000n))) };
}

/** What tcpdump -r FILE EXPR accepts: packet indices (timestamps of the merged file), or its error. */
export function tcpdumpMatches(file: string, expression: string): Promise<TcpdumpResult> {
  return new Promise((resolve, reject) => {
    // "--": an expression may start with "-" (tcpdump would take it for an option)
    const child = spawn("tcpdump", ["-r", file, "-w", "-", "--", expression], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve(parseTcpdumpOutput(code ?? 1, Buffer.concat(out), Buffer.concat(err).toString("utf8"))),
    );
  });
}

/**
 * Many tcpdump runs without forking this (large) process for each: one xargs child starts them,
 * a few at a time, as jobs are written to its input; each run writes its output to a file and
 * reports its exit status on a line.
 */
export class TcpdumpPool {
  private readonly child;
  private readonly waiting = new Map<number, (code: number) => void>();
  private nextId = 0;
  private buffered = "";

  constructor(
    private readonly dir: string,
    parallel = 4,
  ) {
    mkdirSync(dir, { recursive: true });
    const script = 'tcpdump -r "$1" -w "$OUT/$0.pcap" -- "$2" 2>"$OUT/$0.err"; echo "$0 $?"';
    this.child = spawn("xargs", ["-0", "-n", "3", "-P", String(parallel), "sh", "-c", script], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, OUT: dir },
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf("\n")) >= 0) {
        const [id, code] = this.buffered.slice(0, nl).split(" ").map(Number);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.get(id!)?.(code!);
        this.waiting.delete(id!);
      }
    });
  }

  run(file: string, expression: string): Promise<TcpdumpResult> {
    const id = this.nextId++;
    const done = new Promise<number>((resolve) => this.waiting.set(id, resolve));
    this.child.stdin.write(`${id}\0${file}\0${expression}\0`);
    return done.then((code) => {
      const out = join(this.dir, `${id}.pcap`),
        err = join(this.dir, `${id}.err`);
      let data: Uint8Array = new Uint8Array(0);
      try {
        data = readFileSync(out);
      } catch {
        /* tcpdump failed before writing */
      }
      const result = parseTcpdumpOutput(code, data, readFileSync(err, "utf8"));
      rmSync(out, { force: true });
      rmSync(err, { force: true });
      return result;
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Addresses, MACs and ports that occur in the Ethernet captures (for random expressions). */
export function vocabulary(corpus: Corpus): { ipv4: string[]; ipv6: string[]; macs: string[]; ports: number[] } {
  const count = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  const v4 = new Map<string, number>(),
    v6 = new Map<string, number>(),
    macs = new Map<string, number>(),
    ports = new Map<string, number>();
  const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
  for (const p of corpus.groups.find((g) => g.name === "1")?.packets ?? []) {
    const d = p.data;
    if (d.length < 14) continue;
    count(macs, hex(d.subarray(0, 6)));
    count(macs, hex(d.subarray(6, 12)));
    const et = (d[12]! << 8) | d[13]!;
    if (et === 0x800 && d.length >= 34) {
      count(v4, [...d.subarray(26, 30)].join("."));
      count(v4, [...d.subarray(30, 34)].join("."));
      const hl = (d[14]! & 15) * 4;
      if ((d[23] === 6 || d[23] === 17) && d.length >= 14 + hl + 4) {
        count(ports, String((d[14 + hl]! << 8) | d[15 + hl]!));
        count(ports, String((d[16 + hl]! << 8) | d[17 + hl]!));
      }
    }
    if (et === 0x86dd && d.length >= 54) {
      for (const o of [22, 38]) {
        const w: string[] = [];
        for (let i = 0; i < 16; i += 2) w.push(((d[o + i]! << 8) | d[o + i + 1]!).toString(16));
        count(v6, w.join(":"));
      }
    }
  }
  const top = (m: Map<string, number>, n: number): string[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map((e) => e[0]);
  return { ipv4: top(v4, 60), ipv6: top(v6, 20), macs: top(macs, 30), ports: top(ports, 40).map(Number) };
}
