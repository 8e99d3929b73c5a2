// What `tsbpf tcp` prints: the per-process table (tcptop), one line per closed connection
// (tcplife), their NDJSON records, the summary, and the Prometheus metrics.
import { renderTable, type Column } from "../../cmdline/table.js";
import type { MetricsRegistry, Sample } from "../common/metrics.js";
import { clockTime, formatBytes, formatDuration } from "../common/format.js";
import type { ClosedConnection, TcpCounters, TcpProcessRow, TcpSnapshot, TcpTracker } from "./tracker.js";

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const kb = (bytes: number): string => String(Math.floor(bytes / 1024));

/** "12 connects, 3 accepts, 1 failures, 0 retransmits, sent 1.20 kB, received 300 B" */
export function countersText(c: TcpCounters): string {
  return (
    `${c.connects} connects, ${c.accepts} accepts, ${c.failures} failures, ${c.retransmits} retransmits, ` +
    `sent ${formatBytes(c.sent)}, received ${formatBytes(c.received)}`
  );
}

/** The frame's shorter form (fits 80 columns): "2 connects, 1 accepts, 1 failed, 0 retrans, tx 301 kB, rx 301 kB" */
function countersShort(c: TcpCounters): string {
  return `${c.connects} connects, ${c.accepts} accepts, ${c.failures} failed, ${c.retransmits} retrans, tx ${formatBytes(c.sent)}, rx ${formatBytes(c.received)}`;
}

export function countersJson(c: TcpCounters): Record<string, number> {
  return {
    connects: c.connects,
    accepts: c.accepts,
    failures: c.failures,
    retransmits: c.retransmits,
    bytes_sent: c.sent,
    bytes_received: c.received,
  };
}

// ---- tcptop --------------------------------------------------------------------------------------------

const PROCESS_COLUMNS: Column<TcpProcessRow>[] = [
  { header: "PID", value: (r) => r.pid, align: "right" },
  { header: "COMM", value: (r) => r.comm, align: "left" },
  { header: "CONN", value: (r) => r.opened, align: "right" },
  { header: "FAIL", value: (r) => r.failures, align: "right" },
  { header: "RETRANS", value: (r) => r.retransmits, align: "right" },
  { header: "TX_KB", value: (r) => kb(r.sent), align: "right" },
  { header: "RX_KB", value: (r) => kb(r.received), align: "right" },
  { header: "TX/S", value: (r) => `${formatBytes(r.sentPerSecond)}/s`, align: "right" },
  { header: "RX/S", value: (r) => `${formatBytes(r.receivedPerSecond)}/s`, align: "right" },
  { header: "TOTAL_TX", value: (r) => formatBytes(r.total.sent), align: "right" },
  { header: "TOTAL_RX", value: (r) => formatBytes(r.total.received), align: "right" },
];

/** The per-process table of one interval (or a line saying nothing happened). */
export function processTable(rows: readonly TcpProcessRow[]): string[] {
  return [...renderTable(PROCESS_COLUMNS, rows), ...(rows.length === 0 ? ["(no TCP activity in this interval)"] : [])];
}

const TOTAL_COLUMNS: Column<TcpProcessRow>[] = [
  { header: "PID", value: (r) => r.pid, align: "right" },
  { header: "COMM", value: (r) => r.comm, align: "left" },
  { header: "CONNECTS", value: (r) => r.total.connects, align: "right" },
  { header: "ACCEPTS", value: (r) => r.total.accepts, align: "right" },
  { header: "FAILURES", value: (r) => r.total.failures, align: "right" },
  { header: "RETRANSMITS", value: (r) => r.total.retransmits, align: "right" },
  { header: "BYTES_SENT", value: (r) => r.total.sent, align: "right" },
  { header: "BYTES_RECEIVED", value: (r) => r.total.received, align: "right" },
];

/** The summary's table: each process's totals since the start, exact. */
export function totalsTable(rows: readonly TcpProcessRow[]): string[] {
  return renderTable(TOTAL_COLUMNS, rows);
}

/** One frame of the live view. */
export function frameLines(
  s: TcpSnapshot,
  context: { what: string; intervalSeconds: number; limit: number; elapsedSeconds: number },
): string[] {
  return [
    `tsbpf tcp — ${context.what} — top ${context.limit} by bytes — every ${context.intervalSeconds} s — ${clockTime(s.time)} (${formatDuration(context.elapsedSeconds)})`,
    `interval: ${countersShort(s.interval)}`,
    `total:    ${countersShort(s.total)}`,
    "",
    ...processTable(s.processes),
  ];
}

export function processJson(r: TcpProcessRow): Record<string, unknown> {
  return {
    pid: r.pid,
    comm: r.comm,
    opened: r.opened,
    connects: r.connects,
    accepts: r.accepts,
    failures: r.failures,
    retransmits: r.retransmits,
    bytes_sent: r.sent,
    bytes_received: r.received,
    sent_bytes_per_s: round3(r.sentPerSecond),
    received_bytes_per_s: round3(r.receivedPerSecond),
    total: countersJson(r.total),
  };
}

/** `{"type":"interval", …}` */
export function intervalRecord(s: TcpSnapshot, elapsedSeconds: number): { type: "interval" } & Record<string, unknown> {
  return {
    type: "interval",
    time: s.time.toISOString(),
    elapsed_s: round3(elapsedSeconds),
    interval_s: round3(s.seconds),
    active_processes: s.activeProcesses,
    interval: countersJson(s.interval),
    total: countersJson(s.total),
    processes: s.processes.map(processJson),
  };
}

// ---- tcplife -------------------------------------------------------------------------------------------

/** IPv6 addresses are long: the address columns are this wide at least, so lines line up. */
const ADDRESS_WIDTH = 15;

/** Header and line of --closed, fixed widths like tcplife. */
export function closedHeader(wide: boolean): string {
  const w = wide ? 39 : ADDRESS_WIDTH;
  return `${"PID".padStart(7)} ${"COMM".padEnd(15)} ${"LADDR".padEnd(w)} ${"LPORT".padStart(5)} ${"RADDR".padEnd(w)} ${"RPORT".padStart(5)} ${"TX_KB".padStart(7)} ${"RX_KB".padStart(7)} ${"MS".padStart(9)}`;
}

export function closedLine(c: ClosedConnection, wide: boolean): string {
  const w = wide ? 39 : ADDRESS_WIDTH;
  const pid = c.pid === 0 ? "-" : String(c.pid);
  const comm = c.pid === 0 ? "?" : c.comm;
  const ms = c.durationMs.toFixed(2);
  const note = c.established ? "" : "  (connect failed)";
  return (
    `${pid.padStart(7)} ${comm.padEnd(15)} ${c.saddr.padEnd(w)} ${String(c.sport).padStart(5)} ${c.daddr.padEnd(w)} ${String(c.dport).padStart(5)} ` +
    `${kb(c.txBytes).padStart(7)} ${kb(c.rxBytes).padStart(7)} ${ms.padStart(9)}${note}`
  );
}

/** `{"type":"close", …}` */
export function closedRecord(c: ClosedConnection): { type: "close" } & Record<string, unknown> {
  return {
    type: "close",
    time: c.end.toISOString(),
    start_time: c.start.toISOString(),
    pid: c.pid === 0 ? null : c.pid,
    comm: c.pid === 0 ? null : c.comm,
    ip_version: c.ipVersion,
    direction: c.direction,
    established: c.established,
    laddr: c.saddr,
    lport: c.sport,
    raddr: c.daddr,
    rport: c.dport,
    tx_bytes: c.txBytes,
    rx_bytes: c.rxBytes,
    kernel_bytes_acked: c.kernelBytesAcked,
    kernel_bytes_received: c.kernelBytesReceived,
    retransmits: c.retransmits,
    duration_s: round3(c.durationMs / 1000),
    duration_ms: Math.round(c.durationMs * 1000) / 1000,
    closed_from: c.closedFrom,
  };
}

// ---- metrics --------------------------------------------------------------------------------------------

/**
 * tsbpf_tcp_* from the kernel's totals (per IP version, all processes; never evicted), read once
 * per scrape.
 */
export function registerTcpMetrics(registry: MetricsRegistry, tracker: TcpTracker, startTime: Date): void {
  let cached: { at: number; value: ReturnType<TcpTracker["familyTotals"]> } | undefined;
  const totals = (): ReturnType<TcpTracker["familyTotals"]> => {
    const now = performance.now();
    if (!cached || now - cached.at > 250) cached = { at: now, value: tracker.familyTotals() };
    return cached.value;
  };
  const byVersion = (
    read: (c: TcpCounters & { closed: number }) => number,
    labels: Record<string, string> = {},
  ): Sample[] =>
    ([4, 6] as const).map((v) => ({ labels: { ...labels, ip_version: String(v) }, value: read(totals()[v]) }));
  registry
    .counter(
      "tsbpf_tcp_connections_opened_total",
      'TCP connections opened: connect() attempts (direction="connect") and accepted connections (direction="accept"), by IP version.',
      () => [
        ...byVersion((c) => c.connects, { direction: "connect" }),
        ...byVersion((c) => c.accepts, { direction: "accept" }),
      ],
    )
    .counter(
      "tsbpf_tcp_connect_failures_total",
      "connect() attempts that closed before being established (refused, timed out, reset), by IP version.",
      () => byVersion((c) => c.failures),
    )
    .counter(
      "tsbpf_tcp_connections_closed_total",
      "Tracked TCP connections (opened while watching) that closed, by IP version.",
      () => byVersion((c) => c.closed),
    )
    .counter("tsbpf_tcp_retransmits_total", "TCP segments retransmitted (tcp:tcp_retransmit_skb), by IP version.", () =>
      byVersion((c) => c.retransmits),
    )
    .counter(
      "tsbpf_tcp_bytes_total",
      'TCP payload bytes processes sent (direction="sent") and received (direction="received") through socket calls, by IP version.',
      () => [
        ...byVersion((c) => c.sent, { direction: "sent" }),
        ...byVersion((c) => c.received, { direction: "received" }),
      ],
    )
    .counter(
      "tsbpf_tcp_closed_records_dropped_total",
      "Closed-connection records (--closed) lost because the ring buffer was full (the counters still count them).",
      () => [{ value: tracker.drops() }],
    )
    .gauge("tsbpf_tcp_start_time_seconds", "When watching started, in seconds since the Unix epoch.", () => [
      { value: startTime.getTime() / 1000 },
    ]);
}
