// Iterator programs in kernel TypeScript, attached and read for real: what ctx.print() writes is
// what read() of the iterator returns — tasks, TCP sockets and the elements of a map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import type { HashMap } from "../../src/maps/index.js";
import type { IterProgram } from "../../src/programs/iter.js";
import { KERNEL_IMPORT as K, compileErrors, loadSource } from "../helpers/compiler-helpers.js";

test("a task iterator prints every task, this process with its comm, then the end mark", async () => {
  using obj = await loadSource(`
import { iter, str } from "${K}";
export const tasks = iter("task", (ctx) => {
  const task = ctx.task;
  if (task === null) {
    ctx.print("end of tasks\\n");
    return 0;
  }
  if (ctx.seqNum === 0) ctx.print("tgid pid comm (100%)\\n");
  ctx.print(\`\${task.tgid} \${task.pid} \${str(task.comm)}\\n\`);
  return 0;
});`);
  const link = (obj.programs.tasks as IterProgram).attach();
  try {
    const lines = (await link.text()).trimEnd().split("\n");
    assert.equal(lines[0], "tgid pid comm (100%)");
    assert.equal(lines.at(-1), "end of tasks");
    const mine = lines.find((l) => l.startsWith(`${process.pid} ${process.pid} `));
    assert.ok(mine, `no line for this process (pid ${process.pid})`);
    assert.equal(mine.split(" ")[2], "node");
    assert.ok(lines.length > 10, `only ${lines.length} lines`);
  } finally {
    link.detach();
  }
});

test("a tcp iterator sees a listening socket's port and owner", async (t) => {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  using obj = await loadSource(`
import { iter, hex } from "${K}";
export const sockets = iter("tcp", (ctx) => {
  const sk = ctx.sk_common;
  if (sk === null) return 0;
  ctx.print(\`port \${sk.skc_num} state \${sk.skc_state} uid \${ctx.uid} daddr \${hex(sk.skc_daddr)}\\n\`);
  return 0;
});`);
  const link = (obj.programs.sockets as IterProgram).attach();
  try {
    const text = await link.text();
    // TCP_LISTEN is 10; the uid is ours (root).
    assert.match(text, new RegExp(`^port ${port} state 10 uid ${process.getuid!()} daddr 0$`, "m"));
  } finally {
    link.detach();
  }
});

test("a bpf_map iterator sees a map of this object by id and name", async () => {
  using obj = await loadSource(`
import { iter, HashMap, u32, str } from "${K}";
export const probe_me = new HashMap({ key: u32, value: u32, maxEntries: 7 });
export const maps = iter("bpf_map", (ctx) => {
  const map = ctx.map;
  if (map === null) return 0;
  ctx.print(\`\${map.id} \${str(map.name)} \${map.max_entries}\n\`);
  return 0;
});`);
  const link = (obj.programs.maps as IterProgram).attach();
  try {
    const id = (obj.maps.probe_me as unknown as { info(): { id: number } }).info().id;
    assert.match(await link.text(), new RegExp(`^${id} probe_me 7$`, "m"));
  } finally {
    link.detach();
  }
});

test("a bpf_map_elem iterator reads the keys and values of the map it is attached to", async (t) => {
  let loaded;
  try {
    loaded = await loadSource(`
import { iter, HashMap, u32, u64, struct } from "${K}";
export const Stats = struct({ packets: u64, bytes: u64 });
export const stats = new HashMap({ key: u32, value: Stats, maxEntries: 16 });
export const dump = iter("bpf_map_elem", (ctx) => {
  const key = ctx.key(u32);
  const value = ctx.value(Stats);
  if (key === null || value === null) return 0;
  ctx.print(\`\${key} \${value.packets} \${value.bytes}\\n\`);
  return 0;
});`);
  } catch (err) {
    // This host answers EPERM for map-element iterators whoever built them (clang's C twin too).
    if (/EPERM/.test((err as Error).message)) return t.skip("this kernel refuses bpf_map_elem iterators (EPERM)");
    throw err;
  }
  using obj = loaded;
  const stats = obj.maps.stats as unknown as HashMap<number, { packets: bigint; bytes: bigint }>;
  for (let k = 1; k <= 5; k++) stats.set(k, { packets: BigInt(k * 10), bytes: BigInt(k * 1000) });
  const link = (obj.programs.dump as IterProgram).attach({ map: stats });
  try {
    const lines = (await link.text()).trimEnd().split("\n").sort();
    assert.deepEqual(lines, ["1 10 1000", "2 20 2000", "3 30 3000", "4 40 4000", "5 50 5000"]);
  } finally {
    link.detach();
  }
});

test("iterator mistakes are reported in tsbpf's words", async () => {
  const noTarget = await compileErrors(`
import { iter } from "${K}";
export const x = iter("no_such_thing", (ctx) => 0);`);
  assert.ok(
    noTarget.some((m) => m.includes("no no_such_thing iterator on this kernel")),
    noTarget.join("\n"),
  );
  const keyOfTask = await compileErrors(`
import { iter, u32 } from "${K}";
export const x = iter("task", (ctx) => {
  // @ts-expect-error: task iterators have no key()
  const k = ctx.key(u32);
  return 0;
});`);
  assert.ok(
    keyOfTask.some((m) => m.includes("belong to bpf_map_elem iterators")),
    keyOfTask.join("\n"),
  );
});

test("examples/kernel/task-iterator lists this process's threads with the kernel's comm", async () => {
  const { listTasks } = await import("../../examples/kernel/task-iterator.js");
  const tasks = await listTasks();
  const mine = tasks.filter((x) => x.tgid === process.pid);
  assert.ok(
    mine.some((x) => x.pid === process.pid && x.comm === "node"),
    JSON.stringify(mine),
  );
  assert.ok(new Set(tasks.map((x) => x.tgid)).size > 5, "other processes are listed too");
});
