// The per-event tools' main loop: read what the kernel sent, one line per record, one write per
// batch, until --count lines or the run stops — then once more, for what arrived before the stop.
import { wakeThenGather } from "../../events/reader.js";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ToolRuntime } from "./lifecycle.js";

/** Where records come from: a ring buffer, a tracer. */
export interface RecordSource<T> {
  /** Calls `callback` for the records available now (at most `limit`); false from it stops early. Returns how many it read. */
  consume(callback: (record: T) => boolean | void, limit?: number): number;
  /** Resolves true when records may be available, false once `signal` aborts or the source closed. */
  wait(signal: AbortSignal): Promise<boolean>;
}

export interface StreamOptions<T> {
  /** The record's output line (no newline), or undefined to skip it (a filter). */
  line: (record: T) => string | undefined;
  write: (text: string) => void;
  /** Stop after this many lines. */
  count?: number;
  /** How long records gather after a wake-up before they are read (default BATCH_MS). */
  gatherMs?: number;
}

/**
 * How long records gather after a wake-up before they are read (see wakeThenGather): a wake-up
 * costs tens of µs of CPU (the kernel's irq_work, Node's loop turning, cold code and memory),
 * so under a steady stream one should serve many records; a record waits at most this long.
 */
export const BATCH_MS = 5;

/** Records read per drain at most, so that a flood cannot hold the event loop. */
const DRAIN_LIMIT = 4096;

/** Streams lines until `count` lines were written or the run stops; returns how many were written. */
export async function streamLines<T>(
  runtime: ToolRuntime,
  source: RecordSource<T>,
  options: StreamOptions<T>,
): Promise<number> {
  const { count, line, write, gatherMs = BATCH_MS } = options;
  let written = 0;
  const batch: string[] = []; // reused: one write per batch
  const onRecord = (record: T): boolean => {
    const text = line(record);
    if (text === undefined) return true;
    batch.push(text);
    written++;
    if (count !== undefined && written >= count) {
      runtime.stop({ kind: "done" });
      return false;
    }
    return true;
  };
  const read = (limit?: number): number => {
    const n = source.consume(onRecord, limit);
    if (batch.length > 0) {
      write(`${batch.join("\n")}\n`);
      batch.length = 0;
    }
    return n;
  };
  const gather = { signal: runtime.signal, gatherMs };
  while (!runtime.stopped) {
    const n = read(DRAIN_LIMIT);
    if (runtime.stopped) break;
    if (n >= DRAIN_LIMIT) {
      // More is waiting: read it after the event loop had its turn.
      await yieldToEventLoop();
      continue;
    }
    if (!(await wakeThenGather(source, gather))) break;
  }
  // Stopped by a signal: what is already there happened before the stop, so show it too.
  if (count === undefined || written < count) read();
  return written;
}
