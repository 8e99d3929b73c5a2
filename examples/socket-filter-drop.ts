// A socket filter that drops packets by content. The kernel side is kernel TypeScript,
// examples/kernel/socket-filter.bpf.ts, compiled by tsbpf (no clang; `npm run build` compiles it
// ahead of time into dist/examples/kernel/socket-filter.bpf.json, loaded here without the
// TypeScript compiler). The needle is a module constant in `.rodata` — a read-only array map
// (BPF_F_RDONLY_PROG) that user space fills and freezes before the program loads; the filter
// copies up to 64 bytes of each packet with bpf_skb_load_bytes and calls a subprogram,
// `contains`, that searches them with bounded loops. The compiler gives the kernel BTF and
// func_info for both functions, so the verifier's log names `contains`. (The same filter written
// instruction by instruction with the assembler — "the hard way" — is in docs/kernel-typescript.md.)
import { fileURLToPath } from "node:url";
import { KernelObject, type Artifact } from "tsbpf/compiler";
import { socketPair, type Socket, type SocketFilterProgram, type Attachment } from "tsbpf";
import type * as Kernel from "./kernel/socket-filter.bpf.js";
import { MAX_NEEDLE } from "./kernel/socket-filter.bpf.js";

export { MAX_NEEDLE, Needle, WINDOW } from "./kernel/socket-filter.bpf.js";

/** The ahead-of-time compiled kernel program (`npm run build` writes it). */
export const ARTIFACT = fileURLToPath(new URL("./kernel/socket-filter.bpf.json", import.meta.url));

/** The compiled kernel side: constant `needle` (.rodata), program dropByContent (socket filter). */
export function filterArtifact(): Artifact {
  return KernelObject.readArtifact(ARTIFACT);
}

/** The needle as the `.rodata` constant's value: length and bytes padded to MAX_NEEDLE. */
export function needleValue(text: string | Uint8Array): { length: number; data: Uint8Array } {
  const data = typeof text === "string" ? Buffer.from(text) : text;
  if (data.length === 0 || data.length > MAX_NEEDLE)
    throw new RangeError(`the needle must be 1 to ${MAX_NEEDLE} bytes`);
  const padded = new Uint8Array(MAX_NEEDLE);
  padded.set(data);
  return { length: data.length, data: padded };
}

/** A filter loaded with its needle; attach it to sockets with attachTo(). */
export class ContentFilter implements Disposable {
  private constructor(private readonly object: KernelObject<typeof Kernel>) {}

  static create(text: string | Uint8Array, options: { keepLog?: boolean } = {}): ContentFilter {
    const needle = needleValue(text);
    // .rodata is written and frozen before the load: from then on neither side can change it
    return new ContentFilter(KernelObject.load<typeof Kernel>(filterArtifact(), { ...options, constants: { needle } }));
  }

  get program(): SocketFilterProgram {
    return this.object.programs.dropByContent;
  }

  attachTo(socket: Socket | number): Attachment {
    return this.object.programs.dropByContent.attachTo(socket);
  }

  [Symbol.dispose](): void {
    this.object.close();
  }
}

async function main(): Promise<void> {
  using filter = ContentFilter.create(process.argv[2] ?? "secret");
  const [sender, receiver] = socketPair("dgram");
  using _s = sender,
    _r = receiver;
  using _attached = filter.attachTo(receiver);
  for (const message of ["hello", "this is secret", "goodbye"]) sender.send(message);
  for (const kept of receiver.drain()) console.log(`kept: ${kept.toString()}`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
