// The C corpus of test/c, compiled at test time like CI does it: `clang -O2 -g -target bpf`
// against a vmlinux.h that bpftool dumps from the running kernel's BTF. Objects go to a build
// directory in the checkout's test cache (helpers/test-cache.ts), keyed by a hash of the sources,
// the kernel release, clang's and bpftool's versions and libbpf's headers, so a second test file
// (or run) reuses them. Needs clang, bpftool and libbpf-dev (for <bpf/bpf_helpers.h>): `npm test`
// installs them (scripts/test-setup.ts).
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testCacheDir } from "./test-cache.js";

const here = dirname(fileURLToPath(import.meta.url));
/** test/c in the source tree (this file runs from dist/test/helpers). */
export const CORPUS_SOURCE = join(here, "..", "..", "..", "test", "c");

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd} is not installed (${r.error.message}); install clang llvm bpftool libbpf-dev`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

let built: string | undefined;
/** Where libbpf-dev puts <bpf/bpf_helpers.h> and the other headers the corpus includes. */
const LIBBPF_HEADERS = "/usr/include/bpf";
/** bpf_tracing.h's name for the host architecture (PT_REGS layouts). */
const TARGET_ARCH = process.arch === "arm64" ? "arm64" : process.arch === "s390x" ? "s390" : "x86";

/** Compiles every test/c/*.bpf.c (once) and returns the directory holding NAME.bpf.o. */
export function corpusDir(): string {
  if (built) return built;
  const sources = readdirSync(CORPUS_SOURCE)
    .filter((f) => f.endsWith(".c") || f.endsWith(".h"))
    .sort();
  const hash = createHash("sha256");
  for (const f of sources) hash.update(f).update(readFileSync(join(CORPUS_SOURCE, f)));
  hash
    .update(release())
    .update(run("clang", ["--version"]))
    .update(run("bpftool", ["version"]));
  if (!existsSync(LIBBPF_HEADERS)) throw new Error(`${LIBBPF_HEADERS} is missing; install libbpf-dev`);
  for (const header of readdirSync(LIBBPF_HEADERS)
    .filter((f) => f.endsWith(".h"))
    .sort()) {
    hash.update(header).update(readFileSync(join(LIBBPF_HEADERS, header)));
  }
  const dir = join(testCacheDir("bpf-corpus"), hash.digest("hex").slice(0, 16));
  if (!existsSync(join(dir, ".done"))) {
    const work = `${dir}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(
      join(work, "vmlinux.h"),
      run("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"]),
    );
    for (const f of sources.filter((s) => s.endsWith(".bpf.c"))) {
      run("clang", [
        "-O2",
        "-g",
        "-target",
        "bpf",
        `-D__TARGET_ARCH_${TARGET_ARCH}`,
        `-I${work}`,
        `-I${CORPUS_SOURCE}`,
        "-c",
        join(CORPUS_SOURCE, f),
        "-o",
        join(work, f.replace(/\.c$/, ".o")),
      ]);
    }
    writeFileSync(join(work, ".done"), "");
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true });
    } // another process won the race
  }
  built = dir;
  return dir;
}

/** Path of a compiled corpus object, e.g. corpusObject("globals") → …/globals.bpf.o. */
export function corpusObject(name: string): string {
  return join(corpusDir(), `${name}.bpf.o`);
}

/** Names of every corpus object. */
export function corpusNames(): string[] {
  return readdirSync(CORPUS_SOURCE)
    .filter((f) => f.endsWith(".bpf.c"))
    .map((f) => f.replace(/\.bpf\.c$/, ""))
    .sort();
}

/** What bpftool (libbpf) made of an object: its programs' names, types, tags and sizes, and its maps. */
export interface BpftoolLoad {
  programs: Map<string, { type: string; tag: string; bytesXlated: number; mapIds: number[] }>;
  maps: Map<string, { type: string; keySize: number; valueSize: number; maxEntries: number; flags: number }>;
}

/** `bpftool prog run pinned PROG data_in FILE`: the program's return value. */
export function bpftoolRun(pinned: string, data: Uint8Array): number {
  const input = join(tmpdir(), `tsbpf-run-${process.pid}.bin`);
  writeFileSync(input, data);
  try {
    const out = run("bpftool", ["prog", "run", "pinned", pinned, "data_in", input, "repeat", "1"]);
    const m = /Return value: (\d+)/.exec(out);
    if (!m) throw new Error(`unexpected bpftool prog run output: ${out}`);
    return Number(m[1]);
  } finally {
    rmSync(input, { force: true });
  }
}

/** `bpftool map dump pinned MAP`: the value at key 0 as bytes (global data maps). */
export function bpftoolMapValue(pinned: string): Uint8Array {
  const j = JSON.parse(run("bpftool", ["-j", "map", "dump", "pinned", pinned])) as { value: string[] }[];
  return Uint8Array.from(j[0]!.value.map((x) => Number(x)));
}

/**
 * `bpftool prog loadall OBJ DIR pinmaps DIR/maps`, read back with `bpftool prog/map show pinned`,
 * then unpinned (the kernel objects go away with the pins), as are maps the object pins by name
 * under /sys/fs/bpf (`byName`). `during(dir)` runs while everything is pinned (programs at
 * DIR/NAME, maps at DIR/maps/NAME with dots as underscores). Throws with bpftool's output if it fails.
 */
export function bpftoolLoadall(
  object: string,
  during?: (dir: string) => void,
  byName: readonly string[] = [],
): BpftoolLoad {
  const dir = `/sys/fs/bpf/tsbpf_cmp_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const preexisting = byName.filter((n) => existsSync(`/sys/fs/bpf/${n}`));
  mkdirSync(dir);
  try {
    // libbpf will not pin a map that has a pin path of its own (pinning by name) under pinmaps:
    // then the maps are found through the programs' map ids instead.
    const pinMaps = byName.length === 0;
    const r = spawnSync("bpftool", ["prog", "loadall", object, dir, ...(pinMaps ? ["pinmaps", `${dir}/maps`] : [])], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`bpftool prog loadall ${object} failed:\n${r.stderr}`);
    const programs: BpftoolLoad["programs"] = new Map();
    for (const name of readdirSync(dir)) {
      if (name === "maps") continue;
      const j = JSON.parse(run("bpftool", ["-j", "prog", "show", "pinned", join(dir, name)])) as {
        type: string;
        tag: string;
        bytes_xlated: number;
        map_ids?: number[];
      };
      programs.set(name, { type: j.type, tag: j.tag, bytesXlated: j.bytes_xlated, mapIds: j.map_ids ?? [] });
    }
    const maps: BpftoolLoad["maps"] = new Map();
    const addMap = (j: {
      name: string;
      type: string;
      bytes_key: number;
      bytes_value: number;
      max_entries: number;
      flags: number;
    }): void => {
      maps.set(j.name.replace(/\./g, "_"), {
        type: j.type,
        keySize: j.bytes_key,
        valueSize: j.bytes_value,
        maxEntries: j.max_entries,
        flags: j.flags,
      });
    };
    if (!pinMaps) {
      for (const id of new Set([...programs.values()].flatMap((p) => p.mapIds)))
        addMap(JSON.parse(run("bpftool", ["-j", "map", "show", "id", String(id)])));
    }
    if (existsSync(`${dir}/maps`)) {
      for (const name of readdirSync(`${dir}/maps`)) {
        const j = JSON.parse(run("bpftool", ["-j", "map", "show", "pinned", join(dir, "maps", name)])) as {
          type: string;
          bytes_key: number;
          bytes_value: number;
          max_entries: number;
          flags: number;
        };
        maps.set(name, {
          type: j.type,
          keySize: j.bytes_key,
          valueSize: j.bytes_value,
          maxEntries: j.max_entries,
          flags: j.flags,
        });
      }
    }
    during?.(dir);
    return { programs, maps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const n of byName) if (!preexisting.includes(n)) rmSync(`/sys/fs/bpf/${n}`, { force: true });
  }
}
