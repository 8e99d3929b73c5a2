// The cgroup and socket hooks of kernel TypeScript (cgroupSkb, cgroupSock, cgroupSockAddr, sockOps,
// cgroupSysctl, cgroupSockopt, cgroupDevice): examples/kernel/*.bpf.ts compiled by tsbpf, loaded,
// attached to a fresh cgroup and checked against what real processes in that cgroup do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { artifactFor } from "../../src/compiler/index.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { CgroupTraffic } from "../../examples/kernel/cgroup-traffic.js";
import type * as Sockets from "../../examples/kernel/cgroup-sockets.bpf.js";
import type * as Policy from "../../examples/kernel/cgroup-policy.bpf.js";
import { cgroupFor } from "../helpers/cgroup.js";
import { compileErrors, compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";
import { AttachType } from "../../src/uapi.js";

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

// From dist/test/kernel to the sources in examples/kernel.
const EXAMPLES = fileURLToPath(new URL("../../../examples/kernel/", import.meta.url));
const SOCKETS_SOURCE = join(EXAMPLES, "cgroup-sockets.bpf.ts");
const POLICY_SOURCE = join(EXAMPLES, "cgroup-policy.bpf.ts");

async function loadExample<M>(
  source: string,
  programs: string[],
  constants: Record<string, unknown> = {},
): Promise<KernelObject<M>> {
  return KernelObject.load<M>(await artifactFor(source), { programs, constants });
}

/** A port nothing listens on right now (bound then closed). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function counterValues(map: Iterable<[number, bigint]>): bigint[] {
  return [...map].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

test("cgroupSock sock_create: a raw socket made in the cgroup fails with EPERM, TCP and UDP still work", async (t) => {
  const cgroup = cgroupFor(t);
  using obj = await loadExample<typeof Sockets>(SOCKETS_SOURCE, ["noRawSockets"]);
  const rawSocket = ["-e", 'use Socket; socket(my $s, PF_INET, SOCK_RAW, 1) or die "$!\\n"; print "ok\\n"'];
  {
    using _link = obj.programs.noRawSockets.attach(cgroup.path);
    const raw = cgroup.run("perl", rawSocket);
    assert.notEqual(raw.status, 0);
    assert.equal(raw.stderr.trim(), "Operation not permitted");
    const other = cgroup.node<string>(`const s = require("dgram").createSocket("udp4");
      s.bind(0, "127.0.0.1", () => { s.close(); const srv = require("net").createServer().listen(0, "127.0.0.1", () => { srv.close(); console.log(JSON.stringify("ok")); }); });`);
    assert.equal(other, "ok");
    assert.equal(spawnSync("perl", rawSocket, { encoding: "utf8" }).stdout, "ok\n", "outside the cgroup it works");
    assert.equal(obj.maps.counters.get(0), 1n);
  }
  assert.equal(cgroup.run("perl", rawSocket).stdout, "ok\n", "allowed again once detached");
});

test("cgroupSockAddr connect4/connect6: a connection to one port reaches the server on another", async (t) => {
  const cgroup = cgroupFor(t);
  const from = await freePort(),
    to = await freePort();
  // Servers and client run in one process in the cgroup (the test process blocks while it runs):
  // port `from` answers "A" (IPv4) or "A6" (IPv6), port `to` "B" or "B6"; the client connects to `from`.
  const script = `const net = require("net");
    const serve = (port, host, text) => new Promise((resolve) => {
      const s = net.createServer((c) => c.end(text)).listen(port, host, () => resolve(s)); });
    const read = (host) => new Promise((resolve) => {
      let data = ""; const s = net.connect(${from}, host);
      s.on("data", (d) => (data += d)); s.on("end", () => resolve(data)); s.on("error", (e) => resolve(e.code)); });
    Promise.all([serve(${from}, "127.0.0.1", "A"), serve(${to}, "127.0.0.1", "B"), serve(${from}, "::1", "A6"), serve(${to}, "::1", "B6")])
      .then(async (servers) => { const r = [await read("127.0.0.1"), await read("::1")];
        servers.forEach((s) => s.close()); console.log(JSON.stringify(r)); });`;
  using obj = await loadExample<typeof Sockets>(SOCKETS_SOURCE, ["steerConnect4", "steerConnect6"], {
    fromPort: from,
    toPort: to,
  });
  {
    using _l4 = obj.programs.steerConnect4.attach(cgroup.path);
    assert.deepEqual(cgroup.node<string[]>(script), ["B", "A6"]);
    assert.equal(obj.maps.counters.get(1), 1n);
  }
  {
    using _l6 = obj.programs.steerConnect6.attach(cgroup.path);
    assert.deepEqual(cgroup.node<string[]>(script), ["A", "B6"]);
    assert.equal(obj.maps.counters.get(1), 2n);
  }
  assert.deepEqual(cgroup.node<string[]>(script), ["A", "A6"], "nothing steered once detached");
});

test("cgroupSockAddr sendmsg4/recvmsg4: a datagram to one port reaches another, its reply looks like it came from the first", async (t) => {
  const cgroup = cgroupFor(t);
  const unusedPort = await freePort(),
    realPort = await freePort();
  using obj = await loadExample<typeof Sockets>(SOCKETS_SOURCE, ["steerSendmsg4", "steerRecvmsg4"], {
    fromPort: unusedPort,
    toPort: realPort,
  });
  using _send = obj.programs.steerSendmsg4.attach(cgroup.path);
  using _recv = obj.programs.steerRecvmsg4.attach(cgroup.path);
  const reply = cgroup.node<{ text: string; port: number }>(`const dgram = require("dgram");
    const server = dgram.createSocket("udp4");
    server.on("message", (m, from) => server.send("echo " + m, from.port, from.address));
    server.bind(${realPort}, "127.0.0.1", () => {
      const s = dgram.createSocket("udp4");
      s.on("message", (m, from) => { console.log(JSON.stringify({ text: String(m), port: from.port })); s.close(); server.close(); });
      s.send("hi", ${unusedPort}, "127.0.0.1");
    });`);
  assert.deepEqual(reply, { text: "echo hi", port: unusedPort });
  assert.equal(obj.maps.counters.get(3), 1n);
});

test("cgroupSockAddr bind4/bind6: binding the forbidden port fails with EPERM, other ports work", async (t) => {
  const cgroup = cgroupFor(t);
  const forbidden = await freePort();
  using obj = await loadExample<typeof Sockets>(SOCKETS_SOURCE, ["refuseBind4", "refuseBind6"], {
    forbiddenPort: forbidden,
  });
  using _b4 = obj.programs.refuseBind4.attach(cgroup.path);
  using _b6 = obj.programs.refuseBind6.attach(cgroup.path);
  const listen = (port: number, host: string): string => `new Promise((resolve) => {
    const s = require("net").createServer(); s.on("error", (e) => resolve(e.code));
    s.listen(${port}, "${host}", () => { s.close(); resolve("ok"); }); })`;
  const result = cgroup.node<string[]>(
    `Promise.all([${listen(forbidden, "127.0.0.1")}, ${listen(forbidden, "::1")}, ${listen(0, "127.0.0.1")}, ${listen(0, "::1")}]).then((r) => console.log(JSON.stringify(r)));`,
  );
  assert.deepEqual(result, ["EPERM", "EPERM", "ok", "ok"]);
  assert.equal(obj.maps.counters.get(2), 2n);
});

test("sockOps: one TCP connection made and closed in the cgroup is seen established on both sides and closed twice", async (t) => {
  const cgroup = cgroupFor(t);
  using obj = await loadExample<typeof Sockets>(SOCKETS_SOURCE, ["tcpEvents"]);
  using _link = obj.programs.tcpEvents.attach(cgroup.path);
  const echoed = cgroup.node<string>(`const net = require("net");
    const srv = net.createServer((c) => c.end("pong")).listen(0, "127.0.0.1", () => {
      let data = ""; const s = net.connect(srv.address().port, "127.0.0.1");
      s.on("data", (d) => (data += d)); s.on("end", () => { s.end(); srv.close(); console.log(JSON.stringify(data)); });
    });`);
  assert.equal(echoed, "pong");
  // Both ends reach TCP_CLOSE after the process exits (the last ACK may still be on its way).
  const deadline = Date.now() + 10_000;
  while ((obj.maps.counters.get(6) ?? 0n) < 2n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(counterValues(obj.maps.counters).slice(4, 7), [1n, 1n, 2n]);
});

test("cgroupSysctl: reads counted, a write refused with EPERM and its sysctl named", async (t) => {
  const cgroup = cgroupFor(t);
  const file = "/proc/sys/kernel/domainname";
  const current = readFileSync(file, "utf8").trim();
  using obj = await loadExample<typeof Policy>(POLICY_SOURCE, ["readOnlySysctl"]);
  {
    using _link = obj.programs.readOnlySysctl.attach(cgroup.path);
    const read = cgroup.run("dd", [`if=${file}`, "bs=256", "count=1", "status=none"]);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), current);
    // Writing the current value back: harmless if the refusal failed.
    const write = cgroup.run("sh", ["-c", `printf '%s\\n' "$0" | dd of=${file} status=none`, current]);
    assert.notEqual(write.status, 0);
    assert.match(write.stderr, /Operation not permitted/);
    assert.equal(obj.maps.counters.get(0), 1n, "one read");
    assert.equal(obj.maps.counters.get(1), 1n, "one refused write");
    assert.equal(obj.maps.lastRefused.get(0), "kernel/domainname");
  }
  const after = cgroup.run("sh", ["-c", `printf '%s\\n' "$0" | dd of=${file} status=none`, current]);
  assert.equal(after.status, 0, "writes work once detached");
});

test("cgroupSockopt: setsockopt(SO_BROADCAST) in the cgroup fails with EPERM; getsockopt calls are seen", async (t) => {
  const cgroup = cgroupFor(t);
  using obj = await loadExample<typeof Policy>(POLICY_SOURCE, ["noBroadcast", "countGetsockopt"]);
  assert.equal(obj.programs.noBroadcast.hook, "setsockopt");
  const script = `const s = require("dgram").createSocket("udp4");
    s.bind(0, "127.0.0.1", () => {
      let broadcast; try { s.setBroadcast(true); broadcast = "ok"; } catch (e) { broadcast = e.code; }
      let ttl; try { s.setTTL(7); ttl = "ok"; } catch (e) { ttl = e.code; }
      const size = s.getRecvBufferSize();
      console.log(JSON.stringify([broadcast, ttl, size > 0])); s.close(); });`;
  {
    using _set = obj.programs.noBroadcast.attach(cgroup.path);
    using _get = obj.programs.countGetsockopt.attach(cgroup.path);
    assert.deepEqual(cgroup.node<unknown[]>(script), ["EPERM", "ok", true]);
    assert.equal(obj.maps.counters.get(2), 1n, "one setsockopt refused");
    assert.ok((obj.maps.counters.get(3) ?? 0n) >= 1n, "getRecvBufferSize's getsockopt was seen");
  }
  assert.deepEqual(cgroup.node<unknown[]>(script), ["ok", "ok", true]);
});

test("cgroupDevice: opening the denied character device fails with EPERM, others open", async (t) => {
  const cgroup = cgroupFor(t);
  // /dev/zero is character device 1:5.
  using obj = await loadExample<typeof Policy>(POLICY_SOURCE, ["denyDevice"], { deniedMajor: 1, deniedMinor: 5 });
  const copy = (from: string): [string, string[]] => [
    "dd",
    [`if=${from}`, "of=/dev/null", "bs=1", "count=1", "status=none"],
  ];
  {
    using _link = obj.programs.denyDevice.attach(cgroup.path);
    const zero = cgroup.run(...copy("/dev/zero"));
    assert.notEqual(zero.status, 0);
    assert.match(zero.stderr, /\/dev\/zero.*Operation not permitted/);
    assert.equal(cgroup.run(...copy("/dev/urandom")).status, 0);
    assert.equal(obj.maps.counters.get(4), 1n);
  }
  assert.equal(cgroup.run(...copy("/dev/zero")).status, 0, "allowed once detached");
});

test("cgroup markers: sections and attach types as libbpf names them; a wrong hook or field is one clear error", async () => {
  const compiled =
    await compileSource(`import { cgroupSkb, cgroupSockAddr, cgroupSockopt, cgroupSock, sockOps, cgroupSysctl, cgroupDevice } from "${KERNEL_IMPORT}";
    export const a = cgroupSkb("egress", (ctx) => 1);
    export const b = cgroupSockAddr("sendmsg6", (ctx) => 1);
    export const c = cgroupSockopt("getsockopt", (ctx) => 1);
    export const d = cgroupSock("post_bind4", (ctx) => 1);
    export const e = sockOps((ctx) => 1);
    export const f = cgroupSysctl((ctx) => 1);
    export const g = cgroupDevice((ctx) => 1);`);
  assert.deepEqual(
    compiled.artifact.programs.map((p) => [p.name, p.section, p.expectedAttachType]),
    [
      ["a", "cgroup_skb/egress", AttachType.CGROUP_INET_EGRESS],
      ["b", "cgroup/sendmsg6", AttachType.CGROUP_UDP6_SENDMSG],
      ["c", "cgroup/getsockopt", AttachType.CGROUP_GETSOCKOPT],
      ["d", "cgroup/post_bind4", AttachType.CGROUP_INET4_POST_BIND],
      ["e", "sockops", AttachType.CGROUP_SOCK_OPS],
      ["f", "cgroup/sysctl", AttachType.CGROUP_SYSCTL],
      ["g", "cgroup/dev", AttachType.CGROUP_DEVICE],
    ],
  );
  const wrongHook = await compileErrors(`import { cgroupSockAddr } from "${KERNEL_IMPORT}";
    // @ts-expect-error the hook is checked by the compiler too
    export const p = cgroupSockAddr("connect5", (ctx) => 1);`);
  assert.equal(wrongHook.length, 1);
  assert.match(wrongHook[0]!, /"connect5" is not a cgroup_sock_addr hook \(one of bind4, bind6, connect4/);
  const readOnly = await compileErrors(`import { sockOps } from "${KERNEL_IMPORT}";
    export const p = sockOps((ctx) => {
      // @ts-expect-error op is readonly for TypeScript too
      ctx.op = 1;
      return 1;
    });`);
  assert.match(readOnly.join("\n"), /op of a sock_ops context is read-only/);
});
