// Map element operations per second from JavaScript (one bpf() syscall each).
// Run: npx tsc -p . && node dist/bench/maps.js
import { ArrayMap, HashMap, PerCpuHashMap, struct, u32, u64 } from "../src/maps/index.js";
import { bpfErrno, closeFd, Cmd, mapCreate, mapElemAttr } from "../src/sys/bpf.js";
import { native, NativeMemory } from "../src/sys/libc.js";

function measure(label: string, n: number, op: (i: number) => void): void {
  for (let i = 0; i < Math.min(n, 20_000); i++) op(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) op(i);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(
    `${label.padEnd(34)} ${(n / (ns / 1e9)).toFixed(0).padStart(9)} ops/s  ${(ns / n).toFixed(0).padStart(5)} ns/op`,
  );
}

const N = Number(process.argv[2] ?? 500_000);
{
  // Baselines: the cheapest system call, and bpf(MAP_LOOKUP_ELEM) with no codec or map object.
  measure("baseline: syscall(getpid)", N, () => native.syscall3(process.arch === "arm64" ? 172 : 39, 0, 0, 0));
  const fd = mapCreate({ mapType: 1, keySize: 4, valueSize: 8, maxEntries: 1024, name: "bench_raw" });
  const key = new NativeMemory(4),
    value = new NativeMemory(8);
  bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(fd, key.address, value.address, 0));
  measure("baseline: raw bpf(MAP_LOOKUP_ELEM)", N, () =>
    bpfErrno(Cmd.MAP_LOOKUP_ELEM, mapElemAttr(fd, key.address, value.address, 0)),
  );
  closeFd(fd);
  key.free();
  value.free();
}
{
  using hash = HashMap.create({ name: "bench_hash", key: u32, value: u64, maxEntries: 1024 });
  measure("hash u32→u64 set", N, (i) => hash.set(i & 1023, 1n));
  measure("hash u32→u64 get", N, (i) => hash.get(i & 1023));
  measure("hash u32→u64 get (miss)", N, (i) => hash.get(2000 + (i & 1023)));
  measure("hash u32→u64 has", N, (i) => hash.has(i & 1023));
}
{
  using array = ArrayMap.create({ name: "bench_array", value: u64, maxEntries: 1024, mmapable: true });
  measure("array u64 set", N, (i) => array.set(i & 1023, 1n));
  measure("array u64 get", N, (i) => array.get(i & 1023));
  measure("array u64 at() (mmap, no syscall)", N, (i) => array.at(i & 1023));
}
{
  const Value = struct({ packets: u64, bytes: u64, ifindex: u32 });
  using hash = HashMap.create({ name: "bench_struct", key: u32, value: Value, maxEntries: 1024 });
  const v = { packets: 1n, bytes: 2n, ifindex: 3 };
  measure("hash u32→struct{u64,u64,u32} set", N, (i) => hash.set(i & 1023, v));
  measure("hash u32→struct{u64,u64,u32} get", N, (i) => hash.get(i & 1023));
}
{
  using pc = PerCpuHashMap.create({ name: "bench_percpu", key: u32, value: u64, maxEntries: 1024 });
  pc.setAll(1, 0n);
  measure("percpu hash get (all CPUs)", N, () => pc.get(1));
}
