// User side of the compiled capture program: XDP on ingress and TC on egress copy each packet's
// first bytes into a ring buffer. `node dist/examples/kernel/capture.js [IFACE] [SNAPLEN]`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { RingBuffer, defaultInterface, type RingRecord, type Attachment, type XdpAttachOptions } from "tsbpf";
import type * as Kernel from "./capture.bpf.js";
import { MAX_SNAP } from "./capture.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "capture.bpf.ts",
);

export interface Packet {
  timestamp: bigint;
  length: number;
  ifindex: number;
  direction: "in" | "out";
  data: Buffer;
}

/** Decodes a record: 24-byte header, then `captured` bytes. */
export function decodePacket(rec: RingRecord): Packet {
  const captured = rec.u32(12);
  return {
    timestamp: rec.u64(0),
    length: rec.u32(8),
    ifindex: rec.u32(16),
    direction: rec.u32(20) === 0 ? "in" : "out",
    data: Buffer.from(rec.bytes.slice(rec.offset + 24, rec.offset + 24 + captured)),
  };
}

export class CompiledCapture implements Disposable {
  readonly ring: RingBuffer;
  private readonly attachments: Attachment[] = [];
  private constructor(readonly object: KernelObject<typeof Kernel>) {
    this.ring = new RingBuffer(object.maps.packets, { dropCounter: { map: object.maps.drops } });
  }

  static async create(snapLength = 262): Promise<CompiledCapture> {
    if (!(snapLength > 0 && snapLength <= MAX_SNAP)) throw new RangeError(`snap length must be 1 … ${MAX_SNAP}`);
    return new CompiledCapture(
      KernelObject.load<typeof Kernel>(await artifactFor(SOURCE), { constants: { snapLength } }),
    );
  }

  /** Captures both directions of an interface (XDP ingress, TC egress). */
  attach(iface: string | number, options: XdpAttachOptions = { mode: "skb" }): this {
    this.attachments.push(this.object.programs.ingress.attach(iface, options));
    this.attachments.push(this.object.programs.egress.attach(iface, "egress"));
    return this;
  }

  drain(): Packet[] {
    const out: Packet[] = [];
    this.ring.consume((rec) => {
      out.push(decodePacket(rec));
    });
    return out;
  }

  poll(onPacket: (p: Packet) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onPacket(decodePacket(rec)), { signal });
  }

  [Symbol.dispose](): void {
    for (const a of this.attachments.reverse()) a.detach();
    this.ring.close();
    this.object.close();
  }
}

async function main(): Promise<void> {
  const iface = process.argv[2] ?? defaultInterface();
  using capture = (await CompiledCapture.create(Number(process.argv[3] ?? 262))).attach(iface);
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  await capture.poll(
    (p) =>
      console.log(
        `${p.direction} ${p.length} B (${p.data.length} captured) ${p.data.subarray(0, 16).toString("hex")}…`,
      ),
    stop.signal,
  );
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
