// Everything tsbpf throws on purpose is a TsbpfError, so one `instanceof TsbpfError` tells a
// user's own mistakes and tsbpf's refusals from bugs. This test imports every module of the build
// and checks each exported error class, so a new one that extends Error directly cannot slip in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TsbpfError } from "../../src/errors.js";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above the test");
    dir = up;
  }
  return dir;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** An exported class that is an error: it extends Error, or its name says it is one. */
function isErrorClass(name: string, value: unknown): value is abstract new (...args: never[]) => unknown {
  return typeof value === "function" && (value.prototype instanceof Error || /^[A-Z]\w*(Error|Fault)$/.test(name));
}

function outsideTsbpfError(exports: Record<string, unknown>): string[] {
  return Object.entries(exports)
    .filter(([name, value]) => isErrorClass(name, value))
    .filter(([, value]) => value !== TsbpfError && !((value as Function).prototype instanceof TsbpfError))
    .map(([name]) => name);
}

test("every exported error class extends TsbpfError", async () => {
  const root = packageRoot();
  // The sources say which modules exist (dist/ may hold files of modules since removed).
  // The bundled bin exports nothing, runs the CLI when imported, and only the bundler completes it.
  const modules = sourceFiles(join(root, "src"))
    .map((file) => relative(root, file).replace(/\.ts$/, ".js"))
    .filter((module) => module !== join("src", "cli", "bin.js"));
  assert.ok(modules.length > 100, `expected the whole source tree, found ${modules.length} modules`);
  const offenders: string[] = [];
  const checked = new Set<unknown>();
  const reported = new Set<unknown>();
  for (const module of modules) {
    const exports = (await import(pathToFileURL(join(root, "dist", module)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) if (isErrorClass(name, value)) checked.add(value);
    // Each class named once, by the first module met that exports it.
    for (const name of outsideTsbpfError(exports)) {
      if (reported.has(exports[name])) continue;
      reported.add(exports[name]);
      offenders.push(`${name} (${module.replace(/\.js$/, ".ts")})`);
    }
  }
  assert.ok(checked.size > 30, `expected tsbpf's error classes, found ${checked.size}`);
  assert.deepEqual(offenders, [], "error classes that do not extend TsbpfError");
});

test("the check finds an error class outside TsbpfError", () => {
  class StrayError extends Error {}
  class Refusal extends RangeError {}
  const syscallError = (): Error => new StrayError();
  class KnownError extends TsbpfError {}
  const exports = { StrayError, Refusal, KnownError, TsbpfError, syscallError };
  assert.deepEqual(outsideTsbpfError(exports), ["StrayError", "Refusal"]);
});
