// The kernel side of `tsbpf exec` (execsnoop), on tracepoints only (this kernel has no kprobes):
//
//   syscalls:sys_enter_execve / sys_enter_execveat — the program path and every argument, each
//     read with bpf_probe_read_user_str into per-CPU scratch memory and sent through the `events`
//     ring buffer as its own record of exactly its length (so a short command line costs little
//     ring space and a long one is not cut at a small fixed record size); then an "end of
//     arguments" record saying how many were read and whether more followed;
//   sched:sched_process_exec — only when a thread other than the leader exec'd: the task then
//     takes the process's pid (the leader's), and user space must move what it collected;
//   syscalls:sys_exit_execve and sys_exit_execveat (one program on both) — the result: pid, parent's pid, uid, the new
//     (or, when the exec failed, unchanged) comm, the return value (0 or -errno) and the time.
//
// User space (tracer.ts) joins the records of one exec by thread id: records of one task are in
// the ring in the order the task wrote them (the ring serializes its producers).
//
// Wake-ups: a wake-up of the reader costs the producer an irq_work (a self-IPI: some 15 µs of
// program run time on a VM) whether or not the reader is asleep, so no record forces one. Every
// record asks for the ring's default rule: wake the reader only when it has consumed everything
// before the record (it may be asleep). An exec after a quiet spell so wakes the reader at its
// path; the reader then lets the rest gather (the tools' gather interval) and finds the result
// with it. Under a steady stream the reader drains on its timer, and only the first record after
// each drain wakes it. No record may skip the rule: the reader can drain in the middle of an
// exec, and a record that did not wake it then would leave it asleep past every later record.
import {
  tracepoint,
  RingBuf,
  PerCpuArrayMap,
  struct,
  bytes,
  cstring,
  u32,
  u64,
  i64,
  u8,
  cast,
  getCurrentPidTgid,
  getCurrentUidGid,
  getCurrentComm,
  getCurrentTask,
  ktimeGetNs,
  probeReadUserStr,
  readUser,
  loop,
  type bool,
  type task_struct,
} from "../../kernel/index.js";

/** Arguments read per exec. */
const MAX_ARGS = 128;
/** Bytes per string read, with its NUL: arguments and the path are cut at ARG_BYTES - 1 bytes. */
const ARG_BYTES = 4096;
/** Bytes before `data` in a StringRecord. */
const HEADER_BYTES = 16;

// Record kinds (the first u32 of every record).
const KIND_PATH = 1;
const KIND_ARG = 2;
const KIND_ARGS_END = 3;
const KIND_RENAME = 4;
const KIND_RESULT = 5;

// StringRecord flags.
/** The string was longer than ARG_BYTES - 1 bytes and is cut. */
const FLAG_CUT = 1;
/** The string could not be read (the user page was not there). */
const FLAG_UNREADABLE = 2;
/** KIND_ARGS_END: argv had more than MAX_ARGS entries. */
const FLAG_MORE_ARGS = 4;

/** Set by user space before loading: only execs of this real uid (when `filterUid` is 1). */
export const filterUid: u32 = 0;
export const uid: u32 = 0;
/** Set by user space before loading: only execs in the network namespace of this inode (when `filterNetns` is 1). */
export const filterNetns: u32 = 0;
export const netnsInode: u32 = 0;

/** The path (KIND_PATH), one argument (KIND_ARG, index = its position), or the end of the arguments (KIND_ARGS_END, index = how many). */
export class StringRecord extends struct({
  kind: u32,
  tid: u32,
  index: u32,
  flags: u32,
  data: bytes(ARG_BYTES), // the string with its NUL; the record is sent cut after it
}) {}

/** A thread other than the leader exec'd: it is now `tid`, and was `oldTid`. */
export class RenameRecord extends struct({ kind: u32, tid: u32, oldTid: u32, pad: u32 }) {}

/** The exec's result, from the syscall's exit. */
export class ResultRecord extends struct({
  kind: u32,
  tid: u32,
  pid: u32,
  ppid: u32,
  uid: u32,
  pad: u32,
  ret: i64, // 0, or -errno
  timestamp: u64, // CLOCK_MONOTONIC, ns
  comm: cstring(16),
}) {}

export const events = new RingBuf({ size: 4 * 1024 * 1024 });
/** Records the ring had no room for (index 0). */
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });
/** Where strings are read before they are sent (too big for the stack). */
export const scratch = new PerCpuArrayMap({ value: StringRecord, maxEntries: 1 });

/** Whether the current task passes the uid and network namespace filters. */
function wanted(): bool {
  if (filterUid !== 0) {
    const current: u32 = getCurrentUidGid();
    if (current !== uid) return false;
  }
  if (filterNetns === 0) return true;
  const task = cast<task_struct>(getCurrentTask());
  // @ts-expect-error: struct net is opaque to tsc; the compiler reads its layout from kernel BTF
  const inode: u32 = task.nsproxy.net_ns.ns.inum;
  return inode === netnsInode;
}

/** Reads the user string at `address` into `r.data` and sends it as a record of its length. */
function sendString(r: StringRecord, kind: u32, index: u32, address: u64): void {
  r.kind = kind;
  r.index = index;
  r.flags = 0;
  let length: u32 = 0;
  const n: i64 = probeReadUserStr(r.data, address);
  if (n < 0) {
    r.flags = FLAG_UNREADABLE;
  } else {
    length = n;
    // A full buffer: cut, unless the string is exactly ARG_BYTES - 1 bytes long.
    if (length >= ARG_BYTES && readUser(u8, address + ARG_BYTES - 1) !== 0) r.flags = FLAG_CUT;
  }
  if (events.output(r, 0, HEADER_BYTES + length) !== 0) drops.increment(0);
}

/** What the argument loop carries from one argument to the next. */
export class ArgLoop extends struct({ argv: u64, tid: u32, count: u32 }) {}

/** One argument: argv[index] (bpf_loop body; 1 stops the loop). */
function sendArg(index: u32, state: ArgLoop): u32 {
  const p: u64 = readUser(u64, state.argv + index * 8);
  if (p === 0) return 1;
  const r = scratch.lookup(0);
  if (r === null) return 1;
  r.tid = state.tid;
  sendString(r, KIND_ARG, index, p);
  state.count = index + 1;
  return 0;
}

/**
 * The path and the arguments of an exec that is starting. The arguments are read by bpf_loop,
 * so the verifier checks the loop's body once instead of MAX_ARGS times (a faster load).
 */
function begin(path: u64, argv: u64): void {
  if (!wanted()) return;
  const r = scratch.lookup(0);
  if (r === null) return;
  const tid: u32 = getCurrentPidTgid();
  r.tid = tid;
  sendString(r, KIND_PATH, 0, path);
  const state: ArgLoop = { argv: argv, tid: tid, count: 0 };
  loop(MAX_ARGS, sendArg, state);
  let more: u32 = 0;
  if (state.count === MAX_ARGS && readUser(u64, argv + MAX_ARGS * 8) !== 0) more = FLAG_MORE_ARGS;
  const end = scratch.lookup(0);
  if (end === null) return;
  end.kind = KIND_ARGS_END;
  end.tid = tid;
  end.index = state.count;
  end.flags = more;
  if (events.output(end, 0, HEADER_BYTES) !== 0) drops.increment(0);
}

/** The result of an exec, at the syscall's exit. */
function finish(ret: i64): void {
  if (!wanted()) return;
  const r = events.reserve(ResultRecord);
  if (r === null) {
    drops.increment(0);
    return;
  }
  const pidTgid: u64 = getCurrentPidTgid();
  r.kind = KIND_RESULT;
  r.tid = pidTgid;
  r.pid = pidTgid >> 32;
  const task = cast<task_struct>(getCurrentTask());
  r.ppid = task.real_parent.tgid;
  r.uid = getCurrentUidGid();
  r.pad = 0;
  r.ret = ret;
  r.timestamp = ktimeGetNs();
  getCurrentComm(r.comm);
  events.submit(r);
}

export const enterExecve = tracepoint("syscalls/sys_enter_execve", (ctx) => {
  begin(ctx.filename, ctx.argv);
  return 0;
});

export const enterExecveat = tracepoint("syscalls/sys_enter_execveat", (ctx) => {
  begin(ctx.filename, ctx.argv);
  return 0;
});

export const execRename = tracepoint("sched/sched_process_exec", (ctx) => {
  const pid: u32 = ctx.pid;
  const oldPid: u32 = ctx.old_pid;
  if (pid === oldPid || !wanted()) return 0;
  const r: RenameRecord = { kind: KIND_RENAME, tid: pid, oldTid: oldPid, pad: 0 };
  if (events.output(r) !== 0) drops.increment(0);
  return 0;
});

/** Attached to both sys_exit_execve and sys_exit_execveat, whose records are the same (ret at 16). */
export const exitExec = tracepoint("syscalls/sys_exit_execve", (ctx) => {
  finish(ctx.ret);
  return 0;
});
