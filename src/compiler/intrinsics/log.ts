// log.info(`…${x}…`) and the other levels: each call site becomes a numbered record in the log
// ring buffer (site id, level, then the values); user space keeps the message parts and formats
// them. hex(), ipv4(), ipv6(), mac() and str() choose a value's format inside the template.
import type * as TS from "typescript";
import { helperId } from "../../asm/helpers.js";
import type { Base } from "../ir.js";
import { describeVal, I64, U64, type Val } from "../values.js";
import type { KernelFunction, LogArg, Lowering } from "./api.js";

const LOG_LEVELS: Readonly<Record<string, number>> = { error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

type Format = LogArg["kind"];
const FORMATS: readonly string[] = ["hex", "ipv4", "ipv6", "mac", "str"];

/** `log.level(message)`. */
export function lowerLog(low: Lowering, e: TS.CallExpression, level: string): Val {
  const ts = low.ts;
  const lvl = Object.hasOwn(LOG_LEVELS, level) ? LOG_LEVELS[level] : undefined;
  if (!lvl) low.fail(e, `log has error, warn, info, debug and trace, not ${level}`);
  const [msg] = low.args(e, 1);
  const parts: string[] = [];
  const exprs: { kind: Format; e: TS.Expression }[] = [];
  if (ts.isStringLiteral(msg!) || ts.isNoSubstitutionTemplateLiteral(msg!)) {
    parts.push(msg.text);
  } else if (ts.isTemplateExpression(msg!)) {
    parts.push(msg.head.text);
    for (const span of msg.templateSpans) {
      let inner = span.expression;
      let kind: Format = "int";
      if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression)) {
        const r = low.module.resolve(inner.expression);
        if (r.kind === "kernel" && FORMATS.includes(r.name)) {
          kind = r.name as Format;
          if (inner.arguments.length !== 1) low.fail(inner, `${r.name}() takes one value`);
          inner = inner.arguments[0]!;
        }
      }
      exprs.push({ kind, e: inner });
      parts.push(span.literal.text);
    }
  } else {
    low.fail(msg!, "a log message is a string or template literal");
  }
  // Evaluate the values first (they may call helpers), then reserve and fill the record.
  const values = exprs.map((x) => ({ ...x, v: low.expr(x.e) }));
  const args: LogArg[] = [];
  let size = 8; // u32 site id, u32 reserved
  for (const x of values) {
    const v = x.v;
    let argSize = 8,
      signed = false,
      kind = x.kind;
    if (kind === "ipv6" || kind === "mac" || kind === "str") {
      if (v.k !== "ptr" || v.t.kind !== "array") low.fail(x.e, `${kind}() needs a byte array`);
      argSize = v.t.size;
    } else if (v.k === "bool") {
      kind = "bool";
    } else if (v.k === "int") {
      signed = v.ct.signed;
    } else if (v.k === "ptr" && v.t.kind === "array" && v.t.flavor === "string") {
      kind = "str";
      argSize = v.t.size;
    } else if (v.k !== "const") {
      low.fail(x.e, `cannot log ${describeVal(v)}`);
    }
    args.push({ kind, size: argSize, signed, offset: size });
    size += Math.ceil(argSize / 8) * 8;
  }
  const id = low.module.addLogSite({ level: lvl, parts, args, size, loc: low.module.loc(e) });
  const logMap = low.module.logMap();
  const rec = low.b.vreg("memOrNull");
  low.b.emit({
    op: "call",
    helper: helperId("ringbuf_reserve"),
    args: [{ map: logMap.name }, { imm: size }, { imm: 0 }],
    dst: rec,
  });
  const fill = low.b.newBlock("log"),
    done = low.b.newBlock("logged");
  low.b.terminate({ op: "br", cmp: "eq", w: 64, a: rec, b: { imm: 0 }, then: done, else: fill });
  low.b.setBlock(fill);
  const base: Base = { reg: rec };
  low.b.emit({ op: "store", size: 4, base, off: 0, src: { imm: id } });
  low.b.emit({ op: "store", size: 4, base, off: 4, src: { imm: lvl } });
  values.forEach((x, k) => {
    const a = args[k]!;
    const v = x.v;
    if (v.k === "ptr") {
      if (
        v.space === "ctx" ||
        v.space === "packet" ||
        v.space === "stack" ||
        v.space === "map" ||
        v.space === "mem" ||
        v.space === "global"
      )
        low.copyMemory(base, a.offset, v.base, v.off, a.size, "mem", v.space);
      if (a.size % 8) low.zero(base, a.offset + a.size, 8 - (a.size % 8));
      return;
    }
    if (v.k === "bool") {
      low.b.emit({ op: "store", size: 8, base, off: a.offset, src: { reg: low.opReg(v.op, 64) } });
      return;
    }
    const iv = low.toInt(v, v.k === "int" && v.ct.signed ? I64 : U64, x.e);
    low.b.emit({ op: "store", size: 8, base, off: a.offset, src: { reg: low.opReg(iv.op, 64) } });
  });
  low.b.emit({ op: "call", helper: helperId("ringbuf_submit"), args: [{ reg: rec }, { imm: 0 }] });
  low.b.jump(done);
  low.b.setBlock(done);
  return { k: "void" };
}

/** The format functions are only meaningful inside a log template. */
const formatOutsideLog: KernelFunction = (low: Lowering, e, name) =>
  low.fail(e, `${name}() formats a value inside a log message template`);

export const LOG_FUNCTIONS: Readonly<Record<string, KernelFunction>> = Object.fromEntries(
  FORMATS.map((name) => [name, formatOutsideLog]),
);
