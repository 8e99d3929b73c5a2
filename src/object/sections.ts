// Program types from ELF section names, following libbpf's conventions (its section table):
// `xdp`, `tc`, `socket`, `tracepoint/CAT/NAME`, `tp_btf/EVENT`, `kprobe/FUNC`, `uprobe/PATH:FUNC`
// and so on. A name ending in "+" in the table matches the bare name or the name followed by
// "/anything"; other names match exactly. The first match wins, so more specific names come first.
import { AttachType, ProgType } from "../uapi.js";

/** How a program of this section is attached (what the loader's auto-attach does). */
export type SectionKind =
  | "socket"
  | "sk_reuseport"
  | "kprobe"
  | "kretprobe"
  | "uprobe"
  | "uretprobe"
  | "kprobe_multi"
  | "uprobe_multi"
  | "ksyscall"
  | "usdt"
  | "tc"
  | "tcx"
  | "netkit"
  | "tracepoint"
  | "raw_tracepoint"
  | "raw_tracepoint_writable"
  | "tp_btf"
  | "fentry"
  | "fexit"
  | "fmod_ret"
  | "freplace"
  | "lsm"
  | "lsm_cgroup"
  | "iter"
  | "syscall"
  | "xdp"
  | "xdp_devmap"
  | "xdp_cpumap"
  | "perf_event"
  | "lwt"
  | "sockops"
  | "sk_skb"
  | "sk_msg"
  | "lirc_mode2"
  | "flow_dissector"
  | "cgroup_skb"
  | "cgroup_sock"
  | "cgroup_sock_addr"
  | "cgroup_sysctl"
  | "cgroup_sockopt"
  | "cgroup_device"
  | "struct_ops"
  | "sk_lookup"
  | "netfilter";

export interface SectionDef {
  /** The table entry, e.g. "kprobe+" or "cgroup_skb/ingress". */
  pattern: string;
  kind: SectionKind;
  progType: ProgType;
  /** Expected attach type passed at load time (0 when the type has none). */
  expectedAttachType: number;
  /** BPF_F_SLEEPABLE. */
  sleepable: boolean;
  /** BPF_F_XDP_HAS_FRAGS. */
  frags: boolean;
  /** The part after "/" names a BTF type to attach to (tp_btf, fentry, lsm, iter…). */
  attachBtf: boolean;
}

type Row = [pattern: string, kind: SectionKind, progType: ProgType, attach: number, flags?: string];

const P = ProgType;
const A = AttachType;

// Order matters: first match wins.
const TABLE: readonly Row[] = [
  ["socket", "socket", P.SOCKET_FILTER, 0],
  ["sk_reuseport/migrate", "sk_reuseport", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE],
  ["sk_reuseport", "sk_reuseport", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT],
  ["kprobe+", "kprobe", P.KPROBE, 0],
  ["uprobe+", "uprobe", P.KPROBE, 0],
  ["uprobe.s+", "uprobe", P.KPROBE, 0, "s"],
  ["kretprobe+", "kretprobe", P.KPROBE, 0],
  ["uretprobe+", "uretprobe", P.KPROBE, 0],
  ["uretprobe.s+", "uretprobe", P.KPROBE, 0, "s"],
  ["kprobe.multi+", "kprobe_multi", P.KPROBE, A.TRACE_KPROBE_MULTI],
  ["kretprobe.multi+", "kprobe_multi", P.KPROBE, A.TRACE_KPROBE_MULTI],
  ["kprobe.session+", "kprobe_multi", P.KPROBE, A.TRACE_KPROBE_SESSION],
  ["uprobe.multi+", "uprobe_multi", P.KPROBE, A.TRACE_UPROBE_MULTI],
  ["uretprobe.multi+", "uprobe_multi", P.KPROBE, A.TRACE_UPROBE_MULTI],
  ["uprobe.multi.s+", "uprobe_multi", P.KPROBE, A.TRACE_UPROBE_MULTI, "s"],
  ["uretprobe.multi.s+", "uprobe_multi", P.KPROBE, A.TRACE_UPROBE_MULTI, "s"],
  ["ksyscall+", "ksyscall", P.KPROBE, 0],
  ["kretsyscall+", "ksyscall", P.KPROBE, 0],
  ["usdt+", "usdt", P.KPROBE, 0],
  ["usdt.s+", "usdt", P.KPROBE, 0, "s"],
  ["tc/ingress", "tcx", P.SCHED_CLS, A.TCX_INGRESS],
  ["tc/egress", "tcx", P.SCHED_CLS, A.TCX_EGRESS],
  ["tcx/ingress", "tcx", P.SCHED_CLS, A.TCX_INGRESS],
  ["tcx/egress", "tcx", P.SCHED_CLS, A.TCX_EGRESS],
  ["tc", "tc", P.SCHED_CLS, 0],
  ["classifier", "tc", P.SCHED_CLS, 0],
  ["action", "tc", P.SCHED_ACT, 0],
  ["netkit/primary", "netkit", P.SCHED_CLS, A.NETKIT_PRIMARY],
  ["netkit/peer", "netkit", P.SCHED_CLS, A.NETKIT_PEER],
  ["tracepoint+", "tracepoint", P.TRACEPOINT, 0],
  ["tp+", "tracepoint", P.TRACEPOINT, 0],
  ["tracepoint.s+", "tracepoint", P.TRACEPOINT, 0, "s"],
  ["tp.s+", "tracepoint", P.TRACEPOINT, 0, "s"],
  ["raw_tracepoint+", "raw_tracepoint", P.RAW_TRACEPOINT, 0],
  ["raw_tp+", "raw_tracepoint", P.RAW_TRACEPOINT, 0],
  ["raw_tracepoint.s+", "raw_tracepoint", P.RAW_TRACEPOINT, 0, "s"],
  ["raw_tp.s+", "raw_tracepoint", P.RAW_TRACEPOINT, 0, "s"],
  ["raw_tracepoint.w+", "raw_tracepoint_writable", P.RAW_TRACEPOINT_WRITABLE, 0],
  ["raw_tp.w+", "raw_tracepoint_writable", P.RAW_TRACEPOINT_WRITABLE, 0],
  ["tp_btf+", "tp_btf", P.TRACING, A.TRACE_RAW_TP, "b"],
  ["tp_btf.s+", "tp_btf", P.TRACING, A.TRACE_RAW_TP, "bs"],
  ["fentry+", "fentry", P.TRACING, A.TRACE_FENTRY, "b"],
  ["fmod_ret+", "fmod_ret", P.TRACING, A.MODIFY_RETURN, "b"],
  ["fexit+", "fexit", P.TRACING, A.TRACE_FEXIT, "b"],
  ["fentry.s+", "fentry", P.TRACING, A.TRACE_FENTRY, "bs"],
  ["fmod_ret.s+", "fmod_ret", P.TRACING, A.MODIFY_RETURN, "bs"],
  ["fexit.s+", "fexit", P.TRACING, A.TRACE_FEXIT, "bs"],
  ["freplace+", "freplace", P.EXT, 0, "b"],
  ["lsm+", "lsm", P.LSM, A.LSM_MAC, "b"],
  ["lsm.s+", "lsm", P.LSM, A.LSM_MAC, "bs"],
  ["lsm_cgroup+", "lsm_cgroup", P.LSM, A.LSM_CGROUP, "b"],
  ["iter+", "iter", P.TRACING, A.TRACE_ITER, "b"],
  ["iter.s+", "iter", P.TRACING, A.TRACE_ITER, "bs"],
  ["syscall", "syscall", P.SYSCALL, 0, "s"],
  ["xdp.frags/devmap", "xdp_devmap", P.XDP, A.XDP_DEVMAP, "f"],
  ["xdp/devmap", "xdp_devmap", P.XDP, A.XDP_DEVMAP],
  ["xdp.frags/cpumap", "xdp_cpumap", P.XDP, A.XDP_CPUMAP, "f"],
  ["xdp/cpumap", "xdp_cpumap", P.XDP, A.XDP_CPUMAP],
  ["xdp.frags", "xdp", P.XDP, A.XDP, "f"],
  ["xdp", "xdp", P.XDP, A.XDP],
  ["perf_event", "perf_event", P.PERF_EVENT, 0],
  ["lwt_in", "lwt", P.LWT_IN, 0],
  ["lwt_out", "lwt", P.LWT_OUT, 0],
  ["lwt_xmit", "lwt", P.LWT_XMIT, 0],
  ["lwt_seg6local", "lwt", P.LWT_SEG6LOCAL, 0],
  ["sockops", "sockops", P.SOCK_OPS, A.CGROUP_SOCK_OPS],
  ["sk_skb/stream_parser", "sk_skb", P.SK_SKB, A.SK_SKB_STREAM_PARSER],
  ["sk_skb/stream_verdict", "sk_skb", P.SK_SKB, A.SK_SKB_STREAM_VERDICT],
  ["sk_skb/verdict", "sk_skb", P.SK_SKB, A.SK_SKB_VERDICT],
  ["sk_skb", "sk_skb", P.SK_SKB, 0],
  ["sk_msg", "sk_msg", P.SK_MSG, A.SK_MSG_VERDICT],
  ["lirc_mode2", "lirc_mode2", P.LIRC_MODE2, A.LIRC_MODE2],
  ["flow_dissector", "flow_dissector", P.FLOW_DISSECTOR, A.FLOW_DISSECTOR],
  ["cgroup_skb/ingress", "cgroup_skb", P.CGROUP_SKB, A.CGROUP_INET_INGRESS],
  ["cgroup_skb/egress", "cgroup_skb", P.CGROUP_SKB, A.CGROUP_INET_EGRESS],
  ["cgroup/skb", "cgroup_skb", P.CGROUP_SKB, 0],
  ["cgroup/sock_create", "cgroup_sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE],
  ["cgroup/sock_release", "cgroup_sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE],
  ["cgroup/sock", "cgroup_sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE],
  ["cgroup/post_bind4", "cgroup_sock", P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND],
  ["cgroup/post_bind6", "cgroup_sock", P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND],
  ["cgroup/bind4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND],
  ["cgroup/bind6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND],
  ["cgroup/connect4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT],
  ["cgroup/connect6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT],
  ["cgroup/connect_unix", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT],
  ["cgroup/sendmsg4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG],
  ["cgroup/sendmsg6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG],
  ["cgroup/sendmsg_unix", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG],
  ["cgroup/recvmsg4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG],
  ["cgroup/recvmsg6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG],
  ["cgroup/recvmsg_unix", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG],
  ["cgroup/getpeername4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME],
  ["cgroup/getpeername6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME],
  ["cgroup/getpeername_unix", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME],
  ["cgroup/getsockname4", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME],
  ["cgroup/getsockname6", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME],
  ["cgroup/getsockname_unix", "cgroup_sock_addr", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME],
  ["cgroup/sysctl", "cgroup_sysctl", P.CGROUP_SYSCTL, A.CGROUP_SYSCTL],
  ["cgroup/getsockopt", "cgroup_sockopt", P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT],
  ["cgroup/setsockopt", "cgroup_sockopt", P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT],
  ["cgroup/dev", "cgroup_device", P.CGROUP_DEVICE, A.CGROUP_DEVICE],
  ["struct_ops+", "struct_ops", P.STRUCT_OPS, 0],
  ["struct_ops.s+", "struct_ops", P.STRUCT_OPS, 0, "s"],
  ["sk_lookup", "sk_lookup", P.SK_LOOKUP, A.SK_LOOKUP],
  ["netfilter", "netfilter", P.NETFILTER, A.NETFILTER],
];

const DEFS: readonly SectionDef[] = TABLE.map(([pattern, kind, progType, attach, flags = ""]) => ({
  pattern,
  kind,
  progType,
  expectedAttachType: attach,
  sleepable: flags.includes("s"),
  frags: flags.includes("f"),
  attachBtf: flags.includes("b"),
}));

function matches(pattern: string, section: string): boolean {
  if (pattern.endsWith("+")) {
    const prefix = pattern.slice(0, -1);
    return section === prefix || (section.startsWith(prefix) && section[prefix.length] === "/");
  }
  return section === pattern;
}

/** The section table entry for an ELF section name, or undefined when libbpf knows no such name. */
export function sectionDef(section: string): SectionDef | undefined {
  for (const def of DEFS) if (matches(def.pattern, section)) return def;
  return undefined;
}

/** Every known section pattern, in matching order (for error messages and documentation). */
export function sectionPatterns(): string[] {
  return DEFS.map((d) => d.pattern);
}

/** The part of a section name after the first "/" ("sched/sched_switch" for "tp/sched/sched_switch"). */
export function sectionTarget(section: string): string | undefined {
  const slash = section.indexOf("/");
  return slash < 0 || slash === section.length - 1 ? undefined : section.slice(slash + 1);
}
