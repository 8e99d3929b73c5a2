// `tsbpf exec`: execsnoop — one line per exec (TIME PCOMM PID PPID UID RET ARGS), from tracepoints.
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { type CommandIo } from "../../cmdline/io.js";
import { parseMetricsFlag, parsePositiveInt } from "../../tools/common/flags.js";
import { runExec } from "../../tools/exec/run.js";

export const name = "exec";
export const summary = "execsnoop: one line per exec with its complete arguments (TIME PCOMM PID PPID UID RET ARGS)";
export const usage = `usage: tsbpf exec [-x] [--name PATTERN] [--uid N] [-t] [-q] [--count N] [--json] [--metrics ADDR:PORT]

Shows every new program as it starts (execve and execveat, from the syscalls and sched
tracepoints): TIME, PCOMM (the new program's name), PID, PPID, UID, RET (0, or -errno for a failed
exec) and ARGS, the complete argument list — up to 128 arguments of up to 4095 bytes each; a cut
argument ends in "...", and "..." after the last argument says more followed. Ctrl-C or SIGTERM
stops it with a summary; perf links leave nothing attached, even when killed.
Options:
  -x, --failed        also show failed execs (RET is then -errno, e.g. -2 for ENOENT)
  -n, --name PATTERN  only execs whose PCOMM matches PATTERN, a regular expression (a plain name
                      matches as a substring)
  -u, --uid N         only execs by real uid N (filtered in the kernel)
  -t, --timestamps    TIME as seconds since the start instead of the clock time
  -q, --quote         arguments in double quotes
  --count N           stop after N execs were shown
  --json              NDJSON: one JSON object per exec, snake_case fields (see docs/tools/exec.md)
  --metrics ADDR:PORT serve Prometheus metrics on http://ADDR:PORT/metrics; "PORT" or ":PORT"
                      listen on 127.0.0.1 only; port 0 picks a free port (printed on stderr)`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      failed: { type: "boolean", short: "x" },
      name: { type: "string", short: "n" },
      uid: { type: "string", short: "u" },
      timestamps: { type: "boolean", short: "t" },
      quote: { type: "boolean", short: "q" },
      count: { type: "string" },
      metrics: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  const count = parsePositiveInt(values.count, "--count", usage);
  let uid: number | undefined;
  if (values.uid !== undefined) {
    if (!/^\d+$/.test(values.uid) || Number(values.uid) > 0xffff_fffe)
      throw new UsageError(`--uid wants a numeric user id, not "${values.uid}"`, usage);
    uid = Number(values.uid);
  }
  if (values.name === "") throw new UsageError("--name wants a non-empty pattern", usage);
  const listen = parseMetricsFlag(values.metrics, usage);
  return runExec(
    {
      failed: values.failed === true,
      name: values.name,
      uid,
      timestamps: values.timestamps === true,
      quote: values.quote === true,
      count,
      json: values.json === true,
      listen,
    },
    io,
  );
}
