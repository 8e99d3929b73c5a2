// `tsbpf prog list` and `tsbpf prog dump ID`: the programs loaded in the kernel (all of them,
// not only tsbpf's) and a program's instructions as the kernel runs them.
import { listPrograms, programListing, type ProgramRecord } from "../../introspect.js";
import { parseCommandArgs, parseId, UsageError } from "../../cmdline/args.js";
import { jsonValue, LineWriter, type CommandIo } from "../../cmdline/io.js";
import { renderTable } from "../../cmdline/table.js";

export const name = "prog";
export const summary = "list loaded programs (prog list), disassemble one (prog dump ID)";
export const usage = `usage: tsbpf prog list [--json]
       tsbpf prog dump ID [--opcodes] [--json]

  list   every program loaded in the kernel: id, type, name, tag, load time, owner, sizes,
         maps, run statistics (counted while BPF_ENABLE_STATS is on)
  dump   the program's instructions after verification (xlated), in the verifier's syntax;
         maps show as map[id:N], helpers and kernel functions by name
Options:
  --json      one JSON object per line (NDJSON)
  --opcodes   also print each instruction's raw bytes`;

function programJson(p: ProgramRecord): object {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    type_id: p.typeId,
    tag: p.tag,
    load_time_ns: jsonValue(p.loadTime),
    loaded_at: p.loadedAt.toISOString(),
    uid: p.uid,
    xlated_size: p.xlatedSize,
    jited_size: p.jitedSize,
    verified_insns: p.verifiedInsns,
    map_ids: p.mapIds,
    btf_id: p.btfId,
    run_cnt: jsonValue(p.runCount),
    run_time_ns: jsonValue(p.runTimeNs),
    recursion_misses: jsonValue(p.recursionMisses),
    gpl_compatible: p.gplCompatible,
    attach_btf_id: p.attachBtfId,
    attach_btf_obj_id: p.attachBtfObjId,
    ifindex: p.ifindex,
  };
}

function localTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function list(json: boolean, out: LineWriter): void {
  const programs = listPrograms();
  if (json) {
    for (const p of programs) out.json(programJson(p));
    return;
  }
  const lines = renderTable<ProgramRecord>(
    [
      { header: "ID", value: (p) => p.id },
      { header: "TYPE", value: (p) => p.type },
      { header: "NAME", value: (p) => p.name || "-" },
      { header: "TAG", value: (p) => p.tag },
      { header: "LOADED", value: (p) => localTime(p.loadedAt) },
      { header: "UID", value: (p) => p.uid },
      { header: "XLATED", value: (p) => p.xlatedSize },
      { header: "JITED", value: (p) => p.jitedSize },
      { header: "VERIFIED", value: (p) => p.verifiedInsns },
      { header: "MAPS", value: (p) => (p.mapIds.length ? p.mapIds.join(",") : "-") },
      { header: "BTF", value: (p) => p.btfId || "-", align: "right" },
      { header: "RUNS", value: (p) => p.runCount },
      { header: "RUN_NS", value: (p) => p.runTimeNs },
    ],
    programs,
  );
  for (const l of lines) out.line(l);
}

function dump(id: number, json: boolean, opcodes: boolean, out: LineWriter): void {
  const listing = programListing(id);
  if (json) {
    for (const l of listing)
      out.json({ index: l.index, code: l.code.toString(16).padStart(2, "0"), text: l.text, hex: l.hex });
    return;
  }
  const width = String(listing.at(-1)?.index ?? 0).length;
  for (const l of listing) {
    const prefix = `${String(l.index).padStart(width)}: (${l.code.toString(16).padStart(2, "0")}) ${l.text}`;
    out.line(opcodes ? `${prefix}\n${" ".repeat(width + 2)}${l.hex.replace(/(..)(?=.)/g, "$1 ")}` : prefix);
  }
}

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(argv, { opcodes: { type: "boolean" } }, usage);
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const [sub, ...rest] = positionals;
  const out = new LineWriter(io.stdout);
  try {
    switch (sub) {
      case "list":
      case "show":
      case undefined:
        if (rest.length) throw new UsageError(`prog list takes no arguments (got "${rest[0]}")`, usage);
        if (values.opcodes) throw new UsageError("--opcodes is an option of prog dump", usage);
        list(values.json === true, out);
        return 0;
      case "dump":
        if (rest.length > 1) throw new UsageError(`prog dump takes one id (got ${rest.length})`, usage);
        dump(parseId(rest[0], "program", usage), values.json === true, values.opcodes === true, out);
        return 0;
      default:
        throw new UsageError(`unknown prog subcommand "${sub}"`, usage);
    }
  } finally {
    out.flush();
  }
}

export default { name, summary, usage, run };
