import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bpfRaw, bpfTrampolineActive, lastErrno, native, SYS } from "../../src/sys/libc.js";

const libcModule = fileURLToPath(new URL("../../src/sys/libc.js", import.meta.url));

test("bpf() goes through the trampoline on x86-64 and answers as libc's syscall() does", () => {
  assert.equal(bpfTrampolineActive, process.arch === "x64");
  // An unknown command fails the same way both ways (EINVAL, or EPERM where bpf() is closed to us).
  const viaLibc = native.syscall3(SYS.bpf, 0x7fff_ffff, 0, 0);
  assert.equal(viaLibc, -1);
  const errno = lastErrno();
  assert.equal(bpfRaw(0x7fff_ffff, 0, 0), -errno);
  assert.equal(bpfRaw(0x7fff_ffff, 0, 0), -errno); // repeatable: nothing is left behind in the arguments
});

test("TSBPF_BPF_TRAMPOLINE=0 turns the trampoline off", () => {
  const script = `import(${JSON.stringify(libcModule)}).then((m) => console.log(m.bpfTrampolineActive))`;
  const run = (value: string | undefined): string =>
    execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      env: { ...process.env, TSBPF_BPF_TRAMPOLINE: value },
    }).trim();
  assert.equal(run("0"), "false");
  assert.equal(run(undefined), String(process.arch === "x64"));
});
