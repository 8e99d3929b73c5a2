/* A BTF-defined map with a field libbpf does not know: the object is rejected. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(tsbpf_bogus_field, 7);
} bad SEC(".maps");

SEC("socket") int use_bad(void *ctx)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&bad, &zero) != 0;
}

char LICENSE[] SEC("license") = "GPL";
