// The kernel program in tsbpf's eBPF VM: no root, no kernel. simulate() runs the compiled
// bytecode on a crafted frame; the test checks the verdict and what the map holds afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KernelObject } from "tsbpf/compiler";
import { XDP_PASS } from "tsbpf/kernel";
import { artifactProgram, simulate } from "tsbpf/vm";
import { ARTIFACT } from "../src/counter.js";
import { ipv4Frame } from "./frames.js";

const artifact = KernelObject.readArtifact(ARTIFACT);

test("VM: three UDP frames count as 3 packets of protocol 17, and pass", () => {
  const program = artifactProgram(artifact, "countProtocols");
  const frame = ipv4Frame(17, 30);
  const result = simulate(program, { data: frame, repeat: 3 });
  assert.equal(result.retval, XDP_PASS);
  const protocols = program.entries<number, { packets: bigint; bytes: bigint }[]>(result, "protocols");
  const udp = protocols
    .get(17)!
    .reduce((sum, cpu) => ({ packets: sum.packets + cpu.packets, bytes: sum.bytes + cpu.bytes }));
  assert.deepEqual(udp, { packets: 3n, bytes: BigInt(3 * frame.length) });
  assert.equal(protocols.get(6)![0]!.packets, 0n, "nothing counted as TCP");
});

test("VM: a frame too short for an IP header passes uncounted", () => {
  const program = artifactProgram(artifact, "countProtocols");
  const result = simulate(program, { data: ipv4Frame(17).subarray(0, 20) });
  assert.equal(result.retval, XDP_PASS);
  for (const [, perCpu] of program.entries<number, { packets: bigint }[]>(result, "protocols")) {
    assert.equal(perCpu[0]!.packets, 0n);
  }
});
