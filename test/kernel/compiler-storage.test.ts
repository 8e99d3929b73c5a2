// Task and socket local storage from kernel TypeScript: TaskStorage.get/delete on the current task
// (raw tracepoint, test_run in this process) and SkStorage.get/delete on the sockets of a real TCP
// connection (tp_btf on inet_sock_set_state).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { KernelObject } from "../../src/loader/kernel-object.js";
import type { ArrayMap } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { compileSource, KERNEL_IMPORT } from "../helpers/compiler-helpers.js";

test("TaskStorage: get (with and without create) and delete on the current task", async () => {
  const m = await compileSource(`
import { rawTracepoint, TaskStorage, getCurrentTaskBtf, u64, BPF_LOCAL_STORAGE_GET_F_CREATE } from "${KERNEL_IMPORT}";
export const counts = new TaskStorage({ value: u64 });
export const bump = rawTracepoint("sys_enter", (ctx) => {
  const v = counts.get(getCurrentTaskBtf(), BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (v === null) return 1000;
  v.value += 1;
  return v.value;
});
export const peek = rawTracepoint("sys_enter", (ctx) => {
  const v = counts.get(getCurrentTaskBtf());
  return v === null ? 1000 : v.value;
});
export const drop = rawTracepoint("sys_enter", (ctx) => counts.delete(getCurrentTaskBtf()));
`);
  using obj = KernelObject.load(m.artifact);
  const run = (name: string): number => testRun(obj.programs[name]!, { ctx: Buffer.alloc(16), ctxOutSize: 0 }).retval;
  assert.equal(run("peek"), 1000, "no storage before the first create");
  assert.equal(run("bump"), 1);
  assert.equal(run("bump"), 2);
  assert.equal(run("peek"), 2);
  assert.equal(run("drop"), 0);
  assert.equal(run("peek"), 1000, "deleted");
  assert.equal(run("drop") | 0, -2, "-ENOENT: nothing to delete");
});

test("SkStorage: per-socket state survives across a socket's TCP state changes; delete at close", async (t) => {
  const m = await compileSource(`
import { tpBtf, SkStorage, ArrayMap, u32, u64, BPF_LOCAL_STORAGE_GET_F_CREATE } from "${KERNEL_IMPORT}";
/** State changes seen per socket. */
export const changes = new SkStorage({ value: u64 });
/** [0] most changes one socket saw, [1] deletes that succeeded, [2] deletes that failed. */
export const results = new ArrayMap({ value: u64, maxEntries: 4 });
/** The test's server port (host order); set before connecting. */
let port: u32 = 0;
export const track = tpBtf("inet_sock_set_state", (ctx, sk, oldstate, newstate) => {
  if (sk.__sk_common.skc_num !== port && sk.__sk_common.skc_dport !== ((port >> 8) | ((port & 0xff) << 8))) return 0;
  const v = changes.get(sk, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (v === null) return 0;
  v.value += 1;
  const most = results.lookup(0);
  if (most !== null && most.value < v.value) most.value = v.value;
  if (newstate === 7) {  // TCP_CLOSE: the socket is done
    if (changes.delete(sk) === 0) results.increment(1); else results.increment(2);
  }
  return 0;
});
`);
  using obj = KernelObject.load(m.artifact);
  const server = createServer((s) => {
    s.on("error", () => {});
    s.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  obj.setGlobal("port", port);
  const link = (obj.programs.track as unknown as { attach(): { detach(): void } }).attach();
  try {
    await new Promise<void>((resolve, reject) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => c.end());
      c.on("error", reject);
      c.on("close", () => resolve());
      c.resume();
    });
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    link.detach();
  }
  const results = obj.maps.results as unknown as ArrayMap<bigint>;
  const most = results.get(0)!;
  // The client socket goes CLOSE → SYN_SENT → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 / … : one storage, several changes.
  assert.ok(most >= 3n, `most changes seen by one socket: ${most}`);
  assert.ok(results.get(1)! >= 1n, "at least one socket's storage was deleted at TCP_CLOSE");
  assert.equal(results.get(2), 0n, "no delete failed");
});
