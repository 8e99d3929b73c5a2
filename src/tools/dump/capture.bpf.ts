// The kernel side of `tsbpf dump`: XDP (frames an interface receives) and TC (frames it sends)
// programs that copy each packet's first bytes (up to the snapshot length), its length on the
// wire, a timestamp, the interface, the direction, the VLAN tag TC keeps in skb metadata and, on
// egress, the task the CPU was running into the `packets` ring buffer.
//
// The capture filter (the tcpdump expression) is NOT in this file: it is compiled at run time by
// src/filter into small XDP and TC entry programs that tail-call these programs through a
// prog_array when a packet matches (see probe.ts). With no expression these programs are attached
// directly. Either way a packet the filter rejects never reaches this code, the ring or user space.
//
// Counters per CPU (index = COUNTER_*): packets that reached capture (tcpdump's "received by
// filter"), their bytes, and records the ring had no room for ("dropped by kernel"), kept per
// interface slot so pcapng statistics blocks can carry each interface's drops.
import {
  xdp,
  tc,
  RingBuf,
  ArrayMap,
  PerCpuArrayMap,
  struct,
  bytes,
  zeroed,
  u8,
  u16,
  u32,
  u64,
  ktimeGetNs,
  getCurrentPidTgid,
  getCurrentTask,
  cast,
  getCurrentComm,
  getSmpProcessorId,
  XDP_PASS,
  TC_ACT_UNSPEC,
} from "../../kernel/index.js";
import type { task_struct } from "../../kernel/index.js";

/** The most bytes of one packet a record carries (the compiler's largest array). */
const MAX_SNAP = 65536;
/** Bytes of the record header before the packet data (Capture's offset of `data`). */
const HEADER = 48;
/** Interface slots for the counters (user space maps ifindex → slot in `slots`). */
const SLOTS = 64;

/** Bytes to copy from each packet (-s), set by user space before loading. */
export const snapLength: u32 = 262144;
/** Inode of the capturing process's network namespace (/proc/self/ns/net). */
export const netnsInode: u32 = 0;
/** --pid: only packets of this process (tgid); 0 = any. */
export const pidFilter: u32 = 0;
/** --comm: only packets of tasks with this name (NUL-padded); an empty name = any. */
export const commFilter: u32 = 0;
export class Comm extends struct({ name: bytes(16) }) {}
export const commName: Comm = zeroed(Comm);

/** One captured packet; only HEADER + captured bytes of it travel through the ring. */
export class Capture extends struct({
  timestamp: u64, // CLOCK_MONOTONIC, ns
  length: u32, // length on the wire (Ethernet header included)
  captured: u32, // bytes of data that follow the header
  ifindex: u32,
  direction: u8, // 0 ingress (XDP), 1 egress (TC)
  vlanPresent: u8, // egress: a VLAN tag the stack keeps in skb metadata (not in the data)
  vlanTci: u16,
  vlanProto: u16, // host order
  slot: u16, // counter slot of the interface
  pid: u32, // egress: tgid of the task the CPU was running (0: none / ingress)
  comm: bytes(16), // its name
  data: bytes(MAX_SNAP),
}) {}

/** ifindex → counter slot (filled by user space). */
export class Slot extends struct({ slot: u32 }) {}
export class Counters extends struct({ packets: u64, bytes: u64, drops: u64 }) {}

/** Record assembly space: one entry per CPU (sized by user space), too big for the stack. */
export const scratch = new ArrayMap({ value: Capture, maxEntries: 2 });
export const packets = new RingBuf({ size: 8 * 1024 * 1024 });
/** Per interface slot: packets and bytes that reached capture, records lost (ring full). */
export const counters = new PerCpuArrayMap({ value: Counters, maxEntries: SLOTS });
/** ifindex → slot, for the counters. */
export const slots = new ArrayMap({ value: u32, maxEntries: 4096 });

export const ingress = xdp((ctx) => {
  const rec = scratch.lookup(getSmpProcessorId());
  if (rec === null) return XDP_PASS;
  if (pidFilter !== 0 || commFilter !== 0) return XDP_PASS; // no process is known on ingress
  const length: u32 = ctx.len;
  const ifindex: u32 = ctx.ingressIfindex;
  const captured = snap(length);
  rec.timestamp = ktimeGetNs();
  rec.length = length;
  rec.captured = captured;
  rec.ifindex = ifindex;
  rec.direction = 0;
  rec.vlanPresent = 0;
  rec.vlanTci = 0;
  rec.vlanProto = 0;
  rec.pid = 0;
  rec.comm[0] = 0;
  if (captured > 0 && ctx.loadBytes(0, rec.data, captured) < 0) return XDP_PASS;
  emit(rec, ifindex, length, captured);
  return XDP_PASS;
});

/**
 * Ingress through tcx, for an interface whose XDP hook another program holds (one XDP program per
 * interface and mode, while tcx chains any number): same record, direction 0, no process.
 */
export const ingressTc = tc(
  (ctx) => {
    const rec = scratch.lookup(getSmpProcessorId());
    if (rec === null) return TC_ACT_UNSPEC;
    if (pidFilter !== 0 || commFilter !== 0) return TC_ACT_UNSPEC;
    const length: u32 = ctx.len;
    const ifindex: u32 = ctx.ifindex;
    const captured = snap(length);
    rec.timestamp = ktimeGetNs();
    rec.length = length;
    rec.captured = captured;
    rec.ifindex = ifindex;
    rec.direction = 0;
    rec.vlanPresent = ctx.vlanPresent;
    rec.vlanTci = ctx.vlanTci;
    rec.vlanProto = ctx.vlanProto;
    rec.pid = 0;
    rec.comm[0] = 0;
    if (captured > 0 && ctx.loadBytes(0, rec.data, captured) < 0) return TC_ACT_UNSPEC;
    emit(rec, ifindex, length, captured);
    return TC_ACT_UNSPEC;
  },
  { direction: "ingress" },
);

export const egress = tc(
  (ctx) => {
    const rec = scratch.lookup(getSmpProcessorId());
    if (rec === null) return TC_ACT_UNSPEC;
    // The task the CPU runs is the sender when TC runs inside its send system call. When TC runs
    // from a softirq (replies the kernel sends, TCP ACKs and retransmits from timers) it is whatever
    // task was interrupted; a task of another network namespace cannot be the sender of a packet
    // leaving an interface of this one, so those are dropped (pid 0). Same-namespace softirq sends
    // remain indistinguishable (documented).
    let pid: u32 = 0;
    const task = cast<task_struct>(getCurrentTask());
    // @ts-expect-error: struct net is opaque to tsc; the compiler reads its layout from kernel BTF
    const taskNetns: u32 = task.nsproxy.net_ns.ns.inum;
    if (taskNetns === netnsInode) {
      const pidTgid: u64 = getCurrentPidTgid();
      pid = pidTgid >> 32;
    }
    if (pidFilter !== 0 && pid !== pidFilter) return TC_ACT_UNSPEC;
    if (pid !== 0) getCurrentComm(rec.comm);
    else rec.comm[0] = 0;
    if (commFilter !== 0) {
      for (let i: u32 = 0; i < 16; i++) {
        if (rec.comm[i] !== commName.name[i]) return TC_ACT_UNSPEC;
        if (rec.comm[i] === 0) break;
      }
    }
    const length: u32 = ctx.len;
    const ifindex: u32 = ctx.ifindex;
    const captured = snap(length);
    rec.timestamp = ktimeGetNs();
    rec.length = length;
    rec.captured = captured;
    rec.ifindex = ifindex;
    rec.direction = 1;
    rec.vlanPresent = ctx.vlanPresent;
    rec.vlanTci = ctx.vlanTci;
    rec.vlanProto = ctx.vlanProto;
    rec.pid = pid;
    if (captured > 0 && ctx.loadBytes(0, rec.data, captured) < 0) return TC_ACT_UNSPEC;
    emit(rec, ifindex, length, captured);
    // TC_ACT_UNSPEC: the packet goes on as if this program were not there.
    return TC_ACT_UNSPEC;
  },
  { direction: "egress" },
);

/**
 * min(length, snapLength, MAX_SNAP).
 * @inline
 */
function snap(length: u32): u32 {
  let n: u32 = length < snapLength ? length : snapLength;
  if (n > MAX_SNAP) n = MAX_SNAP;
  return n;
}

/** Counts the packet on its interface's slot and sends the record (or counts its loss). */
function emit(rec: Capture, ifindex: u32, length: u32, captured: u32): void {
  let slot: u32 = 0;
  const s = slots.lookup(ifindex & 4095);
  if (s !== null) slot = s.value;
  rec.slot = slot;
  const c = counters.lookup(slot);
  if (c === null) return;
  c.packets += 1;
  c.bytes += length;
  if (packets.output(rec, 0, HEADER + captured) < 0) c.drops += 1;
}
