// Compile errors: every one names file:line:col and gives a one-line reason.
import { TsbpfError } from "../errors.js";

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: error: ${d.message}`;
}

/** The source is outside the subset (or does not type-check); `diagnostics` has every problem found. */
export class CompileError extends TsbpfError {
  override name = "CompileError";
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.length === 0 ? "compilation failed" : diagnostics.map(formatDiagnostic).join("\n"));
  }
}

/** Thrown inside the front end to abandon the current function at its first error. */
export class Bail extends TsbpfError {
  constructor(readonly diagnostic: Diagnostic) {
    super(formatDiagnostic(diagnostic));
  }
}
