// Emulated maps, driven by programs through the helpers and read from the user side with the
// same API as the real map classes: the kernel's answers (EEXIST, ENOENT, E2BIG, EINVAL), LRU
// eviction, per-CPU values, queues and stacks, LPM tries, bloom filters, ring buffer and perf
// buffer readers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Assembler } from "../../src/asm/assembler.js";
import { BPF_B, BPF_DW, BPF_W } from "../../src/asm/opcodes.js";
import { KeyExistsError, KeyNotFoundError, MapError, MapFullError } from "../../src/maps/errors.js";
import { bytes, struct, u32, u64, u8 } from "../../src/maps/codec.js";
import { MapFlags, MapType, ProgType, UpdateFlags } from "../../src/uapi.js";
import { Vm, VmLpmTrieMap, VmBloomFilterMap, type VmMap } from "../../src/vm/index.js";
import type { RingRecord } from "../../src/events/record.js";

const E2BIG = -7n,
  EEXIST = -17n,
  ENOENT = -2n,
  EINVAL = -22n;
const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

/** r0 = map_update_elem(map, &key(u32), &value(u64), flags). */
function updateProgram(vm: Vm, map: VmMap, key: number, value: bigint | number, flags: number) {
  const a = new Assembler();
  a.st(BPF_W, "r10", -4, key).lddw("r1", BigInt(value)).stx(BPF_DW, "r10", "r1", -16);
  a.ldMapFd("r1", map).mov64("r2", "r10").add64("r2", -4).mov64("r3", "r10").add64("r3", -16).mov64("r4", flags);
  a.call("map_update_elem").exit();
  return vm.load({ type: ProgType.XDP, code: a.assemble().bytes });
}

/** Looks key (u32) up; on a hit adds `delta` to the u64 at the value's start; returns 1/0. */
function incrementProgram(vm: Vm, map: VmMap, key: number, delta = 1) {
  const a = new Assembler();
  a.st(BPF_W, "r10", -4, key).ldMapFd("r1", map).mov64("r2", "r10").add64("r2", -4).call("map_lookup_elem");
  a.mov64("r1", "r0").mov64("r0", 0).jeq("r1", 0, "out");
  a.mov64("r2", delta).atomic(BPF_DW, 0x00, "r1", "r2", 0).mov64("r0", 1).label("out").exit();
  return vm.load({ type: ProgType.XDP, code: a.assemble().bytes });
}

const run = (p: ReturnType<Vm["load"]>): bigint => signed(p.run({ data: new Uint8Array(64) }).r0);

test("hash map: update flags, E2BIG when full, delete and lookup from a program", () => {
  const vm = new Vm();
  const map = vm.hashMap({ name: "flows", key: u32, value: u64, maxEntries: 2 });
  assert.equal(run(updateProgram(vm, map, 1, 10n, UpdateFlags.ANY)), 0n);
  assert.equal(run(updateProgram(vm, map, 1, 11n, UpdateFlags.NOEXIST)), EEXIST);
  assert.equal(run(updateProgram(vm, map, 9, 11n, UpdateFlags.EXIST)), ENOENT);
  assert.equal(run(updateProgram(vm, map, 1, 12n, UpdateFlags.EXIST)), 0n);
  assert.equal(run(updateProgram(vm, map, 2, 20n, UpdateFlags.ANY)), 0n);
  assert.equal(run(updateProgram(vm, map, 3, 30n, UpdateFlags.ANY)), E2BIG);
  assert.equal(run(updateProgram(vm, map, 3, 30n, 3)), EINVAL);
  assert.equal(run(incrementProgram(vm, map, 2, 5)), 1n);
  assert.equal(run(incrementProgram(vm, map, 3)), 0n);
  assert.deepEqual([...map.entries()].sort(), [
    [1, 12n],
    [2, 25n],
  ]);
  // user side: the error classes of src/maps
  assert.throws(() => map.set(3, 1n), MapFullError);
  assert.throws(() => map.set(1, 1n, UpdateFlags.NOEXIST), KeyExistsError);
  assert.throws(() => map.set(7, 1n, UpdateFlags.EXIST), KeyNotFoundError);
  assert.equal(map.delete(1), true);
  assert.equal(map.delete(1), false);
  assert.equal(map.get(1), undefined);
  assert.equal(map.size, 1);
});

test("LRU hash: a full map evicts the least recently used element; lookups count as use", () => {
  const vm = new Vm();
  const map = vm.lruHashMap({ key: u32, value: u64, maxEntries: 3 });
  map.set(1, 1n).set(2, 2n).set(3, 3n);
  assert.equal(run(incrementProgram(vm, map, 1, 0)), 1n); // touch 1: now 2 is the oldest
  assert.equal(run(updateProgram(vm, map, 4, 4n, UpdateFlags.ANY)), 0n);
  assert.deepEqual([...map.keys()].sort(), [1, 3, 4]);
  map.set(5, 5n); // from user space too
  assert.deepEqual([...map.keys()].sort(), [1, 4, 5]);
});

test("per-CPU maps: a program writes its CPU's value, user space reads all of them", () => {
  const vm = new Vm({ cpus: 4, cpu: 2 });
  const counters = vm.perCpuArrayMap({ value: u64, maxEntries: 2 });
  const inc = incrementProgram(vm, counters, 1, 3);
  run(inc);
  run(inc);
  assert.deepEqual(counters.get(1), [0n, 0n, 6n, 0n]);
  vm.cpu = 0;
  run(inc);
  assert.deepEqual(counters.get(1), [3n, 0n, 6n, 0n]);
  assert.equal(counters.sum(1), 9n);
  counters.set(0, [1n, 2n, 3n, 4n]);
  assert.deepEqual(counters.get(0), [1n, 2n, 3n, 4n]);

  const hash = vm.perCpuHashMap({ key: u32, value: u64, maxEntries: 8 });
  vm.cpu = 3;
  assert.equal(run(updateProgram(vm, hash, 7, 70n, UpdateFlags.ANY)), 0n);
  assert.deepEqual(hash.get(7), [0n, 0n, 0n, 70n]);
  // bpf_map_lookup_percpu_elem reads another CPU's value
  const a = new Assembler();
  a.st(BPF_W, "r10", -4, 7)
    .ldMapFd("r1", hash)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .mov64("r3", 3)
    .call("map_lookup_percpu_elem");
  a.jeq("r0", 0, "none").ldx(BPF_DW, "r0", "r0", 0).exit().label("none").mov64("r0", -1).exit();
  vm.cpu = 0;
  assert.equal(run(vm.load({ type: ProgType.XDP, code: a.assemble().bytes })), 70n);
});

test("array map: all elements exist, delete is EINVAL, indexes past the end are E2BIG / NULL", () => {
  const vm = new Vm();
  const arr = vm.arrayMap({ name: "arr", value: u64, maxEntries: 4 });
  assert.equal(run(updateProgram(vm, arr, 3, 33n, UpdateFlags.ANY)), 0n);
  assert.equal(run(updateProgram(vm, arr, 4, 44n, UpdateFlags.ANY)), E2BIG);
  assert.equal(run(updateProgram(vm, arr, 1, 11n, UpdateFlags.NOEXIST)), EEXIST);
  assert.equal(run(incrementProgram(vm, arr, 4)), 0n);
  assert.equal(run(incrementProgram(vm, arr, 0)), 1n);
  assert.deepEqual([...arr.values()], [1n, 0n, 0n, 33n]);
  const del = new Assembler();
  del.st(BPF_W, "r10", -4, 0).ldMapFd("r1", arr).mov64("r2", "r10").add64("r2", -4).call("map_delete_elem").exit();
  assert.equal(run(vm.load({ type: ProgType.XDP, code: del.assemble().bytes })), EINVAL);
  assert.throws(
    () => arr.delete(0),
    (e: unknown) => e instanceof MapError && e.errno === 22,
  );
  // a value's bounds are the value's, not the array's: reading past value_size faults
  const over = new Assembler();
  over.st(BPF_W, "r10", -4, 0).ldMapFd("r1", arr).mov64("r2", "r10").add64("r2", -4).call("map_lookup_elem");
  over.jeq("r0", 0, "out").ldx(BPF_DW, "r0", "r0", 8).label("out").exit();
  assert.throws(
    () => run(vm.load({ type: ProgType.XDP, code: over.assemble().bytes })),
    /read of 8 bytes .*outside the map value \(map "arr" value \[0\]\).*offset 8 of 8/,
  );
});

test("global data: lddw of a map value points into a one-element array; read-only maps refuse writes", () => {
  const vm = new Vm();
  const bss = vm.arrayMap({ name: ".bss", valueSize: 16, maxEntries: 1 });
  const rodata = vm.arrayMap({ name: ".rodata", value: u64, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
  rodata.set(0, 1234n);
  const a = new Assembler();
  a.ldMapValue("r1", rodata, 0)
    .ldx(BPF_DW, "r2", "r1", 0)
    .ldMapValue("r3", bss, 8)
    .stx(BPF_DW, "r3", "r2", 0)
    .mov64("r0", 0)
    .exit();
  run(vm.load({ type: ProgType.XDP, code: a.assemble().bytes }));
  assert.deepEqual(Buffer.from(bss.get(0)!).readBigUInt64LE(8), 1234n);
  const w = new Assembler();
  w.ldMapValue("r1", rodata, 0).st(BPF_DW, "r1", 0, 1).mov64("r0", 0).exit();
  assert.throws(() => run(vm.load({ type: ProgType.XDP, code: w.assemble().bytes })), /instruction 2 .*is read-only/);
  assert.throws(
    () => vm.load({ code: new Assembler().ldMapValue("r1", bss, 16).mov64("r0", 0).exit().assemble().bytes }),
    /offset 16 is outside the value/,
  );
});

test("queue and stack: FIFO / LIFO order, E2BIG when full unless BPF_EXIST drops the oldest", () => {
  const vm = new Vm();
  for (const stack of [false, true]) {
    const q = vm.queueMap({ value: u32, maxEntries: 3, stack });
    const push = (v: number, flags: number): bigint => {
      const a = new Assembler();
      a.st(BPF_W, "r10", -4, v)
        .ldMapFd("r1", q)
        .mov64("r2", "r10")
        .add64("r2", -4)
        .mov64("r3", flags)
        .call("map_push_elem")
        .exit();
      return run(vm.load({ type: ProgType.XDP, code: a.assemble().bytes }));
    };
    const pop = new Assembler();
    pop.st(BPF_W, "r10", -4, 0).ldMapFd("r1", q).mov64("r2", "r10").add64("r2", -4).call("map_pop_elem");
    pop.jne("r0", 0, "out").ldx(BPF_W, "r0", "r10", -4).label("out").exit();
    const popProg = vm.load({ type: ProgType.XDP, code: pop.assemble().bytes });
    assert.equal(push(1, 0), 0n);
    assert.equal(push(2, 0), 0n);
    assert.equal(push(3, 0), 0n);
    assert.equal(push(4, 0), E2BIG);
    assert.equal(push(4, UpdateFlags.EXIST), 0n); // the oldest (1) goes
    assert.equal(run(popProg), stack ? 4n : 2n);
    assert.deepEqual([...q.drain()], stack ? [3, 2] : [3, 4]);
    assert.equal(run(popProg), ENOENT);
    q.push(9);
    assert.equal(q.peek(), 9);
    assert.equal(q.size, 1);
  }
});

test("LPM trie: the longest matching prefix wins", () => {
  const vm = new Vm();
  const Key = struct({ prefixlen: u32, a: u8, b: u8, c: u8, d: u8 });
  const trie = vm.createMap({
    type: MapType.LPM_TRIE,
    key: Key,
    value: u32,
    maxEntries: 8,
    flags: MapFlags.NO_PREALLOC,
  }) as VmLpmTrieMap<typeof Key extends { decode: (...a: never[]) => infer T } ? T : never, number>;
  trie.set({ prefixlen: 8, a: 10, b: 0, c: 0, d: 0 }, 1);
  trie.set({ prefixlen: 16, a: 10, b: 1, c: 0, d: 0 }, 2);
  trie.set({ prefixlen: 32, a: 10, b: 1, c: 2, d: 3 }, 3);
  const lookup = (a: number, b: number, c: number, d: number): bigint => {
    const asm = new Assembler();
    asm
      .st(BPF_W, "r10", -8, 32)
      .st(BPF_B, "r10", -4, a)
      .st(BPF_B, "r10", -3, b)
      .st(BPF_B, "r10", -2, c)
      .st(BPF_B, "r10", -1, d);
    asm.ldMapFd("r1", trie).mov64("r2", "r10").add64("r2", -8).call("map_lookup_elem");
    asm.jeq("r0", 0, "none").ldx(BPF_W, "r0", "r0", 0).exit().label("none").mov64("r0", 0).exit();
    return run(vm.load({ type: ProgType.XDP, code: asm.assemble().bytes }));
  };
  assert.equal(lookup(10, 1, 2, 3), 3n);
  assert.equal(lookup(10, 1, 9, 9), 2n);
  assert.equal(lookup(10, 7, 7, 7), 1n);
  assert.equal(lookup(11, 0, 0, 0), 0n);
  assert.equal(trie.match({ prefixlen: 32, a: 10, b: 1, c: 200, d: 0 }), 2);
});

test("bloom filter: push adds, peek answers 0 or -ENOENT", () => {
  const vm = new Vm();
  const bloom = vm.createMap({ type: MapType.BLOOM_FILTER, value: u32, maxEntries: 16 }) as VmBloomFilterMap<number>;
  bloom.add(42);
  const peek = (v: number): bigint => {
    const a = new Assembler();
    a.st(BPF_W, "r10", -4, v).ldMapFd("r1", bloom).mov64("r2", "r10").add64("r2", -4).call("map_peek_elem").exit();
    return run(vm.load({ type: ProgType.XDP, code: a.assemble().bytes }));
  };
  assert.equal(peek(42), 0n);
  assert.equal(peek(43), ENOENT);
  assert.equal(bloom.has(42), true);
});

test("ring buffer: reserve/submit/discard/output, read with the RingBuffer API", async () => {
  const vm = new Vm();
  const ring = vm.ringBuf({ name: "events", maxEntries: 4096 });
  // reserve 12 bytes, write a marker, submit; reserve again and discard; output 3 bytes
  const a = new Assembler();
  a.ldMapFd("r1", ring).mov64("r2", 12).mov64("r3", 0).call("ringbuf_reserve");
  a.jeq("r0", 0, "fail")
    .st(BPF_W, "r0", 0, 0x11223344)
    .st(BPF_DW, "r0", 4, -1)
    .mov64("r1", "r0")
    .mov64("r2", 0)
    .call("ringbuf_submit");
  a.ldMapFd("r1", ring).mov64("r2", 8).mov64("r3", 0).call("ringbuf_reserve");
  a.jeq("r0", 0, "fail").mov64("r1", "r0").mov64("r2", 0).call("ringbuf_discard");
  a.st(BPF_W, "r10", -4, 0x00636261)
    .ldMapFd("r1", ring)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .mov64("r3", 3)
    .mov64("r4", 0)
    .call("ringbuf_output");
  a.exit().label("fail").mov64("r0", -1).exit();
  const p = vm.load({ type: ProgType.XDP, code: a.assemble().bytes });
  assert.equal(run(p), 0n);
  using reader = ring.reader();
  assert.equal(reader.pendingBytes, 24 + 16 + 16);
  const got: string[] = [];
  const n = reader.consume((rec: RingRecord) => {
    got.push(Buffer.from(rec.copy()).toString("hex"));
  });
  assert.equal(n, 2);
  assert.deepEqual(got, ["44332211ffffffffffffffff", "616263"]);
  assert.equal(reader.pendingBytes, 0);
  // a ring that is full refuses reservations (NULL) and outputs (-EAGAIN)
  const big = new Assembler();
  big.ldMapFd("r1", ring).mov64("r2", 3000).mov64("r3", 0).call("ringbuf_reserve").mov64("r6", "r0");
  big.ldMapFd("r1", ring).mov64("r2", 3000).mov64("r3", 0).call("ringbuf_reserve");
  big
    .mov64("r7", "r0")
    .mov64("r0", 0)
    .jeq("r6", 0, "x")
    .or64("r0", 1)
    .label("x")
    .jeq("r7", 0, "y")
    .or64("r0", 2)
    .label("y");
  big.jeq("r6", 0, "z").mov64("r1", "r6").mov64("r2", 0).call("ringbuf_submit").mov64("r0", 1).label("z");
  big.jeq("r7", 0, "w").mov64("r1", "r7").mov64("r2", 0).call("ringbuf_submit").mov64("r0", 3).label("w").exit();
  assert.equal(run(vm.load({ type: ProgType.XDP, code: big.assemble().bytes })), 1n); // only the first fits
  // async iteration sees the record that was submitted
  const ac = new AbortController();
  for await (const rec of reader.records({ signal: ac.signal })) {
    assert.equal(rec.length, 3000);
    ac.abort();
  }
  // submitting something that is not a reserved record is a fault
  const bad = new Assembler();
  bad.mov64("r1", "r10").add64("r1", -8).mov64("r2", 0).call("ringbuf_submit").exit();
  assert.throws(
    () => run(vm.load({ type: ProgType.XDP, code: bad.assemble().bytes })),
    /ringbuf_submit: r1 is not a reserved ring buffer record/,
  );
});

test("a poll() waiting on an empty ring wakes up when a program submits", async () => {
  const vm = new Vm();
  const ring = vm.ringBuf({ maxEntries: 4096 });
  const a = new Assembler();
  a.st(BPF_DW, "r10", -8, 7)
    .ldMapFd("r1", ring)
    .mov64("r2", "r10")
    .add64("r2", -8)
    .mov64("r3", 8)
    .mov64("r4", 0)
    .call("ringbuf_output")
    .exit();
  const p = vm.load({ type: ProgType.XDP, code: a.assemble().bytes });
  using reader = ring.reader();
  const ac = new AbortController();
  const seen: bigint[] = [];
  const polling = reader.poll(
    (rec) => {
      seen.push(rec.u64(0));
      if (seen.length === 2) ac.abort();
    },
    { signal: ac.signal },
  );
  setTimeout(() => {
    run(p);
    setTimeout(() => run(p), 5);
  }, 5);
  assert.equal(await polling, 2);
  assert.deepEqual(seen, [7n, 7n]);
});

test("perf event array: samples per CPU, padded like the kernel pads them", () => {
  const vm = new Vm({ cpus: 2, cpu: 1 });
  const perf = vm.perfEventArray();
  const a = new Assembler();
  a.mov64("r6", "r1").st(BPF_W, "r10", -8, 0x04030201).st(BPF_B, "r10", -4, 5);
  a.mov64("r1", "r6")
    .ldMapFd("r2", perf)
    .lddw("r3", 0xffffffffn)
    .mov64("r4", "r10")
    .add64("r4", -8)
    .mov64("r5", 5)
    .call("perf_event_output")
    .exit();
  assert.equal(run(vm.load({ type: ProgType.XDP, code: a.assemble().bytes })), 0n);
  using reader = perf.reader();
  const got: [number, number, string][] = [];
  reader.consume((rec) => {
    got.push([rec.cpu, rec.length, Buffer.from(rec.subarray()).toString("hex")]);
  });
  assert.deepEqual(got, [[1, 12, "010203040500000000000000"]]);
});

test("maps keyed by raw bytes when no codec is given", () => {
  const vm = new Vm();
  const map = vm.hashMap({ keySize: 8, valueSize: 3, maxEntries: 4 });
  map.set(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Uint8Array.of(9, 9, 9));
  assert.deepEqual(
    [...map.entries()].map(([k, v]) => [Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex")]),
    [["0102030405060708", "090909"]],
  );
  const codecMap = vm.hashMap({ key: bytes(2), value: u64, maxEntries: 1 });
  codecMap.set(Uint8Array.of(1, 2), 5n);
  assert.equal(codecMap.get(Uint8Array.of(1, 2)), 5n);
});

test("task storage: created on demand for the current task, found again, deleted", () => {
  const vm = new Vm();
  const storage = vm.createMap({
    type: MapType.TASK_STORAGE,
    keySize: 4,
    value: u64,
    maxEntries: 0,
    flags: MapFlags.NO_PREALLOC,
  });
  // v = task_storage_get(map, current, NULL, create ? F_CREATE : 0); *v += 1; return *v (or -1 when NULL)
  const getAndCount = (create: boolean) => {
    const a = new Assembler();
    a.call("get_current_task")
      .mov64("r2", "r0")
      .ldMapFd("r1", storage)
      .mov64("r3", 0)
      .mov64("r4", create ? 1 : 0)
      .call("task_storage_get");
    a.jeq("r0", 0, "none")
      .ldx(BPF_DW, "r1", "r0", 0)
      .add64("r1", 1)
      .stx(BPF_DW, "r0", "r1", 0)
      .mov64("r0", "r1")
      .exit();
    a.label("none").mov64("r0", -1).exit();
    return vm.load({ type: ProgType.TRACEPOINT, code: a.assemble().bytes });
  };
  const del = new Assembler();
  del.call("get_current_task").mov64("r2", "r0").ldMapFd("r1", storage).call("task_storage_delete").exit();
  const delProg = vm.load({ type: ProgType.TRACEPOINT, code: del.assemble().bytes });
  const runTp = (p: ReturnType<Vm["load"]>): bigint => signed(p.run({ ctx: new Uint8Array(16) }).r0);
  assert.equal(runTp(getAndCount(false)), -1n);
  assert.equal(runTp(getAndCount(true)), 1n);
  assert.equal(runTp(getAndCount(false)), 2n);
  assert.deepEqual(
    [...(storage as import("../../src/vm/index.js").VmLocalStorageMap<bigint>).entries()].map(([, v]) => v),
    [2n],
  );
  assert.equal(runTp(delProg), 0n);
  assert.equal(runTp(delProg), ENOENT);
  assert.equal(runTp(getAndCount(false)), -1n);
});
