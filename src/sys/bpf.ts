// The bpf() system call: one typed encoder per command of `union bpf_attr`. Offsets follow
// include/uapi/linux/bpf.h. Pointer fields take addresses of NativeMemory. Nothing outside
// src/ should import this module: it is the hidden layer under maps, programs and links.
import { Errno } from "../errors.js";
import { lastErrno, native, NativeMemory, SYS } from "./libc.js";
import { syscallError } from "./errors.js";
import { ensureBpffs } from "./mounts.js";

export const enum Cmd {
  MAP_CREATE = 0,
  MAP_LOOKUP_ELEM = 1,
  MAP_UPDATE_ELEM = 2,
  MAP_DELETE_ELEM = 3,
  MAP_GET_NEXT_KEY = 4,
  PROG_LOAD = 5,
  OBJ_PIN = 6,
  OBJ_GET = 7,
  PROG_ATTACH = 8,
  PROG_DETACH = 9,
  PROG_TEST_RUN = 10,
  PROG_GET_NEXT_ID = 11,
  MAP_GET_NEXT_ID = 12,
  PROG_GET_FD_BY_ID = 13,
  MAP_GET_FD_BY_ID = 14,
  OBJ_GET_INFO_BY_FD = 15,
  PROG_QUERY = 16,
  RAW_TRACEPOINT_OPEN = 17,
  BTF_LOAD = 18,
  BTF_GET_FD_BY_ID = 19,
  TASK_FD_QUERY = 20,
  MAP_LOOKUP_AND_DELETE_ELEM = 21,
  MAP_FREEZE = 22,
  BTF_GET_NEXT_ID = 23,
  MAP_LOOKUP_BATCH = 24,
  MAP_LOOKUP_AND_DELETE_BATCH = 25,
  MAP_UPDATE_BATCH = 26,
  MAP_DELETE_BATCH = 27,
  LINK_CREATE = 28,
  LINK_UPDATE = 29,
  LINK_GET_FD_BY_ID = 30,
  LINK_GET_NEXT_ID = 31,
  ENABLE_STATS = 32,
  ITER_CREATE = 33,
  LINK_DETACH = 34,
  PROG_BIND_MAP = 35,
}

const CMD_NAMES: Record<number, string> = {
  0: "BPF_MAP_CREATE",
  1: "BPF_MAP_LOOKUP_ELEM",
  2: "BPF_MAP_UPDATE_ELEM",
  3: "BPF_MAP_DELETE_ELEM",
  4: "BPF_MAP_GET_NEXT_KEY",
  5: "BPF_PROG_LOAD",
  6: "BPF_OBJ_PIN",
  7: "BPF_OBJ_GET",
  8: "BPF_PROG_ATTACH",
  9: "BPF_PROG_DETACH",
  10: "BPF_PROG_TEST_RUN",
  11: "BPF_PROG_GET_NEXT_ID",
  12: "BPF_MAP_GET_NEXT_ID",
  13: "BPF_PROG_GET_FD_BY_ID",
  14: "BPF_MAP_GET_FD_BY_ID",
  15: "BPF_OBJ_GET_INFO_BY_FD",
  16: "BPF_PROG_QUERY",
  17: "BPF_RAW_TRACEPOINT_OPEN",
  18: "BPF_BTF_LOAD",
  19: "BPF_BTF_GET_FD_BY_ID",
  20: "BPF_TASK_FD_QUERY",
  21: "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
  22: "BPF_MAP_FREEZE",
  23: "BPF_BTF_GET_NEXT_ID",
  24: "BPF_MAP_LOOKUP_BATCH",
  25: "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
  26: "BPF_MAP_UPDATE_BATCH",
  27: "BPF_MAP_DELETE_BATCH",
  28: "BPF_LINK_CREATE",
  29: "BPF_LINK_UPDATE",
  30: "BPF_LINK_GET_FD_BY_ID",
  31: "BPF_LINK_GET_NEXT_ID",
  32: "BPF_ENABLE_STATS",
  33: "BPF_ITER_CREATE",
  34: "BPF_LINK_DETACH",
  35: "BPF_PROG_BIND_MAP",
};

export function commandName(cmd: Cmd): string {
  return CMD_NAMES[cmd] ?? `bpf command ${cmd}`;
}

/** Size of the attr we pass: large enough for every field we set (PROG_LOAD is the largest). */
const ATTR_SIZE = 160;
// One scratch attr for all synchronous calls: JavaScript runs one call at a time, so sharing it
// keeps the per-call cost at zero allocations. Asynchronous calls get their own (see AttrBlock).
const scratch = new NativeMemory(ATTR_SIZE);

/** An attr being filled in: little-endian field writers over a zeroed block. */
export class Attr {
  constructor(readonly mem: NativeMemory) {}
  u32(offset: number, value: number): this {
    this.mem.view.setUint32(offset, value >>> 0, true);
    return this;
  }
  i32(offset: number, value: number): this {
    this.mem.view.setInt32(offset, value, true);
    return this;
  }
  u64(offset: number, value: number | bigint): this {
    if (typeof value === "bigint") this.mem.view.setBigUint64(offset, value, true);
    else {
      this.mem.view.setUint32(offset, value >>> 0, true);
      this.mem.view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
    }
    return this;
  }
  /** Stores a pointer field: the address of native memory, or 0 (NULL). */
  ptr(offset: number, mem: NativeMemory | null | undefined): this {
    return this.u64(offset, mem ? mem.address : 0);
  }
  name(offset: number, value: string, max = 16): this {
    const bytes = Buffer.from(value, "utf8");
    this.mem.bytes.fill(0, offset, offset + max);
    bytes.copy(this.mem.bytes, offset, 0, Math.min(bytes.length, max - 1));
    return this;
  }
  readU32(offset: number): number {
    return this.mem.view.getUint32(offset, true);
  }
  readU64(offset: number): bigint {
    return this.mem.view.getBigUint64(offset, true);
  }
}

const scratchAttr = new Attr(scratch);
// The element commands reject any non-zero byte after their last field (offset 32), and
// mapElemAttr does not zero-fill; so once another command has used the scratch attr, the tail
// past offset 32 is cleared once, by the next element command.
let scratchTailDirty = false;

/** Starts a synchronous command: returns the zeroed shared attr. */
export function attr(): Attr {
  scratch.bytes.fill(0);
  scratchTailDirty = true;
  return scratchAttr;
}

/** Runs bpf(cmd, attr) and returns its non-negative result, or throws the typed error. */
export function bpf(cmd: Cmd, a: Attr = scratchAttr, detail?: string): number {
  const ret = native.syscall3(SYS.bpf, cmd, a.mem.address, ATTR_SIZE);
  if (ret < 0) throw syscallError(commandName(cmd), lastErrno(), detail);
  return ret;
}

/** Like bpf() but returns -errno instead of throwing (for expected failures such as ENOENT). */
export function bpfErrno(cmd: Cmd, a: Attr = scratchAttr): number {
  for (let attempt = 1; ; attempt++) {
    const ret = native.syscall3(SYS.bpf, cmd, a.mem.address, ATTR_SIZE);
    if (ret >= 0) return ret;
    const errno = lastErrno();
    // The verifier gives up with EAGAIN when a signal arrives while it works (a profiler's SIGPROF,
    // a timer): the load is retried, as libbpf retries it, instead of reading as "not supported".
    if (errno !== Errno.EAGAIN || cmd !== Cmd.PROG_LOAD || attempt === PROG_LOAD_ATTEMPTS) return -errno;
  }
}

const PROG_LOAD_ATTEMPTS = 6;

const syscall3 = native.syscall3;
const SYS_BPF = SYS.bpf;

/**
 * Size of the element commands' attr (map_fd, key, value or next_key, flags), the size libbpf
 * passes too: the kernel then copies and checks only those 32 bytes, whatever follows in memory.
 */
export const ELEM_ATTR_SIZE = 32;

/**
 * bpf(cmd) on an attr already filled at a raw address; returns the result or -errno. The map
 * element hot path: one native call and nothing else (errno is read only on failure).
 */
export function bpfAt(cmd: Cmd, attrAddress: number, size: number): number {
  const ret = syscall3(SYS_BPF, cmd, attrAddress, size);
  return ret < 0 ? -lastErrno() : ret;
}

/**
 * A map's own block of native memory for element commands, filled once so that an operation only
 * writes the key (and value) and makes the call. Layout: an attr {map_fd, key, value, flags} at
 * `attr`, a second one {map_fd, key} at `keyAttr` (DELETE_ELEM rejects a non-zero value field),
 * then the key buffer, then the value buffer (both 8-byte aligned), all in one allocation so the
 * kernel touches one or two pages per call.
 */
export class ElemBlock {
  readonly mem: NativeMemory;
  /** Address of the attr with key and value (LOOKUP, UPDATE, LOOKUP_AND_DELETE). */
  readonly attr: number;
  /** Address of the attr with the key only (DELETE). */
  readonly keyAttr: number;
  /** Byte offsets of the key and value buffers inside `mem`. */
  readonly keyOffset: number;
  readonly valueOffset: number;
  /** Addresses of the key and value buffers (0 for zero-size ones). */
  readonly keyAddress: number;
  readonly valueAddress: number;
  readonly keyView: DataView;
  readonly valueView: DataView;
  /** The attr's 32-bit words (flags are words 6 and 7). */
  readonly #words: Uint32Array;
  #flags = 0;

  /** Zero-size keys or values (queues, stacks, bloom filters) are passed as NULL. */
  constructor(mapFd: number, keySize: number, valueSize: number) {
    this.keyOffset = 2 * ELEM_ATTR_SIZE;
    this.valueOffset = this.keyOffset + Math.ceil(keySize / 8) * 8;
    const mem = (this.mem = new NativeMemory(this.valueOffset + valueSize));
    mem.bytes.fill(0);
    const keyAddress = (this.keyAddress = keySize === 0 ? 0 : mem.address + this.keyOffset);
    const valueAddress = (this.valueAddress = valueSize === 0 ? 0 : mem.address + this.valueOffset);
    new Attr(mem)
      .u32(0, mapFd)
      .u64(8, keyAddress)
      .u64(16, valueAddress)
      .u32(ELEM_ATTR_SIZE, mapFd)
      .u64(ELEM_ATTR_SIZE + 8, keyAddress);
    this.attr = mem.address;
    this.keyAttr = mem.address + ELEM_ATTR_SIZE;
    this.keyView = new DataView(mem.bytes.buffer, mem.bytes.byteOffset + this.keyOffset, keySize);
    this.valueView = new DataView(mem.bytes.buffer, mem.bytes.byteOffset + this.valueOffset, valueSize);
    this.#words = new Uint32Array(mem.bytes.buffer, mem.bytes.byteOffset, ELEM_ATTR_SIZE / 4);
  }

  /** Sets the flags field of `attr` (a store only when they change). */
  flags(flags: number): void {
    if (flags === this.#flags) return;
    this.#words[6] = flags >>> 0;
    this.#words[7] = Math.floor(flags / 0x1_0000_0000) >>> 0;
    this.#flags = flags;
  }

  free(): void {
    this.mem.free();
  }
}

/** bpf() on a worker thread, so long commands (test_run with repeat) do not block the event loop. */
export function bpfAsync(cmd: Cmd, a: Attr): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = native.syscall3 as unknown as { async: (...args: unknown[]) => void };
    call.async(SYS.bpf, cmd, a.mem.address, ATTR_SIZE, (err: unknown, ret: number) => {
      if (err) reject(err);
      else if (ret < 0) reject(syscallError(commandName(cmd), lastErrno()));
      else resolve(ret);
    });
  });
}

/** An attr of its own, for asynchronous commands. */
export function ownAttr(): Attr {
  return new Attr(new NativeMemory(ATTR_SIZE));
}

// ---- field layouts, one per command -------------------------------------------------------

export interface MapCreateAttr {
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags?: number;
  innerMapFd?: number;
  numaNode?: number;
  name?: string;
  ifindex?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  btfVmlinuxValueTypeId?: number;
  mapExtra?: bigint;
}

export function mapCreate(o: MapCreateAttr): number {
  const a = attr()
    .u32(0, o.mapType)
    .u32(4, o.keySize)
    .u32(8, o.valueSize)
    .u32(12, o.maxEntries)
    .u32(16, o.mapFlags ?? 0)
    .u32(20, o.innerMapFd ?? 0)
    .u32(24, o.numaNode ?? 0)
    .name(28, o.name ?? "")
    .u32(44, o.ifindex ?? 0)
    .u32(48, o.btfFd ?? 0)
    .u32(52, o.btfKeyTypeId ?? 0)
    .u32(56, o.btfValueTypeId ?? 0)
    .u32(60, o.btfVmlinuxValueTypeId ?? 0)
    .u64(64, o.mapExtra ?? 0n);
  return bpf(Cmd.MAP_CREATE, a, o.name ? `map "${o.name}"` : undefined);
}

/** Element commands share one layout: map_fd, key, value (or next_key), flags. */
export function mapElemAttr(mapFd: number, key: number, valueOrNextKey: number, flags: number): Attr {
  // Written field by field instead of zero-filling: this is the per-operation hot path.
  if (scratchTailDirty) {
    scratch.bytes.fill(0, 32);
    scratchTailDirty = false;
  }
  return scratchAttr.u32(0, mapFd).u32(4, 0).u64(8, key).u64(16, valueOrNextKey).u64(24, flags);
}

/** Size of the batch commands' attr (in_batch … flags), the size libbpf passes too. */
export const BATCH_ATTR_SIZE = 56;

/**
 * An attr of its own for the batch commands of one map, reused from call to call: fill() writes
 * every field, so nothing needs zeroing, and `count` reads back what the kernel processed.
 */
export class BatchBlock {
  readonly mem: NativeMemory;
  readonly address: number;
  readonly #words: Uint32Array;

  constructor() {
    this.mem = new NativeMemory(BATCH_ATTR_SIZE);
    this.address = this.mem.address;
    this.#words = new Uint32Array(this.mem.bytes.buffer, this.mem.bytes.byteOffset, BATCH_ATTR_SIZE / 4);
  }

  /** Writes every field; pointers are addresses (0 = NULL). */
  fill(
    inBatch: number,
    outBatch: number,
    keys: number,
    values: number,
    count: number,
    mapFd: number,
    elemFlags = 0,
  ): this {
    const w = this.#words;
    w[0] = inBatch >>> 0;
    w[1] = Math.floor(inBatch / 0x1_0000_0000);
    w[2] = outBatch >>> 0;
    w[3] = Math.floor(outBatch / 0x1_0000_0000);
    w[4] = keys >>> 0;
    w[5] = Math.floor(keys / 0x1_0000_0000);
    w[6] = values >>> 0;
    w[7] = Math.floor(values / 0x1_0000_0000);
    w[8] = count;
    w[9] = mapFd;
    w[10] = elemFlags >>> 0;
    w[11] = Math.floor(elemFlags / 0x1_0000_0000);
    w[12] = 0;
    w[13] = 0;
    return this;
  }

  /** The count field: elements the kernel read, wrote or deleted. */
  get count(): number {
    return this.#words[8]!;
  }

  free(): void {
    this.mem.free();
  }
}

export interface ProgLoadAttr {
  progType: number;
  insns: NativeMemory;
  insnCount: number;
  license: NativeMemory;
  logLevel: number;
  logBuf: NativeMemory | null;
  kernVersion?: number;
  progFlags?: number;
  name?: string;
  ifindex?: number;
  expectedAttachType?: number;
  btfFd?: number;
  funcInfo?: NativeMemory;
  funcInfoCount?: number;
  funcInfoRecSize?: number;
  lineInfo?: NativeMemory;
  lineInfoCount?: number;
  lineInfoRecSize?: number;
  attachBtfId?: number;
  attachBtfObjFd?: number;
  attachProgFd?: number;
  fdArray?: NativeMemory;
}

export function progLoadAttr(o: ProgLoadAttr): Attr {
  return attr()
    .u32(0, o.progType)
    .u32(4, o.insnCount)
    .ptr(8, o.insns)
    .ptr(16, o.license)
    .u32(24, o.logLevel)
    .u32(28, o.logBuf ? o.logBuf.size : 0)
    .ptr(32, o.logBuf)
    .u32(40, o.kernVersion ?? 0)
    .u32(44, o.progFlags ?? 0)
    .name(48, o.name ?? "")
    .u32(64, o.ifindex ?? 0)
    .u32(68, o.expectedAttachType ?? 0)
    .u32(72, o.btfFd ?? 0)
    .u32(76, o.funcInfoRecSize ?? 0)
    .ptr(80, o.funcInfo)
    .u32(88, o.funcInfoCount ?? 0)
    .u32(92, o.lineInfoRecSize ?? 0)
    .ptr(96, o.lineInfo)
    .u32(104, o.lineInfoCount ?? 0)
    .u32(108, o.attachBtfId ?? 0)
    .u32(112, o.attachProgFd ?? o.attachBtfObjFd ?? 0)
    .ptr(120, o.fdArray);
}

/** log_true_size (kernel ≥ 6.4): how big the log buffer needed to be. */
export const PROG_LOAD_LOG_TRUE_SIZE_OFFSET = 140;

/** Pins under /sys/fs/bpf need bpffs there: mount it on first use, as bpftool does. */
function prepareBpffs(path: string): void {
  if (path.startsWith("/sys/fs/bpf/")) ensureBpffs();
}

export function objPin(fd: number, path: string): void {
  prepareBpffs(path);
  const p = NativeMemory.from(path);
  try {
    bpf(Cmd.OBJ_PIN, attr().ptr(0, p).u32(8, fd), path);
  } finally {
    p.free();
  }
}

export function objGet(path: string, fileFlags = 0): number {
  prepareBpffs(path);
  const p = NativeMemory.from(path);
  try {
    return bpf(Cmd.OBJ_GET, attr().ptr(0, p).u32(12, fileFlags), path);
  } finally {
    p.free();
  }
}

export function progAttach(targetFd: number, progFd: number, attachType: number, flags = 0): void {
  bpf(Cmd.PROG_ATTACH, attr().u32(0, targetFd).u32(4, progFd).u32(8, attachType).u32(12, flags));
}

export function progDetach(targetFd: number, progFd: number, attachType: number): void {
  bpf(Cmd.PROG_DETACH, attr().u32(0, targetFd).u32(4, progFd).u32(8, attachType));
}

export interface TestRunAttr {
  progFd: number;
  dataIn?: NativeMemory;
  dataSizeIn?: number;
  dataOut?: NativeMemory;
  dataSizeOut?: number;
  repeat?: number;
  ctxIn?: NativeMemory;
  ctxSizeIn?: number;
  ctxOut?: NativeMemory;
  ctxSizeOut?: number;
  flags?: number;
  cpu?: number;
  batchSize?: number;
}

/** Fills an attr of its own for BPF_PROG_TEST_RUN (it may run asynchronously). */
export function testRunAttr(a: Attr, o: TestRunAttr): Attr {
  a.mem.bytes.fill(0);
  return a
    .u32(0, o.progFd)
    .u32(8, o.dataSizeIn ?? o.dataIn?.size ?? 0)
    .u32(12, o.dataSizeOut ?? o.dataOut?.size ?? 0)
    .ptr(16, o.dataIn)
    .ptr(24, o.dataOut)
    .u32(32, o.repeat ?? 0)
    .u32(40, o.ctxSizeIn ?? o.ctxIn?.size ?? 0)
    .u32(44, o.ctxSizeOut ?? o.ctxOut?.size ?? 0)
    .ptr(48, o.ctxIn)
    .ptr(56, o.ctxOut)
    .u32(64, o.flags ?? 0)
    .u32(68, o.cpu ?? 0)
    .u32(72, o.batchSize ?? 0);
}
/** Output fields of PROG_TEST_RUN. */
export const TEST_RUN_OUT = { retval: 4, dataSizeOut: 12, duration: 36, ctxSizeOut: 44 } as const;

/** GET_NEXT_ID for progs, maps, links and BTF objects: returns the next id, or 0 at the end. */
export function getNextId(
  cmd: Cmd.PROG_GET_NEXT_ID | Cmd.MAP_GET_NEXT_ID | Cmd.LINK_GET_NEXT_ID | Cmd.BTF_GET_NEXT_ID,
  startId: number,
): number {
  const a = attr().u32(0, startId);
  const ret = bpfErrno(cmd, a);
  if (ret === -2) return 0; // ENOENT: no more ids
  if (ret < 0) throw syscallError(commandName(cmd), -ret);
  return a.readU32(4);
}

export function fdById(
  cmd: Cmd.PROG_GET_FD_BY_ID | Cmd.MAP_GET_FD_BY_ID | Cmd.LINK_GET_FD_BY_ID | Cmd.BTF_GET_FD_BY_ID,
  id: number,
  openFlags = 0,
): number {
  return bpf(cmd, attr().u32(0, id).u32(8, openFlags), `id ${id}`);
}

/** OBJ_GET_INFO_BY_FD into `info` (a bpf_prog_info / bpf_map_info / bpf_link_info / bpf_btf_info). */
export function objInfo(fd: number, info: NativeMemory): number {
  const a = attr().u32(0, fd).u32(4, info.size).ptr(8, info);
  bpf(Cmd.OBJ_GET_INFO_BY_FD, a);
  return a.readU32(4);
}

export interface ProgQueryResult {
  attachFlags: number;
  progIds: number[];
  revision: bigint;
}

export function progQuery(targetFd: number, attachType: number, maxProgs = 64): ProgQueryResult {
  const ids = new NativeMemory(maxProgs * 4);
  try {
    const a = attr().u32(0, targetFd).u32(4, attachType).ptr(16, ids).u32(24, maxProgs);
    bpf(Cmd.PROG_QUERY, a);
    const count = a.readU32(24);
    const progIds: number[] = [];
    for (let i = 0; i < Math.min(count, maxProgs); i++) progIds.push(ids.view.getUint32(i * 4, true));
    return { attachFlags: a.readU32(12), progIds, revision: a.readU64(56) };
  } finally {
    ids.free();
  }
}

export function rawTracepointOpen(name: string | null, progFd: number): number {
  const n = name === null ? null : NativeMemory.from(name);
  try {
    return bpf(Cmd.RAW_TRACEPOINT_OPEN, attr().ptr(0, n).u32(8, progFd), name ?? undefined);
  } finally {
    n?.free();
  }
}

export function btfLoadAttr(btf: NativeMemory, log: NativeMemory | null, logLevel: number): Attr {
  return attr()
    .ptr(0, btf)
    .ptr(8, log)
    .u32(16, btf.size)
    .u32(20, log ? log.size : 0)
    .u32(24, logLevel);
}

export function mapFreeze(mapFd: number): void {
  bpf(Cmd.MAP_FREEZE, attr().u32(0, mapFd));
}

/** The variable part of LINK_CREATE, by attach kind. */
export type LinkCreateExtra =
  | { kind: "none" }
  | { kind: "target_btf_id"; targetBtfId: number }
  | { kind: "iter"; iterInfo: NativeMemory | null; iterInfoLen: number }
  | { kind: "perf_event"; cookie: bigint }
  | {
      kind: "kprobe_multi";
      flags: number;
      count: number;
      syms: NativeMemory | null;
      addrs: NativeMemory | null;
      cookies: NativeMemory | null;
    }
  | { kind: "tracing"; targetBtfId: number; cookie: bigint }
  | { kind: "netfilter"; pf: number; hooknum: number; priority: number; flags: number }
  | { kind: "tcx"; relativeFdOrId: number; expectedRevision: bigint }
  | {
      kind: "uprobe_multi";
      path: NativeMemory;
      offsets: NativeMemory;
      refCtrOffsets: NativeMemory | null;
      cookies: NativeMemory | null;
      count: number;
      flags: number;
      pid: number;
    };

export function linkCreate(
  progFd: number,
  target: number,
  attachType: number,
  flags: number,
  extra: LinkCreateExtra,
  detail?: string,
): number {
  const a = attr().u32(0, progFd).u32(4, target).u32(8, attachType).u32(12, flags);
  switch (extra.kind) {
    case "none":
      break;
    case "target_btf_id":
      a.u32(16, extra.targetBtfId);
      break;
    case "iter":
      a.ptr(16, extra.iterInfo).u32(24, extra.iterInfoLen);
      break;
    case "perf_event":
      a.u64(16, extra.cookie);
      break;
    case "kprobe_multi":
      a.u32(16, extra.flags).u32(20, extra.count).ptr(24, extra.syms).ptr(32, extra.addrs).ptr(40, extra.cookies);
      break;
    case "tracing":
      a.u32(16, extra.targetBtfId).u64(24, extra.cookie);
      break;
    case "netfilter":
      a.u32(16, extra.pf).u32(20, extra.hooknum).i32(24, extra.priority).u32(28, extra.flags);
      break;
    case "tcx":
      a.u32(16, extra.relativeFdOrId).u64(24, extra.expectedRevision);
      break;
    case "uprobe_multi":
      a.ptr(16, extra.path)
        .ptr(24, extra.offsets)
        .ptr(32, extra.refCtrOffsets)
        .ptr(40, extra.cookies)
        .u32(48, extra.count)
        .u32(52, extra.flags)
        .u32(56, extra.pid);
      break;
  }
  return bpf(Cmd.LINK_CREATE, a, detail);
}

export function linkUpdate(linkFd: number, newProgFd: number, flags = 0, oldProgFd = 0): void {
  bpf(Cmd.LINK_UPDATE, attr().u32(0, linkFd).u32(4, newProgFd).u32(8, flags).u32(12, oldProgFd));
}

export function linkDetach(linkFd: number): void {
  bpf(Cmd.LINK_DETACH, attr().u32(0, linkFd));
}

export function iterCreate(linkFd: number): number {
  return bpf(Cmd.ITER_CREATE, attr().u32(0, linkFd));
}

/** BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): returns an fd; stats stay on while it is open. */
export function enableStats(type = 0): number {
  return bpf(Cmd.ENABLE_STATS, attr().u32(0, type));
}

export function progBindMap(progFd: number, mapFd: number): void {
  bpf(Cmd.PROG_BIND_MAP, attr().u32(0, progFd).u32(4, mapFd));
}

export function closeFd(fd: number): void {
  if (fd >= 0) native.close(fd);
}
