// FlowTracker: the top flows of some interfaces, with rates — the engine of `tsbpf flows --top`,
// reusable by other tools (e.g. a live `top`). Counting happens in the kernel (an XDP program on
// ingress, a TC program on egress, per-flow counters in an LRU per-CPU hash), so nothing crosses
// to user space per packet; each snapshot() reads the table once and compares it with the last.
//
//   using tracker = FlowTracker.attach({ interfaces: ["eth0"] });   // names or InterfaceTargets
//   ... later, periodically:
//   const s = tracker.snapshot({ limit: 10 });
//   for (const f of s.flows) console.log(f.flow.saddr, f.flow.dport, f.bytesPerSecond);
//   s.interfaces   // exact per-interface/direction totals and rates (never evicted)
//
// - attach() needs CAP_BPF + CAP_NET_ADMIN and works in the calling thread's network namespace.
//   It throws InterfaceNotFoundError (src/sys/netlink.js) for an unknown interface.
// - snapshot() returns the flows with traffic since the previous snapshot (the first: since
//   attach), busiest first (by bytes in the interval, then by total bytes), at most `limit`;
//   rates are per second over the measured interval. A flow evicted from the table (more than
//   16384 flows) and seen again starts from zero.
// - close() / dispose detaches everything; a killed process leaves nothing attached (bpf_links).
import type { XdpMode } from "../../programs/xdp.js";
import { selectInterfaces, type InterfaceTarget } from "../common/interfaces.js";
import { flowFromKey, flowId, type Direction, type Flow } from "./flow.js";
import { FlowProbe, readPerCpu, type ProbeAttachment, type TotalRow, type Traffic } from "./probe.js";

export type { Flow, Direction } from "./flow.js";
export type { Traffic, TotalRow } from "./probe.js";

export interface FlowTrackerOptions {
  /** Interface names (or resolved targets) in the calling thread's network namespace. */
  interfaces: readonly (string | InterfaceTarget)[];
  /** Which directions to watch (default both). */
  directions?: readonly Direction[];
  /** XDP attach mode for ingress (default "auto"). */
  xdpMode?: XdpMode;
  /** Warnings about fallbacks on old kernels. */
  warn?: (message: string) => void;
}

/** One flow's traffic in a snapshot. */
export interface FlowRate {
  flow: Flow;
  /** Since the previous snapshot. */
  packets: bigint;
  bytes: bigint;
  packetsPerSecond: number;
  bytesPerSecond: number;
  /** Since the flow entered the table. */
  totalPackets: bigint;
  totalBytes: bigint;
}

/** One interface and direction, all frames (IP or not): exact, never evicted. */
export interface InterfaceRate {
  interface: string;
  direction: Direction;
  packets: bigint;
  bytes: bigint;
  packetsPerSecond: number;
  bytesPerSecond: number;
  totalPackets: bigint;
  totalBytes: bigint;
}

export interface FlowSnapshot {
  time: Date;
  /** Length of the interval this snapshot covers, in seconds (measured). */
  seconds: number;
  /** Busiest first, at most `limit`; only flows with traffic in the interval. */
  flows: FlowRate[];
  /** Flows with traffic in the interval (before `limit`). */
  activeFlows: number;
  /** Flows in the kernel's table now. */
  tableFlows: number;
  interfaces: InterfaceRate[];
}

export interface SnapshotOptions {
  /** At most this many flows (default all). */
  limit?: number;
}

function rate(count: bigint, seconds: number): number {
  return seconds > 0 ? Number(count) / seconds : 0;
}

/** Since `before` (a counter that went down was reset: count from zero). */
function delta(now: Traffic, before: Traffic | undefined): Traffic {
  if (!before || now.packets < before.packets || now.bytes < before.bytes) return now;
  return { packets: now.packets - before.packets, bytes: now.bytes - before.bytes };
}

export function byIntervalBytes(a: FlowRate, b: FlowRate): number {
  if (a.bytes !== b.bytes) return a.bytes < b.bytes ? 1 : -1;
  if (a.totalBytes !== b.totalBytes) return a.totalBytes < b.totalBytes ? 1 : -1;
  return a.packets < b.packets ? 1 : a.packets > b.packets ? -1 : 0;
}

export class FlowTracker implements Disposable {
  readonly #probe: FlowProbe;
  readonly #names: Map<number, string>;
  #previousFlows = new Map<string, Traffic>();
  #previousTotals = new Map<string, Traffic>();
  #previousAt = performance.now();
  /** The interfaces watched (resolved). */
  readonly interfaces: readonly InterfaceTarget[];

  private constructor(probe: FlowProbe, interfaces: readonly InterfaceTarget[]) {
    this.#probe = probe;
    this.interfaces = interfaces;
    this.#names = new Map(interfaces.map((t) => [t.ifindex, t.name]));
  }

  static attach(options: FlowTrackerOptions): FlowTracker {
    const names = options.interfaces.filter((i): i is string => typeof i === "string");
    const targets = [
      ...options.interfaces.filter((i): i is InterfaceTarget => typeof i !== "string"),
      ...(names.length ? selectInterfaces(names) : []),
    ];
    const probe = FlowProbe.attach({
      interfaces: targets,
      mode: "flows",
      directions: options.directions,
      xdpMode: options.xdpMode,
      warn: options.warn,
    });
    return new FlowTracker(probe, targets);
  }

  /** What is attached where ("xdp on eth0 (driver mode, link)", "tc egress on eth0 (tcx link)"). */
  get attachments(): readonly ProbeAttachment[] {
    return this.#probe.attachments;
  }

  /** Kernel ids of the ingress (XDP) and egress (TC) programs. */
  get programIds(): { ingress: number; egress: number } {
    return this.#probe.programIds;
  }

  /** Every frame since attach by interface, direction, IP version (0: not IP) and protocol. */
  totals(): TotalRow[] {
    return this.#probe.totals();
  }

  interfaceName(ifindex: number): string {
    return this.#names.get(ifindex) ?? `ifindex ${ifindex}`;
  }

  /** The flows (and interface totals) since the previous snapshot; see the module comment. */
  snapshot(options: SnapshotOptions = {}): FlowSnapshot {
    const now = performance.now();
    const seconds = (now - this.#previousAt) / 1000;
    this.#previousAt = now;
    const entries = readPerCpu(this.#probe.flowTable);
    const seen = new Map<string, Traffic>();
    const active: FlowRate[] = [];
    for (const [key, total] of entries) {
      const flow = flowFromKey(key, this.#names);
      const id = flowId(flow);
      const d = delta(total, this.#previousFlows.get(id));
      seen.set(id, total);
      if (d.packets === 0n) continue;
      active.push({
        flow,
        packets: d.packets,
        bytes: d.bytes,
        packetsPerSecond: rate(d.packets, seconds),
        bytesPerSecond: rate(d.bytes, seconds),
        totalPackets: total.packets,
        totalBytes: total.bytes,
      });
    }
    this.#previousFlows = seen;
    active.sort(byIntervalBytes);

    const perInterface = new Map<string, InterfaceRate>();
    for (const t of this.interfaces) {
      for (const direction of this.#probe.attachments
        .filter((a) => a.target.ifindex === t.ifindex)
        .map((a) => a.direction)) {
        perInterface.set(`${t.ifindex}|${direction}`, {
          interface: t.name,
          direction,
          packets: 0n,
          bytes: 0n,
          packetsPerSecond: 0,
          bytesPerSecond: 0,
          totalPackets: 0n,
          totalBytes: 0n,
        });
      }
    }
    for (const row of this.#probe.totals()) {
      const r = perInterface.get(`${row.ifindex}|${row.direction}`);
      if (!r) continue;
      r.totalPackets += row.packets;
      r.totalBytes += row.bytes;
    }
    const totals = new Map<string, Traffic>();
    for (const [id, r] of perInterface) {
      const d = delta({ packets: r.totalPackets, bytes: r.totalBytes }, this.#previousTotals.get(id));
      totals.set(id, { packets: r.totalPackets, bytes: r.totalBytes });
      r.packets = d.packets;
      r.bytes = d.bytes;
      r.packetsPerSecond = rate(d.packets, seconds);
      r.bytesPerSecond = rate(d.bytes, seconds);
    }
    this.#previousTotals = totals;

    return {
      time: new Date(),
      seconds,
      flows: options.limit === undefined ? active : active.slice(0, options.limit),
      activeFlows: active.length,
      tableFlows: entries.length,
      interfaces: [...perInterface.values()],
    };
  }

  /** Every flow in the table with its totals since it entered, busiest (bytes) first. */
  flowTotals(): { flow: Flow; packets: bigint; bytes: bigint }[] {
    return readPerCpu(this.#probe.flowTable)
      .map(([key, t]) => ({ flow: flowFromKey(key, this.#names), packets: t.packets, bytes: t.bytes }))
      .sort((a, b) => (a.bytes === b.bytes ? 0 : a.bytes < b.bytes ? 1 : -1));
  }

  get closed(): boolean {
    return this.#probe.closed;
  }

  close(): void {
    this.#probe.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
