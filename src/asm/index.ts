/**
 * Public surface of the BPF instruction layer: opcodes, instructions, assembler, disassembler, helpers.
 *
 * @module tsbpf/asm
 */

export * from "./opcodes.js";
export { AsmError } from "./errors.js";
export {
  type Instruction,
  SLOT_SIZE,
  insn,
  lddwInsn,
  lddwValue,
  isLddw,
  slotCount,
  totalSlots,
  encode,
  decode,
} from "./instruction.js";
export { HELPERS, HELPER_MAX_ID, type HelperName, helperId, helperName, isHelperName } from "./helpers.js";
export {
  Assembler,
  type AssembledProgram,
  type FunctionInfo,
  type LineInfo,
  type Label,
  type JumpTarget,
  type Operand,
  type MapRef,
  type HelperRef,
} from "./assembler.js";
export { disassemble, listing, formatInsn, insnText, type DisasmOptions } from "./disasm.js";
export { ISA_KERNEL, instructionIsa, type IsaVersion } from "./isa.js";
export { assembleText } from "./text.js";
export { checkInstruction, validateInstructions, type ValidateOptions, type ValidationProblem } from "./validate.js";
