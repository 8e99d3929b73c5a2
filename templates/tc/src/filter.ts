// The user side: loads the compiled kernel program (dist/src/kernel.bpf.json, written by
// `npm run build`) with the port to block, attaches it to one direction of an interface and sums
// its per-CPU counters.
import { fileURLToPath } from "node:url";
import type { Attachment, TcDirection } from "tsbpf";
import { KernelObject } from "tsbpf/compiler";
import type * as Kernel from "./kernel.bpf.js";
import { DROPPED, PASSED } from "./kernel.bpf.js";

export const ARTIFACT = fileURLToPath(new URL("./kernel.bpf.json", import.meta.url));

export interface Totals {
  packets: bigint;
  bytes: bigint;
}

export class PortFilter implements Disposable {
  readonly object: KernelObject<typeof Kernel>;
  #attachment: Attachment | undefined;

  /** Loads the filter; `port` is the TCP/UDP destination port it drops (1 … 65535). */
  constructor(readonly port: number) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new RangeError(`port must be 1 … 65535, not ${port}`);
    this.object = KernelObject.load<typeof Kernel>(KernelObject.readArtifact(ARTIFACT), {
      constants: { blockedPort: port },
    });
  }

  /** Starts filtering what `iface` sends ("egress") or receives ("ingress"). */
  attach(iface: string, direction: TcDirection): this {
    this.#attachment = this.object.programs.dropPort.attach(iface, direction);
    return this;
  }

  passed(): Totals {
    return this.#sum(PASSED);
  }
  dropped(): Totals {
    return this.#sum(DROPPED);
  }

  #sum(index: number): Totals {
    let packets = 0n,
      bytes = 0n;
    for (const traffic of this.object.maps.verdicts.get(index) ?? []) {
      packets += traffic.packets;
      bytes += traffic.bytes;
    }
    return { packets, bytes };
  }

  [Symbol.dispose](): void {
    this.#attachment?.detach();
    this.object.close();
  }
}
