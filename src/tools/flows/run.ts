// Running `tsbpf flows` (also callable without the CLI: runFlows(options, io, signal)).
// Two modes: one line (or NDJSON record) per packet, from the kernel's ring buffer; or --top, a
// table of the busiest flows every interval, from FlowTracker (counted in the kernel).
import type { CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import { RingBuffer } from "../../events/ringbuf.js";
import type { RingRecord } from "../../events/record.js";
import { describeStop, summaryHead, ToolRuntime } from "../common/lifecycle.js";
import { streamLines } from "../common/stream.js";
import { LiveView, type LiveOutput } from "../common/live-view.js";
import { MetricsRegistry, MetricsServer, type ListenAddress } from "../common/metrics.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { selectInterfaces, type InterfaceTarget } from "../common/interfaces.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { clockTime, formatBytes, formatDuration } from "../common/format.js";
import { DIRECTIONS, type Direction } from "./flow.js";
import { FlowProbe, type ProbeAttachment, type TotalRow } from "./probe.js";
import { FlowTracker, type FlowSnapshot } from "./tracker.js";
import {
  flowTotalsJson,
  flowTotalsTable,
  intervalRecord,
  PacketFormatter,
  registerFlowsMetrics,
  topFrameLines,
  totalLines,
  totalsJson,
  totalsTable,
} from "./report.js";

export interface FlowsOptions {
  /** -i values (names, indexes, comma lists, "any"); default: the default route's interface. */
  interfaces?: readonly string[];
  /** --top: a table of flows every interval instead of one line per packet. */
  top?: boolean;
  /** --top: seconds between tables. */
  intervalSeconds: number;
  /** --top: rows per table (and in the summary). */
  limit: number;
  /** Stop after this many packets (per-packet mode) or intervals (--top). */
  count?: number;
  json?: boolean;
  listen?: ListenAddress;
  directions?: readonly Direction[];
  xdpMode?: XdpMode;
  /** Where the live view draws (a terminal gets in-place redraws); default: io.stdout as plain lines. */
  out?: LiveOutput;
}

const TOOL = "tsbpf flows";

function describeAttachments(attachments: readonly ProbeAttachment[]): Record<string, unknown>[] {
  return attachments.map((a) => ({
    interface: a.target.name,
    ifindex: a.target.ifindex,
    direction: a.direction,
    attachment: a.description,
    link: a.link,
  }));
}

/**
 * Watches until `count` packets / intervals passed, a signal (SIGINT, SIGTERM, SIGHUP) arrives or
 * `signal` aborts; then detaches, prints the summary and returns the exit code.
 */
export async function runFlows(options: FlowsOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  requireToolPrivileges("flows");
  const interfaces = selectInterfaces(options.interfaces);
  const runtime = new ToolRuntime({ signal });
  let exitCode = 0;
  let summaryOut: (() => void) | undefined;
  try {
    summaryOut = options.top
      ? await runTop(options, io, runtime, interfaces)
      : await runPackets(options, io, runtime, interfaces);
  } finally {
    if (!(await runtime.closeReporting(TOOL, (text) => io.stderr(text)))) exitCode = 1;
  }
  summaryOut?.();
  return exitCode;
}

interface Common {
  where: string;
  names: Map<number, string>;
  json: boolean;
  ndjson: NdjsonWriter;
  warn: (message: string) => void;
}

function common(options: FlowsOptions, io: CommandIo, interfaces: readonly InterfaceTarget[]): Common {
  return {
    where: interfaces.map((t) => t.name).join(","),
    names: new Map(interfaces.map((t) => [t.ifindex, t.name])),
    json: options.json === true,
    ndjson: new NdjsonWriter(io.stdout),
    warn: (message: string): void => io.stderr(`${TOOL}: warning: ${message}\n`),
  };
}

async function serveMetrics(
  runtime: ToolRuntime,
  io: CommandIo,
  listen: ListenAddress | undefined,
  read: () => TotalRow[],
  names: ReadonlyMap<number, string>,
  extra: (registry: MetricsRegistry) => void,
): Promise<void> {
  if (!listen) return;
  const registry = new MetricsRegistry();
  registerFlowsMetrics(registry, read, names, runtime.startTime, extra);
  const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, listen));
  io.stderr(`${TOOL}: serving Prometheus metrics on ${server.url}\n`);
}

function announce(
  c: Common,
  io: CommandIo,
  runtime: ToolRuntime,
  attachments: readonly ProbeAttachment[],
  programIds: { ingress: number; egress: number },
  extra: Record<string, unknown>,
): void {
  if (c.json) {
    c.ndjson.record({
      type: "start",
      time: runtime.startTime.toISOString(),
      ...extra,
      program_ids: programIds,
      attachments: describeAttachments(attachments),
    });
  } else {
    io.stderr(`${TOOL}: attached ${attachments.map((a) => a.description).join(", ")}; Ctrl-C to stop\n`);
  }
}

// ---- one line per packet ----------------------------------------------------------------------------

async function runPackets(
  options: FlowsOptions,
  io: CommandIo,
  runtime: ToolRuntime,
  interfaces: readonly InterfaceTarget[],
): Promise<() => void> {
  const c = common(options, io, interfaces);
  const { count } = options;
  const probe = runtime.use(
    "flows program",
    FlowProbe.attach({
      interfaces,
      mode: "packets",
      directions: options.directions ?? DIRECTIONS,
      xdpMode: options.xdpMode,
      warn: c.warn,
    }),
  );
  const ring = runtime.use(
    "ring buffer",
    new RingBuffer(probe.object.maps.packets, { dropCounter: { map: probe.object.maps.drops } }),
  );
  await serveMetrics(
    runtime,
    io,
    options.listen,
    () => probe.totals(),
    c.names,
    (registry) => {
      registry.counter(
        "tsbpf_flows_ring_drops_total",
        "Packet records lost because the ring buffer was full (the packets still count in the totals).",
        () => [{ value: probe.drops() }],
      );
    },
  );
  announce(c, io, runtime, probe.attachments, probe.programIds, { mode: "packets", count: count ?? null });

  const formatter = new PacketFormatter(c.names);
  if (!c.json) io.stdout(`${formatter.header}\n`);
  const reported = await streamLines(runtime, ring, {
    count,
    write: (text) => io.stdout(text),
    line: (r: RingRecord) => (c.json ? formatter.json(r) : formatter.line(r)),
  });

  const totals = totalLines(probe.totals(), c.names);
  const drops = probe.drops();
  const stop = runtime.stopReason;
  const elapsed = runtime.elapsedSeconds;
  return (): void => {
    if (c.json) {
      c.ndjson.record({
        ...summaryHead(elapsed, stop),
        packets_reported: reported,
        ring_drops: drops,
        totals: totalsJson(totals),
      });
      return;
    }
    io.stdout(
      [
        "",
        `summary: ${reported} packets reported on ${c.where} in ${formatDuration(elapsed)} (stopped by ${describeStop(stop)} at ${clockTime()}` +
          `${drops > 0n ? `; ${drops} lost: the ring buffer was full` : ""}); detached`,
        ...totalsTable(totals),
      ].join("\n") + "\n",
    );
  };
}

// ---- --top -------------------------------------------------------------------------------------------

async function runTop(
  options: FlowsOptions,
  io: CommandIo,
  runtime: ToolRuntime,
  interfaces: readonly InterfaceTarget[],
): Promise<() => void> {
  const c = common(options, io, interfaces);
  const { intervalSeconds, count, limit } = options;
  const tracker = runtime.use(
    "flows program",
    FlowTracker.attach({
      interfaces,
      directions: options.directions ?? DIRECTIONS,
      xdpMode: options.xdpMode,
      warn: c.warn,
    }),
  );
  await serveMetrics(
    runtime,
    io,
    options.listen,
    () => tracker.totals(),
    c.names,
    (registry) => {
      registry.gauge(
        "tsbpf_flows_table_flows",
        "Flows in the kernel's flow table (an LRU: the least recently seen make room past its size).",
        () => [{ value: tracker.flowTotals().length }],
      );
    },
  );
  announce(c, io, runtime, tracker.attachments, tracker.programIds, {
    mode: "top",
    interval_s: intervalSeconds,
    limit,
    count: count ?? null,
  });

  const view = new LiveView(options.out ?? { write: (text: string) => io.stdout(text) });
  let intervals = 0;
  let last: FlowSnapshot | undefined;
  const emit = (s: FlowSnapshot): void => {
    intervals++;
    last = s;
    if (c.json) c.ndjson.record(intervalRecord(s, runtime.elapsedSeconds));
    else
      view.render(topFrameLines(s, { where: c.where, intervalSeconds, limit, elapsedSeconds: runtime.elapsedSeconds }));
  };
  for await (const _tick of runtime.ticks(intervalSeconds * 1000, count)) emit(tracker.snapshot({ limit }));
  const stop = runtime.stopReason;
  // Stopped early (signal): report the partial interval too, so the intervals add up.
  if (!(stop?.kind === "done" && last)) emit(tracker.snapshot({ limit }));
  view.finish();

  const totals = totalLines(tracker.totals(), c.names);
  const flows = tracker.flowTotals();
  const elapsed = runtime.elapsedSeconds;
  return (): void => {
    if (c.json) {
      c.ndjson.record({
        ...summaryHead(elapsed, stop),
        intervals,
        flows_seen: flows.length,
        totals: totalsJson(totals),
        flows: flowTotalsJson(flows.slice(0, limit)),
      });
      return;
    }
    const bytes = totals.reduce((n, l) => n + l.bytes, 0n),
      packets = totals.reduce((n, l) => n + l.packets, 0n);
    io.stdout(
      [
        "",
        `summary: ${packets} packets, ${formatBytes(bytes)} on ${c.where} in ${formatDuration(elapsed)} (${intervals} intervals, ` +
          `stopped by ${describeStop(stop)} at ${clockTime()}); ${flows.length} flows; detached`,
        ...totalsTable(totals),
        "",
        `top ${Math.min(limit, flows.length)} flows by bytes:`,
        ...flowTotalsTable(flows.slice(0, limit), interfaces.length > 1),
      ].join("\n") + "\n",
    );
  };
}
