/* Shared by the test corpus: the kernel's types (vmlinux.h, generated at test time from
 * /sys/kernel/btf/vmlinux) and libbpf's BPF-side headers. */
#pragma once
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
