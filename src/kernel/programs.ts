// Program kinds and their contexts. A program is a module-level constant made by a marker call:
//
//   export const count = xdp((ctx) => { ... return XDP_PASS; });
//   export const onExec = tracepoint("sched/sched_process_exec", (ctx) => { ... return 0; });
//
// The marker names the kernel's program type and attach point; the callback's parameter gets the
// context type of that kind, so editors know `ctx.pid` of a tracepoint and `ctx.load()` of XDP.
// In user space a marker returns an inert description (the loader reads kind and target from the
// compiled artifact; the description only carries the types).
import type { ArrayView, DataType, View } from "./types.js";
import type { Tracepoints } from "./tracepoints.js";
import type { ReuseportSockArray, SockHash, SockMap } from "./maps.js";
import type {
  KernelFunctions,
  KernelReturns,
  LsmHooks,
  StructOpsTypes,
  TpBtfEvents,
  bpf_map,
  sock_common,
  task_struct,
} from "./vmlinux.js";

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
  | "sk_lookup"
  | "sk_reuseport"
  | "flow_dissector"
  // cgroup and socket hooks
  | "cgroup_skb"
  | "cgroup_sock"
  | "cgroup_sock_addr"
  | "sock_ops"
  | "cgroup_sysctl"
  | "cgroup_sockopt"
  | "cgroup_device"
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
  | "iter"
  // a method of a struct_ops (structOps)
  | "struct_ops";

/** What a marker returns: the program's kind and attach target (types for the user side). */
export interface ProgramDeclaration<K extends ProgramKind = ProgramKind> {
  readonly kind: K;
  readonly target: Readonly<Record<string, unknown>>;
}

function declare<K extends ProgramKind>(kind: K, target: Record<string, unknown>): ProgramDeclaration<K> {
  return Object.freeze({ kind, target: Object.freeze(target) });
}

// ---- packet contexts -------------------------------------------------------------------------

/** Packet access shared by XDP, TC and socket filters. */
export interface PacketAccess {
  /**
   * The bytes at `offset` seen as `type` (a struct, array or integer), or null when the packet is
   * shorter. XDP and TC read the packet in place (a bounds check the compiler emits and merges);
   * socket filters read a copy (bpf_skb_load_bytes). Integers are read in network order only when
   * the type says so (be16, be32 …).
   */
  load<T extends DataType>(type: T, offset: number): View<T> | null;
  /** Copies `length` bytes from `offset` into `into` (at most its length): 0, or a negative errno. */
  loadBytes(offset: number, into: ArrayView<number>, length: number): number;
}

/** struct xdp_md, plus packet access. */
export interface XdpContext extends PacketAccess {
  /** Frame length in bytes (data_end - data). */
  readonly len: number;
  readonly ingressIfindex: number;
  readonly rxQueueIndex: number;
  readonly egressIfindex: number;
  /** bpf_xdp_adjust_head: moves the frame's start by `delta` bytes (negative grows it). Earlier packet views become invalid. */
  adjustHead(delta: number): number;
  /** bpf_xdp_adjust_tail: moves the frame's end by `delta` bytes (negative shrinks it). 0 or a negative errno. */
  adjustTail(delta: number): number;
  /**
   * bpf_xdp_adjust_meta: grows (negative delta) or shrinks the metadata area in front of the
   * frame, which a TC program on the same packet reads. 0 or a negative errno (-ENOTSUPP where
   * the driver has no metadata). Earlier packet views become invalid.
   */
  adjustMeta(delta: number): number;
}

/** struct __sk_buff of TC (sched_cls) programs, plus packet access. */
export interface TcContext extends PacketAccess {
  /** Packet length (for TC ingress and egress: from the Ethernet header on). */
  readonly len: number;
  readonly pktType: number;
  mark: number;
  readonly queueMapping: number;
  /** EtherType in host order (skb->protocol). */
  readonly protocol: number;
  readonly vlanPresent: number;
  readonly vlanTci: number;
  readonly vlanProto: number;
  priority: number;
  readonly ingressIfindex: number;
  readonly ifindex: number;
  readonly tcIndex: number;
  readonly hash: number;
  tcClassid: number;
  readonly napiId: number;
  readonly wireLen: number;
  readonly gsoSegs: number;
  readonly gsoSize: number;
  tstamp: number;
  /** bpf_skb_store_bytes(offset, from, length, flags). */
  storeBytes(offset: number, from: ArrayView<number>, length: number, flags?: number): number;
  /**
   * bpf_l3_csum_replace: patches the IP header checksum at `offset` for a field that changed from
   * `from` to `to` (both as stored in the packet, `size` 2 or 4 bytes), or adds `to` as a
   * csumDiff() result with size 0. Earlier packet views become invalid. 0 or a negative errno.
   */
  l3CsumReplace(offset: number, from: number, to: number, size: number): number;
  /**
   * bpf_l4_csum_replace: the same for a TCP/UDP checksum; `flags` is the size (2, 4, or 0 for a
   * csumDiff() result) | BPF_F_PSEUDO_HDR when the field is in the pseudo header (addresses)
   * | BPF_F_MARK_MANGLED_0 for UDP (a zero checksum stays "none").
   */
  l4CsumReplace(offset: number, from: number, to: number, flags: number): number;
  /** bpf_skb_pull_data(length): makes `length` bytes directly readable. Earlier packet views become invalid. */
  pullData(length: number): number;
}

/** struct __sk_buff of socket filters: no direct packet access, `load` copies through bpf_skb_load_bytes. */
export interface SocketFilterContext extends PacketAccess {
  /** Bytes of the packet from the network header on (socket filters do not see link headers on most sockets). */
  readonly len: number;
  readonly pktType: number;
  readonly mark: number;
  readonly queueMapping: number;
  readonly protocol: number;
  readonly vlanPresent: number;
  readonly vlanTci: number;
  readonly ifindex: number;
  readonly hash: number;
}

// ---- tracing contexts ------------------------------------------------------------------------

/** The fields every tracepoint record starts with. */
export interface TracepointCommon {
  readonly common_type: number;
  readonly common_flags: number;
  readonly common_preempt_count: number;
  readonly common_pid: number;
}

/** A tracepoint's record: its fields by name, typed from tracefs (`tsbpf gen-kernel tracepoint CAT:NAME`). */
export type TracepointContext<N extends string> = N extends keyof Tracepoints
  ? TracepointCommon & Readonly<Tracepoints[N]>
  : TracepointCommon;

/** Raw tracepoint: the tracepoint's arguments as u64 values. */
export interface RawTracepointContext {
  /** The i-th argument (0-based, a constant). */
  arg(i: number): number;
}

/** tp_btf programs get the context (for helpers that take one) then the typed arguments. */
export interface TpBtfContext {
  arg(i: number): number;
}

/** struct pt_regs of uprobes and perf events (x86-64 and arm64 names are mapped). */
export interface PtRegsContext {
  /** The i-th integer argument of the probed function (0-5), by the platform's calling convention. */
  arg(i: number): number;
  /** The return value (uretprobe). */
  readonly ret: number;
  readonly ip: number;
  readonly sp: number;
  readonly fp: number;
}

export interface PerfEventContext {
  readonly samplePeriod: number;
  readonly addr: number;
  readonly regs: PtRegsContext;
}

// ---- markers -----------------------------------------------------------------------------------

/** Program return values are integers (an action, a length, 0 …). */
type Ret = number | boolean | void;

/** BPF_PROG_TYPE_XDP: return XDP_PASS, XDP_DROP, XDP_TX, XDP_REDIRECT or XDP_ABORTED. */
export function xdp(program: (ctx: XdpContext) => Ret, options: { frags?: boolean } = {}): ProgramDeclaration<"xdp"> {
  return declare("xdp", { ...options });
}

/** BPF_PROG_TYPE_SCHED_CLS: return TC_ACT_OK, TC_ACT_SHOT … (direction is where it is meant to attach). */
export function tc(
  program: (ctx: TcContext) => Ret,
  options: { direction?: "ingress" | "egress" } = {},
): ProgramDeclaration<"tc"> {
  return declare("tc", { ...options });
}

/** BPF_PROG_TYPE_SOCKET_FILTER: return how many bytes of the packet to keep (0 drops it). */
export function socketFilter(program: (ctx: SocketFilterContext) => Ret): ProgramDeclaration<"socket_filter"> {
  return declare("socket_filter", {});
}

/**
 * The data a socket in a sockmap/sockhash receives (`__sk_buff`): the fields and `load` of a
 * socket filter; `SockMap.redirect(ctx, …)` / `SockHash.redirect(ctx, …)` send it to another socket.
 */
export interface SkSkbContext extends SocketFilterContext {}

/** sk_skb verdict program result: keep the data (SK_PASS) or drop it (SK_DROP). */
export const SK_DROP = 0;
export const SK_PASS = 1;
/** redirect flag: into the target socket's receive queue (without it: out of the target socket). */
export const BPF_F_INGRESS = 1;

/**
 * BPF_PROG_TYPE_SK_SKB stream verdict: runs on the data each socket of a sockmap/sockhash
 * receives, once attached to the map (`attachToMap`); returns SK_PASS / SK_DROP or a redirect.
 */
export function skSkb(program: (ctx: SkSkbContext) => Ret): ProgramDeclaration<"sk_skb"> {
  return declare("sk_skb", {});
}

/** A message a socket in a sockmap/sockhash sends (`sk_msg_md`; addresses and ports in network order, ports in the low 16 bits… as the kernel gives them). */
export interface SkMsgContext {
  readonly family: number;
  readonly remoteIp4: number;
  readonly localIp4: number;
  /** Network byte order. */
  readonly remotePort: number;
  /** Host byte order. */
  readonly localPort: number;
  /** Bytes in the message. */
  readonly size: number;
}

/**
 * BPF_PROG_TYPE_SK_MSG: runs on every sendmsg of a (TCP) socket in a sockmap/sockhash once
 * attached to the map (`attachToSocketMap(prog, map, AttachType.SK_MSG_VERDICT)`); returns SK_PASS,
 * SK_DROP or a redirect (`SockMap.redirect(ctx, key, flags)` → bpf_msg_redirect_map).
 */
export function skMsg(program: (ctx: SkMsgContext) => Ret): ProgramDeclaration<"sk_msg"> {
  return declare("sk_msg", {});
}

// ---- socket selection and flow dissection ---------------------------------------------------------

/**
 * struct bpf_sk_lookup: a TCP connection request or UDP datagram arriving in the network namespace,
 * before the kernel looks up its socket. Addresses are in network order, ports in host order.
 */
export interface SkLookupContext {
  /** AF_INET or AF_INET6. */
  readonly family: number;
  /** IPPROTO_TCP or IPPROTO_UDP. */
  readonly protocol: number;
  readonly remoteIp4: number;
  readonly remoteIp6: ArrayView<number, 4>;
  readonly remotePort: number;
  readonly localIp4: number;
  readonly localIp6: ArrayView<number, 4>;
  /** The destination port the packet asks for. */
  readonly localPort: number;
  readonly ingressIfindex: number;
  /**
   * bpf_sk_assign with the socket stored at `key` of a SockMap/SockHash (looked up, assigned and
   * released again): 0 when the packet now goes to that socket (then return SK_PASS), -ENOENT
   * (-2) when the slot is empty, or another negative errno (a socket of the wrong protocol, one
   * already assigned without BPF_SK_LOOKUP_F_REPLACE …).
   */
  assign(sockets: SockMap, key: number, flags?: number): number;
  assign<K extends DataType>(sockets: SockHash<K>, key: View<K>, flags?: number): number;
}
/** assign() flags: replace a socket an earlier program assigned; skip the target's reuseport group. */
export const BPF_SK_LOOKUP_F_REPLACE = 1;
export const BPF_SK_LOOKUP_F_NO_REUSEPORT = 2;

/**
 * BPF_PROG_TYPE_SK_LOOKUP (section `sk_lookup`): runs for each connection request and datagram of
 * the network namespace it is attached to (`SkLookupProgram.attach(netns)`). Return SK_PASS — with
 * the socket assign() chose, or to let the kernel look one up — or SK_DROP to refuse the packet.
 */
export function skLookup(program: (ctx: SkLookupContext) => Ret): ProgramDeclaration<"sk_lookup"> {
  return declare("sk_lookup", {});
}

/**
 * struct sk_reuseport_md: a connection request or datagram for a reuseport group. `load` and
 * `loadBytes` read the packet from its transport header on (the UDP or TCP header at offset 0).
 */
export interface SkReuseportContext extends PacketAccess {
  /** Bytes from the transport header on. */
  readonly len: number;
  /** EtherType, host order (ETH_P_IP, ETH_P_IPV6). */
  readonly ethProtocol: number;
  /** IPPROTO_TCP or IPPROTO_UDP. */
  readonly ipProtocol: number;
  /** 1 when the group is bound to the wildcard address. */
  readonly bindInany: number;
  /** The packet's flow hash (what the kernel would pick the socket by). */
  readonly hash: number;
  /**
   * bpf_sk_select_reuseport: the socket at `index` of `group` gets the packet (return SK_PASS
   * then). 0, or a negative errno: -ENOENT for an empty slot, -EINVAL for a socket of another group.
   */
  selectSocket(group: ReuseportSockArray, index: number, flags?: number): number;
}

/**
 * BPF_PROG_TYPE_SK_REUSEPORT (section `sk_reuseport`, or `sk_reuseport/migrate` with
 * `{ migrate: true }`): picks the socket of a SO_REUSEPORT group for each connection or datagram
 * (`SkReuseportProgram.attach(socketFd)`). Return SK_PASS (the selected socket, or the kernel's
 * hash choice when none was selected) or SK_DROP.
 */
export function skReuseport(
  program: (ctx: SkReuseportContext) => Ret,
  options: { migrate?: boolean } = {},
): ProgramDeclaration<"sk_reuseport"> {
  return declare("sk_reuseport", { ...options });
}

/**
 * struct bpf_flow_keys: what a flow dissector reports. Offsets are from the packet's start
 * (`ctx.load` offsets); ports and addresses are read and written in host order.
 */
export interface FlowKeys {
  /** Where the network header starts (set by the kernel on entry; move it past encapsulations). */
  nhoff: number;
  /** Where the transport header starts. */
  thoff: number;
  /** ETH_P_IP or ETH_P_IPV6: which of the address fields are valid. */
  addrProto: number;
  isFrag: number;
  isFirstFrag: number;
  isEncap: number;
  ipProto: number;
  /** The network protocol (EtherType) the kernel found before the program. */
  nProto: number;
  sport: number;
  dport: number;
  ipv4Src: number;
  ipv4Dst: number;
  /** IPv6 addresses (16 bytes each, as in the packet). */
  readonly ipv6Src: ArrayView<number, 16>;
  readonly ipv6Dst: ArrayView<number, 16>;
  /** BPF_FLOW_DISSECTOR_F_* the caller asked for. */
  flags: number;
  flowLabel: number;
}

/** The flow dissector's context: the packet (read in place) and the flow keys to fill. */
export interface FlowDissectorContext extends PacketAccess {
  readonly flowKeys: FlowKeys;
}
/** Flow dissector results. */
export const BPF_OK = 0;
export const BPF_DROP = 2;
/** Let the kernel's own dissector handle this packet. */
export const BPF_FLOW_DISSECTOR_CONTINUE = 129;
/** FlowKeys.flags: parse the first fragment's transport header; stop at the IPv6 flow label; stop at an encapsulation. */
export const BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG = 1;
export const BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL = 2;
export const BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP = 4;

/**
 * BPF_PROG_TYPE_FLOW_DISSECTOR (section `flow_dissector`): parses the packets of the network
 * namespace it is attached to (`FlowDissectorProgram.attach(netns)`) into `ctx.flowKeys`, for
 * the kernel's hashing and classification. Return BPF_OK, BPF_DROP, or BPF_FLOW_DISSECTOR_CONTINUE.
 */
export function flowDissector(program: (ctx: FlowDissectorContext) => Ret): ProgramDeclaration<"flow_dissector"> {
  return declare("flow_dissector", {});
}

/**
 * BPF_PROG_TYPE_TRACEPOINT on `"category/name"` (e.g. "sched/sched_process_exec"); the context has
 * the event's fields (typed when the event is in the Tracepoints interface).
 */
export function tracepoint<K extends string>(
  event: K,
  program: (ctx: TracepointContext<K>) => Ret,
): ProgramDeclaration<"tracepoint"> {
  const [category, name] = event.split("/");
  return declare("tracepoint", { category, name });
}

/** BPF_PROG_TYPE_RAW_TRACEPOINT on tracepoint `name`. */
export function rawTracepoint(
  name: string,
  program: (ctx: RawTracepointContext) => Ret,
): ProgramDeclaration<"raw_tracepoint"> {
  return declare("raw_tracepoint", { name });
}

/** tp_btf: a BTF-typed tracepoint. Arguments are typed from vmlinux BTF; kernel struct fields are read by name. */
export function tpBtf<E extends keyof TpBtfEvents & string>(
  event: E,
  program: (ctx: TpBtfContext, ...args: TpBtfEvents[E]) => Ret,
): ProgramDeclaration<"tp_btf"> {
  return declare("tp_btf", { event });
}

/** A uprobe on `symbol` (or `offset`) of `binary`; attach it from user space (pid optional). */
export function uprobe(
  target: { binary: string; symbol?: string; offset?: number },
  program: (ctx: PtRegsContext) => Ret,
): ProgramDeclaration<"uprobe"> {
  return declare("uprobe", { ...target });
}

export function uretprobe(
  target: { binary: string; symbol?: string; offset?: number },
  program: (ctx: PtRegsContext) => Ret,
): ProgramDeclaration<"uretprobe"> {
  return declare("uretprobe", { ...target });
}

/** BPF_PROG_TYPE_PERF_EVENT (software CPU clock sampling by default). */
export function perfEvent(
  program: (ctx: PerfEventContext) => Ret,
  options: { frequency?: number } = {},
): ProgramDeclaration<"perf_event"> {
  return declare("perf_event", { ...options });
}

// ---- cgroup and socket hooks -----------------------------------------------------------------
// Programs attached to a cgroup v2 directory: they run for the sockets (and, for devices and
// sysctls, the processes) of that cgroup and its descendants. Most return 1 to allow and 0 to
// refuse (the system call then fails with EPERM).

/** struct __sk_buff of cgroup_skb programs: the packet from the IP header on; `load` copies (bpf_skb_load_bytes). */
export interface CgroupSkbContext extends PacketAccess {
  /** Bytes from the IP header on. */
  readonly len: number;
  readonly pktType: number;
  mark: number;
  readonly queueMapping: number;
  /** EtherType in host order (ETH_P_IP, ETH_P_IPV6). */
  readonly protocol: number;
  priority: number;
  readonly ingressIfindex: number;
  readonly ifindex: number;
  readonly hash: number;
  /** AF_INET or AF_INET6 of the socket. */
  readonly family: number;
  tstamp: number;
}

/** BPF_PROG_TYPE_CGROUP_SKB: return 1 to let the packet through, 0 to drop it. Section cgroup_skb/ingress|egress. */
export function cgroupSkb(
  hook: "ingress" | "egress",
  program: (ctx: CgroupSkbContext) => Ret,
): ProgramDeclaration<"cgroup_skb"> {
  return declare("cgroup_skb", { hook });
}

/** struct bpf_sock of cgroup_sock programs. Addresses are in network order, srcPort in host order. */
export interface CgroupSockContext {
  /** Writable at sock_create: binds the socket to this interface. */
  boundDevIf: number;
  /** AF_INET (2) or AF_INET6 (10). */
  readonly family: number;
  /** SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_RAW (3) … */
  readonly type: number;
  /** IPPROTO_TCP (6), IPPROTO_UDP (17), IPPROTO_ICMP (1) … */
  readonly protocol: number;
  mark: number;
  priority: number;
  /** post_bind4 only. */
  readonly srcIp4: number;
  /** post_bind4/6 only (host order). */
  readonly srcPort: number;
  /** Host order. */
  readonly dstPort: number;
  readonly dstIp4: number;
  readonly state: number;
}

export type CgroupSockHook = "sock_create" | "sock_release" | "post_bind4" | "post_bind6";

/** BPF_PROG_TYPE_CGROUP_SOCK: runs when a process of the cgroup creates, releases or binds an inet socket; 0 refuses (EPERM). */
export function cgroupSock(
  hook: CgroupSockHook,
  program: (ctx: CgroupSockContext) => Ret,
): ProgramDeclaration<"cgroup_sock"> {
  return declare("cgroup_sock", { hook });
}

/** struct bpf_sock_addr: the address a bind/connect/sendmsg/recvmsg/getname call carries; userIp4/userPort may be rewritten. */
export interface CgroupSockAddrContext {
  readonly userFamily: number;
  /** IPv4 address in network order (4-hooks). Writable. */
  userIp4: number;
  /** IPv6 address: four u32 words in network order (6-hooks). */
  readonly userIp6: ArrayView<number, 4>;
  /** The port in host order (stored in network order); writable. */
  userPort: number;
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  /** sendmsg4: the source address (network order); writable. */
  msgSrcIp4: number;
  readonly msgSrcIp6: ArrayView<number, 4>;
}

export type CgroupSockAddrHook =
  | "bind4"
  | "bind6"
  | "connect4"
  | "connect6"
  | "sendmsg4"
  | "sendmsg6"
  | "recvmsg4"
  | "recvmsg6"
  | "getpeername4"
  | "getpeername6"
  | "getsockname4"
  | "getsockname6";

/** BPF_PROG_TYPE_CGROUP_SOCK_ADDR at `hook`: 1 allows the call (with the address as the program left it), 0 refuses it (EPERM). recvmsg hooks must return 1. */
export function cgroupSockAddr(
  hook: CgroupSockAddrHook,
  program: (ctx: CgroupSockAddrContext) => Ret,
): ProgramDeclaration<"cgroup_sock_addr"> {
  return declare("cgroup_sock_addr", { hook });
}

/** struct bpf_sock_ops: a TCP event (`op`, a BPF_SOCK_OPS_* value) and the connection's state. */
export interface SockOpsContext {
  /** BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, BPF_SOCK_OPS_STATE_CB … */
  readonly op: number;
  /** The value returned to the kernel for ops that ask for one (e.g. BPF_SOCK_OPS_TIMEOUT_INIT). */
  reply: number;
  readonly family: number;
  readonly remoteIp4: number;
  readonly localIp4: number;
  /** Host order. */
  readonly remotePort: number;
  /** Host order. */
  readonly localPort: number;
  readonly isFullsock: number;
  readonly sndCwnd: number;
  readonly srttUs: number;
  /** The callbacks enabled for this socket (BPF_SOCK_OPS_*_CB_FLAG). */
  readonly callbackFlags: number;
  /** The TCP state (BPF_TCP_ESTABLISHED …). */
  readonly state: number;
  readonly rttMin: number;
  readonly sndSsthresh: number;
  readonly rcvNxt: number;
  readonly sndNxt: number;
  readonly sndUna: number;
  readonly mssCache: number;
  readonly ecnFlags: number;
  readonly rateDelivered: number;
  readonly rateIntervalUs: number;
  readonly packetsOut: number;
  readonly retransOut: number;
  readonly totalRetrans: number;
  readonly segsIn: number;
  readonly dataSegsIn: number;
  readonly segsOut: number;
  readonly dataSegsOut: number;
  readonly lostOut: number;
  readonly sackedOut: number;
  readonly bytesReceived: number;
  readonly bytesAcked: number;
  readonly skbLen: number;
  readonly skbTcpFlags: number;
  /** The callback's i-th argument (0-3; for BPF_SOCK_OPS_STATE_CB the old and the new state). */
  arg(i: number): number;
  /** bpf_sock_ops_cb_flags_set: which further callbacks this socket gets; 0 or a negative errno. */
  setCallbackFlags(flags: number): number;
}

/** sock_ops `op` values (include/uapi/linux/bpf.h). */
export const BPF_SOCK_OPS_TIMEOUT_INIT = 1;
export const BPF_SOCK_OPS_RWND_INIT = 2;
export const BPF_SOCK_OPS_TCP_CONNECT_CB = 3;
export const BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB = 4;
export const BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB = 5;
export const BPF_SOCK_OPS_NEEDS_ECN = 6;
export const BPF_SOCK_OPS_BASE_RTT = 7;
export const BPF_SOCK_OPS_RTO_CB = 8;
export const BPF_SOCK_OPS_RETRANS_CB = 9;
export const BPF_SOCK_OPS_STATE_CB = 10;
export const BPF_SOCK_OPS_TCP_LISTEN_CB = 11;
export const BPF_SOCK_OPS_RTT_CB = 12;
/** setCallbackFlags() bits. */
export const BPF_SOCK_OPS_RTO_CB_FLAG = 1;
export const BPF_SOCK_OPS_RETRANS_CB_FLAG = 2;
export const BPF_SOCK_OPS_STATE_CB_FLAG = 4;
export const BPF_SOCK_OPS_RTT_CB_FLAG = 8;
/** TCP states as sock_ops reports them. */
export const BPF_TCP_ESTABLISHED = 1;
export const BPF_TCP_SYN_SENT = 2;
export const BPF_TCP_SYN_RECV = 3;
export const BPF_TCP_FIN_WAIT1 = 4;
export const BPF_TCP_FIN_WAIT2 = 5;
export const BPF_TCP_TIME_WAIT = 6;
export const BPF_TCP_CLOSE = 7;
export const BPF_TCP_CLOSE_WAIT = 8;
export const BPF_TCP_LAST_ACK = 9;
export const BPF_TCP_LISTEN = 10;
export const BPF_TCP_CLOSING = 11;

/** BPF_PROG_TYPE_SOCK_OPS: called at TCP events of the cgroup's sockets (section sockops); returns 1. */
export function sockOps(program: (ctx: SockOpsContext) => Ret): ProgramDeclaration<"sock_ops"> {
  return declare("sock_ops", {});
}

/** struct bpf_sysctl: an access to a file under /proc/sys. */
export interface CgroupSysctlContext {
  /** 1 for a write, 0 for a read. */
  readonly write: number;
  /** The file position of the access; writable. */
  filePos: number;
  /** The sysctl's name ("net/ipv4/tcp_mem"; with BPF_F_SYSCTL_BASE_NAME only "tcp_mem") into a byte array: its length, or -E2BIG when cut. */
  getName(into: ArrayView<number>, flags?: number): number;
  /** The current value as text. */
  getCurrentValue(into: ArrayView<number>): number;
  /** The value being written as text (writes only; -EINVAL on reads). */
  getNewValue(into: ArrayView<number>): number;
  /** Replaces the value being written with the first `length` bytes of `from` (a constant length). */
  setNewValue(from: ArrayView<number>, length: number): number;
}
/** getName() flag: the name without its directory. */
export const BPF_F_SYSCTL_BASE_NAME = 1;

/** BPF_PROG_TYPE_CGROUP_SYSCTL: runs on /proc/sys reads and writes of the cgroup's processes; 0 refuses (EPERM). */
export function cgroupSysctl(program: (ctx: CgroupSysctlContext) => Ret): ProgramDeclaration<"cgroup_sysctl"> {
  return declare("cgroup_sysctl", {});
}

/** struct bpf_sockopt: a getsockopt/setsockopt call. */
export interface CgroupSockoptContext {
  /** SOL_SOCKET (1), IPPROTO_TCP (6) … */
  readonly level: number;
  readonly optname: number;
  /** The option's length; writable (setsockopt: -1 makes the kernel skip its own handling). */
  optlen: number;
  /** getsockopt: the kernel's result (0 or a negative errno); writable there. */
  retval: number;
}

/** BPF_PROG_TYPE_CGROUP_SOCKOPT at getsockopt or setsockopt: 1 lets the call proceed, 0 fails it with EPERM. */
export function cgroupSockopt(
  hook: "getsockopt" | "setsockopt",
  program: (ctx: CgroupSockoptContext) => Ret,
): ProgramDeclaration<"cgroup_sockopt"> {
  return declare("cgroup_sockopt", { hook });
}

/** struct bpf_cgroup_dev_ctx: an access to a device node. */
export interface CgroupDeviceContext {
  /** (access << 16) | type: type BPF_DEVCG_DEV_BLOCK (1) / CHAR (2), access BPF_DEVCG_ACC_MKNOD (1) | READ (2) | WRITE (4). */
  readonly accessType: number;
  readonly major: number;
  readonly minor: number;
}
export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;

/** BPF_PROG_TYPE_CGROUP_DEVICE: runs when the cgroup's processes open or mknod a device; 0 refuses (EPERM). */
export function cgroupDevice(program: (ctx: CgroupDeviceContext) => Ret): ProgramDeclaration<"cgroup_device"> {
  return declare("cgroup_device", {});
}

// ---- kernel functions: kprobes, trampolines (fentry/fexit/fmod_ret), LSM, iterators --------------

/** The arguments of kernel function F, typed from vmlinux BTF when F is declared (`tsbpf gen-kernel vmlinux`). */
export type KernelArguments<F extends string> = F extends keyof KernelFunctions ? KernelFunctions[F] : number[];
/** The return value of kernel function F. */
export type KernelReturn<F extends string> = F extends keyof KernelReturns ? KernelReturns[F] : number;
/** Arguments then a return value; for an undeclared function (arguments of unknown count) any numbers. */
export type ArgumentsThen<A extends unknown[], R> = number extends A["length"] ? number[] : [...A, R];
/** The arguments of LSM hook H. */
export type LsmArguments<H extends string> = H extends keyof LsmHooks ? LsmHooks[H] : number[];

/**
 * A kprobe on kernel function `fn` (section `kprobe/FN`): the parameters after the context are
 * the function's arguments, typed from vmlinux BTF and read from pt_regs by the calling
 * convention (x86-64: rdi, rsi, rdx, rcx, r8, r9; arm64: x0–x5). Struct pointers are read
 * through with probe reads. With `offset`, the probe sits inside the function and has no typed
 * arguments. Return 0.
 */
export function kprobe<F extends string>(
  fn: F,
  program: (ctx: PtRegsContext, ...args: KernelArguments<F>) => Ret,
  options: { offset?: number } = {},
): ProgramDeclaration<"kprobe"> {
  return declare("kprobe", { function: fn, ...options });
}

/** A kretprobe on `fn` (section `kretprobe/FN`): the parameter after the context is its return value, typed from BTF. */
export function kretprobe<F extends string>(
  fn: F,
  program: (ctx: PtRegsContext, ret: KernelReturn<F>) => Ret,
): ProgramDeclaration<"kretprobe"> {
  return declare("kretprobe", { function: fn });
}

/** A kprobe on every kernel function matching `pattern` (`*` and `?`; section `kprobe.multi/PATTERN`). */
export function kprobeMulti(pattern: string, program: (ctx: PtRegsContext) => Ret): ProgramDeclaration<"kprobe_multi"> {
  return declare("kprobe_multi", { pattern });
}

/** A kretprobe on every kernel function matching `pattern` (section `kretprobe.multi/PATTERN`). */
export function kretprobeMulti(
  pattern: string,
  program: (ctx: PtRegsContext) => Ret,
): ProgramDeclaration<"kretprobe_multi"> {
  return declare("kretprobe_multi", { pattern });
}

/** A uprobe on every function of `binary` matching `pattern` (section `uprobe.multi/BINARY:PATTERN`). */
export function uprobeMulti(
  target: { binary: string; pattern: string },
  program: (ctx: PtRegsContext) => Ret,
): ProgramDeclaration<"uprobe_multi"> {
  return declare("uprobe_multi", { ...target });
}

/** A uretprobe on every function of `binary` matching `pattern` (section `uretprobe.multi/BINARY:PATTERN`). */
export function uretprobeMulti(
  target: { binary: string; pattern: string },
  program: (ctx: PtRegsContext) => Ret,
): ProgramDeclaration<"uretprobe_multi"> {
  return declare("uretprobe_multi", { ...target });
}

/**
 * The context of trampoline programs (fentry, fexit, fmod_ret, lsm): the function's arguments as
 * an array of u64 the verifier types from BTF.
 */
export interface TracingContext {
  /** The i-th argument as a u64 (a constant index); in fexit, fmod_ret and lsm arg(N) is the return value. */
  arg(i: number): number;
}

/** fexit, fmod_ret and lsm: the return value after the arguments. */
export interface TracingReturnContext extends TracingContext {
  /** fexit: the function's return value; fmod_ret and lsm: the previous program's (0 when first). */
  readonly ret: number;
}

/**
 * fentry on kernel function `fn` (section `fentry/FN`): runs at its entry through a BPF
 * trampoline; the arguments are typed from BTF and struct pointers are read directly. Return 0.
 */
export function fentry<F extends string>(
  fn: F,
  program: (ctx: TracingContext, ...args: KernelArguments<F>) => Ret,
): ProgramDeclaration<"fentry"> {
  return declare("fentry", { function: fn });
}

/** fexit on `fn` (section `fexit/FN`): the arguments, then the return value (all of them, in order). Return 0. */
export function fexit<F extends string>(
  fn: F,
  program: (ctx: TracingReturnContext, ...args: ArgumentsThen<KernelArguments<F>, KernelReturn<F>>) => Ret,
): ProgramDeclaration<"fexit"> {
  return declare("fexit", { function: fn });
}

/**
 * fmod_ret on `fn` (section `fmod_ret/FN`; the function must allow error injection, or be a
 * security_* hook): the arguments, then the previous fmod_ret program's value. Returning 0 lets
 * the function run; anything else skips it and becomes its return value.
 */
export function fmodRet<F extends string>(
  fn: F,
  program: (ctx: TracingReturnContext, ...args: ArgumentsThen<KernelArguments<F>, number>) => Ret,
): ProgramDeclaration<"fmod_ret"> {
  return declare("fmod_ret", { function: fn });
}

/**
 * A BPF LSM program on hook `hook` (section `lsm/HOOK`, e.g. "file_open"): the hook's arguments
 * typed from BTF (of bpf_lsm_HOOK), then the previous program's verdict. Return 0 to allow, or a
 * negative errno (-EPERM) to deny. The kernel runs it only when "bpf" is in its lsm= list.
 */
export function lsm<H extends string>(
  hook: H,
  program: (ctx: TracingReturnContext, ...args: ArgumentsThen<LsmArguments<H>, number>) => Ret,
): ProgramDeclaration<"lsm"> {
  return declare("lsm", { hook });
}

/** What an iterator program writes to: the seq_file behind each read() of the iterator. */
export interface IterOutput {
  /** How many objects this read has visited before this one (0 first). */
  readonly seqNum: number;
  /**
   * bpf_seq_printf: the template's text with its values — integers in decimal, `hex(x)` in hex,
   * `str(bytes)` (or a byte array) as a C string; at most 12 values. 0, or a negative errno.
   */
  print(text: string): number;
  /** bpf_seq_write: a struct or array value as it is in memory. 0, or a negative errno. */
  write(value: object): number;
}

/** Per target, what the iterator visits (null once, at the end of the walk). */
export interface IterTargets {
  task: { readonly task: task_struct | null };
  tcp: { readonly sk_common: sock_common | null; readonly uid: number };
  bpf_map: { readonly map: bpf_map | null };
  bpf_map_elem: {
    readonly map: bpf_map | null;
    /** The element's key seen as `type` (null at the end); key and value of the attached map. */
    key<T extends DataType>(type: T): View<T> | null;
    value<T extends DataType>(type: T): View<T> | null;
  };
}

export type IterContext<T extends string> = IterOutput & (T extends keyof IterTargets ? IterTargets[T] : object);

/**
 * A BPF iterator (section `iter/TARGET`): runs once per object the target walks ("task", "tcp",
 * "bpf_map", "bpf_map_elem" …) and once more with a null object at the end; what it prints is
 * what read() of the iterator returns. Return 0 (1 stops the walk).
 */
export function iter<T extends string>(target: T, program: (ctx: IterContext<T>) => Ret): ProgramDeclaration<"iter"> {
  return declare("iter", { target });
}

// ---- struct_ops: kernel structs of callbacks implemented in BPF (a TCP congestion control …) -------

/** The members of struct_ops type S, typed from vmlinux BTF: its callbacks (methods) and data (a name …). */
export type StructOpsMembers<S extends string> = S extends keyof StructOpsTypes
  ? StructOpsTypes[S]
  : Record<string, unknown>;

/** What structOps() returns: the struct_ops variable (a map user space registers). */
export interface StructOpsDeclaration<S extends string = string> {
  readonly kind: "struct_ops";
  readonly struct: S;
  readonly link: boolean;
}

/**
 * A kernel struct of callbacks implemented in kernel TypeScript (section `.struct_ops`, or
 * `.struct_ops.link` with `{ link: true }`), e.g. a TCP congestion control:
 *
 *   export const reno = structOps("tcp_congestion_ops", {
 *     name: "tsbpf_reno",
 *     ssthresh(sk) { return sk.snd_cwnd > 4 ? sk.snd_cwnd >> 1 : 2; },
 *     ...
 *   });
 *
 * Each method is a program (named VARIABLE_METHOD) whose parameters are the callback's, typed
 * from BTF (a tcp_congestion_ops callback sees its socket as a tcp_sock, and may set its
 * snd_cwnd, snd_cwnd_cnt and snd_ssthresh). Data members (the name) are constants. User space
 * registers it with `attachStructOps(VARIABLE)`; detaching unregisters it.
 */
export function structOps<S extends string>(
  struct: S,
  members: StructOpsMembers<S>,
  options: { link?: boolean } = {},
): StructOpsDeclaration<S> {
  void members;
  return Object.freeze({ kind: "struct_ops", struct, link: options.link === true });
}
