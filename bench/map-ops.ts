// map-ops: element operations on a hash map (u32 key → u64 value, ENTRIES elements) from
// JavaScript through the maps module, against the same loops in C through libbpf's wrappers
// (bench/peers/map_ops.c). Each operation is one bpf() system call on both sides, so the figures
// measure what the FFI path adds to it.
//   lookups_per_s        map.get(key)                 vs bpf_map_lookup_elem
//   updates_per_s        map.set(key, value)          vs bpf_map_update_elem
//   batch_lookups_per_s  map.lookupBatch(), elements  vs bpf_map_lookup_batch, BATCH per call
import { fileURLToPath } from "node:url";
import { HashMap } from "../src/maps/hash.js";
import { u32, u64 } from "../src/maps/codec.js";
import { buildPeer, median, runPeer } from "./c-peer.js";
import type { Figures } from "./run.js";

const ENTRIES = 10_000;
const OPS = 200_000;
/** The maps module's batch buffer size (its default for maps this large); the C peer uses the same. */
const BATCH = 256;
const BATCH_ROUNDS = 50;
const ROUNDS = 3;

interface Rates { lookups_per_s: number; updates_per_s: number; batch_lookups_per_s: number }

function jsRates(): Rates {
  using map = HashMap.create({ name: "bench_map_ops", key: u32, value: u64, maxEntries: ENTRIES });
  for (let k = 0; k < ENTRIES; k++) map.set(k, BigInt(k));
  let sink = 0n;
  let t = performance.now();
  for (let i = 0; i < OPS; i++) sink += map.get(i % ENTRIES)!;
  const lookups = OPS / ((performance.now() - t) / 1000);

  const seven = 7n;
  t = performance.now();
  for (let i = 0; i < OPS; i++) map.set(i % ENTRIES, seven);
  const updates = OPS / ((performance.now() - t) / 1000);

  let elements = 0;
  let keySink = 0;
  t = performance.now();
  for (let r = 0; r < BATCH_ROUNDS; r++) {
    const entries = map.lookupBatch();
    for (let i = 0; i < entries.length; i++) keySink += entries[i]![0];
    elements += entries.length;
  }
  const batchLookups = elements / ((performance.now() - t) / 1000);
  if (sink < 0n || keySink < 0) throw new Error("unreachable");
  return { lookups_per_s: lookups, updates_per_s: updates, batch_lookups_per_s: batchLookups };
}

export async function run(): Promise<Figures> {
  const peer = buildPeer("map_ops");
  jsRates(); // warm-up
  runPeer<Rates>(peer, [ENTRIES, OPS, BATCH, BATCH_ROUNDS]);
  const js: Rates[] = [], c: Rates[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    js.push(jsRates());
    c.push(runPeer<Rates>(peer, [ENTRIES, OPS, BATCH, BATCH_ROUNDS]));
  }
  const figure = (name: keyof Rates, unit: string, peerName: string) => {
    const value = median(js.map((r) => r[name]));
    const peerValue = median(c.map((r) => r[name]));
    process.stderr.write(`  ${name}: tsbpf ${js.map((r) => r[name].toFixed(0)).join(" ")}; libbpf ${c.map((r) => r[name].toFixed(0)).join(" ")}\n`);
    return { value, unit, peer: peerName, peer_value: peerValue, ratio: value / peerValue };
  };
  return {
    lookups_per_s: figure("lookups_per_s", "ops/s", "C, libbpf 1.1 bpf_map_lookup_elem"),
    updates_per_s: figure("updates_per_s", "ops/s", "C, libbpf 1.1 bpf_map_update_elem"),
    batch_lookups_per_s: figure("batch_lookups_per_s", "elements/s", `C, libbpf 1.1 bpf_map_lookup_batch (${BATCH} per call)`),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
