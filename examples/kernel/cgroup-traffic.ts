// User side of the cgroup packet counter: compiles cgroup-traffic.bpf.ts, attaches both programs
// to a cgroup v2 directory and reads what its processes sent and received.
// `node dist/examples/kernel/cgroup-traffic.js CGROUP_DIR`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import type { Attachment } from "tsbpf";
import type * as Kernel from "./cgroup-traffic.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "cgroup-traffic.bpf.ts",
);

export interface ProtocolTraffic {
  direction: "sent" | "received";
  protocol: number;
  packets: bigint;
  bytes: bigint;
}

export class CgroupTraffic implements Disposable {
  private readonly attachments: Attachment[] = [];
  private constructor(readonly object: KernelObject<typeof Kernel>) {}

  /** `dropPings`: the egress program drops the cgroup's ICMP echo requests. */
  static async create(options: { dropPings?: boolean } = {}): Promise<CgroupTraffic> {
    const artifact = await artifactFor(SOURCE);
    return new CgroupTraffic(
      KernelObject.load<typeof Kernel>(artifact, { constants: { dropPings: options.dropPings ? 1 : 0 } }),
    );
  }

  /** Attaches the egress and ingress programs to a cgroup v2 directory. */
  attach(cgroup: string): this {
    this.attachments.push(this.object.programs.egress.attach(cgroup));
    this.attachments.push(this.object.programs.ingress.attach(cgroup));
    return this;
  }

  traffic(): ProtocolTraffic[] {
    const rows: ProtocolTraffic[] = [];
    for (const [key, t] of this.object.maps.traffic)
      rows.push({
        direction: key >> 8 ? "received" : "sent",
        protocol: key & 0xff,
        packets: t.packets,
        bytes: t.bytes,
      });
    return rows.sort((a, b) => a.direction.localeCompare(b.direction) || a.protocol - b.protocol);
  }

  /** Echo requests sent, echo replies received, echo requests dropped. */
  pings(): { requests: bigint; replies: bigint; dropped: bigint } {
    const m = this.object.maps.pings;
    return { requests: m.get(0) ?? 0n, replies: m.get(1) ?? 0n, dropped: m.get(2) ?? 0n };
  }

  [Symbol.dispose](): void {
    for (const a of this.attachments.splice(0).reverse()) a.detach();
    this.object.close();
  }
}

async function main(): Promise<void> {
  const cgroup = process.argv[2];
  if (!cgroup) {
    console.error("usage: cgroup-traffic CGROUP_DIR (a cgroup v2 directory)");
    process.exitCode = 2;
    return;
  }
  using counter = (await CgroupTraffic.create()).attach(cgroup);
  console.log(`counting the packets of ${cgroup} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const r of counter.traffic())
        console.log(`${r.direction} proto ${r.protocol}: ${r.packets} packets, ${r.bytes} bytes`);
    }, 1000);
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      process.once(signal, () => {
        clearInterval(timer);
        resolve();
      });
  });
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
