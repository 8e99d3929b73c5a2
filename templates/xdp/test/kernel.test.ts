// The same program in the running kernel: the verifier accepts it, and BPF_PROG_TEST_RUN runs it
// on crafted frames. Loading eBPF needs root (or CAP_BPF), so without it the test skips.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testRun } from "tsbpf";
import { XDP_PASS } from "tsbpf/kernel";
import { ProtocolCounter } from "../src/counter.js";
import { ipv4Frame } from "./frames.js";

const skip = process.getuid?.() === 0 ? false : "loading eBPF programs needs root (run: sudo npm test)";

test("kernel: the verifier loads the program and test runs count TCP and UDP apart", { skip }, () => {
  using counter = new ProtocolCounter();
  const prog = counter.object.programs.countProtocols;
  assert.equal(testRun(prog, { data: ipv4Frame(6), repeat: 4 }).retval, XDP_PASS);
  assert.equal(testRun(prog, { data: ipv4Frame(17), repeat: 2 }).retval, XDP_PASS);
  const counts = new Map(counter.counts().map((r) => [r.name, r.packets]));
  assert.deepEqual(
    [...counts],
    [
      ["TCP", 4n],
      ["UDP", 2n],
    ],
  );
});
