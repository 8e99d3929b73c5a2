// BPF_PROG_TEST_RUN: runs a loaded program on given input without attaching it.
import { Attr, bpf, bpfAsync, Cmd, ownAttr, testRunAttr, TEST_RUN_OUT } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";

export interface TestRunInput {
  /** Packet bytes (xdp, sched_cls, socket_filter), or nothing for raw_tp / syscall programs. */
  data?: Uint8Array;
  /** Context bytes: `struct __sk_buff`, `struct xdp_md`, raw_tp arguments, syscall ctx. */
  ctx?: Uint8Array;
  /** Run the program this many times in a row (the duration is then per run). */
  repeat?: number;
  /** Room for the packet as the program leaves it (default: input size + 256). */
  dataOutSize?: number;
  ctxOutSize?: number;
  flags?: number;
  cpu?: number;
  /** XDP live-frames batch size (with BPF_F_TEST_XDP_LIVE_FRAMES). */
  batchSize?: number;
}

export interface TestRunResult {
  /** The program's return value (r0, 32 bits). */
  retval: number;
  /** The packet after the run. */
  data: Buffer;
  ctx: Buffer;
  /** Mean nanoseconds per run as the kernel measured it. */
  durationNs: number;
}

export const TestRunFlags = { RUN_ON_CPU: 1, XDP_LIVE_FRAMES: 2 } as const;

class Buffers {
  readonly dataIn: NativeMemory | undefined;
  readonly dataOut: NativeMemory | undefined;
  readonly ctxIn: NativeMemory | undefined;
  readonly ctxOut: NativeMemory | undefined;
  constructor(input: TestRunInput) {
    this.dataIn = input.data?.length ? NativeMemory.from(input.data) : undefined;
    const outSize = input.dataOutSize ?? (input.data?.length ? input.data.length + 256 : 0);
    this.dataOut = outSize ? new NativeMemory(outSize) : undefined;
    this.ctxIn = input.ctx?.length ? NativeMemory.from(input.ctx) : undefined;
    const ctxOutSize = input.ctxOutSize ?? input.ctx?.length ?? 0;
    this.ctxOut = ctxOutSize ? new NativeMemory(ctxOutSize) : undefined;
  }
  fill(a: Attr, progFd: number, input: TestRunInput): Attr {
    return testRunAttr(a, {
      progFd,
      dataIn: this.dataIn,
      dataOut: this.dataOut,
      ctxIn: this.ctxIn,
      ctxOut: this.ctxOut,
      repeat: input.repeat,
      flags: input.flags,
      cpu: input.cpu,
      batchSize: input.batchSize,
    });
  }
  result(a: Attr): TestRunResult {
    const dataLen = Math.min(a.readU32(TEST_RUN_OUT.dataSizeOut), this.dataOut?.size ?? 0);
    const ctxLen = Math.min(a.readU32(TEST_RUN_OUT.ctxSizeOut), this.ctxOut?.size ?? 0);
    return {
      retval: a.readU32(TEST_RUN_OUT.retval),
      data: Buffer.from(this.dataOut ? this.dataOut.bytes.subarray(0, dataLen) : []),
      ctx: Buffer.from(this.ctxOut ? this.ctxOut.bytes.subarray(0, ctxLen) : []),
      durationNs: a.readU32(TEST_RUN_OUT.duration),
    };
  }
  free(): void {
    for (const m of [this.dataIn, this.dataOut, this.ctxIn, this.ctxOut]) m?.free();
  }
}

/** Runs the program synchronously (fine for single runs and small repeats). */
export function testRun(program: { fd: number }, input: TestRunInput = {}): TestRunResult {
  const buffers = new Buffers(input);
  const a = ownAttr();
  try {
    bpf(Cmd.PROG_TEST_RUN, buffers.fill(a, program.fd, input));
    return buffers.result(a);
  } finally {
    buffers.free();
    a.mem.free();
  }
}

/** Runs the program on a worker thread, so a long repeat does not block the event loop. */
export async function testRunAsync(program: { fd: number }, input: TestRunInput = {}): Promise<TestRunResult> {
  const buffers = new Buffers(input);
  const a = ownAttr();
  try {
    await bpfAsync(Cmd.PROG_TEST_RUN, buffers.fill(a, program.fd, input));
    return buffers.result(a);
  } finally {
    buffers.free();
    a.mem.free();
  }
}
