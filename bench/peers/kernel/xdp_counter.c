// The XDP counter of examples/kernel/xdp-counter.bpf.ts, in C, for the compiled-code benchmark.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter { __u64 packets; __u64 bytes; };

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __type(key, __u16);
  __type(value, struct counter);
  __uint(max_entries, 256);
} etherTypes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __type(key, __u8);
  __type(value, struct counter);
  __uint(max_entries, 256);
} ipProtocols SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_PASS;
  __u32 len = end - data;
  __u16 type = bpf_ntohs(eth->h_proto);
  struct counter *c = bpf_map_lookup_elem(&etherTypes, &type);
  if (c) { c->packets += 1; c->bytes += len; }
  else { struct counter init = { 1, len }; bpf_map_update_elem(&etherTypes, &type, &init, BPF_ANY); }
  __u8 proto;
  if (type == ETH_P_IP) {
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_PASS;
    proto = ip->protocol;
  } else if (type == ETH_P_IPV6) {
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > end) return XDP_PASS;
    proto = ip6->nexthdr;
  } else {
    return XDP_PASS;
  }
  c = bpf_map_lookup_elem(&ipProtocols, &proto);
  if (c) { c->packets += 1; c->bytes += len; }
  else { struct counter init = { 1, len }; bpf_map_update_elem(&ipProtocols, &proto, &init, BPF_ANY); }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
