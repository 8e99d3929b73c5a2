// The VM against the real kernel: thousands of random programs give the same registers and stack
// in both VM tiers as under BPF_PROG_TEST_RUN, and `simulate()` gives the same answer with the
// VM and the kernel backend for programs that use maps, packets, contexts and helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Assembler } from "../../src/asm/assembler.js";
import { listing } from "../../src/asm/disasm.js";
import { BPF_B, BPF_DW, BPF_H, BPF_W } from "../../src/asm/opcodes.js";
import { helperSupported } from "../../src/features.js";
import { Program } from "../../src/programs/program.js";
import { testRun } from "../../src/programs/test-run.js";
import { possibleCpuCount } from "../../src/sys/cpus.js";
import { MapType, ProgType } from "../../src/uapi.js";
import { simulate, Vm, type MapDef, type SimInput, type SimProgram } from "../../src/vm/index.js";
import { randomPacket, randomProgram, Rng } from "../helpers/vm-gen.js";

const root = process.getuid?.() === 0;
const needRoot = (t: { skip: (m: string) => void }): boolean => {
  if (!root) t.skip("needs root for BPF_PROG_LOAD and BPF_PROG_TEST_RUN");
  return root;
};

test("random programs: the VM's registers and stack equal the kernel's (2000 runs)", (t) => {
  if (!needRoot(t)) return;
  const r = new Rng(0x5eed);
  const interp = new Vm({ tier: "interpreter" }),
    compiled = new Vm({ tier: "compiled" });
  let runs = 0,
    differentOutputs = 0;
  for (let i = 0; i < 100; i++) {
    const prog = randomProgram(r, 25 + r.int(50));
    using kernel = Program.load({ type: ProgType.XDP, code: prog.bytes, name: "vm_diff" });
    const a = interp.load({ type: ProgType.XDP, code: prog.bytes });
    const b = compiled.load({ type: ProgType.XDP, code: prog.bytes });
    for (let j = 0; j < 20; j++) {
      const data = randomPacket(r);
      const k = testRun(kernel, { data });
      const x = a.run({ data }),
        y = b.run({ data });
      const where = (): string =>
        `program ${i} (seed 0x5eed), packet ${j}:\n${listing(prog.bytes).join("\n")}\ninput ${Buffer.from(data).toString("hex")}`;
      assert.equal(x.retval, k.retval, where());
      assert.equal(Buffer.from(x.data).toString("hex"), Buffer.from(k.data).toString("hex"), where());
      assert.equal(Buffer.from(y.data).toString("hex"), Buffer.from(k.data).toString("hex"), where());
      if (Buffer.compare(Buffer.from(k.data.subarray(128, 256)), Buffer.from(data.subarray(0, 128))) !== 0)
        differentOutputs++;
      runs++;
    }
  }
  assert.equal(runs, 2000);
  assert.ok(differentOutputs > 1900, "the programs compute something");
});

/** Both backends on the same program and input; returns the VM's result after checking they agree. */
function agree(program: SimProgram, input: SimInput, vmOptions = {}) {
  const k = simulate(program, input, { backend: "kernel" });
  for (const tier of ["interpreter", "compiled"] as const) {
    const v = simulate(program, input, { vm: { tier, cpus: possibleCpuCount(), ...vmOptions } });
    assert.equal(v.retval, k.retval, `${tier}: retval`);
    assert.equal(Buffer.from(v.data).toString("hex"), Buffer.from(k.data).toString("hex"), `${tier}: packet`);
    assert.deepEqual(normalise(v.maps), normalise(k.maps), `${tier}: maps`);
  }
  return k;
}

/** Map dumps as hex, per-CPU values summed per byte position (the kernel may run on any CPU). */
function normalise(maps: ReturnType<typeof simulate>["maps"]): [string, string][][] {
  return maps.map((m) =>
    m.entries.map(([key, value]) => {
      if (Array.isArray(value)) {
        const sum = value.reduce((acc, v) => acc + Buffer.from(v).readBigUInt64LE(0), 0n);
        return [Buffer.from(key).toString("hex"), `sum:${sum}`];
      }
      return [Buffer.from(key).toString("hex"), Buffer.from(value).toString("hex")];
    }),
  );
}

const ethernet = (type: number, len = 64): Uint8Array => {
  const p = Uint8Array.from({ length: len }, (_, i) => (i * 7) & 0xff);
  p[12] = type >> 8;
  p[13] = type & 0xff;
  return p;
};

test("simulate: a packet counter with array, hash and per-CPU maps agrees with the kernel", (t) => {
  if (!needRoot(t)) return;
  const maps: MapDef[] = [
    { type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 2, name: "totals" },
    {
      type: MapType.HASH,
      keySize: 2,
      valueSize: 8,
      maxEntries: 4,
      name: "by_proto",
      entries: [[Uint8Array.of(0x86, 0xdd), new Uint8Array(8)]],
    },
    { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: "pcpu" },
  ];
  const a = new Assembler();
  a.mov64("r6", "r1").ldx(BPF_W, "r7", "r6", 0).ldx(BPF_W, "r8", "r6", 4);
  a.mov64("r2", "r7").add64("r2", 14).jgt("r2", "r8", "pass");
  // totals[0] += 1 packet, += length bytes
  a.st(BPF_W, "r10", -4, 0)
    .ldMapIdx("r1", 0)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .call("map_lookup_elem")
    .jeq("r0", 0, "pass");
  a.mov64("r1", 1)
    .atomic(BPF_DW, 0x00, "r0", "r1", 0)
    .mov64("r1", "r8")
    .sub64("r1", "r7")
    .atomic(BPF_DW, 0x00, "r0", "r1", 8);
  // by_proto[ethertype] += 1, inserting with NOEXIST first
  a.ldx(BPF_H, "r1", "r7", 12).stx(BPF_H, "r10", "r1", -8).st(BPF_DW, "r10", -16, 0);
  a.ldMapIdx("r1", 1)
    .mov64("r2", "r10")
    .add64("r2", -8)
    .mov64("r3", "r10")
    .add64("r3", -16)
    .mov64("r4", 1)
    .call("map_update_elem");
  a.ldMapIdx("r1", 1).mov64("r2", "r10").add64("r2", -8).call("map_lookup_elem").jeq("r0", 0, "pass");
  a.mov64("r1", 1).atomic(BPF_DW, 0x00, "r0", "r1", 0);
  a.st(BPF_W, "r10", -4, 0)
    .ldMapIdx("r1", 2)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .call("map_lookup_elem")
    .jeq("r0", 0, "pass");
  a.ldx(BPF_DW, "r1", "r0", 0).add64("r1", 3).stx(BPF_DW, "r0", "r1", 0);
  a.label("pass").mov64("r0", 2).exit();
  const program = { type: ProgType.XDP, code: a.assemble().bytes, maps };
  const k = agree(program, { data: ethernet(0x0800), repeat: 10 });
  assert.equal(Buffer.from(k.maps[0]!.entries[0]![1] as Uint8Array).readBigUInt64LE(0), 10n);
  assert.deepEqual(normalise(k.maps)[2], [["00000000", "sum:30"]]);
  agree(program, { data: ethernet(0x86dd, 100), repeat: 3 });
  agree(program, { data: ethernet(0x0800, 14) }); // only a header: nothing counted
  // shorter than an Ethernet header: both worlds refuse the input
  assert.throws(() => simulate(program, { data: new Uint8Array(10) }, { backend: "kernel" }), /EINVAL/);
  assert.throws(() => simulate(program, { data: new Uint8Array(10) }), /too short/);
});

test("simulate: a full hash map answers E2BIG in both worlds; queues pop in the same order", (t) => {
  if (!needRoot(t)) return;
  const maps: MapDef[] = [
    { type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 2 },
    { type: MapType.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 },
  ];
  const a = new Assembler();
  // insert keys 1, 2, 3: the results of the three updates go into r6 (2 bits each, 0 or E2BIG)
  a.mov64("r6", 0);
  for (const key of [1, 2, 3]) {
    a.st(BPF_W, "r10", -4, key)
      .st(BPF_W, "r10", -8, key * 10)
      .ldMapIdx("r1", 0)
      .mov64("r2", "r10")
      .add64("r2", -4)
      .mov64("r3", "r10")
      .add64("r3", -8)
      .mov64("r4", 0);
    a.call("map_update_elem").lsh64("r6", 4).and64("r0", 0xf).or64("r6", "r0");
  }
  for (const v of [7, 8, 9]) {
    a.st(BPF_W, "r10", -4, v)
      .ldMapIdx("r1", 1)
      .mov64("r2", "r10")
      .add64("r2", -4)
      .mov64("r3", v === 9 ? 2 : 0)
      .call("map_push_elem")
      .lsh64("r6", 4)
      .and64("r0", 0xf)
      .or64("r6", "r0");
  }
  a.ldMapIdx("r1", 1)
    .mov64("r2", "r10")
    .add64("r2", -4)
    .call("map_pop_elem")
    .ldx(BPF_W, "r0", "r10", -4)
    .lsh64("r6", 8)
    .or64("r6", "r0");
  a.mov64("r0", "r6").exit();
  const k = agree({ type: ProgType.XDP, code: a.assemble().bytes, maps }, { data: ethernet(0x800) });
  // the third insert finds the map full (E2BIG = -7: low nibble 9); the pushes succeed, 9 with
  // BPF_EXIST dropping 7; the pop gives 8
  assert.equal(k.retval, 0x00_90_00_08);
});

/** Moves the head and the tail, optionally makes room for metadata, then rewrites the packet. */
function adjustingXdp(withMeta: boolean): SimProgram {
  const a = new Assembler();
  a.mov64("r6", "r1").mov64("r2", 14).call("xdp_adjust_head").jne("r0", 0, "out");
  a.mov64("r1", "r6").mov64("r2", -20).call("xdp_adjust_tail").jne("r0", 0, "out");
  a.mov64("r1", "r6").mov64("r2", 6).call("xdp_adjust_tail").jne("r0", 0, "out");
  if (withMeta) a.mov64("r1", "r6").mov64("r2", -8).call("xdp_adjust_meta").jne("r0", 0, "out");
  a.ldx(BPF_W, "r2", "r6", 0).ldx(BPF_W, "r3", "r6", 4).mov64("r4", "r2").add64("r4", 4).jgt("r4", "r3", "out");
  a.ldx(BPF_W, "r5", "r2", 0).bswap("r5", 32).stx(BPF_W, "r2", "r5", 0);
  a.ldx(BPF_W, "r4", "r6", 8).mov64("r0", "r2").sub64("r0", "r4").lsh64("r0", 8).or64("r0", 2).label("out").exit();
  return { type: ProgType.XDP, code: a.assemble().bytes };
}

test("simulate: XDP head/tail adjustment and packet rewriting agree with the kernel", (t) => {
  if (!needRoot(t)) return;
  const k = agree(adjustingXdp(false), { data: ethernet(0x0800, 80) });
  assert.equal(k.retval, 2); // no metadata: data_meta == data
  assert.equal(k.data.length, 80 - 14 - 20 + 6);
  // a packet too short for the tail adjustment: -EINVAL in both
  agree(adjustingXdp(false), { data: ethernet(0x0800, 40) });
});

test("simulate: XDP metadata adjustment agrees with the kernel", (t) => {
  if (!needRoot(t)) return;
  // Some kernels are built to refuse bpf_xdp_adjust_meta in XDP programs; probe it rather than assume.
  if (!helperSupported("xdp", "xdp_adjust_meta")) {
    t.skip("this kernel refuses bpf_xdp_adjust_meta in XDP programs (probed)");
    return;
  }
  const k = agree(adjustingXdp(true), { data: ethernet(0x0800, 80) });
  assert.equal(k.retval, (8 << 8) | 2);
  assert.equal(k.data.length, 8 + 80 - 14 - 20 + 6); // test_run output starts at data_meta
});

test("simulate: socket filter and tc programs see the same __sk_buff and packet as in the kernel", (t) => {
  if (!needRoot(t)) return;
  const fields = [0, 4, 16, 36, 40]; // len, pkt_type, protocol, ingress_ifindex, ifindex
  for (const off of fields) {
    for (const type of [ProgType.SOCKET_FILTER, ProgType.SCHED_CLS]) {
      const code = new Assembler().ldx(BPF_W, "r0", "r1", off).exit().assemble().bytes;
      for (const frame of [
        ethernet(0x0800),
        ethernet(0x86dd, 90),
        Uint8Array.from([...Array(6).fill(0xff), ...ethernet(0x0806, 58).subarray(6)]),
      ]) {
        agree({ type, code }, { data: frame });
      }
    }
  }
  // skb_load_bytes and LD_ABS/LD_IND in a socket filter (offsets from the network header)
  const sf = new Assembler();
  sf.mov64("r6", "r1")
    .mov64("r2", 3)
    .mov64("r3", "r10")
    .add64("r3", -8)
    .mov64("r4", 4)
    .call("skb_load_bytes")
    .ldx(BPF_W, "r7", "r10", -8);
  sf.ldAbs(BPF_H, 2).lsh64("r0", 32).xor64("r7", "r0").mov64("r8", 1).ldInd(BPF_B, "r8", 4).add64("r0", "r7").exit();
  agree({ type: ProgType.SOCKET_FILTER, code: sf.assemble().bytes }, { data: ethernet(0x0800, 70) });
  // tc: direct packet access and a rewrite, mark through the context
  const tc = new Assembler();
  tc.ldx(BPF_W, "r2", "r1", 76).ldx(BPF_W, "r3", "r1", 80).mov64("r4", "r2").add64("r4", 20).jgt("r4", "r3", "drop");
  tc.ldx(BPF_DW, "r5", "r2", 0).neg64("r5").stx(BPF_DW, "r2", "r5", 8).ldx(BPF_W, "r0", "r1", 0).exit();
  tc.label("drop").mov64("r0", 2).exit();
  agree({ type: ProgType.SCHED_CLS, code: tc.assemble().bytes }, { data: ethernet(0x0800, 60) });
});

test("simulate: bpf-to-bpf calls, bpf_loop callbacks and atomics on map values agree with the kernel", (t) => {
  if (!needRoot(t)) return;
  const maps: MapDef[] = [{ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 }];
  const a = new Assembler();
  a.mov64("r6", "r1").st(BPF_DW, "r10", -8, 0);
  a.mov64("r1", 20).ldFunc("r2", "step").mov64("r3", "r10").add64("r3", -8).mov64("r4", 0).call("loop");
  a.mov64("r7", "r0").mov64("r1", 7).mov64("r2", 9).callLocal("mix").add64("r7", "r0");
  a.ldMapIdxValue("r1", 0, 0).ldx(BPF_DW, "r2", "r10", -8).atomic(BPF_DW, 0x01, "r1", "r2", 0).add64("r7", "r2");
  a.mov64("r0", "r7").exit();
  a.label("step")
    .ldx(BPF_DW, "r3", "r2", 0)
    .mul64("r3", 3)
    .add64("r3", "r1")
    .stx(BPF_DW, "r2", "r3", 0)
    .mov64("r0", 0)
    .jlt("r1", 15, "go")
    .mov64("r0", 1)
    .label("go")
    .exit();
  a.label("mix")
    .st(BPF_DW, "r10", -8, 100)
    .mov64("r0", "r1")
    .mul64("r0", "r2")
    .ldx(BPF_DW, "r3", "r10", -8)
    .add64("r0", "r3")
    .exit();
  const program = { type: ProgType.XDP, code: a.assemble(), maps };
  const k = agree(program, { data: ethernet(0x800), repeat: 2 });
  assert.notEqual(k.retval, 0);
});

test("trace_printk writes what the kernel writes to the trace buffer", (t) => {
  if (!needRoot(t)) return;
  let before: string;
  try {
    before = readFileSync("/sys/kernel/tracing/trace", "utf8");
  } catch {
    t.skip("tracefs is not mounted");
    return;
  }
  void before;
  const tag = `tsbpf_vm_${process.pid}_${Date.now()}`;
  const formats: [string, number, number, number][] = [
    [`${tag} %d %u %x`, -5, -5, 255],
    [`${tag} [%5d|%-4x|%05X]%%`, 42, 10, 255],
    [`${tag} %lld %llx %+d`, -1, -1, 7],
  ];
  const vm = new Vm();
  for (const [format, r3, r4, r5] of formats) {
    const text = Buffer.from(`${format}\0`);
    const fmt = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4)]);
    const a = new Assembler();
    for (let i = 0; i < fmt.length; i += 4) a.st(BPF_W, "r10", -64 + i, fmt.readInt32LE(i));
    a.mov64("r1", "r10")
      .add64("r1", -64)
      .mov64("r2", text.length)
      .mov64("r3", r3)
      .mov64("r4", r4)
      .mov64("r5", r5)
      .call("trace_printk")
      .exit();
    const code = a.assemble().bytes;
    using p = Program.load({ type: ProgType.XDP, code, name: "vm_printk" });
    const k = testRun(p, { data: new Uint8Array(64) });
    assert.equal(Number(vm.load({ type: ProgType.XDP, code }).run({ data: new Uint8Array(64) }).retval), k.retval);
  }
  const kernelLines = readFileSync("/sys/kernel/tracing/trace", "utf8")
    .split("\n")
    .filter((l) => l.includes(tag))
    .map((l) => l.slice(l.indexOf(tag)));
  assert.deepEqual(kernelLines, vm.trace);
});

test("every byte of a packet a program copies and rewrites matches, for real capture sizes", (t) => {
  if (!needRoot(t)) return;
  // swap MAC addresses and echo: the classic XDP reflector
  const a = new Assembler();
  a.ldx(BPF_W, "r2", "r1", 0).ldx(BPF_W, "r3", "r1", 4).mov64("r4", "r2").add64("r4", 14).jgt("r4", "r3", "drop");
  for (let i = 0; i < 6; i++)
    a.ldx(BPF_B, "r5", "r2", i)
      .ldx(BPF_B, "r6", "r2", 6 + i)
      .stx(BPF_B, "r2", "r6", i)
      .stx(BPF_B, "r2", "r5", 6 + i);
  a.mov64("r0", 3).exit().label("drop").mov64("r0", 1).exit();
  for (const len of [14, 60, 64, 590, 1514])
    agree({ type: ProgType.XDP, code: a.assemble().bytes }, { data: ethernet(0x0800, len) });
});
