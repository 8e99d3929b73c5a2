#!/usr/bin/env node
// The bundled bin (dist/bin/tsbpf.js, made by scripts/bundle-cli.ts): runs the file of the command
// named, dist/bin/commands/NAME.cjs, which holds main and everything that command runs, compiled
// from V8's code cache (src/compiler/code-cache.ts) once a run has stored it. Node 20 keeps no
// compiled code for modules itself; for a tool, compiling its file is a tenth of its start-up.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runWithCodeCache } from "../compiler/code-cache.js";

/** Per command name: its file in dist/bin/commands and a hash of that file; "" is main alone (help, --version). Set by the bundler. */
declare const TSBPF_COMMAND_FILES: Record<string, { file: string; hash: string }>;

const files = TSBPF_COMMAND_FILES;
const command = process.argv[2];
const { file, hash } = files[command !== undefined && Object.hasOwn(files, command) ? command : ""]!;
const path = join(dirname(fileURLToPath(import.meta.url)), "commands", file);
const run = runWithCodeCache(path, readFileSync(path, "utf8"), `tsbpf-${file}-${hash}`);
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
