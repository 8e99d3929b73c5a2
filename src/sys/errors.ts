// Typed errors: every failed system call becomes an error that names the operation, the errno
// and, where we know it, what the user can do about it.

import { Errno, errnoName, TsbpfError } from "../errors.js";

/** What an errno usually means for the bpf() and perf_event_open() calls. */
function hintFor(operation: string, errno: number): string | undefined {
  switch (errno) {
    case Errno.EPERM:
    case Errno.EACCES:
      return operation.startsWith("perf_event_open")
        ? "needs root or CAP_PERFMON (and CAP_BPF to attach programs)"
        : "needs root or CAP_BPF (CAP_NET_ADMIN for network hooks, CAP_PERFMON for tracing)";
    case Errno.E2BIG:
      return operation.includes("UPDATE")
        ? "the map is full (max_entries reached)"
        : "an argument is too big for this kernel (attr or program size)";
    case Errno.ENOSPC:
      return operation.includes("LOG") || operation.includes("PROG_LOAD")
        ? "the verifier log buffer is too small"
        : "no space left: the map or ring buffer is full";
    case Errno.EEXIST:
      return "already exists: the key is present (BPF_NOEXIST), or something is already attached here";
    case Errno.ENOENT:
      return operation.includes("LOOKUP") || operation.includes("DELETE")
        ? "no such key"
        : "no such object, path or kernel symbol";
    case Errno.EBADF:
      return "the file descriptor is closed or not of the right kind";
    case Errno.EINVAL:
      return "the kernel rejected an argument (wrong type, flags or sizes for this map/program/attach kind)";
    case Errno.EOPNOTSUPP:
    case Errno.ENOTSUPP:
      return "this kernel does not support the operation";
    case Errno.ENOSYS:
      return "this kernel was built without the system call";
    case Errno.EBUSY:
      return "busy: another program is attached, or the device is in use";
    case Errno.ENODEV:
      return "no such device (interface)";
    default:
      return undefined;
  }
}

/** A system call failed. `operation` is e.g. "BPF_MAP_CREATE" or "perf_event_open". */
export class SyscallError extends TsbpfError {
  override name = "SyscallError";
  readonly code: string;
  readonly hint: string | undefined;
  constructor(
    readonly operation: string,
    readonly errno: number,
    detail?: string,
  ) {
    const code = errnoName(errno);
    const hint = hintFor(operation, errno);
    super(`${operation} failed: ${code}${hint ? ` (${hint})` : ""}${detail ? `: ${detail}` : ""}`);
    this.code = code;
    this.hint = hint;
  }
}

/** The caller lacks a privilege (EPERM/EACCES). */
export class PermissionError extends SyscallError {
  override name = "PermissionError";
}

/** This kernel lacks a feature. `feature` says which, in words a user understands. */
export class NotSupportedError extends TsbpfError {
  override name = "NotSupportedError";
  constructor(
    readonly feature: string,
    readonly reason: string,
    readonly errno?: number,
  ) {
    super(`this kernel does not support ${feature}: ${reason}`);
  }
}

/** Builds the right error class for a failed call. */
export function syscallError(operation: string, errno: number, detail?: string): SyscallError {
  if (errno === Errno.EPERM || errno === Errno.EACCES) return new PermissionError(operation, errno, detail);
  return new SyscallError(operation, errno, detail);
}

/**
 * An attach target does not exist: a tracepoint, a kernel function or BTF type, a symbol in an
 * ELF file. `kind` says what was looked for ("tracepoint", "symbol", …), `target` its name.
 */
export class TargetNotFoundError extends TsbpfError {
  override name = "TargetNotFoundError";
  constructor(
    readonly kind: string,
    readonly target: string,
    readonly reason?: string,
  ) {
    super(`${kind} "${target}" not found${reason ? `: ${reason}` : ""}`);
  }
}

/** The program is already attached to this hook (the kernel answered EEXIST). */
export class AlreadyAttachedError extends TsbpfError {
  override name = "AlreadyAttachedError";
  constructor(
    readonly programName: string,
    readonly target: string,
    detail?: string,
  ) {
    super(`program "${programName}" is already attached to ${target}${detail ? `: ${detail}` : ""}`);
  }
}
