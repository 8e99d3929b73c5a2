// The XDP packet counter: packets and bytes per EtherType in a per-CPU hash map, attached to an
// interface with a bpf_link. The kernel side is kernel TypeScript, examples/kernel/xdp-counter.bpf.ts,
// compiled by tsbpf (no clang): `npm run build` compiles it ahead of time into
// dist/examples/kernel/xdp-counter.bpf.json, which this example loads without the TypeScript
// compiler. (The same program written instruction by instruction with the assembler — "the hard
// way" — is shown in docs/kernel-typescript.md.) Run it directly
// (`node dist/examples/xdp-counter.js [IFACE] [INTERVAL_MS]`) to print the counts every second
// (or every INTERVAL_MS) until Ctrl-C.
import { setInterval } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { KernelObject, type Artifact } from "tsbpf/compiler";
import { defaultInterface, type XdpAttachOptions, type Attachment } from "tsbpf";
import type * as Kernel from "./kernel/xdp-counter.bpf.js";

/** The map's value: this CPU's share of one EtherType's traffic (the kernel module's struct). */
export { Counter } from "./kernel/xdp-counter.bpf.js";

/** The ahead-of-time compiled kernel program (`npm run build` writes it). */
export const ARTIFACT = fileURLToPath(new URL("./kernel/xdp-counter.bpf.json", import.meta.url));

/** The compiled kernel side: maps etherTypes and ipProtocols, program count (XDP). */
export function counterArtifact(): Artifact {
  return KernelObject.readArtifact(ARTIFACT);
}

const ETHER_TYPES: Record<number, string> = {
  0x0800: "IPv4",
  0x0806: "ARP",
  0x86dd: "IPv6",
  0x8100: "VLAN",
  0x88a8: "QinQ",
  0x8035: "RARP",
  0x88cc: "LLDP",
  0x8847: "MPLS",
  0x888e: "EAPOL",
};

export function etherTypeName(type: number): string {
  return ETHER_TYPES[type] ?? (type < 0x0600 ? "802.3 length" : `0x${type.toString(16).padStart(4, "0")}`);
}

export interface EtherTypeCount {
  etherType: number;
  name: string;
  packets: bigint;
  bytes: bigint;
}

/** A counter attached to one interface; dispose it to detach and free everything. */
export class PacketCounter implements Disposable {
  private constructor(
    private readonly object: KernelObject<typeof Kernel>,
    private readonly attachment: Attachment,
  ) {}

  static attach(iface: string | number, options: XdpAttachOptions = { mode: "skb" }): PacketCounter {
    const object = KernelObject.load<typeof Kernel>(counterArtifact());
    try {
      return new PacketCounter(object, object.programs.count.attach(iface, options));
    } catch (err) {
      object.close();
      throw err;
    }
  }

  /** Per-EtherType totals, summed over CPUs, largest first. */
  read(): EtherTypeCount[] {
    const rows: EtherTypeCount[] = [];
    for (const [etherType, perCpu] of this.object.maps.etherTypes) {
      let packets = 0n,
        bytes = 0n;
      for (const c of perCpu) {
        packets += c.packets;
        bytes += c.bytes;
      }
      rows.push({ etherType, name: etherTypeName(etherType), packets, bytes });
    }
    return rows.sort((x, y) => (y.packets > x.packets ? 1 : y.packets < x.packets ? -1 : 0));
  }

  [Symbol.dispose](): void {
    this.attachment.detach();
    this.object.close();
  }
}

/**
 * Yields every `ms` milliseconds until `signal` aborts, then returns. One timer and one abort
 * listener serve the whole run (a listener per tick would pile up on the signal).
 */
export async function* ticks(ms: number, signal: AbortSignal): AsyncGenerator<void> {
  if (signal.aborted) return;
  try {
    for await (const _ of setInterval(ms, undefined, { signal })) yield;
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

async function main(): Promise<void> {
  const iface = process.argv[2] ?? defaultInterface();
  const intervalMs = Number(process.argv[3] ?? 1000);
  if (!Number.isInteger(intervalMs) || intervalMs <= 0) {
    console.error(`xdp-counter: the interval is a positive whole number of milliseconds, not "${process.argv[3]}"`);
    process.exitCode = 2;
    return;
  }
  using counter = PacketCounter.attach(iface);
  console.log(`counting packets per EtherType on ${iface} (Ctrl-C to stop)`);
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  for await (const _ of ticks(intervalMs, stop.signal)) {
    const rows = counter.read();
    const line = rows.map((r) => `${r.name} ${r.packets} pkts ${r.bytes} B`).join(" | ");
    console.log(`${new Date().toISOString().slice(11, 19)}  ${line || "no packets yet"}`);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
