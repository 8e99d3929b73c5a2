/* A TCP congestion control for the struct_ops tests: Reno through the kernel's own tcp_reno_*
 * kfuncs, counting its init and cong_avoid calls so a test can see it ran. The including file
 * picks the struct_ops section (and so whether registration goes through a link) and the name. */
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

/* [0]: init calls, [1]: cong_avoid calls. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} cc_calls SEC(".maps");

static void count(__u32 slot)
{
	__u64 *calls = bpf_map_lookup_elem(&cc_calls, &slot);
	if (calls)
		__sync_fetch_and_add(calls, 1);
}

SEC("struct_ops/cc_init")
void BPF_PROG(cc_init, struct sock *sk)
{
	count(0);
}

SEC("struct_ops/cc_cong_avoid")
void BPF_PROG(cc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	count(1);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/cc_ssthresh")
__u32 BPF_PROG(cc_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/cc_undo_cwnd")
__u32 BPF_PROG(cc_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(CC_SECTION)
struct tcp_congestion_ops CC_VARIABLE = {
	.init = (void *)cc_init,
	.cong_avoid = (void *)cc_cong_avoid,
	.ssthresh = (void *)cc_ssthresh,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = CC_NAME,
};
