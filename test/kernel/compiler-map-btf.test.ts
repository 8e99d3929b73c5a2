// Map BTF: every map kind kernel TypeScript declares is created with its key/value BTF where the
// kernel takes BTF — by libbpf from the ELF object (no "Retrying without BTF") and by KernelObject.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeElf } from "../../src/compiler/elf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { mapKind } from "../../src/maps/kinds.js";
import type { MapHandle } from "../../src/maps/handle.js";
import { compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

const EVERY_MAP_KIND = `
import { xdp, HashMap, LruHashMap, PerCpuHashMap, LruPerCpuHashMap, ArrayMap, PerCpuArrayMap, LpmTrieMap, RingBuf, PerfEventArray, ProgramArray, QueueMap, StackMap, BloomFilterMap, DevMap, CpuMap, XskMap, SockMap, SockHash, ArrayOfMaps, HashOfMaps, UserRingBuf, TaskStorage, SkStorage, CgrpStorage, StackTraceMap, CgroupArray, struct, u32, u64, XDP_PASS } from "${KERNEL_IMPORT}";
export class LpmKey extends struct({ prefixlen: u32, addr: u32 }) {}
export const hash = new HashMap({ key: u32, value: u64, maxEntries: 4 });
export const lruHash = new LruHashMap({ key: u32, value: u64, maxEntries: 4 });
export const pcpuHash = new PerCpuHashMap({ key: u32, value: u64, maxEntries: 4 });
export const lruPcpuHash = new LruPerCpuHashMap({ key: u32, value: u64, maxEntries: 4 });
export const array = new ArrayMap({ value: u64, maxEntries: 4 });
export const pcpuArray = new PerCpuArrayMap({ value: u64, maxEntries: 4 });
export const lpm = new LpmTrieMap({ key: LpmKey, value: u64, maxEntries: 4 });
export const ring = new RingBuf({ size: 4096 });
export const perf = new PerfEventArray();
export const progs = new ProgramArray({ maxEntries: 4 });
export const queue = new QueueMap({ value: u64, maxEntries: 4 });
export const stack = new StackMap({ value: u64, maxEntries: 4 });
export const bloom = new BloomFilterMap({ value: u64, maxEntries: 4 });
export const dev = new DevMap({ maxEntries: 4 });
export const cpus = new CpuMap({ maxEntries: 2 });
export const xsk = new XskMap({ maxEntries: 4 });
export const socks = new SockMap({ maxEntries: 4 });
export const sockHash = new SockHash({ key: u32, maxEntries: 4 });
export const inner = new ArrayMap({ value: u64, maxEntries: 4 });
export const arrayOfMaps = new ArrayOfMaps({ maxEntries: 2, inner: inner });
export const hashOfMaps = new HashOfMaps({ key: u32, maxEntries: 2, inner: inner });
export const userRing = new UserRingBuf({ size: 4096 });
export const taskStorage = new TaskStorage({ value: u64 });
export const skStorage = new SkStorage({ value: u64 });
export const cgrpStorage = new CgrpStorage({ value: u64 });
export const stackTraces = new StackTraceMap({ maxEntries: 4 });
export const cgroups = new CgroupArray({ maxEntries: 4 });
export const p = xdp(() => XDP_PASS);
`;

test("bpftool (libbpf) creates every map kind of a compiled object with its BTF", async (t) => {
  const m = await compileSource(EVERY_MAP_KIND);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-map-btf-"));
  const pins = `/sys/fs/bpf/tsbpf-map-btf-${process.pid}`;
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pins, { recursive: true, force: true });
  });
  const object = join(dir, "maps.o");
  writeFileSync(object, writeElf(m));
  const r = spawnSync("bpftool", ["prog", "loadall", object, pins], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /Retrying without BTF/);
});

test("KernelObject creates the maps with key/value BTF wherever the kind takes it", async () => {
  const m = await compileSource(EVERY_MAP_KIND);
  using obj = KernelObject.load(m.artifact);
  const maps = obj.maps as Record<string, MapHandle>;
  let typed = 0;
  for (const spec of m.artifact.maps) {
    const info = maps[spec.name]!.info();
    if (mapKind(spec.type).btf === "never" || !spec.value) continue;
    assert.notEqual(info.btfId, 0, `${spec.name} (${spec.mapType}) has no BTF`);
    assert.notEqual(info.btfValueTypeId, 0, `${spec.name} (${spec.mapType}) has no value type`);
    typed++;
  }
  // hash, lru, per-CPU hashes, both arrays, the inner array, LPM trie, queue, stack, bloom, storages
  assert.ok(typed >= 10, `only ${typed} maps carry BTF`);
});
