import { test } from "node:test";
import assert from "node:assert/strict";
import {
  array,
  be16,
  be32,
  bool,
  bytes,
  cstring,
  f64,
  i16,
  i32,
  i64,
  i8,
  perCpu,
  struct,
  u16,
  u32,
  u64,
  u8,
  type Codec,
} from "../../src/maps/codec.js";
import { lpmKey } from "../../src/maps/lpm-trie.js";
import { parseCpuList, possibleCpus, possibleCpuCount } from "../../src/sys/cpus.js";
import { readFileSync } from "node:fs";

function roundTrip<T>(codec: Codec<T>, value: T): { decoded: T; raw: Uint8Array } {
  const buf = new Uint8Array(codec.size + 8).fill(0xee);
  const view = new DataView(buf.buffer);
  codec.encode(value, view, 4);
  return { decoded: codec.decode(view, 4), raw: buf.slice(4, 4 + codec.size) };
}

test("integer codecs encode little-endian (network order for be16/be32) and round-trip", () => {
  assert.deepEqual([...roundTrip(u32, 0x11223344).raw], [0x44, 0x33, 0x22, 0x11]);
  assert.deepEqual([...roundTrip(be32, 0x0a000001).raw], [10, 0, 0, 1]);
  assert.deepEqual([...roundTrip(be16, 0x1f90).raw], [0x1f, 0x90]);
  assert.equal(roundTrip(be16, 8080).decoded, 8080);
  assert.equal(roundTrip(u8, 255).decoded, 255);
  assert.equal(roundTrip(i8, -2).decoded, -2);
  assert.equal(roundTrip(u16, 65535).decoded, 65535);
  assert.equal(roundTrip(i16, -300).decoded, -300);
  assert.equal(roundTrip(i32, -5).decoded, -5);
  assert.equal(roundTrip(u64, 2n ** 64n - 1n).decoded, 2n ** 64n - 1n);
  assert.equal(roundTrip(i64, -(2n ** 63n)).decoded, -(2n ** 63n));
  assert.equal(roundTrip(bool, true).decoded, true);
  assert.deepEqual([...roundTrip(bool, true).raw], [1]);
  assert.equal(roundTrip(f64, 1.5).decoded, 1.5);
  assert.deepEqual(
    [u8, u16, u32, u64, i64, bool].map((c) => [c.size, c.align]),
    [
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
      [8, 8],
      [1, 1],
    ],
  );
});

test("bytes and cstring pad with zeros; cstring keeps a NUL and stops at the first one", () => {
  const b = roundTrip(bytes(6), Uint8Array.of(1, 2, 3));
  assert.deepEqual([...b.raw], [1, 2, 3, 0, 0, 0]);
  assert.deepEqual([...b.decoded], [1, 2, 3, 0, 0, 0]);
  assert.throws(() => roundTrip(bytes(2), Uint8Array.of(1, 2, 3)), RangeError);

  const s = roundTrip(cstring(8), "bash");
  assert.deepEqual([...s.raw], [98, 97, 115, 104, 0, 0, 0, 0]);
  assert.equal(s.decoded, "bash");
  const long = roundTrip(cstring(4), "abcdef");
  assert.deepEqual([...long.raw], [97, 98, 99, 0]);
  assert.equal(long.decoded, "abc");
});

test("array codec lays elements out back to back", () => {
  const c = array(u16, 3);
  assert.equal(c.size, 6);
  const r = roundTrip(c, [1, 2, 0xffff]);
  assert.deepEqual(r.decoded, [1, 2, 0xffff]);
  assert.deepEqual([...r.raw], [1, 0, 2, 0, 0xff, 0xff]);
  assert.throws(() => roundTrip(c, [1, 2]), RangeError);
});

test("struct follows C layout: natural alignment, holes, tail padding, key order", () => {
  const s = struct({ a: u8, b: u32, c: u16 });
  assert.equal(s.size, 12);
  assert.equal(s.align, 4);
  assert.deepEqual(
    ["a", "b", "c"].map((f) => s.offsetOf(f as "a" | "b" | "c")),
    [0, 4, 8],
  );

  const t = struct({ a: u32, b: u64 });
  assert.equal(t.size, 16);
  assert.equal(t.offsetOf("b"), 8);
  const decoded: { a: number; b: bigint } = roundTrip(t, { a: 7, b: 9n }).decoded; // typed by the field codecs
  assert.deepEqual(decoded, { a: 7, b: 9n });

  // Padding bytes are written as zero even when the buffer held something else: hash keys are
  // compared byte by byte.
  const r = roundTrip(s, { a: 1, b: 2, c: 3 });
  assert.deepEqual([...r.raw], [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);

  const nested = struct({ tag: u8, inner: t, name: cstring(3) });
  assert.equal(nested.offsetOf("inner"), 8);
  assert.equal(nested.offsetOf("name"), 24);
  assert.equal(nested.size, 32);
  assert.deepEqual(roundTrip(nested, { tag: 1, inner: { a: 2, b: 3n }, name: "ok" }).decoded, {
    tag: 1,
    inner: { a: 2, b: 3n },
    name: "ok",
  });
  assert.throws(() => s.encode({ a: 1, b: 2 } as never, new DataView(new ArrayBuffer(12)), 0), /field "c" is missing/);
  assert.throws(() => s.offsetOf("zz" as "a"), RangeError);
});

test("codecs describe themselves for BTF", () => {
  const s = struct({ pid: u32, comm: cstring(16), port: be16, hits: array(u64, 2) }, "event");
  assert.deepEqual(s.describe!(), {
    kind: "struct",
    name: "event",
    size: 40,
    fields: [
      { name: "pid", offset: 0, type: { kind: "int", name: "unsigned int", size: 4, encoding: "unsigned" } },
      {
        name: "comm",
        offset: 4,
        type: {
          kind: "array",
          element: { kind: "int", name: "char", size: 1, encoding: "char" },
          length: 16,
          size: 16,
        },
      },
      {
        name: "port",
        offset: 20,
        type: { kind: "int", name: "__be16", size: 2, encoding: "unsigned", byteOrder: "big" },
      },
      {
        name: "hits",
        offset: 24,
        type: {
          kind: "array",
          element: { kind: "int", name: "unsigned long long", size: 8, encoding: "unsigned" },
          length: 2,
          size: 16,
        },
      },
    ],
  });
  assert.equal(lpmKey(bytes(4)).describe!().size, 8);
});

test("per-CPU values sit in 8-byte slots", () => {
  const c = perCpu(u32, 3);
  assert.equal(c.size, 24);
  const r = roundTrip(c, [1, 2, 3]);
  assert.deepEqual(r.decoded, [1, 2, 3]);
  assert.deepEqual([...r.raw.subarray(4, 8)], [0, 0, 0, 0]); // slot padding zeroed
  assert.throws(() => roundTrip(c, [1]), /expected 3 values/);
});

test("CPU lists parse ranges and single CPUs; possible CPUs come from sysfs", () => {
  assert.deepEqual(parseCpuList("0-1"), [0, 1]);
  assert.deepEqual(parseCpuList("0,2-3\n"), [0, 2, 3]);
  assert.deepEqual(parseCpuList("5"), [5]);
  assert.deepEqual(parseCpuList(""), []);
  assert.throws(() => parseCpuList("3-1"));
  const expected = parseCpuList(readFileSync("/sys/devices/system/cpu/possible", "utf8"));
  assert.deepEqual([...possibleCpus()], expected);
  assert.equal(possibleCpuCount(), expected.length);
  assert.ok(possibleCpuCount() >= 1);
});
