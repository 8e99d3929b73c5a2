// Errors of the filter compiler. Every error knows where in the expression it happened, and can
// show the expression with a caret under the culprit, the way a compiler points at a line.

import { TsbpfError } from "../errors.js";

/** Characters of the expression `pretty` shows at most. */
const PRETTY_WIDTH = 120;

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
    /** False when no one place is at fault (the whole program is too large): no column, no caret. */
    readonly located: boolean = true,
  ) {
    super(located ? `${reason} (at column ${position + 1})` : reason);
  }

  /** The expression with a caret line under the culprit (a long one shown around the culprit only). */
  pretty(indent = "  "): string {
    if (!this.located) return this.reason;
    let text = this.expression;
    let at = this.position;
    if (text.length > PRETTY_WIDTH) {
      const from = Math.max(0, Math.min(at - PRETTY_WIDTH / 2, text.length - PRETTY_WIDTH));
      const to = Math.min(text.length, from + PRETTY_WIDTH);
      text = `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < this.expression.length ? "…" : ""}`;
      at = at - from + (from > 0 ? 1 : 0);
    }
    const width = Math.max(1, Math.min(this.length, Math.max(1, text.length - at)));
    return `${this.reason}\n${indent}${text}\n${indent}${" ".repeat(at)}${"^".repeat(width)}`;
  }
}
