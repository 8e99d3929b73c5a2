// artifactProgram() against the kernel: the VM and BPF_PROG_TEST_RUN must agree on the verdict
// and on the decoded maps, with constants set in .rodata as KernelObject.load sets them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { KernelObject } from "../../src/compiler/index.js";
import { artifactProgram, simulate } from "../../src/vm/index.js";

const root = process.getuid?.() === 0;
const artifact = (name: string) =>
  KernelObject.readArtifact(fileURLToPath(new URL(`../../examples/kernel/${name}.bpf.json`, import.meta.url)));

function frame(etherType: number, protocol: number, length = 64): Uint8Array {
  const p = new Uint8Array(length);
  p.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, etherType >> 8, etherType & 0xff]);
  p[14] = 0x45;
  p[23] = protocol;
  return p;
}

type Counter = { packets: bigint; bytes: bigint };
const total = (perCpu: Counter[] | undefined): Counter =>
  (perCpu ?? []).reduce((s, c) => ({ packets: s.packets + c.packets, bytes: s.bytes + c.bytes }), {
    packets: 0n,
    bytes: 0n,
  });

test("xdp-counter: the kernel backend gives the same verdict and map contents", {
  skip: root ? false : "BPF_PROG_TEST_RUN needs root",
}, () => {
  const program = artifactProgram(artifact("xdp-counter"), "count");
  const input = { data: frame(0x0800, 6, 80), repeat: 2 };
  const vm = simulate(program, input);
  const kernel = simulate(program, input, { backend: "kernel" });
  assert.equal(kernel.retval, vm.retval);
  for (const map of ["etherTypes", "ipProtocols"]) {
    const sum = (m: Map<number, Counter[]>) => [...m].map(([k, v]) => [k, total(v)]);
    assert.deepEqual(
      sum(program.entries<number, Counter[]>(kernel, map)),
      sum(program.entries<number, Counter[]>(vm, map)),
      map,
    );
  }
});

test("socket-filter: a struct constant set in .rodata decides the verdict, in the VM and the kernel", () => {
  const data = new Uint8Array(16);
  data.set(Buffer.from("secret"));
  const program = artifactProgram(artifact("socket-filter"), "dropByContent", {
    constants: { needle: { length: 6, data } },
  });
  const packet = (text: string) => Buffer.concat([Buffer.alloc(14), Buffer.from(text)]);
  for (const backend of root ? (["vm", "kernel"] as const) : (["vm"] as const)) {
    assert.equal(simulate(program, { data: packet("a secret here") }, { backend }).retval, 0, backend);
    assert.equal(simulate(program, { data: packet("nothing to see") }, { backend }).retval, 14, backend);
  }
});
