// perf_event programs (BPF_PROG_TYPE_PERF_EVENT): run on each sample of a perf event, typically
// a clock firing N times a second on every CPU (a profiler). One perf event and one link per CPU,
// returned together as a single attachment.
import { ProgType } from "../uapi.js";
import { onlineCpus } from "../sys/cpus.js";
import { PerfSwConfig, PerfType, perfEventOpen } from "../sys/perf.js";
import type { Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { AttachmentGroup, attachToPerfEvent, type KindSpec, type ProgramRef } from "./tracing-common.js";

export interface PerfEventAttachOptions {
  /** The event (default: the software CPU clock, which every kernel has). */
  event?: { type: number; config: number | bigint };
  /** Sample every N events (N nanoseconds for the clocks). */
  samplePeriod?: number | bigint;
  /** Sample N times a second (default 99 when no period is given). */
  sampleFrequency?: number;
  /** CPUs to sample on (default: every online CPU). Ignored when `pid` is given. */
  cpus?: number | readonly number[];
  /** Sample this process only, on whatever CPU it runs. */
  pid?: number;
  /** Read in the program with bpf_get_attach_cookie(). */
  cookie?: bigint;
}

export const DEFAULT_SAMPLE_FREQUENCY = 99;

export class PerfEventProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): PerfEventProgram {
    const { fd, log } = loadRaw({ ...spec, type: ProgType.PERF_EVENT }, options);
    return new PerfEventProgram(fd, ProgType.PERF_EVENT, spec.name ?? "", log, spec.maps ?? []);
  }

  attach(options: PerfEventAttachOptions = {}): AttachmentGroup {
    return attachPerfEventProgram(this, options);
  }
}

/** Opens the event on each CPU (or for one pid) and attaches the program to every one of them. */
export function attachPerfEventProgram(program: ProgramRef, options: PerfEventAttachOptions = {}): AttachmentGroup {
  const event = options.event ?? { type: PerfType.SOFTWARE, config: PerfSwConfig.CPU_CLOCK };
  const sampling =
    options.samplePeriod !== undefined
      ? { samplePeriod: options.samplePeriod }
      : { sampleFrequency: options.sampleFrequency ?? DEFAULT_SAMPLE_FREQUENCY };
  const eventName =
    event.type === PerfType.SOFTWARE && event.config === PerfSwConfig.CPU_CLOCK
      ? "cpu-clock"
      : `perf event ${event.type}:${event.config}`;
  const rate = "samplePeriod" in sampling ? `every ${sampling.samplePeriod}` : `${sampling.sampleFrequency} Hz`;
  const targets: { pid: number; cpu: number; label: string }[] =
    options.pid !== undefined
      ? [{ pid: options.pid, cpu: -1, label: `pid ${options.pid}` }]
      : (options.cpus === undefined
          ? onlineCpus()
          : typeof options.cpus === "number"
            ? [options.cpus]
            : [...options.cpus]
        ).map((cpu) => ({ pid: -1, cpu, label: `cpu ${cpu}` }));

  const parts: Attachment[] = [];
  try {
    for (const t of targets) {
      const target = `${eventName} ${rate} on ${t.label}`;
      const fd = perfEventOpen(
        { type: event.type, config: event.config, ...sampling },
        t.pid,
        t.cpu,
        -1,
        undefined,
        target,
      );
      parts.push(attachToPerfEvent(program, fd, { target, cookie: options.cookie }));
    }
  } catch (err) {
    for (const p of parts) p.detach();
    throw err;
  }
  return new AttachmentGroup(`${eventName} ${rate} on ${targets.map((t) => t.label).join(", ")}`, parts);
}
