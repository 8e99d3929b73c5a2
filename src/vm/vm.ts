// The VM as users see it: a machine, its emulated maps and helpers, the task it pretends to run
// in (pid, comm, clock), and programs loaded into it that run on packets or memory.
//
//   const vm = new Vm({ task: { pid: 42, comm: "curl" } });
//   const counts = vm.arrayMap({ value: u64, maxEntries: 1 });
//   const prog = vm.load({ type: ProgType.XDP, code: assembled.bytes });
//   const { retval, data } = prog.run({ data: packet });
//   counts.get(0); // 1n
import type { Instruction } from "../asm/instruction.js";
import { encode } from "../asm/instruction.js";
import type { Codec } from "../maps/codec.js";
import { ProgType, MapType } from "../uapi.js";
import { decodeProgram, type DecodedProgram, type LddwValue } from "./decode.js";
import { VmError, VmValidationError } from "./errors.js";
import { isEventMapType, VmPerfEventArray, VmRingBufMap } from "./events.js";
import { defaultHelpers, type HelperEnv, type PacketState, type Redirect, type TaskInfo } from "./helpers.js";
import { joinBig } from "./int64.js";
import { Machine, MAX_FRAMES, STACK_SIZE, type HelperFn } from "./machine.js";
import {
  createVmMap,
  MAP_PTR_HI,
  VmArrayMap,
  VmHashMap,
  VmQueueMap,
  VmRefMap,
  type MapEnv,
  type VmMap,
  type VmMapSpec,
} from "./maps.js";
import { Memory, Region, RegionKind } from "./memory.js";
import { compileProgram, compileRunner, type CompiledFn } from "./compile.js";

export interface VmOptions {
  /** Possible CPUs (per-CPU maps hold this many values). Default 1. */
  cpus?: number;
  /** The CPU programs run on. Default 0. */
  cpu?: number;
  /** Seed of bpf_get_prandom_u32. Default 1. */
  seed?: number;
  /** Instruction budget per run. Default 100,000,000 (enough for bpf_loop and may_goto at their 8M limits). */
  maxInstructions?: number;
  /**
   * "interpreter" runs the decoded instructions one by one; "compiled" turns each program into
   * JavaScript at load and lets V8 compile it; "auto" (default) interprets a program's first runs
   * and compiles it once it has run 16 times or executed 200,000 instructions, so one-off runs do
   * not pay for compilation and hot programs get fast. All give the same results.
   */
  tier?: "auto" | "compiled" | "interpreter";
  task?: Partial<TaskInfo>;
  /** bpf_ktime_get_ns and friends: a fixed value, a function, or the real monotonic clock (default). */
  clock?: bigint | (() => bigint);
  /** Extra or replacement helpers, by id. */
  helpers?: Record<number, HelperFn>;
  /** Receives each bpf_trace_printk line as it is written (they are also kept in `trace`). */
  onTrace?: (line: string) => void;
}

export interface VmProgramSpec {
  /** Program type: decides the context (xdp_md, __sk_buff) and how the input is laid out. */
  type?: number;
  /** Wire bytecode, an assembled program (`{ bytes }`), or instructions. */
  code: Uint8Array | { readonly bytes: Uint8Array } | readonly Instruction[];
  name?: string;
  /** Maps referenced by index (lddw src_reg 5/6, BPF_PSEUDO_MAP_IDX[_VALUE]). */
  maps?: readonly VmMap[];
  /** Registers that hold a value at entry (bit i = ri); default r1, and r1 + r2 for UNSPEC programs. */
  entryRegisters?: number;
  /** Accept instructions no path reaches (the kernel does not). */
  allowUnreachable?: boolean;
}

export interface RunInput {
  /** Packet bytes, Ethernet header first (XDP and skb program types), as for BPF_PROG_TEST_RUN. */
  data?: Uint8Array;
  /** Context bytes: `struct __sk_buff` fields for skb programs, or the whole context of other types. */
  ctx?: Uint8Array;
  /** Memory for r1 with its length in r2 (the conformance contract; r1 = 0 when absent or empty). */
  mem?: Uint8Array;
  /** Values of r1..r5 when neither a packet nor memory is given. */
  args?: readonly (number | bigint)[];
  /** xdp_md.ingress_ifindex / __sk_buff.ingress_ifindex. */
  ingressIfindex?: number;
  /** xdp_md.rx_queue_index. */
  rxQueueIndex?: number;
}

export interface RunResult {
  /** The full 64-bit r0. */
  r0: bigint;
  /** r0's low 32 bits as an unsigned number: what BPF_PROG_TEST_RUN reports as retval. */
  retval: number;
  /** The packet as the program left it (after head/tail adjustments). */
  data: Uint8Array;
  /** The context after the run (skb programs may write some fields). */
  ctx: Uint8Array;
  /** The `mem` bytes after the run. */
  mem?: Uint8Array;
  /** Instructions executed. */
  instructions: number;
  /** Set when the program called bpf_redirect / bpf_redirect_map successfully. */
  redirect?: Redirect;
}

/** The "auto" tier compiles a program after this many runs, or this many interpreted instructions. */
const AUTO_COMPILE_RUNS = 16;
const AUTO_COMPILE_STEPS = 200_000;
const XDP_HEADROOM = 256;
const XDP_FRAME = 4096;
const SKB_SHARED_INFO = 320;
const ETH_HLEN = 14;
const SKB_CTX_SIZE = 192;
const XDP_CTX_SIZE = 24;
/** skb program types whose context is __sk_buff. */
const SKB_TYPES: readonly number[] = [
  ProgType.SOCKET_FILTER,
  ProgType.SCHED_CLS,
  ProgType.SCHED_ACT,
  ProgType.CGROUP_SKB,
  ProgType.LWT_IN,
  ProgType.LWT_OUT,
  ProgType.LWT_XMIT,
  ProgType.LWT_SEG6LOCAL,
  ProgType.SK_SKB,
];
/** skb types whose test_run packet starts at the Ethernet header (the others at the network header). */
const L2_TYPES: readonly number[] = [ProgType.SCHED_CLS, ProgType.SCHED_ACT];
/** __sk_buff fields a test may set through `ctx` (the ones BPF_PROG_TEST_RUN accepts). */
const SKB_CTX_IN: readonly [number, number][] = [
  [8, 4],
  [32, 4],
  [36, 4],
  [40, 4],
  [48, 20],
  [152, 8],
  [160, 4],
  [164, 4],
  [176, 4],
  [184, 8],
];

export class Vm implements MapEnv, HelperEnv {
  readonly machine = new Machine();
  readonly cpus: number;
  #cpu = 0;
  task: TaskInfo;
  /** bpf_trace_printk output, one string per call. */
  readonly trace: string[] = [];
  readonly tier: "auto" | "compiled" | "interpreter";
  readonly packet: PacketState = {
    kind: "none",
    buffer: new Uint8Array(0),
    metaStart: 0,
    dataStart: 0,
    dataEnd: 0,
    frameEnd: 0,
    redirect: null,
  };
  readonly #maps: VmMap[] = [];
  readonly #mapsByFd = new Map<number, VmMap>();
  readonly #onTrace: ((line: string) => void) | undefined;
  #clock: bigint | (() => bigint);
  #rand: number;
  // reused per run
  readonly #packetRegion: Region;
  readonly #ctxRegion: Region;
  readonly #xdpCtxRegion: Region;
  readonly #memRegion: Region;

  constructor(options: VmOptions = {}) {
    this.cpus = options.cpus ?? 1;
    if (!Number.isInteger(this.cpus) || this.cpus < 1)
      throw new RangeError(`cpus must be a positive integer (got ${this.cpus})`);
    this.cpu = options.cpu ?? 0;
    this.tier = options.tier ?? "auto";
    this.task = { pid: 1000, tgid: 1000, uid: 0, gid: 0, comm: "tsbpf-vm", cgroupId: 1n, ...options.task };
    this.#clock = options.clock ?? ((): bigint => process.hrtime.bigint());
    this.#rand = (options.seed ?? 1) >>> 0 || 1;
    this.#onTrace = options.onTrace;
    this.machine.budget = options.maxInstructions ?? 100_000_000;
    const helpers = defaultHelpers(this);
    for (const [id, fn] of Object.entries(options.helpers ?? {})) helpers[Number(id)] = fn;
    this.machine.helpers = helpers;
    const mem = this.machine.memory;
    this.#packetRegion = mem.add(new Region(new Uint8Array(0), RegionKind.PACKET, true, "packet"));
    this.#ctxRegion = mem.add(new Region(new Uint8Array(SKB_CTX_SIZE), RegionKind.CONTEXT, true, "__sk_buff"));
    this.#ctxRegion.loadHook = this.#skbHook;
    this.#memRegion = mem.add(new Region(new Uint8Array(0), RegionKind.MEMORY, true, "input memory"));
    this.#xdpCtxRegion = mem.add(new Region(new Uint8Array(XDP_CTX_SIZE), RegionKind.CONTEXT, false, "xdp_md"));
    this.#xdpCtxRegion.loadHook = this.#xdpHook;
  }

  get memory(): Memory {
    return this.machine.memory;
  }

  /**
   * What bpf_get_current_task returns: an opaque, zeroed task_struct stand-in (8 KiB, read-only).
   * Task storage hangs off its address; a test that needs real fields supplies its own helper.
   */
  get currentTask(): Region {
    this.#currentTask ??= this.memory.add(
      new Region(new Uint8Array(8192), RegionKind.RODATA, false, "current task_struct (opaque)"),
    );
    return this.#currentTask;
  }
  #currentTask: Region | undefined;

  /** The CPU programs run on (bpf_get_smp_processor_id, the per-CPU value they see). */
  get cpu(): number {
    return this.#cpu;
  }
  set cpu(cpu: number) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus)
      throw new RangeError(`cpu must be 0..${this.cpus - 1} (got ${cpu})`);
    this.#cpu = cpu;
  }

  /** The value of bpf_ktime_get_ns now. */
  now(): bigint {
    return typeof this.#clock === "bigint" ? this.#clock : this.#clock();
  }
  set clock(c: bigint | (() => bigint)) {
    this.#clock = c;
  }

  /** bpf_get_prandom_u32: xorshift32 from the seed. */
  random(): number {
    let x = this.#rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rand = x >>> 0;
    return x | 0;
  }

  /** @internal bpf_trace_printk output. */
  traceLine(line: string): void {
    this.trace.push(line);
    this.#onTrace?.(line);
  }

  // ------------------------------------------------------------------ maps

  /** @internal MapEnv */
  register(map: VmMap): number {
    this.#maps.push(map);
    this.#mapsByFd.set(map.fd, map);
    return this.#maps.length - 1;
  }
  mapById(id: number): VmMap | undefined {
    return this.#maps[id];
  }
  mapByFd(fd: number): VmMap | undefined {
    return this.#mapsByFd.get(fd);
  }
  get maps(): readonly VmMap[] {
    return this.#maps;
  }

  /** Creates an emulated map of any supported type (see also the typed shorthands below). */
  createMap(spec: VmMapSpec): VmMap {
    if (spec.type === MapType.RINGBUF) return new VmRingBufMap(this, spec);
    if (spec.type === MapType.PERF_EVENT_ARRAY) return new VmPerfEventArray(this, spec);
    return createVmMap(this, spec);
  }
  hashMap<K = Uint8Array, V = Uint8Array>(spec: Omit<VmMapSpec<K, V>, "type">): VmHashMap<K, V> {
    return new VmHashMap<K, V>(this, { ...spec, type: MapType.HASH });
  }
  perCpuHashMap<K = Uint8Array, V = Uint8Array>(
    spec: Omit<VmMapSpec<K, V>, "type"> & { lru?: boolean },
  ): VmHashMap<K, V[]> {
    return new VmHashMap<K, V[]>(this, { ...spec, type: spec.lru ? MapType.LRU_PERCPU_HASH : MapType.PERCPU_HASH });
  }
  lruHashMap<K = Uint8Array, V = Uint8Array>(spec: Omit<VmMapSpec<K, V>, "type">): VmHashMap<K, V> {
    return new VmHashMap<K, V>(this, { ...spec, type: MapType.LRU_HASH });
  }
  arrayMap<V = Uint8Array>(spec: Omit<VmMapSpec<number, V>, "type" | "key">): VmArrayMap<V> {
    return new VmArrayMap<V>(this, { ...spec, type: MapType.ARRAY });
  }
  perCpuArrayMap<V = Uint8Array>(spec: Omit<VmMapSpec<number, V>, "type" | "key">): VmArrayMap<V[]> {
    return new VmArrayMap<V[]>(this, { ...spec, type: MapType.PERCPU_ARRAY });
  }
  queueMap<V = Uint8Array>(spec: {
    value?: Codec<V>;
    valueSize?: number;
    maxEntries: number;
    name?: string;
    stack?: boolean;
  }): VmQueueMap<V> {
    return new VmQueueMap<V>(this, { ...spec, type: spec.stack ? MapType.STACK : MapType.QUEUE });
  }
  ringBuf(spec: { maxEntries: number; name?: string }): VmRingBufMap {
    return new VmRingBufMap(this, { ...spec, type: MapType.RINGBUF });
  }
  perfEventArray(spec: { maxEntries?: number; name?: string } = {}): VmPerfEventArray {
    return new VmPerfEventArray(this, {
      maxEntries: spec.maxEntries ?? 0,
      name: spec.name,
      type: MapType.PERF_EVENT_ARRAY,
    });
  }
  progArray(spec: { maxEntries: number; name?: string }): VmRefMap<VmProgram> {
    return new VmRefMap<VmProgram>(this, { ...spec, type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4 });
  }

  // ------------------------------------------------------------------ programs

  /** Decodes and validates a program (VmValidationError names the first bad instruction). */
  load(spec: VmProgramSpec): VmProgram {
    const bytes =
      spec.code instanceof Uint8Array
        ? spec.code
        : "bytes" in spec.code
          ? spec.code.bytes
          : encode(spec.code as readonly Instruction[]);
    const type = spec.type ?? ProgType.UNSPEC;
    const maps = spec.maps ?? [];
    const resolveLddw = (kind: number, imm: number, next: number): LddwValue => {
      const map = kind === 1 || kind === 2 ? this.mapByFd(imm) : kind === 5 || kind === 6 ? maps[imm] : undefined;
      if (kind === 3) throw new Error("lddw of a kernel BTF id (ksym) is not supported by the VM");
      if (map === undefined) {
        throw new Error(
          kind === 5 || kind === 6
            ? `map index ${imm} is out of range (the program was given ${maps.length} maps)`
            : `fd ${imm} is not a map of this VM`,
        );
      }
      if (kind === 1 || kind === 5) return { lo: map.id, hi: MAP_PTR_HI };
      if (!(map instanceof VmArrayMap) || map.maxEntries !== 1)
        throw new Error(`map value references need a one-element array map ("${map.name}" is not one)`);
      if (next < 0 || next >= map.valueSize)
        throw new Error(`offset ${next} is outside the value of map "${map.name}" (${map.valueSize} bytes)`);
      const r = map.regionAt(0, 0);
      return { lo: r.start + next, hi: r.hi };
    };
    const decoded = decodeProgram(bytes, {
      hasHelper: (id) => this.machine.helpers[id] !== undefined,
      resolveLddw,
      entryRegisters: spec.entryRegisters ?? (type === ProgType.UNSPEC ? 0b110 : 0b10),
      allowUnreachable: spec.allowUnreachable,
    });
    return new VmProgram(this, decoded, type, spec.name ?? "");
  }

  // ------------------------------------------------------------------ packets (used by helpers)

  /** The packet between data and data_end (a live view). */
  packetBytes(): Uint8Array {
    const p = this.packet;
    return p.buffer.subarray(p.dataStart, p.dataEnd);
  }

  /** Moves data_meta / data / data_end (helpers that adjust the packet). */
  setPacketWindow(meta: number, data: number, end: number): void {
    // the window may now grow past the packet copied in: bytes earlier runs left there are cleared first
    if (this.#staleLow < this.#staleHigh) this.#clearStale();
    this.#placeWindow(meta, data, end);
  }

  #placeWindow(meta: number, data: number, end: number): void {
    const p = this.packet;
    p.metaStart = meta;
    p.dataStart = data;
    p.dataEnd = end;
    this.#packetRegion.setWindow(meta, end);
    if (meta < this.#exposedLow) this.#exposedLow = meta;
    if (end > this.#exposedHigh) this.#exposedHigh = end;
  }

  /** @internal How a program type receives its input: 1 = xdp_md, 2 = __sk_buff, 0 = memory/arguments. */
  static contextKind(type: number): 0 | 1 | 2 {
    return type === ProgType.XDP ? 1 : SKB_TYPES.includes(type) ? 2 : 0;
  }

  /**
   * @internal The input of a run on memory (r1 = the memory, r2 = its length): the common case of
   * tests, small enough that V8 inlines it into the run.
   */
  prepareMemory(mem: Uint8Array): void {
    const R = this.machine.regs;
    this.bindMemory(mem);
    R[2] = 0;
    R[3] = this.memoryHi;
    R[4] = mem.length;
  }

  /**
   * @internal High word of r1 for the input memory bound last (its low word is 0): the region's,
   * or 0 when the memory is empty (r1 is then a null pointer).
   */
  memoryHi = 0;

  /** @internal Points the input memory's region at `mem` (and sets memoryHi); no packet in this run. */
  bindMemory(mem: Uint8Array): void {
    const p = this.packet;
    // the packet state is cleared only when a run used it (stores of object fields cost more)
    if (p.kind !== "none" || p.redirect !== null) {
      p.redirect = null;
      p.kind = "none";
      this.machine.packet = null;
    }
    const r = this.#memRegion;
    if (r.bytes !== mem) {
      r.rebind(mem);
      this.memoryHi = mem.length > 0 ? r.hi : 0;
    }
  }

  /** @internal Lays out the input of a run: packet, context, r1 (and r2 for memory). */
  prepare(kind: 0 | 1 | 2, l2: boolean, input: RunInput): void {
    const m = this.machine;
    const R = m.regs;
    const p = this.packet;
    if (kind === 0 && input.mem !== undefined) {
      this.prepareMemory(input.mem);
      return;
    }
    p.redirect = null;
    m.packet = null;
    if (kind === 0) {
      p.kind = "none";
      if (input.ctx !== undefined) {
        const r = this.#memRegion;
        if (r.bytes !== input.ctx) {
          r.rebind(input.ctx);
          this.memoryHi = input.ctx.length > 0 ? r.hi : 0;
        }
        R[2] = 0;
        R[3] = r.hi;
        return;
      }
      if (input.args) this.#args(input.args);
      return;
    }
    const data = input.data;
    const len = data === undefined ? 0 : data.length;
    if (len < ETH_HLEN) {
      throw new VmError(
        `a packet of ${len} bytes is too short: XDP and skb programs get at least an Ethernet header (14 bytes), as BPF_PROG_TEST_RUN requires`,
      );
    }
    if (kind === 1) {
      const frameEnd =
        len <= XDP_FRAME - XDP_HEADROOM - SKB_SHARED_INFO ? XDP_FRAME - SKB_SHARED_INFO : XDP_HEADROOM + len;
      this.#packetBuffer(frameEnd, data);
      p.kind = "xdp";
      p.frameEnd = frameEnd;
      this.#placeWindow(XDP_HEADROOM, XDP_HEADROOM, XDP_HEADROOM + len);
      const ctx = this.#xdpCtxRegion;
      const dv = ctx.view;
      dv.setUint32(12, input.ingressIfindex ?? 1, true);
      dv.setUint32(16, input.rxQueueIndex ?? 0, true);
      dv.setUint32(20, 0, true);
      R[2] = 0;
      R[3] = ctx.hi;
      return;
    }
    this.#packetBuffer(XDP_HEADROOM + len, data);
    p.kind = "skb";
    p.frameEnd = XDP_HEADROOM + len;
    const start = XDP_HEADROOM + (l2 ? 0 : ETH_HLEN);
    this.#placeWindow(start, start, XDP_HEADROOM + len);
    const ctx = this.#ctxRegion;
    ctx.bytes.fill(0);
    const dv = ctx.view;
    const ctxIn = input.ctx;
    if (ctxIn)
      for (const [at, n] of SKB_CTX_IN) if (at + n <= ctxIn.length) ctx.bytes.set(ctxIn.subarray(at, at + n), at);
    dv.setUint32(0, XDP_HEADROOM + len - start, true); // len
    dv.setUint32(16, data![12]! | (data![13]! << 8), true); // protocol, network byte order
    dv.setUint32(4, pktType(data!), true);
    if (dv.getUint32(40, true) === 0) dv.setUint32(40, 1, true); // ifindex: the loopback device, as in test_run
    if (input.ingressIfindex !== undefined) dv.setUint32(36, input.ingressIfindex, true);
    m.packet = this.#packetRegion;
    R[2] = ctx.start;
    R[3] = ctx.hi;
  }

  #args(args: readonly (number | bigint)[]): void {
    const R = this.machine.regs;
    args.slice(0, 5).forEach((v, i) => {
      const b = typeof v === "bigint" ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
      R[2 + 2 * i] = Number(b & 0xffffffffn) | 0;
      R[3 + 2 * i] = Number(b >> 32n) | 0;
    });
  }

  /** Lowest and highest packet offsets the last run could see. */
  #exposedLow = 0;
  #exposedHigh = 0;
  /**
   * Offsets of the buffer that may hold bytes of earlier runs outside this run's packet copy
   * ([XDP_HEADROOM, #copyEnd)): a program cannot see them until a helper grows the packet's
   * window, so they are cleared then (#clearStale), not before every run.
   */
  #staleLow = 0;
  #staleHigh = 0;
  #copyEnd = 0;

  /** Makes room for the packet and copies it in at the headroom; what earlier runs left becomes stale. */
  #packetBuffer(size: number, data: Uint8Array | undefined): void {
    const p = this.packet;
    if (p.buffer.length < size) {
      p.buffer = new Uint8Array(Math.max(size, XDP_FRAME));
      this.#packetRegion.rebind(p.buffer, 0, 0);
      this.#staleLow = this.#staleHigh = 0;
    } else {
      if (this.#exposedLow < this.#staleLow || this.#staleLow >= this.#staleHigh) this.#staleLow = this.#exposedLow;
      if (this.#exposedHigh > this.#staleHigh) this.#staleHigh = this.#exposedHigh;
    }
    if (data !== undefined) p.buffer.set(data, XDP_HEADROOM);
    this.#copyEnd = XDP_HEADROOM + (data === undefined ? 0 : data.length);
    this.#exposedLow = XDP_HEADROOM;
    this.#exposedHigh = this.#copyEnd;
  }

  /** Zeroes the stale bytes outside the packet copied in for this run. */
  #clearStale(): void {
    const buffer = this.packet.buffer;
    if (this.#staleLow < XDP_HEADROOM) buffer.fill(0, this.#staleLow, Math.min(this.#staleHigh, XDP_HEADROOM));
    if (this.#staleHigh > this.#copyEnd) buffer.fill(0, Math.max(this.#staleLow, this.#copyEnd), this.#staleHigh);
    this.#staleLow = this.#staleHigh = 0;
  }

  // xdp_md: data, data_end, data_meta read as packet pointers
  readonly #xdpHook = (offset: number, size: number, R: Int32Array, d: number): boolean => {
    if (offset >= 12) return false;
    if (size !== 4)
      throw this.machine.fault(`xdp_md field at offset ${offset} must be read with a 4-byte load (got ${size})`);
    const p = this.packet;
    R[d] = offset === 0 ? p.dataStart : offset === 4 ? p.dataEnd : p.metaStart;
    R[d + 1] = this.#packetRegion.hi;
    return true;
  };

  // __sk_buff: data (76), data_end (80), data_meta (140)
  readonly #skbHook = (offset: number, size: number, R: Int32Array, d: number): boolean => {
    if (offset !== 76 && offset !== 80 && offset !== 140) return false;
    if (size !== 4)
      throw this.machine.fault(`__sk_buff field at offset ${offset} must be read with a 4-byte load (got ${size})`);
    const p = this.packet;
    R[d] = offset === 76 ? p.dataStart : offset === 80 ? p.dataEnd : p.metaStart;
    R[d + 1] = this.#packetRegion.hi;
    return true;
  };

  /** @internal After a run: copies of the packet and the context. */
  collect(type: number, input: RunInput, r0lo: number, r0hi: number, steps: number): RunResult {
    const p = this.packet;
    let data: Uint8Array;
    // like BPF_PROG_TEST_RUN: XDP output starts at data_meta; skb programs that start at the
    // network header get the Ethernet header back, zeroed
    if (p.kind === "xdp") data = p.buffer.slice(p.metaStart, p.dataEnd);
    else if (p.kind === "skb") {
      const l2 = L2_TYPES.includes(type);
      data = new Uint8Array(p.dataEnd - p.dataStart + (l2 ? 0 : ETH_HLEN));
      data.set(p.buffer.subarray(p.dataStart, p.dataEnd), l2 ? 0 : ETH_HLEN);
    } else data = new Uint8Array(0);
    const ctx =
      p.kind === "none"
        ? input.ctx
          ? input.ctx.slice()
          : new Uint8Array(0)
        : p.kind === "xdp"
          ? this.#xdpCtxRegion.bytes.slice()
          : this.#ctxRegion.bytes.slice();
    const result: RunResult = { r0: joinBig(r0lo, r0hi), retval: r0lo >>> 0, data, ctx, instructions: steps };
    if (input.mem !== undefined) result.mem = input.mem;
    if (p.redirect) result.redirect = p.redirect;
    return result;
  }
}

/**
 * skb->pkt_type as eth_type_trans sets it on the loopback device test_run uses: its address and
 * its broadcast address are all zeros, so ff:ff:ff:ff:ff:ff counts as multicast (2), not broadcast.
 */
function pktType(data: Uint8Array): number {
  if (data.subarray(0, 6).every((b) => b === 0)) return 0; // PACKET_HOST
  return data[0]! & 1 ? 2 : 3; // PACKET_MULTICAST : PACKET_OTHERHOST
}

/** A program loaded into a VM. */
export class VmProgram {
  #compiled: CompiledFn | null = null;
  readonly #kind: 0 | 1 | 2;
  readonly #l2: boolean;

  #runs = 0;
  #interpretedSteps = 0;

  /**
   * Runs once and returns only the 32-bit retval: for loops over many packets, it skips copying
   * the packet and context out. (The packet is still copied in.) Once compiled, this is the
   * program's own generated function, so a call lands directly in its code.
   */
  runRetval: (input: RunInput) => number = (input) => this.#runGeneral(input);

  constructor(
    readonly vm: Vm,
    readonly decoded: DecodedProgram,
    readonly type: number,
    readonly name: string,
  ) {
    this.#kind = Vm.contextKind(type);
    this.#l2 = L2_TYPES.includes(type);
    if (vm.tier === "compiled") this.#compile();
  }

  /** Which tier runs the program now. */
  get tier(): "compiled" | "interpreter" {
    return this.#compiled === null ? "interpreter" : "compiled";
  }

  /** Number of 8-byte instruction slots. */
  get length(): number {
    return this.decoded.length;
  }

  /** Runs once on `input` and returns r0, the packet and the context as they ended up. */
  run(input: RunInput = {}): RunResult {
    this.runRetval(input);
    const m = this.vm.machine;
    return this.vm.collect(this.type, input, m.regs[0]!, m.regs[1]!, m.steps);
  }

  /** Lays out the input and runs the program to its end in the interpreter or the general entry. */
  #runGeneral(input: RunInput): number {
    const m = this.vm.machine;
    m.reset(this.decoded);
    if (this.#kind === 0 && input.mem !== undefined) this.vm.prepareMemory(input.mem);
    else this.vm.prepare(this.#kind, this.#l2, input);
    this.#execute(m);
    return m.regs[0]! >>> 0;
  }

  /** Instructions the last run executed. */
  get lastInstructions(): number {
    return this.vm.machine.steps;
  }

  #compile(): CompiledFn {
    // memory programs take their input from memory, or else (a context, argument registers)
    // the general path; packet and context programs let the VM lay out their input. (The runner
    // first: the general entry is then made in the same step.)
    const runner = compileRunner(
      this.decoded,
      this.#kind === 0 ? "memory" : "prepared",
      this.vm,
      (input: RunInput) => this.#runGeneral(input),
      this.#kind,
      this.#l2,
    );
    if (runner !== undefined) this.runRetval = runner;
    return (this.#compiled = compileProgram(this.decoded));
  }

  #execute(m: Machine): void {
    let fn = this.#compiled;
    if (
      fn === null &&
      this.vm.tier === "auto" &&
      (++this.#runs >= AUTO_COMPILE_RUNS || this.#interpretedSteps >= AUTO_COMPILE_STEPS)
    ) {
      fn = this.#compile();
    }
    m.compiledRun = fn;
    if (fn !== null) fn(m, this.decoded, 0);
    else {
      m.run(0);
      this.#interpretedSteps += m.steps;
    }
  }
}

export { MAX_FRAMES, STACK_SIZE, VmValidationError };
export type { PacketState, Redirect, TaskInfo };
