// Compiled code: the example programs written in kernel TypeScript (compiled by tsbpf) against the
// same programs in C (bench/peers/kernel/*.c, compiled by Debian's clang 14 -O2 -target bpf and
// loaded by tsbpf's ELF loader). Figures: PROGRAM.insns (instructions as the kernel keeps them
// after verification, `xlated`, from bpf_prog_info) and PROGRAM.ns_per_packet (BPF_PROG_TEST_RUN
// on the same input, median of several rounds; packet programs only).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileModule } from "../src/compiler/compile.js";
import { KernelObject } from "../src/loader/kernel-object.js";
import { loadObject } from "../src/loader/index.js";
import { progInfo } from "../src/sys/info.js";
import { testRun } from "../src/programs/test-run.js";
import { RingBuffer } from "../src/events/ringbuf.js";
import type { Program } from "../src/programs/program.js";
import type { MapHandle } from "../src/maps/index.js";
import { benchTempDir, median, repoRoot } from "./c-peer.js";
import type { Figures } from "./run.js";

const PEER = "clang 14 -O2 -target bpf";

interface Case {
  /** Figure prefix. */
  figure: string;
  /** examples/kernel/NAME.bpf.ts and bench/peers/kernel/C.c */
  source: string;
  c: string;
  program: string;
  /** Input packet for test_run (packet programs). */
  data?: Buffer;
  /** Ring buffer map to drain between rounds. */
  ring?: string;
  constants?: Record<string, unknown>;
  variables?: Record<string, unknown>;
}

function frame(length: number): Buffer {
  const b = Buffer.alloc(length);
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(length - 14, 16);
  b[22] = 64;
  b[23] = 17;
  b.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  b.writeUInt16BE(5353, 34);
  b.writeUInt16BE(53, 36);
  for (let i = 42; i < length; i++) b[i] = (i * 7) & 0xff;
  return b;
}

const needle = { length: 6, data: Uint8Array.from([...Buffer.from("secret"), ...new Array(10).fill(0)]) };

const CASES: Case[] = [
  { figure: "xdp_counter", source: "xdp-counter", c: "xdp_counter", program: "count", data: frame(64) },
  {
    figure: "flow_monitor",
    source: "flow-monitor",
    c: "flow_monitor",
    program: "monitor",
    data: frame(64),
    ring: "packets",
  },
  {
    figure: "capture_xdp",
    source: "capture",
    c: "capture",
    program: "ingress",
    data: frame(300),
    ring: "packets",
    constants: { snapLength: 262 },
    variables: { snapLength: 262 },
  },
  {
    figure: "capture_tc",
    source: "capture",
    c: "capture",
    program: "egress",
    data: frame(300),
    ring: "packets",
    constants: { snapLength: 262 },
    variables: { snapLength: 262 },
  },
  // tsbpf's ELF loader reads a u8[16] of the C peer as a C string.
  {
    figure: "socket_filter",
    source: "socket-filter",
    c: "socket_filter",
    program: "dropByContent",
    data: frame(100),
    constants: { needle },
    variables: { needle: { length: 6, data: "secret" } },
  },
  { figure: "exec_tracer", source: "exec-tracer", c: "exec_tracer", program: "onExec" },
  { figure: "tcp_state", source: "tcp-lifecycle", c: "tcp_lifecycle", program: "stateChange" },
  { figure: "tcp_close", source: "tcp-lifecycle", c: "tcp_lifecycle", program: "closeStats" },
];

/** Compiles a C peer (vmlinux.h generated from the running kernel once). */
export function buildKernelPeer(name: string): string {
  const dir = benchTempDir();
  const header = join(dir, "vmlinux.h");
  try {
    execFileSync("test", ["-s", header]);
  } catch {
    writeFileSync(
      header,
      execFileSync("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"], {
        maxBuffer: 1 << 30,
      }),
    );
  }
  const out = join(dir, `${name}.bpf.o`);
  execFileSync(
    "clang",
    [
      "-O2",
      "-g",
      "-target",
      "bpf",
      "-I/usr/include/x86_64-linux-gnu",
      `-I${dir}`,
      "-c",
      join(repoRoot, "bench", "peers", "kernel", `${name}.c`),
      "-o",
      out,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  return out;
}

function xlatedInsns(p: Program): number {
  return progInfo(p.fd).xlatedProgLen / 8;
}

/** Median ns per run over rounds of test_run, draining the ring (if any) between rounds. */
function nsPerPacket(
  program: Program,
  data: Buffer,
  ring: RingBuffer | undefined,
  repeat: number,
  rounds: number,
): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ring?.consume(() => {});
    samples.push(testRun(program, { data, repeat }).durationNs);
  }
  ring?.consume(() => {});
  return median(samples);
}

export async function run(): Promise<Figures> {
  const figures: Figures = {};
  const compiled = new Map<string, Awaited<ReturnType<typeof compileModule>>>();
  for (const c of CASES) {
    if (!compiled.has(c.source))
      compiled.set(c.source, await compileModule(join(repoRoot, "examples", "kernel", `${c.source}.bpf.ts`)));
    const artifact = compiled.get(c.source)!.artifact;
    using ts = KernelObject.load(artifact, { constants: c.constants, programs: [c.program] });
    using cobj = loadObject(buildKernelPeer(c.c), { variables: c.variables });
    const tsProg = (ts.programs as Record<string, Program>)[c.program]!;
    const cProg = (cobj.programs as Record<string, Program>)[c.program]!;
    const tsInsns = xlatedInsns(tsProg),
      cInsns = xlatedInsns(cProg);
    figures[`${c.figure}.insns`] = {
      value: tsInsns,
      unit: "insns",
      peer: PEER,
      peer_value: cInsns,
      ratio: tsInsns / cInsns,
    };
    if (c.data) {
      const tsRing = c.ring ? new RingBuffer((ts.maps as Record<string, MapHandle>)[c.ring]!) : undefined;
      const cRing = c.ring ? new RingBuffer((cobj.maps as Record<string, MapHandle>)[c.ring]!) : undefined;
      try {
        // Rings hold a few thousand records: short rounds, drained in between; alternate the two sides.
        const repeat = c.ring ? 2000 : 200_000;
        const rounds = 15;
        const tsSamples: number[] = [],
          cSamples: number[] = [];
        for (let k = 0; k < 3; k++) {
          tsSamples.push(nsPerPacket(tsProg, c.data, tsRing, repeat, rounds));
          cSamples.push(nsPerPacket(cProg, c.data, cRing, repeat, rounds));
        }
        const tsNs = median(tsSamples),
          cNs = median(cSamples);
        figures[`${c.figure}.ns_per_packet`] = {
          value: tsNs,
          unit: "ns",
          peer: PEER,
          peer_value: cNs,
          ratio: cNs ? tsNs / cNs : 1,
        };
      } finally {
        tsRing?.close();
        cRing?.close();
      }
    }
  }
  return figures;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run();
  for (const [k, f] of Object.entries(figures))
    console.log(
      `${k.padEnd(28)} ${String(f.value).padStart(8)} ${f.unit.padEnd(6)} ${PEER}: ${f.peer_value}  ratio ${f.ratio.toFixed(2)}`,
    );
}
