// The same program attached for real to a socket of a connected pair: marked datagrams never
// arrive. Loading eBPF needs root (or CAP_BPF), so without it the test skips.
import assert from "node:assert/strict";
import { test } from "node:test";
import { socketPair } from "tsbpf";
import { MarkerFilter } from "../src/filter.js";

const skip = process.getuid?.() === 0 ? false : "loading eBPF programs needs root (run: sudo npm test)";

test("kernel: the receiving socket gets only unmarked datagrams", { skip }, () => {
  using filter = new MarkerFilter("#");
  const [sender, receiver] = socketPair("dgram");
  using _sender = sender,
    _receiver = receiver;
  using _attached = filter.attachTo(receiver);
  for (const message of ["one", "#two", "three", "#four", "#five"]) sender.send(message);
  assert.deepEqual(
    receiver.drain().map((d) => d.toString()),
    ["one", "three"],
  );
  assert.equal(filter.kept(), 2n);
  assert.equal(filter.dropped(), 3n);
});
