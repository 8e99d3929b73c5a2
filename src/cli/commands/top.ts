// `tsbpf top`: the live monitor — packets per protocol, the busiest flows, TCP traffic per process
// and recent execs on one screen. `npm start` runs it with no arguments.
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { processIo, type CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import {
  TOOL_OPTIONS,
  TOOL_OPTIONS_USAGE,
  parseMetricsFlag,
  parseWebFlag,
  parsePositiveInt,
  parseSeconds,
} from "../../tools/common/flags.js";
import { XDP_MODES } from "../../tools/common/xdp.js";
import { runTop } from "../../tools/top/run.js";

export const name = "top";
export const summary = "the live monitor: packets per protocol, top flows, TCP traffic per process, recent execs";
export const usage = `usage: tsbpf top [-i IF]... [--interval S] [--count N] [--limit N] [--json] [--metrics ADDR:PORT] [--web [ADDR:]PORT] [--mode MODE]

One screen, refreshed in place every interval (plain frames when piped): the packets and bit rates
per protocol and the busiest flows of the interface (XDP in, TC out), the TCP connections and
bytes of each process (tracepoints), and the programs started most recently (execs). With no -i it
watches the interface of the default route, or lo when there is none. A panel whose kernel hook is
missing here says so and the others run. Ctrl-C or SIGTERM stops it with a summary; nothing stays
attached, even when it is killed.
Options:
${TOOL_OPTIONS_USAGE}
  --limit N           rows per table (default 8)
  --web [ADDR:]PORT   serve a live web dashboard of the same panels (loopback unless ADDR is given)
  --mode MODE         XDP mode: auto (default), driver, skb`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { ...TOOL_OPTIONS, mode: { type: "string" }, limit: { type: "string" }, web: { type: "string" } },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  const xdpMode = (values.mode ?? "auto") as XdpMode;
  if (!XDP_MODES.includes(xdpMode))
    throw new UsageError(`--mode must be one of ${XDP_MODES.join(", ")}, not "${values.mode}"`, usage);
  const intervalSeconds = parseSeconds(values.interval, "--interval", usage, 1);
  const limit = parsePositiveInt(values.limit, "--limit", usage) ?? 8;
  const count = parsePositiveInt(values.count, "--count", usage);
  const listen = parseMetricsFlag(values.metrics, usage);
  const web = parseWebFlag(values.web, usage);
  return runTop(
    {
      interfaces: values.interface,
      intervalSeconds,
      count,
      limit,
      json: values.json === true,
      listen,
      web,
      xdpMode,
      out: io === processIo ? process.stdout : undefined,
    },
    io,
  );
}
