// The per-event tools' reading loop (tools/common/stream.ts) and its pause (wakeThenGather,
// events/reader.ts), against a fake source: after each drain the loop sleeps until the source is
// ready and then lets records gather, so one wake-up serves what arrives within the gather time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wakeThenGather } from "../../src/events/reader.js";
import { streamLines, type RecordSource } from "../../src/tools/common/stream.js";
import { ToolRuntime } from "../../src/tools/common/lifecycle.js";

/** A source whose records are pushed by the test; wait() resolves when one is pushed. */
class FakeSource implements RecordSource<number> {
  readonly queue: number[] = [];
  waits = 0;
  #wake: ((ready: boolean) => void) | undefined;

  push(...records: number[]): void {
    this.queue.push(...records);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.(true);
  }

  consume(callback: (record: number) => boolean | void, limit = Infinity): number {
    let n = 0;
    while (this.queue.length > 0 && n < limit) {
      n++;
      if (callback(this.queue.shift()!) === false) break;
    }
    return n;
  }

  wait(signal?: AbortSignal): Promise<boolean> {
    this.waits++;
    if (this.queue.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#wake = resolve;
      signal?.addEventListener("abort", () => resolve(false), { once: true });
    });
  }
}

test("wakeThenGather: sleeps until the source is ready, then gathers; false on abort in either phase", async () => {
  const source = new FakeSource();
  const started = performance.now();
  const pending = wakeThenGather(source, { gatherMs: 40 });
  setTimeout(() => source.push(1), 20);
  assert.equal(await pending, true);
  // Woken at ~20 ms, then 40 ms of gathering (timers may fire a little early: allow 5 ms).
  assert.ok(performance.now() - started >= 55, `${performance.now() - started} ms`);

  const duringWait = new AbortController();
  const waiting = wakeThenGather(new FakeSource(), { gatherMs: 40, signal: duringWait.signal });
  duringWait.abort();
  assert.equal(await waiting, false);

  const duringGather = new AbortController();
  const ready = new FakeSource();
  ready.push(1);
  const gathering = wakeThenGather(ready, { gatherMs: 10_000, signal: duringGather.signal });
  setTimeout(() => duringGather.abort(), 10);
  const before = performance.now();
  assert.equal(await gathering, false);
  assert.ok(performance.now() - before < 5_000, "the abort ends the gather at once");
});

test("streamLines: records arriving within the gather time are one drain and one write; the stop reads the rest", async () => {
  const controller = new AbortController();
  const runtime = new ToolRuntime({ signal: controller.signal });
  try {
    const source = new FakeSource();
    const writes: string[] = [];
    const streaming = streamLines(runtime, source, {
      line: (r) => (r % 2 === 0 ? `even ${r}` : undefined),
      write: (text) => writes.push(text),
      gatherMs: 250,
    });
    // Five records, 5 ms apart: the first wakes the loop, the others arrive while it gathers.
    for (let i = 0; i < 5; i++) {
      source.push(i);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(writes, ["even 0\neven 2\neven 4\n"]);
    // Drained, it sleeps in wait() again (first wait, then the one after the drain): no polling.
    assert.equal(source.waits, 2);
    source.push(6);
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    assert.equal(await streaming, 4);
    assert.deepEqual(writes, ["even 0\neven 2\neven 4\n", "even 6\n"]);
  } finally {
    await runtime.close();
  }
});

test("streamLines stops after count lines, leaving the rest in the source", async () => {
  const runtime = new ToolRuntime();
  try {
    const source = new FakeSource();
    source.push(0, 2, 4, 6);
    const writes: string[] = [];
    const written = await streamLines(runtime, source, {
      line: (r) => String(r),
      write: (text) => writes.push(text),
      count: 3,
      gatherMs: 1,
    });
    assert.equal(written, 3);
    assert.deepEqual(writes, ["0\n2\n4\n"]);
    assert.deepEqual(source.queue, [6]);
    assert.equal(runtime.stopReason?.kind, "done");
  } finally {
    await runtime.close();
  }
});
