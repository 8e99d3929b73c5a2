// One testing API for both worlds: `simulate(program, input)` runs a program in the VM, and the
// same call with `{ backend: "kernel" }` loads it for real and runs BPF_PROG_TEST_RUN, so a test
// can assert that both agree — on the return value, the packet, the context and the maps.
//
// Programs refer to their maps by index (lddw src_reg 5, BPF_PSEUDO_MAP_IDX, or 6 for a map
// value), so the same bytecode works with either backend: each backend creates the maps from
// their definitions, fills them, points the instructions at them, runs, and dumps them.
import type { Instruction } from "../asm/instruction.js";
import { encode } from "../asm/instruction.js";
import { bytes as bytesCodec } from "../maps/codec.js";
import { BpfMap } from "../maps/map.js";
import { Program, type Bytecode } from "../programs/program.js";
import { testRun } from "../programs/test-run.js";
import { MapType } from "../uapi.js";
import { VmArrayMap, VmHashMap, type VmMap } from "./maps.js";
import { Vm, type VmOptions } from "./vm.js";

/** A map the program uses, by its index in SimProgram.maps. */
export interface MapDef {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
  /** Elements to store before the run (per-CPU maps: the value is given to every CPU). */
  entries?: readonly (readonly [Uint8Array, Uint8Array])[];
}

export interface SimProgram {
  type: number;
  /**
   * Wire bytecode, instructions, or an assembled program: its function and line records go to
   * the kernel as BTF (needed there for callbacks such as bpf_loop's).
   */
  code: Uint8Array | Bytecode | readonly Instruction[];
  name?: string;
  maps?: readonly MapDef[];
}

export interface SimInput {
  /** Packet bytes (Ethernet header first), as for BPF_PROG_TEST_RUN. */
  data?: Uint8Array;
  /** Context (__sk_buff fields for skb programs, the whole context otherwise). */
  ctx?: Uint8Array;
  /** Runs in a row (maps keep what earlier runs wrote). Default 1. */
  repeat?: number;
}

/** A map's contents after the run: entries sorted by key; per-CPU maps give one value per CPU. */
export interface MapDump {
  entries: [key: Uint8Array, value: Uint8Array | Uint8Array[]][];
}

export interface SimResult {
  /** r0 of the last run, 32 bits (what test_run reports). */
  retval: number;
  /** The packet after the last run. */
  data: Uint8Array;
  maps: MapDump[];
  backend: "vm" | "kernel";
  /** The VM only: the full 64-bit r0 and the instructions executed by the last run. */
  r0?: bigint;
  instructions?: number;
}

export interface SimulateOptions {
  backend?: "vm" | "kernel";
  /** VM options (CPU count, task, clock…); the kernel backend ignores them. */
  vm?: VmOptions;
}

export interface Backend {
  readonly name: "vm" | "kernel";
  run(program: SimProgram, input?: SimInput): SimResult;
}

function bytesOf(code: SimProgram["code"]): Uint8Array {
  if (code instanceof Uint8Array) return code;
  if ("bytes" in code) return code.bytes;
  return encode(code as readonly Instruction[]);
}

const PER_CPU: readonly number[] = [MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH];
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const sortEntries = (e: MapDump["entries"]): MapDump["entries"] =>
  e.sort((a, b) => (hex(a[0]) < hex(b[0]) ? -1 : hex(a[0]) > hex(b[0]) ? 1 : 0));

/** Rewrites map references by index (src_reg 5/6) into fd references (1/2). */
export function relocateMaps(bytes: Uint8Array, fds: readonly number[]): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  for (let p = 0; p + 16 <= out.length; p += 8) {
    if (out[p] !== 0x18) continue;
    const kind = out[p + 1]! >> 4;
    if (kind === 5 || kind === 6) {
      const index = view.getInt32(p + 4, true);
      const fd = fds[index];
      if (fd === undefined)
        throw new RangeError(`instruction ${p / 8}: map index ${index} is out of range (${fds.length} maps)`);
      out[p + 1] = (out[p + 1]! & 0x0f) | ((kind === 5 ? 1 : 2) << 4);
      view.setInt32(p + 4, fd, true);
    }
    p += 8;
  }
  return out;
}

/** The VM backend. A fresh VM per run, so maps start from their definitions. */
export function vmBackend(options: VmOptions = {}): Backend {
  return {
    name: "vm",
    run(program, input = {}) {
      const vm = new Vm(options);
      const maps: VmMap[] = (program.maps ?? []).map((def) => {
        const map = vm.createMap({
          type: def.type,
          keySize: def.keySize,
          valueSize: def.valueSize,
          maxEntries: def.maxEntries,
          flags: def.flags,
          name: def.name,
        });
        for (const [k, v] of def.entries ?? []) {
          if (map instanceof VmHashMap || map instanceof VmArrayMap) {
            const perCpu = PER_CPU.includes(def.type);
            const value = perCpu ? Array.from({ length: vm.cpus }, () => v) : v;
            if (map instanceof VmArrayMap)
              (map as VmArrayMap<unknown>).set(new DataView(k.buffer, k.byteOffset, 4).getUint32(0, true), value);
            else (map as VmHashMap<unknown, unknown>).set(k, value);
          } else
            throw new Error(
              `simulate: initial entries are only supported for hash and array maps (map ${def.name ?? ""})`,
            );
        }
        return map;
      });
      const prog = vm.load({ type: program.type, code: bytesOf(program.code), name: program.name, maps });
      let last = prog.run({ data: input.data, ctx: input.ctx });
      for (let i = 1; i < (input.repeat ?? 1); i++) last = prog.run({ data: input.data, ctx: input.ctx });
      const dumps = maps.map((map): MapDump => {
        if (map instanceof VmArrayMap || map instanceof VmHashMap) {
          const entries: MapDump["entries"] = [];
          for (const [k, v] of (map as VmHashMap<unknown, unknown>).entries()) {
            const key =
              typeof k === "number"
                ? Uint8Array.of(k & 255, (k >> 8) & 255, (k >> 16) & 255, k >>> 24)
                : (k as Uint8Array);
            entries.push([key, v as Uint8Array | Uint8Array[]]);
          }
          return { entries: sortEntries(entries) };
        }
        return { entries: [] };
      });
      return {
        retval: last.retval,
        data: last.data,
        maps: dumps,
        backend: "vm",
        r0: last.r0,
        instructions: last.instructions,
      };
    },
  };
}

/** The kernel backend: real maps, BPF_PROG_LOAD, BPF_PROG_TEST_RUN (needs root). */
export const kernelBackend: Backend = {
  name: "kernel",
  run(program, input = {}) {
    const maps: BpfMap<Uint8Array, Uint8Array | Uint8Array[]>[] = [];
    try {
      for (const def of program.maps ?? []) {
        const map = BpfMap.create({
          type: def.type as typeof MapType.HASH,
          key: bytesCodec(def.keySize),
          value: bytesCodec(def.valueSize),
          maxEntries: def.maxEntries,
          flags: def.flags,
          name: def.name,
        }) as BpfMap<Uint8Array, Uint8Array | Uint8Array[]>;
        maps.push(map);
        const perCpu = PER_CPU.includes(def.type);
        for (const [k, v] of def.entries ?? []) {
          const probe = perCpu ? (map.get(k) as Uint8Array[] | undefined) : undefined;
          const cpus = perCpu ? (probe?.length ?? map.value.size / ((def.valueSize + 7) & ~7)) : 1;
          map.set(k, perCpu ? Array.from({ length: cpus }, () => v) : v);
        }
      }
      const bytes = relocateMaps(
        bytesOf(program.code),
        maps.map((m) => m.fd),
      );
      const source = program.code instanceof Uint8Array || !("bytes" in program.code) ? undefined : program.code;
      const code: Bytecode = { bytes, functions: source?.functions, lines: source?.lines };
      using prog = Program.load({
        type: program.type as Parameters<typeof Program.load>[0]["type"],
        code,
        name: program.name ?? "simulate",
        maps,
      });
      const r = testRun(prog, { data: input.data, ctx: input.ctx, repeat: input.repeat ?? 1 });
      const dumps = maps.map((map, i): MapDump => {
        const def = program.maps![i]!;
        if (
          ![
            MapType.HASH,
            MapType.ARRAY,
            MapType.LRU_HASH,
            MapType.PERCPU_ARRAY,
            MapType.PERCPU_HASH,
            MapType.LRU_PERCPU_HASH,
          ].includes(def.type as 1)
        )
          return { entries: [] };
        return { entries: sortEntries([...map.entries()]) };
      });
      return { retval: r.retval, data: new Uint8Array(r.data), maps: dumps, backend: "kernel" };
    } finally {
      for (const m of maps) m.close();
    }
  },
};

/** Runs a program in the VM (default) or, with `{ backend: "kernel" }`, in the kernel. */
export function simulate(program: SimProgram, input: SimInput = {}, options: SimulateOptions = {}): SimResult {
  return (options.backend === "kernel" ? kernelBackend : vmBackend(options.vm)).run(program, input);
}
