// The compiler's intrinsic tables: every kernel function src/kernel declares has an entry (and
// no entry names a function that does not exist), a name defined twice is refused, and names
// inherited from Object.prototype are never intrinsics.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as kernel from "../../src/kernel/index.js";
import * as kernelHelpers from "../../src/kernel/helpers.js";
import { KERNEL_FUNCTIONS, KERNEL_NAMESPACES } from "../../src/compiler/intrinsics/index.js";
import { lookup, mergeTables } from "../../src/compiler/intrinsics/api.js";
import { compileErrors, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

test("every kernel function in src/kernel/helpers.ts is an intrinsic", () => {
  const declared = Object.entries(kernelHelpers)
    // Functions, not the struct types (classes) declared beside them (SpinLock, Timer).
    .filter(([, v]) => typeof v === "function" && !/^class\b/.test(Function.prototype.toString.call(v)))
    .map(([name]) => name);
  assert.ok(declared.length > 20, `only ${declared.length} functions found`);
  const missing = declared.filter((name) => !lookup(KERNEL_FUNCTIONS, name));
  assert.deepEqual(missing, []);
});

test("every intrinsic names something tsbpf/kernel exports", () => {
  const exported = new Set(Object.keys(kernel));
  const unknown = [...Object.keys(KERNEL_FUNCTIONS), ...Object.keys(KERNEL_NAMESPACES)].filter(
    (name) => !exported.has(name),
  );
  assert.deepEqual(unknown, []);
});

test("a name defined in two tables is refused", () => {
  const entry = () => ({ k: "void" as const });
  assert.throws(() => mergeTables({ a: entry }, { b: entry, a: entry }), /intrinsic a is defined twice/);
  assert.deepEqual(Object.keys(mergeTables({ a: entry }, { b: entry })), ["a", "b"]);
});

test("Object.prototype names are not intrinsics", async () => {
  assert.equal(lookup(KERNEL_FUNCTIONS, "toString"), undefined);
  assert.equal(lookup(KERNEL_FUNCTIONS, "constructor"), undefined);
  const errors = await compileErrors(`import { xdp, log, XDP_PASS } from "${KERNEL_IMPORT}";
export const p = xdp(() => {
  log.hasOwnProperty("x");
  return XDP_PASS;
});`);
  assert.deepEqual(errors, ["3:3: log has error, warn, info, debug and trace, not hasOwnProperty"]);
});
