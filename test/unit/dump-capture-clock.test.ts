// The capture's clock conversion: kernel CLOCK_MONOTONIC stamps (two u32 halves) to wall-clock
// seconds and nanoseconds, checked against BigInt arithmetic, also past 2^53 ns of uptime (104
// days), where a stamp taken as one JavaScript number would no longer be exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MonotonicToWall } from "../../src/tools/dump/run.js";

const NS = 1_000_000_000n;

function expected(stamp: bigint, offset: bigint): [number, number] {
  const wall = stamp + offset;
  return [Number(wall / NS), Number(wall % NS)];
}

test("MonotonicToWall: exact seconds and nanoseconds for stamps up to 2^56 ns, with the carry", () => {
  const offsets = [1_765_000_000n * NS + 999_999_999n, 1_765_000_000n * NS, 1_700_000_123n * NS + 456_789_012n];
  const stamps = [0n, 1n, 999_999_999n, NS, 4n * NS, (1n << 32n) - 1n, 1n << 32n, 123_456_789_012_345n];
  for (let bits = 40n; bits <= 56n; bits += 2n) {
    stamps.push((1n << bits) - 1n, (1n << bits) + 987_654_321n);
  }
  stamps.push((1n << 53n) + 1n, (1n << 53n) + 3n, 250n * 86_400n * NS + 1n); // 250 days of uptime
  offsets.push(-(5n * NS + 3n)); // negative: normalized to whole seconds plus [0, 1e9) ns
  for (const offset of offsets) {
    const clock = new MonotonicToWall(offset);
    for (const stamp of stamps) {
      if (stamp + offset < 0n) continue;
      clock.convert(Number(stamp & 0xffff_ffffn), Number(stamp >> 32n));
      assert.deepEqual([clock.seconds, clock.nanoseconds], expected(stamp, offset), `stamp ${stamp}, offset ${offset}`);
    }
  }
});
