// Kernel helpers as typed functions, constants, and the `log` facility. Calling any of these in
// user space throws: they exist for the compiler (and for editors).
import { struct, u32, u64, type ArrayView, type DataType, type View } from "./types.js";
import type { task_struct } from "./vmlinux.js";

function kernelOnly(what: string): never {
  throw new TypeError(`${what}() runs in the kernel only: compile this module with tsbpf (tsbpf compile FILE)`);
}

// ---- return values and flags ------------------------------------------------------------------
export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const XDP_REDIRECT = 4;

export const TC_ACT_UNSPEC = -1;
export const TC_ACT_OK = 0;
export const TC_ACT_RECLASSIFY = 1;
export const TC_ACT_SHOT = 2;
export const TC_ACT_PIPE = 3;
export const TC_ACT_STOLEN = 4;
export const TC_ACT_REDIRECT = 7;

/** Map update flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

/** bpf_ringbuf_submit/discard/output flags. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const AF_INET = 2;
export const AF_INET6 = 10;

// ---- time, process, CPU -------------------------------------------------------------------------
/** bpf_ktime_get_ns: CLOCK_MONOTONIC in ns. */
export function ktimeGetNs(): number {
  return kernelOnly("ktimeGetNs");
}
/** bpf_ktime_get_boot_ns: CLOCK_BOOTTIME in ns. */
export function ktimeGetBootNs(): number {
  return kernelOnly("ktimeGetBootNs");
}
/** bpf_get_current_pid_tgid: tgid << 32 | pid. */
export function getCurrentPidTgid(): number {
  return kernelOnly("getCurrentPidTgid");
}
/** bpf_get_current_uid_gid: gid << 32 | uid. */
export function getCurrentUidGid(): number {
  return kernelOnly("getCurrentUidGid");
}
/** bpf_get_current_comm into a byte array (16 bytes is TASK_COMM_LEN). */
export function getCurrentComm(into: ArrayView<number>): number {
  return kernelOnly("getCurrentComm");
}
/** bpf_get_current_task as an address (read through it with readKernel/probeReadKernel). */
export function getCurrentTask(): number {
  return kernelOnly("getCurrentTask");
}
/** bpf_get_current_task_btf: the current task, its fields read directly by name (tracing programs). */
export function getCurrentTaskBtf(): task_struct {
  return kernelOnly("getCurrentTaskBtf");
}
export function getSmpProcessorId(): number {
  return kernelOnly("getSmpProcessorId");
}
export function getPrandomU32(): number {
  return kernelOnly("getPrandomU32");
}

// ---- memory ---------------------------------------------------------------------------------------
/** A kernel address or a kernel object (tp_btf arguments, getCurrentTaskBtf(), their pointer fields). */
export type KernelSource = number | object;

/** bpf_probe_read_kernel into `into` (all of it): 0 or a negative errno. */
export function probeReadKernel(into: object, source: KernelSource): number {
  return kernelOnly("probeReadKernel");
}
/** bpf_probe_read_kernel_str: the string's length with its NUL, or a negative errno. */
export function probeReadKernelStr(into: ArrayView<number>, source: KernelSource | object): number {
  return kernelOnly("probeReadKernelStr");
}
export function probeReadUser(into: object, source: number): number {
  return kernelOnly("probeReadUser");
}
export function probeReadUserStr(into: ArrayView<number>, source: number): number {
  return kernelOnly("probeReadUserStr");
}
/** Reads one value of `type` at a kernel address (bpf_probe_read_kernel; 0 when it faults). */
export function readKernel<T extends DataType>(type: T, address: number): View<T> {
  return kernelOnly("readKernel");
}
/** Reads one value of `type` at a user address (bpf_probe_read_user; 0 when it faults). */
export function readUser<T extends DataType>(type: T, address: number): View<T> {
  return kernelOnly("readUser");
}
/**
 * A zeroed value of a struct or array type: in a function, stack memory; at module level, the
 * initial value of a global (`export const config: Config = zeroed(Config)` is a .rodata struct
 * user space fills before loading). In user space it returns the decoded zero value.
 */
export function zeroed<T extends DataType>(type: T): View<T> {
  return type.decode(new DataView(new ArrayBuffer(type.size)), 0) as View<T>;
}
/**
 * The same memory seen as another data type, `offset` bytes in (like a C cast of a pointer):
 * `viewAs(Addrs, ip, 12)`. The new view must fit inside the old one (checked at compile time), so
 * it needs no bounds check of its own.
 */
export function viewAs<T extends DataType>(type: T, view: object, offset?: number): View<T> {
  return kernelOnly("viewAs");
}
/** Sees a kernel object as another kernel struct type (like a C cast of the pointer): `cast<tcp_sock>(sk)`. */
export function cast<T extends object>(pointer: object | number): T {
  return kernelOnly("cast");
}
/** The address of a kernel object (a pointer as a number). */
export function addressOf(pointer: object): number {
  return kernelOnly("addressOf");
}
/** Copies `source` into `target` (same type or a shorter array). */
export function copy<T extends object>(target: T, source: T): void {
  kernelOnly("copy");
}
/** Atomically adds to an integer field of shared memory (a map value): `atomicAdd(stats, "bytes", len)`. */
export function atomicAdd<T extends object, F extends keyof T>(target: T, field: F, value: number): void {
  kernelOnly("atomicAdd");
}

// ---- packets ------------------------------------------------------------------------------------
/** bpf_redirect(ifindex, flags): XDP_REDIRECT / TC_ACT_REDIRECT, to return. */
export function redirect(ifindex: number, flags?: number): number {
  return kernelOnly("redirect");
}

/** fibLookup flags. */
export const BPF_FIB_LOOKUP_DIRECT = 1;
export const BPF_FIB_LOOKUP_OUTPUT = 2;
export const BPF_FIB_LOOKUP_SKIP_NEIGH = 4;
export const BPF_FIB_LOOKUP_TBID = 8;
export const BPF_FIB_LOOKUP_SRC = 16;
/** fibLookup results. */
export const BPF_FIB_LKUP_RET_SUCCESS = 0;
export const BPF_FIB_LKUP_RET_BLACKHOLE = 1;
export const BPF_FIB_LKUP_RET_UNREACHABLE = 2;
export const BPF_FIB_LKUP_RET_PROHIBIT = 3;
export const BPF_FIB_LKUP_RET_NOT_FWDED = 4;
export const BPF_FIB_LKUP_RET_FWD_DISABLED = 5;
export const BPF_FIB_LKUP_RET_UNSUPP_LWT = 6;
export const BPF_FIB_LKUP_RET_NO_NEIGH = 7;
export const BPF_FIB_LKUP_RET_FRAG_NEEDED = 8;
export const BPF_FIB_LKUP_RET_NO_SRC_ADDR = 9;

/**
 * bpf_fib_lookup (XDP and TC): looks the route (and neighbour) for `params` (a FibLookup view,
 * filled in place) up in the kernel's tables. A BPF_FIB_LKUP_RET_* result, or a negative errno.
 */
export function fibLookup(ctx: object, params: object, flags?: number): number {
  return kernelOnly("fibLookup");
}

/** l4CsumReplace flags: the field is part of the pseudo header; UDP's 0 means "no checksum". */
export const BPF_F_PSEUDO_HDR = 0x10;
export const BPF_F_MARK_MANGLED_0 = 0x20;
/** storeBytes flags: recompute skb->csum; invalidate the skb's hash. */
export const BPF_F_RECOMPUTE_CSUM = 1;
export const BPF_F_INVALIDATE_HASH = 2;

/**
 * bpf_csum_diff: the one's-complement sum of `to` minus `from` (views whose sizes are multiples of
 * 4, null for none), plus `seed` — feed it to l3CsumReplace/l4CsumReplace with size 0.
 */
export function csumDiff(from: object | null, to: object | null, seed?: number): number {
  return kernelOnly("csumDiff");
}

// ---- CO-RE: the running kernel's types ----------------------------------------------------------
/**
 * bpf_core_field_exists: 1 when the running kernel's `struct` has the member `path` ("a.b" through
 * nested structs), else 0. A relocation the loader resolves, so the verifier drops the branch the
 * kernel cannot take: `if (coreFieldExists("task_struct", "loginuid")) …`.
 */
export function coreFieldExists(struct: string, path: string): number {
  return kernelOnly("coreFieldExists");
}
/** bpf_core_enum_value: the value of `enumerator` in the running kernel's `enum` (32-bit enums). */
export function coreEnumValue(enumName: string, enumerator: string): number {
  return kernelOnly("coreEnumValue");
}
/** bpf_core_enum_value_exists: 1 when the running kernel's `enum` has `enumerator`, else 0. */
export function coreEnumValueExists(enumName: string, enumerator: string): number {
  return kernelOnly("coreEnumValueExists");
}

// ---- spin locks ---------------------------------------------------------------------------------
/**
 * struct bpf_spin_lock (the BTF name the kernel looks for): a field of a map value's struct —
 * `class Account extends struct({ lock: SpinLock, balance: u64 }) {}` — locked with spinLock()
 * around updates of the other fields. One per value, not in arrays of values.
 */
export class bpf_spin_lock extends struct({ val: u32 }) {}
export { bpf_spin_lock as SpinLock };

/**
 * bpf_spin_lock on a map value's lock field (`spinLock(v.lock)`). Until spinUnlock the program may
 * only read and write memory: the verifier refuses helper and function calls while it is held,
 * and a path that leaves it held.
 */
export function spinLock(lock: object): void {
  kernelOnly("spinLock");
}
/** bpf_spin_unlock. */
export function spinUnlock(lock: object): void {
  kernelOnly("spinUnlock");
}

// ---- timers ---------------------------------------------------------------------------------------
/**
 * struct bpf_timer: a field of a map value's struct (`struct({ timer: Timer, … })`, one per
 * value). timerInit it with the map that holds it, timerSetCallback, then timerStart; the
 * callback runs in softirq context with (map, key, value) and returns 0.
 */
export class bpf_timer extends struct({ opaque0: u64, opaque1: u64 }) {}
export { bpf_timer as Timer };
/** timerInit's clocks. */
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_BOOTTIME = 7;
/** timerStart flags: an absolute expiry time; pin to the current CPU. */
export const BPF_F_TIMER_ABS = 1;
export const BPF_F_TIMER_CPU_PIN = 2;

/** bpf_timer_init(timer, map, clock = CLOCK_MONOTONIC): 0, or -EBUSY when already initialised. */
export function timerInit(timer: object, map: object, clock?: number): number {
  return kernelOnly("timerInit");
}
/** bpf_timer_set_callback: `callback(map, key, value)` (a module-level function) runs when it fires. */
export function timerSetCallback(timer: object, callback: (map: number, key: any, value: any) => number): number {
  return kernelOnly("timerSetCallback");
}
/** bpf_timer_start(timer, nanoseconds, flags): fires after that long (or at it, with BPF_F_TIMER_ABS). */
export function timerStart(timer: object, nanoseconds: number, flags?: number): number {
  return kernelOnly("timerStart");
}
/** bpf_timer_cancel: 1 when it was pending, 0 when not, or a negative errno. */
export function timerCancel(timer: object): number {
  return kernelOnly("timerCancel");
}

/**
 * bpf_redirect_map(map, key, flags) — the same as `map.redirect(key, flags)` for a DevMap,
 * DevMapHash, CpuMap or XskMap: XDP_REDIRECT, or the action in flags' low bits for an empty slot.
 */
export function redirectMap(map: object, key: number, flags?: number): number {
  return kernelOnly("redirectMap");
}

// ---- control ------------------------------------------------------------------------------------
/**
 * bpf_loop: calls `body(i, state)` for i = 0 … iterations-1 (at most 1 << 23), stopping early when
 * it returns 1. `body` is a module-level function of (u32, State) returning 0 or 1; it cannot see
 * the caller's locals — pass what it needs in `state` (a struct on the caller's stack).
 */
export function loop<S extends object>(
  iterations: number,
  body: (index: number, state: S) => number,
  state: S,
): number {
  return kernelOnly("loop");
}

// ---- logging ------------------------------------------------------------------------------------
/**
 * A log record to user space (like aya-log): `log.info(\`port ${port} from ${ipv4(addr)}\`)`. The
 * template's text stays in user space; the kernel sends only the values, through a ring buffer
 * the compiler adds to the object. Values are integers, bools, or fixed byte arrays (as strings).
 */
export interface Log {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
}

export const log: Log = {
  error: () => kernelOnly("log.error"),
  warn: () => kernelOnly("log.warn"),
  info: () => kernelOnly("log.info"),
  debug: () => kernelOnly("log.debug"),
  trace: () => kernelOnly("log.trace"),
};

/**
 * bpf_trace_printk (bpf_trace_vprintk beyond 3 values, up to 12): one line to the kernel's trace
 * buffer, read from /sys/kernel/tracing/trace_pipe — it shows whoever loaded the program (bpftool,
 * ip, tsbpf). The template is the printf format: integers print in decimal, `${hex(x)}` in hex,
 * `${ipv4(a)}` dotted, `${str(bytes)}` as a C string. Returns the bytes written or a negative errno.
 * Slow and global: for debugging; `log` is the structured way.
 */
export function printk(message: string): number {
  return kernelOnly("printk");
}
/** printk under libbpf's name (bpf_printk). */
export function bpfPrintk(message: string): number {
  return kernelOnly("bpfPrintk");
}

/** Log formatting hints, used inside a log template: `${hex(x)}`, `${ipv4(addr)}` … */
export function hex(value: number): string {
  return kernelOnly("hex");
}
/** An IPv4 address (a be32 read in host order). */
export function ipv4(address: number): string {
  return kernelOnly("ipv4");
}
/** An IPv6 address from a 16-byte array. */
export function ipv6(address: ArrayView<number, 16>): string {
  return kernelOnly("ipv6");
}
/** A MAC address from a 6-byte array. */
export function mac(address: ArrayView<number, 6>): string {
  return kernelOnly("mac");
}
/** A C string from a byte array. */
export function str(bytes: ArrayView<number>): string {
  return kernelOnly("str");
}
