// Program kinds: their kernel program type, ELF section name, and the context layout their code
// reads (UAPI structs whose offsets are ABI facts; tracepoint records come from tracefs; tp_btf
// arguments from vmlinux BTF).
import { AttachType, MapType, ProgType } from "../uapi.js";
import type { ProgramKind } from "../kernel/programs.js";

// The kinds are the ones tsbpf/kernel declares markers for: one list, in src/kernel/programs.ts.
export type { ProgramKind };

/** The marker function in tsbpf/kernel → the program kind. */
export const MARKERS: Record<string, ProgramKind> = {
  xdp: "xdp",
  tc: "tc",
  socketFilter: "socket_filter",
  tracepoint: "tracepoint",
  rawTracepoint: "raw_tracepoint",
  tpBtf: "tp_btf",
  uprobe: "uprobe",
  uretprobe: "uretprobe",
  perfEvent: "perf_event",
  skSkb: "sk_skb",
  skMsg: "sk_msg",
  skLookup: "sk_lookup",
  skReuseport: "sk_reuseport",
  flowDissector: "flow_dissector",
  // cgroup and socket hooks
  cgroupSkb: "cgroup_skb",
  cgroupSock: "cgroup_sock",
  cgroupSockAddr: "cgroup_sock_addr",
  sockOps: "sock_ops",
  cgroupSysctl: "cgroup_sysctl",
  cgroupSockopt: "cgroup_sockopt",
  cgroupDevice: "cgroup_device",
  kprobe: "kprobe",
  kretprobe: "kretprobe",
  kprobeMulti: "kprobe_multi",
  kretprobeMulti: "kretprobe_multi",
  uprobeMulti: "uprobe_multi",
  uretprobeMulti: "uretprobe_multi",
  fentry: "fentry",
  fexit: "fexit",
  fmodRet: "fmod_ret",
  lsm: "lsm",
  iter: "iter",
  structOps: "struct_ops",
};

/**
 * Hooks of the cgroup kinds whose marker names one (`cgroupSkb("ingress", …)`): the expected attach
 * type the program is loaded with (the verifier checks the program against it) and its section.
 */
export const CGROUP_HOOKS: Readonly<Partial<Record<ProgramKind, Readonly<Record<string, readonly [number, string]>>>>> =
  {
    cgroup_skb: {
      ingress: [AttachType.CGROUP_INET_INGRESS, "cgroup_skb/ingress"],
      egress: [AttachType.CGROUP_INET_EGRESS, "cgroup_skb/egress"],
    },
    cgroup_sock: {
      sock_create: [AttachType.CGROUP_INET_SOCK_CREATE, "cgroup/sock_create"],
      sock_release: [AttachType.CGROUP_INET_SOCK_RELEASE, "cgroup/sock_release"],
      post_bind4: [AttachType.CGROUP_INET4_POST_BIND, "cgroup/post_bind4"],
      post_bind6: [AttachType.CGROUP_INET6_POST_BIND, "cgroup/post_bind6"],
    },
    cgroup_sock_addr: {
      bind4: [AttachType.CGROUP_INET4_BIND, "cgroup/bind4"],
      bind6: [AttachType.CGROUP_INET6_BIND, "cgroup/bind6"],
      connect4: [AttachType.CGROUP_INET4_CONNECT, "cgroup/connect4"],
      connect6: [AttachType.CGROUP_INET6_CONNECT, "cgroup/connect6"],
      sendmsg4: [AttachType.CGROUP_UDP4_SENDMSG, "cgroup/sendmsg4"],
      sendmsg6: [AttachType.CGROUP_UDP6_SENDMSG, "cgroup/sendmsg6"],
      recvmsg4: [AttachType.CGROUP_UDP4_RECVMSG, "cgroup/recvmsg4"],
      recvmsg6: [AttachType.CGROUP_UDP6_RECVMSG, "cgroup/recvmsg6"],
      getpeername4: [AttachType.CGROUP_INET4_GETPEERNAME, "cgroup/getpeername4"],
      getpeername6: [AttachType.CGROUP_INET6_GETPEERNAME, "cgroup/getpeername6"],
      getsockname4: [AttachType.CGROUP_INET4_GETSOCKNAME, "cgroup/getsockname4"],
      getsockname6: [AttachType.CGROUP_INET6_GETSOCKNAME, "cgroup/getsockname6"],
    },
    cgroup_sockopt: {
      getsockopt: [AttachType.CGROUP_GETSOCKOPT, "cgroup/getsockopt"],
      setsockopt: [AttachType.CGROUP_SETSOCKOPT, "cgroup/setsockopt"],
    },
  };

export const PROG_TYPES: Record<ProgramKind, number> = {
  xdp: ProgType.XDP,
  tc: ProgType.SCHED_CLS,
  socket_filter: ProgType.SOCKET_FILTER,
  tracepoint: ProgType.TRACEPOINT,
  raw_tracepoint: ProgType.RAW_TRACEPOINT,
  tp_btf: ProgType.TRACING,
  uprobe: ProgType.KPROBE,
  uretprobe: ProgType.KPROBE,
  perf_event: ProgType.PERF_EVENT,
  sk_skb: ProgType.SK_SKB,
  sk_msg: ProgType.SK_MSG,
  sk_lookup: ProgType.SK_LOOKUP,
  sk_reuseport: ProgType.SK_REUSEPORT,
  flow_dissector: ProgType.FLOW_DISSECTOR,
  // cgroup and socket hooks
  cgroup_skb: ProgType.CGROUP_SKB,
  cgroup_sock: ProgType.CGROUP_SOCK,
  cgroup_sock_addr: ProgType.CGROUP_SOCK_ADDR,
  sock_ops: ProgType.SOCK_OPS,
  cgroup_sysctl: ProgType.CGROUP_SYSCTL,
  cgroup_sockopt: ProgType.CGROUP_SOCKOPT,
  cgroup_device: ProgType.CGROUP_DEVICE,
  kprobe: ProgType.KPROBE,
  kretprobe: ProgType.KPROBE,
  kprobe_multi: ProgType.KPROBE,
  kretprobe_multi: ProgType.KPROBE,
  uprobe_multi: ProgType.KPROBE,
  uretprobe_multi: ProgType.KPROBE,
  fentry: ProgType.TRACING,
  fexit: ProgType.TRACING,
  fmod_ret: ProgType.TRACING,
  lsm: ProgType.LSM,
  iter: ProgType.TRACING,
  struct_ops: ProgType.STRUCT_OPS,
};

export const EXPECTED_ATTACH: Partial<Record<ProgramKind, number>> = {
  xdp: AttachType.XDP,
  tp_btf: AttachType.TRACE_RAW_TP,
  sk_lookup: AttachType.SK_LOOKUP,
  flow_dissector: AttachType.FLOW_DISSECTOR,
  sock_ops: AttachType.CGROUP_SOCK_OPS,
  cgroup_sysctl: AttachType.CGROUP_SYSCTL,
  cgroup_device: AttachType.CGROUP_DEVICE,
  kprobe_multi: AttachType.TRACE_KPROBE_MULTI,
  kretprobe_multi: AttachType.TRACE_KPROBE_MULTI,
  uprobe_multi: AttachType.TRACE_UPROBE_MULTI,
  uretprobe_multi: AttachType.TRACE_UPROBE_MULTI,
  fentry: AttachType.TRACE_FENTRY,
  fexit: AttachType.TRACE_FEXIT,
  fmod_ret: AttachType.MODIFY_RETURN,
  lsm: AttachType.LSM_MAC,
  iter: AttachType.TRACE_ITER,
};

/** The expected attach type a program of `kind` loads with (a cgroup kind's from its hook). */
export function expectedAttachType(kind: ProgramKind, target: Record<string, unknown>): number | undefined {
  const hooks = CGROUP_HOOKS[kind];
  if (hooks) return hooks[String(target.hook)]?.[0];
  if (kind === "sk_reuseport")
    return target.migrate ? AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE : AttachType.SK_REUSEPORT_SELECT;
  return EXPECTED_ATTACH[kind];
}

/** The section name libbpf (and so bpftool) derives the program type from. */
export function sectionName(kind: ProgramKind, target: Record<string, unknown>): string {
  switch (kind) {
    case "xdp":
      return target.frags ? "xdp.frags" : "xdp";
    case "tc":
      return "tc";
    case "socket_filter":
      return "socket";
    case "tracepoint":
      return `tracepoint/${String(target.category)}/${String(target.name)}`;
    case "raw_tracepoint":
      return `raw_tracepoint/${String(target.name)}`;
    case "tp_btf":
      return `tp_btf/${String(target.event)}`;
    case "uprobe":
    case "uretprobe": {
      // libbpf's auto-attach form is uprobe/BINARY:SYMBOL; without a symbol plain "uprobe".
      const base = kind;
      return target.binary && target.symbol ? `${base}/${String(target.binary)}:${String(target.symbol)}` : base;
    }
    case "perf_event":
      return "perf_event";
    case "sk_skb":
      return "sk_skb/stream_verdict";
    case "sk_msg":
      return "sk_msg";
    case "sk_lookup":
      return "sk_lookup";
    case "sk_reuseport":
      return target.migrate ? "sk_reuseport/migrate" : "sk_reuseport";
    case "flow_dissector":
      return "flow_dissector";
    // cgroup and socket hooks
    case "cgroup_skb":
    case "cgroup_sock":
    case "cgroup_sock_addr":
    case "cgroup_sockopt":
      return CGROUP_HOOKS[kind]![String(target.hook)]![1];
    case "sock_ops":
      return "sockops";
    case "cgroup_sysctl":
      return "cgroup/sysctl";
    case "cgroup_device":
      return "cgroup/dev";
    case "kprobe":
    case "kretprobe":
    case "fentry":
    case "fexit":
    case "fmod_ret":
      return `${kind}/${String(target.function)}${target.offset ? `+${Number(target.offset)}` : ""}`;
    case "kprobe_multi":
    case "kretprobe_multi":
      return `${kind === "kprobe_multi" ? "kprobe" : "kretprobe"}.multi/${String(target.pattern)}`;
    case "uprobe_multi":
    case "uretprobe_multi":
      return `${kind === "uprobe_multi" ? "uprobe" : "uretprobe"}.multi/${String(target.binary)}:${String(target.pattern)}`;
    case "lsm":
      return `lsm/${String(target.hook)}`;
    case "iter":
      return `iter/${String(target.target)}`;
    case "struct_ops":
      return `struct_ops/${String(target.program)}`;
  }
}

/** A context field: offset and width in the context struct. */
export interface CtxField {
  offset: number;
  size: 1 | 2 | 4 | 8;
  writable?: boolean /** Stored big-endian in the low bits. */;
  be16?: boolean;
  /** Stored as a big-endian u32 (sock_ops remote_port: the port in network order in the upper half). */
  be32?: boolean;
  /** A signed field (bpf_sockopt's). */
  signed?: boolean;
}

/** struct xdp_md. */
export const XDP_MD: Record<string, CtxField> = {
  data: { offset: 0, size: 4 },
  dataEnd: { offset: 4, size: 4 },
  dataMeta: { offset: 8, size: 4 },
  ingressIfindex: { offset: 12, size: 4 },
  rxQueueIndex: { offset: 16, size: 4 },
  egressIfindex: { offset: 20, size: 4 },
};

/** struct __sk_buff (fields the subset exposes). */
export const SK_BUFF: Record<string, CtxField> = {
  len: { offset: 0, size: 4 },
  pktType: { offset: 4, size: 4 },
  mark: { offset: 8, size: 4, writable: true },
  queueMapping: { offset: 12, size: 4 },
  protocol: { offset: 16, size: 4, be16: true },
  vlanPresent: { offset: 20, size: 4 },
  vlanTci: { offset: 24, size: 4 },
  vlanProto: { offset: 28, size: 4, be16: true },
  priority: { offset: 32, size: 4, writable: true },
  ingressIfindex: { offset: 36, size: 4 },
  ifindex: { offset: 40, size: 4 },
  tcIndex: { offset: 44, size: 4, writable: true },
  hash: { offset: 68, size: 4 },
  tcClassid: { offset: 72, size: 4, writable: true },
  data: { offset: 76, size: 4 },
  dataEnd: { offset: 80, size: 4 },
  napiId: { offset: 84, size: 4 },
  family: { offset: 88, size: 4 },
  tstamp: { offset: 152, size: 8, writable: true },
  wireLen: { offset: 160, size: 4 },
  gsoSegs: { offset: 164, size: 4 },
  gsoSize: { offset: 176, size: 4 },
};

/** struct sk_msg_md (the integer fields). */
export const SK_MSG_MD: Record<string, CtxField> = {
  family: { offset: 16, size: 4 },
  remoteIp4: { offset: 20, size: 4 },
  localIp4: { offset: 24, size: 4 },
  remotePort: { offset: 60, size: 4 },
  localPort: { offset: 64, size: 4 },
  size: { offset: 68, size: 4 },
};

/** struct __sk_buff's pointer to the flow dissector's keys (8 bytes). */
export const SK_BUFF_FLOW_KEYS = 144;

/** struct bpf_sk_lookup (sk_lookup programs); remote_port is a be16, local_port host order. */
export const BPF_SK_LOOKUP: Record<string, CtxField> = {
  family: { offset: 8, size: 4 },
  protocol: { offset: 12, size: 4 },
  remoteIp4: { offset: 16, size: 4 },
  remotePort: { offset: 36, size: 2, be16: true },
  localIp4: { offset: 40, size: 4 },
  localPort: { offset: 60, size: 4 },
  ingressIfindex: { offset: 64, size: 4 },
};
/** Offsets of bpf_sk_lookup's IPv6 address arrays (four u32 words in network order). */
export const BPF_SK_LOOKUP_IP6: Record<string, number> = { remoteIp6: 20, localIp6: 44 };

/** struct sk_reuseport_md; eth_protocol holds skb->protocol (network order). */
export const SK_REUSEPORT_MD: Record<string, CtxField> = {
  len: { offset: 16, size: 4 },
  ethProtocol: { offset: 20, size: 4, be16: true },
  ipProtocol: { offset: 24, size: 4 },
  bindInany: { offset: 28, size: 4 },
  hash: { offset: 32, size: 4 },
};

// ---- cgroup and socket hook contexts (UAPI structs; offsets are ABI) ----------------------------

/** struct bpf_sock (cgroup_sock programs). */
export const BPF_SOCK: Record<string, CtxField> = {
  boundDevIf: { offset: 0, size: 4, writable: true },
  family: { offset: 4, size: 4 },
  type: { offset: 8, size: 4 },
  protocol: { offset: 12, size: 4 },
  mark: { offset: 16, size: 4, writable: true },
  priority: { offset: 20, size: 4, writable: true },
  srcIp4: { offset: 24, size: 4 },
  srcPort: { offset: 44, size: 4 },
  dstPort: { offset: 48, size: 4, be16: true },
  dstIp4: { offset: 52, size: 4 },
  state: { offset: 72, size: 4 },
};

/** struct bpf_sock_addr (cgroup_sock_addr programs); user_port holds the port in network order. */
export const BPF_SOCK_ADDR: Record<string, CtxField> = {
  userFamily: { offset: 0, size: 4 },
  userIp4: { offset: 4, size: 4, writable: true },
  userPort: { offset: 24, size: 4, writable: true, be16: true },
  family: { offset: 28, size: 4 },
  type: { offset: 32, size: 4 },
  protocol: { offset: 36, size: 4 },
  msgSrcIp4: { offset: 40, size: 4, writable: true },
};
/** Offsets of the IPv6 address arrays (four u32 words in network order) of bpf_sock_addr. */
export const BPF_SOCK_ADDR_IP6: Record<string, number> = { userIp6: 8, msgSrcIp6: 44 };

/** struct bpf_sock_ops (the integer fields). */
export const BPF_SOCK_OPS: Record<string, CtxField> = {
  op: { offset: 0, size: 4 },
  reply: { offset: 4, size: 4, writable: true },
  family: { offset: 20, size: 4 },
  remoteIp4: { offset: 24, size: 4 },
  localIp4: { offset: 28, size: 4 },
  remotePort: { offset: 64, size: 4, be32: true },
  localPort: { offset: 68, size: 4 },
  isFullsock: { offset: 72, size: 4 },
  sndCwnd: { offset: 76, size: 4 },
  srttUs: { offset: 80, size: 4 },
  callbackFlags: { offset: 84, size: 4 },
  state: { offset: 88, size: 4 },
  rttMin: { offset: 92, size: 4 },
  sndSsthresh: { offset: 96, size: 4 },
  rcvNxt: { offset: 100, size: 4 },
  sndNxt: { offset: 104, size: 4 },
  sndUna: { offset: 108, size: 4 },
  mssCache: { offset: 112, size: 4 },
  ecnFlags: { offset: 116, size: 4 },
  rateDelivered: { offset: 120, size: 4 },
  rateIntervalUs: { offset: 124, size: 4 },
  packetsOut: { offset: 128, size: 4 },
  retransOut: { offset: 132, size: 4 },
  totalRetrans: { offset: 136, size: 4 },
  segsIn: { offset: 140, size: 4 },
  dataSegsIn: { offset: 144, size: 4 },
  segsOut: { offset: 148, size: 4 },
  dataSegsOut: { offset: 152, size: 4 },
  lostOut: { offset: 156, size: 4 },
  sackedOut: { offset: 160, size: 4 },
  bytesReceived: { offset: 168, size: 8 },
  bytesAcked: { offset: 176, size: 8 },
  skbLen: { offset: 208, size: 4 },
  skbTcpFlags: { offset: 212, size: 4 },
};
/** sock_ops args[i] (the callback's arguments) start here. */
export const BPF_SOCK_OPS_ARGS = 4;

/** struct bpf_sysctl. */
export const BPF_SYSCTL: Record<string, CtxField> = {
  write: { offset: 0, size: 4 },
  filePos: { offset: 4, size: 4, writable: true },
};

/** struct bpf_sockopt (the integer fields). */
export const BPF_SOCKOPT: Record<string, CtxField> = {
  level: { offset: 24, size: 4, signed: true },
  optname: { offset: 28, size: 4, signed: true },
  optlen: { offset: 32, size: 4, signed: true, writable: true },
  retval: { offset: 36, size: 4, signed: true, writable: true },
};

/** struct bpf_cgroup_dev_ctx; access_type is (access << 16) | device type. */
export const BPF_CGROUP_DEV_CTX: Record<string, CtxField> = {
  accessType: { offset: 0, size: 4 },
  major: { offset: 4, size: 4 },
  minor: { offset: 8, size: 4 },
};

/** struct pt_regs on x86-64 (user_pt_regs on arm64 keeps x0..x30 in order). */
export const PT_REGS_X86: { args: number[]; ret: number; ip: number; sp: number; fp: number } = {
  args: [112, 104, 96, 88, 72, 64], // di, si, dx, cx, r8, r9
  ret: 80,
  ip: 128,
  sp: 152,
  fp: 32, // ax, ip, sp, bp
};
export const PT_REGS_ARM64 = { args: [0, 8, 16, 24, 32, 40], ret: 0, ip: 256, sp: 248, fp: 232 };

export function ptRegs(): typeof PT_REGS_X86 {
  return process.arch === "arm64" ? PT_REGS_ARM64 : PT_REGS_X86;
}

/** bpf_perf_event_data: regs (pt_regs) first, then sample_period and addr. */
export const PERF_EVENT_DATA = { regsSize: process.arch === "arm64" ? 272 : 168 };

export const MAP_TYPES: Record<string, number> = {
  hash: MapType.HASH,
  array: MapType.ARRAY,
  prog_array: MapType.PROG_ARRAY,
  perf_event_array: MapType.PERF_EVENT_ARRAY,
  percpu_hash: MapType.PERCPU_HASH,
  percpu_array: MapType.PERCPU_ARRAY,
  stack_trace: MapType.STACK_TRACE,
  cgroup_array: MapType.CGROUP_ARRAY,
  lru_hash: MapType.LRU_HASH,
  lru_percpu_hash: MapType.LRU_PERCPU_HASH,
  lpm_trie: MapType.LPM_TRIE,
  array_of_maps: MapType.ARRAY_OF_MAPS,
  hash_of_maps: MapType.HASH_OF_MAPS,
  devmap: MapType.DEVMAP,
  sockmap: MapType.SOCKMAP,
  cpumap: MapType.CPUMAP,
  xskmap: MapType.XSKMAP,
  sockhash: MapType.SOCKHASH,
  reuseport_sockarray: MapType.REUSEPORT_SOCKARRAY,
  queue: MapType.QUEUE,
  stack: MapType.STACK,
  sk_storage: MapType.SK_STORAGE,
  devmap_hash: MapType.DEVMAP_HASH,
  ringbuf: MapType.RINGBUF,
  inode_storage: MapType.INODE_STORAGE,
  task_storage: MapType.TASK_STORAGE,
  bloom_filter: MapType.BLOOM_FILTER,
  user_ringbuf: MapType.USER_RINGBUF,
  cgrp_storage: MapType.CGRP_STORAGE,
};

/** Map class in tsbpf/kernel → BPF map type name. */
export const MAP_CLASSES: Record<string, string> = {
  HashMap: "hash",
  LruHashMap: "lru_hash",
  PerCpuHashMap: "percpu_hash",
  LruPerCpuHashMap: "lru_percpu_hash",
  ArrayMap: "array",
  PerCpuArrayMap: "percpu_array",
  LpmTrieMap: "lpm_trie",
  RingBuf: "ringbuf",
  PerfEventArray: "perf_event_array",
  ProgramArray: "prog_array",
  QueueMap: "queue",
  StackMap: "stack",
  BloomFilterMap: "bloom_filter",
  DevMap: "devmap",
  DevMapHash: "devmap_hash",
  CpuMap: "cpumap",
  XskMap: "xskmap",
  SockMap: "sockmap",
  SockHash: "sockhash",
  ReuseportSockArray: "reuseport_sockarray",
  ArrayOfMaps: "array_of_maps",
  HashOfMaps: "hash_of_maps",
  UserRingBuf: "user_ringbuf",
  TaskStorage: "task_storage",
  SkStorage: "sk_storage",
  CgrpStorage: "cgrp_storage",
  InodeStorage: "inode_storage",
  StackTraceMap: "stack_trace",
  CgroupArray: "cgroup_array",
};
