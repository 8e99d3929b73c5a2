// The same program in the running kernel: the verifier accepts it, and BPF_PROG_TEST_RUN runs it
// on crafted frames. Loading eBPF needs root (or CAP_BPF), so without it the test skips.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testRun } from "tsbpf";
import { TC_ACT_OK, TC_ACT_SHOT } from "tsbpf/kernel";
import { PortFilter } from "../src/filter.js";
import { ipv4Frame } from "./frames.js";

const skip = process.getuid?.() === 0 ? false : "loading eBPF programs needs root (run: sudo npm test)";

test("kernel: the verifier loads the filter, which drops only the blocked port", { skip }, () => {
  using filter = new PortFilter(8080);
  const prog = filter.object.programs.dropPort;
  assert.equal(testRun(prog, { data: ipv4Frame(6, 8080), repeat: 3 }).retval, TC_ACT_SHOT);
  assert.equal(testRun(prog, { data: ipv4Frame(6, 443) }).retval, TC_ACT_OK);
  assert.equal(filter.dropped().packets, 3n);
  assert.equal(filter.passed().packets, 1n);
});
