// BPF_MAP_TYPE_ARRAY: maxEntries values indexed 0..maxEntries-1, all present from the start
// (zeroed) and never deleted. With `mmapable`, the values are also mapped into this process, so
// they can be read and written in place without a system call.
import { TsbpfError } from "../errors.js";
import { syscallError } from "../sys/errors.js";
import { lastErrno, native, viewOf } from "../sys/libc.js";
import { MapFlags, MapType, UpdateFlags } from "../uapi.js";
import { u32, type Codec } from "./codec.js";
import { adoptWith, createWith, openMapFd, type MapDescription, type MapOptions, type OpenOptions } from "./handle.js";
import { KeyValueMap } from "./map.js";

export interface ArrayMapOptions<V> extends MapOptions {
  value: Codec<V>;
  maxEntries: number;
  /** BPF_F_MMAPABLE: map the values into this process (view(), at(), setAt()). */
  mmapable?: boolean;
}

const PROT_READ = 1,
  PROT_WRITE = 2,
  MAP_SHARED = 1;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

interface Mapping {
  address: bigint;
  length: number;
  view: DataView;
  writable: boolean;
}

export class ArrayMap<V> extends KeyValueMap<number, V> {
  #mapping: Mapping | undefined;
  /** Distance between consecutive values in the mapping: the value size rounded up to 8. */
  readonly stride: number;

  protected constructor(fd: number, description: MapDescription, value: Codec<V>) {
    super(fd, description, u32, value);
    this.stride = Math.ceil(description.valueSize / 8) * 8;
    if (description.flags & MapFlags.MMAPABLE) this.#mapping = this.#mmap();
  }

  static create<V>(options: ArrayMapOptions<V>): ArrayMap<V> {
    const flags = (options.flags ?? 0) | (options.mmapable ? MapFlags.MMAPABLE : 0);
    return createWith(
      { ...options, flags, type: MapType.ARRAY, keySize: 4, valueSize: options.value.size },
      (fd, description) => new ArrayMap(fd, description, options.value),
    );
  }

  /** Opens a pinned array; an mmapable one is mapped again. */
  static openPinned<V>(path: string, value: Codec<V>, options?: OpenOptions): ArrayMap<V> {
    return ArrayMap.#adopt(openMapFd({ path }, options), value);
  }

  static fromId<V>(id: number, value: Codec<V>, options?: OpenOptions): ArrayMap<V> {
    return ArrayMap.#adopt(openMapFd({ id }, options), value);
  }

  static #adopt<V>(fd: number, value: Codec<V>): ArrayMap<V> {
    return adoptWith(
      fd,
      { kind: "ArrayMap", types: [MapType.ARRAY], keySize: 4, valueSize: value.size },
      (fd, description) => new ArrayMap(fd, description, value),
    );
  }

  /** Writes the value at `index` (RangeError outside 0..maxEntries-1; NOEXIST always fails on arrays). */
  override set(index: number, value: V, flags: number = UpdateFlags.ANY): this {
    if (!(index >= 0 && index < this.maxEntries)) {
      throw new RangeError(
        `index ${index} is outside array map "${this.displayName}" (max_entries ${this.maxEntries})`,
      );
    }
    return super.set(index, value, flags);
  }

  /** Array elements always exist; the kernel refuses to delete them. Set them to zero instead. */
  override delete(index: number): boolean {
    throw new TsbpfError(
      `array map "${this.displayName}": elements cannot be deleted (index ${index}); write a zero value instead`,
    );
  }

  #mmap(): Mapping {
    const page = native.getpagesize();
    const length = Math.ceil((this.stride * this.maxEntries) / page) * page;
    let writable = true;
    let address = native.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, this.fd, 0);
    if (address === MAP_FAILED) {
      // A frozen map, or one opened read-only, can only be mapped for reading.
      writable = false;
      address = native.mmap(null, length, PROT_READ, MAP_SHARED, this.fd, 0);
    }
    if (address === MAP_FAILED) throw syscallError("mmap", lastErrno(), `array map "${this.displayName}"`);
    return { address, length, view: new DataView(viewOf(address, length)), writable };
  }

  get mmapable(): boolean {
    return this.#mapping !== undefined;
  }

  /**
   * The mapped values: value i starts at byte i * stride. Shared with BPF programs (no locking:
   * use atomics or single aligned words for data both sides write). Writing through it when the
   * mapping is read-only (see writableMapping) crashes the process, and so does any use after
   * close(): the memory is unmapped then.
   */
  view(): DataView {
    this.fd; // throws MapClosedError once closed
    if (!this.#mapping) throw new TsbpfError(`array map "${this.displayName}" was not created with mmapable: true`);
    return this.#mapping.view;
  }

  /** Reads value `index` from the mapping (no system call). */
  at(index: number): V {
    return this.value.decode(this.view(), this.#offset(index));
  }

  /** Writes value `index` in the mapping (no system call). */
  setAt(index: number, value: V): void {
    const view = this.view();
    if (!this.#mapping!.writable)
      throw new TsbpfError(`array map "${this.displayName}" is mapped read-only (frozen or opened read-only)`);
    this.value.encode(value, view, this.#offset(index));
  }

  /**
   * The kernel refuses to freeze a map while a writable mapping of it exists (EBUSY); an mmapable
   * array therefore cannot be frozen from the handle that maps it.
   */
  override freeze(): void {
    if (this.#mapping?.writable) {
      throw new TsbpfError(
        `array map "${this.displayName}" is mapped writable (mmapable: true), and the kernel does not freeze mapped maps`,
      );
    }
    super.freeze();
  }

  /** Whether the mapping may be written (false for frozen or read-only maps). */
  get writableMapping(): boolean {
    return this.#mapping?.writable ?? false;
  }

  #offset(index: number): number {
    if (!(index >= 0 && index < this.maxEntries && Number.isInteger(index))) {
      throw new RangeError(
        `index ${index} is outside array map "${this.displayName}" (max_entries ${this.maxEntries})`,
      );
    }
    return index * this.stride;
  }

  protected override release(): void {
    if (this.#mapping) {
      native.munmap(this.#mapping.address, this.#mapping.length);
      this.#mapping = undefined;
    }
    super.release();
  }
}
