// 64-bit constants above 2^53 through the kernel: a program stores them in a map and returns a
// 32-bit one, run with BPF_PROG_TEST_RUN (the same source runs in the VM in test/unit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { frame, loadSource } from "../helpers/compiler-helpers.js";
import { WIDE_EXPECTED, WIDE_SOURCE } from "../helpers/wide-constants.js";

test("64-bit constants above 2^53 (decimal, hex, BigInt, negative BigInt) are exact in the kernel", async () => {
  using obj = await loadSource(WIDE_SOURCE);
  assert.equal(testRun(Object.values(obj.programs)[0]!, { data: frame(0x0800) }).retval, 0xffff_fff0);
  const out = obj.maps.out as unknown as { get(i: number): bigint };
  WIDE_EXPECTED.forEach((v, i) => assert.equal(out.get(i), v, `slot ${i}`));
});
