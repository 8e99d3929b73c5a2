// The capture program of examples/kernel/capture.bpf.ts, in C, for the compiled-code benchmark.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define MAX_SNAP 1536
const volatile __u32 snapLength = 262;

struct capture {
  __u64 timestamp;
  __u32 length, captured, ifindex, direction;
  __u8 data[MAX_SNAP];
};

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __type(key, __u32); __type(value, struct capture); __uint(max_entries, 1); } scratch SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4 * 1024 * 1024); } packets SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __type(key, __u32); __type(value, __u64); __uint(max_entries, 1); } drops SEC(".maps");

static __always_inline __u64 snap(__u64 length) {
  __u64 n = length < snapLength ? length : snapLength;
  if (n > MAX_SNAP) n = MAX_SNAP;
  return n;
}

static __always_inline void count_drop(void) {
  __u32 zero = 0;
  __u64 *d = bpf_map_lookup_elem(&drops, &zero);
  if (d) *d += 1;
}

SEC("xdp")
int ingress(struct xdp_md *ctx) {
  __u32 zero = 0;
  struct capture *rec = bpf_map_lookup_elem(&scratch, &zero);
  if (!rec) return XDP_PASS;
  __u32 length = ctx->data_end - ctx->data;
  __u64 captured = snap(length); // 64-bit: without alu32 a u32 reaches the helper unbounded
  rec->timestamp = bpf_ktime_get_ns();
  rec->length = length;
  rec->captured = captured;
  rec->ifindex = ctx->ingress_ifindex;
  rec->direction = 0;
  // clang proves the bound and drops a plain re-check; the barrier makes it test the register the
  // helper gets, so the verifier sees the bound too (the usual idiom).
  barrier_var(captured);
  if (captured > MAX_SNAP) return XDP_PASS;
  barrier_var(captured); // keeps clang from folding the two tests into one the verifier cannot follow
  if (captured == 0 || bpf_xdp_load_bytes(ctx, 0, rec->data, captured) < 0) return XDP_PASS;
  if (bpf_ringbuf_output(&packets, rec, 24 + captured, 0) < 0) count_drop();
  return XDP_PASS;
}

SEC("tc")
int egress(struct __sk_buff *skb) {
  __u32 zero = 0;
  struct capture *rec = bpf_map_lookup_elem(&scratch, &zero);
  if (!rec) return TC_ACT_OK;
  __u32 length = skb->len;
  __u64 captured = snap(length); // 64-bit: without alu32 a u32 reaches the helper unbounded
  rec->timestamp = bpf_ktime_get_ns();
  rec->length = length;
  rec->captured = captured;
  rec->ifindex = skb->ifindex;
  rec->direction = 1;
  barrier_var(captured);
  if (captured > MAX_SNAP) return TC_ACT_OK;
  barrier_var(captured);
  if (captured == 0 || bpf_skb_load_bytes(skb, 0, rec->data, captured) < 0) return TC_ACT_OK;
  if (bpf_ringbuf_output(&packets, rec, 24 + captured, 0) < 0) count_drop();
  return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
