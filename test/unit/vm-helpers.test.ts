// Emulated helpers: the task and clock a test sets, the seeded random generator, trace_printk,
// bpf_loop and for_each_map_elem callbacks, tail calls, packet helpers (adjust head/tail/meta,
// load/store bytes, redirect), probe reads, and helpers a test supplies itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Assembler } from "../../src/asm/assembler.js";
import { BPF_B, BPF_DW, BPF_H, BPF_W } from "../../src/asm/opcodes.js";
import { u32, u64 } from "../../src/maps/codec.js";
import { MapType, ProgType, XdpAction } from "../../src/uapi.js";
import { Vm, type VmOptions } from "../../src/vm/index.js";

const tiers = ["interpreter", "compiled"] as const;
const packet = (n = 64): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

function xdp(vm: Vm, build: (a: Assembler) => void) {
  const a = new Assembler();
  build(a);
  return vm.load({ type: ProgType.XDP, code: a.assemble().bytes });
}

for (const tier of tiers) {
  const make = (o: VmOptions = {}): Vm => new Vm({ tier, ...o });

  test(`task, clock, CPU and random numbers come from the test (${tier})`, () => {
    const vm = make({
      task: { pid: 4321, tgid: 1234, uid: 1000, gid: 100, comm: "curl" },
      clock: 5_000_000_000n,
      cpu: 0,
      seed: 99,
    });
    const p = xdp(vm, (a) => a.call("get_current_pid_tgid").exit());
    assert.equal(p.run({ data: packet() }).r0, (1234n << 32n) | 4321n);
    vm.task.pid = 7;
    assert.equal(p.run({ data: packet() }).r0 & 0xffffffffn, 7n);
    assert.equal(
      xdp(vm, (a) => a.call("get_current_uid_gid").exit()).run({ data: packet() }).r0,
      (100n << 32n) | 1000n,
    );
    assert.equal(xdp(vm, (a) => a.call("ktime_get_ns").exit()).run({ data: packet() }).r0, 5_000_000_000n);
    let now = 10n;
    vm.clock = () => (now += 5n);
    const clock = xdp(vm, (a) =>
      a.call("ktime_get_ns").mov64("r6", "r0").call("ktime_get_ns").sub64("r0", "r6").exit(),
    );
    assert.equal(clock.run({ data: packet() }).r0, 5n);
    // comm: NUL-terminated in the buffer, cut to its size
    const comm = xdp(vm, (a) =>
      a
        .mov64("r1", "r10")
        .add64("r1", -16)
        .mov64("r2", 16)
        .call("get_current_comm")
        .ldx(BPF_DW, "r0", "r10", -16)
        .exit(),
    );
    assert.equal(comm.run({ data: packet() }).r0, BigInt("0x" + Buffer.from("curl\0\0\0\0").reverse().toString("hex")));
    vm.cpu = 0;
    assert.equal(xdp(vm, (a) => a.call("get_smp_processor_id").exit()).run({ data: packet() }).r0, 0n);
    // seeded: the same seed gives the same sequence, another seed another one
    const rand = (seed: number): bigint[] => {
      const v = make({ seed });
      const r = xdp(v, (a) => a.call("get_prandom_u32").exit());
      return [1, 2, 3].map(() => r.run({ data: packet() }).r0);
    };
    assert.deepEqual(rand(1), rand(1));
    assert.notDeepEqual(rand(1), rand(2));
    assert.ok(rand(1).every((x) => x < 1n << 32n));
  });

  test(`trace_printk formats like the kernel and is collected (${tier})`, () => {
    const lines: string[] = [];
    const vm = make({ onTrace: (l) => lines.push(l) });
    const printk = (format: string, r3: number, r4: number, r5: number): bigint => {
      const text = Buffer.from(`${format}\0`);
      const fmt = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4)]);
      const p = xdp(vm, (a) => {
        for (let i = 0; i < fmt.length; i += 4) a.st(BPF_W, "r10", -64 + i, fmt.readInt32LE(i));
        a.mov64("r1", "r10")
          .add64("r1", -64)
          .mov64("r2", text.length)
          .mov64("r3", r3)
          .mov64("r4", r4)
          .mov64("r5", r5)
          .call("trace_printk")
          .exit();
      });
      return BigInt.asIntN(64, p.run({ data: packet() }).r0);
    };
    assert.equal(printk("x=%d u=%u %c", -5, -5, 0x41), 19n);
    assert.equal(printk("[%5d|%-4x|%05X]%%", 42, 10, 255), 19n);
    assert.equal(printk("%lld %llx %s", -1, -1, 0x1234), 28n);
    assert.deepEqual(vm.trace, ["x=-5 u=4294967291 A", "[   42|a   |000FF]%", "-1 ffffffffffffffff (efault)"]);
    assert.deepEqual(lines, vm.trace);
    // the kernel refuses more than three conversions, and conversions it does not know
    assert.equal(printk("%d %d %d %d", 1, 2, 3), -22n);
    assert.equal(printk("%o", 1, 2, 3), -22n);
    assert.equal(vm.trace.length, 3);
  });

  test(`bpf_loop and for_each_map_elem call back into the program (${tier})`, () => {
    const vm = make();
    // sum of 0..9 through a callback that adds its index to *ctx; a second loop stops at index 3
    const p = xdp(vm, (a) => {
      a.st(BPF_DW, "r10", -8, 0);
      a.mov64("r1", 10).ldFunc("r2", "cb").mov64("r3", "r10").add64("r3", -8).mov64("r4", 0).call("loop");
      a.mov64("r6", "r0");
      a.mov64("r1", 100).ldFunc("r2", "stop").mov64("r3", 0).mov64("r4", 0).call("loop");
      a.lsh64("r0", 32).or64("r0", "r6").ldx(BPF_DW, "r1", "r10", -8).lsh64("r1", 16).or64("r0", "r1").exit();
      a.label("cb").ldx(BPF_DW, "r3", "r2", 0).add64("r3", "r1").stx(BPF_DW, "r2", "r3", 0).mov64("r0", 0).exit();
      a.label("stop").mov64("r0", 0).jne("r1", 3, "go").mov64("r0", 1).label("go").exit();
    });
    const r0 = p.run({ data: packet() }).r0;
    assert.equal(r0 & 0xffffn, 10n); // iterations of the first loop
    assert.equal((r0 >> 16n) & 0xffffn, 45n); // the sum
    assert.equal(r0 >> 32n, 4n); // the second loop stopped after index 3
    const map = vm.hashMap({ key: u32, value: u64, maxEntries: 8 });
    map.set(1, 10n).set(2, 20n).set(3, 30n);
    const sum = xdp(vm, (a) => {
      a.st(BPF_DW, "r10", -8, 0)
        .ldMapFd("r1", map)
        .ldFunc("r2", "cb")
        .mov64("r3", "r10")
        .add64("r3", -8)
        .mov64("r4", 0);
      a.call("for_each_map_elem").ldx(BPF_DW, "r1", "r10", -8).lsh64("r1", 8).or64("r0", "r1").exit();
      // (map, key, value, ctx): *ctx += *value + *key
      a.label("cb")
        .ldx(BPF_DW, "r5", "r4", 0)
        .ldx(BPF_DW, "r1", "r3", 0)
        .add64("r5", "r1")
        .ldx(BPF_W, "r1", "r2", 0)
        .add64("r5", "r1");
      a.stx(BPF_DW, "r4", "r5", 0).mov64("r0", 0).exit();
    });
    const s = sum.run({ data: packet() }).r0;
    assert.equal(s & 0xffn, 3n);
    assert.equal(s >> 8n, 66n);
  });

  test(`tail calls jump into programs of a program array, at most 33 deep (${tier})`, () => {
    const vm = make();
    const progs = vm.progArray({ maxEntries: 4 });
    const counter = vm.arrayMap({ value: u64, maxEntries: 1 });
    const target = xdp(vm, (a) => a.mov64("r0", 42).exit());
    // slot 1 tail-calls itself, counting: the 34th attempt falls through
    const self = xdp(vm, (a) => {
      a.mov64("r6", "r1").ldMapValue("r7", counter, 0).mov64("r2", 1).atomic(BPF_DW, 0, "r7", "r2", 0);
      a.mov64("r1", "r6").ldMapFd("r2", progs).mov64("r3", 1).call("tail_call").mov64("r0", 7).exit();
    });
    progs.set(0, target).set(1, self);
    const main = xdp(vm, (a) =>
      a
        .mov64("r6", "r1")
        .ldMapFd("r2", progs)
        .ldx(BPF_W, "r3", "r1", 0)
        .mov64("r3", 0)
        .call("tail_call")
        .mov64("r0", 1)
        .exit(),
    );
    assert.equal(main.run({ data: packet() }).r0, 42n);
    const missing = xdp(vm, (a) => a.ldMapFd("r2", progs).mov64("r3", 3).call("tail_call").mov64("r0", 1).exit());
    assert.equal(missing.run({ data: packet() }).r0, 1n);
    assert.equal(self.run({ data: packet() }).r0, 7n);
    assert.equal(counter.get(0), 34n); // the first run plus 33 tail calls
  });

  test(`XDP packet helpers: adjust head, tail and meta; load and store bytes; redirect (${tier})`, () => {
    const vm = make();
    // strip the Ethernet header
    const strip = xdp(vm, (a) => a.mov64("r2", 14).call("xdp_adjust_head").exit());
    const r = strip.run({ data: packet(60) });
    assert.equal(r.r0, 0n);
    assert.deepEqual(Buffer.from(r.data), Buffer.from(packet(60).subarray(14)));
    // grow the head by 16 (zeros in front), then too far: -EINVAL leaves the packet alone
    const grow = xdp(vm, (a) =>
      a
        .mov64("r6", "r1")
        .mov64("r2", -16)
        .call("xdp_adjust_head")
        .mov64("r1", "r6")
        .mov64("r2", -4096)
        .call("xdp_adjust_head")
        .exit(),
    );
    const g = grow.run({ data: packet(20) });
    assert.equal(BigInt.asIntN(64, g.r0), -22n);
    assert.deepEqual(Buffer.from(g.data), Buffer.concat([Buffer.alloc(16), Buffer.from(packet(20))]));
    // what a run wrote in front of its packet is gone when a later run grows its head over it
    const scribble = xdp(vm, (a) =>
      a
        .mov64("r6", "r1")
        .mov64("r2", -16)
        .call("xdp_adjust_head")
        .ldx(BPF_W, "r2", "r6", 0)
        .st(BPF_DW, "r2", 0, -1)
        .st(BPF_DW, "r2", 8, -1)
        .mov64("r0", XdpAction.PASS)
        .exit(),
    );
    assert.deepEqual(Buffer.from(scribble.run({ data: packet(40) }).data.subarray(0, 16)), Buffer.alloc(16, 0xff));
    assert.equal(strip.run({ data: packet(30) }).r0, 0n);
    const again = grow.run({ data: packet(20) });
    assert.deepEqual(Buffer.from(again.data), Buffer.concat([Buffer.alloc(16), Buffer.from(packet(20))]));
    // tail: shrink to 30, grow by 10 (zero-filled), shrinking below 14 bytes is refused
    const tail = xdp(vm, (a) =>
      a
        .mov64("r6", "r1")
        .mov64("r2", -34)
        .call("xdp_adjust_tail")
        .mov64("r1", "r6")
        .mov64("r2", 10)
        .call("xdp_adjust_tail")
        .mov64("r1", "r6")
        .mov64("r2", -30)
        .call("xdp_adjust_tail")
        .exit(),
    );
    const t = tail.run({ data: packet(64) });
    assert.equal(BigInt.asIntN(64, t.r0), -22n);
    assert.deepEqual(Buffer.from(t.data), Buffer.concat([Buffer.from(packet(30)), Buffer.alloc(10)]));
    // meta: 8 bytes in front of data, visible through data_meta
    const meta = xdp(vm, (a) => {
      a.mov64("r6", "r1").mov64("r2", -8).call("xdp_adjust_meta").jne("r0", 0, "out");
      a.ldx(BPF_W, "r2", "r6", 8)
        .ldx(BPF_W, "r3", "r6", 0)
        .st(BPF_DW, "r2", 0, 0x55)
        .mov64("r0", "r3")
        .sub64("r0", "r2")
        .label("out")
        .exit();
    });
    assert.equal(meta.run({ data: packet() }).r0, 8n);
    // a packet pointer from before an adjustment stays in the VM's bounds check
    const loadStore = xdp(vm, (a) => {
      a.mov64("r6", "r1").mov64("r2", 2).mov64("r3", "r10").add64("r3", -8).mov64("r4", 4).call("xdp_load_bytes");
      a.mov64("r1", "r6")
        .mov64("r2", 0)
        .mov64("r3", "r10")
        .add64("r3", -8)
        .mov64("r4", 4)
        .mov64("r5", 0)
        .call("xdp_store_bytes");
      a.mov64("r1", "r6")
        .mov64("r2", 62)
        .mov64("r3", "r10")
        .add64("r3", -8)
        .mov64("r4", 4)
        .call("xdp_load_bytes")
        .exit();
    });
    const ls = loadStore.run({ data: packet() });
    assert.equal(BigInt.asIntN(64, ls.r0), -14n); // past the end: -EFAULT
    assert.deepEqual([...ls.data.subarray(0, 6)], [2, 3, 4, 5, 4, 5]);
    const redirect = xdp(vm, (a) => a.mov64("r1", 7).mov64("r2", 0).call("redirect").exit());
    const rd = redirect.run({ data: packet() });
    assert.equal(rd.retval, XdpAction.REDIRECT);
    assert.deepEqual(rd.redirect, { ifindex: 7, flags: 0 });
    const devmap = vm.createMap({ type: MapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 8 });
    (devmap as unknown as { set(k: number, v: Uint8Array): void }).set(3, Uint8Array.of(9, 0, 0, 0));
    const viaMap = (key: number) =>
      xdp(vm, (a) =>
        a.ldMapFd("r1", devmap).mov64("r2", key).mov64("r3", XdpAction.PASS).call("redirect_map").exit(),
      ).run({ data: packet() });
    assert.equal(viaMap(3).retval, XdpAction.REDIRECT);
    assert.equal(viaMap(3).redirect?.ifindex, 9);
    assert.equal(viaMap(4).retval, XdpAction.PASS);
  });

  test(`skb programs: __sk_buff fields, skb_load_bytes from the network header, LD_ABS (${tier})`, () => {
    const vm = make();
    const frame = packet(60);
    frame.set([0x08, 0x00], 12);
    const a = new Assembler();
    a.mov64("r6", "r1")
      .ldx(BPF_W, "r7", "r1", 0)
      .mov64("r1", "r6")
      .mov64("r2", 0)
      .mov64("r3", "r10")
      .add64("r3", -4)
      .mov64("r4", 2)
      .call("skb_load_bytes");
    a.ldx(BPF_H, "r8", "r10", -4)
      .ldAbs(BPF_B, 1)
      .lsh64("r7", 16)
      .or64("r7", "r8")
      .lsh64("r7", 8)
      .or64("r7", "r0")
      .mov64("r0", "r7")
      .exit();
    const r = vm.load({ type: ProgType.SOCKET_FILTER, code: a.assemble().bytes }).run({ data: frame });
    // len 46 (the Ethernet header is not part of a socket filter's packet), bytes 14 and 15, byte 15
    assert.equal(r.r0, (46n << 24n) | (0x0f0en << 8n) | 15n);
    // LD_ABS past the end ends the program with 0
    const past = vm.load({
      type: ProgType.SOCKET_FILTER,
      code: new Assembler().mov64("r6", "r1").ldAbs(BPF_W, 100).mov64("r0", 1).exit().assemble().bytes,
    });
    assert.equal(past.run({ data: frame }).r0, 0n);
    // tc: direct packet access from the Ethernet header, mark written to the context
    const tc = new Assembler();
    tc.ldx(BPF_W, "r2", "r1", 76).ldx(BPF_W, "r3", "r1", 80).mov64("r4", "r2").add64("r4", 14).jgt("r4", "r3", "drop");
    tc.ldx(BPF_H, "r0", "r2", 12).st(BPF_W, "r1", 8, 0x1234).exit().label("drop").mov64("r0", 2).exit();
    const t = vm.load({ type: ProgType.SCHED_CLS, code: tc.assemble().bytes }).run({ data: frame });
    assert.equal(t.r0, 0x0008n);
    assert.equal(Buffer.from(t.ctx).readUInt32LE(8), 0x1234);
  });

  test(`probe_read, strncmp and helpers supplied by the test (${tier})`, () => {
    const vm = make({ helpers: { 1000: (m) => m.setR0(m.argU32(1) * 2, 0) } });
    const p = xdp(vm, (a) => {
      a.st(BPF_DW, "r10", -8, 0x11223344)
        .mov64("r1", "r10")
        .add64("r1", -16)
        .mov64("r2", 8)
        .mov64("r3", "r10")
        .add64("r3", -8)
        .call("probe_read_kernel");
      a.mov64("r6", "r0").ldx(BPF_DW, "r7", "r10", -16);
      // a bad source: -EFAULT and a zeroed destination
      a.mov64("r1", "r10").add64("r1", -16).mov64("r2", 8).mov64("r3", 0).call("probe_read_kernel");
      a.ldx(BPF_DW, "r8", "r10", -16).add64("r7", "r8").lsh64("r0", 32).or64("r0", "r7").exit();
    });
    const r0 = p.run({ data: packet() }).r0;
    assert.equal(r0 & 0xffffffffn, 0x11223344n);
    assert.equal(BigInt.asIntN(32, r0 >> 32n), -14n);
    assert.equal(xdp(vm, (a) => a.mov64("r1", 21).call(1000).exit()).run({ data: packet() }).r0, 42n);
    const cmp = xdp(vm, (a) => {
      a.st(BPF_W, "r10", -8, 0x00636261).st(BPF_W, "r10", -16, 0x00646261);
      a.mov64("r1", "r10").add64("r1", -8).mov64("r2", 3).mov64("r3", "r10").add64("r3", -16).call("strncmp").exit();
    });
    assert.equal(BigInt.asIntN(64, cmp.run({ data: packet() }).r0), -1n);
  });
}
