// CO-RE relocations of a tool's prebuilt kernel program, resolved once per boot.
//
// A kernel struct field read by name (`task.real_parent.tgid`) is compiled with a CO-RE
// relocation, which KernelObject.load resolves against the running kernel's BTF. That means
// reading /sys/kernel/btf/vmlinux (about 5 MB through sysfs: 100-300 ms on a busy small VM) at
// every start — the largest part of a tracing tool's start-up. The kernel cannot change without
// a reboot, so the resolved instructions are kept in /run (root's tmpfs, emptied at boot) under
// a key made of the artifact's programs, the kernel release and the boot id; the next start loads
// the relocated instructions directly and never reads the kernel's BTF.
//
// The cache is used only when it is safe: a directory and files owned by this user and writable
// by nobody else (otherwise a less privileged user could hand a root tool wrong offsets). Any
// problem (no /run, read-only, a foreign file) falls back to resolving at load, as without it.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import type { Artifact, ArtifactProgram } from "../../compiler/artifact.js";
import { Btf } from "../../btf/decoder.js";
import { kernelBtf } from "../../btf/vmlinux.js";
import { CandidateCache, TypeCache } from "../../object/core.js";
import { relocateCore } from "../../loader/kernel-object.js";

export const CORE_CACHE_DIR = "/run/tsbpf/core";

function safeOwner(st: { uid: number; mode: number }): boolean {
  return st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
}

function cacheKey(artifact: Artifact): string {
  const hash = createHash("sha256");
  hash.update(release());
  hash.update("\0");
  hash.update(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
  hash.update("\0");
  hash.update(artifact.coreBtf ?? "");
  for (const p of artifact.programs) hash.update(`\0${p.name}\0${p.insns}\0${JSON.stringify(p.core ?? [])}`);
  return hash.digest("hex").slice(0, 40);
}

/** The artifact with every program's CO-RE relocations applied (and removed), for this kernel. */
export function resolveCore(artifact: Artifact): Artifact {
  let candidates: CandidateCache | undefined;
  const core = (): CandidateCache => {
    if (!artifact.coreBtf) throw new Error("the artifact has CO-RE relocations but no coreBtf");
    return (candidates ??= new CandidateCache(
      new TypeCache(Btf.parse(Buffer.from(artifact.coreBtf, "base64"))),
      new TypeCache(kernelBtf()),
    ));
  };
  const programs: ArtifactProgram[] = artifact.programs.map((p) => {
    if (!p.core?.length) return p;
    const bytes = Buffer.from(p.insns, "base64");
    relocateCore(p, bytes, core);
    const { core: _resolved, ...rest } = p;
    return { ...rest, insns: bytes.toString("base64") };
  });
  return { ...artifact, programs };
}

/**
 * `artifact` with its CO-RE relocations resolved for the running kernel: from the per-boot cache
 * when there is a valid entry, otherwise resolved now (reading the kernel's BTF) and cached.
 * An artifact without CO-RE relocations is returned as it is.
 */
export function withResolvedCore(artifact: Artifact, dir = CORE_CACHE_DIR): Artifact {
  if (!artifact.programs.some((p) => p.core?.length)) return artifact;
  let path: string | undefined;
  try {
    path = join(dir, `${cacheKey(artifact)}.json`);
    const fd = openSync(path, "r");
    try {
      if (safeOwner(fstatSync(fd)) && safeOwner(statSync(dir))) {
        const cached = JSON.parse(readFileSync(fd, "utf8")) as Record<string, string>;
        const programs = artifact.programs.map((p) => {
          if (!p.core?.length) return p;
          const insns = cached[p.name];
          if (typeof insns !== "string") throw new Error("incomplete cache entry");
          const { core: _resolved, ...rest } = p;
          return { ...rest, insns };
        });
        return { ...artifact, programs };
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    /* no valid entry: resolve below */
  }
  const resolved = resolveCore(artifact);
  if (path) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (safeOwner(statSync(dir))) {
        const entry: Record<string, string> = {};
        artifact.programs.forEach((p, i) => {
          if (p.core?.length) entry[p.name] = resolved.programs[i]!.insns;
        });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
        renameSync(tmp, path);
      }
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
  return resolved;
}
