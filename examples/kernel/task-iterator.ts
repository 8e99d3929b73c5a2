// User side of the task iterator: the kernel's threads, read through the iterator's seq_file.
// `node dist/examples/kernel/task-iterator.js`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import type * as Kernel from "./task-iterator.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "task-iterator.bpf.ts",
);

export interface TaskLine {
  tgid: number;
  pid: number;
  state: number;
  comm: string;
}

/** Every thread on the system, as the kernel walks them now. */
export async function listTasks(): Promise<TaskLine[]> {
  using object = KernelObject.load<typeof Kernel>(await artifactFor(SOURCE));
  const link = object.programs.tasks.attach();
  try {
    const out: TaskLine[] = [];
    for await (const line of link.lines()) {
      const [tgid, pid, state, ...comm] = line.split(" ");
      out.push({ tgid: Number(tgid), pid: Number(pid), state: Number(state), comm: comm.join(" ") });
    }
    return out;
  } finally {
    link.detach();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const t of await listTasks()) console.log(`${t.tgid}\t${t.pid}\t${t.state}\t${t.comm}`);
}
