// `tsbpf load prog.bpf.o [--pin DIR]`: loads a clang-built object the way libbpf would (maps,
// global data, CO-RE, subprograms) and lists what it loaded. Without --pin the programs and
// maps go away when the command exits (it is then a check that the object loads); with it they
// stay pinned, programs at DIR/NAME and maps at DIR/maps/NAME, like bpftool's loadall + pinmaps.
import { basename } from "node:path";
import { BpfObjectFile } from "../../object/object.js";
import { loadObject } from "../../loader/loader.js";
import { progInfo } from "../../sys/info.js";
import { mapInfo } from "../../maps/info.js";
import { enumName, MapType, ProgType } from "../../uapi.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { LineWriter, type CommandIo } from "../../cmdline/io.js";
import { renderTable } from "../../cmdline/table.js";
import { checkInputPath, FileError, readInputFile } from "../../cmdline/files.js";
import { printVerifierLogs, withVerifierLog } from "../verify.js";

export const name = "load";
export const summary = "load a clang-built eBPF object (maps, global data, CO-RE) and list what it loaded";
export const usage = `usage: tsbpf load OBJECT.o [--pin DIR] [--set NAME=VALUE]... [--program NAME]... [--verifier-log] [--json]

  Loads every program of the object (or only those named with --program), creating its maps,
  filling its global data and relocating it against the running kernel's BTF.
Options:
  --pin DIR          keep it loaded: pin programs at DIR/NAME and maps at DIR/maps/NAME
  --set NAME=VALUE   set a global variable (.rodata, .data, .bss) before loading; VALUE is a
                     number, or a string for char arrays
  --program NAME     load only this program (repeatable)
  --pin-root DIR     directory of maps pinned by name (default /sys/fs/bpf)
  --verifier-log     print the verifier's whole log of each program on stderr (also when it
                     rejects one)
  --json             one JSON object per line (NDJSON)`;

function parseValue(text: string): unknown {
  if (/^-?\d+$/.test(text)) {
    const n = BigInt(text);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (/^0x[0-9a-f]+$/i.test(text))
    return Number(BigInt(text)) <= Number.MAX_SAFE_INTEGER ? Number(BigInt(text)) : BigInt(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      pin: { type: "string" },
      set: { type: "string", multiple: true },
      program: { type: "string", multiple: true },
      "pin-root": { type: "string" },
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
      positionals.length ? `load takes one object file (got ${positionals.length})` : "missing OBJECT.o",
      usage,
    );
  const variables: Record<string, unknown> = {};
  for (const s of values.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set ${s}: expected NAME=VALUE`, usage);
    variables[s.slice(0, eq)] = parseValue(s.slice(eq + 1));
  }
  const path = positionals[0]!;
  checkInputPath(path);
  const bytes = readInputFile(path, {
    purpose: "an object file",
    checkStart: (start) => {
      if (!(start[0] === 0x7f && start.toString("latin1", 1, 4) === "ELF")) {
        throw new FileError(
          path,
          "EFTYPE",
          `not an ELF object (load takes clang-built .o files${/\.(ts|json)$/.test(path) ? "; for kernel TypeScript and .bpf.json artifacts use tsbpf run" : ""})`,
        );
      }
    },
  });
  const file = BpfObjectFile.parse(bytes, { file: path, name: basename(path).split(".")[0] });
  const only = values.program ?? [];
  for (const p of only)
    if (!file.program(p))
      throw new UsageError(
        `no program "${p}" in ${path} (programs: ${file.programs.map((x) => x.name).join(", ")})`,
        usage,
      );
  const programOptions = only.length
    ? Object.fromEntries(file.programs.filter((p) => !only.includes(p.name)).map((p) => [p.name, { load: false }]))
    : undefined;
  const keepLog = values["verifier-log"] === true;
  const load = () =>
    loadObject(file, {
      variables,
      pinRoot: values["pin-root"],
      programs: programOptions,
      log: keepLog ? { keepLog, logLevel: 2 } : {},
    });
  const obj = keepLog ? withVerifierLog(io, load) : load();
  try {
    if (keepLog) printVerifierLogs(obj.programs, io);
    const programs = obj.file.programs
      .filter((p) => obj.programs[p.name])
      .map((p) => {
        const info = progInfo(obj.programs[p.name]!.fd);
        return {
          name: p.name,
          section: p.section,
          type: enumName(ProgType, info.type),
          id: info.id,
          tag: info.tag,
          xlated: info.xlatedProgLen,
          jited: info.jitedProgLen,
          class: obj.programs[p.name]!.constructor.name,
        };
      });
    const maps = obj.file.maps.map((m) => {
      const info = mapInfo(obj.mapFd(m.name));
      return {
        name: m.name,
        kernel_name: info.name,
        type: enumName(MapType, info.type),
        id: info.id,
        key: info.keySize,
        value: info.valueSize,
        max_entries: info.maxEntries,
        flags: info.flags,
      };
    });
    const pinned: string[] = [];
    if (values.pin) pinned.push(...obj.pin(values.pin, { maps: true }));
    const out = new LineWriter(io.stdout);
    if (values.json) {
      for (const p of programs) out.json({ kind: "program", ...p });
      for (const m of maps) out.json({ kind: "map", ...m });
      for (const p of pinned) out.json({ kind: "pin", path: p });
      for (const w of obj.warnings) out.json({ kind: "warning", message: w });
    } else {
      out.line(
        `${path}: ${programs.length} program${programs.length === 1 ? "" : "s"}, ${maps.length} map${maps.length === 1 ? "" : "s"}${values.pin ? `, pinned under ${values.pin}` : " (unloaded on exit; --pin DIR keeps them)"}`,
      );
      out.line("");
      for (const l of renderTable(
        [
          { header: "PROGRAM", value: (r: (typeof programs)[number]) => r.name },
          { header: "SECTION", value: (r) => r.section },
          { header: "TYPE", value: (r) => r.type },
          { header: "ID", value: (r) => r.id },
          { header: "TAG", value: (r) => r.tag },
          { header: "XLATED", value: (r) => r.xlated },
          { header: "JITED", value: (r) => r.jited },
        ],
        programs,
      ))
        out.line(l);
      out.line("");
      for (const l of renderTable(
        [
          { header: "MAP", value: (r: (typeof maps)[number]) => r.name },
          { header: "KERNEL NAME", value: (r) => r.kernel_name },
          { header: "TYPE", value: (r) => r.type },
          { header: "ID", value: (r) => r.id },
          { header: "KEY", value: (r) => r.key },
          { header: "VALUE", value: (r) => r.value },
          { header: "MAX", value: (r) => r.max_entries },
          { header: "FLAGS", value: (r) => `0x${r.flags.toString(16)}` },
        ],
        maps,
      ))
        out.line(l);
      for (const w of obj.warnings) out.line(`warning: ${w}`);
    }
    out.flush();
    return 0;
  } finally {
    obj.close();
  }
}

export default { name, summary, usage, run };
