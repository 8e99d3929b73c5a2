// The capture program of the tcpdump tool, in kernel TypeScript: each packet's first bytes (up to
// a snap length user space sets before loading), its real length, a timestamp, the interface and
// the direction go to user space through a ring buffer. XDP sees ingress, TC egress.
import {
  xdp,
  tc,
  RingBuf,
  PerCpuArrayMap,
  struct,
  bytes,
  u32,
  u64,
  ktimeGetNs,
  XDP_PASS,
  TC_ACT_OK,
} from "tsbpf/kernel";

/** The most bytes of one packet a record carries. */
export const MAX_SNAP = 1536;
/** Bytes to copy from each packet (set it with `constants: { snapLength }` when loading). */
export const snapLength: u32 = 262;

/** One captured packet. Only `HEADER + captured` bytes of it travel through the ring. */
export class Capture extends struct({
  timestamp: u64, // CLOCK_MONOTONIC, ns
  length: u32, // length on the wire
  captured: u32, // bytes of data that follow
  ifindex: u32,
  direction: u32, // 0 ingress, 1 egress
  data: bytes(MAX_SNAP),
}) {}
const HEADER = 24;

/** Per-CPU scratch space for the record (too big for the 512-byte stack). */
export const scratch = new PerCpuArrayMap({ value: Capture, maxEntries: 1 });
export const packets = new RingBuf({ size: 4 * 1024 * 1024 });
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });

export const ingress = xdp((ctx) => {
  const rec = scratch.lookup(0);
  if (rec === null) return XDP_PASS;
  const length = ctx.len;
  const captured = snap(length);
  rec.timestamp = ktimeGetNs();
  rec.length = length;
  rec.captured = captured;
  rec.ifindex = ctx.ingressIfindex;
  rec.direction = 0;
  if (ctx.loadBytes(0, rec.data, captured) < 0) return XDP_PASS;
  if (packets.output(rec, 0, HEADER + captured) < 0) drops.increment(0);
  return XDP_PASS;
});

export const egress = tc(
  (ctx) => {
    const rec = scratch.lookup(0);
    if (rec === null) return TC_ACT_OK;
    const length = ctx.len;
    const captured = snap(length);
    rec.timestamp = ktimeGetNs();
    rec.length = length;
    rec.captured = captured;
    rec.ifindex = ctx.ifindex;
    rec.direction = 1;
    if (ctx.loadBytes(0, rec.data, captured) < 0) return TC_ACT_OK;
    if (packets.output(rec, 0, HEADER + captured) < 0) drops.increment(0);
    return TC_ACT_OK;
  },
  { direction: "egress" },
);

/**
 * min(length, snapLength, MAX_SNAP).
 * @inline
 */
function snap(length: u32): u32 {
  let n = length < snapLength ? length : snapLength;
  if (n > MAX_SNAP) n = MAX_SNAP;
  return n;
}
