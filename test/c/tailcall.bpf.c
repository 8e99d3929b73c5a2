/* Tail calls through a prog array filled from the .maps initialiser: the entry program jumps to
 * the slot named by the packet's first byte; each target returns its own value. */
#include "common.h"

SEC("xdp") int tail_one(struct xdp_md *ctx) { return 11; }
SEC("xdp") int tail_two(struct xdp_md *ctx) { return 22; }

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = {
		[1] = (void *)&tail_one,
		[2] = (void *)&tail_two,
	},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 1 > data_end)
		return 1;
	bpf_tail_call(ctx, &jump_table, *(__u8 *)data);
	return 99; /* empty slot */
}

char LICENSE[] SEC("license") = "GPL";
