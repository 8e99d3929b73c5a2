// Program kinds: their kernel program type, ELF section name, and the context layout their code
// reads (UAPI structs whose offsets are ABI facts; tracepoint records come from tracefs; tp_btf
// arguments from vmlinux BTF).
import { AttachType, MapType, ProgType } from "../uapi.js";

export type ProgramKind =
  | "xdp"
  | "tc"
  | "socket_filter"
  | "tracepoint"
  | "raw_tracepoint"
  | "tp_btf"
  | "uprobe"
  | "uretprobe"
  | "perf_event"
  | "sk_skb"
  | "sk_msg"
  // kernel-function tracing
  | "kprobe"
  | "kretprobe"
  | "kprobe_multi"
  | "kretprobe_multi"
  | "uprobe_multi"
  | "uretprobe_multi"
  | "fentry"
  | "fexit"
  | "fmod_ret"
  | "lsm"
  | "iter";

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
};

export const EXPECTED_ATTACH: Partial<Record<ProgramKind, number>> = {
  xdp: AttachType.XDP,
  tp_btf: AttachType.TRACE_RAW_TP,
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
  }
}

/** A context field: offset and width in the context struct. */
export interface CtxField {
  offset: number;
  size: 1 | 2 | 4 | 8;
  writable?: boolean /** Stored big-endian in the low bits. */;
  be16?: boolean;
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
