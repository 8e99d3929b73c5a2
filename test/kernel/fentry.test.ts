import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FentryProgram, kernelFunctionBtfId } from "../../src/programs/fentry.js";
import { NotSupportedError, TargetNotFoundError } from "../../src/sys/errors.js";
import { CounterMap, counterProgram } from "../helpers/tracing-helpers.js";

// On the project's machines BPF_PROG_LOAD refuses trampoline programs with EPERM and an empty log
// (host policy); elsewhere they load and must count (Debian's 6.1 and 6.12 kernels under qemu,
// `npm run test:kernels`). Both outcomes are asserted, none skipped.
/** Creates and removes a file n times: n calls of do_unlinkat and at least n of security_file_open. */
function createAndUnlink(n: number): void {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-fentry-"));
  try {
    for (let i = 0; i < n; i++) {
      writeFileSync(join(dir, "f"), "");
      unlinkSync(join(dir, "f"));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// fmod_ret needs a function open to error injection; security_file_open is one. Returning 0
// from it leaves the call alone.
const TARGETS = { fentry: "do_unlinkat", fexit: "do_unlinkat", fmod_ret: "security_file_open" } as const;

for (const kind of ["fentry", "fexit", "fmod_ret"] as const) {
  const target = TARGETS[kind];
  test(`${kind} on ${target} either counts calls or reports that the host forbids ${kind}`, (t) => {
    using counters = new CounterMap();
    let prog: FentryProgram;
    try {
      prog = FentryProgram.load({
        name: `${kind}_test`,
        kind,
        function: target,
        code: counterProgram(counters.fd, { tgid: process.pid }),
        maps: [counters],
      });
    } catch (err) {
      assert.ok(err instanceof NotSupportedError, `expected NotSupportedError, got ${String(err)}`);
      assert.match(err.message, new RegExp(`^this kernel does not support ${kind} programs: `));
      assert.match(err.message, /EPERM with an empty verifier log/);
      t.diagnostic("kernel: load refused (NotSupportedError)");
      return;
    }
    using _prog = prog;
    assert.equal(prog.kind, kind);
    assert.equal(prog.function, target);
    const link = prog.attach();
    try {
      createAndUnlink(3);
      assert.ok(counters.get(0) >= 3, `saw ${counters.get(0)}`);
    } finally {
      link.detach();
    }
    const after = counters.get(0);
    createAndUnlink(3);
    assert.equal(counters.get(0), after, "no hits after detach");
    t.diagnostic("kernel: loads, attaches, events counted");
  });
}

test("fentry targets are kernel FUNCs in BTF; unknown ones are TargetNotFoundError", () => {
  assert.ok(kernelFunctionBtfId("do_unlinkat") > 0);
  assert.throws(
    () => FentryProgram.load({ name: "nowhere", function: "tsbpf_no_such_kernel_function", code: counterProgram(0) }),
    (err: unknown) => {
      assert.ok(err instanceof TargetNotFoundError, String(err));
      assert.match(err.message, /tsbpf_no_such_kernel_function/);
      return true;
    },
  );
});
