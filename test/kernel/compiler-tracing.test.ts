// Tracing contexts in kernel TypeScript, attached for real: uprobe and uretprobe registers,
// perf_event samples, perf event array output, tail calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PerfBuffer } from "../../src/events/perf-buffer.js";
import type { HashMap, PerfEventArray, ProgramArray } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import type { UprobeProgram } from "../../src/programs/uprobe.js";
import type { PerfEventProgram } from "../../src/programs/perf-event.js";
import { buildC, tempDir } from "../helpers/tracing-helpers.js";
import { frame, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";

const K = KERNEL_IMPORT;

const TARGET = `
#include <stdlib.h>
__attribute__((noinline)) int tsbpf_target_a(int x) { __asm__ volatile(""); return x * 3 + 1; }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0;
  volatile int sink = 0;
  for (int i = 0; i < n; i++) sink += tsbpf_target_a(i);
  return 0;
}`;

test("uprobe and uretprobe programs read arguments and return values from pt_regs", async (t) => {
  using dir = tempDir();
  const bin = buildC(dir.path, "target", TARGET);
  using obj = await loadSource(`
import { uprobe, uretprobe, HashMap, u64 } from "${K}";
export const args = new HashMap({ key: u64, value: u64, maxEntries: 64 });
export const rets = new HashMap({ key: u64, value: u64, maxEntries: 64 });
export const entry = uprobe({ binary: "${bin}", symbol: "tsbpf_target_a" }, (ctx) => {
  const x = ctx.arg(0) & 0xffffffff;
  args.update(x, x * 10);
  return 0;
});
export const exit = uretprobe({ binary: "${bin}", symbol: "tsbpf_target_a" }, (ctx) => {
  rets.increment(ctx.ret & 0xffffffff);
  return 0;
});`);
  const links = [
    (obj.programs.entry as UprobeProgram).attach({ binary: bin, symbol: "tsbpf_target_a" }),
    (obj.programs.exit as UprobeProgram).attach({ binary: bin, symbol: "tsbpf_target_a", retprobe: true }),
  ];
  t.after(() => {
    for (const l of links) l.detach();
  });
  assert.equal(spawnSync(bin, ["5"]).status, 0);
  const args = obj.maps.args as unknown as HashMap<bigint, bigint>;
  const rets = obj.maps.rets as unknown as HashMap<bigint, bigint>;
  for (let i = 0n; i < 5n; i++) {
    assert.equal(args.get(i), i * 10n, `argument ${i}`);
    assert.equal(rets.get(i * 3n + 1n), 1n, `return value of call ${i}`);
  }
});

test("a perf_event program samples this process on the CPU clock", async (t) => {
  using obj = await loadSource(`
import { perfEvent, ArrayMap, getCurrentPidTgid, u32, u64 } from "${K}";
export const samples = new ArrayMap({ value: u64, maxEntries: 2 });
export const sampler = perfEvent((ctx) => {
  samples.increment(0);
  if (ctx.samplePeriod > 0) samples.increment(1);
  return 0;
});`);
  const group = (obj.programs.sampler as PerfEventProgram).attach({ pid: process.pid, sampleFrequency: 1000 });
  t.after(() => group.detach());
  const until = Date.now() + 300;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  const samples = obj.maps.samples as unknown as { get(i: number): bigint };
  assert.ok(samples.get(0)! > 0n, `sampled (${x > 0})`);
  assert.equal(samples.get(1), samples.get(0));
});

test("perf event array output and tail calls", async () => {
  using obj = await loadSource(`
import { xdp, PerfEventArray, ProgramArray, struct, u32, XDP_PASS, XDP_DROP } from "${K}";
export class Ev extends struct({ len: u32, tag: u32 }) {}
export const perf = new PerfEventArray();
export const jumps = new ProgramArray({ maxEntries: 4 });
export const first = xdp((ctx) => {
  const ev: Ev = { len: ctx.len, tag: 7 };
  perf.output(ctx, ev);
  jumps.tailCall(ctx, 1);
  return XDP_PASS; // only when slot 1 is empty
});
export const second = xdp(() => XDP_DROP);`);
  const first = obj.programs.first!,
    second = obj.programs.second!;
  using reader = new PerfBuffer(obj.maps.perf as unknown as PerfEventArray);
  assert.equal(testRun(first, { data: frame(0x0800, [], 70) }).retval, 2);
  (obj.maps.jumps as unknown as ProgramArray).set(1, second.fd);
  assert.equal(testRun(first, { data: frame(0x0800, [], 80) }).retval, 1);
  const got: number[][] = [];
  reader.consume((rec) => {
    got.push([rec.u32(0), rec.u32(4)]);
  });
  assert.deepEqual(got.sort(), [
    [70, 7],
    [80, 7],
  ]);
});
