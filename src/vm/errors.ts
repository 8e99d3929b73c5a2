// Errors of the user-space VM. Every one names the instruction (slot index, as the kernel's
// verifier counts: lddw takes two) so a failing unit test points straight at the bytecode.

import { TsbpfError } from "../errors.js";

/** Base class of everything the VM throws on purpose. */
export class VmError extends TsbpfError {
  override name = "VmError";
}

/** The program was refused before running (bad opcode, jump out of range, uninitialised read…). */
export class VmValidationError extends VmError {
  override name = "VmValidationError";
  constructor(
    /** Slot index of the offending instruction (-1 when the problem is the whole program). */
    readonly insnIndex: number,
    readonly reason: string,
    /** Disassembly of the instruction, when there is one. */
    readonly insnText?: string,
  ) {
    super(insnIndex < 0 ? reason : `instruction ${insnIndex}${insnText ? ` (${insnText})` : ""}: ${reason}`);
  }
}

export type AccessKind = "read" | "write" | "atomic";

/** The program did something at run time the kernel would never have let it do. */
export class VmFault extends VmError {
  override name = "VmFault";
  constructor(
    readonly insnIndex: number,
    readonly reason: string,
    /** The faulting 64-bit address, for memory faults. */
    readonly address?: bigint,
    readonly insnText?: string,
  ) {
    super(`instruction ${insnIndex}${insnText ? ` (${insnText})` : ""}: ${reason}`);
  }
}

/** The run went past its instruction budget (an endless loop, or a budget set too low). */
export class VmBudgetExceeded extends VmFault {
  override name = "VmBudgetExceeded";
}
