// Running `tsbpf count` (also callable without the CLI: runCount(options, io, signal)).
import type { CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import { describeStop, ToolRuntime } from "../common/lifecycle.js";
import { LiveView, type LiveOutput } from "../common/live-view.js";
import { MetricsRegistry, MetricsServer, type ListenAddress } from "../common/metrics.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { selectInterfaces } from "../common/interfaces.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { clockTime, formatBytes, formatDuration } from "../common/format.js";
import { PacketCounter } from "./counter.js";
import {
  CountTracker,
  frameLines,
  intervalRecord,
  registerCountMetrics,
  summaryRecord,
  tableLines,
  type Interval,
} from "./report.js";

export interface CountOptions {
  /** -i values (names, indexes, comma lists, "any"); default: the default route's interface. */
  interfaces?: readonly string[];
  intervalSeconds: number;
  /** Stop after this many intervals. */
  count?: number;
  json?: boolean;
  /** Serve /metrics here. */
  listen?: ListenAddress;
  mode?: XdpMode;
  /** Where the live view draws (a terminal gets in-place redraws); default: io.stdout as plain lines. */
  out?: LiveOutput;
}

/**
 * Counts until `count` intervals passed, a signal (SIGINT, SIGTERM, SIGHUP) arrives or `signal`
 * aborts; then detaches, prints the summary and returns the exit code.
 */
export async function runCount(options: CountOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  const { intervalSeconds, count, listen } = options;
  const mode = options.mode ?? "auto";
  requireToolPrivileges("count");
  const interfaces = selectInterfaces(options.interfaces);
  const json = options.json === true;
  const ndjson = new NdjsonWriter(io.stdout);
  const warn = (message: string): void => io.stderr(`tsbpf count: warning: ${message}\n`);

  const runtime = new ToolRuntime({ signal });
  let exitCode = 0;
  let summaryOut: (() => void) | undefined;
  try {
    const counter = runtime.use("count program", PacketCounter.attach({ interfaces, mode, warn }));
    const where = interfaces.map((t) => t.name).join(",");
    if (listen) {
      const registry = new MetricsRegistry();
      registerCountMetrics(registry, () => counter.read(), interfaces, runtime.startTime);
      const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, listen));
      io.stderr(`tsbpf count: serving Prometheus metrics on ${server.url}\n`);
    }
    if (json) {
      ndjson.record({
        type: "start",
        time: runtime.startTime.toISOString(),
        interval_s: intervalSeconds,
        count: count ?? null,
        program_id: counter.programId,
        program_origin: counter.origin,
        interfaces: counter.interfaces.map((a) => ({
          name: a.target.name,
          ifindex: a.target.ifindex,
          attachment: a.description,
          link: a.link,
        })),
      });
    } else {
      io.stderr(`tsbpf count: attached ${counter.interfaces.map((a) => a.description).join(", ")}; Ctrl-C to stop\n`);
    }

    const out: LiveOutput = options.out ?? { write: (text: string) => io.stdout(text) };
    const view = new LiveView(out);
    const tracker = new CountTracker(interfaces);
    let intervals = 0;
    let last: Interval | undefined;
    let lastTick = performance.now();
    const emit = (interval: Interval): void => {
      intervals++;
      last = interval;
      if (json) ndjson.record(intervalRecord(interval));
      else view.render(frameLines(interval, { where, intervalSeconds }));
    };
    for await (const tick of runtime.ticks(intervalSeconds * 1000, count)) {
      lastTick = performance.now();
      emit(tracker.next(counter.read(), tick.seconds));
    }
    // Stopped early (signal): report the partial interval too, so the intervals add up to the summary.
    const stop = runtime.stopReason;
    const final =
      stop?.kind === "done" && last ? last : tracker.next(counter.read(), (performance.now() - lastTick) / 1000);
    if (final !== last) emit(final);
    view.finish();
    // The summary is printed once everything is detached (below), so that it also says so.
    summaryOut = (): void => {
      if (json) {
        ndjson.record(summaryRecord(final, describeStop(stop), intervals));
        return;
      }
      const lines = [
        "",
        `summary: ${final.total.packets} packets, ${formatBytes(final.total.bytes)} on ${where} in ${formatDuration(final.elapsedSeconds)} ` +
          `(${intervals} intervals, stopped by ${describeStop(stop)} at ${clockTime(final.time)}); detached`,
        ...tableLines(final, { showInterface: interfaces.length > 1, rates: false }),
      ];
      io.stdout(`${lines.join("\n")}\n`);
    };
  } finally {
    if (!(await runtime.closeReporting("tsbpf count", (text) => io.stderr(text)))) exitCode = 1;
  }
  summaryOut?.();
  return exitCode;
}
