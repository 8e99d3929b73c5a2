/* Tracepoint and raw tracepoint programs counting getuid() calls per process into a hash map
 * pinned by name, plus a ring buffer of events. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} getuid_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} raw_enters SEC(".maps");

struct event {
	__u32 tgid;
	__u32 syscall_nr;
	char comm[16];
};

/* Puts struct event into the object's BTF, for user space to decode records with. */
const struct event *unused_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} events SEC(".maps");

const volatile __u32 only_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getuid")
int count_getuid(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *count;
	struct event *e;

	if (only_tgid && tgid != only_tgid)
		return 0;
	count = bpf_map_lookup_elem(&getuid_calls, &tgid);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&getuid_calls, &tgid, &one, BPF_NOEXIST);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->tgid = tgid;
		e->syscall_nr = 102;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int count_raw(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	__u64 *n;

	if (only_tgid && (bpf_get_current_pid_tgid() >> 32) != only_tgid)
		return 0;
	n = bpf_map_lookup_elem(&raw_enters, &zero);
	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
