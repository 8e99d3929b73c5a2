// `tsbpf link list`: every bpf_link in the kernel, with its program and where it is attached.
import { listLinks, type LinkRecord, type LinkTarget } from "../../introspect.js";
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { jsonValue, LineWriter, type CommandIo } from "../../cmdline/io.js";
import { renderTable } from "../../cmdline/table.js";

export const name = "link";
export const summary = "list bpf_links (link list)";
export const usage = `usage: tsbpf link list [--json]

  list   every bpf_link in the kernel: id, type, program id, attach type and target
Options:
  --json   one JSON object per line (NDJSON)`;

/** The target's fields in snake_case, bigints made JSON-safe. */
function targetJson(target: LinkTarget): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (typeof value === "bigint") out[key] = jsonValue(value);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) put(`${key}_${snake(k)}`, v);
    } else out[key] = value;
  };
  for (const [k, v] of Object.entries(target)) if (k !== "kind") put(snake(k), v);
  return out;
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function linkJson(l: LinkRecord): object {
  return {
    id: l.id,
    type: l.type,
    type_id: l.typeId,
    prog_id: l.progId,
    attach_type: l.attachType ?? null,
    target: l.targetText,
    details: targetJson(l.target),
  };
}

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(argv, {}, usage);
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const [sub, ...rest] = positionals;
  if (sub !== undefined && sub !== "list" && sub !== "show")
    throw new UsageError(`unknown link subcommand "${sub}"`, usage);
  if (rest.length) throw new UsageError(`link list takes no arguments (got "${rest[0]}")`, usage);
  const out = new LineWriter(io.stdout);
  try {
    const links = listLinks();
    if (values.json) {
      for (const l of links) out.json(linkJson(l));
    } else {
      for (const line of renderTable<LinkRecord>(
        [
          { header: "ID", value: (l) => l.id },
          { header: "TYPE", value: (l) => l.type },
          { header: "PROG", value: (l) => l.progId || "-", align: "right" },
          { header: "ATTACH_TYPE", value: (l) => l.attachType ?? "-" },
          { header: "TARGET", value: (l) => l.targetText || "-" },
        ],
        links,
      ))
        out.line(line);
    }
  } finally {
    out.flush();
  }
  return 0;
}

export default { name, summary, usage, run };
