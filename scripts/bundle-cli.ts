// Build step (`npm run build`): the CLI bundled by esbuild from tsc's output, one file per command.
// dist/bin/tsbpf.js is a launcher of a few lines that imports dist/bin/commands/NAME.js for
// `tsbpf NAME …`: main and everything that command runs in one file, so a tool starts from two files
// instead of the ~150 modules Node would otherwise resolve, read and link one by one, or the dozens of
// chunks a split bundle shares between commands. Help, --version and unknown commands run main.js
// (main alone; each command's file is loaded only to read its summary). A command's file holds
// main's code again and only its own command: `tsbpf help` is the one path that loads several.
// koffi (a native addon), typescript (loaded only by `compile`) and yaml (only by `agent`) stay outside, resolved from
// node_modules; assets are found from the package root (src/package-root.ts), not next to modules.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** Whether a compiled module (tsc's output) has a default export. */
function hasDefaultExport(file: string): boolean {
  return /^export default |\bas default\b/m.test(readFileSync(file, "utf8"));
}

/** Main's `import("./commands/X.js")` of every command but `keep`: the other commands' own files. */
function otherCommandsOutside(keep: string | undefined): Plugin {
  return {
    name: "other-commands-outside",
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => {
        if (!args.importer.endsWith(join("cli", "main.js"))) return undefined; // the entry's own import
        const module = basename(args.path, ".js");
        return module === keep ? undefined : { path: `./${module}.js`, external: true };
      });
    },
  };
}

export async function bundleCli(dist = DIST): Promise<void> {
  const outdir = join(dist, "bin");
  rmSync(outdir, { recursive: true, force: true });
  const commands = await commandModules(dist);
  const common: BuildOptions = {
    entryPoints: [join(dist, "src", "cli", "main.js")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["koffi", "typescript", "esbuild", "yaml"],
    // Smaller to ship and to parse; identifiers are kept, so stack traces and error names read as in the source.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
  };
  await Promise.all([
    build({ ...common, outfile: join(outdir, "commands", "main.js"), plugins: [otherCommandsOutside(undefined)] }),
    ...commands.map((c) =>
      build({
        ...common,
        // The command (for main's list, when another file loads this one) and the bin's start.
        entryPoints: undefined,
        stdin: {
          contents: [
            `export * from "./commands/${c.module}.js";`,
            hasDefaultExport(join(dist, "src", "cli", "commands", `${c.module}.js`))
              ? `export { default } from "./commands/${c.module}.js";`
              : "",
            'export { runAsBin } from "./main.js";',
          ].join("\n"),
          resolveDir: join(dist, "src", "cli"),
          sourcefile: `${c.module}-bin.js`,
        },
        outfile: join(outdir, "commands", `${c.module}.js`),
        plugins: [otherCommandsOutside(c.module)],
      }),
    ),
  ]);
  const files = Object.fromEntries(commands.map((c) => [c.name, c.module]));
  mkdirSync(outdir, { recursive: true });
  writeFileSync(
    join(outdir, "tsbpf.js"),
    [
      "#!/usr/bin/env node",
      "// The tsbpf command: runs the file of the command named (made by scripts/bundle-cli.ts).",
      `const files = ${JSON.stringify(files)};`,
      'const file = Object.hasOwn(files, process.argv[2]) ? files[process.argv[2]] : "main";',
      "(await import(`./commands/${file}.js`)).runAsBin();",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
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
