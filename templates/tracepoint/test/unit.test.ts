// The kernel program in tsbpf's eBPF VM: no root, no kernel. simulate() runs the compiled
// bytecode with a crafted tracepoint record, as a made-up process; the map must count its calls.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KernelObject } from "tsbpf/compiler";
import { artifactProgram, simulate } from "tsbpf/vm";
import { ARTIFACT } from "../src/tracer.js";

const artifact = KernelObject.readArtifact(ARTIFACT);

/** A raw_syscalls:sys_enter record: 8-byte common header, syscall number, six arguments. */
function sysEnter(syscall: number): Uint8Array {
  const record = new Uint8Array(64);
  new DataView(record.buffer).setBigInt64(8, BigInt(syscall), true);
  return record;
}

test("VM: each system call entry of a process adds one to its count", () => {
  const program = artifactProgram(artifact, "countSyscalls");
  const result = simulate(
    program,
    { ctx: sysEnter(0), repeat: 5 },
    { vm: { task: { pid: 4243, tgid: 4242, comm: "worker" } } },
  );
  assert.equal(result.retval, 0);
  const syscalls = program.entries<number, bigint>(result, "syscalls");
  assert.deepEqual([...syscalls], [[4242, 5n]], "counted under the process id, not the thread id");
});
