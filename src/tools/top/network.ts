// The network panels of `tsbpf top`: packets per protocol and the busiest flows, both from one
// FlowTracker (the flows tool's XDP ingress + TC egress programs). Counting happens in the
// kernel; each interval reads the per-protocol totals and the flow table once.
import { renderTable, type Column } from "../../cmdline/table.js";
import { formatBitRate, formatBytes, formatRate } from "../common/format.js";
import type { MetricsRegistry } from "../common/metrics.js";
import { ipProtocolName } from "../count/names.js";
import { protocolLabel } from "../flows/flow.js";
import { flowRateJson, flowRateTable, registerFlowsMetrics } from "../flows/report.js";
import type { FlowTracker, FlowSnapshot, TotalRow } from "../flows/tracker.js";
import type { FrameContext, Panel } from "./panel.js";

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** One protocol (IP version + IP protocol, or "not IP"), both directions, over all watched interfaces. */
export interface ProtocolRate {
  /** 4, 6, or 0 for frames that are not IP (ARP, LLDP, …). */
  ipVersion: number;
  protocol: number;
  inPackets: bigint;
  inBytes: bigint;
  outPackets: bigint;
  outBytes: bigint;
  seconds: number;
  totalPackets: bigint;
  totalBytes: bigint;
}

function protocolName(r: ProtocolRate): string {
  if (r.ipVersion === 0) return "not IP";
  return `IPv${r.ipVersion} ${protocolLabel(r.protocol)}`;
}

const perSecond = (n: bigint, seconds: number): number => (seconds > 0 ? Number(n) / seconds : 0);

/** Per-interval deltas of the kernel's cumulative per-protocol totals. */
export class ProtocolRates {
  #previous = new Map<string, bigint[]>();

  /** The interval's rows from the cumulative `totals`, busiest (bytes in the interval, then in all) first. */
  next(totals: readonly TotalRow[], seconds: number): ProtocolRate[] {
    const rows = new Map<string, ProtocolRate>();
    for (const t of totals) {
      const protocol = t.family === 0 ? 0 : t.protocol;
      const id = `${t.family}|${protocol}`;
      let row = rows.get(id);
      if (!row) {
        row = {
          ipVersion: t.family,
          protocol,
          inPackets: 0n,
          inBytes: 0n,
          outPackets: 0n,
          outBytes: 0n,
          seconds,
          totalPackets: 0n,
          totalBytes: 0n,
        };
        rows.set(id, row);
      }
      if (t.direction === "egress") {
        row.outPackets += t.packets;
        row.outBytes += t.bytes;
      } else {
        row.inPackets += t.packets;
        row.inBytes += t.bytes;
      }
      row.totalPackets += t.packets;
      row.totalBytes += t.bytes;
    }
    const current = new Map<string, bigint[]>();
    for (const [id, row] of rows) {
      const now = [row.inPackets, row.inBytes, row.outPackets, row.outBytes];
      current.set(id, now);
      const before = this.#previous.get(id);
      // A counter that went down was reset (the program was reloaded): count from zero.
      if (before && now.every((v, i) => v >= before[i]!)) {
        row.inPackets -= before[0]!;
        row.inBytes -= before[1]!;
        row.outPackets -= before[2]!;
        row.outBytes -= before[3]!;
      }
    }
    this.#previous = current;
    const interval = (r: ProtocolRate): bigint => r.inBytes + r.outBytes;
    return [...rows.values()].sort((a, b) =>
      interval(a) !== interval(b)
        ? interval(a) < interval(b)
          ? 1
          : -1
        : a.totalBytes === b.totalBytes
          ? 0
          : a.totalBytes < b.totalBytes
            ? 1
            : -1,
    );
  }
}

const PROTOCOL_COLUMNS: Column<ProtocolRate>[] = [
  { header: "PROTOCOL", value: protocolName, align: "left" },
  { header: "IN PKT/S", value: (r) => formatRate(perSecond(r.inPackets, r.seconds)), align: "right" },
  { header: "IN BIT/S", value: (r) => formatBitRate(perSecond(r.inBytes, r.seconds)), align: "right" },
  { header: "OUT PKT/S", value: (r) => formatRate(perSecond(r.outPackets, r.seconds)), align: "right" },
  { header: "OUT BIT/S", value: (r) => formatBitRate(perSecond(r.outBytes, r.seconds)), align: "right" },
  { header: "PACKETS", value: (r) => r.totalPackets, align: "right" },
  { header: "BYTES", value: (r) => formatBytes(r.totalBytes), align: "right" },
];

function protocolJson(r: ProtocolRate): Record<string, unknown> {
  return {
    ip_version: r.ipVersion === 0 ? null : r.ipVersion,
    protocol: r.ipVersion === 0 ? null : r.protocol,
    protocol_name: r.ipVersion === 0 ? "other" : ipProtocolName(r.protocol),
    in_packets: r.inPackets,
    in_bytes: r.inBytes,
    out_packets: r.outPackets,
    out_bytes: r.outBytes,
    in_packets_per_s: round3(perSecond(r.inPackets, r.seconds)),
    in_bytes_per_s: round3(perSecond(r.inBytes, r.seconds)),
    out_packets_per_s: round3(perSecond(r.outPackets, r.seconds)),
    out_bytes_per_s: round3(perSecond(r.outBytes, r.seconds)),
    total_packets: r.totalPackets,
    total_bytes: r.totalBytes,
  };
}

/** Packets per protocol, then the top flows, of the watched interfaces. */
export class NetworkPanel implements Panel {
  readonly key = "network";
  readonly title: string;
  readonly #tracker: FlowTracker;
  readonly #protocols = new ProtocolRates();
  readonly #flowLimit: number;
  readonly #startTime: Date;
  #snapshot: FlowSnapshot | undefined;
  #rates: ProtocolRate[] = [];

  constructor(tracker: FlowTracker, options: { flowLimit: number; startTime: Date }) {
    this.#tracker = tracker;
    this.#flowLimit = options.flowLimit;
    this.#startTime = options.startTime;
    this.title = `Network on ${tracker.interfaces.map((t) => t.name).join(",")}`;
  }

  get programIds(): readonly number[] {
    const ids = this.#tracker.programIds;
    return [ids.ingress, ids.egress];
  }

  sample(seconds: number): void {
    this.#snapshot = this.#tracker.snapshot({ limit: this.#flowLimit });
    this.#rates = this.#protocols.next(this.#tracker.totals(), seconds);
  }

  lines(context: FrameContext): string[] {
    const s = this.#snapshot;
    if (!s) return [this.title];
    const rates = s.interfaces.map(
      (i) =>
        `${i.direction === "egress" ? "out" : "in"} ${formatRate(i.packetsPerSecond)} pkt/s ${formatBitRate(i.bytesPerSecond)}`,
    );
    const showInterface = this.#tracker.interfaces.length > 1;
    const protocolRows = this.#rates.slice(0, Math.max(1, Math.floor(context.rows / 2)));
    return [
      `${this.title}: ${rates.join(", ")}`,
      ...(protocolRows.length ? renderTable(PROTOCOL_COLUMNS, protocolRows) : ["(no packets yet)"]),
      "",
      `Top flows (${s.activeFlows} active, ${s.tableFlows} in the table)`,
      ...flowRateTable(s.flows.slice(0, Math.max(1, context.rows - protocolRows.length)), showInterface),
    ];
  }

  record(): Record<string, unknown> {
    const s = this.#snapshot;
    return {
      available: true,
      interfaces: (s?.interfaces ?? []).map((i) => ({
        interface: i.interface,
        direction: i.direction,
        packets: i.packets,
        bytes: i.bytes,
        packets_per_s: round3(i.packetsPerSecond),
        bytes_per_s: round3(i.bytesPerSecond),
      })),
      protocols: this.#rates.map(protocolJson),
      active_flows: s?.activeFlows ?? 0,
      flows: (s?.flows ?? []).map(flowRateJson),
    };
  }

  registerMetrics(registry: MetricsRegistry): void {
    const names = new Map(this.#tracker.interfaces.map((t) => [t.ifindex, t.name]));
    registerFlowsMetrics(registry, () => this.#tracker.totals(), names, this.#startTime);
  }

  summary(): string {
    let packets = 0n,
      bytes = 0n;
    for (const r of this.#rates) {
      packets += r.totalPackets;
      bytes += r.totalBytes;
    }
    return `network: ${packets} packets, ${formatBytes(bytes)} on ${this.#tracker.interfaces.map((t) => t.name).join(",")}`;
  }

  [Symbol.dispose](): void {
    this.#tracker.close();
  }
}
