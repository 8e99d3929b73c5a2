// An exec tracer: a program on the sched:sched_process_exec tracepoint sends pid, ppid, comm and
// filename through a ring buffer; user space prints one line per exec. The kernel side is kernel
// TypeScript, examples/kernel/exec-tracer.bpf.ts, compiled by tsbpf (no clang; `npm run build`
// compiles it ahead of time into dist/examples/kernel/exec-tracer.bpf.json, loaded here without
// the TypeScript compiler). The compiler takes the tracepoint's field offsets from its tracefs
// format and the parent pid's path (task_struct->real_parent->tgid) from the kernel's BTF, so
// nothing is hard-coded per kernel. (The same program written instruction by instruction with
// the assembler — "the hard way" — is in docs/kernel-typescript.md.)
import { fileURLToPath } from "node:url";
import { KernelObject, type Artifact } from "tsbpf/compiler";
import { RingBuffer, type RingRecord, type Attachment } from "tsbpf";
import { ExecEvent as ExecEventStruct } from "./kernel/exec-tracer.bpf.js";
import type * as Kernel from "./kernel/exec-tracer.bpf.js";

/** struct exec_event { u32 pid; u32 ppid; char comm[16]; char filename[256]; } — the kernel module's struct. */
export const EXEC_EVENT = {
  pid: ExecEventStruct.offsetOf("pid"),
  ppid: ExecEventStruct.offsetOf("ppid"),
  comm: ExecEventStruct.offsetOf("comm"),
  filename: ExecEventStruct.offsetOf("filename"),
  size: ExecEventStruct.size,
} as const;

export interface ExecEvent {
  pid: number;
  ppid: number;
  comm: string;
  filename: string;
}

/** The ahead-of-time compiled kernel program (`npm run build` writes it). */
export const ARTIFACT = fileURLToPath(new URL("./kernel/exec-tracer.bpf.json", import.meta.url));

/** The compiled kernel side: maps events (ring buffer) and drops, program onExec (tracepoint). */
export function execTracerArtifact(): Artifact {
  return KernelObject.readArtifact(ARTIFACT);
}

export function decodeExecEvent(rec: RingRecord): ExecEvent {
  return ExecEventStruct.decode(rec.view, rec.offset);
}

/** The tracer, attached: poll() delivers events until its signal aborts. */
export class ExecTracer implements Disposable {
  readonly ring: RingBuffer;
  private constructor(
    private readonly object: KernelObject<typeof Kernel>,
    private readonly link: Attachment,
  ) {
    this.ring = new RingBuffer(object.maps.events, { dropCounter: { map: object.maps.drops } });
  }

  static start(): ExecTracer {
    const object = KernelObject.load<typeof Kernel>(execTracerArtifact());
    try {
      return new ExecTracer(object, object.programs.onExec.attach("sched", "sched_process_exec"));
    } catch (err) {
      object.close();
      throw err;
    }
  }

  /** Calls `onExec` for every exec until `signal` aborts. */
  poll(onExec: (event: ExecEvent) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onExec(decodeExecEvent(rec)), { signal });
  }

  /** Execs the ring buffer had no room for. */
  dropped(): number {
    return this.ring.drops();
  }

  [Symbol.dispose](): void {
    this.ring.close();
    this.link.detach();
    this.object.close();
  }
}

async function main(): Promise<void> {
  using tracer = ExecTracer.start();
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  console.log("PID     PPID    COMM             FILENAME");
  await tracer.poll(
    (e) => console.log(`${String(e.pid).padEnd(7)} ${String(e.ppid).padEnd(7)} ${e.comm.padEnd(16)} ${e.filename}`),
    stop.signal,
  );
  console.log(`${tracer.dropped()} events dropped`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
