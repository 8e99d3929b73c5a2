// The compiler's front half: expression text → syntax tree → conditions → optimized decision graph.
import { buildDag, type Dag } from "./dag.js";
import { FilterError } from "./errors.js";
import { type Cond, FoldError } from "./ir.js";
import { lowerFilter, type LowerOptions } from "./lower.js";
import { parseFilter } from "./parser.js";
import type { FilterAst } from "./ast.js";

export interface Analysis {
  ast: FilterAst;
  cond: Cond;
  dag: Dag;
}

/** Parses, checks and optimizes an expression. Throws FilterError with the position of the problem. */
export function analyzeFilter(expression: string, options: LowerOptions): Analysis {
  const ast = parseFilter(expression);
  const cond = lowerFilter(ast, options);
  let dag;
  try {
    dag = buildDag(cond);
  } catch (e) {
    if (e instanceof FoldError) {
      const span = e.span ?? { start: 0, end: expression.length };
      throw new FilterError("semantic", e.message, expression, span.start, Math.max(1, span.end - span.start));
    }
    throw e;
  }
  if (dag.root === "reject") {
    throw new FilterError("semantic", "expression rejects all packets", expression, 0, Math.max(1, expression.length));
  }
  return { ast, cond, dag };
}
