// A tool's kernel program, compiled ahead of time: `npm run build` turns `src/tools/T/X.bpf.ts`
// into `dist/src/tools/T/X.bpf.json` (scripts/build-kernel.ts), beside the tool's compiled
// JavaScript; the bundled CLI finds it there too. Loading it needs no TypeScript compiler.
import { existsSync } from "node:fs";
import { outputPath } from "../../package-root.js";
import { KernelObject, type KernelObjectOptions } from "../../loader/kernel-object.js";
import type { Artifact } from "../../compiler/artifact.js";
import { TsbpfError } from "../../errors.js";

/** Reads a tool's prebuilt artifact by its path under src/tools (e.g. "dump/capture.bpf.json"). */
export function toolArtifact(name: string): Artifact {
  const path = outputPath("src", "tools", name);
  if (!existsSync(path)) throw new TsbpfError(`the compiled kernel program ${path} is missing: run "npm run build"`);
  return KernelObject.readArtifact(path);
}

/** Creates the maps and loads the programs of a tool's prebuilt kernel program. */
export function loadToolObject<M>(name: string, options: KernelObjectOptions = {}): KernelObject<M> {
  return KernelObject.load<M>(toolArtifact(name), options);
}
