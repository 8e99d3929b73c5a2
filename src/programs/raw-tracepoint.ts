// Raw tracepoint programs (BPF_PROG_TYPE_RAW_TRACEPOINT): attached by tracepoint name alone
// ("sys_enter", "sched_switch") with BPF_RAW_TRACEPOINT_OPEN. The context is the tracepoint's
// raw arguments, an array of u64.
import { ProgType } from "../uapi.js";
import { rawTracepointOpen } from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { SyscallError, TargetNotFoundError } from "../sys/errors.js";
import { Link } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import type { KindSpec, ProgramRef } from "./tracing-common.js";

export class RawTracepointProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): RawTracepointProgram {
    const { fd, log } = loadRaw({ ...spec, type: ProgType.RAW_TRACEPOINT }, options);
    return new RawTracepointProgram(fd, ProgType.RAW_TRACEPOINT, spec.name ?? "", log, spec.maps ?? []);
  }

  /** Attaches to the raw tracepoint `name` (no category: "sys_enter", not "raw_syscalls:sys_enter"). */
  attach(name: string): Link {
    return attachRawTracepoint(this, name);
  }
}

/** BPF_RAW_TRACEPOINT_OPEN: returns a link; an unknown name becomes TargetNotFoundError. */
export function attachRawTracepoint(program: ProgramRef, name: string): Link {
  try {
    return new Link(rawTracepointOpen(name, program.fd), `raw_tracepoint ${name}`);
  } catch (err) {
    if (err instanceof SyscallError && err.errno === Errno.ENOENT) {
      throw new TargetNotFoundError(
        "raw tracepoint",
        name,
        'the kernel has no tracepoint of that name (use the bare name, e.g. "sched_switch")',
      );
    }
    throw err;
  }
}
