// A packet read (`ctx.load(u8, off)`, `number | null`) compared before any null test: the verifier
// accepts the program (the bounds check runs before the read), and BPF_PROG_TEST_RUN on a short
// and a long packet gives JavaScript's answers (null equals only null, null and 0 are falsy).
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { KERNEL_IMPORT, loadSource, packetsAroundOffset40 } from "../helpers/compiler-helpers.js";

const { LONG, SHORT } = packetsAroundOffset40();

/** Bodies reading at OFF (offset 40 of the frame) and their verdicts on [SHORT, LONG]. */
const CASES: [body: string, verdicts: [short: number, long: number]][] = [
  ["return ctx.load(u8, OFF) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u16, OFF) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u32, OFF) === 17 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u64, OFF) === 17 ? 1 : 2;", [2, 1]],
  ["const p = ctx.load(u8, OFF);\n  if (p !== 17) return 1;\n  return 2;", [1, 2]],
  ["return ctx.load(u16, OFF) !== 18 ? 1 : 2;", [1, 1]],
  ["return ctx.load(u32, OFF) == ctx.load(u32, OFF + 10) ? 1 : 2;", [1, 2]],
  // Offsets known at run time: bounded (len is even here), or unbounded (clamped; wraps when short).
  ["const off: u32 = OFF + (ctx.len & 1);\n  return ctx.load(u64, off) === 17 ? 1 : 2;", [2, 1]],
  ["const off: u32 = ctx.len - 34;\n  return ctx.load(u8, off) === 30 ? 1 : 2;", [2, 1]],
  ["return ctx.load(u8, OFF + 1) ? 1 : 2;", [2, 2]],
  ["switch (ctx.load(u8, OFF)) {\n    case 17: return 1;\n    default: return 3;\n  }", [3, 1]],
];

// XDP and TC read the packet in place from the Ethernet header; a socket filter copies it with
// bpf_skb_load_bytes from the network header (14 bytes on).
const KINDS = [
  ["xdp", 40],
  ["tc", 40],
  ["socketFilter", 26],
] as const;

for (const [kind, offset] of KINDS) {
  test(`${kind}: comparisons of packet reads not yet tested against null load and run`, async () => {
    const programs = CASES.map(
      ([body], i) => `export const p${i} = ${kind}((ctx) => {\n  ${body.replaceAll("OFF", String(offset))}\n});`,
    );
    using obj = await loadSource(`import { ${kind}, u8, u16, u32, u64 } from "${KERNEL_IMPORT}";
${programs.join("\n")}`);
    CASES.forEach(([body, [short, long]], i) => {
      const program = obj.programs[`p${i}`]!;
      assert.equal(testRun(program, { data: SHORT }).retval, short, `${body}: short packet`);
      assert.equal(testRun(program, { data: LONG }).retval, long, `${body}: long packet`);
    });
  });
}
