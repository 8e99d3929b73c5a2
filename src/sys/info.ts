// Decoders for what BPF_OBJ_GET_INFO_BY_FD returns: struct bpf_prog_info, bpf_map_info,
// bpf_link_info (with its per-type union) and bpf_btf_info. Offsets follow
// include/uapi/linux/bpf.h as of Linux 6.18 (checked against the running kernel's BTF). Older
// kernels fill a prefix of each struct and leave the rest zero, which decodes as "absent".
//
// Arrays and strings (map ids, instructions, tracepoint names, paths) take a second call: the
// first reports their lengths, the second passes buffers of that size and nothing else, so the
// kernel copies only what was asked for.
import { objInfo } from "./bpf.js";
import { NativeMemory } from "./libc.js";
import { SyscallError } from "./errors.js";
import { LinkType } from "../uapi.js";

const PROG_INFO_SIZE = 232;
const MAP_INFO_SIZE = 104;
const LINK_INFO_SIZE = 64;
const BTF_INFO_SIZE = 32;

/** Sizes of the buffers for names and paths the kernel copies out of a link. */
const NAME_BUFFER = 512;
const PATH_BUFFER = 4096;

function cString(bytes: Uint8Array, offset: number, max: number): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + offset, max);
  const end = view.indexOf(0);
  return view.toString("utf8", 0, end < 0 ? max : end);
}

/** Runs objInfo into a fresh zeroed block of `size` bytes prepared by `fill`. */
function infoCall(fd: number, size: number, fill?: (mem: NativeMemory) => void): NativeMemory {
  const mem = new NativeMemory(size);
  mem.bytes.fill(0);
  try {
    fill?.(mem);
    objInfo(fd, mem);
    return mem;
  } catch (err) {
    mem.free();
    throw err;
  }
}

// ---- programs ------------------------------------------------------------------------------

export interface ProgInfo {
  type: number;
  id: number;
  /** The program's tag (a hash of its instructions) as 16 hex digits, as bpftool prints it. */
  tag: string;
  jitedProgLen: number;
  xlatedProgLen: number;
  /** Nanoseconds since boot (CLOCK_BOOTTIME) when the program was loaded. */
  loadTime: bigint;
  createdByUid: number;
  nrMapIds: number;
  /** Ids of the maps the program uses; filled when asked for (ProgInfoOptions.mapIds). */
  mapIds: number[];
  name: string;
  ifindex: number;
  gplCompatible: boolean;
  netnsDev: bigint;
  netnsIno: bigint;
  nrJitedKsyms: number;
  nrJitedFuncLens: number;
  btfId: number;
  funcInfoRecSize: number;
  nrFuncInfo: number;
  nrLineInfo: number;
  nrJitedLineInfo: number;
  nrProgTags: number;
  /** Total run time while BPF_ENABLE_STATS was on, in ns. */
  runTimeNs: bigint;
  /** Number of runs while BPF_ENABLE_STATS was on. */
  runCnt: bigint;
  recursionMisses: bigint;
  verifiedInsns: number;
  attachBtfObjId: number;
  attachBtfId: number;
  /** The instructions after the verifier's rewrites; present when asked for (ProgInfoOptions.xlated). */
  xlatedInsns?: Uint8Array;
  /** The JIT's machine code; present when asked for (ProgInfoOptions.jited). */
  jitedInsns?: Uint8Array;
}

export interface ProgInfoOptions {
  /** Also read the ids of the maps the program uses (a second call). */
  mapIds?: boolean;
  /** Also read the translated (xlated) instructions. */
  xlated?: boolean;
  /** Also read the JITed machine code. */
  jited?: boolean;
}

function decodeProgInfo(mem: NativeMemory): ProgInfo {
  const v = mem.view;
  return {
    type: v.getUint32(0, true),
    id: v.getUint32(4, true),
    tag: mem.bytes.subarray(8, 16).toString("hex"),
    jitedProgLen: v.getUint32(16, true),
    xlatedProgLen: v.getUint32(20, true),
    loadTime: v.getBigUint64(40, true),
    createdByUid: v.getUint32(48, true),
    nrMapIds: v.getUint32(52, true),
    mapIds: [],
    name: cString(mem.bytes, 64, 16),
    ifindex: v.getUint32(80, true),
    gplCompatible: (v.getUint32(84, true) & 1) === 1,
    netnsDev: v.getBigUint64(88, true),
    netnsIno: v.getBigUint64(96, true),
    nrJitedKsyms: v.getUint32(104, true),
    nrJitedFuncLens: v.getUint32(108, true),
    btfId: v.getUint32(128, true),
    funcInfoRecSize: v.getUint32(132, true),
    nrFuncInfo: v.getUint32(144, true),
    nrLineInfo: v.getUint32(148, true),
    nrJitedLineInfo: v.getUint32(168, true),
    nrProgTags: v.getUint32(180, true),
    runTimeNs: v.getBigUint64(192, true),
    runCnt: v.getBigUint64(200, true),
    recursionMisses: v.getBigUint64(208, true),
    verifiedInsns: v.getUint32(216, true),
    attachBtfObjId: v.getUint32(220, true),
    attachBtfId: v.getUint32(224, true),
  };
}

/** struct bpf_prog_info of the program behind `fd`, with the arrays `options` asks for. */
export function progInfo(fd: number, options: ProgInfoOptions = {}): ProgInfo {
  const first = infoCall(fd, PROG_INFO_SIZE);
  let info: ProgInfo;
  try {
    info = decodeProgInfo(first);
  } finally {
    first.free();
  }

  const wantMaps = options.mapIds === true && info.nrMapIds > 0;
  const wantXlated = options.xlated === true && info.xlatedProgLen > 0;
  const wantJited = options.jited === true && info.jitedProgLen > 0;
  if (!wantMaps && !wantXlated && !wantJited) {
    if (options.xlated) info.xlatedInsns = new Uint8Array(0);
    if (options.jited) info.jitedInsns = new Uint8Array(0);
    return info;
  }

  const mapIds = wantMaps ? new NativeMemory(info.nrMapIds * 4) : null;
  const xlated = wantXlated ? new NativeMemory(info.xlatedProgLen) : null;
  const jited = wantJited ? new NativeMemory(info.jitedProgLen) : null;
  try {
    const second = infoCall(fd, PROG_INFO_SIZE, (mem) => {
      const v = mem.view;
      if (mapIds) {
        v.setUint32(52, info.nrMapIds, true);
        v.setBigUint64(56, BigInt(mapIds.address), true);
      }
      if (xlated) {
        v.setUint32(20, info.xlatedProgLen, true);
        v.setBigUint64(32, BigInt(xlated.address), true);
      }
      if (jited) {
        v.setUint32(16, info.jitedProgLen, true);
        v.setBigUint64(24, BigInt(jited.address), true);
      }
    });
    try {
      const v = second.view;
      if (mapIds) {
        // Maps bound since the first call (BPF_PROG_BIND_MAP) are counted but not copied.
        const copied = Math.min(v.getUint32(52, true), info.nrMapIds);
        for (let i = 0; i < copied; i++) info.mapIds.push(mapIds.view.getUint32(i * 4, true));
      }
      if (xlated)
        info.xlatedInsns = new Uint8Array(
          xlated.bytes.subarray(0, Math.min(v.getUint32(20, true), info.xlatedProgLen)),
        );
      else if (options.xlated) info.xlatedInsns = new Uint8Array(0);
      if (jited)
        info.jitedInsns = new Uint8Array(jited.bytes.subarray(0, Math.min(v.getUint32(16, true), info.jitedProgLen)));
      else if (options.jited) info.jitedInsns = new Uint8Array(0);
    } finally {
      second.free();
    }
  } finally {
    mapIds?.free();
    xlated?.free();
    jited?.free();
  }
  return info;
}

// ---- maps ----------------------------------------------------------------------------------

export interface MapInfoFull {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  name: string;
  ifindex: number;
  btfVmlinuxValueTypeId: number;
  netnsDev: bigint;
  netnsIno: bigint;
  btfId: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  btfVmlinuxId: number;
  mapExtra: bigint;
}

/** struct bpf_map_info of the map behind `fd` (every field, unlike the maps module's subset). */
export function mapInfoFull(fd: number): MapInfoFull {
  const mem = infoCall(fd, MAP_INFO_SIZE);
  try {
    const v = mem.view;
    return {
      type: v.getUint32(0, true),
      id: v.getUint32(4, true),
      keySize: v.getUint32(8, true),
      valueSize: v.getUint32(12, true),
      maxEntries: v.getUint32(16, true),
      mapFlags: v.getUint32(20, true),
      name: cString(mem.bytes, 24, 16),
      ifindex: v.getUint32(40, true),
      btfVmlinuxValueTypeId: v.getUint32(44, true),
      netnsDev: v.getBigUint64(48, true),
      netnsIno: v.getBigUint64(56, true),
      btfId: v.getUint32(64, true),
      btfKeyTypeId: v.getUint32(68, true),
      btfValueTypeId: v.getUint32(72, true),
      btfVmlinuxId: v.getUint32(76, true),
      mapExtra: v.getBigUint64(80, true),
    };
  } finally {
    mem.free();
  }
}

// ---- links ---------------------------------------------------------------------------------

/** enum bpf_perf_event_type: what a perf_event link's event is. */
export const PerfEventLinkType = {
  UNSPEC: 0,
  UPROBE: 1,
  URETPROBE: 2,
  KPROBE: 3,
  KRETPROBE: 4,
  TRACEPOINT: 5,
  EVENT: 6,
} as const;

/** The per-type part of struct bpf_link_info. */
export type LinkTarget =
  | { kind: "raw_tracepoint"; tracepoint: string; cookie: bigint }
  | { kind: "tracing"; attachType: number; targetObjId: number; targetBtfId: number; cookie: bigint }
  | { kind: "cgroup"; cgroupId: bigint; attachType: number }
  | { kind: "iter"; target: string; mapId?: number; cgroupId?: bigint; order?: number; tid?: number; pid?: number }
  | { kind: "netns"; netnsIno: number; attachType: number }
  | { kind: "xdp"; ifindex: number }
  | { kind: "struct_ops"; mapId: number }
  | { kind: "netfilter"; pf: number; hooknum: number; priority: number; flags: number }
  | { kind: "kprobe_multi"; count: number; flags: number; missed: bigint }
  | { kind: "uprobe_multi"; path: string; count: number; flags: number; pid: number }
  | {
      kind: "perf_event";
      eventType: number;
      uprobe?: { file: string; offset: number; cookie: bigint; refCtrOffset: bigint };
      kprobe?: { function: string; offset: number; address: bigint; missed: bigint; cookie: bigint };
      tracepoint?: { name: string; cookie: bigint };
      event?: { config: bigint; type: number; cookie: bigint };
    }
  | { kind: "tcx"; ifindex: number; attachType: number }
  | { kind: "netkit"; ifindex: number; attachType: number }
  | { kind: "sockmap"; mapId: number; attachType: number }
  | { kind: "none" };

export interface LinkInfo {
  type: number;
  id: number;
  progId: number;
  target: LinkTarget;
}

/** Where a link type keeps a string the kernel copies out: pointer and length field offsets. */
function stringField(type: number, perfEventType: number): { ptr: number; len: number; size: number } | undefined {
  switch (type) {
    case LinkType.RAW_TRACEPOINT:
      return { ptr: 16, len: 24, size: NAME_BUFFER };
    case LinkType.ITER:
      return { ptr: 16, len: 24, size: NAME_BUFFER };
    case LinkType.UPROBE_MULTI:
      return { ptr: 16, len: 48, size: PATH_BUFFER };
    case LinkType.PERF_EVENT:
      switch (perfEventType) {
        case PerfEventLinkType.UPROBE:
        case PerfEventLinkType.URETPROBE:
          return { ptr: 24, len: 32, size: PATH_BUFFER };
        case PerfEventLinkType.KPROBE:
        case PerfEventLinkType.KRETPROBE:
          return { ptr: 24, len: 32, size: NAME_BUFFER };
        case PerfEventLinkType.TRACEPOINT:
          return { ptr: 24, len: 32, size: NAME_BUFFER };
        default:
          return undefined;
      }
    default:
      return undefined;
  }
}

function decodeLinkTarget(mem: NativeMemory, text: string): LinkTarget {
  const v = mem.view;
  const type = v.getUint32(0, true);
  const u32 = (o: number): number => v.getUint32(o, true);
  const u64 = (o: number): bigint => v.getBigUint64(o, true);
  switch (type) {
    case LinkType.RAW_TRACEPOINT:
      return { kind: "raw_tracepoint", tracepoint: text, cookie: u64(32) };
    case LinkType.TRACING:
      return { kind: "tracing", attachType: u32(16), targetObjId: u32(20), targetBtfId: u32(24), cookie: u64(32) };
    case LinkType.CGROUP:
      return { kind: "cgroup", cgroupId: u64(16), attachType: u32(24) };
    case LinkType.ITER: {
      // The unions after the name depend on the iterator: map iterators report a map id,
      // cgroup iterators a cgroup id and walk order, task iterators a tid or pid.
      const target: LinkTarget = { kind: "iter", target: text };
      if (u32(28) !== 0) target.mapId = u32(28);
      if (text === "cgroup") {
        target.cgroupId = u64(32);
        target.order = u32(40);
      } else if (text.startsWith("task")) {
        target.tid = u32(32);
        target.pid = u32(36);
      }
      return target;
    }
    case LinkType.NETNS:
      return { kind: "netns", netnsIno: u32(16), attachType: u32(20) };
    case LinkType.XDP:
      return { kind: "xdp", ifindex: u32(16) };
    case LinkType.STRUCT_OPS:
      return { kind: "struct_ops", mapId: u32(16) };
    case LinkType.NETFILTER:
      return { kind: "netfilter", pf: u32(16), hooknum: u32(20), priority: v.getInt32(24, true), flags: u32(28) };
    case LinkType.KPROBE_MULTI:
      return { kind: "kprobe_multi", count: u32(24), flags: u32(28), missed: u64(32) };
    case LinkType.UPROBE_MULTI:
      return { kind: "uprobe_multi", path: text, count: u32(52), flags: u32(56), pid: u32(60) };
    case LinkType.PERF_EVENT: {
      const eventType = u32(16);
      const target: LinkTarget = { kind: "perf_event", eventType };
      switch (eventType) {
        case PerfEventLinkType.UPROBE:
        case PerfEventLinkType.URETPROBE:
          target.uprobe = { file: text, offset: u32(36), cookie: u64(40), refCtrOffset: u64(48) };
          break;
        case PerfEventLinkType.KPROBE:
        case PerfEventLinkType.KRETPROBE:
          target.kprobe = { function: text, offset: u32(36), address: u64(40), missed: u64(48), cookie: u64(56) };
          break;
        case PerfEventLinkType.TRACEPOINT:
          target.tracepoint = { name: text, cookie: u64(40) };
          break;
        case PerfEventLinkType.EVENT:
          target.event = { config: u64(24), type: u32(32), cookie: u64(40) };
          break;
      }
      return target;
    }
    case LinkType.TCX:
      return { kind: "tcx", ifindex: u32(16), attachType: u32(20) };
    case LinkType.NETKIT:
      return { kind: "netkit", ifindex: u32(16), attachType: u32(20) };
    case LinkType.SOCKMAP:
      return { kind: "sockmap", mapId: u32(16), attachType: u32(20) };
    default:
      return { kind: "none" };
  }
}

/** struct bpf_link_info of the link behind `fd`, with its name or path when it has one. */
export function linkInfo(fd: number): LinkInfo {
  let mem = infoCall(fd, LINK_INFO_SIZE);
  let text = "";
  try {
    const type = mem.view.getUint32(0, true);
    const field = stringField(type, mem.view.getUint32(16, true));
    if (field) {
      const buffer = new NativeMemory(field.size);
      try {
        buffer.bytes.fill(0);
        let second: NativeMemory | undefined;
        try {
          second = infoCall(fd, LINK_INFO_SIZE, (m) => {
            if (type === LinkType.PERF_EVENT) m.view.setUint32(16, mem.view.getUint32(16, true), true);
            m.view.setBigUint64(field.ptr, BigInt(buffer.address), true);
            m.view.setUint32(field.len, field.size, true);
          });
        } catch (err) {
          // ENOSPC: the name was longer than our buffer; the kernel still copied a truncated prefix.
          if (!(err instanceof SyscallError && err.code === "ENOSPC")) throw err;
        }
        text = cString(buffer.bytes, 0, field.size);
        if (second) {
          mem.free();
          mem = second;
        }
      } finally {
        buffer.free();
      }
    }
    const v = mem.view;
    return {
      type: v.getUint32(0, true),
      id: v.getUint32(4, true),
      progId: v.getUint32(8, true),
      target: decodeLinkTarget(mem, text),
    };
  } finally {
    mem.free();
  }
}

// ---- BTF objects -----------------------------------------------------------------------------

export interface BtfInfo {
  id: number;
  /** Size of the raw BTF blob in bytes. */
  size: number;
  /** "vmlinux", a module name, or "" for BTF loaded by a program. */
  name: string;
  /** True for the kernel's own BTF (vmlinux and modules). */
  kernelBtf: boolean;
  /** The raw blob; present when asked for. */
  data?: Uint8Array;
}

/** struct bpf_btf_info of the BTF object behind `fd` (the blob itself only with `withData`). */
export function btfInfo(fd: number, withData = false): BtfInfo {
  const first = infoCall(fd, BTF_INFO_SIZE);
  const size = first.view.getUint32(8, true);
  first.free();
  const name = new NativeMemory(NAME_BUFFER);
  const blob = withData && size > 0 ? new NativeMemory(size) : null;
  try {
    name.bytes.fill(0);
    const mem = infoCall(fd, BTF_INFO_SIZE, (m) => {
      m.view.setBigUint64(16, BigInt(name.address), true);
      m.view.setUint32(24, NAME_BUFFER, true);
      if (blob) {
        m.view.setBigUint64(0, BigInt(blob.address), true);
        m.view.setUint32(8, size, true);
      }
    });
    try {
      const v = mem.view;
      const info: BtfInfo = {
        id: v.getUint32(12, true),
        size: v.getUint32(8, true),
        name: cString(name.bytes, 0, NAME_BUFFER),
        kernelBtf: v.getUint32(28, true) !== 0,
      };
      if (blob) info.data = new Uint8Array(blob.bytes.subarray(0, Math.min(size, info.size)));
      return info;
    } finally {
      mem.free();
    }
  } finally {
    name.free();
    blob?.free();
  }
}
