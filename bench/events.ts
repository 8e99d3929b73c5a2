// events.wakeup_cpu_us: the CPU time a ring buffer reader spends per wake-up, that is per record
// when records arrive one at a time with the reader asleep in between (1 ms apart here): the
// cost of sleeping in epoll and being woken, the reader's own per-record work being negligible.
//
// Producer (both sides): an XDP program doing bpf_ringbuf_output(), run once per record by
// BPF_PROG_TEST_RUN from this process, paced by a 1 ms timer. Reader: a child process that
// inherits the ring buffer map as fd 3 and measures its own CPU time (every thread) over the
// records after a warm-up: bench/events-reader.ts (RingBuffer.wait() + consume()) against
// bench/peers/wakeup.c (libbpf's ring_buffer__poll()). Figure: CPU µs per wake-up.
//
// events.wakeup_node_floor_us: the same measure for plain Node woken by one byte on a pipe
// (stdin, a 'data' listener), against the C reader's ring wake-up: what a wake-up of Node's
// event loop costs before tsbpf does anything; wakeup_cpu_us cannot go below it.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { Program } from "../src/programs/program.js";
import { testRun } from "../src/programs/test-run.js";
import { MapType, ProgType } from "../src/uapi.js";
import { counterMap, createMap, ringbufProducer, testPacket } from "../test/helpers/events-fixtures.js";
import { buildPeer, median, repoRoot, spread } from "./c-peer.js";
import type { Figures } from "./run.js";

const RECORDS = 1200;
const WARM = 200;
const ROUNDS = 5;
const PACE_MS = 1;

interface ReaderResult {
  records: number;
  wakeups: number;
  cpu_us: number;
}

async function readerRound(
  command: string,
  args: string[],
  mapFd: number,
  fire: (child: ChildProcess) => void,
): Promise<ReaderResult> {
  // The map goes to the child as its fd 3 (spawn dups it there).
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit", mapFd] });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ready = await lines.next();
    if (ready.value !== "ready") throw new Error(`reader ${command}: expected "ready", got ${String(ready.value)}`);
    let done = false;
    const result = lines.next().then((r) => {
      done = true;
      return r;
    });
    // Records one at a time, while the reader has not finished (a child that died stops it too).
    for (let i = 0; !done && i < RECORDS * 3; i++) {
      fire(child);
      await sleep(PACE_MS);
    }
    const last = await result;
    if (last.done) throw new Error(`reader ${command} ended without a result`);
    return JSON.parse(last.value) as ReaderResult;
  } finally {
    child.kill();
  }
}

export async function run(): Promise<Figures> {
  using ring = createMap(MapType.RINGBUF, 0, 0, 1 << 16, "bench_wake");
  using seq = counterMap("bench_wake_seq");
  using drops = counterMap("bench_wake_drops", true);
  using prog = Program.load({ type: ProgType.XDP, name: "bench_wake", code: ringbufProducer(ring, seq, drops) });
  const packet = testPacket();
  const fire = (): void => void testRun(prog, { data: packet, repeat: 1 });
  const oneByte = Buffer.from([1]);
  const fireStdin = (child: ChildProcess): void => void child.stdin!.write(oneByte);
  const peer = buildPeer("wakeup");
  const reader = join(repoRoot, "dist", "bench", "events-reader.js");
  const ours: number[] = [];
  const theirs: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const js = await readerRound(process.execPath, [reader, "ring", String(RECORDS), String(WARM)], ring.fd, fire);
    const node = await readerRound(
      process.execPath,
      [reader, "stdin", String(RECORDS), String(WARM)],
      ring.fd,
      fireStdin,
    );
    floor.push(node.cpu_us / node.wakeups);
    const c = await readerRound(peer, [String(RECORDS), String(WARM)], ring.fd, fire);
    ours.push(js.cpu_us / js.wakeups);
    theirs.push(c.cpu_us / c.wakeups);
    process.stderr.write(
      `  round ${round}: tsbpf ${(js.cpu_us / js.wakeups).toFixed(1)} µs × ${js.wakeups}, C ${(c.cpu_us / c.wakeups).toFixed(1)} µs × ${c.wakeups}, Node on a pipe ${(node.cpu_us / node.wakeups).toFixed(1)} µs × ${node.wakeups}\n`,
    );
  }
  const value = median(ours);
  const peerValue = median(theirs);
  return {
    wakeup_cpu_us: {
      value,
      unit: "µs",
      peer: "libbpf ring_buffer__poll (C)",
      peer_value: peerValue,
      ratio: value / peerValue,
      ...spread(ours, theirs),
    },
    wakeup_node_floor_us: {
      value: median(floor),
      unit: "µs",
      peer: "libbpf ring_buffer__poll (C)",
      peer_value: peerValue,
      ratio: median(floor) / peerValue,
      ...spread(floor, theirs),
    },
  };
}
