/* Map-in-map: an array of maps and a hash of maps, both with inner maps given by the .maps
 * initialiser. The XDP program looks up outer[first byte] and returns inner[0]. */
#include "common.h"

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array inner_a SEC(".maps");
struct inner_array inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 4);
		__type(key, __u32);
		__type(value, __u64);
	});
} by_id SEC(".maps");

SEC("xdp")
int lookup_inner(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, slot;
	__u32 *value;
	void *inner;

	if (data + 1 > data_end)
		return 1000;
	slot = *(__u8 *)data;
	inner = bpf_map_lookup_elem(&outer, &slot);
	if (!inner)
		return 1001;
	value = bpf_map_lookup_elem(inner, &zero);
	if (!value)
		return 1002;
	return *value;
}

SEC("xdp")
int lookup_hash_of_maps(struct xdp_md *ctx)
{
	__u32 key = 5, zero = 0;
	__u64 *value;
	void *inner = bpf_map_lookup_elem(&by_id, &key);

	if (!inner)
		return 2000;
	value = bpf_map_lookup_elem(inner, &zero);
	return value ? (int)*value : 2001;
}

char LICENSE[] SEC("license") = "GPL";
