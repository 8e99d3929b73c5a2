// ELF output: the objects `tsbpf compile -o X.o` writes load with Debian's bpftool (libbpf) and with
// tsbpf's own ELF loader, and behave like the in-process artifacts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileModule } from "../../src/compiler/compile.js";
import { writeElf } from "../../src/compiler/elf.js";
import { ElfFile } from "../../src/elf/reader.js";
import { loadObject } from "../../src/loader/index.js";
import { testRun } from "../../src/programs/test-run.js";
import type { ArrayMap, PerCpuHashMap } from "../../src/maps/index.js";
import { compileSource, frame, ipv4, KERNEL_IMPORT, repoRoot } from "../helpers/compiler-helpers.js";

const EXAMPLES = [
  "xdp-counter",
  "flow-monitor",
  "capture",
  "exec-tracer",
  "tcp-lifecycle",
  "socket-filter",
  // cgroup and socket hooks
  "cgroup-traffic",
  "cgroup-sockets",
  "cgroup-policy",
  // socket selection and flow dissection
  "sk-lookup",
  "sk-reuseport",
  "flow-dissector",
];
const hasBpftool = spawnSync("bpftool", ["version"]).status === 0;
const hasReadelf = spawnSync("llvm-readelf", ["--version"]).status === 0;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-elf-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `bpftool prog loadall OBJ DIR`: the program names it pinned. */
function bpftoolLoadAll(t: { after(fn: () => void): void }, object: string): string[] {
  const pins = `/sys/fs/bpf/tsbpf-elf-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  t.after(() => rmSync(pins, { recursive: true, force: true }));
  const r = spawnSync("bpftool", ["prog", "loadall", object, pins], { encoding: "utf8" });
  assert.equal(r.status, 0, `bpftool prog loadall failed:\n${r.stderr.split("\n").slice(-25).join("\n")}`);
  return readdirSync(pins).sort();
}

for (const name of EXAMPLES) {
  test(`bpftool (libbpf) loads the ELF object of examples/kernel/${name}.bpf.ts`, {
    skip: hasBpftool ? false : "bpftool is not installed",
  }, async (t) => {
    const m = await compileModule(join(repoRoot, "examples", "kernel", `${name}.bpf.ts`));
    const object = join(tempDir(t), `${name}.o`);
    const bytes = writeElf(m);
    writeFileSync(object, bytes);
    assert.deepEqual(bpftoolLoadAll(t, object), m.artifact.programs.map((p) => p.name).sort());
    // The object is what clang would make: tsbpf's ELF reader takes it as a BPF object, and llvm's tools read it too.
    const expected = [".BTF", ".BTF.ext", ".symtab", "license", ...(m.artifact.maps.length ? [".maps"] : [])];
    const elf = ElfFile.parse(bytes, object);
    for (const s of expected) assert.ok(elf.section(s), `section ${s}`);
    if (!hasReadelf) return;
    const sections = execFileSync("llvm-readelf", ["-S", object], { encoding: "utf8" });
    for (const s of expected) assert.match(sections, new RegExp(` ${s.replace(".", "\\.")} `));
  });
}

test("tsbpf's ELF loader runs the compiled XDP counter like the artifact does", async (t) => {
  const m = await compileModule(join(repoRoot, "examples", "kernel", "xdp-counter.bpf.ts"));
  const object = join(tempDir(t), "counter.o");
  writeFileSync(object, writeElf(m));
  using obj = loadObject(object);
  const prog = obj.programs.count!;
  for (let i = 0; i < 3; i++)
    assert.equal(testRun(prog, { data: frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2"), 70) }).retval, 2);
  const etherTypes = obj.maps.etherTypes as unknown as PerCpuHashMap<number, { packets: bigint; bytes: bigint }>;
  const perCpu = etherTypes.get(0x0800)!;
  assert.equal(
    perCpu.reduce((s, c) => s + c.packets, 0n),
    3n,
  );
  assert.equal(
    perCpu.reduce((s, c) => s + c.bytes, 0n),
    210n,
  );
});

test("subprograms in .text, a bpf_loop callback and .rodata/.data/.bss globals survive the ELF round trip", async (t) => {
  const m = await compileSource(`
import { xdp, ArrayMap, struct, loop, u32, u64, XDP_PASS, XDP_DROP } from "${KERNEL_IMPORT}";
export const out = new ArrayMap({ value: u64, maxEntries: 4 });
export const limit: u32 = 10;
export let calls: u64 = 0;
export let base: u64 = 1000;
export class State extends struct({ sum: u64, n: u32 }) {}
function step(i: u32, s: State): u32 { s.sum += i; s.n += 1; return i + 1 >= limit ? 1 : 0; }
function add(a: u64, b: u64): u64 { return a + b; }
export const p = xdp((ctx) => {
  const st: State = { sum: 0, n: 0 };
  loop(100, step, st);
  calls += 1;
  out.update(0, add(st.sum, base));
  out.update(1, st.n);
  return ctx.len > 100 ? XDP_DROP : XDP_PASS;
});`);
  const object = join(tempDir(t), "globals.o");
  writeFileSync(object, writeElf(m));
  if (hasReadelf) {
    const symbols = execFileSync("llvm-readelf", ["-s", object], { encoding: "utf8" });
    assert.match(symbols, /FUNC +LOCAL +DEFAULT +\d+ step/);
    assert.match(symbols, /FUNC +GLOBAL +DEFAULT +\d+ p/);
  }
  if (hasBpftool) assert.deepEqual(bpftoolLoadAll(t, object), ["p"]);
  using obj = loadObject(object, { variables: { limit: 5 } });
  assert.equal(testRun(obj.programs.p!, { data: frame(0x0800, [], 64) }).retval, 2);
  assert.equal(testRun(obj.programs.p!, { data: frame(0x0800, [], 200) }).retval, 1);
  const out = obj.maps.out as unknown as ArrayMap<bigint>;
  assert.equal(out.get(0), 1000n + 0n + 1n + 2n + 3n + 4n);
  assert.equal(out.get(1), 5n);
});
