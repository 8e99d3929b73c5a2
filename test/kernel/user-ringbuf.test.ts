import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import assert from "node:assert/strict";
import { Program } from "../../src/programs/program.js";
import { testRun } from "../../src/programs/test-run.js";
import { ProgType, MapType } from "../../src/uapi.js";
import { lastErrno, native, NativeMemory } from "../../src/sys/libc.js";
import { bpf, Cmd, mapElemAttr } from "../../src/sys/bpf.js";
import { UserRingBuffer } from "../../src/events/user-ringbuf.js";
import { Poller } from "../../src/events/epoll.js";
import {
  createMap,
  eventMappingCount,
  openFdCount,
  testPacket,
  userRingbufDrainer,
} from "../helpers/events-fixtures.js";

function setup(size = 4096) {
  const ring = createMap(MapType.USER_RINGBUF, 0, 0, size, "urb_test");
  const sums = createMap(MapType.ARRAY, 4, 24, 1, "urb_sums");
  const prog = Program.load({ type: ProgType.XDP, name: "urb_drain", code: userRingbufDrainer(ring, sums) });
  const key = new NativeMemory(4),
    value = new NativeMemory(24);
  return {
    ring,
    sums,
    prog,
    drain: () => testRun(prog, { data: testPacket() }),
    /** { sum, count, drained } from the program's map. */
    read: () => {
      key.view.setUint32(0, 0, true);
      bpf(Cmd.MAP_LOOKUP_ELEM, mapElemAttr(sums.fd, key.address, value.address, 0));
      return {
        sum: value.view.getBigUint64(0, true),
        count: Number(value.view.getBigUint64(8, true)),
        drained: Number(value.view.getBigInt64(16, true)),
      };
    },
    close: () => {
      prog.close();
      ring.close();
      sums.close();
      key.free();
      value.free();
    },
  };
}

test("samples written from user space are drained by a program", (t) => {
  const s = setup();
  t.after(s.close);
  using ring = new UserRingBuffer(s.ring);
  let expected = 0n;
  for (let i = 1; i <= 100; i++) {
    const at = ring.reserve(16);
    assert.ok(at >= 0, `sample ${i} fits`);
    ring.view.setBigUint64(at, BigInt(i * 1000), true);
    ring.view.setBigUint64(at + 8, 0xdeadn, true);
    ring.submit(at);
    expected += BigInt(i * 1000);
    if (i % 40 === 0) s.drain(); // 100 × 24 B would not fit 4 KiB at once
  }
  s.drain();
  const r = s.read();
  assert.equal(r.count, 100);
  assert.equal(r.sum, expected);
  assert.equal(ring.freeBytes, ring.size, "the kernel consumed everything");
});

test("write() copies a sample in; a full ring says so; discarded samples are skipped", (t) => {
  const s = setup();
  t.after(s.close);
  using ring = new UserRingBuffer(s.ring);
  const sample = Buffer.alloc(24);
  let written = 0;
  for (;;) {
    sample.writeBigUInt64LE(BigInt(written + 1), 0);
    if (!ring.write(sample)) break;
    written++;
  }
  assert.equal(written, Math.floor(4096 / 32), "32 bytes per 24-byte sample (header + padding)");
  assert.equal(ring.reserve(24), -1);
  s.drain();
  let r = s.read();
  assert.equal(r.count, written);
  assert.equal(r.drained, written);
  assert.equal(r.sum, BigInt((written * (written + 1)) / 2));

  const keep = ring.reserve(8);
  ring.view.setBigUint64(keep, 7n, true);
  const drop = ring.reserve(8);
  ring.view.setBigUint64(drop, 1000n, true);
  ring.discard(drop);
  ring.submit(keep);
  s.drain();
  r = s.read();
  assert.equal(r.count, written + 1);
  assert.equal(r.sum, BigInt((written * (written + 1)) / 2) + 7n);
  assert.throws(() => ring.submit(keep), /no reserved sample/);
});

test("the kernel stops at a sample that is still reserved", (t) => {
  const s = setup();
  t.after(s.close);
  using ring = new UserRingBuffer(s.ring);
  const first = ring.reserve(8);
  ring.view.setBigUint64(first, 1n, true);
  const second = ring.reserve(8);
  ring.view.setBigUint64(second, 2n, true);
  ring.submit(second); // first is still BUSY
  s.drain();
  assert.equal(s.read().count, 0);
  ring.submit(first);
  s.drain();
  const r = s.read();
  assert.equal(r.count, 2);
  assert.equal(r.sum, 3n);
});

test("waitForSpace resolves once the program drains, and close unmaps", async (t) => {
  const s = setup();
  t.after(s.close);
  const fds = openFdCount();
  const mappings = eventMappingCount();
  const poller = new Poller();
  const ring = new UserRingBuffer(s.ring, { poller });
  assert.equal(eventMappingCount(), mappings + 2);
  while (ring.write(Buffer.alloc(100))) {
    /* fill */
  }
  const waiting = ring.waitForSpace(100);
  setTimeout(() => s.drain(), 30);
  assert.equal(await waiting, true);
  assert.ok(ring.write(Buffer.alloc(100)));
  const controller = new AbortController();
  while (ring.write(Buffer.alloc(100))) {
    /* fill again */
  }
  const aborted = ring.waitForSpace(100, { signal: controller.signal });
  controller.abort();
  assert.equal(await aborted, false);
  ring.close();
  poller.close();
  // The poller's fds close when its worker thread has returned from epoll_wait.
  for (let i = 0; i < 100 && poller.waiting; i++) await sleep(5);
  assert.equal(eventMappingCount(), mappings);
  assert.equal(openFdCount(), fds);
  assert.throws(() => ring.reserve(8), /closed/);
});

test("the consumer page cannot be written (the kernel owns consumer_pos)", (t) => {
  const s = setup();
  t.after(s.close);
  // What UserRingBuffer relies on: page 0 read-only, the rest writable.
  const rw = native.mmap(null, 4096, 3, 1, s.ring.fd, 0);
  assert.equal(rw, 0xffff_ffff_ffff_ffffn);
  assert.equal(lastErrno(), 1); // EPERM
  using wrong = createMap(MapType.RINGBUF, 0, 0, 4096, "urb_wrong");
  assert.throws(() => new UserRingBuffer(wrong), /user_ringbuf map, this one is ringbuf/);
});
