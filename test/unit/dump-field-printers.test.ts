// The field printers the dump decoders share: the bit-name list (print/names.ts flagNames,
// tcpdump's bittok2str: names in table order joined by ", ", the "none" text when no named bit is
// set, the top bit of a 32-bit word counted as set), the text fields of print/unknown.ts (a counted
// field prints every byte, a NUL-padded one stops at its first NUL, both print what was captured
// of a cut field before the truncation), and the " (invalid)" exit and the 64-bit and
// little-endian 16-bit readers of print/context.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatState } from "../../src/tools/dump/format.js";
import { be64, le16, printInvalidRest, TRUNCATED } from "../../src/tools/dump/print/context.js";
import { flagNames } from "../../src/tools/dump/print/names.js";
import { printCountedText, printPaddedText } from "../../src/tools/dump/print/unknown.js";

const TABLE = [
  [0x80000000, "top"],
  [0x04, "four"],
  [0x01, "one"],
] as const;

test("flagNames() lists the set bits' names in table order", () => {
  assert.equal(flagNames(TABLE, 0x05), "four, one");
  assert.equal(flagNames(TABLE, 0xffffffff), "top, four, one");
  assert.equal(flagNames(TABLE, 0x80000001), "top, one");
});

test("flagNames() prints the none text when no named bit is set", () => {
  assert.equal(flagNames(TABLE, 0), "none");
  assert.equal(flagNames(TABLE, 0x02), "none");
  assert.equal(flagNames(TABLE, 0x02, "Unknown"), "Unknown");
});

/** A print context over `bytes` of which only the first `captured` are readable. */
function contextOver(bytes: number[], captured = bytes.length) {
  const c = new FormatState().contextFor({});
  c.reset(Uint8Array.from(bytes), captured);
  return c;
}

const AB_NUL_C = [0x41, 0x42, 0x00, 0x43];

test("printCountedText() prints all n bytes, NULs and controls escaped", () => {
  const c = contextOver([...AB_NUL_C, 0x0a, 0xc1]);
  printCountedText(c, 0, 6);
  assert.equal(c.out, "AB^@C^JM-A");
});

test("printPaddedText() stops at the first NUL or after n bytes", () => {
  const c = contextOver(AB_NUL_C);
  printPaddedText(c, 0, 4);
  assert.equal(c.out, "AB");
  c.out = "";
  printPaddedText(c, 3, 1);
  assert.equal(c.out, "C");
});

test("a field cut by the capture prints its captured bytes, then reports the truncation", () => {
  const counted = contextOver([0x41, 0x42, 0x43, 0x44], 2);
  assert.throws(
    () => printCountedText(counted, 0, 4),
    (e) => e === TRUNCATED,
  );
  assert.equal(counted.out, "AB");
  const padded = contextOver([0x41, 0x42, 0x43, 0x44], 3);
  assert.throws(
    () => printPaddedText(padded, 0, 4),
    (e) => e === TRUNCATED,
  );
  assert.equal(padded.out, "ABC");
});

test("printInvalidRest() marks the field invalid and passes when its rest was captured", () => {
  const c = contextOver([1, 2, 3, 4]);
  printInvalidRest(c, 1, 3);
  assert.equal(c.out, " (invalid)");
});

test("printInvalidRest() reports the truncation when the rest was not captured", () => {
  const c = contextOver([1, 2, 3, 4], 3);
  assert.throws(
    () => printInvalidRest(c, 1, 3),
    (e) => e === TRUNCATED,
  );
  assert.equal(c.out, " (invalid)");
});

test("be64() reads all 64 bits unsigned, and only when all eight bytes were captured", () => {
  const c = contextOver([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(be64(c, 0), 0xfffffffffffffffen);
  assert.equal(be64(c, 8), 0x8000000000000001n);
  c.snapend = 15;
  assert.throws(
    () => be64(c, 8),
    (e) => e === TRUNCATED,
  );
});

test("le16() reads little-endian, and only when both bytes were captured", () => {
  const c = contextOver([0x34, 0x12, 0xff]);
  assert.equal(le16(c, 0), 0x1234);
  assert.throws(
    () => le16(c, 2),
    (e) => e === TRUNCATED,
  );
});
