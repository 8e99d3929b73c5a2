// The one reading of a print template shared by printk()/bpfPrintk() and an iterator's
// ctx.print(): a string or template literal split into its literal parts and its values, each value
// with the conversion it is wrapped in (`hex(x)`, `str(a)`, …). What each caller then emits differs
// (bpf_trace_printk or bpf_seq_printf, which conversions it takes), not how the template is read.
import type * as TS from "typescript";
import type { Lowering } from "./api.js";

export interface PrintTemplate {
  /** The literal text around the values: one more part than values. */
  parts: string[];
  values: { conv: string; e: TS.Expression }[];
}

/**
 * Splits `msg`; `what` names the call in messages ("printk()", "ctx.print()"), `formats` are the
 * conversions it takes, and `refused` says what to say of a kernel conversion it does not take.
 */
export function readPrintTemplate(
  low: Lowering,
  msg: TS.Expression,
  what: string,
  formats: readonly string[],
  refused: (conversion: string) => string | undefined,
): PrintTemplate {
  const ts = low.ts;
  const parts: string[] = [];
  const values: { conv: string; e: TS.Expression }[] = [];
  if (ts.isStringLiteral(msg) || ts.isNoSubstitutionTemplateLiteral(msg)) parts.push(msg.text);
  else if (ts.isTemplateExpression(msg)) {
    parts.push(msg.head.text);
    for (const span of msg.templateSpans) {
      let inner = span.expression;
      let conv = "";
      if (ts.isCallExpression(inner) && ts.isIdentifier(inner.expression)) {
        const r = low.module.resolve(inner.expression);
        if (r.kind === "kernel" && formats.includes(r.name)) {
          if (inner.arguments.length !== 1) low.fail(inner, `${r.name}() takes one value`);
          conv = r.name;
          inner = inner.arguments[0]!;
        } else if (r.kind === "kernel") {
          const why = refused(r.name);
          if (why) low.fail(inner, why);
        }
      }
      values.push({ conv, e: inner });
      parts.push(span.literal.text);
    }
  } else low.fail(msg, `${what} takes a string or template literal`);
  return { parts, values };
}
