// CO-RE resolution on its own, against BTF built here: a local (object) view of types and a
// target (kernel) view that differs — members moved, renamed types with ___flavor suffixes, wider
// fields, members inside anonymous unions, enums with other values — checked for every
// relocation kind and for instruction patching, including poisoning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Btf, BtfBuilder } from "../../src/btf/index.js";
import {
  CandidateCache,
  CoreReloKind,
  CoreRelocationError,
  POISON_HELPER_ID,
  RelocationError,
  TypeCache,
  essentialName,
  resolveCoreRelo,
  type CoreRelo,
  type CoreResult,
} from "../../src/object/index.js";
import { patchInstruction } from "../../src/object/core.js";

interface Fixture {
  local: TypeCache;
  target: TypeCache;
  ids: Record<string, number>;
  targetIds: Record<string, number>;
}

function fixture(): Fixture {
  const l = new BtfBuilder();
  const lint = l.stdInt(4, true);
  const luint = l.stdInt(4, false);
  const lchar = l.addInt("char", 1, { char: true });
  const lc4 = l.addArray(lchar, 4);
  // struct sample___v1 { int a; int b; char c[4]; unsigned int flag:3; int gone; }
  const sample = l.addStruct("sample___v1", 20, [
    { name: "a", type: lint, bitOffset: 0 },
    { name: "b", type: lint, bitOffset: 32 },
    { name: "c", type: lc4, bitOffset: 64 },
    { name: "flag", type: luint, bitOffset: 96, bitfieldSize: 3 },
    { name: "gone", type: luint, bitOffset: 128 },
  ]);
  const enumLocal = l.addEnum("color___mine", [
    { name: "RED", value: 1 },
    { name: "BLUE", value: 2 },
    { name: "PINK", value: 3 },
  ]);
  const nothere = l.addStruct("not_in_kernel", 4, [{ name: "x", type: lint, bitOffset: 0 }]);
  const matchOk = l.addStruct("pair", 8, [{ name: "second", type: lint, bitOffset: 0 }]);
  const matchBad = l.addStruct("pair___bad", 8, [{ name: "third", type: lint, bitOffset: 0 }]);
  const anon = l.addStruct("", 4, [{ name: "x", type: lint, bitOffset: 0 }]);
  const localBtf = Btf.parse(l.build());

  const t = new BtfBuilder();
  const tint = t.stdInt(4, true);
  const tulong = t.stdInt(8, false);
  const tlong = t.stdInt(8, true);
  const tchar = t.addInt("char", 1, { char: true });
  const tc8 = t.addArray(tchar, 8);
  const tuint = t.stdInt(4, false);
  // struct sample { long pad; union { int b; int b_alias; }; int a; char c[8]; unsigned int flag:3 (at bit 224); }
  const union = t.addUnion("", 4, [
    { name: "b", type: tint, bitOffset: 0 },
    { name: "b_alias", type: tint, bitOffset: 0 },
  ]);
  const tsample = t.addStruct("sample", 32, [
    { name: "pad", type: tlong, bitOffset: 0 },
    { name: "", type: union, bitOffset: 64 },
    { name: "a", type: tint, bitOffset: 96 },
    { name: "c", type: tc8, bitOffset: 128 },
    { name: "flag", type: tuint, bitOffset: 197, bitfieldSize: 3 },
  ]);
  const tenum = t.addEnum("color", [
    { name: "BLUE", value: 20 },
    { name: "RED", value: 10 },
  ]);
  const tpair = t.addStruct("pair", 16, [
    { name: "first", type: tint, bitOffset: 0 },
    { name: "second", type: tint, bitOffset: 32 },
  ]);
  void tulong;
  const targetBtf = Btf.parse(t.build());
  return {
    local: new TypeCache(localBtf),
    target: new TypeCache(targetBtf),
    ids: { sample, enumLocal, nothere, matchOk, matchBad, anon, lint },
    targetIds: { sample: tsample, color: tenum, pair: tpair },
  };
}

function resolve(f: Fixture, typeId: number, accessString: string, kind: number): CoreResult {
  const relo: CoreRelo = { insnOffset: 0, typeId, accessString, kind };
  return resolveCoreRelo(relo, f.local, new CandidateCache(f.local, f.target), "test");
}

test("flavors: the essential name drops a ___suffix", () => {
  assert.equal(essentialName("task_struct___v2"), "task_struct");
  assert.equal(essentialName("task_struct"), "task_struct");
  assert.equal(essentialName("a___b___c"), "a___b");
  assert.equal(essentialName("___x"), "___x");
  assert.equal(essentialName("x____y"), "x____y", "four underscores are not a flavor separator");
});

test("field relocations: offset, size, existence, signedness, bitfield shifts, through anonymous members", () => {
  const f = fixture();
  const s = f.ids.sample!;
  const off = (acc: string): [bigint, bigint] => {
    const r = resolve(f, s, acc, CoreReloKind.FIELD_BYTE_OFFSET);
    return [r.origVal, r.newVal];
  };
  assert.deepEqual(off("0:1"), [4n, 8n], "b moved into an anonymous union at byte 8");
  assert.deepEqual(off("0:0"), [0n, 12n], "a moved to byte 12");
  assert.deepEqual(off("0:2:3"), [11n, 19n], "c[3]: array element");
  const size = resolve(f, s, "0:2", CoreReloKind.FIELD_BYTE_SIZE);
  assert.deepEqual([size.origVal, size.newVal], [4n, 8n]);
  assert.equal(resolve(f, s, "0:0", CoreReloKind.FIELD_EXISTS).newVal, 1n);
  const gone = resolve(f, s, "0:4", CoreReloKind.FIELD_EXISTS);
  assert.deepEqual([gone.origVal, gone.newVal, gone.poison], [1n, 0n, false]);
  assert.equal(resolve(f, s, "0:0", CoreReloKind.FIELD_SIGNED).newVal, 1n);
  assert.equal(resolve(f, s, "0:3", CoreReloKind.FIELD_SIGNED).newVal, 0n);
  // flag:3 at bit 197 of the target, read as a u32 at byte 24: lshift = 64 - (197 + 3 - 192) = 56.
  const lshift = resolve(f, s, "0:3", CoreReloKind.FIELD_LSHIFT_U64);
  const rshift = resolve(f, s, "0:3", CoreReloKind.FIELD_RSHIFT_U64);
  assert.equal(lshift.newVal, 56n);
  assert.equal(rshift.newVal, 61n);
  const bfOffset = resolve(f, s, "0:3", CoreReloKind.FIELD_BYTE_OFFSET);
  assert.equal(bfOffset.newVal, 24n);
  assert.equal(bfOffset.validate, false, "bitfield offsets are not checked against the instruction");
});

test("a missing field poisons byte offset relocations and names type and field", () => {
  const f = fixture();
  const r = resolve(f, f.ids.sample!, "0:4", CoreReloKind.FIELD_BYTE_OFFSET);
  assert.equal(r.poison, true);
  assert.equal(r.typeName, "struct sample___v1");
  assert.equal(r.field, ".gone");
  assert.match(r.description, /<byte_off> \[\d+\] struct sample___v1\.gone \(0:4 @ offset 16\)/);
});

test("type relocations: ids, existence, size, structural match", () => {
  const f = fixture();
  assert.deepEqual([resolve(f, f.ids.sample!, "0", CoreReloKind.TYPE_ID_LOCAL).newVal], [BigInt(f.ids.sample!)]);
  assert.equal(resolve(f, f.ids.sample!, "0", CoreReloKind.TYPE_ID_TARGET).newVal, BigInt(f.targetIds.sample!));
  assert.equal(resolve(f, f.ids.sample!, "0", CoreReloKind.TYPE_EXISTS).newVal, 1n);
  assert.equal(resolve(f, f.ids.nothere!, "0", CoreReloKind.TYPE_EXISTS).newVal, 0n);
  assert.equal(resolve(f, f.ids.nothere!, "0", CoreReloKind.TYPE_ID_TARGET).newVal, 0n);
  const size = resolve(f, f.ids.sample!, "0", CoreReloKind.TYPE_SIZE);
  assert.deepEqual([size.origVal, size.newVal], [20n, 32n]);
  assert.equal(
    resolve(f, f.ids.matchOk!, "0", CoreReloKind.TYPE_MATCHES).newVal,
    1n,
    "every local member exists in the target",
  );
  assert.equal(resolve(f, f.ids.matchBad!, "0", CoreReloKind.TYPE_MATCHES).newVal, 0n, "a member the target lacks");
  assert.equal(resolve(f, f.ids.matchBad!, "0", CoreReloKind.TYPE_EXISTS).newVal, 1n, "…though the type exists");
});

test("enum relocations: existence and value by enumerator name, across flavors", () => {
  const f = fixture();
  const red = resolve(f, f.ids.enumLocal!, "0", CoreReloKind.ENUMVAL_VALUE);
  assert.deepEqual([red.origVal, red.newVal], [1n, 10n]);
  assert.equal(resolve(f, f.ids.enumLocal!, "1", CoreReloKind.ENUMVAL_VALUE).newVal, 20n);
  assert.equal(resolve(f, f.ids.enumLocal!, "2", CoreReloKind.ENUMVAL_EXISTS).newVal, 0n);
  const pink = resolve(f, f.ids.enumLocal!, "2", CoreReloKind.ENUMVAL_VALUE);
  assert.equal(pink.poison, true);
  assert.equal(pink.field, "::PINK");
});

test("malformed relocations are CoreRelocationErrors; anonymous roots too", () => {
  const f = fixture();
  assert.throws(
    () => resolve(f, f.ids.sample!, "0:9", CoreReloKind.FIELD_BYTE_OFFSET),
    (e: unknown) => e instanceof CoreRelocationError && /member #9 does not exist/.test(e.message),
  );
  assert.throws(() => resolve(f, f.ids.sample!, "x", CoreReloKind.FIELD_BYTE_OFFSET), CoreRelocationError);
  assert.throws(() => resolve(f, f.ids.sample!, "0:1", CoreReloKind.TYPE_SIZE), CoreRelocationError);
  assert.throws(() => resolve(f, 9999, "0", CoreReloKind.TYPE_EXISTS), CoreRelocationError);
  assert.throws(
    () => resolve(f, f.ids.anon!, "0:0", CoreReloKind.FIELD_BYTE_OFFSET),
    (e: unknown) => e instanceof CoreRelocationError && /anonymous/.test(e.message),
  );
  assert.throws(() => resolve(f, f.ids.sample!, "0:0", 42), CoreRelocationError);
});

test("ambiguous candidates (two flavors disagreeing on an offset) fail", () => {
  const l = new BtfBuilder();
  const li = l.stdInt(4, true);
  const local = l.addStruct("thing", 8, [{ name: "x", type: li, bitOffset: 0 }]);
  const t = new BtfBuilder();
  const ti = t.stdInt(4, true);
  t.addStruct("thing", 8, [{ name: "x", type: ti, bitOffset: 0 }]);
  t.addStruct("thing", 8, [
    { name: "y", type: ti, bitOffset: 0 },
    { name: "x", type: ti, bitOffset: 32 },
  ]);
  const lc = new TypeCache(Btf.parse(l.build()));
  const tc = new TypeCache(Btf.parse(t.build()));
  assert.throws(
    () =>
      resolveCoreRelo(
        { insnOffset: 0, typeId: local, accessString: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET },
        lc,
        new CandidateCache(lc, tc),
        "here",
      ),
    (e: unknown) => e instanceof CoreRelocationError && /ambiguity/.test(e.message) && /here/.test(e.message),
  );
});

function insn(code: number, dst: number, src: number, off: number, imm: number): DataView {
  const v = new DataView(new ArrayBuffer(16));
  v.setUint8(0, code);
  v.setUint8(1, (src << 4) | dst);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return v;
}

test("patching: ALU immediates, load offsets (and widths), 64-bit immediates, poison", () => {
  const f = fixture();
  const offB = resolve(f, f.ids.sample!, "0:1", CoreReloKind.FIELD_BYTE_OFFSET);
  const ldx = insn(0x61, 1, 2, 4, 0); // r1 = *(u32 *)(r2 + 4)
  assert.equal(patchInstruction(ldx, 0, offB, "t"), false);
  assert.equal(ldx.getInt16(2, true), 8);
  const alu = insn(0x07, 1, 0, 0, 4); // r1 += 4
  patchInstruction(alu, 0, offB, "t");
  assert.equal(alu.getInt32(4, true), 8);
  const lddw = insn(0x18, 1, 0, 0, 4);
  patchInstruction(lddw, 0, offB, "t");
  assert.equal(lddw.getInt32(4, true), 8);
  // The instruction must hold what the local BTF says it does.
  assert.throws(() => patchInstruction(insn(0x07, 1, 0, 0, 5), 0, offB, "t"), RelocationError);
  // A size change (c: char[4] → char[8] is an array access; use a wider unsigned field instead).
  const l = new BtfBuilder();
  const lu32 = l.stdInt(4, false);
  const ls = l.addStruct("w", 4, [{ name: "v", type: lu32, bitOffset: 0 }]);
  const t = new BtfBuilder();
  const tu64 = t.stdInt(8, false);
  t.addStruct("w", 8, [{ name: "v", type: tu64, bitOffset: 0 }]);
  const lc = new TypeCache(Btf.parse(l.build()));
  const tc = new TypeCache(Btf.parse(t.build()));
  const wide = resolveCoreRelo(
    { insnOffset: 0, typeId: ls, accessString: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET },
    lc,
    new CandidateCache(lc, tc),
    "t",
  );
  const load = insn(0x61, 1, 2, 0, 0);
  patchInstruction(load, 0, wide, "t");
  assert.equal(load.getUint8(0), 0x79, "the u32 load became a u64 load");
  // Poison: a call to helper 0xbad2310, both slots of a 64-bit load.
  const missing = resolve(f, f.ids.sample!, "0:4", CoreReloKind.FIELD_BYTE_OFFSET);
  const p = insn(0x18, 1, 0, 0, 16);
  assert.equal(patchInstruction(p, 0, missing, "t"), true);
  for (const at of [0, 8]) {
    assert.equal(p.getUint8(at), 0x85);
    assert.equal(p.getInt32(at + 4, true), POISON_HELPER_ID);
  }
});
