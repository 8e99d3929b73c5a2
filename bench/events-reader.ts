// The Node side of bench/events.ts, run as a child process so that its CPU time is its own.
// Prints "ready", then, after TOTAL records, one JSON line {"records":…,"wakeups":…,"cpu_us":…}:
// CPU time of the whole process (every thread) from the WARM-th record to the last.
//
// usage: events-reader ring TOTAL WARM   a RingBuffer over the ring buffer map inherited as fd 3,
//                                        read with wait() + consume() (the loop poll() runs)
//        events-reader stdin TOTAL WARM  plain Node: one byte per record on stdin, read by a
//                                        'data' listener (the floor of any Node I/O wake-up)
import { RingBuffer } from "../src/events/ringbuf.js";

const [mode, totalArg, warmArg] = process.argv.slice(2);
const total = Number(totalArg);
const warm = Number(warmArg ?? 0);
let received = 0;
let wakeups = 0;
let first = 0;
let start = process.cpuUsage();

function counted(n: number): void {
  received += n;
  if (first === 0 && received >= warm) {
    first = received;
    wakeups = 0;
    start = process.cpuUsage();
  }
}

function report(): void {
  const used = process.cpuUsage(start);
  process.stdout.write(`${JSON.stringify({ records: received - first, wakeups, cpu_us: used.user + used.system })}\n`);
}

if (mode === "ring") {
  using ring = new RingBuffer(3);
  let batch = 0;
  const onRecord = (): void => {
    batch++;
  };
  process.stdout.write("ready\n");
  while (received < total) {
    batch = 0;
    if (ring.consume(onRecord) > 0) {
      counted(batch);
      continue;
    }
    if (!(await ring.wait())) break;
    wakeups++;
  }
  report();
} else if (mode === "stdin") {
  process.stdin.on("data", (chunk: Buffer) => {
    wakeups++;
    counted(chunk.length);
    if (received >= total) {
      report();
      process.exit(0);
    }
  });
  process.stdout.write("ready\n");
} else {
  throw new Error(`events-reader: unknown mode ${mode}`);
}
