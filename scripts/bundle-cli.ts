// Build step (`npm run build`): the CLI bundled by esbuild from tsc's output, one file per command.
// dist/bin/tsbpf.js (src/cli/bin.ts) runs dist/bin/commands/NAME.cjs for `tsbpf NAME …`: main and
// everything that command runs in one CommonJS file, compiled from V8's code cache once a run has
// stored it. So a tool starts from two files instead of the ~150 modules Node would otherwise
// resolve, read and link one by one, or the dozens of chunks a split bundle shares between commands.
// Help, --version and unknown commands run main.cjs (main alone; a command's file is loaded only to
// read its summary). A command's file holds main's code again and only its own command: `tsbpf help`
// is the one path that loads several.
// koffi (a native addon), typescript (loaded only by `compile`) and yaml (only by `agent`) stay outside, resolved from
// node_modules; assets are found from the package root (src/package-root.ts), not next to modules.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Each command's name and its module's file name (without .js), from main's own list. */
async function commandModules(dist: string): Promise<{ name: string; module: string }[]> {
  const main = (await import(pathToFileURL(join(dist, "src", "cli", "main.js")).href)) as {
    COMMANDS: readonly { name: string; load: () => unknown }[];
  };
  return main.COMMANDS.map((c) => {
    const m = /["']\.\/commands\/([\w-]+)\.js["']/.exec(c.load.toString());
    if (!m) throw new Error(`bundle-cli: cannot tell the module of command "${c.name}" from its load()`);
    return { name: c.name, module: m[1]! };
  });
}

/** Whether a compiled module (tsc's output) exports a default: a command module exports either that or its fields. */
function hasDefaultExport(file: string): boolean {
  return /^export default |\bas default\b/m.test(readFileSync(file, "utf8"));
}

/**
 * Dynamic imports that stay outside a command's file made into require(): the file runs as a
 * vm.Script, which has no loader for import(). These are main's import of every command but `keep`
 * (the other commands' own files, read by `tsbpf help`) and packages or builtins loaded on demand.
 */
function importsAsRequire(keep: string): Plugin {
  return {
    name: "imports-as-require",
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => {
        if (!args.importer.endsWith(join("cli", "main.js"))) return undefined; // the entry's own import
        const module = basename(args.path, ".js");
        return module === keep ? undefined : { path: `./${module}.cjs`, namespace: "require" };
      });
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
  const commands = await commandModules(dist);
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
  const entries = [
    { name: "", module: "main", contents: 'export { runAsBin, main, COMMANDS, version } from "./main.js";' },
    ...commands.map((c) => ({
      name: c.name,
      module: c.module,
      // The command's fields at the top of module.exports, as main reads a command module (also when
      // `tsbpf help` imports this file from another one), and the bin's start.
      contents: [
        hasDefaultExport(join(cli, "commands", `${c.module}.js`))
          ? `import command from "./commands/${c.module}.js";`
          : `import * as command from "./commands/${c.module}.js";`,
        "export const summary = command.summary, usage = command.usage, run = command.run;",
        'export { runAsBin } from "./main.js";',
      ].join("\n"),
    })),
  ];
  const files: Record<string, { file: string; hash: string }> = {};
  mkdirSync(join(outdir, "commands"), { recursive: true });
  await Promise.all(
    entries.map(async (e) => {
      const result = await build({
        ...common,
        stdin: { contents: e.contents, resolveDir: cli, sourcefile: `${e.module}-bin.js` },
        outfile: join(outdir, "commands", `${e.module}.cjs`),
        plugins: [importsAsRequire(e.module)],
      });
      const out = result.outputFiles![0]!;
      writeFileSync(out.path, out.contents);
      files[e.name] = {
        file: `${e.module}.cjs`,
        hash: createHash("sha256").update(out.contents).digest("hex").slice(0, 16),
      };
    }),
  );
  await build({
    entryPoints: { tsbpf: join(cli, "bin.js") },
    outdir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    define: { TSBPF_COMMAND_FILES: JSON.stringify(files) },
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
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
