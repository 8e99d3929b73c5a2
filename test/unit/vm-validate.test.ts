// What the VM refuses at load (with the instruction's index) and what stops a run (with the
// instruction and the address), in both tiers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Assembler } from "../../src/asm/assembler.js";
import { encode, insn } from "../../src/asm/instruction.js";
import { BPF_DW, BPF_W } from "../../src/asm/opcodes.js";
import { assembleText } from "../../src/asm/text.js";
import { ProgType } from "../../src/uapi.js";
import { ADDR_HI_BASE, Vm, VmBudgetExceeded, VmFault, VmValidationError } from "../../src/vm/index.js";
import { u32, u64 } from "../../src/maps/codec.js";

const asm = (text: string): Uint8Array => encode(assembleText(text));
const raw = (...words: [number, number, number, number, number][]): Uint8Array => encode(words.map((w) => insn(...w)));

function refused(code: Uint8Array, index: number, reason: RegExp, vm = new Vm(), type?: number): void {
  assert.throws(
    () => vm.load({ code, type }),
    (e: unknown) => {
      assert.ok(e instanceof VmValidationError, String(e));
      assert.equal(e.insnIndex, index, e.message);
      assert.match(e.message, reason);
      if (index >= 0) assert.match(e.message, new RegExp(`^instruction ${index} \\(`));
      return true;
    },
  );
}

test("load-time validation names the instruction and the reason", () => {
  refused(raw([0xff, 0, 0, 0, 0], [0x95, 0, 0, 0, 0]), 0, /unknown opcode 0xff/);
  refused(raw([0xb7, 0, 0, 0, 0], [0x8f, 0, 0, 0, 0], [0x95, 0, 0, 0, 0]), 1, /unknown opcode 0x8f/); // neg with X
  refused(raw([0xb7, 0, 0, 0, 0], [0x05, 0, 0, 5, 0], [0x95, 0, 0, 0, 0]), 1, /jump out of range: target 7/);
  refused(raw([0xb7, 0, 0, 0, 0], [0x15, 0, 0, -3, 0], [0x95, 0, 0, 0, 0]), 1, /jump out of range: target -1/);
  // into the second slot of an lddw
  refused(
    encode([insn(0x05, 0, 0, 1, 0), insn(0x18, 0, 0, 0, 1), insn(0x95, 0, 0, 0, 0)]),
    0,
    /jump into the middle of lddw at 1/,
  );
  refused(raw([0xb7, 0, 0, 0, 0], [0x18, 0, 0, 0, 1]).subarray(0, 16), 1, /lddw is missing its second slot/);
  refused(asm("mov %r0, 0"), 0, /falls off its end/);
  refused(asm("mov %r0, 0\nexit\nmov %r0, 1\nexit"), 2, /unreachable instruction/);
  refused(raw([0x05, 0, 0, -1, 0]), 0, /exit is unreachable/);
  refused(asm("call 9999\nexit"), 0, /unknown helper function #9999/);
  refused(asm("mov %r10, 0\nexit"), 0, /r10 \(the frame pointer\) is read-only/);
  refused(raw([0x07, 0, 1, 0, 1], [0x95, 0, 0, 0, 0]), 0, /reserved field src_reg must be zero/);
  refused(raw([0xbc, 0, 1, 4, 0], [0x95, 0, 0, 0, 0]), 0, /invalid offset 4 for mov/);
  refused(raw([0xd4, 0, 0, 0, 24], [0x95, 0, 0, 0, 0]), 0, /invalid byte swap width 24/);
  refused(raw([0x85, 0, 2, 0, 1234], [0x95, 0, 0, 0, 0]), 0, /kfunc calls are not supported/);
  refused(new Uint8Array(0), -1, /empty/);
  refused(new Uint8Array(12), -1, /not a multiple of 8/);
  // a function must not fall into the next one
  refused(asm("call local f\nexit\nf:\nmov %r0, 1\nexit").subarray(0, 24), 2, /falls off its end/);
});

test("registers must be written on every path before they are read (like the verifier)", () => {
  refused(asm("mov %r0, %r3\nexit"), 0, /invalid read of r3/);
  refused(asm("exit"), 0, /invalid read of r0/);
  // r1..r5 do not survive a call
  refused(asm("call 5\nmov %r0, %r1\nexit"), 1, /invalid read of r1/);
  // written on one path only
  refused(
    asm("jeq %r1, 0, +1\nmov %r2, 1\nmov %r0, %r2\nexit"),
    2,
    /invalid read of r2: it is not initialized on every path/,
    new Vm(),
    ProgType.XDP,
  );
  // the conformance contract gives UNSPEC programs r1 and r2; other types only r1 (the context)
  assert.equal(new Vm().load({ code: asm("mov %r0, %r2\nexit") }).run({ mem: new Uint8Array(3) }).r0, 3n);
  refused(asm("mov %r0, %r2\nexit"), 0, /invalid read of r2/, new Vm(), ProgType.XDP);
  // callee-saved registers survive a bpf-to-bpf call, and a callee sees r1..r5
  new Vm().load({ code: asm("mov %r6, 1\nmov %r1, 2\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r0, %r5\nexit") });
});

for (const tier of ["interpreter", "compiled"] as const) {
  const vm = (): Vm => new Vm({ tier });

  test(`memory faults name the instruction, the address and the region (${tier})`, () => {
    const stackHi = BigInt((ADDR_HI_BASE + 1) >>> 0) << 32n;
    // one past the top of the stack
    assert.throws(
      () =>
        vm()
          .load({ code: asm("mov %r0, 0\nldxdw %r0, [%r10+0]\nexit") })
          .run(),
      (e: unknown) => {
        assert.ok(e instanceof VmFault);
        assert.equal(e.insnIndex, 1);
        assert.equal(e.address, stackHi + 4096n);
        assert.match(
          e.message,
          /^instruction 1 \(r0 = \*\(u64 \*\)\(r10 \+0\)\): read of 8 bytes at 0xff00000100001000: outside the stack/,
        );
        return true;
      },
    );
    // below the bottom of all frames
    assert.throws(
      () =>
        vm()
          .load({ code: asm("stdw [%r10-4100], 1\nmov %r0, 0\nexit") })
          .run(),
      (e: unknown) => {
        assert.ok(e instanceof VmFault);
        assert.equal(e.insnIndex, 0);
        // 4100 below the top borrows from the tag; the message still names the stack
        assert.match(
          e.message,
          /write of 8 bytes at 0xff000000fffffffc: below the start of the stack \(stack\) by 4 bytes/,
        );
        return true;
      },
    );
    // NULL: no memory given, r1 = 0
    assert.throws(
      () =>
        vm()
          .load({ code: asm("ldxw %r0, [%r1+4]\nexit") })
          .run(),
      /instruction 0 .*read of 4 bytes at 0x0000000000000004: null pointer dereference/,
    );
    // a scalar used as a pointer
    assert.throws(
      () =>
        vm()
          .load({ code: asm("lddw %r1, 0x123456789\nldxb %r0, [%r1]\nexit") })
          .run(),
      /instruction 2 .*at 0x0000000123456789: the address is not a pointer the VM handed out/,
    );
    // past the end of the input memory, by one byte
    assert.throws(
      () =>
        vm()
          .load({ code: asm("ldxw %r0, [%r1+1]\nexit") })
          .run({ mem: new Uint8Array(4) }),
      /read of 4 bytes at 0xff00000400000001: outside the memory \(input memory\): valid .*offset 1 of 4/,
    );
    // XDP: the context is read-only, the packet ends at data_end
    assert.throws(
      () =>
        vm()
          .load({ type: ProgType.XDP, code: asm("stw [%r1+0], 1\nmov %r0, 0\nexit") })
          .run({ data: new Uint8Array(64) }),
      /instruction 0 .*write of 4 bytes .*the context \(xdp_md\) is read-only/,
    );
    const overread = asm("ldxw %r2, [%r1+0]\nldxb %r0, [%r2+64]\nexit");
    assert.throws(
      () =>
        vm()
          .load({ type: ProgType.XDP, code: overread })
          .run({ data: new Uint8Array(64) }),
      /instruction 1 .*read of 1 byte at 0xff00000200000140: outside the packet .*offset 64 of 64/,
    );
    assert.equal(
      vm()
        .load({ type: ProgType.XDP, code: overread })
        .run({ data: new Uint8Array(65).fill(7) }).r0,
      7n,
    );
  });

  test(`a freed map value is no longer addressable (${tier})`, () => {
    const v = vm();
    const map = v.hashMap({ key: u32, value: u64, maxEntries: 4 });
    map.set(1, 5n);
    const a = new Assembler();
    a.st(BPF_W, "r10", -4, 1).ldMapFd("r1", map).mov64("r2", "r10").add64("r2", -4).call("map_lookup_elem");
    a.jne("r0", 0, "found").exit().label("found").mov64("r6", "r0");
    a.ldMapFd("r1", map).mov64("r2", "r10").add64("r2", -4).call("map_delete_elem");
    a.ldx(BPF_DW, "r0", "r6", 0).exit();
    assert.throws(
      () => v.load({ type: ProgType.XDP, code: a.assemble().bytes }).run({ data: new Uint8Array(14) }),
      (e: unknown) => {
        assert.ok(e instanceof VmFault);
        assert.match(
          e.message,
          /read of 8 bytes at 0xff[0-9a-f]{14}: the address belongs to no live region \(freed map element/,
        );
        return true;
      },
    );
  });

  test(`the instruction budget stops endless loops (${tier})`, () => {
    const p = new Vm({ tier, maxInstructions: 1000 }).load({ code: asm("mov %r0, 0\nloop:\njeq %r0, 0, loop\nexit") });
    assert.throws(
      () => p.run(),
      (e: unknown) => {
        assert.ok(e instanceof VmBudgetExceeded);
        assert.match(e.message, /instruction budget of 1000 exhausted/);
        assert.ok(e.insnIndex === 1, String(e.insnIndex));
        return true;
      },
    );
    // within budget: the count is exact
    const q = new Vm({ tier, maxInstructions: 1000 }).load({
      code: asm("mov %r0, 0\nmov %r1, 10\nl:\nadd %r0, 2\nsub %r1, 1\njne %r1, 0, l\nexit"),
    });
    const r = q.run();
    assert.equal(r.r0, 20n);
    assert.equal(r.instructions, 2 + 3 * 10 + 1);
  });

  test(`bpf-to-bpf calls get their own frame; too deep a call chain faults (${tier})`, () => {
    // the callee's fp-8 is not the caller's fp-8
    const frames = asm(`
      mov %r0, 7
      stxdw [%r10-8], %r0
      call local f
      ldxdw %r0, [%r10-8]
      exit
      f:
      mov %r1, 5
      stxdw [%r10-8], %r1
      mov %r0, 1
      exit`);
    assert.equal(vm().load({ code: frames }).run().r0, 7n);
    // a callee may write through a pointer into its caller's frame
    const viaPointer = asm(`
      mov %r0, 0
      stxdw [%r10-8], %r0
      mov %r1, %r10
      add %r1, -8
      call local f
      ldxdw %r0, [%r10-8]
      exit
      f:
      stdw [%r1+0], 42
      mov %r0, 0
      exit`);
    assert.equal(vm().load({ code: viaPointer }).run().r0, 42n);
    const recursive = asm("call local f\nexit\nf:\ncall local f\nexit");
    assert.throws(
      () => vm().load({ code: recursive }).run(),
      /instruction 2 \(call pc-1\): call stack too deep \(more than 8 frames\)/,
    );
  });
}

for (const tier of ["interpreter", "compiled"] as const) {
  test(`may_goto falls through 8,388,608 times per run, then jumps (${tier})`, () => {
    const a = new Assembler();
    a.mov64("r0", 0).label("loop").mayGoto("out").add64("r0", 1).ja("loop").label("out").exit();
    const p = new Vm({ tier }).load({ code: a.assemble().bytes });
    assert.equal(p.run().r0, 8n * 1024n * 1024n);
    assert.equal(p.run().r0, 8n * 1024n * 1024n); // the count starts afresh each run
  });
}
