// Where the package's own files are. Modules do not find them relative to themselves: the CLI is
// also shipped bundled (dist/bin), where every module shares one file's location. The package root
// is the nearest directory upwards holding a package.json; the compiled output (dist, or whatever
// the build wrote to) is the directory directly under it that this module sits in.
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

function findRoots(): { packageRoot: string; outputRoot: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      const first = relative(dir, here).split(sep)[0] ?? "";
      return { packageRoot: dir, outputRoot: join(dir, first) };
    }
    if (dirname(dir) === dir) return { packageRoot: here, outputRoot: here };
  }
}

let roots: { packageRoot: string; outputRoot: string } | undefined;

/** A file of the package (package.json, templates/…), by its path from the package root. */
export function packagePath(...parts: string[]): string {
  roots ??= findRoots();
  return join(roots.packageRoot, ...parts);
}

/** A file of the compiled output (src/tools/…), by its path from the output root (dist). */
export function outputPath(...parts: string[]): string {
  roots ??= findRoots();
  return join(roots.outputRoot, ...parts);
}
