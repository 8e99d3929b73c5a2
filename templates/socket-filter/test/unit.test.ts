// The kernel program in tsbpf's eBPF VM: no root, no kernel. simulate() runs the compiled
// bytecode on crafted datagrams; the verdict is the number of bytes the socket keeps.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KernelObject } from "tsbpf/compiler";
import { artifactProgram, simulate } from "tsbpf/vm";
import { ARTIFACT } from "../src/filter.js";
import { DROPPED, KEPT } from "../src/kernel.bpf.js";

const artifact = KernelObject.readArtifact(ARTIFACT);

/**
 * A datagram as simulate() takes packets: behind a 14-byte Ethernet header, as for
 * BPF_PROG_TEST_RUN. The program sees only the datagram, as on a real socket.
 */
function datagram(text: string): Uint8Array {
  return Buffer.concat([Buffer.alloc(14), Buffer.from(text)]);
}

test("VM: a marked datagram is dropped and an unmarked one kept whole", () => {
  const program = artifactProgram(artifact, "dropMarked");
  const dropped = simulate(program, { data: datagram("# comment") });
  assert.equal(dropped.retval, 0);
  assert.deepEqual(
    [...program.entries<number, bigint>(dropped, "verdicts")],
    [
      [KEPT, 0n],
      [DROPPED, 1n],
    ],
  );
  const kept = simulate(program, { data: datagram("hello") });
  assert.equal(kept.retval, 5);
  assert.deepEqual(
    [...program.entries<number, bigint>(kept, "verdicts")],
    [
      [KEPT, 1n],
      [DROPPED, 0n],
    ],
  );
});

test("VM: the marker is a constant set at load", () => {
  const program = artifactProgram(artifact, "dropMarked", { constants: { marker: 0x21 } }); // "!"
  assert.equal(simulate(program, { data: datagram("# kept now") }).retval, 10);
  assert.equal(simulate(program, { data: datagram("!dropped") }).retval, 0);
});
