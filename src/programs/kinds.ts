// The program kinds, decided once: for every kind a section name gives (src/object/sections.ts,
// libbpf's table) the Program class a loaded program becomes, what its load needs from the section
// (a target, a hook), its context, and how it attaches from the section name alone (libbpf's
// auto-attach). The object loader (ELF objects), KernelObject (compiled kernel TypeScript, whose
// kinds map onto these) and `tsbpf gen types` all look the kind up here.
//
// The classes are referenced directly: loading stays synchronous, and the program modules are small
// (their start-up cost is measured with the tools').
import { kernelBtf } from "../btf/vmlinux.js";
import { TsbpfError } from "../errors.js";
import { TargetNotFoundError } from "../sys/errors.js";
import { AttachType, ProgFlags, ProgType } from "../uapi.js";
import type { Attachment } from "../links/link.js";
import type { SectionKind } from "../object/sections.js";
import { Program, type LoadOptions, type ProgramSpec } from "./program.js";
import { TracepointProgram } from "./tracepoint.js";
import { RawTracepointProgram } from "./raw-tracepoint.js";
import { TpBtfProgram } from "./tp-btf.js";
import { KprobeProgram } from "./kprobe.js";
import { UprobeProgram } from "./uprobe.js";
import { FentryProgram } from "./fentry.js";
import { IterProgram } from "./iter.js";
import { PerfEventProgram } from "./perf-event.js";
import { XdpProgram } from "./xdp.js";
import { TcProgram } from "./tc.js";
import { SocketFilterProgram } from "./socket-filter.js";
import { FlowDissectorProgram, SkLookupProgram } from "./netns-hooks.js";
import { SkReuseportProgram } from "./sk-reuseport.js";
import {
  CGROUP_KINDS,
  CgroupDeviceProgram,
  CgroupSkbHooks,
  CgroupSkbProgram,
  CgroupSockAddrProgram,
  CgroupSockoptProgram,
  CgroupSockProgram,
  CgroupSysctlProgram,
  SockOpsProgram,
  type CgroupKind,
  type CgroupSpec,
} from "./cgroup.js";

/** What loading a program of some kind is told about it: its section, as the object file names it. */
export interface ProgramSite {
  name: string;
  section: string;
  kind?: string;
  type?: ProgType;
  expectedAttachType: number;
  sleepable: boolean;
  frags: boolean;
  /** The part of the section name after the first "/" (tracepoint, function, target …). */
  attachTarget?: string;
  /** struct_ops programs: the kernel struct they implement a member of (expectedAttachType is the member's index). */
  attachBtfId?: number;
}

type BaseSpec = Omit<ProgramSpec, "type">;

export interface ProgramKind {
  /** The section kind (object/sections.ts): "tracepoint", "socket", "kprobe_multi" … */
  readonly kind: string;
  /** The class a loaded program of this kind is, as tsbpf exports it. */
  readonly className: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the constructors are protected
  readonly programClass: Function & { readonly prototype: Program };
  /** The context the program receives (its C type, or what it is). */
  readonly context?: string;
  /** What attaching takes from the section name ("tracepoint" for tracepoint/CAT/NAME …); undefined: the program's attach() takes it. */
  readonly sectionTarget?: string;
  /** Loads a program of this kind (`base` holds code, name, license, maps, BTF). */
  load(site: ProgramSite, base: BaseSpec, options: LoadOptions): Program;
  /** Attaches the way the section name says, when it says enough. */
  autoAttach?(program: Program, target: string, site: ProgramSite): Attachment;
}

const needTarget = (site: ProgramSite, what: string): string => {
  if (!site.attachTarget) throw new TsbpfError(`program "${site.name}": section "${site.section}" names no ${what}`);
  return site.attachTarget;
};

/** Reverse lookup of a hook name by attach type. */
function hookName<H extends string>(hooks: Readonly<Record<H, number>>, attachType: number): H | undefined {
  for (const [k, v] of Object.entries(hooks) as [H, number][]) if (v === attachType) return k;
  return undefined;
}

/** A kind loaded as a plain Program with the section's type and expected attach type. */
function loadGeneric(site: ProgramSite, base: BaseSpec, options: LoadOptions): Program {
  return Program.load({ ...base, type: site.type!, expectedAttachType: site.expectedAttachType || undefined }, options);
}

const attachKprobe = (program: Program, t: string, site: ProgramSite): Attachment => {
  const m = /^([^+]+)(?:\+(\d+|0x[0-9a-f]+))?$/i.exec(t);
  if (!m) throw new TsbpfError(`program "${site.name}": cannot read a function from "${t}"`);
  return (program as KprobeProgram).attach(m[1]!, { offset: m[2] ? Number(m[2]) : undefined });
};
const attachUprobe = (program: Program, t: string, site: ProgramSite): Attachment => {
  const m = /^(.+):([^:+]+)(?:\+(\d+|0x[0-9a-f]+))?$/i.exec(t);
  if (!m) throw new TsbpfError(`program "${site.name}": uprobe section target "${t}" must be PATH:FUNCTION[+OFFSET]`);
  return (program as UprobeProgram).attach({ binary: m[1]!, symbol: m[2]!, offset: m[3] ? Number(m[3]) : undefined });
};

type Row = Omit<ProgramKind, "kind">;

const tracepoint: Row = {
  className: "TracepointProgram",
  programClass: TracepointProgram,
  context: "the event's record (its format file)",
  sectionTarget: "tracepoint",
  load: (_s, base, o) => TracepointProgram.load(base, o),
  autoAttach: (program, t, site) => {
    const slash = t.indexOf("/");
    if (slash < 0)
      throw new TsbpfError(
        `program "${site.name}": tracepoint section "${site.section}" must be tracepoint/CATEGORY/NAME`,
      );
    return (program as TracepointProgram).attach(t.slice(0, slash), t.slice(slash + 1));
  },
};
const kprobe: Row = {
  className: "KprobeProgram",
  programClass: KprobeProgram,
  context: "struct pt_regs",
  sectionTarget: "kernel function",
  load: (s, base, o) => KprobeProgram.load({ ...base, retprobe: s.section.startsWith("kret") }, o),
  autoAttach: attachKprobe,
};
const uprobe: Row = {
  className: "UprobeProgram",
  programClass: UprobeProgram,
  context: "struct pt_regs",
  sectionTarget: "binary and function",
  load: (_s, base, o) => UprobeProgram.load(base, o),
  autoAttach: attachUprobe,
};
const fentry: Row = {
  className: "FentryProgram",
  programClass: FentryProgram,
  context: "the function's arguments (BTF)",
  load: (s, base, o) =>
    FentryProgram.load(
      { ...base, function: needTarget(s, "kernel function"), kind: s.kind as "fentry" | "fexit" | "fmod_ret" },
      o,
    ),
  autoAttach: (program) => (program as FentryProgram).attach(),
};
const tc: Row = {
  className: "TcProgram",
  programClass: TcProgram,
  context: "struct __sk_buff",
  load: (s, base, o) => (s.type === ProgType.SCHED_CLS ? TcProgram.load(base, o) : loadGeneric(s, base, o)),
};
const unsupported: Row = {
  className: "Program",
  programClass: Program,
  load: (s) => {
    throw new TsbpfError(`program "${s.name}": ${s.kind} programs from object files are not supported yet`);
  },
};
const lsm: Row = {
  className: "Program",
  programClass: Program,
  context: "the hook's arguments (BTF)",
  load: (s, base, o) => {
    const target = needTarget(s, "LSM hook");
    const ids = kernelBtf().findByName(`bpf_lsm_${target}`, "func");
    if (ids.length === 0)
      throw new TargetNotFoundError("LSM hook", target, `the kernel's BTF has no bpf_lsm_${target}`);
    return Program.load({ ...base, type: s.type!, expectedAttachType: s.expectedAttachType, attachBtfId: ids[0] }, o);
  },
};

/**
 * A cgroup kind's row: the hook comes from the section's expected attach type; a section whose
 * hook the class does not know (unix socket hooks …) loads as a plain Program of its type.
 */
function cgroupRow<H extends string>(
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the constructors are protected
  programClass: Function & { readonly prototype: Program; load(spec: CgroupSpec<H>, options: LoadOptions): Program },
  row: CgroupKind<H>,
  context: string,
  hookOfSite: (site: ProgramSite) => H | undefined = (s) => hookName(row.hooks, s.expectedAttachType),
): Row {
  return {
    className: programClass.name,
    programClass,
    context,
    load: (s, base, o) => {
      const hook = hookOfSite(s);
      return hook === undefined && row.hookRequired ? loadGeneric(s, base, o) : programClass.load({ ...base, hook }, o);
    },
  };
}

const ROWS: Partial<Record<SectionKind, Row>> = {
  tracepoint,
  raw_tracepoint: {
    className: "RawTracepointProgram",
    programClass: RawTracepointProgram,
    context: "struct bpf_raw_tracepoint_args",
    sectionTarget: "raw tracepoint",
    load: (_s, base, o) => RawTracepointProgram.load(base, o),
    autoAttach: (program, t) => (program as RawTracepointProgram).attach(t),
  },
  tp_btf: {
    className: "TpBtfProgram",
    programClass: TpBtfProgram,
    context: "the event's arguments (BTF)",
    load: (s, base, o) => {
      if (!s.attachTarget)
        throw new TsbpfError(`program "${s.name}": section "${s.section}" names no tracepoint (use tp_btf/EVENT)`);
      return TpBtfProgram.load({ ...base, tracepoint: s.attachTarget }, o);
    },
    autoAttach: (program) => (program as TpBtfProgram).attach(),
  },
  kprobe,
  ksyscall: kprobe,
  kretprobe: { ...kprobe, load: (_s, base, o) => KprobeProgram.load({ ...base, retprobe: true }, o) },
  kprobe_multi: {
    ...kprobe,
    load: (s, base, o) => KprobeProgram.load({ ...base, multi: true, retprobe: s.section.startsWith("kretprobe") }, o),
  },
  uprobe,
  uretprobe: { ...uprobe, load: (_s, base, o) => UprobeProgram.load({ ...base, retprobe: true }, o) },
  uprobe_multi: {
    ...uprobe,
    load: (s, base, o) => UprobeProgram.load({ ...base, multi: true, retprobe: s.section.startsWith("uretprobe") }, o),
  },
  fentry,
  fexit: fentry,
  fmod_ret: fentry,
  iter: {
    className: "IterProgram",
    programClass: IterProgram,
    context: "the iterator's record (BTF)",
    load: (s, base, o) => IterProgram.load({ ...base, target: needTarget(s, "iterator target") }, o),
    autoAttach: (program) => (program as IterProgram).attach(),
  },
  perf_event: {
    className: "PerfEventProgram",
    programClass: PerfEventProgram,
    context: "struct bpf_perf_event_data",
    load: (_s, base, o) => PerfEventProgram.load(base, o),
  },
  xdp: {
    className: "XdpProgram",
    programClass: XdpProgram,
    context: "struct xdp_md",
    load: (s, base, o) => XdpProgram.load({ ...base, frags: s.frags }, o),
  },
  tc,
  tcx: tc,
  socket: {
    className: "SocketFilterProgram",
    programClass: SocketFilterProgram,
    context: "struct __sk_buff",
    load: (_s, base, o) => SocketFilterProgram.load(base, o),
  },
  cgroup_skb: cgroupRow(CgroupSkbProgram, CGROUP_KINDS.cgroup_skb, "struct __sk_buff", (s) =>
    // cgroup/skb names no direction (its attach type 0 is also ingress's): either, at attach time.
    s.section === "cgroup/skb" ? undefined : hookName(CgroupSkbHooks, s.expectedAttachType),
  ),
  cgroup_sock: cgroupRow(CgroupSockProgram, CGROUP_KINDS.cgroup_sock, "struct bpf_sock"),
  cgroup_sock_addr: cgroupRow(CgroupSockAddrProgram, CGROUP_KINDS.cgroup_sock_addr, "struct bpf_sock_addr"),
  sockops: cgroupRow(SockOpsProgram, CGROUP_KINDS.sock_ops, "struct bpf_sock_ops"),
  cgroup_sysctl: cgroupRow(CgroupSysctlProgram, CGROUP_KINDS.cgroup_sysctl, "struct bpf_sysctl"),
  cgroup_sockopt: cgroupRow(CgroupSockoptProgram, CGROUP_KINDS.cgroup_sockopt, "struct bpf_sockopt"),
  cgroup_device: cgroupRow(CgroupDeviceProgram, CGROUP_KINDS.cgroup_device, "struct bpf_cgroup_dev_ctx"),
  sk_lookup: {
    className: "SkLookupProgram",
    programClass: SkLookupProgram,
    context: "struct bpf_sk_lookup",
    load: (_s, base, o) => SkLookupProgram.load(base, o),
  },
  flow_dissector: {
    className: "FlowDissectorProgram",
    programClass: FlowDissectorProgram,
    context: "struct __sk_buff (flow_keys)",
    load: (_s, base, o) => FlowDissectorProgram.load(base, o),
  },
  sk_reuseport: {
    className: "SkReuseportProgram",
    programClass: SkReuseportProgram,
    context: "struct sk_reuseport_md",
    load: (s, base, o) =>
      SkReuseportProgram.load(
        { ...base, migrate: s.expectedAttachType === AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE },
        o,
      ),
  },
  lsm,
  lsm_cgroup: lsm,
  freplace: unsupported,
  struct_ops: {
    className: "Program",
    programClass: Program,
    context: "the struct member's arguments (BTF)",
    load: (s, base, o) => {
      if (s.attachBtfId === undefined)
        throw new TsbpfError(
          `program "${s.name}": a struct_ops program is loaded for the struct_ops variable that points to it, and none does`,
        );
      return Program.load(
        { ...base, type: ProgType.STRUCT_OPS, expectedAttachType: s.expectedAttachType, attachBtfId: s.attachBtfId },
        o,
      );
    },
    autoAttach: (_p, _t, site) => {
      throw new TsbpfError(
        `program "${site.name}" is a struct_ops callback: register the struct_ops variable that points to it (attachStructOps)`,
      );
    },
  },
};

const GENERIC: Row = { className: "Program", programClass: Program, load: loadGeneric };

/** The kind of a section kind; kinds without a class of their own load as a plain Program of the section's type. */
export function programKind(kind: string | undefined): ProgramKind {
  const row = (kind !== undefined && ROWS[kind as SectionKind]) || GENERIC;
  return { kind: kind ?? "", ...row };
}

/** Every section kind with a class (or a rule) of its own. */
export function programKinds(): ProgramKind[] {
  return Object.keys(ROWS).map((k) => programKind(k));
}

/**
 * Kernel TypeScript's program kinds (src/compiler/contexts.ts ProgramKind) as section kinds: the
 * compiled module's programs load exactly as an object file's with the same section would.
 */
export const KERNEL_PROGRAM_KINDS: Readonly<Record<string, SectionKind>> = {
  xdp: "xdp",
  tc: "tc",
  socket_filter: "socket",
  tracepoint: "tracepoint",
  raw_tracepoint: "raw_tracepoint",
  tp_btf: "tp_btf",
  uprobe: "uprobe",
  uretprobe: "uretprobe",
  perf_event: "perf_event",
  sk_skb: "sk_skb",
  sk_msg: "sk_msg",
  sk_lookup: "sk_lookup",
  sk_reuseport: "sk_reuseport",
  flow_dissector: "flow_dissector",
  // cgroup and socket hooks
  cgroup_skb: "cgroup_skb",
  cgroup_sock: "cgroup_sock",
  cgroup_sock_addr: "cgroup_sock_addr",
  sock_ops: "sockops",
  cgroup_sysctl: "cgroup_sysctl",
  cgroup_sockopt: "cgroup_sockopt",
  cgroup_device: "cgroup_device",
  // kernel-function tracing (the section says kretprobe/uretprobe for the return probes)
  kprobe: "kprobe",
  kretprobe: "kretprobe",
  kprobe_multi: "kprobe_multi",
  kretprobe_multi: "kprobe_multi",
  uprobe_multi: "uprobe_multi",
  uretprobe_multi: "uprobe_multi",
  fentry: "fentry",
  fexit: "fexit",
  fmod_ret: "fmod_ret",
  lsm: "lsm",
  iter: "iter",
  struct_ops: "struct_ops",
};

/** Loads a program as its section's kind; BPF_F_SLEEPABLE when the section says so. */
export function loadProgramKind(site: ProgramSite, spec: BaseSpec, options: LoadOptions): Program {
  const flags = (spec.flags ?? 0) | (site.sleepable ? ProgFlags.SLEEPABLE : 0);
  return programKind(site.kind).load(site, { ...spec, flags }, options);
}
