/* One program per common section name, to check the section table (program type, expected
 * attach type, attach target) against libbpf's. Not every kind loads on every kernel. */
#include "common.h"

#define BODY { return 0; }

SEC("kprobe/do_nanosleep") int kp(void *ctx) BODY
SEC("kretprobe/do_nanosleep") int krp(void *ctx) BODY
SEC("uprobe//bin/true:main") int up(void *ctx) BODY
SEC("uretprobe") int urp(void *ctx) BODY
SEC("tp/sched/sched_switch") int tp_short(void *ctx) BODY
SEC("tracepoint/sched/sched_process_fork") int tp_long(void *ctx) BODY
SEC("raw_tracepoint/sched_switch") int rawtp_long(void *ctx) BODY
SEC("tp_btf/sched_switch") int tpbtf(void *ctx) BODY
SEC("iter/task") int it(void *ctx) BODY
SEC("perf_event") int pe(void *ctx) BODY
SEC("fentry/do_unlinkat") int fe(void *ctx) BODY
SEC("fexit/do_unlinkat") int fx(void *ctx) BODY
SEC("lsm/file_open") int lsm_open(void *ctx) BODY
SEC("socket") int sock(void *ctx) BODY
SEC("tc") int tc_legacy(void *ctx) BODY
SEC("tcx/ingress") int tcx_in(void *ctx) BODY
SEC("xdp.frags") int xdp_frags(void *ctx) { return XDP_PASS; }
SEC("cgroup_skb/ingress") int cg_in(void *ctx) { return 1; }
SEC("cgroup/connect4") int cg_conn(void *ctx) { return 1; }
SEC("sockops") int sock_ops_prog(void *ctx) BODY
SEC("sk_msg") int skmsg(void *ctx) { return SK_PASS; }
SEC("sk_skb/stream_verdict") int sk_verdict(void *ctx) { return SK_PASS; }
SEC("flow_dissector") int flow(void *ctx) BODY
SEC("sk_lookup") int lookup(void *ctx) { return SK_PASS; }
SEC("syscall") int sys(void *ctx) BODY

char LICENSE[] SEC("license") = "GPL";
