import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { TpBtfProgram, tpBtfTargetId } from "../../src/programs/tp-btf.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";
import { Assembler, R0, R1, R2, R6, R10, Size } from "../../src/asm/index.js";
import { CounterMap, counterProgram } from "../helpers/tracing-helpers.js";

test("tp_btf targets are the btf_trace_<event> typedefs", () => {
  const id = tpBtfTargetId("sched_process_exec");
  assert.equal(kernelBtf().typeById(id).kind, "typedef");
  assert.equal(kernelBtf().nameOf(id), "btf_trace_sched_process_exec");
});

test("a tp_btf program on sched_process_exec counts execs, and stops once detached", () => {
  using counters = new CounterMap();
  using prog = TpBtfProgram.load({
    name: "tpbtf_exec",
    tracepoint: "sched_process_exec",
    code: counterProgram(counters.fd),
    maps: [counters],
  });
  assert.equal(prog.tracepoint, "sched_process_exec");
  const link = prog.attach();
  try {
    for (let i = 0; i < 5; i++) spawnSync("/bin/true");
    assert.ok(counters.get(0) >= 5, `saw ${counters.get(0)}`);
  } finally {
    link.detach();
  }
  const after = counters.get(0);
  for (let i = 0; i < 3; i++) spawnSync("/bin/true");
  assert.equal(counters.get(0), after);
});

test("a tp_btf program reads the task's pid straight from its BTF-typed argument", () => {
  // sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm):
  // store p->tgid of the last exec in slot 1, and count in slot 0.
  const tgidOffset = kernelBtf().memberOffset("task_struct", "tgid");
  using counters = new CounterMap();
  const a = new Assembler();
  a.ldx(Size.DW, R6, R1, 0); // r6 = p
  a.st(Size.W, R10, -4, 1).ldMapFd(R1, counters.fd).mov64(R2, R10).add64(R2, -4).call("map_lookup_elem");
  a.jeq(R0, 0, "out");
  a.ldx(Size.W, R1, R6, tgidOffset).stx(Size.DW, R0, R1, 0);
  a.label("out").mov64(R0, 0).exit();
  using prog = TpBtfProgram.load({
    name: "tpbtf_pid",
    tracepoint: "sched_process_exec",
    code: a.assemble().bytes,
    maps: [counters],
  });
  {
    using _link = prog.attach();
    const child = spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" });
    assert.equal(counters.get(1), Number(child.stdout.trim()), "the exec'd shell's tgid");
  }
});

test("an unknown tp_btf tracepoint is a TargetNotFoundError naming it", () => {
  assert.throws(
    () => TpBtfProgram.load({ name: "nowhere", tracepoint: "sched_no_such_event", code: counterProgram(0) }),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError, String(err));
      assert.match(err.message, /sched_no_such_event/);
      return true;
    },
  );
});
