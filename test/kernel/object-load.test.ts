// Loading clang-built objects of the test corpus (test/c) and checking that tsbpf does what
// libbpf does with them: the same program types and the same instructions (the kernel's program
// tag hashes the instructions as loaded, map fds excluded), the same maps, and the same
// behaviour — results of runs, counters in .bss, tail calls, maps in maps, CO-RE reads of kernel
// structs from a tp_btf program.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { loadObject, type BpfObject } from "../../src/loader/index.js";
import { BpfObjectFile } from "../../src/object/index.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { progInfo } from "../../src/sys/info.js";
import { mapInfo } from "../../src/maps/info.js";
import { testRun } from "../../src/programs/test-run.js";
import { TpBtfProgram } from "../../src/programs/tp-btf.js";
import { XdpProgram } from "../../src/programs/xdp.js";
import { SocketFilterProgram } from "../../src/programs/socket-filter.js";
import { TracepointProgram } from "../../src/programs/tracepoint.js";
import { RawTracepointProgram } from "../../src/programs/raw-tracepoint.js";
import {
  ArrayMap,
  BpfMap,
  HashMap,
  PerCpuArrayMap,
  ProgramArray,
  ArrayOfMaps,
  HashOfMaps,
  u32,
  u64,
} from "../../src/maps/index.js";
import { MapReadOnlyError } from "../../src/maps/errors.js";
import { RingBuffer } from "../../src/events/ringbuf.js";
import { native } from "../../src/sys/libc.js";
import { enumName, MapType, ProgType, XdpAction } from "../../src/uapi.js";
import { bpftoolLoadall, bpftoolMapValue, bpftoolRun, corpusObject } from "../helpers/bpf-corpus.js";

const PACKET = new Uint8Array(64).fill(0x11);

/** A private bpffs directory for pins, removed after the test. */
function pinDir(t: { after: (fn: () => void) => void }): string {
  const dir = `/sys/fs/bpf/tsbpf_obj_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  mkdirSync(dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Our load compared with bpftool's: types, tags, instruction counts, map shapes. */
function assertSameAsBpftool(obj: BpfObject, objectPath: string): void {
  const byName = obj.file.maps.filter((m) => m.pinning === "by_name").map((m) => m.name);
  const peer = bpftoolLoadall(objectPath, undefined, byName);
  assert.deepEqual([...peer.programs.keys()].sort(), Object.keys(obj.programs).sort(), "same programs");
  for (const [name, theirs] of peer.programs) {
    const ours = progInfo(obj.program(name).fd);
    assert.equal(enumName(ProgType, ours.type), theirs.type, `${name}: program type`);
    assert.equal(ours.tag, theirs.tag, `${name}: program tag (the instructions as loaded)`);
    assert.equal(ours.xlatedProgLen, theirs.bytesXlated, `${name}: translated size`);
    assert.equal(ours.nrMapIds, theirs.mapIds.length, `${name}: maps used`);
  }
  for (const m of obj.file.maps) {
    const theirs = peer.maps.get(m.kernelName.replace(/\./g, "_"));
    if (!theirs && byName.length) continue; // not used by any program: invisible without pinmaps
    assert.ok(theirs, `bpftool pinned map ${m.kernelName}`);
    const ours = mapInfo(obj.mapFd(m.name));
    assert.equal(ours.name, m.kernelName, `${m.name}: kernel name`);
    assert.equal(enumName(MapType, ours.type), theirs.type, `${m.name}: type`);
    assert.deepEqual(
      [ours.keySize, ours.valueSize, ours.maxEntries, ours.flags],
      [theirs.keySize, theirs.valueSize, theirs.maxEntries, theirs.flags],
      `${m.name}: key/value/max_entries/flags`,
    );
  }
}

test("globals: .rodata set before load changes what the program returns, like bpftool's load with the default", () => {
  const path = corpusObject("globals");
  {
    using obj = loadObject(path);
    assertSameAsBpftool(obj, path);
    const prog = obj.programs.count_packets;
    assert.ok(prog instanceof XdpProgram);
    assert.equal(testRun(prog, { data: PACKET }).retval, XdpAction.PASS);
    let peerRetval = -1;
    bpftoolLoadall(path, (dir) => {
      peerRetval = bpftoolRun(`${dir}/count_packets`, PACKET);
    });
    assert.equal(peerRetval, XdpAction.PASS, "bpftool's load returns the same");
  }
  using dropper = loadObject(path, { variables: { verdict: XdpAction.DROP } });
  assert.equal(dropper.variables.verdict, XdpAction.DROP);
  assert.equal(testRun(dropper.programs.count_packets!, { data: PACKET }).retval, XdpAction.DROP);
  // The verifier folds frozen .rodata: with greeting "world" every path ends in XDP_ABORTED and
  // the rest of the program is dead code it removes.
  using aborter = loadObject(path, { variables: { greeting: "world" } });
  assert.equal(testRun(aborter.programs.count_packets!, { data: PACKET }).retval, XdpAction.ABORTED);
  assert.ok(
    progInfo(aborter.programs.count_packets!.fd).xlatedProgLen <
      progInfo(dropper.programs.count_packets!.fd).xlatedProgLen,
    "the verifier saw the frozen .rodata as constants",
  );
});

test("globals: .bss and .data counters are read back (and written) through memory-mapped variables", () => {
  using obj = loadObject(corpusObject("globals"), { variables: { magic_byte: 0x11 } });
  const v = obj.variables as Record<string, unknown>;
  assert.deepEqual([v.packets, v.bytes, v.adjust, v.custom_hits, v.matched], [0n, 0n, -3, 100, 0n]);
  assert.deepEqual(v.pair, { a: 7, b: 8, c: 9 });
  for (let i = 0; i < 5; i++) testRun(obj.programs.count_packets!, { data: PACKET });
  assert.equal(v.packets, 5n);
  assert.equal(v.bytes, 5n * BigInt(PACKET.length));
  assert.equal(v.last_len, PACKET.length - 3);
  assert.equal(v.custom_hits, 105);
  assert.equal(v.matched, 5n, "magic_byte from .rodata matched the packet's first byte");
  // User space writes; the program sees it.
  v.packets = 1000n;
  v.adjust = 10;
  testRun(obj.programs.count_packets!, { data: PACKET });
  assert.equal(v.packets, 1001n);
  assert.equal(v.last_len, PACKET.length + 10);
  // The whole .bss through the map handle too.
  const bss = obj.maps[".bss"] as ArrayMap<Record<string, unknown>>;
  assert.equal(bss.get(0)!.packets, 1001n);
  // .rodata is frozen once loaded.
  assert.throws(() => {
    v.verdict = 1;
  }, MapReadOnlyError);
  assert.equal(v.greeting, "hello");
});

test("globals: .bss after runs is byte for byte what bpftool's load leaves", () => {
  const path = corpusObject("globals");
  using obj = loadObject(path);
  for (let i = 0; i < 3; i++) testRun(obj.programs.count_packets!, { data: PACKET });
  let theirs: Uint8Array = new Uint8Array();
  bpftoolLoadall(path, (dir) => {
    for (let i = 0; i < 3; i++) bpftoolRun(`${dir}/count_packets`, PACKET);
    theirs = bpftoolMapValue(`${dir}/maps/globals_bss`);
  });
  assert.deepEqual(obj.section(".bss").bytes(), theirs);
});

test("tailcall: the prog array is filled from the .maps initialiser and tail calls land", () => {
  const path = corpusObject("tailcall");
  using obj = loadObject(path);
  assertSameAsBpftool(obj, path);
  const table = obj.maps.jump_table as ProgramArray;
  assert.ok(table instanceof ProgramArray);
  assert.equal(table.get(1), progInfo(obj.programs.tail_one!.fd).id);
  assert.equal(table.get(2), progInfo(obj.programs.tail_two!.fd).id);
  assert.equal(table.get(0), undefined);
  const run = (b: number): number =>
    testRun(obj.programs.entry!, { data: new Uint8Array([b, ...PACKET.subarray(1)]) }).retval;
  assert.deepEqual([run(0), run(1), run(2), run(3)], [99, 11, 22, 99]);
  const peer: number[] = [];
  bpftoolLoadall(path, (dir) => {
    for (const b of [0, 1, 2, 3]) peer.push(bpftoolRun(`${dir}/entry`, new Uint8Array([b, ...PACKET.subarray(1)])));
  });
  assert.deepEqual(peer, [99, 11, 22, 99], "bpftool's load behaves the same");
  // Slots can be changed from user space.
  table.set(3, obj.programs.tail_one!);
  assert.equal(run(3), 11);
});

test("mapinmap: inner maps from the initialiser, looked up by the program; a hash of maps filled at run time", () => {
  const path = corpusObject("mapinmap");
  using obj = loadObject(path);
  assertSameAsBpftool(obj, path);
  const innerA = obj.maps.inner_a as ArrayMap<number>;
  const innerB = obj.maps.inner_b as ArrayMap<number>;
  innerA.set(0, 5);
  innerB.set(0, 7);
  const outer = obj.maps.outer as ArrayOfMaps;
  assert.ok(outer instanceof ArrayOfMaps);
  assert.equal(outer.get(0), mapInfo(obj.mapFd("inner_a")).id);
  assert.equal(outer.get(2), mapInfo(obj.mapFd("inner_b")).id);
  const run = (b: number): number =>
    testRun(obj.programs.lookup_inner!, { data: new Uint8Array([b, ...PACKET.subarray(1)]) }).retval;
  assert.deepEqual([run(0), run(1), run(2), run(9)], [5, 1001, 7, 1001]);

  assert.equal(testRun(obj.programs.lookup_hash_of_maps!, { data: PACKET }).retval, 2000);
  using inner = HashMap.create({ key: u32, value: u64, maxEntries: 4 });
  inner.set(0, 4242n);
  const byId = obj.maps.by_id as HashOfMaps<number>;
  assert.ok(byId instanceof HashOfMaps);
  byId.set(5, inner);
  assert.equal(testRun(obj.programs.lookup_hash_of_maps!, { data: PACKET }).retval, 4242);
});

test("multiprog: several programs per section, subprograms appended to each caller, a bpf_loop callback", () => {
  const path = corpusObject("multiprog");
  using obj = loadObject(path);
  assertSameAsBpftool(obj, path);
  assert.deepEqual(
    obj.file.programs.map((p) => `${p.section}:${p.name}`),
    ["xdp:first", "xdp:second", "socket:sock_a", "socket:sock_b"],
  );
  assert.deepEqual(obj.file.subprograms.map((p) => p.name).sort(), [
    "add_index",
    "global_add",
    "square",
    "sum_of_squares",
  ]);
  assert.ok(obj.programs.sock_a instanceof SocketFilterProgram);
  const results = obj.maps.results as ArrayMap<bigint>;
  assert.equal(testRun(obj.programs.first!, { data: PACKET }).retval, 1);
  assert.equal(results.get(0), 25n, "sum_of_squares(3, 4) through two subprogram levels");
  assert.equal(testRun(obj.programs.second!, { data: PACKET }).retval, 5, "global_add(2, 3)");
  assert.equal(results.get(1), 45n, "bpf_loop summed 0..9 through the callback");
  assert.equal(testRun(obj.programs.sock_a!, { data: PACKET }).retval, 25);
  assert.equal(testRun(obj.programs.sock_b!, { data: PACKET }).retval, 44);
  // func_info of every appended function reached the kernel.
  assert.equal(progInfo(obj.programs.sock_b!.fd).nrFuncInfo, 4);
  assert.ok(progInfo(obj.programs.sock_b!.fd).nrLineInfo > 4);
});

test("core: a tp_btf program reads kernel structs through CO-RE and records what it saw of an exec", async (t) => {
  const path = corpusObject("core");
  {
    using obj = loadObject(path);
    assertSameAsBpftool(obj, path);
  }
  // The child execs after a pause: its pid (kept across exec) is known before we load.
  const child = spawn("/bin/sh", ["-c", "sleep 1; exec /bin/sleep 0.05"], { stdio: "ignore" });
  t.after(() => child.kill());
  using obj = loadObject(path, { variables: { watch_tgid: child.pid } });
  assert.ok(obj.programs.on_exec instanceof TpBtfProgram);
  {
    using _link = obj.attach("on_exec");
    await new Promise((resolve) => child.on("exit", resolve));
  }
  const seen = (obj.maps.seen as ArrayMap<Record<string, unknown>>).get(0)!;
  const btf = kernelBtf();
  const pidTypePgid = btf.enumValue("pid_type", "PIDTYPE_PGID");
  assert.equal(seen.pid, child.pid);
  assert.equal(seen.tgid, child.pid);
  assert.equal(seen.ppid, process.pid, "real_parent->tgid: two pointer hops through CO-RE");
  assert.equal(seen.flavor_tgid, child.pid, "read through a ___flavor of task_struct");
  assert.equal(seen.comm, "sleep");
  assert.equal(seen.comm_size, 16n);
  assert.equal(seen.task_size, BigInt(btf.sizeOf(btf.findByName("task_struct", "struct")[0]!)));
  assert.deepEqual(
    [seen.has_pid_field, seen.has_missing_field, seen.has_task_struct, seen.has_missing_type],
    [1n, 0n, 1n, 0n],
  );
  assert.deepEqual(
    [seen.pidtype_pgid, seen.has_pidtype_pgid, seen.has_missing_enumval],
    [BigInt(pidTypePgid as number), 1n, 0n],
  );
  assert.equal(seen.in_execve, 1n, "a 1-bit bitfield read with lshift/rshift relocations");
  assert.equal(seen.local_type_id, BigInt(obj.file.btf!.findByName("exec_info", "struct")[0]!));
  assert.equal(seen.target_type_id, BigInt(btf.findByName("task_struct", "struct")[0]!));
  assert.equal(seen.tgid_signed, 1n);
  assert.ok((obj.variables.execs as bigint) >= 1n);
});

test("tracing: tracepoint and raw_tp programs attached by section name; a map pinned by name is reused by the next load", async (t) => {
  const path = corpusObject("tracing");
  const root = pinDir(t);
  {
    using obj = loadObject(path, { pinRoot: root });
    assertSameAsBpftool(obj, path);
  }
  rmSync(`${root}/getuid_calls`, { force: true });
  let firstId: number;
  {
    using obj = loadObject(path, { pinRoot: root, variables: { only_tgid: process.pid } });
    assert.ok(existsSync(`${root}/getuid_calls`), "pinned by name");
    assert.ok(obj.programs.count_getuid instanceof TracepointProgram);
    assert.ok(obj.programs.count_raw instanceof RawTracepointProgram);
    using ring = new RingBuffer(obj.maps.events!);
    {
      using _a = obj.attach("count_getuid");
      using _b = obj.attach("count_raw");
      for (let i = 0; i < 5; i++) native.getuid();
    }
    const calls = obj.maps.getuid_calls as BpfMap<number, bigint>;
    assert.equal(calls.get(process.pid), 5n);
    assert.ok((obj.maps.raw_enters as PerCpuArrayMap<bigint>).sum(0)! >= 5n);
    const event = obj.typeCodec<{ tgid: number; syscall_nr: number; comm: string }>("event");
    const events: { tgid: number; syscall_nr: number; comm: string }[] = [];
    ring.consume((r) => {
      events.push(event.decode(r.view, r.offset));
    });
    assert.equal(events.length, 5);
    assert.deepEqual(events[0], {
      tgid: process.pid,
      syscall_nr: 102,
      comm: readFileSync("/proc/self/comm", "utf8").trim().slice(0, 15),
    });
    firstId = mapInfo(obj.mapFd("getuid_calls")).id;
  }
  using again = loadObject(path, { pinRoot: root });
  assert.equal(mapInfo(again.mapFd("getuid_calls")).id, firstId, "the pinned map was reused");
  assert.equal((again.maps.getuid_calls as BpfMap<number, bigint>).get(process.pid), 5n, "with its contents");
  again.unpinMaps();
  assert.ok(!existsSync(`${root}/getuid_calls`));
});

test("externs: .kconfig values from the kernel's configuration and kfuncs resolved through its BTF", () => {
  const path = corpusObject("externs");
  using obj = loadObject(path);
  assertSameAsBpftool(obj, path);
  assert.equal(testRun(obj.programs.read_externs!, { data: PACKET }).retval, XdpAction.PASS);
  const config = gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
  const option = (name: string): string | undefined => new RegExp(`^${name}=(.*)$`, "m").exec(config)?.[1];
  const [major, minor, patch] = release().split(/[.-]/).map(Number);
  const v = obj.variables as Record<string, unknown>;
  assert.equal(v.kernel_version, BigInt((major! << 16) + (minor! << 8) + Math.min(patch!, 255)));
  assert.equal(v.bpf_syscall, option("CONFIG_BPF_SYSCALL") === "y" ? 1n : 0n);
  assert.equal(v.hz, BigInt(option("CONFIG_HZ")!));
  assert.equal(v.jit, option("CONFIG_BPF_JIT") === "y" ? 1n : option("CONFIG_BPF_JIT") === "m" ? 2n : 0n);
  assert.equal(v.missing, 0n, "a weak extern the configuration lacks is zero");
  assert.equal(v.self_pid, BigInt(process.pid), "bpf_task_from_pid(current)->tgid through kfuncs");
  assert.equal(v.localversion, JSON.parse(option("CONFIG_LOCALVERSION") ?? '""'));
  let theirs: Uint8Array = new Uint8Array();
  bpftoolLoadall(path, (dir) => {
    bpftoolRun(`${dir}/read_externs`, PACKET);
    theirs = bpftoolMapValue(`${dir}/maps/externs_bss`);
  });
  assert.deepEqual(obj.section(".bss").bytes(), theirs, "the same .bss as bpftool's load after one run");
  // Overrides for testing other configurations.
  using other = loadObject(path, { kconfig: { CONFIG_HZ: "1000" } });
  testRun(other.programs.read_externs!, { data: PACKET });
  assert.equal((other.variables as Record<string, unknown>).hz, 1000n);
});

test('legacy maps: SEC("maps") definitions load (libbpf 1.x refuses them)', () => {
  const path = corpusObject("legacy_maps");
  const peer = spawnSync("bpftool", ["prog", "loadall", path, "/sys/fs/bpf/tsbpf_legacy_never"], { encoding: "utf8" });
  assert.notEqual(peer.status, 0, "bpftool (libbpf 1.x) rejects legacy maps");
  using obj = loadObject(path);
  assert.equal(obj.file.kernelVersion, 0x060c00);
  const counts = obj.maps.legacy_counts as ArrayMap<Uint8Array>;
  assert.equal(counts.valueSize, 8);
  assert.equal(mapInfo(obj.mapFd("legacy_hash")).flags, 1, "BPF_F_NO_PREALLOC");
  testRun(obj.programs.legacy_prog!, { data: PACKET });
  testRun(obj.programs.legacy_prog!, { data: PACKET });
  const count = Buffer.from(counts.get(1)!).readBigUInt64LE(0);
  assert.equal(count, 2n * BigInt(PACKET.length - 14), "skb->len of two runs (the Ethernet header is stripped)");
  assert.deepEqual(
    [...(obj.maps.legacy_hash as BpfMap<Uint8Array, Uint8Array>).get(new Uint8Array([1, 0, 0, 0]))!],
    [42, 0, 0, 0],
  );
});

test("loading only some programs, and per-map options", () => {
  using obj = loadObject(corpusObject("multiprog"), {
    programs: { first: { load: false }, sock_b: { load: false } },
    maps: { results: { maxEntries: 8 } },
  });
  assert.deepEqual(Object.keys(obj.programs).sort(), ["second", "sock_a"]);
  assert.equal(mapInfo(obj.mapFd("results")).maxEntries, 8);
});

test("a parsed object can be loaded several times, each load with its own variables", () => {
  const file = BpfObjectFile.parse(readFileSync(corpusObject("globals")), { name: "globals" });
  using a = loadObject(file, { variables: { verdict: XdpAction.DROP } });
  using b = loadObject(file);
  assert.equal(testRun(a.programs.count_packets!, { data: PACKET }).retval, XdpAction.DROP);
  assert.equal(testRun(b.programs.count_packets!, { data: PACKET }).retval, XdpAction.PASS);
  assert.equal(file.variables.find((v) => v.name === "verdict")!.offset, 0);
});

test("closing the object closes its programs and maps", () => {
  const obj = loadObject(corpusObject("tailcall"));
  const prog = obj.programs.entry!;
  const map = obj.maps.jump_table as ProgramArray;
  obj.close();
  assert.ok(prog.closed);
  assert.ok(map.closed);
  assert.ok(obj.closed);
  obj.close();
});
