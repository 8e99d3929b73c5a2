// Errors of the filter compiler. Every error knows where in the expression it happened, and can
// show the expression with a caret under the culprit, the way a compiler points at a line.

import { TsbpfError } from "../errors.js";

export type FilterErrorKind = "syntax" | "semantic" | "unsupported";

export class FilterError extends TsbpfError {
  override name = "FilterError";
  constructor(
    readonly kind: FilterErrorKind,
    /** The message without position (tcpdump's wording where tcpdump has one). */
    readonly reason: string,
    readonly expression: string,
    /** 0-based offset of the culprit in the expression. */
    readonly position: number,
    /** Length of the culprit (at least 1 for display). */
    readonly length: number = 1,
  ) {
    super(`${reason} (at column ${position + 1})`);
  }

  /** The expression with a caret line under the culprit. */
  pretty(indent = "  "): string {
    const width = Math.max(1, Math.min(this.length, Math.max(1, this.expression.length - this.position)));
    return `${this.reason}\n${indent}${this.expression}\n${indent}${" ".repeat(this.position)}${"^".repeat(width)}`;
  }
}
