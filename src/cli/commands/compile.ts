// `tsbpf compile FILE.bpf.ts [-o OUT.o | OUT.json]`: kernel TypeScript to eBPF, with no clang.
import { Btf } from "../../btf/decoder.js";
import { compileModule } from "../../compiler/compile.js";
import { writeElf } from "../../compiler/elf.js";
import { decode, listing } from "../../asm/index.js";
import { dumpFunction } from "../../compiler/ir.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, type CommandIo } from "../../cmdline/io.js";
import { checkInputPath, FileError, readInputFile, writeOutputFile } from "../../cmdline/files.js";
import { CPU_OPTIONS, cpuKernel, isCpuOption, type CpuOption, type CpuTarget } from "../../compiler/target.js";

export const name = "compile";
export const summary = "compile kernel TypeScript (.bpf.ts) to an ELF object or a tsbpf artifact";
export const usage = `usage: tsbpf compile FILE.bpf.ts [-o OUT.o | -o OUT.json] [--cpu V] [--btf FILE] [--listing] [--ir] [--verifier-log] [--json]

  Type-checks FILE and compiles its programs (markers xdp, tc, tracepoint … exported at module
  level) to eBPF. The language is described in docs/kernel-typescript.md.
  -o OUT.o     an ELF object with .BTF, .BTF.ext and BTF-defined .maps (libbpf/bpftool load it)
  -o OUT.json  the tsbpf artifact (KernelObject.load reads it without the TypeScript compiler)
  Without -o: one line per program (section, instructions, maps).
Options:
  --cpu V      the instruction set, as clang's -mcpu: v1 (any kernel), v2 (Linux 4.14), v3 (5.1),
               v4 (6.6), or probe (default): the highest the running kernel accepts, v3 when it
               cannot be asked. Below v4 signed division and sign extension are emulated
  --btf FILE   compile against this kernel BTF (e.g. another machine's /sys/kernel/btf/vmlinux)
               instead of the running kernel's; CO-RE relocations adapt the field offsets at load
  --listing    print each program's instructions (verifier syntax)
  --ir         print each function's IR after optimisation
  --verifier-log  also load every program into the running kernel (nothing is attached; it
               is unloaded at once) and print the verifier's log of each on stderr; a program
               the verifier rejects makes the exit status 1
  --json       one JSON object per program (NDJSON)
Exit status 1 with one "file:line:col: error: reason" line per problem when FILE does not compile.`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      output: { type: "string", short: "o" },
      btf: { type: "string" },
      cpu: { type: "string" },
      listing: { type: "boolean" },
      ir: { type: "boolean" },
      "verifier-log": { type: "boolean" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length ? `compile takes one file (got ${positionals.length})` : "missing FILE.bpf.ts",
      usage,
    );
  const file = positionals[0]!;
  const out = values.output;
  if (out !== undefined && !/\.(o|json)$/.test(out))
    throw new UsageError(`-o wants a name ending in .o (ELF object) or .json (tsbpf artifact), not "${out}"`, usage);
  checkInputPath(file);
  if (!/\.[cm]?ts$/.test(file)) throw new FileError(file, "EFTYPE", "not a kernel TypeScript module (.bpf.ts)");
  const cpu = cpuArgument(values.cpu, usage);
  const btf = values.btf === undefined ? undefined : readInputFile(values.btf);
  // A CompileError goes to main, which prints each diagnostic as file:line:col.
  const m = await compileModule(file, { cpu, ...(btf ? { btf: Btf.parse(btf) } : {}) });
  noteCpuFallback(m.target, io);
  if (out?.endsWith(".o")) writeOutputFile(out, writeElf(m));
  else if (out?.endsWith(".json")) writeOutputFile(out, `${JSON.stringify(m.artifact)}\n`);
  // The loader is imported only here: a plain compile does not load programs.
  if (values["verifier-log"]) (await import("../verify.js")).verifyArtifact(m.artifact, io);
  const w = new LineWriter(io.stdout);
  for (const p of m.artifact.programs) {
    const insns = Buffer.from(p.insns, "base64").length / 8;
    if (values.json) {
      w.json({
        program: p.name,
        kind: p.kind,
        section: p.section,
        insns,
        functions: p.functions.map((f) => f.name),
        maps: p.maps,
        cpu: m.target.cpu,
        cpu_source: m.target.source,
        ...(m.target.note ? { cpu_note: m.target.note } : {}),
        compile_ms: Math.round(m.artifact.compileMs ?? 0),
      });
    } else if (!out || values.listing) {
      w.line(
        `${p.name.padEnd(20)} ${p.section.padEnd(36)} ${String(insns).padStart(5)} insns  maps: ${p.maps.join(", ") || "-"}`,
      );
    }
    if (values.listing) for (const l of listing(decode(Buffer.from(p.insns, "base64")))) w.line(`  ${l}`);
  }
  if (values.ir) for (const f of m.functions.values()) for (const l of dumpFunction(f.ir).split("\n")) w.line(l);
  if (out && !values.json)
    w.line(
      `wrote ${out} (${m.artifact.programs.length} program${m.artifact.programs.length === 1 ? "" : "s"}, cpu ${m.target.cpu}, ${Math.round(m.artifact.compileMs ?? 0)} ms)`,
    );
  w.flush();
  return 0;
}

/** `--cpu V`: a version or "probe" (the default), else a usage error naming the choices. */
export function cpuArgument(value: string | undefined, usageText: string): CpuOption {
  if (value === undefined) return "probe";
  if (!isCpuOption(value))
    throw new UsageError(
      `--cpu wants ${CPU_OPTIONS.slice(0, -1).join(", ")} or ${CPU_OPTIONS.at(-1)}, not "${value}"`,
      usageText,
    );
  return value;
}

/** When probing was impossible the target is a guess: say so on stderr, whatever the output format. */
export function noteCpuFallback(target: CpuTarget, io: CommandIo): void {
  if (target.source === "fallback") io.stderr(`tsbpf: note: ${target.note} (v4 needs Linux ${cpuKernel("v4")})\n`);
}
