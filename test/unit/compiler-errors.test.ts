// Everything outside the subset is a compile error naming file:line:col with a one-line reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileErrors, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

const HEAD = `import { xdp, tracepoint, HashMap, ArrayMap, struct, bytes, u8, u16, u32, u64, XDP_PASS } from "${KERNEL_IMPORT}";\n`;

/** [what, program body lines (line 3 is the first), expected "line:col", message pattern] */
const CASES: [string, string, string, RegExp][] = [
  ["var", `export const p = xdp(() => {\n  var x: u32 = 1;\n  return x;\n});`, "3:3", /use let or const/],
  [
    "try/catch",
    `export const p = xdp(() => {\n  try { return 1; } catch { return 2; }\n});`,
    "3:3",
    /try\/catch is not in the subset/,
  ],
  ["throw", `export const p = xdp(() => {\n  throw 1;\n});`, "3:3", /throw is not in the subset/],
  [
    "for...of over an array",
    `export const p = xdp(() => {\n  let s: u32 = 0;\n  for (const x of [1, 2, 3]) { s += x; }\n  return s;\n});`,
    "4:3",
    /for…of \/ for…in are not in the subset: use a counted for loop$/,
  ],
  [
    "string concatenation",
    `export const p = xdp(() => {\n  const s = "a" + "b";\n  return 0;\n});`,
    "3:13",
    /string operations are not in the subset/,
  ],
  [
    "string type",
    `export const p = xdp(() => {\n  const s: string = "a";\n  return 0;\n});`,
    "3:12",
    /string is not in the subset: strings are only for log messages/,
  ],
  [
    "for...in",
    `export const p = xdp((ctx) => {\n  for (const k in ctx) {}\n  return 0;\n});`,
    "3:3",
    /for…of \/ for…in/,
  ],
  [
    "nested function",
    `export const p = xdp(() => {\n  function f(): u32 { return 1; }\n  return f();\n});`,
    "3:3",
    /nested functions/,
  ],
  [
    "non-null assertion",
    `export const m = new HashMap({ key: u32, value: u64, maxEntries: 4 });\nexport const p = xdp(() => {\n  const v = m.lookup(1)!;\n  return 0;\n});`,
    "4:13",
    /non-null assertions/,
  ],
  [
    "number without width",
    `export const p = xdp(() => {\n  const x: number = 1;\n  return x;\n});`,
    "3:12",
    /number has no width/,
  ],
  [
    "optional chaining",
    `export const m = new HashMap({ key: u32, value: u64, maxEntries: 4 });\nexport const p = xdp(() => {\n  const v = m.lookup(1)?.value;\n  return 0;\n});`,
    "4:13",
    /optional chaining/,
  ],
  [
    "string",
    `export const p = xdp(() => {\n  const s = "hello";\n  return s.length;\n});`,
    "4:10",
    /string has no property length|a string/,
  ],
  ["class", `class Foo { x = 1 }\nexport const p = xdp(() => 0);`, "2:1", /struct declarations/],
  [
    "string enum",
    `enum Color { Red = "red" }\nexport const p = xdp(() => 0);`,
    "2:14",
    /enum member Red is not an integer/,
  ],
  [
    "undefined",
    `export const p = xdp(() => {\n  const x = undefined;\n  return 0;\n});`,
    "3:13",
    /undefined is not in the subset/,
  ],
  [
    "new in a function",
    `export const p = xdp(() => {\n  const m = new HashMap({ key: u32, value: u64, maxEntries: 4 });\n  return 0;\n});`,
    "3:13",
    /new is only for module-level map declarations/,
  ],
  [
    "??",
    `export const m = new HashMap({ key: u32, value: u64, maxEntries: 4 });\nexport const p = xdp(() => {\n  const v = m.lookup(1) ?? null;\n  return 0;\n});`,
    "4:13",
    /\?\? is not in the subset/,
  ],
  ["**", `export const p = xdp((ctx) => {\n  return ctx.len ** 2;\n});`, "3:10", /\*\* is not in the subset/],
  [
    "untyped object literal",
    `export const p = xdp(() => {\n  const o = { a: 1 };\n  return 0;\n});`,
    "3:13",
    /object literal needs a struct type/,
  ],
  [
    "six parameters",
    `function f(a: u32, b: u32, c: u32, d: u32, e: u32, g: u32): u32 { return a; }\nexport const p = xdp(() => f(1, 2, 3, 4, 5, 6));`,
    "3:28",
    /more than 5 parameters/,
  ],
  [
    "recursion",
    `function f(n: u32): u32 { return n === 0 ? 0 : f(n - 1); }\nexport const p = xdp(() => f(3));`,
    "2:27",
    /recursion is not in the subset \(p → f → f\)/,
  ],
  [
    "type error in a struct literal",
    `export class Big extends struct({ a: bytes(400) }) {}\nexport const p = xdp(() => {\n  const a: Big = { a: 1 };\n  return 0;\n});`,
    "4:20",
    /Type 'number' is not assignable/,
  ],
  [
    "stack over 512 bytes",
    `import { zeroed } from "${KERNEL_IMPORT}";\nexport class Big extends struct({ a: bytes(300) }) {}\nexport const p = xdp(() => {\n  const a = zeroed(Big);\n  const b = zeroed(Big);\n  return a.a[0] + b.a[0];\n});`,
    "4:22",
    /needs 608 bytes of stack; eBPF allows 512/,
  ],
  [
    "long map name",
    `export const averyveryverylongname = new HashMap({ key: u32, value: u64, maxEntries: 4 });\nexport const p = xdp(() => 0);`,
    "2:14",
    /longer than the kernel's 15 characters/,
  ],
  [
    "program as a value",
    `export const a = xdp(() => 0);\nexport const p = xdp(() => { const x = a; return 0; });`,
    "3:40",
    /is a program; programs are not values/,
  ],
  ["type error", `export const p = xdp((ctx) => {\n  return ctx.nope;\n});`, "3:14", /Property 'nope' does not exist/],
  [
    "constant too wide",
    `export const p = xdp(() => {\n  const x: u8 = 300;\n  return x;\n});`,
    "3:17",
    /constant 300 does not fit u8/,
  ],
  [
    "typeof",
    `export const p = xdp((ctx) => {\n  const t = typeof ctx;\n  return 0;\n});`,
    "3:13",
    /typeof is not in the subset/,
  ],
  [
    "arrow function value",
    `export const p = xdp(() => {\n  const f = () => 1;\n  return 0;\n});`,
    "3:13",
    /function expressions are not in the subset/,
  ],
  [
    "unknown tracepoint",
    `export const t = tracepoint("nosuch/event", (ctx) => 0);`,
    "2:14",
    /no format file|tracepoint/,
  ],
  [
    "constant index out of range",
    `export class S extends struct({ a: bytes(4) }) {}\nexport const m = new ArrayMap({ value: S, maxEntries: 1 });\nexport const p = xdp(() => {\n  const s = m.lookup(0);\n  if (s === null) return 0;\n  return s.a[4];\n});`,
    "7:14",
    /index 4 is outside u8\[4\]/,
  ],
  [
    "division by constant zero",
    `export const p = xdp(() => {\n  return 1 / 0;\n});`,
    "3:10",
    /constant division by zero/,
  ],
  [
    "labelled break",
    `export const p = xdp(() => {\n  outer: for (;;) { break outer; }\n  return 0;\n});`,
    "3:3",
    /labelled statements/,
  ],
  ["floating point", `export const p = xdp(() => {\n  const x: u32 = 1.5;\n  return x;\n});`, "3:18", /not an integer/],
  [
    "global without a type",
    `export let counter = 0;\nexport const p = xdp(() => { counter += 1; return 0; });`,
    "2:12",
    /needs a type annotation/,
  ],
  [
    "module-level statement",
    `Math.max(1, 2);\nexport const p = xdp(() => 0);`,
    "2:1",
    /at module level is not in the subset/,
  ],
  ["no programs", `export const x = 1;`, "1:1", /no programs/],
  [
    "generic function",
    `function id<T>(x: u32): u32 { return x; }\nexport const p = xdp(() => id(1));`,
    "2:1",
    /generic functions are not in the subset/,
  ],
  [
    "async function",
    `async function f(): Promise<u32> { return 1; }\nexport const p = xdp(() => { f(); return 0; });`,
    "2:1",
    /generators and async functions/,
  ],
  [
    "comparing views",
    `export class S extends struct({ a: u32 }) {}\nexport const m = new ArrayMap({ value: S, maxEntries: 2 });\nexport const p = xdp(() => {\n  const a = m.lookup(0), b = m.lookup(1);\n  if (a === null || b === null) return 0;\n  return a === b ? 1 : 0;\n});`,
    "7:10",
    /views and kernel objects only compare with null/,
  ],
];

for (const [what, body, where, pattern] of CASES) {
  test(`compile error: ${what}`, async () => {
    const errors = await compileErrors(HEAD + body);
    const hit = errors.find((e) => pattern.test(e));
    assert.ok(hit, `expected ${pattern} among:\n  ${errors.join("\n  ")}`);
    assert.ok(hit.startsWith(`${where}:`), `expected it at ${where}: ${hit}`);
    for (const e of errors) assert.ok(!e.includes("\n"), "one line per diagnostic");
  });
}

test("several errors in different functions are all reported, each with its position", async () => {
  const errors = await compileErrors(
    HEAD +
      `function f(): u32 {\n  var a: u32 = 1;\n  return a;\n}\nexport const p = xdp(() => {\n  throw 1;\n});\nexport const q = xdp(() => f());`,
  );
  assert.ok(
    errors.some((e) => e.startsWith("3:3: use let or const")),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((e) => e.startsWith("7:3: throw is not in the subset")),
    errors.join("\n"),
  );
});

test("a for…of is the subset's reason, not lib.es5's missing [Symbol.iterator]; every construct of the file is reported", async () => {
  const errors = await compileErrors(
    HEAD +
      `export const p = xdp(() => {\n  let s: u32 = 0;\n  for (const x of [1, 2]) { s += x; }\n  var y: u32 = 1;\n  try { s += y; } catch { return 1; }\n  label: s += 1;\n  return s;\n});`,
  );
  assert.deepEqual(errors, [
    "4:3: for…of / for…in are not in the subset: use a counted for loop",
    "5:3: use let or const, not var",
    "6:3: try/catch is not in the subset: eBPF has no exceptions",
    "7:3: labelled statements are not in the subset",
  ]);
});

test("sk_lookup's assign() takes a socket map, sk_reuseport's selectSocket() a ReuseportSockArray, flowKeys is the flow dissector's", async () => {
  const errors = await compileErrors(`
import { skLookup, skReuseport, xdp, ArrayMap, SockMap, u32, SK_PASS, XDP_PASS } from "${KERNEL_IMPORT}";
export const a = new ArrayMap({ value: u32, maxEntries: 1 });
export const s = new SockMap({ maxEntries: 1 });
// @ts-expect-error: an array map holds no sockets
export const p = skLookup((ctx) => (ctx.assign(a, 0) === 0 ? SK_PASS : 0));
// @ts-expect-error: a sockmap is not a reuseport group
export const q = skReuseport((ctx) => (ctx.selectSocket(s, 0) === 0 ? SK_PASS : 0));
// @ts-expect-error: only a flow dissector has flow keys
export const r = xdp((ctx) => (ctx.flowKeys.nhoff === 0 ? XDP_PASS : 0));
`);
  assert.ok(
    errors.some((e) => /assign\(\) takes a SockMap or SockHash first/.test(e)),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((e) => /selectSocket\(\) takes a ReuseportSockArray first/.test(e)),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((e) => /xdp contexts have no field flowKeys/.test(e)),
    errors.join("\n"),
  );
});
