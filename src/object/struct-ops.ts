// struct_ops in an object file: a global variable of a kernel struct type (`struct
// tcp_congestion_ops`) in the `.struct_ops` or `.struct_ops.link` section, whose function-pointer
// members point at programs (R_BPF_64_ABS64 relocations in `.rel.struct_ops`) and whose other
// members are data (a name, flags). Each variable becomes a BPF_MAP_TYPE_STRUCT_OPS map; the kernel
// builds the real struct from that map's value, laid out as its own `bpf_struct_ops_<name>`.
// Parsing and laying out the value are pure here; the loader creates, fills and registers.
import type { Btf } from "../btf/decoder.js";
import { BtfError, type StructType } from "../btf/kinds.js";
import { R_BPF_64_ABS64, SymbolType } from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfSection } from "../elf/reader.js";
import { ObjectBtfError, ObjectError, RelocationError } from "./errors.js";

/** The sections libbpf reads struct_ops from; `.link` ones register through a bpf_link (BPF_F_LINK). */
export const STRUCT_OPS_SECTIONS = [".struct_ops", ".struct_ops.link"] as const;

/** A member of the object's struct, as the object declares it. */
export interface StructOpsMember {
  name: string;
  /** Byte offset and size in the object's struct. */
  offset: number;
  size: number;
  /** A function pointer (its value is a program, or null). */
  isFunction: boolean;
  /** The program it points to. */
  program?: string;
}

/** One struct_ops variable of the object. */
export interface StructOpsDefinition {
  /** The variable's name: the map's name. */
  name: string;
  section: string;
  /** Registered through a bpf_link (`.struct_ops.link`). */
  link: boolean;
  /** The struct's name ("tcp_congestion_ops"), which the kernel's BTF must also have. */
  typeName: string;
  /** The struct in the object's BTF. */
  typeId: number;
  /** The variable's bytes as the object lays them out (function pointers are zero here). */
  data: Uint8Array;
  members: StructOpsMember[];
  /** ELF section index and the variable's byte offset in it. */
  sectionIndex: number;
  offset: number;
}

/** The struct_ops variables of an object (none when it has no struct_ops section). */
export function parseStructOps(
  elf: ElfFile,
  btf: Btf | undefined,
  where: (s: string) => string,
): StructOpsDefinition[] {
  const out: StructOpsDefinition[] = [];
  for (const sectionName of STRUCT_OPS_SECTIONS) {
    const section = elf.section(sectionName);
    if (!section) continue;
    const w = where(`section "${sectionName}"`);
    if (!btf) throw new ObjectBtfError("struct_ops need the object's BTF (compile with -g)", w);
    const datasec = btf.datasec(sectionName);
    if (!datasec) throw new ObjectBtfError(`the object's BTF has no DATASEC for ${sectionName}`, w);
    const relocations = elf.relocationSections.find((r) => r.target === section.index)?.relocations ?? [];
    for (const vs of datasec.vars) {
      const variable = btf.typeById(vs.type);
      if (variable.kind !== "var") continue;
      const vw = where(`struct_ops "${variable.name}"`);
      try {
        out.push(structOpsVariable(elf, btf, section, relocations, variable, vs.offset, vw));
      } catch (e) {
        if (e instanceof BtfError) throw new ObjectBtfError(e.what, vw, { cause: e });
        throw e;
      }
    }
  }
  return out;
}

/** One variable of a struct_ops section. */
function structOpsVariable(
  elf: ElfFile,
  btf: Btf,
  section: ElfSection,
  relocations: readonly ElfRelocation[],
  variable: { name: string; type: number },
  btfOffset: number,
  vw: string,
): StructOpsDefinition {
  const symbol = elf.symbols.find(
    (s) => s.shndx === section.index && s.name === variable.name && s.type !== SymbolType.SECTION,
  );
  const start = symbol?.value ?? btfOffset;
  const t = btf.typeById(btf.resolve(variable.type));
  if (t.kind !== "struct") throw new ObjectError(`its type is a ${t.kind}, not a struct`, vw);
  const struct: StructType = t;
  const size = t.size;
  if (start + size > section.size)
    throw new ObjectError(`[${start}, +${size}) lies outside its section (${section.size} bytes)`, vw);
  const programsAt = new Map<number, string>();
  for (const r of relocations) {
    if (r.offset < start || r.offset >= start + size) continue;
    const target = elf.symbols[r.symbol];
    if (r.type !== R_BPF_64_ABS64 || !target || target.type !== SymbolType.FUNC)
      throw new RelocationError(
        `byte ${r.offset - start} should point at a program (a function), not at "${target?.name ?? r.symbol}"`,
        vw,
      );
    programsAt.set(r.offset - start, target.name);
  }
  const members: StructOpsMember[] = struct.members.map((m) => {
    if (m.bitfieldSize !== 0 || m.bitOffset % 8 !== 0)
      throw new ObjectError(`member "${m.name}" is a bitfield; struct_ops members must be whole bytes`, vw);
    const offset = m.bitOffset / 8;
    const type = btf.typeById(btf.resolve(m.type));
    const isFunction = type.kind === "ptr" && btf.typeById(btf.resolve(type.type)).kind === "func_proto";
    return { name: m.name, offset, size: btf.sizeOf(m.type), isFunction, program: programsAt.get(offset) };
  });
  for (const [offset, program] of programsAt) {
    if (!members.some((m) => m.offset === offset && m.isFunction))
      throw new RelocationError(`program "${program}" is stored at byte ${offset}, which is no function pointer`, vw);
  }
  return {
    name: variable.name,
    section: section.name,
    link: section.name === ".struct_ops.link",
    typeName: struct.name,
    typeId: struct.id,
    data: new Uint8Array(section.data.subarray(start, start + size)),
    members,
    sectionIndex: section.index,
    offset: start,
  };
}

/** A struct_ops variable laid out for the running kernel (or any kernel's BTF). */
export interface KernelStructOps {
  /** The kernel's struct (the programs' attach_btf_id). */
  structTypeId: number;
  /** The kernel's `bpf_struct_ops_<name>` (the map's btf_vmlinux_value_type_id) and its size. */
  valueTypeId: number;
  valueSize: number;
  /** The map value with every data member in place; program fds go at `programs[].offset`. */
  value: Uint8Array;
  /** Each program the struct points to: the member's index (its expected_attach_type) and where its fd goes. */
  programs: { program: string; member: string; memberIndex: number; offset: number }[];
}

/**
 * Lays a struct_ops variable out as the kernel's map value: members are matched by name; data
 * members are copied (their sizes must agree); a member the kernel lacks must be zero in the object.
 */
export function kernelStructOps(def: StructOpsDefinition, kernel: Btf): KernelStructOps {
  const what = `struct_ops "${def.name}"`;
  const structTypeId = kernel.findByName(def.typeName, "struct")[0];
  if (structTypeId === undefined)
    throw new ObjectError(`the kernel has no struct ${def.typeName} (no such struct_ops type in its BTF)`, what);
  const valueName = `bpf_struct_ops_${def.typeName}`;
  const valueTypeId = kernel.findByName(valueName, "struct")[0];
  if (valueTypeId === undefined)
    throw new ObjectError(
      `the kernel cannot register a ${def.typeName} from BPF (its BTF has no struct ${valueName})`,
      what,
    );
  const kernelStruct = kernel.typeById(structTypeId) as StructType;
  const valueStruct = kernel.typeById(valueTypeId) as StructType;
  const dataMember = valueStruct.members.find((m) => m.name === "data");
  if (!dataMember) throw new ObjectError(`the kernel's struct ${valueName} has no "data" member`, what);
  const base = dataMember.bitOffset / 8;
  const value = new Uint8Array(valueStruct.size);
  const programs: KernelStructOps["programs"] = [];
  for (const m of def.members) {
    const index = kernelStruct.members.findIndex((k) => k.name === m.name);
    const local = def.data.subarray(m.offset, m.offset + m.size);
    if (index < 0) {
      if (m.program || local.some((b) => b !== 0))
        throw new ObjectError(
          `member "${m.name}" is set, but the kernel's struct ${def.typeName} has no such member`,
          what,
        );
      continue;
    }
    const k = kernelStruct.members[index]!;
    const offset = base + k.bitOffset / 8;
    if (m.isFunction) {
      if (m.program) programs.push({ program: m.program, member: m.name, memberIndex: index, offset });
      continue;
    }
    const kernelSize = kernel.sizeOf(k.type);
    if (kernelSize !== m.size)
      throw new ObjectError(
        `member "${m.name}" is ${m.size} bytes in the object but ${kernelSize} in the kernel's struct ${def.typeName}`,
        what,
      );
    value.set(local, offset);
  }
  return { structTypeId, valueTypeId, valueSize: valueStruct.size, value, programs };
}
