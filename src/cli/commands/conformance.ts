// `tsbpf conformance DIR`: runs bpf_conformance `.data` files in the user-space VM and prints
// "N passed, M failed" with the failures. `tsbpf conformance --plugin [MEMHEX]` speaks the
// suite's plugin protocol (program hex on stdin, memory hex as the argument, r0 hex on stdout),
// so the suite's own runner can use tsbpf as its BPF runtime. The runner passes the memory before
// the plugin options, so it needs a wrapper script as its plugin (checked with the suite's runner
// at f558566: 313 of 313 with --cpu_version v4 --include_groups callx):
//   printf '#!/bin/sh\nexec tsbpf conformance --plugin "$@"\n' > plugin.sh && chmod +x plugin.sh
//   bpf_conformance_runner --test_file_directory tests --plugin_path ./plugin.sh --cpu_version v4
import { runConformance, runPlugin } from "../../vm/conformance.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, processIo, type CommandIo } from "../../cmdline/io.js";
import { checkInputPath } from "../../cmdline/files.js";

export const name = "conformance";
export const summary = "run bpf_conformance .data files in the user-space VM, or serve as the suite's plugin";
export const usage = `usage: tsbpf conformance [--interpreter|--compiled] [--verbose] [--json] DIR|FILE...
       tsbpf conformance --plugin [MEMHEX] [--program HEX]

  DIR|FILE     .data files, searched recursively; files under a directory named "negative"
               must be rejected (no program, assembler or validator error, fault, or a
               result other than the one they claim)
Options:
  --interpreter  run every case in the VM's interpreter
  --compiled     compile every case to JavaScript first (default: the VM's "auto" tier)
  --verbose, -v  also list the cases that passed
  --json         one JSON object per case (NDJSON)
  --plugin       the suite's plugin protocol: program bytes as hex on stdin (or --program),
                 memory as a hex argument, r0 printed in hex; errors on stderr, exit code 1.
                 bpf_conformance_runner puts the memory first, so give it a wrapper script
                 as --plugin_path: #!/bin/sh  exec tsbpf conformance --plugin "$@"`;

export async function run(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      interpreter: { type: "boolean" },
      compiled: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
      plugin: { type: "boolean" },
      program: { type: "string" },
      elf: { type: "boolean" },
      debug: { type: "boolean" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (values.interpreter && values.compiled)
    throw new UsageError("--interpreter and --compiled exclude each other", usage);
  const tier = values.interpreter
    ? ("interpreter" as const)
    : values.compiled
      ? ("compiled" as const)
      : ("auto" as const);

  if (values.plugin) {
    if (values.elf) {
      io.stderr("tsbpf conformance --plugin: ELF input (--elf) is not supported; the runner must pass raw bytecode\n");
      return 1;
    }
    if (positionals.length > 1)
      throw new UsageError(`--plugin takes at most one argument, the memory in hex (got ${positionals.length})`, usage);
    const r = runPlugin(values.program ?? io.stdin(), positionals[0], { tier });
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.exitCode;
  }

  if (positionals.length === 0) throw new UsageError("give a directory or .data files", usage);
  for (const path of positionals) checkInputPath(path, { directory: true });
  const out = new LineWriter(io.stdout);
  let passed = 0,
    failed = 0;
  const failures: string[] = [];
  try {
    for (const path of positionals) {
      const report = runConformance(path, { tier });
      passed += report.passed;
      failed += report.failed;
      for (const o of report.outcomes) {
        const label = `${o.negative ? "negative/" : ""}${o.name}`;
        if (values.json) {
          out.json({
            name: o.name,
            file: o.file,
            negative: o.negative,
            passed: o.passed,
            stage: o.stage,
            message: o.message,
            r0: o.r0 === undefined ? null : `0x${o.r0.toString(16)}`,
            instructions: o.instructions ?? null,
          });
        } else if (!o.passed) failures.push(`FAIL ${label}: ${o.message}`);
        else if (values.verbose) out.line(`ok   ${label}${o.message ? ` (${o.stage}: ${o.message})` : ""}`);
      }
    }
    if (!values.json) {
      for (const f of failures) out.line(f);
      out.line(`${passed} passed, ${failed} failed`);
    }
  } finally {
    out.flush();
  }
  return failed === 0 ? 0 : 1;
}

export default { name, summary, usage, run };
