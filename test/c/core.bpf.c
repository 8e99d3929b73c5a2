/* CO-RE against the running kernel: a tp_btf program on sched_process_exec reads task fields
 * through BPF_CORE_READ (field offsets), checks field/type/enum existence, field and type sizes,
 * enum values, a bitfield (signed/lshift/rshift), local type ids, and a ___flavor type. It
 * records what it saw in an array map the test compares with /proc and the kernel's BTF. */
#include "common.h"

struct exec_info {
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 flavor_tgid;
	__u64 comm_size;
	__u64 task_size;
	__u64 has_pid_field;
	__u64 has_missing_field;
	__u64 has_task_struct;
	__u64 has_missing_type;
	__u64 pidtype_pgid;
	__u64 has_pidtype_pgid;
	__u64 has_missing_enumval;
	__u64 in_execve;
	__u64 local_type_id;
	__u64 target_type_id;
	__u64 tgid_signed;
	char comm[16];
};

/* A flavor: matched against the kernel's task_struct by its name before ___. */
struct task_struct___flavor {
	int tgid;
	int field_that_does_not_exist;
} __attribute__((preserve_access_index));

struct type_that_does_not_exist {
	int x;
} __attribute__((preserve_access_index));

enum pid_type___local { PIDTYPE_PGID___local = 99, PIDTYPE_DOES_NOT_EXIST = 100 };

const volatile __u32 watch_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_info);
} seen SEC(".maps");

__u64 execs = 0;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct___flavor *flavored = (void *)p;
	struct exec_info *info;
	__u32 zero = 0;
	__u32 tgid = BPF_CORE_READ(p, tgid);

	execs++;
	if (watch_tgid && tgid != watch_tgid)
		return 0;
	info = bpf_map_lookup_elem(&seen, &zero);
	if (!info)
		return 0;
	info->pid = BPF_CORE_READ(p, pid);
	info->tgid = tgid;
	info->ppid = BPF_CORE_READ(p, real_parent, tgid);
	info->flavor_tgid = BPF_CORE_READ(flavored, tgid);
	info->comm_size = bpf_core_field_size(p->comm);
	info->task_size = bpf_core_type_size(struct task_struct);
	info->has_pid_field = bpf_core_field_exists(p->pid);
	info->has_missing_field = bpf_core_field_exists(flavored->field_that_does_not_exist);
	info->has_task_struct = bpf_core_type_exists(struct task_struct);
	info->has_missing_type = bpf_core_type_exists(struct type_that_does_not_exist);
	info->pidtype_pgid = bpf_core_enum_value(enum pid_type, PIDTYPE_PGID);
	info->has_pidtype_pgid = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_PGID);
	info->has_missing_enumval = bpf_core_enum_value_exists(enum pid_type___local, PIDTYPE_DOES_NOT_EXIST);
	info->in_execve = BPF_CORE_READ_BITFIELD_PROBED(p, in_execve);
	info->local_type_id = bpf_core_type_id_local(struct exec_info);
	info->target_type_id = bpf_core_type_id_kernel(struct task_struct);
	info->tgid_signed = __builtin_preserve_field_info(p->tgid, BPF_FIELD_SIGNED);
	BPF_CORE_READ_STR_INTO(&info->comm, p, comm);
	if (bpf_core_field_exists(flavored->field_that_does_not_exist))
		info->flavor_tgid = BPF_CORE_READ(flavored, field_that_does_not_exist); /* dead code */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
