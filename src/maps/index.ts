/**
 * BPF maps from TypeScript: typed keys and values through codecs, one class per map kind.
 *
 * ```ts
 * import { BatchEntries, HashMap, PerCpuArrayMap, struct, u16, u32, u64 } from "tsbpf";
 *
 * const Flow = struct({ saddr: u32, daddr: u32, sport: u16, dport: u16 });
 * using flows = HashMap.create({ name: "flows", key: Flow, value: u64, maxEntries: 1024 });
 * flows.set({ saddr: 0x0a000001, daddr: 0x0a000002, sport: 1234, dport: 80 }, 1n);
 * for (const [flow, packets] of flows) console.log(flow.dport, packets);
 * flows.lookupBatch();                     // all entries with BPF_MAP_LOOKUP_BATCH
 * flows.lookupBatchEach((keys, values, n) => { … }); // the same, read in place (no allocation per entry)
 * const entries = new BatchEntries(flows);  // reused: its buffers are kept from read to read
 * flows.lookupBatchInto(entries);          // entries.key(i), entries.value(i), decoded as read
 *
 * using counters = PerCpuArrayMap.create({ value: u64, maxEntries: 4 });
 * counters.get(0);                         // [0n, 0n] — one value per possible CPU
 * counters.sum(0);                         // 0n
 *
 * flows.pin("/sys/fs/bpf/flows");
 * using again = HashMap.openPinned("/sys/fs/bpf/flows", Flow, u64); // sizes are checked
 * ```
 *
 * Maps are closed with close() or `using`; element operations make one bpf() call and allocate
 * only the decoded result (lookupInto() copies a value's bytes into the caller's buffer instead). Errors are typed: MapFullError, KeyExistsError, KeyNotFoundError,
 * MapReadOnlyError (frozen), MapMismatchError (codecs do not fit an opened map), all naming the map.
 */
export {
  u8,
  i8,
  u16,
  i16,
  u32,
  i32,
  u64,
  i64,
  be16,
  be32,
  bool,
  f32,
  f64,
  bytes,
  cstring,
  array,
  struct,
  none,
  perCpu,
  type Codec,
  type Infer,
  type ScalarArrayConstructor,
  type StructCodec,
  type StructValue,
  type TypeDescriptor,
} from "./codec.js";
export {
  MapError,
  MapFullError,
  KeyExistsError,
  KeyNotFoundError,
  MapReadOnlyError,
  MapMismatchError,
  MapClosedError,
  MapSpecError,
} from "./errors.js";
export { mapInfo, type MapInfo } from "./info.js";
export { MapHandle, type MapBtf, type MapOptions, type OpenOptions, type MapDescription } from "./handle.js";
export { BpfMap, KeyValueMap, isPerCpuType, type BatchVisitor, type MapSpec, type PerCpuMapType } from "./map.js";
export { BatchEntries } from "./batch-entries.js";
export { HashMap, type HashMapOptions } from "./hash.js";
export { LruHashMap, type LruHashMapOptions } from "./lru-hash.js";
export { ArrayMap, type ArrayMapOptions } from "./array.js";
export {
  PerCpuMap,
  PerCpuHashMap,
  LruPerCpuHashMap,
  PerCpuArrayMap,
  type PerCpuHashMapOptions,
  type LruPerCpuHashMapOptions,
  type PerCpuArrayMapOptions,
} from "./per-cpu.js";
export { LpmTrieMap, lpmKey, type LpmKey, type LpmTrieMapOptions } from "./lpm-trie.js";
export { KeylessMap } from "./keyless.js";
export { QueueMap, StackMap, PushPopMap, type QueueMapOptions, type PushOptions } from "./queue.js";
export { BloomFilterMap, type BloomFilterMapOptions } from "./bloom-filter.js";
export { FdMap, type FdSource } from "./fd-map.js";
export { ProgramArray, type ProgramArrayOptions } from "./program-array.js";
export { MapOfMaps, ArrayOfMaps, HashOfMaps, type ArrayOfMapsOptions, type HashOfMapsOptions } from "./map-in-map.js";
export { PerfEventArray, type PerfEventArrayOptions } from "./perf-event-array.js";
export { RingBufHandle, RingBufMap, UserRingBufMap, checkRingSize, type RingBufOptions } from "./ringbuf.js";
export { possibleCpus, possibleCpuCount, onlineCpus } from "../sys/cpus.js";
export { SocketMap, type SocketMapOptions } from "./sock-map.js";
