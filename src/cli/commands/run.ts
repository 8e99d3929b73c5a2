// `tsbpf run PROG [--program NAME] --data FILE [--repeat N] [--json]`: loads a program (kernel
// TypeScript, a tsbpf artifact or an ELF object) and runs it once or N times with
// BPF_PROG_TEST_RUN, printing its return value, the data it left and the time per run.
import { isArtifact, type Artifact } from "../../compiler/artifact.js";
import { KernelObject } from "../../loader/kernel-object.js";
import { testRun } from "../../programs/test-run.js";
import type { Program } from "../../programs/program.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, type CommandIo } from "../../cmdline/io.js";
import { checkInputPath, FileError, readInputFile, readInputStart } from "../../cmdline/files.js";
import { printVerifierLogs, withVerifierLog } from "../verify.js";
import { cpuArgument, noteCpuFallback } from "./compile.js";
import { compileModule } from "../../compiler/compile.js";
import { ProgType } from "../../uapi.js";

export const name = "run";
export const summary = "run a program once or N times with test_run (kernel TypeScript, artifact or ELF)";
export const usage = `usage: tsbpf run FILE.bpf.ts|FILE.json|FILE.o [--program NAME] [--data FILE] [--ctx FILE]
                [--repeat N] [--cpu V] [--const NAME=VALUE]... [--verifier-log] [--json]

  Loads FILE's maps and programs (compiling kernel TypeScript first; .o files go through the ELF
  loader), runs one program with BPF_PROG_TEST_RUN and prints its return value, the packet as the
  program left it, and the kernel's mean time per run.
Options:
  --program NAME   the program to run (default: the only one, or the first)
  --data FILE      packet bytes (raw; "-" for stdin); XDP, TC and socket filters need it
  --ctx FILE       context bytes (struct __sk_buff / xdp_md, raw_tp arguments)
  --repeat N       run N times (default 1); the time is per run
  --cpu V          compile kernel TypeScript for this instruction set (v1…v4, default probe:
                   the running kernel's; see tsbpf compile --help)
  --const N=V      set an exported constant (.rodata) before loading (integers)
  --verifier-log   print the verifier's whole log of each program loaded on stderr (also when
                   it rejects one)
  --json           one JSON object: program, retval, duration_ns, repeat, data_out (hex)`;

/** The most --data and --ctx read: far beyond what BPF_PROG_TEST_RUN takes for any program type. */
const RUN_INPUT_LIMIT = 16 * 1024 * 1024;

/** What FILE holds, by its name and, when the name does not say, its first bytes. */
function inputKind(file: string): "elf" | "artifact" | "typescript" {
  checkInputPath(file);
  if (/\.[cm]?ts$/.test(file)) return "typescript";
  const head = readInputStart(file, 4);
  if (head.length === 4 && head[0] === 0x7f && head.toString("latin1", 1, 4) === "ELF") return "elf";
  if (head[0] === 0x7b /* { */ || file.endsWith(".json")) return "artifact";
  throw new FileError(file, "EFTYPE", "not an ELF object, a .bpf.json artifact or a .bpf.ts module");
}

function checkProgramName(name: string | undefined, names: readonly string[], file: string): void {
  if (name !== undefined && !names.includes(name)) {
    throw new UsageError(`no program "${name}" in ${file} (programs: ${names.join(", ") || "none"})`, usage);
  }
}

/** Program types whose test run takes a packet, and the kernel's smallest packet: an Ethernet header. */
const PACKET_PROGRAMS = new Map<number, string>([
  [ProgType.XDP, "an XDP program"],
  [ProgType.SCHED_CLS, "a TC program"],
  [ProgType.SOCKET_FILTER, "a socket filter"],
  [ProgType.CGROUP_SKB, "a cgroup_skb program"],
]);
const ETH_HLEN = 14;

/** Says what --data a packet program needs, instead of the kernel's bare EINVAL. */
function checkPacketData(type: number, data: Uint8Array | undefined, program: string): void {
  const what = PACKET_PROGRAMS.get(type);
  if (!what || (data && data.length >= ETH_HLEN)) return;
  throw new UsageError(
    data
      ? `--data is ${data.length} byte${data.length === 1 ? "" : "s"}; ${program} is ${what} and its packet needs at least ${ETH_HLEN} (an Ethernet header)`
      : `${program} is ${what}: give the packet with --data FILE (at least ${ETH_HLEN} bytes, starting with an Ethernet header)`,
    usage,
  );
}

const XDP_ACTIONS = ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"];

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      program: { type: "string" },
      data: { type: "string" },
      ctx: { type: "string" },
      repeat: { type: "string" },
      cpu: { type: "string" },
      const: { type: "string", multiple: true },
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
      positionals.length
        ? `run takes one file (got ${positionals.length})`
        : "missing FILE: a .bpf.ts module, a .bpf.json artifact or a .o object",
      usage,
    );
  const file = positionals[0]!;
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100_000_000)
    throw new UsageError(`--repeat wants a whole number from 1 to 100000000, not "${values.repeat}"`, usage);
  const constants: Record<string, bigint> = {};
  for (const c of values.const ?? []) {
    const m = /^([A-Za-z_$][\w$]*)=(-?(?:0x[0-9a-f]+|\d+))$/i.exec(c);
    if (!m) throw new UsageError(`--const wants NAME=INTEGER (e.g. LIMIT=10 or MASK=0xff), not "${c}"`, usage);
    constants[m[1]!] = BigInt(m[2]!);
  }
  const cpu = cpuArgument(values.cpu, usage);
  const data =
    values.data === undefined
      ? undefined
      : readInputFile(values.data, { stdin: true, limit: RUN_INPUT_LIMIT, purpose: "--data" });
  const ctx =
    values.ctx === undefined
      ? undefined
      : readInputFile(values.ctx, { stdin: true, limit: RUN_INPUT_LIMIT, purpose: "--ctx" });
  const keepLog = values["verifier-log"] === true;
  const load = <T>(fn: () => T): T => (keepLog ? withVerifierLog(io, fn) : fn());

  const disposers: Disposable[] = [];
  try {
    let programs: Record<string, Program>;
    let kinds: Record<string, string> = {};
    const kind = inputKind(file);
    if (values.cpu !== undefined && kind !== "typescript")
      throw new UsageError(`--cpu chooses how kernel TypeScript compiles; ${file} is already compiled`, usage);
    if (kind === "elf") {
      const { loadObject } = await import("../../loader/index.js");
      const obj = load(() =>
        loadObject(file, {
          variables: Object.fromEntries(
            Object.entries(constants).map(([k, v]) => [k, Number.isSafeInteger(Number(v)) ? Number(v) : v]),
          ),
          log: keepLog ? { keepLog, logLevel: 2 } : {},
        }),
      );
      disposers.push(obj);
      programs = obj.programs as Record<string, Program>;
      checkProgramName(values.program, Object.keys(programs), file);
    } else {
      let artifact: Artifact;
      if (kind === "artifact") {
        let value: unknown;
        try {
          value = JSON.parse(readInputFile(file).toString("utf8"));
        } catch {
          value = undefined;
        }
        if (!isArtifact(value))
          throw new FileError(file, "EFTYPE", "not a tsbpf artifact (write one with tsbpf compile -o FILE.json)");
        artifact = value;
      } else {
        // A CompileError goes to main, which prints each diagnostic as file:line:col.
        const compiled = await compileModule(file, { cpu });
        noteCpuFallback(compiled.target, io);
        artifact = compiled.artifact;
      }
      checkProgramName(
        values.program,
        artifact.programs.map((p) => p.name),
        file,
      );
      const selected = values.program ? [values.program] : undefined;
      const obj = load(() =>
        KernelObject.load(artifact, {
          constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, v])),
          programs: selected,
          keepLog,
          ...(keepLog ? { logLevel: 2 as const } : {}),
        }),
      );
      disposers.push(obj);
      programs = obj.programs as Record<string, Program>;
      kinds = Object.fromEntries(artifact.programs.map((p) => [p.name, p.kind]));
    }
    if (keepLog) printVerifierLogs(programs, io);
    const chosen = values.program ?? Object.keys(programs)[0];
    if (!chosen) throw new FileError(file, "EFTYPE", "has no programs");
    const program = programs[chosen]!;
    checkPacketData(program.type, data, chosen);
    const result = testRun(program, { data, ctx, repeat, ...(ctx && !data ? { ctxOutSize: 0 } : {}) });
    const w = new LineWriter(io.stdout);
    if (values.json) {
      w.json({
        program: chosen,
        retval: result.retval,
        duration_ns: result.durationNs,
        repeat,
        data_out: result.data.toString("hex"),
      });
    } else {
      const kind = kinds[chosen] ?? "";
      const action = kind === "xdp" ? ` (${XDP_ACTIONS[result.retval] ?? "?"})` : "";
      w.line(`program   ${chosen}`);
      w.line(`retval    ${result.retval}${action}`);
      w.line(`duration  ${result.durationNs} ns per run (${repeat} run${repeat === 1 ? "" : "s"})`);
      if (result.data.length) {
        w.line(
          `data out  ${result.data.length} bytes${data && Buffer.compare(data, result.data) === 0 ? " (unchanged)" : ""}`,
        );
        for (let i = 0; i < result.data.length; i += 16) {
          const row = result.data.subarray(i, i + 16);
          w.line(
            `  ${i.toString(16).padStart(4, "0")}  ${[...row].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
          );
        }
      }
    }
    w.flush();
    return 0;
  } finally {
    for (const d of disposers.reverse()) d[Symbol.dispose]();
  }
}
