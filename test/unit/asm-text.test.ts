// Text assembler for the bpf_conformance syntax: every test program of the suite assembles, the
// suite's negative files fail the way they should, and each form encodes as expected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AsmError, assembleText, decode, disassemble, encode, validateInstructions } from "../../src/asm/index.js";
import { parseDataFile } from "../../src/vm/conformance.js";
import { testData } from "../helpers/test-data.js";

const SUITE = testData("bpf_conformance");

function dataFiles(dir: string): string[] {
  return readdirSync(join(SUITE, dir))
    .filter((f) => f.endsWith(".data"))
    .sort();
}

const read = (dir: string, file: string) => parseDataFile(readFileSync(join(SUITE, dir, file), "utf8"));

test("every conformance test program assembles", (t) => {
  if (!existsSync(join(SUITE, "tests"))) {
    t.skip(`conformance suite not present at ${SUITE}`);
    return;
  }
  const files = dataFiles("tests");
  assert.ok(files.length >= 300, `found ${files.length} files`);
  let withRaw = 0;
  for (const file of files) {
    const data = read("tests", file);
    assert.ok(data.asm !== undefined, `${file} has an asm section`);
    let insns;
    try {
      insns = assembleText(data.asm!);
    } catch (err) {
      assert.fail(`${file}: ${(err as Error).message}`);
    }
    assert.ok(insns.length > 0, `${file} has instructions`);
    const bytes = encode(insns);
    assert.deepEqual(decode(bytes), insns, `${file} round-trips`);
    if (data.raw) {
      withRaw++;
      assert.equal(bytes.toString("hex"), Buffer.from(data.raw).toString("hex"), `${file}: matches its raw section`);
    }
    // Every program is a valid RFC 9669 encoding, except the suite's callx test (a uBPF extension).
    const problems = validateInstructions(insns, { linux: false });
    if (file === "callx.data") {
      assert.deepEqual(
        problems.map((p) => p.message),
        ["opcode 0x8d: call has no register form"],
      );
    } else {
      assert.deepEqual(problems, [], file);
    }
  }
  assert.ok(withRaw >= 1);
});

// What each negative file is expected to do. Assembler-level rejections must throw an AsmError
// naming the line; runtime-level ones assemble (a VM or the verifier rejects them later).
const NEGATIVE_ASSEMBLER_ERRORS: Record<string, RegExp> = {
  "invalid_imm32_dec_range.data": /line \d+: 2147483648 is out of range for a 32-bit immediate/,
  "invalid_imm32_hex_range.data": /line \d+: 0x100000000 is out of range for a 32-bit immediate/,
  "invalid_label.data": /line \d+: unknown label "NOT_A_LABEL"/,
  "invalid_lock.data": /line \d+: invalid number of operands for lock/i,
  "invalid_lock2.data": /line \d+: invalid number of operands for lock/i,
  "invalid_mnemonic.data": /line \d+: invalid mnemonic "ldxq"/,
  "invalid_offset.data": /line \d+: invalid memory operand "%r1"/,
  "invalid_offset_range.data": /line \d+: \+0x10000 is out of range for a 16-bit offset/,
  "invalid_operand_count.data": /line \d+: invalid number of operands for lddw/,
  "invalid_register.data": /line \d+: invalid register "%r50"/,
};
// Files whose program assembles: the failure they test happens when the program runs.
const NEGATIVE_RUNTIME = ["error.data", "incorrect_return_value_high_bits.data"];
// Files without a program.
const NEGATIVE_EMPTY = ["empty.data", "empty_instructions.data"];

test("negative conformance files fail where they should", (t) => {
  if (!existsSync(join(SUITE, "negative"))) {
    t.skip(`conformance suite not present at ${SUITE}`);
    return;
  }
  const seen = new Set<string>();
  for (const file of dataFiles("negative")) {
    const data = read("negative", file);
    if (file in NEGATIVE_ASSEMBLER_ERRORS) {
      seen.add(file);
      assert.throws(
        () => assembleText(data.asm!),
        (e: unknown) => {
          assert.ok(e instanceof AsmError, `${file}: AsmError`);
          assert.match(e.message, NEGATIVE_ASSEMBLER_ERRORS[file]!, file);
          assert.equal(typeof e.line, "number", `${file}: error carries the line`);
          // Where the suite spells out the error, ours says the same thing.
          if (data.error)
            assert.ok(e.message.toLowerCase().includes(data.error.toLowerCase()), `${file}: ${e.message}`);
          return true;
        },
      );
    } else if (NEGATIVE_RUNTIME.includes(file)) {
      seen.add(file);
      assert.ok(assembleText(data.asm!).length > 0, file);
    } else if (NEGATIVE_EMPTY.includes(file)) {
      seen.add(file);
      assert.equal(data.asm, undefined, file);
      assert.equal(data.raw, undefined, file);
    } else if (file === "invalid_unknown_directive.data") {
      // An unknown `-- name` section: like the suite, the reader then sees no program.
      seen.add(file);
      assert.equal(data.unknownSection, "Unknown directive");
      assert.equal(data.asm, undefined);
    } else if (file.startsWith("unused-")) {
      // Raw programs with a non-zero field the RFC says must be zero: decoding works, validation catches it.
      seen.add(file);
      assert.ok(data.raw, file);
      assert.equal(data.error, "", `${file} expects an error`);
      const problems = validateInstructions(decode(data.raw!), { linux: false });
      assert.equal(problems.length, 1, `${file}: ${JSON.stringify(problems)}`);
      assert.equal(problems[0]!.index, 0, file);
      const field = /-(offset|src|dst|imm)\.data$/.exec(file)![1]!;
      const expectField = field === "offset" ? /(off must be 0|invalid offset)/ : new RegExp(`${field} must be 0`);
      assert.match(problems[0]!.message, expectField, file);
      // Under Linux rules, mov64 with off=1 is addr_space_cast and therefore valid.
      if (file === "unused-mov64_reg-offset.data") assert.deepEqual(validateInstructions(decode(data.raw!)), []);
    }
    assert.ok(seen.has(file), `negative file ${file} is classified`);
  }
});

test("each text form encodes as expected", () => {
  const src = `
    mov %r0, 1
    mov32 %r1, -3
    add %r0, %r1
    add64 %r0, 0x10
    sdiv32 %r0, 3
    smod %r0, %r1
    movsx832 %r2, %r1
    movsx3264 %r2, %r1
    neg32 %r0
    neg %r0
    be16 %r0
    le64 %r0
    swap32 %r0
    bswap64 %r0
    lddw %r3, 0xFFFFFFFF80000000
    ldxw %r0, [%r1+4]
    ldxsb %r0, [%r10-1]
    ldxhsx %r0, [%r10]
    stxdw [%r10-8], %r1
    sth [%r10-2], 0x11
    ldabsh 12
    ldindw %r1, 4
    jeq %r1, 5, +2
    jslt32 %r1, %r2, -1
    lock add [%r10-8], %r1
    lock fetch xor32 [%r10-4], %r1
    lock xchg [%r10-8], %r1
    lock cmpxchg32 [%r10-8], %r1
    call 1
    call bpf_ktime_get_ns
    call runtime 7
    exit
  `;
  assert.deepEqual(disassemble(assembleText(src)), [
    "r0 = 1",
    "w1 = -3",
    "r0 += r1",
    "r0 += 16",
    "w0 s/= 3",
    "r0 s%= r1",
    "w2 = (s8)w1",
    "r2 = (s32)r1",
    "w0 = -w0",
    "r0 = -r0",
    "r0 = be16 r0",
    "r0 = le64 r0",
    "r0 = bswap32 r0",
    "r0 = bswap64 r0",
    "r3 = 0xffffffff80000000",
    "r0 = *(u32 *)(r1 +4)",
    "r0 = *(s8 *)(r10 -1)",
    "r0 = *(s16 *)(r10 +0)",
    "*(u64 *)(r10 -8) = r1",
    "*(u16 *)(r10 -2) = 17",
    "r0 = *(u16 *)skb[12]",
    "r0 = *(u32 *)skb[r1 + 4]",
    "if r1 == 0x5 goto pc+2",
    "if w1 s< w2 goto pc-1",
    "lock *(u64 *)(r10 -8) += r1",
    "r1 = atomic_fetch_xor((u32 *)(r10 -4), r1)",
    "r1 = atomic64_xchg((u64 *)(r10 -8), r1)",
    "r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)",
    "call bpf_map_lookup_elem#1",
    "call bpf_ktime_get_ns#5",
    "call kernel-function#7",
    "exit",
  ]);
});

test("labels: across lddw, the implicit exit label, local calls, ja32", () => {
  const insns = assembleText(`
    mov %r0, 0          # slot 0
    jeq %r0, 0, skip    # slot 1 -> 4
    lddw %r1, 0x100000000
    skip: ja exit       # slot 4 -> first exit at slot 7
    call local fn       # slot 5 -> 8
    ja32 skip           # slot 6 -> 4
    exit                # slot 7
    fn:
    mov %r0, 1
    exit
  `);
  assert.deepEqual(disassemble(insns), [
    "r0 = 0",
    "if r0 == 0x0 goto pc+2",
    "r1 = 0x100000000",
    "goto pc+2",
    "call pc+2",
    "gotol pc-3",
    "exit",
    "r0 = 1",
    "exit",
  ]);
  // An explicit label called exit wins over the implicit one.
  const explicit = assembleText("ja exit\nexit\nexit:\nmov %r0, 2\nexit");
  assert.equal(explicit[0]!.off, 1);
});

test("errors name the line", () => {
  const cases: [string, RegExp, number][] = [
    ["mov %r0, 1\nfoo %r0\nexit", /^line 2: invalid mnemonic "foo": foo %r0$/, 2],
    ["mov %r0\nexit", /^line 1: invalid number of operands for mov: expected 2, got 1/, 1],
    ["exit\nldxw %r0, [%r11+0]", /^line 2: invalid register "%r11"/, 2],
    ["\n\njne %r0, 1, nowhere\nexit", /^line 3: unknown label "nowhere"/, 3],
    ["a:\na:\nexit", /^line 2: duplicate label "a"/, 2],
    ["stw [%r10-4], 4294967296", /^line 1: 4294967296 is out of range/, 1],
    ["jeq %r0, 1, +40000", /^line 1: \+40000 is out of range for a 16-bit offset/, 1],
    ["lock nand [%r10-8], %r1", /^line 1: invalid atomic operation "nand"/, 1],
    ["call nothing_here", /^line 1: invalid call target "nothing_here"/, 1],
    ["movsx3232 %r0, %r1", /^line 1: invalid mnemonic "movsx3232"/, 1],
  ];
  for (const [src, re, line] of cases) {
    assert.throws(
      () => assembleText(src),
      (e: unknown) => e instanceof AsmError && re.test(e.message) && e.line === line,
      src,
    );
  }
});
