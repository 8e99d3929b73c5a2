// Per-process TCP statistics from kernel functions: connects (kprobe + kretprobe on
// tcp_v4_connect, with the socket typed from BTF) and bytes sent (fentry on tcp_sendmsg), the
// classic kprobe TCP monitor. Kernels without kprobes or trampolines refuse to attach/load them
// (tsbpf says which); there, trace with tracepoints or tp_btf instead.
import { fentry, getCurrentPidTgid, HashMap, kprobe, kretprobe, struct, u32, u64 } from "tsbpf/kernel";

export const Stats = struct({ connects: u64, failed: u64, bytes: u64, lastPort: u32 });
export const stats = new HashMap({ key: u32, value: Stats, maxEntries: 4096 });

const AF_INET = 2;

const BPF_NOEXIST = 1;

export const connectEntry = kprobe("tcp_v4_connect", (ctx, sk) => {
  if (sk.__sk_common.skc_family !== AF_INET) return 0;
  const tgid = getCurrentPidTgid() >> 32;
  stats.update(tgid, { connects: 0, failed: 0, bytes: 0, lastPort: 0 }, BPF_NOEXIST);
  const s = stats.lookup(tgid);
  if (s !== null) s.connects += 1;
  return 0;
});

export const connectExit = kretprobe("tcp_v4_connect", (ctx, ret) => {
  if (ret === 0) return 0;
  const tgid = getCurrentPidTgid() >> 32;
  stats.update(tgid, { connects: 0, failed: 0, bytes: 0, lastPort: 0 }, BPF_NOEXIST);
  const s = stats.lookup(tgid);
  if (s !== null) s.failed += 1;
  return 0;
});

export const sendEntry = fentry("tcp_sendmsg", (ctx, sk, msg, size) => {
  const tgid = getCurrentPidTgid() >> 32;
  stats.update(tgid, { connects: 0, failed: 0, bytes: 0, lastPort: 0 }, BPF_NOEXIST);
  const s = stats.lookup(tgid);
  if (s !== null) {
    s.bytes += size;
    s.lastPort = sk.__sk_common.skc_dport;
  }
  return 0;
});
