// The per-event tools' main loop: read what the kernel sent, one line per record, one write per
// batch, until --count lines or the run stops — then once more, for what arrived before the stop.
import { nextDrain } from "../../events/reader.js";
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
}

/**
 * While records keep coming, how long to let them gather before the next read (the readers'
 * `gatherMs`, see nextDrain): a wake-up costs tens of µs of CPU, a timer a few; the first record
 * after a quiet spell still wakes the reader at once, so latency grows by at most this under load.
 */
export const BATCH_MS = 5;

/** Streams lines until `count` lines were written or the run stops; returns how many were written. */
export async function streamLines<T>(
  runtime: ToolRuntime,
  source: RecordSource<T>,
  options: StreamOptions<T>,
): Promise<number> {
  const { count, line, write } = options;
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
  while (!runtime.stopped) {
    const n = read(4096);
    if (runtime.stopped) break;
    if (!(await nextDrain(source, n, { signal: runtime.signal, gatherMs: BATCH_MS }))) break;
  }
  // Stopped by a signal: what is already there happened before the stop, so show it too.
  if (count === undefined || written < count) read();
  return written;
}
