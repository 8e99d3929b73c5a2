// The options every tool shares, their parsing, and the usage text that describes them.
import { UsageError, type OptionSpec } from "../../cmdline/args.js";
import { MetricsAddressError, parseListenAddress, type ListenAddress } from "./listen-address.js";

/** -i/--interface, --interval, --count, --metrics (and --json, --help, which every command has). */
export const TOOL_OPTIONS = {
  interface: { type: "string", short: "i", multiple: true },
  interval: { type: "string" },
  count: { type: "string" },
  metrics: { type: "string" },
} as const satisfies Record<string, OptionSpec>;

/** Usage lines for TOOL_OPTIONS, to paste into a tool's usage text. */
export const TOOL_OPTIONS_USAGE = `  -i, --interface IF  interface to watch; repeat it (or give a comma list) for several;
                      "any" for every interface of this network namespace; default: the
                      interface of the default route ("lo" when there is none)
  --interval S        seconds between reports (default 1; fractions allowed, at least 0.01)
  --count N           stop after N reports
  --json              NDJSON: one JSON object per line, snake_case fields (see docs/tools.md)
  --metrics ADDR:PORT serve Prometheus metrics on http://ADDR:PORT/metrics; "PORT" or ":PORT"
                      listen on 127.0.0.1 only; port 0 picks a free port (printed on stderr)`;

/** A duration in seconds (decimal); `min` guards against intervals too short to mean anything. */
export function parseSeconds(
  text: string | undefined,
  flag: string,
  usage: string,
  fallback: number,
  min = 0.01,
): number {
  if (text === undefined) return fallback;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text))
    throw new UsageError(`${flag} wants a positive number of seconds (e.g. 1 or 0.5), not "${text}"`, usage);
  const seconds = Number(text);
  if (seconds < min) throw new UsageError(`${flag} must be at least ${min} seconds`, usage);
  if (seconds > 86_400 * 365) throw new UsageError(`${flag} is too long (at most a year)`, usage);
  return seconds;
}

/** A positive integer, or undefined when the flag is absent. */
export function parsePositiveInt(text: string | undefined, flag: string, usage: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${flag} wants a positive integer, not "${text}"`, usage);
  return Number(text);
}

/** --metrics: where to serve /metrics, or undefined when the flag is absent; a bad address is a usage error. */
export function parseMetricsFlag(text: string | undefined, usage: string): ListenAddress | undefined {
  if (text === undefined) return undefined;
  try {
    return parseListenAddress(text);
  } catch (err) {
    if (err instanceof MetricsAddressError) throw new UsageError(err.message, usage);
    throw err;
  }
}

/** `--web [ADDR:]PORT`: the same forms as --metrics (loopback unless an address is given). */
export function parseWebFlag(text: string | undefined, usage: string): ListenAddress | undefined {
  if (text === undefined) return undefined;
  try {
    return parseListenAddress(text);
  } catch (err) {
    if (err instanceof MetricsAddressError) throw new UsageError(err.message.replace("--metrics", "--web"), usage);
    throw err;
  }
}
