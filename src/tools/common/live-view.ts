// The tools' human output: on a terminal, a block of lines redrawn in place each interval; when
// stdout is a pipe or a file (or TERM=dumb), the same frames as plain lines, one after the other.
//
// Redrawing writes each frame with a single write(): cursor up over the previous frame, every
// line followed by "erase to end of line", then "erase below" for lines the new frame no longer
// has. Nothing is cleared first, so the screen never shows an empty frame (no flicker); terminals
// that know DEC mode 2026 (synchronized output) also get the frame as one atomic update. Lines
// are cut to the terminal width minus one column — a line that filled the last column would
// leave the cursor in the "pending wrap" state, where erasing would eat the last character —
// and a frame taller than the terminal is cut too, because the cursor cannot move above the
// screen's top to redraw it. After a resize the old frame may have been rewrapped by the
// terminal, so that one redraw clears the screen instead.

/** The stream a LiveView writes to (process.stdout, or a fake in tests). */
export interface LiveOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

export interface LiveViewOptions {
  /** Force in-place (true) or plain (false) output; default: whether `out` is a terminal and TERM is not "dumb". */
  tty?: boolean;
  /** Plain mode: text written between two frames (default an empty line). */
  separator?: string;
}

const ESC = "\x1b[";
const HIDE_CURSOR = `${ESC}?25l`,
  SHOW_CURSOR = `${ESC}?25h`;
const SYNC_BEGIN = `${ESC}?2026h`,
  SYNC_END = `${ESC}?2026l`;
const ERASE_LINE_END = `${ESC}K`,
  ERASE_BELOW = `${ESC}J`;

/** `line` cut to `width` columns (one column per UTF-16 code unit: the tools print ASCII). */
export function fitWidth(line: string, width: number): string {
  if (line.length <= width) return line;
  if (width <= 1) return line.slice(0, Math.max(0, width));
  return `${line.slice(0, width - 1)}…`;
}

/** Lines kept for a screen of `rows` rows: the frame, or its top and a line saying how much is hidden. */
export function fitHeight(lines: readonly string[], rows: number): string[] {
  const room = Math.max(1, rows - 1); // the cursor's line below the frame needs a row too
  if (lines.length <= room) return [...lines];
  const kept = Math.max(0, room - 1);
  return [...lines.slice(0, kept), `… ${lines.length - kept} more lines (enlarge the terminal)`];
}

export class LiveView {
  readonly tty: boolean;
  readonly #out: LiveOutput;
  readonly #separator: string;
  /** How many lines of the current frame are on the screen above the cursor. */
  #drawn = 0;
  #frames = 0;
  #last: readonly string[] = [];
  #resized = false;
  #finished = false;
  readonly #onResize = (): void => {
    this.#resized = true;
    if (this.#frames > 0 && !this.#finished) this.render(this.#last);
  };
  readonly #onExit = (): void => {
    this.finish();
  };

  constructor(out: LiveOutput = process.stdout, options: LiveViewOptions = {}) {
    this.#out = out;
    this.tty = options.tty ?? (out.isTTY === true && process.env.TERM !== "dumb");
    this.#separator = options.separator ?? "\n";
  }

  /** Shows `lines` as the current frame. */
  render(lines: readonly string[]): void {
    if (this.#finished) return;
    this.#last = lines;
    if (!this.tty) {
      const prefix = this.#frames > 0 ? this.#separator : "";
      this.#out.write(`${prefix}${lines.map((l) => `${l}\n`).join("")}`);
      this.#frames++;
      return;
    }
    if (this.#frames === 0) {
      this.#out.on?.("resize", this.#onResize);
      // A process that exits without finish() (an uncaught error) must not leave the cursor hidden.
      process.once("exit", this.#onExit);
    }
    // A pseudo-terminal may report 0×0 (size unknown): assume 80 columns and no height limit.
    const width = Math.max(2, (this.#out.columns || 80) - 1);
    const shown = fitHeight(lines, this.#out.rows || Infinity).map((l) => fitWidth(l, width));
    let text = SYNC_BEGIN;
    if (this.#frames === 0) text += HIDE_CURSOR;
    if (this.#resized) {
      text += `${ESC}H${ESC}2J`; // home, clear screen: the old frame's shape is unknown now
      this.#resized = false;
    } else if (this.#drawn > 0) {
      text += `\r${ESC}${this.#drawn}A`;
    }
    for (const line of shown) text += `${line}${ERASE_LINE_END}\n`;
    text += ERASE_BELOW + SYNC_END;
    this.#out.write(text);
    this.#drawn = shown.length;
    this.#frames++;
  }

  /** Ends live updating: the last frame stays, the cursor is shown below it; later output scrolls as usual. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.tty || this.#frames === 0) return;
    this.#out.off?.("resize", this.#onResize);
    process.off("exit", this.#onExit);
    this.#out.write(SHOW_CURSOR);
  }

  /** How many frames were rendered. */
  get frames(): number {
    return this.#frames;
  }
}
