// Uprobe targets: a function's symbol in an executable or shared library (.symtab, or .dynsym
// in stripped files), turned into the file offset the uprobe PMU and uprobe_multi links expect.
// The file is read through the ELF reader piece by piece: one pass over the symbol tables
// compares names in place, so a large binary costs its string table, not a string per symbol.
import { existsSync } from "node:fs";
import { TargetNotFoundError } from "../sys/errors.js";
import { SectionType, SHN_LORESERVE, SHN_UNDEF, SymbolBind, SymbolType } from "./constants.js";
import { ElfFile, type ElfSymbol, type WantedString } from "./reader.js";

/** A definition found by findSymbols, with the table it came from. */
export interface FoundSymbol extends ElfSymbol {
  table: ".symtab" | ".dynsym";
}

const AT = 0x40; // "@": "malloc@GLIBC_2.2.5" is a definition of "malloc"

/** Lower is better: functions before other kinds, global before weak before local, .symtab before .dynsym. */
function rank(s: FoundSymbol): number {
  return (
    (s.type === SymbolType.FUNC || s.type === SymbolType.GNU_IFUNC ? 0 : 10) +
    (s.bind === SymbolBind.GLOBAL ? 0 : s.bind === SymbolBind.WEAK ? 1 : 2) +
    (s.table === ".symtab" ? 0 : 0.5)
  );
}

/**
 * The best definition of each of `names` in one pass over .symtab and .dynsym (see rank; the
 * first of equals in file order). A versioned name ("malloc@GLIBC_2.2.5") defines its base name too.
 */
export function findSymbols(elf: ElfFile, names: readonly string[]): Map<string, FoundSymbol> {
  const unique = [...new Set(names)].filter((n) => n !== "");
  const wanted: WantedString[] = unique.map((name) => ({
    bytes: Buffer.from(name, "utf8"),
    stop: name.includes("@") ? undefined : AT,
  }));
  const best = new Map<string, FoundSymbol>();
  for (const section of elf.sections) {
    if (section.type !== SectionType.SYMTAB && section.type !== SectionType.DYNSYM) continue;
    const table = section.type === SectionType.SYMTAB ? ".symtab" : ".dynsym";
    // First where the names are in the string table, then which symbols point there.
    const strtab = elf.symbolNames(section);
    const hits = elf.findStrings(strtab, wanted);
    if (hits.size === 0) continue;
    elf.visitSymbols(section, (e) => {
      if (e.shndx === SHN_UNDEF) return;
      const which = hits.get(e.nameOffset);
      if (!which) return;
      const found: FoundSymbol = {
        index: e.index,
        name: elf.stringAt(strtab, e.nameOffset),
        value: e.value,
        size: e.size,
        type: e.type,
        bind: e.bind,
        visibility: e.visibility,
        shndx: e.shndx,
        table,
      };
      for (const i of which) {
        const current = best.get(unique[i]!);
        if (!current || rank(found) < rank(current)) best.set(unique[i]!, found);
      }
    });
  }
  return best;
}

/** The best definition of `name` (see findSymbols). */
export function findSymbol(elf: ElfFile, name: string): FoundSymbol | undefined {
  return findSymbols(elf, [name]).get(name);
}

/** The file offset of `symbol` (plus `extra` bytes into it), or TargetNotFoundError. */
export function symbolOffset(elf: ElfFile, symbol: string, extra = 0): number {
  return symbolOffsets(elf, [symbol])[0]! + extra;
}

/** The file offsets of `symbols`, in order, from one pass over the symbol tables; TargetNotFoundError for the first missing. */
export function symbolOffsets(elf: ElfFile, symbols: readonly string[]): number[] {
  const found = findSymbols(elf, symbols);
  const path = elf.file ?? "the ELF file";
  return symbols.map((symbol) => {
    const sym = found.get(symbol);
    if (!sym) {
      const hasSymtab = elf.sections.some((s) => s.type === SectionType.SYMTAB);
      throw new TargetNotFoundError(
        "symbol",
        symbol,
        `not defined in ${path}${hasSymtab ? "" : " (the file is stripped: only .dynsym was searched)"}`,
      );
    }
    if (sym.shndx >= SHN_LORESERVE) {
      throw new TargetNotFoundError("symbol", symbol, `${path} defines it as an absolute or common symbol, not code`);
    }
    const offset = elf.addressToOffset(sym.value);
    if (offset === undefined) {
      throw new TargetNotFoundError(
        "symbol",
        symbol,
        `its address 0x${sym.value.toString(16)} lies in no loadable segment of ${path}`,
      );
    }
    return offset;
  });
}

const LIBRARY_DIRS = [
  "/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu",
  "/lib/aarch64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/lib64",
  "/usr/lib64",
  "/lib",
  "/usr/lib",
  "/usr/local/lib",
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
  const libraryNames = target.includes(".so")
    ? [target]
    : [`${base}.so.6`, `${base}.so`, `${base}.so.1`, `${base}.so.0`];
  for (const dir of LIBRARY_DIRS) {
    for (const name of libraryNames) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${target}`)) return `${dir}/${target}`;
  }
  throw new TargetNotFoundError("binary", target, "not a path, and not found in the library directories or on $PATH");
}

/** Resolves `symbol` in the ELF file at `path` to a file offset (see symbolOffset). */
export function symbolFileOffset(path: string, symbol: string, extra = 0): number {
  return symbolFileOffsets(path, [symbol])[0]! + extra;
}

/** Resolves each of `symbols` in the ELF file at `path` to a file offset, reading the file once. */
export function symbolFileOffsets(path: string, symbols: readonly string[]): number[] {
  using elf = ElfFile.open(path);
  return symbolOffsets(elf, symbols);
}
