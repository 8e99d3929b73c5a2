// Loading exec.bpf.ts's prebuilt artifact with as few modules as possible, for start-up time.
//
// KernelObject.load (src/compiler/object.ts) loads any artifact, so it imports every program kind
// (XDP, TC and netlink, uprobes and ELF symbols, tp_btf…) and every map kind: about 30 modules
// this tool never uses, a fifth of its start-up on a small VM. The exec artifact needs only
// three maps of fixed kinds, a .rodata section and tracepoint programs, so this loader does
// exactly what KernelObject.load does for those (create the maps, fill and freeze .rodata, patch
// map fds into the instructions, apply CO-RE relocations — through the per-boot cache — and load
// each program with its func_info/line_info) and nothing else. test/tool-exec.test.ts checks
// that the programs it loads are the ones KernelObject.load makes (same instructions after
// relocation), and the tool's tests run on it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Artifact, ArtifactProgram } from "../../compiler/artifact.js";
import { createMap } from "../../maps/handle.js";
import { TracepointProgram } from "../../programs/tracepoint.js";
import { bpf, closeFd, Cmd, mapElemAttr, mapFreeze } from "../../sys/bpf.js";
import { NativeMemory } from "../../sys/libc.js";
import { TsbpfError } from "../../sys/errors.js";
import { MapFlags, MapType } from "../../uapi.js";
import { withResolvedCore } from "../common/core-cache.js";

const BPF_PSEUDO_MAP_FD = 1, BPF_PSEUDO_MAP_VALUE = 2;

export const EXEC_PROGRAMS = ["enterExecve", "enterExecveat", "execRename", "exitExec"] as const;
export type ExecProgramName = typeof EXEC_PROGRAMS[number];

/** The loaded exec object: its maps (by name) and programs; close() releases everything. */
export interface ExecPrograms extends Disposable {
  readonly artifact: Artifact;
  readonly maps: { readonly events: { fd: number }; readonly drops: { fd: number }; readonly scratch: { fd: number } };
  readonly programs: Readonly<Record<ExecProgramName, TracepointProgram>>;
  close(): void;
}

/** The exec artifact (dist/src/tools/exec/exec.bpf.json, written by `npm run build`). */
export function execArtifact(): Artifact {
  const path = fileURLToPath(new URL("exec.bpf.json", import.meta.url));
  let value: Artifact;
  try {
    value = JSON.parse(readFileSync(path, "utf8")) as Artifact;
  } catch (err) {
    throw new TsbpfError(`the compiled kernel program ${path} is missing or unreadable: run "npm run build" (${(err as Error).message})`);
  }
  if (value.tsbpf !== 1 || !Array.isArray(value.programs)) throw new TsbpfError(`${path} is not a tsbpf artifact`);
  return value;
}

class Fd { constructor(readonly fd: number) {} }

function patch(p: ArtifactProgram, maps: ReadonlyMap<string, Fd>, sections: ReadonlyMap<string, Fd>): Buffer {
  const bytes = Buffer.from(p.insns, "base64");
  for (const r of p.relocations) {
    const at = r.slot * 8;
    const regs = bytes[at + 1]! & 0x0f;
    if (r.kind === "map") {
      const m = maps.get(r.map);
      if (!m) throw new TsbpfError(`program ${p.name}: no map ${r.map}`);
      bytes[at + 1] = regs | (BPF_PSEUDO_MAP_FD << 4);
      bytes.writeInt32LE(m.fd, at + 4);
    } else {
      const s = sections.get(r.section);
      if (!s) throw new TsbpfError(`program ${p.name}: no section ${r.section}`);
      bytes[at + 1] = regs | (BPF_PSEUDO_MAP_VALUE << 4);
      bytes.writeInt32LE(s.fd, at + 4);
      bytes.writeUInt32LE(r.offset >>> 0, at + 12);
    }
  }
  return bytes;
}

/** Writes `value` as element 0 of an array map. */
function setElement0(fd: number, value: Uint8Array): void {
  const key = new NativeMemory(4);
  const val = new NativeMemory(Math.max(value.length, 1));
  try {
    key.bytes.fill(0);
    val.bytes.set(value);
    bpf(Cmd.MAP_UPDATE_ELEM, mapElemAttr(fd, key.address, val.address, 0), ".rodata");
  } finally { key.free(); val.free(); }
}

/**
 * Creates the maps and loads the programs of exec.bpf.ts, not attached. `constants` set .rodata
 * values by name (u32 constants only: the module has no others).
 */
export function loadExecPrograms(constants: Readonly<Record<string, number>> = {}): ExecPrograms {
  const artifact = withResolvedCore(execArtifact());
  const owned: number[] = [];
  const loaded: TracepointProgram[] = [];
  const release = (): void => {
    for (const p of loaded.splice(0).reverse()) { try { p.close(); } catch { /* keep releasing */ } }
    for (const fd of owned.splice(0).reverse()) { try { closeFd(fd); } catch { /* keep releasing */ } }
  };
  try {
    const maps = new Map<string, Fd>();
    for (const spec of artifact.maps) {
      if (spec.mapType !== "ringbuf" && spec.mapType !== "percpu_array") throw new TsbpfError(`exec loader: unexpected map kind ${spec.mapType} (${spec.name})`);
      const { fd } = createMap({ name: spec.name, type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags });
      owned.push(fd);
      maps.set(spec.name, new Fd(fd));
    }
    const sections = new Map<string, Fd>();
    for (const s of artifact.sections) {
      if (s.name !== ".rodata") throw new TsbpfError(`exec loader: unexpected section ${s.name}`);
      const size = Math.max(s.size, 1);
      const init = Buffer.alloc(size);
      Buffer.from(s.init, "base64").copy(init);
      for (const [name, value] of Object.entries(constants)) {
        const v = s.vars.find((x) => x.name === name);
        if (!v || v.size !== 4) throw new TsbpfError(`the exec module has no u32 constant ${name}`);
        init.writeUInt32LE(value >>> 0, v.offset);
      }
      const { fd } = createMap({ name: s.name, type: MapType.ARRAY, keySize: 4, valueSize: size, maxEntries: 1, flags: MapFlags.RDONLY_PROG });
      owned.push(fd);
      setElement0(fd, init);
      mapFreeze(fd);
      sections.set(s.name, new Fd(fd));
    }
    const programs: Partial<Record<ExecProgramName, TracepointProgram>> = {};
    for (const p of artifact.programs) {
      if (p.kind !== "tracepoint" || !(EXEC_PROGRAMS as readonly string[]).includes(p.name)) throw new TsbpfError(`exec loader: unexpected program ${p.name} (${p.kind})`);
      const bytes = patch(p, maps, sections);
      const used = [...p.maps.map((n) => maps.get(n)!), ...sections.values()];
      const prog = TracepointProgram.load({ name: p.name, code: { bytes, functions: p.functions, lines: p.lines }, maps: used });
      loaded.push(prog);
      programs[p.name as ExecProgramName] = prog;
    }
    for (const name of EXEC_PROGRAMS) if (!programs[name]) throw new TsbpfError(`the exec artifact has no program ${name}`);
    let closed = false;
    const close = (): void => { if (!closed) { closed = true; release(); } };
    return {
      artifact,
      maps: { events: maps.get("events")!, drops: maps.get("drops")!, scratch: maps.get("scratch")! },
      programs: programs as Record<ExecProgramName, TracepointProgram>,
      close,
      [Symbol.dispose]: close,
    };
  } catch (err) {
    release();
    throw err;
  }
}
