// `tsbpf flows`: one line per packet (addresses, ports, protocol) received (XDP) and sent (TC) on
// interfaces, or with --top a table of the busiest flows with rates, counted in the kernel.
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
import type { Direction } from "../../tools/flows/flow.js";
import { runFlows } from "../../tools/flows/run.js";

export const name = "flows";
export const summary =
  "one line per IPv4/IPv6 packet on interfaces (XDP in, TC out), or --top: the busiest flows with rates";
export const usage = `usage: tsbpf flows [-i IF]... [--top [--interval S] [--limit N]] [--count N] [--direction in|out|both]
                   [--json] [--metrics ADDR:PORT] [--mode MODE]

Shows the IPv4 and IPv6 packets interfaces receive ("in": XDP, before the stack) and send ("out":
TC egress, after the stack), also VLAN-tagged, with their addresses, ports and protocol: one line
per packet (S-Address S-Port D-Address D-Port Protocol Bytes; ICMP and ICMPv6 show "-" as S-Port
and TYPE/CODE as D-Port), or with --top a table of the flows that moved the most bytes in each
interval, with packet and bit rates, refreshing in place on a terminal (plain lines when piped).
With --top, packets are counted per flow in the kernel; nothing crosses to user space per packet.
Ctrl-C or SIGTERM stops it with a summary; bpf_links leave nothing attached, even when killed.
Options:
${TOOL_OPTIONS_USAGE}
                      (--interval applies to --top; --count counts packets, or --top tables)
  --top               the busiest flows by bytes every interval, instead of one line per packet
  --limit N           --top: flows per table (default 10)
  --direction D       in (received), out (sent) or both (default)
  --mode MODE         XDP mode: auto (default: native where the driver has it), driver, skb`;

const DIRECTION_VALUES: Record<string, Direction[]> = { in: ["ingress"], out: ["egress"], both: ["ingress", "egress"] };

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...TOOL_OPTIONS,
      mode: { type: "string" },
      top: { type: "boolean" },
      limit: { type: "string" },
      direction: { type: "string" },
    },
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
  const directions = DIRECTION_VALUES[values.direction ?? "both"];
  if (!directions) throw new UsageError(`--direction must be in, out or both, not "${values.direction}"`, usage);
  const top = values.top === true;
  if (!top && values.interval !== undefined) throw new UsageError("--interval applies to --top only", usage);
  if (!top && values.limit !== undefined) throw new UsageError("--limit applies to --top only", usage);
  const intervalSeconds = parseSeconds(values.interval, "--interval", usage, 1);
  const limit = parsePositiveInt(values.limit, "--limit", usage) ?? 10;
  const count = parsePositiveInt(values.count, "--count", usage);
  const listen = parseMetricsFlag(values.metrics, usage);
  return runFlows(
    {
      interfaces: values.interface,
      top,
      intervalSeconds,
      limit,
      count,
      json: values.json === true,
      listen,
      directions,
      xdpMode,
      out: io === processIo ? process.stdout : undefined,
    },
    io,
  );
}
