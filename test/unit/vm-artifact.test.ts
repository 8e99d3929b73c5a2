// artifactProgram(): a compiled kernel TypeScript module's program as a simulate() input, in the
// VM alone; what it is missing is named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { compileFile } from "../../src/compiler/index.js";
import { artifactProgram, simulate } from "../../src/vm/index.js";

// Compiled here from the source (the build's kernel step, which writes the .bpf.json artifacts,
// reads tracefs and so needs root; these tests must not).
const xdpCounter = await compileFile(
  fileURLToPath(new URL("../../../examples/kernel/xdp-counter.bpf.ts", import.meta.url)),
);

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

test("xdp-counter: the VM counts per EtherType and IP protocol, and decodes the per-CPU maps by name", () => {
  const program = artifactProgram(xdpCounter, "count");
  const result = simulate(program, { data: frame(0x0800, 17, 100), repeat: 3 });
  assert.equal(result.retval, 2); // XDP_PASS
  assert.deepEqual(total(program.entries<number, Counter[]>(result, "etherTypes").get(0x0800)), {
    packets: 3n,
    bytes: 300n,
  });
  assert.deepEqual([...program.entries<number, Counter[]>(result, "ipProtocols").keys()], [17]);
});

test("artifactProgram names what is missing: a program, a constant, a map", () => {
  const a = xdpCounter;
  assert.throws(() => artifactProgram(a, "nope"), /the module has no program "nope" \(it has count\)/);
  assert.throws(() => artifactProgram(a, "count", { constants: { limit: 1 } }), /the module has no constant limit/);
  const program = artifactProgram(a, "count");
  assert.throws(
    () => program.entries(simulate(program, { data: frame(0x0800, 1) }), "flows"),
    /the module has no map "flows"/,
  );
});
