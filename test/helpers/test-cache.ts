// Where tests keep what is slow to make and safe to reuse (an oracle's output, compiled C objects):
// inside the checkout, under node_modules/.cache/tsbpf, never in the system temp directory or a
// home directory, so nothing left outside the checkout by another run, user or checkout can turn
// a run red or green. `npm ci` empties node_modules, and with it this cache.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root (this file runs from dist/test/helpers). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The cache directory `name` (created), e.g. testCacheDir("tcpdump-expectations"). */
export function testCacheDir(name: string): string {
  const dir = join(ROOT, "node_modules", ".cache", "tsbpf", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `file` whole or not at all: a reader never sees a partial entry, even if this process dies mid-write. */
export function writeCacheEntry(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}
