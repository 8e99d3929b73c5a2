// Errors of the ELF reader (src/elf/reader.ts). They are ObjectErrors ("object file" in the ELF
// sense: relocatable objects, executables and shared libraries alike), so the BPF object reader
// (src/object), which re-exports them, keeps one base for everything it throws.
import { TsbpfError } from "../errors.js";

/** Base of every error about an object file. `where` locates the problem (section, offset…). */
export class ObjectError extends TsbpfError {
  override name = "ObjectError";
  constructor(
    readonly what: string,
    readonly where?: string,
    options?: { cause?: unknown },
  ) {
    super(where ? `${where}: ${what}` : what, options);
  }
}

/** The file is not a well-formed ELF64 object: truncated, corrupt header or section table. */
export class ElfError extends ObjectError {
  override name = "ElfError";
}

/** The file is an ELF object, but not one for this machine (not BPF, not 64-bit, wrong byte order). */
export class ElfMachineError extends ObjectError {
  override name = "ElfMachineError";
}
