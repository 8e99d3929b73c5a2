/**
 * Kernel TypeScript: compile `.bpf.ts` modules to eBPF (compileFile), load the result
 * (KernelObject), write ELF objects (writeElf). See docs/kernel-typescript.md.
 *
 * @module tsbpf/compiler
 */

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isArtifact, type Artifact } from "./artifact.js";

export { compileFile, compileModule, compileWith, type CompileOptions, type CompiledModule } from "./compile.js";
export {
  CPU_OPTIONS,
  parseCpuOption,
  resolveCpu,
  type CpuOption,
  type CpuTarget,
  type CpuVersion,
} from "./target.js";
export { CompileError, formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export {
  KernelObject,
  LogReader,
  codecOf,
  formatLog,
  type KernelObjectOptions,
  type LogRecord,
  type UserMap,
  type UserProgram,
} from "../loader/kernel-object.js";
export { ARTIFACT_VERSION, isArtifact, type Artifact, type ArtifactMap, type ArtifactProgram } from "./artifact.js";
export { loadTypeScript } from "./host.js";

/** Where the ahead-of-time artifact of a kernel source lives: `x.bpf.ts` → `x.bpf.json`. */
export function artifactPath(source: string): string {
  return source.replace(/\.ts$/, "") + ".json";
}

/**
 * The artifact of a kernel source: the prebuilt `.bpf.json` next to it when it is newer than the
 * source (no TypeScript compiler loaded), otherwise compiled now (and written next to the source
 * when `cache` is set).
 */
export async function artifactFor(source: string, options: { cache?: boolean } = {}): Promise<Artifact> {
  const prebuilt = artifactPath(source);
  if (existsSync(prebuilt) && (!existsSync(source) || statSync(prebuilt).mtimeMs >= statSync(source).mtimeMs)) {
    const value: unknown = JSON.parse(readFileSync(prebuilt, "utf8"));
    if (isArtifact(value)) return value;
  }
  const { compileFile } = await import("./compile.js");
  const artifact = await compileFile(source);
  if (options.cache) writeFileSync(prebuilt, JSON.stringify(artifact));
  return artifact;
}
