// The decoders' shared text-field printers (print/unknown.ts): a counted field prints every byte
// (NULs and controls escaped as tcpdump does), a NUL-padded one stops at its first NUL, and both
// print what was captured of a cut field before the truncation ends the packet.

import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatState } from "../../src/tools/dump/format.js";
import { TRUNCATED } from "../../src/tools/dump/print/context.js";
import { printCountedText, printPaddedText } from "../../src/tools/dump/print/unknown.js";

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
