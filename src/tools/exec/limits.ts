// What the exec tracer reads per exec and how it names a failed exec's errno: shared by the tracer
// and the output formats, in a module of its own so that the formats (and `tsbpf exec --help`)
// load no kernel-side code.
/** Arguments the kernel side reads per exec (exec.bpf.ts MAX_ARGS). */
export const MAX_ARGS = 128;
/** Longest argument (and path) read whole, in bytes (exec.bpf.ts ARG_BYTES - 1). */
export const MAX_ARG_BYTES = 4095;

/** The errno names of the failures execve(2) documents, by number. */
export const EXEC_ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  7: "E2BIG",
  8: "ENOEXEC",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  26: "ETXTBSY",
  36: "ENAMETOOLONG",
  40: "ELOOP",
  80: "ELIBBAD",
};

/** "ENOENT" for -2; the number as text when unnamed. */
export function errnoName(ret: number): string {
  return EXEC_ERRNO_NAMES[-ret] ?? String(-ret);
}
