// The TypeScript side of the front end: a ts.Program over the kernel source with the smallest
// standard library, type-checked, with parsed library and tsbpf/kernel files cached for the life
// of the process (they do not change between compilations, and parsing them is most of the cost).
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import type * as TS from "typescript";
import type { Diagnostic } from "./diagnostics.js";
import { KERNEL_LIB, KERNEL_LIB_FILE } from "./kernel-lib.js";
import { requireWithCodeCache, storeCodeCache } from "./code-cache.js";

export type TypeScript = typeof TS;

let tsModule: TypeScript | undefined;

/**
 * Loads the TypeScript compiler on first use (tools that load precompiled artifacts never do).
 * Through require, not import(): importing the 9 MB CommonJS file as ESM makes Node scan it for
 * its format and named exports first, which costs more than compiling it. On Node 22+ Node keeps
 * its compiled code between runs; before that, code-cache.ts does.
 */
export async function loadTypeScript(): Promise<TypeScript> {
  if (!tsModule) adoptSnapshot();
  if (!tsModule) {
    const nodeModule = (await import("node:module")) as unknown as { enableCompileCache?: () => unknown };
    if (nodeModule.enableCompileCache) {
      try {
        nodeModule.enableCompileCache();
      } catch {
        /* an optimisation only */
      }
      tsModule = createRequire(import.meta.url)("typescript") as TypeScript;
    } else {
      tsModule = requireWithCodeCache("typescript", import.meta.url) as TypeScript;
    }
  }
  return tsModule;
}

/** Keeps the compiler's compiled code for the next run (after a compile, so the checker is in it). */
export function keepTypeScriptCompiled(): void {
  storeCodeCache("typescript");
}

/** The loaded compiler, for code that runs after loadTypeScript(). */
export function typescript(): TypeScript {
  if (!tsModule) throw new Error("internal: TypeScript is not loaded yet (call loadTypeScript first)");
  return tsModule;
}

let libFile: TS.SourceFile | undefined;
const cache = new Map<string, { mtime: number; file: TS.SourceFile }>();

/**
 * What a compiler start-up snapshot (snapshot.ts) holds on the global object: the compiler loaded,
 * and the library and tsbpf's declaration files parsed and bound, as this module's cache holds them.
 */
interface Held {
  ts: TypeScript;
  files: Map<string, { mtime: number; file: TS.SourceFile }>;
  lib: TS.SourceFile | undefined;
}

const HELD = Symbol.for("tsbpf.compiler-snapshot");

/** Whether this process started from a compiler snapshot. */
export function inCompilerSnapshot(): boolean {
  return HELD in globalThis;
}

/** Takes the compiler and the parsed files from the snapshot this process started from, if any. */
function adoptSnapshot(): void {
  const held = (globalThis as { [HELD]?: Held })[HELD];
  if (!held) return;
  tsModule = held.ts;
  for (const [path, entry] of held.files) if (!cache.has(path)) cache.set(path, entry);
  // A library changed since the snapshot was taken is parsed again (the snapshot's key should prevent it).
  if (held.lib?.text === KERNEL_LIB) libFile = held.lib;
}

/**
 * Run while a snapshot is built: takes the compiler, type-checks `warmUp` (a module importing
 * tsbpf/kernel) so that every declaration file it reaches is parsed and bound, and leaves the
 * result on the global object for adoptSnapshot() in the processes started from the snapshot.
 */
export function holdForSnapshot(ts: TypeScript, warmUp: SourceOverride): void {
  tsModule = ts;
  const program = createProgram(ts, warmUp.fileName, warmUp);
  const entry = program.getSourceFile(warmUp.fileName);
  const problems = entry ? program.getSemanticDiagnostics(entry) : [];
  if (!entry || problems.length)
    throw new Error(`the snapshot's warm-up does not type-check: ${convertDiagnostics(ts, problems)[0]?.message}`);
  const held: Held = { ts, files: cache, lib: libFile };
  (globalThis as { [HELD]?: Held })[HELD] = held;
}

/** Files that never change under a running compiler: declarations (tsbpf's own, libraries') and tsbpf's kernel sources. */
function cacheable(path: string): boolean {
  return path.endsWith(".d.ts") || path.includes("/node_modules/") || /\/src\/kernel\/[^/]+\.ts$/.test(path);
}

export function compilerOptions(ts: TypeScript): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    // Kernel code gets its own small library (kernel-lib.ts), not TypeScript's.
    noLib: true,
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
  if (!libFile) libFile = ts.createSourceFile(KERNEL_LIB_FILE, KERNEL_LIB, ts.ScriptTarget.ES2022, true);
  const served = libFile;
  const next = host.getSourceFile;
  host.getSourceFile = (fileName, ...rest) => (fileName === KERNEL_LIB_FILE ? served : next(fileName, ...rest));
  if (override) {
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (f) => f === override.fileName || fileExists(f);
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => (f === override.fileName ? override.text : readFile(f));
  }
  return ts.createProgram({ rootNames: [KERNEL_LIB_FILE, rootFile], options, host });
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
