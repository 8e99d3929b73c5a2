// runRetval: a compiled program's own generated runner, which lays out memory or a packet itself;
// inputs it does not take (a context or argument registers for a memory program) go the general
// way, and either way the next run starts from a clean machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Assembler } from "../../src/asm/assembler.js";
import { BPF_B, BPF_DW, BPF_W } from "../../src/asm/opcodes.js";
import { ProgType } from "../../src/uapi.js";
import { setChunkSize, Vm, VmBudgetExceeded, type VmFault } from "../../src/vm/index.js";

const tiers = ["interpreter", "compiled", "auto"] as const;

/** r0 = r1 + r2 (64-bit): with memory, r1 is a pointer whose low word is 0, so the retval is r2. */
function sumProgram(): Uint8Array {
  const a = new Assembler();
  a.mov64("r0", "r1").add64("r0", "r2").exit();
  return a.assemble().bytes;
}

for (const tier of tiers) {
  test(`runRetval on memory, arguments and memory again agree with run() (${tier})`, () => {
    const vm = new Vm({ tier });
    const p = vm.load({ code: sumProgram() });
    const mem = new Uint8Array(24);
    for (let round = 0; round < 20; round++) {
      // memory: r1 is a pointer (low word 0), r2 its length
      const onMemory = p.run({ mem });
      assert.equal(p.runRetval({ mem }), 24);
      assert.equal(onMemory.retval, 24);
      assert.equal(onMemory.instructions, 3);
      assert.equal(p.lastInstructions, 3);
      // argument registers take the general path, also once the program is compiled
      assert.equal(p.runRetval({ args: [5, 9] }), 14);
      assert.equal(p.run({ args: [-1n, 0] }).r0, (1n << 64n) - 1n);
      // empty memory: r1 is a null pointer
      assert.equal(p.runRetval({ mem: new Uint8Array(0) }), 0);
    }
  });

  test(`runRetval returns r0's low word unsigned, from every exit, and leaves r0 for run() (${tier})`, () => {
    const vm = new Vm({ tier });
    const a = new Assembler();
    // two exits: mem[0] == 0 returns -1 (retval 0xffffffff), else 0x1_8000_0000 (retval 2^31)
    a.ldx(BPF_B, "r2", "r1", 0).jne("r2", 0, "other").mov64("r0", -1).exit();
    a.label("other").lddw("r0", 0x1_8000_0000n).exit();
    const p = vm.load({ code: a.assemble().bytes });
    for (let round = 0; round < 20; round++) {
      assert.equal(p.runRetval({ mem: Uint8Array.of(0) }), 0xffffffff);
      assert.equal(p.runRetval({ mem: Uint8Array.of(1) }), 0x80000000);
      assert.equal(p.run({ mem: Uint8Array.of(1) }).r0, 0x1_8000_0000n);
    }
  });

  test(`runRetval of a packet program through a tail call returns the target's retval (${tier})`, () => {
    const vm = new Vm({ tier });
    const progs = vm.progArray({ maxEntries: 2 });
    const assemble = (build: (a: Assembler) => void): Uint8Array => {
      const a = new Assembler();
      build(a);
      return a.assemble().bytes;
    };
    const target = vm.load({ type: ProgType.XDP, code: assemble((a) => a.mov64("r0", 3).exit()) });
    progs.set(0, target);
    const main = vm.load({
      type: ProgType.XDP,
      code: assemble((a) => a.ldMapFd("r2", progs).mov64("r3", 0).call("tail_call").mov64("r0", 1).exit()),
    });
    const data = new Uint8Array(64);
    for (let round = 0; round < 20; round++) {
      assert.equal(main.runRetval({ data }), 3);
      assert.equal(main.run({ data }).retval, 3);
    }
  });
}

for (const tier of tiers) {
  test(`the stack a run wrote is clean in the next, after an exit, a fault or another program (${tier})`, () => {
    const vm = new Vm({ tier });
    // mem[0] = 1: write r10-8 and r10-1, then exit; 2: write them, then fault on a null pointer;
    // 0: return what r10-8 and r10-1 hold
    const a = new Assembler();
    a.ldx(BPF_B, "r2", "r1", 0).jeq("r2", 0, "read");
    a.st(BPF_DW, "r10", -8, 0x5a5a).st(BPF_B, "r10", -1, 0x77).jeq("r2", 2, "fault").mov64("r0", 1).exit();
    a.label("fault").mov64("r3", 0).ldx(BPF_W, "r0", "r3", 0).exit();
    a.label("read").ldx(BPF_DW, "r0", "r10", -8).ldx(BPF_B, "r4", "r10", -1).or64("r0", "r4").exit();
    const p = vm.load({ code: a.assemble().bytes });
    // another program writes the same frame deeper down
    const b = new Assembler();
    b.st(BPF_DW, "r10", -16, 0x33).st(BPF_DW, "r10", -8, 0x44).mov64("r0", 0).exit();
    const other = vm.load({ code: b.assemble().bytes });
    for (let round = 0; round < 20; round++) {
      assert.equal(p.runRetval({ mem: Uint8Array.of(1) }), 1);
      assert.equal(p.runRetval({ mem: Uint8Array.of(0) }), 0);
      assert.throws(() => p.runRetval({ mem: Uint8Array.of(2) }), /null pointer/);
      assert.equal(p.runRetval({ mem: Uint8Array.of(0) }), 0);
      other.runRetval({ mem: Uint8Array.of(0) });
      assert.equal(p.run({ mem: Uint8Array.of(0) }).r0, 0n);
    }
  });
}

for (const tier of tiers) {
  test(`a budget too small for a straight-line program still stops it (${tier})`, () => {
    // three blocks of 2, 2 and 3 instructions: a budget of 5 runs out in the last block
    const a = new Assembler();
    a.mov64("r0", 1).jeq("r2", 0, "end").add64("r0", 1).jeq("r2", 1, "end");
    a.add64("r0", 2).add64("r0", 3).label("end").exit();
    const code = a.assemble().bytes;
    for (let round = 0; round < 20; round++) {
      const small = new Vm({ tier, maxInstructions: 5 }).load({ code });
      assert.equal(small.runRetval({ mem: new Uint8Array(0) }), 1); // r2 = 0: 3 instructions
      assert.equal(small.runRetval({ mem: new Uint8Array(1) }), 2); // r2 = 1: 5 instructions
      assert.throws(
        () => small.runRetval({ mem: new Uint8Array(2) }),
        (e: VmFault) => e instanceof VmBudgetExceeded && /budget of 5 exhausted/.test(e.message),
      );
      const enough = new Vm({ tier, maxInstructions: 7 }).load({ code });
      assert.equal(enough.runRetval({ mem: new Uint8Array(2) }), 7);
      assert.equal(enough.lastInstructions, 7);
    }
  });
}

test("runRetval of a program compiled in chunks takes the general path with the same results", () => {
  const old = setChunkSize(2);
  try {
    const a = new Assembler();
    // the stack written in one run is clean in the next
    a.ldx(BPF_DW, "r0", "r10", -8).mov64("r1", 77).stx(BPF_DW, "r10", "r1", -8).add64("r0", "r2").exit();
    const p = new Vm({ tier: "compiled" }).load({ code: a.assemble().bytes });
    for (let round = 0; round < 5; round++) assert.equal(p.runRetval({ mem: new Uint8Array(5) }), 5);
  } finally {
    setChunkSize(old);
  }
});
