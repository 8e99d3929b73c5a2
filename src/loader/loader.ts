// Loading an object file into the kernel, as libbpf does for a skeleton:
//   1. resolve externs (.kconfig from the kernel's config, __ksym and kfuncs from its BTF),
//   2. load the object's BTF (fixed up for the kernel),
//   3. create the maps — or reuse those pinned by name — and fill global data, freezing
//      .rodata (and .kconfig) so the verifier sees its values as constants,
//   4. link each program (CO-RE, subprograms, map references) and load it as its section's kind,
//   5. fill maps-in-maps and prog arrays from their `.values` initialisers.
// On any failure everything made so far is closed (and pins made are removed). The result has
// typed handles: `obj.maps.NAME`, `obj.programs.NAME`, `obj.variables.NAME`.
import { readFileSync, existsSync, mkdirSync, unlinkSync } from "node:fs";
import { basename } from "node:path";
import type { Btf } from "../btf/decoder.js";
import { hasKernelBtf, kernelBtf, loadBtfFile } from "../btf/vmlinux.js";
import { loadBtf } from "../btf/load.js";
import { closeFd, Cmd, bpfErrno, mapElemAttr, mapFreeze, objGet, objPin, progBindMap } from "../sys/bpf.js";
import { Errno, TsbpfError } from "../errors.js";
import { NotSupportedError, SyscallError, syscallError } from "../sys/errors.js";
import { NativeMemory } from "../sys/libc.js";
import { enumName, MapType, ProgType } from "../uapi.js";
import { createMap } from "../maps/handle.js";
import { mapInfo } from "../maps/info.js";
import { possibleCpuCount } from "../sys/cpus.js";
import type { MapHandle } from "../maps/handle.js";
import { mapKind } from "../maps/kinds.js";
import { Program, VerifierError, type LoadOptions } from "../programs/program.js";
import type { Codec } from "../maps/codec.js";
import type { Attachment } from "../links/link.js";
import { BpfObjectFile, type ProgramDefinition, type VariableDefinition } from "../object/object.js";
import type { MapDefinition } from "../object/maps.js";
import { link, poisonedAt, type LinkedProgram } from "../object/link.js";
import { kernelBtfBlob } from "../object/btf-fixup.js";
import { fillKconfig } from "../object/kconfig.js";
import { kernelStructOps, type KernelStructOps } from "../object/struct-ops.js";
import {
  CoreRelocationError,
  ExternError,
  MapDefinitionError,
  ObjectError,
  UnknownSectionError,
} from "../object/errors.js";
import { btfCodec, rawCodec } from "./btf-codec.js";
import { DataSection, presetVariables, variableCodec } from "./globals.js";
import { kernelConfig, kernelSymbolAddress, linuxExterns } from "./kernel.js";
import { autoAttach, loadAsKind } from "./programs.js";
import { registerStructOps, structOpsValue } from "./struct-ops.js";

/** A struct_ops map ready to register: its value with the program fds in place. */
interface StructOpsValue {
  value: Uint8Array;
  link: boolean;
}

const DEFAULT_PIN_ROOT = "/sys/fs/bpf";

/** Per-program choices made before loading. */
export interface ObjectProgramOptions {
  /** Load this program (default true). */
  load?: boolean;
  /** Program type, for sections whose name libbpf does not know. */
  type?: ProgType;
  expectedAttachType?: number;
}

/** Per-map choices made before creation. */
export interface ObjectMapOptions {
  maxEntries?: number;
  /** Pin at this path (or not at all with false), overriding the `pinning` attribute. */
  pin?: string | false;
}

export interface ObjectLoadOptions {
  /** Initial values of global variables (.rodata, .data, .bss, .data.*), by C name, set before loading. */
  variables?: Readonly<Record<string, unknown>>;
  /** Directory for maps pinned by name (default /sys/fs/bpf). */
  pinRoot?: string;
  programs?: Readonly<Record<string, ObjectProgramOptions>>;
  maps?: Readonly<Record<string, ObjectMapOptions>>;
  /** The kernel BTF to relocate against (a Btf, or the path of a BTF file); default the running kernel's. */
  targetBtf?: Btf | string;
  /** CONFIG_* values overriding the kernel configuration, for .kconfig externs. */
  kconfig?: Readonly<Record<string, string>>;
  /** Verifier log options for every program. */
  log?: LoadOptions;
}

/** The names and handle types of an object, as `tsbpf gen types` writes them. */
export interface ObjectShape {
  maps: Record<string, MapHandle>;
  programs: Record<string, Program>;
  variables: Record<string, unknown>;
}

/** A loaded object. `maps`, `programs` and `variables` are keyed by their C names. */
export class BpfObject<S extends ObjectShape = ObjectShape> implements Disposable {
  readonly maps: S["maps"];
  readonly programs: S["programs"];
  readonly variables: S["variables"];
  /** Warnings (e.g. BTF the kernel refused, loaded without). */
  readonly warnings: string[];
  readonly #mapFds: Map<string, number>;
  readonly #handles = new Map<string, MapHandle>();
  readonly #programs: Map<string, Program>;
  readonly #sections: Map<string, DataSection>;
  readonly #pins: string[];
  readonly #structOps: Map<string, StructOpsValue>;
  readonly #registrations: Attachment[] = [];
  #btfFd: number;
  #closed = false;

  /** @internal Built by loadObject(). */
  constructor(
    readonly file: BpfObjectFile,
    parts: {
      mapFds: Map<string, number>;
      programs: Map<string, Program>;
      sections: Map<string, DataSection>;
      pins: string[];
      btfFd: number;
      warnings: string[];
      structOps: Map<string, StructOpsValue>;
    },
  ) {
    this.#mapFds = parts.mapFds;
    this.#programs = parts.programs;
    this.#sections = parts.sections;
    this.#pins = parts.pins;
    this.#btfFd = parts.btfFd;
    this.#structOps = parts.structOps;
    this.warnings = parts.warnings;
    const maps: Record<string, MapHandle> = {};
    for (const name of this.#mapFds.keys()) {
      Object.defineProperty(maps, name, { enumerable: true, get: () => this.map(name) });
    }
    this.maps = maps as S["maps"];
    this.programs = Object.fromEntries(this.#programs) as S["programs"];
    const variables: Record<string, unknown> = {};
    for (const v of file.variables) {
      const section = this.#sections.get(v.map);
      if (!section || Object.prototype.hasOwnProperty.call(variables, v.name)) continue;
      const codec = variableCodec(file.btf, v);
      Object.defineProperty(variables, v.name, {
        enumerable: true,
        get: () => section.read(codec, v.offset),
        set: (value: unknown) => section.write(codec, v.offset, value),
      });
    }
    this.variables = variables as S["variables"];
  }

  /** The file descriptor of a map (owned by the object). */
  mapFd(name: string): number {
    const fd = this.#mapFds.get(name);
    if (fd === undefined)
      throw new TsbpfError(
        `object "${this.file.name}" has no map "${name}" (maps: ${[...this.#mapFds.keys()].join(", ")})`,
      );
    if (this.#closed) throw new TsbpfError(`object "${this.file.name}" is closed`);
    return fd;
  }

  /** A typed handle on a map (made on first use; keys and values decoded through the object's BTF). */
  map(name: string): MapHandle {
    let h = this.#handles.get(name);
    if (!h) {
      const def = this.file.maps.find((m) => m.name === name)!;
      h = mapHandle(this.mapFd(name), def, this.file.btf, this.file.variables);
      this.#handles.set(name, h);
    }
    return h;
  }

  /** A program by name. */
  program(name: string): Program {
    const p = this.#programs.get(name);
    if (!p)
      throw new TsbpfError(
        `object "${this.file.name}" has no loaded program "${name}" (programs: ${[...this.#programs.keys()].join(", ")})`,
      );
    return p;
  }

  /**
   * A codec for a type of the object's BTF by name ("event", "struct event", a typedef …): decodes
   * ring buffer records and other raw bytes the programs produce.
   */
  typeCodec<T = Record<string, unknown>>(name: string): Codec<T> {
    const btf = this.file.btf;
    if (!btf) throw new TsbpfError(`object "${this.file.name}" has no BTF`);
    const bare = name.replace(/^(struct|union|enum)\s+/, "");
    const kinds = name.startsWith("struct ")
      ? ["struct"]
      : name.startsWith("union ")
        ? ["union"]
        : name.startsWith("enum ")
          ? ["enum", "enum64"]
          : ["struct", "union", "typedef", "enum", "enum64", "int"];
    for (const k of kinds) {
      const id = btf.findByName(bare, k as "struct")[0];
      if (id !== undefined) return btfCodec(btf, id) as Codec<T>;
    }
    throw new TsbpfError(`object "${this.file.name}" has no type "${name}" in its BTF`);
  }

  /** A global data section (".bss", ".rodata", …) as a whole. */
  section(name: string): DataSection {
    const s = this.#sections.get(name);
    if (!s) throw new TsbpfError(`object "${this.file.name}" has no data section "${name}"`);
    return s;
  }

  /**
   * Attaches a program where its section name says (tracepoint/…, raw_tp/…, tp_btf/…, kprobe/…,
   * uprobe/…, iter/…), or registers a struct_ops variable (as attachStructOps()).
   */
  attach(name: string): Attachment {
    const def = this.file.program(name);
    if (!def && this.#structOps.has(name)) return this.attachStructOps(name);
    if (!def) throw new TsbpfError(`object "${this.file.name}" has no program "${name}"`);
    return autoAttach(def, this.program(name));
  }

  /**
   * Registers a struct_ops variable (`SEC(".struct_ops")` or `SEC(".struct_ops.link")`) with its
   * kernel subsystem: a `struct tcp_congestion_ops` becomes a congestion control TCP sockets can
   * choose. Detaching the attachment (or closing the object) unregisters it.
   */
  attachStructOps(name: string): Attachment {
    const so = this.#structOps.get(name);
    if (!so && this.file.map(name)?.structOps)
      throw new TsbpfError(`struct_ops "${name}" cannot be registered: not all its programs were loaded`);
    if (!so)
      throw new TsbpfError(
        `object "${this.file.name}" has no struct_ops "${name}" (struct_ops: ${[...this.#structOps.keys()].join(", ") || "none"})`,
      );
    const def = this.file.map(name)!.structOps!;
    const registration = registerStructOps(this.mapFd(name), so.value, so.link, `struct_ops ${def.typeName} "${name}"`);
    this.#registrations.push(registration);
    return registration;
  }

  /**
   * Pins every program at DIR/NAME and, with `maps`, every map at DIR/maps/NAME (dots become
   * underscores: bpffs refuses them) — what bpftool's `prog loadall DIR pinmaps DIR/maps` makes.
   * Returns the paths; on failure, the pins made so far are removed.
   */
  pin(dir: string, options: { maps?: boolean } = {}): string[] {
    const made: string[] = [];
    mkdirSync(dir, { recursive: true });
    try {
      for (const [name, p] of this.#programs) {
        const path = `${dir}/${name}`;
        p.pin(path);
        made.push(path);
      }
      if (options.maps) {
        mkdirSync(`${dir}/maps`, { recursive: true });
        for (const [name, fd] of this.#mapFds) {
          const path = `${dir}/maps/${pinName(name)}`;
          objPin(fd, path);
          made.push(path);
        }
      }
    } catch (err) {
      for (const p of made)
        try {
          unlinkSync(p);
        } catch {
          /* already gone */
        }
      throw err;
    }
    return made;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every program, map and mapping. Maps pinned by name stay pinned (that is the point of pinning). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A struct_ops registered without a link outlives its fds: unregister it while we can.
    for (const r of this.#registrations)
      try {
        r.detach();
      } catch {
        /* unregistered already */
      }
    for (const s of this.#sections.values()) s.close();
    for (const h of this.#handles.values()) h.close();
    for (const p of this.#programs.values()) p.close();
    for (const fd of this.#mapFds.values()) closeFd(fd);
    if (this.#btfFd >= 0) closeFd(this.#btfFd);
    this.#btfFd = -1;
  }

  /** The bpffs paths of the maps pinned by name (made by this load or reused from an earlier one). */
  get pinnedMaps(): readonly string[] {
    return this.#pins;
  }

  /** Removes the pins of the maps pinned by name (made by this load or reused). */
  unpinMaps(): void {
    for (const p of this.#pins)
      try {
        unlinkSync(p);
      } catch {
        /* already gone */
      }
    this.#pins.length = 0;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A bpffs file name for a map: ".rodata" → "rodata", ".data.custom" → "data_custom". */
export function pinName(mapName: string): string {
  return mapName.replace(/^\./, "").replace(/\./g, "_");
}

/** A typed handle for a map of any type: its kind's class (maps/kinds.ts), keys and values from BTF. */
function mapHandle(
  fd: number,
  def: MapDefinition,
  btf: Btf | undefined,
  variables: readonly VariableDefinition[],
): MapHandle {
  const info = mapInfo(fd);
  const id = info.id;
  const key = btf && def.keyTypeId ? btfCodec(btf, def.keyTypeId) : rawCodec(def.keySize);
  // A kernel struct value (struct_ops) has the running kernel's size, known only once created.
  const value = def.data
    ? dataCodec(btf, variables, def)
    : btf && def.valueTypeId
      ? btfCodec(btf, def.valueTypeId)
      : rawCodec(mapKind(def.type).kernelValue ? info.valueSize : def.valueSize);
  return mapKind(def.type).open(id, key, value);
}

/** A global data map's value: an object of its variables (at their ELF offsets), `size` bytes. */
function dataCodec(
  btf: Btf | undefined,
  variables: readonly VariableDefinition[],
  def: MapDefinition,
): Codec<Record<string, unknown>> {
  const vars = variables.filter((v) => v.map === def.name).map((v) => ({ v, codec: variableCodec(btf, v) }));
  const size = def.valueSize;
  return {
    size,
    align: 8,
    encode: (value, view, offset) => {
      for (let i = 0; i < size; i++) view.setUint8(offset + i, 0);
      for (const { v, codec } of vars)
        if (value[v.name] !== undefined) codec.encode(value[v.name], view, offset + v.offset);
    },
    decode: (view, offset) =>
      Object.fromEntries(vars.map(({ v, codec }) => [v.name, codec.decode(view, offset + v.offset)])),
  };
}

/** Where an object comes from: a path, the file's bytes, or an already parsed file. */
export type ObjectSource = string | Uint8Array | BpfObjectFile;

/** Parses (if needed) and loads an object file. */
export function loadObject<S extends ObjectShape = ObjectShape>(
  source: ObjectSource,
  options: ObjectLoadOptions = {},
): BpfObject<S> {
  const file =
    source instanceof BpfObjectFile
      ? source
      : typeof source === "string"
        ? BpfObjectFile.parse(readFileSync(source), { file: source, name: basename(source).split(".")[0] })
        : BpfObjectFile.parse(source);
  return new Loader(file, options).load() as BpfObject<S>;
}

class Loader {
  readonly #mapFds = new Map<string, number>();
  readonly #programs = new Map<string, Program>();
  readonly #pins: string[] = [];
  readonly #reusedPins: string[] = [];
  readonly #sections = new Map<string, DataSection>();
  readonly #warnings: string[] = [];
  /** struct_ops maps laid out for the running kernel, by map name. */
  readonly #kernelStructOps = new Map<string, KernelStructOps>();
  /** struct_ops programs: the struct and member each implements, by program name. */
  readonly #structOpsPrograms = new Map<string, { attachBtfId: number; memberIndex: number; map: string }>();
  #btfFd = -1;
  /** Copies of the map definitions, with per-load data and options applied. */
  readonly #maps: MapDefinition[];

  constructor(
    readonly file: BpfObjectFile,
    readonly options: ObjectLoadOptions,
  ) {
    this.#maps = file.maps.map((m) => ({
      ...m,
      data: m.data ? new Uint8Array(m.data) : undefined,
      slots: [...m.slots],
    }));
  }

  #where(s: string): string {
    return this.file.file ? `${this.file.file}: ${s}` : s;
  }

  load(): BpfObject {
    try {
      return this.#load();
    } catch (err) {
      for (const p of this.#programs.values()) p.close();
      for (const fd of this.#mapFds.values()) closeFd(fd);
      for (const path of this.#pins)
        try {
          unlinkSync(path);
        } catch {
          /* gone */
        }
      for (const s of this.#sections.values()) s.close();
      if (this.#btfFd >= 0) closeFd(this.#btfFd);
      throw err;
    }
  }

  /** Lays each struct_ops variable out for the running kernel and finds what its programs implement. */
  #resolveStructOps(): void {
    if (this.file.structOps.length === 0) return;
    if (!hasKernelBtf())
      throw new NotSupportedError("struct_ops", "the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing)");
    for (const def of this.file.structOps) {
      const k = kernelStructOps(def, kernelBtf());
      this.#kernelStructOps.set(def.name, k);
      this.#maps.find((m) => m.name === def.name)!.valueSize = k.valueSize;
      for (const p of k.programs) {
        const seen = this.#structOpsPrograms.get(p.program);
        if (seen && (seen.attachBtfId !== k.structTypeId || seen.memberIndex !== p.memberIndex))
          throw new ObjectError(
            `program "${p.program}" implements two different members (in "${seen.map}" and "${def.name}"); give each its own program`,
            this.#where(`struct_ops "${def.name}"`),
          );
        this.#structOpsPrograms.set(p.program, {
          attachBtfId: k.structTypeId,
          memberIndex: p.memberIndex,
          map: def.name,
        });
      }
    }
  }

  #selectedPrograms(): ProgramDefinition[] {
    const opts = this.options.programs ?? {};
    for (const name of Object.keys(opts)) {
      if (!this.file.program(name))
        throw new ObjectError(
          `no program "${name}" in the object (programs: ${this.file.programs.map((p) => p.name).join(", ")})`,
          this.#where("load options"),
        );
    }
    return (
      this.file.programs
        .filter((p) => opts[p.name]?.load !== false)
        // A struct_ops program no struct_ops variable points to has nothing to implement (libbpf skips it too).
        .filter((p) => p.kind !== "struct_ops" || this.#structOpsPrograms.has(p.name))
        .map((p) => {
          const o = opts[p.name];
          if (o?.type === undefined) return p;
          return { ...p, type: o.type, expectedAttachType: o.expectedAttachType ?? p.expectedAttachType, kind: p.kind };
        })
    );
  }

  #targetBtf(): Btf | undefined {
    const t = this.options.targetBtf;
    if (t === undefined) return hasKernelBtf() ? kernelBtf() : undefined;
    return typeof t === "string" ? loadBtfFile(t) : t;
  }

  #load(): BpfObject {
    const file = this.file;
    this.#resolveStructOps();
    const programs = this.#selectedPrograms();
    for (const p of programs) if (p.type === undefined) throw new UnknownSectionError(p.section, p.name);

    // Global variables and map options, applied to this load's copies.
    if (this.options.variables) {
      presetVariables(file.btf, file.variables, this.#maps, this.options.variables, (name) => {
        throw new ObjectError(
          `no global variable "${name}" to set (variables: ${file.variables
            .filter((v) => v.map !== ".kconfig")
            .map((v) => v.name)
            .join(", ")})`,
          this.#where("load options"),
        );
      });
    }
    for (const [name, o] of Object.entries(this.options.maps ?? {})) {
      const m = this.#maps.find((x) => x.name === name);
      if (!m) throw new ObjectError(`no map "${name}" in the object`, this.#where("load options"));
      if (o.maxEntries !== undefined) m.maxEntries = o.maxEntries;
    }
    const kconfigMap = this.#maps.find((m) => m.origin === "kconfig");
    if (kconfigMap?.data) {
      const config = new Map(kernelConfig() ?? []);
      for (const [k, v] of Object.entries(this.options.kconfig ?? {})) config.set(k, v);
      fillKconfig(file, kconfigMap.data, { config, linux: linuxExterns() });
    }

    // Link first: it needs no kernel objects, and its errors (CO-RE, relocations) come before any syscall.
    const needsTarget =
      file.externs.some((e) => e.kind === "ksym" && (e.isFunction || e.typeId !== 0)) ||
      programs.some((p) => file.ext.get(p.section)?.coreRelos.length) ||
      (file.textIndex !== 0 && (file.ext.get(".text")?.coreRelos.length ?? 0) > 0);
    const targetBtf = needsTarget ? this.#targetBtf() : undefined;
    if (needsTarget && !targetBtf)
      throw new NotSupportedError(
        "CO-RE relocations and kernel externs",
        "the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing); pass targetBtf",
      );
    const linked = link(file, { targetBtf, kernelSymbolAddress, programs: programs.map((p) => p.name) });

    // The object's BTF. The kernel may refuse it (old kernels): then programs and maps go without.
    const blob = kernelBtfBlob(file);
    if (blob) {
      try {
        this.#btfFd = loadBtf(blob);
      } catch (err) {
        if (!(err instanceof SyscallError)) throw err;
        this.#warnings.push(`the kernel refused the object's BTF (${err.message}); loading without it`);
      }
    }

    for (const m of this.#maps) this.#createMap(m);
    this.#initMapInMapSlots();

    const rodata = this.#maps.find((m) => m.name === ".rodata");
    for (const [i, lp] of linked.entries())
      this.#loadProgram(programs[i]!, lp, rodata ? this.#mapFds.get(rodata.name) : undefined);
    this.#initProgArraySlots();
    const structOps = this.#structOpsValues();

    for (const m of this.#maps) {
      if (!m.data) continue;
      const frozen = m.origin === "rodata" || m.origin === "kconfig";
      const fd = this.#mapFds.get(m.name)!;
      this.#sections.set(m.name, new DataSection(m, () => fd, frozen));
    }
    const obj = new BpfObject(file, {
      mapFds: this.#mapFds,
      programs: this.#programs,
      sections: this.#sections,
      pins: [...this.#reusedPins, ...this.#pins],
      btfFd: this.#btfFd,
      warnings: this.#warnings,
      structOps,
    });
    this.#btfFd = -1;
    return obj;
  }

  /** Each struct_ops map's value with its programs' fds in their function pointers. */
  #structOpsValues(): Map<string, StructOpsValue> {
    const out = new Map<string, StructOpsValue>();
    for (const [name, k] of this.#kernelStructOps) {
      // Programs left out by the load options: the struct cannot be registered without them.
      const missing = k.programs.filter((p) => !this.#programs.has(p.program)).map((p) => p.program);
      if (missing.length) {
        this.#warnings.push(
          `struct_ops "${name}" cannot be registered: its program${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "were" : "was"} not loaded`,
        );
        continue;
      }
      const value = structOpsValue(k, (p) => this.#programs.get(p)?.fd, this.#where(`struct_ops "${name}"`));
      out.set(name, { value, link: this.#maps.find((m) => m.name === name)!.structOps!.link });
    }
    return out;
  }

  #pinPath(m: MapDefinition): string | undefined {
    const o = this.options.maps?.[m.name]?.pin;
    if (o === false) return undefined;
    if (typeof o === "string") return o;
    if (m.pinning === "by_name") return `${this.options.pinRoot ?? DEFAULT_PIN_ROOT}/${m.name}`;
    return undefined;
  }

  #createMap(m: MapDefinition): void {
    const where = this.#where(`map "${m.name}"`);
    const pinPath = this.#pinPath(m);
    if (pinPath && existsSync(pinPath)) {
      const fd = objGet(pinPath);
      try {
        this.#checkReuse(fd, m, pinPath);
      } catch (err) {
        closeFd(fd);
        throw err;
      }
      this.#mapFds.set(m.name, fd);
      this.#reusedPins.push(pinPath);
      return;
    }
    let maxEntries = m.maxEntries;
    if (m.type === MapType.PERF_EVENT_ARRAY && maxEntries === 0) maxEntries = possibleCpuCount();
    let innerFd = -1;
    try {
      if (m.inner) {
        innerFd = this.#create(m.inner, m.inner.maxEntries, -1, where);
      } else if (mapKind(m.type).needsInner) {
        throw new MapDefinitionError(
          "a map-in-map needs an inner map definition (__array(values, struct {...}))",
          where,
        );
      }
      const fd = this.#create(m, maxEntries, innerFd, where);
      this.#mapFds.set(m.name, fd);
    } finally {
      if (innerFd >= 0) closeFd(innerFd);
    }
    const fd = this.#mapFds.get(m.name)!;
    if (m.data) {
      const key = NativeMemory.from(new Uint8Array(4));
      const value = NativeMemory.from(m.data.length ? m.data : new Uint8Array(1));
      try {
        const ret = bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(fd, key.address, value.address, 0));
        if (ret < 0) throw syscallError("BPF_MAP_UPDATE_ELEM", -ret, `initial contents of ${m.name}`);
      } finally {
        key.free();
        value.free();
      }
      if (m.origin === "rodata" || m.origin === "kconfig") mapFreeze(fd);
    }
    if (pinPath) {
      objPin(fd, pinPath);
      this.#pins.push(pinPath);
    }
  }

  /** BPF_MAP_CREATE with the object's BTF for key and value, retried without it if refused. */
  #create(m: MapDefinition, maxEntries: number, innerFd: number, where: string): number {
    const withBtf = this.#btfFd >= 0 && mapKind(m.type).btf !== "never" && (m.keyTypeId !== 0 || m.valueTypeId !== 0);
    const spec = {
      type: m.type,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries,
      flags: m.flags,
      name: m.kernelName,
      numaNode: m.numaNode || undefined,
      mapExtra: m.mapExtra,
      innerMap: innerFd >= 0 ? { fd: innerFd } : undefined,
      btfVmlinuxValueTypeId: this.#kernelStructOps.get(m.name)?.valueTypeId,
    };
    if (mapKind(m.type).kernelValue) {
      // The kernel finds the struct through the object's BTF fd, which it must have accepted.
      if (this.#btfFd < 0)
        throw new ObjectError("a struct_ops map needs the object's BTF, which the kernel refused", where);
      try {
        return createMap({ ...spec, btf: { fd: this.#btfFd, keyTypeId: 0, valueTypeId: 0 } }).fd;
      } catch (err) {
        throw this.#mapError(err, where);
      }
    }
    try {
      return createMap({
        ...spec,
        btf: withBtf ? { fd: this.#btfFd, keyTypeId: m.keyTypeId, valueTypeId: m.valueTypeId } : undefined,
      }).fd;
    } catch (err) {
      if (!withBtf || !(err instanceof SyscallError) || err.errno !== Errno.EINVAL) throw this.#mapError(err, where);
    }
    try {
      return createMap(spec).fd;
    } catch (err) {
      throw this.#mapError(err, where);
    }
  }

  #mapError(err: unknown, where: string): unknown {
    if (err instanceof SyscallError)
      return new ObjectError(`creating the map failed: ${err.message}`, where, { cause: err });
    return err;
  }

  #checkReuse(fd: number, m: MapDefinition, path: string): void {
    const info = mapInfo(fd);
    const problems: string[] = [];
    if (info.type !== m.type) problems.push(`type ${enumName(MapType, info.type)} != ${enumName(MapType, m.type)}`);
    if (info.keySize !== m.keySize) problems.push(`key size ${info.keySize} != ${m.keySize}`);
    if (info.valueSize !== m.valueSize) problems.push(`value size ${info.valueSize} != ${m.valueSize}`);
    if (info.maxEntries !== m.maxEntries && m.maxEntries !== 0)
      problems.push(`max_entries ${info.maxEntries} != ${m.maxEntries}`);
    if (info.flags !== m.flags) problems.push(`flags 0x${info.flags.toString(16)} != 0x${m.flags.toString(16)}`);
    if (problems.length)
      throw new MapDefinitionError(
        `the map pinned at ${path} differs from the definition (${problems.join(", ")}); remove the pin or change the object`,
        this.#where(`map "${m.name}"`),
      );
  }

  #setSlot(mapFd: number, index: number, valueFd: number, what: string): void {
    const key = new NativeMemory(4),
      value = new NativeMemory(4);
    try {
      key.view.setUint32(0, index, true);
      value.view.setUint32(0, valueFd, true);
      const ret = bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(mapFd, key.address, value.address, 0));
      if (ret < 0) throw syscallError("BPF_MAP_UPDATE_ELEM", -ret, what);
    } finally {
      key.free();
      value.free();
    }
  }

  #initMapInMapSlots(): void {
    for (const m of this.#maps) {
      if (!mapKind(m.type).needsInner) continue;
      for (const slot of m.slots) {
        const inner = this.#mapFds.get(slot.target);
        if (inner === undefined)
          throw new ObjectError(`slot ${slot.index}: no map "${slot.target}"`, this.#where(`map "${m.name}"`));
        this.#setSlot(this.#mapFds.get(m.name)!, slot.index, inner, `${m.name}[${slot.index}] = ${slot.target}`);
      }
    }
  }

  #initProgArraySlots(): void {
    for (const m of this.#maps) {
      if (m.type !== MapType.PROG_ARRAY) continue;
      for (const slot of m.slots) {
        const p = this.#programs.get(slot.target);
        if (!p) continue; // not loaded (programs option): libbpf skips it too
        this.#setSlot(this.#mapFds.get(m.name)!, slot.index, p.fd, `${m.name}[${slot.index}] = ${slot.target}`);
      }
    }
  }

  #loadProgram(def: ProgramDefinition, lp: LinkedProgram, rodataFd: number | undefined): void {
    const insns = lp.insns;
    const view = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
    for (const ref of lp.mapReferences) {
      const m = this.#maps[ref.map]!;
      const fd = this.#mapFds.get(m.name);
      if (fd === undefined)
        throw new ObjectError(`map "${m.name}" was not created`, this.#where(`program "${def.name}"`));
      view.setInt32(ref.insn * 8 + 4, fd, true);
    }
    const funcInfo = new Uint8Array(lp.funcInfo.length * 8);
    const fv = new DataView(funcInfo.buffer);
    lp.funcInfo.forEach((f, i) => {
      fv.setUint32(i * 8, f.insnOffset, true);
      fv.setUint32(i * 8 + 4, f.typeId, true);
    });
    const lineInfo = new Uint8Array(lp.lineInfo.length * 16);
    const lv = new DataView(lineInfo.buffer);
    lp.lineInfo.forEach((l, i) => {
      lv.setUint32(i * 16, l.insnOffset, true);
      lv.setUint32(i * 16 + 4, l.fileNameOff, true);
      lv.setUint32(i * 16 + 8, l.lineOff, true);
      lv.setUint32(i * 16 + 12, l.lineCol, true);
    });
    const btf = this.#btfFd >= 0 ? { fd: this.#btfFd, funcInfo, lineInfo } : undefined;
    let program: Program;
    const structOps = this.#structOpsPrograms.get(def.name);
    const site =
      structOps && def.kind === "struct_ops"
        ? { ...def, expectedAttachType: structOps.memberIndex, attachBtfId: structOps.attachBtfId }
        : def;
    const spec = {
      name: def.name,
      code: { bytes: insns, lines: lp.lines, functions: lp.functions },
      license: this.file.license,
      kernVersion: def.type === ProgType.KPROBE ? this.file.kernelVersion || undefined : undefined,
      expectedAttachType: def.expectedAttachType || undefined,
      btf,
    } as Parameters<typeof loadAsKind>[1];
    try {
      // The verifier gives up with EAGAIN when a signal arrives (a child exiting, a profiler's
      // tick); like libbpf, try again a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          program = loadAsKind(site, spec, this.options.log ?? {});
          break;
        } catch (err) {
          if (!(err instanceof SyscallError) || err.errno !== Errno.EAGAIN || attempt >= 5) throw err;
        }
      }
    } catch (err) {
      if (err instanceof VerifierError) {
        const hit = poisonedAt(lp, err.failingInsn, err.log);
        if (hit) {
          throw new CoreRelocationError(
            `program "${def.name}": ${hit.error.what}\n(the verifier reached the poisoned instruction ${hit.insn}; its log is on error.cause.log)`,
            hit.error.where ?? "",
            hit.error.kind,
            hit.error.typeName,
            hit.error.field,
            { cause: err },
          );
        }
      }
      const ksymVars = this.file.externs.filter((e) => e.kind === "ksym" && !e.isFunction && e.typeId !== 0);
      if (err instanceof SyscallError && err.errno === Errno.ENOENT && ksymVars.length) {
        throw new ExternError(
          `the kernel found no address for __ksym variable${ksymVars.length > 1 ? "s" : ""} ${ksymVars.map((e) => `"${e.name}"`).join(", ")} ` +
            "(kernels built without CONFIG_KALLSYMS_ALL cannot resolve data symbols)",
          this.#where(`program "${def.name}"`),
          { cause: err },
        );
      }
      throw err;
    }
    this.#programs.set(def.name, program);
    if (rodataFd !== undefined) {
      // Keeps .rodata alive with the program even where the verifier removed every reference.
      try {
        progBindMap(program.fd, rodataFd);
      } catch {
        /* old kernels: harmless */
      }
    }
  }
}

export type { ProgramDefinition, VariableDefinition };
