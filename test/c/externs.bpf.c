/* Externs: .kconfig values (LINUX_KERNEL_VERSION, CONFIG_* from /proc/config.gz, a weak one
 * that is missing, a string) and __ksym kernel functions (kfuncs) resolved through the
 * kernel's BTF. */
#include "common.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern bool CONFIG_TSBPF_DOES_NOT_EXIST __kconfig __weak;
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

__u64 kernel_version = 0;
__u64 bpf_syscall = 0;
__u64 hz = 0;
__u64 jit = 0;
__u64 missing = 7;
__u64 self_pid = 99;
char localversion[16] = {};

SEC("xdp")
int read_externs(struct xdp_md *ctx)
{
	struct task_struct *self;

	kernel_version = LINUX_KERNEL_VERSION;
	bpf_syscall = CONFIG_BPF_SYSCALL;
	hz = CONFIG_HZ;
	jit = CONFIG_BPF_JIT;
	missing = CONFIG_TSBPF_DOES_NOT_EXIST;
	__builtin_memcpy(localversion, CONFIG_LOCALVERSION, sizeof(localversion));
	self = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	if (self) {
		self_pid = self->tgid;
		bpf_task_release(self);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
