import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Program } from "../../src/programs/program.js";
import { testRun, testRunAsync } from "../../src/programs/test-run.js";
import { ProgType, MapType } from "../../src/uapi.js";
import { Poller } from "../../src/events/epoll.js";
import { RingBuffer } from "../../src/events/ringbuf.js";
import type { RingRecord } from "../../src/events/record.js";
import { RingBufMap } from "../../src/maps/ringbuf.js";
import { PerCpuArrayMap } from "../../src/maps/per-cpu.js";
import { u64 } from "../../src/maps/codec.js";
import { Assembler, R0, R1, R2, R3, R6, R10, Size } from "../../src/asm/index.js";
import {
  counterMap,
  createMap,
  eventMappingCount,
  openFdCount,
  RECORD_SIZE,
  ringbufDiscarder,
  ringbufProducer,
  testPacket,
} from "../helpers/events-fixtures.js";

const packet = testPacket();
/** Bytes one 64-byte record takes in the ring: 8-byte header + data. */
const RECORD_FOOTPRINT = 8 + RECORD_SIZE;

function setup(ringSize: number) {
  const ring = createMap(MapType.RINGBUF, 0, 0, ringSize, "rb_test");
  const seq = counterMap("rb_seq");
  const drops = counterMap("rb_drops", true);
  const prog = Program.load({ type: ProgType.XDP, name: "rb_producer", code: ringbufProducer(ring, seq, drops) });
  return {
    ring,
    seq,
    drops,
    prog,
    produce: (n: number) => testRun(prog, { data: packet, repeat: n }),
    close: () => {
      prog.close();
      ring.close();
      seq.close();
      drops.close();
    },
  };
}

/** Checks a record: 64 bytes, the expected sequence number, then the packet's bytes 8..63. */
function checkRecord(rec: RingRecord, expectedSeq: number): void {
  assert.equal(rec.length, RECORD_SIZE);
  assert.equal(rec.u64AsNumber(0), expectedSeq);
  for (let i = 8; i < RECORD_SIZE; i++)
    if (rec.u8(i) !== packet[i]) assert.fail(`record ${expectedSeq}: byte ${i} is ${rec.u8(i)}, expected ${packet[i]}`);
}

test("a ring buffer reader delivers every record of a burst, in order and intact", (t) => {
  const s = setup(1 << 20);
  t.after(s.close);
  using ring = new RingBuffer(s.ring, { dropCounter: { map: s.drops } });
  const burst = 10_000; // 720 KB: fits the 1 MiB ring
  s.produce(burst);
  assert.equal(ring.pendingBytes, burst * RECORD_FOOTPRINT);
  let next = 0;
  const got = ring.consume((rec) => {
    checkRecord(rec, next);
    next++;
  });
  assert.equal(got, burst);
  assert.equal(next, burst);
  assert.equal(ring.drops(), 0);
  assert.equal(ring.pendingBytes, 0);
  const stats = ring.stats();
  assert.equal(stats.consumerPosition, burst * RECORD_FOOTPRINT);
  assert.equal(stats.producerPosition, stats.consumerPosition);
  assert.equal(
    ring.consume(() => assert.fail("no more records")),
    0,
  );
});

test("records stay in order across the end of the ring (the double mapping)", (t) => {
  const s = setup(4096);
  t.after(s.close);
  using ring = new RingBuffer(s.ring);
  let next = 0;
  for (let round = 0; round < 20; round++) {
    // 20 × 30 records × 72 B: wraps the 4 KiB ring 10 times
    s.produce(30);
    assert.equal(
      ring.consume((rec) => {
        checkRecord(rec, next);
        next++;
      }),
      30,
    );
  }
  assert.equal(next, 600);
});

test("records keep coming, in order, once the ring's positions pass 2^31 and 2^32", (t) => {
  // Each record reserves 64 KiB and writes only its sequence number, so the positions (which
  // the reader keeps as 32-bit words) pass 4 GiB after 65,537 records without moving the data.
  const RECORD = 65536 - 8;
  const ringMap = createMap(MapType.RINGBUF, 0, 0, 1 << 20, "rb_far");
  const seq = counterMap("rb_far_seq");
  const a = new Assembler();
  a.st(Size.W, R10, -4, 0);
  a.ldMapFd(R1, seq).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.mov64(R6, 1).fetchAdd(Size.DW, R0, R6, 0); // r6 = sequence number
  a.ldMapFd(R1, ringMap).mov64(R2, RECORD).mov64(R3, 0).call("ringbuf_reserve");
  a.jeq(R0, 0, "out");
  a.stx(Size.DW, R0, R6, 0);
  a.mov64(R1, R0).mov64(R2, 0).call("ringbuf_submit");
  a.label("out").mov64(R0, 2).exit();
  const prog = Program.load({ type: ProgType.XDP, name: "rb_far", code: a.assemble() });
  t.after(() => {
    prog.close();
    ringMap.close();
    seq.close();
  });
  using ring = new RingBuffer(ringMap);
  const total = 2 ** 32 / 65536 + 400; // past 2^32 bytes by some 26 MB
  let next = 0;
  while (next < total) {
    for (let i = 0; i < 15; i++) testRun(prog, { data: packet }); // 15 × 64 KiB: fits the 1 MiB ring
    ring.consume((rec) => {
      assert.equal(rec.length, RECORD);
      if (rec.u64AsNumber(0) !== next) assert.fail(`record ${next} came as ${rec.u64AsNumber(0)}`);
      next++;
    });
  }
  assert.equal(ring.stats().consumerPosition, next * 65536);
  assert.equal(ring.pendingBytes, 0);
});

test("scratchBytes maps a writable area after the ring, in the records' ArrayBuffer", (t) => {
  const s = setup(4096);
  t.after(s.close);
  const mapsBefore = eventMappingCount();
  const ring = new RingBuffer(s.ring, { scratchBytes: 5000 });
  assert.equal(ring.scratch.length, 8192, "whole pages");
  assert.equal(eventMappingCount(), mapsBefore + 2, "the ring's two mappings, as without scratch");
  let next = 0;
  let at = 0;
  for (let round = 0; round < 20; round++) {
    // wraps the 4 KiB ring 10 times; each record is also moved into the scratch area
    s.produce(30);
    ring.consume((rec) => {
      assert.equal(rec.bytes.buffer, ring.scratch.buffer);
      if (at + rec.length > ring.scratch.length) at = 0;
      const whole = new Uint8Array(ring.scratch.buffer);
      whole.copyWithin(ring.scratch.byteOffset + at, rec.offset, rec.offset + rec.length);
      checkRecord(rec, next);
      assert.deepEqual(ring.scratch.subarray(at, at + rec.length), rec.copy());
      at += rec.length;
      next++;
    });
  }
  assert.equal(next, 600);
  using plain = new RingBuffer(s.ring);
  assert.equal(plain.scratch.length, 0, "none by default");
  ring.close();
  assert.equal(eventMappingCount(), mapsBefore + 2, "only the reader made without scratch is still mapped");
});

test("overflow: drops are counted by the producer and received + dropped = produced", (t) => {
  const s = setup(4096);
  t.after(s.close);
  using ring = new RingBuffer(s.ring, { dropCounter: { map: s.drops } });
  const burst = 1000;
  s.produce(burst); // nobody consumes meanwhile
  const fits = Math.floor(4096 / RECORD_FOOTPRINT);
  let next = 0;
  const received = ring.consume((rec) => {
    checkRecord(rec, next);
    next++;
  });
  assert.equal(received, fits);
  assert.equal(ring.drops(), burst - fits);
  assert.equal(received + ring.drops(), burst);
});

test("discarded records are skipped", (t) => {
  const ringMap = createMap(MapType.RINGBUF, 0, 0, 4096, "rb_discard");
  const seq = counterMap("rb_dseq");
  const prog = Program.load({ type: ProgType.XDP, name: "rb_discarder", code: ringbufDiscarder(ringMap, seq) });
  t.after(() => {
    prog.close();
    ringMap.close();
    seq.close();
  });
  using ring = new RingBuffer(ringMap);
  testRun(prog, { data: packet, repeat: 20 });
  const seen: number[] = [];
  ring.consume((rec) => {
    assert.equal(rec.length, 16);
    seen.push(rec.u64AsNumber(0));
  });
  assert.deepEqual(seen, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.equal(ring.pendingBytes, 0, "discarded records are consumed too");
});

test("a callback returning false stops after its record; the next consume resumes there", (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  using ring = new RingBuffer(s.ring);
  s.produce(10);
  const first: number[] = [];
  assert.equal(
    ring.consume((rec) => {
      first.push(rec.u64AsNumber(0));
      return first.length < 3 ? undefined : false;
    }),
    3,
  );
  assert.deepEqual(first, [0, 1, 2]);
  const rest: number[] = [];
  assert.equal(
    ring.consume((rec) => {
      rest.push(rec.u64AsNumber(0));
    }, 4),
    4,
    "limit",
  );
  assert.equal(
    ring.consume((rec) => {
      rest.push(rec.u64AsNumber(0));
    }),
    3,
  );
  assert.deepEqual(rest, [3, 4, 5, 6, 7, 8, 9]);
  // A throwing callback: its record counts as consumed, the error propagates.
  s.produce(2);
  assert.throws(
    () =>
      ring.consume(() => {
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.equal(
    ring.consume((rec) => assert.equal(rec.u64AsNumber(0), 11)),
    1,
  );
});

test("poll sleeps without burning CPU, wakes on new data and stops promptly on abort", async (t) => {
  const s = setup(1 << 20);
  t.after(s.close);
  using ring = new RingBuffer(s.ring);
  const controller = new AbortController();
  let received = 0;
  let next = 0;
  let resolveBurst!: () => void;
  const burstSeen = new Promise<void>((resolve) => {
    resolveBurst = resolve;
  });
  const polling = ring.poll(
    (rec) => {
      checkRecord(rec, next);
      next++;
      received++;
      if (received === 5000) resolveBurst();
    },
    { signal: controller.signal },
  );

  // Idle: the wait sits in epoll_wait on a worker thread.
  await sleep(20);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(300);
  const cpu = process.cpuUsage(cpuBefore);
  const idleCpuMs = (cpu.user + cpu.system) / 1000;
  const idleWallMs = performance.now() - wallBefore;
  assert.ok(
    idleCpuMs < 0.1 * idleWallMs,
    `idle poll used ${idleCpuMs.toFixed(1)} ms of CPU in ${idleWallMs.toFixed(0)} ms`,
  );
  assert.equal(received, 0);

  const produced = performance.now();
  await testRunAsync(s.prog, { data: packet, repeat: 5000 });
  await Promise.race([burstSeen, sleep(2000).then(() => assert.fail(`only ${received} of 5000 records arrived`))]);
  const latencyMs = performance.now() - produced;
  assert.ok(latencyMs < 1000, `records arrived after ${latencyMs.toFixed(0)} ms`);

  const aborted = performance.now();
  controller.abort();
  const total = await polling;
  assert.ok(performance.now() - aborted < 100, "poll returned promptly after abort");
  assert.equal(total, 5000);
});

test("async iteration yields copies and ends when the signal aborts", async (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  using ring = new RingBuffer(s.ring);
  const controller = new AbortController();
  const seqs: number[] = [];
  const kept: Uint8Array[] = [];
  setTimeout(() => {
    s.produce(25);
  }, 30);
  for await (const rec of ring.records({ signal: controller.signal })) {
    assert.equal(rec.length, RECORD_SIZE);
    kept.push(rec);
    seqs.push(Number(new DataView(rec.buffer, rec.byteOffset).getBigUint64(0, true)));
    if (seqs.length === 25) controller.abort();
  }
  assert.deepEqual(
    seqs,
    Array.from({ length: 25 }, (_, i) => i),
  );
  s.produce(5); // overwrites nothing we kept: they are copies
  ring.consume(() => {});
  assert.deepEqual([...kept[3]!.subarray(8)], [...packet.subarray(8)]);

  // `for await (const rec of ring)` with break, and close() ending a pending iteration.
  s.produce(3);
  let n = 0;
  for await (const rec of ring) {
    assert.equal(rec.length, RECORD_SIZE);
    if (++n === 3) break;
  }
  assert.equal(n, 3);
  const iteration = (async () => {
    let m = 0;
    for await (const _ of ring) m++;
    return m;
  })();
  await sleep(20);
  ring.close();
  assert.equal(await iteration, 0);
});

test("close releases the mappings, the watch and stops a pending poll", async (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  const fdsBefore = openFdCount();
  const poller = new Poller();
  t.after(() => poller.close());
  const mapsBefore = eventMappingCount();
  const rings = Array.from({ length: 8 }, () => new RingBuffer(s.ring, { poller }));
  assert.equal(eventMappingCount(), mapsBefore + 16, "two mappings per reader");
  const polls = rings.map((r) => r.poll(() => {}));
  await sleep(20);
  assert.ok(poller.waiting, "one wait in flight for all readers");
  for (const r of rings) r.close();
  assert.deepEqual(await Promise.all(polls), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(eventMappingCount(), mapsBefore);
  assert.throws(() => rings[0]!.consume(() => {}), /closed/);
  for (let i = 0; i < 200 && poller.waiting; i++) await sleep(5);
  assert.equal(poller.waiting, false, "the poller thread left epoll_wait once nobody waited");
  // The poller's thread and fds go with it.
  poller.close();
  for (let i = 0; i < 200 && poller.waiting; i++) await sleep(5);
  assert.equal(poller.waiting, false, "the poller thread ended");
  assert.equal(openFdCount(), fdsBefore);
});

test("closing from inside the callback stops the batch and defers the unmap", (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  const ring = new RingBuffer(s.ring);
  s.produce(10);
  let n = 0;
  assert.equal(
    ring.consume(() => {
      n++;
      if (n === 4) ring.close();
    }),
    4,
  );
  assert.ok(ring.closed);
});

test("several readers share one worker thread: testRunAsync still runs while they wait", async (t) => {
  // libuv's pool has 4 threads: a blocking wait per reader would starve it with 6 readers.
  const s = setup(1 << 16);
  t.after(s.close);
  const maps = Array.from({ length: 6 }, (_, i) => createMap(MapType.RINGBUF, 0, 0, 4096, `rb_many${i}`));
  const readers = maps.map((m) => new RingBuffer(m));
  const controller = new AbortController();
  t.after(() => {
    controller.abort();
    for (const r of readers) r.close();
    for (const m of maps) m.close();
  });
  const polls = readers.map((r) => r.poll(() => {}, { signal: controller.signal }));
  await sleep(20);
  const run = testRunAsync(s.prog, { data: packet, repeat: 1 });
  const result = await Promise.race([run, sleep(2000).then(() => undefined)]);
  assert.ok(result, "testRunAsync did not complete: the thread pool is exhausted");
  controller.abort();
  await Promise.all(polls);
});

test("the reader refuses maps that are not ring buffers", (t) => {
  const m = counterMap("not_a_ring");
  t.after(() => m.close());
  assert.throws(() => new RingBuffer(m), /ringbuf map, this one is array/);
});

test("the reader takes the maps module's RingBufMap as well as a raw fd", (t) => {
  const map = RingBufMap.create({ name: "rb_module", size: 4096 });
  const seq = counterMap("rb_mseq");
  const drops = PerCpuArrayMap.create({ name: "rb_mdrops", value: u64, maxEntries: 1 });
  const prog = Program.load({ type: ProgType.XDP, name: "rb_module", code: ringbufProducer(map, seq, drops) });
  t.after(() => {
    prog.close();
    map.close();
    seq.close();
    drops.close();
  });
  using ring = new RingBuffer(map, { dropCounter: { map: drops } });
  testRun(prog, { data: packet, repeat: 100 });
  let next = 0;
  assert.equal(
    ring.consume((rec) => {
      checkRecord(rec, next);
      next++;
    }),
    Math.floor(4096 / RECORD_FOOTPRINT),
  );
  assert.equal(ring.drops(), 100 - next);
  assert.equal(drops.sum(0), BigInt(100 - next), "the same count through the maps module");
});

test("poll with gatherMs lets records that keep coming gather into one drain", async (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  using ring = new RingBuffer(s.ring);
  // A drain is synchronous: the records of one drain all arrive before the next microtask.
  let drains = 0;
  let inDrain = false;
  let received = 0;
  const controller = new AbortController();
  const polling = ring.poll(
    () => {
      received++;
      if (!inDrain) {
        drains++;
        inDrain = true;
        queueMicrotask(() => {
          inDrain = false;
        });
      }
    },
    { signal: controller.signal, gatherMs: 1000 },
  );
  await sleep(20);
  s.produce(1); // wakes the reader at once: one drain, then a 1 s gather
  for (let i = 0; i < 50 && received < 1; i++) await sleep(10);
  assert.equal(received, 1);
  for (let i = 0; i < 9; i++) {
    s.produce(1);
    await sleep(5);
  }
  for (let i = 0; i < 300 && received < 10; i++) await sleep(10);
  assert.equal(received, 10);
  assert.equal(drains, 2, "the nine records produced during the gather came in one drain");
  controller.abort();
  assert.equal(await polling, 10, "an abort ends the gather pause");
});

test("a reader in a worker_thread wakes through the fallback poller", async (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  const { Worker } = await import("node:worker_threads");
  const readerUrl = new URL("../../src/events/ringbuf.js", import.meta.url).href;
  // Fds belong to the process, so the worker can read the map by its number.
  const worker = new Worker(
    `import { parentPort, workerData } from "node:worker_threads";
     const { RingBuffer } = await import(workerData.readerUrl);
     const ring = new RingBuffer(workerData.fd);
     let received = 0;
     const controller = new AbortController();
     parentPort.postMessage("ready");
     await ring.poll(() => { if (++received === 5) controller.abort(); }, { signal: controller.signal });
     ring.close();
     parentPort.postMessage(received);`,
    { eval: true, workerData: { fd: s.ring.fd, readerUrl } },
  );
  t.after(() => worker.terminate());
  const messages: unknown[] = [];
  worker.on("message", (m) => messages.push(m));
  for (let i = 0; i < 500 && messages.length === 0; i++) await sleep(10);
  assert.deepEqual(messages, ["ready"]);
  await sleep(50); // the worker is asleep in its poll now
  s.produce(5);
  for (let i = 0; i < 500 && messages.length < 2; i++) await sleep(10);
  assert.deepEqual(messages, ["ready", 5]);
});

test("a pending poll keeps the process alive, and an aborted one lets it exit", async (t) => {
  const s = setup(1 << 16);
  t.after(s.close);
  const { spawn } = await import("node:child_process");
  const readerUrl = new URL("../../src/events/ringbuf.js", import.meta.url).href;
  // The child reads the map inherited as its fd 3; with ABORT_MS it aborts its poll after that long.
  const script = `const { RingBuffer } = await import(${JSON.stringify(readerUrl)});
    const ring = new RingBuffer(3);
    const controller = new AbortController();
    if (process.env.ABORT_MS) setTimeout(() => controller.abort(), Number(process.env.ABORT_MS));
    const n = await ring.poll(() => {}, { signal: controller.signal });
    console.log("polled " + n);`;
  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit", s.ring.fd],
      env: { ...process.env, ...env },
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, output: () => out };
  };
  const aborting = run({ ABORT_MS: "100" });
  const pending = run({});
  t.after(() => pending.child.kill("SIGKILL"));
  assert.equal(await aborting.exited, 0);
  assert.equal(aborting.output(), "polled 0\n");
  // The other one still waits in its poll (generous: its start-up may be slow on a loaded machine).
  await sleep(1000);
  assert.equal(pending.child.exitCode, null, "a pending poll keeps the process alive");
  pending.child.kill("SIGTERM");
  await pending.exited;
});
