// Classic BPF: the `tcpdump -ddd` parser, the interpreter the random tests use as a second oracle
// (checked here against tcpdump itself), and the kernel-style translation the benchmark uses as
// its peer (checked against the interpreter, in the kernel).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { cbpfToEbpf, parseCbpf, runCbpf, type CbpfInsn } from "../../src/filter/cbpf.js";
import { PacketRunner } from "../../src/filter/run.js";
import { Program } from "../../src/programs/program.js";
import { ProgType } from "../../src/uapi.js";
import { loadCorpus, tcpdumpAvailable, tcpdumpMatches } from "../helpers/filter-fixtures.js";
import { LibpcapCompiler, libpcapAvailable } from "../helpers/filter-libpcap.js";

const EXPRESSIONS = [
  "tcp port 80",
  "udp port 53 or icmp",
  "vlan and ip",
  "ip[2:2] > 576",
  "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
  "ether[len - 1] = 0",
  "len > 1000",
  "ip[0] & 0xf > 5 and ip[2:2] / 4 > 10",
  "host 192.168.1.1 or arp",
  "ip6 and not icmp6",
  "ip[1] << (ip[8] & 63) > 1000",
  "-ip[8] > 100",
  "ether multicast",
  "mpls",
  "ip[ip[0] & 0xf] > 0",
];

function tcpdumpDdd(file: string, expression: string): CbpfInsn[] {
  const r = spawnSync("tcpdump", ["-r", file, "-ddd", "--", expression], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return parseCbpf(r.stdout);
}

test("tcpdump -ddd parses to the program libpcap compiles", (t) => {
  if (!tcpdumpAvailable() || !libpcapAvailable()) {
    t.skip("tcpdump and libpcap are not installed");
    return;
  }
  const g = loadCorpus().groups.find((x) => x.name === "1")!;
  const lib = new LibpcapCompiler({ file: g.mergedFile });
  t.after(() => lib.close());
  for (const e of EXPRESSIONS) {
    const ref = lib.compile(e);
    assert.ok(!("error" in ref));
    assert.deepEqual(tcpdumpDdd(g.mergedFile, e), ref.insns, e);
  }
  assert.throws(() => parseCbpf("2\n6 0 0 0\n"), /bad -ddd output/);
});

test("the classic BPF interpreter accepts the packets tcpdump accepts", async (t) => {
  if (!tcpdumpAvailable()) {
    t.skip("tcpdump is not installed");
    return;
  }
  const g = loadCorpus().groups.find((x) => x.name === "1")!;
  let verdicts = 0;
  for (const e of EXPRESSIONS) {
    const prog = tcpdumpDdd(g.mergedFile, e);
    const oracle = await tcpdumpMatches(g.mergedFile, e);
    assert.ok("matches" in oracle);
    g.packets.forEach((p, i) => {
      if (g.firstCopy[i] !== i) return;
      verdicts++;
      assert.equal(
        runCbpf(prog, p.data, p.originalLength) !== 0,
        oracle.matches.has(i),
        `${e} on ${p.file} #${p.number}`,
      );
    });
  }
  t.diagnostic(`${verdicts} packet verdicts`);
});

test("the kernel-style translation to eBPF gives the interpreter's verdicts", (t) => {
  if (!tcpdumpAvailable()) {
    t.skip("tcpdump is not installed");
    return;
  }
  const g = loadCorpus().groups.find((x) => x.name === "1")!;
  const packets = g.packets.filter(
    (p, i) =>
      g.firstCopy[i] === i && p.data.length >= 14 && p.data.length <= 3500 && p.data.length === p.originalLength,
  );
  for (const host of ["sched_cls", "xdp"] as const) {
    // a shift by X >= 32 is 0 in libpcap's interpreter but X mod 32 in the kernel's conversion (as
    // in this translation), so that expression is left out here
    for (const e of EXPRESSIONS.filter((x) => !x.includes("<< ("))) {
      const insns = tcpdumpDdd(g.mergedFile, e);
      const prog = Program.load({
        type: host === "xdp" ? ProgType.XDP : ProgType.SCHED_CLS,
        code: cbpfToEbpf(insns, host),
        name: "cbpf_peer",
      });
      const runner = new PacketRunner(prog, host === "xdp" ? "xdp" : "skb");
      try {
        for (const p of packets.filter((_, k) => k % 7 === 0)) {
          let ret: number;
          try {
            ret = runner.run(p.data);
          } catch {
            continue;
          } // test_run refuses some malformed IP headers
          assert.equal(ret !== 0, runCbpf(insns, p.data) !== 0, `${host} ${e} on ${p.file} #${p.number}`);
        }
      } finally {
        runner.close();
        prog.close();
      }
    }
  }
});
