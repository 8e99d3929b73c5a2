#!/usr/bin/env node
// The bundled bin (dist/bin/tsbpf.js, made by scripts/bundle-cli.ts): runs the CLI's one bundle,
// dist/bin/cli.cjs, compiled from V8's code cache (src/compiler/code-cache.ts) once a run of the same
// command has stored it: a cache per command, so each holds the functions its command runs. Node 20
// keeps no compiled code for modules itself; with the cache `tsbpf exec` starts with some 30 ms less CPU.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runWithCodeCache } from "../compiler/code-cache.js";

/** The bundle's file in dist/bin, a hash of it, the command names and their V8 flags. Set by the bundler. */
declare const TSBPF_BUNDLE: { file: string; hash: string; commands: string[]; v8Flags: Record<string, string> };

const { file, hash, commands, v8Flags } = TSBPF_BUNDLE;
// Help, --version and mistyped commands share one cache.
const command = commands.includes(process.argv[2] ?? "") ? process.argv[2]! : "main";
// Before anything is compiled: V8 rejects a code cache taken under other flags than its own.
if (v8Flags[command] !== undefined) setFlagsFromString(v8Flags[command]);
const path = join(dirname(fileURLToPath(import.meta.url)), file);
// A new build's cache replaces the command's caches of earlier builds (other hashes).
const ofThisCommand = (name: string): boolean => new RegExp(`^tsbpf-[0-9a-f]+-${command}-\\d+\\.v8$`).test(name);
const run = runWithCodeCache(path, readFileSync(path, "utf8"), `tsbpf-${hash}-${command}`, ofThisCommand);
// The cache holds what was compiled when it is taken: at the command's first output a tool has
// loaded and attached its programs (and a bench may kill it right after); otherwise at exit.
const write = process.stdout.write;
process.stdout.write = function (this: NodeJS.WriteStream, ...args: Parameters<typeof write>): boolean {
  process.stdout.write = write;
  run.store();
  return write.apply(this, args);
} as typeof write;
process.once("exit", run.store);
(run.exports as { runAsBin(): void }).runAsBin();
