// The typed assembler: encodings of its methods, label resolution after layout (lddw = 2 slots),
// jump-range and label errors, function and line metadata for the loader.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Assembler,
  AsmError,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  R0,
  R1,
  R2,
  R6,
  R10,
  Size,
  decode,
  listing,
  validateInstructions,
  type Register,
} from "../../src/asm/index.js";

const hexOf = (build: (a: Assembler) => void): string => {
  const a = new Assembler();
  build(a);
  return a.assemble().bytes.toString("hex");
};

function assertAsmError(fn: () => unknown, check: (e: AsmError) => boolean, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AsmError, `${what}: expected AsmError, got ${String(e)}`);
    assert.ok(check(e), `${what}: ${e.message}`);
    return true;
  });
}

test("the README example assembles to the expected bytes", () => {
  const map = { fd: 4 };
  const a = new Assembler();
  a.mov64(R6, R1);
  a.ldx(Size.H, R0, R1, 12);
  a.jeq(R0, 0x0800, "ipv4");
  a.mov64(R0, 0).exit();
  a.label("ipv4");
  a.ldMapFd(R1, map);
  a.call("map_lookup_elem");
  a.exit();
  const prog = a.assemble();
  assert.deepEqual(listing(prog.insns), [
    "0: (bf) r6 = r1",
    "1: (69) r0 = *(u16 *)(r1 +12)",
    "2: (15) if r0 == 0x800 goto pc+2",
    "3: (b7) r0 = 0",
    "4: (95) exit",
    "5: (18) r1 = map[fd:4]",
    "7: (85) call bpf_map_lookup_elem#1",
    "8: (95) exit",
  ]);
  assert.equal(prog.bytes.length, 9 * 8);
  assert.deepEqual(decode(prog.bytes), prog.insns);
  assert.deepEqual(validateInstructions(prog.insns), []);
  assert.deepEqual(prog.functions, [{ name: "main", insnOffset: 0 }]);
  assert.deepEqual(prog.lines, []);
  assert.equal(prog.labels.get("ipv4"), 5);
});

test("method encodings", () => {
  assert.equal(
    hexOf((a) => a.mov64(R0, 1)),
    "b700000001000000",
  );
  assert.equal(
    hexOf((a) => a.mov32(R1, R2)),
    "bc21000000000000",
  );
  assert.equal(
    hexOf((a) => a.sdiv64(R1, R2)),
    "3f21010000000000",
  );
  assert.equal(
    hexOf((a) => a.smod32(R1, 3)),
    "9401010003000000",
  );
  assert.equal(
    hexOf((a) => a.movsx64(R1, R2, 32)),
    "bf21200000000000",
  );
  assert.equal(
    hexOf((a) => a.movsx32(R1, R2, 16)),
    "bc21100000000000",
  );
  assert.equal(
    hexOf((a) => a.be(R1, 16)),
    "dc01000010000000",
  );
  assert.equal(
    hexOf((a) => a.le(R1, 64)),
    "d401000040000000",
  );
  assert.equal(
    hexOf((a) => a.bswap(R1, 32)),
    "d701000020000000",
  );
  assert.equal(
    hexOf((a) => a.gotol(-70000)),
    "0600000090eefeff",
  );
  assert.equal(
    hexOf((a) => a.st(Size.DW, R10, -8, -1)),
    "7a0af8ffffffffff",
  );
  assert.equal(
    hexOf((a) => a.ldxsx(Size.B, R0, R1, 2)),
    "9110020000000000",
  );
  assert.equal(
    hexOf((a) => a.ldInd(Size.W, R2, 14)),
    "402000000e000000",
  );
  assert.equal(
    hexOf((a) => a.fetchXor(Size.W, R1, R2, 4)),
    "c3210400a1000000",
  );
  assert.equal(
    hexOf((a) => a.cmpxchg(Size.DW, R1, R2, 0)),
    "db210000f1000000",
  );
  assert.equal(
    hexOf((a) => a.xchg(Size.DW, R1, R2, 0)),
    "db210000e1000000",
  );
  assert.equal(
    hexOf((a) => a.call(12)),
    "850000000c000000",
  );
  assert.equal(
    hexOf((a) => a.callKfunc(0x1234, 2)),
    "8520020034120000",
  );
  assert.equal(
    hexOf((a) => a.ldMapValue(R1, 3, 8)),
    "18210000030000000000000008000000",
  );
  assert.equal(
    hexOf((a) => a.ldBtfId(R1, 5)),
    "18310000050000000000000000000000",
  );
  assert.equal(
    hexOf((a) => a.mayGoto(3)),
    "e500030000000000",
  );
  assert.equal(
    hexOf((a) => a.addrSpaceCast(R1, R2, 1, 0)),
    "bf21010000000100",
  );
});

test("labels resolve after layout, counting lddw as two slots", () => {
  const a = new Assembler();
  a.label("top"); //                     slot 0
  a.ja("end"); //                        slot 0 -> 5: off 4
  a.lddw(R1, 1n << 40n); //              slots 1-2
  a.jne(R1, 0, "top"); //                slot 3 -> 0: off -4
  a.gotol("end"); //                     slot 4 -> 5: imm 0
  a.label("end").exit(); //              slot 5
  const { insns, labels } = a.assemble();
  assert.equal(insns[0]!.off, 4);
  assert.equal(insns[2]!.off, -4);
  assert.equal(insns[3]!.imm, 0);
  assert.deepEqual(Object.fromEntries(labels), { top: 0, end: 5 });
  assert.equal(a.pc, 6);
  assert.equal(a.length, 5);
});

test("jumps beyond 16 bits are refused, naming the label; gotol reaches them", () => {
  const build = (fill: number, far: (a: Assembler) => void) => {
    const a = new Assembler();
    far(a);
    for (let i = 0; i < fill; i++) a.mov64(R0, 0);
    a.label("far").exit();
    return a;
  };
  // From slot 0 to slot fill+1: offset = fill.
  assert.equal(build(32767, (a) => a.ja("far")).assemble().insns[0]!.off, 32767);
  assertAsmError(
    () => build(32768, (a) => a.jeq(R1, 0, "far")).assemble(),
    (e) => e.label === "far" && /"far"/.test(e.message) && /out of range/.test(e.message),
    "forward jump",
  );
  assert.equal(build(32768, (a) => a.gotol("far")).assemble().insns[0]!.imm, 32768);

  const back = new Assembler();
  back.label("back");
  for (let i = 0; i < 32768; i++) back.mov64(R0, 0);
  back.ja("back"); // offset -(32768 + 1)
  assertAsmError(
    () => back.assemble(),
    (e) => e.label === "back",
    "backward jump",
  );
  // Raw offsets are range-checked at once.
  assertAsmError(
    () => new Assembler().ja(40000),
    (e) => /40000/.test(e.message),
    "raw offset",
  );
});

test("unknown and duplicate labels are errors naming the label", () => {
  const a = new Assembler();
  a.jeq(R1, 0, "nowhere").exit();
  assertAsmError(
    () => a.assemble(),
    (e) => e.label === "nowhere" && /unknown label "nowhere"/.test(e.message),
    "unknown",
  );
  const b = new Assembler();
  b.label("x").exit();
  assertAsmError(
    () => b.label("x"),
    (e) => e.label === "x" && /duplicate label "x"/.test(e.message),
    "duplicate",
  );
  const c = new Assembler();
  c.callLocal("missing_fn").exit();
  assertAsmError(
    () => c.assemble(),
    (e) => e.label === "missing_fn",
    "unknown call target",
  );
});

test("bpf-to-bpf calls and function metadata", () => {
  const a = new Assembler();
  a.line("prog.c", 3, 5, "int main(void) {");
  a.mov64(R1, 1); //                         slot 0
  a.callLocal("add_one"); //                 slot 1 -> 7: imm 5
  a.ldFunc(R2, "callback"); //               slots 2-3 -> 10: imm 7
  a.lddw(R0, 0); //                          slots 4-5
  a.exit(); //                               slot 6
  a.func("add_one"); //                      slot 7
  a.line("prog.c", 10, 2, "return x + 1;");
  a.mov64(R0, R1).add64(R0, 1).exit(); //    slots 7-9
  a.label("callback"); //                    slot 10, becomes a function because ldFunc targets it
  a.mov64(R0, 0).exit();
  const prog = a.assemble();
  const call = prog.insns[1]!;
  assert.equal(call.src, BPF_PSEUDO_CALL);
  assert.equal(call.imm, 7 - 2);
  const ldFunc = prog.insns[2]!;
  assert.equal(ldFunc.src, BPF_PSEUDO_FUNC);
  assert.equal(ldFunc.imm, 10 - 3);
  assert.equal(ldFunc.imm64, 7n);
  assert.deepEqual(prog.functions, [
    { name: "main", insnOffset: 0 },
    { name: "add_one", insnOffset: 7 },
    { name: "callback", insnOffset: 10 },
  ]);
  assert.deepEqual(prog.lines, [
    { insnOffset: 0, file: "prog.c", line: 3, column: 5, text: "int main(void) {" },
    { insnOffset: 7, file: "prog.c", line: 10, column: 2, text: "return x + 1;" },
  ]);
  assert.deepEqual(validateInstructions(prog.insns), []);
});

test("a func() at offset 0 names the main function", () => {
  const a = new Assembler();
  a.func("xdp_main").mov64(R0, 2).exit();
  assert.deepEqual(a.assemble().functions, [{ name: "xdp_main", insnOffset: 0 }]);
  assertAsmError(
    () => a.func("xdp_main"),
    (e) => e.label === "xdp_main",
    "func name reused",
  );
});

test("map references", () => {
  const a = new Assembler();
  a.ldMapFd(R1, 7).ldMapValue(R2, { fd: 8 }, 0x10);
  const [m, v] = a.assemble().insns;
  assert.equal(m!.src, BPF_PSEUDO_MAP_FD);
  assert.equal(m!.imm, 7);
  assert.equal(v!.src, BPF_PSEUDO_MAP_VALUE);
  assert.equal(v!.imm, 8);
  assert.equal(v!.imm64, (0x10n << 32n) | 8n);
  assertAsmError(
    () => new Assembler().ldMapFd(R1, -1),
    (e) => /fd -1/.test(e.message),
    "bad fd",
  );
});

test("raw instructions, immediates and operand checks", () => {
  const a = new Assembler();
  a.raw({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 42 }).emit({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  assert.deepEqual(listing(a.assemble().insns), ["0: (b7) r0 = 42", "1: (95) exit"]);

  // 32-bit immediates: signed or unsigned spelling; anything wider is refused.
  assert.equal(
    hexOf((b) => b.mov32(R0, 0xffffffff)),
    "b4000000ffffffff",
  );
  assertAsmError(
    () => new Assembler().mov64(R0, 2 ** 32),
    (e) => /does not fit 32 bits/.test(e.message),
    "imm",
  );
  assertAsmError(
    () => new Assembler().mov64(R0, 1.5),
    (e) => /1.5/.test(e.message),
    "fraction",
  );
  assertAsmError(
    () => new Assembler().lddw(R0, 2 ** 60),
    (e) => /bigint/.test(e.message),
    "unsafe number",
  );
  assertAsmError(
    () => new Assembler().ldx(Size.W, R0, R1, 40000),
    (e) => /40000/.test(e.message),
    "offset",
  );
  assertAsmError(
    () => new Assembler().call("no_such_helper"),
    (e) => /no_such_helper/.test(e.message),
    "helper",
  );
  assertAsmError(
    () => new Assembler().lockAdd(Size.H, R1, R2, 0),
    (e) => /invalid size/.test(e.message),
    "atomic size",
  );
  assert.throws(() => new Assembler().mov64("r11" as Register, 0), /r11/);
});

test("assemble() can be called again after appending", () => {
  const a = new Assembler();
  a.ja("done");
  assert.throws(() => a.assemble(), AsmError);
  a.label("done").exit();
  const first = a.assemble();
  assert.equal(first.insns[0]!.off, 0);
  a.exit();
  assert.equal(a.assemble().insns.length, 3);
  assert.equal(first.insns.length, 2);
});
