// Running `tsbpf top`, the live monitor: one screen over an interface (the default route's, or
// `lo` when there is none) with packets per protocol, the busiest flows, TCP traffic per process
// and recent execs, refreshed every interval. Each panel is its own kernel source; one that cannot
// start here is shown as unavailable with the reason while the others run.
import { hostname } from "node:os";
import type { CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import { clockTime, formatDuration } from "../common/format.js";
import { selectInterfaces, type InterfaceTarget } from "../common/interfaces.js";
import { describeStop, ToolRuntime } from "../common/lifecycle.js";
import { LiveView, type LiveOutput } from "../common/live-view.js";
import { MetricsRegistry, MetricsServer, type ListenAddress } from "../common/metrics.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { FlowTracker } from "../flows/tracker.js";
import { NetworkPanel } from "./network.js";
import { openPanels, UnavailablePanel } from "./panel.js";
import type { WebDashboard } from "../web/dashboard.js";
import { openTcpPanel } from "./tcp.js";
import { openExecPanel } from "./exec.js";

export interface TopOptions {
  /** -i values; default: the default route's interface, or lo. */
  interfaces?: readonly string[];
  intervalSeconds: number;
  /** Stop after this many intervals. */
  count?: number;
  /** Rows per table (flows, processes, execs). */
  limit: number;
  json?: boolean;
  listen?: ListenAddress;
  /** Serve the web dashboard here (--web). */
  web?: ListenAddress;
  xdpMode?: XdpMode;
  out?: LiveOutput;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export async function runTop(options: TopOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  const { intervalSeconds, count, listen, limit } = options;
  requireToolPrivileges("top");
  const interfaces: InterfaceTarget[] = selectInterfaces(options.interfaces);
  const json = options.json === true;
  const ndjson = new NdjsonWriter(io.stdout);
  const warn = (message: string): void => io.stderr(`tsbpf top: warning: ${message}\n`);
  const where = interfaces.map((t) => t.name).join(",");

  const runtime = new ToolRuntime({ signal });
  let exitCode = 0;
  let summaryOut: (() => void) | undefined;
  try {
    const panels = openPanels(
      [
        {
          key: "network",
          title: `Network on ${where}`,
          open: () =>
            new NetworkPanel(FlowTracker.attach({ interfaces, xdpMode: options.xdpMode, warn }), {
              flowLimit: limit,
              startTime: runtime.startTime,
            }),
        },
        { key: "tcp", title: "TCP by process", open: () => openTcpPanel({ startTime: runtime.startTime }) },
        {
          key: "execs",
          title: "Recent execs",
          open: () => openExecPanel({ startTime: runtime.startTime, keep: limit }),
        },
      ],
      warn,
    );
    for (const panel of panels) runtime.use(panel.title, panel);
    if (panels.every((p) => p instanceof UnavailablePanel)) {
      io.stderr("tsbpf top: no panel could start (see the warnings above)\n");
      exitCode = 1;
      return exitCode;
    }

    if (listen) {
      const registry = new MetricsRegistry();
      for (const panel of panels) panel.registerMetrics(registry);
      const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, listen));
      io.stderr(`tsbpf top: serving Prometheus metrics on ${server.url}\n`);
    }
    let dashboard: WebDashboard | undefined;
    if (options.web) {
      const { WebDashboard } = await import("../web/dashboard.js");
      dashboard = runtime.use(
        "web dashboard",
        await WebDashboard.start(options.web, { title: `tsbpf top on ${hostname()} — ${where}` }),
      );
      io.stderr(`tsbpf top: serving the web dashboard on ${dashboard.url}\n`);
    }
    if (json) {
      ndjson.record({
        type: "start",
        time: runtime.startTime.toISOString(),
        interval_s: intervalSeconds,
        count: count ?? null,
        interfaces: interfaces.map((t) => ({ name: t.name, ifindex: t.ifindex })),
        panels: Object.fromEntries(
          panels.map((p) => [
            p.key,
            p instanceof UnavailablePanel
              ? { available: false, reason: p.reason }
              : { available: true, program_ids: p.programIds },
          ]),
        ),
      });
    } else {
      io.stderr(`tsbpf top: watching ${where}; Ctrl-C to stop\n`);
    }

    const out: LiveOutput = options.out ?? { write: (text: string) => io.stdout(text) };
    const view = new LiveView(out);
    const host = hostname();
    let intervals = 0;
    const heading = (now: Date): string =>
      `tsbpf top on ${host} — ${where} — every ${intervalSeconds} s — ${clockTime(now)} (up ${formatDuration(runtime.elapsedSeconds)})`;
    // On a terminal the screen is drawn as soon as the programs are attached, so that the first
    // second is not blank: each panel says when its first figures come.
    if (!json && view.tty) {
      view.render([
        heading(new Date()),
        ...panels.flatMap((p) => [
          "",
          p instanceof UnavailablePanel ? p.lines()[0]! : `${p.title}: first figures in ${intervalSeconds} s`,
        ]),
      ]);
    }
    const frame = (seconds: number): void => {
      intervals++;
      for (const panel of panels) panel.sample(seconds);
      const now = new Date();
      if (json || dashboard) {
        const record = {
          type: "interval",
          time: now.toISOString(),
          elapsed_s: round3(runtime.elapsedSeconds),
          interval_s: round3(seconds),
          ...Object.fromEntries(panels.map((p) => [p.key, p.record()])),
        };
        dashboard?.publish(record);
        if (json) {
          ndjson.record(record);
          return;
        }
      }
      const lines = [heading(now)];
      for (const panel of panels) lines.push("", ...panel.lines({ rows: limit }));
      view.render(lines);
    };
    for await (const tick of runtime.ticks(intervalSeconds * 1000, count)) frame(tick.seconds);
    view.finish();
    const stop = runtime.stopReason;
    summaryOut = (): void => {
      if (json) {
        ndjson.record({
          type: "summary",
          time: new Date().toISOString(),
          elapsed_s: round3(runtime.elapsedSeconds),
          intervals,
          stopped_by: describeStop(stop),
        });
        return;
      }
      io.stdout(
        `\nsummary: ${intervals} intervals in ${formatDuration(runtime.elapsedSeconds)}, stopped by ${describeStop(stop)}; detached\n` +
          panels.map((p) => `  ${p.summary()}\n`).join(""),
      );
    };
  } finally {
    if (!(await runtime.closeReporting("tsbpf top", (text) => io.stderr(text)))) exitCode = 1;
  }
  summaryOut?.();
  return exitCode;
}
