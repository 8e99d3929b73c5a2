// ELF numbers (System V gABI, the BPF psABI) shared by the reader (src/elf/reader.ts, for BPF
// objects and uprobe targets alike) and the compiler's writer: one definition of each.
export const SectionType = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
  DYNSYM: 11,
} as const;
export const SectionFlags = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const SymbolType = {
  NOTYPE: 0,
  OBJECT: 1,
  FUNC: 2,
  SECTION: 3,
  FILE: 4,
  COMMON: 5,
  TLS: 6,
  GNU_IFUNC: 10,
} as const;
export const SymbolBind = { LOCAL: 0, GLOBAL: 1, WEAK: 2, GNU_UNIQUE: 10 } as const;
export const SymbolVisibility = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;
export const SegmentType = { LOAD: 1 } as const;
export const SegmentFlags = { X: 1, W: 2, R: 4 } as const;

/** Special section indices. */
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
/** e_phnum saying the real program header count is in section 0's sh_info. */
export const PN_XNUM = 0xffff;

export const ELF_MAGIC = 0x7f454c46; // "\x7fELF", big-endian
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const ET_REL = 1;
export const EM_BPF = 247;

/** ELF64 record sizes. */
export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;
export const RELA_SIZE = 24;

/** BPF relocation types: a 64-bit immediate (lddw of a map or data) and a 32-bit call target. */
export const R_BPF_64_64 = 1;
export const R_BPF_64_32 = 10;
/** A 64-bit absolute address in data: a struct_ops function pointer to its program. */
export const R_BPF_64_ABS64 = 2;
