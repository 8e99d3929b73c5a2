// The filter where it runs: XDP, TC and socket-filter programs, as a function a capture program
// calls and as a block inlined into one — each checked in the kernel against the JavaScript
// evaluation of the same decision graph (which the oracle tests tie to tcpdump).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { Assembler } from "../../src/asm/assembler.js";
import { compileFilter, loadFilterProgram, type FilterContext } from "../../src/filter/compile.js";
import { evalDag } from "../../src/filter/dag.js";
import { PacketRunner, SocketPairRunner } from "../../src/filter/run.js";
import { Program } from "../../src/programs/program.js";
import { SyscallError } from "../../src/sys/errors.js";
import { ProgType } from "../../src/uapi.js";
import { loadCorpus, type CorpusPacket } from "../helpers/filter-fixtures.js";

const EXPRESSIONS = [
  "tcp port 80",
  "udp and (port 53 or 67)",
  "host 192.168.1.1 or 10.0.0.1",
  "vlan and ip",
  "ip6 and ip6[6] = 6",
  "icmp[icmptype] = icmp-echo",
  "ether broadcast or ether multicast",
  "len > 1000",
  "ip[2:2] - ((ip[0] & 0xf) << 2) > 100",
  "ether[len - 1] = 0",
  "ether[40000] = 1 or ip",
  "arp or rarp",
  "not ip and not ip6",
  "ip[100] & 0 = 0",
  "tcp[13] / (ip[8] - 64) > 0",
  "ip[1] << (ip[8] & 63) > 1000",
  "ether proto 0x88cc or stp",
  "mpls and ip",
  "net 10.0.0.0/8",
  "ip6 net fe80::/10",
];

function ethernetSample(count: number): CorpusPacket[] {
  const g = loadCorpus().groups.find((x) => x.name === "1")!;
  const step = Math.max(1, Math.floor(g.packets.length / count));
  return g.packets.filter((_, i) => i % step === 0).slice(0, count);
}

test("XDP, TC and socket-filter programs give the same verdicts", (t) => {
  const packets = ethernetSample(700);
  const refusedByTestRun: number[] = [];
  for (const context of ["xdp", "tc", "socket"] as FilterContext[]) {
    for (const e of EXPRESSIONS) {
      const f = compileFilter(e, { linkType: 1, context, wireLength: "linear" });
      const prog = loadFilterProgram(f, `filter_${context}`);
      const runner =
        context === "socket" ? new SocketPairRunner(prog) : new PacketRunner(prog, context === "xdp" ? "xdp" : "skb");
      try {
        for (const p of packets) {
          let got: boolean;
          if (runner instanceof SocketPairRunner) got = runner.run(p.data);
          else {
            if (p.data.length < 14 || p.data.length > runner.capacity) continue;
            try {
              got = runner.run(p.data) === (context === "xdp" ? 2 : 0);
            } catch (err) {
              // sched_cls test_run refuses frames whose IP header is shorter than it says
              if (err instanceof SyscallError && context === "tc") {
                refusedByTestRun.push(p.number);
                continue;
              }
              throw err;
            }
          }
          // tc and socket filters see skb->len, the captured length here
          assert.equal(
            got,
            evalDag(f.graph, p.data, p.data.length),
            `${context} ${JSON.stringify(e)} on ${p.file} #${p.number}`,
          );
        }
      } finally {
        runner.close();
        prog.close();
      }
    }
  }
  t.diagnostic(
    `${EXPRESSIONS.length} expressions × ${packets.length} packets × 3 contexts; frames sched_cls test_run refused: ${refusedByTestRun.length / EXPRESSIONS.length}`,
  );
});

test("a capture program calls the filter as a function and keeps its callee-saved registers", () => {
  for (const context of ["xdp", "socket"] as FilterContext[]) {
    const f = compileFilter("tcp port 80 or udp port 53", { linkType: 1, context });
    const a = new Assembler();
    // the caller keeps values in r6–r9 across the call; the function must not disturb them
    a.mov64("r6", 0x1234).mov64("r7", "r1").mov64("r8", 77).mov64("r9", -5);
    a.callLocal("tcpdump_filter");
    a.jne("r6", 0x1234, "broken").jne("r8", 77, "broken").jne("r9", -5, "broken");
    a.jeq("r0", 0, "no");
    a.mov32("r0", context === "xdp" ? 2 : 0xffff).exit();
    a.label("no")
      .mov32("r0", context === "xdp" ? 1 : 0)
      .exit();
    a.label("broken").mov32("r0", 0).exit();
    f.emitFunction(a, "tcpdump_filter");
    const code = a.assemble();
    assert.deepEqual(
      code.functions.map((fn) => fn.name),
      ["main", "tcpdump_filter"],
    );
    const prog = Program.load({
      type: context === "xdp" ? ProgType.XDP : ProgType.SOCKET_FILTER,
      code,
      name: "capture",
    });
    const runner = context === "xdp" ? new PacketRunner(prog, "xdp") : new SocketPairRunner(prog);
    try {
      let matched = 0;
      for (const p of ethernetSample(400)) {
        if (runner instanceof PacketRunner && (p.data.length < 14 || p.data.length > runner.capacity)) continue;
        const want = evalDag(f.graph, p.data, p.data.length);
        const got = runner instanceof PacketRunner ? runner.runTimed(p.data).retval : runner.run(p.data) ? 1 : 0;
        if (runner instanceof PacketRunner) assert.equal(got, want ? 2 : 1, `${context} ${p.file} #${p.number}`);
        else assert.equal(got === 1, want, `${context} ${p.file} #${p.number}`);
        if (want) matched++;
      }
      assert.ok(matched > 0);
    } finally {
      runner.close();
      prog.close();
    }
  }
});

test("the filter inlined into a capture program jumps to the caller's labels", () => {
  const f = compileFilter("ip and (tcp[tcpflags] & tcp-syn != 0 or icmp)", { linkType: 1, context: "xdp" });
  const a = new Assembler();
  a.mov64("r6", "r1");
  a.st(8, "r10", -8, 42); // the caller's own stack slot (a u64 at fp-8), above the filter's area
  f.emitInline(a, { match: "keep", noMatch: "drop", stackTop: -16 });
  a.label("keep").ldx(8, "r0", "r10", -8).jne("r0", 42, "drop").mov32("r0", 2).exit();
  a.label("drop").mov32("r0", 1).exit();
  const prog = Program.load({ type: ProgType.XDP, code: a.assemble(), name: "inline" });
  const runner = new PacketRunner(prog, "xdp");
  try {
    let kept = 0;
    for (const p of ethernetSample(500)) {
      if (p.data.length < 14 || p.data.length > runner.capacity) continue;
      const want = evalDag(f.graph, p.data, p.data.length);
      assert.equal(runner.run(p.data) === 2, want, `${p.file} #${p.number}`);
      if (want) kept++;
    }
    assert.ok(kept > 0);
  } finally {
    runner.close();
    prog.close();
  }
});

test("bounds checks are coalesced: one check covers a chain of header tests", () => {
  const checks = (e: string): string[] =>
    compileFilter(e, { context: "xdp" })
      .listing()
      .filter((l) => /if r1 > r8/.test(l));
  // EtherType, protocol, address: all constant offsets on the only path to a match → one check for 30 bytes
  const f = compileFilter("ip and ip[9] = 6 and src host 10.0.0.1", { context: "xdp" });
  const lines = f.listing();
  assert.equal(lines.filter((l) => /if r1 > r8/.test(l)).length, 1);
  assert.ok(
    lines.some((l) => /r1 \+= 30$/.test(l)),
    lines.join("\n"),
  );
  // ports: one check for the IPv4 header (24 bytes), one per port read past the IP header
  // (the destination port is only read when the source port did not match), and the IPv6 path
  assert.equal(checks("tcp port 80").length, 5);
  // socket filters use LD_ABS/LD_IND: no checks at all
  assert.equal(
    compileFilter("tcp port 80", { context: "socket" })
      .listing()
      .filter((l) => /r8/.test(l)).length,
    0,
  );
});

test("len comes from the XDP frame, its metadata, or skb->len", () => {
  const cases: [string, Parameters<typeof compileFilter>[1], "xdp" | "xdp-meta" | "skb"][] = [
    ["linear", { context: "xdp", wireLength: "linear" }, "xdp"],
    ["auto", { context: "xdp", wireLength: "auto" }, "xdp"],
    ["meta", { context: "xdp", wireLength: "meta" }, "xdp-meta"],
    ["tc", { context: "tc" }, "skb"],
  ];
  const packet = new Uint8Array(200);
  for (const [name, options, kind] of cases) {
    const f = compileFilter("len = 200 or len = 1514", options);
    const prog = loadFilterProgram(f, `len_${name}`);
    const runner = new PacketRunner(prog, kind);
    try {
      const ok = kind === "skb" ? 0 : 2;
      assert.equal(runner.run(packet) === ok, true, name);
      if (kind === "xdp-meta") {
        assert.equal(runner.run(packet, 1514) === ok, true, "the metadata gives the wire length");
        assert.equal(runner.run(packet, 1000) === ok, false);
      }
    } finally {
      runner.close();
      prog.close();
    }
  }
});
