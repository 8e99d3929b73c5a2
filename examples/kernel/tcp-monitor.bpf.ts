// The classic kprobe TCP monitor, in kernel TypeScript: per process, the connects it made over
// IPv4 and IPv6 (kprobe + kretprobe on tcp_v4_connect / tcp_v6_connect, counted when the SYN went
// out), the connections it accepted (kretprobe on inet_csk_accept), the bytes it sent (what
// tcp_sendmsg returned), the bytes it received (tcp_cleanup_rbuf's `copied`) and the connections it
// closed (tcp_close). The functions' arguments are typed from vmlinux BTF. User side:
// tcp-monitor.ts. Kernels built without kprobes refuse to attach them (tsbpf says so); there,
// `tsbpf tcp --hooks tracepoint` counts the same with tracepoints.
import {
  kprobe,
  kretprobe,
  HashMap,
  struct,
  getCurrentPidTgid,
  addressOf,
  u32,
  u64,
  i64,
  AF_INET,
  AF_INET6,
  BPF_NOEXIST,
} from "tsbpf/kernel";

export const PidStats = struct({
  connects4: u64,
  connects6: u64,
  accepts: u64,
  sent: u64,
  received: u64,
  closed: u64,
});

/** Per process (tgid). */
export const stats = new HashMap({ key: u32, value: PidStats, maxEntries: 8192 });
/** The socket each thread is connecting (key: pid_tgid), from the kprobe to its kretprobe. */
export const connecting = new HashMap({ key: u64, value: u64, maxEntries: 8192 });

const TCP_LISTEN = 10;

/** The current process's entry, created empty on first use. */
function current(): u32 {
  const pid: u32 = getCurrentPidTgid() >> 32;
  stats.update(pid, { connects4: 0, connects6: 0, accepts: 0, sent: 0, received: 0, closed: 0 }, BPF_NOEXIST);
  return pid;
}

// tcp_v6_connect calls tcp_v4_connect for an IPv4-mapped address: each kprobe keeps only sockets
// of its own family, so such a connect counts once, as IPv6.
export const connect4 = kprobe("tcp_v4_connect", (ctx, sk) => {
  if (sk.__sk_common.skc_family === AF_INET) connecting.update(getCurrentPidTgid(), addressOf(sk));
  return 0;
});

export const connect6 = kprobe("tcp_v6_connect", (ctx, sk) => {
  if (sk.__sk_common.skc_family === AF_INET6) connecting.update(getCurrentPidTgid(), addressOf(sk));
  return 0;
});

/** A connect returned: 0 means its SYN is out. @inline */
function connectReturned(ret: i64, v6: u32): void {
  const id = getCurrentPidTgid();
  if (connecting.lookup(id) === null) return;
  connecting.delete(id);
  if (ret !== 0) return;
  const s = stats.lookup(current());
  if (s === null) return;
  if (v6 !== 0) s.connects6 += 1;
  else s.connects4 += 1;
}

export const connect4Return = kretprobe("tcp_v4_connect", (ctx, ret) => {
  connectReturned(ret, 0);
  return 0;
});

export const connect6Return = kretprobe("tcp_v6_connect", (ctx, ret) => {
  connectReturned(ret, 1);
  return 0;
});

export const acceptReturn = kretprobe("inet_csk_accept", (ctx, sk) => {
  if (addressOf(sk) === 0) return 0;
  const s = stats.lookup(current());
  if (s !== null) s.accepts += 1;
  return 0;
});

export const sendReturn = kretprobe("tcp_sendmsg", (ctx, ret) => {
  const n: i64 = ret;
  if (n <= 0) return 0;
  const s = stats.lookup(current());
  if (s !== null) s.sent += n;
  return 0;
});

export const received = kprobe("tcp_cleanup_rbuf", (ctx, sk, copied) => {
  const n: i64 = copied;
  if (n <= 0) return 0;
  const s = stats.lookup(current());
  if (s !== null) s.received += n;
  return 0;
});

export const close = kprobe("tcp_close", (ctx, sk) => {
  // A listening socket is not a connection.
  if (sk.__sk_common.skc_state === TCP_LISTEN) return 0;
  const s = stats.lookup(current());
  if (s !== null) s.closed += 1;
  return 0;
});
