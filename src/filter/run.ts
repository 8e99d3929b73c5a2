// Running a filter program on packets through BPF_PROG_TEST_RUN, one packet at a time, with no
// allocation per packet. XDP programs compiled with wireLength "meta" get the packet's length on
// the wire in 16 bytes of XDP metadata in front of the packet, so a capture file can be replayed
// with its original lengths (test_run also requires at least 14 bytes of input, which the
// metadata guarantees for short records).
import { bpf, Cmd, ownAttr, testRunAttr, TEST_RUN_OUT, type Attr } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { attachSocketFilter, socketPair, type Socket } from "../programs/socket-filter.js";

const META = 16;
/** test_run's limit for one linear XDP buffer (page minus headroom and shared info). */
export const XDP_TEST_RUN_MAX = 4096 - 256 - 320;

export type RunnerKind = "xdp-meta" | "xdp" | "skb";

export class PacketRunner {
  private readonly dataIn: NativeMemory;
  private readonly dataOut: NativeMemory;
  private readonly ctxIn: NativeMemory;
  private readonly attr: Attr;

  constructor(
    private readonly program: { readonly fd: number },
    private readonly kind: RunnerKind,
    maxPacket = XDP_TEST_RUN_MAX,
  ) {
    this.dataIn = new NativeMemory(maxPacket + META);
    this.dataOut = new NativeMemory(maxPacket + META + 512);
    this.ctxIn = new NativeMemory(24);
    this.ctxIn.bytes.fill(0);
    this.dataIn.bytes.fill(0, 0, META);
    this.attr = ownAttr();
  }

  /** The most bytes one run accepts. */
  get capacity(): number {
    return this.dataIn.size - (this.kind === "xdp-meta" ? META : 0);
  }

  /** Runs the program once on `packet`; returns its 32-bit result. */
  run(packet: Uint8Array, wireLength = packet.length, repeat = 1): number {
    return this.runTimed(packet, wireLength, repeat).retval;
  }

  /** Like run(), with the kernel's mean duration per run. */
  runTimed(packet: Uint8Array, wireLength = packet.length, repeat = 1): { retval: number; durationNs: number } {
    if (packet.length > this.capacity)
      throw new RangeError(`packet of ${packet.length} bytes exceeds the runner's ${this.capacity}`);
    let size = packet.length;
    let ctx: NativeMemory | undefined;
    if (this.kind === "xdp-meta") {
      // metadata: the length, then zeros (set once); xdp_md: data after the metadata, data_end
      this.dataIn.view.setUint32(0, wireLength >>> 0, true);
      this.dataIn.bytes.set(packet, META);
      size += META;
      this.ctxIn.view.setUint32(0, META, true);
      this.ctxIn.view.setUint32(4, size, true);
      ctx = this.ctxIn;
    } else {
      this.dataIn.bytes.set(packet, 0);
    }
    const a = testRunAttr(this.attr, {
      progFd: this.program.fd,
      dataIn: this.dataIn,
      dataSizeIn: size,
      dataOut: this.dataOut,
      repeat,
      ...(ctx ? { ctxIn: ctx, ctxSizeIn: 24 } : {}),
    });
    bpf(Cmd.PROG_TEST_RUN, a);
    return { retval: a.readU32(TEST_RUN_OUT.retval), durationNs: a.readU32(TEST_RUN_OUT.duration) };
  }

  close(): void {
    this.dataIn.free();
    this.dataOut.free();
    this.ctxIn.free();
    this.attr.mem.free();
  }
}

/**
 * Runs a socket-filter program on packets of any size (test_run needs at least an Ethernet header
 * and at most a page): each packet is sent as one datagram over a Unix socket pair whose receiving
 * end has the filter attached; it arrives if the filter kept it. skb->len is the packet's length.
 */
export class SocketPairRunner {
  private readonly tx: Socket;
  private readonly rx: Socket;
  private readonly attachment: { detach(): void };

  constructor(program: { readonly fd: number }) {
    [this.tx, this.rx] = socketPair("dgram");
    this.attachment = attachSocketFilter(program, this.rx);
  }

  /** True if the filter kept the packet (returned non-zero). */
  run(packet: Uint8Array): boolean {
    this.tx.send(packet);
    return this.rx.recv(Math.max(packet.length, 1) + 64) !== null;
  }

  close(): void {
    this.attachment.detach();
    this.tx.close();
    this.rx.close();
  }
}
