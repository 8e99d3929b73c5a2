// The compiler's entry points: kernel TypeScript source → checked → IR → optimized → registers
// allocated → eBPF through the Assembler → an Artifact (in-process loading) or an ELF object.
import { resolve as resolvePath } from "node:path";
import { Assembler, decode, insnText, type AssembledProgram } from "../asm/index.js";
import { instructionIsa, type IsaVersion } from "../asm/isa.js";
import { CompileError, type Diagnostic } from "./diagnostics.js";
import {
  convertDiagnostics,
  createProgram,
  keepTypeScriptCompiled,
  loadTypeScript,
  type SourceOverride,
  type TypeScript,
} from "./host.js";
import { ModuleCompiler, type ProgramDecl } from "./module.js";
import { scanSubset } from "./subset.js";
import { initTables } from "./lower.js";
import { cleanupAfterAllocation, layout, optimize } from "./opt.js";
import { allocate } from "./regalloc.js";
import { emitFunction, type Relocation } from "./codegen.js";
import { expectedAttachType, PROG_TYPES, sectionName } from "./contexts.js";
import { describe } from "./ktypes.js";
import { ARTIFACT_VERSION, type Artifact, type ArtifactMap, type ArtifactProgram } from "./artifact.js";
import type { Block, CoreAccess, IrFunction } from "./ir.js";
import { CoreTypes } from "./core.js";
import type { Btf } from "../btf/decoder.js";
import { lowerForIsa } from "./isa-lowering.js";
import { resolveCpu, type CpuOption, type CpuTarget } from "./target.js";

export interface CompileOptions {
  /** Compile this text instead of reading the file (the file name still names it in errors). */
  source?: string;
  /** Keep the IR of every function (for tests and `--emit-ir`). */
  keepIr?: boolean;
  /**
   * The kernel BTF to compile against (default: this machine's /sys/kernel/btf/vmlinux). Field
   * offsets compiled in are this BTF's; CO-RE relocations move them to the running kernel's.
   */
  btf?: Btf;
  /**
   * The instruction set to target, as clang's -mcpu: "v1" … "v4", or "probe" (the default): the
   * highest the running kernel accepts, v3 when it cannot be asked. Below v4, signed division
   * and sign extension are emulated; below v3, 32-bit compares; below v2, "less than" jumps.
   */
  cpu?: CpuOption;
}

/** A function after optimization and register allocation, ready to emit anywhere. */
export interface PreparedFunction {
  ir: IrFunction;
  order: Block[];
  alloc: ReturnType<typeof allocate>;
  /** Functions it calls (directly or as a bpf_loop callback). */
  callees: string[];
}

export interface CompiledModule {
  artifact: Artifact;
  /** Prepared functions by name (program entries and subprograms). */
  functions: Map<string, PreparedFunction>;
  programs: ProgramDecl[];
  module: ModuleCompiler;
  /** The instruction set compiled for, and how it was chosen. */
  target: CpuTarget;
}

/** Compiles a kernel TypeScript file to an artifact. Throws CompileError with every diagnostic. */
export async function compileFile(fileName: string, options: CompileOptions = {}): Promise<Artifact> {
  return (await compileModule(fileName, options)).artifact;
}

export async function compileModule(fileName: string, options: CompileOptions = {}): Promise<CompiledModule> {
  const ts = await loadTypeScript();
  const compiled = compileWith(ts, fileName, options);
  keepTypeScriptCompiled();
  return compiled;
}

/** Synchronous compile once TypeScript is loaded (see loadTypeScript). */
export function compileWith(ts: TypeScript, fileName: string, options: CompileOptions = {}): CompiledModule {
  const started = performance.now();
  const target = resolveCpu(options.cpu);
  initTables(ts);
  const path = resolvePath(fileName);
  const override: SourceOverride | undefined =
    options.source === undefined ? undefined : { fileName: path, text: options.source };
  const program = createProgram(ts, path, override);
  const entry = program.getSourceFile(path);
  if (!entry) throw new CompileError([{ file: path, line: 0, column: 0, message: "cannot read the file" }]);

  // Type errors first: kernel code must be valid TypeScript.
  // tsbpf's own sources (the kernel declarations and what they import) are not the user's to fix.
  const userFiles = program
    .getSourceFiles()
    .filter(
      (f) =>
        !f.isDeclarationFile &&
        !/\/(src|dist\/src)\/(kernel|maps|sys|asm|btf)\//.test(f.fileName) &&
        !f.fileName.includes("/node_modules/"),
    );
  // Constructs outside the subset, found by syntax: all of them are reported in this run, and
  // TypeScript's errors that only follow from them (a for…of head) are left out.
  const subset = userFiles.map((f) => scanSubset(ts, f, f !== entry));
  const subsetDiagnostics = subset.flatMap((s) => s.diagnostics);
  const shadowed = subset.flatMap((s) => s.shadowed);
  const tsDiagnostics = userFiles
    .flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])
    .filter(
      (d) =>
        !shadowed.some(
          (r) => d.file?.fileName === r.file && d.start !== undefined && d.start >= r.start && d.start < r.end,
        ),
    );
  if (tsDiagnostics.length)
    throw new CompileError(ordered([...subsetDiagnostics, ...convertDiagnostics(ts, tsDiagnostics)]));

  const m = new ModuleCompiler(ts, program, program.getTypeChecker(), entry, options.btf);
  m.scan();
  if (m.programs.length === 0 && m.diagnostics.length === 0) {
    m.diagnostics.push({
      file: path,
      line: 1,
      column: 1,
      message: "no programs: export one with a marker, e.g. `export const count = xdp((ctx) => XDP_PASS)`",
    });
  }
  const mains = new Map<string, IrFunction>();
  for (const p of m.programs) {
    const f = m.lowerProgram(p);
    if (f) mains.set(p.name, f);
  }
  m.compilePending();
  if (m.diagnostics.length || subsetDiagnostics.length)
    throw new CompileError(ordered([...m.diagnostics, ...subsetDiagnostics]));

  checkRecursion([...mains.values(), ...m.compiled.values()]);
  const functions = new Map<string, PreparedFunction>();
  for (const f of [...mains.values(), ...m.compiled.values()]) functions.set(f.name, prepare(f, target.isa));

  const programs: ArtifactProgram[] = [];
  const coreAccesses: { program: string; slot: number; core: CoreAccess }[] = [];
  for (const p of m.programs) {
    const linked = linkProgram(p.name, functions, target.isa);
    const usedMaps = new Set<string>();
    for (const r of linked.relocations) if (r.kind === "map") usedMaps.add(r.map);
    for (const r of linked.relocations)
      if (r.kind === "core") coreAccesses.push({ program: p.name, slot: r.slot, core: r.core });
    programs.push({
      name: p.name,
      kind: p.kind,
      progType: PROG_TYPES[p.kind],
      // A struct_ops callback loads as its member's index (the loader finds it again in the running kernel).
      expectedAttachType: p.kind === "struct_ops" ? Number(p.target.memberIndex) : expectedAttachType(p.kind, p.target),
      target: p.target,
      section: sectionName(p.kind, p.target),
      insns: Buffer.from(linked.program.bytes).toString("base64"),
      relocations: linked.relocations
        .filter((r) => r.kind === "map" || r.kind === "global")
        .map((r) =>
          r.kind === "map"
            ? { slot: r.slot, kind: "map" as const, map: r.map }
            : {
                slot: r.slot,
                kind: "global" as const,
                section: (r as { section: string }).section,
                offset: (r as { offset: number }).offset,
              },
        ),
      functions: linked.program.functions.map((f) => ({
        name: f.name,
        insnOffset: f.insnOffset,
        argCount: functions.get(f.name)?.ir.argCount ?? 0,
      })),
      lines: linked.program.lines.map((l) => ({
        insnOffset: l.insnOffset,
        file: l.file,
        line: l.line,
        column: l.column,
        text: l.text,
      })),
      maps: [...usedMaps],
    });
  }

  const maps: ArtifactMap[] = [...m.maps.values()].map((x) => ({
    name: x.name,
    mapType: x.mapType,
    type: x.type,
    keySize: x.keySize,
    valueSize: x.valueSize,
    maxEntries: x.maxEntries,
    flags: x.flags,
    ...(x.key ? { key: describe(x.key) } : {}),
    ...(x.value ? { value: describe(x.value) } : {}),
    ...(x.pinning ? { pinning: x.pinning } : {}),
    ...(x.inner ? { inner: x.inner.name } : {}),
    ...(x.extra ? { extra: x.extra } : {}),
  }));
  const sections = [...m.sections.values()].map((s) => ({
    name: s.name,
    size: s.size,
    init: Buffer.from(s.init.subarray(0, s.size)).toString("base64"),
    vars: s.vars.map((v) => ({ name: v.name, offset: v.offset, size: v.t.size, type: describe(v.t) })),
  }));
  const core = CoreTypes.forArtifact(m.btf(), coreAccesses);
  if (core)
    for (const p of programs) {
      const list = core.records.get(p.name);
      if (list) p.core = list;
    }
  const artifact: Artifact = {
    tsbpf: ARTIFACT_VERSION,
    source: path,
    license: "GPL",
    cpu: target.cpu,
    maps,
    sections,
    programs,
    ...(m.structOps.length
      ? {
          structOps: m.structOps.map((so) => ({
            name: so.name,
            struct: so.struct,
            link: so.link,
            data: Buffer.from(so.data).toString("base64"),
            members: so.members.map((x) => ({ ...x })),
          })),
        }
      : {}),
    logs: m.logSites.map((l) => ({
      id: l.id,
      level: l.level,
      parts: l.parts,
      args: l.args,
      file: l.loc.file,
      line: l.loc.line,
    })),
    ...(core ? { coreBtf: core.blob.toString("base64") } : {}),
    compileMs: performance.now() - started,
  };
  return { artifact, functions, programs: m.programs, module: m, target };
}

/** Diagnostics in file and position order, each problem once (the first message at a position wins). */
function ordered(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = list.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}

/** eBPF has no recursion (the verifier rejects call cycles): report the cycle at its first call. */
function checkRecursion(fns: IrFunction[]): void {
  const byName = new Map(fns.map((f) => [f.name, f]));
  const calls = (f: IrFunction) =>
    f.blocks.flatMap((b) => b.instrs.flatMap((i) => (i.op === "callLocal" ? [{ fn: i.fn, loc: i.loc }] : [])));
  const state = new Map<string, 1 | 2>();
  const visit = (f: IrFunction, path: string[]): void => {
    state.set(f.name, 1);
    for (const c of calls(f)) {
      const g = byName.get(c.fn);
      if (!g) continue;
      if (state.get(g.name) === 1) {
        throw new CompileError([
          {
            file: c.loc?.file ?? "?",
            line: c.loc?.line ?? 0,
            column: c.loc?.column ?? 0,
            message: `recursion is not in the subset (${[...path, f.name, g.name].join(" → ")}): eBPF calls cannot form a cycle`,
          },
        ]);
      }
      if (!state.has(g.name)) visit(g, [...path, f.name]);
    }
    state.set(f.name, 2);
  };
  for (const f of fns) if (!state.has(f.name)) visit(f, []);
}

function prepare(ir: IrFunction, isa: IsaVersion): PreparedFunction {
  optimize(ir);
  lowerForIsa(ir, isa);
  let order = layout(ir);
  const alloc = allocate(ir, order);
  order = cleanupAfterAllocation(ir, order, alloc.regOf);
  if (alloc.frameSize > 512) {
    const loc = ir.loc;
    throw new CompileError([
      {
        file: loc?.file ?? "?",
        line: loc?.line ?? 0,
        column: loc?.column ?? 0,
        message: `function ${ir.name} needs ${alloc.frameSize} bytes of stack; eBPF allows 512 (use a per-CPU array map or ring buffer memory for big structs)`,
      },
    ]);
  }
  const callees = new Set<string>();
  for (const b of ir.blocks)
    for (const i of b.instrs) {
      if (i.op === "callLocal") callees.add(i.fn);
      if (i.op === "call" || i.op === "callLocal") for (const a of i.args) if ("func" in a) callees.add(a.func);
    }
  return { ir, order, alloc, callees: [...callees] };
}

/** The functions a program needs, entry first. */
export function reachable(entry: string, functions: Map<string, PreparedFunction>): string[] {
  const out: string[] = [];
  const visit = (name: string) => {
    if (out.includes(name)) return;
    out.push(name);
    for (const c of functions.get(name)?.callees ?? []) visit(c);
  };
  visit(entry);
  return out;
}

/** Places a program's entry and its subprograms in one instruction stream. */
export function linkProgram(
  entry: string,
  functions: Map<string, PreparedFunction>,
  isa: IsaVersion = 4,
): { program: AssembledProgram; relocations: Relocation[] } {
  const names = reachable(entry, functions);
  const a = new Assembler();
  const local = new Set(names);
  const relocations: Relocation[] = [];
  for (const name of names) {
    const f = functions.get(name);
    if (!f) throw new Error(`internal: function ${name} was not compiled`);
    relocations.push(...emitFunction(a, f.ir, f.order, f.alloc, { local, isa }));
  }
  const program = a.assemble();
  checkIsa(entry, program.bytes, isa);
  return { program, relocations };
}

/** Every instruction must exist in the target instruction set; one that does not is a compiler bug. */
export function checkIsa(name: string, bytes: Uint8Array, isa: IsaVersion): void {
  for (const insn of decode(bytes))
    if (instructionIsa(insn) > isa)
      throw new Error(
        `internal: ${name} has "${insnText(insn)}", an instruction of v${instructionIsa(insn)}, while compiling for v${isa}`,
      );
}
