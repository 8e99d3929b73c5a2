// How `tsbpf exec` shows an exec: a line of the execsnoop table (TIME PCOMM PID PPID UID RET ARGS)
// or an NDJSON record; the name filter; the counts behind the summary and the metrics.
import { clockTime } from "../common/format.js";
import type { MetricsRegistry } from "../common/metrics.js";
import type { ExecEvent } from "./tracer.js";
import { errnoName } from "./limits.js";

/** What a cut argument, or a cut argument list, ends with. */
export const TRUNCATION_MARKER = "...";

/** Control characters would break the one-line-per-exec output: shown as \n, \t, \xNN. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(text)
    ? // eslint-disable-next-line no-control-regex
      text.replace(/[\x00-\x1f\x7f]/g, (c) =>
        c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
      )
    : text;
}

/** Double quotes around an argument, with \" and \\ inside (execsnoop -q). */
function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The command line as ARGS shows it: arguments separated by spaces, a cut argument followed by
 * "...", and " ..." after the last one when argv had more than the kernel side reads.
 */
export function commandLine(e: ExecEvent, quote = false): string {
  if (e.incomplete && e.args.length === 0) return "[arguments not seen]";
  const cut = new Set(e.truncatedArgs);
  const parts = e.args.map((a, i) => {
    const text = quote ? quoted(printable(a)) : printable(a);
    return cut.has(i) ? `${text}${TRUNCATION_MARKER}` : text;
  });
  if (e.moreArgs) parts.push(TRUNCATION_MARKER);
  return parts.join(" ");
}

export interface LineOptions {
  /** -t: seconds since the tool started instead of the clock time. */
  startNs?: bigint;
  quote?: boolean;
}

export function headerLine(options: LineOptions): string {
  const time = options.startNs !== undefined ? "TIME(s)" : "TIME";
  return `${time.padEnd(9)}${"PCOMM".padEnd(17)}${"PID".padEnd(8)}${"PPID".padEnd(8)}${"UID".padEnd(7)}${"RET".padStart(4)} ARGS`;
}

export function eventLine(e: ExecEvent, options: LineOptions): string {
  const time =
    options.startNs !== undefined ? (Number(e.timestampNs - options.startNs) / 1e9).toFixed(3) : clockTime(e.time);
  return (
    `${time.padEnd(9)}${printable(e.comm).padEnd(17)}${String(e.pid).padEnd(8)}${String(e.ppid).padEnd(8)}` +
    `${String(e.uid).padEnd(7)}${String(e.ret).padStart(4)} ${commandLine(e, options.quote)}`
  );
}

/** The `exec` NDJSON record (docs/tools/exec.md). */
export function eventRecord(e: ExecEvent, startNs: bigint): { type: string; [field: string]: unknown } {
  return {
    type: "exec",
    time: e.time.toISOString(),
    elapsed_s: Math.round(Number(e.timestampNs - startNs) / 1e6) / 1000,
    pid: e.pid,
    tid: e.tid,
    ppid: e.ppid,
    uid: e.uid,
    comm: e.comm,
    ret: e.ret,
    errno: e.ret < 0 ? errnoName(e.ret) : null,
    filename: e.filename,
    filename_truncated: e.filenameTruncated,
    args: e.args,
    truncated_args: e.truncatedArgs,
    args_truncated: e.moreArgs,
    incomplete: e.incomplete,
    command: commandLine(e),
  };
}

/**
 * --name: a regular expression matched against PCOMM (a plain name is a substring match); a
 * pattern that is not a valid regular expression matches as a plain substring.
 */
export function nameMatcher(pattern: string): (comm: string) => boolean {
  try {
    const re = new RegExp(pattern);
    return (comm) => re.test(comm);
  } catch {
    return (comm) => comm.includes(pattern);
  }
}

/** Execs seen (after the kernel's uid filter, before -x and --name). */
export class ExecCounts {
  ok = 0;
  failed = 0;
  incomplete = 0;
  shown = 0;
  readonly failures = new Map<string, number>();

  add(e: ExecEvent): void {
    if (e.incomplete) this.incomplete++;
    if (e.ret === 0) {
      this.ok++;
      return;
    }
    this.failed++;
    const name = errnoName(e.ret);
    this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
  }

  get total(): number {
    return this.ok + this.failed;
  }
}

export function registerExecMetrics(
  registry: MetricsRegistry,
  counts: ExecCounts,
  drops: () => number,
  startTime: Date,
): void {
  registry.counter(
    "tsbpf_exec_total",
    "Execs (execve and execveat calls) seen, by result: ok (the new program runs) or failed.",
    () => [
      { labels: { result: "ok" }, value: counts.ok },
      { labels: { result: "failed" }, value: counts.failed },
    ],
  );
  registry.counter("tsbpf_exec_failures_total", "Failed execs by errno name (ENOENT, EACCES, ...).", () =>
    [...counts.failures].map(([errno, value]) => ({ labels: { errno }, value })),
  );
  registry.counter(
    "tsbpf_exec_ring_drops_total",
    "Records lost because the ring buffer was full (an exec may then be missing or lack its arguments).",
    () => [{ value: drops() }],
  );
  registry.gauge("tsbpf_exec_start_time_seconds", "When tracing started (Unix time).", () => [
    { value: startTime.getTime() / 1000 },
  ]);
}
