import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BatchEntries,
  HashMap,
  PerCpuHashMap,
  KeyExistsError,
  KeyNotFoundError,
  MapClosedError,
  struct,
  f32,
  f64,
  i8,
  i16,
  i32,
  i64,
  u8,
  u16,
  u32,
  u64,
  type Codec,
} from "../../src/maps/index.js";
import { UpdateFlags } from "../../src/uapi.js";

/** The bytes a codec's own encode() writes for `value`. */
function encoded<T>(codec: Codec<T>, value: T): number[] {
  const view = new DataView(new ArrayBuffer(codec.size));
  codec.encode(value, view, 0);
  return [...new Uint8Array(view.buffer)];
}

/** Every entry's raw key and value bytes, as lookupBatchEach() hands them out. */
function rawEntries(map: HashMap<unknown, unknown>): [number[], number[]][] {
  const out: [number[], number[]][] = [];
  const ks = map.keySize,
    vs = map.valueSize;
  map.lookupBatchEach((keys, values, count) => {
    for (let i = 0; i < count; i++) {
      out.push([
        [...new Uint8Array(keys.buffer, keys.byteOffset + i * ks, ks)],
        [...new Uint8Array(values.buffer, values.byteOffset + i * vs, vs)],
      ]);
    }
  });
  return out;
}

test("scalar keys and values reach the kernel as the codecs encode them (typed-array fast path)", () => {
  // [codec, a value that needs wrapping or rounding, what decode() gives back for it]
  const cases: [Codec<number> | Codec<bigint>, number | bigint, number | bigint][] = [
    [u8, 0x1ff, 0xff],
    [i8, 0xff, -1],
    [u16, -1, 0xffff],
    [i16, 0x8000, -0x8000],
    [u32, -1, 0xffff_ffff],
    [i32, 0xffff_ffff, -1],
    [u64, -1n, 2n ** 64n - 1n],
    [i64, 2n ** 63n, -(2n ** 63n)],
    [f32, 0.1, Math.fround(0.1)],
    [f64, -0.5, -0.5],
  ];
  for (const [codec, input, decoded] of cases) {
    const c = codec as Codec<number | bigint>;
    using map = HashMap.create({ name: "t_scalar", key: c, value: c, maxEntries: 4 });
    map.set(input, input);
    assert.deepEqual(
      rawEntries(map as HashMap<unknown, unknown>),
      [[encoded(c, input), encoded(c, input)]],
      JSON.stringify(c.describe?.()),
    );
    assert.equal(map.get(input), decoded);
    assert.equal(map.get(decoded), decoded);
    assert.deepEqual(map.lookupBatch(), [[decoded, decoded]]);
    assert.equal(map.delete(input), true);
    assert.equal(map.has(decoded), false);
  }
});

test("scalar fast paths reject the wrong JavaScript type as the codecs do", () => {
  using big = HashMap.create({ name: "t_types", key: u32, value: u64, maxEntries: 4 });
  assert.throws(() => big.set(1, 5 as unknown as bigint), TypeError);
  assert.throws(() => big.set(1n as unknown as number, 5n), TypeError);
  assert.throws(() => u64.encode(5 as unknown as bigint, new DataView(new ArrayBuffer(8)), 0), TypeError);
  assert.equal(big.get(1), undefined);
});

test("flags reach the kernel per call and do not stick; delete uses its own attr", () => {
  using map = HashMap.create({ name: "t_flags", key: u32, value: u32, maxEntries: 8 });
  map.set(1, 10, UpdateFlags.NOEXIST);
  assert.throws(() => map.set(1, 11, UpdateFlags.NOEXIST), KeyExistsError);
  assert.equal(map.get(1), 10); // a lookup with NOEXIST still set would be EINVAL
  assert.equal(map.has(1), true);
  map.set(1, 12);
  assert.equal(map.get(1), 12);
  assert.equal(map.delete(1), true);
  assert.throws(() => map.set(1, 13, UpdateFlags.EXIST), KeyNotFoundError);
  assert.equal(map.delete(1), false);
  map.set(2, 20);
  assert.equal(map.take(2), 20);
  assert.equal(map.get(2), undefined);
});

test("lookupBatchEach visits every entry in place, batch by batch, and honours count and early stop", () => {
  using map = HashMap.create({ name: "t_each", key: u32, value: u64, maxEntries: 1000 });
  map.updateBatch(Array.from({ length: 1000 }, (_, i) => [i, BigInt(i) * 7n] as [number, bigint]));
  const seen = new Map<number, bigint>();
  const sizes: number[] = [];
  const visited = map.lookupBatchEach((keys, values, count) => {
    sizes.push(count);
    for (let i = 0; i < count; i++) seen.set(keys.getUint32(i * 4, true), values.getBigUint64(i * 8, true));
  });
  assert.equal(visited, 1000);
  assert.equal(seen.size, 1000);
  for (const [k, v] of seen) assert.equal(v, BigInt(k) * 7n);
  assert.ok(sizes.length >= 4 && sizes.every((n) => n > 0 && n <= 256), `batches ${sizes.join(",")}`);

  let calls = 0;
  assert.equal(
    map.lookupBatchEach((_k, _v, count) => {
      calls++;
      assert.ok(count <= 10);
    }, 10),
    10,
  );
  assert.equal(calls, 1);
  calls = 0;
  const first = map.lookupBatchEach(() => {
    calls++;
    return false;
  });
  assert.equal(calls, 1);
  assert.ok(first > 0 && first <= 256);
  assert.equal(
    map.lookupBatchEach(() => {}, 0),
    0,
  );

  map.close();
  assert.throws(() => map.lookupBatchEach(() => {}), MapClosedError);
});

test("lookupAndDeleteBatchEach removes exactly what it hands out", () => {
  using map = HashMap.create({ name: "t_take_each", key: u32, value: u32, maxEntries: 600 });
  map.updateBatch(Array.from({ length: 600 }, (_, i) => [i, i + 1] as [number, number]));
  const taken: number[] = [];
  const n = map.lookupAndDeleteBatchEach((keys, values, count) => {
    for (let i = 0; i < count; i++) {
      assert.equal(values.getUint32(i * 4, true), keys.getUint32(i * 4, true) + 1);
      taken.push(keys.getUint32(i * 4, true));
    }
    return false; // stop after the first batch
  });
  assert.equal(n, taken.length);
  assert.ok(n > 0 && n < 600);
  for (const k of taken) assert.equal(map.has(k), false);
  assert.equal(map.lookupBatch().length, 600 - n);
  assert.equal(
    map.lookupAndDeleteBatchEach(() => {}),
    600 - n,
  );
  assert.deepEqual(map.lookupBatch(), []);
});

test("struct entries in lookupBatchEach sit keySize and valueSize bytes apart", () => {
  const Key = struct({ proto: u8, port: u16 }); // 4 bytes with padding
  const Value = struct({ packets: u64, bytes: u32 }); // 16 bytes with tail padding
  using map = HashMap.create({ name: "t_each_struct", key: Key, value: Value, maxEntries: 8 });
  for (let i = 0; i < 5; i++) map.set({ proto: 6, port: 1000 + i }, { packets: BigInt(i), bytes: i * 100 });
  const got: [number, number][] = [];
  map.lookupBatchEach((keys, values, count) => {
    for (let i = 0; i < count; i++) {
      const key = Key.decode(keys, i * Key.size),
        value = Value.decode(values, i * Value.size);
      assert.equal(value.bytes, Number(value.packets) * 100);
      got.push([key.port, value.bytes]);
    }
  });
  assert.deepEqual(
    got.sort((a, b) => a[0] - b[0]),
    [
      [1000, 0],
      [1001, 100],
      [1002, 200],
      [1003, 300],
      [1004, 400],
    ],
  );
});

test("lookupInto copies the value's bytes into the caller's buffer, and leaves it alone for an absent key", () => {
  const Value = struct({ packets: u64, bytes: u32 }); // 16 bytes with tail padding
  using map = HashMap.create({ name: "t_into", key: u32, value: Value, maxEntries: 8 });
  map.set(3, { packets: 0x1_0000_0002n, bytes: 77 });
  const out = new Uint8Array(20).fill(0xee);
  assert.equal(map.lookupInto(3, out, 4), true);
  const view = new DataView(out.buffer);
  assert.deepEqual([...out.subarray(0, 4)], [0xee, 0xee, 0xee, 0xee]);
  assert.equal(view.getBigUint64(4, true), 0x1_0000_0002n);
  assert.equal(view.getUint32(12, true), 77);
  assert.deepEqual(Value.decode(view, 4), map.get(3));

  out.fill(0xaa);
  assert.equal(map.lookupInto(4, out), false);
  assert.ok(out.every((b) => b === 0xaa));
  assert.throws(() => map.lookupInto(3, new Uint8Array(8)), RangeError); // too small for 16 bytes

  using counters = HashMap.create({ name: "t_into_u64", key: u32, value: u64, maxEntries: 4 });
  counters.set(1, 2n ** 40n + 5n);
  const halves = new Uint32Array(2);
  assert.equal(counters.lookupInto(1, new Uint8Array(halves.buffer)), true);
  assert.equal(halves[0]! + halves[1]! * 2 ** 32, 2 ** 40 + 5);
  map.close();
  assert.throws(() => map.lookupInto(3, out), MapClosedError);
});

test("lookupBatchInto reads every entry into a reused BatchEntries, decoded as read", () => {
  using map = HashMap.create({ name: "t_batch_into", key: u32, value: u64, maxEntries: 1000 });
  map.updateBatch(Array.from({ length: 1000 }, (_, i) => [i, BigInt(i) * 3n] as [number, bigint]));
  const entries = new BatchEntries(map);
  assert.equal(map.lookupBatchInto(entries), 1000);
  assert.equal(entries.length, 1000);
  const seen = new Map<number, bigint>();
  for (let i = 0; i < entries.length; i++) seen.set(entries.key(i), entries.value(i));
  assert.equal(seen.size, 1000);
  for (const [k, v] of seen) assert.equal(v, BigInt(k) * 3n);
  assert.deepEqual(
    entries.toArray().sort((a, b) => a[0] - b[0]),
    map.lookupBatch().sort((a, b) => a[0] - b[0]),
  );
  // The raw columns: entry i at i × keySize and i × valueSize.
  assert.equal(entries.valueView.getBigUint64(8 * 7, true), BigInt(entries.keyView.getUint32(4 * 7, true)) * 3n);

  // A second read replaces the first; `count` bounds it.
  assert.equal(map.lookupBatchInto(entries, 10), 10);
  assert.equal(entries.length, 10);
  for (let i = 0; i < 10; i++) assert.equal(entries.value(i), BigInt(entries.key(i)) * 3n);

  for (let k = 0; k < 1000; k += 2) map.delete(k);
  assert.equal(map.lookupAndDeleteBatchInto(entries), 500);
  for (let i = 0; i < entries.length; i++) assert.equal(entries.key(i) % 2, 1);
  assert.equal(map.lookupBatchInto(entries), 0);
  assert.equal(entries.length, 0);
  using other = HashMap.create({ name: "t_batch_other", key: u64, value: u64, maxEntries: 4 });
  assert.throws(
    () => other.lookupBatchInto(entries as unknown as BatchEntries<bigint, bigint>),
    /t_batch_other.*4-byte keys and 8-byte values, the map has 8 and 8/,
  );
  map.close();
  assert.throws(() => map.lookupBatchInto(entries), MapClosedError);
});

test("BatchEntries decodes struct and per-CPU entries through their codecs", () => {
  const Key = struct({ proto: u8, port: u16 });
  const Value = struct({ packets: u64, bytes: u32 });
  using map = HashMap.create({ name: "t_into_struct", key: Key, value: Value, maxEntries: 600 });
  for (let i = 0; i < 600; i++) map.set({ proto: 17, port: i }, { packets: BigInt(i), bytes: i * 2 });
  const entries = new BatchEntries(map, 4); // grows past its first capacity
  assert.equal(map.lookupBatchInto(entries), 600);
  const ports = new Set<number>();
  for (let i = 0; i < entries.length; i++) {
    const key = entries.key(i),
      value = entries.value(i);
    assert.equal(key.proto, 17);
    assert.equal(value.bytes, key.port * 2);
    assert.equal(value.packets, BigInt(key.port));
    ports.add(key.port);
  }
  assert.equal(ports.size, 600);

  using perCpu = PerCpuHashMap.create({ name: "t_into_pcpu", key: u32, value: u32, maxEntries: 4 });
  const cpus = perCpu.cpus;
  perCpu.set(
    5,
    Array.from({ length: cpus }, (_, c) => c + 1),
  );
  const pc = new BatchEntries(perCpu);
  assert.equal(perCpu.lookupBatchInto(pc), 1);
  assert.equal(pc.key(0), 5);
  assert.deepEqual(
    pc.value(0),
    Array.from({ length: cpus }, (_, c) => c + 1),
  );
});
