// Maps in kernel TypeScript: declared at module level with `new`, used by the program's functions.
//
//   export const packets = new HashMap({ key: u16, value: u64, maxEntries: 256 });
//
// In user space the same objects are inert declarations: the loader reads their kind and codecs
// (KernelObject gives typed handles for them), and calling a kernel method there throws.
import type { DataType, View, IntType } from "./types.js";

/** A map method was called outside kernel code. */
function kernelOnly(what: string): never {
  throw new TypeError(`${what} runs in the kernel only: compile this module with tsbpf (tsbpf compile FILE)`);
}

/** Options every map declaration takes. */
export interface MapDeclOptions {
  /** BPF_F_* flags added to the ones the kind needs. */
  flags?: number;
  /** Pin by name under /sys/fs/bpf (ELF output: LIBBPF_PIN_BY_NAME). */
  pinning?: "byName";
}

/**
 * A map value seen through a pointer: struct values are their fields; integer values are boxed in
 * a `Cell` whose `value` reads and writes the map's memory in place.
 */
export type Ref<V> = V extends IntType<infer K, any> ? Cell<K extends "bool" ? boolean : number> : View<V>;

/** An integer stored in a map value (or other memory), read and written in place. */
export interface Cell<T = number> {
  value: T;
}

/** What every map declaration records (the loader reads it). */
export abstract class MapDeclaration {
  /** The kernel's map type name (BPF_MAP_TYPE_*, lower case). */
  abstract readonly mapType: string;
  readonly spec: Readonly<Record<string, unknown>>;
  constructor(spec: object) {
    this.spec = spec as Record<string, unknown>;
    // key, value, maxEntries … as properties, so user space can read the codecs off the declaration.
    Object.assign(this, spec);
  }
}

interface KeyValueSpec<K extends DataType, V extends DataType> extends MapDeclOptions {
  key: K;
  value: V;
  maxEntries: number;
}

interface ArraySpec<V extends DataType> extends MapDeclOptions {
  value: V;
  maxEntries: number;
}

/** Operations of hash-like maps. `update` and `delete` return 0 or a negative errno. */
abstract class KeyValueDeclaration<K extends DataType, V extends DataType> extends MapDeclaration {
  declare readonly key: K;
  declare readonly value: V;
  constructor(spec: KeyValueSpec<K, V>) {
    super(spec);
  }
  /** bpf_map_lookup_elem: the value in place, or null when the key is absent. */
  lookup(key: View<K>): Ref<V> | null {
    return kernelOnly("map.lookup");
  }
  /** bpf_map_update_elem with UpdateFlag ANY (default), NOEXIST or EXIST. */
  update(key: View<K>, value: View<V>, flags?: number): number {
    return kernelOnly("map.update");
  }
  /** bpf_map_delete_elem. */
  delete(key: View<K>): number {
    return kernelOnly("map.delete");
  }
}

/** Hash maps also count: `increment(key)` adds to an integer value in place, or inserts it. */
abstract class CountingDeclaration<K extends DataType, V extends DataType> extends KeyValueDeclaration<K, V> {
  /** value += by (atomically), inserting `by` when the key is absent. For integer values only. */
  increment(key: View<K>, by?: number): void {
    kernelOnly("map.increment");
  }
}

export class HashMap<K extends DataType, V extends DataType> extends CountingDeclaration<K, V> {
  readonly mapType = "hash";
}
export class LruHashMap<K extends DataType, V extends DataType> extends CountingDeclaration<K, V> {
  readonly mapType = "lru_hash";
}
/** One value per CPU: kernel code sees this CPU's value (no atomics needed). */
export class PerCpuHashMap<K extends DataType, V extends DataType> extends CountingDeclaration<K, V> {
  readonly mapType = "percpu_hash";
}
export class LruPerCpuHashMap<K extends DataType, V extends DataType> extends CountingDeclaration<K, V> {
  readonly mapType = "lru_percpu_hash";
}

/** Arrays are indexed by a u32; every index below maxEntries exists (lookup is null only outside). */
abstract class ArrayDeclaration<V extends DataType> extends MapDeclaration {
  declare readonly value: V;
  constructor(spec: ArraySpec<V> & { mmapable?: boolean }) {
    super(spec);
  }
  lookup(index: number): Ref<V> | null {
    return kernelOnly("array.lookup");
  }
  update(index: number, value: View<V>, flags?: number): number {
    return kernelOnly("array.update");
  }
  /** value += by (atomically on shared arrays). */
  increment(index: number, by?: number): void {
    kernelOnly("array.increment");
  }
}
export class ArrayMap<V extends DataType> extends ArrayDeclaration<V> {
  readonly mapType = "array";
}
export class PerCpuArrayMap<V extends DataType> extends ArrayDeclaration<V> {
  readonly mapType = "percpu_array";
}

/** Longest-prefix match: the key is `{ prefixLen: u32, data }`, declared as a struct whose first field is the prefix length. */
export class LpmTrieMap<K extends DataType, V extends DataType> extends KeyValueDeclaration<K, V> {
  readonly mapType = "lpm_trie";
}

/** BPF_MAP_TYPE_RINGBUF: records to user space. `size` is a power of two multiple of the page size. */
export class RingBuf extends MapDeclaration {
  readonly mapType = "ringbuf";
  constructor(spec: { size: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_ringbuf_reserve(sizeof(T)): a record to fill, or null when the ring is full. Submit or discard it on every path. */
  reserve<T extends DataType>(type: T): View<T> | null {
    return kernelOnly("ringbuf.reserve");
  }
  submit(record: object, flags?: number): void {
    kernelOnly("ringbuf.submit");
  }
  discard(record: object, flags?: number): void {
    kernelOnly("ringbuf.discard");
  }
  /**
   * bpf_ringbuf_output: copies a value (a struct on the stack, a map value …) into the ring;
   * `length` sends only its first bytes (clamped to the value's size).
   */
  output(value: object, flags?: number, length?: number): number {
    return kernelOnly("ringbuf.output");
  }
}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY: records to user space through per-CPU perf buffers. */
export class PerfEventArray extends MapDeclaration {
  readonly mapType = "perf_event_array";
  constructor(spec: MapDeclOptions = {}) {
    super(spec);
  }
  /** bpf_perf_event_output(ctx, this, BPF_F_CURRENT_CPU, value, sizeof value). */
  output(ctx: object, value: object): number {
    return kernelOnly("perf.output");
  }
}

/** BPF_MAP_TYPE_PROG_ARRAY: tail calls. */
export class ProgramArray extends MapDeclaration {
  readonly mapType = "prog_array";
  constructor(spec: { maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_tail_call: does not return when the slot holds a program; returns normally when it is empty. */
  tailCall(ctx: object, index: number): void {
    kernelOnly("progArray.tailCall");
  }
}

abstract class PushPopDeclaration<V extends DataType> extends MapDeclaration {
  declare readonly value: V;
  constructor(spec: { value: V; maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_map_push_elem; flags BPF_EXIST (2) replaces the oldest when full. */
  push(value: View<V>, flags?: number): number {
    return kernelOnly("push");
  }
  /** bpf_map_pop_elem into `into`; false when empty. */
  pop(into: View<V> extends object ? View<V> : Cell<number>): boolean {
    return kernelOnly("pop");
  }
  peek(into: View<V> extends object ? View<V> : Cell<number>): boolean {
    return kernelOnly("peek");
  }
}
export class QueueMap<V extends DataType> extends PushPopDeclaration<V> {
  readonly mapType = "queue";
}
export class StackMap<V extends DataType> extends PushPopDeclaration<V> {
  readonly mapType = "stack";
}

export class BloomFilterMap<V extends DataType> extends MapDeclaration {
  readonly mapType = "bloom_filter";
  declare readonly value: V;
  constructor(spec: { value: V; maxEntries: number; hashes?: number } & MapDeclOptions) {
    super(spec);
  }
  add(value: View<V>): number {
    return kernelOnly("bloom.add");
  }
  /** True when the value may be in the set (false positives happen, false negatives do not). */
  has(value: View<V>): boolean {
    return kernelOnly("bloom.has");
  }
}

/** Redirect targets for XDP: interfaces (devmap), CPUs (cpumap), AF_XDP sockets (xskmap). */
abstract class RedirectDeclaration extends MapDeclaration {
  constructor(spec: { maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_redirect_map(this, key, flags): the XDP action to return (XDP_REDIRECT, or the low bits of flags on a miss). */
  redirect(key: number, flags?: number): number {
    return kernelOnly("redirect");
  }
}
export class DevMap extends RedirectDeclaration {
  readonly mapType = "devmap";
}
export class DevMapHash extends RedirectDeclaration {
  readonly mapType = "devmap_hash";
}
export class CpuMap extends RedirectDeclaration {
  readonly mapType = "cpumap";
}
export class XskMap extends RedirectDeclaration {
  readonly mapType = "xskmap";
}

/** Socket maps (sockmap / sockhash): filled with sockets from user space; sk_skb programs redirect data between them. */
export class SockMap extends MapDeclaration {
  readonly mapType = "sockmap";
  constructor(spec: { maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_sk_redirect_map(ctx, this, index, flags) in an sk_skb program: SK_PASS when the socket exists (return it), else SK_DROP. */
  redirect(ctx: object, index: number, flags?: number): number {
    return kernelOnly("sockmap.redirect");
  }
}
export class SockHash<K extends DataType> extends MapDeclaration {
  readonly mapType = "sockhash";
  declare readonly key: K;
  constructor(spec: { key: K; maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_sk_redirect_hash(ctx, this, &key, flags) in an sk_skb program: SK_PASS or SK_DROP, like SockMap.redirect. */
  redirect(ctx: object, key: View<K>, flags?: number): number {
    return kernelOnly("sockhash.redirect");
  }
}

/**
 * A reuseport group's sockets by index (BPF_MAP_TYPE_REUSEPORT_SOCKARRAY): user space stores bound
 * SO_REUSEPORT sockets by fd; an sk_reuseport program picks one with `ctx.selectSocket(this, i)`.
 */
export class ReuseportSockArray extends MapDeclaration {
  readonly mapType = "reuseport_sockarray";
  constructor(spec: { maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
}

/**
 * Maps of maps: user space fills them with maps shaped like `inner` (a module-level map that
 * serves as the template); kernel code looks an inner map up and uses it like `inner` —
 * `const m = outer.lookup(k); if (m === null) …; m.lookup(x)`.
 */
export class ArrayOfMaps<Inner extends MapDeclaration> extends MapDeclaration {
  readonly mapType = "array_of_maps";
  declare readonly inner: Inner;
  constructor(spec: { maxEntries: number; inner: Inner } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_map_lookup_elem on the outer map: the inner map at index i, or null. */
  lookup(index: number): Inner | null {
    return kernelOnly("lookup");
  }
}
export class HashOfMaps<K extends DataType, Inner extends MapDeclaration> extends MapDeclaration {
  readonly mapType = "hash_of_maps";
  declare readonly key: K;
  declare readonly inner: Inner;
  constructor(spec: { key: K; maxEntries: number; inner: Inner } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_map_lookup_elem on the outer map: the inner map under the key, or null. */
  lookup(key: View<K>): Inner | null {
    return kernelOnly("lookup");
  }
}

/** A record handed to a drain callback (a `bpf_dynptr`): copy bytes out of it with read(). */
export interface Dynptr {
  /** bpf_dynptr_read: fills `into` (a struct or array view) from the record at `offset`; 0 or a negative errno (-E2BIG past the end). */
  read(into: object, offset?: number): number;
}

/** BPF_MAP_TYPE_USER_RINGBUF: records written by user space, consumed with drain(). */
export class UserRingBuf extends MapDeclaration {
  readonly mapType = "user_ringbuf";
  constructor(spec: { size: number } & MapDeclOptions) {
    super(spec);
  }
  /**
   * bpf_user_ringbuf_drain: calls the module-level function `callback(record, state)` for each
   * record user space submitted (up to the kernel's limit), until it returns 1 (0 continues).
   * Returns the number of records drained, or a negative errno.
   */
  drain<S extends object>(callback: (record: Dynptr, state: S) => number, state: S, flags?: number): number {
    return kernelOnly("userRingBuf.drain");
  }
}

/** bpf_*_storage_get flag: create the owner's storage (zeroed) when it has none. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;

/**
 * Local storage of tasks and sockets: one value per owner (a BTF `task_struct` / `sock` object,
 * e.g. `getCurrentTaskBtf()` or a tp_btf argument), freed with the owner. Cgroup and inode storage
 * are declared (created) only.
 */
export class TaskStorage<V extends DataType> extends MapDeclaration {
  readonly mapType = "task_storage";
  declare readonly value: V;
  constructor(spec: { value: V } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_task_storage_get: the task's value in place, or null (flags: BPF_LOCAL_STORAGE_GET_F_CREATE creates it zeroed). */
  get(task: object, flags?: number): Ref<V> | null {
    return kernelOnly("taskStorage.get");
  }
  /** bpf_task_storage_delete: 0, or a negative errno (-ENOENT when the task has none). */
  delete(task: object): number {
    return kernelOnly("taskStorage.delete");
  }
}
export class SkStorage<V extends DataType> extends MapDeclaration {
  readonly mapType = "sk_storage";
  declare readonly value: V;
  constructor(spec: { value: V } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_sk_storage_get: the socket's value in place, or null (flags: BPF_LOCAL_STORAGE_GET_F_CREATE creates it zeroed). */
  get(sk: object, flags?: number): Ref<V> | null {
    return kernelOnly("skStorage.get");
  }
  /** bpf_sk_storage_delete: 0, or a negative errno. */
  delete(sk: object): number {
    return kernelOnly("skStorage.delete");
  }
}
export class CgrpStorage<V extends DataType> extends MapDeclaration {
  readonly mapType = "cgrp_storage";
  constructor(spec: { value: V } & MapDeclOptions) {
    super(spec);
  }
}
export class InodeStorage<V extends DataType> extends MapDeclaration {
  readonly mapType = "inode_storage";
  constructor(spec: { value: V } & MapDeclOptions) {
    super(spec);
  }
}

/** stackId() flags: skip the first n frames (n & BPF_F_SKIP_FIELD_MASK), user-space stack, compare hashes only, reuse an id on collision. */
export const BPF_F_SKIP_FIELD_MASK = 0xff;
export const BPF_F_USER_STACK = 0x100;
export const BPF_F_FAST_STACK_CMP = 0x200;
export const BPF_F_REUSE_STACKID = 0x400;

/**
 * BPF_MAP_TYPE_STACK_TRACE: bpf_get_stackid targets. Each entry is `depth` (default 127)
 * instruction addresses (u64), the innermost first, zero-filled past the stack's end.
 */
export class StackTraceMap extends MapDeclaration {
  readonly mapType = "stack_trace";
  constructor(spec: { maxEntries: number; depth?: number } & MapDeclOptions) {
    super(spec);
  }
  /** bpf_get_stackid(ctx, this, flags): an id, or a negative errno. */
  stackId(ctx: object, flags?: number): number {
    return kernelOnly("stackTrace.stackId");
  }
}

/** BPF_MAP_TYPE_CGROUP_ARRAY. */
export class CgroupArray extends MapDeclaration {
  readonly mapType = "cgroup_array";
  constructor(spec: { maxEntries: number } & MapDeclOptions) {
    super(spec);
  }
}
