// User side of the Reno congestion control written in kernel TypeScript: load it, register it
// with TCP (then any socket may choose "tsbpf_reno"), read how often each callback ran, and
// unregister it on close. `node dist/examples/kernel/tcp-congestion.js` registers it for ten seconds.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import type { Attachment } from "tsbpf";
import type * as Kernel from "./tcp-congestion.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "tcp-congestion.bpf.ts",
);

/** The name TCP knows it by (the struct's `name`). */
export const CONGESTION_CONTROL = "tsbpf_reno";

export interface CallbackCalls {
  init: bigint;
  congAvoid: bigint;
  ssthresh: bigint;
  undoCwnd: bigint;
}

export class RenoCongestionControl implements Disposable {
  private constructor(
    private readonly object: KernelObject<typeof Kernel>,
    private readonly registration: Attachment,
  ) {}

  /** Loads the callbacks and registers the congestion control with TCP. */
  static async register(): Promise<RenoCongestionControl> {
    const object = KernelObject.load<typeof Kernel>(await artifactFor(SOURCE));
    try {
      return new RenoCongestionControl(object, object.attachStructOps("reno"));
    } catch (err) {
      object.close();
      throw err;
    }
  }

  /** How many times each callback has run, over every socket using it. */
  calls(): CallbackCalls {
    const at = (i: number): bigint => this.object.maps.calls.get(i) ?? 0n;
    return { init: at(0), congAvoid: at(1), ssthresh: at(2), undoCwnd: at(3) };
  }

  /** Unregisters it (sockets using it fall back to the default) and unloads it. */
  close(): void {
    try {
      this.registration.detach();
    } finally {
      this.object.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  using cc = await RenoCongestionControl.register();
  console.log(
    `${CONGESTION_CONTROL} registered: try it with  ss -ti  after  sysctl net.ipv4.tcp_congestion_control=${CONGESTION_CONTROL}`,
  );
  await new Promise((r) => setTimeout(r, 10_000));
  console.log(cc.calls());
}
