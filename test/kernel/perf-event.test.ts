import { test } from "node:test";
import assert from "node:assert/strict";
import { PerfEventProgram } from "../../src/programs/perf-event.js";
import { onlineCpus } from "../../src/sys/cpus.js";
import { encodePerfEventAttr, PerfSwConfig, PerfType } from "../../src/sys/perf.js";
import { NativeMemory } from "../../src/sys/libc.js";
import { CounterMap, counterProgram, sleep } from "../helpers/tracing-helpers.js";

function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* keep this CPU busy */
  }
}

test("perf_event_attr is encoded at the kernel's offsets", () => {
  const mem = new NativeMemory(136);
  try {
    const size = encodePerfEventAttr(
      {
        type: PerfType.SOFTWARE,
        config: PerfSwConfig.CPU_CLOCK,
        sampleFrequency: 99,
        disabled: true,
        config1: 0x1234,
        config2: 8,
      },
      mem,
    );
    assert.equal(size, 128);
    assert.equal(mem.view.getUint32(0, true), 1);
    assert.equal(mem.view.getUint32(4, true), 128);
    assert.equal(mem.view.getBigUint64(8, true), 0n);
    assert.equal(mem.view.getBigUint64(16, true), 99n);
    assert.equal(mem.view.getBigUint64(40, true), (1n << 10n) | 1n); // freq + disabled
    assert.equal(mem.view.getBigUint64(56, true), 0x1234n);
    assert.equal(mem.view.getBigUint64(64, true), 8n);
  } finally {
    mem.free();
  }
});

test("a perf_event program on the software CPU clock fires on every CPU, and stops once detached", async () => {
  using counters = new CounterMap();
  using prog = PerfEventProgram.load({ name: "cpu_clock", code: counterProgram(counters.fd), maps: [counters] });
  const attachment = prog.attach({ sampleFrequency: 1000 });
  try {
    assert.equal(attachment.parts.length, onlineCpus().length);
    assert.ok(attachment.parts.every((p) => p.description.includes("perf link")));
    spin(150);
    await sleep(150);
    const fired = counters.get(0);
    assert.ok(fired >= 50, `expected samples at 1000 Hz over 300 ms on ${onlineCpus().length} CPUs, saw ${fired}`);
  } finally {
    attachment.detach();
  }
  assert.equal(attachment.detached, true);
  const after = counters.get(0);
  spin(100);
  await sleep(100);
  assert.equal(counters.get(0), after, "no samples after detach");
});

test("a perf_event program can sample one CPU with a fixed period", async () => {
  using counters = new CounterMap();
  using prog = PerfEventProgram.load({ name: "cpu0_clock", code: counterProgram(counters.fd), maps: [counters] });
  using attachment = prog.attach({ cpus: 0, samplePeriod: 1_000_000 }); // every 1 ms of CPU 0's clock
  assert.equal(attachment.parts.length, 1);
  assert.match(attachment.description, /cpu 0/);
  spin(100);
  await sleep(100);
  assert.ok(counters.get(0) >= 20, `saw ${counters.get(0)}`);
});
