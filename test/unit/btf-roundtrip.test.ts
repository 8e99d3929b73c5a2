// BtfBuilder → Btf.parse round trips for every kind, the C layout helper, split BTF, big-endian
// blobs, and the func_info/line_info encoders.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Btf,
  BtfBuilder,
  BtfError,
  BtfHeader,
  BtfKind,
  FuncLinkage,
  VarLinkage,
  encodeFuncInfo,
  encodeLineInfo,
  lineCol,
  mapKeyValueBtf,
  programBtf,
} from "../../src/btf/index.js";

/** A builder holding one of every kind, with the ids of the interesting ones. */
function everyKind() {
  const b = new BtfBuilder();
  const u32 = b.stdInt(4);
  const s64 = b.stdInt(8, true);
  const chr = b.addInt("char", 1, { char: true });
  const bool = b.addInt("_Bool", 1, { bool: true });
  const node = b.addStruct("node", 16);
  const pnode = b.addPtr(node);
  b.setMembers(node, [
    { name: "next", type: pnode, bitOffset: 0 },
    { name: "value", type: s64, bitOffset: 64 },
  ]);
  const name16 = b.addArray(chr, 16);
  const anonUnion = b.addCStruct(
    "",
    [
      { name: "a", type: u32 },
      { name: "b", type: s64 },
    ],
    { union: true },
  );
  const thing = b.addCStruct("thing", [
    { name: "x", type: u32 },
    { name: "f1", type: u32, bits: 3 },
    { name: "f2", type: u32, bits: 5 },
    { name: "next", type: pnode },
    { name: "name", type: name16 },
    { name: "", type: anonUnion },
    { name: "ok", type: bool },
  ]);
  const color = b.addEnum("color", [
    { name: "RED", value: 0 },
    { name: "GREEN", value: 7 },
    { name: "BLUE", value: 0xffff_fff0 },
  ]);
  const sign = b.addEnum("sign", [
    { name: "NEG", value: -5 },
    { name: "POS", value: 5 },
  ]);
  const big = b.addEnum64("big", [
    { name: "HUGE", value: 1n << 40n },
    { name: "TOP", value: 0xffff_ffff_ffff_ffffn },
  ]);
  const big2 = b.addEnum64("big_signed", [{ name: "MINUS", value: -(1n << 62n) }], { signed: true });
  const fwd = b.addFwd("opaque");
  const fwdUnion = b.addFwd("opaque_u", { union: true });
  const thingT = b.addTypedef("thing_t", thing);
  const cchar = b.addConst(chr);
  const vu32 = b.addVolatile(u32);
  const pcchar = b.addPtr(cchar);
  const rpcchar = b.addRestrict(pcchar);
  const cpcchar = b.addConst(pcchar);
  const proto = b.addFuncProto(u32, [
    { name: "t", type: b.addPtr(thingT) },
    { name: "s", type: rpcchar },
  ]);
  const func = b.addFunc("do_thing", proto, FuncLinkage.GLOBAL);
  const vproto = b.addFuncProto(0, [{ name: "fmt", type: pcchar }], { variadic: true });
  const fnptr = b.addPtr(vproto);
  const arrptr = b.addPtr(name16);
  const counter = b.addVar("counter", u32, VarLinkage.GLOBAL_ALLOCATED);
  const hidden = b.addVar("hidden", s64, VarLinkage.STATIC);
  const data = b.addDatasec(".data", 16, [
    { type: hidden, offset: 8, size: 8 },
    { type: counter, offset: 0, size: 4 },
  ]);
  const dbl = b.addFloat("double", 8);
  const tag = b.addDeclTag("my_tag", thing, 1);
  const ttag = b.addTypeTag("user", u32);
  const pttag = b.addPtr(ttag);
  return {
    b,
    ids: {
      u32,
      s64,
      chr,
      bool,
      node,
      pnode,
      name16,
      anonUnion,
      thing,
      color,
      sign,
      big,
      big2,
      fwd,
      fwdUnion,
      thingT,
      cchar,
      vu32,
      pcchar,
      rpcchar,
      cpcchar,
      proto,
      func,
      vproto,
      fnptr,
      arrptr,
      counter,
      hidden,
      data,
      dbl,
      tag,
      ttag,
      pttag,
    },
  };
}

test("every kind survives build → parse unchanged", () => {
  const { b, ids } = everyKind();
  const btf = Btf.parse(b.build());
  btf.validate();
  assert.equal(btf.typeCount, b.nextId);
  const seenKinds = new Set<string>();
  for (let id = 1; id < btf.typeCount; id++) {
    const decoded = btf.typeById(id);
    assert.deepEqual(decoded, b.get(id), `type ${id}`);
    seenKinds.add(decoded.kind);
  }
  for (const k of [
    "int",
    "ptr",
    "array",
    "struct",
    "union",
    "enum",
    "fwd",
    "typedef",
    "volatile",
    "const",
    "restrict",
    "func",
    "func_proto",
    "var",
    "datasec",
    "float",
    "decl_tag",
    "type_tag",
    "enum64",
  ]) {
    assert.ok(seenKinds.has(k), `kind ${k} covered`);
  }
  // Spot checks that do not rely on the builder's own view.
  const color = btf.typeById(ids.color);
  assert.equal(color.kind, "enum");
  if (color.kind === "enum")
    assert.deepEqual(
      color.values.map((v) => v.value),
      [0, 7, 0xffff_fff0],
    );
  const sign = btf.typeById(ids.sign);
  if (sign.kind === "enum") assert.equal(sign.signed, true);
  const big = btf.typeById(ids.big);
  if (big.kind === "enum64")
    assert.deepEqual(
      big.values.map((v) => v.value),
      [1n << 40n, 0xffff_ffff_ffff_ffffn],
    );
  assert.equal(btf.enumValue("big", "HUGE"), 2 ** 40);
  assert.equal(btf.enumValue("big", "TOP"), 0xffff_ffff_ffff_ffffn);
  assert.equal(btf.enumValue("big_signed", "MINUS"), -(1n << 62n));
  assert.equal(btf.enumValue("sign", "NEG"), -5);
  assert.equal(btf.enumValue(null, "GREEN"), 7);
  assert.equal(btf.enumValue("color", "MAUVE"), undefined);
  const func = btf.typeById(ids.func);
  assert.equal(func.kind === "func" && func.linkage, FuncLinkage.GLOBAL);
  const vproto = btf.typeById(ids.vproto);
  assert.equal(vproto.kind === "func_proto" && vproto.variadic, true);
  const ds = btf.datasec(".data");
  assert.deepEqual(ds?.vars, [
    { type: ids.counter, offset: 0, size: 4 },
    { type: ids.hidden, offset: 8, size: 8 },
  ]);
  assert.equal(btf.kindOf(ids.tag), BtfKind.DECL_TAG);
  assert.equal(btf.nameOf(ids.thingT), "thing_t");
});

test("typeName spells types as C does", () => {
  const { b, ids } = everyKind();
  const btf = Btf.parse(b.build());
  const cases: [number, string][] = [
    [0, "void"],
    [ids.u32, "unsigned int"],
    [ids.pnode, "struct node *"],
    [ids.name16, "char[16]"],
    [ids.anonUnion, "union {...}"],
    [ids.color, "enum color"],
    [ids.fwd, "struct opaque"],
    [ids.fwdUnion, "union opaque_u"],
    [ids.cchar, "const char"],
    [ids.pcchar, "const char *"],
    [ids.rpcchar, "const char *restrict"],
    [ids.cpcchar, "const char *const"],
    [ids.vu32, "volatile unsigned int"],
    [ids.proto, "unsigned int (thing_t *, const char *restrict)"],
    [ids.func, "unsigned int do_thing(thing_t *, const char *restrict)"],
    [ids.fnptr, "void (*)(const char *, ...)"],
    [ids.arrptr, "char (*)[16]"],
    [ids.counter, "unsigned int counter"],
    [ids.data, 'SEC(".data")'],
    [ids.pttag, "unsigned int *"],
    [ids.dbl, "double"],
  ];
  for (const [id, want] of cases) assert.equal(btf.typeName(id), want, `type ${id}`);
});

test("findByName, sizes, resolve, layouts and member paths on a built blob", () => {
  const { b, ids } = everyKind();
  const btf = Btf.parse(b.build());
  assert.deepEqual(btf.findByName("thing"), [ids.thing]);
  assert.deepEqual(btf.findByName("thing", "struct"), [ids.thing]);
  assert.deepEqual(btf.findByName("thing", "union"), []);
  assert.deepEqual(btf.findByName("no_such_type"), []);
  assert.deepEqual(btf.findByName("thing_t", BtfKind.TYPEDEF), [ids.thingT]);
  // A member name is not a type name.
  assert.deepEqual(btf.findByName("next"), []);
  assert.equal(btf.resolve(ids.thingT), ids.thing);
  assert.equal(btf.resolve(ids.cchar), ids.chr);
  assert.equal(btf.sizeOf(ids.thingT), 48);
  assert.equal(btf.sizeOf(ids.name16), 16);
  assert.equal(btf.sizeOf(ids.pnode), 8);
  assert.throws(() => btf.sizeOf(ids.fwd), BtfError);
  assert.throws(() => btf.sizeOf(ids.proto), BtfError);

  const layout = btf.structLayout("struct thing");
  assert.equal(layout.size, 48);
  assert.deepEqual(
    layout.members.map((m) => [m.name, m.offset, m.bitOffset, m.bitfieldSize, m.size]),
    [
      ["x", 0, 0, 0, 4],
      ["f1", 4, 32, 3, 4],
      ["f2", 4, 35, 5, 4],
      ["next", 8, 64, 0, 8],
      ["name", 16, 128, 0, 16],
      ["", 32, 256, 0, 8],
      ["ok", 40, 320, 0, 1],
    ],
  );
  assert.deepEqual(btf.structLayout("thing_t").members.length, 7);
  // Members of the anonymous union are reachable directly, as in C.
  assert.equal(btf.memberOffset("thing", "b"), 32);
  assert.equal(btf.memberOffset("thing", "name[5]"), 21);
  assert.equal(btf.memberOffset(ids.thingT, "f2"), 4);
  assert.equal(btf.member("thing", "f2").bitOffset, 35);
  assert.equal(btf.member("node", "value").typeName, "long long");
  assert.throws(() => btf.memberOffset("thing", "nope"), BtfError);
  assert.throws(() => btf.memberOffset("thing", "x.y"), BtfError);
  assert.throws(() => btf.memberOffset("thing", "name[16]"), BtfError);
  assert.throws(() => btf.structLayout("color"), BtfError);

  const sig = btf.funcProto("do_thing");
  assert.ok(sig);
  assert.equal(sig.returnTypeName, "unsigned int");
  assert.deepEqual(
    sig.params.map((p) => [p.name, p.typeName]),
    [
      ["t", "thing_t *"],
      ["s", "const char *restrict"],
    ],
  );
  assert.equal(btf.funcProto("nothing_here"), undefined);
});

test("many lookups switch to the name index and give the same answers", () => {
  const b = new BtfBuilder();
  const int = b.stdInt(4, true);
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) ids.push(b.addTypedef(`t${i}`, int));
  const dup = b.addStruct("t7", 4, [{ name: "v", type: int, bitOffset: 0 }]);
  const btf = Btf.parse(b.build());
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 200; i++) {
      const want = i === 7 ? [ids[i]!, dup] : [ids[i]!];
      assert.deepEqual(btf.findByName(`t${i}`), want, `t${i} round ${round}`);
    }
  }
  assert.deepEqual(btf.findByName("t7", "struct"), [dup]);
  assert.deepEqual(btf.findByName("t200"), []);
});

test("C layout helper matches what a C compiler lays out", () => {
  const b = new BtfBuilder();
  const u8 = b.stdInt(1),
    u16 = b.stdInt(2),
    u32 = b.stdInt(4),
    u64 = b.stdInt(8);
  // struct { u8 a; u64 b; u16 c; } → a@0 b@8 c@16, size 24
  const s1 = b.addCStruct("s1", [
    { name: "a", type: u8 },
    { name: "b", type: u64 },
    { name: "c", type: u16 },
  ]);
  // struct { u8 a; u16 b; u8 c; u32 d; } → 0, 2, 4, 8; size 12
  const s2 = b.addCStruct("s2", [
    { name: "a", type: u8 },
    { name: "b", type: u16 },
    { name: "c", type: u8 },
    { name: "d", type: u32 },
  ]);
  // struct { u32 a:30; u32 b:4; u8 c; } → a bits 0..29, b does not fit the first unit → bit 32; c@5 (byte after b's bits 32..35)
  const s3 = b.addCStruct("s3", [
    { name: "a", type: u32, bits: 30 },
    { name: "b", type: u32, bits: 4 },
    { name: "c", type: u8 },
  ]);
  // packed { u8 a; u32 b; } → b@1, size 5
  const s4 = b.addCStruct(
    "s4",
    [
      { name: "a", type: u8 },
      { name: "b", type: u32 },
    ],
    { packed: true },
  );
  // nested: struct { u8 x; struct s1 y; } → y@8 (align 8), size 32
  const s5 = b.addCStruct("s5", [
    { name: "x", type: u8 },
    { name: "y", type: s1 },
  ]);
  const btf = Btf.parse(b.build());
  const offsets = (name: string) => btf.structLayout(name).members.map((m) => m.bitOffset);
  assert.deepEqual(offsets("s1"), [0, 64, 128]);
  assert.equal(btf.sizeOf(s1), 24);
  assert.deepEqual(offsets("s2"), [0, 16, 32, 64]);
  assert.equal(btf.sizeOf(s2), 12);
  assert.deepEqual(offsets("s3"), [0, 32, 40]);
  assert.equal(btf.sizeOf(s3), 8);
  assert.deepEqual(offsets("s4"), [0, 8]);
  assert.equal(btf.sizeOf(s4), 5);
  assert.deepEqual(offsets("s5"), [0, 64]);
  assert.equal(btf.sizeOf(s5), 32);
  assert.equal(b.alignOf(s5), 8);
  assert.equal(b.alignOf(s4), 1);
});

test("strings are deduplicated", () => {
  const b = new BtfBuilder();
  const int = b.stdInt(4, true);
  b.addCStruct("a", [{ name: "count", type: int }]);
  b.addCStruct("b", [{ name: "count", type: int }]);
  b.addTypedef("count", int);
  const blob = b.build();
  const strLen = blob.readUInt32LE(BtfHeader.STR_LEN);
  const strOff = blob.readUInt32LE(BtfHeader.STR_OFF);
  const strings = blob.subarray(BtfHeader.SIZE + strOff, BtfHeader.SIZE + strOff + strLen).toString("latin1");
  assert.equal(strings, "\0int\0a\0count\0b\0");
  assert.equal(b.addString("count"), b.addString("count"));
});

test("builder rejects what the kernel would reject", () => {
  const b = new BtfBuilder();
  const int = b.stdInt(4, true);
  assert.throws(() => b.addStruct("bad-name", 4), BtfError);
  assert.throws(() => b.addCStruct("ok", [{ name: "1x", type: int }]), BtfError);
  assert.throws(() => b.addInt("weird", 3), BtfError);
  assert.throws(() => b.addInt("both", 1, { signed: true, char: true }), BtfError);
  assert.throws(() => b.addEnum("e", [{ name: "X", value: 2 ** 33 }]), BtfError);
  assert.throws(() => b.addFloat("f", 6 as 8), BtfError);
  assert.throws(() => b.addFuncProto(int, [{ name: "v", type: 0 }]), BtfError);
  b.addPtr(999);
  assert.throws(
    () => b.build(),
    (e: unknown) => e instanceof BtfError && /999/.test(e.message),
  );
  const c = new BtfBuilder();
  c.addFunc("f", c.stdInt(4));
  assert.throws(() => c.build(), BtfError);
});

test("split BTF continues the base's ids and strings", () => {
  const baseBuilder = new BtfBuilder();
  const int = baseBuilder.stdInt(4, true);
  const baseStruct = baseBuilder.addCStruct("base_s", [{ name: "v", type: int }]);
  const base = Btf.parse(baseBuilder.build());

  const sb = new BtfBuilder({ base });
  const ptr = sb.addPtr(baseStruct);
  const mod = sb.addCStruct("mod_s", [
    { name: "b", type: ptr },
    { name: "n", type: int },
  ]);
  assert.equal(ptr, base.typeCount);
  const split = Btf.parse(sb.build(), { base });
  split.validate();
  assert.equal(split.firstId, base.typeCount);
  assert.equal(split.typeCount, mod + 1);
  assert.equal(split.typeName(ptr), "struct base_s *");
  assert.deepEqual(split.findByName("base_s"), [baseStruct]);
  assert.deepEqual(split.findByName("mod_s"), [mod]);
  assert.equal(split.memberOffset("mod_s", "n"), 8);
  assert.equal(split.typeById(int).name, "int");
  assert.equal(split.nameOf(mod), "mod_s");
  assert.equal([...split.types()].length, split.typeCount - 1);
  // Parsed without its base, the same blob's references are out of range.
  const alone = Btf.parse(sb.build());
  assert.throws(() => alone.validate(), BtfError);
});

test("big-endian blobs decode the same", () => {
  const { b } = everyKind();
  const le = b.build();
  const be = Buffer.from(le);
  be.writeUInt16BE(le.readUInt16LE(0), 0);
  for (let off = 4; off < BtfHeader.SIZE; off += 4) be.writeUInt32BE(le.readUInt32LE(off), off);
  const typeLen = le.readUInt32LE(BtfHeader.TYPE_LEN);
  for (let off = BtfHeader.SIZE; off < BtfHeader.SIZE + typeLen; off += 4) be.writeUInt32BE(le.readUInt32LE(off), off);
  const a = Btf.parse(le);
  const c = Btf.parse(be);
  assert.equal(c.bigEndian, true);
  assert.deepEqual([...c.types()], [...a.types()]);
  assert.deepEqual(c.findByName("thing"), a.findByName("thing"));
});

test("unaligned blobs are read through a copy", () => {
  const { b } = everyKind();
  const blob = b.build();
  const shifted = Buffer.alloc(blob.length + 1);
  blob.copy(shifted, 1);
  const btf = Btf.parse(shifted.subarray(1));
  assert.deepEqual([...btf.types()], [...Btf.parse(blob).types()]);
});

test("func_info and line_info records have the kernel's layout", () => {
  const fi = encodeFuncInfo([
    { insnOffset: 0, typeId: 3 },
    { insnOffset: 10, typeId: 5 },
  ]);
  assert.deepEqual([...new Uint32Array(fi.buffer, fi.byteOffset, 4)], [0, 3, 10, 5]);
  const li = encodeLineInfo([{ insnOffset: 2, fileNameOff: 7, lineOff: 9, line: 42, column: 5 }]);
  assert.deepEqual([...new Uint32Array(li.buffer, li.byteOffset, 4)], [2, 7, 9, (42 << 10) | 5]);
  assert.equal(lineCol(1, 5000), (1 << 10) | 1023);
  assert.throws(() => lineCol(1 << 22, 0), BtfError);
});

test("programBtf describes functions and lines", () => {
  const info = programBtf(
    [
      { name: "sub-fn", insnOffset: 7, argCount: 2 },
      { name: "main", insnOffset: 0 },
    ],
    [
      { insnOffset: 0, file: "prog.ts", line: 3, column: 1, text: "r0 = 0" },
      { insnOffset: 2, file: "prog.ts", line: 4, column: 1, text: "first" },
      { insnOffset: 2, file: "prog.ts", line: 5, column: 3, text: "second" },
      { insnOffset: 9, file: "prog.ts", line: 12, column: 1, text: "in sub" },
    ],
  );
  assert.equal(info.funcInfoRecSize, 8);
  assert.equal(info.lineInfoRecSize, 16);
  const btf = Btf.parse(info.btf);
  btf.validate();
  const funcs = new Uint32Array(info.funcInfo.buffer, info.funcInfo.byteOffset, info.funcInfo.length / 4);
  assert.deepEqual([funcs[0], funcs[2]], [0, 7]);
  const main = btf.typeById(funcs[1]!);
  const sub = btf.typeById(funcs[3]!);
  assert.equal(main.kind === "func" && main.linkage, FuncLinkage.GLOBAL);
  assert.equal(sub.kind === "func" && sub.linkage, FuncLinkage.STATIC);
  assert.equal(main.name, "main");
  assert.equal(sub.name, "sub_fn");
  assert.equal(btf.typeName(main.id), "int main(void *)");
  assert.equal(btf.typeName(sub.id), "int sub_fn(unsigned long long, unsigned long long)");
  // Lines: one per instruction (the last of duplicates), plus one added at the start of sub (7).
  const rec = (i: number) => Array.from({ length: 4 }, (_, k) => info.lineInfo.readUInt32LE(i * 16 + k * 4));
  assert.equal(info.lineInfo.length, 4 * 16);
  assert.deepEqual(rec(0).slice(0, 1), [0]);
  assert.equal(btf.stringAt(rec(1)[2]!), "second");
  assert.equal(rec(1)[3], (5 << 10) | 3);
  assert.equal(rec(2)[0], 7);
  assert.equal(btf.stringAt(rec(2)[1]!), "prog.ts");
  assert.equal(btf.stringAt(rec(2)[2]!), "sub-fn:");
  assert.equal(rec(3)[0], 9);
  assert.throws(() => programBtf([{ name: "main", insnOffset: 1 }]), BtfError);
  assert.throws(
    () =>
      programBtf([
        { name: "a", insnOffset: 0 },
        { name: "b", insnOffset: 0 },
      ]),
    BtfError,
  );
  assert.throws(
    () =>
      programBtf([
        { name: "a", insnOffset: 0 },
        { name: "b", insnOffset: 4, argCount: 6 },
      ]),
    BtfError,
  );
  assert.equal(programBtf([{ name: "main", insnOffset: 0 }]).lineInfo.length, 0);
});

test("mapKeyValueBtf describes keys and values", () => {
  const m = mapKeyValueBtf("u32", {
    kind: "struct",
    name: "stats",
    fields: [
      { name: "packets", type: "u64" },
      { name: "flags", type: "u8" },
      { name: "addr", type: { kind: "bytes", length: 6 } },
      { name: "ports", type: { kind: "array", of: "u16", length: 2 } },
    ],
  });
  assert.equal(m.keySize, 4);
  assert.equal(m.valueSize, 24);
  const btf = Btf.parse(m.btf);
  btf.validate();
  assert.equal(btf.typeName(m.keyTypeId), "unsigned int");
  assert.equal(btf.typeName(m.valueTypeId), "struct stats");
  assert.deepEqual(
    btf.structLayout("stats").members.map((x) => [x.name, x.offset, x.typeName]),
    [
      ["packets", 0, "unsigned long long"],
      ["flags", 8, "unsigned char"],
      ["addr", 9, "unsigned char[6]"],
      ["ports", 16, "unsigned short[2]"],
    ],
  );
  const n = mapKeyValueBtf({ kind: "bytes", length: 16 }, { kind: "int", size: 8, signed: true });
  assert.equal(n.keySize, 16);
  assert.equal(n.valueSize, 8);
  assert.equal(Btf.parse(n.btf).typeName(n.valueTypeId), "long long");
});
