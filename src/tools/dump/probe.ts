// The capture in the kernel: capture.bpf.ts (compiled ahead of time) loaded with the snapshot
// length and process filters as constants, its ring sized at load, and — when a filter
// expression is given — two small entry programs compiled from the expression at run time.
//
// How the run-time filter meets the ahead-of-time capture program: the expression is compiled by
// src/filter into an XDP program and a TC program (emitInline: the filter's own code, ctx in r6).
// These are what gets attached. On a match they tail-call (bpf_tail_call) slot 0 of a prog_array
// holding the prebuilt capture program of the same type; on no match they return XDP_PASS /
// TC_ACT_UNSPEC at once. A tail call reuses the frame and keeps ctx, so the capture program runs
// as if attached itself; a rejected packet costs only the filter and never touches the ring. If a
// tail call could not run (it cannot fail here: the slot is filled before attaching) the packet
// is passed uncaptured. With no expression the capture programs are attached directly.
import { statSync } from "node:fs";
import { Assembler } from "../../asm/assembler.js";
import type { Attachment } from "../../links/link.js";
import { AttachPointBusyError, programIdentity } from "../../programs/net-common.js";
import { TcProgram } from "../../programs/tc.js";
import type { XdpProgram, XdpMode } from "../../programs/xdp.js";
import type { Program } from "../../programs/program.js";
import { ProgramArray } from "../../maps/program-array.js";
import type { ArrayMap } from "../../maps/array.js";
import { KernelObject } from "../../loader/kernel-object.js";
import { compileFilter } from "../../filter/compile.js";
import { toolArtifact } from "../common/kernel-artifact.js";
import { attachXdpLink, describeXdpAttachment, isLinkAttachment, loadXdpProgram } from "../common/xdp.js";
import type { InterfaceTarget } from "../common/interfaces.js";
import type * as Kernel from "./capture.bpf.js";
import { Head, Record65536, counters } from "./capture.bpf.js";
import { detachSteps, releaseAfterFailure, releaseAll } from "../common/release.js";

/**
 * Offsets inside a ring record, from the kernel's Head struct; the packet bytes follow it. A
 * record's length is its size class's: `captured` says how many data bytes count.
 */
export const REC = {
  timestamp: Head.offsetOf("timestamp"),
  length: Head.offsetOf("length"),
  captured: Head.offsetOf("captured"),
  ifindex: Head.offsetOf("ifindex"),
  direction: Head.offsetOf("direction"),
  vlanPresent: Head.offsetOf("vlanPresent"),
  vlanTci: Head.offsetOf("vlanTci"),
  vlanProto: Head.offsetOf("vlanProto"),
  slot: Head.offsetOf("slot"),
  pid: Head.offsetOf("pid"),
  comm: Head.offsetOf("comm"),
  data: Head.size,
} as const;
/** The most packet bytes one record carries (the largest size class in capture.bpf.ts). */
export const MAX_CAPTURE = Record65536.size - Head.size;
/** Interface slots for the kernel's counters (the counters map, SLOTS in capture.bpf.ts). */
export const MAX_INTERFACES = Number(counters.spec.maxEntries);

/** Inode of this thread's network namespace (what the kernel's ns.inum holds). */
function netnsInode(): number {
  try {
    return statSync("/proc/thread-self/ns/net").ino;
  } catch {
    return 0;
  }
}

export type Direction = "ingress" | "egress";

export interface CaptureProbeOptions {
  interfaces: readonly InterfaceTarget[];
  directions: readonly Direction[];
  /** Bytes to copy per packet (0 or more than MAX_CAPTURE: MAX_CAPTURE). */
  snapLength: number;
  /** pcap-filter expression, compiled for XDP and TC; empty = everything. */
  expression?: string;
  /** Ring buffer size in bytes (a power of two, at least a page). */
  ringBytes: number;
  pid?: number;
  comm?: string;
  xdpMode?: XdpMode;
  warn?: (message: string) => void;
}

export interface ProbeAttachment {
  target: InterfaceTarget;
  direction: Direction;
  description: string;
  link: boolean;
}

export interface SlotCounters {
  packets: bigint;
  bytes: bigint;
  drops: bigint;
}

export class CaptureProbe implements Disposable {
  readonly object: KernelObject<typeof Kernel>;
  readonly attachments: ProbeAttachment[] = [];
  /** Kernel ids of the attached programs (the filter entry programs when there is a filter). */
  readonly programIds: number[] = [];
  readonly #owned: { close(): void }[] = [];
  readonly #links: Attachment[] = [];
  #closed = false;

  private constructor(object: KernelObject<typeof Kernel>) {
    this.object = object;
  }

  static attach(options: CaptureProbeOptions): CaptureProbe {
    const warn = options.warn ?? ((): void => {});
    if (options.interfaces.length > MAX_INTERFACES)
      throw new RangeError(`dump watches at most ${MAX_INTERFACES} interfaces at once`);
    const artifact = toolArtifact("dump/capture.bpf.json");
    // Sized here rather than in the source: the ring as asked.
    for (const m of artifact.maps) if (m.name === "packets") m.maxEntries = options.ringBytes;
    const comm = new Uint8Array(16);
    if (options.comm !== undefined) comm.set(Buffer.from(options.comm, "utf8").subarray(0, 15));
    const snap = options.snapLength <= 0 || options.snapLength > MAX_CAPTURE ? MAX_CAPTURE : options.snapLength;
    const object = KernelObject.load<typeof Kernel>(artifact, {
      constants: {
        snapLength: snap,
        netnsInode: netnsInode(),
        pidFilter: options.pid ?? 0,
        commFilter: options.comm !== undefined ? 1 : 0,
        commName: { name: [...comm] },
      },
    });
    const probe = new CaptureProbe(object);
    try {
      options.interfaces.forEach((t, slot) => {
        if (t.ifindex < 4096) (object.maps.slots as unknown as ArrayMap<number>).set(t.ifindex, slot);
      });
      probe.#attachAll(options, warn);
      return probe;
    } catch (err) {
      releaseAfterFailure([() => probe.close()]);
      throw err;
    }
  }

  #attachAll(options: CaptureProbeOptions, warn: (message: string) => void): void {
    const expression = (options.expression ?? "").trim();
    const capture = this.object.programs;
    let ingress: XdpProgram = capture.ingress as XdpProgram;
    let egress: TcProgram = capture.egress as TcProgram;
    let ingressTc: TcProgram = capture.ingressTc as TcProgram;
    if (expression !== "") {
      if (options.directions.includes("ingress"))
        ingress = this.#filterEntry(expression, "xdp", capture.ingress as Program) as XdpProgram;
      if (options.directions.includes("egress"))
        egress = this.#filterEntry(expression, "tc", capture.egress as Program) as TcProgram;
    }
    const tcIngress = (): TcProgram => {
      if (expression !== "" && ingressTc === capture.ingressTc)
        ingressTc = this.#filterEntry(expression, "tc", capture.ingressTc as Program) as TcProgram;
      return ingressTc;
    };
    const ingressId = programIdentity(ingress.fd).id,
      egressId = programIdentity(egress.fd).id;
    if (options.directions.includes("ingress")) this.programIds.push(ingressId);
    if (options.directions.includes("egress")) this.programIds.push(egressId);
    for (const target of options.interfaces) {
      if (options.directions.includes("ingress")) {
        let a: Attachment | undefined;
        try {
          a = attachXdpLink(ingress, target, options.xdpMode ?? "auto", warn);
        } catch (err) {
          if (!(err instanceof AttachPointBusyError)) throw err;
          // Another program holds XDP here (another dump, flows, count…): tcx chains programs.
          warn(`${err.message}; capturing ${target.name} ingress with tcx instead (after the stack's GRO, before IP)`);
          const tcx = tcIngress().attach(target.name, "ingress");
          this.#links.push(tcx);
          this.programIds.push(programIdentity(tcIngress().fd).id);
          this.attachments.push({
            target,
            direction: "ingress",
            description: `tc ingress on ${target.name} (tcx link)`,
            link: isLinkAttachment(tcx),
          });
        }
        if (a !== undefined) {
          this.#links.push(a);
          this.attachments.push({
            target,
            direction: "ingress",
            description: describeXdpAttachment(target, a, ingressId),
            link: isLinkAttachment(a),
          });
        }
      }
      // Loopback: every packet sent is also received; like libpcap, keep only the received copy.
      if (options.directions.includes("egress") && target.name !== "lo") {
        const a = egress.attach(target.name, "egress");
        this.#links.push(a);
        const link = isLinkAttachment(a);
        if (!link)
          warn(
            `this kernel has no tcx links (Linux < 6.6): attached to ${target.name} egress through a clsact qdisc; after a SIGKILL remove it with "tc qdisc del dev ${target.name} clsact"`,
          );
        this.attachments.push({
          target,
          direction: "egress",
          description: link ? `tc egress on ${target.name} (tcx link)` : a.description,
          link,
        });
      }
    }
  }

  /** The filter as an entry program that tail-calls `capture` on a match (see the module comment). */
  #filterEntry(expression: string, context: "xdp" | "tc", capture: Program): Program {
    const filter = compileFilter(expression, { linkType: 1, context });
    const table = ProgramArray.create({ maxEntries: 1, name: `dump_${context}_tail` });
    this.#owned.push(table);
    table.set(0, capture.fd);
    const a = new Assembler();
    a.mov64("r6", "r1");
    filter.emitInline(a, { match: "match", noMatch: "nomatch", prefix: "f_" });
    a.label("match");
    a.mov64("r1", "r6");
    a.ldMapFd("r2", table);
    a.mov32("r3", 0);
    a.call("tail_call");
    a.label("nomatch");
    if (context === "xdp")
      a.mov32("r0", 2); // XDP_PASS
    else a.mov64("r0", -1); // TC_ACT_UNSPEC
    a.exit();
    const code = a.assemble();
    const program =
      context === "xdp"
        ? loadXdpProgram({ code, name: "dump_filter", maps: [table] })
        : TcProgram.load({ code, name: "dump_filter", maps: [table] });
    this.#owned.push(program);
    return program;
  }

  /** Counters per interface slot (the order of `interfaces`), CPUs summed. */
  counters(slotCount: number): SlotCounters[] {
    const out: SlotCounters[] = [];
    for (let slot = 0; slot < slotCount; slot++) {
      const perCpu = this.object.maps.counters.get(slot) ?? [];
      let packets = 0n,
        bytes = 0n,
        drops = 0n;
      for (const c of perCpu) {
        packets += c.packets;
        bytes += c.bytes;
        drops += c.drops;
      }
      out.push({ packets, bytes, drops });
    }
    return out;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseAll([
      ...detachSteps(this.#links),
      ...[...this.#owned].reverse().map((o) => () => o.close()),
      () => this.object.close(),
    ]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
