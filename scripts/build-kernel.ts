// Build step (`npm run build`): compiles every tool's kernel TypeScript (`src/tools/**/*.bpf.ts`)
// and every example's (`examples/kernel/*.bpf.ts`) ahead of time into the artifact the tool or
// example loads (`dist/src/tools/**/*.bpf.json`, `dist/examples/kernel/*.bpf.json`), so their
// start-up never loads the TypeScript compiler. One compiler instance serves all sources.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTypeScript } from "../src/compiler/host.js";
import { compileWith } from "../src/compiler/compile.js";
import { CompileError, formatDiagnostic } from "../src/compiler/diagnostics.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The instruction set of the prebuilt artifacts: they ship in the package and load on the user's
 * kernel, not the build machine's, so they target v3 (Linux 5.1 and later) rather than probing.
 */
export const PREBUILT_CPU = "v3";

/** Every kernel source under src/tools, relative to the repository root. */
export function toolKernelSources(root = ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".bpf.ts")) found.push(path);
    }
  };
  walk(join("src", "tools"));
  return found.sort();
}

/** Every example kernel source (`examples/kernel/*.bpf.ts`), relative to the repository root. */
export function exampleKernelSources(root = ROOT): string[] {
  const dir = join("examples", "kernel");
  return readdirSync(join(root, dir))
    .filter((n) => n.endsWith(".bpf.ts"))
    .sort()
    .map((n) => join(dir, n));
}

/** `src/tools/x/y.bpf.ts` → `dist/src/tools/x/y.bpf.json` (and `examples/…` → `dist/examples/…`). */
export function toolArtifactPath(source: string, root = ROOT): string {
  return join(root, "dist", source.replace(/\.ts$/, ".json"));
}

async function main(): Promise<number> {
  const ts = await loadTypeScript();
  let failed = 0;
  for (const source of [...toolKernelSources(), ...exampleKernelSources()]) {
    try {
      const { artifact } = compileWith(ts, join(ROOT, source), { cpu: PREBUILT_CPU });
      const out = toolArtifactPath(source);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(artifact)}\n`);
    } catch (err) {
      failed++;
      if (err instanceof CompileError)
        for (const d of err.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      else process.stderr.write(`${relative(ROOT, source)}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main();
