// The kernel is the judge of our BTF: BPF_BTF_LOAD of every kind, a program with subprograms
// loaded with func_info + line_info (and its verifier log showing our source lines), and maps
// created with BTF key/value types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Btf, BtfBuilder, FuncLinkage, VarLinkage, loadBtf, mapKeyValueBtf, programBtf } from "../../src/btf/index.js";
import { bpfErrno, closeFd, Cmd, mapCreate, progLoadAttr } from "../../src/sys/bpf.js";
import { NativeMemory } from "../../src/sys/libc.js";
import { SyscallError } from "../../src/sys/errors.js";
import { MapType, ProgType } from "../../src/uapi.js";

test("the kernel accepts BTF with every kind", (t) => {
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
  const anon = b.addCStruct(
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
    { name: "name", type: b.addArray(chr, 16) },
    { name: "", type: anon },
    { name: "ok", type: bool },
  ]);
  b.addEnum("color", [
    { name: "RED", value: 0 },
    { name: "GREEN", value: 7 },
  ]);
  b.addEnum("sign", [{ name: "NEG", value: -5 }]);
  b.addEnum64("big", [{ name: "HUGE", value: 1n << 40n }]);
  b.addFwd("opaque");
  const thingT = b.addTypedef("thing_t", thing);
  const pcchar = b.addPtr(b.addConst(chr));
  b.addVolatile(u32);
  const proto = b.addFuncProto(u32, [
    { name: "t", type: b.addPtr(thingT) },
    { name: "s", type: b.addRestrict(pcchar) },
  ]);
  b.addFunc("do_thing", proto, FuncLinkage.GLOBAL);
  b.addFunc("helper", b.addFuncProto(0, []), FuncLinkage.STATIC);
  b.addPtr(b.addFuncProto(0, [{ name: "fmt", type: pcchar }], { variadic: true }));
  const counter = b.addVar("counter", u32, VarLinkage.GLOBAL_ALLOCATED);
  const hidden = b.addVar("hidden", s64, VarLinkage.STATIC);
  b.addDatasec(".data", 16, [
    { type: counter, offset: 0, size: 4 },
    { type: hidden, offset: 8, size: 8 },
  ]);
  b.addFloat("double", 8);
  b.addDeclTag("my_tag", thing, 1);
  b.addDeclTag("whole", thing);
  b.addPtr(b.addTypeTag("user", u32));
  const blob = b.build();
  Btf.parse(blob).validate();
  const fd = loadBtf(blob); // throws with the kernel's BTF log if rejected
  t.after(() => closeFd(fd));
  assert.ok(fd > 0);
});

test("the kernel rejects BTF that breaks its rules (and says why)", () => {
  const b = new BtfBuilder();
  const u32 = b.stdInt(4);
  // A var may not be extern in loaded BTF.
  b.addDatasec(".data", 4, [{ type: b.addVar("v", u32, VarLinkage.GLOBAL_EXTERN), offset: 0, size: 4 }]);
  assert.throws(
    () => loadBtf(b.build()),
    (e: unknown) => e instanceof SyscallError && e.code === "EINVAL" && /BTF log/.test(e.message),
  );
});

/** Little-endian encoding of one instruction. */
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (src << 4) | dst;
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}

test("a program with a subprogram loads with func_info and line_info, and the log shows our lines", (t) => {
  // main: r1 = 5; call sub; exit.   sub(a0): r0 = a0; exit.
  const code = Buffer.concat([
    insn(0xb7, 1, 0, 0, 5), // r1 = 5
    insn(0x85, 0, 1, 0, 1), // call pc+1 (BPF_PSEUDO_CALL) → insn 3
    insn(0x95, 0, 0, 0, 0), // exit
    insn(0xbf, 0, 1, 0, 0), // r0 = r1
    insn(0x95, 0, 0, 0, 0), // exit
  ]);
  const info = programBtf(
    [
      { name: "entry", insnOffset: 0 },
      { name: "sub", insnOffset: 3, argCount: 1 },
    ],
    [
      { insnOffset: 0, file: "demo.ts", line: 10, column: 3, text: "let x = 5" },
      { insnOffset: 1, file: "demo.ts", line: 11, column: 3, text: "return sub(x)" },
      { insnOffset: 3, file: "demo.ts", line: 20, column: 3, text: "return a0 // in sub" },
    ],
  );
  const btfFd = loadBtf(info.btf);
  t.after(() => closeFd(btfFd));
  const mem = {
    insns: NativeMemory.from(code),
    license: NativeMemory.from("GPL"),
    log: new NativeMemory(1 << 16),
    funcInfo: NativeMemory.from(info.funcInfo),
    lineInfo: NativeMemory.from(info.lineInfo),
  };
  t.after(() => {
    for (const m of Object.values(mem)) m.free();
  });
  mem.log.bytes[0] = 0;
  const fd = bpfErrno(
    Cmd.PROG_LOAD,
    progLoadAttr({
      progType: ProgType.SOCKET_FILTER,
      insns: mem.insns,
      insnCount: code.length / 8,
      license: mem.license,
      logLevel: 2,
      logBuf: mem.log,
      name: "btf_ext_test",
      btfFd,
      funcInfo: mem.funcInfo,
      funcInfoCount: info.funcInfo.length / info.funcInfoRecSize,
      funcInfoRecSize: info.funcInfoRecSize,
      lineInfo: mem.lineInfo,
      lineInfoCount: info.lineInfo.length / info.lineInfoRecSize,
      lineInfoRecSize: info.lineInfoRecSize,
    }),
  );
  const end = mem.log.bytes.indexOf(0);
  const log = mem.log.bytes.toString("utf8", 0, end < 0 ? mem.log.size : end);
  assert.ok(fd > 0, `PROG_LOAD failed (${fd}); verifier log:\n${log}`);
  t.after(() => closeFd(fd));
  assert.match(log, /; let x = 5 @ demo\.ts:10/);
  assert.match(log, /; return a0 \/\/ in sub @ demo\.ts:20/);
  assert.match(log, /func#1 @3/);
  if (process.env.SHOW_LOG) console.log(log);
});

test("a program whose func_info does not match its subprograms is refused", (t) => {
  const code = Buffer.concat([insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)]);
  // Claims a second function at insn 1, which is not a call target.
  const info = programBtf([
    { name: "entry", insnOffset: 0 },
    { name: "ghost", insnOffset: 1 },
  ]);
  const btfFd = loadBtf(info.btf);
  t.after(() => closeFd(btfFd));
  const insns = NativeMemory.from(code),
    license = NativeMemory.from("GPL"),
    funcInfo = NativeMemory.from(info.funcInfo);
  t.after(() => {
    insns.free();
    license.free();
    funcInfo.free();
  });
  const ret = bpfErrno(
    Cmd.PROG_LOAD,
    progLoadAttr({
      progType: ProgType.SOCKET_FILTER,
      insns,
      insnCount: 2,
      license,
      logLevel: 0,
      logBuf: null,
      btfFd,
      funcInfo,
      funcInfoCount: 2,
      funcInfoRecSize: info.funcInfoRecSize,
    }),
  );
  if (ret >= 0) closeFd(ret);
  assert.equal(ret, -22); // EINVAL
});

test("maps accept BTF key/value types that match their sizes", (t) => {
  const m = mapKeyValueBtf("u32", {
    kind: "struct",
    name: "stats",
    fields: [
      { name: "packets", type: "u64" },
      { name: "bytes", type: "u64" },
      { name: "flags", type: "u8" },
    ],
  });
  assert.equal(m.valueSize, 24);
  const btfFd = loadBtf(m.btf);
  t.after(() => closeFd(btfFd));
  const fd = mapCreate({
    mapType: MapType.HASH,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: 8,
    name: "btf_kv",
    btfFd,
    btfKeyTypeId: m.keyTypeId,
    btfValueTypeId: m.valueTypeId,
  });
  t.after(() => closeFd(fd));
  assert.ok(fd > 0);
  // The kernel checks the sizes against the BTF: a value size that disagrees is refused.
  assert.throws(
    () => {
      const bad = mapCreate({
        mapType: MapType.HASH,
        keySize: m.keySize,
        valueSize: 16,
        maxEntries: 8,
        name: "btf_kv_bad",
        btfFd,
        btfKeyTypeId: m.keyTypeId,
        btfValueTypeId: m.valueTypeId,
      });
      closeFd(bad);
    },
    (e: unknown) => e instanceof SyscallError && e.code === "EINVAL",
  );
});
