// Column-aligned text tables for the human output of the tools and the `tsbpf` command. Numbers
// align right, text left; the last column is not padded so lines carry no trailing spaces.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | bigint | boolean | undefined | null;
  /** Default: right for numbers and bigints, left otherwise. */
  align?: "left" | "right";
}

function cell(value: string | number | bigint | boolean | undefined | null): string {
  if (value === undefined || value === null) return "-";
  return String(value);
}

/** Renders rows under a header line; returns the lines (without newlines). */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string[] {
  const raw = rows.map((row) => columns.map((c) => c.value(row)));
  const cells = raw.map((values) => values.map(cell));
  const alignRight = columns.map(
    (c, i) =>
      c.align === "right" ||
      (c.align === undefined &&
        raw.length > 0 &&
        raw.every((values) => typeof values[i] === "number" || typeof values[i] === "bigint")),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const format = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        if (alignRight[i]) return v.padStart(widths[i]!);
        return last ? v : v.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [format(columns.map((c) => c.header)), ...cells.map(format)];
}
