// Small packet programs for the network tests, written with the assembler: they count IPv4 ICMP
// echo requests (slot 0) and echo replies (slot 1) into an array map and return a fixed verdict.
import { Assembler, R0, R1, R2, R3, R4, R5, R7, R10, Size } from "../../src/asm/index.js";
import { ArrayMap, u64 } from "../../src/maps/index.js";

export const ICMP_ECHO_REQUEST = 0,
  ICMP_ECHO_REPLY = 1;

/** An array of two u64 counters: [echo requests, echo replies]. */
export function icmpCounters(name = "icmp_counts"): ArrayMap<bigint> {
  return ArrayMap.create({ name, value: u64, maxEntries: 2 });
}

export interface CounterProgramOptions {
  /** Where packet pointers live in the context: xdp_md (data, data_end at 0, 4) or __sk_buff (76, 80). */
  ctx: "xdp" | "skb";
  /** The packet starts at the Ethernet header (xdp, tc) or at the IP header (cgroup_skb). */
  l2: boolean;
  /** Returned for every packet. */
  verdict: number;
  /** Returned for counted echo requests instead (e.g. a drop code); default `verdict`. */
  requestVerdict?: number;
}

/** counters[type] += 1 for IPv4 ICMP echo requests/replies without IP options. */
export function icmpCounterProgram(counters: { fd: number }, o: CounterProgramOptions): Buffer {
  const a = new Assembler();
  const [dataOff, endOff] = o.ctx === "xdp" ? [0, 4] : [76, 80];
  const ip = o.l2 ? 14 : 0;
  a.ldx(Size.W, R2, R1, dataOff).ldx(Size.W, R3, R1, endOff);
  a.mov64(R4, R2)
    .add64(R4, ip + 21)
    .jgt(R4, R3, "pass");
  if (o.l2) a.ldx(Size.H, R5, R2, 12).jne(R5, 0x0008, "pass"); // EtherType 0x0800, read little-endian
  a.ldx(Size.B, R5, R2, ip).jne(R5, 0x45, "pass");
  a.ldx(Size.B, R5, R2, ip + 9).jne(R5, 1, "pass");
  a.ldx(Size.B, R5, R2, ip + 20);
  a.mov64(R7, ICMP_ECHO_REQUEST).jeq(R5, 8, "count");
  a.mov64(R7, ICMP_ECHO_REPLY).jeq(R5, 0, "count");
  a.ja("pass");
  a.label("count");
  a.stx(Size.W, R10, R7, -4);
  a.ldMapFd(R1, counters).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "pass");
  a.mov64(R1, 1).lockAdd(Size.DW, R0, R1, 0);
  if (o.requestVerdict !== undefined) {
    a.jne(R7, ICMP_ECHO_REQUEST, "pass");
    a.mov64(R0, o.requestVerdict).exit();
  }
  a.label("pass").mov64(R0, o.verdict).exit();
  return a.assemble().bytes;
}

/** r0 = value; exit. */
export function returnProgram(value: number): Buffer {
  return new Assembler().mov64(R0, value).exit().assemble().bytes;
}
