// Build step (`npm run build`): the CLI as one bundle (dist/bin/tsbpf.js) with a chunk per command,
// made by esbuild from tsc's output (the entry's #! line is kept). A tool then starts from a few files instead of the ~150 modules
// Node would otherwise resolve, read and link one by one (most of a tool's start-up after Node's own).
// koffi (a native addon), typescript (loaded only by `compile`) and yaml (only by `agent`) stay outside, resolved from
// node_modules; assets are found from the package root (src/package-root.ts), not next to modules.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function bundleCli(dist = DIST): Promise<void> {
  const outdir = join(dist, "bin");
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { tsbpf: join(dist, "src", "cli", "main.js") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["koffi", "typescript", "esbuild", "yaml"],
    chunkNames: "chunks/[name]-[hash]",
    // Smaller to ship and to parse; identifiers are kept, so stack traces and error names read as in the source.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
  });
  // The compiler snapshot's entry (src/compiler/snapshot.ts): one CommonJS script, as `node --build-snapshot` takes.
  await build({
    entryPoints: [join(dist, "src", "compiler", "snapshot-entry.js")],
    outfile: join(outdir, "compiler-snapshot.cjs"),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["typescript"],
    minifyWhitespace: true,
    minifySyntax: true,
    // import.meta is read only by code the snapshot does not run (loading TypeScript the usual way).
    logOverride: { "empty-import-meta": "silent" },
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
