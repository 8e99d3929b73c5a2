// What `tsbpf flows` prints: per-packet lines and NDJSON records read in place from ring records,
// the --top table and its NDJSON interval records, the summaries, and the Prometheus families.
import { renderTable, type Column } from "../../cmdline/table.js";
import type { RingRecord } from "../../events/record.js";
import type { MetricsRegistry, Sample } from "../common/metrics.js";
import { clockTime, formatBitRate, formatBytes, formatDuration, formatRate } from "../common/format.js";
import { ipProtocolName } from "../count/names.js";
import {
  destinationPortText,
  flowJson,
  hasPorts,
  ipv4Text,
  ipv6Text,
  isIcmp,
  KEY,
  protocolLabel,
  RECORD,
  sourcePortText,
  type Flow,
} from "./flow.js";
import type { TotalRow } from "./probe.js";
import type { FlowRate, FlowSnapshot } from "./tracker.js";

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

// ---- one line per packet ------------------------------------------------------------------------

const ADDRESS_WIDTH = 15,
  PORT_WIDTH = 6,
  PROTOCOL_WIDTH = 8;

/** The header line of the per-packet output. */
export function packetHeader(ifWidth: number): string {
  return (
    `${"TIME".padEnd(15)} ${"IF".padEnd(ifWidth)} DIR ${"S-Address".padEnd(ADDRESS_WIDTH)} ${"S-Port".padEnd(PORT_WIDTH)} ` +
    `${"D-Address".padEnd(ADDRESS_WIDTH)} ${"D-Port".padEnd(PORT_WIDTH)} ${"Protocol".padEnd(PROTOCOL_WIDTH)} Bytes`
  );
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Formats packet records as they come out of the ring: fields are read in place from the record
 * (no decoded object per packet), names and labels come from small caches.
 */
export class PacketFormatter {
  readonly #names: ReadonlyMap<number, string>;
  readonly #padded = new Map<number, string>();
  readonly #json = new Map<number, string>();
  readonly #labels = new Map<number, string>();
  readonly #ifWidth: number;
  /** Wall-clock ms = CLOCK_MONOTONIC ms + this (node's hrtime is CLOCK_MONOTONIC, like bpf_ktime_get_ns). */
  readonly #epochOffsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  readonly #tzOffsetMs = new Date().getTimezoneOffset() * 60_000;

  constructor(names: ReadonlyMap<number, string>) {
    this.#names = names;
    this.#ifWidth = Math.max(2, ...[...names.values()].map((n) => n.length));
  }

  get header(): string {
    return packetHeader(this.#ifWidth);
  }

  #interface(ifindex: number): string {
    let s = this.#padded.get(ifindex);
    if (s === undefined) {
      s = (this.#names.get(ifindex) ?? `if${ifindex}`).padEnd(this.#ifWidth);
      this.#padded.set(ifindex, s);
    }
    return s;
  }

  #interfaceJson(ifindex: number): string {
    let s = this.#json.get(ifindex);
    if (s === undefined) {
      s = JSON.stringify(this.#names.get(ifindex) ?? `ifindex ${ifindex}`);
      this.#json.set(ifindex, s);
    }
    return s;
  }

  #protocol(protocol: number): string {
    let s = this.#labels.get(protocol);
    if (s === undefined) {
      s = protocolLabel(protocol).padEnd(PROTOCOL_WIDTH);
      this.#labels.set(protocol, s);
    }
    return s;
  }

  #day = -1;
  #dayPrefix = "";

  /** ISO 8601 UTC with milliseconds, without a Date per packet: the date part is cached per day. */
  isoTime(epochMs: number): string {
    const ms = Math.floor(epochMs);
    const day = Math.floor(ms / 86_400_000);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
    }
    const inDay = ms - day * 86_400_000;
    const seconds = Math.floor(inDay / 1000);
    return `${this.#dayPrefix}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${String(inDay % 1000).padStart(3, "0")}Z`;
  }

  /** Wall-clock milliseconds since the epoch of a record's timestamp. */
  epochMs(r: RingRecord): number {
    return r.u64AsNumber(RECORD.timestamp) / 1e6 + this.#epochOffsetMs;
  }

  /** "HH:MM:SS.mmmmmm  veth1 in  10.0.0.1  40000  10.0.0.2  5000  UDP  142" */
  line(r: RingRecord): string {
    const b = r.bytes,
      o = r.offset;
    const ms = this.epochMs(r) - this.#tzOffsetMs;
    const us = Math.floor(ms * 1000) % 86_400_000_000;
    const seconds = Math.floor(us / 1_000_000);
    const time = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${String(us % 1_000_000).padStart(6, "0")}`;
    const v6 = b[o + KEY.family] === 6;
    const protocol = b[o + KEY.protocol]!;
    const sport = r.u16(KEY.sport),
      dport = r.u16(KEY.dport);
    const saddr = v6 ? ipv6Text(b, o + KEY.saddr) : ipv4Text(b, o + KEY.saddr);
    const daddr = v6 ? ipv6Text(b, o + KEY.daddr) : ipv4Text(b, o + KEY.daddr);
    let sp = "-",
      dp = "-";
    if (hasPorts(protocol)) {
      sp = String(sport);
      dp = String(dport);
    } else if (isIcmp(protocol)) dp = `${dport >> 8}/${dport & 0xff}`;
    const packets = r.u32(RECORD.packets);
    const vlan = b[o + KEY.tagged] ? ` vlan ${r.u16(KEY.vlan)}` : "";
    return (
      `${time} ${this.#interface(r.u32(KEY.ifindex))} ${b[o + KEY.direction] === 1 ? "out" : "in "} ${saddr.padEnd(ADDRESS_WIDTH)} ${sp.padEnd(PORT_WIDTH)} ` +
      `${daddr.padEnd(ADDRESS_WIDTH)} ${dp.padEnd(PORT_WIDTH)} ${this.#protocol(protocol)} ${r.u32(RECORD.bytes)}` +
      `${packets > 1 ? ` (${packets} packets)` : ""}${vlan}`
    );
  }

  /** The record as one NDJSON line (without the newline); see docs/tools/flows.md. */
  json(r: RingRecord): string {
    const b = r.bytes,
      o = r.offset;
    const v6 = b[o + KEY.family] === 6;
    const protocol = b[o + KEY.protocol]!;
    const sport = r.u16(KEY.sport),
      dport = r.u16(KEY.dport);
    const ports = hasPorts(protocol),
      icmp = isIcmp(protocol);
    const saddr = v6 ? ipv6Text(b, o + KEY.saddr) : ipv4Text(b, o + KEY.saddr);
    const daddr = v6 ? ipv6Text(b, o + KEY.daddr) : ipv4Text(b, o + KEY.daddr);
    return (
      `{"type":"packet","time":"${this.isoTime(this.epochMs(r))}","interface":${this.#interfaceJson(r.u32(KEY.ifindex))},` +
      `"direction":"${b[o + KEY.direction] === 1 ? "egress" : "ingress"}","ip_version":${v6 ? 6 : 4},"protocol":${protocol},` +
      `"protocol_name":"${ipProtocolName(protocol)}","vlan":${b[o + KEY.tagged] ? r.u16(KEY.vlan) : "null"},` +
      `"saddr":"${saddr}","sport":${ports ? sport : "null"},"daddr":"${daddr}","dport":${ports ? dport : "null"},` +
      `"icmp_type":${icmp ? dport >> 8 : "null"},"icmp_code":${icmp ? dport & 0xff : "null"},` +
      `"packets":${r.u32(RECORD.packets)},"bytes":${r.u32(RECORD.bytes)}}`
    );
  }
}

// ---- totals (summaries, metrics) ----------------------------------------------------------------------

export interface TotalLine {
  interface: string;
  direction: string;
  ipVersion: number | null;
  protocol: number | null;
  packets: bigint;
  bytes: bigint;
}

/** Totals rows with interface names, busiest first; family 0 (not IP) has ipVersion and protocol null. */
export function totalLines(rows: readonly TotalRow[], names: ReadonlyMap<number, string>): TotalLine[] {
  return rows
    .map((r) => ({
      interface: names.get(r.ifindex) ?? `ifindex ${r.ifindex}`,
      direction: r.direction,
      ipVersion: r.family === 0 ? null : r.family,
      protocol: r.family === 0 ? null : r.protocol,
      packets: r.packets,
      bytes: r.bytes,
    }))
    .sort((a, b) => (a.bytes === b.bytes ? 0 : a.bytes < b.bytes ? 1 : -1));
}

export function totalsJson(lines: readonly TotalLine[]): Record<string, unknown>[] {
  return lines.map((l) => ({
    interface: l.interface,
    direction: l.direction,
    ip_version: l.ipVersion,
    protocol: l.protocol,
    protocol_name: l.protocol === null ? "other" : ipProtocolName(l.protocol),
    packets: l.packets,
    bytes: l.bytes,
  }));
}

export function totalsTable(lines: readonly TotalLine[]): string[] {
  if (lines.length === 0) return ["(no packets)"];
  const columns: Column<TotalLine>[] = [
    { header: "IF", value: (l) => l.interface, align: "left" },
    { header: "DIR", value: (l) => (l.direction === "egress" ? "out" : "in"), align: "left" },
    { header: "IP", value: (l) => (l.ipVersion === null ? "-" : `v${l.ipVersion}`), align: "left" },
    { header: "PROTOCOL", value: (l) => (l.protocol === null ? "other" : protocolLabel(l.protocol)), align: "left" },
    { header: "PACKETS", value: (l) => l.packets, align: "right" },
    { header: "BYTES", value: (l) => formatBytes(l.bytes), align: "right" },
  ];
  return renderTable(columns, lines);
}

// ---- --top -------------------------------------------------------------------------------------------

const right = (header: string, width: number): string => header.padStart(width);

function flowColumns(showInterface: boolean): Column<FlowRate>[] {
  return [
    ...(showInterface ? [{ header: "IF", value: (r: FlowRate) => r.flow.interface, align: "left" as const }] : []),
    { header: "DIR", value: (r) => (r.flow.direction === "egress" ? "out" : "in"), align: "left" },
    { header: "S-Address".padEnd(ADDRESS_WIDTH), value: (r) => r.flow.saddr, align: "left" },
    { header: "S-Port", value: (r) => sourcePortText(r.flow), align: "left" },
    { header: "D-Address".padEnd(ADDRESS_WIDTH), value: (r) => r.flow.daddr, align: "left" },
    { header: "D-Port", value: (r) => destinationPortText(r.flow), align: "left" },
    {
      header: "Protocol",
      value: (r) => `${protocolLabel(r.flow.protocol)}${r.flow.vlan === null ? "" : ` vlan ${r.flow.vlan}`}`,
      align: "left",
    },
    { header: right("PKT/S", 7), value: (r) => formatRate(r.packetsPerSecond), align: "right" },
    { header: right("BIT/S", 12), value: (r) => formatBitRate(r.bytesPerSecond), align: "right" },
    { header: right("PACKETS", 8), value: (r) => r.totalPackets, align: "right" },
    { header: right("BYTES", 9), value: (r) => formatBytes(r.totalBytes), align: "right" },
  ];
}

/** One --top frame: a header, the per-interface rates, the flow table. */
export function topFrameLines(
  s: FlowSnapshot,
  context: { where: string; intervalSeconds: number; limit: number; elapsedSeconds: number },
): string[] {
  const showInterface = context.where.includes(",");
  const rates = s.interfaces.map(
    (i) =>
      `${showInterface ? `${i.interface} ` : ""}${i.direction === "egress" ? "out" : "in"} ${formatRate(i.packetsPerSecond)} pkt/s ${formatBitRate(i.bytesPerSecond)}`,
  );
  return [
    `tsbpf flows on ${context.where} — top ${context.limit} by bytes — every ${context.intervalSeconds} s — ${clockTime(s.time)} (${formatDuration(context.elapsedSeconds)})`,
    `${rates.join("; ")}; ${s.activeFlows} active flows, ${s.tableFlows} in the table`,
    "",
    ...flowRateTable(s.flows, showInterface),
  ];
}

/** The --top flow table (header, one row per flow), or a line saying the interval had no traffic. */
export function flowRateTable(flows: readonly FlowRate[], showInterface: boolean): string[] {
  return [
    ...renderTable(flowColumns(showInterface), flows),
    ...(flows.length === 0 ? ["(no traffic in this interval)"] : []),
  ];
}

/** One flow of a snapshot as NDJSON fields. */
export function flowRateJson(r: FlowRate): Record<string, unknown> {
  return {
    ...flowJson(r.flow),
    packets: r.packets,
    bytes: r.bytes,
    packets_per_s: round3(r.packetsPerSecond),
    bytes_per_s: round3(r.bytesPerSecond),
    total_packets: r.totalPackets,
    total_bytes: r.totalBytes,
  };
}

/** `{"type":"interval", …}` of --top --json. */
export function intervalRecord(
  s: FlowSnapshot,
  elapsedSeconds: number,
): { type: "interval" } & Record<string, unknown> {
  return {
    type: "interval",
    time: s.time.toISOString(),
    elapsed_s: round3(elapsedSeconds),
    interval_s: round3(s.seconds),
    active_flows: s.activeFlows,
    table_flows: s.tableFlows,
    interfaces: s.interfaces.map((i) => ({
      interface: i.interface,
      direction: i.direction,
      packets: i.packets,
      bytes: i.bytes,
      packets_per_s: round3(i.packetsPerSecond),
      bytes_per_s: round3(i.bytesPerSecond),
    })),
    flows: s.flows.map(flowRateJson),
  };
}

/** Flow rows (totals only) for a summary. */
export function flowTotalsJson(
  flows: readonly { flow: Flow; packets: bigint; bytes: bigint }[],
): Record<string, unknown>[] {
  return flows.map((f) => ({ ...flowJson(f.flow), packets: f.packets, bytes: f.bytes }));
}

export function flowTotalsTable(
  flows: readonly { flow: Flow; packets: bigint; bytes: bigint }[],
  showInterface: boolean,
): string[] {
  const columns: Column<{ flow: Flow; packets: bigint; bytes: bigint }>[] = [
    ...(showInterface
      ? [{ header: "IF", value: (r: { flow: Flow }) => r.flow.interface, align: "left" as const }]
      : []),
    { header: "DIR", value: (r) => (r.flow.direction === "egress" ? "out" : "in"), align: "left" },
    { header: "S-Address", value: (r) => r.flow.saddr, align: "left" },
    { header: "S-Port", value: (r) => sourcePortText(r.flow), align: "left" },
    { header: "D-Address", value: (r) => r.flow.daddr, align: "left" },
    { header: "D-Port", value: (r) => destinationPortText(r.flow), align: "left" },
    {
      header: "Protocol",
      value: (r) => `${protocolLabel(r.flow.protocol)}${r.flow.vlan === null ? "" : ` vlan ${r.flow.vlan}`}`,
      align: "left",
    },
    { header: "PACKETS", value: (r) => r.packets, align: "right" },
    { header: "BYTES", value: (r) => formatBytes(r.bytes), align: "right" },
  ];
  return renderTable(columns, flows);
}

// ---- Prometheus ----------------------------------------------------------------------------------

/**
 * tsbpf_flows_packets_total / tsbpf_flows_bytes_total by interface, direction, IP version and
 * protocol (from the kernel's totals, which nothing evicts), read once per scrape; plus gauges
 * and counters the mode adds (`extra`).
 */
export function registerFlowsMetrics(
  registry: MetricsRegistry,
  read: () => TotalRow[],
  names: ReadonlyMap<number, string>,
  startTime: Date,
  extra: (registry: MetricsRegistry) => void = () => {},
): void {
  let cached: { at: number; rows: TotalRow[] } | undefined;
  const rows = (): TotalRow[] => {
    const now = performance.now();
    if (!cached || now - cached.at > 250) cached = { at: now, rows: read() };
    return cached.rows;
  };
  const samples = (field: "packets" | "bytes"): Sample[] =>
    rows().map((r) => ({
      labels: {
        interface: names.get(r.ifindex) ?? `ifindex${r.ifindex}`,
        direction: r.direction,
        ip_version: r.family === 0 ? "none" : String(r.family),
        protocol: r.family === 0 ? "other" : ipProtocolName(r.protocol),
      },
      value: r[field],
    }));
  registry
    .counter(
      "tsbpf_flows_packets_total",
      "Frames seen (ingress: received, XDP; egress: sent, TC), by interface, direction, IP version and protocol.",
      () => samples("packets"),
    )
    .counter(
      "tsbpf_flows_bytes_total",
      "Bytes of those frames, Ethernet header included, by interface, direction, IP version and protocol.",
      () => samples("bytes"),
    )
    .gauge("tsbpf_flows_start_time_seconds", "When watching started, in seconds since the Unix epoch.", () => [
      { value: startTime.getTime() / 1000 },
    ]);
  extra(registry);
}
