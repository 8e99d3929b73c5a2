// vm: the user-space eBPF VM (src/vm).
//
// vm.ns_per_insn — nanoseconds per executed instruction over the bpf_conformance programs (the
//   313 of ../shared/data/bpf_conformance/tests, each with its `-- mem`), in the default
//   (compiled) tier: Σ ns per run / Σ instructions per run, every program warmed up first, so a
//   run's fixed cost counts as it would for a test calling run() in a loop. A program's ns per run
//   is the median of 7 short windows taken in rounds over all programs, on both sides.
// vm.interpreter_ns_per_insn — the same in the interpreter tier.
//   Peer of both: the uBPF interpreter (C) on the same programs and memory, through
//   bench/peers/ubpf_vm.c linked with a libubpf.a found in UBPF_DIR (default /tmp/ubpf/vm). uBPF
//   is not part of this repository; to build it from github.com/iovisor/ubpf (commit 2a8edd11
//   was used): in its vm/ directory,
//     printf '#pragma once\n#define UBPF_HAS_ELF_H\n' > ubpf_config.h
//     gcc -O2 -c -Iinc -I. ubpf_instruction_valid.c ubpf_jit*.c ubpf_safe.c ubpf_loader.c ubpf_vm.c
//     ar rcs libubpf.a *.o
//   Only programs both sides load are counted. Without uBPF the peer is the kernel running the
//   packet counter below (BPF_PROG_TEST_RUN, JIT), per instruction, and the figure says so.
// vm.counter_packets_per_s / vm.counter_ns_per_insn — an XDP packet counter (per-ethertype hash
//   map of packets and bytes, per-IP-protocol array) over the Ethernet packets of the tcpdump test
//   captures in ../shared/data/pcaps, each packet copied into the VM as BPF_PROG_TEST_RUN would.
//   Peer: the same program in the kernel, BPF_PROG_TEST_RUN with repeat 1,000,000 per packet kind
//   (the kernel's per-run time includes its own test harness overhead, ~30 ns here).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Assembler } from "../src/asm/assembler.js";
import { BPF_B, BPF_DW, BPF_H, BPF_W } from "../src/asm/opcodes.js";
import { bytes, u32 } from "../src/maps/codec.js";
import { BpfMap } from "../src/maps/map.js";
import { Program } from "../src/programs/program.js";
import { testRun } from "../src/programs/test-run.js";
import { MapType, ProgType } from "../src/uapi.js";
import { parseDataFile, programOf } from "../src/vm/conformance.js";
import { Vm, type VmProgram } from "../src/vm/index.js";
import { benchTempDir, median, repoRoot } from "./c-peer.js";
import type { Figures } from "./run.js";

/** The test corpora: TSBPF_TEST_DATA (as the tests take it), else shared/data beside the checkout. */
const dataDir = process.env.TSBPF_TEST_DATA ?? join(repoRoot, "..", "shared", "data");
/**
 * Per program: WINDOWS windows of WINDOW_NS, each after a WARM_NS warm-up, and the median
 * window's ns per run. The windows are taken in rounds over all programs, so a transient (a load
 * spike, a pending optimisation of a shared function) falls into one window of the programs it
 * meets, not into all of one program's; the uBPF peer (bench/peers/ubpf_vm.c) does the same.
 */
const WARM_NS = 1e6,
  WINDOW_NS = 2e6,
  WINDOWS = 7,
  SETTLE_NS = 3e9;
interface Case {
  name: string;
  code: Uint8Array;
  mem: Uint8Array;
}

function conformanceCases(): Case[] {
  const dir = join(dataDir, "bpf_conformance", "tests");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".data"))
    .sort()
    .map((f) => {
      const t = parseDataFile(readFileSync(join(dir, f), "utf8"));
      return { name: f, code: programOf(t)!, mem: Uint8Array.from(t.mem) };
    });
}

/** ns per run in one time-boxed window (batches of 64 runs) after a short warm-up. */
function timeWindow(run: () => void): number {
  const clock = (): number => Number(process.hrtime.bigint());
  const start = clock();
  for (let t = start; t - start < WARM_NS; t = clock()) for (let i = 0; i < 64; i++) run();
  let runs = 0;
  const t0 = clock();
  let t = t0;
  for (; t - t0 < WINDOW_NS; t = clock()) {
    for (let i = 0; i < 64; i++) run();
    runs += 64;
  }
  return (t - t0) / runs;
}

interface PerProgram {
  name: string;
  insns: number;
  ns: number;
}

function measureVm(cases: readonly Case[], tier: "compiled" | "interpreter"): PerProgram[] {
  // every program is loaded and run once first, so no measured run is the first of its kind
  const loaded = cases.map((c) => {
    const vm = new Vm({ tier });
    const p = vm.load({ code: c.code });
    p.run({ mem: c.mem });
    return { c, p, insns: p.lastInstructions };
  });
  // then passes over all programs for SETTLE_NS: V8 optimises each program's function on a
  // background thread, and on a loaded machine the queue of ~300 takes seconds to drain; a
  // program timed before its turn would be timed in V8's unoptimised tiers
  const clock = (): number => Number(process.hrtime.bigint());
  for (const start = clock(); clock() - start < SETTLE_NS; )
    for (const { c, p } of loaded) for (let i = 0; i < 200; i++) p.runRetval({ mem: c.mem });
  const runs = loaded.map(({ c, p }) => {
    const input = { mem: c.mem };
    return (): void => void p.runRetval(input);
  });
  const windows: number[][] = loaded.map(() => []);
  for (let w = 0; w < WINDOWS; w++) runs.forEach((run, i) => windows[i]!.push(timeWindow(run)));
  return loaded.map(({ c, insns }, i) => ({ name: c.name, insns, ns: median(windows[i]!) }));
}

/** The uBPF interpreter on the same cases: ns per run, or undefined where it refuses a program. */
function measureUbpf(cases: readonly Case[]): (number | undefined)[] | undefined {
  const dir = process.env.UBPF_DIR ?? "/tmp/ubpf/vm";
  if (!existsSync(join(dir, "libubpf.a")) || !existsSync(join(dir, "inc", "ubpf.h"))) return undefined;
  const exe = join(benchTempDir(), "ubpf_vm");
  execFileSync(
    "cc",
    [
      "-O2",
      "-o",
      exe,
      join(repoRoot, "bench", "peers", "ubpf_vm.c"),
      `-I${join(dir, "inc")}`,
      `-I${dir}`,
      join(dir, "libubpf.a"),
      "-lm",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const input = cases.map((c) => `${hex(c.code)} ${c.mem.length ? hex(c.mem) : "-"}\n`).join("");
  const out = execFileSync(exe, [], { input, encoding: "utf8", maxBuffer: 1 << 24 });
  return out
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { ns_per_run?: number }).ns_per_run);
}

// ---------------------------------------------------------------- the packet counter

/** Ethernet frames of the classic-pcap captures (linktype 1), at most `limit`. */
function capturePackets(limit: number): Uint8Array[] {
  const dir = join(dataDir, "pcaps");
  const out: Uint8Array[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".pcap") || out.length >= limit) continue;
    const b = readFileSync(join(dir, f));
    if (b.length < 24) continue;
    const magic = b.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) continue;
    const u32at = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    if (u32at(20) !== 1) continue; // Ethernet only
    for (let o = 24; o + 16 <= b.length && out.length < limit; ) {
      const caplen = u32at(o + 8);
      if (caplen > 65535 || o + 16 + caplen > b.length) break; // truncated or malformed capture
      if (caplen >= 14 && caplen <= 3000) out.push(Uint8Array.from(b.subarray(o + 16, o + 16 + caplen)));
      o += 16 + caplen;
    }
  }
  return out;
}

/** The counter, for maps given by fd: by_type[ethertype] += {1, len}; by_proto[ip proto] += 1. */
function counterProgram(byType: { fd: number }, byProto: { fd: number }): Uint8Array {
  const a = new Assembler();
  a.mov64("r6", "r1").ldx(BPF_W, "r7", "r6", 0).ldx(BPF_W, "r8", "r6", 4);
  a.mov64("r2", "r7").add64("r2", 14).jgt("r2", "r8", "pass");
  a.mov64("r9", "r8").sub64("r9", "r7"); // length
  a.ldx(BPF_H, "r1", "r7", 12).stx(BPF_W, "r10", "r1", -4);
  a.ldMapFd("r1", byType).mov64("r2", "r10").add64("r2", -4).call("map_lookup_elem");
  a.jeq("r0", 0, "insert");
  a.mov64("r1", 1).atomic(BPF_DW, 0x00, "r0", "r1", 0).atomic(BPF_DW, 0x00, "r0", "r9", 8).ja("ip");
  a.label("insert").st(BPF_DW, "r10", -24, 1).stx(BPF_DW, "r10", "r9", -16);
  a.ldMapFd("r1", byType)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .mov64("r3", "r10")
    .add64("r3", -24)
    .mov64("r4", 1)
    .call("map_update_elem");
  a.label("ip").ldx(BPF_H, "r1", "r7", 12).jne("r1", 0x0008, "pass"); // IPv4, in the packet's byte order
  a.mov64("r2", "r7").add64("r2", 34).jgt("r2", "r8", "pass");
  a.ldx(BPF_B, "r1", "r7", 23).stx(BPF_W, "r10", "r1", -8);
  a.ldMapFd("r1", byProto).mov64("r2", "r10").add64("r2", -8).call("map_lookup_elem");
  a.jeq("r0", 0, "pass").mov64("r1", 1).atomic(BPF_DW, 0x00, "r0", "r1", 0);
  a.label("pass").mov64("r0", 2).exit();
  return a.assemble().bytes;
}

interface CounterFigures {
  pps: number;
  nsPerInsn: number;
  insnsPerPacket: number;
}

function measureCounterVm(packets: readonly Uint8Array[]): CounterFigures & { prog: VmProgram } {
  const vm = new Vm();
  const byType = vm.hashMap({ key: u32, valueSize: 16, maxEntries: 1024 });
  const byProto = vm.arrayMap({ valueSize: 8, maxEntries: 256 });
  const prog = vm.load({ type: ProgType.XDP, code: counterProgram(byType, byProto) });
  const inputs = packets.map((data) => ({ data }));
  let insns = 0;
  for (const input of inputs) {
    prog.runRetval(input);
    insns += prog.lastInstructions;
  }
  const clock = (): number => Number(process.hrtime.bigint());
  for (let start = clock(); clock() - start < 300e6; ) for (const input of inputs) prog.runRetval(input);
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = clock();
    let n = 0;
    while (clock() - t0 < 200e6) {
      for (const input of inputs) prog.runRetval(input);
      n += inputs.length;
    }
    rounds.push((clock() - t0) / n);
  }
  const nsPerPacket = median(rounds);
  const insnsPerPacket = insns / inputs.length;
  return { pps: 1e9 / nsPerPacket, nsPerInsn: nsPerPacket / insnsPerPacket, insnsPerPacket, prog };
}

/** The kernel on a few representative packets: ns per run from test_run with a large repeat. */
function measureCounterKernel(packets: readonly Uint8Array[], vmProg: VmProgram): CounterFigures | undefined {
  if (process.getuid?.() !== 0) return undefined;
  using byType = BpfMap.create({ type: MapType.HASH, key: u32, value: bytes(16), maxEntries: 1024 });
  using byProto = BpfMap.create({ type: MapType.ARRAY, key: u32, value: bytes(8), maxEntries: 256 });
  using prog = Program.load({ type: ProgType.XDP, code: counterProgram(byType, byProto), name: "vm_bench_count" });
  // one packet per (ethertype, length class): the kernel repeats a single packet per call
  const seen = new Set<string>();
  const sample = packets.filter((p) => {
    const key = `${p[12]}-${p[13]}-${p.length >> 8}`;
    if (seen.has(key) || seen.size >= 16) return false;
    seen.add(key);
    return true;
  });
  let ns = 0,
    insns = 0;
  for (const data of sample) {
    ns += testRun(prog, { data, repeat: 1_000_000 }).durationNs;
    vmProg.runRetval({ data });
    insns += vmProg.lastInstructions;
  }
  const nsPerPacket = ns / sample.length;
  return { pps: 1e9 / nsPerPacket, nsPerInsn: ns / insns, insnsPerPacket: insns / sample.length };
}

export async function run(): Promise<Figures> {
  const cases = conformanceCases();
  const ubpf = measureUbpf(cases);
  const compiled = measureVm(cases, "compiled");
  const interp = measureVm(cases, "interpreter");
  const packets = capturePackets(20_000);
  const counter = measureCounterVm(packets);
  const kernel = measureCounterKernel(packets, counter.prog);

  const figures: Figures = {};
  const nsPerInsn = (rows: readonly PerProgram[], use: (i: number) => boolean): number => {
    let ns = 0,
      insns = 0;
    rows.forEach((r, i) => {
      if (use(i)) {
        ns += r.ns;
        insns += r.insns;
      }
    });
    return ns / insns;
  };
  if (ubpf) {
    const common = (i: number): boolean => ubpf[i] !== undefined;
    const peer = nsPerInsn(
      compiled.map((r, i) => ({ ...r, ns: ubpf[i] ?? 0 })),
      common,
    );
    const n = ubpf.filter((x) => x !== undefined).length;
    const label = `uBPF interpreter (C), same ${n} conformance programs`;
    const ours = nsPerInsn(compiled, common),
      oursInterp = nsPerInsn(interp, common);
    figures.ns_per_insn = { value: ours, unit: "ns/insn", peer: label, peer_value: peer, ratio: ours / peer };
    figures.interpreter_ns_per_insn = {
      value: oursInterp,
      unit: "ns/insn",
      peer: label,
      peer_value: peer,
      ratio: oursInterp / peer,
    };
  } else {
    const ours = nsPerInsn(compiled, () => true),
      oursInterp = nsPerInsn(interp, () => true);
    const peer = kernel?.nsPerInsn ?? NaN;
    const label = "kernel JIT via BPF_PROG_TEST_RUN, packet counter (uBPF not found: set UBPF_DIR)";
    figures.ns_per_insn = { value: ours, unit: "ns/insn", peer: label, peer_value: peer, ratio: ours / peer };
    figures.interpreter_ns_per_insn = {
      value: oursInterp,
      unit: "ns/insn",
      peer: label,
      peer_value: peer,
      ratio: oursInterp / peer,
    };
  }
  const kLabel = `kernel (BPF_PROG_TEST_RUN, JIT, repeat 1e6), ${counter.insnsPerPacket.toFixed(1)} insns/packet`;
  figures.counter_packets_per_s = {
    value: counter.pps,
    unit: "packets/s",
    peer: kLabel,
    peer_value: kernel?.pps ?? NaN,
    ratio: kernel ? counter.pps / kernel.pps : NaN,
  };
  figures.counter_ns_per_insn = {
    value: counter.nsPerInsn,
    unit: "ns/insn",
    peer: kLabel,
    peer_value: kernel?.nsPerInsn ?? NaN,
    ratio: kernel ? counter.nsPerInsn / kernel.nsPerInsn : NaN,
  };
  return figures;
}

// `node dist/bench/vm.js` prints the figures alone.
if (process.argv[1]?.endsWith("/bench/vm.js")) {
  const figures = await run();
  for (const [k, f] of Object.entries(figures))
    console.log(
      `vm.${k}: ${f.value.toFixed(3)} ${f.unit} | ${f.peer}: ${f.peer_value.toFixed(3)} | ratio ${f.ratio.toFixed(2)}`,
    );
}
