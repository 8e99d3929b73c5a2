// The XDP packet counter, written the hard way: hand-assembled eBPF that counts packets and bytes
// per EtherType in a per-CPU hash map, attached to an interface with a bpf_link. Run it directly
// (`node dist/examples/xdp-counter.js [IFACE]`) to print the counts every second until Ctrl-C.
import { Assembler, FP, R0, R1, R2, R3, R4, R6, R7, R8, Size, type AssembledProgram } from "../src/asm/index.js";
import { PerCpuHashMap, struct, u16, u64 } from "../src/maps/index.js";
import { XdpProgram, type XdpAttachOptions } from "../src/programs/xdp.js";
import type { Attachment } from "../src/links/link.js";
import { defaultInterface } from "../src/sys/route.js";
import { UpdateFlags, XdpAction } from "../src/uapi.js";

/** The map's value: this CPU's share of one EtherType's traffic. */
export const Counter = struct({ packets: u64, bytes: u64 });

const ETHER_HEADER = 14;

/** XDP: key = EtherType of the frame (host order), value += {1, frame length}. */
export function counterProgram(counts: { fd: number }): AssembledProgram {
  const a = new Assembler();
  a.mov64(R6, R1)
    .ldx(Size.W, R2, R6, 4)            // r2 = ctx->data_end
    .ldx(Size.W, R1, R6, 0)            // r1 = ctx->data
    .mov64(R3, R1).add64(R3, ETHER_HEADER)
    .jgt(R3, R2, "pass")               // frame shorter than an Ethernet header
    .ldx(Size.H, R7, R1, 12).be(R7, 16) // r7 = EtherType
    .mov64(R8, R2).sub64(R8, R1)        // r8 = frame length
    .stx(Size.H, FP, R7, -2)            // key on the stack
    .ldMapFd(R1, counts).mov64(R2, FP).add64(R2, -2)
    .call("map_lookup_elem")
    .jeq(R0, 0, "insert")
    // Per-CPU values: no other CPU writes this slot, so plain adds are exact.
    .ldx(Size.DW, R1, R0, 0).add64(R1, 1).stx(Size.DW, R0, R1, 0)
    .ldx(Size.DW, R1, R0, 8).add64(R1, R8).stx(Size.DW, R0, R1, 8)
    .ja("pass")
    .label("insert")
    .st(Size.DW, FP, -24, 1).stx(Size.DW, FP, R8, -16)
    .ldMapFd(R1, counts).mov64(R2, FP).add64(R2, -2).mov64(R3, FP).add64(R3, -24).mov64(R4, UpdateFlags.ANY)
    .call("map_update_elem")
    .label("pass")
    .mov64(R0, XdpAction.PASS)
    .exit();
  return a.assemble();
}

const ETHER_TYPES: Record<number, string> = {
  0x0800: "IPv4", 0x0806: "ARP", 0x86dd: "IPv6", 0x8100: "VLAN", 0x88a8: "QinQ", 0x8035: "RARP",
  0x88cc: "LLDP", 0x8847: "MPLS", 0x888e: "EAPOL",
};

export function etherTypeName(type: number): string {
  return ETHER_TYPES[type] ?? (type < 0x0600 ? "802.3 length" : `0x${type.toString(16).padStart(4, "0")}`);
}

export interface EtherTypeCount { etherType: number; name: string; packets: bigint; bytes: bigint }

/** A counter attached to one interface; dispose it to detach and free everything. */
export class PacketCounter implements Disposable {
  private constructor(
    private readonly counts: PerCpuHashMap<number, { packets: bigint; bytes: bigint }>,
    private readonly program: XdpProgram,
    private readonly attachment: Attachment,
  ) {}

  static attach(iface: string | number, options: XdpAttachOptions = { mode: "skb" }): PacketCounter {
    const counts = PerCpuHashMap.create({ name: "ether_counts", key: u16, value: Counter, maxEntries: 1024 });
    try {
      const program = XdpProgram.load({ name: "count_ether", code: counterProgram(counts), maps: [counts] });
      try {
        return new PacketCounter(counts, program, program.attach(iface, options));
      } catch (err) { program.close(); throw err; }
    } catch (err) { counts.close(); throw err; }
  }

  /** Per-EtherType totals, summed over CPUs, largest first. */
  read(): EtherTypeCount[] {
    const rows: EtherTypeCount[] = [];
    for (const [etherType, perCpu] of this.counts) {
      let packets = 0n, bytes = 0n;
      for (const c of perCpu) { packets += c.packets; bytes += c.bytes; }
      rows.push({ etherType, name: etherTypeName(etherType), packets, bytes });
    }
    return rows.sort((x, y) => (y.packets > x.packets ? 1 : y.packets < x.packets ? -1 : 0));
  }

  [Symbol.dispose](): void {
    this.attachment.detach();
    this.program.close();
    this.counts.close();
  }
}

async function main(): Promise<void> {
  const iface = process.argv[2] ?? defaultInterface();
  using counter = PacketCounter.attach(iface);
  console.log(`counting packets per EtherType on ${iface} (Ctrl-C to stop)`);
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  while (!stop.signal.aborted) {
    await new Promise((resolve) => { const t = setTimeout(resolve, 1000); stop.signal.addEventListener("abort", () => { clearTimeout(t); resolve(undefined); }, { once: true }); });
    const rows = counter.read();
    const line = rows.map((r) => `${r.name} ${r.packets} pkts ${r.bytes} B`).join(" | ");
    console.log(`${new Date().toISOString().slice(11, 19)}  ${line || "no packets yet"}`);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
