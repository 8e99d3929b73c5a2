// A tool's kernel program, compiled ahead of time: `npm run build` turns `src/tools/T/X.bpf.ts`
// into `dist/src/tools/T/X.bpf.json` (scripts/build-kernel.ts), which sits next to the tool's
// compiled JavaScript. Loading it needs no TypeScript compiler, which keeps start-up fast.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KernelObject, type KernelObjectOptions } from "../../loader/kernel-object.js";
import type { Artifact } from "../../compiler/artifact.js";
import { TsbpfError } from "../../errors.js";

/**
 * Reads the prebuilt artifact `name` (e.g. "capture.bpf.json") that lives next to the module at
 * `moduleUrl` (pass `import.meta.url`).
 */
export function toolArtifact(moduleUrl: string, name: string): Artifact {
  const path = fileURLToPath(new URL(name, moduleUrl));
  if (!existsSync(path)) throw new TsbpfError(`the compiled kernel program ${path} is missing: run "npm run build"`);
  return KernelObject.readArtifact(path);
}

/** Creates the maps and loads the programs of a tool's prebuilt kernel program. */
export function loadToolObject<M>(moduleUrl: string, name: string, options: KernelObjectOptions = {}): KernelObject<M> {
  return KernelObject.load<M>(toolArtifact(moduleUrl, name), options);
}
