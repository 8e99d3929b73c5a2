// NDJSON output for the tools (`--json`): one JSON object per line, field names in snake_case,
// bigints as numbers while exact and as decimal strings beyond 2^53. Each tool documents its
// records in docs/tools.md; every record carries a "type" saying which schema it follows.

/** A JSON-safe number for a bigint: exact numbers stay numbers, larger values become strings. */
export function jsonNumber(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? jsonNumber(value) : value;
}

/** One record as a line of NDJSON (without the newline). */
export function ndjsonLine(record: object): string {
  return JSON.stringify(record, replacer);
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * Field names of `record` (recursively, through arrays) that are not snake_case. Tools' tests use
 * it to keep the schemas stable; the writer does not check at run time (it is on hot paths).
 */
export function nonSnakeCaseKeys(record: unknown, path = ""): string[] {
  const bad: string[] = [];
  if (Array.isArray(record)) {
    record.forEach((item, i) => bad.push(...nonSnakeCaseKeys(item, `${path}[${i}]`)));
  } else if (record !== null && typeof record === "object") {
    for (const [key, value] of Object.entries(record)) {
      const at = path ? `${path}.${key}` : key;
      if (!SNAKE_CASE.test(key)) bad.push(at);
      bad.push(...nonSnakeCaseKeys(value, at));
    }
  }
  return bad;
}

/** Writes records as NDJSON lines; each record is written at once, so lines never interleave. */
export class NdjsonWriter {
  constructor(private readonly write: (text: string) => void) {}

  record(record: { type: string; [field: string]: unknown }): void {
    this.write(`${ndjsonLine(record)}\n`);
  }
}
