// The agent's NDJSON file, rotated by size as logrotate's "size" rule and most agents do: when a
// line would take the file past maxBytes, FILE becomes FILE.1 (FILE.1 becomes FILE.2 …, the oldest
// beyond `keep` is removed) and a new FILE starts. Lines are never split across files, so every file
// is valid NDJSON; the disk used is bounded by (keep + 1) × maxBytes.
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { TsbpfError } from "../../errors.js";

export class RotatingFile implements Disposable {
  #fd: number;
  #size: number;
  #rotations = 0;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
    readonly keep: number,
  ) {
    this.#fd = RotatingFile.#open(path);
    this.#size = fstatSync(this.#fd).size;
  }

  static #open(path: string): number {
    try {
      return openSync(path, "a", 0o640);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new TsbpfError(`cannot open the events file ${path}: ${code}`);
    }
  }

  /** Files rotated away since start. */
  get rotations(): number {
    return this.#rotations;
  }

  /** Appends whole lines (the text of one or more records). */
  write(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.#size > 0 && this.#size + bytes > this.maxBytes) this.#rotate();
    writeSync(this.#fd, text);
    this.#size += bytes;
  }

  #rotate(): void {
    closeSync(this.#fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--)
      if (existsSync(`${this.path}.${n}`)) renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
    renameSync(this.path, `${this.path}.1`);
    this.#fd = RotatingFile.#open(this.path);
    this.#size = 0;
    this.#rotations++;
  }

  [Symbol.dispose](): void {
    closeSync(this.#fd);
  }
}
