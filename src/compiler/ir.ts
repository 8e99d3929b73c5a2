// The compiler's intermediate representation: functions of basic blocks over an unlimited supply
// of virtual registers, each tagged with the kind of pointer it holds, so the later passes (and a
// reader of `dumpFunction`) know what the verifier will think of it. Instructions are three-address;
// the register allocator maps virtual registers to r0–r9 (or stack slots) and codegen turns them
// into eBPF's two-address form.

/** What a register holds, as the verifier will track it. */
export type PtrKind =
  | "scalar"
  | "ctx" // the program's context
  | "packet" // into packet data (XDP / TC)
  | "packetEnd" // data_end
  | "stack" // into this function's frame
  | "mapValue" // a map value (non-null)
  | "mapValueOrNull" // a lookup result before its null test
  | "map" // a map itself (helper argument)
  | "mem" // ring buffer record (non-null)
  | "memOrNull" // ring buffer reservation before its null test
  | "btf" // a kernel object typed by BTF (tp_btf arguments, task_btf)
  | "pointer"; // a pointer of a kind this function does not know (a subprogram's argument)

export type VReg = number;

/** A source operand: a register, or a 32-bit immediate. */
export type Operand = { reg: VReg } | { imm: number };

/** What a helper or subprogram argument can be; map and stack addresses are materialised at the call. */
export type CallArg = Operand | { map: string } | { fp: number } | { func: string };

/** Where a memory access is based: a register, or the frame pointer r10 (stack slots at negative offsets). */
export type Base = { reg: VReg } | { fp: true };

export type AluOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "sdiv"
  | "mod"
  | "smod"
  | "or"
  | "and"
  | "xor"
  | "lsh"
  | "rsh"
  | "arsh";
export type CmpOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "sgt" | "sge" | "slt" | "sle" | "set";
export type Width = 32 | 64;
export type MemSize = 1 | 2 | 4 | 8;
export type AtomicOp = "add" | "or" | "and" | "xor";

/**
 * A kernel struct field access to relocate at load time (CO-RE): the path from a struct of the
 * compile-time BTF (`root`, a type id there) through member names (found through anonymous
 * members like C) and constant array indexes. The instruction's offset (load) or immediate (add)
 * is the field's byte offset in the compile-time layout.
 */
export interface CoreAccess {
  root: number;
  steps: readonly (string | number)[];
  /**
   * The relocation kind (bpf_core_relo_kind) when it is not the field's byte offset: field
   * existence (on a mov of 1), or an enumerator's value / existence (root an enum, one step: its name).
   */
  kind?: number;
}

/** A source position for line_info. */
export interface SrcLoc {
  file: string;
  line: number;
  column: number;
  text: string;
}

export type Instr = (
  | { op: "mov"; w: Width; dst: VReg; src: Operand }
  | { op: "lddw"; dst: VReg; value: bigint }
  | { op: "alu"; w: Width; alu: AluOp; dst: VReg; a: VReg; b: Operand }
  | { op: "neg"; w: Width; dst: VReg; a: VReg }
  /** dst = byte-swapped a: "be" converts host ↔ network order, truncating to `bits`. */
  | { op: "endian"; bits: 16 | 32 | 64; dst: VReg; a: VReg }
  /** dst = sign-extended low `bits` of a (to 64 bits when w = 64, to 32 when w = 32). */
  | { op: "movsx"; w: Width; bits: 8 | 16 | 32; dst: VReg; a: VReg }
  | { op: "load"; size: MemSize; signed: boolean; dst: VReg; base: Base; off: number }
  | { op: "store"; size: MemSize; base: Base; off: number; src: Operand }
  | { op: "atomic"; size: 4 | 8; aop: AtomicOp; base: Base; off: number; src: VReg }
  | { op: "call"; helper: number; args: CallArg[]; dst?: VReg }
  | { op: "callLocal"; fn: string; args: CallArg[]; dst?: VReg }
  | { op: "ldmap"; dst: VReg; map: string }
  /** dst = address of `offset` in a global data section (.rodata / .data / .bss). */
  | { op: "ldglobal"; dst: VReg; section: string; offset: number }
  | { op: "addr"; dst: VReg; fp: number }
  /** The function's incoming arguments r1..rN land in these registers. */
  | { op: "params"; regs: VReg[] }
) & { loc?: SrcLoc; core?: CoreAccess };

export type Terminator = (
  | { op: "jmp"; target: Block }
  | { op: "br"; cmp: CmpOp; w: Width; a: VReg; b: Operand; then: Block; else: Block }
  | { op: "ret"; value: Operand }
) & { loc?: SrcLoc };

export class Block {
  readonly instrs: Instr[] = [];
  term: Terminator | undefined;
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

export interface IrFunction {
  name: string;
  /** The program's entry (ctx in r1) or a subprogram / callback. */
  kind: "main" | "sub";
  blocks: Block[];
  entry: Block;
  /** Kind of each virtual register (index = VReg). */
  kinds: PtrKind[];
  /** Bytes of stack used by locals (slots at fp-1 … fp-frameSize). */
  frameSize: number;
  argCount: number;
  /** Whether a subprogram returns a value. */
  returnsValue: boolean;
  loc?: SrcLoc;
}

export class FunctionBuilder {
  readonly blocks: Block[] = [];
  readonly kinds: PtrKind[] = [];
  frameSize = 0;
  current: Block;
  readonly entry: Block;
  currentLoc: SrcLoc | undefined;

  constructor(
    readonly name: string,
    readonly kind: "main" | "sub",
  ) {
    this.entry = this.newBlock("entry");
    this.current = this.entry;
  }

  newBlock(name: string): Block {
    const b = new Block(this.blocks.length, name);
    this.blocks.push(b);
    return b;
  }

  vreg(kind: PtrKind = "scalar"): VReg {
    this.kinds.push(kind);
    return this.kinds.length - 1;
  }

  /** Whether the current block already ended (code after return/break is unreachable). */
  get terminated(): boolean {
    return this.current.term !== undefined;
  }

  emit(instr: Instr): void {
    if (this.current.term) {
      // Unreachable code after a return: give it a block nobody jumps to (removed later).
      this.current = this.newBlock("dead");
    }
    if (this.currentLoc && !instr.loc) instr.loc = this.currentLoc;
    this.current.instrs.push(instr);
  }

  terminate(term: Terminator): void {
    if (this.current.term) return;
    if (this.currentLoc && !term.loc) term.loc = this.currentLoc;
    this.current.term = term;
  }

  jump(target: Block): void {
    this.terminate({ op: "jmp", target });
  }

  /** Starts emitting into `block`. */
  setBlock(block: Block): void {
    this.current = block;
  }

  /** Reserves `size` bytes of stack aligned to `align`; returns the (negative) fp offset. */
  allocStack(size: number, align = 8): number {
    this.frameSize = Math.ceil((this.frameSize + size) / align) * align;
    return -this.frameSize;
  }

  finish(argCount: number, returnsValue: boolean, loc?: SrcLoc): IrFunction {
    return {
      name: this.name,
      kind: this.kind,
      blocks: this.blocks,
      entry: this.entry,
      kinds: this.kinds,
      frameSize: this.frameSize,
      argCount,
      returnsValue,
      loc,
    };
  }
}

// ---- inspection ---------------------------------------------------------------------------------

function opnd(o: Operand | CallArg): string {
  if ("reg" in o) return `v${o.reg}`;
  if ("imm" in o) return String(o.imm);
  if ("map" in o) return `map(${o.map})`;
  if ("fp" in o) return `fp${o.fp}`;
  return `func(${o.func})`;
}

function base(b: Base): string {
  return "fp" in b ? "fp" : `v${b.reg}`;
}

/** Registers an instruction reads. */
export function uses(i: Instr | Terminator): VReg[] {
  const out: VReg[] = [];
  const o = (x: Operand | CallArg) => {
    if ("reg" in x) out.push(x.reg);
  };
  const b = (x: Base) => {
    if ("reg" in x) out.push(x.reg);
  };
  switch (i.op) {
    case "mov":
      o(i.src);
      break;
    case "alu":
      out.push(i.a);
      o(i.b);
      break;
    case "neg":
    case "endian":
    case "movsx":
      out.push(i.a);
      break;
    case "load":
      b(i.base);
      break;
    case "store":
      b(i.base);
      o(i.src);
      break;
    case "atomic":
      b(i.base);
      out.push(i.src);
      break;
    case "call":
    case "callLocal":
      i.args.forEach(o);
      break;
    case "br":
      out.push(i.a);
      o(i.b);
      break;
    case "ret":
      o(i.value);
      break;
    default:
      break;
  }
  return out;
}

/** Registers an instruction writes. */
export function defs(i: Instr | Terminator): VReg[] {
  switch (i.op) {
    case "mov":
    case "lddw":
    case "alu":
    case "neg":
    case "endian":
    case "movsx":
    case "load":
    case "ldmap":
    case "ldglobal":
    case "addr":
      return [i.dst];
    case "call":
    case "callLocal":
      return i.dst === undefined ? [] : [i.dst];
    case "params":
      return i.regs;
    default:
      return [];
  }
}

export function successors(b: Block): Block[] {
  const t = b.term;
  if (!t) return [];
  if (t.op === "jmp") return [t.target];
  if (t.op === "br") return t.then === t.else ? [t.then] : [t.then, t.else];
  return [];
}

export function formatInstr(i: Instr | Terminator): string {
  switch (i.op) {
    case "mov":
      return `v${i.dst} =${i.w === 32 ? "w" : ""} ${opnd(i.src)}`;
    case "lddw":
      return `v${i.dst} = ${i.value} ll`;
    case "alu":
      return `v${i.dst} =${i.w === 32 ? "w" : ""} v${i.a} ${i.alu} ${opnd(i.b)}`;
    case "neg":
      return `v${i.dst} =${i.w === 32 ? "w" : ""} -v${i.a}`;
    case "endian":
      return `v${i.dst} = be${i.bits}(v${i.a})`;
    case "movsx":
      return `v${i.dst} =${i.w === 32 ? "w" : ""} (s${i.bits}) v${i.a}`;
    case "load":
      return `v${i.dst} = *(${i.signed ? "s" : "u"}${i.size * 8} *)(${base(i.base)} ${i.off >= 0 ? "+" : "-"} ${Math.abs(i.off)})`;
    case "store":
      return `*(u${i.size * 8} *)(${base(i.base)} ${i.off >= 0 ? "+" : "-"} ${Math.abs(i.off)}) = ${opnd(i.src)}`;
    case "atomic":
      return `lock *(u${i.size * 8} *)(${base(i.base)} + ${i.off}) ${i.aop}= v${i.src}`;
    case "call":
      return `${i.dst === undefined ? "" : `v${i.dst} = `}call #${i.helper}(${i.args.map(opnd).join(", ")})`;
    case "callLocal":
      return `${i.dst === undefined ? "" : `v${i.dst} = `}call ${i.fn}(${i.args.map(opnd).join(", ")})`;
    case "ldmap":
      return `v${i.dst} = map(${i.map})`;
    case "ldglobal":
      return `v${i.dst} = &${i.section}[${i.offset}]`;
    case "addr":
      return `v${i.dst} = fp${i.fp}`;
    case "params":
      return `params ${i.regs.map((r) => `v${r}`).join(", ")}`;
    case "jmp":
      return `goto ${i.target.name}${i.target.id}`;
    case "br":
      return `if v${i.a} ${i.cmp}${i.w === 32 ? "32" : ""} ${opnd(i.b)} goto ${i.then.name}${i.then.id} else ${i.else.name}${i.else.id}`;
    case "ret":
      return `return ${opnd(i.value)}`;
  }
}

/** A readable listing of a function (for debugging and tests). */
export function dumpFunction(f: IrFunction): string {
  const lines = [`function ${f.name} (${f.kind}, frame ${f.frameSize})`];
  for (const b of f.blocks) {
    lines.push(`${b.name}${b.id}:`);
    for (const i of b.instrs) lines.push(`  ${formatInstr(i)}`);
    if (b.term) lines.push(`  ${formatInstr(b.term)}`);
  }
  return lines.join("\n");
}
