// Feature detection by trying for real: every answer comes from asking the running kernel to do
// the thing (load a program of each type, create a map of each type, call each helper, create
// each kind of link), never from version numbers. Probing leaves nothing behind: every fd is
// closed, links are made in a private network namespace or on objects nobody uses (a temporary
// file, a child cgroup, a disabled perf event), and temporary files and directories are removed.
//
// The report is cached per process (the kernel cannot change under us).
import { ensureBpffs } from "./sys/mounts.js";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import {
  bpfErrno,
  closeFd,
  Cmd,
  linkCreate,
  mapCreate,
  objPin,
  progLoadAttr,
  type LinkCreateExtra,
  type MapCreateAttr,
} from "./sys/bpf.js";
import { Errno, errnoName } from "./errors.js";
import { SyscallError } from "./sys/errors.js";
import { lastErrno, native, NativeMemory } from "./sys/libc.js";
import { currentNetns, setns } from "./sys/netns.js";
import { perfEventOpenErrno, PerfSwConfig, PerfType, pmuType } from "./sys/perf.js";
import { possibleCpuCount } from "./sys/cpus.js";
import { AttachType, enumName, MapFlags, MapType, ProgFlags, ProgType } from "./uapi.js";
import { HELPER_MAX_ID, helperName } from "./asm/helpers.js";
import { hasKernelBtf, kernelBtf } from "./btf/vmlinux.js";
import { mapKeyValueBtf } from "./btf/encoder.js";
import { loadBtf } from "./btf/load.js";

/** What probing found for one thing. */
export interface FeatureEntry {
  /** Lower-case name: "xdp", "ringbuf", "bpf_map_lookup_elem", "xdp_link" … */
  name: string;
  supported: boolean;
  /**
   * "supported"; "unsupported" (the kernel lacks it); "blocked" (the kernel has it, but this
   * host refuses it, e.g. a platform policy answering EPERM to root); "unknown" (could not tell).
   */
  status: "supported" | "unsupported" | "blocked" | "unknown";
  /** Why, when not plainly supported (or a caveat when supported). */
  reason?: string;
}

export interface HelperEntry extends FeatureEntry {
  /** Program type the helper was probed in. */
  programType: string;
  helperId: number;
}

export interface SystemFacts {
  kernelRelease: string;
  /** /proc/sys/net/core/bpf_jit_enable: 0 off, 1 on, 2 on with debug output; undefined if unreadable. */
  jitEnable: number | undefined;
  jitEnabled: boolean;
  /** /proc/sys/net/core/bpf_jit_harden. */
  jitHarden: number | undefined;
  /** /sys/kernel/btf/vmlinux exists. */
  btf: boolean;
  /** /proc/sys/kernel/unprivileged_bpf_disabled: 0 allowed, 1 disabled for good, 2 disabled (admin may re-enable). */
  unprivilegedBpfDisabled: number | undefined;
  /** Mount points of bpffs. */
  bpffs: string[];
  bpffsMounted: boolean;
  /** First cgroup v2 mount point. */
  cgroup2: string | undefined;
  /** tracefs mount point. */
  tracefs: string | undefined;
  possibleCpus: number;
  pageSize: number;
  /** Running as root (uid 0). */
  root: boolean;
}

export interface FeatureReport {
  programTypes: FeatureEntry[];
  mapTypes: FeatureEntry[];
  helpers: HelperEntry[];
  /** Program types whose helpers were probed. */
  helperProgramTypes: string[];
  /** Program types whose helpers cannot be probed here, and why. */
  helperProbeSkipped: { programType: string; reason: string }[];
  attach: FeatureEntry[];
  system: SystemFacts;
  /** Every program load was refused with EPERM/EACCES: the caller lacks CAP_BPF, so the report says little. */
  permissionDenied: boolean;
  /** Milliseconds each part took. */
  timings: { programTypes: number; mapTypes: number; helpers: number; attach: number; system: number; total: number };
}

export interface ProbeOptions {
  /** Probe helpers for every loadable program type (slower: ~60 ms per type). */
  allHelpers?: boolean;
  /** Probe helpers for exactly these program types (names such as "xdp", or ProgType values). */
  helperProgramTypes?: readonly (string | number)[];
}

/** Program types whose helpers are probed by default: the ones tsbpf's tools use most. */
export const DEFAULT_HELPER_PROGRAM_TYPES: readonly string[] = [
  "socket_filter",
  "sched_cls",
  "xdp",
  "kprobe",
  "tracepoint",
  "raw_tracepoint",
];

// ---- instructions and loading ----------------------------------------------------------------

function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (src << 4) | dst;
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}
const MOV64_IMM = 0xb7,
  EXIT = 0x95,
  CALL = 0x85;
const returning = (value: number): Buffer => Buffer.concat([insn(MOV64_IMM, 0, 0, 0, value), insn(EXIT, 0, 0, 0, 0)]);

const LOG_SIZE = 16 * 1024;

/** Native buffers shared by all probes of one run (freed at the end). */
class Scratch {
  readonly license = NativeMemory.from("GPL");
  readonly log = new NativeMemory(LOG_SIZE);
  readonly insns = new NativeMemory(64);
  free(): void {
    this.license.free();
    this.log.free();
    this.insns.free();
  }
}

interface LoadSpec {
  type: number;
  expectedAttachType?: number;
  flags?: number;
  attachBtfId?: number;
}

interface LoadResult {
  fd: number;
  errno: number;
  log: string;
}

function tryLoad(s: Scratch, spec: LoadSpec, code: Buffer, withLog = true): LoadResult {
  s.insns.bytes.set(code);
  s.log.bytes[0] = 0;
  const a = progLoadAttr({
    progType: spec.type,
    insns: s.insns,
    insnCount: code.length / 8,
    license: s.license,
    logLevel: withLog ? 1 : 0,
    logBuf: withLog ? s.log : null,
    expectedAttachType: spec.expectedAttachType,
    progFlags: spec.flags,
    attachBtfId: spec.attachBtfId,
    name: "tsbpf_probe",
  });
  const ret = bpfErrno(Cmd.PROG_LOAD, a);
  let log = "";
  if (withLog && ret < 0) {
    const end = s.log.bytes.indexOf(0);
    log = s.log.bytes.toString("utf8", 0, end < 0 ? LOG_SIZE : end);
  }
  return ret >= 0 ? { fd: ret, errno: 0, log } : { fd: -1, errno: -ret, log };
}

/** The verifier's own message: the last log line that is neither state nor the statistics. */
function verdictLine(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("processed ") && !/^\d+: /.test(l) && !l.startsWith("verification time"));
  return lines.at(-1) ?? "";
}

const isRoot = (): boolean => process.getuid?.() === 0;

function permissionReason(errno: number): string {
  return `${errnoName(errno)}: permission denied (needs root or CAP_BPF${errno === Errno.EPERM ? "" : ", CAP_PERFMON/CAP_NET_ADMIN for some kinds"})`;
}

const BLOCKED_REASON =
  "blocked by the platform: BPF_PROG_LOAD answered EPERM with an empty verifier log although running as root (a policy on this host forbids it)";

function entry(name: string, status: FeatureEntry["status"], reason?: string): FeatureEntry {
  const e: FeatureEntry = { name, supported: status === "supported", status };
  if (reason) e.reason = reason;
  return e;
}

// ---- kernel BTF lookups (lazy: only for the probes that need them) ---------------------------

function btfId(name: string, kind: "func" | "typedef" | "struct"): number | undefined {
  if (!hasKernelBtf()) return undefined;
  try {
    return kernelBtf().findByName(name, kind)[0];
  } catch {
    return undefined;
  }
}

function structMemberIndex(struct: string, member: string): number | undefined {
  if (!hasKernelBtf()) return undefined;
  try {
    const index = kernelBtf()
      .structLayout(struct)
      .members.findIndex((m) => m.name === member);
    return index < 0 ? undefined : index;
  } catch {
    return undefined;
  }
}

// ---- program types ---------------------------------------------------------------------------

interface ProgramProbe {
  name: string;
  type: number;
  spec: () => LoadSpec;
  /** What to say when the type is known but our minimal program cannot be loaded without a target. */
  needs?: string;
}

const plain = (type: number) => (): LoadSpec => ({ type });
const withAttach = (type: number, expectedAttachType: number) => (): LoadSpec => ({ type, expectedAttachType });

const PROGRAM_PROBES: ProgramProbe[] = [
  { name: "socket_filter", type: ProgType.SOCKET_FILTER, spec: plain(ProgType.SOCKET_FILTER) },
  { name: "kprobe", type: ProgType.KPROBE, spec: plain(ProgType.KPROBE) },
  { name: "sched_cls", type: ProgType.SCHED_CLS, spec: plain(ProgType.SCHED_CLS) },
  { name: "sched_act", type: ProgType.SCHED_ACT, spec: plain(ProgType.SCHED_ACT) },
  { name: "tracepoint", type: ProgType.TRACEPOINT, spec: plain(ProgType.TRACEPOINT) },
  { name: "xdp", type: ProgType.XDP, spec: plain(ProgType.XDP) },
  { name: "perf_event", type: ProgType.PERF_EVENT, spec: plain(ProgType.PERF_EVENT) },
  {
    name: "cgroup_skb",
    type: ProgType.CGROUP_SKB,
    spec: withAttach(ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS),
  },
  {
    name: "cgroup_sock",
    type: ProgType.CGROUP_SOCK,
    spec: withAttach(ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
  },
  { name: "lwt_in", type: ProgType.LWT_IN, spec: plain(ProgType.LWT_IN) },
  { name: "lwt_out", type: ProgType.LWT_OUT, spec: plain(ProgType.LWT_OUT) },
  { name: "lwt_xmit", type: ProgType.LWT_XMIT, spec: plain(ProgType.LWT_XMIT) },
  { name: "sock_ops", type: ProgType.SOCK_OPS, spec: plain(ProgType.SOCK_OPS) },
  { name: "sk_skb", type: ProgType.SK_SKB, spec: plain(ProgType.SK_SKB) },
  {
    name: "cgroup_device",
    type: ProgType.CGROUP_DEVICE,
    spec: withAttach(ProgType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE),
  },
  { name: "sk_msg", type: ProgType.SK_MSG, spec: plain(ProgType.SK_MSG) },
  { name: "raw_tracepoint", type: ProgType.RAW_TRACEPOINT, spec: plain(ProgType.RAW_TRACEPOINT) },
  {
    name: "cgroup_sock_addr",
    type: ProgType.CGROUP_SOCK_ADDR,
    spec: withAttach(ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
  },
  { name: "lwt_seg6local", type: ProgType.LWT_SEG6LOCAL, spec: plain(ProgType.LWT_SEG6LOCAL) },
  { name: "lirc_mode2", type: ProgType.LIRC_MODE2, spec: withAttach(ProgType.LIRC_MODE2, AttachType.LIRC_MODE2) },
  { name: "sk_reuseport", type: ProgType.SK_REUSEPORT, spec: plain(ProgType.SK_REUSEPORT) },
  {
    name: "flow_dissector",
    type: ProgType.FLOW_DISSECTOR,
    spec: withAttach(ProgType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR),
  },
  {
    name: "cgroup_sysctl",
    type: ProgType.CGROUP_SYSCTL,
    spec: withAttach(ProgType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL),
  },
  {
    name: "raw_tracepoint_writable",
    type: ProgType.RAW_TRACEPOINT_WRITABLE,
    spec: plain(ProgType.RAW_TRACEPOINT_WRITABLE),
  },
  {
    name: "cgroup_sockopt",
    type: ProgType.CGROUP_SOCKOPT,
    spec: withAttach(ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
  },
  {
    name: "tracing",
    type: ProgType.TRACING,
    needs: "a BTF-typed tracepoint (kernel BTF)",
    // tp_btf on sched_switch: a tracing program that every kernel with BTF accepts.
    spec: () => ({
      type: ProgType.TRACING,
      expectedAttachType: AttachType.TRACE_RAW_TP,
      attachBtfId: btfId("btf_trace_sched_switch", "typedef") ?? 0,
    }),
  },
  {
    name: "struct_ops",
    type: ProgType.STRUCT_OPS,
    needs: "a struct_ops type in kernel BTF",
    // The `init` member of tcp_congestion_ops: struct_ops programs name a struct and a member.
    spec: () => ({
      type: ProgType.STRUCT_OPS,
      attachBtfId: btfId("tcp_congestion_ops", "struct") ?? 0,
      expectedAttachType: structMemberIndex("tcp_congestion_ops", "init") ?? 0,
    }),
  },
  { name: "ext", type: ProgType.EXT, spec: plain(ProgType.EXT), needs: "a target program with BTF (attach_prog_fd)" },
  {
    name: "lsm",
    type: ProgType.LSM,
    needs: "an LSM hook in kernel BTF",
    spec: () => ({
      type: ProgType.LSM,
      expectedAttachType: AttachType.LSM_MAC,
      attachBtfId: btfId("bpf_lsm_file_open", "func") ?? 0,
    }),
  },
  { name: "sk_lookup", type: ProgType.SK_LOOKUP, spec: withAttach(ProgType.SK_LOOKUP, AttachType.SK_LOOKUP) },
  { name: "syscall", type: ProgType.SYSCALL, spec: () => ({ type: ProgType.SYSCALL, flags: ProgFlags.SLEEPABLE }) },
  { name: "netfilter", type: ProgType.NETFILTER, spec: withAttach(ProgType.NETFILTER, AttachType.NETFILTER) },
];

function classifyLoad(r: LoadResult, needs: string | undefined): { status: FeatureEntry["status"]; reason?: string } {
  if (r.fd >= 0) return { status: "supported" };
  const verdict = verdictLine(r.log);
  if ((r.errno === Errno.EPERM || r.errno === Errno.EACCES) && r.log.trim() === "") {
    return isRoot()
      ? { status: "blocked", reason: BLOCKED_REASON }
      : { status: "unknown", reason: permissionReason(r.errno) };
  }
  if (r.log.trim() === "") {
    // Rejected before the verifier ran: the kernel does not know the type (or was built without it).
    return {
      status: "unsupported",
      reason: `BPF_PROG_LOAD answered ${errnoName(r.errno)} before verification: the kernel does not know this program type (not built in)`,
    };
  }
  // The verifier ran, so the kernel knows the type; our minimal program just lacked a target.
  return {
    status: "supported",
    reason: `known to the kernel, but a minimal program did not load${needs ? ` without ${needs}` : ""}: ${verdict} (${errnoName(r.errno)})`,
  };
}

function probeProgramTypes(s: Scratch): { entries: FeatureEntry[]; loadable: Map<string, LoadSpec> } {
  const entries: FeatureEntry[] = [];
  const loadable = new Map<string, LoadSpec>();
  for (const probe of PROGRAM_PROBES) {
    const spec = probe.spec();
    const r = tryLoad(s, spec, returning(0));
    if (r.fd >= 0) {
      closeFd(r.fd);
      loadable.set(probe.name, spec);
    }
    const c = classifyLoad(r, probe.needs);
    entries.push(entry(probe.name, c.status, c.reason));
  }
  return { entries, loadable };
}

// ---- map types -------------------------------------------------------------------------------

interface MapProbe {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  needs?: "inner_map" | "btf" | "struct_ops";
}

function mapProbes(pageSize: number): MapProbe[] {
  const kv = (name: string, type: number, maxEntries = 16, extra: Partial<MapProbe> = {}): MapProbe => ({
    name,
    type,
    keySize: 4,
    valueSize: 4,
    maxEntries,
    ...extra,
  });
  const keyless = (name: string, type: number, valueSize: number, maxEntries: number, flags = 0): MapProbe => ({
    name,
    type,
    keySize: 0,
    valueSize,
    maxEntries,
    flags,
  });
  return [
    kv("hash", MapType.HASH),
    kv("array", MapType.ARRAY),
    kv("prog_array", MapType.PROG_ARRAY),
    kv("perf_event_array", MapType.PERF_EVENT_ARRAY),
    kv("percpu_hash", MapType.PERCPU_HASH),
    kv("percpu_array", MapType.PERCPU_ARRAY),
    { name: "stack_trace", type: MapType.STACK_TRACE, keySize: 4, valueSize: 8, maxEntries: 1 },
    kv("cgroup_array", MapType.CGROUP_ARRAY),
    kv("lru_hash", MapType.LRU_HASH),
    kv("lru_percpu_hash", MapType.LRU_PERCPU_HASH),
    // LPM keys are a u32 prefix length and at least one byte of data; the trie needs NO_PREALLOC.
    { name: "lpm_trie", type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 1, flags: MapFlags.NO_PREALLOC },
    kv("array_of_maps", MapType.ARRAY_OF_MAPS, 1, { needs: "inner_map" }),
    kv("hash_of_maps", MapType.HASH_OF_MAPS, 1, { needs: "inner_map" }),
    kv("devmap", MapType.DEVMAP, 1),
    kv("sockmap", MapType.SOCKMAP, 1),
    kv("cpumap", MapType.CPUMAP, 1),
    kv("xskmap", MapType.XSKMAP, 1),
    kv("sockhash", MapType.SOCKHASH, 1),
    // Attached-cgroup storage: the key is a u64 cgroup inode id (or struct bpf_cgroup_storage_key), no max_entries.
    { name: "cgroup_storage", type: MapType.CGROUP_STORAGE, keySize: 8, valueSize: 4, maxEntries: 0 },
    kv("reuseport_sockarray", MapType.REUSEPORT_SOCKARRAY, 1),
    { name: "percpu_cgroup_storage", type: MapType.PERCPU_CGROUP_STORAGE, keySize: 8, valueSize: 4, maxEntries: 0 },
    keyless("queue", MapType.QUEUE, 4, 1),
    keyless("stack", MapType.STACK, 4, 1),
    // Local storages: int key, no max_entries, NO_PREALLOC, and BTF for key and value.
    kv("sk_storage", MapType.SK_STORAGE, 0, { flags: MapFlags.NO_PREALLOC, needs: "btf" }),
    kv("devmap_hash", MapType.DEVMAP_HASH, 1),
    { name: "struct_ops", type: MapType.STRUCT_OPS, keySize: 4, valueSize: 0, maxEntries: 1, needs: "struct_ops" },
    // Ring buffers: the size is max_entries, a power-of-2 multiple of the page size.
    keyless("ringbuf", MapType.RINGBUF, 0, pageSize),
    kv("inode_storage", MapType.INODE_STORAGE, 0, { flags: MapFlags.NO_PREALLOC, needs: "btf" }),
    kv("task_storage", MapType.TASK_STORAGE, 0, { flags: MapFlags.NO_PREALLOC, needs: "btf" }),
    keyless("bloom_filter", MapType.BLOOM_FILTER, 4, 1),
    keyless("user_ringbuf", MapType.USER_RINGBUF, 0, pageSize),
    kv("cgrp_storage", MapType.CGRP_STORAGE, 0, { flags: MapFlags.NO_PREALLOC, needs: "btf" }),
    // An arena: max_entries pages, mmapable, no key or value.
    keyless("arena", MapType.ARENA, 0, 1, MapFlags.MMAPABLE),
  ];
}

function errnoOf(err: unknown): number | undefined {
  return err instanceof SyscallError ? err.errno : undefined;
}

function mapReason(errno: number): { status: FeatureEntry["status"]; reason: string } {
  if (errno === Errno.EPERM || errno === Errno.EACCES) {
    return isRoot()
      ? { status: "blocked", reason: `BPF_MAP_CREATE answered ${errnoName(errno)} although running as root` }
      : { status: "unknown", reason: permissionReason(errno) };
  }
  if (errno === Errno.EINVAL)
    return {
      status: "unsupported",
      reason:
        "BPF_MAP_CREATE answered EINVAL for valid parameters: the kernel does not know this map type (or was built without it)",
    };
  if (errno === Errno.EOPNOTSUPP || errno === Errno.ENOTSUPP)
    return { status: "unsupported", reason: `BPF_MAP_CREATE answered ${errnoName(errno)}: not built into this kernel` };
  return { status: "unknown", reason: `BPF_MAP_CREATE answered ${errnoName(errno)}` };
}

function probeMapTypes(pageSize: number): FeatureEntry[] {
  const entries: FeatureEntry[] = [];
  let storageBtf: { fd: number; key: number; value: number } | undefined | null;
  const btfFor = (): { fd: number; key: number; value: number } | null => {
    if (storageBtf !== undefined) return storageBtf;
    try {
      const b = mapKeyValueBtf("s32", "u32");
      storageBtf = { fd: loadBtf(b.btf), key: b.keyTypeId, value: b.valueTypeId };
    } catch {
      storageBtf = null;
    }
    return storageBtf;
  };
  try {
    for (const probe of mapProbes(pageSize)) {
      const extraFds: number[] = [];
      let fd = -1;
      try {
        const attr = {
          mapType: probe.type,
          keySize: probe.keySize,
          valueSize: probe.valueSize,
          maxEntries: probe.maxEntries,
          mapFlags: probe.flags ?? 0,
          name: "tsbpf_probe",
        } as MapCreateAttr;
        if (probe.needs === "inner_map") {
          const inner = mapCreate({ mapType: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
          extraFds.push(inner);
          attr.innerMapFd = inner;
        } else if (probe.needs === "btf") {
          const btf = btfFor();
          if (!btf) {
            entries.push(entry(probe.name, "unknown", "needs BTF for its key and value, and loading BTF failed"));
            continue;
          }
          attr.btfFd = btf.fd;
          attr.btfKeyTypeId = btf.key;
          attr.btfValueTypeId = btf.value;
        } else if (probe.needs === "struct_ops") {
          const valueType = btfId("bpf_struct_ops_tcp_congestion_ops", "struct");
          if (valueType === undefined) {
            entries.push(
              entry(
                probe.name,
                "unknown",
                "needs kernel BTF with a struct_ops type (bpf_struct_ops_tcp_congestion_ops)",
              ),
            );
            continue;
          }
          // The value is a kernel type, but the kernel still wants a BTF object of ours (any will do).
          const btf = btfFor();
          if (!btf) {
            entries.push(entry(probe.name, "unknown", "needs a BTF object, and loading BTF failed"));
            continue;
          }
          attr.btfFd = btf.fd;
          attr.btfVmlinuxValueTypeId = valueType;
          attr.valueSize = kernelBtf().sizeOf(valueType);
        }
        fd = mapCreate(attr);
        entries.push(entry(probe.name, "supported"));
      } catch (err) {
        const errno = errnoOf(err);
        if (errno === undefined) entries.push(entry(probe.name, "unknown", (err as Error).message));
        else {
          const r = mapReason(errno);
          entries.push(entry(probe.name, r.status, r.reason));
        }
      } finally {
        closeFd(fd);
        for (const x of extraFds) closeFd(x);
      }
    }
  } finally {
    if (storageBtf) closeFd(storageBtf.fd);
  }
  return entries;
}

// ---- helpers ---------------------------------------------------------------------------------

const HELPER_UNSUPPORTED =
  /invalid func |unknown func |program of this type cannot use helper |func \S+ not supported for program type/;

function probeHelpers(s: Scratch, programType: string, spec: LoadSpec): HelperEntry[] {
  const out: HelperEntry[] = [];
  for (let id = 1; id < HELPER_MAX_ID; id++) {
    const name = helperName(id) ?? `helper#${id}`;
    // A call with whatever the registers hold: the verifier checks the helper exists for this
    // program type before it looks at the arguments.
    const r = tryLoad(s, spec, Buffer.concat([insn(CALL, 0, 0, 0, id), insn(EXIT, 0, 0, 0, 0)]));
    if (r.fd >= 0) closeFd(r.fd);
    let status: FeatureEntry["status"] = "supported";
    let reason: string | undefined;
    if (r.fd < 0) {
      if (HELPER_UNSUPPORTED.test(r.log)) {
        status = "unsupported";
        reason = verdictLine(r.log);
      } else if (/might sleep in a non-sleepable prog/.test(r.log)) {
        status = "unsupported";
        reason = "only in sleepable programs";
      } else if (r.log.trim() === "") {
        status = "unknown";
        reason = `BPF_PROG_LOAD answered ${errnoName(r.errno)} with no verifier log`;
      }
    }
    const e: HelperEntry = { name, supported: status === "supported", status, programType, helperId: id };
    if (reason) e.reason = reason;
    out.push(e);
  }
  return out;
}

// ---- attach kinds ----------------------------------------------------------------------------

const SYS_UNSHARE = process.arch === "arm64" ? 97 : 272;
const CLONE_NEWNET = 0x4000_0000;
const O_RDONLY = 0,
  O_DIRECTORY = 0o200000,
  O_CLOEXEC = 0o2000000;
const XDP_PASS = 2,
  TC_ACT_OK = 0,
  CGROUP_ALLOW = 1;

/** Runs `fn` on this thread inside a brand-new, empty network namespace (only `lo`, ifindex 1). */
function inPrivateNetns<T>(fn: () => T): T {
  const original = currentNetns();
  try {
    if (native.syscall3(SYS_UNSHARE, CLONE_NEWNET, 0, 0) < 0)
      throw new SyscallError("unshare(CLONE_NEWNET)", lastErrno());
    try {
      return fn();
    } finally {
      setns(original);
    }
  } finally {
    native.close(original);
  }
}

function linkReason(err: unknown, what: string): { status: FeatureEntry["status"]; reason: string } {
  const errno = errnoOf(err);
  if (errno === undefined) return { status: "unknown", reason: `${what}: ${(err as Error).message}` };
  if (errno === Errno.EPERM || errno === Errno.EACCES)
    return isRoot()
      ? { status: "blocked", reason: `${what} answered ${errnoName(errno)} although running as root` }
      : { status: "unknown", reason: permissionReason(errno) };
  if (errno === Errno.EINVAL)
    return { status: "unsupported", reason: `${what} answered EINVAL: this kernel does not have this kind of link` };
  if (errno === Errno.EOPNOTSUPP || errno === Errno.ENOTSUPP)
    return { status: "unsupported", reason: `${what} answered ${errnoName(errno)}: not built into this kernel` };
  return { status: "unknown", reason: `${what} answered ${errnoName(errno)}` };
}

/** Loads a program for an attach probe; returns its fd or an entry explaining the failure. */
function loadFor(s: Scratch, name: string, spec: LoadSpec, code: Buffer): number | FeatureEntry {
  const r = tryLoad(s, spec, code);
  if (r.fd >= 0) return r.fd;
  const c = classifyLoad(r, undefined);
  return entry(
    name,
    c.status === "supported" ? "unknown" : c.status,
    `loading the ${enumName(ProgType, spec.type)} program failed: ${c.reason ?? errnoName(r.errno)}`,
  );
}

function attempt(name: string, what: string, run: () => void): FeatureEntry {
  try {
    run();
    return entry(name, "supported");
  } catch (err) {
    const r = linkReason(err, what);
    return entry(name, r.status, r.reason);
  }
}

function withProgram(
  s: Scratch,
  name: string,
  spec: LoadSpec,
  code: Buffer,
  use: (fd: number) => FeatureEntry,
): FeatureEntry {
  const fd = loadFor(s, name, spec, code);
  if (typeof fd !== "number") return fd;
  try {
    return use(fd);
  } finally {
    closeFd(fd);
  }
}

function createAndClose(
  progFd: number,
  target: number,
  attachType: number,
  extra: LinkCreateExtra,
  after?: (linkFd: number) => void,
): void {
  const link = linkCreate(progFd, target, attachType, 0, extra);
  try {
    after?.(link);
  } finally {
    closeFd(link);
  }
}

/** A small file nobody maps, so uprobes on it are real but never hit. */
function withProbeFile<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-probe-"));
  const path = join(dir, "target");
  try {
    const fd = openSync(path, "w", 0o700);
    try {
      writeSync(fd, Buffer.alloc(4096, 0x90));
    } finally {
      closeSync(fd);
    }
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mountsOfType(type: string): string[] {
  try {
    return readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" "))
      .filter((f) => f[2] === type && f[1])
      .map((f) => f[1]!.replace(/\\040/g, " "));
  } catch {
    return [];
  }
}

function probePerfLink(s: Scratch, bpffs: string | undefined, pinned: { result?: FeatureEntry }): FeatureEntry {
  return withProgram(s, "perf_link", { type: ProgType.PERF_EVENT }, returning(0), (progFd) => {
    // A software clock event that is opened disabled never fires: the link is real but idle.
    const perfFd = perfEventOpenErrno(
      { type: PerfType.SOFTWARE, config: PerfSwConfig.CPU_CLOCK, samplePeriod: 1_000_000_000, disabled: true },
      0,
      -1,
    );
    if (perfFd < 0)
      return entry("perf_link", "unknown", `perf_event_open(software cpu-clock) answered ${errnoName(-perfFd)}`);
    try {
      return attempt("perf_link", "BPF_LINK_CREATE(perf_event)", () =>
        createAndClose(progFd, perfFd, AttachType.PERF_EVENT, { kind: "perf_event", cookie: 0n }, (linkFd) => {
          pinned.result = probePinning(linkFd, bpffs);
        }),
      );
    } finally {
      closeFd(perfFd);
    }
  });
}

function probePinning(linkFd: number, bpffs: string | undefined): FeatureEntry {
  if (bpffs === undefined)
    return entry("link_pinning", "unknown", "no bpffs is mounted (mount -t bpf bpf /sys/fs/bpf)");
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(bpffs, "tsbpf-probe-"));
    const path = join(dir, "link");
    objPin(linkFd, path);
    unlinkSync(path);
    return entry("link_pinning", "supported");
  } catch (err) {
    const r = linkReason(err, "BPF_OBJ_PIN(link)");
    return entry("link_pinning", r.status, r.reason);
  } finally {
    if (dir)
      try {
        rmdirSync(dir);
      } catch {
        /* already gone */
      }
  }
}

function probeAttach(s: Scratch, system: SystemFacts): FeatureEntry[] {
  const out: FeatureEntry[] = [];

  // XDP and tcx links on `lo` of a private network namespace: real links, no effect on the host.
  let netnsFailure: string | undefined;
  try {
    inPrivateNetns(() => {
      const LO = 1;
      out.push(
        withProgram(s, "xdp_link", { type: ProgType.XDP }, returning(XDP_PASS), (fd) =>
          attempt("xdp_link", "BPF_LINK_CREATE(xdp)", () => createAndClose(fd, LO, AttachType.XDP, { kind: "none" })),
        ),
      );
      out.push(
        withProgram(s, "tcx", { type: ProgType.SCHED_CLS }, returning(TC_ACT_OK), (fd) =>
          attempt("tcx", "BPF_LINK_CREATE(tcx_ingress)", () =>
            createAndClose(fd, LO, AttachType.TCX_INGRESS, { kind: "tcx", relativeFdOrId: 0, expectedRevision: 0n }),
          ),
        ),
      );
    });
  } catch (err) {
    netnsFailure = `could not create a private network namespace to probe in: ${(err as Error).message}`;
    out.push(entry("xdp_link", "unknown", netnsFailure), entry("tcx", "unknown", netnsFailure));
  }

  const bpffs = system.bpffs[0];
  const pinned: { result?: FeatureEntry } = {};
  out.push(probePerfLink(s, bpffs, pinned));

  // Classic uprobe through the uprobe PMU, and uprobe_multi links, on a file nobody maps.
  withProbeFile((path) => {
    const uprobeType = pmuType("uprobe");
    if (uprobeType === undefined) {
      out.push(
        entry(
          "uprobe",
          "unsupported",
          "no uprobe PMU in /sys/bus/event_source/devices (kernel built without CONFIG_UPROBE_EVENTS)",
        ),
      );
    } else {
      const file = NativeMemory.from(path);
      try {
        const fd = perfEventOpenErrno({ type: uprobeType, config1: file.address, config2: 0 }, -1, 0);
        if (fd >= 0) {
          closeFd(fd);
          out.push(entry("uprobe", "supported"));
        } else
          out.push(
            entry(
              "uprobe",
              -fd === Errno.EPERM || -fd === Errno.EACCES ? (isRoot() ? "blocked" : "unknown") : "unsupported",
              `perf_event_open(uprobe) answered ${errnoName(-fd)}`,
            ),
          );
      } finally {
        file.free();
      }
    }
    out.push(
      withProgram(
        s,
        "uprobe_multi",
        { type: ProgType.KPROBE, expectedAttachType: AttachType.TRACE_UPROBE_MULTI },
        returning(0),
        (fd) => {
          const file = NativeMemory.from(path);
          const offsets = new NativeMemory(8);
          offsets.bytes.fill(0);
          try {
            return attempt("uprobe_multi", "BPF_LINK_CREATE(uprobe_multi)", () =>
              createAndClose(fd, 0, AttachType.TRACE_UPROBE_MULTI, {
                kind: "uprobe_multi",
                path: file,
                offsets,
                refCtrOffsets: null,
                cookies: null,
                count: 1,
                flags: 0,
                pid: 0,
              }),
            );
          } finally {
            file.free();
            offsets.free();
          }
        },
      ),
    );
  });

  // kprobes: the kprobe PMU, then a real probe on a function only BPF's self-tests call.
  const kprobeType = pmuType("kprobe");
  if (kprobeType === undefined) {
    out.push(
      entry(
        "kprobe",
        "unsupported",
        "no kprobe PMU in /sys/bus/event_source/devices: the kernel was built without kprobes (CONFIG_KPROBE_EVENTS)",
      ),
    );
  } else {
    const fn = NativeMemory.from("bpf_fentry_test1");
    try {
      const fd = perfEventOpenErrno({ type: kprobeType, config1: fn.address, config2: 0 }, -1, 0);
      if (fd >= 0) {
        closeFd(fd);
        out.push(entry("kprobe", "supported"));
      } else
        out.push(
          entry(
            "kprobe",
            "unknown",
            `the kprobe PMU exists but perf_event_open(kprobe bpf_fentry_test1) answered ${errnoName(-fd)}`,
          ),
        );
    } finally {
      fn.free();
    }
  }
  out.push(
    withProgram(
      s,
      "kprobe_multi",
      { type: ProgType.KPROBE, expectedAttachType: AttachType.TRACE_KPROBE_MULTI },
      returning(0),
      (fd) => {
        const name = NativeMemory.from("bpf_fentry_test1");
        const syms = new NativeMemory(8);
        syms.view.setBigUint64(0, BigInt(name.address), true);
        try {
          return attempt("kprobe_multi", "BPF_LINK_CREATE(kprobe_multi)", () =>
            createAndClose(fd, 0, AttachType.TRACE_KPROBE_MULTI, {
              kind: "kprobe_multi",
              flags: 0,
              count: 1,
              syms,
              addrs: null,
              cookies: null,
            }),
          );
        } finally {
          name.free();
          syms.free();
        }
      },
    ),
  );

  // fentry: a trampoline program on bpf_fentry_test1 (only loaded, and attached if that works).
  const target = btfId("bpf_fentry_test1", "func");
  if (target === undefined) {
    out.push(
      entry(
        "fentry",
        "unsupported",
        system.btf
          ? "kernel BTF has no bpf_fentry_test1 to probe with"
          : "no kernel BTF (/sys/kernel/btf/vmlinux): fentry needs it",
      ),
    );
  } else {
    const r = tryLoad(
      s,
      { type: ProgType.TRACING, expectedAttachType: AttachType.TRACE_FENTRY, attachBtfId: target },
      returning(0),
    );
    if (r.fd < 0) {
      const c = classifyLoad(r, undefined);
      out.push(
        entry(
          "fentry",
          c.status === "supported" ? "unsupported" : c.status,
          c.status === "blocked"
            ? BLOCKED_REASON
            : `loading an fentry program failed: ${c.reason ?? errnoName(r.errno)}`,
        ),
      );
    } else {
      try {
        out.push(
          attempt("fentry", "BPF_LINK_CREATE(trace_fentry)", () =>
            createAndClose(r.fd, 0, AttachType.TRACE_FENTRY, { kind: "none" }),
          ),
        );
      } finally {
        closeFd(r.fd);
      }
    }
  }

  // cgroup links, on a child cgroup made for the probe (never on a cgroup with processes).
  if (system.cgroup2 === undefined) {
    out.push(entry("cgroup_link", "unknown", "no cgroup v2 file system is mounted"));
  } else {
    out.push(
      withProgram(
        s,
        "cgroup_link",
        { type: ProgType.CGROUP_SKB, expectedAttachType: AttachType.CGROUP_INET_INGRESS },
        returning(CGROUP_ALLOW),
        (fd) => {
          const dir = join(system.cgroup2!, `tsbpf-probe-${process.pid}-${Date.now()}`);
          try {
            mkdirSync(dir);
          } catch (err) {
            return entry("cgroup_link", "unknown", `could not create a cgroup to probe on: ${(err as Error).message}`);
          }
          try {
            const cgroupFd = native.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            if (cgroupFd < 0) return entry("cgroup_link", "unknown", `open(${dir}) answered ${errnoName(lastErrno())}`);
            try {
              return attempt("cgroup_link", "BPF_LINK_CREATE(cgroup_inet_ingress)", () =>
                createAndClose(fd, cgroupFd, AttachType.CGROUP_INET_INGRESS, { kind: "none" }),
              );
            } finally {
              closeFd(cgroupFd);
            }
          } finally {
            try {
              rmdirSync(dir);
            } catch {
              /* best effort */
            }
          }
        },
      ),
    );
  }

  out.push(pinned.result ?? entry("link_pinning", "unknown", "no link could be created to pin"));
  return out;
}

// ---- system facts ----------------------------------------------------------------------------

function readNumber(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Facts about the system that need no probing (cheap; not cached). */
export function systemFacts(): SystemFacts {
  const jitEnable = readNumber("/proc/sys/net/core/bpf_jit_enable");
  const bpffs = mountsOfType("bpf");
  const tracefs = mountsOfType("tracefs");
  return {
    kernelRelease: release(),
    jitEnable,
    jitEnabled: jitEnable !== undefined && jitEnable > 0,
    jitHarden: readNumber("/proc/sys/net/core/bpf_jit_harden"),
    btf: existsSync("/sys/kernel/btf/vmlinux"),
    unprivilegedBpfDisabled: readNumber("/proc/sys/kernel/unprivileged_bpf_disabled"),
    bpffs,
    bpffsMounted: bpffs.length > 0,
    cgroup2: mountsOfType("cgroup2")[0],
    tracefs: tracefs.find((p) => p === "/sys/kernel/tracing") ?? tracefs[0],
    possibleCpus: possibleCpuCount(),
    pageSize: native.getpagesize(),
    root: isRoot(),
  };
}

// ---- the report --------------------------------------------------------------------------------

let cached: { report: FeatureReport; helperTypes: Set<string> } | undefined;

function resolveHelperTypes(options: ProbeOptions): string[] | "all" {
  if (options.allHelpers) return "all";
  const wanted = options.helperProgramTypes ?? DEFAULT_HELPER_PROGRAM_TYPES;
  return wanted.map((t) => (typeof t === "number" ? enumName(ProgType, t) : t.toLowerCase()));
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/**
 * Probes the running kernel. The first call does the work (about half a second with the default
 * helper selection, a few seconds with every program type's helpers); later calls return the
 * cached report, probing only program types whose helpers were not probed yet.
 */
export function probeFeatures(options: ProbeOptions = {}): FeatureReport {
  const helperTypes = resolveHelperTypes(options);
  if (cached) {
    const missing =
      helperTypes === "all"
        ? cached.report.programTypes
            .filter(
              (p) =>
                p.supported &&
                !cached!.helperTypes.has(p.name) &&
                !cached!.report.helperProbeSkipped.some((x) => x.programType === p.name),
            )
            .map((p) => p.name)
        : helperTypes.filter((t) => !cached!.helperTypes.has(t));
    if (missing.length === 0) return cached.report;
    extendHelpers(cached, missing);
    return cached.report;
  }

  const started = performance.now();
  const s = new Scratch();
  try {
    let t = performance.now();
    // Probing is active anyway: make bpffs available first (as root), as any pin would.
    try {
      ensureBpffs();
    } catch {
      /* the report then says bpffs is missing */
    }
    const system = systemFacts();
    const systemMs = elapsed(t);

    t = performance.now();
    const { entries: programTypes, loadable } = probeProgramTypes(s);
    const programMs = elapsed(t);

    t = performance.now();
    const mapTypes = probeMapTypes(system.pageSize);
    const mapMs = elapsed(t);

    t = performance.now();
    const attach = probeAttach(s, system);
    const attachMs = elapsed(t);

    const report: FeatureReport = {
      programTypes,
      mapTypes,
      helpers: [],
      helperProgramTypes: [],
      helperProbeSkipped: [],
      attach,
      system,
      permissionDenied: programTypes.every((p) => p.status === "unknown" && /^(EPERM|EACCES)\b/.test(p.reason ?? "")),
      timings: { programTypes: programMs, mapTypes: mapMs, helpers: 0, attach: attachMs, system: systemMs, total: 0 },
    };
    cached = { report, helperTypes: new Set() };
    loadableSpecs = loadable;
    const wanted = helperTypes === "all" ? programTypes.map((p) => p.name) : helperTypes;
    extendHelpers(cached, wanted, s);
    report.timings.total = elapsed(started);
    return report;
  } finally {
    s.free();
  }
}

let loadableSpecs = new Map<string, LoadSpec>();

function extendHelpers(
  state: { report: FeatureReport; helperTypes: Set<string> },
  types: readonly string[],
  scratch?: Scratch,
): void {
  const s = scratch ?? new Scratch();
  const t = performance.now();
  try {
    for (const type of types) {
      if (state.helperTypes.has(type)) continue;
      state.helperTypes.add(type);
      const spec = loadableSpecs.get(type);
      if (!spec) {
        const known = state.report.programTypes.find((p) => p.name === type);
        const reason = !known
          ? `unknown program type "${type}"`
          : !known.supported
            ? `the program type is not available here (${known.reason ?? known.status})`
            : "a minimal program of this type does not load on its own (it needs an attach target)";
        if (!state.report.helperProbeSkipped.some((x) => x.programType === type))
          state.report.helperProbeSkipped.push({ programType: type, reason });
        continue;
      }
      state.report.helpers.push(...probeHelpers(s, type, spec));
      state.report.helperProgramTypes.push(type);
    }
  } finally {
    if (!scratch) s.free();
    const spent = elapsed(t);
    state.report.timings.helpers = Math.round((state.report.timings.helpers + spent) * 10) / 10;
    if (!scratch) state.report.timings.total = Math.round((state.report.timings.total + spent) * 10) / 10;
  }
}

/** Drops the cached report (for tests that want to measure a cold probe). */
export function clearFeatureCache(): void {
  cached = undefined;
  loadableSpecs = new Map();
}

// ---- single questions ------------------------------------------------------------------------

/** Whether programs of `type` load here (probes everything once, then answers from the cache). */
export function programTypeSupported(type: number | string): boolean {
  const name = typeof type === "number" ? enumName(ProgType, type) : type;
  return probeFeatures({ helperProgramTypes: [] }).programTypes.find((p) => p.name === name)?.supported ?? false;
}

/** Whether maps of `type` can be created here. */
export function mapTypeSupported(type: number | string): boolean {
  const name = typeof type === "number" ? enumName(MapType, type) : type;
  return probeFeatures({ helperProgramTypes: [] }).mapTypes.find((m) => m.name === name)?.supported ?? false;
}

/** Whether programs of `programType` may call `helper` ("ringbuf_output" or "bpf_ringbuf_output"). */
export function helperSupported(programType: number | string, helper: string): boolean {
  const type = typeof programType === "number" ? enumName(ProgType, programType) : programType;
  const name = helper.startsWith("bpf_") ? helper : `bpf_${helper}`;
  return (
    probeFeatures({ helperProgramTypes: [type] }).helpers.find((h) => h.programType === type && h.name === name)
      ?.supported ?? false
  );
}
