// perf_event_open(2) and the bits of tracefs / sysfs that tracing attachments need: the
// perf_event_attr encoder, the three ioctls BPF cares about, tracepoint ids and dynamic PMU
// types (uprobe, kprobe). Offsets follow include/uapi/linux/perf_event.h.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { lastErrno, native, NativeMemory, SYS } from "./libc.js";
import { syscallError, TargetNotFoundError } from "./errors.js";
import { ensureTracefs } from "./mounts.js";

export const PerfType = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 } as const;

export const PerfSwConfig = {
  CPU_CLOCK: 0,
  TASK_CLOCK: 1,
  PAGE_FAULTS: 2,
  CONTEXT_SWITCHES: 3,
  CPU_MIGRATIONS: 4,
  PAGE_FAULTS_MIN: 5,
  PAGE_FAULTS_MAJ: 6,
  ALIGNMENT_FAULTS: 7,
  EMULATION_FAULTS: 8,
  DUMMY: 9,
  BPF_OUTPUT: 10,
  CGROUP_SWITCHES: 11,
} as const;

export const PerfSampleType = {
  IP: 1 << 0,
  TID: 1 << 1,
  TIME: 1 << 2,
  ADDR: 1 << 3,
  READ: 1 << 4,
  CALLCHAIN: 1 << 5,
  ID: 1 << 6,
  CPU: 1 << 7,
  PERIOD: 1 << 8,
  STREAM_ID: 1 << 9,
  RAW: 1 << 10,
} as const;

export const PERF_FLAG_FD_CLOEXEC = 1 << 3;

/** ioctl request numbers: _IO('$', 0), _IO('$', 1), _IOW('$', 8, __u32). */
export const PerfIoctl = { ENABLE: 0x2400, DISABLE: 0x2401, SET_BPF: 0x40042408 } as const;

/** Bit positions in the perf_event_attr flags word (offset 40). */
const FlagBit = {
  disabled: 0,
  inherit: 1,
  pinned: 2,
  exclusive: 3,
  excludeUser: 4,
  excludeKernel: 5,
  excludeHv: 6,
  excludeIdle: 7,
  freq: 10,
  enableOnExec: 12,
  watermark: 14,
  sampleIdAll: 18,
  useClockid: 25,
} as const;

export interface PerfEventAttr {
  type: number;
  config?: number | bigint;
  /** Sample every N events (or N ns for the clocks). Exclusive with sampleFrequency. */
  samplePeriod?: number | bigint;
  /** Sample N times a second; sets the `freq` bit. */
  sampleFrequency?: number;
  sampleType?: number;
  readFormat?: number;
  disabled?: boolean;
  inherit?: boolean;
  pinned?: boolean;
  excludeUser?: boolean;
  excludeKernel?: boolean;
  excludeHv?: boolean;
  excludeIdle?: boolean;
  enableOnExec?: boolean;
  /** Wake the reader every N events (or, with `watermark`, every N bytes). */
  wakeupEvents?: number;
  watermark?: boolean;
  bpType?: number;
  /** kprobe_func / uprobe_path / bp_addr: usually a pointer to a NUL-terminated string. */
  config1?: number | bigint;
  /** kprobe_addr / probe_offset / bp_len. */
  config2?: number | bigint;
  config3?: number | bigint;
  clockid?: number;
  /** Extra flag bits OR-ed into the flags word, for bits without a named option. */
  extraFlags?: bigint;
}

/** PERF_ATTR_SIZE_VER7 covers every field above except config3 (VER8). */
const ATTR_SIZE_VER7 = 128;
const ATTR_SIZE_VER8 = 136;

function u64(view: DataView, offset: number, value: number | bigint): void {
  view.setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), true);
}

/** Encodes a perf_event_attr into `mem` (at least 136 bytes) and returns the size to pass. */
export function encodePerfEventAttr(attr: PerfEventAttr, mem: NativeMemory): number {
  const size = attr.config3 === undefined ? ATTR_SIZE_VER7 : ATTR_SIZE_VER8;
  if (mem.size < size) throw new RangeError(`perf_event_attr needs ${size} bytes, got ${mem.size}`);
  const v = mem.view;
  mem.bytes.fill(0, 0, size);
  v.setUint32(0, attr.type, true);
  v.setUint32(4, size, true);
  u64(v, 8, attr.config ?? 0);
  let flags = attr.extraFlags ?? 0n;
  const bit = (on: boolean | undefined, n: number): void => {
    if (on) flags |= 1n << BigInt(n);
  };
  if (attr.sampleFrequency !== undefined) {
    if (attr.samplePeriod !== undefined)
      throw new RangeError("perf_event_attr: give samplePeriod or sampleFrequency, not both");
    u64(v, 16, attr.sampleFrequency);
    bit(true, FlagBit.freq);
  } else {
    u64(v, 16, attr.samplePeriod ?? 0);
  }
  u64(v, 24, attr.sampleType ?? 0);
  u64(v, 32, attr.readFormat ?? 0);
  bit(attr.disabled, FlagBit.disabled);
  bit(attr.inherit, FlagBit.inherit);
  bit(attr.pinned, FlagBit.pinned);
  bit(attr.excludeUser, FlagBit.excludeUser);
  bit(attr.excludeKernel, FlagBit.excludeKernel);
  bit(attr.excludeHv, FlagBit.excludeHv);
  bit(attr.excludeIdle, FlagBit.excludeIdle);
  bit(attr.enableOnExec, FlagBit.enableOnExec);
  bit(attr.watermark, FlagBit.watermark);
  bit(attr.clockid !== undefined, FlagBit.useClockid);
  u64(v, 40, flags);
  v.setUint32(48, attr.wakeupEvents ?? 0, true);
  v.setUint32(52, attr.bpType ?? 0, true);
  u64(v, 56, attr.config1 ?? 0);
  u64(v, 64, attr.config2 ?? 0);
  v.setInt32(92, attr.clockid ?? 0, true);
  if (attr.config3 !== undefined) u64(v, 128, attr.config3);
  return size;
}

/**
 * perf_event_open(attr, pid, cpu, groupFd, flags) → fd. pid -1 with a cpu ≥ 0 watches every
 * process on that CPU; a pid with cpu -1 follows that process everywhere.
 */
export function perfEventOpen(
  attr: PerfEventAttr,
  pid: number,
  cpu: number,
  groupFd = -1,
  flags = PERF_FLAG_FD_CLOEXEC,
  detail?: string,
): number {
  const mem = new NativeMemory(ATTR_SIZE_VER8);
  try {
    encodePerfEventAttr(attr, mem);
    const fd = native.syscall5(SYS.perf_event_open, mem.address, pid, cpu, groupFd, flags);
    if (fd < 0) throw syscallError("perf_event_open", lastErrno(), detail);
    return fd;
  } finally {
    mem.free();
  }
}

/** Like perfEventOpen but returns -errno instead of throwing, for callers that map errnos themselves. */
export function perfEventOpenErrno(
  attr: PerfEventAttr,
  pid: number,
  cpu: number,
  groupFd = -1,
  flags = PERF_FLAG_FD_CLOEXEC,
): number {
  const mem = new NativeMemory(ATTR_SIZE_VER8);
  try {
    encodePerfEventAttr(attr, mem);
    const fd = native.syscall5(SYS.perf_event_open, mem.address, pid, cpu, groupFd, flags);
    return fd < 0 ? -lastErrno() : fd;
  } finally {
    mem.free();
  }
}

function perfIoctl(fd: number, request: number, arg: number, name: string): void {
  if (native.ioctl(fd, request, arg) < 0) throw syscallError(`ioctl(${name})`, lastErrno());
}

export function perfEventEnable(fd: number): void {
  perfIoctl(fd, PerfIoctl.ENABLE, 0, "PERF_EVENT_IOC_ENABLE");
}
export function perfEventDisable(fd: number): void {
  perfIoctl(fd, PerfIoctl.DISABLE, 0, "PERF_EVENT_IOC_DISABLE");
}

/** Attaches a program to a perf event the old way (no bpf_link). Returns 0 or -errno. */
export function perfEventSetBpfErrno(perfFd: number, progFd: number): number {
  return native.ioctl(perfFd, PerfIoctl.SET_BPF, progFd) < 0 ? -lastErrno() : 0;
}

// ---- tracefs --------------------------------------------------------------------------------

const TRACEFS_ROOTS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** The mounted tracefs root, or undefined when neither the new nor the debugfs path is there. */
export function tracefsRoot(): string | undefined {
  const found = TRACEFS_ROOTS.find((root) => existsSync(`${root}/events`));
  if (found) return found;
  try {
    return ensureTracefs();
  } catch {
    return undefined;
  } // as root, mount it where tools expect it
}

const NAME_PART = /^[A-Za-z0-9_.-]+$/;

/** The id of tracepoint CATEGORY:NAME from tracefs (events/CAT/NAME/id). */
export function tracepointId(category: string, name: string): number {
  const target = `${category}:${name}`;
  if (!NAME_PART.test(category) || !NAME_PART.test(name)) {
    throw new TargetNotFoundError(
      "tracepoint",
      target,
      "category and name may only contain letters, digits, '_', '.' and '-'",
    );
  }
  const root = tracefsRoot();
  if (root === undefined) {
    throw new TargetNotFoundError(
      "tracepoint",
      target,
      "tracefs is not mounted (looked in /sys/kernel/tracing and /sys/kernel/debug/tracing); mount it with: mount -t tracefs tracefs /sys/kernel/tracing",
    );
  }
  let text: string;
  try {
    text = readFileSync(`${root}/events/${category}/${name}/id`, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      const why = existsSync(`${root}/events/${category}`)
        ? `no event "${name}" in ${root}/events/${category}`
        : `no tracepoint category "${category}" in ${root}/events`;
      throw new TargetNotFoundError("tracepoint", target, why);
    }
    throw err;
  }
  const id = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(id)) throw new TargetNotFoundError("tracepoint", target, `unreadable id "${text.trim()}"`);
  return id;
}

// ---- dynamic PMUs (uprobe, kprobe) -----------------------------------------------------------

const PMU_ROOT = "/sys/bus/event_source/devices";

/** The perf `type` of a dynamic PMU such as "uprobe" or "kprobe", or undefined when absent. */
export function pmuType(pmu: string): number | undefined {
  try {
    const type = Number.parseInt(readFileSync(`${PMU_ROOT}/${pmu}/type`, "utf8").trim(), 10);
    return Number.isInteger(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The config bit that turns a probe into a return probe, from .../format/retprobe
 * ("config:0" → 0). Undefined when the PMU has no such format.
 */
export function pmuRetprobeBit(pmu: string): number | undefined {
  try {
    const text = readFileSync(`${PMU_ROOT}/${pmu}/format/retprobe`, "utf8").trim();
    const match = /^config:(\d+)$/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---- dynamic probe events in tracefs (kprobe_events / uprobe_events) -------------------------
// The legacy way to create a kprobe or uprobe when the kernel has no kprobe/uprobe PMU: define
// an event in tracefs, then open it like any tracepoint. Events are grouped under "tsbpf".

export type ProbeEventKind = "kprobe" | "uprobe";

const PROBE_GROUP = "tsbpf";
let probeSequence = 0;

/** The tracefs file defining dynamic events of `kind`, or undefined when the kernel has none. */
export function probeEventsFile(kind: ProbeEventKind): string | undefined {
  const root = tracefsRoot();
  const file = root && `${root}/${kind}_events`;
  return file && existsSync(file) ? file : undefined;
}

export interface ProbeEvent {
  /** "tsbpf/NAME" */
  readonly event: string;
  /** The tracepoint id to open with PERF_TYPE_TRACEPOINT. */
  readonly id: number;
  /** Deletes the event definition (after every perf event on it has been closed). */
  remove(): void;
}

/**
 * Defines a probe event: `location` is "SYMBOL+OFFSET" for kprobes, "PATH:0xOFFSET" for uprobes.
 * Throws TargetNotFoundError when the kernel refuses the location (unknown symbol, bad offset).
 */
export function addProbeEvent(kind: ProbeEventKind, location: string, retprobe: boolean): ProbeEvent {
  const file = probeEventsFile(kind);
  if (!file) throw new TargetNotFoundError(`${kind}_events file`, kind, "tracefs has no such file");
  const root = file.slice(0, file.lastIndexOf("/"));
  const name = `${kind[0]}${retprobe ? "r" : "p"}_${process.pid}_${++probeSequence}`;
  const event = `${PROBE_GROUP}/${name}`;
  try {
    appendFileSync(file, `${retprobe ? "r" : "p"}:${event} ${location}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const log = lastTracefsError(root);
    throw new TargetNotFoundError(kind, location, `tracefs refused the probe (${code})${log ? `: ${log}` : ""}`);
  }
  const remove = (): void => {
    try {
      appendFileSync(file, `-:${event}\n`);
    } catch {
      /* already gone */
    }
  };
  try {
    const id = Number.parseInt(readFileSync(`${root}/events/${PROBE_GROUP}/${name}/id`, "utf8").trim(), 10);
    return { event, id, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

function lastTracefsError(root: string): string | undefined {
  // error_log entries: "[ts] source: error: what", "  Command: ...", then a caret line.
  try {
    const lines = readFileSync(`${root}/error_log`, "utf8").split("\n");
    const last = lines.filter((l) => l.includes(" error: ")).at(-1);
    return last?.replace(/^\[[^\]]*\]\s*/, "").trim();
  } catch {
    return undefined;
  }
}
