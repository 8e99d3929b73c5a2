// The one ELF64 reader. It reads the BPF objects clang writes (src/object: the whole object in
// memory, read and checked at once) and the executables and shared libraries uprobes attach to
// (src/elf/symbols.ts: positioned reads of the file, piece by piece and only what is asked for,
// since they run to hundreds of megabytes). Both byte orders are read. Every offset and index
// taken from the file is checked against the file's size before use, so a corrupt file ends in
// ElfError / ElfMachineError, never in an exception of another kind. What a caller needs beyond a
// well-formed ELF64 file (BPF, ET_REL, the host's byte order) it says in ElfExpectations.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { TargetNotFoundError } from "../sys/errors.js";
import {
  EHDR_SIZE,
  ELF_MAGIC,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_BPF,
  ET_REL,
  PHDR_SIZE,
  PN_XNUM,
  REL_SIZE,
  RELA_SIZE,
  SHDR_SIZE,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SectionType,
  SegmentFlags,
  SegmentType,
  SYM_SIZE,
} from "./constants.js";
import { ElfError, ElfMachineError } from "./errors.js";

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** e_machine values worth naming in an error. */
const MACHINES: Record<number, string> = {
  0: "none",
  3: "x86 (i386)",
  8: "MIPS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "s390",
  40: "ARM",
  62: "x86-64",
  183: "AArch64",
  243: "RISC-V",
  247: "BPF",
  258: "LoongArch",
};

/** Bytes of an opened file's tables read at a time: symbol entries, string table pieces. */
const CHUNK = 65536;
const SYMBOLS_PER_READ = Math.floor(CHUNK / SYM_SIZE);

/** What a caller requires of a file beyond being well-formed ELF64; checked in the header. */
export interface ElfExpectations {
  /** e_machine (ElfMachineError otherwise). */
  machine?: number;
  /** e_type (ElfError otherwise). */
  type?: number;
  /** Only the host's byte order (ElfMachineError otherwise): the kernel takes BPF code in host order. */
  hostByteOrder?: boolean;
}

/** A relocatable BPF object for this host, as `clang -target bpf -c` writes it. */
export const BPF_OBJECT: ElfExpectations = { machine: EM_BPF, type: ET_REL, hostByteOrder: true };
/** Any well-formed ELF64 file (an executable or shared library for uprobes, say). */
export const ANY_ELF64: ElfExpectations = {};

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Virtual address in memory (0 for sections not loaded, and in relocatable objects). */
  addr: number;
  /** Offset of the contents in the file (meaningless for NOBITS). */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /**
   * The contents; empty for NOBITS sections, whose size is still `size`. A view of the bytes for
   * a parsed file; for an opened file, read on first use and kept (ElfFile.visitSymbols and
   * ElfFile.findStrings read large tables a piece at a time instead).
   */
  readonly data: Uint8Array;
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

/** One symbol table entry as visitSymbols hands it over: the name is still an offset. */
export type SymbolEntry = Omit<ElfSymbol, "name"> & { nameOffset: number };

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

/** A program header (executables and shared objects; relocatable objects have none). */
export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  fileSize: number;
  memSize: number;
}

/** A string table's bytes, with the NUL-terminated strings in it. */
export class StringTable {
  constructor(readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.length;
  }

  /** The string at `offset`, up to its NUL or the end of the table ("" past the end). */
  at(offset: number): string {
    const bytes = this.bytes;
    if (offset >= bytes.length) return "";
    let end = offset;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString("utf8");
  }
}

/** A string to look for in a string table (see ElfFile.findStrings). */
export interface WantedString {
  bytes: Uint8Array;
  /** A byte that may end the match instead of NUL ("@" finds "malloc" in "malloc@GLIBC_2.2.5"). */
  stop?: number;
}

/**
 * Where an ELF file's bytes come from. Every range is checked against `size` before `read`.
 * `into`, when given, is a buffer of at least `length` bytes that a file is read into.
 */
interface ByteSource {
  readonly size: number;
  read(offset: number, length: number, into?: Uint8Array): Uint8Array;
  close(): void;
}

class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

class FileSource implements ByteSource {
  readonly size: number;
  #fd: number;

  constructor(readonly path: string) {
    try {
      this.#fd = openSync(path, "r");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new TargetNotFoundError("ELF file", path, code === "ENOENT" ? "no such file" : (err as Error).message);
    }
    try {
      this.size = fstatSync(this.#fd).size;
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (this.#fd < 0) throw new ElfError(`read of ${length} bytes at ${offset} after the file was closed`, this.path);
    const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    for (let done = 0; done < length; ) {
      const n = readSync(this.#fd, buf, done, length - done, offset + done);
      if (n === 0)
        throw new ElfError(
          `truncated: the file ends before byte ${offset + length} (did it change while being read?)`,
          this.path,
        );
      done += n;
    }
    return buf;
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }
}

/** Reads a u64 as a number; values past 2^53 lose precision, which no valid offset reaches. */
function u64(view: DataView, at: number, le: boolean): number {
  const lo = view.getUint32(at + (le ? 0 : 4), le);
  const hi = view.getUint32(at + (le ? 4 : 0), le);
  return hi * 0x1_0000_0000 + lo;
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

/**
 * An ELF64 file: its header, sections with their names, symbol tables, relocations and program
 * headers. `parse` reads a file held in memory and checks all of it at once; `open` reads a file
 * on disk as its parts are asked for, and holds it open until `close()`.
 */
export class ElfFile implements Disposable {
  /** The file's name in errors (its path when opened). */
  readonly file: string | undefined;
  readonly littleEndian: boolean;
  /** e_type (ET_REL, ET_EXEC, ET_DYN …). */
  readonly type: number;
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  readonly #source: ByteSource;
  readonly #byName = new Map<string, ElfSection>();
  readonly #programHeaders: { offset: number; entrySize: number; count: number };
  #symtab: ElfSection | null | undefined;
  #symbols: readonly ElfSymbol[] | undefined;
  #relocationSections: readonly ElfRelocationSection[] | undefined;
  #segments: readonly ElfSegment[] | undefined;

  /**
   * Parses an ELF64 file held in memory, all of it: sections, symbols and (in a relocatable
   * object) relocations. `file`
   * names it in errors. By default it must be a BPF relocatable object for this host
   * (BPF_OBJECT); pass ANY_ELF64 to read any. Throws ElfError for a malformed file and
   * ElfMachineError for a well-formed one built for something else.
   */
  static parse(bytes: Uint8Array, file?: string, expect: ElfExpectations = BPF_OBJECT): ElfFile {
    const elf = new ElfFile(new MemorySource(bytes), file, expect);
    if (elf.type === ET_REL)
      void elf.relocationSections; // reads the symbols first, as relocations refer to them
    else void elf.symbols;
    return elf;
  }

  /**
   * Opens an ELF64 file and reads its header and section table; the rest is read when asked
   * for. Close it (or `using`) when done. Throws TargetNotFoundError when the file cannot be
   * opened, ElfError / ElfMachineError as `parse` does.
   */
  static open(path: string, expect: ElfExpectations = ANY_ELF64): ElfFile {
    const source = new FileSource(path);
    try {
      return new ElfFile(source, path, expect);
    } catch (err) {
      source.close();
      throw err;
    }
  }

  private constructor(source: ByteSource, file: string | undefined, expect: ElfExpectations) {
    this.#source = source;
    this.file = file;
    const where = (detail?: string): string => this.#where(detail);
    const size = source.size;
    const bytes = source.read(0, Math.min(size, EHDR_SIZE));
    if (size < 16 || viewOf(bytes).getUint32(0, false) !== ELF_MAGIC) {
      throw new ElfError(
        size < 4 ? `truncated: ${size} bytes, not even an ELF magic number` : "not an ELF file (bad magic number)",
        where("byte 0"),
      );
    }
    const forBpf = expect.machine === EM_BPF;
    if (bytes[4] !== ELFCLASS64) {
      throw new ElfMachineError(
        `ELF class ${bytes[4]} is not ELFCLASS64 (${forBpf ? "BPF objects are 64-bit" : "only 64-bit files are read"})`,
        where("e_ident[EI_CLASS]"),
      );
    }
    const data = bytes[5];
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB)
      throw new ElfError(`unknown byte order ${data} in e_ident[EI_DATA]`, where("byte 5"));
    const le = data === ELFDATA2LSB;
    this.littleEndian = le;
    if (size < EHDR_SIZE)
      throw new ElfError(`truncated: ${size} bytes, the ELF64 header alone is ${EHDR_SIZE}`, where("ELF header"));
    const view = viewOf(bytes);
    this.machine = view.getUint16(18, le);
    if (expect.machine !== undefined && this.machine !== expect.machine) {
      const m = this.machine;
      throw new ElfMachineError(
        `e_machine is ${m} (${MACHINES[m] ?? "unknown"}), not ${expect.machine} (${MACHINES[expect.machine] ?? "unknown"})` +
          (forBpf ? ": compile with clang -target bpf" : ""),
        where("ELF header"),
      );
    }
    if (expect.hostByteOrder && le !== HOST_LITTLE_ENDIAN) {
      throw new ElfMachineError(
        `the object is ${le ? "little" : "big"}-endian but this host is ${HOST_LITTLE_ENDIAN ? "little" : "big"}-endian` +
          (forBpf
            ? `: compile with -target ${HOST_LITTLE_ENDIAN ? "bpfel" : "bpfeb"} (or plain "bpf" on this host)`
            : ""),
        where("e_ident[EI_DATA]"),
      );
    }
    this.type = view.getUint16(16, le);
    if (expect.type !== undefined && this.type !== expect.type) {
      const wanted = expect.type === ET_REL ? "ET_REL (a relocatable object from clang -c)" : String(expect.type);
      throw new ElfError(`e_type is ${this.type}, not ${wanted}`, where("ELF header"));
    }

    const shoff = u64(view, 40, le);
    const shentsize = view.getUint16(58, le);
    let shnum = view.getUint16(60, le);
    let shstrndx = view.getUint16(62, le);
    if (shoff === 0) throw new ElfError("the object has no section header table", where("ELF header"));
    if (shentsize !== SHDR_SIZE)
      throw new ElfError(`e_shentsize is ${shentsize}, expected ${SHDR_SIZE}`, where("ELF header"));
    if (shoff > size - SHDR_SIZE)
      throw new ElfError(
        `section header table at ${shoff} lies past the end of the file (${size} bytes): truncated?`,
        where("ELF header"),
      );
    // Large section counts live in section 0 (e_shnum = 0, e_shstrndx = SHN_XINDEX).
    const first = viewOf(source.read(shoff, SHDR_SIZE));
    if (shnum === 0) shnum = u64(first, 32, le);
    if (shstrndx === SHN_XINDEX) shstrndx = first.getUint32(40, le);
    if (shnum > (size - shoff) / SHDR_SIZE) {
      throw new ElfError(
        `${shnum} section headers at ${shoff} do not fit in the file (${size} bytes): truncated?`,
        where("section header table"),
      );
    }
    if (shstrndx === 0 || shstrndx >= shnum)
      throw new ElfError(
        `section name table index ${shstrndx} is out of range (${shnum} sections)`,
        where("ELF header"),
      );
    let phnum = view.getUint16(56, le);
    if (phnum === PN_XNUM) phnum = first.getUint32(44, le);
    this.#programHeaders = { offset: u64(view, 32, le), entrySize: view.getUint16(54, le), count: phnum };

    const table = viewOf(source.read(shoff, shnum * SHDR_SIZE));
    const sections: ElfSection[] = [];
    const nameOffsets: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = i * SHDR_SIZE;
      const s: { -readonly [K in keyof ElfSection]: ElfSection[K] } = {
        index: i,
        name: "",
        type: table.getUint32(at + 4, le),
        flags: u64(table, at + 8, le),
        addr: u64(table, at + 16, le),
        offset: u64(table, at + 24, le),
        size: u64(table, at + 32, le),
        link: table.getUint32(at + 40, le),
        info: table.getUint32(at + 44, le),
        addralign: u64(table, at + 48, le),
        entsize: u64(table, at + 56, le),
        data: new Uint8Array(0),
      };
      nameOffsets.push(table.getUint32(at, le));
      if (s.type !== SectionType.NOBITS && s.type !== SectionType.NULL) {
        if (s.offset > size || s.size > size - s.offset) {
          throw new ElfError(
            `contents [${s.offset}, +${s.size}) lie past the end of the file (${size} bytes): truncated?`,
            where(`section ${i}`),
          );
        }
        if (source instanceof MemorySource) s.data = source.read(s.offset, s.size);
        else lazyContents(s, source);
      }
      sections.push(s);
    }
    const shstrtab = sections[shstrndx]!;
    if (shstrtab.type !== SectionType.STRTAB)
      throw new ElfError(
        `section ${shstrndx} holds the section names but is not a string table`,
        where(`section ${shstrndx}`),
      );
    const names = new StringTable(shstrtab.data);
    for (const s of sections) {
      const nameOff = nameOffsets[s.index]!;
      if (nameOff >= names.length) {
        if (s.index === 0 && nameOff === 0) continue;
        throw new ElfError(
          `name offset ${nameOff} lies outside the section name table (${names.length} bytes)`,
          where(`section ${s.index}`),
        );
      }
      s.name = names.at(nameOff);
    }
    this.sections = sections;
    for (const s of sections) if (!this.#byName.has(s.name)) this.#byName.set(s.name, s);
  }

  /** The first section called `name`. */
  section(name: string): ElfSection | undefined {
    return this.#byName.get(name);
  }

  /** The SHT_SYMTAB section (there is at most one), or undefined. */
  get symbolTable(): ElfSection | undefined {
    if (this.#symtab === undefined) {
      const symtabs = this.sections.filter((s) => s.type === SectionType.SYMTAB);
      if (symtabs.length > 1) {
        throw new ElfError(
          `${symtabs.length} symbol tables; ${this.type === ET_REL ? "a relocatable object" : "an ELF file"} has one`,
          this.#where("section table"),
        );
      }
      this.#symtab = symtabs[0] ?? null;
    }
    return this.#symtab ?? undefined;
  }

  /** Index of the symbol table section (0 when there is none). */
  get symtabIndex(): number {
    return this.symbolTable?.index ?? 0;
  }

  /**
   * Every symbol of the symbol table (.symtab), entry 0 included, with names. Made at first use
   * and kept: for the large tables of executables, visitSymbols reads without keeping.
   */
  get symbols(): readonly ElfSymbol[] {
    if (this.#symbols) return this.#symbols;
    const symtab = this.symbolTable;
    const symbols: ElfSymbol[] = [];
    if (symtab) {
      const nameOffsets: number[] = [];
      this.visitSymbols(symtab, (e) => {
        nameOffsets.push(e.nameOffset);
        symbols.push({
          index: e.index,
          name: "",
          type: e.type,
          bind: e.bind,
          visibility: e.visibility,
          shndx: e.shndx,
          value: e.value,
          size: e.size,
        });
      });
      const strings = this.strings(this.sections[symtab.link]!);
      for (const sym of symbols) if (nameOffsets[sym.index] !== 0) sym.name = strings.at(nameOffsets[sym.index]!);
      const shnum = this.sections.length;
      for (const sym of symbols) {
        if (sym.shndx !== SHN_UNDEF && sym.shndx < SHN_LORESERVE && sym.shndx >= shnum) {
          throw new ElfError(
            `symbol ${sym.index} "${sym.name}" refers to section ${sym.shndx}, past the last (${shnum - 1})`,
            this.#where(`section "${symtab.name}"`),
          );
        }
      }
    }
    this.#symbols = symbols;
    return symbols;
  }

  /**
   * The string table holding the names of symbol table `table` (SHT_SYMTAB or SHT_DYNSYM), once
   * the table's shape is checked.
   */
  symbolNames(table: ElfSection): ElfSection {
    const sw = this.#where(`section "${table.name}"`);
    if (table.entsize !== SYM_SIZE)
      throw new ElfError(`symbol entry size is ${table.entsize}, expected ${SYM_SIZE}`, sw);
    if (table.size % SYM_SIZE !== 0)
      throw new ElfError(`size ${table.size} is not a multiple of the symbol size ${SYM_SIZE}`, sw);
    const strtab = this.sections[table.link];
    if (!strtab || table.link === 0 || strtab.type !== SectionType.STRTAB) {
      throw new ElfError(`sh_link ${table.link} does not name a string table`, sw);
    }
    return strtab;
  }

  /**
   * Hands each entry of the symbol table `table` (SHT_SYMTAB or SHT_DYNSYM), entry 0 included,
   * to `visit`, reading an opened file 64 KiB of entries at a time into one buffer: the memory
   * used does not grow with the number of symbols. `entry` is reused from one call to the next;
   * its name is an offset into symbolNames(table).
   */
  visitSymbols(table: ElfSection, visit: (entry: Readonly<SymbolEntry>) => void): void {
    const strtabSize = this.symbolNames(table).size;
    const sw = this.#where(`section "${table.name}"`);
    const le = this.littleEndian;
    const count = table.size / SYM_SIZE;
    const inMemory = this.#source instanceof MemorySource;
    const perRead = inMemory ? count : SYMBOLS_PER_READ;
    const buffer = inMemory ? undefined : Buffer.allocUnsafe(Math.min(count, perRead) * SYM_SIZE);
    const entry: SymbolEntry = {
      index: 0,
      nameOffset: 0,
      type: 0,
      bind: 0,
      visibility: 0,
      shndx: 0,
      value: 0,
      size: 0,
    };
    for (let base = 0; base < count; base += perRead) {
      const n = Math.min(perRead, count - base);
      const sv = viewOf(this.#source.read(table.offset + base * SYM_SIZE, n * SYM_SIZE, buffer));
      for (let j = 0; j < n; j++) {
        const at = j * SYM_SIZE;
        const i = base + j;
        const nameOff = sv.getUint32(at, le);
        if (nameOff !== 0 && nameOff >= strtabSize) {
          throw new ElfError(
            `symbol ${i}: name offset ${nameOff} lies outside the string table (${strtabSize} bytes)`,
            sw,
          );
        }
        const info = sv.getUint8(at + 4);
        entry.index = i;
        entry.nameOffset = nameOff;
        entry.type = info & 0xf;
        entry.bind = info >> 4;
        entry.visibility = sv.getUint8(at + 5) & 0x3;
        entry.shndx = sv.getUint16(at + 6, le);
        entry.value = u64(sv, at + 8, le);
        entry.size = u64(sv, at + 16, le);
        visit(entry);
      }
    }
  }

  /** The whole string table `section` (read afresh from an opened file, and not kept). */
  strings(section: ElfSection): StringTable {
    if (section.type === SectionType.NOBITS || section.type === SectionType.NULL)
      return new StringTable(new Uint8Array(0));
    return new StringTable(
      this.#source instanceof MemorySource ? section.data : this.#source.read(section.offset, section.size),
    );
  }

  /** The string at `offset` of string table `section`, reading an opened file only as far as its end. */
  stringAt(section: ElfSection, offset: number): string {
    if (this.#source instanceof MemorySource || section.type === SectionType.NOBITS)
      return this.strings(section).at(offset);
    const pieces: Uint8Array[] = [];
    for (let at = offset; at < section.size; ) {
      const piece = this.#source.read(section.offset + at, Math.min(256, section.size - at));
      const end = piece.indexOf(0);
      pieces.push(end < 0 ? piece : piece.subarray(0, end));
      if (end >= 0) break;
      at += piece.length;
    }
    return Buffer.concat(pieces).toString("utf8");
  }

  /**
   * Where each of `wanted` is a whole string of string table `section` (NUL-terminated, or ended
   * by its `stop` byte), as offset → indices into `wanted`. A string may also be the tail of a
   * longer one ("free" inside "cfree"), as linkers share tails. An opened file is searched 64 KiB
   * at a time, so finding a few names costs no memory for the table's other strings.
   */
  findStrings(section: ElfSection, wanted: readonly WantedString[]): Map<number, number[]> {
    const hits = new Map<number, number[]>();
    const usable = wanted.some((w) => w.bytes.length > 0);
    if (!usable || section.type === SectionType.NOBITS || section.type === SectionType.NULL) return hits;
    const inMemory = this.#source instanceof MemorySource;
    const step = inMemory ? section.size : CHUNK;
    // Each piece runs on past `step` by the longest name and its terminator, so a match that starts in it is whole.
    const overlap = Math.max(...wanted.map((w) => w.bytes.length)) + 1;
    const buffer = inMemory ? undefined : Buffer.allocUnsafe(Math.min(section.size, step + overlap));
    for (let start = 0; start < section.size; start += step) {
      const length = Math.min(section.size - start, step + overlap);
      const read = this.#source.read(section.offset + start, length, buffer);
      const piece = Buffer.from(read.buffer, read.byteOffset, read.length);
      wanted.forEach((w, i) => {
        if (w.bytes.length === 0) return;
        for (let at = piece.indexOf(w.bytes); at >= 0 && at < step; at = piece.indexOf(w.bytes, at + 1)) {
          const next = piece[at + w.bytes.length];
          if (next !== 0 && (w.stop === undefined || next !== w.stop)) continue;
          const list = hits.get(start + at);
          if (list) list.push(i);
          else hits.set(start + at, [i]);
        }
      });
    }
    return hits;
  }

  /**
   * The REL and RELA sections of a relocatable object (ET_REL) with their entries, which refer to
   * the symbol table (.symtab). The dynamic relocations of executables are not read.
   */
  get relocationSections(): readonly ElfRelocationSection[] {
    if (this.#relocationSections) return this.#relocationSections;
    if (this.type !== ET_REL)
      throw new ElfError(
        `e_type is ${this.type}: relocation sections are read in relocatable objects (ET_REL) only`,
        this.#where("ELF header"),
      );
    const symbols = this.symbols;
    const symtab = this.symbolTable;
    const le = this.littleEndian;
    const shnum = this.sections.length;
    const relocs: ElfRelocationSection[] = [];
    for (const s of this.sections) {
      if (s.type !== SectionType.REL && s.type !== SectionType.RELA) continue;
      const rw = this.#where(`section "${s.name}"`);
      const entSize = s.type === SectionType.REL ? REL_SIZE : RELA_SIZE;
      if (s.size % entSize !== 0)
        throw new ElfError(`size ${s.size} is not a multiple of the relocation size ${entSize}`, rw);
      if (s.info === 0 || s.info >= shnum)
        throw new ElfError(`sh_info ${s.info} does not name a section to relocate`, rw);
      if (symtab === undefined || s.link !== symtab.index)
        throw new ElfError(`sh_link ${s.link} does not name the symbol table`, rw);
      const rv = viewOf(s.data);
      const list: ElfRelocation[] = [];
      for (let at = 0; at < s.size; at += entSize) {
        const offset = u64(rv, at, le);
        const type = rv.getUint32(at + (le ? 8 : 12), le);
        const symbol = rv.getUint32(at + (le ? 12 : 8), le);
        if (symbol >= symbols.length)
          throw new ElfError(
            `relocation ${at / entSize}: symbol ${symbol} is past the symbol table (${symbols.length} symbols)`,
            rw,
          );
        const addend = entSize === RELA_SIZE ? Number(rv.getBigInt64(at + 16, le)) : 0;
        list.push({ offset, symbol, type, addend });
      }
      relocs.push({ section: s, target: s.info, relocations: list });
    }
    this.#relocationSections = relocs;
    return relocs;
  }

  /** The program headers (none in a relocatable object). */
  get segments(): readonly ElfSegment[] {
    if (this.#segments) return this.#segments;
    const { offset, entrySize, count } = this.#programHeaders;
    const segments: ElfSegment[] = [];
    if (offset !== 0 && count > 0) {
      const size = this.#source.size;
      if (entrySize !== PHDR_SIZE)
        throw new ElfError(`e_phentsize is ${entrySize}, expected ${PHDR_SIZE}`, this.#where("ELF header"));
      if (offset > size || count > (size - offset) / PHDR_SIZE) {
        throw new ElfError(
          `${count} program headers at ${offset} do not fit in the file (${size} bytes): truncated?`,
          this.#where("program header table"),
        );
      }
      const le = this.littleEndian;
      const table = viewOf(this.#source.read(offset, count * PHDR_SIZE));
      for (let i = 0; i < count; i++) {
        const p = i * PHDR_SIZE;
        segments.push({
          type: table.getUint32(p, le),
          flags: table.getUint32(p + 4, le),
          offset: u64(table, p + 8, le),
          vaddr: u64(table, p + 16, le),
          fileSize: u64(table, p + 32, le),
          memSize: u64(table, p + 40, le),
        });
      }
    }
    this.#segments = segments;
    return segments;
  }

  /**
   * Turns a virtual address into a file offset through the PT_LOAD segment that maps it
   * (executable ones first), or, in files without program headers, the section holding it.
   */
  addressToOffset(address: number): number | undefined {
    const loads = this.segments.filter((s) => s.type === SegmentType.LOAD);
    const ordered = [
      ...loads.filter((s) => s.flags & SegmentFlags.X),
      ...loads.filter((s) => !(s.flags & SegmentFlags.X)),
    ];
    for (const s of ordered) {
      if (address >= s.vaddr && address < s.vaddr + s.fileSize) return address - s.vaddr + s.offset;
    }
    for (const s of this.sections) {
      if (s.type === SectionType.NOBITS || s.addr === 0) continue;
      if (address >= s.addr && address < s.addr + s.size) return address - s.addr + s.offset;
    }
    return undefined;
  }

  /** Closes an opened file (nothing to do for a parsed one). Sections not read yet can no longer be. */
  close(): void {
    this.#source.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #where(detail?: string): string {
    return [this.file, detail].filter(Boolean).join(": ") || "ELF";
  }
}

/** Makes `section.data` of an opened file a read on first use, kept after. */
function lazyContents(section: { offset: number; size: number; data: Uint8Array }, source: ByteSource): void {
  let contents: Uint8Array | undefined;
  Object.defineProperty(section, "data", {
    enumerable: true,
    get: () => (contents ??= source.read(section.offset, section.size)),
  });
}
