// Integer semantics against C: thousands of random integer expressions over every width and
// signedness, with typed constants and run-time values, compiled by tsbpf and by clang, run in the
// kernel with BPF_PROG_TEST_RUN on the same inputs; every result must agree. The seed is printed;
// TSBPF_DIFF_SEED=N reruns one.
//
// The C side spells out what tsbpf defines where C leaves it undefined (docs/kernel-typescript.md):
// signed + - * and negation wrap (computed in unsigned), x / 0 is 0 and x % 0 is x, INT_MIN / -1
// wraps to INT_MIN (remainder 0), and a shift count is taken modulo the width. tsbpf's one
// deliberate difference from C — a 32-bit + - * << whose result is wanted in 64 bits is done in
// 64 bits — is kept out of the comparison by giving such subexpressions their own type with `as`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testRun } from "../../src/programs/test-run.js";
import { loadObject } from "../../src/loader/index.js";
import { BpfMap } from "../../src/maps/map.js";
import { array, u32 as u32Codec, u64 as u64Codec, type Codec } from "../../src/maps/codec.js";
import { frame, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";

type Ty = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";
const TYPES: readonly Ty[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];
const bits = (t: Ty): number => Number(t.slice(1));
const signed = (t: Ty): boolean => t[0] === "i";
const unsignedOf = (t: Ty): Ty => `u${bits(t)}` as Ty;
/** C's integer promotion: narrower than int becomes int. */
const promote = (t: Ty): Ty => (bits(t) < 32 ? "i32" : t);
/** C's usual arithmetic conversions on promoted types. */
function common(a: Ty, b: Ty): Ty {
  if (bits(a) !== bits(b)) return bits(a) > bits(b) ? a : b;
  return signed(a) && signed(b) ? a : unsignedOf(a);
}
const C_NAMES: Record<string, string> = {
  u8: "__u8",
  u16: "__u16",
  u32: "__u32",
  u64: "__u64",
  i8: "__s8",
  i16: "__s16",
  i32: "__s32",
  i64: "__s64",
};

const PROGRAMS = 12;
const EXPRESSIONS = 250; // per program
const RUNS = 6; // input sets per program
const VARS_PER_TYPE = 3;
const INPUTS = TYPES.length * VARS_PER_TYPE;

/** splitmix64: small, seedable, good enough to spread cases. */
function prng(seed: bigint): { next(): bigint; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let s = BigInt.asUintN(64, seed);
  const next = (): bigint => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  const int = (n: number): number => Number(next() % BigInt(n));
  return { next, int, pick: (xs) => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof prng>;

/** A value of type t, often at an edge (0, ±1, min, max, the sign bit) where conversions differ. */
function valueOf(rng: Rng, t: Ty): bigint {
  const w = BigInt(bits(t));
  const min = signed(t) ? -(1n << (w - 1n)) : 0n;
  const max = signed(t) ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const edges = [0n, 1n, 2n, max, min, max - 1n, min + 1n, signed(t) ? -1n : max >> 1n, 7n, 100n];
  const v = rng.int(3) === 0 ? rng.next() : rng.int(3) === 0 ? BigInt(rng.int(200)) - 100n : rng.pick(edges);
  return signed(t) ? BigInt.asIntN(Number(w), v) : BigInt.asUintN(Number(w), v);
}

type Node =
  | { k: "var"; name: string; t: Ty }
  | { k: "const"; name: string; t: Ty }
  | { k: "lit"; v: number }
  | { k: "cast"; to: Ty; e: Node; t: Ty }
  | { k: "un"; op: "-" | "~"; e: Node; t: Ty }
  | { k: "bin"; op: string; l: Node; r: Node; t: Ty };

const typeOf = (n: Node): Ty => (n.k === "lit" ? "i32" : n.k === "var" || n.k === "const" ? promote(n.t) : n.t);
const constOnly = (n: Node): boolean =>
  n.k === "const" || n.k === "lit"
    ? true
    : n.k === "var"
      ? false
      : n.k === "bin"
        ? constOnly(n.l) && constOnly(n.r)
        : constOnly(n.e);

const ARITH = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"] as const;
const CMPS = ["<", "<=", ">", ">=", "===", "!=="] as const;

function leaf(rng: Rng): Node {
  const t = rng.pick(TYPES);
  const i = TYPES.indexOf(t) + TYPES.length * rng.int(VARS_PER_TYPE);
  return rng.int(3) === 0 ? { k: "const", name: `c${i}`, t } : { k: "var", name: `x${i}`, t };
}

function gen(rng: Rng, depth: number): Node {
  if (depth === 0 || rng.int(4) === 0) {
    const l = leaf(rng);
    if (rng.int(4) === 0) {
      const to = rng.pick(TYPES);
      return { k: "cast", to, e: l, t: promote(to) };
    }
    return l;
  }
  const choice = rng.int(10);
  if (choice === 0) {
    const e = gen(rng, depth - 1);
    return { k: "un", op: rng.pick(["-", "~"] as const), e, t: typeOf(e) };
  }
  if (choice === 1) {
    const to = rng.pick(TYPES);
    return { k: "cast", to, e: gen(rng, depth - 1), t: promote(to) };
  }
  const op = rng.pick(ARITH);
  const l = gen(rng, depth - 1);
  let r: Node;
  if (rng.int(4) === 0) r = { k: "lit", v: op === "/" || op === "%" ? 1 + rng.int(100) : rng.int(101) };
  else r = gen(rng, depth - 1);
  // A constant divisor could be 0, which tsbpf rejects at compile time: make it odd.
  if ((op === "/" || op === "%") && constOnly(r) && r.k !== "lit")
    r = { k: "bin", op: "|", l: r, r: { k: "lit", v: 1 }, t: typeOf(r) };
  const shift = op === "<<" || op === ">>" || op === ">>>";
  return { k: "bin", op, l, r, t: shift ? typeOf(l) : common(typeOf(l), typeOf(r)) };
}

/** Kernel TypeScript text; `wide`: the context wants 64 bits (so 32-bit + - * << are wrapped in `as`). */
function ts(n: Node, wide: boolean): string {
  switch (n.k) {
    case "var":
    case "const":
      return n.name;
    case "lit":
      return String(n.v);
    case "cast":
      return `(${ts(n.e, bits(n.to) === 64)} as ${n.to})`;
    case "un":
    case "bin":
      if (wide && bits(n.t) === 32) return `(${ts(n, false)} as ${n.t})`;
      return n.k === "un" ? `(${n.op}${ts(n.e, wide)})` : `(${ts(n.l, wide)} ${n.op} ${ts(n.r, wide)})`;
  }
}

/** The same in C, with tsbpf's definitions where C has undefined behaviour. */
function c(n: Node): string {
  switch (n.k) {
    case "var":
    case "const":
      return n.name;
    case "lit":
      return String(n.v);
    case "cast":
      return `((${C_NAMES[n.to]})${c(n.e)})`;
    case "un": {
      const T = C_NAMES[n.t],
        U = C_NAMES[unsignedOf(n.t)];
      return n.op === "~" ? `(~${c(n.e)})` : `((${T})(0 - (${U})${c(n.e)}))`;
    }
    case "bin": {
      const T = C_NAMES[n.t],
        U = C_NAMES[unsignedOf(n.t)];
      const L = c(n.l),
        R = c(n.r);
      const count = `((${R}) & ${bits(n.t) - 1})`;
      switch (n.op) {
        case "+":
        case "-":
        case "*":
          return `((${T})((${U})(${T})${L} ${n.op} (${U})(${T})${R}))`;
        case "/":
          return `div_${n.t}(${L}, ${R})`;
        case "%":
          return `mod_${n.t}(${L}, ${R})`;
        case "<<":
          return `((${T})((${U})${L} << ${count}))`;
        case ">>":
          return `((${T})(${L} >> ${count}))`;
        case ">>>":
          return `((${T})((${U})${L} >> ${count}))`;
        default:
          return `(${L} ${n.op} ${R})`;
      }
    }
  }
}

interface Case {
  ts: string;
  c: string;
}

function expression(rng: Rng): Case {
  if (rng.int(3) === 0) {
    const op = rng.pick(CMPS);
    const l = gen(rng, 1 + rng.int(2)),
      r = rng.int(4) === 0 ? ({ k: "lit", v: rng.int(101) } as Node) : gen(rng, 1 + rng.int(2));
    const cop = op === "===" ? "==" : op === "!==" ? "!=" : op;
    return { ts: `${ts(l, false)} ${op} ${ts(r, false)} ? 1 : 0`, c: `(${c(l)} ${cop} ${c(r)})` };
  }
  const e = gen(rng, 1 + rng.int(3));
  const t = typeOf(e);
  return { ts: `${ts(e, bits(t) === 64)} as ${t}`, c: `(${C_NAMES[t]})${c(e)}` };
}

/** Typed constants: one set per program, the same in both languages. */
function constants(rng: Rng): bigint[] {
  return Array.from({ length: INPUTS }, (_, i) => valueOf(rng, TYPES[i % TYPES.length]!));
}

/** A literal kernel TypeScript accepts for any 64-bit value (beyond 2^53 as exact constant arithmetic). */
function tsLiteral(v: bigint): string {
  const a = v < 0n ? -v : v;
  const text =
    a <= 1n << 52n ? String(a) : `(0x${(a >> 32n).toString(16)} * 0x100000000 + 0x${(a & 0xffff_ffffn).toString(16)})`;
  return v < 0n ? `-${text}` : text;
}

function tsModule(programs: { consts: bigint[]; cases: Case[] }[]): string {
  const out: string[] = [
    `import { xdp, ArrayMap, struct, array, u8, u16, u32, u64, i8, i16, i32, i64, XDP_PASS } from "${KERNEL_IMPORT}";`,
    `export class In extends struct({ v: array(u64, ${INPUTS}) }) {}`,
    `export class Out extends struct({ r: array(u64, ${EXPRESSIONS}) }) {}`,
    `export const inp = new ArrayMap({ value: In, maxEntries: 1 });`,
    `export const out = new ArrayMap({ value: Out, maxEntries: ${PROGRAMS} });`,
  ];
  programs.forEach((p, k) => {
    out.push(`export const p${k} = xdp(() => {`);
    out.push(`  const i = inp.lookup(0); if (i === null) return 0;`);
    out.push(`  const o = out.lookup(${k}); if (o === null) return 0;`);
    for (let n = 0; n < INPUTS; n++) {
      const t = TYPES[n % TYPES.length]!;
      out.push(`  const x${n}: ${t} = i.v[${n}] as ${t};`);
      out.push(`  const c${n}: ${t} = ${tsLiteral(p.consts[n]!)};`);
    }
    p.cases.forEach((e, j) => out.push(`  o.r[${j}] = ${e.ts};`));
    out.push(`  return XDP_PASS;`, `});`);
  });
  return out.join("\n");
}

function cSource(programs: { consts: bigint[]; cases: Case[] }[]): string {
  const out: string[] = [
    `typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32; typedef unsigned long long __u64;`,
    `typedef signed char __s8; typedef short __s16; typedef int __s32; typedef long long __s64;`,
    `#define SEC(n) __attribute__((section(n), used))`,
    `#define INLINE static inline __attribute__((always_inline))`,
    `struct in { __u64 v[${INPUTS}]; }; struct out { __u64 r[${EXPRESSIONS}]; };`,
    `struct { int (*type)[2]; __u32 *key; struct in *value; int (*max_entries)[1]; } inp SEC(".maps");`,
    `struct { int (*type)[2]; __u32 *key; struct out *value; int (*max_entries)[${PROGRAMS}]; } out SEC(".maps");`,
    `static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;`,
  ];
  // eBPF's division: x / 0 = 0, x % 0 = x; the signed minimum / -1 wraps (remainder 0).
  for (const t of ["u32", "u64"] as Ty[])
    out.push(
      `INLINE ${C_NAMES[t]} div_${t}(${C_NAMES[t]} a, ${C_NAMES[t]} b) { return b == 0 ? 0 : a / b; }`,
      `INLINE ${C_NAMES[t]} mod_${t}(${C_NAMES[t]} a, ${C_NAMES[t]} b) { return b == 0 ? a : a % b; }`,
    );
  // Signed division from unsigned (this clang may predate sdiv): C's truncation toward zero.
  for (const t of ["i32", "i64"] as Ty[]) {
    const T = C_NAMES[t],
      U = C_NAMES[unsignedOf(t)];
    const magnitudes = `${U} ua = a < 0 ? 0 - (${U})a : (${U})a, ub = b < 0 ? 0 - (${U})b : (${U})b;`;
    out.push(
      `INLINE ${T} div_${t}(${T} a, ${T} b) { if (b == 0) return 0; if (b == -1) return (${T})(0 - (${U})a); ${magnitudes} ${U} q = ua / ub; return (a < 0) != (b < 0) ? (${T})(0 - q) : (${T})q; }`,
      `INLINE ${T} mod_${t}(${T} a, ${T} b) { if (b == 0) return a; if (b == -1) return 0; ${magnitudes} ${U} r = ua % ub; return a < 0 ? (${T})(0 - r) : (${T})r; }`,
    );
  }
  programs.forEach((p, k) => {
    out.push(`SEC("xdp") int p${k}(void *ctx) {`);
    out.push(`  __u32 zero = 0, slot = ${k};`);
    // Inputs read where used (volatile) and constants as macros: 48 locals would not fit clang's registers and 512-byte stack.
    out.push(`  volatile struct in *i = bpf_map_lookup_elem(&inp, &zero); if (!i) return 0;`);
    out.push(`  struct out *o = bpf_map_lookup_elem(&out, &slot); if (!o) return 0;`);
    for (let n = 0; n < INPUTS; n++) {
      const T = C_NAMES[TYPES[n % TYPES.length]!];
      out.push(`#define x${n} ((${T})i->v[${n}])`);
      out.push(`#define c${n} ((${T})0x${BigInt.asUintN(64, p.consts[n]!).toString(16)}ULL)`);
    }
    p.cases.forEach((e, j) => out.push(`  o->r[${j}] = (__u64)${e.c};`));
    for (let n = 0; n < INPUTS; n++) out.push(`#undef x${n}`, `#undef c${n}`);
    out.push(`  return 2;`, `}`);
  });
  out.push(`char LICENSE[] SEC("license") = "GPL";`);
  return out.join("\n");
}

function compileC(source: string, dir: string): string {
  const src = join(dir, "differential.bpf.c"),
    obj = join(dir, "differential.bpf.o");
  writeFileSync(src, source);
  const r = spawnSync("clang", ["-O2", "-g", "-target", "bpf", "-c", src, "-o", obj], { encoding: "utf8" });
  if (r.error) throw new Error(`clang is not installed (${r.error.message})`);
  if (r.status !== 0) throw new Error(`clang failed:\n${r.stderr.slice(0, 4000)}`);
  return obj;
}

const seed = process.env.TSBPF_DIFF_SEED ? BigInt(process.env.TSBPF_DIFF_SEED) : BigInt(Date.now());

test(`random integer expressions give what clang's C gives (seed ${seed})`, async () => {
  const rng = prng(seed);
  const programs = Array.from({ length: PROGRAMS }, () => ({
    consts: constants(rng),
    cases: Array.from({ length: EXPRESSIONS }, () => expression(rng)),
  }));
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-differential-"));
  try {
    using ours = await loadSource(tsModule(programs));
    using theirs = loadObject(compileC(cSource(programs), dir));
    const inCodec = array(u64Codec, INPUTS);
    const outCodec = array(u64Codec, EXPRESSIONS);
    const open = <V>(m: { info(): { id: number } }, codec: Codec<V>): BpfMap<number, V> =>
      BpfMap.fromId(m.info().id, u32Codec, codec);
    using inOurs = open(ours.maps.inp!, inCodec);
    using inTheirs = open(theirs.maps.inp!, inCodec);
    using outOurs = open(ours.maps.out!, outCodec);
    using outTheirs = open(theirs.maps.out!, outCodec);
    const mismatches: string[] = [];
    let compared = 0;
    for (let run = 0; run < RUNS; run++) {
      const inputs = Array.from({ length: INPUTS }, (_, n) =>
        BigInt.asUintN(64, valueOf(rng, TYPES[n % TYPES.length]!)),
      );
      inOurs.set(0, inputs);
      inTheirs.set(0, inputs);
      for (let k = 0; k < PROGRAMS; k++) {
        const data = frame(0x0800);
        assert.equal(testRun(ours.programs[`p${k}`]!, { data }).retval, 2, `tsbpf p${k} ran to the end`);
        assert.equal(testRun(theirs.programs[`p${k}`]!, { data }).retval, 2, `clang p${k} ran to the end`);
        const got = outOurs.get(k)!,
          want = outTheirs.get(k)!;
        for (let j = 0; j < EXPRESSIONS; j++) {
          compared++;
          if (got[j] !== want[j] && mismatches.length < 12) {
            const used = [...new Set(programs[k]!.cases[j]!.ts.match(/\b[xc]\d+\b/g) ?? [])];
            const values = used.map((name) => {
              const n = Number(name.slice(1));
              const v = name[0] === "x" ? inputs[n]! : programs[k]!.consts[n]!;
              const t = TYPES[n % TYPES.length]!;
              return `${name}: ${t} = ${(signed(t) ? BigInt.asIntN : BigInt.asUintN)(bits(t), v)}`;
            });
            mismatches.push(
              `${programs[k]!.cases[j]!.ts}  [${values.join(", ")}]: tsbpf 0x${got[j]!.toString(16)}, clang 0x${want[j]!.toString(16)}`,
            );
          }
        }
      }
    }
    assert.equal(compared, PROGRAMS * EXPRESSIONS * RUNS);
    assert.deepEqual(mismatches, [], `seed ${seed} (rerun with TSBPF_DIFF_SEED=${seed})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("mixed signedness converts as in C: i32 -1 < u32 1 is false, constant or not; u32 with i64 is i64; u8 promotes to i32", async () => {
  using obj = await loadSource(`
import { xdp, ArrayMap, struct, array, u8, u32, u64, i32, i64, XDP_PASS } from "${KERNEL_IMPORT}";
export class Out extends struct({ r: array(u64, 16) }) {}
export const out = new ArrayMap({ value: Out, maxEntries: 1 });
export const inp = new ArrayMap({ value: u64, maxEntries: 1 });
export const p = xdp(() => {
  const o = out.lookup(0); if (o === null) return 0;
  const a = inp.lookup(0); if (a === null) return 0;
  const a0: u64 = a.value;                      // 2, from the map: not a constant
  const m: i32 = -1;
  const one: u32 = 1;
  const rm: i32 = 1 - (a0 as i32);              // -1 at run time
  const big: u64 = 1;
  const neg: i64 = -1;
  const rneg: i64 = 1 - (a0 as i64);            // -1 at run time
  const small: u8 = a0 as u8;                   // 2
  const wide: i64 = -(a0 as i64);               // -2
  const u: u32 = a0 as u32;                     // 2
  o.r[0] = m < one ? 1 : 0;                     // constants: u32 compare, false
  o.r[1] = rm < one ? 1 : 0;                    // run time against a typed constant: false
  o.r[2] = rm < u ? 1 : 0;                      // run time both: false
  o.r[3] = neg < big ? 1 : 0;                   // i64 vs u64 constants: false
  o.r[4] = rneg < big ? 1 : 0;                  // i64 vs u64 at run time: false
  o.r[5] = wide < u ? 1 : 0;                    // i64 vs u32: i64 compare, true
  o.r[6] = small - 3 < 0 ? 1 : 0;               // u8 promotes to i32: -1 < 0, true
  o.r[7] = (small - 3) >> 1;                    // arithmetic shift of i32 -1: -1
  o.r[8] = (m / one) as u32;                    // u32 division: 0xffffffff
  o.r[9] = (rm % u) as u32;                     // u32 remainder: 0xffffffff % 2 = 1
  o.r[10] = -one < one ? 1 : 0;                 // -1u is 0xffffffff: false
  o.r[11] = (m >>> 1) as u32;                   // logical shift at 32 bits: 0x7fffffff
  return XDP_PASS;
});`);
  using inp = BpfMap.fromId(obj.maps.inp!.info().id, u32Codec, u64Codec);
  using out = BpfMap.fromId(obj.maps.out!.info().id, u32Codec, array(u64Codec, 16));
  inp.set(0, 2n);
  assert.equal(testRun(obj.programs.p!, { data: frame(0x0800) }).retval, 2);
  const r = out.get(0)!;
  const minus1 = 0xffff_ffff_ffff_ffffn;
  assert.deepEqual(r.slice(0, 12), [0n, 0n, 0n, 0n, 0n, 1n, 1n, minus1, 0xffff_ffffn, 1n, 0n, 0x7fff_ffffn]);
});
