// Region-tagged addresses. A pointer the VM hands to a program is a 64-bit value whose high word
// names a region (stack, context, packet, a map value, input memory, read-only data, a ring buffer
// record) and whose low word is an offset in that region's buffer. Every load and store looks the
// region up and checks the access against the region's window, so a stray pointer stops the run
// with the instruction and the address instead of corrupting anything.
import { VmFault, type AccessKind } from "./errors.js";

/** High word of tag 0; region t has high word ADDR_HI_BASE + t. Looks like a kernel pointer. */
export const ADDR_HI_BASE = 0xff000000 | 0;
/** How many regions may exist at once. */
export const MAX_REGIONS = 1 << 24;

export const RegionKind = {
  STACK: "stack",
  CONTEXT: "context",
  PACKET: "packet",
  MAP_VALUE: "map value",
  MEMORY: "memory",
  RODATA: "read-only data",
  RINGBUF: "ring buffer record",
} as const;
export type RegionKind = (typeof RegionKind)[keyof typeof RegionKind];

/** Intercepts loads from a context: fields like xdp_md.data read as pointers, not as bytes. */
export type LoadHook = (offset: number, size: number, regs: Int32Array, d: number) => boolean;

export class Region {
  /** Index in the region table (high word = ADDR_HI_BASE + tag). */
  tag = 0;
  view: DataView;
  /** First valid offset (a pointer's low word) and one past the last. */
  start = 0;
  end = 0;
  /**
   * End of the window for the fast paths: a load passes when `off + size <= rend`, a store when
   * `off + size <= wend`. They are -1 when every access must take the slow path (a context with a
   * load hook, a read-only region), which then does the full check.
   */
  rend = -1;
  wend = -1;
  /** Whoever created the region (the ring buffer a record belongs to). */
  owner: unknown = null;
  #writable: boolean;
  #loadHook: LoadHook | null = null;

  constructor(
    public bytes: Uint8Array,
    readonly kind: RegionKind,
    writable: boolean,
    /** For messages: "map counts value #3". */
    public label: string,
    start = 0,
    end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#writable = writable;
    this.setWindow(start, end);
  }

  get writable(): boolean {
    return this.#writable;
  }
  set writable(w: boolean) {
    this.#writable = w;
    this.setWindow(this.start, this.end);
  }

  /** When set, loads go through it first (context fields that read as pointers). */
  get loadHook(): LoadHook | null {
    return this.#loadHook;
  }
  set loadHook(h: LoadHook | null) {
    this.#loadHook = h;
    this.setWindow(this.start, this.end);
  }

  setWindow(start: number, end: number): void {
    this.start = start;
    this.end = end;
    this.rend = this.#loadHook ? -1 : end;
    this.wend = this.#writable ? end : -1;
  }

  /** Points the region at another buffer (a reused packet buffer that had to grow). */
  rebind(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.setWindow(start, end);
  }

  /** High word of pointers into this region. */
  get hi(): number {
    return (ADDR_HI_BASE + this.tag) | 0;
  }
}

/** The table of live regions. Tags are recycled when a region goes away (a deleted map element). */
export class Memory {
  readonly regions: (Region | undefined)[] = [undefined];
  private readonly freeTags: number[] = [];

  add(region: Region): Region {
    const tag = this.freeTags.pop() ?? this.regions.length;
    if (tag >= MAX_REGIONS) throw new Error(`the VM ran out of region tags (${MAX_REGIONS} live regions)`);
    region.tag = tag;
    this.regions[tag] = region;
    return region;
  }

  remove(region: Region): void {
    if (region.tag > 0 && this.regions[region.tag] === region) {
      this.regions[region.tag] = undefined;
      this.freeTags.push(region.tag);
    }
    region.tag = 0;
  }

  /** The region a pointer's high word names, or undefined. */
  regionOf(hi: number): Region | undefined {
    const t = (hi - ADDR_HI_BASE) >>> 0;
    return t < this.regions.length ? this.regions[t] : undefined;
  }
}

/** 0xHHHHHHHHLLLLLLLL of a pointer given as words. */
export function formatAddress(hi: number, lo: number): string {
  return `0x${(hi >>> 0).toString(16).padStart(8, "0")}${(lo >>> 0).toString(16).padStart(8, "0")}`;
}

export function addressOf(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * Builds the fault for an access that failed the fast check. `hi`/`lo` is the address already
 * including the instruction's offset.
 */
export function accessFault(
  mem: Memory,
  pc: number,
  text: string,
  kind: AccessKind,
  size: number,
  hi: number,
  lo: number,
): VmFault {
  const at = formatAddress(hi, lo);
  const region = mem.regionOf(hi);
  let why: string;
  const above = lo >>> 0 >= 0xffff0000 ? mem.regionOf((hi + 1) | 0) : undefined;
  if (region === undefined && above !== undefined) {
    // an offset below 0 borrowed from the tag: name the region it came from
    why = `below the start of the ${above.kind} (${above.label}) by ${4294967296 - (lo >>> 0) + above.start} bytes`;
  } else if (region === undefined) {
    if (hi === 0 && lo >>> 0 < 0x10000) why = "null pointer dereference";
    else if ((hi - ADDR_HI_BASE) >>> 0 < MAX_REGIONS)
      why = "the address belongs to no live region (freed map element or stale pointer?)";
    else why = "the address is not a pointer the VM handed out";
  } else if (kind !== "read" && !region.writable) {
    why = `the ${region.kind} (${region.label}) is read-only`;
  } else {
    const lo0 = region.start,
      hi0 = region.end;
    why =
      `outside the ${region.kind} (${region.label}): valid ${formatAddress(region.hi, lo0)}..${formatAddress(region.hi, hi0)}, ` +
      `offset ${(lo >>> 0) - lo0} of ${hi0 - lo0}`;
  }
  return new VmFault(pc, `${kind} of ${size} byte${size === 1 ? "" : "s"} at ${at}: ${why}`, addressOf(hi, lo), text);
}
