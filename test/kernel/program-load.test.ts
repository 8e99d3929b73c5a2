import { test } from "node:test";
import assert from "node:assert/strict";
import { Program, VerifierError } from "../../src/programs/program.js";
import { testRun } from "../../src/programs/test-run.js";
import { ProgType, XdpAction } from "../../src/uapi.js";

/** Raw encoding, so this test does not depend on the assembler. */
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (src << 4) | dst;
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}
const MOV64_IMM = 0xb7,
  EXIT = 0x95,
  LDXW = 0x61;

test("an XDP program loads and test_run returns its verdict", () => {
  using prog = Program.load({
    type: ProgType.XDP,
    name: "pass",
    code: Buffer.concat([insn(MOV64_IMM, 0, 0, 0, XdpAction.PASS), insn(EXIT, 0, 0, 0, 0)]),
  });
  const result = testRun(prog, { data: Buffer.alloc(64), repeat: 1000 });
  assert.equal(result.retval, XdpAction.PASS);
  assert.equal(result.data.length, 64);
});

test("a rejected program surfaces the verifier's log and the failing instruction", () => {
  // r0 = *(u32 *)(r2 + 0): r2 is uninitialised, the verifier must refuse it
  const code = Buffer.concat([insn(LDXW, 0, 2, 0, 0), insn(EXIT, 0, 0, 0, 0)]);
  assert.throws(
    () => Program.load({ type: ProgType.XDP, name: "bad", code }),
    (err: unknown) => {
      assert.ok(err instanceof VerifierError);
      assert.match(err.log, /R2 !read_ok/);
      assert.equal(err.failingInsn, 0);
      return true;
    },
  );
});

test("a rejection inside a subprogram names the function and the source line", async () => {
  const { Assembler, R0, R2, Size } = await import("../../src/asm/index.js");
  const a = new Assembler();
  a.func("entry").line("prog.ts", 3, 1, "return helper();").callLocal("helper").exit();
  a.func("helper").line("prog.ts", 7, 3, "return *bad;").ldx(Size.W, R0, R2, 0).exit();
  assert.throws(
    () => Program.load({ type: ProgType.SOCKET_FILTER, name: "sub", code: a.assemble() }),
    (err: unknown) => {
      assert.ok(err instanceof VerifierError);
      assert.equal(err.functionName, "helper");
      assert.equal(err.sourceLine?.line, 7);
      assert.match(err.message, /in function helper \(prog\.ts:7:3: return \*bad;\)/);
      assert.match(err.log, /return \*bad;/); // the kernel's log quotes our line_info
      return true;
    },
  );
});
