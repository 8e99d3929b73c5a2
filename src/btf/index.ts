/**
 * BTF: building blobs (BtfBuilder, programBtf, mapKeyValueBtf), reading them lazily (Btf), and
 * the running kernel's BTF (kernelBtf).
 *
 * @module tsbpf/btf
 */

export * from "./kinds.js";
export { Btf } from "./decoder.js";
export type { ParseOptions, LayoutMember, StructLayout, MemberLocation, FunctionSignature } from "./decoder.js";
export { BtfBuilder, mapKeyValueBtf } from "./encoder.js";
export type {
  IntOptions,
  MemberSpec,
  FieldSpec,
  CStructOptions,
  BuilderOptions,
  TypeDesc,
  MapKeyValueBtf,
} from "./encoder.js";
export {
  programBtf,
  encodeFuncInfo,
  encodeLineInfo,
  lineCol,
  FUNC_INFO_REC_SIZE,
  LINE_INFO_REC_SIZE,
} from "./ext.js";
export type { FuncInfoRecord, LineInfoRecord, ProgramFunction, ProgramLine, ProgramBtf } from "./ext.js";
export { kernelBtf, hasKernelBtf, moduleBtf, loadBtfFile, VMLINUX_BTF_PATH } from "./vmlinux.js";
export type { BtfFileOptions } from "./vmlinux.js";
export { loadBtf } from "./load.js";
