#!/usr/bin/env node
// The `tsbpf` command. Subcommands live one per file in ./commands and are listed in COMMANDS
// below; a new tool is a new file plus one line there. Modules are imported only when their
// command runs (or for `help`), so `tsbpf prog list` does not load the VM or the BTF encoder.
//
// Exit codes: 0 success, 1 runtime failure (one line on stderr, with the typed error's message),
// 2 usage error (one line and a pointer to the command's --help on stderr; the usage text only
// with --help). With --json a fatal error is also one {"type":"error"} record on stdout.
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { UsageError } from "../cmdline/args.js";
import { packagePath } from "../package-root.js";
import { processIo, type CommandIo } from "../cmdline/io.js";
import { type Command } from "./command.js";
import { PermissionError } from "../sys/errors.js";
import { CompileError, formatDiagnostic } from "../compiler/diagnostics.js";
import type { VerifierError } from "../programs/program.js";

export interface Registration {
  name: string;
  /**
   * V8 flags the command runs with, set before the CLI's code is compiled: flags set later would
   * make every V8 code cache taken afterwards invalid for the next run (the cache records them).
   */
  v8Flags?: string;
  load: () => Promise<{ default?: Command } & Partial<Command>>;
}

/** Every subcommand. */
export const COMMANDS: readonly Registration[] = [
  { name: "prog", load: () => import("./commands/prog.js") },
  { name: "map", load: () => import("./commands/map.js") },
  { name: "link", load: () => import("./commands/link.js") },
  { name: "features", load: () => import("./commands/features.js") },
  { name: "conformance", load: () => import("./commands/conformance.js") },
  { name: "load", load: () => import("./commands/load.js") },
  { name: "gen", load: () => import("./commands/gen-types.js") },
  { name: "count", load: () => import("./commands/count.js") },
  { name: "flows", load: () => import("./commands/flows.js") },
  // Each printed packet is short-lived text: a young generation that does not grow with the
  // allocation rate, and an old one grown in small steps, keep dump's memory flat.
  {
    name: "dump",
    v8Flags: "--semi-space-growth-factor=1 --heap-growing-percent=10",
    load: () => import("./commands/dump.js"),
  },
  { name: "exec", load: () => import("./commands/exec.js") },
  { name: "tcp", load: () => import("./commands/tcp.js") },
  { name: "top", load: () => import("./commands/top.js") },
  { name: "agent", load: () => import("./commands/agent.js") },
  { name: "compile", load: () => import("./commands/compile.js") },
  { name: "run", load: () => import("./commands/run.js") },
  { name: "gen-kernel", load: () => import("./commands/gen-kernel.js") },
  { name: "filter", load: () => import("./commands/filter.js") },
  { name: "init", load: () => import("./commands/init.js") },
];

async function loadCommand(registration: Registration): Promise<Command> {
  const mod = await registration.load();
  const command = mod.default ?? (mod as Command);
  if (typeof command.run !== "function") throw new Error(`command module "${registration.name}" exports no run()`);
  return {
    name: registration.name,
    summary: command.summary ?? "",
    usage: command.usage ?? `usage: tsbpf ${registration.name}`,
    run: command.run,
  };
}

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function usageText(): Promise<string> {
  const commands = await Promise.all(
    COMMANDS.map(async (c) => {
      try {
        return await loadCommand(c);
      } catch {
        return { name: c.name, summary: "(failed to load)" } as Command;
      }
    }),
  );
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: tsbpf <command> [arguments] [--json]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  this text; "tsbpf help COMMAND" or "tsbpf COMMAND --help" for a command's options`,
    "",
    "Options:",
    "  --json     machine-readable output: one JSON object per line (NDJSON), snake_case fields",
    "  --help     usage (of a command, after its name)",
    "  --version  print the version",
    "",
    "Most commands need root or CAP_BPF (+ CAP_PERFMON / CAP_NET_ADMIN for tracing / networking).",
  ].join("\n");
}

/** One line for the terminal: the error's message without stack or continuation lines. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.join(" | ");
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = first === "help" ? rest[0] : undefined;
    if (topic !== undefined) {
      const registration = COMMANDS.find((c) => c.name === topic);
      if (!registration) {
        io.stderr(`tsbpf: unknown command "${topic}"\nsee "tsbpf --help" for the commands\n`);
        return 2;
      }
      io.stdout(`${(await loadCommand(registration)).usage}\n`);
      return 0;
    }
    if (first === undefined) {
      io.stderr(`${await usageText()}\n`);
      return 2;
    }
    io.stdout(`${await usageText()}\n`);
    return 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    io.stdout(`tsbpf ${version()}\n`);
    return 0;
  }
  const registration = COMMANDS.find((c) => c.name === first);
  if (!registration) {
    const what = first.startsWith("-")
      ? `unknown option ${first} (options go after the command)`
      : `unknown command "${first}"`;
    io.stderr(`tsbpf: ${what}\nsee "tsbpf --help" for the commands\n`);
    return 2;
  }
  let afterCommand: (() => void) | undefined;
  if (registration.name === "compile" && io === processIo && runningAsBin) {
    // The compile runs in a process started from the compiler's snapshot when there is one; without
    // one it runs here, and the snapshot is built afterwards for the next compile.
    const snapshot = await import("../compiler/snapshot.js");
    const plan = snapshot.inCompilerSnapshot() ? undefined : snapshot.snapshotPlan();
    if (plan) {
      const code = snapshot.runFromSnapshot(plan, process.argv[1]!, argv);
      if (code !== undefined) return code;
      afterCommand = () => snapshot.buildSnapshotInBackground(plan);
    }
    exitQuietlyOnEpipe();
  }
  const command = await loadCommand(registration);
  // NDJSON consumers read stdout only: a fatal error is a record there too.
  const json = rest.includes("--json");
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`tsbpf ${command.name}: ${oneLine(err)}\nsee "tsbpf ${command.name} --help"\n`);
      if (json) io.stdout(`${JSON.stringify({ type: "error", message: oneLine(err), code: "usage" })}\n`);
      return 2;
    }
    if (process.env.TSBPF_DEBUG && err instanceof Error) io.stderr(`${err.stack}\n`);
    if (err instanceof CompileError) {
      // One "file:line:col: error: reason" line per problem, as compilers print them.
      for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      if (json)
        io.stdout(
          `${JSON.stringify({ type: "error", message: err.diagnostics.map(formatDiagnostic)[0] ?? err.message, code: "CompileError", diagnostics: err.diagnostics })}\n`,
        );
      return 1;
    }
    const rejection = verifierRejection(err);
    const message = `${rejection ? describeRejection(rejection) : oneLine(err)}${hintFor(err, command.name, rest)}`;
    io.stderr(`tsbpf ${command.name}: ${message}\n`);
    if (json) io.stdout(`${JSON.stringify({ type: "error", message, code: errorCode(err) })}\n`);
    return 1;
  } finally {
    afterCommand?.();
  }
}

/** The verifier's rejection, when that is the error or its cause (checked by name: main loads no program code). */
function verifierRejection(err: unknown): VerifierError | undefined {
  const isRejection = (e: unknown): e is VerifierError =>
    e instanceof Error && e.name === "VerifierError" && "verdict" in e;
  if (isRejection(err)) return err;
  if (err instanceof Error && isRejection(err.cause) && err.name === "TsbpfError") return err.cause;
  return undefined;
}

/** `FILE:LINE:COL: program "p" rejected by the verifier: VERDICT (`source text`)`: where first, as compilers print. */
function describeRejection(e: VerifierError): string {
  const s = e.sourceLine;
  const where = s ? `${s.file}:${s.line}${s.column ? `:${s.column}` : ""}: ` : "";
  const detail = s
    ? ` (\`${s.text.trim()}\`, instruction ${e.failingInsn})`
    : e.failingInsn === undefined
      ? ""
      : ` (instruction ${e.failingInsn})`;
  return `${where}program "${e.programName}" rejected by the verifier: ${e.verdict}${detail}`;
}

/** What the user can do next, when the error alone does not say. */
function hintFor(err: unknown, command: string, argv: readonly string[]): string {
  if (err instanceof PermissionError && !/CAP_BPF|root/.test(err.message)) return " (run as root or with CAP_BPF)";
  if (verifierRejection(err) && ["compile", "run", "load"].includes(command) && !argv.includes("--verifier-log"))
    return ` (tsbpf ${command} --verifier-log prints the whole log)`;
  return "";
}

/** A stable name for an error in JSON: the errno name of system errors, else the error class. */
function errorCode(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    return err.name;
  }
  return "Error";
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/** `tsbpf … | head` closes the pipe early: that is not an error. */
function exitQuietlyOnEpipe(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

let runningAsBin = false;

/**
 * Sets the V8 flags of the command `name` (see Registration.v8Flags) in this process: done by the
 * bin only, never by an in-process caller of main().
 */
export function applyV8Flags(name: string | undefined): void {
  const flags = COMMANDS.find((c) => c.name === name)?.v8Flags;
  if (flags !== undefined) setFlagsFromString(flags);
}

/**
 * Runs the CLI on this process's arguments, streams and exit code: what the bin does. Called by the
 * bundled bin (src/cli/bin.ts), or below when this module is the script itself.
 */
export function runAsBin(): void {
  runningAsBin = true;
  // Opening stdout costs a compile that runs in a snapshot's process (main) more than the rest of its work here.
  if (process.argv[2] !== "compile") exitQuietlyOnEpipe();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`tsbpf: ${oneLine(err)}\n`);
      process.exitCode = 1;
    },
  );
}

// Run when executed as the script (dist/src/cli/main.js), not when imported.
if (invokedDirectly()) {
  applyV8Flags(process.argv[2]); // the bundled bin sets them itself, before compiling the bundle
  runAsBin();
}
