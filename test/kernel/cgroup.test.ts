import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cgroupPrograms,
  CgroupSkbHooks,
  CgroupSkbProgram,
  CgroupSockAddrProgram,
  CgroupSockProgram,
  SockOpsProgram,
} from "../../src/programs/cgroup.js";
import { LegacyAttachment, Link } from "../../src/links/link.js";
import { TsbpfError } from "../../src/errors.js";
import { AlreadyAttachedError, TargetNotFoundError } from "../../src/sys/errors.js";
import { AttachType } from "../../src/uapi.js";
import { Assembler, R0, R1, R2, R6, R7, R10, Size } from "../../src/asm/index.js";
import { ArrayMap, u64 } from "../../src/maps/index.js";
import { cgroupFor } from "../helpers/cgroup.js";
import { icmpCounterProgram, icmpCounters, ICMP_ECHO_REQUEST, returnProgram } from "../helpers/packet-programs.js";

/** counters[0] += 1 when the u32 at ctx+offset equals `value`; returns `match` then, `otherwise` else. */
function ctxMatchProgram(
  counters: { fd: number },
  offset: number,
  value: number,
  match: number,
  otherwise: number,
): Buffer {
  const a = new Assembler();
  a.mov64(R6, R1).mov64(R7, otherwise);
  a.ldx(Size.W, R0, R6, offset).jne(R0, value, "out");
  a.mov64(R7, match);
  a.st(Size.W, R10, -4, 0);
  a.ldMapFd(R1, counters).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.mov64(R1, 1).lockAdd(Size.DW, R0, R1, 0);
  a.label("out").mov64(R0, R7).exit();
  return a.assemble().bytes;
}

function htons(port: number): number {
  return ((port & 0xff) << 8) | (port >> 8);
}

async function listen(): Promise<Server & { port: number }> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return Object.assign(server, { port: address.port });
}

/** A Node.js snippet that tries to connect to each port and prints "ok" or the error code for each. */
function connectAll(ports: number[]): string {
  return `const net = require("net");
Promise.all(${JSON.stringify(ports)}.map((port) => new Promise((resolve) => {
  const s = net.connect(port, "127.0.0.1");
  s.on("connect", () => { s.destroy(); resolve("ok"); });
  s.on("error", (e) => resolve(e.code));
}))).then((r) => console.log(JSON.stringify(r)));`;
}

for (const via of ["link", "attach"] as const) {
  test(`cgroup_skb egress via ${via} counts the echo requests of a ping run inside a fresh cgroup, and only those`, (t) => {
    const cgroup = cgroupFor(t);
    using counters = icmpCounters("cg_egress");
    using prog = CgroupSkbProgram.load({
      name: "cg_icmp_out",
      hook: "egress",
      maps: [counters],
      code: icmpCounterProgram(counters, { ctx: "skb", l2: false, verdict: 1 }),
    });
    const attachment = prog.attach(cgroup.path, undefined, { via });
    try {
      assert.ok(via === "link" ? attachment instanceof Link : attachment instanceof LegacyAttachment);
      assert.equal(
        attachment.description,
        `cgroup_skb egress on ${cgroup.path} (${via === "link" ? "link" : "prog_attach, multi"})`,
      );
      assert.equal(cgroupPrograms(cgroup.path, CgroupSkbHooks.egress).length, 1);

      const inside = cgroup.run("ping", ["-n", "-q", "-c", "3", "-i", "0.2", "127.0.0.1"]);
      assert.equal(inside.status, 0, inside.stderr);
      assert.equal(counters.get(ICMP_ECHO_REQUEST), 3n);

      // A ping outside the cgroup is not seen.
      assert.equal(spawnSync("ping", ["-n", "-q", "-c", "2", "-i", "0.2", "127.0.0.1"]).status, 0);
      assert.equal(counters.get(ICMP_ECHO_REQUEST), 3n);
    } finally {
      attachment.detach();
    }
    assert.deepEqual(cgroupPrograms(cgroup.path, AttachType.CGROUP_INET_EGRESS), []);
    assert.equal(cgroup.run("ping", ["-n", "-q", "-c", "1", "127.0.0.1"]).status, 0);
    assert.equal(counters.get(ICMP_ECHO_REQUEST), 3n, "nothing counted after detach");
  });
}

test("cgroup_skb ingress returning 0 drops what the cgroup's sockets receive", (t) => {
  const cgroup = cgroupFor(t);
  using prog = CgroupSkbProgram.load({ name: "cg_drop_in", code: returnProgram(0) });
  {
    using _link = prog.attach(cgroup.path, "ingress");
    const dropped = cgroup.run("ping", ["-n", "-q", "-c", "2", "-i", "0.2", "-W", "1", "127.0.0.1"]);
    assert.match(dropped.stdout, /2 packets transmitted, 0 received/);
  }
  assert.equal(cgroup.run("ping", ["-n", "-q", "-c", "1", "127.0.0.1"]).status, 0);
});

test("cgroup_sock sock_create refuses UDP sockets in the cgroup and allows TCP", (t) => {
  const cgroup = cgroupFor(t);
  using denied = ArrayMap.create({ name: "cg_denied", value: u64, maxEntries: 1 });
  // struct bpf_sock: protocol at offset 12. Return 0 (refuse) for IPPROTO_UDP.
  using prog = CgroupSockProgram.load({
    name: "cg_no_udp",
    maps: [denied],
    code: ctxMatchProgram(denied, 12, 17, 0, 1),
  });
  assert.equal(prog.hook, "sock_create");
  {
    using _link = prog.attach(cgroup.path);
    const result = cgroup.node<{ udp: string; tcp: string }>(`
      const dgram = require("dgram"), net = require("net");
      const out = {};
      const s = dgram.createSocket("udp4");
      s.on("error", (e) => { out.udp = e.code; done(); });
      s.bind(0, "127.0.0.1", () => { out.udp = "ok"; s.close(); done(); });
      const srv = net.createServer().listen(0, "127.0.0.1", () => { out.tcp = "ok"; srv.close(); done(); });
      srv.on("error", (e) => { out.tcp = e.code; done(); });
      function done() { if (out.udp && out.tcp) console.log(JSON.stringify(out)); }`);
    assert.deepEqual(result, { udp: "EPERM", tcp: "ok" });
    assert.ok(denied.get(0)! >= 1n, "the refusal was counted");
  }
  const after = cgroup.node<string>(`const s = require("dgram").createSocket("udp4");
    s.on("error", (e) => console.log(JSON.stringify(e.code)));
    s.bind(0, "127.0.0.1", () => { console.log(JSON.stringify("ok")); s.close(); });`);
  assert.equal(after, "ok", "UDP works again once detached");
});

test("cgroup_sock_addr connect4 refuses connecting to one port, not to another", async (t) => {
  const cgroup = cgroupFor(t);
  const blocked = await listen(),
    open = await listen();
  t.after(() => {
    blocked.close();
    open.close();
  });
  using counters = ArrayMap.create({ name: "cg_connects", value: u64, maxEntries: 1 });
  // struct bpf_sock_addr: user_port (network order) at offset 24.
  using prog = CgroupSockAddrProgram.load({
    name: "cg_block_port",
    hook: "connect4",
    maps: [counters],
    code: ctxMatchProgram(counters, 24, htons(blocked.port), 0, 1),
  });
  {
    using _link = prog.attach(cgroup.path);
    assert.deepEqual(cgroup.node<string[]>(connectAll([blocked.port, open.port])), ["EPERM", "ok"]);
    assert.equal(counters.get(0), 1n);
  }
  assert.deepEqual(cgroup.node<string[]>(connectAll([blocked.port])), ["ok"]);
  assert.throws(() => CgroupSockAddrProgram.load({ name: "no_hook", code: returnProgram(1) }), /a hook is required/);
  assert.throws(() => prog.attach(cgroup.path, "bind4"), /loaded for hook "connect4"/);
});

test("sock_ops sees the active side of a TCP connection made in the cgroup established once", async (t) => {
  const cgroup = cgroupFor(t);
  const server = await listen();
  t.after(() => server.close());
  using counters = ArrayMap.create({ name: "cg_sockops", value: u64, maxEntries: 1 });
  const BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB = 4;
  using prog = SockOpsProgram.load({
    name: "cg_est",
    maps: [counters],
    code: ctxMatchProgram(counters, 0, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 1, 1),
  });
  using _link = prog.attach(cgroup.path);
  assert.deepEqual(cgroup.node<string[]>(connectAll([server.port])), ["ok"]);
  assert.equal(counters.get(0), 1n);
});

test("cgroup attach errors: missing directory, not a cgroup, the same program twice", (t) => {
  const cgroup = cgroupFor(t);
  using prog = CgroupSkbProgram.load({ name: "cg_pass", code: returnProgram(1) });
  assert.throws(
    () => prog.attach(join(cgroup.path, "missing"), "egress"),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError, String(err));
      assert.match(err.message, /cgroup ".*\/missing" not found/);
      return true;
    },
  );
  const plain = mkdtempSync(join(tmpdir(), "tsbpf-notcg-"));
  t.after(() => rmdirSync(plain));
  assert.throws(() => prog.attach(plain, "egress"), /not a cgroup v2 directory/);
  assert.throws(
    () => prog.attach(cgroup.path),
    (err: unknown) => err instanceof TsbpfError && /name the hook/.test(err.message),
  );
  {
    // Links may attach one program several times; PROG_ATTACH refuses a second attach.
    using _first = prog.attach(cgroup.path, "egress");
    using _second = prog.attach(cgroup.path, "egress");
    assert.equal(cgroupPrograms(cgroup.path, CgroupSkbHooks.egress).length, 2);
  }
  {
    using _first = prog.attach(cgroup.path, "egress", { via: "attach" });
    assert.throws(
      () => prog.attach(cgroup.path, "egress", { via: "attach" }),
      (err: unknown) => {
        assert.ok(err instanceof AlreadyAttachedError, String(err));
        assert.match(err.message, /"cg_pass" is already attached to cgroup_skb egress on /);
        return true;
      },
    );
  }
  using _ingress = prog.attach(cgroup.path, "ingress"); // no hook at load: either direction
  using egressOnly = CgroupSkbProgram.load({ name: "cg_out_only", hook: "egress", code: returnProgram(1) });
  assert.throws(
    () => egressOnly.attach(cgroup.path, "ingress"),
    /loaded for hook "egress" and cannot attach to "ingress"/,
  );
  assert.deepEqual(cgroupPrograms(cgroup.path, CgroupSkbHooks.egress), []);
});
