// Command-line arguments: util.parseArgs with the options every command has, and every mistake
// as a UsageError in tsbpf's words (main prints it with a pointer to --help, exit code 2).
import { parseArgs } from "node:util";
import { TsbpfError } from "../errors.js";

/**
 * The command line was wrong: main prints the message and a pointer to `tsbpf NAME --help`,
 * exit code 2. `usage` is the command's usage text, printed in full only for --help.
 */
export class UsageError extends TsbpfError {
  override name = "UsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
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
  ? S extends { multiple: true }
    ? string[]
    : string
  : S extends { multiple: true }
    ? boolean[]
    : boolean;

/** Parsed options: each possibly absent, typed by its spec; --json and --help always there. */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: OptionValue<O[K]> } & {
  json?: boolean;
  help?: boolean;
};

export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  values: OptionValues<O>;
  positionals: string[];
}

/** util.parseArgs with --json and -h/--help always known, and mistakes as UsageError in our words. */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(
  argv: readonly string[],
  options: O,
  usage: string,
): ParsedArgs<O> {
  const all: Record<string, OptionSpec> = {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    ...options,
  };
  const args = attachNegativeNumbers(argv, all);
  try {
    const parsed = parseArgs({ args, options: all, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(describeParseError(args, all) ?? err.message.split("\n")[0]!, usage);
    }
    throw err;
  }
}

const NUMBER = /^-\d+(\.\d+)?$/;

/**
 * `--interval -1` means the value -1, not an option named "1": joins a negative number to the
 * string option before it (`--interval=-1`), so the command's own check of the value says what
 * is valid instead of parseArgs calling the option ambiguous.
 */
function attachNegativeNumbers(argv: readonly string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = optionName(arg, options);
    if (name !== undefined && options[name]!.type === "string" && next !== undefined && NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The long name of `--name` or `-x` when it is a known option given without an attached value. */
function optionName(arg: string, options: Record<string, OptionSpec>): string | undefined {
  if (arg.startsWith("--") && !arg.includes("=")) return arg.slice(2) in options ? arg.slice(2) : undefined;
  if (/^-[^-]$/.test(arg)) return Object.keys(options).find((k) => options[k]!.short === arg[1]);
  return undefined;
}

/** The first mistake in `args`, in tsbpf's words (parseArgs' own messages are about its API). */
function describeParseError(args: readonly string[], options: Record<string, OptionSpec>): string | undefined {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = options[t.name];
    if (!spec) {
      return `unknown option ${t.rawName}${/^-\d/.test(t.rawName) ? ` (an argument that starts with "-" goes after "--")` : ""}`;
    }
    const shown = t.rawName === `--${t.name}` ? t.rawName : `${t.rawName} (--${t.name})`;
    if (spec.type === "boolean" && t.value !== undefined) return `${shown} takes no value (got "${t.value}")`;
    if (spec.type === "string") {
      if (t.value === undefined) return `missing value for ${shown}`;
      if (!t.inlineValue && t.value.startsWith("-") && t.value !== "-") {
        return `missing value for ${shown}: "${t.value}" looks like an option (write ${t.rawName.startsWith("--") ? `${t.rawName}=${t.value}` : `--${t.name}=${t.value}`} if it is the value)`;
      }
    }
  }
  return undefined;
}

/** Parses a decimal object id (programs, maps, links). */
export function parseId(text: string | undefined, what: string, usage: string): number {
  if (text === undefined) throw new UsageError(`missing ${what} id`, usage);
  if (!/^\d+$/.test(text) || Number(text) === 0 || Number(text) > 0xffff_ffff)
    throw new UsageError(`invalid ${what} id "${text}" (expected a positive integer)`, usage);
  return Number(text);
}
