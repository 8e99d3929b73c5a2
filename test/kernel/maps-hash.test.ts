import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BpfMap,
  HashMap,
  KeyExistsError,
  KeyNotFoundError,
  LruHashMap,
  MapError,
  MapFullError,
  cstring,
  struct,
  u8,
  u32,
  u64,
} from "../../src/maps/index.js";
import { MapType, UpdateFlags } from "../../src/uapi.js";

const sorted = <T>(entries: [number, T][]): [number, T][] => [...entries].sort((a, b) => a[0] - b[0]);

test("hash map: set, get, has, iterate, delete", () => {
  using map = HashMap.create({ name: "t_hash", key: u32, value: u64, maxEntries: 16 });
  assert.equal(map.type, MapType.HASH);
  assert.equal(map.keySize, 4);
  assert.equal(map.valueSize, 8);
  assert.equal(map.maxEntries, 16);
  assert.equal(map.info().name, "t_hash");
  for (let i = 1; i <= 5; i++) map.set(i, BigInt(i * 100));
  assert.equal(map.get(3), 300n);
  assert.equal(map.get(42), undefined);
  assert.equal(map.has(5), true);
  assert.equal(map.has(6), false);
  assert.deepEqual([...map.keys()].sort(), [1, 2, 3, 4, 5]);
  assert.deepEqual([...map.values()].sort(), [100n, 200n, 300n, 400n, 500n]);
  assert.deepEqual(sorted([...map]), [
    [1, 100n],
    [2, 200n],
    [3, 300n],
    [4, 400n],
    [5, 500n],
  ]);
  assert.equal(map.delete(3), true);
  assert.equal(map.delete(3), false);
  assert.equal(map.get(3), undefined);
  assert.equal(map.take(4), 400n);
  assert.equal(map.has(4), false);
  assert.deepEqual([...map.keys()].sort(), [1, 2, 5]);
});

test("struct keys with padding match however the key buffer was used before", () => {
  const Key = struct({ proto: u8, port: u32, comm: cstring(8) }); // 3 bytes of padding after proto
  const Value = struct({ packets: u64, bytes: u64 });
  using map = HashMap.create({ name: "t_struct", key: Key, value: Value, maxEntries: 8 });
  map.set({ proto: 6, port: 443, comm: "curl" }, { packets: 1n, bytes: 1500n });
  map.set({ proto: 0xff, port: 0xffffffff, comm: "xxxxxxx" }, { packets: 9n, bytes: 9n }); // fills the buffer with 0xff-ish bytes
  assert.deepEqual(map.get({ proto: 6, port: 443, comm: "curl" }), { packets: 1n, bytes: 1500n });
  const keys = [...map.keys()].sort((a, b) => a.port - b.port);
  assert.deepEqual(keys, [
    { proto: 6, port: 443, comm: "curl" },
    { proto: 0xff, port: 0xffffffff, comm: "xxxxxxx" },
  ]);
});

test("hash map full, NOEXIST and EXIST give typed errors naming the map", () => {
  using map = HashMap.create({ name: "t_full", key: u32, value: u32, maxEntries: 2 });
  map.set(1, 1).set(2, 2);
  assert.throws(
    () => map.set(3, 3),
    (err: unknown) => {
      assert.ok(err instanceof MapFullError);
      assert.ok(err instanceof MapError);
      assert.equal(err.code, "E2BIG");
      assert.equal(err.mapName, "t_full");
      assert.match(err.message, /t_full.*full.*max_entries 2/);
      return true;
    },
  );
  map.set(2, 20); // replacing an existing key does not need a free slot
  assert.equal(map.get(2), 20);
  assert.throws(
    () => map.set(1, 5, UpdateFlags.NOEXIST),
    (err: unknown) => err instanceof KeyExistsError && err.code === "EEXIST" && /t_full/.test(err.message),
  );
  assert.throws(
    () => map.set(7, 5, UpdateFlags.EXIST),
    (err: unknown) => err instanceof KeyNotFoundError && err.code === "ENOENT",
  );
  map.set(1, 10, UpdateFlags.EXIST);
  assert.equal(map.get(1), 10);
  map.delete(2);
  map.set(2, 22, UpdateFlags.NOEXIST);
  assert.equal(map.get(2), 22);
});

test("deleting while iterating: the kernel restarts from the first key and every key is visited", () => {
  using map = HashMap.create({ name: "t_iterdel", key: u32, value: u32, maxEntries: 64 });
  for (let i = 0; i < 50; i++) map.set(i, i);
  const seen: number[] = [];
  for (const key of map.keys()) {
    seen.push(key);
    assert.equal(map.delete(key), true); // element calls do not disturb the iterator's own key buffer
  }
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual([...map.keys()], []);

  // Deleting another key (not the current one) simply makes it disappear from the walk.
  for (let i = 0; i < 10; i++) map.set(i, i);
  const walked: number[] = [];
  for (const [key] of map) {
    walked.push(key);
    if (walked.length === 1) for (let i = 0; i < 10; i++) if (i !== key) map.delete(i);
  }
  assert.equal(walked.length, 1);
});

test("hash batch operations: update, lookup (across several batches), lookup-and-delete, delete", () => {
  using map = HashMap.create({ name: "t_batch", key: u32, value: u64, maxEntries: 1000 });
  const entries: [number, bigint][] = Array.from({ length: 1000 }, (_, i) => [i, BigInt(i) * 3n]);
  assert.equal(map.updateBatch(entries), 1000);
  assert.equal(map.get(999), 2997n);
  const all = map.lookupBatch();
  assert.equal(all.length, 1000);
  assert.deepEqual(sorted(all), entries);
  assert.deepEqual(sorted(map.getBatch()), entries);

  const first = map.lookupBatch(10);
  assert.equal(first.length, 10);
  for (const [k, v] of first) assert.equal(v, BigInt(k) * 3n);

  // Hash batches hand out whole buckets, so "about 100": fewer when the next bucket does not fit.
  const taken = map.lookupAndDeleteBatch(100);
  assert.ok(taken.length > 90 && taken.length <= 100, `took ${taken.length}`);
  for (const [k, v] of taken) {
    assert.equal(map.has(k), false);
    assert.equal(v, BigInt(k) * 3n);
  }
  const left = 1000 - taken.length;
  assert.equal(map.lookupBatch().length, left);

  const remaining = [...map.keys()];
  assert.equal(remaining.length, left);
  assert.equal(map.deleteBatch([...remaining.slice(0, 400), 5000, 5001]), 400); // absent keys are skipped
  assert.equal(map.lookupBatch().length, left - 400);
  assert.equal(map.lookupAndDeleteBatch().length, left - 400);
  assert.deepEqual(map.lookupBatch(), []);
  assert.throws(
    () =>
      map.updateBatch(
        [
          [1, 1n],
          [1001, 1n],
        ].concat(Array.from({ length: 1000 }, (_, i) => [2000 + i, 1n])) as [number, bigint][],
      ),
    MapFullError,
  );
});

test("LRU hash evicts instead of failing when full", () => {
  using map = LruHashMap.create({ name: "t_lru", key: u32, value: u32, maxEntries: 64 });
  assert.equal(map.type, MapType.LRU_HASH);
  for (let i = 0; i < 500; i++) map.set(i, i);
  const keys = [...map.keys()];
  assert.ok(keys.length <= 64 && keys.length > 0, `LRU holds ${keys.length} keys`);
  assert.equal(map.get(499), 499); // the latest insert survives
  assert.equal(map.delete(499), true);
  assert.equal(map.lookupBatch().length, keys.length - 1);
});

test("BpfMap.create makes a map of any type, and every kind is an instance of BpfMap", () => {
  using generic = BpfMap.create({ type: MapType.HASH, name: "t_generic", key: u32, value: u32, maxEntries: 4 });
  generic.set(1, 2);
  assert.equal(generic.get(1), 2);
  using hash = HashMap.create({ key: u32, value: u32, maxEntries: 4 });
  assert.ok(hash instanceof BpfMap);
  assert.ok(generic instanceof BpfMap);
  assert.ok(!(generic instanceof HashMap));
  const accept = (m: BpfMap<number, number>): number => m.maxEntries;
  assert.equal(accept(hash), 4);
  assert.equal(hash.displayName, "unnamed hash");
});
