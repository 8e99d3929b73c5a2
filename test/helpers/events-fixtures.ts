// Programs and maps the event tests and the ring buffer benchmark share: XDP producers run by
// BPF_PROG_TEST_RUN (one record per run, so `repeat` sets the burst size) and a user ring buffer
// drainer. Maps are created with the raw syscall so these fixtures depend on nothing but the
// syscall layer and the assembler.
import { readdirSync, readFileSync } from "node:fs";
import koffi from "koffi";
import { Assembler, R0, R1, R2, R3, R4, R5, R6, R10, Size, type AssembledProgram } from "../../src/asm/index.js";
import { closeFd, mapCreate } from "../../src/sys/bpf.js";
import { MapType } from "../../src/uapi.js";

export class RawMap implements Disposable {
  constructor(readonly fd: number) {}
  close(): void {
    closeFd(this.fd);
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

export function createMap(
  mapType: number,
  keySize: number,
  valueSize: number,
  maxEntries: number,
  name: string,
): RawMap {
  return new RawMap(mapCreate({ mapType, keySize, valueSize, maxEntries, name }));
}

/** A u64 counter at key 0 (array: shared; per-CPU array: for drop counts). */
export function counterMap(name: string, perCpu = false): RawMap {
  return createMap(perCpu ? MapType.PERCPU_ARRAY : MapType.ARRAY, 4, 8, 1, name);
}

export const RECORD_SIZE = 64;

/** A 64-byte packet whose byte i is (i * 7 + 3) & 0xff; producers copy it into each record. */
export function testPacket(): Buffer {
  const p = Buffer.alloc(RECORD_SIZE);
  for (let i = 0; i < p.length; i++) p[i] = (i * 7 + 3) & 0xff;
  return p;
}

/**
 * Copies the packet's 64 bytes to the stack at fp-64 and overwrites the first 8 with a sequence
 * number fetched-and-incremented in `seq` (0, 1, 2, …). Leaves ctx in r6, jumps to "out" when the
 * packet is short. Emits the common prologue of the producers.
 */
function packetWithSequence(a: Assembler, seq: { fd: number }): void {
  a.mov64(R6, R1);
  a.ldx(Size.W, R2, R6, 0); // data
  a.ldx(Size.W, R3, R6, 4); // data_end
  a.mov64(R4, R2).add64(R4, RECORD_SIZE);
  a.jgt(R4, R3, "out");
  for (let i = 0; i < RECORD_SIZE; i += 8) {
    a.ldx(Size.DW, R5, R2, i);
    a.stx(Size.DW, R10, R5, -RECORD_SIZE + i);
  }
  a.st(Size.W, R10, -72, 0);
  a.ldMapFd(R1, seq).mov64(R2, R10).add64(R2, -72).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.mov64(R1, 1).fetchAdd(Size.DW, R0, R1, 0);
  a.stx(Size.DW, R10, R1, -RECORD_SIZE);
}

/** Adds 1 to the u64 at key 0 of `counter` (a per-CPU array: no atomics needed). */
function countDrop(a: Assembler, counter: { fd: number }): void {
  a.st(Size.W, R10, -72, 0);
  a.ldMapFd(R1, counter).mov64(R2, R10).add64(R2, -72).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.ldx(Size.DW, R1, R0, 0).add64(R1, 1).stx(Size.DW, R0, R1, 0);
}

/**
 * XDP: bpf_ringbuf_output(ring, record, 64, flags) where record = the packet with a sequence
 * number in its first 8 bytes; counts failures in `drops` (the drop counter convention).
 */
export function ringbufProducer(
  ring: { fd: number },
  seq: { fd: number },
  drops: { fd: number },
  flags = 0,
): AssembledProgram {
  const a = new Assembler();
  packetWithSequence(a, seq);
  a.ldMapFd(R1, ring)
    .mov64(R2, R10)
    .add64(R2, -RECORD_SIZE)
    .mov64(R3, RECORD_SIZE)
    .mov64(R4, flags)
    .call("ringbuf_output");
  a.jeq(R0, 0, "out");
  countDrop(a, drops);
  a.label("out").mov64(R0, 2).exit();
  return a.assemble();
}

/**
 * XDP: reserves 16 bytes, writes the sequence number, then submits even numbers and discards
 * odd ones (to check that readers skip discarded records).
 */
export function ringbufDiscarder(ring: { fd: number }, seq: { fd: number }): AssembledProgram {
  const a = new Assembler();
  a.st(Size.W, R10, -4, 0);
  a.ldMapFd(R1, seq).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.mov64(R6, 1).fetchAdd(Size.DW, R0, R6, 0); // r6 = sequence number
  a.ldMapFd(R1, ring).mov64(R2, 16).mov64(R3, 0).call("ringbuf_reserve");
  a.jeq(R0, 0, "out");
  a.stx(Size.DW, R0, R6, 0);
  a.mov64(R1, R0).mov64(R2, 0);
  a.jset(R6, 1, "discard");
  a.call("ringbuf_submit").ja("out");
  a.label("discard").call("ringbuf_discard");
  a.label("out").mov64(R0, 2).exit();
  return a.assemble();
}

/** XDP: bpf_perf_event_output(ctx, perf, BPF_F_CURRENT_CPU, record, 64), record as above. */
export function perfProducer(perf: { fd: number }, seq: { fd: number }): AssembledProgram {
  const a = new Assembler();
  packetWithSequence(a, seq);
  a.mov64(R1, R6)
    .ldMapFd(R2, perf)
    .mov32(R3, -1) // BPF_F_CURRENT_CPU = 0xffffffff (zero-extended)
    .mov64(R4, R10)
    .add64(R4, -RECORD_SIZE)
    .mov64(R5, RECORD_SIZE)
    .call("perf_event_output");
  a.label("out").mov64(R0, 2).exit();
  return a.assemble();
}

/**
 * XDP: bpf_user_ringbuf_drain(ring, cb, NULL, 0); cb reads a u64 from each sample and adds it
 * to sums[0] (u64 sum, u64 count); the drain's return value goes to sums[0].drained.
 * `sums` is an array map with 1 entry of 24 bytes: { sum, count, drained }.
 */
export function userRingbufDrainer(ring: { fd: number }, sums: { fd: number }): AssembledProgram {
  const a = new Assembler();
  a.ldMapFd(R1, ring).ldFunc(R2, "sample").mov64(R3, 0).mov64(R4, 0).call("user_ringbuf_drain");
  a.mov64(R6, R0);
  a.st(Size.W, R10, -4, 0);
  a.ldMapFd(R1, sums).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.stx(Size.DW, R0, R6, 16);
  a.label("out").mov64(R0, 2).exit();

  a.func("sample");
  a.mov64(R3, R1).mov64(R1, R10).add64(R1, -8).mov64(R2, 8).mov64(R4, 0).mov64(R5, 0).call("dynptr_read");
  a.jne(R0, 0, "sample_done");
  a.st(Size.W, R10, -12, 0);
  a.ldMapFd(R1, sums).mov64(R2, R10).add64(R2, -12).call("map_lookup_elem");
  a.jeq(R0, 0, "sample_done");
  a.ldx(Size.DW, R1, R10, -8).lockAdd(Size.DW, R0, R1, 0);
  a.mov64(R1, 1).lockAdd(Size.DW, R0, R1, 8);
  a.label("sample_done").mov64(R0, 0).exit();
  return a.assemble();
}

/** Open file descriptors of this process. */
export function openFdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Mappings of BPF maps and perf events in this process (lines of /proc/self/maps). */
export function eventMappingCount(): number {
  return readFileSync("/proc/self/maps", "utf8")
    .split("\n")
    .filter((l) => /bpf-map|perf_event/.test(l)).length;
}

const libc = koffi.load("libc.so.6");
const schedGetaffinity = libc.func("int sched_getaffinity(int, size_t, _Out_ uint8_t *)");
const schedSetaffinity = libc.func("int sched_setaffinity(int, size_t, const uint8_t *)");
const schedGetcpu = libc.func("int sched_getcpu()");

/**
 * Runs `fn` with the calling thread held on the CPU it is on. BPF_PROG_TEST_RUN may reschedule
 * between repetitions and so move to another CPU; a test that counts what lands in ONE CPU's
 * ring (a perf ring that overflows) needs every repetition on the same one.
 */
export function onOneCpu<T>(fn: () => T): T {
  const saved = new Uint8Array(128);
  if (schedGetaffinity(0, saved.length, saved) !== 0) throw new Error("sched_getaffinity failed");
  const cpu = schedGetcpu() as number;
  const one = new Uint8Array(128);
  one[cpu >> 3] = 1 << (cpu & 7);
  if (schedSetaffinity(0, one.length, one) !== 0) throw new Error(`sched_setaffinity to CPU ${cpu} failed`);
  try {
    return fn();
  } finally {
    schedSetaffinity(0, saved.length, saved);
  }
}
