// The TypeScript side of the front end: a ts.Program over the kernel source with the smallest
// standard library, type-checked, with parsed library and tsbpf/kernel files cached for the life
// of the process (they do not change between compilations, and parsing them is most of the cost).
import { statSync } from "node:fs";
import type * as TS from "typescript";
import type { Diagnostic } from "./diagnostics.js";

export type TypeScript = typeof TS;

let tsModule: TypeScript | undefined;

/** Loads the TypeScript compiler on first use (tools that load precompiled artifacts never do). */
export async function loadTypeScript(): Promise<TypeScript> {
  if (!tsModule) {
    // Node 22+ can keep V8's compiled code for the 9 MB compiler on disk between runs.
    const nodeModule = (await import("node:module")) as unknown as { enableCompileCache?: () => unknown };
    try {
      nodeModule.enableCompileCache?.();
    } catch {
      /* an optimisation only */
    }
    const mod = (await import("typescript")) as unknown as { default?: TypeScript } & TypeScript;
    tsModule = mod.default ?? mod;
  }
  return tsModule;
}

/** The loaded compiler, for code that runs after loadTypeScript(). */
export function typescript(): TypeScript {
  if (!tsModule) throw new Error("internal: TypeScript is not loaded yet (call loadTypeScript first)");
  return tsModule;
}

const cache = new Map<string, { mtime: number; file: TS.SourceFile }>();

/** Files that never change under a running compiler: the standard library and tsbpf's own. */
function cacheable(path: string): boolean {
  return path.includes("/node_modules/") || /\/src\/kernel\/[^/]+\.ts$/.test(path);
}

export function compilerOptions(ts: TypeScript): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    // es5 has every type the kernel declarations mention and is the cheapest library to parse.
    lib: ["lib.es5.d.ts"],
    types: [],
  };
}

export interface SourceOverride {
  fileName: string;
  text: string;
}

export function createProgram(ts: TypeScript, rootFile: string, override?: SourceOverride): TS.Program {
  const options = compilerOptions(ts);
  const host = ts.createCompilerHost(options, true);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (override && fileName === override.fileName) {
      return bigIntsAsIntegers(ts, ts.createSourceFile(fileName, override.text, languageVersion, true));
    }
    if (!cacheable(fileName)) {
      const file = original(fileName, languageVersion, onError, shouldCreate);
      return file && !file.isDeclarationFile ? bigIntsAsIntegers(ts, file) : file;
    }
    let mtime = 0;
    try {
      mtime = statSync(fileName).mtimeMs;
    } catch {
      /* the host reports missing files */
    }
    const hit = cache.get(fileName);
    if (hit && hit.mtime === mtime) return hit.file;
    const file = original(fileName, languageVersion, onError, shouldCreate);
    if (file) cache.set(fileName, { mtime, file });
    return file;
  };
  if (override) {
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (f) => f === override.fileName || fileExists(f);
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => (f === override.fileName ? override.text : readFile(f));
  }
  return ts.createProgram({ rootNames: [rootFile], options, host });
}

/**
 * Kernel code's integers are all `number` to TypeScript, so a BigInt literal (`0xffff_ffff_ffff_fff0n`,
 * the way to spell a 64-bit constant in TypeScript) would be a type error wherever an integer goes.
 * The compiler reads integer literals from their source text, exactly, so it type-checks a BigInt
 * literal as the same digits without the `n` (replaced by a space: every position stays the same).
 */
function bigIntsAsIntegers(ts: TypeScript, file: TS.SourceFile): TS.SourceFile {
  const ends: number[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isBigIntLiteral(n)) ends.push(n.end);
    else ts.forEachChild(n, visit);
  };
  visit(file);
  if (ends.length === 0) return file;
  let text = file.text;
  for (const end of ends.reverse()) text = `${text.slice(0, end - 1)} ${text.slice(end)}`;
  return ts.createSourceFile(file.fileName, text, file.languageVersion, true);
}

/** Converts TypeScript's diagnostics to ours (file:line:col, one line). */
export function convertDiagnostics(ts: TypeScript, list: readonly TS.Diagnostic[]): Diagnostic[] {
  return list.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ").split("\n")[0]!;
    if (!d.file || d.start === undefined) return { file: "<tsbpf>", line: 0, column: 0, message };
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { file: d.file.fileName, line: line + 1, column: character + 1, message };
  });
}
