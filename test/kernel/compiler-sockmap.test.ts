// Socket maps from kernel TypeScript: an sk_skb verdict program attached to a sockmap redirects
// what one socket receives into another socket's receive queue (SockMap.redirect, SockHash.redirect).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeElf } from "../../src/compiler/elf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import type { SocketMap } from "../../src/maps/sock-map.js";
import { attachToSocketMap } from "../../src/programs/sk-skb.js";
import { socketPair } from "../../src/programs/socket-filter.js";
import { AttachType } from "../../src/uapi.js";
import { compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

const SOURCE = `
import { skSkb, SockMap, SockHash, ArrayMap, u8, u32, u64, SK_PASS, BPF_F_INGRESS } from "${KERNEL_IMPORT}";
export const socks = new SockMap({ maxEntries: 4 });
export const byId = new SockHash({ key: u32, maxEntries: 4 });
/** [0] verdicts run, [1] redirects that found their socket. */
export const stats = new ArrayMap({ value: u64, maxEntries: 2 });

/** Data starting with 'm' goes to socks[1], with 'h' to byId[7]; the rest stays where it arrived. */
export const route = skSkb((ctx) => {
  stats.increment(0);
  const first = ctx.load(u8, 0);
  if (first === null) return SK_PASS;
  let verdict: u32 = SK_PASS;
  if (first === 0x6d) verdict = socks.redirect(ctx, 1, BPF_F_INGRESS);
  else if (first === 0x68) verdict = byId.redirect(ctx, 7, BPF_F_INGRESS);
  else return SK_PASS;
  if (verdict === SK_PASS) stats.increment(1);
  return verdict;
});
`;

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

test("SockMap/SockHash.redirect: an sk_skb verdict program moves data between sockets", async (t) => {
  const m = await compileSource(SOURCE);
  using obj = KernelObject.load(m.artifact);
  const [a1, a2] = socketPair("stream"),
    [b1, b2] = socketPair("stream"),
    [c1, c2] = socketPair("stream");
  t.after(() => {
    for (const s of [a1, a2, b1, b2, c1, c2]) s[Symbol.dispose]();
  });
  const socks = obj.maps.socks as unknown as SocketMap<number>,
    byId = obj.maps.byId as unknown as SocketMap<number>;
  // The verdict program must be attached before sockets join the map.
  using _attached = attachToSocketMap(obj.programs.route!, socks, AttachType.SK_SKB_VERDICT);
  using _attached2 = attachToSocketMap(obj.programs.route!, byId, AttachType.SK_SKB_VERDICT);
  socks.set(0, a2.fd);
  socks.set(1, b2.fd);
  byId.set(7, c2.fd);

  a1.send("move me");
  await settle();
  assert.deepEqual(a2.drain().map(String), [], "redirected away from a2");
  assert.deepEqual(b2.drain().map(String), ["move me"], "into b2's receive queue");

  a1.send("hash me");
  await settle();
  assert.deepEqual(c2.drain().map(String), ["hash me"], "through the sockhash");

  a1.send("stay");
  await settle();
  assert.deepEqual(a2.drain().map(String), ["stay"], "SK_PASS keeps data where it arrived");

  const stats = obj.maps.stats as unknown as { get(i: number): bigint | undefined };
  assert.equal(stats.get(0), 3n);
  assert.equal(stats.get(1), 2n);
});

test("sk_skb: the ELF object (section sk_skb/stream_verdict, socket maps in .maps) loads with bpftool", {
  skip: spawnSync("bpftool", ["version"]).status === 0 ? false : "bpftool is not installed",
}, async (t) => {
  const m = await compileSource(SOURCE);
  assert.equal(m.artifact.programs[0]!.section, "sk_skb/stream_verdict");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-skskb-"));
  const pins = `/sys/fs/bpf/tsbpf-skskb-${process.pid}`;
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pins, { recursive: true, force: true });
  });
  const object = join(dir, "route.o");
  writeFileSync(object, writeElf(m));
  const r = spawnSync("bpftool", ["prog", "loadall", object, pins], { encoding: "utf8" });
  assert.equal(r.status, 0, `bpftool prog loadall failed:\n${r.stderr.split("\n").slice(-25).join("\n")}`);
  assert.deepEqual(readdirSync(pins), ["route"]);
});

test("SockMap.redirect in an sk_msg program: what one TCP socket sends lands in another socket's receive queue", async (t) => {
  const m = await compileSource(`
import { skMsg, SockMap, ArrayMap, u64, SK_PASS, BPF_F_INGRESS } from "${KERNEL_IMPORT}";
export const socks = new SockMap({ maxEntries: 4 });
/** [0] messages seen, [1] bytes seen. */
export const stats = new ArrayMap({ value: u64, maxEntries: 2 });
export const steer = skMsg((ctx) => {
  stats.increment(0);
  stats.increment(1, ctx.size);
  return socks.redirect(ctx, 1, BPF_F_INGRESS);
});
`);
  assert.equal(m.artifact.programs[0]!.section, "sk_msg");
  using obj = KernelObject.load(m.artifact);
  const socks = obj.maps.socks as unknown as SocketMap<number>;
  using _attached = attachToSocketMap(obj.programs.steer!, socks, AttachType.SK_MSG_VERDICT);

  const { createServer, createConnection } = await import("node:net");
  const accepted: import("node:net").Socket[] = [];
  const server = createServer((s) => {
    accepted.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as import("node:net").AddressInfo).port;
  const connect = (): Promise<import("node:net").Socket> =>
    new Promise((resolve, reject) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => resolve(c));
      c.on("error", reject);
    });
  const sender = await connect(),
    receiver = await connect();
  t.after(() => {
    sender.destroy();
    receiver.destroy();
    for (const s of accepted) s.destroy();
    server.close();
  });
  const fdOf = (s: import("node:net").Socket): number => (s as unknown as { _handle: { fd: number } })._handle.fd;
  socks.set(0, fdOf(sender));
  socks.set(1, fdOf(receiver));

  const got = new Promise<string>((resolve) => receiver.once("data", (d: Buffer) => resolve(d.toString())));
  sender.write("steered");
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("(nothing within 3 s)"), 3000));
  assert.equal(
    await Promise.race([got, timeout]),
    "steered",
    "the sender's message arrived at the receiver socket itself",
  );
  const stats = obj.maps.stats as unknown as { get(i: number): bigint | undefined };
  assert.equal(stats.get(0), 1n);
  assert.equal(stats.get(1), 7n);
});
