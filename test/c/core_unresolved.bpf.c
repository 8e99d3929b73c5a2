/* A CO-RE relocation that cannot be resolved against the running kernel: the field does not
 * exist, and the read is not guarded by bpf_core_field_exists(). libbpf poisons the
 * instruction; the verifier then rejects the program when the poisoned instruction is reachable. */
#include "common.h"

struct task_struct___old {
	int tsbpf_no_such_field;
} __attribute__((preserve_access_index));

__u64 value = 0;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(read_missing, struct task_struct *p)
{
	struct task_struct___old *old = (void *)p;

	value = BPF_CORE_READ(old, tsbpf_no_such_field);
	return 0;
}

/* The same read behind an existence check: dead code once relocated, so it loads. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(read_guarded, struct task_struct *p)
{
	struct task_struct___old *old = (void *)p;

	if (bpf_core_field_exists(old->tsbpf_no_such_field))
		value = BPF_CORE_READ(old, tsbpf_no_such_field);
	else
		value = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
