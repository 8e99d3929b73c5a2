// A syntactic pass over kernel TypeScript for constructs outside the subset, run before type
// checking, so that:
//  - `for (const x of xs)` reads "for…of … use a counted for loop", not TypeScript's complaint
//    (with only lib.es5 loaded) that arrays have no [Symbol.iterator];
//  - every such construct of a file is reported in one run, not only the first of each function
//    (lowering gives up on a function at its first error).
// The messages are the lowering's own, so a construct found by both is reported once.
import type * as TS from "typescript";
import type { Diagnostic } from "./diagnostics.js";
import type { TypeScript } from "./host.js";

export interface SubsetScan {
  diagnostics: Diagnostic[];
  /**
   * Source ranges where TypeScript's own errors are consequences of a construct reported here
   * (the head of a for…of: its iteration protocol does not exist in the kernel's library).
   */
  shadowed: { file: string; start: number; end: number }[];
}

/**
 * Scans `file`. With `onlyLoops`, only for…of / for…in (for files the program imports, which may
 * hold code that never reaches the kernel).
 */
export function scanSubset(ts: TypeScript, file: TS.SourceFile, onlyLoops = false): SubsetScan {
  const out: SubsetScan = { diagnostics: [], shadowed: [] };
  const report = (node: TS.Node, message: string) => {
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    out.diagnostics.push({ file: file.fileName, line: line + 1, column: character + 1, message });
  };
  const visit = (node: TS.Node, inFunction: boolean): void => {
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      report(node, "for…of / for…in are not in the subset: use a counted for loop");
      out.shadowed.push({ file: file.fileName, start: node.getStart(file), end: node.statement.getStart(file) });
    } else if (inFunction && !onlyLoops) {
      const message = construct(ts, node);
      if (message) report(node, message);
    }
    const body =
      ts.isFunctionDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isMethodDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inFunction || body));
  };
  visit(file, false);
  return out;
}

/** The reason `node` (inside a function) is outside the subset, when its syntax alone says so. */
function construct(ts: TypeScript, node: TS.Node): string | undefined {
  if (ts.isTryStatement(node)) return "try/catch is not in the subset: eBPF has no exceptions";
  if (ts.isThrowStatement(node)) return "throw is not in the subset: eBPF has no exceptions (return an error code)";
  if (ts.isLabeledStatement(node)) return "labelled statements are not in the subset";
  if (ts.isFunctionDeclaration(node) && node.parent && !ts.isSourceFile(node.parent))
    return "nested functions are not in the subset: declare the function at module level";
  if (ts.isClassDeclaration(node)) return "classes inside functions are not in the subset";
  if (
    ts.isVariableDeclarationList(node) &&
    !(node.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let)) &&
    !ts.isForInStatement(node.parent) &&
    !ts.isForOfStatement(node.parent)
  )
    return "use let or const, not var";
  if (ts.isNonNullExpression(node))
    return "non-null assertions (!) are not in the subset: test the value against null so the verifier sees the check";
  if (ts.isPropertyAccessExpression(node) && node.questionDotToken)
    return "optional chaining (?.) is not in the subset: test against null first";
  if (ts.isTypeOfExpression(node)) return "typeof is not in the subset";
  if (ts.isDeleteExpression(node)) return "delete is not in the subset (use map.delete(key))";
  if (ts.isAwaitExpression(node)) return "await is not in the subset";
  if (ts.isBinaryExpression(node)) {
    if (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
      return "?? is not in the subset: test against null";
    if (node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return "** is not in the subset";
  }
  return undefined;
}
