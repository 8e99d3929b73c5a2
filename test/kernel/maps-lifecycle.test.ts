import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import {
  ArrayMap,
  BloomFilterMap,
  HashMap,
  LpmTrieMap,
  MapClosedError,
  PerCpuHashMap,
  QueueMap,
  RingBufMap,
  bytes,
  u32,
  u64,
} from "../../src/maps/index.js";

const openFds = (): number => readdirSync("/proc/self/fd").length;

test("closing twice is harmless; using a closed map is a typed error", () => {
  const map = HashMap.create({ name: "t_close", key: u32, value: u32, maxEntries: 2 });
  assert.equal(map.closed, false);
  map.close();
  map.close();
  assert.equal(map.closed, true);
  assert.throws(
    () => map.get(1),
    (err: unknown) => err instanceof MapClosedError && /t_close/.test(err.message),
  );
  assert.throws(() => map.set(1, 1), MapClosedError);
  assert.throws(() => [...map.keys()], MapClosedError);
  assert.throws(() => map.fd, MapClosedError);
  map[Symbol.dispose]();
});

test("using closes the map at the end of the block", () => {
  const before = openFds();
  {
    using map = HashMap.create({ key: u32, value: u32, maxEntries: 2 });
    assert.ok(map.fd >= 0);
    assert.equal(openFds(), before + 1);
  }
  assert.equal(openFds(), before);
});

test("an abandoned iteration frees its buffer and leaves the map usable", () => {
  using map = HashMap.create({ key: u32, value: u32, maxEntries: 8 });
  for (let i = 0; i < 8; i++) map.set(i, i);
  for (const [k] of map) {
    if (k >= 0) break;
  }
  assert.equal([...map].length, 8);
});

test("no fd leaks: 1000 maps of several kinds created and closed", () => {
  const before = openFds();
  for (let i = 0; i < 1000; i++) {
    switch (i % 7) {
      case 0: {
        using m = HashMap.create({ key: u32, value: u64, maxEntries: 4 });
        m.set(1, 1n);
        m.lookupBatch();
        break;
      }
      case 1: {
        using m = ArrayMap.create({ value: u32, maxEntries: 4, mmapable: true });
        m.setAt(0, 1);
        break;
      }
      case 2: {
        using m = PerCpuHashMap.create({ key: u32, value: u32, maxEntries: 4 });
        m.setAll(0, 1);
        break;
      }
      case 3: {
        using m = LpmTrieMap.create({ data: bytes(4), value: u32, maxEntries: 4 });
        m.set({ prefixLen: 8, data: Uint8Array.of(10, 0, 0, 0) }, 1);
        break;
      }
      case 4: {
        using m = QueueMap.create({ value: u32, maxEntries: 4 });
        m.push(1);
        break;
      }
      case 5: {
        using m = BloomFilterMap.create({ value: u32, maxEntries: 4 });
        m.add(1);
        break;
      }
      case 6: {
        using m = RingBufMap.create({ size: 4096 });
        void m.size;
        break;
      }
    }
  }
  assert.equal(openFds(), before);
  // A failed creation leaves nothing open either.
  for (let i = 0; i < 20; i++) assert.throws(() => HashMap.create({ key: u32, value: u32, maxEntries: 0 }));
  assert.equal(openFds(), before);
});
