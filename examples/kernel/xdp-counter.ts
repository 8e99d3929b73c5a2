// User side of the compiled XDP counter: loads xdp-counter.bpf.ts (kernel TypeScript compiled by
// tsbpf), attaches it and reads the per-CPU counters. `node dist/examples/kernel/xdp-counter.js [IFACE]`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { defaultInterface, type Attachment, type XdpAttachOptions } from "tsbpf";
import type * as Kernel from "./xdp-counter.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "xdp-counter.bpf.ts",
);

export interface Count {
  key: number;
  packets: bigint;
  bytes: bigint;
}

export class CompiledPacketCounter implements Disposable {
  private attachment: Attachment | undefined;
  private constructor(readonly object: KernelObject<typeof Kernel>) {}

  static async create(): Promise<CompiledPacketCounter> {
    return new CompiledPacketCounter(KernelObject.load<typeof Kernel>(await artifactFor(SOURCE)));
  }

  attach(iface: string | number, options: XdpAttachOptions = { mode: "skb" }): this {
    this.attachment = this.object.programs.count.attach(iface, options);
    return this;
  }

  /** Totals per EtherType, summed over CPUs. */
  etherTypes(): Count[] {
    return sum(this.object.maps.etherTypes);
  }
  /** Totals per IP protocol, summed over CPUs. */
  ipProtocols(): Count[] {
    return sum(this.object.maps.ipProtocols);
  }

  [Symbol.dispose](): void {
    this.attachment?.detach();
    this.object.close();
  }
}

function sum(map: Iterable<[number, { packets: bigint; bytes: bigint }[]]>): Count[] {
  const rows: Count[] = [];
  for (const [key, perCpu] of map) {
    let packets = 0n,
      bytes = 0n;
    for (const c of perCpu) {
      packets += c.packets;
      bytes += c.bytes;
    }
    rows.push({ key, packets, bytes });
  }
  return rows.sort((a, b) => (b.packets > a.packets ? 1 : b.packets < a.packets ? -1 : a.key - b.key));
}

async function main(): Promise<void> {
  const iface = process.argv[2] ?? defaultInterface();
  using counter = (await CompiledPacketCounter.create()).attach(iface);
  console.log(`counting packets per EtherType and IP protocol on ${iface} (Ctrl-C to stop)`);
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  while (!stop.signal.aborted) {
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 1000);
      stop.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve(undefined);
        },
        { once: true },
      );
    });
    const types = counter
      .etherTypes()
      .map((r) => `0x${r.key.toString(16).padStart(4, "0")} ${r.packets}`)
      .join(" ");
    const protos = counter
      .ipProtocols()
      .map((r) => `${r.key}:${r.packets}`)
      .join(" ");
    console.log(`${new Date().toISOString().slice(11, 19)}  ethertype ${types || "-"} | ip proto ${protos || "-"}`);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
