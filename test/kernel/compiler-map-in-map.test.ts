// Maps of maps in kernel TypeScript: a compiled program looks an inner map up in an ArrayOfMaps /
// HashOfMaps and reads it; user space fills the outer map with maps shaped like the template.
// In process (KernelObject) and as an ELF object (BTF `values`, as libbpf expects) loaded by
// tsbpf's ELF loader and by Debian's bpftool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeElf } from "../../src/compiler/elf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { loadObject } from "../../src/loader/index.js";
import { HashMap, u32, u64, type ArrayOfMaps, type HashOfMaps } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { compileSource, frame, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

const hasBpftool = spawnSync("bpftool", ["version"]).status === 0;

const SOURCE = `
import { xdp, socketFilter, ArrayOfMaps, HashOfMaps, HashMap, u32, u64 } from "${KERNEL_IMPORT}";

/** The template every inner map must look like (also a map of its own). */
export const template = new HashMap({ key: u32, value: u64, maxEntries: 16 });
export const tables = new ArrayOfMaps({ maxEntries: 4, inner: template });
export const named = new HashOfMaps({ key: u32, maxEntries: 4, inner: template });

/** tables[1][7], 1000 when the slot is empty, 2000 when the key is absent. */
export const fromArray = socketFilter((ctx) => {
  const inner = tables.lookup(1);
  if (inner === null) return 1000;
  const v = inner.lookup(7);
  if (v === null) return 2000;
  inner.increment(8);
  return v.value;
});

/** named[42][7], the same way. */
export const fromHash = socketFilter((ctx) => {
  const inner = named.lookup(42);
  if (inner === null) return 1000;
  const v = inner.lookup(7);
  if (v === null) return 2000;
  return v.value;
});
`;

const run = (prog: { fd: number }): number => testRun(prog, { data: frame(0x0800, [], 60) }).retval;

test("map in map: a compiled program reads an inner map that user space put into an ArrayOfMaps and a HashOfMaps", async () => {
  const m = await compileSource(SOURCE);
  assert.deepEqual(
    m.artifact.maps.map((x) => [x.name, x.inner ?? null]),
    [
      ["template", null],
      ["tables", "template"],
      ["named", "template"],
    ],
  );
  using obj = KernelObject.load(m.artifact);
  assert.equal(run(obj.programs.fromArray!), 1000);
  assert.equal(run(obj.programs.fromHash!), 1000);

  using inner = HashMap.create({ name: "inner", key: u32, value: u64, maxEntries: 16 });
  const tables = obj.maps.tables as ArrayOfMaps,
    named = obj.maps.named as HashOfMaps<number>;
  tables.set(1, inner);
  named.set(42, inner);
  assert.equal(run(obj.programs.fromArray!), 2000);
  inner.set(7, 1234n);
  assert.equal(run(obj.programs.fromArray!), 1234);
  assert.equal(run(obj.programs.fromHash!), 1234);
  // The program wrote into the inner map too (increment through the looked-up map).
  assert.equal(inner.get(8), 1n);
  // The outer maps hold the inner map's id.
  assert.equal(tables.get(1), inner.info().id);
});

test("map in map: the ELF object describes the inner map with BTF `values`; tsbpf's ELF loader and bpftool load it", async (t) => {
  const m = await compileSource(SOURCE);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-mim-"));
  const pins = `/sys/fs/bpf/tsbpf-mim-${process.pid}`;
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pins, { recursive: true, force: true });
  });
  const object = join(dir, "mim.o");
  writeFileSync(object, writeElf(m));

  using obj = loadObject(object);
  using inner = HashMap.create({ name: "inner", key: u32, value: u64, maxEntries: 16 });
  inner.set(7, 77n);
  const tables = obj.maps.tables as unknown as { set(k: number, v: { fd: number }): void };
  tables.set(1, inner);
  assert.equal(run(obj.programs.fromArray!), 77);
  assert.equal(run(obj.programs.fromHash!), 1000);

  if (!hasBpftool) {
    t.diagnostic("bpftool is not installed");
    return;
  }
  const r = spawnSync("bpftool", ["prog", "loadall", object, pins], { encoding: "utf8" });
  assert.equal(r.status, 0, `bpftool prog loadall failed:\n${r.stderr.split("\n").slice(-25).join("\n")}`);
  assert.deepEqual(readdirSync(pins).sort(), ["fromArray", "fromHash"]);
});

test("map in map: lookup needs an inner template; an inner map is used through a const", async () => {
  const { compileErrors } = await import("../helpers/compiler-helpers.js");
  const errors = await compileErrors(`
import { socketFilter, ArrayOfMaps, HashMap, u32, u64 } from "${KERNEL_IMPORT}";
const t = new HashMap({ key: u32, value: u64, maxEntries: 1 });
export const outer = new ArrayOfMaps({ maxEntries: 1, inner: t });
export const p = socketFilter((ctx) => {
  const inner = outer.lookup(0);
  return inner.lookup(1) === null ? 0 : 1;
});`);
  assert.ok(
    errors.some((e) => /possibly 'null'/.test(e)),
    errors.join("\n"),
  );
});
