import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BpfMap,
  LruPerCpuHashMap,
  PerCpuArrayMap,
  PerCpuHashMap,
  possibleCpuCount,
  struct,
  u32,
  u64,
  u8,
} from "../../src/maps/index.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { MapType } from "../../src/uapi.js";

const cpus = possibleCpuCount();
const perCpuValues = (base: number): bigint[] => Array.from({ length: cpus }, (_, i) => BigInt(base + i));

test("per-CPU hash: one value per possible CPU, round trip, sum, setAll, iterate, delete", () => {
  using map = PerCpuHashMap.create({ name: "t_pcpu_hash", key: u32, value: u64, maxEntries: 8 });
  assert.equal(map.type, MapType.PERCPU_HASH);
  assert.equal(map.cpus, cpus);
  assert.equal(map.valueSize, 8); // the kernel's value size is one CPU's value
  map.set(1, perCpuValues(10));
  const values = map.get(1)!;
  assert.equal(values.length, cpus);
  assert.deepEqual(values, perCpuValues(10));
  assert.equal(
    map.sum(1),
    perCpuValues(10).reduce((a, b) => a + b, 0n),
  );
  assert.equal(map.sum(2), undefined);
  map.setAll(2, 4n);
  assert.deepEqual(map.get(2), new Array(cpus).fill(4n));
  assert.equal(map.sum(2), 4n * BigInt(cpus));
  assert.deepEqual(
    [...map].sort((a, b) => a[0] - b[0]),
    [
      [1, perCpuValues(10)],
      [2, new Array(cpus).fill(4n)],
    ],
  );
  assert.throws(() => map.set(3, [1n]), /expected \d+ values/);
  assert.equal(map.delete(1), true);
  assert.equal(map.get(1), undefined);
});

test("per-CPU values smaller than 8 bytes are read from 8-byte slots", () => {
  const Small = struct({ a: u8, b: u8 });
  using map = PerCpuHashMap.create({ name: "t_pcpu_small", key: u32, value: Small, maxEntries: 2 });
  const v = Array.from({ length: cpus }, (_, i) => ({ a: i + 1, b: 200 - i }));
  map.set(0, v);
  assert.deepEqual(map.get(0), v);
  using numbers = PerCpuHashMap.create({ name: "t_pcpu_u32", key: u32, value: u32, maxEntries: 2 });
  numbers.set(
    0,
    Array.from({ length: cpus }, (_, i) => i + 1),
  );
  assert.equal(numbers.sum(0), (cpus * (cpus + 1)) / 2);
});

test("per-CPU hash batch operations carry all CPUs' values", () => {
  using map = PerCpuHashMap.create({ name: "t_pcpu_batch", key: u32, value: u64, maxEntries: 300 });
  const entries: [number, bigint[]][] = Array.from({ length: 300 }, (_, i) => [i, perCpuValues(i * 10)]);
  assert.equal(map.updateBatch(entries), 300);
  assert.deepEqual(
    map.lookupBatch().sort((a, b) => a[0] - b[0]),
    entries,
  );
  // Lookup-and-delete stops at a hash bucket boundary rather than delete more than asked, so
  // it may return a little fewer than 50; what it returns is gone from the map.
  const taken = map.lookupAndDeleteBatch(50);
  assert.ok(taken.length > 0 && taken.length <= 50, `took ${taken.length}`);
  for (const [key, values] of taken) {
    assert.deepEqual(values, perCpuValues(key * 10));
    assert.equal(map.has(key), false);
  }
  assert.equal(map.deleteBatch([...map.keys()].slice(0, 50)), 50);
  assert.equal(map.lookupBatch().length, 250 - taken.length);
});

test("LRU per-CPU hash", () => {
  using map = LruPerCpuHashMap.create({ name: "t_lru_pcpu", key: u32, value: u64, maxEntries: 32 });
  assert.equal(map.type, MapType.LRU_PERCPU_HASH);
  for (let i = 0; i < 200; i++) map.setAll(i, BigInt(i));
  map.updateBatch([[500, perCpuValues(500)]]);
  assert.deepEqual(map.get(500), perCpuValues(500));
  assert.deepEqual(map.get(199), new Array(cpus).fill(199n));
  assert.ok([...map.keys()].length <= 32);
  assert.equal(map.delete(199), true);
  assert.ok(map.lookupBatch().every(([k, v]) => v.length === cpus && v[0] === BigInt(k)));
});

test("per-CPU array: every index holds one value per CPU; batch lookup/update, no deletion", () => {
  using map = PerCpuArrayMap.create({ name: "t_pcpu_array", value: u64, maxEntries: 4 });
  assert.equal(map.type, MapType.PERCPU_ARRAY);
  assert.deepEqual(map.get(0), new Array(cpus).fill(0n));
  map.set(2, perCpuValues(1));
  assert.equal(
    map.sum(2),
    perCpuValues(1).reduce((a, b) => a + b, 0n),
  );
  assert.deepEqual([...map.keys()], [0, 1, 2, 3]);
  assert.throws(() => map.set(4, perCpuValues(0)), RangeError);
  assert.throws(() => map.delete(0), /cannot be deleted/);
  map.updateBatch([
    [0, perCpuValues(5)],
    [1, perCpuValues(6)],
  ]);
  assert.deepEqual(map.lookupBatch(2), [
    [0, perCpuValues(5)],
    [1, perCpuValues(6)],
  ]);
  assert.throws(() => map.lookupAndDeleteBatch(), NotSupportedError);
});

test("BpfMap.create with a per-CPU type reads arrays of per-CPU values", () => {
  using map = BpfMap.create({ type: MapType.PERCPU_HASH, name: "t_pcpu_gen", key: u32, value: u64, maxEntries: 2 });
  map.set(1, perCpuValues(3));
  const v: bigint[] | undefined = map.get(1);
  assert.deepEqual(v, perCpuValues(3));
});
