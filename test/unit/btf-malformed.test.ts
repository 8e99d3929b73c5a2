// Malformed blobs must fail with a BtfError that says what and where, never with a crash, a
// RangeError or a hang. Ends with a seeded fuzz run of random byte flips.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Btf, BtfBuilder, BtfError, BtfHeader, BtfKind } from "../../src/btf/index.js";

function sample(): { blob: Buffer; thing: number; alias: number } {
  const b = new BtfBuilder();
  const int = b.stdInt(4, true);
  const chr = b.addInt("char", 1, { char: true });
  const node = b.addStruct("node", 8);
  const thing = b.addCStruct("thing", [
    { name: "a", type: int },
    { name: "bits", type: int, bits: 3 },
    { name: "name", type: b.addArray(chr, 8) },
    { name: "next", type: b.addPtr(node) },
  ]);
  b.setMembers(node, [{ name: "t", type: b.addPtr(thing), bitOffset: 0 }]);
  const alias = b.addTypedef("thing_t", thing);
  b.addEnum("e", [
    { name: "A", value: 1 },
    { name: "B", value: -1 },
  ]);
  b.addEnum64("e64", [{ name: "C", value: 1n << 50n }]);
  const proto = b.addFuncProto(int, [{ name: "x", type: b.addPtr(alias) }], { variadic: true });
  b.addFunc("f", proto);
  const v = b.addVar("v", int);
  b.addDatasec(".data", 4, [{ type: v, offset: 0, size: 4 }]);
  b.addDeclTag("tag", thing, 0);
  b.addPtr(b.addTypeTag("user", b.addConst(b.addVolatile(int))));
  b.addFloat("float", 4);
  b.addFwd("fwd");
  return { blob: b.build(), thing, alias };
}

/** Byte offset of the record of type `id` in a blob built by BtfBuilder (one pass, like the decoder). */
function recordOffset(blob: Buffer, id: number): number {
  let off = BtfHeader.SIZE;
  for (let i = 1; i < id; i++) {
    const info = blob.readUInt32LE(off + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra: Record<number, number> = {
      [BtfKind.INT]: 4,
      [BtfKind.ARRAY]: 12,
      [BtfKind.STRUCT]: 12 * vlen,
      [BtfKind.UNION]: 12 * vlen,
      [BtfKind.ENUM]: 8 * vlen,
      [BtfKind.FUNC_PROTO]: 8 * vlen,
      [BtfKind.VAR]: 4,
      [BtfKind.DATASEC]: 12 * vlen,
      [BtfKind.DECL_TAG]: 4,
      [BtfKind.ENUM64]: 12 * vlen,
    };
    off += 12 + (extra[kind] ?? 0);
  }
  return off;
}

function btfError(what: RegExp, offset?: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof BtfError, `expected a BtfError, got ${String(e)}`);
    assert.match(e.what, what);
    if (offset !== undefined) assert.equal(e.offset, offset, `offset in "${e.message}"`);
    return true;
  };
}

test("truncated headers", () => {
  const { blob } = sample();
  assert.throws(() => Btf.parse(Buffer.alloc(0)), btfError(/truncated header/, 0));
  assert.throws(() => Btf.parse(blob.subarray(0, 4)), btfError(/truncated header/, 0));
  assert.throws(() => Btf.parse(blob.subarray(0, 20)), btfError(/truncated header/, 0));
  const longHeader = Buffer.from(blob);
  longHeader.writeUInt32LE(blob.length + 1, BtfHeader.HDR_LEN);
  assert.throws(() => Btf.parse(longHeader), btfError(/header length/, BtfHeader.HDR_LEN));
  const shortHeader = Buffer.from(blob);
  shortHeader.writeUInt32LE(8, BtfHeader.HDR_LEN);
  assert.throws(() => Btf.parse(shortHeader), btfError(/header length/, BtfHeader.HDR_LEN));
});

test("bad magic and version", () => {
  const { blob } = sample();
  const bad = Buffer.from(blob);
  bad.writeUInt16LE(0x1234, 0);
  assert.throws(() => Btf.parse(bad), btfError(/bad magic 0x1234/, 0));
  const elf = Buffer.from("\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "latin1");
  assert.throws(() => Btf.parse(elf), btfError(/bad magic/, 0));
  const v2 = Buffer.from(blob);
  v2[BtfHeader.VERSION] = 2;
  assert.throws(() => Btf.parse(v2), btfError(/version 2/, BtfHeader.VERSION));
});

test("sections out of bounds or misaligned", () => {
  const { blob } = sample();
  const typeLen = blob.readUInt32LE(BtfHeader.TYPE_LEN);
  const big = Buffer.from(blob);
  big.writeUInt32LE(typeLen + 4096, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(big), btfError(/type section .* outside the blob/, BtfHeader.TYPE_OFF));
  const wrap = Buffer.from(blob);
  wrap.writeUInt32LE(0xffff_fff0, BtfHeader.TYPE_OFF);
  wrap.writeUInt32LE(0x20, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(wrap), btfError(/type section/, BtfHeader.TYPE_OFF));
  const str = Buffer.from(blob);
  str.writeUInt32LE(blob.readUInt32LE(BtfHeader.STR_LEN) + 1, BtfHeader.STR_LEN);
  assert.throws(() => Btf.parse(str), btfError(/string section .* outside the blob/, BtfHeader.STR_OFF));
  const odd = Buffer.from(blob);
  odd.writeUInt32LE(typeLen - 2, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(odd), btfError(/not a multiple of 4/, BtfHeader.TYPE_LEN));
  const misaligned = Buffer.from(blob);
  misaligned.writeUInt32LE(2, BtfHeader.TYPE_OFF);
  misaligned.writeUInt32LE(typeLen - 4, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(misaligned), btfError(/not 4-byte aligned/, BtfHeader.TYPE_OFF));
});

test("records cut short or running past the type section", () => {
  const { blob, thing } = sample();
  const at = recordOffset(blob, thing);
  // Cut the type section in the middle of struct thing's members.
  const cut = Buffer.from(blob);
  cut.writeUInt32LE(at + 20 - BtfHeader.SIZE, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(cut), btfError(/runs past the end of the type section/, at));
  // Leave 8 bytes: less than a btf_type.
  const stub = Buffer.from(blob);
  stub.writeUInt32LE(at + 8 - BtfHeader.SIZE, BtfHeader.TYPE_LEN);
  assert.throws(() => Btf.parse(stub), btfError(/truncated type record/, at));
  // A vlen far larger than what follows.
  const vlen = Buffer.from(blob);
  vlen.writeUInt32LE(((vlen.readUInt32LE(at + 4) & 0xffff0000) | 0xffff) >>> 0, at + 4);
  assert.throws(() => Btf.parse(vlen), btfError(/runs past the end/));
});

test("unknown kinds", () => {
  const { blob, thing } = sample();
  const at = recordOffset(blob, thing);
  for (const kind of [0, 20, 31]) {
    const bad = Buffer.from(blob);
    bad.writeUInt32LE(((bad.readUInt32LE(at + 4) & 0xe0ffffff) | (kind << 24)) >>> 0, at + 4);
    assert.throws(() => Btf.parse(bad), btfError(new RegExp(`unknown kind ${kind} in type ${thing}`), at + 4));
  }
});

test("string offsets out of bounds are reported where they are read", () => {
  const { blob, thing } = sample();
  const at = recordOffset(blob, thing);
  const bad = Buffer.from(blob);
  bad.writeUInt32LE(0x00ff_0000, at); // the struct's name_off
  const btf = Btf.parse(bad); // parsing stays lazy
  assert.throws(() => btf.typeById(thing), btfError(/string offset 16711680 out of bounds/, at));
  assert.throws(() => btf.nameOf(thing), btfError(/string offset/, at));
  assert.throws(() => btf.validate(), btfError(/string offset/, at));
  assert.throws(() => btf.stringAt(1 << 30), btfError(/string offset/));
  // A member's name_off.
  const member = Buffer.from(blob);
  member.writeUInt32LE(0x00ff_0000, at + 12 + 12);
  assert.throws(() => Btf.parse(member).typeById(thing), btfError(/string offset/, at + 24));
});

test("dangling references and loops", () => {
  const { blob, alias } = sample();
  const at = recordOffset(blob, alias);
  const dangling = Buffer.from(blob);
  dangling.writeUInt32LE(5000, at + 8);
  const d = Btf.parse(dangling);
  assert.throws(() => d.validate(), btfError(/refers to type 5000/, at + 8));
  assert.throws(() => d.sizeOf(alias), btfError(/type id 5000 out of range/));
  assert.throws(() => d.resolve(alias), btfError(/type id 5000 out of range/));
  assert.equal(d.typeName(alias), "thing_t"); // naming a typedef does not need its target
  const loop = Buffer.from(blob);
  loop.writeUInt32LE(alias, at + 8); // typedef thing_t thing_t
  const l = Btf.parse(loop);
  assert.throws(() => l.resolve(alias), btfError(/loop/));
  assert.throws(() => l.sizeOf(alias), btfError(/loop/));
  const cycle = new BtfBuilder();
  const selfConst = cycle.addConst(cycle.nextId); // const → itself
  const ptrToCycle = cycle.addPtr(selfConst);
  const c = Btf.parse(cycle.build());
  assert.throws(() => c.typeName(ptrToCycle), btfError(/loop/));
  assert.throws(() => c.resolve(selfConst), btfError(/loop/));
  assert.throws(() => l.structLayout("thing_t"), btfError(/loop/));
  assert.throws(() => Btf.parse(blob).typeById(-1), BtfError);
  assert.throws(() => Btf.parse(blob).typeById(1.5), BtfError);
});

/** xorshift32: the same flips on every run, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** Everything a user might ask of a blob. */
function exercise(btf: Btf): void {
  btf.validate();
  for (let id = 0; id < btf.typeCount; id++) {
    btf.typeById(id);
    btf.typeName(id);
    btf.resolve(id);
    try {
      btf.sizeOf(id);
    } catch (e) {
      if (!(e instanceof BtfError)) throw e;
    }
  }
  for (const name of ["thing", "thing_t", "node", "e", "f", ".data", "int"]) btf.findByName(name);
  btf.structLayout("thing");
  btf.memberOffset("thing", "next");
  btf.memberOffset("thing", "name[3]");
  btf.funcProto("f");
  btf.enumValue("e", "B");
  btf.enumValue(null, "C");
}

test("fuzz: random byte flips give a BtfError or a usable Btf, never anything else", { timeout: 120_000 }, () => {
  const { blob } = sample();
  exercise(Btf.parse(blob)); // the original is fine
  const random = rng(0x5eed_b7f);
  let ok = 0;
  let rejected = 0;
  const iterations = 4000;
  for (let i = 0; i < iterations; i++) {
    const mutated = Buffer.from(blob);
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f++) {
      const pos = Math.floor(random() * mutated.length);
      // Half the time flip one bit, else write a random byte.
      mutated[pos] = random() < 0.5 ? mutated[pos]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
    }
    try {
      exercise(Btf.parse(mutated));
      ok++;
    } catch (e) {
      if (!(e instanceof BtfError)) {
        assert.fail(`iteration ${i}: ${e instanceof Error ? e.stack : String(e)}\nblob: ${mutated.toString("hex")}`);
      }
      rejected++;
    }
  }
  assert.equal(ok + rejected, iterations);
  if (process.env.FUZZ_STATS) console.log({ ok, rejected });
  assert.ok(rejected > iterations / 10, `some mutations must be rejected (${rejected})`);
  assert.ok(ok > 0, "some mutations leave a usable blob");
});
