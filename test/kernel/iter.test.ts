import { test } from "node:test";
import assert from "node:assert/strict";
import { IterProgram } from "../../src/programs/iter.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { bpf, closeFd, Cmd, mapCreate, mapElemAttr, mapFreeze, objInfo } from "../../src/sys/bpf.js";
import { NativeMemory } from "../../src/sys/libc.js";
import { MapFlags, MapType } from "../../src/uapi.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";
import { Assembler, R0, R1, R2, R3, R4, R5, R6, R7, R10, Size } from "../../src/asm/index.js";
import { CounterMap } from "../helpers/tracing-helpers.js";

/** A frozen, program-read-only array map holding a format string (bpf_seq_printf insists). */
function formatMap(text: string): { fd: number; size: number } & Disposable {
  const bytes = Buffer.from(text + "\0");
  const fd = mapCreate({
    mapType: MapType.ARRAY,
    keySize: 4,
    valueSize: bytes.length,
    maxEntries: 1,
    mapFlags: MapFlags.RDONLY_PROG,
    name: "fmt",
  });
  const key = new NativeMemory(4),
    value = NativeMemory.from(bytes);
  try {
    key.view.setUint32(0, 0, true);
    bpf(Cmd.MAP_UPDATE_ELEM, mapElemAttr(fd, key.address, value.address, 0));
    mapFreeze(fd);
  } finally {
    key.free();
    value.free();
  }
  return { fd, size: bytes.length, [Symbol.dispose]: () => closeFd(fd) };
}

/** Prints "pid tgid comm" per task with bpf_seq_printf. ctx = struct bpf_iter__task { meta; task }. */
function taskLister(fmt: { fd: number; size: number }): Buffer {
  const btf = kernelBtf();
  const a = new Assembler();
  a.ldx(Size.DW, R6, R1, 0).ldx(Size.DW, R7, R1, 8); // meta, task
  a.jeq(R7, 0, "out");
  a.ldx(Size.W, R2, R7, btf.memberOffset("task_struct", "pid")).stx(Size.DW, R10, R2, -24);
  a.ldx(Size.W, R2, R7, btf.memberOffset("task_struct", "tgid")).stx(Size.DW, R10, R2, -16);
  a.mov64(R2, R7).add64(R2, btf.memberOffset("task_struct", "comm")).stx(Size.DW, R10, R2, -8);
  a.ldx(Size.DW, R1, R6, 0); // meta->seq
  a.ldMapValue(R2, fmt.fd, 0).mov64(R3, fmt.size).mov64(R4, R10).add64(R4, -24).mov64(R5, 24).call("seq_printf");
  a.label("out").mov64(R0, 0).exit();
  return a.assemble().bytes;
}

test("a task iterator prints a line per task, including this process", async () => {
  using fmt = formatMap("%d %d %s\n");
  using prog = IterProgram.load({ name: "list_tasks", target: "task", code: taskLister(fmt), maps: [fmt] });
  using link = prog.attach();

  const lines: string[] = [];
  for await (const line of link.lines()) lines.push(line);
  assert.ok(lines.length > 10, `only ${lines.length} tasks`);
  for (const line of lines) assert.match(line, /^\d+ \d+ \S*/);
  const mine = lines.filter((l) => l.split(" ")[1] === String(process.pid));
  assert.ok(mine.length >= 1, "our own tgid is listed");
  assert.ok(
    mine.some((l) => l.split(" ")[0] === String(process.pid)),
    "and our main thread",
  );
  assert.match(mine[0]!, / node|MainThread/);

  // Every pass starts over: a second read (synchronous this time) lists us again.
  const again = link.textSync();
  assert.ok(again.split("\n").some((l) => l.split(" ")[0] === String(process.pid)));
});

test("a task iterator restricted to one pid lists only that process's threads", async () => {
  using fmt = formatMap("%d %d %s\n");
  using prog = IterProgram.load({ name: "one_process", target: "task", code: taskLister(fmt), maps: [fmt] });
  using link = prog.attach({ task: { pid: process.pid } });
  const text = await link.text();
  const tgids = new Set(
    text
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[1]),
  );
  assert.deepEqual([...tgids], [String(process.pid)]);
});

test("a bpf_map iterator writes each map's id with bpf_seq_write", async () => {
  using counters = new CounterMap();
  const info = new NativeMemory(88);
  let myId: number;
  try {
    info.bytes.fill(0);
    objInfo(counters.fd, info);
    myId = info.view.getUint32(4, true); // bpf_map_info.id
  } finally {
    info.free();
  }
  // ctx = struct bpf_iter__bpf_map { meta; map }; write the u32 map->id as 4 raw bytes.
  const a = new Assembler();
  a.ldx(Size.DW, R6, R1, 0).ldx(Size.DW, R7, R1, 8);
  a.jeq(R7, 0, "out");
  a.ldx(Size.W, R2, R7, kernelBtf().memberOffset("bpf_map", "id")).stx(Size.W, R10, R2, -4);
  a.ldx(Size.DW, R1, R6, 0).mov64(R2, R10).add64(R2, -4).mov64(R3, 4).call("seq_write");
  a.label("out").mov64(R0, 0).exit();
  using prog = IterProgram.load({ name: "map_ids", target: "bpf_map", code: a.assemble().bytes });
  using link = prog.attach();
  using reader = link.open();
  const chunks: Buffer[] = [];
  for await (const chunk of reader) chunks.push(chunk);
  const raw = Buffer.concat(chunks);
  assert.equal(raw.length % 4, 0);
  const ids = Array.from({ length: raw.length / 4 }, (_, i) => raw.readUInt32LE(i * 4));
  assert.ok(ids.includes(myId), `map id ${myId} among ${ids.length} maps`);
});

test("an unknown iterator target is a TargetNotFoundError naming it", () => {
  assert.throws(
    () => IterProgram.load({ name: "nowhere", target: "no_such_thing", code: Buffer.alloc(16) }),
    (err: unknown) => err instanceof TargetNotFoundError && err.message.includes("no_such_thing"),
  );
});
