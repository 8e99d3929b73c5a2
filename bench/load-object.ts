// Loading clang-built objects of the test corpus: parse the file, relocate against the kernel's
// BTF (read afresh for every load: "vmlinux BTF included", as libbpf does per load), create the
// maps, load the programs, close everything. The figure is the median of in-process loads after
// a warm-up. Peers, on the same object:
//   - `bpftool prog loadall OBJ DIR` (libbpf 1.1), wall time of the command less the wall time of
//     `bpftool version` (process start-up is not loading work);
//   - libbpf in-process (bench/peers/load_object.c: open + load + close in a loop), when gcc and
//     libbpf-dev are installed.
// Run alone: npx tsc -p . && node dist/bench/load-object.js
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BpfObjectFile } from "../src/object/index.js";
import { loadObject } from "../src/loader/index.js";
import { VMLINUX_BTF_PATH } from "../src/btf/index.js";
import { corpusObject } from "../test/helpers/bpf-corpus.js";
import { buildPeer, median, runPeer } from "./c-peer.js";
import type { Figures } from "./run.js";

/** Objects bpftool (libbpf 1.1) also loads. */
const OBJECTS = ["globals", "tailcall", "mapinmap", "multiprog", "core", "tracing", "externs"] as const;
const RUNS = 15;
const WARMUP = 3;

function wallMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return ms;
}

function oursMs(path: string, pinRoot: string): number {
  const t0 = performance.now();
  const file = BpfObjectFile.parse(readFileSync(path), { file: path, name: path.split("/").pop()!.split(".")[0] });
  // A path, not a parsed Btf: it is read (and parsed) only when the object needs it, fresh each time.
  const obj = loadObject(file, { targetBtf: VMLINUX_BTF_PATH, pinRoot });
  obj.unpinMaps();
  obj.close();
  return performance.now() - t0;
}

function bpftoolMs(path: string, byName: readonly string[]): number {
  const dir = `/sys/fs/bpf/tsbpf_bench_${process.pid}`;
  mkdirSync(dir, { recursive: true });
  try {
    return wallMs("bpftool", ["prog", "loadall", path, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const n of byName) rmSync(`/sys/fs/bpf/${n}`, { force: true });
  }
}

export async function run(): Promise<Figures> {
  const figures: Figures = {};
  const pinRoot = `/sys/fs/bpf/tsbpf_bench_pins_${process.pid}`;
  mkdirSync(pinRoot, { recursive: true });
  let peer: string | undefined;
  try {
    peer = buildPeer("load_object");
  } catch (err) {
    process.stderr.write(`load-object: no in-process libbpf peer (${(err as Error).message})\n`);
  }
  try {
    const startup = median(Array.from({ length: 9 }, () => wallMs("bpftool", ["version"])));
    for (const name of OBJECTS) {
      const path = corpusObject(name);
      const byName = BpfObjectFile.parse(readFileSync(path))
        .maps.filter((m) => m.pinning === "by_name")
        .map((m) => m.name);
      for (let i = 0; i < WARMUP; i++) oursMs(path, pinRoot);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Interleaved, so a burst of load on the machine hits both alike.
        ours.push(oursMs(path, pinRoot));
        theirs.push(bpftoolMs(path, byName));
      }
      const value = median(ours);
      const bpftool = Math.max(0.001, median(theirs) - startup);
      figures[`${name}.ms`] = {
        value,
        unit: "ms",
        peer: "bpftool prog loadall (less start-up)",
        peer_value: bpftool,
        ratio: value / bpftool,
      };
      if (peer) {
        const r = runPeer<{ median_ms: number }>(peer, [path, RUNS, pinRoot]);
        figures[`${name}.vs-libbpf-in-process.ms`] = {
          value,
          unit: "ms",
          peer: "libbpf 1.1 in-process (C)",
          peer_value: r.median_ms,
          ratio: value / r.median_ms,
        };
      }
    }
  } finally {
    rmSync(pinRoot, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await run();
  for (const [k, f] of Object.entries(figures))
    console.log(
      `${k}: ${f.value.toFixed(2)} ${f.unit} vs ${f.peer} ${f.peer_value.toFixed(2)} (${f.ratio.toFixed(2)}x)`,
    );
}
