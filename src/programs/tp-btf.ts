// BTF-typed tracepoints (BPF_PROG_TYPE_TRACING, expected attach type TRACE_RAW_TP): like raw
// tracepoints, but the verifier knows the argument types from the kernel's BTF, so the program
// can read `task->pid` directly. The target is fixed at load time through attach_btf_id, the id
// of the `btf_trace_<event>` typedef.
import { AttachType, ProgType } from "../uapi.js";
import { linkCreate, rawTracepointOpen } from "../sys/bpf.js";
import { Errno, TsbpfError } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import { Link } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { vmlinuxBtfId, type KindSpec, type ProgramRef } from "./tracing-common.js";

export interface TpBtfSpec extends KindSpec {
  /** The event, e.g. "sched_process_exec" (no category). Or give attachBtfId yourself. */
  tracepoint?: string;
}

/** attach_btf_id for tp_btf on `event`: the id of typedef btf_trace_<event> in vmlinux BTF. */
export function tpBtfTargetId(event: string): number {
  return vmlinuxBtfId(
    "typedef",
    `btf_trace_${event}`,
    "BTF tracepoint",
    event,
    `the kernel's BTF has no btf_trace_${event} typedef: there is no such tracepoint (tp_btf takes the bare event name, e.g. "sched_switch")`,
  );
}

export class TpBtfProgram extends Program {
  #tracepoint: string | undefined;

  /** The event the program was loaded for (undefined when loaded by attachBtfId). */
  get tracepoint(): string | undefined {
    return this.#tracepoint;
  }

  static override load(spec: TpBtfSpec, options: LoadOptions = {}): TpBtfProgram {
    const { tracepoint, ...rest } = spec;
    if (tracepoint === undefined && spec.attachBtfId === undefined) {
      throw new TsbpfError(
        `tp_btf program "${spec.name ?? ""}": name the tracepoint (spec.tracepoint) or give attachBtfId`,
      );
    }
    const attachBtfId = tracepoint === undefined ? spec.attachBtfId : tpBtfTargetId(tracepoint);
    const { fd, log } = loadRaw(
      { ...rest, type: ProgType.TRACING, expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId },
      options,
    );
    const program = new TpBtfProgram(fd, ProgType.TRACING, spec.name ?? "", log, spec.maps ?? []);
    program.#tracepoint = tracepoint;
    return program;
  }

  /** Attaches to the tracepoint chosen at load time. */
  attach(options: { cookie?: bigint } = {}): Link {
    return attachTracing(this, AttachType.TRACE_RAW_TP, `tp_btf ${this.tracepoint ?? "(by btf id)"}`, options.cookie);
  }
}

/**
 * Attaches a TRACING program (tp_btf, fentry, fexit, fmod_ret) to the target fixed at load time:
 * LINK_CREATE, or RAW_TRACEPOINT_OPEN with no name on kernels whose LINK_CREATE does not take it.
 */
export function attachTracing(program: ProgramRef, attachType: number, description: string, cookie = 0n): Link {
  try {
    return new Link(
      linkCreate(program.fd, 0, attachType, 0, { kind: "tracing", targetBtfId: 0, cookie }, description),
      description,
    );
  } catch (err) {
    if (!(err instanceof SyscallError) || err.errno !== Errno.EINVAL || cookie !== 0n) throw err;
  }
  return new Link(rawTracepointOpen(null, program.fd), description);
}
