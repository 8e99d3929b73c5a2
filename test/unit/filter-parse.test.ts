// The front end: tokens, syntax trees, qualifier inheritance, precedence, and errors that say what
// went wrong and where — checked by hand, and against libpcap's parser on many generated strings.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { compileFilter } from "../../src/filter/compile.js";
import { FilterError } from "../../src/filter/errors.js";
import { tokenize } from "../../src/filter/lexer.js";
import { parseFilter } from "../../src/filter/parser.js";
import type { Arith, Expr } from "../../src/filter/ast.js";
import { LibpcapCompiler, libpcapAvailable } from "../helpers/filter-libpcap.js";
import { Rng } from "../helpers/filter-grammar.js";

const types = (s: string): string[] => tokenize(s).map((t) => t.type);

test("tokens follow libpcap's longest-match rules", () => {
  assert.deepEqual(types("ip6 and ipx1"), ["IPV6", "AND", "ID", "EOF"]);
  assert.deepEqual(types("len-1"), ["ID", "EOF"], "len-1 is one name, as in tcpdump");
  assert.deepEqual(types("len - 1"), ["LEN", "-", "NUM", "EOF"]);
  assert.deepEqual(types("tcp-syn|tcp-ack"), ["NUM", "|", "NUM", "EOF"]);
  assert.deepEqual(types("10.1.2.3/24"), ["HID", "/", "NUM", "EOF"]);
  assert.deepEqual(types("1.2.3.4.5"), ["ID", "EOF"]);
  assert.deepEqual(types("fe80::1 ::ffff:1.2.3.4 ::"), ["HID6", "HID6", "HID6", "EOF"]);
  assert.deepEqual(types("00:11:22:aa:bb:cc 0011.22aa.bbcc 00-11-22-aa-bb-cc"), ["EID", "EID", "EID", "EOF"]);
  assert.deepEqual(types("a && b || !c"), ["ID", "AND", "ID", "OR", "!", "ID", "EOF"]);
  assert.deepEqual(types(">= <= != == << >>"), [">=", "<=", "!=", "=", "<<", ">>", "EOF"]);
  assert.deepEqual(types("\\tcp"), ["ID", "EOF"]);
  assert.equal(tokenize("\\tcp")[0]!.value, "tcp");
  const nums = tokenize("0x1F 017 42 icmp-echo tcpflags")
    .slice(0, 5)
    .map((t) => t.num);
  assert.deepEqual(nums, [31, 15, 42, 8, 13]);
  assert.equal(tokenize("08")[0]!.error, "number 08 contains non-octal digit");
  assert.equal(tokenize("4294967296")[0]!.error, "number 4294967296 overflows 32 bits");
  assert.equal(tokenize("@")[0]!.type, "LEX_ERROR");
});

function only(e: Expr | null): Expr {
  assert.ok(e);
  return e;
}

test("bare ids inherit the qualifiers before them", () => {
  const e = only(parseFilter("tcp port 80 or 443 and not 8080").expr);
  // and/or have equal precedence and associate left: ((tcp port 80 or 443) and not 8080)
  assert.equal(e.type, "and");
  if (e.type !== "and") return;
  assert.equal(e.left.type, "or");
  assert.equal(e.right.type, "not");
  if (e.left.type !== "or" || e.right.type !== "not") return;
  for (const p of [e.left.left, e.left.right, e.right.operand]) {
    assert.equal(p.type, "primitive");
    if (p.type === "primitive") assert.deepEqual(p.q, { proto: "tcp", dir: "default", addr: "port" });
  }
  const g = only(parseFilter("src host 10.0.0.1 or (10.0.0.2 and 10.0.0.3)").expr);
  assert.ok(
    g.type === "or" && g.right.type === "and" && g.right.left.type === "primitive" && g.right.left.q.dir === "src",
  );
});

function arithText(a: Arith): string {
  switch (a.type) {
    case "num":
      return String(a.value);
    case "len":
      return "len";
    case "load":
      return `${a.proto}[${arithText(a.index)}:${a.size}]`;
    case "neg":
      return `(-${arithText(a.operand)})`;
    case "binary":
      return `(${arithText(a.left)} ${a.op} ${arithText(a.right)})`;
  }
}

test("arithmetic binds as in yacc: | < & < shifts < + - < * / < unary minus; % and ^ bind to the right", () => {
  const rel = (s: string): string => {
    const e = only(parseFilter(s).expr);
    assert.equal(e.type, "relation");
    return e.type === "relation" ? `${arithText(e.left)} ${e.op} ${arithText(e.right)}` : "";
  };
  assert.equal(rel("1 + 2 * 3 = 7"), "(1 + (2 * 3)) = 7");
  assert.equal(rel("1 - 2 - 3 = 0"), "((1 - 2) - 3) = 0");
  assert.equal(rel("1 | 2 & 3 << 4 + 5 = 1"), "(1 | (2 & (3 << (4 + 5)))) = 1");
  assert.equal(rel("8 % 3 + 1 = 0"), "(8 % (3 + 1)) = 0");
  assert.equal(rel("1 + 8 % 3 = 0"), "(1 + (8 % 3)) = 0");
  assert.equal(rel("-ip[0] * 2 > 1"), "((-ip[0:1]) * 2) > 1");
  assert.equal(rel("-1 % 2 = 1"), "(-(1 % 2)) = 1");
  assert.equal(rel("tcp[tcpflags] & (tcp-syn|tcp-ack) != 0"), "(tcp[13:1] & (2 | 16)) != 0");
  assert.equal(rel("ip[2:2] > 576"), "ip[2:2] > 576");
});

test("syntax errors say what was found, what was expected, and where", () => {
  const err = (s: string): FilterError => {
    try {
      parseFilter(s);
    } catch (e) {
      assert.ok(e instanceof FilterError);
      return e;
    }
    assert.fail(`${s} parsed`);
  };
  let e = err("tcp port and 80");
  assert.equal(e.kind, "syntax");
  assert.equal(e.position, 9);
  assert.match(e.reason, /unexpected "and"/);
  assert.equal(e.pretty(""), `${e.reason}\ntcp port and 80\n         ^^^`);
  e = err("ip and (tcp or udp");
  assert.equal(e.position, 18);
  assert.match(e.reason, /unexpected end of expression, expected "\)"/);
  e = err("src or tcp");
  assert.equal(e.position, 7);
  assert.match(e.reason, /expected "dst"/);
  e = err("ip[1:3 > 2");
  assert.equal(e.position, 7);
  e = err("port 08");
  assert.equal(e.reason, "number 08 contains non-octal digit");
  assert.equal(e.position, 5);
  e = err("host 1:2:3:4:5:6:7:8:9");
  assert.equal(e.position, 5);
  e = err("tcp # udp");
  assert.equal(e.position, 4);
});

test("semantic errors use tcpdump's words and point at the primitive", () => {
  const err = (s: string, linkType = 1): FilterError => {
    try {
      compileFilter(s, { linkType });
    } catch (e) {
      assert.ok(e instanceof FilterError);
      return e;
    }
    assert.fail(`${s} compiled`);
  };
  const cases: [string, string, number, number?][] = [
    ["tcp port 99999", "illegal port number 99999 > 65535", 0],
    ["ip and port 1.2.3.4", "'port' modifier applied to ip host", 7],
    ["ip and 10.0.0.1", "syntax error in filter expression", 7],
    ["net 10.0.0.1/8", 'non-network bits set in "10.0.0.1/8"', 0],
    ["ip[0:3] = 1", "data size must be 1, 2, or 4", 5],
    ["ip[1] / 0 = 1", "division by zero", 8],
    ["ip[1] << (20 + 20) = 1", "shift by more than 31 bits", 0],
    ["vlan 5000", "VLAN tag 5000 greater than maximum 4095", 0],
    ["tcp proto 6", "'tcp proto' is bogus", 0],
    ["ip and not ip", "expression rejects all packets", 0],
    ["port foo", "unknown port 'foo'", 0],
    [
      "ether host 00:01:02:03:04:05",
      "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
      0,
      101,
    ],
    ["vlan", "no VLAN support for Linux cooked v1", 0, 113],
    ["inbound", "inbound/outbound not supported on Ethernet when reading savefiles", 0],
  ];
  for (const [expr, reason, position, linkType] of cases) {
    const e = err(expr, linkType);
    assert.equal(e.reason, reason, expr);
    assert.equal(e.position, position, expr);
  }
  let deep = "len";
  for (let i = 0; i < 16; i++) deep = `ip[${i}] + (${deep})`;
  assert.throws(() => compileFilter(`${deep} > 0`), /too many registers needed to evaluate expression/);
  assert.throws(() => compileFilter("ip", { linkType: 4000 }), /unknown data link type 4000/);
  assert.throws(() => compileFilter("ip", { linkType: 147 }), /link-layer type filtering not implemented/);
  assert.equal(compileFilter("link[0] = 1 and len > 10", { linkType: 147 }).graph.nodes.length, 2);
});

test("the parser accepts exactly what libpcap's parser accepts", (t) => {
  if (!libpcapAvailable()) {
    t.skip("libpcap.so.0.8 is not installed (it comes with tcpdump)");
    return;
  }
  const lib = new LibpcapCompiler({ linkType: 1 });
  t.after(() => lib.close());
  // token soup built from the grammar's pieces, biased towards almost-valid expressions
  const pieces = [
    "ip",
    "ip6",
    "tcp",
    "udp",
    "host",
    "net",
    "port",
    "portrange",
    "src",
    "dst",
    "or",
    "and",
    "not",
    "!",
    "(",
    ")",
    "[",
    "]",
    ":",
    "1",
    "2",
    "80",
    "10.0.0.1",
    "10.0.0.0/8",
    "fe80::1",
    "00:01:02:03:04:05",
    "ether",
    "proto",
    "vlan",
    "mpls",
    "less",
    "greater",
    "len",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "broadcast",
    "multicast",
    "tcpflags",
    "tcp-syn",
    "\\tcp",
    "http",
    "mask",
    "255.0.0.0",
    "gateway",
    "protochain",
    "icmp",
    "llc",
    "pppoes",
    "&&",
    "||",
    "1-1024",
    "arp",
    "rarp",
  ];
  const rng = new Rng(7);
  let agree = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const n = 1 + rng.int(7);
    const s = Array.from({ length: n }, () => rng.pick(pieces)).join(" ");
    const ref = lib.compile(s);
    // "syntax error in filter expression" is libpcap's complaint about a bare id with nothing to inherit: not a parse error
    const libSyntax = "error" in ref && /can't parse|overflows|non-octal|bogus/.test(ref.error);
    let mineSyntax = false;
    try {
      parseFilter(s);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      mineSyntax = true;
    }
    // libpcap compiles while it parses, so a semantic error can come before a later syntax error
    const ok = mineSyntax ? "error" in ref : !libSyntax;
    if (ok) agree++;
    else
      mismatches.push(
        `${JSON.stringify(s)}: libpcap ${"error" in ref ? ref.error : "ok"}, tsbpf ${mineSyntax ? "syntax error" : "parses"}`,
      );
  }
  t.diagnostic(`token sequences where both parsers agree: ${agree} of 4000`);
  assert.deepEqual(mismatches, []);
});
