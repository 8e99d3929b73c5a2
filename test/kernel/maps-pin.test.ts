import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import {
  ArrayMap,
  BpfMap,
  HashMap,
  MapMismatchError,
  MapReadOnlyError,
  PerCpuArrayMap,
  PerCpuHashMap,
  QueueMap,
  struct,
  u16,
  u32,
  u64,
} from "../../src/maps/index.js";
import { PermissionError, SyscallError } from "../../src/sys/errors.js";
import { MapType } from "../../src/uapi.js";
import { ensureBpffs } from "../../src/sys/mounts.js";

/** A fresh directory under /sys/fs/bpf, removed (with its pins) when the test ends, pass or fail. */
function pinDir(t: TestContext): string {
  ensureBpffs();
  const dir = `/sys/fs/bpf/tsbpf-maps-test-${process.pid}-${randomBytes(4).toString("hex")}`;
  mkdirSync(dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const Key = struct({ ip: u32, port: u16 });

test("a pinned hash map is reopened with its contents; sizes are checked", (t) => {
  const dir = pinDir(t);
  const path = `${dir}/flows`;
  {
    using map = HashMap.create({ name: "t_pinned", key: Key, value: u64, maxEntries: 8 });
    map.set({ ip: 1, port: 80 }, 5n);
    map.pin(path);
  }
  assert.ok(existsSync(path));
  {
    using again = HashMap.openPinned(path, Key, u64);
    assert.equal(again.name, "t_pinned");
    assert.equal(again.maxEntries, 8);
    assert.equal(again.get({ ip: 1, port: 80 }), 5n);
    again.set({ ip: 2, port: 443 }, 6n);
  }
  {
    using generic = BpfMap.openPinned(path, Key, u64);
    assert.equal(generic.type, MapType.HASH);
    assert.equal(generic.get({ ip: 2, port: 443 }), 6n);
    using byId = HashMap.fromId(generic.id, Key, u64);
    assert.equal(byId.get({ ip: 1, port: 80 }), 5n);
  }
  assert.throws(
    () => HashMap.openPinned(path, u32, u64),
    (err: unknown) => {
      assert.ok(err instanceof MapMismatchError);
      assert.match(err.message, /t_pinned.*key size is 8, the key codec has 4/);
      return true;
    },
  );
  assert.throws(() => HashMap.openPinned(path, Key, u32), /value size is 8, the value codec has 4/);
  assert.throws(() => ArrayMap.openPinned(path, u64), /it is a hash map, ArrayMap expects array/);
  assert.throws(() => QueueMap.openPinned(path, u64), MapMismatchError);
  assert.throws(
    () => HashMap.openPinned(`${dir}/missing`, Key, u64),
    (err: unknown) => err instanceof SyscallError && err.code === "ENOENT",
  );
});

test("a map opened read-only refuses writes", (t) => {
  const dir = pinDir(t);
  using map = HashMap.create({ name: "t_ro", key: u32, value: u32, maxEntries: 4 });
  map.set(1, 1);
  map.pin(`${dir}/ro`);
  using readOnly = HashMap.openPinned(`${dir}/ro`, u32, u32, { readOnly: true });
  assert.equal(readOnly.get(1), 1);
  assert.throws(() => readOnly.set(2, 2), MapReadOnlyError);
  assert.throws(() => readOnly.delete(1), MapReadOnlyError);
});

test("pinned mmapable and per-CPU arrays reopen with their kinds", (t) => {
  const dir = pinDir(t);
  {
    using arr = ArrayMap.create({ name: "t_pin_mmap", value: u32, maxEntries: 4, mmapable: true });
    arr.setAt(1, 99);
    arr.pin(`${dir}/arr`);
    using pc = PerCpuArrayMap.create({ name: "t_pin_pcpu", value: u64, maxEntries: 2 });
    pc.setAll(1, 3n);
    pc.pin(`${dir}/pc`);
  }
  using arr = ArrayMap.openPinned(`${dir}/arr`, u32);
  assert.equal(arr.mmapable, true);
  assert.equal(arr.at(1), 99);
  arr.setAt(2, 5);
  assert.equal(arr.get(2), 5);
  using pc = PerCpuArrayMap.openPinned(`${dir}/pc`, u64);
  assert.equal(pc.sum(1), 3n * BigInt(pc.cpus));
  assert.throws(() => PerCpuHashMap.openPinned(`${dir}/pc`, u32, u64), /percpu_array/);
  // The generic opener refuses per-CPU maps: their values need the per-CPU kinds.
  assert.throws(() => BpfMap.openPinned(`${dir}/pc`, u32, u64), MapMismatchError);
});

test("pinning to an existing path fails with a typed error", (t) => {
  const dir = pinDir(t);
  using a = HashMap.create({ key: u32, value: u32, maxEntries: 1 });
  a.pin(`${dir}/x`);
  assert.throws(
    () => a.pin(`${dir}/x`),
    (err: unknown) => err instanceof SyscallError && err.code === "EEXIST" && !(err instanceof PermissionError),
  );
});
