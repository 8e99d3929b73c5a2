/**
 * eBPF object files (clang -target bpf), as pure data: ELF sections, programs, maps, global
 * variables, externs, relocations and CO-RE — no system calls. src/loader loads them.
 *
 * @module tsbpf/object
 */

export { BpfObjectFile } from "./object.js";
export type {
  ProgramDefinition,
  CodeRelocation,
  ExternDefinition,
  VariableDefinition,
  ParseOptions as ObjectParseOptions,
  KconfigType,
} from "./object.js";
export type { MapDefinition, MapSlot, MapOrigin, Pinning } from "./maps.js";
export { internalMapName, ringbufSize } from "./maps.js";
export { parseStructOps, kernelStructOps, STRUCT_OPS_SECTIONS } from "./struct-ops.js";
export type { StructOpsDefinition, StructOpsMember, KernelStructOps } from "./struct-ops.js";
export { sectionDef, sectionPatterns, sectionTarget } from "./sections.js";
export type { SectionDef, SectionKind } from "./sections.js";
export { SectionType, SectionFlags, SymbolType, SymbolBind } from "../elf/constants.js";
export { ElfFile } from "../elf/reader.js";
export type { ElfSection, ElfSymbol, ElfRelocation } from "../elf/reader.js";
export { parseBtfExt, CoreReloKind } from "./btf-ext.js";
export type { FuncInfo as ExtFuncInfo, LineInfo as ExtLineInfo, CoreRelo, SectionExtInfo } from "./btf-ext.js";
export { resolveCoreRelo, TypeCache, CandidateCache, essentialName, coreKindName, POISON_HELPER_ID } from "./core.js";
export type { CoreResult } from "./core.js";
export { link, resolveExterns, poisonedAt, POISON_KFUNC_BASE } from "./link.js";
export type {
  LinkOptions,
  LinkedProgram,
  MapReference,
  PoisonedInstruction,
  LinkedLine,
  ResolvedExtern,
} from "./link.js";
export { kernelBtfBlob } from "./btf-fixup.js";
export { fillKconfig, parseKernelConfig, kernelVersionCode } from "./kconfig.js";
export type { KconfigValues } from "./kconfig.js";
export {
  ObjectError,
  ElfError,
  ElfMachineError,
  RelocationError,
  UnknownSectionError,
  MapDefinitionError,
  ObjectBtfError,
  ExternError,
  CoreRelocationError,
} from "./errors.js";
