// Every import in src/ points down: the graph of relative imports has no cycle. Type-only imports
// count (they tie the modules' designs together even when erased); dynamic import() does not, since
// lazy loading on purpose is how the CLI reaches its commands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above the test");
    dir = up;
  }
  // Compiled tests live in dist/; the sources are beside dist, at the package root.
  return existsSync(join(dir, "src")) ? dir : dirname(dir);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

interface ImportStatement {
  /** The imported file (absolute). */
  target: string;
  /** `export … from`: passes names on rather than using them. */
  reexport: boolean;
}

/** The relative imports of a file: `import … from` / `export … from` / `import "…"`. */
function importStatements(file: string): ImportStatement[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const out: ImportStatement[] = [];
  for (const statement of source.statements) {
    const specifier =
      ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue;
    const target = resolve(dirname(file), specifier.text.replace(/\.js$/, ".ts"));
    out.push({
      target: existsSync(target) ? target : resolve(dirname(file), specifier.text, "index.ts"),
      reexport: ts.isExportDeclaration(statement),
    });
  }
  return out;
}

/** The relative modules a file imports. */
function relativeImports(file: string): string[] {
  return importStatements(file).map((statement) => statement.target);
}

/** Strongly connected components with more than one file (or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

const ROOT = repoRoot();

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    graph.set(
      relative(ROOT, file),
      relativeImports(file).map((target) => relative(ROOT, target)),
    );
  }
  return graph;
}

test("src/ has no import cycle", () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `expected the whole source tree, found ${graph.size} files`);
  const found = cycles(graph).map((component) => component.join(" ↔ "));
  assert.deepEqual(found, [], `import cycles in src/ (make every import point down):\n  ${found.join("\n  ")}`);
});

test("the cycle check finds a cycle when there is one", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["d.ts", ["a.ts"]],
    ["e.ts", ["e.ts"]],
  ]);
  assert.deepEqual(cycles(graph), [["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
});

// The layers of src/, lowest first: a module imports from its own folder and from folders of lower
// layers only, never from a sibling folder of its own layer or from above. A top-level file is a
// folder of its own (`errors` is src/errors.ts). A new folder gets a place here.
const LAYERS: readonly (readonly string[])[] = [
  ["errors", "uapi", "package-root"], // TsbpfError and Errno; the kernel's numbers; where the package's files are
  ["sys", "asm", "pcap", "cmdline", "init"], // syscalls; instructions; capture files; the command-line kit
  ["btf", "elf", "links"],
  ["maps", "object"], // map handles; clang-built objects read as data
  ["programs", "events", "kernel", "features", "introspect"],
  ["compiler", "filter"], // kernel TypeScript and tcpdump expressions to eBPF
  ["loader"], // objects and compiled kernel TypeScript loaded into the kernel
  ["vm", "tools"],
  ["cli"],
  ["index"], // src/index.ts, the package's main entry point
];

/** `maps` for src/maps/hash.ts, `errors` for src/errors.ts. */
function folderOf(file: string): string {
  const parts = relative(join(ROOT, "src"), file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, "") : parts[0]!;
}

/** The package's entry points (src/…/index.ts named in package.json `exports`). */
function entryPoints(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const out = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    const types = (target as { types?: string }).types;
    if (types) out.add(join(ROOT, types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts")));
  }
  return out;
}

/**
 * Imports that point sideways or up. An entry point's `export … from` is exempt: it assembles the
 * package's surface (`tsbpf/compiler` offers the loader's KernelObject) rather than depending on it.
 */
function layerViolations(
  files: readonly string[],
  importsOf: (file: string) => ImportStatement[],
  entries: ReadonlySet<string>,
): string[] {
  const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));
  const out: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    const fromLayer = layerOf.get(from);
    if (fromLayer === undefined) {
      out.push(`${relative(ROOT, file)}: src/${from} has no layer in LAYERS`);
      continue;
    }
    for (const { target, reexport } of importsOf(file)) {
      const to = folderOf(target);
      if (to === from || (reexport && entries.has(file))) continue;
      const toLayer = layerOf.get(to);
      if (toLayer === undefined || toLayer >= fromLayer) {
        out.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)} (${from} may not import ${to})`);
      }
    }
  }
  return out;
}

test("every import in src/ points to a lower layer", () => {
  const files = sourceFiles(join(ROOT, "src"));
  const found = layerViolations(files, importStatements, entryPoints());
  assert.deepEqual(found, [], `imports that point sideways or up (see LAYERS):\n  ${found.join("\n  ")}`);
});

test("nothing outside src/cli imports from src/cli", () => {
  const cli = join(ROOT, "src", "cli") + sep;
  const found = sourceFiles(join(ROOT, "src"))
    .filter((file) => !file.startsWith(cli))
    .flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(cli))
        .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
    );
  const list = found.join("\n  ");
  assert.deepEqual(found, [], `src/cli is the top: what others need from it belongs in src/cmdline:\n  ${list}`);
});

test("the layer check finds an import that points up or sideways", () => {
  const src = (path: string): string => join(ROOT, "src", ...path.split("/"));
  const imports = new Map<string, ImportStatement[]>([
    [
      src("maps/hash.ts"),
      [
        { target: src("sys/bpf.ts"), reexport: false },
        { target: src("programs/xdp.ts"), reexport: false },
      ],
    ],
    [src("links/link.ts"), [{ target: src("elf/symbols.ts"), reexport: false }]],
    [src("compiler/index.ts"), [{ target: src("loader/kernel-object.ts"), reexport: true }]],
    [src("compiler/lower.ts"), [{ target: src("loader/kernel-object.ts"), reexport: true }]],
  ]);
  const entries = new Set([src("compiler/index.ts")]);
  const found = layerViolations([...imports.keys()], (file) => imports.get(file)!, entries);
  assert.deepEqual(found, [
    "src/maps/hash.ts imports src/programs/xdp.ts (maps may not import programs)",
    "src/links/link.ts imports src/elf/symbols.ts (links may not import elf)",
    "src/compiler/lower.ts imports src/loader/kernel-object.ts (compiler may not import loader)",
  ]);
});
