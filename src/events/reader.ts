// What ring buffers and perf buffers share: draining now (consume), draining until told to stop
// (poll), async iteration over copies, and a close that is safe even from inside a callback.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { TsbpfError } from "../errors.js";
import type { Watch } from "./epoll.js";
import type { RecordCallback, RingRecord } from "./record.js";

export interface GatherOptions {
  /** Stops the loop (it resolves; it does not reject). */
  signal?: AbortSignal;
  /**
   * While records keep coming, let them gather this many milliseconds before the next drain
   * instead of draining again at once (default 0). The first record after a quiet spell still
   * wakes the reader at once, so this adds at most `gatherMs` of latency under load, and saves
   * a wake-up per few records under a steady stream: a timer costs a few µs of CPU, a wake-up
   * through epoll tens.
   */
  gatherMs?: number;
}

export type PollOptions = GatherOptions;
export type RecordsOptions = GatherOptions;

/** Something that can sleep until records may be available (a reader, a tracer built on one). */
export interface Waitable {
  wait(signal?: AbortSignal): Promise<boolean>;
}

/**
 * What poll() does between two drains, for reading loops of your own: after a drain that
 * delivered records, pause `gatherMs` (or, without it, one turn of the event loop, so timers and
 * I/O keep running); after an empty one, sleep until `source` is ready. Resolves false when
 * `signal` aborts or the source is closed.
 */
export function nextDrain(source: Waitable, delivered: number, options: GatherOptions = {}): Promise<boolean> {
  const { signal, gatherMs = 0 } = options;
  if (signal?.aborted) return Promise.resolve(false);
  if (delivered === 0) return source.wait(signal);
  if (gatherMs <= 0) return yieldToEventLoop().then(() => !signal?.aborted);
  return sleepUnlessAborted(gatherMs, signal);
}

/**
 * What a reading loop does after it drained everything, when its kernel side wakes the reader
 * only for the first record after the reader caught up (the ring's default rule): sleep until
 * `source` is ready, then let records gather `gatherMs` before the next drain. One wake-up and
 * one timer serve all that arrives within `gatherMs` of the first record, however the stream
 * goes, and no drain finds nothing; a record waits at most `gatherMs` (a quiet spell's first
 * record too, unlike nextDrain). Resolves false when `signal` aborts or the source is closed.
 */
export async function wakeThenGather(source: Waitable, options: GatherOptions = {}): Promise<boolean> {
  const { signal, gatherMs = 0 } = options;
  if (!(await source.wait(signal))) return false;
  if (gatherMs <= 0) return !signal?.aborted;
  return sleepUnlessAborted(gatherMs, signal);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export abstract class EventReader implements Disposable, AsyncIterable<Uint8Array> {
  #closed = false;
  #consuming = false;
  /** Set by close(); drain loops check it after each callback (a plain field: cheap to read). */
  protected closeRequested = false;
  protected abstract readonly watch: Watch;

  /** What the reader is, for error messages. */
  protected abstract readonly what: string;

  get closed(): boolean {
    return this.#closed || this.closeRequested;
  }

  /** The reading loop; `limit` bounds the records delivered. */
  protected abstract drain(callback: RecordCallback, limit: number): number;

  /** Unmaps and closes what the reader owns (the watch is already closed). */
  protected abstract release(): void;

  /**
   * Delivers every record available now to `callback`, synchronously, and returns how many it
   * delivered. The record is a zero-copy view valid only during the call (see RingRecord).
   * If the callback returns `false`, consumption stops after that record. If it throws, the
   * records up to and including that one count as consumed and the error propagates.
   */
  consume(callback: RecordCallback, limit = Infinity): number {
    if (this.closed) throw new TsbpfError(`${this.what} is closed`);
    if (this.#consuming) throw new TsbpfError(`${this.what}: consume() called from inside its own callback`);
    this.#consuming = true;
    try {
      return this.drain(callback, limit);
    } finally {
      this.#consuming = false;
      if (this.closeRequested) this.#finishClose();
    }
  }

  /**
   * Resolves true when records may be available, false when `signal` aborts or the reader is
   * closed. Sleeps in Node's event loop (its epoll set watched there), not on a timer.
   */
  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.watch.wait(signal);
  }

  /**
   * Calls `callback` for every record until `signal` aborts or the reader is closed, then
   * resolves with the number of records delivered. Between bursts it sleeps in epoll (no CPU).
   * Like a listening socket, a pending poll keeps the process alive; aborting or closing lets
   * it exit. Records are delivered in batches of at most one ring's worth, with a turn of the
   * event loop (or `gatherMs`) between batches, so timers and I/O keep running under a steady
   * stream.
   */
  async poll(callback: RecordCallback, options: PollOptions = {}): Promise<number> {
    const { signal } = options;
    let total = 0;
    while (!this.closed && !signal?.aborted) {
      const n = this.consume(callback);
      total += n;
      if (this.closed || signal?.aborted) break;
      if (!(await nextDrain(this, n, options))) break;
    }
    return total;
  }

  /**
   * Async iteration over copies of the records (each a fresh Uint8Array that stays valid), until
   * `signal` aborts or the reader is closed. Convenient, but it allocates per record; use
   * consume()/poll() for speed.
   */
  async *records(options: RecordsOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const { signal } = options;
    const queue: Uint8Array[] = [];
    const collect = (record: RingRecord): void => {
      queue.push(record.copy());
    };
    while (!this.closed && !signal?.aborted) {
      const n = this.consume(collect, 4096);
      for (let i = 0; i < queue.length; i++) {
        yield queue[i]!;
        if (signal?.aborted) return;
      }
      queue.length = 0;
      // Without a gather, a batch is followed at once (the consumer awaited each record anyway).
      if ((n === 0 || options.gatherMs) && !(await nextDrain(this, n, options))) return;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.records();
  }

  /**
   * Unmaps the ring and closes what the reader opened; a pending poll()/wait() ends. The map
   * itself is the caller's and stays open. Called from inside a callback, the release happens
   * when the callback's consume() returns.
   */
  close(): void {
    if (this.#closed || this.closeRequested) return;
    this.closeRequested = true;
    this.watch.close();
    if (!this.#consuming) this.#finishClose();
  }

  #finishClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.release();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
