// A minimal ELF64 reader for uprobes: it finds a symbol in .symtab or .dynsym and turns its
// virtual address into the file offset the uprobe PMU and uprobe_multi links expect. Only the
// headers, the symbol tables and their string tables are read, so large binaries stay cheap.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { TsbpfError } from "../errors.js";
import { TargetNotFoundError } from "../sys/errors.js";
import {
  ELF_MAGIC, ELFCLASS64, ELFDATA2LSB, SectionType, SegmentFlags, SegmentType, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SYM_SIZE,
  SymbolBind, SymbolType,
} from "./constants.js";


export interface ElfSymbol {
  name: string;
  /** st_value: the symbol's virtual address (relative to the load base for shared objects). */
  value: number;
  size: number;
  type: number;
  binding: number;
  sectionIndex: number;
  /** Which table it came from. */
  table: ".symtab" | ".dynsym";
}

export interface ElfSegment { type: number; flags: number; offset: number; vaddr: number; fileSize: number; memSize: number }
export interface ElfSection { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; entSize: number }

/** The file is not an ELF64 little-endian object we can read. */
export class ElfFormatError extends TsbpfError {
  override name = "ElfFormatError";
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
  }
}

const SHT_SYMTAB = SectionType.SYMTAB, SHT_DYNSYM = SectionType.DYNSYM, SHT_NOBITS = SectionType.NOBITS;
const PT_LOAD = SegmentType.LOAD, PF_X = SegmentFlags.X;

export class ElfFile {
  readonly segments: readonly ElfSegment[];
  readonly sections: readonly ElfSection[];
  readonly type: number;
  readonly machine: number;
  readonly #symbols: readonly ElfSymbol[];
  #byName: Map<string, ElfSymbol[]> | undefined;
  /** Open only while the constructor reads the file. */
  #fd: number;

  private constructor(readonly path: string, fd: number) {
    this.#fd = fd;
    const header = this.#read(0, 64);
    if (header.readUInt32BE(0) !== ELF_MAGIC) throw new ElfFormatError(path, "not an ELF file");
    if (header[4] !== ELFCLASS64) throw new ElfFormatError(path, "only 64-bit ELF files are supported");
    if (header[5] !== ELFDATA2LSB) throw new ElfFormatError(path, "only little-endian ELF files are supported");
    this.type = header.readUInt16LE(16);
    this.machine = header.readUInt16LE(18);
    const phoff = num(header.readBigUInt64LE(32));
    const shoff = num(header.readBigUInt64LE(40));
    const phentsize = header.readUInt16LE(54);
    let phnum = header.readUInt16LE(56);
    const shentsize = header.readUInt16LE(58);
    let shnum = header.readUInt16LE(60);
    let shstrndx = header.readUInt16LE(62);

    // Extended numbering: the real counts live in section header 0.
    if (shoff !== 0 && (shnum === 0 || shstrndx === SHN_XINDEX || phnum === 0xffff)) {
      const first = this.#read(shoff, 64);
      if (shnum === 0) shnum = num(first.readBigUInt64LE(32));
      if (shstrndx === SHN_XINDEX) shstrndx = first.readUInt32LE(40);
      if (phnum === 0xffff) phnum = first.readUInt32LE(44);
    }

    const segments: ElfSegment[] = [];
    if (phoff !== 0 && phnum > 0) {
      const table = this.#read(phoff, phnum * phentsize);
      for (let i = 0; i < phnum; i++) {
        const p = i * phentsize;
        segments.push({
          type: table.readUInt32LE(p), flags: table.readUInt32LE(p + 4), offset: num(table.readBigUInt64LE(p + 8)),
          vaddr: num(table.readBigUInt64LE(p + 16)), fileSize: num(table.readBigUInt64LE(p + 32)), memSize: num(table.readBigUInt64LE(p + 40)),
        });
      }
    }
    this.segments = segments;

    const raw: Omit<ElfSection, "name">[] = [];
    const nameOffsets: number[] = [];
    if (shoff !== 0 && shnum > 0) {
      const table = this.#read(shoff, shnum * shentsize);
      for (let i = 0; i < shnum; i++) {
        const p = i * shentsize;
        nameOffsets.push(table.readUInt32LE(p));
        raw.push({
          type: table.readUInt32LE(p + 4), flags: num(table.readBigUInt64LE(p + 8)), addr: num(table.readBigUInt64LE(p + 16)),
          offset: num(table.readBigUInt64LE(p + 24)), size: num(table.readBigUInt64LE(p + 32)), link: table.readUInt32LE(p + 40),
          entSize: num(table.readBigUInt64LE(p + 56)),
        });
      }
    }
    const names = shstrndx < raw.length ? this.#sectionBytes(raw[shstrndx]!) : Buffer.alloc(0);
    this.sections = raw.map((s, i) => ({ ...s, name: cString(names, nameOffsets[i]!) }));
    this.#symbols = this.#readSymbols();
    this.#fd = -1;
  }

  /** Opens and parses the headers of an ELF file (cached per path while the file is unchanged). */
  static open(path: string): ElfFile {
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      throw new TargetNotFoundError("ELF file", path, (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(err));
    }
    const key = `${stat.dev}:${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    const cached = cache.get(path);
    if (cached && cached.key === key) return cached.elf;
    const fd = openSync(path, "r");
    let elf: ElfFile;
    try {
      elf = new ElfFile(path, fd);
    } finally {
      closeSync(fd);
    }
    cache.set(path, { key, elf });
    return elf;
  }

  /** Every symbol of .symtab and then .dynsym (stripped binaries only have the latter). */
  symbols(): readonly ElfSymbol[] {
    return this.#symbols;
  }

  #readSymbols(): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    for (const section of this.sections) {
      if (section.type !== SHT_SYMTAB && section.type !== SHT_DYNSYM) continue;
      const strtab = this.sections[section.link];
      if (!strtab) continue;
      const table = section.type === SHT_SYMTAB ? ".symtab" : ".dynsym";
      const data = this.#sectionBytes(section);
      const strings = this.#sectionBytes(strtab);
      const entSize = section.entSize || SYM_SIZE;
      for (let p = entSize; p + SYM_SIZE <= data.length; p += entSize) { // entry 0 is the null symbol
        const info = data[p + 4]!;
        out.push({
          name: cString(strings, data.readUInt32LE(p)), value: num(data.readBigUInt64LE(p + 8)), size: num(data.readBigUInt64LE(p + 16)),
          type: info & 0xf, binding: info >> 4, sectionIndex: data.readUInt16LE(p + 6), table,
        });
      }
    }
    return out;
  }

  /**
   * The best definition of `name`: a defined symbol, functions before other kinds, global before
   * weak before local, .symtab before .dynsym. A versioned name ("malloc@GLIBC_2.2.5") matches too.
   */
  findSymbol(name: string): ElfSymbol | undefined {
    if (!this.#byName) {
      const byName = new Map<string, ElfSymbol[]>();
      for (const sym of this.symbols()) {
        if (sym.sectionIndex === SHN_UNDEF || sym.name === "") continue;
        const add = (key: string): void => { const list = byName.get(key); if (list) list.push(sym); else byName.set(key, [sym]); };
        add(sym.name);
        const at = sym.name.indexOf("@");
        if (at > 0) add(sym.name.slice(0, at));
      }
      this.#byName = byName;
    }
    const candidates = this.#byName.get(name);
    if (!candidates) return undefined;
    const rank = (s: ElfSymbol): number =>
      (s.type === SymbolType.FUNC || s.type === SymbolType.GNU_IFUNC ? 0 : 10) +
      (s.binding === SymbolBind.GLOBAL ? 0 : s.binding === SymbolBind.WEAK ? 1 : 2) +
      (s.table === ".symtab" ? 0 : 0.5);
    return [...candidates].sort((a, b) => rank(a) - rank(b))[0];
  }

  /**
   * Turns a virtual address into a file offset through the PT_LOAD segment that maps it
   * (executable ones first), or, in objects without program headers, the section holding it.
   */
  addressToOffset(address: number): number | undefined {
    const loads = this.segments.filter((s) => s.type === PT_LOAD);
    const ordered = [...loads.filter((s) => s.flags & PF_X), ...loads.filter((s) => !(s.flags & PF_X))];
    for (const s of ordered) {
      if (address >= s.vaddr && address < s.vaddr + s.fileSize) return address - s.vaddr + s.offset;
    }
    for (const s of this.sections) {
      if (s.type === SHT_NOBITS || s.addr === 0) continue;
      if (address >= s.addr && address < s.addr + s.size) return address - s.addr + s.offset;
    }
    return undefined;
  }

  /** The file offset of `symbol` (plus `extra` bytes into it), or TargetNotFoundError. */
  symbolOffset(symbol: string, extra = 0): number {
    const sym = this.findSymbol(symbol);
    if (!sym) {
      const hasSymtab = this.sections.some((s) => s.type === SHT_SYMTAB);
      throw new TargetNotFoundError("symbol", symbol, `not defined in ${this.path}${hasSymtab ? "" : " (the file is stripped: only .dynsym was searched)"}`);
    }
    if (sym.sectionIndex >= SHN_LORESERVE) {
      throw new TargetNotFoundError("symbol", symbol, `${this.path} defines it as an absolute or common symbol, not code`);
    }
    const offset = this.addressToOffset(sym.value);
    if (offset === undefined) {
      throw new TargetNotFoundError("symbol", symbol, `its address 0x${sym.value.toString(16)} lies in no loadable segment of ${this.path}`);
    }
    return offset + extra;
  }

  #read(offset: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, buf, done, length - done, offset + done);
      if (n === 0) throw new ElfFormatError(this.path, `truncated: wanted ${length} bytes at offset ${offset}`);
      done += n;
    }
    return buf;
  }

  #sectionBytes(section: Omit<ElfSection, "name">): Buffer {
    if (section.type === SHT_NOBITS || section.size === 0) return Buffer.alloc(0);
    return this.#read(section.offset, section.size);
  }
}

const cache = new Map<string, { key: string; elf: ElfFile }>();

function num(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`ELF value 0x${value.toString(16)} is too large`);
  return Number(value);
}

function cString(bytes: Buffer, offset: number): string {
  if (offset >= bytes.length) return "";
  const end = bytes.indexOf(0, offset);
  return bytes.toString("utf8", offset, end < 0 ? bytes.length : end);
}

const LIBRARY_DIRS = [
  "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
  "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
];

/**
 * Finds the file a uprobe target names: a path as is; a bare library name ("libc", "libc.so.6",
 * "c") in the usual library directories; a bare program name on $PATH.
 */
export function resolveBinaryPath(target: string): string {
  if (target.includes("/")) {
    if (!existsSync(target)) throw new TargetNotFoundError("binary", target, "no such file");
    return target;
  }
  const base = target.startsWith("lib") ? target : `lib${target}`;
  const libraryNames = target.includes(".so") ? [target] : [`${base}.so.6`, `${base}.so`, `${base}.so.1`, `${base}.so.0`];
  for (const dir of LIBRARY_DIRS) {
    for (const name of libraryNames) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${target}`)) return `${dir}/${target}`;
  }
  throw new TargetNotFoundError("binary", target, "not a path, and not found in the library directories or on $PATH");
}

/** Resolves `symbol` in the ELF file at `path` to a file offset (see ElfFile.symbolOffset). */
export function symbolFileOffset(path: string, symbol: string, extra = 0): number {
  return ElfFile.open(path).symbolOffset(symbol, extra);
}
