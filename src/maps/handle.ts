// The part every map shares, whatever its kind: the file descriptor and its lifetime, the sizes
// the kernel knows it by, pinning, freezing, and turning errnos into map errors. Key/value maps
// build on it in map.ts; queues, bloom filters and ring buffers use it directly.
import {
  bpfAt,
  closeFd,
  Cmd,
  commandName,
  ELEM_ATTR_SIZE,
  fdById,
  mapCreate,
  mapElemAttr,
  mapFreeze,
  objGet,
  objPin,
} from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { enumName, MapFlags, MapType } from "../uapi.js";
import {
  KeyExistsError,
  KeyNotFoundError,
  MapClosedError,
  MapError,
  MapFullError,
  MapMismatchError,
  MapReadOnlyError,
  unsupportedMapOperation,
} from "./errors.js";
import { mapInfo, type MapInfo } from "./info.js";

/** BTF types for a map's key and value (from a loaded BTF object). */
export interface MapBtf {
  fd: number;
  keyTypeId: number;
  valueTypeId: number;
}

/** Creation options every map kind accepts. */
export interface MapOptions {
  /** Shown by bpftool and in errors. The kernel keeps 15 characters of [A-Za-z0-9_.]. */
  name?: string;
  /** BPF_F_* map flags (MapFlags), added to the ones the kind needs. */
  flags?: number;
  /** NUMA node to allocate on (sets BPF_F_NUMA_NODE). */
  numaNode?: number;
  btf?: MapBtf;
}

/** Everything BPF_MAP_CREATE takes, in sizes. */
export interface MapCreateSpec extends MapOptions {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Template of the inner maps, for map-in-map types. */
  innerMap?: { readonly fd: number };
  mapExtra?: bigint;
  ifindex?: number;
  /** The kernel struct the value is (struct_ops maps: `bpf_struct_ops_<name>` in the kernel's BTF). */
  btfVmlinuxValueTypeId?: number;
}

/** What a map handle knows about its map. */
export interface MapDescription {
  type: number;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

/** Map names: at most 15 characters of [A-Za-z0-9_.]. */
function kernelName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 15);
}

/** BPF_MAP_CREATE; returns the fd and what the handle should record. */
export function createMap(spec: MapCreateSpec): { fd: number; description: MapDescription } {
  let flags = spec.flags ?? 0;
  if (spec.numaNode !== undefined) flags |= MapFlags.NUMA_NODE;
  const fd = mapCreate({
    mapType: spec.type,
    keySize: spec.keySize,
    valueSize: spec.valueSize,
    maxEntries: spec.maxEntries,
    mapFlags: flags,
    innerMapFd: spec.innerMap?.fd,
    numaNode: spec.numaNode,
    name: kernelName(spec.name ?? ""),
    ifindex: spec.ifindex,
    btfFd: spec.btf?.fd,
    btfKeyTypeId: spec.btf?.keyTypeId,
    btfValueTypeId: spec.btf?.valueTypeId,
    btfVmlinuxValueTypeId: spec.btfVmlinuxValueTypeId,
    mapExtra: spec.mapExtra,
  });
  return {
    fd,
    description: {
      type: spec.type,
      name: spec.name ?? "",
      keySize: spec.keySize,
      valueSize: spec.valueSize,
      maxEntries: spec.maxEntries,
      flags,
    },
  };
}

/** Runs `wrap` for a freshly created or opened fd; closes the fd if wrapping fails (e.g. malloc). */
export function withFd<T>(fd: number, wrap: () => T): T {
  try {
    return wrap();
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}

/** Creates a map and wraps its fd with `make` (the kinds' create()). */
export function createWith<M>(spec: MapCreateSpec, make: (fd: number, description: MapDescription) => M): M {
  const { fd, description } = createMap(spec);
  return withFd(fd, () => make(fd, description));
}

/** Checks an opened fd against `expect` and wraps it with `make` (the kinds' openPinned()/fromId()). */
export function adoptWith<M>(
  fd: number,
  expect: MapExpectation,
  make: (fd: number, description: MapDescription) => M,
): M {
  const description = adoptMap(fd, expect);
  return withFd(fd, () => make(fd, description));
}

/** Where an existing map comes from: a bpffs path or a map id, with BPF_F_RDONLY/WRONLY. */
export function openMapFd(source: { path: string } | { id: number }, options: OpenOptions = {}): number {
  const flags = (options.readOnly ? MapFlags.RDONLY : 0) | (options.writeOnly ? MapFlags.WRONLY : 0);
  return "path" in source ? objGet(source.path, flags) : fdById(Cmd.MAP_GET_FD_BY_ID, source.id, flags);
}

/** Options for opening an existing map. */
export interface OpenOptions {
  /** Open with BPF_F_RDONLY: lookups only. */
  readOnly?: boolean;
  /** Open with BPF_F_WRONLY: updates only. */
  writeOnly?: boolean;
}

/** What an opened map must be, to be wrapped by a given kind. Sizes are those of the codecs. */
export interface MapExpectation {
  kind: string;
  types?: readonly number[];
  keySize?: number;
  valueSize?: number;
}

/**
 * Checks an fd of an existing map (pinned, or opened by id) against what the caller expects, and
 * returns its description. Closes the fd when it does not match.
 */
export function adoptMap(fd: number, expect: MapExpectation): MapDescription {
  let info: MapInfo;
  try {
    info = mapInfo(fd);
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  const problems: string[] = [];
  if (expect.types && !expect.types.includes(info.type)) {
    problems.push(
      `it is a ${info.typeName} map, ${expect.kind} expects ${expect.types.map((t) => enumName(MapType, t)).join(" or ")}`,
    );
  }
  if (expect.keySize !== undefined && expect.keySize !== info.keySize)
    problems.push(`key size is ${info.keySize}, the key codec has ${expect.keySize}`);
  if (expect.valueSize !== undefined && expect.valueSize !== info.valueSize)
    problems.push(`value size is ${info.valueSize}, the value codec has ${expect.valueSize}`);
  if (problems.length) {
    closeFd(fd);
    throw new MapMismatchError(info.name || `id ${info.id}`, problems);
  }
  return {
    type: info.type,
    name: info.name,
    keySize: info.keySize,
    valueSize: info.valueSize,
    maxEntries: info.maxEntries,
    flags: info.flags,
  };
}

/** A map file descriptor with its metadata. Closed by close() or `using`. */
export class MapHandle implements Disposable {
  #fd: number;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;

  protected constructor(fd: number, description: MapDescription) {
    this.#fd = fd;
    this.type = description.type;
    this.name = description.name;
    this.keySize = description.keySize;
    this.valueSize = description.valueSize;
    this.maxEntries = description.maxEntries;
    this.flags = description.flags;
  }

  /** The map's file descriptor (owned by this object). Throws once closed. */
  get fd(): number {
    if (this.#fd < 0) throw new MapClosedError(this.displayName);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The map type's name, e.g. "hash". */
  get typeName(): string {
    return enumName(MapType, this.type);
  }

  /** The name used in errors: the map's name, or its type when it has none. */
  get displayName(): string {
    return this.name || `unnamed ${this.typeName}`;
  }

  /** The kernel's current view of the map (bpf_map_info). */
  info(): MapInfo {
    return mapInfo(this.fd);
  }

  /** The map's id (stable for the map's lifetime, visible in bpftool). */
  get id(): number {
    return this.info().id;
  }

  /** Pins the map in bpffs; it then outlives this process until the file is removed. */
  pin(path: string): void {
    objPin(this.fd, path);
  }

  /** BPF_MAP_FREEZE: from now on user space can only read the map (programs still write). */
  freeze(): void {
    mapFreeze(this.fd);
  }

  /** Closes the fd and frees native buffers. Harmless when already closed. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.release();
    closeFd(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Frees what a kind allocated natively (buffers, mappings); called once by close(). */
  protected release(): void {
    /* nothing at this level */
  }

  /**
   * One element command on raw addresses (0 = NULL); returns the result or -errno. Callers read
   * `this.fd` before touching their native buffers: after close() those are freed, and the fd
   * getter is what throws MapClosedError.
   */
  protected elementCall(fd: number, cmd: Cmd, keyAddress: number, valueAddress: number, flags: number): number {
    return bpfAt(cmd, mapElemAttr(fd, keyAddress, valueAddress, flags).mem.address, ELEM_ATTR_SIZE);
  }

  /** The error for a failed command on this map; update errnos become the specific classes. */
  protected mapError(cmd: Cmd, errno: number): Error {
    const op = commandName(cmd);
    const name = this.displayName;
    if (cmd === Cmd.MAP_UPDATE_ELEM || cmd === Cmd.MAP_UPDATE_BATCH) {
      switch (errno) {
        case Errno.E2BIG:
          return new MapFullError(op, name, this.maxEntries);
        case Errno.EEXIST:
          return new KeyExistsError(op, name);
        case Errno.ENOENT:
          return new KeyNotFoundError(op, name);
      }
    }
    if (
      errno === Errno.EPERM &&
      (cmd === Cmd.MAP_UPDATE_ELEM ||
        cmd === Cmd.MAP_UPDATE_BATCH ||
        cmd === Cmd.MAP_DELETE_ELEM ||
        cmd === Cmd.MAP_DELETE_BATCH ||
        cmd === Cmd.MAP_LOOKUP_AND_DELETE_ELEM ||
        cmd === Cmd.MAP_LOOKUP_AND_DELETE_BATCH)
    ) {
      return new MapReadOnlyError(op, name);
    }
    if (errno === Errno.ENOTSUPP || errno === Errno.EOPNOTSUPP) {
      return unsupportedMapOperation(op, this.typeName, errno);
    }
    return new MapError(op, errno, name);
  }
}
