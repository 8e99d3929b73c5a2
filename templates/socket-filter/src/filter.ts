// The user side: loads the compiled kernel program (dist/src/kernel.bpf.json, written by
// `npm run build`) and attaches it to sockets; the counters say what it kept and dropped.
import { fileURLToPath } from "node:url";
import type { Attachment, Socket } from "tsbpf";
import { KernelObject } from "tsbpf/compiler";
import type * as Kernel from "./kernel.bpf.js";
import { DROPPED, KEPT } from "./kernel.bpf.js";

export const ARTIFACT = fileURLToPath(new URL("./kernel.bpf.json", import.meta.url));

export class MarkerFilter implements Disposable {
  readonly object: KernelObject<typeof Kernel>;

  /** Loads the filter; datagrams whose first byte is `marker` (one character) are dropped. */
  constructor(readonly marker = "#") {
    if (Buffer.byteLength(marker) !== 1) throw new RangeError(`the marker must be one byte, not "${marker}"`);
    this.object = KernelObject.load<typeof Kernel>(KernelObject.readArtifact(ARTIFACT), {
      constants: { marker: Buffer.from(marker)[0]! },
    });
  }

  /** Filters what `socket` receives from now on (detach, or close the socket, to stop). */
  attachTo(socket: Socket): Attachment {
    return this.object.programs.dropMarked.attachTo(socket);
  }

  kept(): bigint {
    return this.object.maps.verdicts.get(KEPT) ?? 0n;
  }
  dropped(): bigint {
    return this.object.maps.verdicts.get(DROPPED) ?? 0n;
  }

  [Symbol.dispose](): void {
    this.object.close();
  }
}
