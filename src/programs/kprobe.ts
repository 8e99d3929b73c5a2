// kprobes and kretprobes (BPF_PROG_TYPE_KPROBE on kernel functions). A single probe comes from
// the kprobe PMU (config1 = function name, config2 = offset, the retprobe format bit) with a perf
// link, or, without the PMU, from a tracefs kprobe_events definition. kprobe_multi links (attach
// type 42) put many functions behind one link through fprobe. Kernels built without kprobes have
// neither the PMU nor kprobe_events: attaching then throws NotSupportedError saying so.
import { AttachType, ProgType } from "../uapi.js";
import { linkCreate } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { Errno, TsbpfError } from "../errors.js";
import { NotSupportedError, SyscallError, syscallError, TargetNotFoundError } from "../sys/errors.js";
import { addProbeEvent, perfEventOpenErrno, PerfType, pmuRetprobeBit, pmuType, probeEventsFile } from "../sys/perf.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { attachToPerfEvent, type KindSpec, type ProgramRef } from "./tracing-common.js";

export interface KprobeSpec extends KindSpec {
  /** Attach as a kretprobe by default. */
  retprobe?: boolean;
  /** Load for kprobe_multi links (expected attach type TRACE_KPROBE_MULTI); use attachMulti then. */
  multi?: boolean;
}

export interface KprobeOptions {
  /** Bytes into the function (entry probes only). */
  offset?: number;
  /** Fire on return (default: the spec's `retprobe`). */
  retprobe?: boolean;
  cookie?: bigint;
  /** How to create the probe: the kprobe PMU, or a tracefs kprobe_events definition (default: the PMU when present). */
  mechanism?: "pmu" | "tracefs";
}

export interface KprobeMultiOptions {
  retprobe?: boolean;
  /** One cookie per symbol. */
  cookies?: readonly bigint[];
}

/** How this kernel can create kprobes. */
export interface KprobeSupport {
  /** perf type of the kprobe PMU, when there is one. */
  pmuType: number | undefined;
  /** The tracefs kprobe_events file, when there is one. */
  kprobeEvents: string | undefined;
}

export function kprobeSupport(): KprobeSupport {
  return { pmuType: pmuType("kprobe"), kprobeEvents: probeEventsFile("kprobe") };
}

const NO_KPROBES =
  "there is no kprobe PMU (/sys/bus/event_source/devices/kprobe) and no kprobe_events file in tracefs: " +
  "the kernel was built without CONFIG_KPROBES / CONFIG_KPROBE_EVENTS. Use tracepoints, raw_tp or tp_btf instead";

const BPF_F_KPROBE_MULTI_RETURN = 1;

export class KprobeProgram extends Program {
  #retprobe = false;
  #multi = false;

  get retprobe(): boolean {
    return this.#retprobe;
  }
  get multi(): boolean {
    return this.#multi;
  }

  static override load(spec: KprobeSpec, options: LoadOptions = {}): KprobeProgram {
    const { retprobe = false, multi = false, ...rest } = spec;
    const { fd, log } = loadRaw(
      { ...rest, type: ProgType.KPROBE, expectedAttachType: multi ? AttachType.TRACE_KPROBE_MULTI : undefined },
      options,
    );
    const program = new KprobeProgram(fd, ProgType.KPROBE, spec.name ?? "", log, spec.maps ?? []);
    program.#retprobe = retprobe;
    program.#multi = multi;
    return program;
  }

  /** Attaches to kernel function `symbol`. */
  attach(symbol: string, options: KprobeOptions = {}): Attachment {
    if (this.#multi) throw new TsbpfError(`program "${this.name}" was loaded for kprobe_multi: use attachMulti()`);
    return attachKprobe(this, symbol, { ...options, retprobe: options.retprobe ?? this.#retprobe });
  }

  /** Attaches to several kernel functions behind one kprobe_multi link. */
  attachMulti(symbols: readonly string[], options: KprobeMultiOptions = {}): Link {
    if (!this.#multi)
      throw new TsbpfError(`program "${this.name}" was not loaded for kprobe_multi: load it with { multi: true }`);
    return attachKprobeMulti(this, symbols, { ...options, retprobe: options.retprobe ?? this.#retprobe });
  }
}

/** Attaches a KPROBE-type program as a kprobe or kretprobe on `symbol`. */
export function attachKprobe(program: ProgramRef, symbol: string, options: KprobeOptions = {}): Attachment {
  const retprobe = options.retprobe ?? false;
  const offset = options.offset ?? 0;
  if (retprobe && offset !== 0)
    throw new TsbpfError(`kretprobe on ${symbol}: an offset only makes sense for entry probes`);
  const description = `${retprobe ? "kretprobe" : "kprobe"} ${symbol}${offset ? `+${offset}` : ""}`;
  const support = kprobeSupport();
  const pmu = options.mechanism === "tracefs" ? undefined : support.pmuType;
  const kprobeEvents = options.mechanism === "pmu" ? undefined : support.kprobeEvents;

  if (pmu !== undefined) {
    let config = 0n;
    if (retprobe) {
      const bit = pmuRetprobeBit("kprobe");
      if (bit === undefined) throw new NotSupportedError("kretprobes", "the kprobe PMU has no retprobe format bit");
      config |= 1n << BigInt(bit);
    }
    const name = NativeMemory.from(symbol);
    let fd: number;
    try {
      fd = perfEventOpenErrno(
        { type: pmu, config, config1: name.address, config2: offset, samplePeriod: 1, wakeupEvents: 1 },
        -1,
        0,
      );
    } finally {
      name.free();
    }
    if (fd < 0) throw kprobeOpenError(-fd, symbol, description);
    return attachToPerfEvent(program, fd, { target: description, cookie: options.cookie });
  }

  if (kprobeEvents !== undefined) {
    const probe = addProbeEvent("kprobe", offset ? `${symbol}+${offset}` : symbol, retprobe);
    try {
      const fd = perfEventOpenErrno(
        { type: PerfType.TRACEPOINT, config: probe.id, samplePeriod: 1, wakeupEvents: 1 },
        -1,
        0,
      );
      if (fd < 0) throw kprobeOpenError(-fd, symbol, description);
      const inner = attachToPerfEvent(program, fd, {
        target: `${description} (${probe.event})`,
        cookie: options.cookie,
      });
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

  if (options.mechanism !== undefined && (support.pmuType !== undefined || support.kprobeEvents !== undefined)) {
    const missing =
      options.mechanism === "pmu"
        ? "there is no kprobe PMU (/sys/bus/event_source/devices/kprobe)"
        : "there is no kprobe_events file in tracefs";
    throw new NotSupportedError(
      "kprobes",
      `cannot attach ${description} with mechanism "${options.mechanism}": ${missing}`,
      Errno.ENOENT,
    );
  }
  throw new NotSupportedError("kprobes", `cannot attach ${description}: ${NO_KPROBES}`, Errno.ENOENT);
}

function kprobeOpenError(errno: number, symbol: string, description: string): Error {
  if (errno === Errno.ENOENT)
    return new TargetNotFoundError(
      "kernel function",
      symbol,
      `no such symbol in /proc/kallsyms, or it cannot be probed (${description})`,
    );
  if (errno === Errno.EINVAL)
    return syscallError(
      "perf_event_open",
      errno,
      `${description}: the function is blacklisted for kprobes or the offset is not an instruction boundary`,
    );
  return syscallError("perf_event_open", errno, description);
}

/** Attaches a program loaded with expected attach type TRACE_KPROBE_MULTI to several functions. */
export function attachKprobeMulti(
  program: ProgramRef,
  symbols: readonly string[],
  options: KprobeMultiOptions = {},
): Link {
  if (symbols.length === 0) throw new TsbpfError("kprobe_multi: give at least one symbol");
  if (options.cookies && options.cookies.length !== symbols.length) {
    throw new TsbpfError(`kprobe_multi: ${options.cookies.length} cookies for ${symbols.length} symbols`);
  }
  const retprobe = options.retprobe ?? false;
  const description = `${retprobe ? "kretprobe_multi" : "kprobe_multi"} {${symbols.join(",")}}`;
  const names = symbols.map((s) => NativeMemory.from(s));
  const pointers = new NativeMemory(symbols.length * 8);
  names.forEach((n, i) => pointers.view.setBigUint64(i * 8, BigInt(n.address), true));
  const cookies = options.cookies ? new NativeMemory(symbols.length * 8) : null;
  options.cookies?.forEach((c, i) => cookies!.view.setBigUint64(i * 8, BigInt.asUintN(64, c), true));
  try {
    const fd = linkCreate(
      program.fd,
      0,
      AttachType.TRACE_KPROBE_MULTI,
      0,
      {
        kind: "kprobe_multi",
        flags: retprobe ? BPF_F_KPROBE_MULTI_RETURN : 0,
        count: symbols.length,
        syms: pointers,
        addrs: null,
        cookies,
      },
      description,
    );
    return new Link(fd, description);
  } catch (err) {
    if (err instanceof SyscallError && (err.errno === Errno.EOPNOTSUPP || err.errno === Errno.ENOTSUPP)) {
      const why =
        kprobeSupport().pmuType === undefined && kprobeSupport().kprobeEvents === undefined
          ? `; besides, ${NO_KPROBES}`
          : "";
      throw new NotSupportedError(
        "kprobes",
        `BPF_LINK_CREATE for ${description} answered ${err.code}: kprobe_multi links need CONFIG_FPROBE, which this kernel lacks${why}`,
        err.errno,
      );
    }
    if (err instanceof SyscallError && (err.errno === Errno.ENOENT || err.errno === Errno.ESRCH)) {
      throw new TargetNotFoundError(
        "kernel function",
        symbols.join(","),
        `at least one of them is not in /proc/kallsyms or cannot be probed (${err.code})`,
      );
    }
    throw err;
  } finally {
    for (const n of names) n.free();
    pointers.free();
    cookies?.free();
  }
}
