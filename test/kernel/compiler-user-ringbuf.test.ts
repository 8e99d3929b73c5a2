// User ring buffer drain from kernel TypeScript: user space writes records into a UserRingBuf;
// a compiled program drains them with a callback that reads each record through its Dynptr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UserRingBuffer } from "../../src/events/user-ringbuf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import type { ArrayMap } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { compileErrors, compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

const SOURCE = `
import { rawTracepoint, UserRingBuf, ArrayMap, struct, zeroed, u32, u64, type Dynptr } from "${KERNEL_IMPORT}";

export class Order extends struct({ id: u32, amount: u32 }) {}
export class Sum extends struct({ count: u32, last: u32, total: u64, short: u32 }) {}

export const orders = new UserRingBuf({ size: 4096 });
/** [0] drained, [1] orders summed, [2] total amount, [3] last id, [4] records too short. */
export const totals = new ArrayMap({ value: u64, maxEntries: 5 });

function addOrder(record: Dynptr, sum: Sum): u32 {
  const o = zeroed(Order);
  if (record.read(o, 0) !== 0) {
    sum.short += 1;
    return 0;
  }
  sum.count += 1;
  sum.total += o.amount;
  sum.last = o.id;
  return 0;
}

export const consume = rawTracepoint("sys_enter", (ctx) => {
  const sum = zeroed(Sum);
  const n = orders.drain(addOrder, sum);
  totals.update(0, n);
  totals.update(1, sum.count);
  totals.update(2, sum.total);
  totals.update(3, sum.last);
  totals.update(4, sum.short);
  return 0;
});
`;

test("UserRingBuf.drain: a compiled callback reads every record user space wrote (Dynptr.read)", async () => {
  const m = await compileSource(SOURCE);
  using obj = KernelObject.load(m.artifact);
  using ring = new UserRingBuffer(obj.maps.orders!);
  let total = 0;
  for (let id = 1; id <= 10; id++) {
    const rec = Buffer.alloc(8);
    rec.writeUInt32LE(id, 0);
    rec.writeUInt32LE(id * 100, 4);
    total += id * 100;
    assert.ok(ring.write(rec));
  }
  assert.ok(ring.write(Buffer.alloc(4)), "a record shorter than an Order");
  testRun(obj.programs.consume!, { ctx: Buffer.alloc(16), ctxOutSize: 0 });
  const totals = obj.maps.totals as unknown as ArrayMap<bigint>;
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => totals.get(i)),
    [11n, 10n, BigInt(total), 10n, 1n],
  );
  assert.equal(ring.freeBytes, ring.size, "the kernel consumed everything");
  // Nothing left: the next drain sees no records.
  testRun(obj.programs.consume!, { ctx: Buffer.alloc(16), ctxOutSize: 0 });
  assert.equal(totals.get(0), 0n);
});

test("UserRingBuf.drain: the callback must be a module-level function taking (Dynptr, state)", async () => {
  const errors = await compileErrors(`
import { rawTracepoint, UserRingBuf, struct, zeroed, u32 } from "${KERNEL_IMPORT}";
export class S extends struct({ n: u32 }) {}
export const orders = new UserRingBuf({ size: 4096 });
function wrong(n: u32, s: S): u32 { return 0; }
export const p = rawTracepoint("sys_enter", (ctx) => {
  const s = zeroed(S);
  orders.drain(wrong, s);
  return 0;
});`);
  assert.ok(
    errors.some((e) => /Dynptr|drain callback/.test(e)),
    errors.join("\n"),
  );
});
