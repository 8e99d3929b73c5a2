// uprobes and uretprobes (BPF_PROG_TYPE_KPROBE on user-space code): a breakpoint at a file
// offset of an ELF file, hit by every process that maps it (or by one pid). Single probes go
// through the uprobe PMU (config1 = path, config2 = offset) with a perf link, or through
// tracefs uprobe_events when the PMU is missing; uprobe_multi links (attach type 48) put many
// probes of one file behind one link.
import { AttachType, ProgType } from "../uapi.js";
import { linkCreate } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { Errno, TsbpfError } from "../errors.js";
import { NotSupportedError, SyscallError, syscallError, TargetNotFoundError } from "../sys/errors.js";
import { addProbeEvent, perfEventOpenErrno, PerfType, pmuRetprobeBit, pmuType, probeEventsFile } from "../sys/perf.js";
import { resolveBinaryPath, symbolFileOffset, symbolFileOffsets } from "../elf/symbols.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { attachToPerfEvent, type KindSpec, type ProgramRef } from "./tracing-common.js";

export interface UprobeSpec extends KindSpec {
  /** Attach as a uretprobe by default (attach options can still choose per probe). */
  retprobe?: boolean;
  /** Load for uprobe_multi links (expected attach type TRACE_UPROBE_MULTI); use attachMulti then. */
  multi?: boolean;
}

export interface UprobeTarget {
  /** The ELF file: a path, or a bare library ("libc") or program name. */
  binary: string;
  /** The function to probe. Without it, `offset` is the file offset itself. */
  symbol?: string;
  /** Bytes past the symbol's start, or the file offset when there is no symbol. */
  offset?: number;
  /** Only this process (default: every process that runs the code). */
  pid?: number;
  /** Fire on return instead of entry (default: the spec's `retprobe`). */
  retprobe?: boolean;
  /** Read in the program with bpf_get_attach_cookie(). */
  cookie?: bigint;
  /** File offset of a USDT semaphore the kernel increments while the probe is attached. */
  refCtrOffset?: number;
  /** How to create the probe: the uprobe PMU, or a tracefs uprobe_events definition (default: the PMU when present). */
  mechanism?: "pmu" | "tracefs";
}

export interface UprobeMultiTarget {
  binary: string;
  /** Functions to probe (one probe each). */
  symbols?: readonly string[];
  /** File offsets to probe, in addition to (or instead of) symbols. */
  offsets?: readonly number[];
  /** One cookie per probe, symbols first, then offsets. */
  cookies?: readonly bigint[];
  pid?: number;
  retprobe?: boolean;
}

const BPF_F_UPROBE_MULTI_RETURN = 1;

export class UprobeProgram extends Program {
  #retprobe = false;
  #multi = false;

  get retprobe(): boolean {
    return this.#retprobe;
  }
  get multi(): boolean {
    return this.#multi;
  }

  static override load(spec: UprobeSpec, options: LoadOptions = {}): UprobeProgram {
    const { retprobe = false, multi = false, ...rest } = spec;
    const { fd, log } = loadRaw(
      { ...rest, type: ProgType.KPROBE, expectedAttachType: multi ? AttachType.TRACE_UPROBE_MULTI : undefined },
      options,
    );
    const program = new UprobeProgram(fd, ProgType.KPROBE, spec.name ?? "", log, spec.maps ?? []);
    program.#retprobe = retprobe;
    program.#multi = multi;
    return program;
  }

  /** Attaches one uprobe (or uretprobe). */
  attach(target: UprobeTarget): Attachment {
    if (this.#multi) throw new TsbpfError(`program "${this.name}" was loaded for uprobe_multi: use attachMulti()`);
    return attachUprobe(this, { ...target, retprobe: target.retprobe ?? this.#retprobe });
  }

  /** Attaches probes on several functions of one file behind one uprobe_multi link. */
  attachMulti(target: UprobeMultiTarget): Link {
    if (!this.#multi)
      throw new TsbpfError(`program "${this.name}" was not loaded for uprobe_multi: load it with { multi: true }`);
    return attachUprobeMulti(this, { ...target, retprobe: target.retprobe ?? this.#retprobe });
  }
}

/** Resolves the file and the file offset a uprobe target names. */
export function resolveUprobeTarget(target: Pick<UprobeTarget, "binary" | "symbol" | "offset">): {
  path: string;
  offset: number;
  label: string;
} {
  const path = resolveBinaryPath(target.binary);
  if (target.symbol !== undefined) {
    const offset = symbolFileOffset(path, target.symbol, target.offset ?? 0);
    return { path, offset, label: `${path}:${target.symbol}${target.offset ? `+${target.offset}` : ""}` };
  }
  if (target.offset === undefined) throw new TsbpfError(`uprobe on ${path}: give a symbol or a file offset`);
  return { path, offset: target.offset, label: `${path}:0x${target.offset.toString(16)}` };
}

/** Attaches a KPROBE-type program as a uprobe or uretprobe. */
export function attachUprobe(program: ProgramRef, target: UprobeTarget): Attachment {
  const { path, offset, label } = resolveUprobeTarget(target);
  const retprobe = target.retprobe ?? false;
  const kind = retprobe ? "uretprobe" : "uprobe";
  const description = `${kind} ${label}${target.pid !== undefined && target.pid >= 0 ? ` pid ${target.pid}` : ""}`;
  const pid = target.pid !== undefined && target.pid >= 0 ? target.pid : -1;
  const cpu = pid === -1 ? 0 : -1; // every process needs one CPU named; one process is followed everywhere

  const pmu = target.mechanism === "tracefs" ? undefined : pmuType("uprobe");
  if (pmu === undefined && target.mechanism === "pmu")
    throw new NotSupportedError("uprobes", "there is no uprobe PMU (/sys/bus/event_source/devices/uprobe)");
  if (pmu !== undefined) {
    let config = 0n;
    if (retprobe) {
      const bit = pmuRetprobeBit("uprobe");
      if (bit === undefined) throw new NotSupportedError("uretprobes", "the uprobe PMU has no retprobe format bit");
      config |= 1n << BigInt(bit);
    }
    if (target.refCtrOffset) config |= BigInt(target.refCtrOffset) << 32n; // format: ref_ctr_offset = config:32-63
    const pathMem = NativeMemory.from(path);
    let fd: number;
    try {
      fd = perfEventOpenErrno(
        { type: pmu, config, config1: pathMem.address, config2: offset, samplePeriod: 1, wakeupEvents: 1 },
        pid,
        cpu,
      );
    } finally {
      pathMem.free();
    }
    if (fd < 0) throw uprobeOpenError(-fd, description, pid);
    return attachToPerfEvent(program, fd, { target: description, cookie: target.cookie });
  }

  if (probeEventsFile("uprobe") === undefined) {
    throw new NotSupportedError(
      "uprobes",
      "no uprobe PMU (/sys/bus/event_source/devices/uprobe) and no uprobe_events in tracefs (CONFIG_UPROBE_EVENTS is off)",
    );
  }
  const ref = target.refCtrOffset ? `(0x${target.refCtrOffset.toString(16)})` : "";
  const probe = addProbeEvent("uprobe", `${path}:0x${offset.toString(16)}${ref}`, retprobe);
  try {
    const fd = perfEventOpenErrno(
      { type: PerfType.TRACEPOINT, config: probe.id, samplePeriod: 1, wakeupEvents: 1 },
      pid,
      cpu,
    );
    if (fd < 0) throw uprobeOpenError(-fd, description, pid);
    const inner = attachToPerfEvent(program, fd, { target: `${description} (${probe.event})`, cookie: target.cookie });
    return new LegacyAttachment(inner.description, () => {
      try {
        inner.detach();
      } finally {
        probe.remove();
      }
    });
  } catch (err) {
    probe.remove();
    throw err;
  }
}

function uprobeOpenError(errno: number, description: string, pid: number): Error {
  if (errno === Errno.ESRCH)
    return new TargetNotFoundError("process", String(pid), `no such process for ${description}`);
  if (errno === Errno.ENOENT)
    return new TargetNotFoundError("binary", description, "the kernel could not open the file");
  if (errno === Errno.EINVAL)
    return syscallError(
      "perf_event_open",
      errno,
      `${description}: the offset is past the end of the file or not an instruction boundary`,
    );
  return syscallError("perf_event_open", errno, description);
}

/** Attaches a program loaded with expected attach type TRACE_UPROBE_MULTI to many offsets at once. */
export function attachUprobeMulti(program: ProgramRef, target: UprobeMultiTarget): Link {
  const path = resolveBinaryPath(target.binary);
  const symbols = target.symbols ?? [];
  const offsets = [...(symbols.length ? symbolFileOffsets(path, symbols) : []), ...(target.offsets ?? [])];
  if (offsets.length === 0) throw new TsbpfError(`uprobe_multi on ${path}: give at least one symbol or offset`);
  if (target.cookies && target.cookies.length !== offsets.length) {
    throw new TsbpfError(`uprobe_multi on ${path}: ${target.cookies.length} cookies for ${offsets.length} probes`);
  }
  const retprobe = target.retprobe ?? false;
  const names = [...symbols, ...(target.offsets ?? []).map((o) => `0x${o.toString(16)}`)];
  const description = `${retprobe ? "uretprobe_multi" : "uprobe_multi"} ${path}:{${names.join(",")}}${target.pid ? ` pid ${target.pid}` : ""}`;

  const pathMem = NativeMemory.from(path);
  const offsetMem = new NativeMemory(offsets.length * 8);
  offsets.forEach((o, i) => offsetMem.view.setBigUint64(i * 8, BigInt(o), true));
  const cookieMem = target.cookies ? new NativeMemory(offsets.length * 8) : null;
  target.cookies?.forEach((c, i) => cookieMem!.view.setBigUint64(i * 8, BigInt.asUintN(64, c), true));
  try {
    const fd = linkCreate(
      program.fd,
      0,
      AttachType.TRACE_UPROBE_MULTI,
      0,
      {
        kind: "uprobe_multi",
        path: pathMem,
        offsets: offsetMem,
        refCtrOffsets: null,
        cookies: cookieMem,
        count: offsets.length,
        flags: retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0,
        pid: target.pid && target.pid > 0 ? target.pid : 0,
      },
      description,
    );
    return new Link(fd, description);
  } catch (err) {
    if (err instanceof SyscallError && (err.errno === Errno.EOPNOTSUPP || err.errno === Errno.ENOTSUPP)) {
      throw new NotSupportedError(
        "uprobe_multi links",
        `BPF_LINK_CREATE answered ${err.code} (needs Linux 6.6+ with CONFIG_UPROBES)`,
        err.errno,
      );
    }
    if (err instanceof SyscallError && err.errno === Errno.ESRCH)
      throw new TargetNotFoundError("process", String(target.pid), `no such process for ${description}`);
    throw err;
  } finally {
    pathMem.free();
    offsetMem.free();
    cookieMem?.free();
  }
}
