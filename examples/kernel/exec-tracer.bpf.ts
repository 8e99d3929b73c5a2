// The exec tracer in kernel TypeScript: on sched:sched_process_exec, the new program's pid, its
// parent's pid, comm and filename go to user space through a ring buffer.
import {
  tracepoint,
  RingBuf,
  PerCpuArrayMap,
  struct,
  cstring,
  u32,
  u64,
  cast,
  getCurrentTask,
  getCurrentComm,
  probeReadKernelStr,
  type task_struct,
} from "tsbpf/kernel";

export class ExecEvent extends struct({ pid: u32, ppid: u32, comm: cstring(16), filename: cstring(256) }) {}

export const events = new RingBuf({ size: 256 * 1024 });
/** Events the ring had no room for (index 0). */
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });

export const onExec = tracepoint("sched/sched_process_exec", (ctx) => {
  const ev = events.reserve(ExecEvent);
  if (ev === null) {
    drops.increment(0);
    return 0;
  }
  ev.pid = ctx.pid;
  // A tracepoint program reads kernel memory with probe reads: cast() of an address does that.
  const task = cast<task_struct>(getCurrentTask());
  ev.ppid = task.real_parent.tgid;
  getCurrentComm(ev.comm);
  probeReadKernelStr(ev.filename, ctx.filename);
  events.submit(ev);
  return 0;
});
