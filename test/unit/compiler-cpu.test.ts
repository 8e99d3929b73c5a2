// The target instruction set (`cpu`, as clang's -mcpu): a module compiled for v1…v4 holds no
// instruction above its target, uses the ones its target adds, records the target in the
// artifact, and computes the same results in the VM for every target.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decode, instructionIsa, insnText, type Instruction } from "../../src/asm/index.js";
import { compileModule, type CompiledModule } from "../../src/compiler/compile.js";
import { parseCpuOption, resolveCpu, type CpuVersion } from "../../src/compiler/target.js";
import { programBytes } from "../../src/compiler/artifact.js";
import { artifactProgram, simulate } from "../../src/vm/index.js";
import { virtualFile } from "../helpers/compiler-helpers.js";
import { ISA_PROGRAM, ISA_SLOTS, isaExpected, isaInputs, isaPacket } from "../helpers/isa-program.js";

const CPUS: CpuVersion[] = ["v1", "v2", "v3", "v4"];
const file = virtualFile("isa-targets");
const compiled = new Map<CpuVersion, CompiledModule>();
for (const cpu of CPUS) compiled.set(cpu, await compileModule(file, { source: ISA_PROGRAM, cpu }));

const instructions = (m: CompiledModule): Instruction[] => m.artifact.programs.flatMap((p) => decode(programBytes(p)));

test("no instruction above the target: every decoded instruction of a v1…v4 compile is in its set", () => {
  for (const cpu of CPUS) {
    const limit = Number(cpu.slice(1));
    const above = instructions(compiled.get(cpu)!).filter((i) => instructionIsa(i) > limit);
    assert.deepEqual(
      above.map((i) => insnText(i)),
      [],
      `${cpu} compile`,
    );
  }
});

test("each target uses what it adds: sdiv/movsx at v4, JMP32 at v3, jlt-style jumps at v2", () => {
  const highest = (cpu: CpuVersion) => Math.max(...instructions(compiled.get(cpu)!).map((i) => instructionIsa(i)));
  assert.deepEqual(
    CPUS.map((cpu) => highest(cpu)),
    [1, 2, 3, 4],
  );
  const texts = instructions(compiled.get("v4")!).map((i) => insnText(i));
  assert.ok(
    texts.some((t) => / s\/= /.test(t)),
    "v4 divides with sdiv",
  );
  assert.ok(
    texts.some((t) => / s%= /.test(t)),
    "v4 takes the remainder with smod",
  );
  assert.ok(
    texts.some((t) => /\(s(8|16|32)\)/.test(t)),
    "v4 sign-extends with movsx",
  );
  // Emulation costs instructions; the counts say each target compiled its own code.
  const sizes = CPUS.map((cpu) => instructions(compiled.get(cpu)!).length);
  assert.ok(sizes[0]! > sizes[3]!, `v1 (${sizes[0]}) is longer than v4 (${sizes[3]})`);
});

test("the artifact records the target", () => {
  for (const cpu of CPUS) {
    assert.equal(compiled.get(cpu)!.artifact.cpu, cpu);
    assert.deepEqual(compiled.get(cpu)!.target, { cpu, isa: Number(cpu.slice(1)), source: "option" });
  }
});

test("every target computes eBPF's results (INT_MIN / -1, x / 0, x % 0, mixed signs) in the VM", () => {
  const inputs = isaInputs();
  for (const cpu of CPUS) {
    const program = artifactProgram(compiled.get(cpu)!.artifact, "p");
    for (const input of inputs) {
      const result = simulate(program, { data: isaPacket(input) });
      assert.equal(result.retval, 2, `${cpu}: XDP_PASS`);
      const slots = program.entries<number, bigint>(result, "out");
      const got = Array.from({ length: ISA_SLOTS }, (_, k) => slots.get(k));
      assert.deepEqual(got, isaExpected(input), `${cpu} on ${JSON.stringify(input, (_, v) => String(v))}`);
    }
  }
});

test("an unknown cpu is one clear error", async () => {
  assert.throws(() => parseCpuOption("v5"), /^CpuOptionError: unknown cpu "v5": choose one of v1, v2, v3, v4, probe/);
  assert.throws(() => resolveCpu("bogus" as never), /unknown cpu "bogus"/);
  await assert.rejects(compileModule(file, { source: ISA_PROGRAM, cpu: "x86" as never }), /unknown cpu "x86"/);
});
