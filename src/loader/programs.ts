// Loading an object's program as the program kind its section names, so the loaded program has
// that kind's attach(): a `tracepoint/…` program is a TracepointProgram, `tp_btf/…` a
// TpBtfProgram, `xdp` an XdpProgram, and so on. Section targets are attached automatically by
// autoAttach() the way libbpf's auto-attach reads them.
import { kernelBtf } from "../btf/vmlinux.js";
import { TsbpfError } from "../sys/errors.js";
import { AttachType, ProgFlags, ProgType } from "../uapi.js";
import type { Attachment } from "../links/link.js";
import { Program, type LoadOptions, type ProgramSpec } from "../programs/program.js";
import { TracepointProgram } from "../programs/tracepoint.js";
import { RawTracepointProgram } from "../programs/raw-tracepoint.js";
import { TpBtfProgram } from "../programs/tp-btf.js";
import { KprobeProgram } from "../programs/kprobe.js";
import { UprobeProgram } from "../programs/uprobe.js";
import { FentryProgram } from "../programs/fentry.js";
import { IterProgram } from "../programs/iter.js";
import { PerfEventProgram } from "../programs/perf-event.js";
import { XdpProgram } from "../programs/xdp.js";
import { TcProgram } from "../programs/tc.js";
import { SocketFilterProgram } from "../programs/socket-filter.js";
import { CgroupSkbProgram, CgroupSockAddrProgram, CgroupSockAddrHooks, CgroupSockHooks, CgroupSockProgram, SockOpsProgram, type CgroupSockAddrHook, type CgroupSockHook } from "../programs/cgroup.js";
import type { ProgramDefinition } from "../object/object.js";
import { TargetNotFoundError } from "../sys/errors.js";

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

/** Reverse lookup of a hook name by attach type. */
function hookName<H extends string>(hooks: Readonly<Record<H, number>>, attachType: number): H | undefined {
  for (const [k, v] of Object.entries(hooks) as [H, number][]) if (v === attachType) return k;
  return undefined;
}

/** Loads `def` (with `spec` holding code, name, license, maps, BTF) as its kind's class. */
export function loadAsKind(def: ProgramDefinition, spec: Omit<ProgramSpec, "type">, options: LoadOptions): Program {
  const flags = (spec.flags ?? 0) | (def.sleepable ? ProgFlags.SLEEPABLE : 0);
  const base = { ...spec, flags };
  const target = def.attachTarget;
  switch (def.kind) {
    case "tracepoint": return TracepointProgram.load(base, options);
    case "raw_tracepoint": return RawTracepointProgram.load(base, options);
    case "tp_btf":
      if (!target) throw new TsbpfError(`program "${def.name}": section "${def.section}" names no tracepoint (use tp_btf/EVENT)`);
      return TpBtfProgram.load({ ...base, tracepoint: target }, options);
    case "kprobe": case "ksyscall": return KprobeProgram.load({ ...base, retprobe: def.section.startsWith("kret") }, options);
    case "kretprobe": return KprobeProgram.load({ ...base, retprobe: true }, options);
    case "kprobe_multi": return KprobeProgram.load({ ...base, multi: true, retprobe: def.section.startsWith("kretprobe") }, options);
    case "uprobe": return UprobeProgram.load(base, options);
    case "uretprobe": return UprobeProgram.load({ ...base, retprobe: true }, options);
    case "uprobe_multi": return UprobeProgram.load({ ...base, multi: true, retprobe: def.section.startsWith("uretprobe") }, options);
    case "fentry": case "fexit": case "fmod_ret":
      if (!target) throw new TsbpfError(`program "${def.name}": section "${def.section}" names no kernel function`);
      return FentryProgram.load({ ...base, function: target, kind: def.kind }, options);
    case "iter":
      if (!target) throw new TsbpfError(`program "${def.name}": section "${def.section}" names no iterator target`);
      return IterProgram.load({ ...base, target }, options);
    case "perf_event": return PerfEventProgram.load(base, options);
    case "xdp": return XdpProgram.load({ ...base, frags: def.frags }, options);
    case "tc": case "tcx":
      if (def.type === ProgType.SCHED_CLS) return TcProgram.load(base, options);
      break;
    case "socket": return SocketFilterProgram.load(base, options);
    case "cgroup_skb": {
      const hook = def.expectedAttachType === AttachType.CGROUP_INET_EGRESS ? "egress" : def.section === "cgroup/skb" ? undefined : "ingress";
      return CgroupSkbProgram.load({ ...base, hook }, options);
    }
    case "cgroup_sock": return CgroupSockProgram.load({ ...base, hook: hookName<CgroupSockHook>(CgroupSockHooks, def.expectedAttachType) }, options);
    case "cgroup_sock_addr": {
      const hook = hookName<CgroupSockAddrHook>(CgroupSockAddrHooks, def.expectedAttachType);
      if (hook) return CgroupSockAddrProgram.load({ ...base, hook }, options);
      break;
    }
    case "sockops": return SockOpsProgram.load(base, options);
    case "lsm": case "lsm_cgroup": {
      if (!target) throw new TsbpfError(`program "${def.name}": section "${def.section}" names no LSM hook`);
      const ids = kernelBtf().findByName(`bpf_lsm_${target}`, "func");
      if (ids.length === 0) throw new TargetNotFoundError("LSM hook", target, `the kernel's BTF has no bpf_lsm_${target}`);
      return Program.load({ ...base, type: def.type!, expectedAttachType: def.expectedAttachType, attachBtfId: ids[0] }, options);
    }
    case "freplace": case "struct_ops":
      throw new TsbpfError(`program "${def.name}": ${def.kind} programs from object files are not supported yet`);
    default: break;
  }
  return Program.load({ ...base, type: def.type!, expectedAttachType: def.expectedAttachType || undefined }, options);
}

/**
 * Attaches a program the way its section name says (libbpf's auto-attach): `tracepoint/CAT/NAME`,
 * `raw_tp/NAME`, `tp_btf/…`, `fentry/FUNC`, `kprobe/FUNC`, `uprobe/PATH:FUNC`, `iter/…`.
 * Throws for kinds whose target is not in the section name (xdp, tc, cgroup…: attach those with
 * the program's own attach()).
 */
export function autoAttach(def: ProgramDefinition, program: Program): Attachment {
  const target = def.attachTarget;
  const need = (what: string): string => {
    if (!target) throw new TsbpfError(`program "${def.name}": section "${def.section}" does not say which ${what} to attach to; use the program's attach()`);
    return target;
  };
  if (program instanceof TracepointProgram) {
    const t = need("tracepoint");
    const slash = t.indexOf("/");
    if (slash < 0) throw new TsbpfError(`program "${def.name}": tracepoint section "${def.section}" must be tracepoint/CATEGORY/NAME`);
    return program.attach(t.slice(0, slash), t.slice(slash + 1));
  }
  if (program instanceof RawTracepointProgram) return program.attach(need("raw tracepoint"));
  if (program instanceof TpBtfProgram || program instanceof FentryProgram) return program.attach();
  if (program instanceof IterProgram) return program.attach();
  if (program instanceof KprobeProgram) {
    const t = need("kernel function");
    const m = /^([^+]+)(?:\+(\d+|0x[0-9a-f]+))?$/i.exec(t);
    if (!m) throw new TsbpfError(`program "${def.name}": cannot read a function from "${t}"`);
    return program.attach(m[1]!, { offset: m[2] ? Number(m[2]) : undefined });
  }
  if (program instanceof UprobeProgram) {
    const t = need("binary and function");
    const m = /^(.+):([^:+]+)(?:\+(\d+|0x[0-9a-f]+))?$/i.exec(t);
    if (!m) throw new TsbpfError(`program "${def.name}": uprobe section target "${t}" must be PATH:FUNCTION[+OFFSET]`);
    return program.attach({ binary: m[1]!, symbol: m[2]!, offset: m[3] ? Number(m[3]) : undefined });
  }
  throw new TsbpfError(`program "${def.name}" (section "${def.section}"): nothing to attach automatically; use the program's attach()`);
}
