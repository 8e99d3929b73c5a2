// `tsbpf agent`: the collectors of `tsbpf top` in one long-running headless process, configured by
// a JSON or YAML file, with one /metrics endpoint and NDJSON records (docs/agent.md).
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import type { CommandIo } from "../../cmdline/io.js";
import { parsePositiveInt } from "../../tools/common/flags.js";
import { loadAgentConfig, runAgent } from "../../tools/agent/run.js";

export const name = "agent";
export const summary = "the collectors in one long-running process: /metrics, NDJSON events, reload on SIGHUP";
export const usage = `usage: tsbpf agent [--config FILE] [--check] [--count N]

Runs the collectors a host needs — packets per protocol and the busiest flows (XDP in, TC out),
TCP by process, execs — as one process with one Prometheus endpoint (default 127.0.0.1:9435) and
NDJSON records to stdout or a size-rotated file. FILE (JSON or YAML) switches collectors on and
configures them; without it every collector runs with the defaults. SIGHUP re-reads FILE (a bad
file is reported and the running configuration stays); SIGINT/SIGTERM stop it; nothing stays
attached, even when it is killed. See docs/agent.md for the file's keys and a systemd unit.
Options:
  --config FILE       the configuration file
  --check             validate FILE and exit (0: valid)
  --count N           stop after N intervals`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { config: { type: "string" }, check: { type: "boolean" }, count: { type: "string" } },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  if (values.check) {
    if (values.config === undefined) throw new UsageError("--check needs --config FILE", usage);
    await loadAgentConfig(values.config);
    io.stdout(`${values.config}: valid\n`);
    return 0;
  }
  const count = parsePositiveInt(values.count, "--count", usage);
  return runAgent({ configPath: values.config, count }, io);
}
