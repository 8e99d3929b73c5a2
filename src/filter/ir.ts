// The intermediate form between the syntax tree and code: values computed from the packet and
// conditions over them, with tcpdump's evaluation rules.
//
// Values are unsigned 32-bit. A load outside the captured bytes rejects the whole packet (not just
// the test it is in), and so does a division by a zero that is only known at run time. Conditions
// evaluate left to right with short circuits, so which loads run — and so which packets an
// out-of-bounds load rejects — follows the order libpcap generates tests in.
//
// Values are kept as written: libpcap's optimizer first restructures branches comparing values as
// generated, and only then folds constants. `foldVal` gives the folded form with the rules of that
// optimizer, because tcpdump runs optimized code and the folding can drop loads (`ip[100] & 0 = 0`
// matches every IPv4 packet, even one shorter than 115 bytes): x&0 and x*0 are 0; x+0, x|0, x^0,
// x<<0, x>>0, x-0 are x; 0+x, 0|x, 0^x are x; 0*x, 0/x, 0%x, 0&x, 0<<x, 0>>x are 0; a load at a
// constant index becomes an absolute load; a constant divisor of 0 or a shift over 31 is an error.

import { TsbpfError } from "../errors.js";

export type Size = 1 | 2 | 4;
export type AluOp = "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" | "lsh" | "rsh";

export type Val =
  | { readonly k: "const"; readonly v: number }
  /** Length of the packet on the wire. */
  | { readonly k: "len" }
  /** Big-endian load at a constant offset from the start of the packet. */
  | { readonly k: "load"; readonly off: number; readonly size: Size }
  /** Big-endian load at index + off (the sum must not overflow 32 bits, else the packet is rejected). */
  | { readonly k: "loadi"; readonly index: Val; readonly off: number; readonly size: Size }
  /** IPv4 header length: (packet[off] & 0x0f) * 4 (a load of one byte). */
  | { readonly k: "iphl"; readonly off: number }
  /** `mask` marks a constant AND that libpcap emits as an immediate (a field mask, not arithmetic). */
  | {
      readonly k: "alu";
      readonly op: AluOp;
      readonly a: Val;
      readonly b: Val;
      readonly mask?: boolean;
      readonly span?: { start: number; end: number };
    }
  | { readonly k: "neg"; readonly a: Val };

export type CmpOp = "eq" | "gt" | "ge" | "set";

export type Cond =
  | { readonly k: "true" }
  | { readonly k: "false" }
  | { readonly k: "and" | "or"; readonly a: Cond; readonly b: Cond }
  | { readonly k: "not"; readonly a: Cond }
  /** a op b; "set" means (a & b) != 0. Both values are computed (all their loads run) first. */
  | { readonly k: "cmp"; readonly op: CmpOp; readonly a: Val; readonly b: Val };

/** A constant expression tcpdump refuses (libpcap's optimizer reports it). */
export class FoldError extends TsbpfError {
  override name = "FoldError";
  constructor(
    message: string,
    readonly span?: { start: number; end: number },
  ) {
    super(message);
  }
}

export const TRUE: Cond = { k: "true" };
export const FALSE: Cond = { k: "false" };
export const LEN: Val = { k: "len" };

export function konst(v: number): Val {
  return { k: "const", v: v >>> 0 };
}
export function isConst(v: Val, value?: number): v is { k: "const"; v: number } {
  return v.k === "const" && (value === undefined || v.v === value);
}

export function load(off: number, size: Size): Val {
  return { k: "load", off: off >>> 0, size };
}
/** A load at index + off. */
export function loadIndexed(index: Val, off: number, size: Size): Val {
  return { k: "loadi", index, off: off >>> 0, size };
}
export function ipHeaderLength(off: number): Val {
  return { k: "iphl", off: off >>> 0 };
}
export function alu(op: AluOp, a: Val, b: Val, span?: { start: number; end: number }): Val {
  return span ? { k: "alu", op, a, b, span } : { k: "alu", op, a, b };
}
/** field & m, as a mask test emits it. */
export function masked(a: Val, m: number): Val {
  return { k: "alu", op: "and", a, b: konst(m), mask: true };
}
export function neg(a: Val): Val {
  return { k: "neg", a };
}

export function cmp(op: CmpOp, a: Val, b: Val): Cond {
  return { k: "cmp", op, a, b };
}
export function and(a: Cond, b: Cond): Cond {
  return { k: "and", a, b };
}
export function or(a: Cond, b: Cond): Cond {
  return { k: "or", a, b };
}
export function not(a: Cond): Cond {
  return { k: "not", a };
}

function foldOp(op: AluOp, a: number, b: number, span?: { start: number; end: number }): number {
  switch (op) {
    case "add":
      return (a + b) >>> 0;
    case "sub":
      return (a - b) >>> 0;
    case "mul":
      return Math.imul(a, b) >>> 0;
    case "div":
      if (b === 0) throw new FoldError("division by zero", span);
      return Math.floor(a / b) >>> 0;
    case "mod":
      if (b === 0) throw new FoldError("modulus by zero", span);
      return (a % b) >>> 0;
    case "and":
      return (a & b) >>> 0;
    case "or":
      return (a | b) >>> 0;
    case "xor":
      return (a ^ b) >>> 0;
    case "lsh":
      return b < 32 ? (a << b) >>> 0 : 0;
    case "rsh":
      return b < 32 ? a >>> b : 0;
  }
}

const folded = new WeakMap<Val, Val>();

/** The value after libpcap's constant folding. Throws FoldError for the constant expressions tcpdump refuses. */
export function foldVal(v: Val): Val {
  const hit = folded.get(v);
  if (hit) return hit;
  let r: Val;
  switch (v.k) {
    case "const":
    case "len":
    case "load":
    case "iphl":
      r = v;
      break;
    case "loadi": {
      const index = foldVal(v.index);
      r = index.k === "const" ? load((index.v + v.off) >>> 0, v.size) : index === v.index ? v : { ...v, index };
      break;
    }
    case "neg": {
      const a = foldVal(v.a);
      r = a.k === "const" ? konst(-a.v) : a === v.a ? v : { k: "neg", a };
      break;
    }
    case "alu":
      r = foldAlu(v, foldVal(v.a), foldVal(v.b));
      break;
  }
  folded.set(v, r);
  return r;
}

function foldAlu(v: Val & { k: "alu" }, a: Val, b: Val): Val {
  const op = v.op;
  const same = (): Val => (a === v.a && b === v.b ? v : { ...v, a, b });
  if (b.k === "const") {
    if (a.k === "const") return konst(foldOp(op, a.v, b.v, v.span));
    if ((op === "lsh" || op === "rsh") && b.v > 31) throw new FoldError("shift by more than 31 bits", v.span);
    if (b.v === 0) {
      if (op === "add" || op === "lsh" || op === "rsh" || op === "or" || op === "xor" || op === "sub") return a;
      if (op === "mul" || op === "and") return konst(0);
      if (op === "div") throw new FoldError("division by zero", v.span);
      if (op === "mod") throw new FoldError("modulus by zero", v.span);
    }
    return same();
  }
  if (a.k === "const" && a.v === 0) {
    if (op === "add" || op === "or" || op === "xor") return b;
    if (op !== "sub") return konst(0);
  }
  return same();
}

/** A canonical text for a value: equal texts mean the same computation (and the same loads). */
export function valKey(v: Val): string {
  switch (v.k) {
    case "const":
      return `#${v.v}`;
    case "len":
      return "len";
    case "load":
      return `[${v.off}:${v.size}]`;
    case "loadi":
      return `[${valKey(v.index)}+${v.off}:${v.size}]`;
    case "iphl":
      return `hl(${v.off})`;
    case "alu":
      return `(${valKey(v.a)} ${v.op}${v.mask ? "#" : ""} ${valKey(v.b)})`;
    case "neg":
      return `-(${valKey(v.a)})`;
  }
}

/** Readable text of a value, tcpdump-like (used in listings and error messages). */
export function valText(v: Val): string {
  switch (v.k) {
    case "const":
      return v.v > 9 ? `0x${v.v.toString(16)}` : String(v.v);
    case "len":
      return "len";
    case "load":
      return `pkt[${v.off}:${v.size}]`;
    case "loadi":
      return `pkt[${valText(v.index)} + ${v.off}:${v.size}]`;
    case "iphl":
      return `4*(pkt[${v.off}]&0xf)`;
    case "alu": {
      const ops: Record<AluOp, string> = {
        add: "+",
        sub: "-",
        mul: "*",
        div: "/",
        mod: "%",
        and: "&",
        or: "|",
        xor: "^",
        lsh: "<<",
        rsh: ">>",
      };
      return `(${valText(v.a)} ${ops[v.op]} ${valText(v.b)})`;
    }
    case "neg":
      return `-${valText(v.a)}`;
  }
}

export function condText(c: Cond): string {
  switch (c.k) {
    case "true":
      return "true";
    case "false":
      return "false";
    case "and":
      return `(${condText(c.a)} && ${condText(c.b)})`;
    case "or":
      return `(${condText(c.a)} || ${condText(c.b)})`;
    case "not":
      return `!${condText(c.a)}`;
    case "cmp": {
      const ops: Record<CmpOp, string> = { eq: "==", gt: ">", ge: ">=", set: "&" };
      return `${valText(c.a)} ${ops[c.op]} ${valText(c.b)}`;
    }
  }
}
