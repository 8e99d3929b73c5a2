// Where the package's own files are. Modules do not find them relative to themselves: the CLI is
// also shipped bundled (dist/bin), where every module shares one file's location. The package root
// is the nearest directory upwards holding a package.json with a name; the compiled output (dist, or whatever
// the build wrote to) is the directory directly under it that this module sits in.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** A package.json that names a package: the bundled CLI's directory has one that only makes its files CommonJS. */
function isPackageRoot(dir: string): boolean {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return false;
  try {
    return typeof (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "string";
  } catch {
    return false;
  }
}

function findRoots(): { packageRoot: string; outputRoot: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) {
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
