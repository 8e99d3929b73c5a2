// `npm start`: counts the system calls of every process and prints the ten busiest every second
// until Ctrl-C. Needs root (or CAP_BPF + CAP_PERFMON).
import { setTimeout as sleep } from "node:timers/promises";
import { SyscallCounter } from "./tracer.js";

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

using counter = new SyscallCounter().attach();
console.log("counting system calls per process (Ctrl-C to stop)");
while (!stop.signal.aborted) {
  await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
  console.log(`${new Date().toISOString().slice(11, 19)}  ${"PID".padStart(7)}  ${"COMMAND".padEnd(16)} SYSCALLS`);
  for (const p of counter.top())
    console.log(`          ${String(p.pid).padStart(7)}  ${p.command.padEnd(16)} ${p.syscalls}`);
}
