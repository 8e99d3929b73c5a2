// The kernel side of `tsbpf tcp` (and TcpTracker): TCP connections and their traffic per process,
// counted in the kernel. Three families of programs share the maps below; user space loads one
// family (`--hooks`), chosen by what the kernel allows.
//
// Tracepoints (every kernel; the only family some hosts allow):
//
//   sock:inet_sock_set_state   CLOSE→SYN_SENT: a connect (process context: the caller's pid);
//                              SYN_RECV→ESTABLISHED: an accept (softirq: no process yet);
//                              SYN_SENT→ESTABLISHED: the connect succeeded;
//                              →FIN_WAIT1 / →LAST_ACK: close()/shutdown() (process context);
//                              →CLOSE: the end (a failure when a connect never got established);
//   tcp:tcp_destroy_sock       the socket is freed (closed by its process too): one ring buffer
//                              record per tracked connection, with the kernel's own byte counters
//                              (tcp_sock bytes_acked and bytes_received, probe-read);
//   sock:sock_send_length      the bytes each sendmsg (write, send, sendfile/splice…) returned;
//   sock:sock_recv_length      the bytes each recvmsg (read, recv…) returned, MSG_PEEK excepted;
//   syscalls:sys_exit_accept4  the process that accepted a connection (through its file table);
//   and sys_exit_accept        the tracker attaches accept4Exit to both (their records are alike);
//   tcp:tcp_retransmit_skb     a retransmitted segment (SYN retransmits included).
//
// Attribution: state changes to CLOSE, accepts and retransmits run in softirq or timer context,
// where "current" is whatever process the CPU interrupted. So a connection's process is taken
// where it is known — at connect, at accept()'s return, at each send/recv, at close()/shutdown() —
// and kept in `socks` (keyed by the struct sock address); softirq events use what is stored there.
// An accepted connection has pid 0 until a process accepts it (or sends, receives or closes on it).
//
// Kernel functions, where the kernel lets BPF trace them: the same counts from the functions a
// kprobe TCP monitor uses. fentry/fexit (trampolines) where allowed, else kprobe/kretprobe (the
// kretprobes find their arguments in `entered`, stored by the kprobe at entry, per thread):
//
//   tcp_v4_connect, tcp_v6_connect  returned 0: a connect (the SYN is out; process context);
//   tcp_finish_connect              the SYN-ACK arrived: the connect succeeded;
//   inet_accept (fexit) /           accept() took a connection: an accept, with its process;
//   inet_csk_accept (kretprobe)
//   tcp_sendmsg (return value)      the bytes each send/write returned;
//   tcp_cleanup_rbuf (copied)       the bytes each recv/read copied to the process;
//   tcp_retransmit_skb              a retransmitted segment;
//   tcp_close                       the process closed it: the end (a failure when a connect never
//                                   got established), and its closed-connection record.
//
// Only connections a process connected or accepted while watching are tracked this way.
import {
  tracepoint,
  fentry,
  fexit,
  kprobe,
  kretprobe,
  HashMap,
  RingBuf,
  LruHashMap,
  PerCpuArrayMap,
  struct,
  bytes,
  cstring,
  zeroed,
  cast,
  atomicAdd,
  getCurrentPidTgid,
  getCurrentComm,
  getCurrentTask,
  addressOf,
  readKernel,
  probeReadKernel,
  ktimeGetNs,
  u8,
  u16,
  u32,
  u64,
  i32,
  i64,
  IPPROTO_TCP,
  AF_INET,
  AF_INET6,
  BPF_NOEXIST,
  type tcp_sock,
  type task_struct,
  type file,
  type socket,
  type sock,
  type inet_sock,
} from "../../kernel/index.js";

const TCP_ESTABLISHED = 1;
const TCP_SYN_SENT = 2;
const TCP_SYN_RECV = 3;
const TCP_FIN_WAIT1 = 4;
const TCP_CLOSE = 7;
const TCP_LAST_ACK = 9;
const MSG_PEEK = 2;

/** Set by user space before loading: 0 sends no closed-connection records (the table mode needs none). */
export const closedEvents: u32 = 1;

/** Direction of a connection: 1 connect (active open), 2 accept (passive open). */
export const DIRECTION_CONNECT = 1;
export const DIRECTION_ACCEPT = 2;

/** A connection being tracked (value of `socks`, keyed by the struct sock address). */
export class SockInfo extends struct({
  start: u64, // CLOCK_MONOTONIC ns at connect() (SYN_SENT) or at the accept (ESTABLISHED)
  sent: u64, // bytes the process(es) sent through send/write on it
  received: u64, // bytes the process(es) received through recv/read on it
  retransmits: u32,
  pid: u32, // process (tgid); 0 while an accepted connection has not been used by one
  direction: u8, // DIRECTION_CONNECT / DIRECTION_ACCEPT
  established: u8, // 1 once ESTABLISHED
  family: u8, // AF_INET / AF_INET6
  closedFrom: u8, // the state it went to CLOSE from; 0 while not closed
  end: u64, // CLOCK_MONOTONIC ns at CLOSE
  comm: cstring(16),
}) {}

/** Per process (tgid) since the start; key of `procs` is the pid. */
export class ProcStats extends struct({
  connects: u64, // connect() attempts (CLOSE→SYN_SENT)
  accepts: u64, // accepted connections attributed to this process
  failures: u64, // connects that ended before ESTABLISHED
  retransmits: u64, // retransmitted segments of its connections
  sent: u64, // bytes sent (send/write/sendfile… return values)
  received: u64, // bytes received (recv/read… return values)
  comm: cstring(16), // the command name when first seen
}) {}

/** Totals (per CPU; index 0 IPv4, 1 IPv6): never evicted. */
export class Totals extends struct({
  connects: u64,
  accepts: u64,
  failures: u64,
  retransmits: u64,
  sent: u64,
  received: u64,
  closed: u64,
}) {}

/** One tracked connection that reached CLOSE (ring buffer record). */
export class ClosedRecord extends struct({
  start: u64, // CLOCK_MONOTONIC ns at connect/accept
  end: u64, // CLOCK_MONOTONIC ns at CLOSE
  bytesAcked: u64, // tcp_sock.bytes_acked: payload bytes the peer acknowledged
  bytesReceived: u64, // tcp_sock.bytes_received: payload bytes received in sequence
  sent: u64, // bytes sent through send/write on it (from sock_send_length)
  received: u64, // bytes received through recv/read on it (from sock_recv_length)
  retransmits: u32,
  pid: u32,
  family: u8,
  direction: u8,
  established: u8,
  oldstate: u8, // the state it closed from
  sport: u16,
  dport: u16,
  saddr: bytes(16), // network order; IPv4 in the first 4 bytes
  daddr: bytes(16),
  comm: cstring(16),
}) {}

export const socks = new LruHashMap({ key: u64, value: SockInfo, maxEntries: 65536 });
export const procs = new LruHashMap({ key: u32, value: ProcStats, maxEntries: 16384 });
export const totals = new PerCpuArrayMap({ value: Totals, maxEntries: 2 });
export const closed = new RingBuf({ size: 256 * 1024 });
/** Closed-connection records the ring had no room for (index 0). */
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });

/** Index into `totals` for an address family. */
function familyIndex(family: u32): u32 {
  return family === AF_INET6 ? 1 : 0;
}

/** Makes sure `procs` has an entry for `pid` (named after the current task). */
function ensureProc(pid: u32): void {
  if (procs.lookup(pid) !== null) return;
  const p = zeroed(ProcStats);
  getCurrentComm(p.comm);
  procs.update(pid, p, BPF_NOEXIST);
}

/** Gives an accepted connection not yet attributed the current process, and counts the accept for it. */
function attribute(s: SockInfo, pid: u32): void {
  if (s.pid !== 0) return;
  s.pid = pid;
  getCurrentComm(s.comm);
  if (s.direction !== DIRECTION_ACCEPT) return;
  ensureProc(pid);
  const p = procs.lookup(pid);
  if (p !== null) atomicAdd(p, "accepts", 1);
}

/** A connect() that sent its SYN (process context): tracked from here, counted for the caller. */
function trackConnect(sk: u64, family: u32): void {
  const t = totals.lookup(familyIndex(family));
  if (t === null) return;
  const pid: u32 = getCurrentPidTgid() >> 32;
  const s = zeroed(SockInfo);
  s.start = ktimeGetNs();
  s.pid = pid;
  s.direction = DIRECTION_CONNECT;
  s.family = family;
  getCurrentComm(s.comm);
  socks.update(sk, s);
  t.connects += 1;
  ensureProc(pid);
  const p = procs.lookup(pid);
  if (p !== null) atomicAdd(p, "connects", 1);
}

/** Bytes the current process sent through a socket call on `sk`. */
function countSent(sk: u64, family: u32, n: u64): void {
  const pid: u32 = getCurrentPidTgid() >> 32;
  const s = socks.lookup(sk);
  if (s !== null) {
    atomicAdd(s, "sent", n);
    attribute(s, pid);
  }
  const t = totals.lookup(familyIndex(family));
  if (t !== null) t.sent += n;
  ensureProc(pid);
  const p = procs.lookup(pid);
  if (p !== null) atomicAdd(p, "sent", n);
}

/** Bytes the current process received through a socket call on `sk`. */
function countReceived(sk: u64, family: u32, n: u64): void {
  const pid: u32 = getCurrentPidTgid() >> 32;
  const s = socks.lookup(sk);
  if (s !== null) {
    atomicAdd(s, "received", n);
    attribute(s, pid);
  }
  const t = totals.lookup(familyIndex(family));
  if (t !== null) t.received += n;
  ensureProc(pid);
  const p = procs.lookup(pid);
  if (p !== null) atomicAdd(p, "received", n);
}

/** A retransmitted segment of `sk`. */
function countRetransmit(sk: u64, family: u32): void {
  const t = totals.lookup(familyIndex(family));
  if (t !== null) t.retransmits += 1;
  const s = socks.lookup(sk);
  if (s === null) return;
  atomicAdd(s, "retransmits", 1);
  if (s.pid !== 0) {
    const p = procs.lookup(s.pid);
    if (p !== null) atomicAdd(p, "retransmits", 1);
  }
}

export const stateChange = tracepoint("sock/inet_sock_set_state", (ctx) => {
  if (ctx.protocol !== IPPROTO_TCP) return 0;
  const family: u32 = ctx.family;
  if (family !== AF_INET && family !== AF_INET6) return 0;
  const oldstate: u32 = ctx.oldstate;
  const newstate: u32 = ctx.newstate;
  const sk: u64 = ctx.skaddr;
  const t = totals.lookup(familyIndex(family));
  if (t === null) return 0;

  if (newstate === TCP_SYN_SENT) {
    // connect(): process context.
    trackConnect(sk, family);
    return 0;
  }
  if (newstate === TCP_ESTABLISHED) {
    if (oldstate === TCP_SYN_SENT) {
      const s = socks.lookup(sk);
      if (s !== null) s.established = 1;
    } else if (oldstate === TCP_SYN_RECV) {
      // An accept, completed in softirq: the accepting process is not known yet.
      const s = zeroed(SockInfo);
      s.start = ktimeGetNs();
      s.direction = DIRECTION_ACCEPT;
      s.established = 1;
      s.family = family;
      socks.update(sk, s);
      t.accepts += 1;
    }
    return 0;
  }
  if (newstate === TCP_FIN_WAIT1 || newstate === TCP_LAST_ACK) {
    // close() or shutdown(): process context.
    const s = socks.lookup(sk);
    if (s !== null) attribute(s, getCurrentPidTgid() >> 32);
    return 0;
  }
  if (newstate !== TCP_CLOSE) return 0;

  const s = socks.lookup(sk);
  if (s === null) return 0;
  t.closed += 1;
  if (s.established === 0 && s.direction === DIRECTION_CONNECT) {
    t.failures += 1;
    if (s.pid !== 0) {
      const p = procs.lookup(s.pid);
      if (p !== null) atomicAdd(p, "failures", 1);
    }
  }
  // The record goes out when the socket is destroyed (below): what the process reads after the
  // peer's FIN closed the connection still counts.
  s.end = ktimeGetNs();
  s.closedFrom = oldstate;
  return 0;
});

/**
 * tcp:tcp_destroy_sock: the socket is freed — it reached CLOSE and its process closed it (or never
 * had it). One record per tracked connection.
 */
export const destroy = tracepoint("tcp/tcp_destroy_sock", (ctx) => {
  const sk: u64 = ctx.skaddr;
  const s = socks.lookup(sk);
  if (s === null) return 0;
  const family: u32 = ctx.family;
  if (closedEvents === 0) {
    socks.delete(sk);
    return 0;
  }
  const r = closed.reserve(ClosedRecord);
  if (r === null) {
    drops.increment(0);
  } else {
    const tp = cast<tcp_sock>(sk);
    r.start = s.start;
    r.end = s.end !== 0 ? s.end : ktimeGetNs();
    r.bytesAcked = tp.bytes_acked;
    r.bytesReceived = tp.bytes_received;
    r.sent = s.sent;
    r.received = s.received;
    r.retransmits = s.retransmits;
    r.pid = s.pid;
    r.family = family;
    r.direction = s.direction;
    r.established = s.established;
    r.oldstate = s.closedFrom !== 0 ? s.closedFrom : TCP_CLOSE;
    r.sport = ctx.sport;
    r.dport = ctx.dport;
    if (family === AF_INET6) {
      r.saddr.set(ctx.saddr_v6);
      r.daddr.set(ctx.daddr_v6);
    } else {
      r.saddr.fill(0);
      r.daddr.fill(0);
      r.saddr.set(ctx.saddr);
      r.daddr.set(ctx.daddr);
    }
    r.comm = s.comm;
    closed.submit(r);
  }
  socks.delete(sk);
  return 0;
});

/**
 * accept()/accept4() returned a descriptor: the accepting process takes the connection. The
 * descriptor's socket is found through the task's file table (probe reads): current->files->fdt
 * ->fd[ret]->private_data (struct socket)->sk.
 * @inline
 */
function onAccept(ret: i64): void {
  if (ret < 0 || ret >= 1048576) return;
  const task = cast<task_struct>(getCurrentTask());
  const fdt: u64 = addressOf(task.files.fdt);
  if (fdt === 0) return;
  // struct fdtable { unsigned int max_fds; struct file __rcu **fd; … }
  const fds: u64 = readKernel(u64, fdt + 8);
  if (fds === 0) return;
  const f: u64 = readKernel(u64, fds + ret * 8);
  if (f === 0) return;
  const sock: u64 = cast<file>(f).private_data;
  if (sock === 0) return;
  const sk: u64 = addressOf(cast<socket>(sock).sk);
  const s = socks.lookup(sk);
  if (s !== null) attribute(s, getCurrentPidTgid() >> 32);
}

export const accept4Exit = tracepoint("syscalls/sys_exit_accept4", (ctx) => {
  onAccept(ctx.ret);
  return 0;
});

export const sendLength = tracepoint("sock/sock_send_length", (ctx) => {
  if (ctx.protocol !== IPPROTO_TCP) return 0;
  const ret: i32 = ctx.ret;
  if (ret <= 0) return 0;
  const family: u32 = ctx.family;
  if (family !== AF_INET && family !== AF_INET6) return 0;
  const n: u64 = ret;
  countSent(ctx.sk, family, n);
  return 0;
});

export const recvLength = tracepoint("sock/sock_recv_length", (ctx) => {
  if (ctx.protocol !== IPPROTO_TCP) return 0;
  const ret: i32 = ctx.ret;
  if (ret <= 0 || (ctx.flags & MSG_PEEK) !== 0) return 0;
  const family: u32 = ctx.family;
  if (family !== AF_INET && family !== AF_INET6) return 0;
  const n: u64 = ret;
  countReceived(ctx.sk, family, n);
  return 0;
});

export const retransmit = tracepoint("tcp/tcp_retransmit_skb", (ctx) => {
  countRetransmit(ctx.skaddr, ctx.family);
  return 0;
});

// ---- kernel functions (fentry/fexit and kprobe/kretprobe) ---------------------------------------

/** A socket's address family (AF_INET, AF_INET6; other values for non-IP sockets). */
function familyOf(sk: u64): u32 {
  return cast<sock>(sk).__sk_common.skc_family;
}

/** accept() gave the current process `sk`: tracked from here, counted as an accept for it. */
function trackAccept(sk: u64): void {
  if (sk === 0 || cast<sock>(sk).sk_protocol !== IPPROTO_TCP) return;
  const family = familyOf(sk);
  if (family !== AF_INET && family !== AF_INET6) return;
  const t = totals.lookup(familyIndex(family));
  if (t === null) return;
  const pid: u32 = getCurrentPidTgid() >> 32;
  const s = zeroed(SockInfo);
  s.start = ktimeGetNs();
  s.pid = pid;
  s.direction = DIRECTION_ACCEPT;
  s.established = 1;
  s.family = family;
  getCurrentComm(s.comm);
  socks.update(sk, s);
  t.accepts += 1;
  ensureProc(pid);
  const p = procs.lookup(pid);
  if (p !== null) atomicAdd(p, "accepts", 1);
}

/** The SYN-ACK of a tracked connect arrived (tcp_finish_connect). */
function markEstablished(sk: u64): void {
  const s = socks.lookup(sk);
  if (s !== null) s.established = 1;
}

/** Bytes sent or received on `sk` as a kernel function reported them (n ≤ 0: nothing). */
function countFunctionBytes(sk: u64, n: i64, sent: u32): void {
  if (n <= 0) return;
  const family = familyOf(sk);
  if (family !== AF_INET && family !== AF_INET6) return;
  const bytes: u64 = n;
  if (sent !== 0) countSent(sk, family, bytes);
  else countReceived(sk, family, bytes);
}

/**
 * tcp_close(): the process let go of a tracked connection. Counted as closed (a failure when a
 * connect never got established), and its record goes out with the ports and addresses of its
 * sock_common and the state it was in.
 */
function closeTracked(sk: u64): void {
  const s = socks.lookup(sk);
  if (s === null) return;
  attribute(s, getCurrentPidTgid() >> 32);
  const family: u32 = s.family;
  const t = totals.lookup(familyIndex(family));
  if (t !== null) {
    t.closed += 1;
    if (s.established === 0 && s.direction === DIRECTION_CONNECT) {
      t.failures += 1;
      if (s.pid !== 0) {
        const p = procs.lookup(s.pid);
        if (p !== null) atomicAdd(p, "failures", 1);
      }
    }
  }
  if (closedEvents === 0) {
    socks.delete(sk);
    return;
  }
  const r = closed.reserve(ClosedRecord);
  if (r === null) {
    drops.increment(0);
  } else {
    const tp = cast<tcp_sock>(sk);
    const common = cast<sock>(sk).__sk_common;
    r.start = s.start;
    r.end = ktimeGetNs();
    r.bytesAcked = tp.bytes_acked;
    r.bytesReceived = tp.bytes_received;
    r.sent = s.sent;
    r.received = s.received;
    r.retransmits = s.retransmits;
    r.pid = s.pid;
    r.family = family;
    r.direction = s.direction;
    r.established = s.established;
    r.oldstate = common.skc_state;
    // Ports in network order: skc_num is already 0 once the socket reached CLOSE (its port was
    // released), inet_sport stays.
    const sport: u32 = cast<inet_sock>(sk).inet_sport;
    const dport: u32 = common.skc_dport;
    r.sport = ((sport & 0xff) << 8) | ((sport >> 8) & 0xff);
    r.dport = ((dport & 0xff) << 8) | ((dport >> 8) & 0xff);
    r.saddr.fill(0);
    r.daddr.fill(0);
    if (family === AF_INET6) {
      probeReadKernel(r.saddr, addressOf(common.skc_v6_rcv_saddr));
      probeReadKernel(r.daddr, addressOf(common.skc_v6_daddr));
    } else {
      // IPv4 addresses are stored in network order: their bytes in memory are the address's.
      const saddr: u32 = common.skc_rcv_saddr;
      const daddr: u32 = common.skc_daddr;
      r.saddr[0] = saddr & 0xff;
      r.saddr[1] = (saddr >> 8) & 0xff;
      r.saddr[2] = (saddr >> 16) & 0xff;
      r.saddr[3] = (saddr >> 24) & 0xff;
      r.daddr[0] = daddr & 0xff;
      r.daddr[1] = (daddr >> 8) & 0xff;
      r.daddr[2] = (daddr >> 16) & 0xff;
      r.daddr[3] = (daddr >> 24) & 0xff;
    }
    r.comm = s.comm;
    closed.submit(r);
  }
  socks.delete(sk);
}

// fentry/fexit: the arguments come from the trampoline. Only arguments present on every kernel
// are read (inet_accept's third one changed in 6.10), and return values only where the argument
// count is the same everywhere (fexit reads the return value after the arguments).

export const fentryConnect4 = fexit("tcp_v4_connect", (ctx, sk, uaddr, addrLen, ret) => {
  // tcp_v6_connect calls tcp_v4_connect for v4-mapped addresses: counted there.
  if (ret === 0 && sk.__sk_common.skc_family === AF_INET) trackConnect(addressOf(sk), AF_INET);
  return 0;
});

export const fentryConnect6 = fexit("tcp_v6_connect", (ctx, sk, uaddr, addrLen, ret) => {
  if (ret === 0 && sk.__sk_common.skc_family === AF_INET6) trackConnect(addressOf(sk), AF_INET6);
  return 0;
});

export const fentryEstablished = fentry("tcp_finish_connect", (ctx, sk) => {
  markEstablished(addressOf(sk));
  return 0;
});

export const fentryAccept = fexit("inet_accept", (ctx, sock, newsock) => {
  trackAccept(addressOf(newsock.sk));
  return 0;
});

export const fentrySend = fexit("tcp_sendmsg", (ctx, sk, msg, size, ret) => {
  countFunctionBytes(addressOf(sk), ret, 1);
  return 0;
});

export const fentryRecv = fentry("tcp_cleanup_rbuf", (ctx, sk, copied) => {
  countFunctionBytes(addressOf(sk), copied, 0);
  return 0;
});

export const fentryRetransmit = fentry("tcp_retransmit_skb", (ctx, sk) => {
  const family: u32 = sk.__sk_common.skc_family;
  if (family === AF_INET || family === AF_INET6) countRetransmit(addressOf(sk), family);
  return 0;
});

export const fentryClose = fentry("tcp_close", (ctx, sk) => {
  closeTracked(addressOf(sk));
  return 0;
});

// kprobe/kretprobe: a kretprobe sees only the return value, so the kprobe at entry keeps the
// socket per thread (pid_tgid); connect and sendmsg get a map each, as a fast-open sendmsg
// connects from inside tcp_sendmsg.
export const connecting = new HashMap({ key: u64, value: u64, maxEntries: 16384 });
export const sending = new HashMap({ key: u64, value: u64, maxEntries: 16384 });

export const kprobeConnect4 = kprobe("tcp_v4_connect", (ctx, sk) => {
  if (sk.__sk_common.skc_family === AF_INET) connecting.update(getCurrentPidTgid(), addressOf(sk));
  return 0;
});

export const kprobeConnect6 = kprobe("tcp_v6_connect", (ctx, sk) => {
  if (sk.__sk_common.skc_family === AF_INET6) connecting.update(getCurrentPidTgid(), addressOf(sk));
  return 0;
});

/** @inline */
function connectReturned(ret: i64, family: u32): void {
  const id = getCurrentPidTgid();
  const entry = connecting.lookup(id);
  if (entry === null) return;
  const sk: u64 = entry.value;
  connecting.delete(id);
  if (ret === 0 && familyOf(sk) === family) trackConnect(sk, family);
}

export const kretprobeConnect4 = kretprobe("tcp_v4_connect", (ctx, ret) => {
  connectReturned(ret, AF_INET);
  return 0;
});

export const kretprobeConnect6 = kretprobe("tcp_v6_connect", (ctx, ret) => {
  connectReturned(ret, AF_INET6);
  return 0;
});

export const kprobeEstablished = kprobe("tcp_finish_connect", (ctx, sk) => {
  markEstablished(addressOf(sk));
  return 0;
});

export const kretprobeAccept = kretprobe("inet_csk_accept", (ctx, sk) => {
  trackAccept(addressOf(sk));
  return 0;
});

export const kprobeSend = kprobe("tcp_sendmsg", (ctx, sk) => {
  sending.update(getCurrentPidTgid(), addressOf(sk));
  return 0;
});

export const kretprobeSend = kretprobe("tcp_sendmsg", (ctx, ret) => {
  const id = getCurrentPidTgid();
  const entry = sending.lookup(id);
  if (entry === null) return 0;
  const sk: u64 = entry.value;
  sending.delete(id);
  countFunctionBytes(sk, ret, 1);
  return 0;
});

export const kprobeRecv = kprobe("tcp_cleanup_rbuf", (ctx, sk, copied) => {
  countFunctionBytes(addressOf(sk), copied, 0);
  return 0;
});

export const kprobeRetransmit = kprobe("tcp_retransmit_skb", (ctx, sk) => {
  const family: u32 = sk.__sk_common.skc_family;
  if (family === AF_INET || family === AF_INET6) countRetransmit(addressOf(sk), family);
  return 0;
});

export const kprobeClose = kprobe("tcp_close", (ctx, sk) => {
  closeTracked(addressOf(sk));
  return 0;
});
