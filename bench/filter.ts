// filter: nanoseconds per packet of a tcpdump filter compiled by tsbpf straight to eBPF, against the
// classic BPF tcpdump compiles for the same expression, run the way the kernel runs it.
//
// The peer. `tcpdump -ddd EXPR` gives libpcap's optimized classic program. Loaded with
// SO_ATTACH_FILTER, the kernel converts it to eBPF (net/core/filter.c) — but that conversion cannot
// be timed: BPF_PROG_TEST_RUN takes only eBPF program fds, and timing packets through a socket
// measures the socket path, a thousand times the filter's cost. So the peer is cbpfToEbpf
// (src/filter/cbpf.ts), a translation shaped like the kernel's: A in r0, X in r7, scratch memory on
// the stack, and for each packet load the kernel's fast path (pointer arithmetic, a length check, a
// direct load, a byte swap). It differs from the kernel's code only where a user program must: the
// length check is against data_end (the kernel compares with the skb's head length) and the slow
// path rejects (the kernel calls a helper for non-linear data, which these packets never need).
//
// The harness. A filter costs a nanosecond or two, far less than test_run's own loop (about 14 ns
// per run here) or a bpf-to-bpf call (about 1.7 ns), so both sides are inlined COPIES times into
// one XDP program (direct packet access, as the kernel's conversion has for socket filters; tsbpf's
// code reads len as data_end - data, as the peer does); after each copy the program adds the
// verdict to a stack slot, so no copy is dead. The figure is the kernel's ns per run divided by
// COPIES: one filter, from loading data and data_end to its verdict. BPF_PROG_TEST_RUN repeats
// REPEAT times per packet over a mix of Ethernet frames from the test captures; mean over the mix,
// median of ROUNDS rounds, tsbpf and peer alternating; JIT on.
//
// Compile time (compile_ms.*): expressions of 10, 100 and 1000 terms — host lists (`host a or host
// b …`, where the optimizer has most to do) and `tcp or tcp …` — compiled by compileFilter in this
// process against `tcpdump -d -r FILE EXPR` (libpcap's parser and optimizer; its process start is
// included, and named in the peer as timed with `tcpdump -d ip`). Median of COMPILE_ROUNDS
// rounds with the spread and the load average; libpcap takes minutes on the 1000-host list, so
// that peer is timed once.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Assembler } from "../src/asm/assembler.js";
import { emitCbpf, parseCbpf } from "../src/filter/cbpf.js";
import { compileFilter } from "../src/filter/compile.js";
import { PacketRunner } from "../src/filter/run.js";
import { readCapture } from "../src/pcap/reader.js";
import { Program } from "../src/programs/program.js";
import { ProgType } from "../src/uapi.js";
import type { Figure, Figures } from "./run.js";

/** The test captures: TSBPF_TEST_DATA (as the tests take it), else shared/data beside the checkout. */
const PCAPS = process.env.TSBPF_TEST_DATA
  ? `${process.env.TSBPF_TEST_DATA}/pcaps`
  : fileURLToPath(new URL("../../../shared/data/pcaps", import.meta.url));
const EXPRESSIONS: Record<string, string> = {
  ip: "ip",
  tcp_port_80: "tcp port 80",
  host: "host 192.168.1.1 or host 10.0.0.1",
  tcp_syn_ack: "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
  udp_dns: "udp and port 53",
  vlan_ip: "vlan and ip",
  ip6_net: "ip6 and net fe80::/10",
  portrange: "tcp portrange 1000-2000 or udp portrange 1000-2000",
  not_arp_len: "not arp and len > 100",
  icmp_echo: "icmp[icmptype] = icmp-echo or icmp6",
};
const COMPILE_TERMS = [10, 100, 1000];
const COMPILE_ROUNDS = 5;
const PACKETS = 48;
const COPIES = 16;
const REPEAT = 5_000;
const ROUNDS = 7;

/** Ethernet frames from the test captures: whole (not truncated), 60–1514 bytes, a mix of protocols. */
function packetMix(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const name of readdirSync(PCAPS).sort()) {
    let cap;
    try {
      cap = readCapture(readFileSync(`${PCAPS}/${name}`));
    } catch {
      continue;
    }
    for (const p of cap.packets) {
      if (p.linkType !== 1 || p.data.length !== p.originalLength || p.data.length < 60 || p.data.length > 1514)
        continue;
      // one packet per EtherType / IP protocol / size class, for variety
      const d = p.data;
      const key = `${d[12]}:${d[13]}:${d[23]}:${d[20]}:${Math.floor(d.length / 500)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
      break;
    }
    if (out.length >= PACKETS) break;
  }
  return out;
}

const SUM = -72; // the stack slot the verdicts are added to (below the classic program's scratch memory)

/** An XDP program with COPIES copies of a filter; `emit(a, i, done)` emits copy i, which leaves r0 = verdict and reaches `done`. */
function harness(emit: (a: Assembler, i: number, done: string) => void): Program {
  const a = new Assembler();
  a.mov64("r6", "r1").st(0x18, "r10", SUM, 0);
  for (let i = 0; i < COPIES; i++) {
    a.mov64("r1", "r6");
    emit(a, i, `done${i}`);
    a.label(`done${i}`).ldx(0x18, "r1", "r10", SUM).add64("r1", "r0").stx(0x18, "r10", "r1", SUM);
  }
  a.ldx(0x18, "r0", "r10", SUM).and64("r0", 1).add64("r0", 1).exit(); // XDP_DROP or XDP_PASS
  return Program.load({ type: ProgType.XDP, code: a.assemble(), name: "bench_filter" });
}

function nsPerCall(prog: Program, packets: Uint8Array[]): number {
  const runner = new PacketRunner(prog, "xdp");
  try {
    let total = 0;
    for (const p of packets) total += runner.runTimed(p, p.length, REPEAT).durationNs;
    return total / packets.length / COPIES;
  } finally {
    runner.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Timed = Figure & {
  runs_ms: number[];
  peer_runs_ms: number[];
  load_average: [number, number];
};

/** Lowest and highest of `xs`, rounded to `digits`. */
function range(xs: readonly number[], digits: number): [number, number] {
  return [Number(Math.min(...xs).toFixed(digits)), Number(Math.max(...xs).toFixed(digits))];
}

function tcpdumpMs(file: string, expression: string): number {
  const t0 = performance.now();
  const r = spawnSync("tcpdump", ["-d", "-r", file, "--", expression], { encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`tcpdump -d (${expression.slice(0, 40)}…): ${r.stderr}`);
  return ms;
}

/** compile_ms.{hosts,tcp_or}_N: tsbpf's compile time against tcpdump -d's. */
function compileFigures(file: string): Figures {
  const figures: Figures = {};
  const start: number[] = [];
  for (let r = 0; r < COMPILE_ROUNDS; r++) start.push(tcpdumpMs(file, "ip"));
  const startMs = Number(median(start).toFixed(1));
  const families: Record<string, (i: number) => string> = {
    hosts: (i) => `host 10.0.${i >> 8}.${i & 255}`,
    tcp_or: () => "tcp",
  };
  for (const [family, term] of Object.entries(families)) {
    for (const n of COMPILE_TERMS) {
      const expression = Array.from({ length: n }, (_, i) => term(i)).join(" or ");
      compileFilter(expression); // warm-up
      const loadBefore = loadavg()[0]!;
      const ours: number[] = [],
        theirs: number[] = [];
      const peerRounds = family === "hosts" && n >= 1000 ? 1 : COMPILE_ROUNDS;
      for (let r = 0; r < COMPILE_ROUNDS; r++) {
        const t0 = performance.now();
        compileFilter(expression);
        ours.push(performance.now() - t0);
        if (r < peerRounds) theirs.push(tcpdumpMs(file, expression));
      }
      const value = Number(median(ours).toFixed(1)),
        peerValue = Number(median(theirs).toFixed(1));
      const figure: Timed = {
        value,
        unit: "ms",
        peer: `tcpdump -d (process start included: ${startMs} ms)`,
        peer_value: peerValue,
        ratio: Number((value / peerValue).toFixed(3)),
        rounds: COMPILE_ROUNDS,
        spread: range(ours, 1),
        peer_spread: range(theirs, 1),
        runs_ms: ours.map((x) => Number(x.toFixed(1))),
        peer_runs_ms: theirs.map((x) => Number(x.toFixed(1))),
        load_average: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
      };
      figures[`compile_ms.${family}_${n}`] = figure;
      process.stderr.write(`filter: ${family} x${n}: tsbpf ${value} ms, tcpdump -d ${peerValue} ms\n`);
    }
  }
  return figures;
}

export async function run(): Promise<Figures> {
  const packets = packetMix();
  const anyEthernetFile = `${PCAPS}/LACP.pcap`;
  const figures: Figures = compileFigures(anyEthernetFile);
  const empty = harness((a) => {
    a.mov32("r0", 0);
  });
  const baseline = nsPerCall(empty, packets);
  empty.close();
  process.stderr.write(
    `filter: ${packets.length} packets; a copy that only adds 0 costs ${baseline.toFixed(2)} ns in this harness\n`,
  );

  for (const [name, expression] of Object.entries(EXPRESSIONS)) {
    const compiled = compileFilter(expression, { linkType: 1, context: "xdp", wireLength: "linear" });
    const mine = harness((a, i, done) => {
      // the caller keeps ctx in r6, as emitInline requires; r0 = 1 on a match, 0 otherwise
      compiled.emitInline(a, { match: `m${i}`, noMatch: `n${i}`, prefix: `f${i}_`, stackTop: -80 });
      a.label(`m${i}`).mov32("r0", 1).ja(done);
      a.label(`n${i}`).mov32("r0", 0);
    });
    const ddd = spawnSync("tcpdump", ["-r", anyEthernetFile, "-ddd", "--", expression], { encoding: "utf8" });
    if (ddd.status !== 0) throw new Error(`tcpdump -ddd ${expression}: ${ddd.stderr}`);
    const classic = parseCbpf(ddd.stdout);
    const peer = harness((a, i, done) => emitCbpf(a, classic, "xdp", `c${i}_`, done));
    try {
      const ours: number[] = [],
        theirs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        ours.push(nsPerCall(mine, packets));
        theirs.push(nsPerCall(peer, packets));
      }
      const value = median(ours),
        peerValue = median(theirs);
      figures[`${name}.ns_per_packet`] = {
        value: Number(value.toFixed(2)),
        unit: "ns",
        peer: "tcpdump -ddd cBPF, converted as the kernel does",
        peer_value: Number(peerValue.toFixed(2)),
        ratio: Number((value / peerValue).toFixed(3)),
        rounds: ROUNDS,
        spread: range(ours, 2),
        peer_spread: range(theirs, 2),
      };
    } finally {
      mine.close();
      peer.close();
    }
  }
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
