// The cgroup and socket hooks of kernel TypeScript (cgroupSkb, cgroupSock, cgroupSockAddr, sockOps,
// cgroupSysctl, cgroupSockopt, cgroupDevice): examples/kernel/*.bpf.ts compiled by tsbpf, loaded,
// attached to a fresh cgroup and checked against what real processes in that cgroup do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CgroupTraffic } from "../../examples/kernel/cgroup-traffic.js";
import { cgroupFor } from "../helpers/cgroup.js";

test("cgroupSkb example: exact ICMP counts of a ping run inside the cgroup, none of one outside", async (t) => {
  const cgroup = cgroupFor(t);
  using counter = (await CgroupTraffic.create()).attach(cgroup.path);
  assert.equal(counter.object.programs.egress.hook, "egress");
  const inside = cgroup.run("ping", ["-n", "-q", "-c", "3", "-i", "0.2", "127.0.0.1"]);
  assert.equal(inside.status, 0, inside.stderr);
  assert.equal(spawnSync("ping", ["-n", "-q", "-c", "2", "-i", "0.2", "127.0.0.1"]).status, 0);
  assert.deepEqual(counter.pings(), { requests: 3n, replies: 3n, dropped: 0n });
  const icmp = counter.traffic().filter((r) => r.protocol === 1);
  // 20 IPv4 + 8 ICMP + 56 payload bytes each.
  assert.deepEqual(icmp, [
    { direction: "received", protocol: 1, packets: 3n, bytes: 3n * 84n },
    { direction: "sent", protocol: 1, packets: 3n, bytes: 3n * 84n },
  ]);
});

test("cgroupSkb example with dropPings: egress verdict 0 drops the echo requests (ping gets EPERM)", async (t) => {
  const cgroup = cgroupFor(t);
  {
    using counter = (await CgroupTraffic.create({ dropPings: true })).attach(cgroup.path);
    const inside = cgroup.run("ping", ["-n", "-q", "-c", "2", "-i", "0.2", "-W", "1", "127.0.0.1"]);
    assert.notEqual(inside.status, 0);
    assert.match(inside.stdout + inside.stderr, /0 received|not permitted/);
    assert.deepEqual(counter.pings(), { requests: 0n, replies: 0n, dropped: 2n });
  }
  assert.equal(cgroup.run("ping", ["-n", "-q", "-c", "1", "127.0.0.1"]).status, 0, "ping works once detached");
});
