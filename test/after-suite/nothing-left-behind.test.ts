// After the whole suite, nothing the tests created may remain on the machine — no namespaces, no
// pins, no attached programs. `npm test` runs this folder as its own last step, once the kernel
// tests have finished, whether they passed or not (and then fails if anything is left).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { getNextId, Cmd } from "../../src/sys/bpf.js";
import { xdpInfo } from "../../src/programs/xdp.js";
import { tcInfo } from "../../src/programs/tc.js";

test("no network namespace created by the tests remains", () => {
  const left = existsSync("/run/netns") ? readdirSync("/run/netns").filter((n) => n.startsWith("tsbpf-")) : [];
  assert.deepEqual(left, []);
});

test("nothing the tests pinned remains in bpffs", () => {
  const left = existsSync("/sys/fs/bpf") ? readdirSync("/sys/fs/bpf").filter((n) => n.startsWith("tsbpf")) : [];
  assert.deepEqual(left, []);
});

test("no bpf link remains attached", () => {
  assert.equal(getNextId(Cmd.LINK_GET_NEXT_ID, 0), 0, "bpf links are still attached (see: tsbpf link list)");
});

test("loopback has no XDP or TC program left", () => {
  assert.equal(xdpInfo("lo").attached, "none");
  const ingress = tcInfo("lo", "ingress"),
    egress = tcInfo("lo", "egress");
  assert.deepEqual([...ingress.tcx, ...egress.tcx, ...ingress.clsact, ...egress.clsact], []);
  assert.doesNotMatch(execFileSync("ip", ["-d", "link", "show", "lo"], { encoding: "utf8" }), /prog\/xdp/);
});

test("no congestion control the tests registered (struct_ops) remains", () => {
  const available = readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
  assert.deepEqual(
    available.filter((n) => n.startsWith("tsbpf")),
    [],
  );
});
