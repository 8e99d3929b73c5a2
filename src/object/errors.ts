// Typed errors for eBPF object files. Every problem names what is wrong and where: the file
// (when known), the ELF section, the program, the byte offset or instruction. Parsing never
// throws anything else on purpose: malformed input of any kind ends in one of these (or in a
// BtfError from the BTF decoder, which this module wraps as ObjectBtfError).
import { ObjectError } from "../elf/errors.js";

// The ELF reader's errors are the first kinds of ObjectError: one hierarchy for everything here.
export { ObjectError, ElfError, ElfMachineError } from "../elf/errors.js";

/** A relocation that cannot be applied (bad symbol, wrong instruction, unknown target). */
export class RelocationError extends ObjectError {
  override name = "RelocationError";
}

/** An executable section whose name says nothing libbpf knows (no program type to infer). */
export class UnknownSectionError extends ObjectError {
  override name = "UnknownSectionError";
  constructor(
    readonly section: string,
    readonly program: string,
  ) {
    super(
      `no program type is known for section "${section}" (program "${program}"); name the section like ` +
        `libbpf expects (xdp, tc, socket, tracepoint/CAT/NAME, tp_btf/EVENT, kprobe/FUNC, …) or give the type in the load options`,
      `section "${section}"`,
    );
  }
}

/** A map definition (BTF-defined .maps, legacy maps, global data) that makes no sense. */
export class MapDefinitionError extends ObjectError {
  override name = "MapDefinitionError";
}

/** The object's .BTF or .BTF.ext does not parse, or lacks what the object needs from it. */
export class ObjectBtfError extends ObjectError {
  override name = "ObjectBtfError";
}

/** An extern (.kconfig value, __ksym variable or kfunc) that cannot be resolved. */
export class ExternError extends ObjectError {
  override name = "ExternError";
}

/**
 * A CO-RE relocation that could not be resolved against the target kernel's BTF. Like libbpf,
 * the relocated instruction is poisoned rather than failing the load at once: dead code (a read
 * guarded by bpf_core_field_exists) is fine. This error is thrown when the verifier reaches a
 * poisoned instruction, or when a relocation is malformed. `spec` is the local access in C
 * terms, e.g. `struct task_struct___old.no_such_field`.
 */
export class CoreRelocationError extends ObjectError {
  override name = "CoreRelocationError";
  constructor(
    what: string,
    where: string,
    /** The relocation kind (byte_off, field_exists, type_size …). */
    readonly kind: string,
    /** The local type's name, with its kind ("struct task_struct___old"). */
    readonly typeName: string,
    /** The accessed member path (".a.b[3]"), empty for type and enum relocations. */
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(what, where, options);
  }
}
