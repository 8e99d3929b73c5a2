// The user side: loads the compiled kernel program (dist/src/kernel.bpf.json, written by
// `npm run build`), attaches it to an interface and sums its per-CPU counters.
import { fileURLToPath } from "node:url";
import type { Attachment, XdpMode } from "tsbpf";
import { KernelObject } from "tsbpf/compiler";
import type * as Kernel from "./kernel.bpf.js";

export const ARTIFACT = fileURLToPath(new URL("./kernel.bpf.json", import.meta.url));

const NAMES: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 47: "GRE", 58: "ICMPv6", 132: "SCTP" };

export interface ProtocolTraffic {
  protocol: number;
  name: string;
  packets: bigint;
  bytes: bigint;
}

export class ProtocolCounter implements Disposable {
  readonly object = KernelObject.load<typeof Kernel>(KernelObject.readArtifact(ARTIFACT));
  #attachment: Attachment | undefined;

  /** Starts counting what `iface` receives ("skb" mode works on every driver). */
  attach(iface: string, mode: XdpMode = "skb"): this {
    this.#attachment = this.object.programs.countProtocols.attach(iface, { mode });
    return this;
  }

  /** Every protocol seen so far, summed over CPUs, busiest first. */
  counts(): ProtocolTraffic[] {
    const rows: ProtocolTraffic[] = [];
    for (const [protocol, perCpu] of this.object.maps.protocols) {
      let packets = 0n,
        bytes = 0n;
      for (const traffic of perCpu) {
        packets += traffic.packets;
        bytes += traffic.bytes;
      }
      if (packets > 0n) rows.push({ protocol, name: NAMES[protocol] ?? `proto ${protocol}`, packets, bytes });
    }
    return rows.sort((a, b) => (b.packets > a.packets ? 1 : b.packets < a.packets ? -1 : a.protocol - b.protocol));
  }

  [Symbol.dispose](): void {
    this.#attachment?.detach();
    this.object.close();
  }
}
