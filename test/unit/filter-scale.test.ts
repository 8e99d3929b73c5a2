// Expressions as deep and as long as a user may write or generate: thousands of nested parentheses,
// `not`s and `or`s compile (no recursion limit in any pass), a long host list compiles and matches
// exactly the packets libpcap's program matches (truncated ones too), and a program too large for
// the kernel is refused in one line.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { runCbpf } from "../../src/filter/cbpf.js";
import { compileFilter } from "../../src/filter/compile.js";
import { evalDag } from "../../src/filter/dag.js";
import { FilterError } from "../../src/filter/errors.js";
import { LibpcapCompiler, libpcapAvailable } from "../helpers/filter-libpcap.js";

const DEEP = 5000;

function ipv4(src: string, dst: string, proto: number, srcPort: number, dstPort: number): Uint8Array {
  const p = new Uint8Array(14 + 20 + 20);
  p.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]);
  p.set([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, proto, 0, 0], 14);
  p.set(src.split(".").map(Number), 26);
  p.set(dst.split(".").map(Number), 30);
  p.set([srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff], 34);
  return p;
}

function ipv6Tcp(): Uint8Array {
  const p = new Uint8Array(14 + 40 + 20);
  p.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd]);
  p.set([0x60, 0, 0, 0, 0, 20, 6, 64], 14);
  p[14 + 40 + 1] = 80;
  return p;
}

function arp(): Uint8Array {
  const p = new Uint8Array(42);
  p.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x08, 0x06]);
  p.set([0, 1, 8, 0, 6, 4, 0, 1], 14);
  p.set([192, 168, 0, 7], 28);
  p.set([192, 168, 0, 9], 38);
  return p;
}

const host = (i: number): string => `10.0.${i >> 8}.${i & 255}`;

/** Packets to/from hosts of a list (and not), whole and cut inside the headers the tests read. */
function packets(hosts: number): Uint8Array[] {
  const out: Uint8Array[] = [ipv6Tcp(), arp(), ipv4("192.168.1.1", "192.168.1.2", 17, 53, 53)];
  for (const i of [0, 1, hosts >> 1, hosts - 1, hosts, hosts + 7]) {
    out.push(ipv4(host(i), "192.168.1.1", 6, 1000, 80), ipv4("192.168.1.1", host(i), 17, 53, 99));
  }
  const cut: Uint8Array[] = [];
  for (const p of out) for (const len of [14, 29, 30, 33, 34, 37, 38]) if (len < p.length) cut.push(p.subarray(0, len));
  return [...out, ...cut];
}

/** The standalone programs are byte for byte the same: the deep form optimizes to the plain one. */
function sameProgram(deep: string, plain: string): void {
  assert.deepEqual(Buffer.from(compileFilter(deep).bytes), Buffer.from(compileFilter(plain).bytes));
}

test(`${DEEP} nested parentheses compile to the program of what they enclose`, () => {
  sameProgram(`${"(".repeat(DEEP)}tcp${")".repeat(DEEP)}`, "tcp");
  sameProgram(`${"(".repeat(DEEP)}tcp or udp port 53${")".repeat(DEEP)} and ip`, "(tcp or udp port 53) and ip");
  // parentheses that turn out to hold arithmetic, and arithmetic nested as deep
  sameProgram(`${"(".repeat(DEEP)}ip[0] = 69${")".repeat(DEEP)}`, "ip[0] = 69");
  sameProgram(`ip[${"(".repeat(DEEP)}0${")".repeat(DEEP)}] = 69`, "ip[0] = 69");
});

test(`not x${DEEP} and not x${DEEP + 1} compile to tcp and not tcp`, () => {
  sameProgram(`${"not ".repeat(DEEP)}tcp`, "tcp");
  sameProgram(`${"not ".repeat(DEEP + 1)}tcp`, "not tcp");
  // `not` before an id that inherits its qualifiers
  sameProgram(`host 10.0.0.1 or ${"not ".repeat(DEEP)}10.0.0.2`, "host 10.0.0.1 or 10.0.0.2");
});

test(`tcp or x${DEEP}, and ids nested ${DEEP} deep, compile`, () => {
  sameProgram(Array(DEEP).fill("tcp").join(" or "), "tcp");
  sameProgram(Array(DEEP).fill("tcp").join(" and "), "tcp");
  const nested = `port 80 or ${Array.from({ length: DEEP }, (_, i) => `(${81 + (i % 3)} or `).join("")}99${")".repeat(DEEP)}`;
  sameProgram(nested, "port 80 or 81 or 82 or 83 or 99");
});

test("a syntax error deep inside still points at its token", () => {
  const expression = `${"(".repeat(DEEP)}tcp${")".repeat(DEEP - 1)}`;
  assert.throws(
    () => compileFilter(expression),
    (e: unknown) =>
      e instanceof FilterError &&
      e.position === expression.length &&
      /unexpected end of expression, expected "\)"/.test(e.reason) &&
      // shown around the culprit, not as a line thousands of characters long
      e
        .pretty()
        .split("\n")
        .every((line) => line.length < 200),
  );
});

test("a 1000-host list matches the packets of its hosts, and only those", () => {
  const n = 1000;
  const f = compileFilter(Array.from({ length: n }, (_, i) => `host ${host(i)}`).join(" or "));
  const short = compileFilter(`host ${host(0)} or host ${host(1)} or host ${host(n >> 1)} or host ${host(n - 1)}`);
  for (const p of packets(n)) assert.equal(evalDag(f.graph, p), evalDag(short.graph, p), `packet of ${p.length} bytes`);
  assert.equal(evalDag(f.graph, ipv4(host(n - 1), "192.168.1.1", 6, 1, 2)), true);
  assert.equal(evalDag(f.graph, ipv4(host(n), "192.168.1.1", 6, 1, 2)), false);
});

test("host and port lists give libpcap's verdicts, truncated packets included", (t) => {
  if (!libpcapAvailable()) {
    t.skip("libpcap.so.0.8 is not installed (it comes with tcpdump)");
    return;
  }
  const lib = new LibpcapCompiler({ linkType: 1 });
  t.after(() => lib.close());
  const n = 60;
  const expressions = [
    Array.from({ length: n }, (_, i) => `host ${host(i)}`).join(" or "),
    Array.from({ length: n }, (_, i) => `not host ${host(i)}`).join(" and "),
    Array.from({ length: n }, (_, i) => (i % 2 ? `src host ${host(i)}` : `dst port ${80 + i}`)).join(" or "),
    `(${Array.from({ length: n }, (_, i) => `host ${host(i)}`).join(" or ")}) and (tcp or udp port 53)`,
  ];
  for (const expression of expressions) {
    const ref = lib.compile(expression);
    assert.ok("insns" in ref, expression.slice(0, 60));
    const mine = compileFilter(expression);
    for (const p of packets(n))
      assert.equal(
        evalDag(mine.graph, p),
        runCbpf(ref.insns, p) !== 0,
        `${expression.slice(0, 60)}…: packet of ${p.length} bytes`,
      );
  }
});

test("a program longer than an eBPF jump can span is refused in one line, not a crash", () => {
  // 33000 tests in a row: the first must jump past the other 32999 to reach no-match
  const expression = Array.from({ length: 33_000 }, (_, i) => `len != ${i + 1}`).join(" and ");
  assert.throws(
    () => compileFilter(expression),
    (e: unknown) =>
      e instanceof FilterError &&
      e.kind === "unsupported" &&
      /^expression too large for the kernel: its \d+ instructions need jumps longer than eBPF's 32767$/.test(
        e.message,
      ) &&
      e.pretty() === e.message,
  );
});

test("arithmetic nested past what the compiler walks is refused in one line", () => {
  for (const expression of [`${"ip[".repeat(30_000)}0${"]".repeat(30_000)} = 0`, `ip[0]${" + 0".repeat(30_000)} = 69`])
    assert.throws(
      () => compileFilter(expression),
      (e: unknown) => e instanceof FilterError && /^arithmetic nested too deeply to compile/.test(e.pretty()),
    );
});
