// 64-bit constants beyond 2^53: integer literals (decimal or hex) are read exactly from their
// source text, BigInt literals are integer constants wherever a number goes, and a constant that
// does not fit its type is one error. Run in the VM (the kernel twin is test/kernel).
import { test } from "node:test";
import assert from "node:assert/strict";
import { artifactProgram, simulate } from "../../src/vm/index.js";
import { compileErrors, compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";
import { WIDE_EXPECTED, WIDE_SOURCE } from "../helpers/wide-constants.js";

test("64-bit constants above 2^53 (decimal, hex, BigInt, negative BigInt) are exact in the VM", async () => {
  const m = await compileSource(WIDE_SOURCE);
  const program = artifactProgram(m.artifact, "p");
  const result = simulate(program, { data: new Uint8Array(64) });
  assert.equal(result.retval, 0xffff_fff0);
  const out = program.entries<number, bigint>(result, "out");
  WIDE_EXPECTED.forEach((v, i) => assert.equal(out.get(i), v, `slot ${i}`));
});

test("a constant out of range for its type is one error naming the type", async () => {
  const head = `import { xdp, ArrayMap, u32, u64, i64 } from "${KERNEL_IMPORT}";
export const out = new ArrayMap({ value: u64, maxEntries: 4 });
export const p = xdp(() => {
`;
  const cases: [string, RegExp][] = [
    [
      "const x: u64 = 0x1_0000_0000_0000_0000n; out.update(0, x);",
      /^4:18: constant 18446744073709551616 does not fit u64$/,
    ],
    [
      "const x: i64 = 0x8000_0000_0000_0000n; out.update(0, x);",
      /^4:18: constant 9223372036854775808 does not fit i64$/,
    ],
    [
      "const x: i64 = -0x8000_0000_0000_0001n; out.update(0, x);",
      /^4:18: constant -9223372036854775809 does not fit i64$/,
    ],
    ["const x: u32 = 4294967296n; out.update(0, x);", /^4:18: constant 4294967296 does not fit u32$/],
    ["out.update(0, 18446744073709551616);", /^4:17: constant 18446744073709551616 does not fit u64$/],
  ];
  for (const [body, expected] of cases) {
    const errors = await compileErrors(`${head}  ${body}\n  return 2;\n});`);
    assert.equal(errors.length, 1, `${body}: ${errors.join(" | ")}`);
    assert.match(errors[0]!, expected, body);
  }
});
