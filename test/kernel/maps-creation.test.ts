import { test } from "node:test";
import assert from "node:assert/strict";
import { MapSpecError, PerfEventArray, possibleCpuCount, RingBufMap, UserRingBufMap } from "../../src/maps/index.js";
import { MapType } from "../../src/uapi.js";

test("perf event array: one slot per possible CPU by default", () => {
  using events = PerfEventArray.create({ name: "t_perf" });
  assert.equal(events.type, MapType.PERF_EVENT_ARRAY);
  assert.equal(events.maxEntries, possibleCpuCount());
  assert.equal(events.info().maxEntries, possibleCpuCount());
  assert.equal(events.delete(0), false);
  using sized = PerfEventArray.create({ maxEntries: 8 });
  assert.equal(sized.info().maxEntries, 8);
});

test("ring buffers: size must be a power-of-two multiple of the page size", () => {
  using ring = RingBufMap.create({ name: "t_ring", size: 64 * 1024 });
  assert.equal(ring.type, MapType.RINGBUF);
  assert.equal(ring.size, 65536);
  assert.equal(ring.info().maxEntries, 65536);
  using user = UserRingBufMap.create({ name: "t_uring", size: 4096 * 4 });
  assert.equal(user.type, MapType.USER_RINGBUF);
  for (const size of [5000, 4096 * 3, 0, 1024]) {
    assert.throws(
      () => RingBufMap.create({ name: "t_bad", size }),
      (err: unknown) => {
        assert.ok(err instanceof MapSpecError);
        assert.match(err.message, /t_bad.*power of two.*page size/);
        return true;
      },
    );
  }
  assert.throws(() => RingBufMap.create({ size: 5000 }), /try 8192/);
  assert.throws(() => UserRingBufMap.create({ size: 12288 }), MapSpecError);
});
