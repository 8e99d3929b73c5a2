// What every `tsbpf` subcommand module provides. The pieces commands share with the tools
// (their I/O, argument parsing, tables, files) live below both, in src/cmdline.
import type { CommandIo } from "../cmdline/io.js";

/**
 * A subcommand: `tsbpf NAME ARGS…`. run() gets the arguments after NAME and returns the exit
 * code; it throws UsageError for bad arguments, and any other error for runtime failures.
 */
export interface Command {
  name: string;
  /** One line for `tsbpf help`. */
  summary: string;
  /** Full usage text for `tsbpf NAME --help` (usage errors point there). */
  usage: string;
  run(argv: readonly string[], io: CommandIo): number | Promise<number>;
}
