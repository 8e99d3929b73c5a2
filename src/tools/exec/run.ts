// Running `tsbpf exec` (also callable without the CLI: runExec(options, io, signal)): one line (or
// NDJSON record) per exec, as execsnoop prints them, until --count execs were shown, a signal
// (SIGINT, SIGTERM, SIGHUP) arrives or `signal` aborts; then a summary.
//
// Start-up is kept short (the `startup` benchmark): nothing here loads the TypeScript compiler
// or parses BTF, and the metrics server (node:http) is imported only with --metrics.
import type { CommandIo } from "../../cmdline/io.js";
import type { ListenAddress } from "../common/metrics.js";
import { describeStop, summaryHead, ToolRuntime } from "../common/lifecycle.js";
import { streamLines } from "../common/stream.js";
import { NdjsonWriter } from "../common/ndjson.js";
import { requireToolPrivileges } from "../common/privilege.js";
import { clockTime, formatDuration } from "../common/format.js";
import { MAX_ARG_BYTES, MAX_ARGS } from "./limits.js";
import { ExecCounts, eventJson, eventLine, headerLine, nameMatcher, registerExecMetrics } from "./report.js";

export interface ExecOptions {
  /** -x: also show failed execs (RET is then -errno). */
  failed?: boolean;
  /** --name: only execs whose PCOMM matches this regular expression (or contains it). */
  name?: string;
  /** --uid: only execs by this real uid (filtered in the kernel). */
  uid?: number;
  /** -t: TIME is seconds since the start instead of the clock time. */
  timestamps?: boolean;
  /** -q: arguments in double quotes. */
  quote?: boolean;
  /** Stop after this many execs were shown. */
  count?: number;
  json?: boolean;
  /** Serve /metrics here. */
  listen?: ListenAddress;
}

const TOOL = "tsbpf exec";

/**
 * How long execs gather after a wake-up before they are shown: a line appears at most this late,
 * and under a steady stream (a build, a shell loop: 1000 execs/s) one wake-up serves some 50 execs
 * instead of a few; a wake-up costs the process about as much as formatting twenty execs.
 */
const EXEC_GATHER_MS = 50;

export async function runExec(options: ExecOptions, io: CommandIo, signal?: AbortSignal): Promise<number> {
  requireToolPrivileges("exec");
  const json = options.json === true;
  const ndjson = new NdjsonWriter(io.stdout);
  const matches = options.name === undefined ? undefined : nameMatcher(options.name);
  const { count } = options;
  const runtime = new ToolRuntime({ signal });
  const counts = new ExecCounts();
  let exitCode = 0;
  let summaryOut: (() => void) | undefined;
  try {
    // Loaded here, not at start-up: `tsbpf exec --help` and bad arguments need no kernel side.
    const { ExecTracer } = await import("./tracer.js");
    const tracer = runtime.use("exec tracer", ExecTracer.open({ uid: options.uid }));
    const startNs = process.hrtime.bigint();
    if (options.listen) {
      const { MetricsRegistry, MetricsServer } = await import("../common/metrics.js");
      const registry = new MetricsRegistry();
      registerExecMetrics(registry, counts, () => tracer.drops(), runtime.startTime);
      const server = runtime.use("metrics endpoint", await MetricsServer.start(registry, options.listen));
      io.stderr(`${TOOL}: serving Prometheus metrics on ${server.url}\n`);
    }
    if (json) {
      ndjson.record({
        type: "start",
        time: runtime.startTime.toISOString(),
        failed: options.failed === true,
        name: options.name ?? null,
        uid: options.uid ?? null,
        count: count ?? null,
        max_args: MAX_ARGS,
        max_arg_bytes: MAX_ARG_BYTES,
        programs: Object.entries(tracer.programIds).map(([name, id]) => ({ name, id })),
        attachments: tracer.attachments.map((a) => ({
          program: a.program,
          program_id: a.programId,
          tracepoint: a.tracepoint,
        })),
      });
    } else {
      io.stderr(
        `${TOOL}: attached tracepoints ${tracer.attachments.map((a) => a.tracepoint).join(", ")}; Ctrl-C to stop\n`,
      );
      io.stdout(`${headerLine({ startNs: options.timestamps ? startNs : undefined })}\n`);
    }

    const lineOptions = { startNs: options.timestamps ? startNs : undefined, quote: options.quote === true };
    counts.shown = await streamLines(runtime, tracer, {
      count,
      gatherMs: EXEC_GATHER_MS,
      write: (text) => io.stdout(text),
      line: (e) => {
        counts.add(e);
        if (e.ret !== 0 && options.failed !== true) return undefined;
        if (matches && !matches(e.comm)) return undefined;
        return json ? eventJson(e, startNs) : eventLine(e, lineOptions);
      },
    });

    const drops = tracer.drops();
    const stop = runtime.stopReason;
    summaryOut = (): void => {
      const elapsed = runtime.elapsedSeconds;
      if (json) {
        ndjson.record({
          ...summaryHead(elapsed, stop),
          execs: counts.total,
          ok: counts.ok,
          failed: counts.failed,
          shown: counts.shown,
          incomplete: counts.incomplete,
          ring_drops: drops,
        });
        return;
      }
      io.stdout(
        `\nsummary: ${counts.total} execs (${counts.failed} failed), ${counts.shown} shown, in ${formatDuration(elapsed)} ` +
          `(stopped by ${describeStop(stop)} at ${clockTime()}${drops > 0 ? `; ${drops} records lost: the ring buffer was full` : ""}); detached\n`,
      );
    };
  } finally {
    if (!(await runtime.closeReporting(TOOL, (text) => io.stderr(text)))) exitCode = 1;
  }
  summaryOut?.();
  return exitCode;
}
