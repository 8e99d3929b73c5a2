// The framework's example programs in the VM: the XDP counter and the content filter give the
// same results as in the kernel (BPF_PROG_TEST_RUN on the same inputs), and the exec tracer,
// which the kernel cannot test-run, is unit-tested with a fake tracepoint record and task.
import { test } from "node:test";
import assert from "node:assert/strict";
import { counterProgram, Counter } from "../examples/xdp-counter.js";
import { filterProgram, Needle, MAX_NEEDLE } from "../examples/socket-filter-drop.js";
import { decodeExecEvent, EXEC_EVENT, execTracerProgram } from "../examples/exec-tracer.js";
import { HELPERS } from "../src/asm/helpers.js";
import { ArrayMap, PerCpuHashMap, u16 } from "../src/maps/index.js";
import { Program } from "../src/programs/program.js";
import { testRun } from "../src/programs/test-run.js";
import { tracepointField, tracepointFormat } from "../src/programs/tracepoint-format.js";
import { kernelBtf } from "../src/btf/vmlinux.js";
import { possibleCpuCount } from "../src/sys/cpus.js";
import { MapFlags, ProgType } from "../src/uapi.js";
import { Region, RegionKind, Vm } from "../src/vm/index.js";

const root = process.getuid?.() === 0;

function frame(etherType: number, length: number, payload = ""): Uint8Array {
  const p = new Uint8Array(length);
  p.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, etherType >> 8, etherType & 0xff]);
  p.set(Buffer.from(payload), 14);
  return p;
}

test("examples/xdp-counter: per-EtherType packets and bytes equal the kernel's", (t) => {
  if (!root) { t.skip("needs root for the kernel side"); return; }
  const packets = [frame(0x0800, 98), frame(0x0800, 60), frame(0x86dd, 118), frame(0x0806, 42), frame(0x0800, 1514), frame(0x8100, 64), frame(0x0026, 60)];
  using kernelMap = PerCpuHashMap.create({ name: "ether_counts", key: u16, value: Counter, maxEntries: 1024 });
  using kernelProg = Program.load({ type: ProgType.XDP, name: "count_ether", code: counterProgram(kernelMap), maps: [kernelMap] });
  const vm = new Vm({ cpus: possibleCpuCount() });
  const vmMap = vm.perCpuHashMap({ key: u16, value: Counter, maxEntries: 1024 });
  const vmProg = vm.load({ type: ProgType.XDP, code: counterProgram(vmMap) });
  for (const data of packets) {
    assert.equal(vmProg.run({ data }).retval, testRun(kernelProg, { data }).retval);
  }
  const sums = (entries: Iterable<[number, { packets: bigint; bytes: bigint }[]]>): [number, bigint, bigint][] =>
    [...entries].map(([k, perCpu]): [number, bigint, bigint] => [k, perCpu.reduce((a, c) => a + c.packets, 0n), perCpu.reduce((a, c) => a + c.bytes, 0n)])
      .sort((a, b) => a[0] - b[0]);
  const expected = sums(kernelMap.entries());
  assert.deepEqual(sums(vmMap.entries()), expected);
  assert.deepEqual(expected.find(([k]) => k === 0x0800), [0x0800, 3n, 98n + 60n + 1514n]);
});

test("examples/socket-filter-drop: the same packets are dropped in the VM and in the kernel", (t) => {
  if (!root) { t.skip("needs root for the kernel side"); return; }
  const needleText = Buffer.from("secret");
  const padded = new Uint8Array(MAX_NEEDLE);
  padded.set(needleText);
  using kernelNeedle = ArrayMap.create({ name: "needle", value: Needle, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
  kernelNeedle.set(0, { length: needleText.length, data: padded });
  kernelNeedle.freeze();
  using kernelProg = Program.load({ type: ProgType.SOCKET_FILTER, name: "drop_by_content", code: filterProgram(kernelNeedle), maps: [kernelNeedle] });
  const vm = new Vm();
  const vmNeedle = vm.arrayMap({ value: Needle, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
  vmNeedle.set(0, { length: needleText.length, data: padded });
  const vmProg = vm.load({ type: ProgType.SOCKET_FILTER, code: filterProgram(vmNeedle) });
  const payloads = ["hello", "a secret here", "secret", "secre", "xsecretx", "SECRET", `${"s".repeat(100)}secret`, `${"x".repeat(58)}secret`, ""];
  const verdicts: number[] = [];
  for (const text of payloads) {
    const data = frame(0x0800, Math.max(60, 14 + text.length), text);
    const k = testRun(kernelProg, { data });
    const v = vmProg.run({ data });
    assert.equal(v.retval, k.retval, JSON.stringify(text));
    verdicts.push(v.retval);
  }
  // 0 drops; otherwise the whole packet (skb->len, without the Ethernet header) is kept
  assert.deepEqual(verdicts.map((v) => v === 0), [false, true, true, false, true, false, false, true, false]);
});

test("examples/exec-tracer runs in the VM on a fake tracepoint record and task, and its reader decodes the event", (t) => {
  let format;
  try { format = tracepointFormat("sched", "sched_process_exec"); } catch { t.skip("tracefs is not available"); return; }
  const pidField = tracepointField(format, "pid"), filenameField = tracepointField(format, "filename");
  const btf = kernelBtf();
  const realParent = btf.memberOffset("task_struct", "real_parent"), tgid = btf.memberOffset("task_struct", "tgid");

  // current task → real_parent → tgid 777, as memory regions the program reads with probe_read_kernel
  let task: Region | undefined;
  const vm = new Vm({ task: { pid: 4242, tgid: 4242, comm: "bash" }, helpers: { [HELPERS.get_current_task]: (m) => m.setR0(task!.start, task!.hi) } });
  const parent = vm.memory.add(new Region(new Uint8Array(tgid + 8), RegionKind.MEMORY, false, "parent task_struct"));
  new DataView(parent.bytes.buffer).setUint32(tgid, 777, true);
  task = vm.memory.add(new Region(new Uint8Array(realParent + 8), RegionKind.MEMORY, false, "task_struct"));
  new DataView(task.bytes.buffer).setUint32(realParent, parent.start, true);
  new DataView(task.bytes.buffer).setUint32(realParent + 4, parent.hi, true);

  // the tracepoint record: pid, and filename as a __data_loc (offset | length << 16)
  const filename = Buffer.from("/usr/bin/true\0");
  const record = new Uint8Array(filenameField.offset + 64 + filename.length);
  const rv = new DataView(record.buffer);
  rv.setUint32(pidField.offset, 4242, true);
  rv.setUint32(filenameField.offset, (filenameField.offset + 64) | (filename.length << 16), true);
  record.set(filename, filenameField.offset + 64);

  const events = vm.ringBuf({ name: "exec_events", maxEntries: 1 << 16 });
  const drops = vm.perCpuArrayMap({ valueSize: 8, maxEntries: 1 });
  const prog = vm.load({ type: ProgType.TRACEPOINT, code: execTracerProgram(events, drops) });
  assert.equal(prog.run({ ctx: record }).r0, 0n);
  using reader = events.reader();
  const seen: ReturnType<typeof decodeExecEvent>[] = [];
  reader.consume((rec) => { assert.equal(rec.length, EXEC_EVENT.size); seen.push(decodeExecEvent(rec)); });
  assert.deepEqual(seen, [{ pid: 4242, ppid: 777, comm: "bash", filename: "/usr/bin/true" }]);
});
