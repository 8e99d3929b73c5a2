// Constant folding: what kernel TypeScript computes at compile time — numeric literals, integer
// arithmetic and comparisons of constants with eBPF's wrap-around, and the bounds of results
// that let the verifier (and the lowering) skip checks.
import type * as TS from "typescript";
import type { AluOp, CmpOp } from "./ir.js";
import type { IntT } from "./ktypes.js";
import { boundIn, type CT, type Val } from "./values.js";

/** Reports a problem at a node (the lowering's diagnostics). */
export type Fail = (node: TS.Node, message: string) => never;

/** An arithmetic operator before signedness picks the ALU operation (`>>` and `>>>`). */
export type ArithOp = AluOp | "shr" | "ushr";

export function fitsImm32(v: bigint): boolean {
  return v >= -0x8000_0000n && v <= 0x7fff_ffffn;
}

export function wrap(v: bigint, ct: CT): bigint {
  return ct.signed ? BigInt.asIntN(ct.w, v) : BigInt.asUintN(ct.w, v);
}

/** A constant as a value of storage type t (u8(300) = 44, i8(200) = -56). */
export function wrapStorage(v: bigint, t: IntT): bigint {
  if (t.bool) return v !== 0n ? 1n : 0n;
  return t.signed ? BigInt.asIntN(t.size * 8, v) : BigInt.asUintN(t.size * 8, v);
}

export function maxOfType(t: IntT): bigint | undefined {
  if (t.bool) return 1n;
  if (t.signed) return undefined;
  return (1n << BigInt(t.size * 8)) - 1n;
}

/**
 * A numeric literal's value, exact at any size: read from the source text, not from the JS number
 * TypeScript parsed it to (0xfffffffffffffff0 is not a double). BigInt literals reach here too: the
 * compiler reads them as integer literals (see host.ts).
 */
export function numericValue(literal: TS.LiteralExpression, fail: Fail): bigint {
  const text = literal.getText();
  const clean = text.replace(/_/g, "").replace(/n$/, "");
  if (/^0[xXoObB]/.test(clean)) return BigInt(clean);
  if (/[.eE]/.test(clean)) {
    const n = Number(clean);
    if (!Number.isInteger(n)) fail(literal, `${text} is not an integer (eBPF has no floating point)`);
    if (!Number.isSafeInteger(n)) fail(literal, `${text} is beyond 2^53 as a float: write the integer's digits`);
    return BigInt(n);
  }
  // A legacy octal literal (0755) is a syntax error in strict mode, which modules are.
  return BigInt(clean);
}

/**
 * a op b folded at compile time. With `ct` (a typed operand took part) both operands are first
 * converted to ct and the operation is the one the program would run: unsigned or signed
 * division, logical or arithmetic shift, the shift count taken modulo the width. Without it
 * (untyped literals only) the arithmetic is exact.
 */
export function foldConst(op: ArithOp, a: bigint, b: bigint, node: TS.Node, fail: Fail, ct?: CT): bigint {
  if (ct) {
    a = wrap(a, ct);
    b = wrap(b, ct);
    if (op === "lsh" || op === "shr" || op === "ushr" || op === "rsh" || op === "arsh") b &= BigInt(ct.w - 1);
  }
  switch (op) {
    case "add":
      return a + b;
    case "sub":
      return a - b;
    case "mul":
      return a * b;
    case "div":
    case "sdiv":
      if (b === 0n) fail(node, "constant division by zero");
      return a / b;
    case "mod":
    case "smod":
      if (b === 0n) fail(node, "constant division by zero");
      return a % b;
    case "and":
      return a & b;
    case "or":
      return a | b;
    case "xor":
      return a ^ b;
    case "lsh":
      return a << b;
    case "shr":
    case "arsh":
      return a >> b;
    case "ushr":
    case "rsh":
      return BigInt.asUintN(ct?.w ?? 64, a) >> b;
  }
}

/** A comparison of constants; with `ct` both sides are first converted to it (-1 < 1 is false in u32). */
export function evalCmp(c: CmpOp, a: bigint, b: bigint, ct?: CT): boolean {
  if (ct) {
    a = wrap(a, ct);
    b = wrap(b, ct);
  }
  switch (c) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "gt":
    case "sgt":
      return a > b;
    case "ge":
    case "sge":
      return a >= b;
    case "lt":
    case "slt":
      return a < b;
    case "le":
    case "sle":
      return a <= b;
    case "set":
      return (a & b) !== 0n;
  }
}

/** The known bound 0 … max of an operand as converted to ct (constants as they wrap). */
export function operandBound(v: Val, ct: CT): bigint | undefined {
  if (v.k === "const") return boundIn(ct, wrap(v.value, ct));
  if (v.k === "int") return boundIn(ct, v.max);
  return undefined;
}

/** A bound 0 … max of a result in ct, when one is evident. */
export function rangeAfter(op: AluOp, l: Val, r: Val, ct: CT): bigint | undefined {
  const a = operandBound(l, ct),
    b = operandBound(r, ct);
  const shift = r.k === "const" ? wrap(r.value, ct) & BigInt(ct.w - 1) : undefined;
  let max: bigint | undefined;
  switch (op) {
    case "and":
      max = a !== undefined && b !== undefined ? (a < b ? a : b) : (a ?? b);
      break;
    case "add":
      max = a !== undefined && b !== undefined ? a + b : undefined;
      break;
    case "mul":
      max = a !== undefined && b !== undefined ? a * b : undefined;
      break;
    case "lsh":
      max = a !== undefined && shift !== undefined ? a << shift : undefined;
      break;
    case "rsh":
    case "arsh":
      max = a !== undefined && shift !== undefined ? a >> shift : a;
      break;
    case "div":
    case "mod":
      max = a;
      break;
    case "sdiv":
    case "smod":
      // Non-negative operands divide as unsigned ones do.
      max = a !== undefined && b !== undefined ? a : undefined;
      break;
    default:
      max = undefined;
  }
  // A result beyond the type's range may have wrapped: no bound then.
  return boundIn(ct, max);
}

/** A constant's bytes reversed (a big-endian field stored from a constant). */
export function byteSwap(v: bigint, size: number): bigint {
  let out = 0n;
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out = (out << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return out;
}
