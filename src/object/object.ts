// The object model: an eBPF ELF object file parsed into programs, maps, global variables,
// externs and relocations, without a single system call (like aya-obj). The loader
// (src/loader) turns it into kernel objects; `link()` (link.ts) produces each program's final
// instructions against a target kernel's BTF.
import type { Btf } from "../btf/decoder.js";
import { Btf as BtfClass } from "../btf/decoder.js";
import { BtfError, BtfKind, type BtfType } from "../btf/kinds.js";
import { ProgType } from "../uapi.js";
import { parseBtfExt, type SectionExtInfo } from "./btf-ext.js";
import {
  SectionFlags,
  SectionType,
  SHN_LORESERVE,
  SHN_UNDEF,
  SymbolBind,
  SymbolType,
  SymbolVisibility,
} from "../elf/constants.js";
import { ElfFile, type ElfSection, type ElfSymbol } from "../elf/reader.js";
import { ElfError, MapDefinitionError, ObjectBtfError, ObjectError, RelocationError } from "./errors.js";
import { dataMap, parseBtfMaps, parseLegacyMaps, structOpsMap, type MapDefinition } from "./maps.js";
import { parseStructOps, type StructOpsDefinition } from "./struct-ops.js";
import { sectionDef, sectionTarget, type SectionDef, type SectionKind } from "./sections.js";

const INSN_SIZE = 8;
/** Larger global data sections cannot be a map value (the kernel caps values far lower). */
const MAX_DATA_SECTION = 1 << 28;
const BPF_JMP_CALL = 0x85;
const BPF_LDDW = 0x18;
const BPF_PSEUDO_CALL = 1;

/** A function of the object: an entry program (in a program section) or a subprogram (in .text). */
export interface ProgramDefinition {
  name: string;
  section: string;
  sectionIndex: number;
  /** First instruction, as an index into the section, and number of instructions. */
  start: number;
  count: number;
  /** Entry programs only: what the section name says (undefined for an unknown section name). */
  sectionDef?: SectionDef;
  kind?: SectionKind;
  type?: ProgType;
  expectedAttachType: number;
  sleepable: boolean;
  frags: boolean;
  /** The part of the section name after the first "/" (tracepoint, function, target …). */
  attachTarget?: string;
  /** A subprogram: in .text, appended to every program that calls it. */
  subprogram: boolean;
  /** A hidden global function in .text: verified as static (its BTF FUNC is made static). */
  markBtfStatic: boolean;
}

/** Relocations of code, recorded at parse time and applied by link(). */
export type CodeRelocation =
  | { kind: "call"; insn: number; symbolOffset: number; symbol: string }
  | { kind: "subprog_addr"; insn: number; symbolOffset: number; symbol: string }
  | { kind: "map"; insn: number; map: number; symbol: string }
  | { kind: "data"; insn: number; map: number; symbolOffset: number; symbol: string }
  | { kind: "extern_ld"; insn: number; extern: number; symbol: string }
  | { kind: "extern_call"; insn: number; extern: number; symbol: string };

export type KconfigType = "bool" | "tristate" | "char" | "int" | "char_array";

export interface ExternDefinition {
  name: string;
  /** .kconfig value or __ksym (kernel variable or function). */
  kind: "kconfig" | "ksym";
  weak: boolean;
  symbolIndex: number;
  /** The extern's VAR or FUNC in the object's BTF. */
  btfId: number;
  isFunction: boolean;
  /** ksym variables: the declared type with modifiers skipped (0 for `void`: typeless, by address). */
  typeId: number;
  /** .kconfig externs: where the value lives in the .kconfig map. */
  kconfig?: { offset: number; size: number; align: number; type: KconfigType; signed: boolean };
}

/** A global variable of a data section (from the section's DATASEC). */
export interface VariableDefinition {
  name: string;
  /** Name of the data map (the section name, e.g. ".rodata"). */
  map: string;
  offset: number;
  size: number;
  typeId: number;
  static: boolean;
}

export interface ParseOptions {
  /** The object's name (default: the file name up to its first dot, or "obj"). Prefixes global data map names. */
  name?: string;
  /** The file the bytes came from, named in errors. */
  file?: string;
}

/** Sections libbpf reads for global data. */
function dataOrigin(s: ElfSection): "rodata" | "data" | "bss" | undefined {
  if (s.type === SectionType.PROGBITS && s.size > 0 && !(s.flags & SectionFlags.EXECINSTR)) {
    if (s.name === ".data" || s.name.startsWith(".data.")) return "data";
    if (s.name === ".rodata" || s.name.startsWith(".rodata.")) return "rodata";
  }
  if (s.type === SectionType.NOBITS && (s.name === ".bss" || s.name.startsWith(".bss."))) return "bss";
  return undefined;
}

/** BTF alignment of a type (libbpf's rules: ints and enums by size up to 8, composites by members). */
function alignOf(btf: Btf, id: number, depth = 0): number {
  if (depth > 32) throw new BtfError(`type ${id}: nested too deep to compute its alignment`);
  const t = btf.typeById(btf.resolve(id));
  switch (t.kind) {
    case "int":
    case "enum":
    case "enum64":
    case "float":
      return Math.max(1, Math.min(t.size, 8));
    case "ptr":
      return 8;
    case "array":
      return alignOf(btf, t.type, depth + 1);
    case "struct":
    case "union": {
      let a = 1;
      for (const m of t.members) a = Math.max(a, alignOf(btf, m.type, depth + 1));
      return a;
    }
    default:
      throw new BtfError(`${t.kind} ${t.name} has no alignment`);
  }
}

function kconfigType(btf: Btf, id: number): { type: KconfigType; signed: boolean } | undefined {
  const t = btf.typeById(btf.resolve(id));
  switch (t.kind) {
    case "int":
      if (t.bool) return t.size === 1 ? { type: "bool", signed: false } : undefined;
      if (t.size === 1) return { type: "char", signed: t.signed };
      if (t.size < 1 || t.size > 8 || t.size & (t.size - 1)) return undefined;
      return { type: "int", signed: t.signed };
    case "enum":
    case "enum64":
      return t.name === "libbpf_tristate" && (t.kind === "enum64" || t.size === 4)
        ? { type: "tristate", signed: false }
        : undefined;
    case "array": {
      if (t.nelems === 0) return undefined;
      const elem = kconfigType(btf, t.type);
      return elem?.type === "char" ? { type: "char_array", signed: false } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * An eBPF object file, parsed. Programs, maps, variables and externs are plain data; global data
 * map contents (`map.data`) may be changed before loading — that is how `.rodata` constants are
 * set from user space.
 */
export class BpfObjectFile {
  /** Entry programs, ordered by section and offset (libbpf's order). */
  readonly programs: ProgramDefinition[] = [];
  /** Subprograms (functions in .text). */
  readonly subprograms: ProgramDefinition[] = [];
  readonly maps: MapDefinition[] = [];
  readonly variables: VariableDefinition[] = [];
  readonly externs: ExternDefinition[] = [];
  /** struct_ops variables (`.struct_ops`, `.struct_ops.link`); each is also a map of `maps`. */
  readonly structOps: StructOpsDefinition[] = [];
  /** Code relocations by ELF section index. */
  readonly relocations = new Map<number, CodeRelocation[]>();
  /** .BTF.ext records by section name. */
  readonly ext: Map<string, SectionExtInfo>;
  license = "";
  /** The `version` section (kernel version for old kprobe programs), 0 when absent. */
  kernelVersion = 0;
  readonly btf: Btf | undefined;
  /** The .BTF section as in the file (the loader fixes a copy up for the kernel). */
  readonly btfBytes: Uint8Array | undefined;
  /** Index of .text (0 when absent). */
  readonly textIndex: number;

  private constructor(
    readonly elf: ElfFile,
    readonly name: string,
    readonly file: string | undefined,
    btf: Btf | undefined,
    btfBytes: Uint8Array | undefined,
    ext: Map<string, SectionExtInfo>,
    textIndex: number,
  ) {
    this.btf = btf;
    this.btfBytes = btfBytes;
    this.ext = ext;
    this.textIndex = textIndex;
  }

  /** Parses an object file. Throws ObjectError subclasses (or BtfError-wrapping ObjectBtfError) for bad input. */
  static parse(bytes: Uint8Array, options: ParseOptions = {}): BpfObjectFile {
    const fileName = options.file;
    const elf = ElfFile.parse(bytes, fileName);
    const base = fileName ? fileName.split("/").pop()! : "";
    const name = options.name ?? (base.split(".")[0] || "obj");
    const where = (s: string): string => (fileName ? `${fileName}: ${s}` : s);

    // BTF and BTF.ext: parsed first, everything else reads them.
    const btfSection = elf.section(".BTF");
    let btf: Btf | undefined;
    let btfBytes: Uint8Array | undefined;
    if (btfSection) {
      if (btfSection.type !== SectionType.PROGBITS)
        throw new ObjectBtfError(`.BTF is not a PROGBITS section`, where(`section ".BTF"`));
      btfBytes = new Uint8Array(btfSection.data); // our own copy: the Btf keeps a reference to it
      try {
        btf = BtfClass.parse(btfBytes);
        btf.validate();
      } catch (e) {
        if (e instanceof BtfError)
          throw new ObjectBtfError(
            `BTF does not parse: ${e.what}`,
            where(`section ".BTF"${e.offset === undefined ? "" : ` byte ${e.offset}`}`),
            { cause: e },
          );
        throw e;
      }
    }
    let ext = new Map<string, SectionExtInfo>();
    const extSection = elf.section(".BTF.ext");
    if (extSection) {
      if (!btf) throw new ObjectBtfError(".BTF.ext without .BTF", where(`section ".BTF.ext"`));
      ext = parseBtfExt(extSection.data, btf, where(`section ".BTF.ext"`));
    }

    const text = elf.sections.find(
      (s) => s.name === ".text" && s.flags & SectionFlags.EXECINSTR && s.type === SectionType.PROGBITS && s.size > 0,
    );
    const obj = new BpfObjectFile(elf, name, fileName, btf, btfBytes, ext, text?.index ?? 0);
    obj.#collect(where);
    return obj;
  }

  #collect(where: (s: string) => string): void {
    const elf = this.elf;
    if (elf.symtabIndex === 0) throw new ElfError("no symbol table (a stripped object?)", where("section table"));
    let mapsSection: ElfSection | undefined;
    let legacyMapsSection: ElfSection | undefined;

    for (const s of elf.sections) {
      if (s.name === "license") {
        const end = s.data.indexOf(0);
        this.license = Buffer.from(s.data.buffer, s.data.byteOffset, end < 0 ? s.data.length : end).toString("utf8");
      } else if (s.name === "version") {
        if (s.size !== 4 || s.data.length !== 4)
          throw new ElfError(`the version section is ${s.size} bytes, expected 4`, where(`section "version"`));
        this.kernelVersion = new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, true);
      } else if (s.name === ".maps") {
        mapsSection = s;
      } else if (s.name === "maps") {
        legacyMapsSection = s;
      } else if (s.type === SectionType.PROGBITS && s.size > 0 && s.flags & SectionFlags.EXECINSTR) {
        this.#addPrograms(s, where);
      }
    }
    this.programs.sort((a, b) => a.sectionIndex - b.sectionIndex || a.start - b.start);

    // Maps: legacy, BTF-defined, then global data (libbpf's order).
    const symbolsIn = (index: number): ElfSymbol[] => elf.symbols.filter((s) => s.shndx === index);
    if (legacyMapsSection) {
      const syms = symbolsIn(legacyMapsSection.index).filter(
        (s) => s.bind === SymbolBind.GLOBAL && (s.type === SymbolType.OBJECT || s.type === SymbolType.NOTYPE),
      );
      this.maps.push(...parseLegacyMaps(legacyMapsSection.data, legacyMapsSection.index, syms));
    }
    if (mapsSection) {
      if (!this.btf)
        throw new MapDefinitionError(
          "BTF-defined maps need the object's BTF (compile with -g)",
          where(`section ".maps"`),
        );
      const offsets = new Map(
        symbolsIn(mapsSection.index)
          .filter((s) => s.name)
          .map((s) => [s.name, s.value] as const),
      );
      const { maps, valuesOffsets } = parseBtfMaps(this.btf, mapsSection.index, mapsSection.size, offsets);
      this.maps.push(...maps);
      this.#mapSlots(mapsSection, valuesOffsets, where);
    }
    for (const s of elf.sections) {
      const origin = dataOrigin(s);
      if (!origin) continue;
      const datasecId = this.btf?.findByName(s.name, BtfKind.DATASEC)[0] ?? 0;
      const variables = this.#variables(s, datasecId);
      this.variables.push(...variables);
      if (s.size > MAX_DATA_SECTION)
        throw new MapDefinitionError(
          `${s.size} bytes of global data is more than a map value can hold`,
          where(`section "${s.name}"`),
        );
      const data = origin === "bss" ? new Uint8Array(s.size) : new Uint8Array(s.data);
      this.maps.push(
        dataMap(
          this.name,
          s.name,
          s.index,
          origin,
          data,
          datasecId,
          variables.some((v) => !v.static),
        ),
      );
    }
    for (const def of parseStructOps(elf, this.btf, where)) {
      this.structOps.push(def);
      this.maps.push(structOpsMap(def));
    }
    this.#collectExterns(where);
    for (const rs of elf.relocationSections) {
      const target = elf.sections[rs.target]!;
      if (!(target.flags & SectionFlags.EXECINSTR) || target.type !== SectionType.PROGBITS) continue;
      this.relocations.set(
        target.index,
        rs.relocations.map((r) => this.#codeRelocation(target, r, where)),
      );
    }
  }

  #addPrograms(s: ElfSection, where: (s: string) => string): void {
    const isText = s.index === this.textIndex;
    if (s.size % INSN_SIZE !== 0)
      throw new ElfError(`code size ${s.size} is not a multiple of ${INSN_SIZE}`, where(`section "${s.name}"`));
    const def = isText ? undefined : sectionDef(s.name);
    const funcs = this.elf.symbols.filter((sym) => sym.shndx === s.index && sym.type === SymbolType.FUNC);
    for (const sym of funcs) {
      const w = where(`section "${s.name}", function "${sym.name}"`);
      if (sym.name === "") throw new ElfError("a function symbol has no name", w);
      if (sym.value % INSN_SIZE !== 0 || sym.size % INSN_SIZE !== 0 || sym.size === 0) {
        throw new ElfError(`function at byte ${sym.value}, size ${sym.size}: not whole instructions`, w);
      }
      if (sym.value + sym.size > s.size)
        throw new ElfError(`function [${sym.value}, +${sym.size}) runs past the section (${s.size} bytes)`, w);
      if (!isText && sym.bind === SymbolBind.LOCAL) {
        throw new ObjectError(`program "${sym.name}" is static; programs in a program section must be global`, w);
      }
      const hidden = sym.visibility === SymbolVisibility.HIDDEN || sym.visibility === SymbolVisibility.INTERNAL;
      const p: ProgramDefinition = {
        name: sym.name,
        section: s.name,
        sectionIndex: s.index,
        start: sym.value / INSN_SIZE,
        count: sym.size / INSN_SIZE,
        sectionDef: def,
        kind: def?.kind,
        type: def?.progType,
        expectedAttachType: def?.expectedAttachType ?? 0,
        sleepable: def?.sleepable ?? false,
        frags: def?.frags ?? false,
        attachTarget: sectionTarget(s.name),
        subprogram: isText,
        markBtfStatic: isText && hidden && sym.bind !== SymbolBind.LOCAL,
      };
      (isText ? this.subprograms : this.programs).push(p);
    }
    const list = isText ? this.subprograms : this.programs;
    const mine = list.filter((p) => p.sectionIndex === s.index).sort((a, b) => a.start - b.start);
    for (let i = 1; i < mine.length; i++) {
      if (mine[i]!.start < mine[i - 1]!.start + mine[i - 1]!.count) {
        throw new ElfError(
          `functions "${mine[i - 1]!.name}" and "${mine[i]!.name}" overlap`,
          where(`section "${s.name}"`),
        );
      }
    }
  }

  /** Slots of prog arrays and maps-in-maps from `.rel.maps`. */
  #mapSlots(mapsSection: ElfSection, valuesOffsets: ReadonlyMap<string, number>, where: (s: string) => string): void {
    const rs = this.elf.relocationSections.find((r) => r.target === mapsSection.index);
    if (!rs) return;
    rs.relocations.forEach((r, i) => {
      const sym = this.elf.symbols[r.symbol]!;
      const w = where(`.maps relocation #${i} (against "${sym.name}")`);
      const map = this.maps.find(
        (m) => m.origin === "btf" && m.offset <= r.offset && r.offset + 8 <= m.offset + this.#mapVarSize(m),
      );
      if (!map) throw new RelocationError(`no map definition holds offset ${r.offset}`, w);
      const valuesOffset = valuesOffsets.get(map.name);
      if (valuesOffset === undefined)
        throw new RelocationError(`map "${map.name}" has no "values" member to initialise`, w);
      const rel = r.offset - map.offset - valuesOffset;
      if (rel < 0 || rel % 8 !== 0)
        throw new RelocationError(`offset ${r.offset} is not a slot of "${map.name}".values`, w);
      const index = rel / 8;
      if (map.type === 12 || map.type === 13) {
        if (sym.shndx !== mapsSection.index) throw new RelocationError(`"${sym.name}" is not a BTF-defined map`, w);
        if (map.type === 13 && map.keySize !== 4)
          throw new RelocationError(`hash of maps "${map.name}" must have 4-byte keys to be initialised`, w);
        if (!this.maps.some((m) => m.origin === "btf" && m.name === sym.name))
          throw new RelocationError(`"${sym.name}" is not a map`, w);
      } else {
        const prog = this.programs.find((p) => p.name === sym.name);
        if (!prog || prog.sectionIndex !== sym.shndx || prog.start * INSN_SIZE !== sym.value)
          throw new RelocationError(`"${sym.name}" is not an entry-point program`, w);
      }
      if (map.maxEntries !== 0 && index >= map.maxEntries)
        throw new RelocationError(`slot ${index} is past max_entries ${map.maxEntries} of "${map.name}"`, w);
      map.slots.push({ index, target: sym.name });
    });
  }

  /** Bytes a map's variable occupies, initialiser included (its ELF symbol's size). */
  #mapVarSize(m: MapDefinition): number {
    const sym = this.elf.symbols.find((s) => s.shndx === m.sectionIndex && s.name === m.name);
    return sym?.size ?? 0;
  }

  /** Variables of a data section, with their offsets from the ELF symbols (clang leaves BTF's at 0). */
  #variables(s: ElfSection, datasecId: number): VariableDefinition[] {
    const btf = this.btf;
    if (!btf || datasecId === 0) return [];
    const out: VariableDefinition[] = [];
    try {
      const sec = btf.typeById(datasecId);
      if (sec.kind !== "datasec") return [];
      for (const vs of sec.vars) {
        const v = btf.typeById(vs.type);
        if (v.kind !== "var") continue;
        const sym = this.elf.symbols.find(
          (x) => x.shndx === s.index && x.name === v.name && x.type !== SymbolType.SECTION,
        );
        const hidden =
          sym !== undefined &&
          (sym.visibility === SymbolVisibility.HIDDEN || sym.visibility === SymbolVisibility.INTERNAL);
        const offset = sym?.value ?? vs.offset;
        const size = btf.sizeOf(v.type);
        if (offset + size > s.size)
          throw new ObjectBtfError(
            `variable "${v.name}" [${offset}, +${size}) lies outside its section (${s.size} bytes)`,
            `section "${s.name}"`,
          );
        out.push({ name: v.name, map: s.name, offset, size, typeId: v.type, static: v.linkage === 0 || hidden });
      }
    } catch (e) {
      if (e instanceof BtfError) throw new ObjectBtfError(e.what, `DATASEC of section "${s.name}"`, { cause: e });
      throw e;
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  #collectExterns(where: (s: string) => string): void {
    const btf = this.btf;
    const externs = this.elf.symbols.filter(
      (s) =>
        s.shndx === SHN_UNDEF &&
        s.type === SymbolType.NOTYPE &&
        (s.bind === SymbolBind.GLOBAL || s.bind === SymbolBind.WEAK) &&
        s.name !== "",
    );
    if (externs.length === 0) return;
    if (!btf)
      throw new ObjectBtfError(
        `extern "${externs[0]!.name}" needs the object's BTF (compile with -g)`,
        where("symbol table"),
      );
    const sections = new Map<number, string>();
    try {
      for (const t of btf.types()) {
        if (t.kind !== "datasec") continue;
        for (const v of t.vars) sections.set(v.type, t.name);
      }
      for (const sym of externs) {
        const w = where(`extern "${sym.name}"`);
        const candidates = btf
          .findByName(sym.name)
          .map((id) => btf.typeById(id))
          .filter(
            (t): t is Extract<BtfType, { kind: "var" | "func" }> =>
              (t.kind === "var" && t.linkage === 2) || (t.kind === "func" && t.linkage === 2),
          );
        const t = candidates[0];
        if (!t) throw new ObjectBtfError(`no BTF for the extern (an extern VAR or FUNC named "${sym.name}")`, w);
        const secName = sections.get(t.id);
        if (secName === undefined) throw new ObjectBtfError(`the extern is in no DATASEC`, w);
        const weak = sym.bind === SymbolBind.WEAK;
        if (secName === ".kconfig") {
          if (t.kind === "func") throw new ObjectError("functions cannot be .kconfig externs", w);
          const kt = kconfigType(btf, t.type);
          if (!kt) throw new ObjectError(`unsupported type ${btf.typeName(t.type)} for a .kconfig extern`, w);
          const size = btf.sizeOf(t.type);
          this.externs.push({
            name: sym.name,
            kind: "kconfig",
            weak,
            symbolIndex: sym.index,
            btfId: t.id,
            isFunction: false,
            typeId: t.type,
            kconfig: { offset: 0, size, align: alignOf(btf, t.type), type: kt.type, signed: kt.signed },
          });
        } else if (secName === ".ksyms") {
          this.externs.push({
            name: sym.name,
            kind: "ksym",
            weak,
            symbolIndex: sym.index,
            btfId: t.id,
            isFunction: t.kind === "func",
            typeId: t.kind === "func" ? t.type : btf.resolve(t.type),
          });
        } else {
          throw new ObjectError(`unknown extern section "${secName}" (only .kconfig and .ksyms exist)`, w);
        }
      }
    } catch (e) {
      if (e instanceof BtfError) throw new ObjectBtfError(e.what, where("externs"), { cause: e });
      throw e;
    }
    // libbpf's order: kconfig first, by descending alignment, ascending size, then name; then ksyms by name.
    this.externs.sort((a, b) => {
      if (a.kind !== b.kind) return a.kind === "kconfig" ? -1 : 1;
      if (a.kconfig && b.kconfig) {
        if (a.kconfig.align !== b.kconfig.align) return b.kconfig.align - a.kconfig.align;
        if (a.kconfig.size !== b.kconfig.size) return a.kconfig.size - b.kconfig.size;
      }
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    let off = 0;
    for (const e of this.externs) {
      if (!e.kconfig) continue;
      e.kconfig.offset = Math.ceil(off / e.kconfig.align) * e.kconfig.align;
      off = e.kconfig.offset + e.kconfig.size;
    }
    if (this.externs.some((e) => e.kind === "kconfig")) {
      const datasec = btf.findByName(".kconfig", BtfKind.DATASEC)[0] ?? 0;
      this.maps.push(dataMap(this.name, ".kconfig", 0, "kconfig", new Uint8Array(off), datasec, true));
      for (const e of this.externs) {
        if (e.kconfig)
          this.variables.push({
            name: e.name,
            map: ".kconfig",
            offset: e.kconfig.offset,
            size: e.kconfig.size,
            typeId: e.typeId,
            static: false,
          });
      }
    }
  }

  #codeRelocation(
    section: ElfSection,
    r: { offset: number; symbol: number },
    where: (s: string) => string,
  ): CodeRelocation {
    const sym = this.elf.symbols[r.symbol]!;
    const symName = sym.name || this.elf.sections[sym.shndx]?.name || `#${sym.index}`;
    const w = where(`section "${section.name}", relocation at byte ${r.offset} against "${symName}"`);
    if (r.offset % INSN_SIZE !== 0 || r.offset + INSN_SIZE > section.size)
      throw new RelocationError("offset is not an instruction of the section", w);
    const insn = r.offset / INSN_SIZE;
    const code = section.data[r.offset]!;
    const srcReg = section.data[r.offset + 1]! >> 4;
    const isCall = code === BPF_JMP_CALL;
    if (!isCall && code !== BPF_LDDW)
      throw new RelocationError(
        `instruction ${insn} (opcode 0x${code.toString(16)}) is neither a 64-bit load nor a call`,
        w,
      );
    if (code === BPF_LDDW && r.offset + 2 * INSN_SIZE > section.size)
      throw new RelocationError(`instruction ${insn} is a 64-bit load cut short by the end of the section`, w);

    if (
      sym.shndx === SHN_UNDEF &&
      sym.name !== "" &&
      (sym.bind === SymbolBind.GLOBAL || sym.bind === SymbolBind.WEAK)
    ) {
      const ext = this.externs.findIndex((e) => e.symbolIndex === sym.index);
      if (ext < 0) throw new RelocationError("no extern of that name", w);
      return isCall
        ? { kind: "extern_call", insn, extern: ext, symbol: sym.name }
        : { kind: "extern_ld", insn, extern: ext, symbol: sym.name };
    }
    if (isCall) {
      if (srcReg !== BPF_PSEUDO_CALL)
        throw new RelocationError(`instruction ${insn} is a helper call, not a call to a BPF function`, w);
      if (sym.shndx === SHN_UNDEF || sym.shndx !== this.textIndex) {
        throw new RelocationError(
          `call into section "${this.elf.sections[sym.shndx]?.name ?? sym.shndx}": BPF functions called by programs must be in .text`,
          w,
        );
      }
      if (sym.value % INSN_SIZE !== 0)
        throw new RelocationError(`call target at byte ${sym.value} is not an instruction`, w);
      return { kind: "call", insn, symbolOffset: sym.value, symbol: symName };
    }
    if (sym.shndx === SHN_UNDEF || sym.shndx >= SHN_LORESERVE) {
      throw new RelocationError(
        `the symbol is in special section 0x${sym.shndx.toString(16)} (an uninitialised global variable? give it an initial value)`,
        w,
      );
    }
    if (sym.shndx === this.textIndex && (sym.type === SymbolType.FUNC || sym.type === SymbolType.SECTION)) {
      const imm = new DataView(section.data.buffer, section.data.byteOffset + r.offset + 4, 4).getInt32(0, true);
      if (sym.value % INSN_SIZE !== 0 || imm % INSN_SIZE !== 0)
        throw new RelocationError(`function address ${sym.value}+${imm} is not an instruction`, w);
      return { kind: "subprog_addr", insn, symbolOffset: sym.value, symbol: symName };
    }
    const target = this.elf.sections[sym.shndx]!;
    if (target.name === ".maps" || target.name === "maps") {
      const origin = target.name === ".maps" ? "btf" : "legacy";
      const map = this.maps.findIndex(
        (m) => m.origin === origin && m.sectionIndex === sym.shndx && m.offset === sym.value,
      );
      if (map < 0) throw new RelocationError(`no map at offset ${sym.value} of section "${target.name}"`, w);
      return { kind: "map", insn, map, symbol: symName };
    }
    if (dataOrigin(target)) {
      const map = this.maps.findIndex((m) => m.data !== undefined && m.sectionIndex === sym.shndx);
      if (map < 0) throw new RelocationError(`no data map for section "${target.name}"`, w);
      return { kind: "data", insn, map, symbolOffset: sym.value, symbol: symName };
    }
    throw new RelocationError(`the symbol is in section "${target.name}", which is neither maps nor global data`, w);
  }

  /** The entry program called `name`. */
  program(name: string): ProgramDefinition | undefined {
    return this.programs.find((p) => p.name === name);
  }

  /** The map called `name` (C variable name, or ".rodata"/".bss"/… for global data). */
  map(name: string): MapDefinition | undefined {
    return this.maps.find((m) => m.name === name);
  }

  /** A global variable by name (of any data section, or a .kconfig extern). */
  variable(name: string): VariableDefinition | undefined {
    return this.variables.find((v) => v.name === name);
  }

  /** The instructions of a section (a view of the file). */
  sectionCode(sectionIndex: number): Uint8Array {
    return this.elf.sections[sectionIndex]!.data;
  }
}
