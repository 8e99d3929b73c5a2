// An exec tracer written the hard way: a hand-assembled program on the sched:sched_process_exec
// tracepoint sends pid, ppid, comm and filename through a ring buffer; user space prints one line
// per exec. Field offsets come from the tracepoint's tracefs format and, for the parent pid, from
// the kernel's BTF (task_struct->real_parent->tgid), so nothing is hard-coded per kernel.
import { Assembler, FP, R0, R1, R2, R3, R6, R7, Size, type AssembledProgram } from "../src/asm/index.js";
import { PerCpuArrayMap, RingBufMap, u64 } from "../src/maps/index.js";
import { RingBuffer, type RingRecord } from "../src/events/index.js";
import { TracepointProgram } from "../src/programs/tracepoint.js";
import { tracepointField, tracepointFormat } from "../src/programs/tracepoint-format.js";
import { kernelBtf } from "../src/btf/vmlinux.js";
import type { Attachment } from "../src/links/link.js";

/** struct exec_event { u32 pid; u32 ppid; char comm[16]; char filename[256]; } */
export const EXEC_EVENT = { pid: 0, ppid: 4, comm: 8, filename: 24, size: 280 } as const;
const FILENAME_MAX = 256, COMM_LEN = 16;

export interface ExecEvent { pid: number; ppid: number; comm: string; filename: string }

export function execTracerProgram(events: { fd: number }, drops: { fd: number }): AssembledProgram {
  const format = tracepointFormat("sched", "sched_process_exec");
  const pid = tracepointField(format, "pid"), filename = tracepointField(format, "filename");
  const btf = kernelBtf();
  const realParent = btf.memberOffset("task_struct", "real_parent");
  const tgid = btf.memberOffset("task_struct", "tgid");

  const a = new Assembler();
  a.mov64(R6, R1)
    .ldMapFd(R1, events).mov64(R2, EXEC_EVENT.size).mov64(R3, 0).call("ringbuf_reserve")
    .jeq(R0, 0, "dropped")
    .mov64(R7, R0)
    .ldx(Size.W, R1, R6, pid.offset).stx(Size.W, R7, R1, EXEC_EVENT.pid)
    // ppid = current->real_parent->tgid, read with probe_read_kernel
    .call("get_current_task")
    .mov64(R3, R0).add64(R3, realParent).mov64(R1, FP).add64(R1, -8).mov64(R2, 8).call("probe_read_kernel")
    .ldx(Size.DW, R3, FP, -8).add64(R3, tgid).mov64(R1, R7).add64(R1, EXEC_EVENT.ppid).mov64(R2, 4).call("probe_read_kernel")
    .mov64(R1, R7).add64(R1, EXEC_EVENT.comm).mov64(R2, COMM_LEN).call("get_current_comm")
    // filename is a __data_loc field: its low 16 bits give the string's offset in the record
    .ldx(Size.W, R3, R6, filename.offset).and64(R3, 0xffff).add64(R3, R6)
    .mov64(R1, R7).add64(R1, EXEC_EVENT.filename).mov64(R2, FILENAME_MAX).call("probe_read_kernel_str")
    .mov64(R1, R7).mov64(R2, 0).call("ringbuf_submit")
    .ja("out")
    .label("dropped")                   // count what the ring had no room for
    .st(Size.W, FP, -4, 0).ldMapFd(R1, drops).mov64(R2, FP).add64(R2, -4).call("map_lookup_elem")
    .jeq(R0, 0, "out")
    .mov64(R1, 1).lockAdd(Size.DW, R0, R1, 0)
    .label("out")
    .mov64(R0, 0)
    .exit();
  return a.assemble();
}

function cString(rec: RingRecord, at: number, max: number): string {
  const bytes = rec.bytes.subarray(rec.offset + at, rec.offset + at + max);
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? max : end).toString("utf8");
}

export function decodeExecEvent(rec: RingRecord): ExecEvent {
  return {
    pid: rec.u32(EXEC_EVENT.pid), ppid: rec.u32(EXEC_EVENT.ppid),
    comm: cString(rec, EXEC_EVENT.comm, COMM_LEN), filename: cString(rec, EXEC_EVENT.filename, FILENAME_MAX),
  };
}

/** The tracer, attached: poll() delivers events until its signal aborts. */
export class ExecTracer implements Disposable {
  private constructor(
    private readonly events: RingBufMap,
    private readonly drops: PerCpuArrayMap<bigint>,
    private readonly program: TracepointProgram,
    private readonly link: Attachment,
    readonly ring: RingBuffer,
  ) {}

  static start(): ExecTracer {
    const events = RingBufMap.create({ name: "exec_events", size: 256 * 1024 });
    const drops = PerCpuArrayMap.create({ name: "exec_drops", value: u64, maxEntries: 1 });
    const cleanup: Disposable[] = [events, drops];
    try {
      const program = TracepointProgram.load({ name: "exec_tracer", code: execTracerProgram(events, drops), maps: [events, drops] });
      cleanup.push(program);
      const link = program.attach("sched", "sched_process_exec");
      cleanup.push(link);
      return new ExecTracer(events, drops, program, link, new RingBuffer(events, { dropCounter: { map: drops } }));
    } catch (err) {
      for (const c of cleanup.reverse()) c[Symbol.dispose]();
      throw err;
    }
  }

  /** Calls `onExec` for every exec until `signal` aborts. */
  poll(onExec: (event: ExecEvent) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onExec(decodeExecEvent(rec)), { signal });
  }

  /** Execs the ring buffer had no room for. */
  dropped(): number { return this.ring.drops(); }

  [Symbol.dispose](): void {
    this.ring.close();
    this.link.detach();
    this.program.close();
    this.drops.close();
    this.events.close();
  }
}

async function main(): Promise<void> {
  using tracer = ExecTracer.start();
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  console.log("PID     PPID    COMM             FILENAME");
  await tracer.poll((e) => console.log(`${String(e.pid).padEnd(7)} ${String(e.ppid).padEnd(7)} ${e.comm.padEnd(16)} ${e.filename}`), stop.signal);
  console.log(`${tracer.dropped()} events dropped`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
