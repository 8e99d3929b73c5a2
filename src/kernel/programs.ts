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
import type { TpBtfEvents } from "./vmlinux.js";

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
  | "sk_msg";

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
  /** bpf_xdp_adjust_tail. */
  adjustTail(delta: number): number;
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
