// What every `tsbpf` subcommand module provides, and the small pieces they share: argument
// parsing that turns mistakes into usage errors (exit code 2), NDJSON output with stable
// snake_case fields, and buffered line output.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => string;
}

export const processIo: CommandIo = {
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
  stdin: () => readFileSync(0, "utf8"),
};

/**
 * A subcommand: `tsbpf NAME ARGS…`. run() gets the arguments after NAME and returns the exit
 * code; it throws UsageError for bad arguments, and any other error for runtime failures.
 */
export interface Command {
  name: string;
  /** One line for `tsbpf help`. */
  summary: string;
  /** Full usage text for `tsbpf NAME --help` and usage errors. */
  usage: string;
  run(argv: readonly string[], io: CommandIo): number | Promise<number>;
}

/** The command line was wrong: main prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** One option of a command, as util.parseArgs takes it. */
export interface OptionSpec {
  type: "boolean" | "string";
  short?: string;
  multiple?: boolean;
}

type OptionValue<S extends OptionSpec> = S["type"] extends "string"
  ? (S extends { multiple: true } ? string[] : string)
  : (S extends { multiple: true } ? boolean[] : boolean);

/** Parsed options: each possibly absent, typed by its spec; --json and --help always there. */
export type OptionValues<O extends Record<string, OptionSpec>> =
  { [K in keyof O]?: OptionValue<O[K]> } & { json?: boolean; help?: boolean };

export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  values: OptionValues<O>;
  positionals: string[];
}

/** util.parseArgs with --json and -h/--help always known, and parse errors as UsageError. */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(argv: readonly string[], options: O, usage: string): ParsedArgs<O> {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(err.message, usage);
    }
    throw err;
  }
}

/** Parses a decimal object id (programs, maps, links). */
export function parseId(text: string | undefined, what: string, usage: string): number {
  if (text === undefined) throw new UsageError(`missing ${what} id`, usage);
  if (!/^\d+$/.test(text) || Number(text) === 0 || Number(text) > 0xffff_ffff) throw new UsageError(`invalid ${what} id "${text}" (expected a positive integer)`, usage);
  return Number(text);
}

/** A JSON-safe value: bigints become numbers when exact, strings otherwise. */
export function jsonValue(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Writes lines in chunks (one write per ~64 KiB instead of one per line). */
export class LineWriter {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly write: (text: string) => void) {}
  line(text: string): void {
    this.#parts.push(text, "\n");
    this.#size += text.length + 1;
    if (this.#size >= 65536) this.flush();
  }
  /** One NDJSON record. */
  json(record: object): void {
    this.line(JSON.stringify(record));
  }
  flush(): void {
    if (this.#parts.length === 0) return;
    this.write(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
  }
}
