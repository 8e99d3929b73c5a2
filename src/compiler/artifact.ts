// The compiled form of a kernel TypeScript module, as plain JSON: what user space needs to create
// the maps, fill global data, patch the instructions and load each program — without the
// TypeScript compiler. `tsbpf compile prog.bpf.ts -o prog.bpf.json` writes it; KernelObject loads
// it. (The ELF object, `-o prog.o`, carries the same content for libbpf/bpftool.)
import type { TypeDescriptor } from "../maps/codec.js";
import type { ProgramKind } from "./contexts.js";

export const ARTIFACT_VERSION = 1;

export interface ArtifactMap {
  name: string;
  /** BPF_MAP_TYPE_* name (hash, array, ringbuf …) and number. */
  mapType: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  key?: TypeDescriptor;
  value?: TypeDescriptor;
  pinning?: "byName";
  /** Inner map template (map-in-map). */
  inner?: string;
  extra?: number;
}

export interface ArtifactGlobalVar {
  name: string;
  offset: number;
  size: number;
  type: TypeDescriptor;
}

export interface ArtifactSection {
  /** .rodata, .data or .bss; created as a one-element array map of `size` bytes. */
  name: string;
  size: number;
  /** Initial bytes, base64 (zeros for .bss). */
  init: string;
  vars: ArtifactGlobalVar[];
}

export type ArtifactRelocation =
  | { slot: number; kind: "map"; map: string }
  | { slot: number; kind: "global"; section: string; offset: number };

export interface ArtifactProgram {
  name: string;
  kind: ProgramKind;
  /** Kernel program type number (BPF_PROG_TYPE_*). */
  progType: number;
  expectedAttachType?: number;
  /** Where it attaches: tracepoint category/name, tp_btf event, uprobe binary/symbol … */
  target: Record<string, unknown>;
  /** ELF section name (libbpf convention). */
  section: string;
  /** Instructions, base64, 8 bytes each (map fds still 0: patched at load through `relocations`). */
  insns: string;
  relocations: ArtifactRelocation[];
  functions: { name: string; insnOffset: number; argCount: number }[];
  lines: { insnOffset: number; file: string; line: number; column: number; text: string }[];
  /** Maps the program uses. */
  maps: string[];
  /** CO-RE relocations of kernel struct field reads (types in the artifact's `coreBtf`), resolved at load. */
  core?: { slot: number; kind: number; type: number; access: string }[];
}

/** A struct_ops variable: the kernel struct's bytes as compiled, its callbacks naming programs. */
export interface ArtifactStructOps {
  name: string;
  /** The kernel struct ("tcp_congestion_ops"). */
  struct: string;
  /** Registered through a bpf_link (section .struct_ops.link). */
  link: boolean;
  /** The struct's bytes (base64) with its data members set; laid out again for the running kernel at load. */
  data: string;
  members: { name: string; offset: number; size: number; isFunction: boolean; program?: string }[];
}

export interface ArtifactLogSite {
  id: number;
  level: number;
  /** Literal text around the arguments (args.length + 1 parts). */
  parts: string[];
  args: { kind: string; size: number; signed: boolean; offset: number }[];
  file: string;
  line: number;
}

export interface Artifact {
  tsbpf: typeof ARTIFACT_VERSION;
  source: string;
  license: string;
  /** The instruction set the programs were compiled for (clang's -mcpu); absent in older artifacts. */
  cpu?: "v1" | "v2" | "v3" | "v4";
  maps: ArtifactMap[];
  sections: ArtifactSection[];
  programs: ArtifactProgram[];
  /** struct_ops variables (structOps); absent when there are none. */
  structOps?: ArtifactStructOps[];
  logs: ArtifactLogSite[];
  /** Local BTF (base64) of the kernel types the programs read by field name: CO-RE relocation roots. */
  coreBtf?: string;
  /** How long compiling took, ms (informational). */
  compileMs?: number;
}

export function isArtifact(value: unknown): value is Artifact {
  return typeof value === "object" && value !== null && (value as { tsbpf?: unknown }).tsbpf === ARTIFACT_VERSION;
}

/** Decodes a program's instructions. */
export function programBytes(p: ArtifactProgram): Buffer {
  return Buffer.from(p.insns, "base64");
}
