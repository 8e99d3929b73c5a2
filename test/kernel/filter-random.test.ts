// Random expressions from the grammar (seeded; TSBPF_FILTER_SEED and TSBPF_FILTER_COUNT change
// the run) against libpcap — the compiler tcpdump uses, called in-process — and its classic BPF run
// by an interpreter with libpcap's semantics:
// - tsbpf refuses an expression exactly when libpcap does;
// - otherwise tsbpf's decision graph gives libpcap's verdict on every distinct packet of the
//   link-type group the expression is compiled for;
// - and the eBPF program, loaded into the kernel, gives that verdict on a sample of the packets.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { runCbpf } from "../../src/filter/cbpf.js";
import { compileFilter, loadFilterProgram, type CompiledFilter } from "../../src/filter/compile.js";
import { evalDag } from "../../src/filter/dag.js";
import { FilterError } from "../../src/filter/errors.js";
import { PacketRunner } from "../../src/filter/run.js";
import { loadCorpus, vocabulary } from "../helpers/filter-fixtures.js";
import { ExpressionGenerator, Rng } from "../helpers/filter-grammar.js";
import { LibpcapCompiler, libpcapAvailable } from "../helpers/filter-libpcap.js";

const SEED = Number(process.env.TSBPF_FILTER_SEED ?? 20261123);
const COUNT = Number(process.env.TSBPF_FILTER_COUNT ?? 3000);
const KERNEL_SAMPLE = 40;

test(`${COUNT} random expressions (seed ${SEED}) agree with libpcap`, { timeout: 600_000 }, (t) => {
  if (!libpcapAvailable()) {
    t.skip("libpcap.so.0.8 is not installed (it comes with tcpdump)");
    return;
  }
  const corpus = loadCorpus();
  const rng = new Rng(SEED);
  const gen = new ExpressionGenerator(rng, vocabulary(corpus));
  const byName = new Map(corpus.groups.map((g) => [g.name, g]));
  const rotation = ["1", "1", "1", "1", "113", "0-little", "101", "276-synthetic", "0-big-synthetic", "1"].filter((n) =>
    byName.has(n),
  );
  const compilers = new Map<string, LibpcapCompiler>();
  t.after(() => {
    for (const c of compilers.values()) c.close();
  });
  const failures: string[] = [];
  let compiled = 0,
    bothRefused = 0,
    verdicts = 0,
    kernelRuns = 0;
  for (let i = 0; i < COUNT; i++) {
    const expression = gen.next();
    const g = byName.get(rotation[i % rotation.length]!)!;
    let lib = compilers.get(g.name);
    if (!lib) {
      lib = new LibpcapCompiler({ file: g.mergedFile });
      compilers.set(g.name, lib);
    }
    const ref = lib.compile(expression);
    let mine: CompiledFilter | FilterError;
    try {
      mine = compileFilter(expression, {
        linkType: g.linkType,
        loopbackByteOrder: g.loopbackByteOrder,
        context: "xdp",
        wireLength: "meta",
      });
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      mine = e;
    }
    const refRejectsAll = "error" in ref && /rejects all packets/.test(ref.error);
    const mineRejectsAll = mine instanceof FilterError && /rejects all packets/.test(mine.reason);
    if ("error" in ref && mine instanceof FilterError) {
      bothRefused++;
      continue;
    }
    if (("error" in ref || mine instanceof FilterError) && !refRejectsAll && !mineRejectsAll) {
      failures.push(
        `[${g.name}] ${JSON.stringify(expression)}: libpcap ${"error" in ref ? `refuses: ${ref.error}` : "compiles it"}; tsbpf ${mine instanceof FilterError ? `refuses: ${mine.reason}` : "compiles it"}`,
      );
      continue;
    }
    compiled++;
    const want = (idx: number): boolean => {
      const p = g.packets[idx]!;
      return "error" in ref ? false : runCbpf(ref.insns, p.data, p.originalLength) !== 0;
    };
    const bad: number[] = [];
    g.packets.forEach((p, idx) => {
      if (g.firstCopy[idx] !== idx) return;
      verdicts++;
      const got = mine instanceof FilterError ? false : evalDag(mine.graph, p.data, p.originalLength);
      if (got !== want(idx)) bad.push(idx);
    });
    if (bad.length) {
      failures.push(
        `[${g.name}] ${JSON.stringify(expression)}: ${bad.length} packets differ, e.g. ${g.packets[bad[0]!]!.file} #${g.packets[bad[0]!]!.number} (libpcap ${want(bad[0]!) ? "accepts" : "rejects"})`,
      );
      continue;
    }
    if (mine instanceof FilterError) continue;
    // the kernel: the generated code must give the same verdicts
    const prog = loadFilterProgram(mine, "filter_random");
    const runner = new PacketRunner(prog, "xdp-meta");
    try {
      const candidates = g.packets
        .map((_, idx) => idx)
        .filter(
          (idx) =>
            g.firstCopy[idx] === idx &&
            g.packets[idx]!.data.length >= 14 &&
            g.packets[idx]!.data.length <= runner.capacity,
        );
      for (let k = 0; k < Math.min(KERNEL_SAMPLE, candidates.length); k++) {
        const idx = candidates[rng.int(candidates.length)]!;
        const p = g.packets[idx]!;
        kernelRuns++;
        if ((runner.run(p.data, p.originalLength) === 2) !== want(idx)) {
          failures.push(`[${g.name}] ${JSON.stringify(expression)}: the kernel differs on ${p.file} #${p.number}`);
          break;
        }
      }
    } finally {
      runner.close();
      prog.close();
    }
  }
  t.diagnostic(
    `compiled by both: ${compiled}, refused by both: ${bothRefused}, packet verdicts compared: ${verdicts}, kernel runs: ${kernelRuns}`,
  );
  assert.deepEqual(failures, []);
  assert.ok(compiled > COUNT / 2, "most random expressions should compile");
});
