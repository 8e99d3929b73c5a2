/* A typed __ksym variable. Resolving it needs the kernel's BTF (done by the loader); loading it
 * needs the symbol's address in kallsyms, which kernels without CONFIG_KALLSYMS_ALL lack. */
#include "common.h"

extern const int bpf_prog_active __ksym;

__u64 prog_active = 0;

SEC("raw_tp/sys_enter")
int read_ksym(void *ctx)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	prog_active = *active;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
