// Files named on the command line: reading and writing them, and a failure said the way the
// shell says it (`FILE: No such file or directory`), never Node's `ENOENT: …, open 'FILE'`.
import { closeSync, fstatSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { TsbpfError } from "../errors.js";

/** A file named on the command line could not be read or written. */
export class FileError extends TsbpfError {
  override name = "FileError";
  constructor(
    readonly path: string,
    readonly code: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  EROFS: "Read-only file system",
  ENOSPC: "No space left on device",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EMFILE: "Too many open files",
};

/**
 * `err` from a file operation on `path` as a FileError with the system's wording; anything that
 * is not a file-system error (or is tsbpf's own already) is returned unchanged.
 */
export function fileError(path: string, err: unknown): unknown {
  if (err instanceof TsbpfError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return err;
  return new FileError(
    path,
    code,
    REASONS[code] ?? (err as Error).message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*'$/, ""),
  );
}

/** The most a command reads of a file unless it says otherwise: far more than any eBPF object. */
export const DEFAULT_INPUT_LIMIT = 64 * 1024 * 1024;

export interface ReadInputOptions {
  /** "-" means standard input. */
  stdin?: boolean;
  /** The descriptor "-" reads (default 0). */
  stdinFd?: number;
  /** Bytes read at most (default DEFAULT_INPUT_LIMIT); a longer input is a FileError naming the limit. */
  limit?: number;
  /** What the file is for, in the limit's message (e.g. "an object file", "--data"). */
  purpose?: string;
  /**
   * Checks the first bytes (at least 4, or the whole input when shorter) as soon as they are read
   * and throws when they cannot be the right kind of file: a wrong file fails at once, not after
   * the limit's worth of it was read.
   */
  checkStart?: (start: Buffer) => void;
}

/** Reads a file named on the command line ("-" is stdin when `stdin` allows it), with a bound. */
export function readInputFile(path: string, options: ReadInputOptions = {}): Buffer {
  const limit = options.limit ?? DEFAULT_INPUT_LIMIT;
  const fromStdin = options.stdin === true && path === "-";
  let fd: number;
  try {
    fd = fromStdin ? (options.stdinFd ?? 0) : openSync(path, "r");
  } catch (err) {
    throw fileError(path, err);
  }
  const tooLong = (): FileError =>
    new FileError(
      path,
      "EFBIG",
      `more than ${sizeText(limit)}, the most read${options.purpose ? ` for ${options.purpose}` : ""}`,
    );
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new FileError(path, "EISDIR", REASONS.EISDIR!);
    // A regular file says its size; pipes and devices are read until the limit.
    if (stat.isFile() && stat.size > limit) throw tooLong();
    let buffer = Buffer.allocUnsafe(stat.isFile() ? Math.min(stat.size + 1, limit + 1) : Math.min(65536, limit + 1));
    let used = 0;
    let checked = options.checkStart === undefined;
    for (;;) {
      if (used === buffer.length) {
        if (used > limit) throw tooLong();
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
        buffer.copy(bigger, 0, 0, used);
        buffer = bigger;
      }
      const n = readSome(fd, buffer, used);
      if (n === 0) break;
      used += n;
      if (!checked && used >= 4) {
        checked = true;
        options.checkStart!(buffer.subarray(0, used));
      }
    }
    if (!checked) options.checkStart!(buffer.subarray(0, used));
    return buffer.subarray(0, used);
  } catch (err) {
    throw fileError(path, err);
  } finally {
    if (!fromStdin) closeSync(fd);
  }
}

/** The first `length` bytes of a file (fewer when it is shorter), read without the rest. */
export function readInputStart(path: string, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const buffer = Buffer.alloc(length);
    let used = 0;
    while (used < length) {
      const n = readSome(fd, buffer.subarray(0, length), used);
      if (n === 0) break;
      used += n;
    }
    return buffer.subarray(0, used);
  } catch (err) {
    throw fileError(path, err);
  } finally {
    closeSync(fd);
  }
}

/** read(2) at the end of what was read; a non-blocking descriptor (a pipe set so) is waited for. */
function readSome(fd: number, buffer: Buffer, at: number): number {
  for (;;) {
    try {
      return readSync(fd, buffer, at, buffer.length - at, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Throws FileError unless `path` is a readable regular file (or, with `directory`, a directory). */
export function checkInputPath(path: string, options: { directory?: boolean } = {}): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    throw fileError(path, err);
  }
  if (isDirectory && !options.directory) throw new FileError(path, "EISDIR", REASONS.EISDIR!);
  // Opening it answers "Permission denied" now rather than deep inside a library.
  if (!isDirectory) {
    try {
      closeSync(openSync(path, "r"));
    } catch (err) {
      throw fileError(path, err);
    }
  }
}

/** Writes a file named on the command line. */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw fileError(path, err);
  }
}
