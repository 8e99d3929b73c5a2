import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { TracepointProgram, attachTracepoint } from "../../src/programs/tracepoint.js";
import { RawTracepointProgram } from "../../src/programs/raw-tracepoint.js";
import { AlreadyAttachedError, TargetNotFoundError } from "../../src/sys/errors.js";
import { tracepointId } from "../../src/sys/perf.js";
import { buildC, CounterMap, counterProgram, tempDir } from "../helpers/tracing-helpers.js";

const GETPID_LOOP = `
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < n; i++) syscall(SYS_getpid);
  return 0;
}`;

test("tracepoint ids come from tracefs", () => {
  assert.ok(tracepointId("syscalls", "sys_enter_getpid") > 0);
  assert.throws(
    () => tracepointId("syscalls", "sys_enter_no_such_call"),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError);
      assert.equal(err.kind, "tracepoint");
      assert.match(err.message, /syscalls:sys_enter_no_such_call/);
      return true;
    },
  );
  assert.throws(() => tracepointId("no_such_category", "x"), /no tracepoint category "no_such_category"/);
});

test("a tracepoint program counts getpid calls, and stops counting once detached", () => {
  using dir = tempDir();
  const loop = buildC(dir.path, "getpid_loop", GETPID_LOOP);
  using counters = new CounterMap();
  using prog = TracepointProgram.load({ name: "count_getpid", code: counterProgram(counters.fd), maps: [counters] });
  const link = prog.attach("syscalls", "sys_enter_getpid");
  try {
    assert.match(link.description, /tracepoint syscalls:sys_enter_getpid \(perf link\)/);
    assert.equal(spawnSync(loop, ["500"]).status, 0);
    const seen = counters.get(0);
    assert.ok(seen >= 500, `expected at least 500 getpid events, saw ${seen}`);
  } finally {
    link[Symbol.dispose]();
  }
  const afterDetach = counters.get(0);
  assert.equal(spawnSync(loop, ["500"]).status, 0);
  assert.equal(counters.get(0), afterDetach, "the count must not rise after the link is closed");
});

test("sched_process_exec fires for each exec", () => {
  using counters = new CounterMap();
  using prog = TracepointProgram.load({ name: "count_exec", code: counterProgram(counters.fd), maps: [counters] });
  using _link = prog.attach("sched", "sched_process_exec");
  const before = counters.get(0);
  for (let i = 0; i < 5; i++) spawnSync("/bin/true");
  assert.ok(counters.get(0) - before >= 5);
});

test("attaching the same program to the same tracepoint twice is refused clearly", () => {
  using counters = new CounterMap();
  using prog = TracepointProgram.load({ name: "twice", code: counterProgram(counters.fd), maps: [counters] });
  using _first = prog.attach("syscalls", "sys_enter_getpid");
  assert.throws(
    () => attachTracepoint(prog, "syscalls", "sys_enter_getpid"),
    (err: unknown) => {
      assert.ok(err instanceof AlreadyAttachedError, String(err));
      assert.match(err.message, /"twice" is already attached to tracepoint syscalls:sys_enter_getpid/);
      return true;
    },
  );
});

test("an unknown tracepoint is a TargetNotFoundError naming it", () => {
  using counters = new CounterMap();
  using prog = TracepointProgram.load({ name: "nowhere", code: counterProgram(counters.fd), maps: [counters] });
  assert.throws(
    () => prog.attach("sched", "sched_no_such_event"),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError);
      assert.match(err.message, /sched:sched_no_such_event/);
      return true;
    },
  );
});

test("a raw tracepoint on sys_enter counts syscalls; unknown names are TargetNotFoundError", () => {
  using dir = tempDir();
  const loop = buildC(dir.path, "getpid_loop", GETPID_LOOP);
  using counters = new CounterMap();
  using prog = RawTracepointProgram.load({
    name: "raw_sys_enter",
    code: counterProgram(counters.fd),
    maps: [counters],
  });
  const link = prog.attach("sys_enter");
  try {
    assert.equal(spawnSync(loop, ["300"]).status, 0);
    assert.ok(counters.get(0) >= 300, `saw ${counters.get(0)}`);
  } finally {
    link.detach();
  }
  assert.equal(link.detached, true);
  const after = counters.get(0);
  assert.equal(spawnSync(loop, ["300"]).status, 0);
  assert.equal(counters.get(0), after);
  assert.throws(
    () => prog.attach("no_such_raw_tp"),
    (err: unknown) => err instanceof TargetNotFoundError && /no_such_raw_tp/.test(err.message),
  );
});

test("the PERF_EVENT_IOC_SET_BPF path (kernels without perf links) counts and detaches too", () => {
  using dir = tempDir();
  const loop = buildC(dir.path, "getpid_loop", GETPID_LOOP);
  using counters = new CounterMap();
  using prog = TracepointProgram.load({ name: "ioctl_getpid", code: counterProgram(counters.fd), maps: [counters] });
  const attachment = prog.attach("syscalls", "sys_enter_getpid", { mode: "ioctl" });
  try {
    assert.match(attachment.description, /ioctl/);
    assert.equal(spawnSync(loop, ["200"]).status, 0);
    assert.ok(counters.get(0) >= 200);
  } finally {
    attachment.detach();
  }
  const after = counters.get(0);
  assert.equal(spawnSync(loop, ["200"]).status, 0);
  assert.equal(counters.get(0), after);
});

test("a tracepoint program reads its attach cookie", () => {
  using dir = tempDir();
  const loop = buildC(dir.path, "getpid_loop", GETPID_LOOP);
  using counters = new CounterMap();
  using prog = TracepointProgram.load({
    name: "cookie_getpid",
    code: counterProgram(counters.fd, { slotFromCookie: true }),
    maps: [counters],
  });
  {
    using _link = prog.attach("syscalls", "sys_enter_getpid", { cookie: 3n });
    assert.equal(spawnSync(loop, ["50"]).status, 0);
  }
  assert.ok(counters.get(3) >= 50);
  assert.equal(counters.get(0), 0);
});
