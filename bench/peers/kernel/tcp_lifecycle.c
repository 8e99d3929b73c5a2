// The TCP lifecycle tracer of examples/kernel/tcp-lifecycle.bpf.ts, in C (libbpf CO-RE style), for
// the compiled-code benchmark. vmlinux.h is generated from the running kernel by the benchmark.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#define TCP_CLOSE_STATE 7
#define AF_INET6_FAMILY 10
#define IPPROTO_TCP_NUM 6

struct tcp_event {
  __u8 kind, family, oldstate, newstate;
  __u16 sport, dport;
  __u32 pid;
  __u64 skaddr, timestamp, bytesAcked, bytesReceived;
  __u8 saddr[16], daddr[16];
  char comm[16];
};

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int stateChange(struct trace_event_raw_inet_sock_set_state *ctx) {
  if (ctx->protocol != IPPROTO_TCP_NUM) return 0;
  struct tcp_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
  if (!ev) return 0;
  ev->kind = 0;
  ev->family = ctx->family;
  ev->oldstate = ctx->oldstate;
  ev->newstate = ctx->newstate;
  ev->sport = ctx->sport;
  ev->dport = ctx->dport;
  ev->pid = bpf_get_current_pid_tgid() >> 32;
  ev->skaddr = (__u64)ctx->skaddr;
  ev->timestamp = bpf_ktime_get_ns();
  ev->bytesAcked = 0;
  ev->bytesReceived = 0;
  // As libbpf-tools' tcpstates does: clang turns memcpy from ctx into a modified ctx pointer.
  if (ctx->family == AF_INET6_FAMILY) {
    bpf_probe_read_kernel(ev->saddr, 16, ctx->saddr_v6);
    bpf_probe_read_kernel(ev->daddr, 16, ctx->daddr_v6);
  } else {
    __builtin_memset(ev->saddr, 0, 16);
    __builtin_memset(ev->daddr, 0, 16);
    bpf_probe_read_kernel(ev->saddr, 4, ctx->saddr);
    bpf_probe_read_kernel(ev->daddr, 4, ctx->daddr);
  }
  bpf_get_current_comm(ev->comm, sizeof(ev->comm));
  bpf_ringbuf_submit(ev, 0);
  return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(closeStats, const struct sock *sk, int oldstate, int newstate) {
  if (newstate != TCP_CLOSE_STATE || sk->sk_protocol != IPPROTO_TCP_NUM) return 0;
  struct tcp_sock *tp = (struct tcp_sock *)sk;
  struct tcp_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
  if (!ev) return 0;
  ev->kind = 1;
  ev->family = sk->__sk_common.skc_family;
  ev->oldstate = oldstate;
  ev->newstate = newstate;
  ev->sport = bpf_ntohs(BPF_CORE_READ(tp, inet_conn.icsk_inet.inet_sport));
  ev->dport = bpf_ntohs(sk->__sk_common.skc_dport);
  ev->pid = bpf_get_current_pid_tgid() >> 32;
  ev->skaddr = (__u64)sk;
  ev->timestamp = bpf_ktime_get_ns();
  ev->bytesAcked = BPF_CORE_READ(tp, bytes_acked);
  ev->bytesReceived = BPF_CORE_READ(tp, bytes_received);
  __builtin_memset(ev->saddr, 0, 16);
  __builtin_memset(ev->daddr, 0, 16);
  bpf_get_current_comm(ev->comm, sizeof(ev->comm));
  bpf_ringbuf_submit(ev, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
