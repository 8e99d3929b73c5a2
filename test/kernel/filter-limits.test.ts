// A filter the kernel's verifier gives up on for its size is refused with one line that says so.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { compileFilter, loadFilterProgram } from "../../src/filter/compile.js";
import { FilterError } from "../../src/filter/errors.js";

test("a filter with more branches in a row than the verifier follows is refused as too large", () => {
  // 9000 tests in a row: past the verifier's 8192 jumps in one sequence (it answers E2BIG)
  const filter = compileFilter(Array.from({ length: 9000 }, (_, i) => `len != ${i + 1}`).join(" and "));
  assert.throws(
    () => loadFilterProgram(filter).close(),
    (e: unknown) =>
      e instanceof FilterError &&
      /^expression too large for the kernel: the verifier gives up on its \d+ instructions \(.+\)$/.test(e.message) &&
      !e.pretty().includes("\n"),
  );
  // one a little shorter loads
  loadFilterProgram(compileFilter(Array.from({ length: 2000 }, (_, i) => `len != ${i + 1}`).join(" and "))).close();
});
