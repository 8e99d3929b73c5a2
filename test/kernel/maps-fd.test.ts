import { test } from "node:test";
import assert from "node:assert/strict";
import { ArrayMap, ArrayOfMaps, HashMap, HashOfMaps, MapError, ProgramArray, u32, u64 } from "../../src/maps/index.js";
import { Program } from "../../src/programs/program.js";
import { objInfo } from "../../src/sys/bpf.js";
import { NativeMemory } from "../../src/sys/libc.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { MapType, ProgType } from "../../src/uapi.js";

// r0 = XDP_PASS; exit
const XDP_PASS = Buffer.from("b7000000020000009500000000000000", "hex");

function programId(fd: number): number {
  const info = new NativeMemory(64);
  try {
    info.bytes.fill(0);
    objInfo(fd, info);
    return info.view.getUint32(4, true); // bpf_prog_info.id
  } finally {
    info.free();
  }
}

test("program array: holds a program by fd, reads back its id, deletes it", () => {
  using prog = Program.load({ type: ProgType.XDP, name: "t_pass", code: XDP_PASS });
  using jumps = ProgramArray.create({ name: "t_progs", maxEntries: 4 });
  assert.equal(jumps.type, MapType.PROG_ARRAY);
  assert.equal(jumps.get(1), undefined);
  jumps.set(1, prog);
  assert.equal(jumps.get(1), programId(prog.fd));
  assert.equal(jumps.has(1), true);
  assert.deepEqual([...jumps.keys()], [0, 1, 2, 3]);
  assert.equal(jumps.delete(1), true);
  assert.equal(jumps.delete(1), false);
  assert.equal(jumps.get(1), undefined);
  assert.throws(() => jumps.set(0, 999_999), MapError); // not a program fd
  assert.throws(() => jumps.lookupBatch(), NotSupportedError); // no batch commands for program arrays
});

test("array of maps: inner maps by fd, read back as ids, opened again by id", () => {
  using template = HashMap.create({ name: "t_inner_tpl", key: u32, value: u64, maxEntries: 8 });
  using outer = ArrayOfMaps.create({ name: "t_aom", innerMap: template, maxEntries: 4 });
  assert.equal(outer.type, MapType.ARRAY_OF_MAPS);
  using inner = HashMap.create({ name: "t_inner", key: u32, value: u64, maxEntries: 8 });
  inner.set(7, 70n);
  outer.set(2, inner);
  assert.equal(outer.get(2), inner.id);
  assert.equal(outer.get(0), undefined);
  {
    using again = outer.openInner(2, u32, u64)!;
    assert.equal(again.get(7), 70n);
    again.set(8, 80n);
  }
  assert.equal(inner.get(8), 80n);
  assert.deepEqual(outer.lookupBatch(), [[2, inner.id]]); // empty slots are skipped
  assert.throws(() => outer.deleteBatch([2]), NotSupportedError);
  assert.equal(outer.delete(2), true);
  assert.equal(outer.openInner(2, u32, u64), undefined);

  using wrong = ArrayMap.create({ value: u64, maxEntries: 8 }); // not like the template
  assert.throws(() => outer.set(1, wrong), MapError);
});

test("hash of maps: keys of any codec, batch operations", () => {
  using template = ArrayMap.create({ name: "t_hom_tpl", value: u32, maxEntries: 2 });
  using outer = HashOfMaps.create({ name: "t_hom", key: u64, innerMap: template, maxEntries: 4 });
  assert.equal(outer.type, MapType.HASH_OF_MAPS);
  using a = ArrayMap.create({ value: u32, maxEntries: 2 });
  using b = ArrayMap.create({ value: u32, maxEntries: 2 });
  outer.set(100n, a).set(200n, b);
  assert.equal(outer.get(100n), a.id);
  assert.deepEqual(
    outer.lookupBatch().sort((x, y) => Number(x[0] - y[0])),
    [
      [100n, a.id],
      [200n, b.id],
    ],
  );
  assert.equal(outer.delete(100n), true);
  assert.deepEqual([...outer.keys()], [200n]);
  assert.deepEqual(outer.lookupAndDeleteBatch(), [[200n, b.id]]);
  assert.deepEqual([...outer], []);
});
