// `tsbpf gen-kernel tracepoint CAT:NAME…` and `tsbpf gen-kernel vmlinux --event E --struct S…`:
// TypeScript declarations of this kernel's tracepoint records and kernel structs, for kernel
// TypeScript (the compiler reads the real layouts itself; these are what tsc and editors see).
import { generateTracepoints, generateVmlinux } from "../../compiler/gen.js";
import { tracepointFormat } from "../../programs/tracepoint-format.js";
import { kernelBtf } from "../../btf/vmlinux.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { type CommandIo } from "../../cmdline/io.js";
import { writeOutputFile } from "../../cmdline/files.js";

export const name = "gen-kernel";
export const summary = "declarations of tracepoint records and kernel structs for kernel TypeScript";
export const usage = `usage: tsbpf gen-kernel tracepoint CAT:NAME... [-o FILE.ts] [--module tsbpf/kernel]
       tsbpf gen-kernel vmlinux [--event EVENT]... [--struct NAME]... [--struct-ops NAME]... [--depth N]
                            [-o FILE.ts] [--module tsbpf/kernel]

  tracepoint  the fields of tracefs events (events/CAT/NAME/format), so ctx.FIELD type-checks in
              tracepoint("CAT/NAME", (ctx) => …)
  vmlinux     kernel structs from /sys/kernel/btf/vmlinux as interfaces (pointers read through) and
              the argument types of tp_btf events; --struct-ops NAME declares a struct_ops type's
              callbacks and data for structOps("NAME", { … })
Output is a module augmenting --module's Tracepoints / TpBtfEvents (default "tsbpf/kernel");
import it once from your kernel sources.`;

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      output: { type: "string", short: "o" },
      module: { type: "string" },
      event: { type: "string", multiple: true },
      struct: { type: "string", multiple: true },
      "struct-ops": { type: "string", multiple: true },
      depth: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const [what, ...rest] = positionals;
  const module = values.module ?? "tsbpf/kernel";
  let text: string;
  if (what === "tracepoint") {
    if (rest.length === 0) throw new UsageError("name at least one tracepoint as CATEGORY:NAME", usage);
    const formats = rest.map((t) => {
      const [cat, ev] = t.split(":");
      if (!cat || !ev) throw new UsageError(`"${t}" is not CATEGORY:NAME`, usage);
      return tracepointFormat(cat, ev);
    });
    text = generateTracepoints(formats, module);
  } else if (what === "vmlinux") {
    const depth = values.depth === undefined ? 0 : Number(values.depth);
    if (!Number.isInteger(depth) || depth < 0 || depth > 3)
      throw new UsageError(`--depth wants 0, 1, 2 or 3, not "${values.depth}"`, usage);
    const structOps = values["struct-ops"];
    text = generateVmlinux(
      kernelBtf(),
      { events: values.event ?? [], structs: values.struct ?? [], depth, ...(structOps ? { structOps } : {}) },
      module,
    );
  } else {
    throw new UsageError(
      what ? `unknown target "${what}" (tracepoint or vmlinux)` : "missing target (tracepoint or vmlinux)",
      usage,
    );
  }
  if (values.output) writeOutputFile(values.output, text);
  else io.stdout(text);
  return 0;
}
