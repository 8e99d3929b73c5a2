import { test } from "node:test";
import assert from "node:assert/strict";
import { LpmTrieMap, bytes, u32 } from "../../src/maps/index.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { MapFlags, MapType } from "../../src/uapi.js";

const ip = (text: string): Uint8Array => Uint8Array.from(text.split(".").map(Number));
const cidr = (text: string): { prefixLen: number; data: Uint8Array } => {
  const [addr, len] = text.split("/");
  return { prefixLen: Number(len), data: ip(addr!) };
};

test("LPM trie: the longest matching prefix wins", () => {
  using trie = LpmTrieMap.create({ name: "t_lpm", data: bytes(4), value: u32, maxEntries: 16 });
  assert.equal(trie.type, MapType.LPM_TRIE);
  assert.ok(trie.flags & MapFlags.NO_PREALLOC);
  assert.equal(trie.keySize, 8);
  assert.equal(trie.maxPrefixLen, 32);
  trie.set(cidr("10.0.0.0/8"), 8).set(cidr("10.1.0.0/16"), 16).set(cidr("10.1.2.0/24"), 24).set(cidr("0.0.0.0/0"), 0);
  assert.equal(trie.lookup(ip("10.1.2.3")), 24);
  assert.equal(trie.lookup(ip("10.1.9.9")), 16);
  assert.equal(trie.lookup(ip("10.200.0.1")), 8);
  assert.equal(trie.lookup(ip("192.168.1.1")), 0);
  assert.equal(trie.get(cidr("10.1.0.0/16")), 16);
  assert.equal(trie.get({ prefixLen: 32, data: ip("10.1.2.3") }), 24);

  const keys = [...trie.keys()].map((k) => `${[...k.data].join(".")}/${k.prefixLen}`).sort();
  assert.deepEqual(keys, ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]);
  assert.equal(trie.delete(cidr("10.1.2.0/24")), true);
  assert.equal(trie.lookup(ip("10.1.2.3")), 16);
  assert.equal(trie.delete(cidr("10.1.2.0/24")), false);
  assert.equal(trie.delete(cidr("0.0.0.0/0")), true);
  assert.equal(trie.lookup(ip("192.168.1.1")), undefined);
  assert.throws(() => trie.set({ prefixLen: 33, data: ip("1.2.3.4") }, 1), RangeError);
});

test("LPM trie batch operations: lookup, update and delete work; lookup-and-delete is not supported", () => {
  using trie = LpmTrieMap.create({ name: "t_lpm_batch", data: bytes(4), value: u32, maxEntries: 16 });
  trie.set(cidr("10.0.0.0/8"), 8);
  assert.equal(
    trie.updateBatch([
      [cidr("11.0.0.0/8"), 11],
      [cidr("11.1.0.0/16"), 111],
    ]),
    2,
  );
  assert.equal(trie.lookup(ip("11.1.1.1")), 111);
  const all = trie
    .lookupBatch()
    .map(([k, v]) => [`${[...k.data].join(".")}/${k.prefixLen}`, v])
    .sort();
  assert.deepEqual(all, [
    ["10.0.0.0/8", 8],
    ["11.0.0.0/8", 11],
    ["11.1.0.0/16", 111],
  ]);
  assert.equal(trie.deleteBatch([cidr("11.1.0.0/16"), cidr("12.0.0.0/8")]), 1);
  assert.equal(trie.lookup(ip("11.1.1.1")), 11);
  assert.throws(() => trie.lookupAndDeleteBatch(), NotSupportedError);
});
