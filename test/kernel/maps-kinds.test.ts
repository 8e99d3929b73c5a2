// The map kinds table (src/maps/kinds.ts) is the one place that decides which class a map type
// becomes: the object loader, `tsbpf gen types` and KernelObject must all follow it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadObject } from "../../src/loader/index.js";
import { generateTypes } from "../../src/loader/gen-types.js";
import { BpfObjectFile } from "../../src/object/index.js";
import { KernelObject } from "../../src/compiler/index.js";
import type { Artifact, ArtifactMap } from "../../src/compiler/artifact.js";
import * as maps from "../../src/maps/index.js";
import { MAP_KINDS, mapKind, mapKindNamed } from "../../src/maps/kinds.js";
import { isPerCpuType } from "../../src/maps/map.js";
import { CORPUS_SOURCE, corpusDir } from "../helpers/bpf-corpus.js";
import { MapFlags, MapType } from "../../src/uapi.js";

// One map of each type an object file can declare without programs to go with it.
const MAPS_C = `
#include "common.h"
struct lpm_key { __u32 prefixlen; __u32 addr; };
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, __u32); __uint(max_entries, 1); };
#define KV(NAME, TYPE, K, V) struct { __uint(type, TYPE); __type(key, K); __type(value, V); __uint(max_entries, 4); } NAME SEC(".maps");
#define SZ(NAME, TYPE, KS, VS, N) struct { __uint(type, TYPE); __uint(key_size, KS); __uint(value_size, VS); __uint(max_entries, N); } NAME SEC(".maps");
KV(m_hash, BPF_MAP_TYPE_HASH, __u32, __u64)
KV(m_lru_hash, BPF_MAP_TYPE_LRU_HASH, __u32, __u64)
KV(m_percpu_hash, BPF_MAP_TYPE_PERCPU_HASH, __u32, __u64)
KV(m_lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH, __u32, __u64)
KV(m_array, BPF_MAP_TYPE_ARRAY, __u32, __u64)
KV(m_percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, __u64)
KV(m_devmap, BPF_MAP_TYPE_DEVMAP, __u32, __u32)
KV(m_devmap_hash, BPF_MAP_TYPE_DEVMAP_HASH, __u32, __u32)
KV(m_cpumap, BPF_MAP_TYPE_CPUMAP, __u32, __u32)
KV(m_xskmap, BPF_MAP_TYPE_XSKMAP, __u32, __u32)
KV(m_sockmap, BPF_MAP_TYPE_SOCKMAP, __u32, __u64)
KV(m_sockhash, BPF_MAP_TYPE_SOCKHASH, __u32, __u32)
KV(m_reuseport, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, __u32, __u64)
KV(m_cgroup_array, BPF_MAP_TYPE_CGROUP_ARRAY, __u32, __u32)
SZ(m_prog_array, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4)
SZ(m_perf_event_array, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4)
SZ(m_stack_trace, BPF_MAP_TYPE_STACK_TRACE, 4, 64, 4)
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __type(key, struct lpm_key); __type(value, __u32); __uint(max_entries, 4); __uint(map_flags, BPF_F_NO_PREALLOC); } m_lpm_trie SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __type(value, __u32); __uint(max_entries, 4); } m_queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __type(value, __u32); __uint(max_entries, 4); } m_stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __type(value, __u32); __uint(max_entries, 4); } m_bloom_filter SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } m_ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } m_user_ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_TASK_STORAGE); __type(key, int); __type(value, __u64); __uint(map_flags, BPF_F_NO_PREALLOC); } m_task_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __type(key, int); __type(value, __u64); __uint(map_flags, BPF_F_NO_PREALLOC); } m_sk_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __type(key, __u32); __uint(max_entries, 2); __array(values, struct inner); } m_array_of_maps SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __type(key, __u32); __uint(max_entries, 2); __array(values, struct inner); } m_hash_of_maps SEC(".maps");
char LICENSE[] SEC("license") = "GPL";
`;

function compileMapsObject(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-map-kinds-"));
  const src = join(dir, "kinds.bpf.c"),
    obj = join(dir, "kinds.bpf.o");
  writeFileSync(src, MAPS_C);
  // The corpus directory holds vmlinux.h for common.h.
  const r = spawnSync(
    "clang",
    ["-O2", "-g", "-target", "bpf", `-I${corpusDir()}`, `-I${CORPUS_SOURCE}`, "-c", src, "-o", obj],
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`clang failed:\n${r.stderr}`);
  }
  return { path: obj, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `name: Class<…>` lines of the generated Maps type, as name → class. */
function generatedClasses(source: string): Map<string, string> {
  const block = /export type \w+Maps = \{\n([\s\S]*?)\n\};/.exec(source)?.[1] ?? "";
  return new Map([...block.matchAll(/^ {2}(\w+): (\w+)/gm)].map((m) => [m[1]!, m[2]!]));
}

test("every map type has one kind: a class tsbpf exports, its name, and facts that match the kernel's rules", () => {
  const exported = maps as unknown as Record<string, unknown>;
  for (const [type, kind] of MAP_KINDS) {
    assert.equal(kind.type, type);
    assert.equal(typeof exported[kind.className], "function", `${kind.name}: ${kind.className} is exported by tsbpf`);
    assert.equal(mapKindNamed(kind.name), kind, kind.name);
    assert.equal(kind.perCpu, isPerCpuType(type), `${kind.name}: per CPU`);
  }
  assert.equal(MAP_KINDS.size, Object.keys(MapType).length - 1, "every type but UNSPEC");
  // The kernel takes no key/value BTF for these (libbpf leaves it out too).
  const noBtf = [...MAP_KINDS.values()]
    .filter((k) => k.btf === "never")
    .map((k) => k.name)
    .sort();
  assert.deepEqual(noBtf, [
    "array_of_maps",
    "cgroup_array",
    "cpumap",
    "devmap",
    "devmap_hash",
    "hash_of_maps",
    "perf_event_array",
    "prog_array",
    "queue",
    "reuseport_sockarray",
    "ringbuf",
    "sockhash",
    "sockmap",
    "stack",
    "stack_trace",
    "struct_ops",
    "user_ringbuf",
    "xskmap",
  ]);
  assert.equal(mapKind(MapType.HASH).className, "HashMap", "a hash map is a HashMap wherever it is made");
  assert.equal(mapKind(999).className, "BpfMap", "an unknown type is a map of any type");
});

test("the object loader makes each map the class gen types names for it, the table's class", () => {
  const { path, cleanup } = compileMapsObject();
  try {
    const file = BpfObjectFile.parse(readFileSync(path), { file: path, name: "kinds" });
    const named = generatedClasses(generateTypes(file));
    using obj = loadObject(file);
    const seen: string[] = [];
    for (const def of file.maps) {
      const handle = obj.map(def.name);
      const expected = mapKind(def.type).className;
      assert.equal(handle.constructor.name, expected, `${def.name}: the loader's class`);
      assert.equal(named.get(def.name), expected, `${def.name}: gen types' class`);
      seen.push(def.name);
    }
    assert.ok(
      seen.includes("m_hash") && seen.includes("m_sockmap") && seen.length >= 26,
      `maps checked: ${seen.join(", ")}`,
    );
  } finally {
    cleanup();
  }
});

test("KernelObject creates each map of compiled kernel TypeScript as the table's class", () => {
  const u32 = { kind: "int", name: "unsigned int", size: 4, encoding: "unsigned" } as const;
  const u64 = { kind: "int", name: "unsigned long long", size: 8, encoding: "unsigned" } as const;
  const map = (mapType: string, extra: Partial<ArtifactMap> = {}): ArtifactMap => ({
    name: `m_${mapType}`.slice(0, 15),
    mapType,
    type: mapKindNamed(mapType)!.type,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
    flags: 0,
    key: u32,
    value: u64,
    ...extra,
  });
  const keyless = { keySize: 0, key: undefined };
  const specs: ArtifactMap[] = [
    map("hash"),
    map("lru_hash"),
    map("percpu_hash"),
    map("lru_percpu_hash"),
    map("array"),
    map("percpu_array"),
    map("queue", keyless),
    map("stack", keyless),
    map("bloom_filter", keyless),
    map("ringbuf", { ...keyless, valueSize: 0, value: undefined, maxEntries: 4096 }),
    map("user_ringbuf", { ...keyless, valueSize: 0, value: undefined, maxEntries: 4096 }),
    map("perf_event_array", { valueSize: 4, value: undefined, maxEntries: 0 }),
    map("prog_array", { valueSize: 4, value: undefined }),
    map("sockmap", { valueSize: 4, value: undefined }),
    map("sockhash", { valueSize: 4, value: undefined }),
    map("reuseport_sockarray", { name: "m_reuseport", valueSize: 4, value: undefined }),
    map("devmap", { valueSize: 4, value: u32 }),
    map("cpumap", { valueSize: 4, value: u32 }),
    map("lpm_trie", {
      keySize: 8,
      key: {
        kind: "struct",
        size: 8,
        fields: [
          { name: "prefixlen", offset: 0, type: u32 },
          { name: "addr", offset: 4, type: u32 },
        ],
      },
      flags: MapFlags.NO_PREALLOC,
    }),
    map("task_storage", { maxEntries: 0, flags: MapFlags.NO_PREALLOC, key: undefined }),
    map("array_of_maps", { name: "m_aom", valueSize: 4, value: undefined, inner: "m_array" }),
    map("hash_of_maps", { name: "m_hom", valueSize: 4, value: undefined, inner: "m_array" }),
  ];
  const artifact: Artifact = {
    tsbpf: 1,
    source: "kinds.bpf.ts",
    license: "GPL",
    maps: specs,
    sections: [],
    programs: [],
    logs: [],
  };
  using obj = KernelObject.load(artifact);
  const made = obj.maps as Record<string, maps.MapHandle>;
  for (const spec of specs) {
    const expected = mapKind(spec.type).className;
    assert.equal(made[spec.name]?.constructor.name, expected, `${spec.mapType}: KernelObject's class`);
    // What the loader would make of the same map, opened by id.
    using opened = mapKind(spec.type).open(made[spec.name]!.id, maps.bytes(spec.keySize), maps.bytes(spec.valueSize));
    assert.equal(opened.constructor.name, expected, `${spec.mapType}: opened by id`);
  }
});
