// The printer's number text (print/decimal.ts) is JavaScript's own for every unsigned 32-bit
// integer and printf's %06u / %09u for fractions: checked at every group boundary and on a
// spread of values.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decimal, fractionDigits } from "../../src/tools/dump/print/decimal.js";

function samples(): number[] {
  const values = [0, 0xffffffff, 0x7fffffff, 0x80000000, 2 ** 30, 2 ** 30 - 1];
  for (let p = 1; p <= 1e9; p *= 10) values.push(p - 1, p, p + 1, p * 4 + 7);
  // a multiplicative walk over the whole 32-bit range
  for (let i = 0, n = 1; i < 20000; i++, n = Math.imul(n, 0x9e3779b1) >>> 0) values.push(n, n >>> 12, n >>> 22);
  return values;
}

test("decimal() is String() for unsigned 32-bit integers", () => {
  for (const n of samples()) assert.equal(decimal(n), String(n), `${n}`);
});

test("decimal() hands other numbers to JavaScript's own text", () => {
  for (const n of [-1, -1000, 2 ** 32, 2 ** 40 + 3, 1.5, 0.001, NaN, Infinity, -0]) assert.equal(decimal(n), "" + n);
});

test("fractionDigits() pads to six or nine digits as printf does", () => {
  for (const n of samples()) {
    if (n < 1e6) assert.equal(fractionDigits(n, 6), String(n).padStart(6, "0"), `${n}`);
    if (n < 1e9) assert.equal(fractionDigits(n, 9), String(n).padStart(9, "0"), `${n}`);
  }
  // out of range (a malformed record): the whole number, as %06u prints it
  assert.equal(fractionDigits(1234567, 6), "1234567");
  assert.equal(fractionDigits(4294967295, 9), "4294967295");
  assert.equal(fractionDigits(7, 9), "000000007");
});
