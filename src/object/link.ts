// Linking: each entry program's final instructions, the way libbpf builds them.
//   1. CO-RE relocations are applied to the code of each section, against the target BTF.
//   2. For each program, every BPF function it calls (transitively) is appended after it, in the
//      order the calls are first met, and the calls are re-aimed at the copies. A subprogram is
//      therefore duplicated into every program that uses it.
//   3. Map, global data and extern references are resolved; map file descriptors are left for
//      the loader (mapReferences says where they go).
// func_info and line_info follow the code: each copy gets its records, shifted.
// Pure: no system calls. The target BTF and kernel symbol addresses are passed in.
import type { Btf } from "../btf/decoder.js";
import { BtfError, BtfKind } from "../btf/kinds.js";
import type { FuncInfo, LineInfo } from "./btf-ext.js";
import {
  CandidateCache,
  POISON_HELPER_ID,
  TypeCache,
  patchInstruction,
  resolveCoreRelo,
  typesAreCompat,
  type CoreResult,
} from "./core.js";
import { CoreRelocationError, ExternError, ObjectBtfError, RelocationError } from "./errors.js";
import type { BpfObjectFile, CodeRelocation, ExternDefinition, ProgramDefinition } from "./object.js";

const INSN = 8;
const CALL = 0x85;
const LDDW = 0x18;
const PSEUDO_MAP_FD = 1;
const PSEUDO_MAP_VALUE = 2;
const PSEUDO_BTF_ID = 3;
const PSEUDO_FUNC = 4;
const PSEUDO_CALL = 1;
const PSEUDO_KFUNC_CALL = 2;
/** Unresolved weak kfunc calls become calls to this helper id plus the extern's index (libbpf's value). */
export const POISON_KFUNC_BASE = 2002000000;

export interface LinkOptions {
  /** The kernel's BTF, for CO-RE relocations, __ksym variables and kfuncs (required when the object has them). */
  targetBtf?: Btf;
  /** Address of a kernel symbol (for typeless __ksym externs), e.g. from /proc/kallsyms. */
  kernelSymbolAddress?: (name: string) => bigint | undefined;
  /** Only these entry programs (default: all). */
  programs?: readonly string[];
}

/** An instruction that must receive a map's file descriptor in its immediate. */
export interface MapReference {
  insn: number;
  map: number;
}

/** A poisoned instruction: the verifier fails there if it is reachable. */
export interface PoisonedInstruction {
  insn: number;
  error: CoreRelocationError;
}

/** A source line, for verifier errors. */
export interface LinkedLine {
  insnOffset: number;
  file: string;
  line: number;
  column: number;
  text: string;
}

export interface LinkedProgram {
  definition: ProgramDefinition;
  /** Final instructions (map fds still to fill in at mapReferences). */
  insns: Uint8Array;
  mapReferences: MapReference[];
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  /** line_info decoded (file and source text), for error messages. */
  lines: LinkedLine[];
  /** The functions in the program (the entry first, then appended subprograms). */
  functions: { name: string; insnOffset: number }[];
  poisoned: PoisonedInstruction[];
}

/** How each extern was resolved against the kernel. */
export interface ResolvedExtern {
  /** kfunc / typed ksym: BTF id in the target; typeless ksym: address. Unset when unresolved (weak). */
  btfId?: number;
  address?: bigint;
}

interface Chunk {
  def: ProgramDefinition;
  at: number;
}

function dataView(a: Uint8Array): DataView {
  return new DataView(a.buffer, a.byteOffset, a.byteLength);
}

/** Resolves __ksym externs against the target BTF (and kernel symbol addresses). */
export function resolveExterns(obj: BpfObjectFile, options: LinkOptions): ResolvedExtern[] {
  return obj.externs.map((ext) => {
    if (ext.kind !== "ksym") return {};
    const where = `extern "${ext.name}"`;
    if (!ext.isFunction && ext.typeId === 0) {
      const address = options.kernelSymbolAddress?.(ext.name);
      if (address === undefined && !ext.weak)
        throw new ExternError(
          `kernel symbol "${ext.name}" not found (typeless __ksym externs need /proc/kallsyms)`,
          where,
        );
      return { address };
    }
    const target = options.targetBtf;
    if (!target) throw new ExternError("typed __ksym externs and kfuncs need the kernel's BTF", where);
    try {
      const want = ext.isFunction ? BtfKind.FUNC : BtfKind.VAR;
      const id = target.findByName(ext.name, want)[0];
      if (id === undefined) {
        if (ext.weak) return {};
        throw new ExternError(
          `the kernel's BTF has no ${ext.isFunction ? "function" : "variable"} "${ext.name}"`,
          where,
        );
      }
      const local = new TypeCache(obj.btf!);
      const targ = new TypeCache(target);
      const targType = targ.get(id);
      const targTypeId = targType.kind === "func" || targType.kind === "var" ? targType.type : 0;
      const ok = typesAreCompat(local, ext.typeId, targ, targ.skip(targTypeId), 32);
      if (ok <= 0) {
        throw new ExternError(
          `the declared type ${obj.btf!.typeName(ext.typeId)} does not match the kernel's ${target.typeName(targTypeId)}`,
          where,
        );
      }
      return { btfId: id };
    } catch (e) {
      if (e instanceof BtfError) throw new ExternError(`BTF: ${e.what}`, where, { cause: e });
      throw e;
    }
  });
}

/** Links the object's entry programs (all, or options.programs). */
export function link(obj: BpfObjectFile, options: LinkOptions = {}): LinkedProgram[] {
  const selected = options.programs ? obj.programs.filter((p) => options.programs!.includes(p.name)) : obj.programs;
  for (const name of options.programs ?? []) {
    if (!obj.programs.some((p) => p.name === name))
      throw new RelocationError(`no entry program "${name}" in the object`, obj.file ?? obj.name);
  }
  const where = (s: string): string => (obj.file ? `${obj.file}: ${s}` : s);

  // Working copies of every code section.
  const code = new Map<number, Uint8Array>();
  const sectionsInUse = new Set<number>(selected.map((p) => p.sectionIndex));
  if (obj.textIndex) sectionsInUse.add(obj.textIndex);
  for (const idx of sectionsInUse) code.set(idx, new Uint8Array(obj.sectionCode(idx)));

  // 1. CO-RE, per section.
  const poisonedBySection = new Map<number, Map<number, CoreRelocationError>>();
  let local: TypeCache | undefined;
  let candidates: CandidateCache | undefined;
  for (const idx of sectionsInUse) {
    const section = obj.elf.sections[idx]!;
    const relos = obj.ext.get(section.name)?.coreRelos ?? [];
    if (relos.length === 0) continue;
    if (!options.targetBtf)
      throw new ObjectBtfError(
        "the object has CO-RE relocations: the kernel's BTF is needed to load it",
        where(`section "${section.name}"`),
      );
    local ??= new TypeCache(obj.btf!);
    candidates ??= new CandidateCache(local, new TypeCache(options.targetBtf));
    const insns = code.get(idx)!;
    const view = dataView(insns);
    const owners = idx === obj.textIndex ? obj.subprograms : selected;
    relos.forEach((relo, i) => {
      const w = where(`section "${section.name}", CO-RE relocation #${i} at instruction ${relo.insnOffset / INSN}`);
      if (relo.insnOffset % INSN !== 0 || relo.insnOffset + INSN > insns.length)
        throw new RelocationError(`instruction offset ${relo.insnOffset} is outside the section`, w);
      const insn = relo.insnOffset / INSN;
      // Only the code of programs being loaded is relocated (like libbpf).
      if (!owners.some((p) => p.sectionIndex === idx && insn >= p.start && insn < p.start + p.count)) return;
      let res: CoreResult;
      try {
        res = resolveCoreRelo(relo, local!, candidates!, w);
      } catch (e) {
        if (e instanceof BtfError) throw new ObjectBtfError(e.what, w, { cause: e });
        throw e;
      }
      if (patchInstruction(view, insn, res, w)) {
        let m = poisonedBySection.get(idx);
        if (!m) poisonedBySection.set(idx, (m = new Map()));
        m.set(
          insn,
          new CoreRelocationError(
            `failed to resolve CO-RE relocation ${res.description}: the kernel has no such ${res.field ? "field" : "type or value"}` +
              " (guard the access with bpf_core_field_exists() / bpf_core_type_exists() if it is optional)",
            w,
            res.description.match(/^<([a-z_]+)>/)?.[1] ?? "",
            res.typeName,
            res.field,
          ),
        );
      }
    });
  }

  // Function addresses are marked before calls are followed.
  for (const idx of sectionsInUse) {
    const insns = code.get(idx)!;
    for (const r of obj.relocations.get(idx) ?? []) {
      if (r.kind === "subprog_addr") insns[r.insn * INSN + 1] = (insns[r.insn * INSN + 1]! & 0x0f) | (PSEUDO_FUNC << 4);
    }
  }

  const resolved = resolveExterns(obj, options);
  const lineText = (off: number): string => {
    try {
      return obj.btf?.stringAt(off) ?? "";
    } catch {
      return "";
    }
  };

  return selected.map((main) => {
    const chunks: Chunk[] = [];
    const parts: Uint8Array[] = [];
    let length = 0;
    const relocs: { r: CodeRelocation; at: number }[] = [];
    const appended = new Map<ProgramDefinition, Chunk>();
    const append = (def: ProgramDefinition): Chunk => {
      const chunk = { def, at: length };
      const src = code.get(def.sectionIndex)!;
      parts.push(src.slice(def.start * INSN, (def.start + def.count) * INSN));
      length += def.count;
      chunks.push(chunk);
      appended.set(def, chunk);
      for (const r of obj.relocations.get(def.sectionIndex) ?? []) {
        if (r.insn >= def.start && r.insn < def.start + def.count)
          relocs.push({ r, at: chunk.at + r.insn - def.start });
      }
      return chunk;
    };
    const buffer = (): Uint8Array => {
      if (parts.length === 1) return parts[0]!;
      const all = new Uint8Array(length * INSN);
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      parts.length = 0;
      parts.push(all);
      return all;
    };

    const relocateCalls = (chunk: Chunk, depth: number): void => {
      if (depth > 256) throw new RelocationError("calls nested too deep (recursion?)", where(`program "${main.name}"`));
      const def = chunk.def;
      const sectionRelocs = obj.relocations.get(def.sectionIndex) ?? [];
      for (let i = 0; i < def.count; i++) {
        const insns = buffer();
        const at = (chunk.at + i) * INSN;
        const opcode = insns[at]!;
        const src = insns[at + 1]! >> 4;
        const isCall = opcode === CALL && src === PSEUDO_CALL;
        const isFunc = opcode === LDDW && src === PSEUDO_FUNC;
        if (!isCall && !isFunc) continue;
        const sectionInsn = def.start + i;
        const r = sectionRelocs.find((x) => x.insn === sectionInsn);
        const w = where(`program "${main.name}", function "${def.name}", instruction ${i}`);
        if (r?.kind === "extern_call") continue;
        if (r && r.kind !== "call" && r.kind !== "subprog_addr")
          throw new RelocationError(`unexpected ${r.kind} relocation on a call`, w);
        const imm = dataView(insns).getInt32(at + 4, true);
        let targetInsn: number;
        let targetSection = obj.textIndex;
        if (r?.kind === "call") targetInsn = r.symbolOffset / INSN + imm + 1;
        else if (r?.kind === "subprog_addr") targetInsn = (r.symbolOffset + imm) / INSN;
        else if (isFunc) throw new RelocationError("function address without a relocation", w);
        else {
          targetInsn = sectionInsn + imm + 1;
          targetSection = def.sectionIndex;
        }
        if (targetSection !== obj.textIndex || obj.textIndex === 0) {
          throw new RelocationError(
            `call to instruction ${targetInsn} of section "${obj.elf.sections[targetSection]?.name}": BPF functions must be in .text`,
            w,
          );
        }
        const sub = obj.subprograms.find((p) => targetInsn >= p.start && targetInsn < p.start + p.count);
        if (!sub) throw new RelocationError(`call to instruction ${targetInsn} of .text, where no function is`, w);
        if (sub.start !== targetInsn)
          throw new RelocationError(`call into the middle of function "${sub.name}" (instruction ${targetInsn})`, w);
        let subChunk = appended.get(sub);
        if (!subChunk) {
          subChunk = append(sub);
          relocateCalls(subChunk, depth + 1);
        }
        dataView(buffer()).setInt32(at + 4, subChunk.at - (chunk.at + i) - 1, true);
      }
    };

    relocateCalls(append(main), 0);
    const insns = new Uint8Array(buffer()); // own copy: the first part may alias a section copy
    const view = dataView(insns);
    const mapReferences: MapReference[] = [];
    const kconfigMap = obj.maps.findIndex((m) => m.origin === "kconfig");

    for (const { r, at } of relocs) {
      const p = at * INSN;
      const w = where(`program "${main.name}", instruction ${at} (relocation against "${r.symbol}")`);
      const setSrc = (s: number): void => {
        insns[p + 1] = (insns[p + 1]! & 0x0f) | (s << 4);
      };
      switch (r.kind) {
        case "map":
          setSrc(PSEUDO_MAP_FD);
          view.setInt32(p + 4, 0, true);
          mapReferences.push({ insn: at, map: r.map });
          break;
        case "data":
          view.setInt32(p + 12, view.getInt32(p + 4, true) + r.symbolOffset, true);
          setSrc(PSEUDO_MAP_VALUE);
          view.setInt32(p + 4, 0, true);
          mapReferences.push({ insn: at, map: r.map });
          break;
        case "extern_ld": {
          const ext: ExternDefinition = obj.externs[r.extern]!;
          if (ext.kind === "kconfig") {
            if (kconfigMap < 0) throw new RelocationError("no .kconfig map", w);
            setSrc(PSEUDO_MAP_VALUE);
            view.setInt32(p + 4, 0, true);
            view.setInt32(p + 12, ext.kconfig!.offset, true);
            mapReferences.push({ insn: at, map: kconfigMap });
          } else {
            const res = resolved[r.extern]!;
            if (ext.typeId !== 0 && res.btfId !== undefined) {
              setSrc(PSEUDO_BTF_ID);
              view.setInt32(p + 4, res.btfId, true);
              view.setInt32(p + 12, 0, true);
            } else {
              const addr = res.address ?? 0n;
              setSrc(0);
              view.setUint32(p + 4, Number(addr & 0xffff_ffffn), true);
              view.setUint32(p + 12, Number((addr >> 32n) & 0xffff_ffffn), true);
            }
          }
          break;
        }
        case "extern_call": {
          const res = resolved[r.extern]!;
          if (res.btfId !== undefined) {
            setSrc(PSEUDO_KFUNC_CALL);
            view.setInt32(p + 4, res.btfId, true);
            view.setInt16(p + 2, 0, true);
          } else {
            insns[p] = CALL;
            insns[p + 1] = 0;
            view.setInt16(p + 2, 0, true);
            view.setInt32(p + 4, POISON_KFUNC_BASE + r.extern, true);
          }
          break;
        }
        case "subprog_addr":
          if (insns[p + 1]! >> 4 !== PSEUDO_FUNC) throw new RelocationError("bad function address relocation", w);
          break;
        case "call":
          break;
      }
    }

    // func_info / line_info, shifted with their code.
    const funcInfo: FuncInfo[] = [];
    const lineInfo: LineInfo[] = [];
    const poisoned: PoisonedInstruction[] = [];
    for (const chunk of chunks) {
      const ext = obj.ext.get(chunk.def.section);
      const inRange = (off: number): boolean =>
        off % INSN === 0 && off / INSN >= chunk.def.start && off / INSN < chunk.def.start + chunk.def.count;
      const shift = (off: number): number => off / INSN - chunk.def.start + chunk.at;
      for (const f of ext?.funcInfo ?? [])
        if (inRange(f.insnOffset)) funcInfo.push({ insnOffset: shift(f.insnOffset), typeId: f.typeId });
      for (const l of ext?.lineInfo ?? [])
        if (inRange(l.insnOffset)) lineInfo.push({ ...l, insnOffset: shift(l.insnOffset) });
      for (const [insn, error] of poisonedBySection.get(chunk.def.sectionIndex) ?? []) {
        if (insn >= chunk.def.start && insn < chunk.def.start + chunk.def.count)
          poisoned.push({ insn: insn - chunk.def.start + chunk.at, error });
      }
    }
    funcInfo.sort((a, b) => a.insnOffset - b.insnOffset);
    lineInfo.sort((a, b) => a.insnOffset - b.insnOffset);
    const lines = lineInfo.map((l) => ({
      insnOffset: l.insnOffset,
      file: lineText(l.fileNameOff),
      line: l.lineCol >>> 10,
      column: l.lineCol & 0x3ff,
      text: lineText(l.lineOff),
    }));
    return {
      definition: main,
      insns,
      mapReferences,
      funcInfo,
      lineInfo,
      lines,
      poisoned,
      functions: chunks.map((c) => ({ name: c.def.name, insnOffset: c.at })),
    };
  });
}

/** Whether a verifier failure at `insn` (or a log naming the poison helper) comes from a poisoned CO-RE relocation. */
export function poisonedAt(
  program: LinkedProgram,
  insn: number | undefined,
  log: string,
): PoisonedInstruction | undefined {
  if (insn !== undefined) {
    const hit = program.poisoned.find((p) => p.insn === insn);
    if (hit) return hit;
  }
  if (log.includes(`unknown#${POISON_HELPER_ID}`) && program.poisoned.length === 1) return program.poisoned[0];
  return undefined;
}
