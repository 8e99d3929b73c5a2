// The kernel program in tsbpf's eBPF VM: no root, no kernel. simulate() runs the compiled
// bytecode on crafted frames, with the blocked port set as KernelObject.load would set it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KernelObject } from "tsbpf/compiler";
import { TC_ACT_OK, TC_ACT_SHOT } from "tsbpf/kernel";
import { artifactProgram, simulate } from "tsbpf/vm";
import { ARTIFACT } from "../src/filter.js";
import { DROPPED, PASSED } from "../src/kernel.bpf.js";
import { ipv4Frame } from "./frames.js";

const artifact = KernelObject.readArtifact(ARTIFACT);
const program = artifactProgram(artifact, "dropPort", { constants: { blockedPort: 5353 } });

function packets(result: ReturnType<typeof simulate>, index: number): bigint {
  const verdicts = program.entries<number, { packets: bigint }[]>(result, "verdicts");
  return verdicts.get(index)!.reduce((sum, cpu) => sum + cpu.packets, 0n);
}

test("VM: UDP and TCP to the blocked port are dropped and counted", () => {
  for (const protocol of [17, 6] as const) {
    const result = simulate(program, { data: ipv4Frame(protocol, 5353), repeat: 2 });
    assert.equal(result.retval, TC_ACT_SHOT);
    assert.equal(packets(result, DROPPED), 2n);
    assert.equal(packets(result, PASSED), 0n);
  }
});

test("VM: other ports pass and are counted as passed", () => {
  const result = simulate(program, { data: ipv4Frame(17, 53) });
  assert.equal(result.retval, TC_ACT_OK);
  assert.equal(packets(result, PASSED), 1n);
  assert.equal(packets(result, DROPPED), 0n);
});
