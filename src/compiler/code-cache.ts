// V8's compiled code for the TypeScript compiler, kept between runs. Node 22 does this itself
// (module.enableCompileCache); on Node 20 the 9 MB compiler would be parsed and its checker
// compiled again by every `tsbpf compile`, which is most of a small compile's time. The cache is
// taken after the first compilation, so it holds the functions a compile runs, not only the
// top level. It lives in a directory of the user's own (mode 0700) under the temporary directory,
// named for the V8 and TypeScript versions; anything wrong with it only means a slower start.
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";
import { cachedDataVersionTag } from "node:v8";

/** The user's own cache directory under the temporary directory, or undefined when it is not safe to use. */
export function cacheDirectory(): string | undefined {
  const uid = process.getuid?.() ?? -1;
  if (uid < 0) return undefined;
  const dir = join(tmpdir(), `tsbpf-code-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    /* exists, or cannot be made: checked below */
  }
  try {
    const st = lstatSync(dir);
    // Code from a directory another user can write would be code that user chose.
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** A CommonJS file run from V8's cached code (when there was valid code), and how to store its code. */
export interface CachedRun {
  exports: unknown;
  /** Stores the code compiled so far (the functions run by then, not only the top level), once; only when no valid code was found. */
  store(): void;
}

/**
 * Runs the CommonJS file `path` (its source `source`) compiled with V8's cached code kept under
 * `key`, a name that must change whenever the source does (V8 checks little more than its length).
 * `supersedes` names the cache files that storing this one makes obsolete (those of earlier
 * builds of the same file), removed when it is stored so that upgrades do not pile them up.
 */
export function runWithCodeCache(
  path: string,
  source: string,
  key: string,
  supersedes?: (fileName: string) => boolean,
): CachedRun {
  const dir = cacheDirectory();
  const file = dir ? join(dir, `${key.replace(/[^\w.-]/g, "_")}-${cachedDataVersionTag()}.v8`) : undefined;
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = readFileSync(file);
    } catch {
      /* first run */
    }
  }
  const script = new Script(Module.wrap(source), { filename: path, cachedData });
  let stored = !file || (cachedData !== undefined && script.cachedDataRejected !== true);
  const exports = {};
  const module = { exports, id: path, filename: path, loaded: false };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(exports, exports, createRequire(path), module, path, dirname(path));
  return {
    exports: module.exports,
    store() {
      if (stored) return;
      stored = true;
      writeCache(file!, script.createCachedData());
      if (supersedes) removeSuperseded(dir!, basename(file!), supersedes);
    },
  };
}

function writeCache(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}`;
  try {
    const fd = openSync(temporary, "wx", 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch {
    /* an optimisation only */
  }
}

function removeSuperseded(dir: string, kept: string, supersedes: (fileName: string) => boolean): void {
  try {
    for (const name of readdirSync(dir))
      if (name !== kept && name.endsWith(".v8") && supersedes(name)) unlinkSync(join(dir, name));
  } catch {
    /* another process removed it first, or the directory cannot be read: nothing is lost */
  }
}

const loaded = new Map<string, CachedRun>();

/** require(specifier) from `from`, compiled with V8's cached code for it when there is any. */
export function requireWithCodeCache(specifier: string, from: string): unknown {
  const require = createRequire(from);
  const path = require.resolve(specifier);
  let source: string;
  let version = "";
  try {
    source = readFileSync(path, "utf8");
    version = String(
      (JSON.parse(readFileSync(join(dirname(path), "..", "package.json"), "utf8")) as { version?: string }).version,
    );
  } catch {
    return require(specifier);
  }
  // another version's cache (the key's version part differs) is superseded by this one
  const prefix = `${specifier.replace(/[^\w.-]/g, "_")}-`;
  const ofOtherVersion = (name: string): boolean =>
    name.startsWith(prefix) && /^[^-]+-\d+\.v8$/.test(name.slice(prefix.length));
  const run = runWithCodeCache(path, source, `${specifier}-${version}`, ofOtherVersion);
  loaded.set(specifier, run);
  return run.exports;
}

/** Stores the code compiled so far for a module loaded by requireWithCodeCache, once. */
export function storeCodeCache(specifier: string): void {
  loaded.get(specifier)?.store();
}
