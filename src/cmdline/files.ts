// Files named on the command line: reading and writing them, and a failure said the way the
// shell says it (`FILE: No such file or directory`), never Node's `ENOENT: …, open 'FILE'`.
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
 * is not a file-system error is returned unchanged.
 */
export function fileError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return err;
  return new FileError(
    path,
    code,
    REASONS[code] ?? (err as Error).message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*'$/, ""),
  );
}

/** Reads a file named on the command line ("-" is stdin when `stdin` allows it). */
export function readInputFile(path: string, options: { stdin?: boolean; stdinFd?: number } = {}): Buffer {
  try {
    return options.stdin && path === "-" ? readFileSync(options.stdinFd ?? 0) : readFileSync(path);
  } catch (err) {
    throw fileError(path, err);
  }
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
