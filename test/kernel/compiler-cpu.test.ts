// The target instruction set against the kernel: the same signed division / modulo / sign
// extension / compare program compiled for v1, v2, v3 and v4 loads here and gives, with
// BPF_PROG_TEST_RUN over edge-case inputs, the same results on every target — the ones eBPF
// defines (v4's sdiv/smod semantics) — and probing finds this kernel's v4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileModule } from "../../src/compiler/compile.js";
import { probeKernelCpu, resolveCpu, type CpuVersion } from "../../src/compiler/target.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { testRun } from "../../src/programs/test-run.js";
import { virtualFile } from "../helpers/compiler-helpers.js";
import { ISA_PROGRAM, ISA_SLOTS, isaExpected, isaInputs, isaPacket } from "../helpers/isa-program.js";

const CPUS: CpuVersion[] = ["v1", "v2", "v3", "v4"];

test("probing finds v4 on this kernel (Linux ≥ 6.6), once per process, and compiles for it by default", async () => {
  const probed = probeKernelCpu();
  assert.deepEqual(probed, { cpu: "v4", isa: 4, source: "probe" });
  assert.equal(resolveCpu(), resolveCpu("probe"), "cached");
  const m = await compileModule(virtualFile("isa-probe"), { source: ISA_PROGRAM });
  assert.equal(m.artifact.cpu, "v4");
  assert.equal(m.target.source, "probe");
});

test("v1…v4 compiles of signed division, modulo, extension and compares agree with eBPF's results", async () => {
  const objects: KernelObject[] = [];
  try {
    for (const cpu of CPUS) {
      const m = await compileModule(virtualFile(`isa-${cpu}`), { source: ISA_PROGRAM, cpu });
      objects.push(KernelObject.load(m.artifact));
    }
    const inputs = isaInputs();
    for (const input of inputs) {
      const expected = isaExpected(input);
      objects.forEach((obj, k) => {
        assert.equal(testRun(obj.programs.p!, { data: isaPacket(input) }).retval, 2, `${CPUS[k]}: XDP_PASS`);
        const out = obj.maps.out as unknown as { get(i: number): bigint };
        const got = Array.from({ length: ISA_SLOTS }, (_, i) => out.get(i));
        assert.deepEqual(got, expected, `${CPUS[k]} on ${JSON.stringify(input, (_, v) => String(v))}`);
      });
    }
  } finally {
    for (const obj of objects) obj.close();
  }
});
