/* Several programs per section and subprograms: static and global functions in .text called
 * from programs in other sections (appended to each caller), a callback for bpf_loop (a
 * function address), and a subprogram calling another. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

static __noinline __u64 square(__u64 x)
{
	return x * x;
}

static __noinline __u64 sum_of_squares(__u64 a, __u64 b)
{
	return square(a) + square(b);
}

__noinline int global_add(int a, int b)
{
	return a + b;
}

static int add_index(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

static __always_inline void store(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	store(0, sum_of_squares(3, 4));
	return 1;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	__u64 total = 0;

	bpf_loop(10, add_index, &total, 0);
	store(1, total);
	return global_add(2, 3);
}

SEC("socket")
int sock_a(struct __sk_buff *skb)
{
	return square(5);
}

SEC("socket")
int sock_b(struct __sk_buff *skb)
{
	return global_add(40, 2) + sum_of_squares(1, 1);
}

char LICENSE[] SEC("license") = "GPL";
