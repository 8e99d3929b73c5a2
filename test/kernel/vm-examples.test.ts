// The framework's example programs (compiled from kernel TypeScript) in the VM: the XDP counter
// and the content filter give the same results as in the kernel (BPF_PROG_TEST_RUN on the same
// inputs), and the exec tracer, which the kernel cannot test-run, is unit-tested with a fake
// tracepoint record and task.
import { test } from "node:test";
import assert from "node:assert/strict";
import { counterArtifact, Counter } from "../../examples/xdp-counter.js";
import { filterArtifact, needleValue } from "../../examples/socket-filter-drop.js";
import { decodeExecEvent, EXEC_EVENT, execTracerArtifact } from "../../examples/exec-tracer.js";
import { HELPERS } from "../../src/asm/helpers.js";
import { KernelObject, codecOf, type Artifact } from "../../src/compiler/index.js";
import { patchInstructions } from "../../src/loader/kernel-object.js";
import { u8, u16 } from "../../src/maps/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { tracepointField, tracepointFormat } from "../../src/programs/tracepoint-format.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { possibleCpuCount } from "../../src/sys/cpus.js";
import { MapFlags, ProgType } from "../../src/uapi.js";
import { Region, RegionKind, Vm } from "../../src/vm/index.js";
import type * as Counting from "../../examples/kernel/xdp-counter.bpf.js";
import type * as Filtering from "../../examples/kernel/socket-filter.bpf.js";

/** The compiled program's instructions with the VM's map and global-data fds patched in. */
function vmCode(
  artifact: Artifact,
  program: string,
  maps: Record<string, { fd: number }>,
  sections: Record<string, { fd: number }> = {},
): Buffer {
  const p = artifact.programs.find((x) => x.name === program)!;
  return patchInstructions(
    p,
    (n) => maps[n]!.fd,
    (n) => sections[n]!.fd,
  );
}

/** A global-data section's initial bytes with module constants set, as KernelObject.load writes them. */
function sectionBytes(artifact: Artifact, name: string, constants: Record<string, unknown>): Uint8Array {
  const s = artifact.sections.find((x) => x.name === name)!;
  const init = Buffer.alloc(Math.max(s.size, 1));
  Buffer.from(s.init, "base64").copy(init);
  for (const [k, value] of Object.entries(constants)) {
    const v = s.vars.find((x) => x.name === k)!;
    codecOf(v.type).encode(value, new DataView(init.buffer, init.byteOffset, init.length), v.offset);
  }
  return init;
}

const root = process.getuid?.() === 0;

function frame(etherType: number, length: number, payload = ""): Uint8Array {
  const p = new Uint8Array(length);
  p.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, etherType >> 8, etherType & 0xff]);
  p.set(Buffer.from(payload), 14);
  return p;
}

test("examples/xdp-counter: per-EtherType packets and bytes equal the kernel's", (t) => {
  if (!root) {
    t.skip("needs root for the kernel side");
    return;
  }
  const packets = [
    frame(0x0800, 98),
    frame(0x0800, 60),
    frame(0x86dd, 118),
    frame(0x0806, 42),
    frame(0x0800, 1514),
    frame(0x8100, 64),
    frame(0x0026, 60),
  ];
  const artifact = counterArtifact();
  using kernel = KernelObject.load<typeof Counting>(artifact);
  const kernelMap = kernel.maps.etherTypes,
    kernelProg = kernel.programs.count;
  const vm = new Vm({ cpus: possibleCpuCount() });
  const vmMap = vm.perCpuHashMap({ key: u16, value: Counter, maxEntries: 256 });
  const vmProtocols = vm.perCpuHashMap({ key: u8, value: Counter, maxEntries: 256 });
  const vmProg = vm.load({
    type: ProgType.XDP,
    code: vmCode(artifact, "count", { etherTypes: vmMap, ipProtocols: vmProtocols }),
  });
  for (const data of packets) {
    assert.equal(vmProg.run({ data }).retval, testRun(kernelProg, { data }).retval);
  }
  const sums = (entries: Iterable<[number, { packets: bigint; bytes: bigint }[]]>): [number, bigint, bigint][] =>
    [...entries]
      .map(([k, perCpu]): [number, bigint, bigint] => [
        k,
        perCpu.reduce((a, c) => a + c.packets, 0n),
        perCpu.reduce((a, c) => a + c.bytes, 0n),
      ])
      .sort((a, b) => a[0] - b[0]);
  const expected = sums(kernelMap.entries());
  assert.deepEqual(sums(vmMap.entries()), expected);
  assert.deepEqual(
    expected.find(([k]) => k === 0x0800),
    [0x0800, 3n, 98n + 60n + 1514n],
  );
});

test("examples/socket-filter-drop: the same packets are dropped in the VM and in the kernel", (t) => {
  if (!root) {
    t.skip("needs root for the kernel side");
    return;
  }
  const artifact = filterArtifact();
  const needle = needleValue("secret");
  using kernel = KernelObject.load<typeof Filtering>(artifact, { constants: { needle } });
  const kernelProg = kernel.programs.dropByContent;
  const vm = new Vm();
  const rodata = sectionBytes(artifact, ".rodata", { needle });
  const vmRodata = vm.arrayMap({ valueSize: rodata.length, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
  vmRodata.set(0, rodata);
  const vmProg = vm.load({
    type: ProgType.SOCKET_FILTER,
    code: vmCode(artifact, "dropByContent", {}, { ".rodata": vmRodata }),
  });
  const payloads = [
    "hello",
    "a secret here",
    "secret",
    "secre",
    "xsecretx",
    "SECRET",
    `${"s".repeat(100)}secret`,
    `${"x".repeat(58)}secret`,
    "",
  ];
  const verdicts: number[] = [];
  for (const text of payloads) {
    const data = frame(0x0800, Math.max(60, 14 + text.length), text);
    const k = testRun(kernelProg, { data });
    const v = vmProg.run({ data });
    assert.equal(v.retval, k.retval, JSON.stringify(text));
    verdicts.push(v.retval);
  }
  // 0 drops; otherwise the whole packet (skb->len, without the Ethernet header) is kept
  assert.deepEqual(
    verdicts.map((v) => v === 0),
    [false, true, true, false, true, false, false, true, false],
  );
});

test("examples/exec-tracer runs in the VM on a fake tracepoint record and task, and its reader decodes the event", (t) => {
  let format;
  try {
    format = tracepointFormat("sched", "sched_process_exec");
  } catch {
    t.skip("tracefs is not available");
    return;
  }
  const pidField = tracepointField(format, "pid"),
    filenameField = tracepointField(format, "filename");
  const btf = kernelBtf();
  const realParent = btf.memberOffset("task_struct", "real_parent"),
    tgid = btf.memberOffset("task_struct", "tgid");

  // current task → real_parent → tgid 777, as memory regions the program reads with probe_read_kernel
  let task: Region | undefined;
  const vm = new Vm({
    task: { pid: 4242, tgid: 4242, comm: "bash" },
    helpers: { [HELPERS.get_current_task]: (m) => m.setR0(task!.start, task!.hi) },
  });
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
  const prog = vm.load({ type: ProgType.TRACEPOINT, code: vmCode(execTracerArtifact(), "onExec", { events, drops }) });
  assert.equal(prog.run({ ctx: record }).r0, 0n);
  using reader = events.reader();
  const seen: ReturnType<typeof decodeExecEvent>[] = [];
  reader.consume((rec) => {
    assert.equal(rec.length, EXEC_EVENT.size);
    seen.push(decodeExecEvent(rec));
  });
  assert.deepEqual(seen, [{ pid: 4242, ppid: 777, comm: "bash", filename: "/usr/bin/true" }]);
});
