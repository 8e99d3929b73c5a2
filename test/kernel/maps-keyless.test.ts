import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BloomFilterMap,
  MapFullError,
  MapSpecError,
  QueueMap,
  StackMap,
  struct,
  u32,
  u64,
} from "../../src/maps/index.js";
import { MapType } from "../../src/uapi.js";

test("queue: FIFO push/pop/peek, full, overwrite, drain", () => {
  using queue = QueueMap.create({ name: "t_queue", value: u32, maxEntries: 3 });
  assert.equal(queue.type, MapType.QUEUE);
  assert.equal(queue.keySize, 0);
  assert.equal(queue.pop(), undefined);
  assert.equal(queue.peek(), undefined);
  queue.push(1).push(2).push(3);
  assert.throws(
    () => queue.push(4),
    (err: unknown) => err instanceof MapFullError && /t_queue/.test(err.message),
  );
  assert.equal(queue.peek(), 1);
  assert.equal(queue.pop(), 1);
  assert.equal(queue.pop(), 2);
  queue.push(4).push(5); // full again: 3, 4, 5
  queue.push(6, { overwrite: true }); // drops the oldest (3)
  assert.deepEqual([...queue.drain()], [4, 5, 6]);
  assert.equal(queue.pop(), undefined);
});

test("stack: LIFO push/pop/peek", () => {
  const Item = struct({ id: u32, ts: u64 });
  using stack = StackMap.create({ name: "t_stack", value: Item, maxEntries: 8 });
  assert.equal(stack.type, MapType.STACK);
  for (let i = 1; i <= 3; i++) stack.push({ id: i, ts: BigInt(i) * 1000n });
  assert.deepEqual(stack.peek(), { id: 3, ts: 3000n });
  assert.deepEqual(stack.pop(), { id: 3, ts: 3000n });
  assert.deepEqual(
    [...stack.drain()].map((x) => x.id),
    [2, 1],
  );
  assert.equal(stack.pop(), undefined);
});

test("bloom filter: added values are found, most others are not", () => {
  using bloom = BloomFilterMap.create({ name: "t_bloom", value: u32, maxEntries: 1000, hashes: 3 });
  assert.equal(bloom.type, MapType.BLOOM_FILTER);
  assert.equal(bloom.info().mapExtra, 3n);
  for (let i = 0; i < 50; i++) bloom.add(i * 7919);
  for (let i = 0; i < 50; i++) assert.equal(bloom.has(i * 7919), true, `value ${i * 7919}`);
  let falsePositives = 0;
  for (let i = 0; i < 200; i++) if (bloom.has(1_000_000 + i)) falsePositives++;
  assert.ok(falsePositives < 20, `${falsePositives} false positives of 200`);
  assert.throws(() => BloomFilterMap.create({ value: u32, maxEntries: 10, hashes: 16 }), MapSpecError);
});
