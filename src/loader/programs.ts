// Loading an object's program as the program kind its section names, so the loaded program has
// that kind's attach(): a `tracepoint/…` program is a TracepointProgram, `tp_btf/…` a
// TpBtfProgram, `xdp` an XdpProgram, and so on (the kinds are in programs/kinds.ts). Section
// targets are attached automatically by autoAttach() the way libbpf's auto-attach reads them.
import { TsbpfError } from "../errors.js";
import type { Attachment } from "../links/link.js";
import type { Program, LoadOptions, ProgramSpec } from "../programs/program.js";
import type { TracepointProgram } from "../programs/tracepoint.js";
import type { RawTracepointProgram } from "../programs/raw-tracepoint.js";
import type { TpBtfProgram } from "../programs/tp-btf.js";
import type { KprobeProgram } from "../programs/kprobe.js";
import type { UprobeProgram } from "../programs/uprobe.js";
import type { FentryProgram } from "../programs/fentry.js";
import type { IterProgram } from "../programs/iter.js";
import type { PerfEventProgram } from "../programs/perf-event.js";
import type { XdpProgram } from "../programs/xdp.js";
import type { TcProgram } from "../programs/tc.js";
import type { SocketFilterProgram } from "../programs/socket-filter.js";
import type { CgroupSkbProgram, CgroupSockAddrProgram, CgroupSockProgram, SockOpsProgram } from "../programs/cgroup.js";
import type { ProgramDefinition } from "../object/object.js";
import { loadProgramKind, programKind, type ProgramSite } from "../programs/kinds.js";

/** The program class each section kind loads as. */
export interface ProgramKinds {
  tracepoint: TracepointProgram;
  raw_tracepoint: RawTracepointProgram;
  tp_btf: TpBtfProgram;
  kprobe: KprobeProgram;
  kretprobe: KprobeProgram;
  ksyscall: KprobeProgram;
  kprobe_multi: KprobeProgram;
  uprobe: UprobeProgram;
  uretprobe: UprobeProgram;
  uprobe_multi: UprobeProgram;
  fentry: FentryProgram;
  fexit: FentryProgram;
  fmod_ret: FentryProgram;
  iter: IterProgram;
  perf_event: PerfEventProgram;
  xdp: XdpProgram;
  tc: TcProgram;
  tcx: TcProgram;
  socket: SocketFilterProgram;
  cgroup_skb: CgroupSkbProgram;
  cgroup_sock: CgroupSockProgram;
  cgroup_sock_addr: CgroupSockAddrProgram;
  sockops: SockOpsProgram;
}

/** Loads `def` (with `spec` holding code, name, license, maps, BTF) as its kind's class (programs/kinds.ts). */
export function loadAsKind(
  def: ProgramDefinition & Pick<ProgramSite, "attachBtfId">,
  spec: Omit<ProgramSpec, "type">,
  options: LoadOptions,
): Program {
  return loadProgramKind(def, spec, options);
}

/**
 * Attaches a program the way its section name says (libbpf's auto-attach): `tracepoint/CAT/NAME`,
 * `raw_tp/NAME`, `tp_btf/…`, `fentry/FUNC`, `kprobe/FUNC`, `uprobe/PATH:FUNC`, `iter/…`.
 * Throws for kinds whose target is not in the section name (xdp, tc, cgroup…: attach those with
 * the program's own attach()).
 */
export function autoAttach(def: ProgramDefinition, program: Program): Attachment {
  const kind = programKind(def.kind);
  if (!kind.autoAttach || !(program instanceof kind.programClass)) {
    throw new TsbpfError(
      `program "${def.name}" (section "${def.section}"): nothing to attach automatically; use the program's attach()`,
    );
  }
  const target = def.attachTarget;
  if (kind.sectionTarget && !target) {
    throw new TsbpfError(
      `program "${def.name}": section "${def.section}" does not say which ${kind.sectionTarget} to attach to; use the program's attach()`,
    );
  }
  return kind.autoAttach(program, target ?? "", def);
}
