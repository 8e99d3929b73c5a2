import { TsbpfError } from "../errors.js";

/**
 * Errors raised while building, encoding or decoding BPF programs.
 * `label` / `line` are set when the problem is tied to one, so callers
 * (a compiler, an editor integration) can point at it without parsing text.
 */
export class AsmError extends TsbpfError {
  override readonly name = "AsmError";
  /** Label the error is about (unknown, duplicate, out of range). */
  readonly label?: string;
  /** 1-based source line, for the text assembler. */
  readonly line?: number;
  /** Instruction slot the error is about. */
  readonly slot?: number;

  constructor(message: string, details: { label?: string; line?: number; slot?: number } = {}) {
    super(message);
    if (details.label !== undefined) this.label = details.label;
    if (details.line !== undefined) this.line = details.line;
    if (details.slot !== undefined) this.slot = details.slot;
  }
}
