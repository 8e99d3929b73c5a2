// A compiled kernel TypeScript program (an artifact from `tsbpf compile -o x.bpf.json` or
// compileFile) as a simulate() input: its maps and global sections become map definitions by
// index, constants go into .rodata as KernelObject.load would write them, and a run's map dumps
// decode back into the values the module's declarations describe. Unit tests of a kernel module
// then need neither root nor the kernel.
import type { Artifact } from "../compiler/artifact.js";
import { codecOf } from "../loader/kernel-object.js";
import { TsbpfError } from "../errors.js";
import { MapType } from "../uapi.js";
import type { MapDef, SimProgram, SimResult } from "./simulate.js";

/** lddw source registers for map references by index: the map itself, or an address in its value. */
const PSEUDO_MAP_IDX = 5;
const PSEUDO_MAP_IDX_VALUE = 6;

const PER_CPU: readonly number[] = [MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH];
const ARRAYS: readonly number[] = [MapType.ARRAY, MapType.PERCPU_ARRAY];

export interface ArtifactProgramOptions {
  /** Values for exported module constants (.rodata), as for KernelObject.load. */
  constants?: Record<string, unknown>;
}

/** One program of an artifact, ready for simulate(), with its maps' contents decodable by name. */
export interface ArtifactSimProgram extends SimProgram {
  readonly maps: readonly MapDef[];
  /**
   * Map `map` after a run, decoded with the module's own key and value types: key → value
   * (per-CPU maps: one value per CPU). Array maps list every index, as the kernel does.
   */
  entries<K = unknown, V = unknown>(result: SimResult, map: string): Map<K, V>;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Program `name` of `artifact` as a simulate() input (maps first, then .rodata/.data/.bss). */
export function artifactProgram(
  artifact: Artifact,
  name: string,
  options: ArtifactProgramOptions = {},
): ArtifactSimProgram {
  const program = artifact.programs.find((p) => p.name === name);
  if (!program)
    throw new TsbpfError(
      `the module has no program "${name}" (it has ${artifact.programs.map((p) => p.name).join(", ") || "none"})`,
    );
  const constants = options.constants ?? {};
  for (const constant of Object.keys(constants)) {
    if (!artifact.sections.some((s) => s.name === ".rodata" && s.vars.some((v) => v.name === constant))) {
      throw new TsbpfError(`the module has no constant ${constant}`);
    }
  }

  const defs: MapDef[] = artifact.maps.map((m) => {
    if (m.inner !== undefined) throw new TsbpfError(`map ${m.name}: maps of maps cannot be simulated from an artifact`);
    return {
      type: m.type,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      flags: m.flags,
      name: m.name,
    };
  });
  const sectionIndex = new Map<string, number>();
  for (const s of artifact.sections) {
    const init = new Uint8Array(Math.max(s.size, 1));
    init.set(Buffer.from(s.init, "base64"));
    if (s.name === ".rodata") {
      for (const v of s.vars) {
        if (!(v.name in constants)) continue;
        const scalar = v.type.kind === "int" && v.type.encoding !== "bool";
        const value = constants[v.name];
        codecOf(v.type).encode(
          !scalar ? value : v.size === 8 ? BigInt(value as number | bigint) : Number(value),
          view(init),
          v.offset,
        );
      }
    }
    sectionIndex.set(s.name, defs.length);
    defs.push({
      type: MapType.ARRAY,
      keySize: 4,
      valueSize: init.length,
      maxEntries: 1,
      name: s.name,
      entries: [[new Uint8Array(4), init]],
    });
  }

  const code = Uint8Array.from(Buffer.from(program.insns, "base64"));
  const insns = view(code);
  for (const r of program.relocations) {
    const at = r.slot * 8;
    const dst = code[at + 1]! & 0x0f;
    if (r.kind === "map") {
      const index = artifact.maps.findIndex((m) => m.name === r.map);
      if (index < 0) throw new TsbpfError(`program ${name} refers to a map ${r.map} the artifact lacks`);
      code[at + 1] = dst | (PSEUDO_MAP_IDX << 4);
      insns.setInt32(at + 4, index, true);
    } else {
      const index = sectionIndex.get(r.section);
      if (index === undefined)
        throw new TsbpfError(`program ${name} refers to a section ${r.section} the artifact lacks`);
      code[at + 1] = dst | (PSEUDO_MAP_IDX_VALUE << 4);
      insns.setInt32(at + 4, index, true);
      insns.setUint32(at + 12, r.offset >>> 0, true);
    }
  }

  return {
    type: program.progType,
    name: program.name,
    code,
    maps: defs,
    entries<K, V>(result: SimResult, map: string): Map<K, V> {
      const index = artifact.maps.findIndex((m) => m.name === map);
      const spec = artifact.maps[index];
      if (!spec) throw new TsbpfError(`the module has no map "${map}"`);
      const dump = result.maps[index];
      if (!dump) throw new TsbpfError(`the result has no dump of map "${map}" (was it produced by this program?)`);
      const keyCodec = spec.key ? codecOf(spec.key) : undefined;
      const valueCodec = spec.value ? codecOf(spec.value) : undefined;
      const decodeKey = (k: Uint8Array): unknown =>
        ARRAYS.includes(spec.type) ? view(k).getUint32(0, true) : keyCodec ? keyCodec.decode(view(k), 0) : k;
      const decodeValue = (v: Uint8Array): unknown => (valueCodec ? valueCodec.decode(view(v), 0) : v);
      const out = new Map<K, V>();
      for (const [k, v] of dump.entries) {
        const value =
          PER_CPU.includes(spec.type) && Array.isArray(v) ? v.map(decodeValue) : decodeValue(v as Uint8Array);
        out.set(decodeKey(k) as K, value as V);
      }
      return out;
    },
  };
}
