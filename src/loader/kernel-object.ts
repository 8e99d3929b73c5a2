// Loading a compiled kernel TypeScript module in user space: creates its maps (typed with codecs
// rebuilt from the artifact), fills and freezes .rodata, patches map fds into the instructions and
// loads every program as its kind's Program class. Give the module's type for typed handles:
//
//   import type * as Counter from "./counter.bpf.js";
//   using obj = KernelObject.load<typeof Counter>(artifact);
//   obj.programs.count.attach("eth0");          // an XdpProgram
//   obj.maps.packets.get(0x0800);                // a PerCpuHashMap<number, {packets: bigint …}>
//
// Nothing here loads the TypeScript compiler: artifacts can be built ahead of time.
import { readFileSync } from "node:fs";
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from "../asm/opcodes.js";
import {
  array as arrayCodec,
  bytes as bytesCodec,
  cstring as cstringCodec,
  struct as structCodec,
  u8,
  i8,
  u16,
  i16,
  u32,
  i32,
  u64,
  i64,
  bool as boolCodec,
  be16,
  be32,
  type Codec,
  type TypeDescriptor,
} from "../maps/codec.js";
import type {
  BloomFilterMap,
  HashMap,
  LruHashMap,
  LruPerCpuHashMap,
  PerCpuArrayMap,
  PerCpuHashMap,
  PerfEventArray,
  ProgramArray,
  QueueMap,
  StackMap,
  UserRingBufMap,
  ArrayOfMaps,
  HashOfMaps,
  KeyValueMap,
} from "../maps/index.js";
import { ArrayMap } from "../maps/array.js";
import type { MapBtf, MapHandle } from "../maps/handle.js";
import { BtfBuilder } from "../btf/encoder.js";
import { loadBtf } from "../btf/load.js";
import { closeFd } from "../sys/bpf.js";
import type { RingBufMap } from "../maps/ringbuf.js";
import type { SocketMap } from "../maps/sock-map.js";
import { mapKind } from "../maps/kinds.js";
import { MapFlags, type ProgType } from "../uapi.js";
import type { Program, LoadOptions } from "../programs/program.js";
import type { XdpProgram } from "../programs/xdp.js";
import type {
  CgroupDeviceProgram,
  CgroupSkbProgram,
  CgroupSockAddrProgram,
  CgroupSockoptProgram,
  CgroupSockProgram,
  CgroupSysctlProgram,
  SockOpsProgram,
} from "../programs/cgroup.js";
import type { TcProgram } from "../programs/tc.js";
import type { SocketFilterProgram } from "../programs/socket-filter.js";
import type { TracepointProgram } from "../programs/tracepoint.js";
import type { RawTracepointProgram } from "../programs/raw-tracepoint.js";
import type { TpBtfProgram } from "../programs/tp-btf.js";
import type { UprobeProgram } from "../programs/uprobe.js";
import type { PerfEventProgram } from "../programs/perf-event.js";
import type { KprobeProgram } from "../programs/kprobe.js";
import type { FentryProgram } from "../programs/fentry.js";
import type { IterProgram } from "../programs/iter.js";
import type { FlowDissectorProgram, SkLookupProgram } from "../programs/netns-hooks.js";
import type { SkReuseportProgram } from "../programs/sk-reuseport.js";
import { KERNEL_PROGRAM_KINDS, loadProgramKind } from "../programs/kinds.js";
import { kernelStructOps, type KernelStructOps } from "../object/struct-ops.js";
import type { Attachment } from "../links/link.js";
import { createStructOpsMap, registerStructOps, structOpsValue } from "./struct-ops.js";
import { RingBuffer } from "../events/ringbuf.js";
import type { RingRecord } from "../events/record.js";
import { TsbpfError } from "../errors.js";
import { integerRangeProblem } from "./globals.js";
import {
  isArtifact,
  programBytes,
  type Artifact,
  type ArtifactLogSite,
  type ArtifactMap,
  type ArtifactProgram,
} from "../compiler/artifact.js";
import type * as K from "../kernel/index.js";
import { Btf } from "../btf/decoder.js";
import { kernelBtf } from "../btf/vmlinux.js";
import { CandidateCache, TypeCache, patchInstruction, resolveCoreRelo } from "../object/core.js";

// ---- codecs from descriptors ---------------------------------------------------------------------

const be64: Codec<bigint> = {
  size: 8,
  align: 8,
  encode: (v, d, o) => d.setBigUint64(o, v, false),
  decode: (d, o) => d.getBigUint64(o, false),
  describe: () => ({ kind: "int", name: "__be64", size: 8, encoding: "unsigned", byteOrder: "big" }),
};

/** A codec for a type the artifact describes (the same layout the kernel side compiled). */
export function codecOf(d: TypeDescriptor): Codec<unknown> {
  switch (d.kind) {
    case "int": {
      if (d.encoding === "bool") return boolCodec;
      if (d.byteOrder === "big") return d.size === 2 ? be16 : d.size === 4 ? be32 : d.size === 8 ? be64 : u8;
      const table: Record<number, [Codec<unknown>, Codec<unknown>]> = {
        1: [u8, i8],
        2: [u16, i16],
        4: [u32, i32],
        8: [u64, i64],
      };
      const pair = table[d.size];
      if (!pair) throw new TsbpfError(`no codec for a ${d.size}-byte integer`);
      return d.encoding === "signed" ? pair[1] : pair[0];
    }
    case "float":
      throw new TsbpfError("kernel TypeScript has no floating point");
    case "array": {
      const flavor = (d as { flavor?: string }).flavor;
      if (flavor === "bytes") return bytesCodec(d.length);
      if (flavor === "string" || (d.element.kind === "int" && d.element.encoding === "char"))
        return cstringCodec(d.length);
      return arrayCodec(codecOf(d.element), d.length);
    }
    case "struct": {
      const fields: Record<string, Codec<unknown>> = {};
      for (const f of d.fields) fields[f.name] = codecOf(f.type);
      const c = structCodec(fields, d.name);
      for (const f of d.fields) {
        if (c.offsetOf(f.name) !== f.offset)
          throw new TsbpfError(
            `struct ${d.name ?? ""}: field ${f.name} is at ${f.offset} in the artifact, ${c.offsetOf(f.name)} here`,
          );
      }
      return c;
    }
  }
}

// ---- typed views of a module -------------------------------------------------------------------------

type Dec<T> = K.Decoded<T>;

/**
 * The user-space handle for a kernel map declaration, chosen by its `mapType` (each declaration
 * class has a literal one), with key and value types decoded from the declaration's codecs.
 */
export type UserMap<D> = D extends { mapType: "sockmap" | "reuseport_sockarray" }
  ? SocketMap<number>
  : D extends { mapType: "sockhash"; key: infer Key }
    ? SocketMap<Dec<Key>>
    : D extends { mapType: "array_of_maps" }
      ? ArrayOfMaps
      : D extends { mapType: "hash_of_maps"; key: infer Key }
        ? HashOfMaps<Dec<Key>>
        : D extends { mapType: infer T; key: infer Key; value: infer V }
          ? T extends "percpu_hash"
            ? PerCpuHashMap<Dec<Key>, Dec<V>>
            : T extends "lru_percpu_hash"
              ? LruPerCpuHashMap<Dec<Key>, Dec<V>>
              : T extends "lru_hash"
                ? LruHashMap<Dec<Key>, Dec<V>>
                : T extends "lpm_trie"
                  ? KeyValueMap<Dec<Key>, Dec<V>>
                  : T extends "hash"
                    ? HashMap<Dec<Key>, Dec<V>>
                    : MapHandle
          : D extends { mapType: "percpu_array"; value: infer V }
            ? PerCpuArrayMap<Dec<V>>
            : D extends { mapType: "array"; value: infer V }
              ? ArrayMap<Dec<V>>
              : D extends { mapType: "stack"; value: infer V }
                ? StackMap<Dec<V>>
                : D extends { mapType: "queue"; value: infer V }
                  ? QueueMap<Dec<V>>
                  : D extends { mapType: "bloom_filter"; value: infer V }
                    ? BloomFilterMap<Dec<V>>
                    : D extends K.RingBuf
                      ? RingBufMap
                      : D extends K.PerfEventArray
                        ? PerfEventArray
                        : D extends K.ProgramArray
                          ? ProgramArray
                          : D extends K.UserRingBuf
                            ? UserRingBufMap
                            : MapHandle;

/** The cgroup and socket hook kinds of kernel TypeScript → their user-space classes. */
interface CgroupUserProgram {
  cgroup_skb: CgroupSkbProgram;
  cgroup_sock: CgroupSockProgram;
  cgroup_sock_addr: CgroupSockAddrProgram;
  sock_ops: SockOpsProgram;
  cgroup_sysctl: CgroupSysctlProgram;
  cgroup_sockopt: CgroupSockoptProgram;
  cgroup_device: CgroupDeviceProgram;
}
type CgroupKind = keyof CgroupUserProgram;

/** The user-space Program class for a program kind. */
export type UserProgram<P> =
  P extends K.ProgramDeclaration<infer Kind>
    ? Kind extends "xdp"
      ? XdpProgram
      : Kind extends "tc"
        ? TcProgram
        : Kind extends "socket_filter"
          ? SocketFilterProgram
          : Kind extends "tracepoint"
            ? TracepointProgram
            : Kind extends "raw_tracepoint"
              ? RawTracepointProgram
              : Kind extends "tp_btf"
                ? TpBtfProgram
                : Kind extends "uprobe" | "uretprobe" | "uprobe_multi" | "uretprobe_multi"
                  ? UprobeProgram
                  : Kind extends "perf_event"
                    ? PerfEventProgram
                    : Kind extends CgroupKind
                      ? CgroupUserProgram[Kind]
                      : Kind extends "kprobe" | "kretprobe" | "kprobe_multi" | "kretprobe_multi"
                        ? KprobeProgram
                        : Kind extends "fentry" | "fexit" | "fmod_ret"
                          ? FentryProgram
                          : Kind extends "iter"
                            ? IterProgram
                            : Kind extends "sk_lookup"
                              ? SkLookupProgram
                              : Kind extends "sk_reuseport"
                                ? SkReuseportProgram
                                : Kind extends "flow_dissector"
                                  ? FlowDissectorProgram
                                  : Program
    : Program;

type MapKeys<M> = { [N in keyof M]: M[N] extends K.MapDeclaration ? N : never }[keyof M];
type ProgramKeys<M> = { [N in keyof M]: M[N] extends K.ProgramDeclaration ? N : never }[keyof M];
/** The struct_ops variables of a module (structOps). */
export type StructOpsKeys<M> = { [N in keyof M]: M[N] extends K.StructOpsDeclaration ? N : never }[keyof M] & string;

export type ObjectMaps<M> = { readonly [N in MapKeys<M>]: UserMap<M[N]> } & { readonly [name: string]: MapHandle };
export type ObjectPrograms<M> = { readonly [N in ProgramKeys<M>]: UserProgram<M[N]> } & {
  readonly [name: string]: Program;
};

export interface KernelObjectOptions extends LoadOptions {
  /** The BTF CO-RE relocations resolve against (default: the running kernel's). */
  targetBtf?: Btf;
  /** Values for exported module constants (.rodata), set before the programs load (structs as objects). */
  constants?: Record<string, unknown>;
  /** Load only these programs (by name). */
  programs?: readonly string[];
}

/** A log record from kernel code, formatted. */
export interface LogRecord {
  level: "error" | "warn" | "info" | "debug" | "trace";
  message: string;
  file: string;
  line: number;
}

const LEVELS = ["", "error", "warn", "info", "debug", "trace"] as const;

export class KernelObject<M = Record<string, unknown>> implements Disposable {
  readonly maps: ObjectMaps<M>;
  readonly programs: ObjectPrograms<M>;
  /** Global data sections as array maps (.rodata is frozen). */
  readonly sections: ReadonlyMap<string, ArrayMap<Uint8Array>>;
  readonly #owned: Disposable[] = [];
  readonly #structOps: Map<string, { fd: number; value: Uint8Array; link: boolean; struct: string }>;
  #closed = false;

  private constructor(
    readonly artifact: Artifact,
    maps: Record<string, MapHandle>,
    programs: Record<string, Program>,
    sections: Map<string, ArrayMap<Uint8Array>>,
    owned: Disposable[],
    structOps: Map<string, { fd: number; value: Uint8Array; link: boolean; struct: string }>,
  ) {
    this.maps = maps as ObjectMaps<M>;
    this.programs = programs as ObjectPrograms<M>;
    this.sections = sections;
    this.#owned = owned;
    this.#structOps = structOps;
  }

  /**
   * Registers a struct_ops variable (structOps) with its kernel subsystem — a tcp_congestion_ops
   * becomes a congestion control sockets can choose. Detaching (or closing the object) unregisters it.
   */
  attachStructOps(name: StructOpsKeys<M> | (string & {})): Attachment {
    if (this.#closed) throw new TsbpfError("the kernel object is closed");
    const so = this.#structOps.get(name);
    if (!so)
      throw new TsbpfError(
        `the module has no struct_ops ${name} (struct_ops: ${[...this.#structOps.keys()].join(", ") || "none"})`,
      );
    const registration = registerStructOps(so.fd, so.value, so.link, `struct_ops ${so.struct} "${name}"`);
    // Disposed before the maps and programs (owned is closed in reverse).
    this.#owned.push({
      [Symbol.dispose]: () => {
        try {
          registration.detach();
        } catch {
          /* unregistered already */
        }
      },
    });
    return registration;
  }

  /** Reads an artifact file (written by `tsbpf compile -o X.json`). */
  static readArtifact(path: string): Artifact {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (!isArtifact(value)) throw new TsbpfError(`${path} is not a tsbpf artifact`);
    return value;
  }

  /** Creates the maps and loads the programs of a compiled module. */
  static load<M = Record<string, unknown>>(artifact: Artifact, options: KernelObjectOptions = {}): KernelObject<M> {
    const owned: Disposable[] = [];
    try {
      const maps: Record<string, MapHandle> = {};
      // Maps of maps after the templates they need.
      for (const spec of [...artifact.maps.filter((x) => !x.inner), ...artifact.maps.filter((x) => x.inner)]) {
        const m = createUserMap(spec, maps);
        owned.push(m);
        maps[spec.name] = m;
      }
      const sections = new Map<string, ArrayMap<Uint8Array>>();
      for (const s of artifact.sections) {
        const size = Math.max(s.size, 1);
        const init = Buffer.alloc(size);
        Buffer.from(s.init, "base64").copy(init);
        for (const [name, value] of Object.entries(options.constants ?? {})) {
          const v = s.vars.find((x) => x.name === name);
          if (!v) continue;
          if (s.name !== ".rodata") throw new TsbpfError(`${name} is not a constant (it lives in ${s.name})`);
          const scalar = v.type.kind === "int" && v.type.encoding !== "bool";
          if (scalar && v.type.kind === "int") {
            const problem = integerRangeProblem(value, v.size, v.type.encoding === "signed");
            if (problem) throw new TsbpfError(`cannot set ${name}: ${problem}`);
          }
          const encoded = !scalar ? value : v.size === 8 ? BigInt(value as number | bigint) : Number(value);
          codecOf(v.type).encode(encoded, new DataView(init.buffer, init.byteOffset, init.length), v.offset);
        }
        const rodata = s.name === ".rodata";
        const map = ArrayMap.create({
          name: s.name,
          value: bytesCodec(size),
          maxEntries: 1,
          flags: rodata ? MapFlags.RDONLY_PROG : 0,
          mmapable: !rodata,
        });
        owned.push(map);
        map.set(0, init);
        if (rodata) map.freeze();
        sections.set(s.name, map);
      }
      for (const name of Object.keys(options.constants ?? {})) {
        if (!artifact.sections.some((s) => s.vars.some((v) => v.name === name)))
          throw new TsbpfError(`the module has no constant ${name}`);
      }
      // struct_ops: laid out for the running kernel, which says what each callback program implements.
      const laidOut = new Map<string, KernelStructOps>();
      const callbacks = new Map<string, { attachBtfId: number; memberIndex: number }>();
      for (const so of artifact.structOps ?? []) {
        const k = kernelStructOps(
          {
            name: so.name,
            section: so.link ? ".struct_ops.link" : ".struct_ops",
            link: so.link,
            typeName: so.struct,
            typeId: 0,
            data: Buffer.from(so.data, "base64"),
            members: so.members,
            sectionIndex: 0,
            offset: 0,
          },
          kernelBtf(),
        );
        laidOut.set(so.name, k);
        for (const p of k.programs)
          callbacks.set(p.program, { attachBtfId: k.structTypeId, memberIndex: p.memberIndex });
      }
      const programs: Record<string, Program> = {};
      let candidates: CandidateCache | undefined;
      const core = (): CandidateCache => {
        if (!artifact.coreBtf) throw new TsbpfError("the artifact has CO-RE relocations but no coreBtf");
        return (candidates ??= new CandidateCache(
          new TypeCache(Btf.parse(Buffer.from(artifact.coreBtf, "base64"))),
          new TypeCache(options.targetBtf ?? kernelBtf()),
        ));
      };
      for (const p of artifact.programs) {
        if (options.programs && !options.programs.includes(p.name)) continue;
        const prog = loadProgram(p, maps, sections, options, core, callbacks.get(p.name));
        owned.push(prog);
        programs[p.name] = prog;
      }
      const structOps = new Map<string, { fd: number; value: Uint8Array; link: boolean; struct: string }>();
      for (const so of artifact.structOps ?? []) {
        const k = laidOut.get(so.name)!;
        const what = `struct_ops "${so.name}"`;
        const value = structOpsValue(k, (name) => programs[name]?.fd, what);
        const fd = createStructOpsMap(so.name, k, so.link);
        owned.push({ [Symbol.dispose]: () => closeFd(fd) });
        structOps.set(so.name, { fd, value, link: so.link, struct: so.struct });
      }
      return new KernelObject<M>(artifact, maps, programs, sections, owned, structOps);
    } catch (err) {
      for (const o of owned.reverse())
        try {
          o[Symbol.dispose]();
        } catch {
          /* already failing */
        }
      throw err;
    }
  }

  /** A global variable's current value (.data / .bss are mapped; .rodata reads its frozen value). */
  global(name: string): unknown {
    for (const s of this.artifact.sections) {
      const v = s.vars.find((x) => x.name === name);
      if (!v) continue;
      const map = this.sections.get(s.name)!;
      const bytes = map.get(0)!;
      return codecOf(v.type).decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), v.offset);
    }
    throw new TsbpfError(`the module has no global ${name}`);
  }

  /** Sets a .data / .bss global (in place, through the mapping). */
  setGlobal(name: string, value: number | bigint | boolean): void {
    for (const s of this.artifact.sections) {
      const v = s.vars.find((x) => x.name === name);
      if (!v) continue;
      if (s.name === ".rodata") throw new TsbpfError(`${name} is a constant; set it with load(…, { constants })`);
      const map = this.sections.get(s.name)!;
      const bytes = Buffer.from(map.get(0)!);
      codecOf(v.type).encode(
        v.size === 8 && typeof value !== "boolean" ? BigInt(value) : value,
        new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
        v.offset,
      );
      map.set(0, bytes);
      return;
    }
    throw new TsbpfError(`the module has no global ${name}`);
  }

  /** A reader of the module's `log` records (undefined when the module never logs). */
  logReader(): LogReader | undefined {
    const map = (this.maps as Record<string, MapHandle>).tsbpf_log;
    if (!map) return undefined;
    return new LogReader(map as RingBufMap, this.artifact.logs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const o of [...this.#owned].reverse()) o[Symbol.dispose]();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Formats log records of a module (the kernel sends only the values). */
export class LogReader implements Disposable {
  readonly ring: RingBuffer;
  readonly #sites: Map<number, ArtifactLogSite>;
  constructor(map: RingBufMap, sites: readonly ArtifactLogSite[]) {
    this.ring = new RingBuffer(map);
    this.#sites = new Map(sites.map((s) => [s.id, s]));
  }

  /** Formats one record. */
  format(rec: RingRecord): LogRecord {
    const view = new DataView(rec.bytes.buffer, rec.bytes.byteOffset + rec.offset, rec.length);
    return formatLog(view, this.#sites);
  }

  /** Reads what is there now, without waiting. */
  drain(): LogRecord[] {
    const out: LogRecord[] = [];
    this.ring.consume((rec) => {
      out.push(this.format(rec));
    });
    return out;
  }

  /** Calls `onLog` for every record until `signal` aborts. */
  poll(onLog: (record: LogRecord) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onLog(this.format(rec)), { signal });
  }

  /** Unmaps the ring buffer (the map itself belongs to the KernelObject). */
  close(): void {
    this.ring.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export function formatLog(view: DataView, sites: Map<number, ArtifactLogSite>): LogRecord {
  const id = view.getUint32(0, true);
  const level = LEVELS[view.getUint32(4, true)] || "info";
  const site = sites.get(id);
  if (!site) return { level: level as LogRecord["level"], message: `<unknown log site ${id}>`, file: "", line: 0 };
  let message = site.parts[0] ?? "";
  site.args.forEach((a, i) => {
    let text: string;
    const at = a.offset;
    switch (a.kind) {
      case "bool":
        text = view.getBigUint64(at, true) !== 0n ? "true" : "false";
        break;
      case "hex":
        text = `0x${view.getBigUint64(at, true).toString(16)}`;
        break;
      case "ipv4": {
        const v = Number(view.getBigUint64(at, true) & 0xffff_ffffn);
        text = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
        break;
      }
      case "ipv6": {
        const groups: string[] = [];
        for (let k = 0; k < 16; k += 2) groups.push(view.getUint16(at + k, false).toString(16));
        text = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
        break;
      }
      case "mac":
        text = Array.from({ length: 6 }, (_, k) =>
          view
            .getUint8(at + k)
            .toString(16)
            .padStart(2, "0"),
        ).join(":");
        break;
      case "str": {
        const bytes = new Uint8Array(view.buffer, view.byteOffset + at, a.size);
        const end = bytes.indexOf(0);
        text = Buffer.from(bytes.subarray(0, end < 0 ? a.size : end)).toString("utf8");
        break;
      }
      default:
        text = a.signed ? view.getBigInt64(at, true).toString() : view.getBigUint64(at, true).toString();
    }
    message += text + (site.parts[i + 1] ?? "");
  });
  return { level: level as LogRecord["level"], message, file: site.file, line: site.line };
}

// ---- creation --------------------------------------------------------------------------------------------

/**
 * A map's key and value types as BTF, or undefined when it has none: arrays' key is an `unsigned
 * int` index, keyless maps (queue, stack, bloom filter) have the void key.
 */
function mapBtfBlob(spec: ArtifactMap): { blob: Buffer; keyTypeId: number; valueTypeId: number } | undefined {
  if (!spec.value || (!spec.key && spec.keySize !== 4 && spec.keySize !== 0)) return undefined;
  const b = new BtfBuilder();
  const keyTypeId = spec.key ? describedType(b, spec.key) : spec.keySize ? b.addInt("unsigned int", 4) : 0;
  const valueTypeId = describedType(b, spec.value);
  return { blob: b.build(), keyTypeId, valueTypeId };
}

function describedType(b: BtfBuilder, d: TypeDescriptor): number {
  switch (d.kind) {
    case "int":
      return b.addInt(d.name, d.size, {
        signed: d.encoding === "signed",
        char: d.encoding === "char",
        bool: d.encoding === "bool",
      });
    case "float":
      return b.addFloat(d.name, d.size as 4 | 8);
    case "array":
      return b.addArray(describedType(b, d.element), d.length);
    case "struct":
      return b.addStruct(
        d.name ?? "",
        d.size,
        d.fields.map((f) => ({ name: f.name, type: describedType(b, f.type), bitOffset: f.offset * 8 })),
      );
  }
}

function createUserMap(spec: ArtifactMap, created: Record<string, MapHandle>): MapHandle {
  const inner = spec.inner ? created[spec.inner] : undefined;
  if (spec.inner && !inner)
    throw new TsbpfError(`map ${spec.name}: the inner map template ${spec.inner} was not created`);
  const kind = mapKind(spec.type);
  // Key/value BTF where the kind takes it: bpftool then shows the map's contents typed.
  const typed = kind.btf === "optional" ? mapBtfBlob(spec) : undefined;
  const btfFd = typed ? loadBtf(typed.blob) : -1;
  try {
    return createUserMapWith(
      spec,
      inner,
      typed && { fd: btfFd, keyTypeId: typed.keyTypeId, valueTypeId: typed.valueTypeId },
    );
  } finally {
    if (btfFd >= 0) closeFd(btfFd);
  }
}

function createUserMapWith(spec: ArtifactMap, inner: MapHandle | undefined, btf: MapBtf | undefined): MapHandle {
  return mapKind(spec.type).create({
    btf,
    name: spec.name,
    type: spec.type,
    flags: spec.flags,
    keySize: spec.keySize,
    valueSize: spec.valueSize,
    maxEntries: spec.maxEntries,
    key: spec.key ? codecOf(spec.key) : undefined,
    value: spec.value ? codecOf(spec.value) : undefined,
    inner,
    extra: spec.extra,
  });
}

/** Patches map fds into a copy of the program's instructions. */
export function patchInstructions(
  p: ArtifactProgram,
  mapFd: (name: string) => number,
  sectionFd: (name: string) => number,
): Buffer {
  const bytes = Buffer.from(programBytes(p));
  for (const r of p.relocations) {
    const at = r.slot * 8;
    const regs = bytes[at + 1]! & 0x0f; // keep dst, set src
    if (r.kind === "map") {
      bytes[at + 1] = regs | (BPF_PSEUDO_MAP_FD << 4);
      bytes.writeInt32LE(mapFd(r.map), at + 4);
    } else {
      bytes[at + 1] = regs | (BPF_PSEUDO_MAP_VALUE << 4);
      bytes.writeInt32LE(sectionFd(r.section), at + 4);
      bytes.writeUInt32LE(r.offset >>> 0, at + 12);
    }
  }
  return bytes;
}

/**
 * Applies a program's CO-RE relocations to its instructions: each kernel struct field offset
 * compiled in becomes the running kernel's (resolved like a clang-built object's, src/object/core.ts).
 * A field the kernel lacks poisons its instruction, so the verifier names it if it runs.
 */
export function relocateCore(p: ArtifactProgram, bytes: Buffer, candidates: () => CandidateCache): void {
  if (!p.core?.length) return;
  const c = candidates();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (const r of p.core) {
    const where = `program ${p.name}, CO-RE relocation at instruction ${r.slot}`;
    const res = resolveCoreRelo(
      { insnOffset: r.slot * 8, typeId: r.type, accessString: r.access, kind: r.kind },
      c.local,
      c,
      where,
    );
    patchInstruction(view, r.slot, res, where);
  }
}

function loadProgram(
  p: ArtifactProgram,
  maps: Record<string, MapHandle>,
  sections: Map<string, ArrayMap<Uint8Array>>,
  options: LoadOptions,
  candidates: () => CandidateCache,
  structOps?: { attachBtfId: number; memberIndex: number },
): Program {
  const bytes = patchInstructions(
    p,
    (name) => {
      const m = maps[name];
      if (!m) throw new TsbpfError(`program ${p.name}: no map ${name}`);
      return m.fd;
    },
    (name) => {
      const s = sections.get(name);
      if (!s) throw new TsbpfError(`program ${p.name}: no section ${name}`);
      return s.fd;
    },
  );
  relocateCore(p, bytes, candidates);
  const used = [...p.maps.map((n) => maps[n]!), ...[...sections.values()]];
  const code = { bytes, functions: p.functions, lines: p.lines };
  const spec = { name: p.name, code, maps: used };
  // As an object file's program with the same section loads (programs/kinds.ts).
  const slash = p.section.indexOf("/");
  const site = {
    name: p.name,
    section: p.section,
    kind: KERNEL_PROGRAM_KINDS[p.kind],
    type: p.progType as ProgType,
    expectedAttachType: structOps?.memberIndex ?? p.expectedAttachType ?? 0,
    attachBtfId: structOps?.attachBtfId,
    sleepable: false,
    frags: p.target.frags === true,
    attachTarget: slash < 0 ? undefined : p.section.slice(slash + 1),
  };
  return loadProgramKind(site, spec, options);
}
