// A reader for ELF64 relocatable objects as clang writes them for BPF (`clang -target bpf -c`):
// the header, the section table with names, the symbol table and REL relocations. Both byte
// orders are recognised (so a big-endian object gets a precise error); only the host's order is
// accepted, since the kernel takes instructions in host order. Every offset and index read from
// the file is checked before use: a corrupt file ends in ElfError / ElfMachineError, never in an
// exception of another kind.
import { ElfError, ElfMachineError } from "./errors.js";

import {
  EHDR_SIZE, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, EM_BPF, ET_REL, REL_SIZE, RELA_SIZE, SHDR_SIZE, SHN_LORESERVE, SHN_UNDEF,
  SHN_XINDEX, SectionType, SYM_SIZE,
} from "../elf/constants.js";

export { SectionFlags, SectionType, SymbolBind, SymbolType, SymbolVisibility, SHN_LORESERVE, SHN_UNDEF } from "../elf/constants.js";

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** e_machine values worth naming in an error. */
const MACHINES: Record<number, string> = {
  0: "none", 3: "x86 (i386)", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "s390", 40: "ARM",
  62: "x86-64", 183: "AArch64", 243: "RISC-V", 247: "BPF", 258: "LoongArch",
};

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Offset of the contents in the file (meaningless for NOBITS). */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** The contents (a view of the file); empty for NOBITS sections, whose size is still `size`. */
  data: Uint8Array;
}

export interface ElfSymbol {
  /** Position in the symbol table (what relocations refer to). */
  index: number;
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  /** Section index (or SHN_UNDEF, SHN_ABS, SHN_COMMON …). */
  shndx: number;
}

export interface ElfRelocation {
  /** Byte offset in the target section. */
  offset: number;
  /** Index into the symbol table. */
  symbol: number;
  /** R_BPF_* type. */
  type: number;
  /** Addend (RELA only; 0 for REL). */
  addend: number;
}

export interface ElfRelocationSection {
  /** The REL/RELA section itself. */
  section: ElfSection;
  /** The section the relocations apply to. */
  target: number;
  relocations: ElfRelocation[];
}

/** Reads a u64 as a number; values past 2^53 lose precision, which no valid offset reaches. */
function u64(view: DataView, at: number, le: boolean): number {
  const lo = view.getUint32(at + (le ? 0 : 4), le);
  const hi = view.getUint32(at + (le ? 4 : 0), le);
  return hi * 0x1_0000_0000 + lo;
}

function cString(bytes: Uint8Array, start: number): string {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
}

/** A parsed ELF64 object: sections, symbols and relocations, in the host's byte order. */
export class ElfFile {
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Index of the symbol table section (0 when there is none). */
  readonly symtabIndex: number;
  readonly relocationSections: readonly ElfRelocationSection[];
  readonly #byName = new Map<string, ElfSection>();

  private constructor(sections: ElfSection[], symbols: ElfSymbol[], symtabIndex: number, relocs: ElfRelocationSection[]) {
    this.sections = sections;
    this.symbols = symbols;
    this.symtabIndex = symtabIndex;
    this.relocationSections = relocs;
    for (const s of sections) if (!this.#byName.has(s.name)) this.#byName.set(s.name, s);
  }

  /** The first section called `name`. */
  section(name: string): ElfSection | undefined {
    return this.#byName.get(name);
  }

  /**
   * Parses an ELF64 BPF relocatable object. `file` names it in errors. Throws ElfError for a
   * malformed file and ElfMachineError for a well-formed one built for something else.
   */
  static parse(bytes: Uint8Array, file?: string): ElfFile {
    const where = (detail?: string): string => [file, detail].filter(Boolean).join(": ") || "ELF";
    const size = bytes.length;
    if (size < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new ElfError(size < 4 ? `truncated: ${size} bytes, not even an ELF magic number` : "not an ELF file (bad magic number)", where("byte 0"));
    }
    if (bytes[4] !== ELFCLASS64) {
      throw new ElfMachineError(`ELF class ${bytes[4]} is not ELFCLASS64 (BPF objects are 64-bit)`, where("e_ident[EI_CLASS]"));
    }
    const data = bytes[5];
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfError(`unknown byte order ${data} in e_ident[EI_DATA]`, where("byte 5"));
    const le = data === ELFDATA2LSB;
    if (size < EHDR_SIZE) throw new ElfError(`truncated: ${size} bytes, the ELF64 header alone is ${EHDR_SIZE}`, where("ELF header"));
    const view = new DataView(bytes.buffer, bytes.byteOffset, size);
    const machine = view.getUint16(18, le);
    if (machine !== EM_BPF) {
      throw new ElfMachineError(`e_machine is ${machine} (${MACHINES[machine] ?? "unknown"}), not ${EM_BPF} (BPF): compile with clang -target bpf`, where("ELF header"));
    }
    if (le !== HOST_LITTLE_ENDIAN) {
      throw new ElfMachineError(`the object is ${le ? "little" : "big"}-endian but this host is ${HOST_LITTLE_ENDIAN ? "little" : "big"}-endian: ` +
        `compile with -target ${HOST_LITTLE_ENDIAN ? "bpfel" : "bpfeb"} (or plain "bpf" on this host)`, where("e_ident[EI_DATA]"));
    }
    const type = view.getUint16(16, le);
    if (type !== ET_REL) throw new ElfError(`e_type is ${type}, not ET_REL (a relocatable object from clang -c)`, where("ELF header"));

    const shoff = u64(view, 40, le);
    const shentsize = view.getUint16(58, le);
    let shnum = view.getUint16(60, le);
    let shstrndx = view.getUint16(62, le);
    if (shoff === 0) throw new ElfError("the object has no section header table", where("ELF header"));
    if (shentsize !== SHDR_SIZE) throw new ElfError(`e_shentsize is ${shentsize}, expected ${SHDR_SIZE}`, where("ELF header"));
    if (shoff > size - SHDR_SIZE) throw new ElfError(`section header table at ${shoff} lies past the end of the file (${size} bytes): truncated?`, where("ELF header"));
    // Large section counts live in section 0 (e_shnum = 0, e_shstrndx = SHN_XINDEX).
    if (shnum === 0) shnum = u64(view, shoff + 32, le);
    if (shstrndx === SHN_XINDEX) shstrndx = view.getUint32(shoff + 40, le);
    if (shnum > (size - shoff) / SHDR_SIZE) {
      throw new ElfError(`${shnum} section headers at ${shoff} do not fit in the file (${size} bytes): truncated?`, where("section header table"));
    }
    if (shstrndx === 0 || shstrndx >= shnum) throw new ElfError(`section name table index ${shstrndx} is out of range (${shnum} sections)`, where("ELF header"));

    const sections: ElfSection[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * SHDR_SIZE;
      const s: ElfSection = {
        index: i, name: "", type: view.getUint32(at + 4, le), flags: u64(view, at + 8, le),
        offset: u64(view, at + 24, le), size: u64(view, at + 32, le), link: view.getUint32(at + 40, le),
        info: view.getUint32(at + 44, le), addralign: u64(view, at + 48, le), entsize: u64(view, at + 56, le),
        data: new Uint8Array(0),
      };
      const nameOff = view.getUint32(at, le);
      if (s.type !== SectionType.NOBITS && s.type !== SectionType.NULL) {
        if (s.offset > size || s.size > size - s.offset) {
          throw new ElfError(`contents [${s.offset}, +${s.size}) lie past the end of the file (${size} bytes): truncated?`, where(`section ${i}`));
        }
        s.data = bytes.subarray(s.offset, s.offset + s.size);
      }
      (s as { nameOff?: number }).nameOff = nameOff;
      sections.push(s);
    }
    const shstrtab = sections[shstrndx]!;
    if (shstrtab.type !== SectionType.STRTAB) throw new ElfError(`section ${shstrndx} holds the section names but is not a string table`, where(`section ${shstrndx}`));
    for (const s of sections) {
      const nameOff = (s as { nameOff?: number }).nameOff ?? 0;
      delete (s as { nameOff?: number }).nameOff;
      if (nameOff >= shstrtab.data.length) {
        if (s.index === 0 && nameOff === 0) continue;
        throw new ElfError(`name offset ${nameOff} lies outside the section name table (${shstrtab.data.length} bytes)`, where(`section ${s.index}`));
      }
      s.name = cString(shstrtab.data, nameOff);
    }

    // Symbols: the (single) SHT_SYMTAB with its string table.
    const symtabs = sections.filter((s) => s.type === SectionType.SYMTAB);
    if (symtabs.length > 1) throw new ElfError(`${symtabs.length} symbol tables; a relocatable object has one`, where("section table"));
    const symbols: ElfSymbol[] = [];
    const symtab = symtabs[0];
    if (symtab) {
      const sw = where(`section "${symtab.name}"`);
      if (symtab.entsize !== SYM_SIZE) throw new ElfError(`symbol entry size is ${symtab.entsize}, expected ${SYM_SIZE}`, sw);
      if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`size ${symtab.size} is not a multiple of the symbol size ${SYM_SIZE}`, sw);
      const strtab = sections[symtab.link];
      if (!strtab || symtab.link === 0 || strtab.type !== SectionType.STRTAB) {
        throw new ElfError(`sh_link ${symtab.link} does not name a string table`, sw);
      }
      const sv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.length);
      for (let i = 0, n = symtab.size / SYM_SIZE; i < n; i++) {
        const at = i * SYM_SIZE;
        const nameOff = sv.getUint32(at, le);
        if (nameOff !== 0 && nameOff >= strtab.data.length) {
          throw new ElfError(`symbol ${i}: name offset ${nameOff} lies outside the string table (${strtab.data.length} bytes)`, sw);
        }
        const info = sv.getUint8(at + 4);
        symbols.push({
          index: i, name: nameOff === 0 ? "" : cString(strtab.data, nameOff), type: info & 0xf, bind: info >> 4,
          visibility: sv.getUint8(at + 5) & 0x3, shndx: sv.getUint16(at + 6, le), value: u64(sv, at + 8, le), size: u64(sv, at + 16, le),
        });
      }
      for (const sym of symbols) {
        if (sym.shndx !== SHN_UNDEF && sym.shndx < SHN_LORESERVE && sym.shndx >= shnum) {
          throw new ElfError(`symbol ${sym.index} "${sym.name}" refers to section ${sym.shndx}, past the last (${shnum - 1})`, sw);
        }
      }
    }

    const relocs: ElfRelocationSection[] = [];
    for (const s of sections) {
      if (s.type !== SectionType.REL && s.type !== SectionType.RELA) continue;
      const rw = where(`section "${s.name}"`);
      const entSize = s.type === SectionType.REL ? REL_SIZE : RELA_SIZE;
      if (s.size % entSize !== 0) throw new ElfError(`size ${s.size} is not a multiple of the relocation size ${entSize}`, rw);
      if (s.info === 0 || s.info >= shnum) throw new ElfError(`sh_info ${s.info} does not name a section to relocate`, rw);
      if (symtab === undefined || s.link !== symtab.index) throw new ElfError(`sh_link ${s.link} does not name the symbol table`, rw);
      const rv = new DataView(s.data.buffer, s.data.byteOffset, s.data.length);
      const list: ElfRelocation[] = [];
      for (let at = 0; at < s.size; at += entSize) {
        const offset = u64(rv, at, le);
        const type = rv.getUint32(at + (le ? 8 : 12), le);
        const symbol = rv.getUint32(at + (le ? 12 : 8), le);
        if (symbol >= symbols.length) throw new ElfError(`relocation ${at / entSize}: symbol ${symbol} is past the symbol table (${symbols.length} symbols)`, rw);
        const addend = entSize === RELA_SIZE ? Number(rv.getBigInt64(at + 16, le)) : 0;
        list.push({ offset, symbol, type, addend });
      }
      relocs.push({ section: s, target: s.info, relocations: list });
    }
    return new ElfFile(sections, symbols, symtab?.index ?? 0, relocs);
  }
}
