// What the tracing program kinds share: the spec they accept, and attaching a program to a perf
// event (tracepoint, uprobe, kprobe, software clock) through a perf bpf_link, falling back to
// PERF_EVENT_IOC_SET_BPF on kernels without perf links.
import { closeFd, linkCreate } from "../sys/bpf.js";
import { Errno, TsbpfError } from "../errors.js";
import {
  AlreadyAttachedError,
  NotSupportedError,
  SyscallError,
  syscallError,
  TargetNotFoundError,
} from "../sys/errors.js";
import { hasKernelBtf, kernelBtf } from "../btf/vmlinux.js";
import { perfEventDisable, perfEventEnable, perfEventSetBpfErrno } from "../sys/perf.js";
import { AttachType } from "../uapi.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import type { ProgramSpec } from "./program.js";

/** A program spec without the fields a program kind decides itself. */
export type KindSpec = Omit<ProgramSpec, "type" | "expectedAttachType">;

/** Anything with a program fd (a Program of any kind, or one loaded elsewhere). */
export interface ProgramRef {
  readonly fd: number;
  readonly name?: string;
}

export interface PerfAttachOptions {
  /** What the attachment is, e.g. "tracepoint syscalls:sys_enter_getpid". */
  target: string;
  /** A value the program reads with bpf_get_attach_cookie() (needs a perf link). */
  cookie?: bigint;
  /**
   * "link": a perf bpf_link (Linux 5.15+); "ioctl": PERF_EVENT_IOC_SET_BPF, the older way with no
   * link; "auto" (default): a link, or the ioctl when the kernel has no perf links.
   */
  mode?: PerfAttachMode;
}

export type PerfAttachMode = "auto" | "link" | "ioctl";

/**
 * Attaches `program` to the perf event `perfFd` and takes ownership of the fd: the returned
 * attachment closes it, and so does a failure here.
 */
export function attachToPerfEvent(program: ProgramRef, perfFd: number, options: PerfAttachOptions): Attachment {
  const name = program.name ?? "";
  const cookie = options.cookie ?? 0n;
  const mode = options.mode ?? "auto";
  try {
    if (mode !== "ioctl") {
      const linkFd = perfLinkCreate(program.fd, perfFd, cookie, options.target);
      if (linkFd >= 0) return new Link(linkFd, `${options.target} (perf link)`, [perfFd]);
      const errno = -linkFd;
      if (errno === Errno.EEXIST)
        throw new AlreadyAttachedError(
          name,
          options.target,
          "the kernel answered EEXIST (a program attaches to a tracepoint or probe only once)",
        );
      // Kernels before 5.15 have no perf links and answer EINVAL; anything else is a real failure.
      const noPerfLinks = errno === Errno.EINVAL || errno === Errno.EOPNOTSUPP || errno === Errno.ENOTSUPP;
      if (mode === "link" || !noPerfLinks) throw syscallError("BPF_LINK_CREATE", errno, options.target);
    }
    if (cookie !== 0n)
      throw new TsbpfError(
        `${options.target}: attach cookies need a perf link, and ${mode === "ioctl" ? "the ioctl was asked for" : "this kernel has none"}`,
      );
    const ret = perfEventSetBpfErrno(perfFd, program.fd);
    if (ret === -Errno.EEXIST) throw new AlreadyAttachedError(name, options.target, "the kernel answered EEXIST");
    if (ret < 0) throw syscallError("ioctl(PERF_EVENT_IOC_SET_BPF)", -ret, options.target);
    perfEventEnable(perfFd);
    return new LegacyAttachment(`${options.target} (perf event ioctl)`, () => {
      try {
        perfEventDisable(perfFd);
      } finally {
        closeFd(perfFd);
      }
    });
  } catch (err) {
    closeFd(perfFd);
    throw err;
  }
}

/** LINK_CREATE(PERF_EVENT): the link fd, or -errno. */
function perfLinkCreate(progFd: number, perfFd: number, cookie: bigint, target: string): number {
  let linkFd: number;
  try {
    linkFd = linkCreate(progFd, perfFd, AttachType.PERF_EVENT, 0, { kind: "perf_event", cookie }, target);
  } catch (err) {
    if (err instanceof SyscallError) return -err.errno;
    throw err;
  }
  // Events are opened enabled, so this is a no-op kept for events opened disabled.
  try {
    perfEventEnable(perfFd);
  } catch {
    /* the link already holds the program */
  }
  return linkFd;
}

/** Several attachments that detach together (one per CPU, one per probe…). */
export class AttachmentGroup implements Attachment {
  #parts: Attachment[];
  constructor(
    readonly description: string,
    parts: Attachment[],
  ) {
    this.#parts = parts;
  }
  get parts(): readonly Attachment[] {
    return this.#parts;
  }
  get detached(): boolean {
    return this.#parts.length === 0;
  }
  detach(): void {
    const parts = this.#parts;
    this.#parts = [];
    let first: unknown;
    for (const part of parts) {
      try {
        part.detach();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
  [Symbol.dispose](): void {
    this.detach();
  }
}

/**
 * The id of a type in the running kernel's BTF, for attach_btf_id. Throws NotSupportedError when
 * the kernel has no BTF and TargetNotFoundError (with `hint`) when there is no such type.
 */
export function vmlinuxBtfId(
  kind: "typedef" | "func",
  typeName: string,
  targetKind: string,
  target: string,
  hint: string,
): number {
  if (!hasKernelBtf()) {
    throw new NotSupportedError(
      `${targetKind}s`,
      "the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing; it needs CONFIG_DEBUG_INFO_BTF)",
    );
  }
  const ids = kernelBtf().findByName(typeName, kind);
  if (ids.length === 0) throw new TargetNotFoundError(targetKind, target, hint);
  return ids[0]!;
}
