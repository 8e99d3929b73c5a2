// `tsbpf agent`: the monitor's collectors in one long-running, headless process — packets per
// protocol and the busiest flows (one XDP + TC program pair serves both), TCP by process and execs
// — with one /metrics endpoint and NDJSON records to stdout or a size-rotated file. The same
// panels as `tsbpf top` (tools/top/panel.ts), so the agent and the screen never disagree.
//
// SIGHUP re-reads the configuration: a valid one replaces the running collectors, endpoint and
// output (the kernel programs are detached and attached again); an invalid one is reported and the
// running configuration stays. SIGINT/SIGTERM stop it; SIGKILL leaves nothing attached (links are
// file descriptors the kernel releases with the process).
import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import type { CommandIo } from "../../cmdline/io.js";
import { TsbpfError } from "../../errors.js";
import { selectInterfaces } from "../common/interfaces.js";
import { describeStop, ToolRuntime, type StopReason } from "../common/lifecycle.js";
import { MetricsRegistry, MetricsServer } from "../common/metrics.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { FlowTracker } from "../flows/tracker.js";
import { openExecPanel } from "../top/exec.js";
import { NetworkPanel } from "../top/network.js";
import { openPanels, UnavailablePanel, type PanelSpec } from "../top/panel.js";
import { openTcpPanel } from "../top/tcp.js";
import { AgentConfigError, agentConfigFrom, parseAgentConfig, type AgentConfig } from "./config.js";
import { RotatingFile } from "./rotating-file.js";
import type { WebDashboard } from "../web/dashboard.js";

/** Configuration files are small; a bigger one is a mistake (a log file given by accident). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface AgentOptions {
  /** The configuration file (JSON or YAML); none: every collector with the defaults. */
  configPath?: string;
  /** Stop after this many intervals (all generations together). */
  count?: number;
}

const RELOAD = "reload";

/** Why a generation ended: a reload, the agent's own stop (a signal) passed down, or its count. */
function stoppedBy(reason: StopReason | undefined): string {
  if (reason?.kind !== "aborted") return describeStop(reason);
  const outer = reason.reason;
  if (outer === RELOAD) return RELOAD;
  return typeof outer === "object" && outer !== null && "kind" in outer
    ? describeStop(outer as StopReason)
    : describeStop(reason);
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export async function loadAgentConfig(path: string | undefined): Promise<AgentConfig> {
  if (path === undefined) return agentConfigFrom({}, "defaults");
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_CONFIG_BYTES)
      throw new AgentConfigError(
        `${path}: ${bytes.length} bytes is not a configuration file (limit ${MAX_CONFIG_BYTES})`,
      );
    text = bytes.toString("utf8");
  } catch (err) {
    if (err instanceof TsbpfError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new AgentConfigError(`${path}: cannot read the configuration file (${code})`);
  }
  return parseAgentConfig(text, path);
}

interface Counters {
  intervals: number;
  reloads: number;
  failedReloads: number;
  records: number;
}

export async function runAgent(options: AgentOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  let config = await loadAgentConfig(options.configPath);
  requireToolPrivileges("agent");
  const outer = new ToolRuntime({ signal, signals: ["SIGINT", "SIGTERM"] });
  const counters: Counters = { intervals: 0, reloads: 0, failedReloads: 0, records: 0 };
  let generation: AbortController | undefined;
  let reloadAsked = false;
  const onHangup = (): void => {
    reloadAsked = true;
    generation?.abort(RELOAD);
  };
  process.on("SIGHUP", onHangup);
  let exitCode = 0;
  try {
    for (;;) {
      generation = new AbortController();
      exitCode = await runGeneration(config, options, counters, io, AbortSignal.any([outer.signal, generation.signal]));
      if (exitCode !== 0 || outer.stopped || !reloadAsked) break;
      if (options.count !== undefined && counters.intervals >= options.count) break;
      reloadAsked = false;
      try {
        config = await loadAgentConfig(options.configPath);
        counters.reloads++;
        io.stderr(`tsbpf agent: reloaded ${options.configPath ?? "the defaults"}\n`);
      } catch (err) {
        if (!(err instanceof AgentConfigError)) throw err;
        counters.failedReloads++;
        io.stderr(`tsbpf agent: reload refused, the running configuration stays: ${err.message}\n`);
      }
    }
  } finally {
    process.off("SIGHUP", onHangup);
    if (!(await outer.closeReporting("tsbpf agent", (text) => io.stderr(text)))) exitCode = 1;
  }
  return exitCode;
}

/** One configuration's run: collectors, endpoint and output opened, sampled, closed. */
async function runGeneration(
  config: AgentConfig,
  options: AgentOptions,
  counters: Counters,
  io: CommandIo,
  signal: AbortSignal,
): Promise<number> {
  const runtime = new ToolRuntime({ signal, handleSignals: false });
  const warn = (message: string): void => io.stderr(`tsbpf agent: warning: ${message}\n`);
  let exitCode = 0;
  try {
    const { collectors } = config;
    const specs: PanelSpec[] = [];
    if (collectors.packets || collectors.flows) {
      const interfaces = selectInterfaces(config.interfaces.length ? config.interfaces : undefined);
      specs.push({
        key: "network",
        title: `Network on ${interfaces.map((t) => t.name).join(",")}`,
        open: () =>
          new NetworkPanel(FlowTracker.attach({ interfaces, warn }), {
            flowLimit: collectors.flows?.top ?? 0,
            startTime: runtime.startTime,
          }),
      });
    }
    if (collectors.tcp)
      specs.push({ key: "tcp", title: "TCP by process", open: () => openTcpPanel({ startTime: runtime.startTime }) });
    if (collectors.exec) {
      const { keep, scope } = collectors.exec;
      // The namespace is the agent's own: the one it was started in (nsenter, a container).
      const netnsInode = scope === "netns" ? statSync("/proc/self/ns/net").ino : undefined;
      specs.push({
        key: "execs",
        title: "Execs",
        open: () => openExecPanel({ startTime: runtime.startTime, keep, netnsInode }),
      });
    }
    const panels = openPanels(specs, warn);
    for (const panel of panels) runtime.use(panel.title, panel);
    if (panels.every((p) => p instanceof UnavailablePanel)) {
      io.stderr("tsbpf agent: no collector could start (see the warnings above)\n");
      return (exitCode = 1);
    }

    let write: (text: string) => void = () => {};
    const { events } = config;
    if (events.kind === "stdout") write = (text) => io.stdout(text);
    else if (events.kind === "file") {
      const file = runtime.use("events file", new RotatingFile(events.path, events.maxBytes, events.keep));
      write = (text) => file.write(text);
    }
    const ndjson = new NdjsonWriter((text) => {
      counters.records++;
      write(text);
    });

    if (config.metrics) {
      const registry = new MetricsRegistry();
      for (const panel of panels) panel.registerMetrics(registry);
      registry
        .gauge("tsbpf_agent_info", "The agent: host name and the collectors running (value 1).", () => [
          {
            labels: {
              host: hostname(),
              collectors: panels
                .filter((p) => !(p instanceof UnavailablePanel))
                .map((p) => p.key)
                .join(","),
            },
            value: 1,
          },
        ])
        .counter("tsbpf_agent_reloads_total", "Configuration reloads (SIGHUP), by result.", () => [
          { labels: { result: "applied" }, value: counters.reloads },
          { labels: { result: "refused" }, value: counters.failedReloads },
        ])
        .counter("tsbpf_agent_records_total", "NDJSON records written.", () => [{ value: counters.records }]);
      const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, config.metrics));
      io.stderr(`tsbpf agent: serving Prometheus metrics on ${server.url}\n`);
    }

    let dashboard: WebDashboard | undefined;
    if (config.web) {
      const { WebDashboard } = await import("../web/dashboard.js");
      const where = panels.map((p) => p.title).join(", ");
      dashboard = runtime.use(
        "web dashboard",
        await WebDashboard.start(config.web, { title: `tsbpf agent on ${hostname()} — ${where}` }),
      );
      io.stderr(`tsbpf agent: serving the web dashboard on ${dashboard.url}\n`);
    }

    ndjson.record({
      type: "start",
      time: runtime.startTime.toISOString(),
      host: hostname(),
      interval_s: config.intervalSeconds,
      collectors: Object.fromEntries(
        panels.map((p) => [
          p.key,
          p instanceof UnavailablePanel
            ? { available: false, reason: p.reason }
            : { available: true, program_ids: p.programIds },
        ]),
      ),
    });
    const remaining = options.count === undefined ? undefined : options.count - counters.intervals;
    for await (const tick of runtime.ticks(config.intervalSeconds * 1000, remaining)) {
      counters.intervals++;
      for (const panel of panels) panel.sample(tick.seconds);
      const record = {
        type: "interval",
        time: new Date().toISOString(),
        elapsed_s: round3(runtime.elapsedSeconds),
        interval_s: round3(tick.seconds),
        ...Object.fromEntries(panels.map((p) => [p.key, p.record()])),
      };
      ndjson.record(record);
      dashboard?.publish(record);
    }
    ndjson.record({
      type: "stop",
      time: new Date().toISOString(),
      elapsed_s: round3(runtime.elapsedSeconds),
      stopped_by: stoppedBy(runtime.stopReason),
    });
  } finally {
    if (!(await runtime.closeReporting("tsbpf agent", (text) => io.stderr(text)))) exitCode = 1;
  }
  return exitCode;
}
