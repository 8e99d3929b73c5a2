// Build step (`npm run build`): the CLI bundled by esbuild from tsc's output into one CommonJS file,
// dist/bin/cli.cjs, run by dist/bin/tsbpf.js (src/cli/bin.ts) from V8's code cache once a run has
// stored it. A tool so starts from two files instead of the ~150 modules Node would otherwise
// resolve, read and link one by one (or the dozens of chunks an ES module bundle split per command
// shares), and runs the top level of its own modules only. One file rather than one per command:
// those would repeat the shared code (loader, maps, programs, BTF) in each, a tarball 1.2 MB larger.
// koffi (a native addon), typescript (loaded only by `compile`) and yaml (only by `agent`) stay outside, resolved from
// node_modules; assets are found from the package root (src/package-root.ts), not next to modules.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Dynamic imports of packages or builtins loaded on demand (they stay outside the bundle) made into
 * require(): the bundle runs as a vm.Script, which has no loader for import().
 */
function importsAsRequire(): Plugin {
  return {
    name: "imports-as-require",
    setup(b) {
      b.onResolve({ filter: /^(node:|yaml$|typescript$|koffi$|esbuild$)/ }, (args) =>
        args.kind === "dynamic-import" ? { path: args.path, namespace: "require" } : undefined,
      );
      b.onResolve({ filter: /.*/, namespace: "require" }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: "require" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
    },
  };
}

export async function bundleCli(dist = DIST): Promise<void> {
  const outdir = join(dist, "bin");
  rmSync(outdir, { recursive: true, force: true });
  const cli = join(dist, "src", "cli");
  const common: BuildOptions = {
    bundle: true,
    // CommonJS, so that the bin can run it through vm.Script with V8's cached code (Node 20 has no such thing for ES modules).
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["koffi", "typescript", "esbuild", "yaml"],
    // Modules find the package's files from import.meta.url (src/package-root.ts): the bundle's own file.
    define: { "import.meta.url": "__bundle_url" },
    banner: { js: 'var __bundle_url=require("node:url").pathToFileURL(__filename).href;' },
    // Smaller to ship and to parse; identifiers are kept, so stack traces and error names read as in the source.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
    write: false,
  };
  // One file for every command: a command's modules are reached through main's import(), which esbuild
  // turns into a call that first runs those modules' top level, so a command runs only its own modules.
  const result = await build({
    ...common,
    stdin: {
      contents: 'export { runAsBin, main, COMMANDS, version } from "./main.js";',
      resolveDir: cli,
      sourcefile: "cli-bin.js",
    },
    outfile: join(outdir, "cli.cjs"),
    plugins: [importsAsRequire()],
  });
  const out = result.outputFiles![0]!;
  mkdirSync(outdir, { recursive: true });
  writeFileSync(out.path, out.contents);
  const { COMMANDS } = (await import(pathToFileURL(join(cli, "main.js")).href)) as {
    COMMANDS: { name: string; v8Flags?: string }[];
  };
  const bundle = {
    file: "cli.cjs",
    hash: createHash("sha256").update(out.contents).digest("hex").slice(0, 16),
    commands: COMMANDS.map((c) => c.name),
    // set by the bin before it compiles the bundle, so that the code cache it stores stays valid
    v8Flags: Object.fromEntries(COMMANDS.flatMap((c) => (c.v8Flags === undefined ? [] : [[c.name, c.v8Flags]]))),
  };
  // The bin is CommonJS too (this directory's package.json says so): Node then starts it without
  // setting up its ES module loader, some milliseconds of every start.
  writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  await build({
    ...common,
    write: true,
    entryPoints: { tsbpf: join(cli, "bin.js") },
    outdir,
    define: { ...common.define, TSBPF_BUNDLE: JSON.stringify(bundle) },
  });
  chmodSync(join(outdir, "tsbpf.js"), 0o755);
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
