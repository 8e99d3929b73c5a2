// User side of the TCP/UDP monitor: loads flow-monitor.bpf.ts (compiled by tsbpf), attaches it to
// an interface and prints one line per packet. `node dist/examples/kernel/flow-monitor.js [IFACE]`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { RingBuffer, defaultInterface, type RingRecord, type Attachment, type XdpAttachOptions } from "tsbpf";
import { PacketInfo } from "./flow-monitor.bpf.js";
import type * as Kernel from "./flow-monitor.bpf.js";

/** The kernel source, found from dist/examples/kernel/ or examples/kernel/. */
export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "flow-monitor.bpf.ts",
);

export interface Flow {
  family: 4 | 6;
  protocol: number;
  vlan: number;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  length: number;
}

const PROTOCOLS: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6" };

function address(bytes: Uint8Array, family: 4 | 6): string {
  if (family === 4) return [...bytes.subarray(0, 4)].join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

/** Decodes one ring buffer record (the same PacketInfo declaration the kernel side filled). */
export function decodeFlow(rec: RingRecord): Flow {
  const v = PacketInfo.decode(rec.view, rec.offset);
  const family = v.family === 10 ? 6 : 4;
  return {
    family,
    protocol: v.protocol,
    vlan: v.vlan,
    saddr: address(v.saddr, family),
    daddr: address(v.daddr, family),
    sport: v.sport,
    dport: v.dport,
    length: v.length,
  };
}

export function formatFlow(f: Flow): string {
  const proto = PROTOCOLS[f.protocol] ?? String(f.protocol);
  const vlan = f.vlan ? ` vlan ${f.vlan}` : "";
  return `${f.saddr.padEnd(16)} ${String(f.sport).padEnd(6)} ${f.daddr.padEnd(16)} ${String(f.dport).padEnd(6)} ${proto}${vlan} ${f.length} B`;
}

export class FlowMonitor implements Disposable {
  private attachment: Attachment | undefined;
  readonly ring: RingBuffer;
  private constructor(readonly object: KernelObject<typeof Kernel>) {
    this.ring = new RingBuffer(object.maps.packets, { dropCounter: { map: object.maps.drops } });
  }

  static async create(): Promise<FlowMonitor> {
    return new FlowMonitor(KernelObject.load<typeof Kernel>(await artifactFor(SOURCE)));
  }

  attach(iface: string | number, options: XdpAttachOptions = { mode: "skb" }): this {
    this.attachment = this.object.programs.monitor.attach(iface, options);
    return this;
  }

  /** Flows seen so far (does not wait). */
  drain(): Flow[] {
    const out: Flow[] = [];
    this.ring.consume((rec) => {
      out.push(decodeFlow(rec));
    });
    return out;
  }

  poll(onFlow: (flow: Flow) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onFlow(decodeFlow(rec)), { signal });
  }

  [Symbol.dispose](): void {
    this.attachment?.detach();
    this.ring.close();
    this.object.close();
  }
}

async function main(): Promise<void> {
  const iface = process.argv[2] ?? defaultInterface();
  using monitor = (await FlowMonitor.create()).attach(iface);
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  console.log(`S-Address        S-Port D-Address        D-Port Protocol (${iface}, Ctrl-C to stop)`);
  await monitor.poll((f) => console.log(formatFlow(f)), stop.signal);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
