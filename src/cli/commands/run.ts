// `tsbpf run PROG [--program NAME] --data FILE [--repeat N] [--json]`: loads a program (kernel
// TypeScript, a tsbpf artifact or an ELF object) and runs it once or N times with
// BPF_PROG_TEST_RUN, printing its return value, the data it left and the time per run.
import { readFileSync } from "node:fs";
import { compileFile } from "../../compiler/compile.js";
import { CompileError, formatDiagnostic } from "../../compiler/diagnostics.js";
import { isArtifact, type Artifact } from "../../compiler/artifact.js";
import { KernelObject } from "../../loader/kernel-object.js";
import { testRun } from "../../programs/test-run.js";
import type { Program } from "../../programs/program.js";
import { LineWriter, parseCommandArgs, UsageError, type CommandIo } from "../command.js";

export const name = "run";
export const summary = "run a program once or N times with test_run (kernel TypeScript, artifact or ELF)";
export const usage = `usage: tsbpf run FILE.bpf.ts|FILE.json|FILE.o [--program NAME] [--data FILE] [--ctx FILE]
                [--repeat N] [--const NAME=VALUE]... [--json]

  Loads FILE's maps and programs (compiling kernel TypeScript first; .o files go through the ELF
  loader), runs one program with BPF_PROG_TEST_RUN and prints its return value, the packet as the
  program left it, and the kernel's mean time per run.
Options:
  --program NAME   the program to run (default: the only one, or the first)
  --data FILE      packet bytes (raw; "-" for stdin); XDP, TC and socket filters need it
  --ctx FILE       context bytes (struct __sk_buff / xdp_md, raw_tp arguments)
  --repeat N       run N times (default 1); the time is per run
  --const N=V      set an exported constant (.rodata) before loading (integers)
  --json           one JSON object: program, retval, duration_ns, repeat, data_out (hex)`;

const XDP_ACTIONS = ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"];

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    program: { type: "string" },
    data: { type: "string" },
    ctx: { type: "string" },
    repeat: { type: "string" },
    const: { type: "string", multiple: true },
  }, usage);
  if (values.help) { io.stdout(`${usage}\n`); return 0; }
  if (positionals.length !== 1) throw new UsageError("give one file: a .bpf.ts, a .json artifact or a .o object", usage);
  const file = positionals[0]!;
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100_000_000) throw new UsageError(`invalid --repeat "${values.repeat}"`, usage);
  const constants: Record<string, bigint> = {};
  for (const c of values.const ?? []) {
    const m = /^([A-Za-z_$][\w$]*)=(-?(?:0x[0-9a-f]+|\d+))$/i.exec(c);
    if (!m) throw new UsageError(`invalid --const "${c}" (NAME=INTEGER)`, usage);
    constants[m[1]!] = BigInt(m[2]!);
  }
  const read = (path: string) => (path === "-" ? readFileSync(0) : readFileSync(path));
  const data = values.data === undefined ? undefined : read(values.data);
  const ctx = values.ctx === undefined ? undefined : read(values.ctx);

  const disposers: Disposable[] = [];
  try {
    let programs: Record<string, Program>;
    let kinds: Record<string, string> = {};
    if (file.endsWith(".o")) {
      const { loadObject } = await import("../../loader/index.js");
      const obj = loadObject(file, { variables: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, Number(v)])) });
      disposers.push(obj);
      programs = obj.programs as Record<string, Program>;
    } else {
      let artifact: Artifact;
      if (file.endsWith(".json")) {
        const value: unknown = JSON.parse(readFileSync(file, "utf8"));
        if (!isArtifact(value)) throw new UsageError(`${file} is not a tsbpf artifact`, usage);
        artifact = value;
      } else {
        try {
          artifact = await compileFile(file);
        } catch (err) {
          if (err instanceof CompileError) {
            for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
            return 1;
          }
          throw err;
        }
      }
      const selected = values.program ? [values.program] : undefined;
      const obj = KernelObject.load(artifact, { constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, v])), programs: selected });
      disposers.push(obj);
      programs = obj.programs as Record<string, Program>;
      kinds = Object.fromEntries(artifact.programs.map((p) => [p.name, p.kind]));
    }
    const names = Object.keys(programs);
    const chosen = values.program ?? names[0];
    if (!chosen || !programs[chosen]) throw new UsageError(`no program ${values.program ?? ""} (programs: ${names.join(", ") || "none"})`, usage);
    const program = programs[chosen]!;
    const result = testRun(program, { data, ctx, repeat, ...(ctx && !data ? { ctxOutSize: 0 } : {}) });
    const w = new LineWriter(io.stdout);
    if (values.json) {
      w.json({ program: chosen, retval: result.retval, duration_ns: result.durationNs, repeat, data_out: result.data.toString("hex") });
    } else {
      const kind = kinds[chosen] ?? "";
      const action = kind === "xdp" ? ` (${XDP_ACTIONS[result.retval] ?? "?"})` : "";
      w.line(`program   ${chosen}`);
      w.line(`retval    ${result.retval}${action}`);
      w.line(`duration  ${result.durationNs} ns per run (${repeat} run${repeat === 1 ? "" : "s"})`);
      if (result.data.length) {
        w.line(`data out  ${result.data.length} bytes${data && Buffer.compare(data, result.data) === 0 ? " (unchanged)" : ""}`);
        for (let i = 0; i < result.data.length; i += 16) {
          const row = result.data.subarray(i, i + 16);
          w.line(`  ${i.toString(16).padStart(4, "0")}  ${[...row].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
        }
      }
    }
    w.flush();
    return 0;
  } finally {
    for (const d of disposers.reverse()) d[Symbol.dispose]();
  }
}
