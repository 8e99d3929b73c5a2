// `tsbpf count`: packets and bytes per EtherType and per IP protocol received on interfaces,
// counted by an XDP program in per-CPU maps, reported every interval.
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { processIo, type CommandIo } from "../../cmdline/io.js";
import type { XdpMode } from "../../programs/xdp.js";
import {
  TOOL_OPTIONS,
  TOOL_OPTIONS_USAGE,
  parseMetricsFlag,
  parsePositiveInt,
  parseSeconds,
} from "../../tools/common/flags.js";
import { XDP_MODES } from "../../tools/common/xdp.js";
import { runCount } from "../../tools/count/run.js";

export const name = "count";
export const summary = "count packets and bytes per EtherType and IP protocol on interfaces (XDP)";
export const usage = `usage: tsbpf count [-i IF]... [--interval S] [--count N] [--json] [--metrics ADDR:PORT] [--mode MODE]

Counts the frames each interface receives (XDP, ingress) per EtherType and per IP protocol
(IPv4 protocol / IPv6 upper-layer header, also behind VLAN tags), with per-CPU counters summed
here, and reports totals and rates every interval: a table that refreshes in place on a terminal,
plain lines when piped, or NDJSON with --json. Ctrl-C or SIGTERM stops it with a summary; the
program is attached with bpf_links, so nothing stays attached after it exits, even when killed.
Options:
${TOOL_OPTIONS_USAGE}
  --mode MODE         XDP mode: auto (default: native where the driver has it), driver, skb`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...TOOL_OPTIONS, mode: { type: "string" } }, usage);
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  const mode = (values.mode ?? "auto") as XdpMode;
  if (!XDP_MODES.includes(mode))
    throw new UsageError(`--mode must be one of ${XDP_MODES.join(", ")}, not "${values.mode}"`, usage);
  const intervalSeconds = parseSeconds(values.interval, "--interval", usage, 1);
  const count = parsePositiveInt(values.count, "--count", usage);
  const listen = parseMetricsFlag(values.metrics, usage);

  return runCount(
    {
      interfaces: values.interface,
      intervalSeconds,
      count,
      json: values.json === true,
      listen,
      mode,
      out: io === processIo ? process.stdout : undefined,
    },
    io,
  );
}
