import { test } from "node:test";
import assert from "node:assert/strict";
import { ArrayMap, MapReadOnlyError, struct, u32, u64 } from "../../src/maps/index.js";
import { TsbpfError } from "../../src/errors.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { MapFlags, MapType } from "../../src/uapi.js";

test("array map: every index exists, set/get/iterate, out-of-range and delete refused", () => {
  using map = ArrayMap.create({ name: "t_array", value: u64, maxEntries: 4 });
  assert.equal(map.type, MapType.ARRAY);
  assert.equal(map.get(2), 0n); // zero-initialised
  map.set(0, 5n).set(3, 7n);
  assert.equal(map.get(3), 7n);
  assert.equal(map.get(4), undefined);
  assert.deepEqual([...map.keys()], [0, 1, 2, 3]);
  assert.deepEqual(
    [...map],
    [
      [0, 5n],
      [1, 0n],
      [2, 0n],
      [3, 7n],
    ],
  );
  assert.throws(() => map.set(4, 1n), RangeError);
  assert.throws(() => map.delete(0), TsbpfError);
  assert.equal(map.mmapable, false);
  assert.throws(() => map.view(), /mmapable/);
});

test("array batch operations: update and lookup work, deletions are not supported", () => {
  using map = ArrayMap.create({ name: "t_arrbatch", value: u32, maxEntries: 600 });
  const entries: [number, number][] = Array.from({ length: 600 }, (_, i) => [i, i * 2]);
  assert.equal(map.updateBatch(entries), 600);
  assert.deepEqual(map.lookupBatch(), entries); // spans several kernel calls (256 per batch)
  assert.deepEqual(map.lookupBatch(3), entries.slice(0, 3));
  assert.throws(() => map.deleteBatch([1]), NotSupportedError);
  assert.throws(() => map.lookupAndDeleteBatch(), NotSupportedError);
});

test("mmapable array: writes through the mapping are seen by get() and the other way round", () => {
  const Value = struct({ hits: u64, last: u32 });
  using map = ArrayMap.create({ name: "t_mmap", value: Value, maxEntries: 8, mmapable: true });
  assert.ok(map.flags & MapFlags.MMAPABLE);
  assert.equal(map.mmapable, true);
  assert.equal(map.stride, 16);
  map.setAt(3, { hits: 42n, last: 7 });
  assert.deepEqual(map.get(3), { hits: 42n, last: 7 });
  map.set(5, { hits: 9n, last: 1 });
  assert.deepEqual(map.at(5), { hits: 9n, last: 1 });
  const view = map.view();
  assert.ok(view.byteLength >= 8 * 16);
  view.setBigUint64(3 * 16, 43n, true);
  assert.deepEqual(map.get(3), { hits: 43n, last: 7 });
  assert.throws(() => map.at(8), RangeError);
  assert.throws(() => map.freeze(), /mapped writable/);
  map.close();
  assert.throws(() => map.view(), /closed/);
});

test("frozen map: reads work, user-space writes fail with MapReadOnlyError (EPERM)", () => {
  using map = ArrayMap.create({ name: "t_frozen", value: u32, maxEntries: 2 });
  map.set(0, 11);
  map.freeze();
  assert.equal(map.get(0), 11);
  assert.throws(
    () => map.set(1, 1),
    (err: unknown) => {
      assert.ok(err instanceof MapReadOnlyError);
      assert.equal(err.code, "EPERM");
      assert.match(err.message, /t_frozen.*frozen/);
      return true;
    },
  );
  assert.equal(map.get(1), 0);
});
