// Running `tsbpf tcp` (also callable without the CLI: runTcp(options, io, signal)).
// Two modes over one TcpTracker: by default a table of processes by TCP bytes every interval
// (tcptop); with `closed`, one line (or NDJSON record) per closed connection (tcplife).
import type { CommandIo } from "../../cmdline/io.js";
import { describeStop, summaryHead, ToolRuntime } from "../common/lifecycle.js";
import { streamLines } from "../common/stream.js";
import { LiveView, type LiveOutput } from "../common/live-view.js";
import { MetricsRegistry, MetricsServer, type ListenAddress } from "../common/metrics.js";
import { NdjsonWriter, ndjsonLine } from "../common/ndjson.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { clockTime, formatDuration } from "../common/format.js";
import {
  TcpTracker,
  hookText,
  type TcpHooks,
  type ClosedConnection,
  type TcpCounters,
  type TcpProcessRow,
  type TcpSnapshot,
} from "./tracker.js";
import {
  closedHeader,
  closedLine,
  closedRecord,
  countersJson,
  countersText,
  frameLines,
  intervalRecord,
  processJson,
  registerTcpMetrics,
  totalsTable,
} from "./report.js";

export interface TcpOptions {
  /** --closed: one line per closed connection instead of the per-process table. */
  closed?: boolean;
  /** Seconds between tables (table mode). */
  intervalSeconds: number;
  /** Rows per table (and in the summary). */
  limit: number;
  /** Stop after this many tables, or (--closed) closed connections. */
  count?: number;
  json?: boolean;
  listen?: ListenAddress;
  /** Only this process / command name. */
  pid?: number;
  comm?: string;
  /** --closed: address columns wide enough for IPv6 (default: as wide as needed per line). */
  wide?: boolean;
  /** Which kernel hooks count (default "auto": the best this kernel allows). */
  hooks?: TcpHooks;
  /** Where the live view draws (a terminal gets in-place redraws); default: io.stdout as plain lines. */
  out?: LiveOutput;
}

const TOOL = "tsbpf tcp";

/**
 * Watches until `count` tables / closed connections passed, a signal (SIGINT, SIGTERM, SIGHUP)
 * arrives or `signal` aborts; then detaches, prints the summary and returns the exit code.
 */
export async function runTcp(options: TcpOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  requireToolPrivileges("tcp");
  const runtime = new ToolRuntime({ signal });
  let exitCode = 0;
  let summaryOut: (() => void) | undefined;
  try {
    const tracker = runtime.use(
      "tcp programs",
      TcpTracker.open({
        pid: options.pid,
        comm: options.comm,
        closedConnections: options.closed === true,
        hooks: options.hooks,
      }),
    );
    if (options.listen) {
      const registry = new MetricsRegistry();
      registerTcpMetrics(registry, tracker, runtime.startTime);
      const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, options.listen));
      io.stderr(`${TOOL}: serving Prometheus metrics on ${server.url}\n`);
    }
    const json = options.json === true;
    const ndjson = new NdjsonWriter(io.stdout);
    const what =
      [
        options.pid !== undefined ? `pid ${options.pid}` : undefined,
        options.comm !== undefined ? `comm ${options.comm}` : undefined,
      ]
        .filter(Boolean)
        .join(", ") || "all processes";
    if (json) {
      ndjson.record({
        type: "start",
        time: runtime.startTime.toISOString(),
        mode: options.closed ? "closed" : "top",
        interval_s: options.closed ? null : options.intervalSeconds,
        limit: options.limit,
        count: options.count ?? null,
        pid: options.pid ?? null,
        comm: options.comm ?? null,
        hooks: tracker.hooks,
        hooks_refused: tracker.refused.map((r) => ({ hooks: r.family, reason: r.reason })),
        program_ids: Object.fromEntries(
          Object.entries(tracker.programIds).map(([program, id]) => [snakeCase(program), id]),
        ),
        attached: tracker.attached.map(hookText),
        tracepoints: tracker.attached.filter((h) => h.kind === "tracepoint").map(hookText),
      });
    } else {
      io.stderr(`${TOOL}: ${hooksLine(tracker, options.hooks ?? "auto")}\n`);
      io.stderr(`${TOOL}: attached to ${tracker.attached.map(hookText).join(", ")} (${what}); Ctrl-C to stop\n`);
    }
    summaryOut = options.closed
      ? await runClosed(options, io, runtime, tracker, json, ndjson)
      : await runTop(options, io, runtime, tracker, json, ndjson, what);
  } finally {
    if (!(await runtime.closeReporting(TOOL, (text) => io.stderr(text)))) exitCode = 1;
  }
  summaryOut?.();
  return exitCode;
}

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** "hooks: fentry (fentry/fexit; auto: the best this kernel allows)", with what auto passed over and why. */
function hooksLine(tracker: TcpTracker, asked: TcpHooks): string {
  const kinds = [...new Set(tracker.attached.map((h) => h.kind))].join("/");
  const passed = tracker.refused.map((r) => `${r.family}: no ${r.missing.replace(/^the /, "")}`).join(", ");
  return asked === "auto"
    ? `hooks: ${tracker.hooks} (${kinds}; auto: the best this kernel allows${passed ? `; ${passed}` : ""})`
    : `hooks: ${tracker.hooks} (${kinds})`;
}

/** What the summary needs, read before detaching. */
function summaryData(
  tracker: TcpTracker,
  limit: number,
): { total: TcpCounters; processes: TcpProcessRow[]; seen: number; drops: number } {
  const procs = tracker.processTotals();
  const total = tracker.counters(procs);
  const rows: TcpProcessRow[] = [...procs]
    .map(([pid, e]) => ({
      pid,
      comm: e.comm,
      ...e.counters,
      opened: e.counters.connects + e.counters.accepts,
      sentPerSecond: 0,
      receivedPerSecond: 0,
      total: e.counters,
    }))
    .sort((a, b) => b.sent + b.received - (a.sent + a.received) || b.opened - a.opened || a.pid - b.pid);
  return { total, processes: rows.slice(0, limit), seen: rows.length, drops: tracker.drops() };
}

// ---- tcptop ------------------------------------------------------------------------------------------

async function runTop(
  options: TcpOptions,
  io: CommandIo,
  runtime: ToolRuntime,
  tracker: TcpTracker,
  json: boolean,
  ndjson: NdjsonWriter,
  what: string,
): Promise<() => void> {
  const { intervalSeconds, count, limit } = options;
  const view = new LiveView(options.out ?? { write: (text: string) => io.stdout(text) });
  let intervals = 0;
  let last: TcpSnapshot | undefined;
  const emit = (s: TcpSnapshot): void => {
    intervals++;
    last = s;
    if (json) ndjson.record(intervalRecord(s, runtime.elapsedSeconds));
    else view.render(frameLines(s, { what, intervalSeconds, limit, elapsedSeconds: runtime.elapsedSeconds }));
  };
  for await (const _tick of runtime.ticks(intervalSeconds * 1000, count)) {
    emit(tracker.snapshot({ limit }));
  }
  const stop = runtime.stopReason;
  // Stopped early (signal): report the partial interval too, so the intervals add up.
  if (!(stop?.kind === "done" && last)) emit(tracker.snapshot({ limit }));
  view.finish();
  return summary(io, runtime, tracker, json, ndjson, limit, { intervals });
}

function summary(
  io: CommandIo,
  runtime: ToolRuntime,
  tracker: TcpTracker,
  json: boolean,
  ndjson: NdjsonWriter,
  limit: number,
  extra: { intervals?: number; closed?: number },
): () => void {
  const data = summaryData(tracker, limit);
  const stop = runtime.stopReason;
  const elapsed = runtime.elapsedSeconds;
  return (): void => {
    if (json) {
      ndjson.record({
        ...summaryHead(elapsed, stop),
        ...(extra.intervals !== undefined ? { intervals: extra.intervals } : {}),
        ...(extra.closed !== undefined ? { closed_reported: extra.closed, ring_drops: data.drops } : {}),
        processes_seen: data.seen,
        total: countersJson(data.total),
        processes: data.processes.map(processJson),
      });
      return;
    }
    const what =
      extra.intervals !== undefined
        ? `${extra.intervals} intervals`
        : `${extra.closed} closed connections reported` +
          `${data.drops > 0 ? `, ${data.drops} lost: the ring buffer was full` : ""}`;
    io.stdout(
      [
        "",
        `summary: ${countersText(data.total)} in ${formatDuration(elapsed)} (${what}, stopped by ${describeStop(stop)} at ${clockTime()}); ` +
          `${data.seen} processes; detached`,
        ...(data.processes.length
          ? ["", `top ${data.processes.length} processes by bytes since the start:`, ...totalsTable(data.processes)]
          : []),
      ].join("\n") + "\n",
    );
  };
}

// ---- tcplife -----------------------------------------------------------------------------------------

async function runClosed(
  options: TcpOptions,
  io: CommandIo,
  runtime: ToolRuntime,
  tracker: TcpTracker,
  json: boolean,
  ndjson: NdjsonWriter,
): Promise<() => void> {
  const { count } = options;
  const wide = options.wide === true;
  if (!json) io.stdout(`${closedHeader(wide)}\n`);
  const closed = {
    consume: (callback: (c: ClosedConnection) => boolean | void, limit?: number): number => {
      const list = tracker.drainClosed(limit);
      for (const c of list) if (callback(c) === false) break;
      return list.length;
    },
    wait: (signal: AbortSignal): Promise<boolean> => tracker.waitClosed(signal),
  };
  const reported = await streamLines(runtime, closed, {
    count,
    write: (text) => io.stdout(text),
    line: (c) => (json ? ndjsonLine(closedRecord(c)) : closedLine(c, wide)),
  });
  return summary(io, runtime, tracker, json, ndjson, options.limit, { closed: reported });
}
