// A socket filter that drops packets by content, written the hard way. The needle lives in a
// read-only map (BPF_F_RDONLY_PROG, frozen after user space writes it); the filter copies up to
// 64 bytes of each packet with bpf_skb_load_bytes and calls a subprogram, `contains`, that
// searches them. The assembler records both functions, and tsbpf gives the kernel BTF and
// func_info for them, so the verifier's log names `contains`.
import { Assembler, FP, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, Size, type AssembledProgram } from "../src/asm/index.js";
import { ArrayMap, bytes, struct, u32 } from "../src/maps/index.js";
import { SocketFilterProgram, socketPair, type Socket } from "../src/programs/socket-filter.js";
import type { Attachment } from "../src/links/link.js";
import { MapFlags } from "../src/uapi.js";

export const MAX_NEEDLE = 16;
const WINDOW = 64;                   // bytes of each packet searched
const BUF = -WINDOW - 8;             // packet copy on the stack: [r10-72, r10-8)

export const Needle = struct({ length: u32, data: bytes(MAX_NEEDLE) });

export function filterProgram(needle: { fd: number }): AssembledProgram {
  const a = new Assembler();
  a.func("drop_by_content")
    .mov64(R6, R1)
    .mov64(R1, R6).callLocal("contains")
    .jne(R0, 0, "drop")
    .ldx(Size.W, R0, R6, 0)            // keep the whole packet: skb->len
    .exit()
    .label("drop")
    .mov64(R0, 0)
    .exit();

  // contains(skb): 1 when the needle occurs in the first 64 bytes of the packet.
  a.func("contains")
    .mov64(R6, R1)
    .st(Size.W, FP, -4, 0)
    .ldMapFd(R1, needle).mov64(R2, FP).add64(R2, -4).call("map_lookup_elem")
    .jeq(R0, 0, "absent")
    .mov64(R7, R0)                      // r7 = &needle
    .ldx(Size.W, R8, R7, 0)             // r8 = needle length
    .jeq(R8, 0, "absent").jgt(R8, MAX_NEEDLE, "absent")
    .ldx(Size.W, R9, R6, 0)             // r9 = bytes to copy = min(skb->len, 64)
    .jle(R9, WINDOW, "len_ok").mov64(R9, WINDOW).label("len_ok")
    .jlt(R9, R8, "absent")              // also rules out an empty packet
    .mov64(R1, R6).mov64(R2, 0).mov64(R3, FP).add64(R3, BUF).mov64(R4, R9).call("skb_load_bytes")
    .jne(R0, 0, "absent")
    .sub64(R9, R8)                      // r9 = last start offset
    .mov64(R4, 0)                       // r4 = i
    .label("outer")
    .jgt(R4, R9, "absent").jgt(R4, WINDOW, "absent")
    .mov64(R5, 0)                       // r5 = j
    .label("inner")
    .jge(R5, R8, "found").jge(R5, MAX_NEEDLE, "found")
    .mov64(R1, R4).add64(R1, R5).jge(R1, WINDOW, "absent")
    .mov64(R2, FP).add64(R2, BUF).add64(R2, R1).ldx(Size.B, R2, R2, 0)   // packet[i + j]
    .mov64(R3, R7).add64(R3, R5).ldx(Size.B, R3, R3, 4)                 // needle[j]
    .jne(R2, R3, "next")
    .add64(R5, 1).ja("inner")
    .label("next")
    .add64(R4, 1).ja("outer")
    .label("found").mov64(R0, 1).exit()
    .label("absent").mov64(R0, 0).exit();
  return a.assemble();
}

/** A filter loaded with its needle; attach it to sockets with attachTo(). */
export class ContentFilter implements Disposable {
  private constructor(private readonly needle: ArrayMap<{ length: number; data: Uint8Array }>, readonly program: SocketFilterProgram) {}

  static create(text: string | Uint8Array, options: { keepLog?: boolean } = {}): ContentFilter {
    const data = typeof text === "string" ? Buffer.from(text) : text;
    if (data.length === 0 || data.length > MAX_NEEDLE) throw new RangeError(`the needle must be 1 to ${MAX_NEEDLE} bytes`);
    const needle = ArrayMap.create({ name: "needle", value: Needle, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
    try {
      const padded = new Uint8Array(MAX_NEEDLE);
      padded.set(data);
      needle.set(0, { length: data.length, data: padded });
      needle.freeze();                  // from now on neither side can change it
      return new ContentFilter(needle, SocketFilterProgram.load({ name: "drop_by_content", code: filterProgram(needle), maps: [needle] }, options));
    } catch (err) { needle.close(); throw err; }
  }

  attachTo(socket: Socket | number): Attachment { return this.program.attachTo(socket); }

  [Symbol.dispose](): void { this.program.close(); this.needle.close(); }
}

async function main(): Promise<void> {
  using filter = ContentFilter.create(process.argv[2] ?? "secret");
  const [sender, receiver] = socketPair("dgram");
  using _s = sender, _r = receiver;
  using _attached = filter.attachTo(receiver);
  for (const message of ["hello", "this is secret", "goodbye"]) sender.send(message);
  for (const kept of receiver.drain()) console.log(`kept: ${kept.toString()}`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
