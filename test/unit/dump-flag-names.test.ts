// The decoders' shared bit-name list (print/names.ts flagNames, tcpdump's bittok2str): names in
// table order joined by ", ", the "none" text when no named bit is set, and the top bit of a
// 32-bit word (which JavaScript's & makes negative) counted as set.

import { test } from "node:test";
import assert from "node:assert/strict";
import { flagNames } from "../../src/tools/dump/print/names.js";

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
