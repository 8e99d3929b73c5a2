import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Program } from "../../src/programs/program.js";
import { testRun, testRunAsync } from "../../src/programs/test-run.js";
import { ProgType, MapType } from "../../src/uapi.js";
import { onlineCpus } from "../../src/sys/cpus.js";
import { PerfBuffer } from "../../src/events/perf-buffer.js";
import type { RingRecord } from "../../src/events/record.js";
import {
  counterMap,
  createMap,
  onOneCpu,
  eventMappingCount,
  openFdCount,
  perfProducer,
  RECORD_SIZE,
  testPacket,
} from "../helpers/events-fixtures.js";

const packet = testPacket();
/** A sample of 64 bytes: perf header 8 + u32 size 4 + 64 bytes padded to 68. */
const SAMPLE_FOOTPRINT = 8 + 4 + 68;

function setup() {
  const perf = createMap(MapType.PERF_EVENT_ARRAY, 4, 4, onlineCpus().length, "pb_test");
  const seq = counterMap("pb_seq");
  const prog = Program.load({ type: ProgType.XDP, name: "pb_producer", code: perfProducer(perf, seq) });
  return {
    perf,
    seq,
    prog,
    produce: (n: number) => testRun(prog, { data: packet, repeat: n }),
    close: () => {
      prog.close();
      perf.close();
      seq.close();
    },
  };
}

function checkSample(rec: RingRecord, expectedSeq: number): void {
  // The kernel pads raw data so that size field + data end on 8 bytes: 64 → 68.
  assert.equal(rec.length, 68);
  assert.equal(rec.u64AsNumber(0), expectedSeq);
  for (let i = 8; i < RECORD_SIZE; i++)
    if (rec.u8(i) !== packet[i]) assert.fail(`sample ${expectedSeq}: byte ${i} is ${rec.u8(i)}`);
}

test("a perf buffer delivers every sample of a burst, with the CPU it came from", (t) => {
  const s = setup();
  t.after(s.close);
  using pb = new PerfBuffer(s.perf, { pagesPerCpu: 64 });
  assert.deepEqual(pb.cpus, onlineCpus());
  const burst = 2000; // 160 KB: fits 256 KiB per CPU
  s.produce(burst);
  // test_run may reschedule between repetitions and so move to another CPU: each CPU's ring is in
  // order, and together they hold every sample once.
  const seenPerCpu = new Map<number, number[]>();
  assert.equal(
    pb.consume((rec) => {
      const seq = rec.u64AsNumber(0);
      checkSample(rec, seq);
      let seen = seenPerCpu.get(rec.cpu);
      if (!seen) seenPerCpu.set(rec.cpu, (seen = []));
      seen.push(seq);
    }),
    burst,
  );
  assert.equal(pb.lost, 0);
  for (const [cpu, seen] of seenPerCpu) {
    assert.ok(onlineCpus().includes(cpu), `CPU ${cpu} is online`);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      `CPU ${cpu}'s samples arrive in order`,
    );
  }
  const all = [...seenPerCpu.values()].flat().sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: burst }, (_, i) => i),
  );
});

test("samples that wrap around the end of a perf ring arrive in one piece", (t) => {
  const s = setup();
  t.after(s.close);
  using pb = new PerfBuffer(s.perf, { pagesPerCpu: 1 });
  assert.equal(4096 % SAMPLE_FOOTPRINT !== 0, true, "80-byte records do not divide the ring: some wrap");
  let next = 0;
  for (let round = 0; round < 12; round++) {
    // 12 × 40 × 80 B: wraps the 4 KiB ring 9 times
    s.produce(40);
    assert.equal(
      pb.consume((rec) => {
        checkSample(rec, next);
        next++;
      }),
      40,
    );
  }
  assert.equal(next, 480);
  assert.equal(pb.lost, 0);
});

test("an overflowing perf ring reports lost samples: received + lost = produced", (t) => {
  const s = setup();
  t.after(s.close);
  const reported: Array<[number, number]> = [];
  using pb = new PerfBuffer(s.perf, { pagesPerCpu: 1, onLost: (cpu, n) => reported.push([cpu, n]) });
  // Both bursts on one CPU: its ring overflows, and the next sample there makes the kernel write
  // the LOST record.
  onOneCpu(() => {
    s.produce(1000); // nobody reads meanwhile
    let received = pb.consume(() => {});
    assert.equal(received, Math.floor(4096 / SAMPLE_FOOTPRINT));
    assert.equal(pb.lost, 0, "the kernel writes the LOST record once there is room again");
    s.produce(1); // now it writes PERF_RECORD_LOST, then this sample
    received += pb.consume(() => {});
    assert.equal(pb.lost, 1000 - Math.floor(4096 / SAMPLE_FOOTPRINT));
    assert.equal(received + pb.lost, 1001);
  });
  assert.equal(reported.length, 1);
  const perCpu = pb.lostPerCpu();
  assert.equal(
    [...perCpu.values()].reduce((a, b) => a + b, 0),
    pb.lost,
  );
  assert.equal(perCpu.get(reported[0]![0]), pb.lost);
});

test("perf buffer poll wakes on samples without busy waiting and stops on abort", async (t) => {
  const s = setup();
  t.after(s.close);
  using pb = new PerfBuffer(s.perf, { pagesPerCpu: 64 });
  const controller = new AbortController();
  let received = 0;
  const polling = pb.poll(
    () => {
      received++;
    },
    { signal: controller.signal },
  );
  await sleep(20);
  const before = process.cpuUsage();
  const wall = performance.now();
  await sleep(300);
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1000;
  assert.ok(cpuMs < 0.1 * (performance.now() - wall), `idle perf poll used ${cpuMs.toFixed(1)} ms of CPU`);
  await testRunAsync(s.prog, { data: packet, repeat: 1000 });
  for (let i = 0; i < 100 && received < 1000; i++) await sleep(10);
  assert.equal(received, 1000);
  const aborted = performance.now();
  controller.abort();
  assert.equal(await polling, 1000);
  assert.ok(performance.now() - aborted < 100);
});

test("closing a perf buffer closes its events, unmaps its rings and empties the map", (t) => {
  const s = setup();
  t.after(s.close);
  const fds = openFdCount();
  const mappings = eventMappingCount();
  const pb = new PerfBuffer(s.perf, { pagesPerCpu: 4 });
  const cpuCount = pb.cpus.length;
  // Each CPU: a perf event fd and a mapping; plus the inner epoll set.
  assert.equal(openFdCount(), fds + cpuCount + 1);
  assert.equal(eventMappingCount(), mappings + cpuCount);
  pb.close();
  assert.equal(openFdCount(), fds);
  assert.equal(eventMappingCount(), mappings);
  // With the events gone from the map, output fails (ENOENT): nothing is delivered anywhere.
  s.produce(10);
  using again = new PerfBuffer(s.perf, { pagesPerCpu: 4 });
  assert.equal(
    again.consume(() => {}),
    0,
  );
  s.produce(3);
  assert.equal(
    again.consume(() => {}),
    3,
  );
});

test("a perf buffer refuses other map types and bad page counts", (t) => {
  const s = setup();
  const m = counterMap("pb_not");
  t.after(() => {
    s.close();
    m.close();
  });
  assert.throws(() => new PerfBuffer(m), /perf_event_array map, this one is array/);
  assert.throws(() => new PerfBuffer(s.perf, { pagesPerCpu: 3 }), /power of two/);
});
