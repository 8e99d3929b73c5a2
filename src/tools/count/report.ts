// What `tsbpf count` reports: per-interval deltas and rates from successive totals, as NDJSON
// records, as human tables, and as Prometheus metric families.
import { renderTable, type Column } from "../../cmdline/table.js";
import type { InterfaceTarget } from "../common/interfaces.js";
import type { MetricsRegistry, Sample } from "../common/metrics.js";
import { clockTime, formatBitRate, formatBytes, formatDuration, formatRate } from "../common/format.js";
import type { CountTotals, Traffic } from "./counter.js";
import { etherTypeHex, etherTypeName, ipProtocolName } from "./names.js";

/** One key's traffic: totals since start, and what the last interval added. */
export interface Row {
  interface: string;
  total: Traffic;
  delta: Traffic;
  packetsPerSecond: number;
  bytesPerSecond: number;
}
export interface EtherTypeRow extends Row {
  etherType: number;
}
export interface IpProtocolRow extends Row {
  ipVersion: number;
  protocol: number;
}

export interface Interval {
  /** Wall-clock time of the reading. */
  time: Date;
  /** Seconds since counting started. */
  elapsedSeconds: number;
  /** Length of this interval in seconds (as measured, not as asked). */
  seconds: number;
  /** Every key seen so far, busiest (by total packets) first. */
  etherTypes: EtherTypeRow[];
  ipProtocols: IpProtocolRow[];
  /** All frames, all interfaces. */
  total: Traffic;
  delta: Traffic;
  packetsPerSecond: number;
  bytesPerSecond: number;
}

const ZERO: Traffic = { packets: 0n, bytes: 0n };

function sum(rows: readonly { total: Traffic; delta: Traffic }[]): { total: Traffic; delta: Traffic } {
  let tp = 0n,
    tb = 0n,
    dp = 0n,
    db = 0n;
  for (const r of rows) {
    tp += r.total.packets;
    tb += r.total.bytes;
    dp += r.delta.packets;
    db += r.delta.bytes;
  }
  return { total: { packets: tp, bytes: tb }, delta: { packets: dp, bytes: db } };
}

function rate(count: bigint, seconds: number): number {
  return seconds > 0 ? Number(count) / seconds : 0;
}

function byTotalPackets(a: Row, b: Row): number {
  return a.total.packets === b.total.packets
    ? a.total.bytes < b.total.bytes
      ? 1
      : a.total.bytes > b.total.bytes
        ? -1
        : 0
    : a.total.packets < b.total.packets
      ? 1
      : -1;
}

/** Turns successive totals into intervals. */
export class CountTracker {
  readonly #names = new Map<number, string>();
  #previous = new Map<string, Traffic>();
  readonly startedAt = performance.now();

  constructor(readonly interfaces: readonly InterfaceTarget[]) {
    for (const t of interfaces) this.#names.set(t.ifindex, t.name);
  }

  interfaceName(ifindex: number): string {
    return this.#names.get(ifindex) ?? `ifindex ${ifindex}`;
  }

  /** The interval ending now, `seconds` long, given the current totals. */
  next(totals: CountTotals, seconds: number): Interval {
    const seen = new Map<string, Traffic>();
    const row = <T extends object>(key: string, ifindex: number, traffic: Traffic, extra: T): Row & T => {
      const before = this.#previous.get(key) ?? ZERO;
      seen.set(key, traffic);
      // Counters only grow; a smaller value would mean the map was reset, so count from zero.
      const delta =
        traffic.packets >= before.packets
          ? { packets: traffic.packets - before.packets, bytes: traffic.bytes - before.bytes }
          : traffic;
      return {
        interface: this.interfaceName(ifindex),
        total: { packets: traffic.packets, bytes: traffic.bytes },
        delta,
        packetsPerSecond: rate(delta.packets, seconds),
        bytesPerSecond: rate(delta.bytes, seconds),
        ...extra,
      };
    };
    const etherTypes = totals.etherTypes
      .map((e) => row(`e/${e.ifindex}/${e.etherType}`, e.ifindex, e, { etherType: e.etherType }))
      .sort(byTotalPackets);
    const ipProtocols = totals.ipProtocols
      .map((p) =>
        row(`p/${p.ifindex}/${p.ipVersion}/${p.protocol}`, p.ifindex, p, {
          ipVersion: p.ipVersion,
          protocol: p.protocol,
        }),
      )
      .sort(byTotalPackets);
    this.#previous = seen;
    const all = sum(etherTypes);
    return {
      time: new Date(),
      elapsedSeconds: (performance.now() - this.startedAt) / 1000,
      seconds,
      etherTypes,
      ipProtocols,
      total: all.total,
      delta: all.delta,
      packetsPerSecond: rate(all.delta.packets, seconds),
      bytesPerSecond: rate(all.delta.bytes, seconds),
    };
  }
}

// ---- NDJSON ---------------------------------------------------------------------------------------

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** `{"type":"interval", …}`: only the keys that saw traffic in this interval. */
export function intervalRecord(interval: Interval): { type: "interval" } & Record<string, unknown> {
  const rates = (r: Row): object => ({
    packets: r.delta.packets,
    bytes: r.delta.bytes,
    packets_per_s: round3(r.packetsPerSecond),
    bytes_per_s: round3(r.bytesPerSecond),
  });
  return {
    type: "interval",
    time: interval.time.toISOString(),
    elapsed_s: round3(interval.elapsedSeconds),
    interval_s: round3(interval.seconds),
    packets: interval.delta.packets,
    bytes: interval.delta.bytes,
    packets_per_s: round3(interval.packetsPerSecond),
    bytes_per_s: round3(interval.bytesPerSecond),
    ether_types: interval.etherTypes
      .filter((r) => r.delta.packets > 0n)
      .map((r) => ({
        interface: r.interface,
        ether_type: r.etherType,
        ether_type_hex: etherTypeHex(r.etherType),
        name: etherTypeName(r.etherType),
        ...rates(r),
      })),
    ip_protocols: interval.ipProtocols
      .filter((r) => r.delta.packets > 0n)
      .map((r) => ({
        interface: r.interface,
        ip_version: r.ipVersion,
        protocol: r.protocol,
        name: ipProtocolName(r.protocol),
        ...rates(r),
      })),
  };
}

/** `{"type":"summary", …}`: totals since the start, every key. */
export function summaryRecord(
  last: Interval,
  stop: string,
  intervals: number,
): { type: "summary" } & Record<string, unknown> {
  return {
    type: "summary",
    time: last.time.toISOString(),
    duration_s: round3(last.elapsedSeconds),
    stopped_by: stop,
    intervals,
    packets: last.total.packets,
    bytes: last.total.bytes,
    ether_types: last.etherTypes.map((r) => ({
      interface: r.interface,
      ether_type: r.etherType,
      ether_type_hex: etherTypeHex(r.etherType),
      name: etherTypeName(r.etherType),
      packets: r.total.packets,
      bytes: r.total.bytes,
    })),
    ip_protocols: last.ipProtocols.map((r) => ({
      interface: r.interface,
      ip_version: r.ipVersion,
      protocol: r.protocol,
      name: ipProtocolName(r.protocol),
      packets: r.total.packets,
      bytes: r.total.bytes,
    })),
  };
}

// ---- human tables ---------------------------------------------------------------------------------

function etherLabel(type: number): string {
  const name = etherTypeName(type);
  return name.startsWith("0x") ? name : `${name} (${etherTypeHex(type)})`;
}

function protocolLabel(protocol: number): string {
  const name = ipProtocolName(protocol);
  return name === String(protocol) ? name : `${name} (${protocol})`;
}

// Minimum column widths (the header padded), so that a live table does not jump sideways
// each time a value gains or loses a digit.
const right = (header: string, width: number): string => header.padStart(width);

/** Columns: [IF], KEY…, PACKETS, BYTES (totals), PKT/S, BIT/S (last interval). */
function trafficColumns<R extends Row>(keys: Column<R>[], showInterface: boolean, rates: boolean): Column<R>[] {
  return [
    ...(showInterface ? [{ header: "IF", value: (r: R) => r.interface, align: "left" as const }] : []),
    ...keys,
    { header: right("PACKETS", 9), value: (r) => r.total.packets, align: "right" },
    { header: right("BYTES", 9), value: (r) => formatBytes(r.total.bytes), align: "right" },
    ...(rates
      ? [
          { header: right("PKT/S", 7), value: (r: R) => formatRate(r.packetsPerSecond), align: "right" as const },
          { header: right("BIT/S", 12), value: (r: R) => formatBitRate(r.bytesPerSecond), align: "right" as const },
        ]
      : []),
  ];
}

/** The tables for one interval (rates) or for the summary (totals only). */
export function tableLines(interval: Interval, options: { showInterface: boolean; rates: boolean }): string[] {
  const { showInterface, rates } = options;
  const lines: string[] = [];
  lines.push(
    ...renderTable(
      trafficColumns<EtherTypeRow>(
        [{ header: "ETHERTYPE".padEnd(14), value: (r) => etherLabel(r.etherType), align: "left" }],
        showInterface,
        rates,
      ),
      interval.etherTypes,
    ),
  );
  if (interval.etherTypes.length === 0) lines.push(rates ? "(no packets yet)" : "(no packets)");
  if (interval.ipProtocols.length > 0) {
    lines.push("");
    lines.push(
      ...renderTable(
        trafficColumns<IpProtocolRow>(
          [
            { header: "IP", value: (r) => `v${r.ipVersion}`, align: "left" },
            { header: "PROTOCOL".padEnd(10), value: (r) => protocolLabel(r.protocol), align: "left" },
          ],
          showInterface,
          rates,
        ),
        interval.ipProtocols,
      ),
    );
  }
  return lines;
}

/** A live frame: a header line, the totals line, the tables. */
export function frameLines(interval: Interval, context: { where: string; intervalSeconds: number }): string[] {
  const showInterface = new Set(interval.etherTypes.map((r) => r.interface)).size > 1 || context.where.includes(",");
  return [
    `tsbpf count on ${context.where} — every ${context.intervalSeconds} s — ${clockTime(interval.time)} (${formatDuration(interval.elapsedSeconds)})`,
    `total ${interval.total.packets} packets, ${formatBytes(interval.total.bytes)}; last interval ${formatRate(interval.packetsPerSecond)} pkt/s, ${formatBitRate(interval.bytesPerSecond)}`,
    "",
    ...tableLines(interval, { showInterface, rates: true }),
  ];
}

// ---- Prometheus -----------------------------------------------------------------------------------

/**
 * The count tool's metric families, read from `read()` at scrape time (one read serves every
 * family of a scrape). Labels: interface name, EtherType as 4 hex digits, IP version and
 * protocol number, each with its name; nothing with unbounded cardinality.
 */
export function registerCountMetrics(
  registry: MetricsRegistry,
  read: () => CountTotals,
  interfaces: readonly InterfaceTarget[],
  startTime: Date,
): void {
  const names = new Map(interfaces.map((t) => [t.ifindex, t.name]));
  const ifname = (ifindex: number): string => names.get(ifindex) ?? `ifindex${ifindex}`;
  let cached: { at: number; totals: CountTotals } | undefined;
  const totals = (): CountTotals => {
    const now = performance.now();
    if (!cached || now - cached.at > 250) cached = { at: now, totals: read() };
    return cached.totals;
  };
  const perInterface = (field: "packets" | "bytes"): Sample[] =>
    interfaces.map((t) => {
      let value = 0n;
      for (const e of totals().etherTypes) if (e.ifindex === t.ifindex) value += e[field];
      return { labels: { interface: t.name }, value };
    });
  const ether = (field: "packets" | "bytes"): Sample[] =>
    totals().etherTypes.map((e) => ({
      labels: { interface: ifname(e.ifindex), ether_type: etherTypeHex(e.etherType), name: etherTypeName(e.etherType) },
      value: e[field],
    }));
  const ip = (field: "packets" | "bytes"): Sample[] =>
    totals().ipProtocols.map((p) => ({
      labels: {
        interface: ifname(p.ifindex),
        ip_version: String(p.ipVersion),
        protocol: String(p.protocol),
        name: ipProtocolName(p.protocol),
      },
      value: p[field],
    }));
  registry
    .counter("tsbpf_count_packets_total", "Frames received (XDP ingress), by interface.", () => perInterface("packets"))
    .counter("tsbpf_count_bytes_total", "Bytes of the frames received (Ethernet header included), by interface.", () =>
      perInterface("bytes"),
    )
    .counter("tsbpf_count_ether_type_packets_total", "Frames received, by interface and outer EtherType.", () =>
      ether("packets"),
    )
    .counter("tsbpf_count_ether_type_bytes_total", "Bytes received, by interface and outer EtherType.", () =>
      ether("bytes"),
    )
    .counter(
      "tsbpf_count_ip_protocol_packets_total",
      "IPv4/IPv6 frames received (also VLAN-tagged), by interface, IP version and protocol.",
      () => ip("packets"),
    )
    .counter(
      "tsbpf_count_ip_protocol_bytes_total",
      "Bytes of IPv4/IPv6 frames received, by interface, IP version and protocol.",
      () => ip("bytes"),
    )
    .gauge("tsbpf_count_start_time_seconds", "When counting started, in seconds since the Unix epoch.", () => [
      { value: startTime.getTime() / 1000 },
    ]);
}
