// The flows kernel program in use: flows.bpf.ts loaded from its prebuilt artifact in one of its
// two modes, with its XDP program attached to each interface's ingress and its TC program to
// each interface's egress (tcx links). Shared by `tsbpf flows` (both modes) and FlowTracker.
import type { LruPerCpuHashMap } from "../../maps/index.js";
import type { Attachment } from "../../links/link.js";
import type { XdpMode } from "../../programs/xdp.js";
import { programIdentity } from "../../programs/net-common.js";
import type { KernelObject } from "../../loader/kernel-object.js";
import { loadToolObject } from "../common/kernel-artifact.js";
import { readPerCpu, type Traffic } from "../common/per-cpu.js";
import { attachXdpLink, describeXdpAttachment, isLinkAttachment } from "../common/xdp.js";
import type { InterfaceTarget } from "../common/interfaces.js";
import { DIRECTIONS, type Direction, type FlowKeyFields } from "./flow.js";
import type * as Kernel from "./flows.bpf.js";
import { detachSteps, releaseAfterFailure, releaseAll } from "../common/release.js";
import { NotSupportedError, SyscallError } from "../../sys/errors.js";

export type FlowsKernel = KernelObject<typeof Kernel>;

/** "packets": one ring buffer record per IP packet; "flows": per-flow counters in the kernel. */
export type ProbeMode = "packets" | "flows";

export interface ProbeOptions {
  interfaces: readonly InterfaceTarget[];
  mode: ProbeMode;
  /** Default both. */
  directions?: readonly Direction[];
  /** XDP mode for ingress (default "auto"). */
  xdpMode?: XdpMode;
  /** Told about fallbacks that survive a SIGKILL (netlink XDP, clsact) on old kernels. */
  warn?: (message: string) => void;
}

export interface ProbeAttachment {
  target: InterfaceTarget;
  direction: Direction;
  /** e.g. "xdp on veth1 (driver mode, link)", "tc egress on veth1 (tcx link)" */
  description: string;
  /** A bpf_link (gone with the process), not a netlink fallback. */
  link: boolean;
}

export type { Traffic } from "../common/per-cpu.js";
export { readPerCpu } from "../common/per-cpu.js";
export interface TotalRow extends Traffic {
  ifindex: number;
  direction: Direction;
  family: number;
  protocol: number;
}

/**
 * What each slot of the kernel's `totalSlots` counts, by its place within a direction (the
 * ingress slots, then as many egress ones): flows.bpf.ts's totalSlot() assigns them in this order.
 */
const SLOT_TOTALS: readonly { family: number; protocol: number }[] = [
  { family: 0, protocol: 0 },
  { family: 4, protocol: 6 },
  { family: 4, protocol: 17 },
  { family: 4, protocol: 1 },
  { family: 6, protocol: 6 },
  { family: 6, protocol: 17 },
  { family: 6, protocol: 58 },
];
const SLOTS_PER_DIRECTION = 8;

/**
 * Totals since load by interface, direction, IP version (0: not IP) and protocol, CPUs summed:
 * the kernel keeps the commonest in per-CPU slots and the rest (and other interfaces' shares of
 * a slot another interface took on that CPU) in the `totals` hash, so one total may be in both.
 */
export function totalRows(object: FlowsKernel): TotalRow[] {
  const rows = new Map<string, TotalRow>();
  const add = (ifindex: number, egress: boolean, family: number, protocol: number, traffic: Traffic): void => {
    const id = `${ifindex}|${egress ? 1 : 0}|${family}|${protocol}`;
    const row = rows.get(id);
    if (row) {
      row.packets += traffic.packets;
      row.bytes += traffic.bytes;
    } else {
      rows.set(id, { ifindex, direction: egress ? "egress" : "ingress", family, protocol, ...traffic });
    }
  };
  for (const [k, t] of readPerCpu(object.maps.totals)) add(k.ifindex, k.direction === 1, k.family, k.protocol, t);
  const slots = object.maps.totalSlots;
  let entries: [number, { ifindex: number; packets: bigint; bytes: bigint }[]][];
  try {
    entries = slots.lookupBatch();
  } catch (err) {
    if (!(err instanceof NotSupportedError) && !(err instanceof SyscallError)) throw err;
    entries = [...slots.entries()];
  }
  for (const [slot, perCpu] of entries) {
    const total = SLOT_TOTALS[slot % SLOTS_PER_DIRECTION];
    if (!total) continue;
    for (const c of perCpu) {
      if (c.ifindex === 0) continue; // no frame has taken the slot on this CPU
      add(c.ifindex, slot >= SLOTS_PER_DIRECTION, total.family, total.protocol, { packets: c.packets, bytes: c.bytes });
    }
  }
  return [...rows.values()];
}

export class FlowProbe implements Disposable {
  readonly object: FlowsKernel;
  readonly attachments: readonly ProbeAttachment[];
  readonly mode: ProbeMode;
  /** Kernel ids of the XDP and TC programs (as `bpftool prog` shows them). */
  readonly programIds: { ingress: number; egress: number };
  readonly #links: Attachment[];
  #closed = false;

  private constructor(object: FlowsKernel, mode: ProbeMode, links: Attachment[], attachments: ProbeAttachment[]) {
    this.object = object;
    this.mode = mode;
    this.#links = links;
    this.attachments = attachments;
    this.programIds = {
      ingress: programIdentity(object.programs.ingress.fd).id,
      egress: programIdentity(object.programs.egress.fd).id,
    };
  }

  /** Loads the program in `mode` and attaches it; on failure releases what it made. */
  static attach(options: ProbeOptions): FlowProbe {
    const directions = options.directions ?? DIRECTIONS;
    const warn = options.warn ?? ((): void => {});
    const object = loadToolObject<typeof Kernel>("flows/flows.bpf.json", {
      constants: { packetEvents: options.mode === "packets" ? 1 : 0, flowTable: options.mode === "flows" ? 1 : 0 },
    });
    const links: Attachment[] = [];
    try {
      const ingressId = programIdentity(object.programs.ingress.fd).id;
      const attachments: ProbeAttachment[] = [];
      for (const target of options.interfaces) {
        if (directions.includes("ingress")) {
          const a = attachXdpLink(object.programs.ingress, target, options.xdpMode ?? "auto", warn);
          links.push(a);
          attachments.push({
            target,
            direction: "ingress",
            description: describeXdpAttachment(target, a, ingressId),
            link: isLinkAttachment(a),
          });
        }
        if (directions.includes("egress")) {
          const a = object.programs.egress.attach(target.name, "egress");
          links.push(a);
          const link = isLinkAttachment(a);
          if (!link) {
            warn(
              `this kernel has no tcx links (Linux < 6.6): attached to ${target.name} egress through a clsact qdisc instead. ` +
                `It is removed on a normal exit, but if this process is killed with SIGKILL it stays: remove it with "tc qdisc del dev ${target.name} clsact"`,
            );
          }
          attachments.push({
            target,
            direction: "egress",
            description: link ? `tc egress on ${target.name} (tcx link)` : a.description,
            link,
          });
        }
      }
      return new FlowProbe(object, options.mode, links, attachments);
    } catch (err) {
      releaseAfterFailure([...detachSteps(links), () => object.close()]);
      throw err;
    }
  }

  /** Totals since attach by interface, direction, IP version (0: not IP) and protocol, CPUs summed. */
  totals(): TotalRow[] {
    return totalRows(this.object);
  }

  /**
   * The per-flow counters (flows mode). KernelObject's typing maps an LruPerCpuHashMap
   * declaration to a plain MapHandle, although it creates an LruPerCpuHashMap: hence the cast.
   */
  get flowTable(): LruPerCpuHashMap<FlowKeyFields, { packets: bigint; bytes: bigint }> {
    return this.object.maps.flows as unknown as LruPerCpuHashMap<FlowKeyFields, { packets: bigint; bytes: bigint }>;
  }

  /** Packet records the ring buffer had no room for (per-packet mode). */
  drops(): bigint {
    let n = 0n;
    for (const v of this.object.maps.drops.get(0) ?? []) n += v;
    return n;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Detaches everything, then unloads the programs and frees the maps. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseAll([...detachSteps(this.#links), () => this.object.close()]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
