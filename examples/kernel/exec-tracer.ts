// User side of the compiled exec tracer: one line per exec. `node dist/examples/kernel/exec-tracer.js`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { RingBuffer, type RingRecord, type Attachment } from "tsbpf";
import { ExecEvent } from "./exec-tracer.bpf.js";
import type * as Kernel from "./exec-tracer.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "exec-tracer.bpf.ts",
);

export interface Exec {
  pid: number;
  ppid: number;
  comm: string;
  filename: string;
}

export function decodeExec(rec: RingRecord): Exec {
  return ExecEvent.decode(rec.view, rec.offset);
}

export class CompiledExecTracer implements Disposable {
  readonly ring: RingBuffer;
  private constructor(
    readonly object: KernelObject<typeof Kernel>,
    private readonly link: Attachment,
  ) {
    this.ring = new RingBuffer(object.maps.events, { dropCounter: { map: object.maps.drops } });
  }

  static async start(): Promise<CompiledExecTracer> {
    const object = KernelObject.load<typeof Kernel>(await artifactFor(SOURCE));
    try {
      return new CompiledExecTracer(object, object.programs.onExec.attach("sched", "sched_process_exec"));
    } catch (err) {
      object.close();
      throw err;
    }
  }

  poll(onExec: (event: Exec) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onExec(decodeExec(rec)), { signal });
  }

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
  using tracer = await CompiledExecTracer.start();
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
