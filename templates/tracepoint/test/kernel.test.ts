// The same program attached for real to raw_syscalls:sys_enter: this process's own system calls
// must show up under its pid. Attaching needs root (or CAP_BPF + CAP_PERFMON), so without it the
// test skips.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { test } from "node:test";
import { SyscallCounter } from "../src/tracer.js";

const skip = process.getuid?.() === 0 ? false : "attaching eBPF programs needs root (run: sudo npm test)";

test("kernel: the tracepoint counts this process's system calls", { skip }, () => {
  using counter = new SyscallCounter().attach();
  const before = counter.of(process.pid);
  for (let i = 0; i < 50; i++) statSync("/");
  const after = counter.of(process.pid);
  assert.ok(after - before >= 50n, `50 stat() calls, counted ${after - before}`);
  assert.ok(
    counter.top(16384).some((p) => p.pid === process.pid),
    "listed among the processes",
  );
});
