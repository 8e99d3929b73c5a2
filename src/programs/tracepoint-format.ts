// The layout of a tracepoint's context, read from tracefs (events/CAT/NAME/format): programs
// find their fields by name instead of hard-coding offsets that change between kernels.
import { readFileSync } from "node:fs";
import { TargetNotFoundError } from "../sys/errors.js";
import { tracefsRoot } from "../sys/perf.js";

export interface TracepointField {
  name: string;
  /** C type as tracefs prints it, e.g. "pid_t" or "__data_loc char[]". */
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** A `__data_loc` field: a u32 whose low 16 bits are the data's offset in the record, high 16 its length. */
  dataLoc: boolean;
}

export interface TracepointFormat {
  category: string;
  name: string;
  id: number;
  fields: TracepointField[];
}

const FIELD = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

/** Parses the text of a tracefs `format` file. */
export function parseTracepointFormat(category: string, name: string, text: string): TracepointFormat {
  const id = Number(/^ID:\s*(\d+)/m.exec(text)?.[1] ?? NaN);
  const fields: TracepointField[] = [];
  for (const line of text.split("\n")) {
    const m = FIELD.exec(line);
    if (!m) continue;
    const decl = m[1]!.trim();
    const fieldName = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?$/.exec(decl)?.[1] ?? decl;
    fields.push({
      name: fieldName,
      type: decl.slice(0, decl.lastIndexOf(fieldName)).trim() + (decl.endsWith("]") ? "[]" : ""),
      offset: Number(m[2]),
      size: Number(m[3]),
      signed: m[4] === "1",
      dataLoc: decl.startsWith("__data_loc"),
    });
  }
  return { category, name, id, fields };
}

/** Reads and parses events/CATEGORY/NAME/format. */
export function tracepointFormat(category: string, name: string): TracepointFormat {
  const root = tracefsRoot();
  if (root === undefined) throw new TargetNotFoundError("tracepoint", `${category}:${name}`, "tracefs is not mounted");
  let text: string;
  try {
    text = readFileSync(`${root}/events/${category}/${name}/format`, "utf8");
  } catch {
    throw new TargetNotFoundError(
      "tracepoint",
      `${category}:${name}`,
      `no format file in ${root}/events/${category}/${name}`,
    );
  }
  return parseTracepointFormat(category, name, text);
}

/** The field named `field`, or a TargetNotFoundError listing the ones there are. */
export function tracepointField(format: TracepointFormat, field: string): TracepointField {
  const found = format.fields.find((f) => f.name === field);
  if (!found) {
    throw new TargetNotFoundError(
      "tracepoint field",
      `${format.category}:${format.name}.${field}`,
      `fields are ${format.fields.map((f) => f.name).join(", ")}`,
    );
  }
  return found;
}
