// The exec tracer of examples/kernel/exec-tracer.bpf.ts, in C (libbpf CO-RE style), for the
// compiled-code benchmark. vmlinux.h is generated from the running kernel by the benchmark.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct exec_event { __u32 pid, ppid; char comm[16]; char filename[256]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __type(key, __u32); __type(value, __u64); __uint(max_entries, 1); } drops SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int onExec(struct trace_event_raw_sched_process_exec *ctx) {
  struct exec_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
  if (!ev) {
    __u32 zero = 0;
    __u64 *d = bpf_map_lookup_elem(&drops, &zero);
    if (d) *d += 1;
    return 0;
  }
  ev->pid = ctx->pid;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
  bpf_get_current_comm(ev->comm, sizeof(ev->comm));
  unsigned off = ctx->__data_loc_filename & 0xffff;
  bpf_probe_read_kernel_str(ev->filename, sizeof(ev->filename), (void *)ctx + off);
  bpf_ringbuf_submit(ev, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
