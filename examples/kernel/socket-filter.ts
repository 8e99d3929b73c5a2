// User side of the compiled content filter: the needle goes into .rodata before the program
// loads; attach the filter to sockets. `node dist/examples/kernel/socket-filter.js [NEEDLE]`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { socketPair, type Socket, type Attachment } from "tsbpf";
import type * as Kernel from "./socket-filter.bpf.js";
import { MAX_NEEDLE } from "./socket-filter.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "socket-filter.bpf.ts",
);

export class CompiledContentFilter implements Disposable {
  private constructor(readonly object: KernelObject<typeof Kernel>) {}

  static async create(text: string | Uint8Array, options: { keepLog?: boolean } = {}): Promise<CompiledContentFilter> {
    const data = typeof text === "string" ? Buffer.from(text) : text;
    if (data.length === 0 || data.length > MAX_NEEDLE)
      throw new RangeError(`the needle must be 1 to ${MAX_NEEDLE} bytes`);
    const padded = new Uint8Array(MAX_NEEDLE);
    padded.set(data);
    const artifact = await artifactFor(SOURCE);
    return new CompiledContentFilter(
      KernelObject.load<typeof Kernel>(artifact, {
        ...options,
        constants: { needle: { length: data.length, data: padded } },
      }),
    );
  }

  attachTo(socket: Socket | number): Attachment {
    return this.object.programs.dropByContent.attachTo(socket);
  }

  [Symbol.dispose](): void {
    this.object.close();
  }
}

async function main(): Promise<void> {
  using filter = await CompiledContentFilter.create(process.argv[2] ?? "secret");
  const [sender, receiver] = socketPair("dgram");
  using _s = sender,
    _r = receiver;
  using _attached = filter.attachTo(receiver);
  for (const message of ["hello", "this is secret", "goodbye"]) sender.send(message);
  for (const kept of receiver.drain()) console.log(`kept: ${kept.toString()}`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
