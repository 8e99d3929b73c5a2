// The TCP/UDP monitor of examples/kernel/flow-monitor.bpf.ts, in C, for the compiled-code benchmark.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#define AF_INET 2
#define AF_INET6 10
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct packet_info {
  __u8 family, protocol;
  __u16 vlan, sport, dport;
  __u32 length;
  __u8 saddr[16], daddr[16];
};

struct vlan_hdr { __be16 tci; __be16 proto; };
struct ports { __be16 sport, dport; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } packets SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __type(key, __u32); __type(value, __u64); __uint(max_entries, 1); } drops SEC(".maps");

SEC("xdp")
int monitor(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_PASS;
  __u16 type = bpf_ntohs(eth->h_proto);
  __u32 offset = sizeof(*eth);
  __u16 vlan = 0;
  if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
    struct vlan_hdr *tag = (void *)(eth + 1);
    if ((void *)(tag + 1) > end) return XDP_PASS;
    vlan = bpf_ntohs(tag->tci) & 0xfff;
    type = bpf_ntohs(tag->proto);
    offset += sizeof(*tag);
  }
  if (type != ETH_P_IP && type != ETH_P_IPV6) return XDP_PASS;
  struct packet_info *info = bpf_ringbuf_reserve(&packets, sizeof(*info), 0);
  if (!info) {
    __u32 zero = 0;
    __u64 *d = bpf_map_lookup_elem(&drops, &zero);
    if (d) *d += 1;
    return XDP_PASS;
  }
  info->vlan = vlan;
  info->length = end - data;
  info->sport = 0;
  info->dport = 0;
  __u32 l4;
  if (type == ETH_P_IP) {
    struct iphdr *ip = data + offset;
    if ((void *)(ip + 1) > end) { bpf_ringbuf_discard(info, 0); return XDP_PASS; }
    info->family = AF_INET;
    info->protocol = ip->protocol;
    __builtin_memset(info->saddr, 0, 16);
    __builtin_memset(info->daddr, 0, 16);
    __builtin_memcpy(info->saddr, &ip->saddr, 4);
    __builtin_memcpy(info->daddr, &ip->daddr, 4);
    l4 = offset + ip->ihl * 4;
  } else {
    struct ipv6hdr *ip6 = data + offset;
    if ((void *)(ip6 + 1) > end) { bpf_ringbuf_discard(info, 0); return XDP_PASS; }
    info->family = AF_INET6;
    info->protocol = ip6->nexthdr;
    __builtin_memcpy(info->saddr, &ip6->saddr, 16);
    __builtin_memcpy(info->daddr, &ip6->daddr, 16);
    l4 = offset + sizeof(*ip6);
  }
  if (info->protocol == IPPROTO_TCP || info->protocol == IPPROTO_UDP) {
    struct ports *p = data + l4;
    if ((void *)(p + 1) <= end) {
      info->sport = bpf_ntohs(p->sport);
      info->dport = bpf_ntohs(p->dport);
    }
  }
  bpf_ringbuf_submit(info, 0);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
