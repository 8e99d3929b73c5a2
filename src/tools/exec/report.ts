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
  // Built in one pass (this runs per exec): no arrays, no set of the cut indexes.
  const { args, truncatedArgs } = e;
  let line = "";
  for (let i = 0; i < args.length; i++) {
    let text = printable(args[i]!);
    if (quote) text = quoted(text);
    if (truncatedArgs.length > 0 && truncatedArgs.includes(i)) text += TRUNCATION_MARKER;
    line = i === 0 ? text : `${line} ${text}`;
  }
  if (e.moreArgs) line = args.length === 0 ? TRUNCATION_MARKER : `${line} ${TRUNCATION_MARKER}`;
  return line;
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

/** Characters JSON.stringify escapes in a string (lone surrogates included): rare, so they take its path. */
// eslint-disable-next-line no-control-regex
const NEEDS_JSON_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

/** `text` as a JSON string, as JSON.stringify writes it. */
function jsonString(text: string): string {
  return NEEDS_JSON_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** An array of strings, as JSON.stringify writes it. */
function jsonStrings(texts: readonly string[]): string {
  if (texts.length === 0) return "[]";
  let out = "[";
  for (let i = 0; i < texts.length; i++) out += i === 0 ? jsonString(texts[i]!) : `,${jsonString(texts[i]!)}`;
  return `${out}]`;
}

/** Latest ISO 8601 day-hour-minute prefix ("2026-12-07T23:36:") and the ms its minute starts at. */
let minuteStartMs = Number.NaN;
let minutePrefix = "";
/** toISOString() of the years it writes with four digits (0000–9999); beyond, its own result. */
const LAST_FOUR_DIGIT_MS = 253402300800000;

/** Date.toISOString() of `ms`: the minute's prefix is kept, so an exec costs only its seconds. */
function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_MS)) return new Date(ms).toISOString();
  if (!(ms >= minuteStartMs && ms < minuteStartMs + 60_000)) {
    minuteStartMs = ms - (ms % 60_000);
    minutePrefix = new Date(minuteStartMs).toISOString().slice(0, 17);
  }
  const within = ms - minuteStartMs;
  const seconds = Math.floor(within / 1000);
  const millis = within % 1000;
  return `${minutePrefix}${seconds < 10 ? "0" : ""}${seconds}.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

/**
 * The `exec` NDJSON record as a line: exactly JSON.stringify(eventRecord(e, startNs)), written
 * directly (no record object, no generic serializer: this runs per exec).
 */
export function eventJson(e: ExecEvent, startNs: bigint): string {
  return (
    `{"type":"exec","time":"${isoTime(e.time.getTime())}",` +
    `"elapsed_s":${Math.round(Number(e.timestampNs - startNs) / 1e6) / 1000},` +
    `"pid":${e.pid},"tid":${e.tid},"ppid":${e.ppid},"uid":${e.uid},"comm":${jsonString(e.comm)},` +
    `"ret":${e.ret},"errno":${e.ret < 0 ? jsonString(errnoName(e.ret)) : "null"},` +
    `"filename":${jsonString(e.filename)},"filename_truncated":${e.filenameTruncated},` +
    `"args":${jsonStrings(e.args)},"truncated_args":${e.truncatedArgs.length === 0 ? "[]" : JSON.stringify(e.truncatedArgs)},` +
    `"args_truncated":${e.moreArgs},"incomplete":${e.incomplete},"command":${jsonString(commandLine(e))}}`
  );
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
