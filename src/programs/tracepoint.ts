// Tracepoint programs (BPF_PROG_TYPE_TRACEPOINT): attached to a tracefs event CATEGORY:NAME
// through a perf event. The context is the event's raw record, laid out as described in
// events/CAT/NAME/format.
import { ProgType } from "../uapi.js";
import { PerfSampleType, PerfType, perfEventOpen, tracepointId } from "../sys/perf.js";
import type { Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { attachToPerfEvent, type KindSpec, type PerfAttachMode, type ProgramRef } from "./tracing-common.js";

export interface TracepointAttachOptions {
  /** Read in the program with bpf_get_attach_cookie(). */
  cookie?: bigint;
  /** Perf link or PERF_EVENT_IOC_SET_BPF (default: a link when the kernel has them). */
  mode?: PerfAttachMode;
}

export class TracepointProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): TracepointProgram {
    const { fd, log } = loadRaw({ ...spec, type: ProgType.TRACEPOINT }, options);
    return new TracepointProgram(fd, ProgType.TRACEPOINT, spec.name ?? "", log, spec.maps ?? []);
  }

  /** Attaches to tracepoint `category:name` (e.g. "syscalls", "sys_enter_openat"). */
  attach(category: string, name: string, options: TracepointAttachOptions = {}): Attachment {
    return attachTracepoint(this, category, name, options);
  }
}

/**
 * Attaches a loaded tracepoint program to `category:name`. One perf event on CPU 0 for every
 * process is enough: the program then runs wherever the tracepoint fires.
 * Throws TargetNotFoundError for an unknown tracepoint and AlreadyAttachedError when this program
 * is attached there already.
 */
export function attachTracepoint(
  program: ProgramRef,
  category: string,
  name: string,
  options: TracepointAttachOptions = {},
): Attachment {
  const target = `tracepoint ${category}:${name}`;
  const id = tracepointId(category, name);
  const perfFd = perfEventOpen(
    { type: PerfType.TRACEPOINT, config: id, samplePeriod: 1, wakeupEvents: 1, sampleType: PerfSampleType.RAW },
    -1,
    0,
    -1,
    undefined,
    target,
  );
  return attachToPerfEvent(program, perfFd, { target, cookie: options.cookie, mode: options.mode });
}
