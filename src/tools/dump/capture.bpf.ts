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
  XDP_PASS,
  TC_ACT_UNSPEC,
} from "../../kernel/index.js";
import type { task_struct, XdpContext, TcContext } from "../../kernel/index.js";

/** The most bytes of one packet a record carries (the largest size class). */
const MAX_SNAP = 65536;
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

/** What a record carries before the packet bytes (48 bytes: the data starts 8-byte aligned). */
export class Head extends struct({
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
}) {}

// The record is reserved in the ring and the packet loaded straight into it: one copy. A
// reservation has a constant size, so packets go by size class (the record's length in the ring
// is the class's; `captured` says how many data bytes count). The classes fit the common sizes
// closely (minimum frames and ACKs, MTU-sized frames: 1514, 1518 with a tag) and take at most
// twice the room for the others (GSO packets up to 64 KiB).
export class Record128 extends struct({ head: Head, data: bytes(128) }) {}
export class Record256 extends struct({ head: Head, data: bytes(256) }) {}
export class Record512 extends struct({ head: Head, data: bytes(512) }) {}
export class Record1024 extends struct({ head: Head, data: bytes(1024) }) {}
export class Record1536 extends struct({ head: Head, data: bytes(1536) }) {}
export class Record4096 extends struct({ head: Head, data: bytes(4096) }) {}
export class Record8192 extends struct({ head: Head, data: bytes(8192) }) {}
export class Record16384 extends struct({ head: Head, data: bytes(16384) }) {}
export class Record32768 extends struct({ head: Head, data: bytes(32768) }) {}
/** The largest class: its data size is the most bytes of one packet a record carries. */
export class Record65536 extends struct({ head: Head, data: bytes(65536) }) {}

/** ifindex → counter slot (filled by user space). */
export class Slot extends struct({ slot: u32 }) {}
export class Counters extends struct({ packets: u64, bytes: u64, drops: u64 }) {}

export const packets = new RingBuf({ size: 8 * 1024 * 1024 });
/** Per interface slot: packets and bytes that reached capture, records lost (ring full). */
export const counters = new PerCpuArrayMap({ value: Counters, maxEntries: SLOTS });
/** ifindex → slot, for the counters. */
export const slots = new ArrayMap({ value: u32, maxEntries: 4096 });

/** sendXdp / sendTc results besides 0 (sent). */
const LOST = 1; // the ring had no room
const UNREADABLE = 2; // the packet bytes could not be loaded: not captured, not counted

export const ingress = xdp((ctx) => {
  if (pidFilter !== 0 || commFilter !== 0) return XDP_PASS; // no process is known on ingress
  const length: u32 = ctx.len;
  const ifindex: u32 = ctx.ingressIfindex;
  const captured = snap(length);
  const slot = slotOf(ifindex);
  const h: Head = {
    timestamp: ktimeGetNs(),
    length: length,
    captured: captured,
    ifindex: ifindex,
    direction: 0,
    vlanPresent: 0,
    vlanTci: 0,
    vlanProto: 0,
    slot: slot,
    pid: 0,
    comm: zeroed(Comm).name,
  };
  count(slot, length, sendXdp(ctx, h, captured));
  return XDP_PASS;
});

/**
 * Ingress through tcx, for an interface whose XDP hook another program holds (one XDP program per
 * interface and mode, while tcx chains any number): same record, direction 0, no process.
 */
export const ingressTc = tc(
  (ctx) => {
    if (pidFilter !== 0 || commFilter !== 0) return TC_ACT_UNSPEC;
    const length: u32 = ctx.len;
    const ifindex: u32 = ctx.ifindex;
    const captured = snap(length);
    const slot = slotOf(ifindex);
    const h: Head = {
      timestamp: ktimeGetNs(),
      length: length,
      captured: captured,
      ifindex: ifindex,
      direction: 0,
      vlanPresent: ctx.vlanPresent,
      vlanTci: ctx.vlanTci,
      vlanProto: ctx.vlanProto,
      slot: slot,
      pid: 0,
      comm: zeroed(Comm).name,
    };
    count(slot, length, sendTc(ctx, h, captured));
    return TC_ACT_UNSPEC;
  },
  { direction: "ingress" },
);

export const egress = tc(
  (ctx) => {
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
    const comm: Comm = zeroed(Comm);
    if (pid !== 0) getCurrentComm(comm.name);
    if (commFilter !== 0) {
      for (let i: u32 = 0; i < 16; i++) {
        if (comm.name[i] !== commName.name[i]) return TC_ACT_UNSPEC;
        if (comm.name[i] === 0) break;
      }
    }
    const length: u32 = ctx.len;
    const ifindex: u32 = ctx.ifindex;
    const captured = snap(length);
    const slot = slotOf(ifindex);
    const h: Head = {
      timestamp: ktimeGetNs(),
      length: length,
      captured: captured,
      ifindex: ifindex,
      direction: 1,
      vlanPresent: ctx.vlanPresent,
      vlanTci: ctx.vlanTci,
      vlanProto: ctx.vlanProto,
      slot: slot,
      pid: pid,
      comm: comm.name,
    };
    count(slot, length, sendTc(ctx, h, captured));
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

/** The counter slot of an interface (0 for one user space did not name). */
function slotOf(ifindex: u32): u32 {
  const s = slots.lookup(ifindex & 4095);
  if (s === null) return 0;
  return s.value;
}

/** Counts the packet on its interface's slot (and its loss when the ring was full). */
function count(slot: u32, length: u32, result: u32): void {
  if (result === UNREADABLE) return;
  const c = counters.lookup(slot);
  if (c === null) return;
  c.packets += 1;
  c.bytes += length;
  if (result === LOST) c.drops += 1;
}

/**
 * Reserves the record by size class, fills it and loads the packet into it (0, LOST or UNREADABLE).
 * @inline
 */
function sendXdp(ctx: XdpContext, h: Head, captured: u32): u32 {
  if (captured <= 128) {
    const r = packets.reserve(Record128);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 256) {
    const r = packets.reserve(Record256);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 512) {
    const r = packets.reserve(Record512);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 1024) {
    const r = packets.reserve(Record1024);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 1536) {
    const r = packets.reserve(Record1536);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 4096) {
    const r = packets.reserve(Record4096);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 8192) {
    const r = packets.reserve(Record8192);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 16384) {
    const r = packets.reserve(Record16384);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 32768) {
    const r = packets.reserve(Record32768);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  {
    const r = packets.reserve(Record65536);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
}

/**
 * sendXdp for TC programs (bpf_skb_load_bytes instead of bpf_xdp_load_bytes).
 * @inline
 */
function sendTc(ctx: TcContext, h: Head, captured: u32): u32 {
  if (captured <= 128) {
    const r = packets.reserve(Record128);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 256) {
    const r = packets.reserve(Record256);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 512) {
    const r = packets.reserve(Record512);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 1024) {
    const r = packets.reserve(Record1024);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 1536) {
    const r = packets.reserve(Record1536);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 4096) {
    const r = packets.reserve(Record4096);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 8192) {
    const r = packets.reserve(Record8192);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 16384) {
    const r = packets.reserve(Record16384);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  if (captured <= 32768) {
    const r = packets.reserve(Record32768);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
  {
    const r = packets.reserve(Record65536);
    if (r === null) return LOST;
    r.head = h;
    if (ctx.loadBytes(0, r.data, captured) < 0) {
      packets.discard(r);
      return UNREADABLE;
    }
    packets.submit(r);
    return 0;
  }
}
