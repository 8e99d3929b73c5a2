// `tsbpf gen types prog.bpf.o [-o FILE]`: writes a TypeScript module for an eBPF object — its
// structs from its BTF, its maps, programs and global variables with their types, and a typed
// loader — so `obj.maps.events` and `obj.variables.min_duration` are typed. Pure: it reads the
// file, loads nothing.
import { basename } from "node:path";
import { BpfObjectFile } from "../../object/object.js";
import { generateTypes } from "../../loader/gen-types.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { type CommandIo } from "../../cmdline/io.js";
import { checkInputPath, FileError, readInputFile, writeOutputFile } from "../../cmdline/files.js";

export const name = "gen";
export const summary = "generate TypeScript types for an eBPF object (gen types OBJECT.o)";
export const usage = `usage: tsbpf gen types OBJECT.o [-o FILE.ts] [--import-from MODULE] [--prefix NAME] [--all-types]

  Prints (or writes to FILE.ts) a module with the object's structs as interfaces, its maps with
  their handle classes and key/value types, its programs with their classes, its global
  variables, and load<Name>(path, options) returning a typed BpfObject.
Options:
  -o, --output FILE     write the module there instead of stdout
  --import-from MODULE  where the generated code imports tsbpf from (default "tsbpf")
  --prefix NAME         prefix of the generated type names (default: from the file name)
  --all-types           declare every named struct and union of the object's BTF (default: those
                        maps and variables hold, and those pointer variables point to)`;

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      output: { type: "string", short: "o" },
      "import-from": { type: "string" },
      prefix: { type: "string" },
      "all-types": { type: "boolean" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals[0] !== "types")
    throw new UsageError(
      positionals.length ? `unknown gen target "${positionals[0]}" (only "types")` : 'missing "types"',
      usage,
    );
  if (positionals.length !== 2) throw new UsageError("give one object file: tsbpf gen types OBJECT.o", usage);
  const path = positionals[1]!;
  checkInputPath(path);
  const bytes = readInputFile(path, {
    purpose: "an object file",
    checkStart: (start) => {
      if (!(start[0] === 0x7f && start.toString("latin1", 1, 4) === "ELF"))
        throw new FileError(path, "EFTYPE", "not an ELF object (gen types reads clang-built .o files)");
    },
  });
  const file = BpfObjectFile.parse(bytes, { file: path, name: basename(path).split(".")[0] });
  const source = generateTypes(file, {
    importFrom: values["import-from"],
    objectPath: path,
    prefix: values.prefix,
    allTypes: values["all-types"],
  });
  if (values.output) writeOutputFile(values.output, source);
  else io.stdout(source);
  return 0;
}

export default { name, summary, usage, run };
