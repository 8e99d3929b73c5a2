// fentry / fexit / fmod_ret programs (BPF_PROG_TYPE_TRACING with attach types 24/25/26): they
// run at the entry or exit of a kernel function through a BPF trampoline, with the arguments
// typed from BTF. The function is fixed at load time through attach_btf_id (its FUNC in vmlinux
// BTF). Some hosts forbid these programs by policy: BPF_PROG_LOAD then answers EPERM with an
// empty verifier log even for root, which becomes a NotSupportedError that says so.
import { AttachType, ProgType } from "../uapi.js";
import { TsbpfError } from "../errors.js";
import { NotSupportedError } from "../sys/errors.js";
import type { Link } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { vmlinuxBtfId, type KindSpec } from "./tracing-common.js";
import { attachTracing } from "./tp-btf.js";

export type TracingKind = "fentry" | "fexit" | "fmod_ret";

const ATTACH_TYPES: Record<TracingKind, number> = {
  fentry: AttachType.TRACE_FENTRY,
  fexit: AttachType.TRACE_FEXIT,
  fmod_ret: AttachType.MODIFY_RETURN,
};

export interface FentrySpec extends KindSpec {
  /** The kernel function, e.g. "do_unlinkat". Or give attachBtfId yourself. */
  function?: string;
  /** Default "fentry". */
  kind?: TracingKind;
}

/** attach_btf_id for a kernel function: the id of its FUNC in vmlinux BTF. */
export function kernelFunctionBtfId(name: string): number {
  return vmlinuxBtfId(
    "func",
    name,
    "kernel function",
    name,
    "the kernel's BTF has no FUNC of that name (it may be inlined, static without BTF, or misspelled)",
  );
}

export class FentryProgram extends Program {
  #function: string | undefined;
  #kind: TracingKind = "fentry";

  get function(): string | undefined {
    return this.#function;
  }
  get kind(): TracingKind {
    return this.#kind;
  }

  static override load(spec: FentrySpec, options: LoadOptions = {}): FentryProgram {
    const { function: target, kind = "fentry", ...rest } = spec;
    const attachType = ATTACH_TYPES[kind];
    if (attachType === undefined)
      throw new TsbpfError(`unknown tracing kind "${String(kind)}" (use fentry, fexit or fmod_ret)`);
    if (target === undefined && spec.attachBtfId === undefined) {
      throw new TsbpfError(
        `${kind} program "${spec.name ?? ""}": name the kernel function (spec.function) or give attachBtfId`,
      );
    }
    const attachBtfId = target === undefined ? spec.attachBtfId : kernelFunctionBtfId(target);
    let loaded;
    try {
      loaded = loadRaw({ ...rest, type: ProgType.TRACING, expectedAttachType: attachType, attachBtfId }, options);
    } catch (err) {
      if (err instanceof NotSupportedError) {
        throw new NotSupportedError(
          `${kind} programs`,
          `BPF_PROG_LOAD answered EPERM with an empty verifier log although we are root: this host's policy forbids ` +
            `trampoline programs (fentry, fexit, fmod_ret, LSM, freplace). Trace with tracepoints, tp_btf or raw_tp instead`,
          err.errno,
        );
      }
      throw err;
    }
    const program = new FentryProgram(loaded.fd, ProgType.TRACING, spec.name ?? "", loaded.log, spec.maps ?? []);
    program.#function = target;
    program.#kind = kind;
    return program;
  }

  /** Attaches to the function chosen at load time. */
  attach(options: { cookie?: bigint } = {}): Link {
    return attachTracing(
      this,
      ATTACH_TYPES[this.#kind],
      `${this.#kind} ${this.#function ?? "(by btf id)"}`,
      options.cookie,
    );
  }
}
