// Loading the kernel's BTF: parse /sys/kernel/btf/vmlinux and find sock.__sk_common.skc_dport.
// A library pays this once per process, so the honest figure is a cold one: each run is a fresh
// Node process (module import excluded), and the median of several runs is reported. The C peer
// does the same with libbpf (bench/peers/btf_parse.c) when gcc and libbpf-dev are installed.
// Run alone: npx tsc -p . && node dist/bench/btf.js
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { buildPeer, median, runPeer } from "./c-peer.js";
import { loadBtfFile, VMLINUX_BTF_PATH } from "../src/btf/index.js";
import type { Figures } from "./run.js";

export interface ColdRun {
  parseMs: number;
  lookupMs: number;
  totalMs: number;
  offset: number;
  types: number;
  /** Private memory the process gained (RssAnon), MiB. */
  rssAnonMiB: number;
  /** File pages mapped in (RssFile): the mapped BTF itself when mmap is used, MiB. */
  rssFileMiB?: number;
  heapMiB?: number;
  externalMiB?: number;
}

export interface ColdSummary {
  runs: number;
  parseMs: number;
  lookupMs: number;
  totalMs: number;
  totalMsMin: number;
  rssAnonMiB: number;
  rssFileMiB?: number;
  heapMiB?: number;
  externalMiB?: number;
}

export interface BtfBenchResult {
  vmlinuxBytes: number;
  types: number;
  offset: number;
  /** Fresh processes, vmlinux mapped (the default). */
  cold: ColdSummary;
  /** Fresh processes, vmlinux read into memory (mmap disabled): what kernels before 6.15 get. */
  coldRead: ColdSummary;
  /** The same work repeated in one process after warm-up (JIT compiled, pages cached). */
  warm: { parseMs: number; lookupMs: number; totalMs: number };
  /** libbpf in C, fresh processes; null when it could not be built. */
  peer: (ColdSummary & { name: string }) | null;
  notes: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const btfModule = pathToFileURL(join(here, "..", "src", "btf", "index.js")).href;

// Runs in a fresh process: import first (koffi and module loading are not BTF work), then time.
const CHILD = `
const [url, mode, path] = process.argv.slice(1);
const { loadBtfFile } = await import(url);
const { readFileSync } = await import("node:fs");
const status = () => {
  const s = readFileSync("/proc/self/status", "utf8");
  const kb = (f) => Number(new RegExp(f + ":\\\\s+(\\\\d+)").exec(s)?.[1] ?? 0);
  return { anon: kb("RssAnon"), file: kb("RssFile") };
};
const s0 = status(), m0 = process.memoryUsage();
const t0 = performance.now();
const btf = loadBtfFile(path, { mmap: mode === "mmap" });
const t1 = performance.now();
const offset = btf.memberOffset("sock", "__sk_common.skc_dport");
const t2 = performance.now();
const s1 = status(), m1 = process.memoryUsage();
const MiB = 1024 * 1024;
console.log(JSON.stringify({
  parseMs: t1 - t0, lookupMs: t2 - t1, totalMs: t2 - t0, offset, types: btf.typeCount,
  rssAnonMiB: (s1.anon - s0.anon) / 1024, rssFileMiB: (s1.file - s0.file) / 1024,
  heapMiB: (m1.heapUsed - m0.heapUsed) / MiB, externalMiB: (m1.external - m0.external) / MiB,
}));
`;

function coldRun(mode: "mmap" | "read", path: string): ColdRun {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", CHILD, btfModule, mode, path], {
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as ColdRun;
}

function summarize(runs: readonly ColdRun[]): ColdSummary {
  const pick = (f: (r: ColdRun) => number | undefined): number | undefined => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  return {
    runs: runs.length,
    parseMs: pick((r) => r.parseMs)!,
    lookupMs: pick((r) => r.lookupMs)!,
    totalMs: pick((r) => r.totalMs)!,
    totalMsMin: Math.min(...runs.map((r) => r.totalMs)),
    rssAnonMiB: pick((r) => r.rssAnonMiB)!,
    rssFileMiB: pick((r) => r.rssFileMiB),
    heapMiB: pick((r) => r.heapMiB),
    externalMiB: pick((r) => r.externalMiB),
  };
}

export async function runBtfBench(options: { runs?: number; path?: string } = {}): Promise<BtfBenchResult> {
  const path = options.path ?? VMLINUX_BTF_PATH;
  const runs = options.runs ?? 9;
  if (!existsSync(path)) throw new Error(`${path} does not exist: this kernel has no BTF`);
  const notes: string[] = [];

  const mapped: ColdRun[] = [];
  const read: ColdRun[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a burst of load on the machine hits both modes alike.
    mapped.push(coldRun("mmap", path));
    read.push(coldRun("read", path));
  }
  const cold = summarize(mapped);
  if (cold.rssFileMiB !== undefined && cold.rssFileMiB < 1)
    notes.push("vmlinux could not be mapped (kernel < 6.15?): it was read");

  // Warm: the same work in this process, after a few rounds of warm-up.
  const warmRuns: { parseMs: number; lookupMs: number; totalMs: number }[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now();
    const btf = loadBtfFile(path);
    const t1 = performance.now();
    btf.memberOffset("sock", "__sk_common.skc_dport");
    const t2 = performance.now();
    if (i >= 5) warmRuns.push({ parseMs: t1 - t0, lookupMs: t2 - t1, totalMs: t2 - t0 });
  }

  let peer: BtfBenchResult["peer"] = null;
  try {
    const exe = buildPeer("btf_parse");
    const peerRuns: ColdRun[] = [];
    for (let i = 0; i < runs; i++) peerRuns.push(runPeer<ColdRun>(exe, [path]));
    peer = { name: "libbpf 1.1 btf__parse (C)", ...summarize(peerRuns) };
    if (peerRuns[0]!.offset !== mapped[0]!.offset)
      notes.push(`peer disagrees on the offset: ${peerRuns[0]!.offset} vs ${mapped[0]!.offset}`);
  } catch (err) {
    notes.push(`no C peer: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  notes.push(
    "cilium/ebpf 0.9.1 (Go 1.19) is installable from Debian (golang-github-cilium-ebpf-dev, GOPATH mode) but was not installed or run",
  );

  return {
    vmlinuxBytes: statSync(path).size,
    types: mapped[0]!.types,
    offset: mapped[0]!.offset,
    cold,
    coldRead: summarize(read),
    warm: {
      parseMs: median(warmRuns.map((r) => r.parseMs)),
      lookupMs: median(warmRuns.map((r) => r.lookupMs)),
      totalMs: median(warmRuns.map((r) => r.totalMs)),
    },
    peer,
    notes,
  };
}

/** The bench runner's interface: cold parse + lookup time and private memory, against libbpf. */
export async function run(): Promise<Figures> {
  const r = await runBtfBench();
  const peerName = r.peer?.name ?? "none (no C peer built)";
  const fig = (value: number, unit: string, peerValue: number | undefined) => ({
    value,
    unit,
    peer: peerName,
    peer_value: peerValue ?? 0,
    ratio: peerValue ? value / peerValue : 0,
  });
  return {
    vmlinux_parse_lookup_cold_ms: fig(r.cold.totalMs, "ms", r.peer?.totalMs),
    vmlinux_parse_lookup_cold_read_ms: fig(r.coldRead.totalMs, "ms", r.peer?.totalMs),
    vmlinux_private_memory_MiB: fig(r.cold.rssAnonMiB, "MiB", r.peer?.rssAnonMiB),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await runBtfBench(), null, 2));
}
