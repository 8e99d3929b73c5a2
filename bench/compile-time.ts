// Compile time: the example modules compiled by tsbpf against the same programs in C compiled by
// clang 14 (-O2 -g -target bpf -c). Figures:
//   PROGRAM.ms      tsbpf in-process (TypeScript already loaded, as in a build tool or a test run),
//                   median of several compiles; clang's figure is its whole process (wall).
//   PROGRAM.cli_ms  `tsbpf compile FILE -o FILE.o` as a fresh process (Node start-up and loading
//                   the TypeScript compiler included) against the same clang process.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadTypeScript } from "../src/compiler/host.js";
import { compileWith } from "../src/compiler/compile.js";
import { benchTempDir, median, repoRoot } from "./c-peer.js";
import { buildKernelPeer } from "./compiled-code.js";
import type { Figures } from "./run.js";

const PEER = "clang 14 -O2 -target bpf";
const MODULES: [figure: string, source: string, c: string][] = [
  ["xdp_counter", "xdp-counter", "xdp_counter"],
  ["flow_monitor", "flow-monitor", "flow_monitor"],
  ["capture", "capture", "capture"],
  ["exec_tracer", "exec-tracer", "exec_tracer"],
  ["tcp_lifecycle", "tcp-lifecycle", "tcp_lifecycle"],
  ["socket_filter", "socket-filter", "socket_filter"],
];

function wall(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

export async function run(): Promise<Figures> {
  const figures: Figures = {};
  const ts = await loadTypeScript();
  buildKernelPeer("xdp_counter"); // generates vmlinux.h once, outside the measurements
  const dir = benchTempDir();
  const cli = join(repoRoot, process.env.TSBPF_DIST ?? "dist", "bin", "tsbpf.js");
  for (const [figure, source, c] of MODULES) {
    const file = join(repoRoot, "examples", "kernel", `${source}.bpf.ts`);
    compileWith(ts, file); // warm: parsed library files are cached for the process
    const tsbpf = median(Array.from({ length: 9 }, () => wall(() => compileWith(ts, file))));
    const clang = median(Array.from({ length: 5 }, () => wall(() => buildKernelPeer(c))));
    figures[`${figure}.ms`] = {
      value: round(tsbpf),
      unit: "ms",
      peer: PEER,
      peer_value: round(clang),
      ratio: tsbpf / clang,
    };
    const process = median(
      Array.from({ length: 3 }, () =>
        wall(() => execFileSync("node", [cli, "compile", file, "-o", join(dir, `${figure}.o`)], { stdio: "ignore" })),
      ),
    );
    figures[`${figure}.cli_ms`] = {
      value: round(process),
      unit: "ms",
      peer: PEER,
      peer_value: round(clang),
      ratio: process / clang,
    };
  }
  return figures;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run();
  for (const [k, f] of Object.entries(figures))
    console.log(
      `${k.padEnd(24)} ${String(f.value).padStart(8)} ${f.unit}  ${PEER}: ${f.peer_value}  ratio ${f.ratio.toFixed(2)}`,
    );
}
