// A task iterator: one line per thread (tgid, pid, state, comm), like a tiny `ps -eL`. Every read()
// of the attached iterator walks the kernel's task list anew; user side: task-iterator.ts.
import { iter, str } from "tsbpf/kernel";

export const tasks = iter("task", (ctx) => {
  const task = ctx.task;
  if (task === null) return 0; // the walk's last call: nothing left to visit
  ctx.print(`${task.tgid} ${task.pid} ${task.__state} ${str(task.comm)}\n`);
  return 0;
});
