// A packet read (`ctx.load(u8, off)`, `number | null`) compared before any null test: the bounds
// check runs before the read, and null (out of bounds) equals only null. Run in the VM, which
// refuses a packet read past the end as the verifier does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { artifactProgram, simulate } from "../../src/vm/index.js";
import { compileErrors, compileSource, KERNEL_IMPORT, packetsAroundOffset40 } from "../helpers/compiler-helpers.js";

const { LONG, SHORT } = packetsAroundOffset40();

/** Program bodies and their verdicts on [SHORT, LONG]. */
const CASES: [body: string, verdicts: [short: number, long: number]][] = [
  ["return ctx.load(u8, 40) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u16, 40) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u32, 40) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u64, 40) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u8, 40) !== 17 ? 1 : 2;", [1, 2]],
  ["return ctx.load(u32, 40) !== 18 ? 1 : 2;", [1, 1]],
  ["return 17 == ctx.load(u16, 40) ? 1 : 2;", [2, 1]],
  ["return ctx.load(u64, 40) != 17 ? 1 : 2;", [1, 2]],
  ["const p = ctx.load(u8, 40);\n  if (p === 17) return 1;\n  return 2;", [2, 1]],
  ["const same = ctx.load(u8, 40) === 17;\n  return same ? 1 : 2;", [2, 1]],
  // Null equals null: both reads out of bounds.
  ["return ctx.load(u8, 40) === ctx.load(u8, 50) ? 1 : 2;", [1, 2]],
  ["return ctx.load(u8, 40) === ctx.load(u8, 20) ? 1 : 2;", [2, 2]],
  ["return ctx.load(u8, 20) !== ctx.load(u8, 40) ? 1 : 2;", [1, 1]],
  // Offsets known at run time: bounded (len is even here), or unbounded (clamped; wraps when short).
  ["const off: u32 = 40 + (ctx.len & 1);\n  return ctx.load(u64, off) === 17 ? 1 : 2;", [2, 1]],
  ["const off: u32 = ctx.len - 34;\n  return ctx.load(u8, off) === 30 ? 1 : 2;", [2, 1]],
  // Truthiness is the number's: null and 0 are false.
  ["return ctx.load(u8, 40) ? 1 : 2;", [2, 1]],
  ["return ctx.load(u8, 41) ? 1 : 2;", [2, 2]],
  ["const p = ctx.load(u8, 41);\n  if (p === null) return 3;\n  return p ? 1 : 2;", [3, 2]],
  // A switch sends null to its default clause.
  ["switch (ctx.load(u8, 40)) {\n    case 17: return 1;\n    default: return 3;\n  }", [3, 1]],
  ["switch (ctx.load(u8, 40)) {\n    case 17: return 1;\n  }\n  return 4;", [4, 1]],
  // Tested first: relational operators too, and a switch on the narrowed value.
  ["const p = ctx.load(u32, 40);\n  if (p === null) return 3;\n  return p < 18 && p >= 17 ? 1 : 2;", [3, 1]],
  [
    "const p = ctx.load(u16, 40);\n  if (p === null) return 3;\n  switch (p) {\n    case 17: return 1;\n  }\n  return 2;",
    [3, 1],
  ],
];

const source = `import { xdp, u8, u16, u32, u64 } from "${KERNEL_IMPORT}";
${CASES.map(([body], i) => `export const p${i} = xdp((ctx) => {\n  ${body}\n});`).join("\n")}
export const tested = xdp((ctx) => {
  const read = ctx.load(u8, 40);
  if (read === null) return 3;
  let sum = read;
  sum += 1;
  return sum;
});`;
const artifact = (await compileSource(source)).artifact;

CASES.forEach(([body, [short, long]], i) => {
  test(`xdp: ${body.replaceAll(/\s+/g, " ")}`, () => {
    const program = artifactProgram(artifact, `p${i}`);
    assert.equal(simulate(program, { data: SHORT }).retval, short, "short packet");
    assert.equal(simulate(program, { data: LONG }).retval, long, "long packet");
  });
});

test("a relational comparison of a read that may be null is refused with its line", async () => {
  const errors = await compileErrors(`import { xdp, u8 } from "${KERNEL_IMPORT}";
export const p = xdp((ctx) => {
  const b = ctx.load(u8, 23);
  return b < 17 ? 1 : 2;
});`);
  assert.deepEqual(errors, ["4:10: 'b' is possibly 'null'."]);
});

test("a let initialized with a read that may be null is refused (it would hold a number read unchecked)", async () => {
  const errors = await compileErrors(`import { xdp, u8 } from "${KERNEL_IMPORT}";
export const p = xdp((ctx) => {
  let b = ctx.load(u8, 23);
  return b === 17 ? 1 : 2;
});`);
  assert.deepEqual(errors, ["3:11: a let cannot hold a packet read that may be null: test it first, or use const"]);
});

test("a let of a read already tested holds its number", () => {
  const program = artifactProgram(artifact, "tested");
  assert.equal(simulate(program, { data: SHORT }).retval, 3);
  assert.equal(simulate(program, { data: LONG }).retval, 18);
});
