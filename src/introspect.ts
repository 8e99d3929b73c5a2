// What is loaded in the kernel right now: every program, map and link (not only ours), read by
// walking the global id spaces (BPF_*_GET_NEXT_ID), opening each object by id, reading its info
// and closing it again. Objects can vanish between two calls; those are skipped.
import { readdirSync, readFileSync } from "node:fs";
import { closeFd, Cmd, enableStats, fdById, getNextId } from "./sys/bpf.js";
import { Errno } from "./errors.js";
import { SyscallError, TargetNotFoundError } from "./sys/errors.js";
import {
  btfInfo,
  linkInfo,
  mapInfoFull,
  progInfo,
  type BtfInfo,
  type LinkTarget,
  PerfEventLinkType,
} from "./sys/info.js";
import { AttachType, enumName, LinkType, MapFlags, MapType, ProgType } from "./uapi.js";
import { listing } from "./asm/disasm.js";
import { decode, type Instruction } from "./asm/instruction.js";

export type { LinkTarget } from "./sys/info.js";

/** A loaded program, as `tsbpf prog list` shows it. */
export interface ProgramRecord {
  id: number;
  name: string;
  /** Program type in lower case: "xdp", "sched_cls", "tracepoint" … */
  type: string;
  typeId: number;
  /** 16 hex digits. */
  tag: string;
  /** ns since boot (CLOCK_BOOTTIME) at load. */
  loadTime: bigint;
  /** Wall-clock time of the load (derived from loadTime and the current uptime; ±10 ms). */
  loadedAt: Date;
  /** uid of the loader. */
  uid: number;
  xlatedSize: number;
  jitedSize: number;
  mapIds: number[];
  /** BTF object of the program's func/line info; 0 when none. */
  btfId: number;
  /** Runs and total run time counted while run statistics were on (enableRunStats). */
  runCount: bigint;
  runTimeNs: bigint;
  recursionMisses: bigint;
  verifiedInsns: number;
  gplCompatible: boolean;
  attachBtfId: number;
  attachBtfObjId: number;
  /** Device the program is offloaded to/bound to, 0 for none. */
  ifindex: number;
}

/** A map, as `tsbpf map list` shows it. */
export interface MapRecord {
  id: number;
  name: string;
  /** Map type in lower case: "hash", "percpu_array", "ringbuf" … */
  type: string;
  typeId: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** Names of the set BPF_F_* flags in lower case ("no_prealloc", "mmapable" …). */
  flagNames: string[];
  btfId: number;
  ifindex: number;
  mapExtra: bigint;
}

/** A link, as `tsbpf link list` shows it. */
export interface LinkRecord {
  id: number;
  /** Link type in lower case: "xdp", "tcx", "perf_event", "raw_tracepoint" … */
  type: string;
  typeId: number;
  progId: number;
  /** The attach type's name where the link records one ("tcx_ingress", "cgroup_inet_ingress" …). */
  attachType?: string;
  /** Where the link is attached, decoded per link type. */
  target: LinkTarget;
  /** One line saying where it is attached: "ifindex 1 (lo)", "tracepoint sched_switch" … */
  targetText: string;
}

type NextCmd = Cmd.PROG_GET_NEXT_ID | Cmd.MAP_GET_NEXT_ID | Cmd.LINK_GET_NEXT_ID | Cmd.BTF_GET_NEXT_ID;
type ByIdCmd = Cmd.PROG_GET_FD_BY_ID | Cmd.MAP_GET_FD_BY_ID | Cmd.LINK_GET_FD_BY_ID | Cmd.BTF_GET_FD_BY_ID;

/** Opens the object `id`, or returns -1 when it is gone (ENOENT). */
function openById(cmd: ByIdCmd, id: number, flags = 0): number {
  try {
    return fdById(cmd, id, flags);
  } catch (err) {
    if (err instanceof SyscallError && err.errno === Errno.ENOENT) return -1;
    throw err;
  }
}

/** Runs `read` on a fresh fd of object `id` and closes it; undefined when the object is gone. */
function withObject<T>(cmd: ByIdCmd, id: number, read: (fd: number) => T, flags = 0): T | undefined {
  const fd = openById(cmd, id, flags);
  if (fd < 0) return undefined;
  try {
    return read(fd);
  } catch (err) {
    // Freed between opening and reading (the fd keeps it alive, but be tolerant of races).
    if (err instanceof SyscallError && err.errno === Errno.ENOENT) return undefined;
    throw err;
  } finally {
    closeFd(fd);
  }
}

function walk<T>(next: NextCmd, byId: ByIdCmd, read: (fd: number) => T, flags = 0): T[] {
  const out: T[] = [];
  for (let id = getNextId(next, 0); id !== 0; id = getNextId(next, id)) {
    const item = withObject(byId, id, read, flags);
    if (item !== undefined) out.push(item);
  }
  return out;
}

/** ns since boot now, from /proc/uptime (CLOCK_BOOTTIME, 10 ms resolution). */
function bootClockNs(): bigint {
  const seconds = readFileSync("/proc/uptime", "utf8").split(" ")[0] ?? "0";
  const [whole = "0", fraction = "0"] = seconds.split(".");
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9));
}

function programRecord(fd: number, nowBoot: bigint, nowWall: number): ProgramRecord {
  const info = progInfo(fd, { mapIds: true });
  const ageMs = Number((nowBoot - info.loadTime) / 1_000_000n);
  return {
    id: info.id,
    name: info.name,
    type: enumName(ProgType, info.type),
    typeId: info.type,
    tag: info.tag,
    loadTime: info.loadTime,
    loadedAt: new Date(nowWall - ageMs),
    uid: info.createdByUid,
    xlatedSize: info.xlatedProgLen,
    jitedSize: info.jitedProgLen,
    mapIds: info.mapIds,
    btfId: info.btfId,
    runCount: info.runCnt,
    runTimeNs: info.runTimeNs,
    recursionMisses: info.recursionMisses,
    verifiedInsns: info.verifiedInsns,
    gplCompatible: info.gplCompatible,
    attachBtfId: info.attachBtfId,
    attachBtfObjId: info.attachBtfObjId,
    ifindex: info.ifindex,
  };
}

const MAP_FLAG_NAMES = Object.entries(MapFlags).map(([name, bit]) => [name.toLowerCase(), bit] as const);

function mapRecord(fd: number): MapRecord {
  const info = mapInfoFull(fd);
  return {
    id: info.id,
    name: info.name,
    type: enumName(MapType, info.type),
    typeId: info.type,
    keySize: info.keySize,
    valueSize: info.valueSize,
    maxEntries: info.maxEntries,
    flags: info.mapFlags,
    flagNames: MAP_FLAG_NAMES.filter(([, bit]) => (info.mapFlags & bit) !== 0).map(([name]) => name),
    btfId: info.btfId,
    ifindex: info.ifindex,
    mapExtra: info.mapExtra,
  };
}

/** Interface names by ifindex in this network namespace (from /sys/class/net). */
export function interfaceNames(): Map<number, string> {
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync("/sys/class/net");
  } catch {
    return names;
  }
  for (const name of entries) {
    try {
      names.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim()), name);
    } catch {
      /* went away */
    }
  }
  return names;
}

const PERF_EVENT_KINDS: Record<number, string> = {
  [PerfEventLinkType.UPROBE]: "uprobe",
  [PerfEventLinkType.URETPROBE]: "uretprobe",
  [PerfEventLinkType.KPROBE]: "kprobe",
  [PerfEventLinkType.KRETPROBE]: "kretprobe",
  [PerfEventLinkType.TRACEPOINT]: "tracepoint",
  [PerfEventLinkType.EVENT]: "event",
};

function linkAttachType(target: LinkTarget): number | undefined {
  return "attachType" in target ? target.attachType : undefined;
}

function describeTarget(target: LinkTarget, ifnames: () => Map<number, string>): string {
  const iface = (ifindex: number): string => {
    const name = ifnames().get(ifindex);
    return name ? `ifindex ${ifindex} (${name})` : `ifindex ${ifindex}`;
  };
  switch (target.kind) {
    case "raw_tracepoint":
      return target.tracepoint;
    case "tracing":
      return `btf id ${target.targetBtfId}${target.targetObjId ? ` in btf object ${target.targetObjId}` : ""}`;
    case "cgroup":
      return `cgroup id ${target.cgroupId}`;
    case "iter": {
      const scope =
        target.mapId !== undefined
          ? ` (map ${target.mapId})`
          : target.pid
            ? ` (pid ${target.pid})`
            : target.tid
              ? ` (tid ${target.tid})`
              : target.cgroupId
                ? ` (cgroup id ${target.cgroupId})`
                : "";
      return `iter ${target.target}${scope}`;
    }
    case "netns":
      return `netns ino ${target.netnsIno}`;
    case "xdp":
      return iface(target.ifindex);
    case "struct_ops":
      return `struct_ops map ${target.mapId}`;
    case "netfilter":
      return `netfilter pf ${target.pf} hook ${target.hooknum} prio ${target.priority}`;
    case "kprobe_multi":
      return `${target.count} kernel functions`;
    case "uprobe_multi":
      return `${target.count} uprobes in ${target.path}${target.pid ? ` (pid ${target.pid})` : ""}`;
    case "perf_event": {
      const kind = PERF_EVENT_KINDS[target.eventType] ?? "perf event";
      if (target.tracepoint) return `tracepoint ${target.tracepoint.name}`;
      if (target.kprobe)
        return `${kind} ${target.kprobe.function}${target.kprobe.offset ? `+${target.kprobe.offset}` : ""}`;
      if (target.uprobe) return `${kind} ${target.uprobe.file}+0x${target.uprobe.offset.toString(16)}`;
      if (target.event) return `perf event type ${target.event.type} config ${target.event.config}`;
      return kind;
    }
    case "tcx":
    case "netkit":
      return iface(target.ifindex);
    case "sockmap":
      return `sockmap map ${target.mapId}`;
    case "none":
      return "";
  }
}

function linkRecord(fd: number, ifnames: () => Map<number, string>): LinkRecord {
  const info = linkInfo(fd);
  const attachType = linkAttachType(info.target);
  const record: LinkRecord = {
    id: info.id,
    type: enumName(LinkType, info.type),
    typeId: info.type,
    progId: info.progId,
    target: info.target,
    targetText: describeTarget(info.target, ifnames),
  };
  if (attachType !== undefined) record.attachType = enumName(AttachType, attachType);
  return record;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

// ---- public API ------------------------------------------------------------------------------

/** Every program loaded in the kernel, by ascending id. Needs CAP_BPF (or root). */
export function listPrograms(): ProgramRecord[] {
  const nowBoot = bootClockNs(),
    nowWall = Date.now();
  return walk(Cmd.PROG_GET_NEXT_ID, Cmd.PROG_GET_FD_BY_ID, (fd) => programRecord(fd, nowBoot, nowWall));
}

// Maps are opened read-only: listing and dumping never write.
const MAP_OPEN_FLAGS = MapFlags.RDONLY;

/** Every map in the kernel, by ascending id. */
export function listMaps(): MapRecord[] {
  return walk(Cmd.MAP_GET_NEXT_ID, Cmd.MAP_GET_FD_BY_ID, mapRecord, MAP_OPEN_FLAGS);
}

/** Every bpf_link in the kernel, by ascending id. */
export function listLinks(): LinkRecord[] {
  const ifnames = lazy(interfaceNames);
  return walk(Cmd.LINK_GET_NEXT_ID, Cmd.LINK_GET_FD_BY_ID, (fd) => linkRecord(fd, ifnames));
}

/** Every BTF object (vmlinux, modules, and those programs and maps loaded). */
export function listBtf(): BtfInfo[] {
  return walk(Cmd.BTF_GET_NEXT_ID, Cmd.BTF_GET_FD_BY_ID, (fd) => btfInfo(fd));
}

function notFound(kind: string, id: number): never {
  throw new TargetNotFoundError(kind, `id ${id}`, `no ${kind} with that id is loaded`);
}

/** One program by id (TargetNotFoundError when there is none). */
export function getProgram(id: number): ProgramRecord {
  const nowBoot = bootClockNs(),
    nowWall = Date.now();
  return withObject(Cmd.PROG_GET_FD_BY_ID, id, (fd) => programRecord(fd, nowBoot, nowWall)) ?? notFound("program", id);
}

/** One map by id. */
export function getMap(id: number): MapRecord {
  return withObject(Cmd.MAP_GET_FD_BY_ID, id, mapRecord, MAP_OPEN_FLAGS) ?? notFound("map", id);
}

/** One link by id. */
export function getLink(id: number): LinkRecord {
  return withObject(Cmd.LINK_GET_FD_BY_ID, id, (fd) => linkRecord(fd, lazy(interfaceNames))) ?? notFound("link", id);
}

/**
 * The program's instructions as the kernel runs them (after the verifier's rewrites: map fds
 * replaced by map ids, helper calls by kernel addresses relative to __bpf_call_base).
 */
export function programInstructions(id: number): Uint8Array {
  return (
    withObject(Cmd.PROG_GET_FD_BY_ID, id, (fd) => progInfo(fd, { xlated: true }).xlatedInsns ?? new Uint8Array(0)) ??
    notFound("program", id)
  );
}

/** One line of a program listing. */
export interface ListingLine {
  /** Instruction slot (a 16-byte lddw takes two). */
  index: number;
  /** Opcode byte. */
  code: number;
  /** Kernel verifier syntax, e.g. "r0 = *(u32 *)(r1 +0)", "call bpf_map_lookup_elem#1". */
  text: string;
  /** The raw encoding as hex (16 or 32 digits). */
  hex: string;
}

const BPF_PSEUDO_MAP_FD = 1,
  BPF_PSEUDO_MAP_VALUE = 2,
  BPF_PSEUDO_CALL = 1;
const CALL = 0x85;

/**
 * Names of the kernel functions that xlated call instructions point at: their imm is the
 * function's address minus __bpf_call_base. Empty when /proc/kallsyms hides addresses.
 */
function callTargets(offsets: readonly number[]): Map<number, string> {
  const names = new Map<number, string>();
  if (offsets.length === 0) return names;
  let text: string;
  try {
    text = readFileSync("/proc/kallsyms", "utf8");
  } catch {
    return names;
  }
  const base = /^([0-9a-f]{16}) [Tt] __bpf_call_base$/m.exec(text)?.[1];
  if (base === undefined || /^0+$/.test(base)) return names; // kptr_restrict hides addresses
  const wanted = new Map<string, number>();
  for (const offset of offsets)
    wanted.set((BigInt(`0x${base}`) + BigInt(offset)).toString(16).padStart(16, "0"), offset);
  let start = 0;
  while (start < text.length && names.size < wanted.size) {
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    const offset = wanted.get(text.slice(start, start + 16));
    // "ffffffff814dccd0 T name\t[module]"
    if (offset !== undefined && !names.has(offset)) names.set(offset, text.slice(start + 19, stop).split(/\s/)[0]!);
    start = stop + 1;
  }
  return names;
}

/**
 * The program's translated instructions as a numbered listing in the verifier's syntax, like
 * `bpftool prog dump xlated`: maps appear as `map[id:N]`, and helper and kernel-function calls
 * are named from /proc/kallsyms when the kernel shows addresses.
 */
export function programListing(id: number): ListingLine[] {
  const bytes = programInstructions(id);
  const insns: Instruction[] = decode(bytes);
  // Helper calls in xlated code hold (function address − __bpf_call_base).
  const targets = callTargets(insns.filter((i) => i.code === CALL && i.src !== BPF_PSEUDO_CALL).map((i) => i.imm));
  const text = listing(insns, {
    imm: (insn, value) => {
      if (insn.src === BPF_PSEUDO_MAP_FD) return `map[id:${insn.imm >>> 0}]`;
      if (insn.src === BPF_PSEUDO_MAP_VALUE) return `map[id:${insn.imm >>> 0}][0]+${Number(value >> 32n)}`;
      return undefined;
    },
    call: (insn) => targets.get(insn.imm),
  });
  const out: ListingLine[] = [];
  let offset = 0;
  for (let i = 0; i < insns.length; i++) {
    const line = text[i]!;
    const colon = line.indexOf(": (");
    const index = Number(line.slice(0, colon));
    const size = insns[i]!.code === 0x18 ? 16 : 8;
    out.push({
      index,
      code: insns[i]!.code,
      text: line.slice(colon + 7),
      hex: Buffer.from(bytes.subarray(offset, offset + size)).toString("hex"),
    });
    offset += size;
  }
  return out;
}

/** Run statistics (run_cnt, run_time_ns) are counted while this is open. */
export class RunStats implements Disposable {
  #fd: number;
  constructor(fd: number) {
    this.#fd = fd;
  }
  get fd(): number {
    return this.#fd;
  }
  get closed(): boolean {
    return this.#fd < 0;
  }
  close(): void {
    if (this.#fd >= 0) {
      closeFd(this.#fd);
      this.#fd = -1;
    }
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Turns on BPF_STATS_RUN_TIME for every program until the returned handle is closed (it costs
 * two clock reads per program run). Several holders may overlap; stats stop with the last one.
 */
export function enableRunStats(): RunStats {
  return new RunStats(enableStats(0));
}
