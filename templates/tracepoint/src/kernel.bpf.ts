// The kernel side: counts the system calls each process makes. The raw_syscalls:sys_enter
// tracepoint fires on every system call entry, on every CPU; the count goes into a hash map keyed
// by the process id (the thread group id, as `ps` shows it).
import { tracepoint, HashMap, u32, u64, getCurrentPidTgid } from "tsbpf/kernel";

/** Process id → system calls it entered since the program was attached. */
export const syscalls = new HashMap({ key: u32, value: u64, maxEntries: 16384 });

export const countSyscalls = tracepoint("raw_syscalls/sys_enter", () => {
  const pid: u32 = u32(getCurrentPidTgid() >> 32);
  syscalls.increment(pid);
  return 0;
});
