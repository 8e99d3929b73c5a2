// tcpdump is the oracle: for every capture in ../shared/data/pcaps and every expression of
// filter-expressions.ts, the packets tsbpf's compiled filter accepts (run in the kernel) must be
// the packets `tcpdump -r FILE EXPR` accepts, and where tcpdump refuses an expression tsbpf must too.
//
// Captures are merged per link type (tcpdump compiles one program per link type, and per byte
// order for BSD loopback), so tcpdump runs once per expression and group. Each packet runs through
// BPF_PROG_TEST_RUN as an XDP program, with its original length in XDP metadata (for len, less,
// greater); packets test_run cannot take (under 14 bytes, over a page) go through the socket
// filter version of the program on a Unix socket pair, where the length is the captured one — so
// the rare such packets with a truncated capture are skipped for expressions that use the length,
// and counted.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { join } from "node:path";
import { compileFilter, loadFilterProgram, type CompiledFilter } from "../../src/filter/compile.js";
import { evalDag } from "../../src/filter/dag.js";
import { FilterError } from "../../src/filter/errors.js";
import { filterUsesLength } from "../../src/filter/replay.js";
import { PacketRunner, SocketPairRunner } from "../../src/filter/run.js";
import type { Program } from "../../src/programs/program.js";
import {
  loadCorpus,
  tcpdumpAvailable,
  TcpdumpPool,
  type PacketGroup,
  type TcpdumpResult,
} from "../helpers/filter-fixtures.js";
import { ORACLE_EXPRESSIONS } from "../helpers/filter-expressions.js";

/** The 0-based indices (in the group) of the packets tsbpf's program accepts, and what it skipped. */
function tsbpfMatches(
  g: PacketGroup,
  expression: string,
):
  | { matches: Set<number>; viaXdp: number; viaSocket: number; skipped: Set<number>; jsMismatch: number }
  | { error: FilterError } {
  let xdp: CompiledFilter;
  try {
    xdp = compileFilter(expression, {
      linkType: g.linkType,
      loopbackByteOrder: g.loopbackByteOrder,
      context: "xdp",
      wireLength: "meta",
    });
  } catch (e) {
    if (e instanceof FilterError) return { error: e };
    throw e;
  }
  const matches = new Set<number>();
  const skipped = new Set<number>();
  let viaXdp = 0,
    viaSocket = 0,
    jsMismatch = 0;
  const prog = loadFilterProgram(xdp, "filter_test");
  const runner = new PacketRunner(prog, "xdp-meta");
  let sock: { prog: Program; runner: SocketPairRunner } | undefined;
  try {
    g.packets.forEach((p, i) => {
      // a packet identical to an earlier one gets the same verdict (the program is deterministic)
      const first = g.firstCopy[i]!;
      if (first !== i) {
        if (skipped.has(first)) skipped.add(i);
        else if (matches.has(first)) matches.add(i);
        return;
      }
      let accepted: boolean;
      if (p.data.length >= 14 && p.data.length <= runner.capacity) {
        accepted = runner.run(p.data, p.originalLength) === 2;
        viaXdp++;
      } else {
        if (p.data.length !== p.originalLength && filterUsesLength(xdp)) {
          skipped.add(i);
          return;
        }
        if (!sock) {
          const f = compileFilter(expression, {
            linkType: g.linkType,
            loopbackByteOrder: g.loopbackByteOrder,
            context: "socket",
          });
          const sp = loadFilterProgram(f, "filter_sock");
          sock = { prog: sp, runner: new SocketPairRunner(sp) };
        }
        accepted = sock.runner.run(p.data);
        viaSocket++;
      }
      if (accepted) matches.add(i);
      // the JavaScript evaluation of the same graph: a disagreement points at the code generator
      if (
        accepted !==
        evalDag(
          xdp.graph,
          p.data,
          p.data.length >= 14 && p.data.length <= runner.capacity ? p.originalLength : p.data.length,
        )
      )
        jsMismatch++;
    });
  } finally {
    runner.close();
    prog.close();
    if (sock) {
      sock.runner.close();
      sock.prog.close();
    }
  }
  return { matches, viaXdp, viaSocket, skipped, jsMismatch };
}

test("tsbpf's filters accept exactly the packets tcpdump accepts, over every capture", {
  timeout: 600_000,
}, async (t) => {
  if (!tcpdumpAvailable()) {
    t.skip("tcpdump is not installed (apt-get install tcpdump)");
    return;
  }
  const corpus = loadCorpus();
  const groups = corpus.groups;
  const jobs = groups.flatMap((g) => ORACLE_EXPRESSIONS.map((e) => ({ g, e })));
  // tcpdump runs in child processes (up to 12 jobs ahead) while the kernel runs the programs here
  const tcpdump = new TcpdumpPool(join(corpus.dir, "tcpdump-out"));
  t.after(() => tcpdump.close());
  const started: Promise<TcpdumpResult>[] = [];
  let done = 0;
  const launch = (): void => {
    while (started.length < jobs.length && started.length - done < 12) {
      const j = jobs[started.length]!;
      started.push(tcpdump.run(j.g.mergedFile, j.e));
    }
  };
  const failures: string[] = [];
  let realPairs = 0,
    realPairsAgree = 0,
    filePairs = 0,
    filePairsAgree = 0,
    packetsCompared = 0,
    bothRefused = 0,
    viaXdp = 0,
    viaSocket = 0,
    skipped = 0,
    jsMismatch = 0;
  const filesOf = new Map<PacketGroup, Map<string, number[]>>();
  for (const g of groups) {
    const m = new Map<string, number[]>();
    g.packets.forEach((p, i) => {
      const l = m.get(p.file) ?? [];
      l.push(i);
      m.set(p.file, l);
    });
    filesOf.set(g, m);
  }
  launch();
  for (const { g, e } of jobs) {
    const oracle = await started[done]!;
    done++;
    launch();
    const mine = tsbpfMatches(g, e);
    const files = filesOf.get(g)!;
    filePairs += files.size;
    if (!g.synthetic) realPairs += files.size;
    const agreeBefore = filePairsAgree;
    const countReal = (): void => {
      if (!g.synthetic) realPairsAgree += filePairsAgree - agreeBefore;
    };
    if ("error" in oracle || "error" in mine) {
      const oracleRejectsAll = "error" in oracle && /rejects all packets/.test(oracle.error);
      const mineRejectsAll = "error" in mine && /rejects all packets/.test(mine.error.reason);
      if ("error" in oracle && "error" in mine) {
        bothRefused++;
        filePairsAgree += files.size;
        countReal();
        continue;
      }
      // "rejects all packets" is an error in tcpdump and an empty match set otherwise
      const oracleSet = "error" in oracle ? (oracleRejectsAll ? new Set<number>() : undefined) : oracle.matches;
      const mineSet = "error" in mine ? (mineRejectsAll ? new Set<number>() : undefined) : mine.matches;
      if (!oracleSet || !mineSet || oracleSet.size || mineSet.size) {
        failures.push(
          `[${g.name}] ${JSON.stringify(e)}: tcpdump ${"error" in oracle ? `refuses (${oracle.error})` : `accepts ${oracle.matches.size}`}, tsbpf ${"error" in mine ? `refuses (${mine.error.reason})` : `accepts ${mine.matches.size}`}`,
        );
        continue;
      }
      filePairsAgree += files.size;
      countReal();
      continue;
    }
    viaXdp += mine.viaXdp;
    viaSocket += mine.viaSocket;
    skipped += mine.skipped.size;
    jsMismatch += mine.jsMismatch;
    packetsCompared += g.packets.length - mine.skipped.size;
    // tcpdump saw each distinct packet once: copies share the verdict of the first
    const tcpdumpAccepts = (i: number): boolean => oracle.matches.has(g.firstCopy[i]!);
    const differ: string[] = [];
    for (const [file, idx] of files) {
      const bad = idx.filter((i) => !mine.skipped.has(i) && tcpdumpAccepts(i) !== mine.matches.has(i));
      if (bad.length === 0) {
        filePairsAgree++;
        continue;
      }
      differ.push(
        `${file} #${bad
          .slice(0, 5)
          .map((i) => g.packets[i]!.number)
          .join(",")}${bad.length > 5 ? "…" : ""} (tcpdump ${tcpdumpAccepts(bad[0]!) ? "accepts" : "rejects"})`,
      );
    }
    countReal();
    if (differ.length) failures.push(`[${g.name}] ${JSON.stringify(e)}: ${differ.slice(0, 3).join("; ")}`);
  }
  const supported = corpus.files.length - corpus.unsupported.length;
  t.diagnostic(
    `${ORACLE_EXPRESSIONS.length} expressions × ${groups.length} link-type groups (${groups.map((g) => `${g.name}: ${g.packets.length} packets`).join(", ")})`,
  );
  t.diagnostic(
    `captures: ${supported} of ${corpus.files.length}${corpus.unsupported.length ? ` (not compiled for: ${corpus.unsupported.map((u) => `${u.name} [${u.linkTypes.join(",")}]`).join(", ")})` : ""}`,
  );
  t.diagnostic(
    `capture × expression pairs agreeing: ${realPairsAgree} of ${realPairs}, and ${filePairsAgree - realPairsAgree} of ${filePairs - realPairs} more for the synthetic variants (SLL2, big-endian loopback)`,
  );
  t.diagnostic(
    `file × expression pairs agreeing in all: ${filePairsAgree} of ${filePairs}; packet verdicts compared: ${packetsCompared}; expressions both refuse (per group): ${bothRefused}`,
  );
  t.diagnostic(
    `kernel runs (identical packets run once): ${viaXdp} XDP test_run, ${viaSocket} socket filter; skipped (truncated and outside test_run's sizes, length-dependent expression): ${skipped}`,
  );
  assert.equal(jsMismatch, 0, "the kernel and the JavaScript evaluation of the same graph disagree");
  assert.deepEqual(failures, [], `${failures.length} disagreements with tcpdump`);
  // every capture that has packets, under at least 150 expressions (the empty ones have nothing to filter)
  const withPackets = corpus.files.filter((f) => f.packets > 0).length;
  assert.ok(
    realPairs >= 150 * withPackets && supported === corpus.files.length,
    "coverage: at least 150 expressions over every capture",
  );
});
