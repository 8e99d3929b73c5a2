// The public face of the filter compiler: an expression and where it will run in, eBPF out — as a
// standalone program, as a function a capture program calls, or as a block inlined into one.
//
//   const f = compileFilter("tcp port 80", { linkType: 1, context: "xdp" });
//   const prog = Program.load({ type: f.programType, code: f.program, name: "filter" });
//
//   // inside a capture program (ctx in r1):
//   asm.callLocal("filter");          // r0 = 1 on match, 0 otherwise
//   ...
//   f.emitFunction(asm, "filter");     // after the caller's own code
import { Assembler, type AssembledProgram } from "../asm/assembler.js";
import { listing } from "../asm/disasm.js";
import type { Instruction } from "../asm/instruction.js";
import { ProgType } from "../uapi.js";
import { Program } from "../programs/program.js";
import { AsmError } from "../asm/errors.js";
import { Errno } from "../errors.js";
import { VerifierError } from "../programs/program.js";
import { FilterError } from "./errors.js";
import { SyscallError } from "../sys/errors.js";
import type { FilterAst } from "./ast.js";
import { FilterCodegen, type CodegenOptions, type FilterContext } from "./codegen.js";
import type { Dag } from "./dag.js";
import { analyzeFilter } from "./frontend.js";
import type { Cond } from "./ir.js";
import type { LowerOptions } from "./lower.js";

export type { FilterContext } from "./codegen.js";

export interface FilterOptions {
  /** LINKTYPE_* of the packets: 1 Ethernet (default), 101 raw IP, 113 Linux cooked, 276 Linux cooked v2, 0 BSD loopback, 9 PPP, 104 Cisco HDLC. */
  linkType?: number;
  /** Where the code runs (default "xdp"). */
  context?: FilterContext;
  /** See CodegenOptions.wireLength. */
  wireLength?: CodegenOptions["wireLength"];
  /** tc: pull non-linear data first (default true). */
  pullNonLinear?: boolean;
  /** socket: LD_ABS/LD_IND (default) or bpf_skb_load_bytes (always used by emitFunction). */
  socketLoads?: CodegenOptions["socketLoads"];
  /** Link type 0: byte order of the capturing host (default "little"). */
  loopbackByteOrder?: LowerOptions["loopbackByteOrder"];
  /** For `ip broadcast` (default 0, as tcpdump when reading files). */
  netmask?: number;
  /** Standalone program results. Defaults: xdp PASS (2) / DROP (1); tc TC_ACT_OK (0) / TC_ACT_SHOT (2);
   *  socket 262144 (keep the packet, tcpdump's snapshot length) / 0 (drop). */
  matchReturn?: number;
  noMatchReturn?: number;
}

export interface InlineOptions {
  /** Label to jump to on a match / no match (defined by the caller). */
  match: string;
  noMatch: string;
  /** Prefix of the filter's own labels (default "filter_"). */
  prefix?: string;
  /** The filter uses stack below this fp offset (default -64 inline, 0 in emitFunction); at most 160 bytes. */
  stackTop?: number;
}

export interface CompiledFilter {
  readonly expression: string;
  readonly linkType: number;
  readonly context: FilterContext;
  readonly ast: FilterAst;
  /** The conditions the expression stands for, before optimization. */
  readonly conditions: Cond;
  /** The optimized decision graph the code is generated from. */
  readonly graph: Dag;
  /** The standalone program (returns matchReturn / noMatchReturn). */
  readonly program: AssembledProgram;
  readonly bytes: Buffer;
  readonly insns: Instruction[];
  /** The program type the standalone program is for. */
  readonly programType: ProgType;
  /** Verifier-style listing of the standalone program. */
  listing(): string[];
  /** Emits the filter as a function `name(ctx) → r0 = 1 match / 0 no match` (callable with callLocal). */
  emitFunction(asm: Assembler, name: string): void;
  /**
   * Emits the filter inline: the context must be in r6 (it is kept); r0–r5 and r7–r9 are clobbered;
   * control ends at `match` or `noMatch`. In the socket context an out-of-bounds load ends the whole
   * program with 0 (LD_ABS semantics), which drops the packet.
   */
  emitInline(asm: Assembler, options: InlineOptions): void;
}

const PROG_TYPE: Record<FilterContext, ProgType> = {
  xdp: ProgType.XDP,
  tc: ProgType.SCHED_CLS,
  socket: ProgType.SOCKET_FILTER,
};
const DEFAULT_RETURNS: Record<FilterContext, [number, number]> = { xdp: [2, 1], tc: [0, 2], socket: [262144, 0] };

let counter = 0;

/** Compiles a pcap-filter expression to eBPF. Throws FilterError (with the position) if it does not compile. */
export function compileFilter(expression: string, options: FilterOptions = {}): CompiledFilter {
  try {
    return compile(expression, options);
  } catch (e) {
    // and/or/not and parentheses nest without limit; the values of arithmetic are still walked
    // recursively, so thousands of nested loads or operators end here rather than in a stack trace
    if (e instanceof RangeError && /call stack/.test(e.message))
      throw new FilterError(
        "unsupported",
        "arithmetic nested too deeply to compile (thousands of levels of operators or loads)",
        expression,
        0,
        1,
        false,
      );
    throw e;
  }
}

function compile(expression: string, options: FilterOptions): CompiledFilter {
  const linkType = options.linkType ?? 1;
  const context = options.context ?? "xdp";
  const lower: LowerOptions = { linkType };
  if (options.loopbackByteOrder) lower.loopbackByteOrder = options.loopbackByteOrder;
  if (options.netmask !== undefined) lower.netmask = options.netmask;
  const { ast, cond, dag } = analyzeFilter(expression, lower);
  const cg: CodegenOptions = { context };
  if (options.wireLength) cg.wireLength = options.wireLength;
  if (options.pullNonLinear !== undefined) cg.pullNonLinear = options.pullNonLinear;
  if (options.socketLoads) cg.socketLoads = options.socketLoads;

  const [matchRet, noMatchRet] = DEFAULT_RETURNS[context];
  const a = new Assembler();
  a.mov64("r6", "r1");
  const gen = new FilterCodegen(a, dag, cg, { match: "match", noMatch: "nomatch", prefix: "f_", follows: "match" });
  gen.emit();
  if (gen.used.match)
    a.label("match")
      .mov32("r0", options.matchReturn ?? matchRet)
      .exit();
  if (gen.used.noMatch)
    a.label("nomatch")
      .mov32("r0", options.noMatchReturn ?? noMatchRet)
      .exit();
  const program = assembleWithinLimits(a, expression);

  return {
    expression,
    linkType,
    context,
    ast,
    conditions: cond,
    graph: dag,
    program,
    bytes: program.bytes,
    insns: program.insns,
    programType: PROG_TYPE[context],
    listing: () => listing(program.insns),
    emitFunction(asm: Assembler, name: string): void {
      const prefix = `${name}_${counter++}_`;
      asm.func(name);
      asm.mov64("r6", "r1");
      // LD_ABS is not accepted in a bpf-to-bpf function here: socket filters read through bpf_skb_load_bytes
      const fcg: CodegenOptions = context === "socket" ? { ...cg, socketLoads: "helper" } : cg;
      const gen = new FilterCodegen(asm, dag, fcg, {
        match: `${prefix}match`,
        noMatch: `${prefix}nomatch`,
        prefix,
        stackTop: 0,
        follows: `${prefix}match`,
      });
      gen.emit();
      if (gen.used.match) asm.label(`${prefix}match`).mov32("r0", 1).exit();
      if (gen.used.noMatch) asm.label(`${prefix}nomatch`).mov32("r0", 0).exit();
    },
    emitInline(asm: Assembler, o: InlineOptions): void {
      const prefix = o.prefix ?? `filter${counter++}_`;
      new FilterCodegen(asm, dag, cg, {
        match: o.match,
        noMatch: o.noMatch,
        prefix,
        stackTop: o.stackTop ?? -64,
      }).emit();
    },
  };
}

/** The kernel's limit on a program's length (BPF_COMPLEXITY_LIMIT_INSNS; a classic program: 4096). */
export const MAX_FILTER_INSNS = 1_000_000;

function tooLarge(expression: string, what: string): FilterError {
  return new FilterError("unsupported", `expression too large for the kernel: ${what}`, expression, 0, 1, false);
}

/** Assembles the standalone program, or says in one line why the kernel could not take it. */
function assembleWithinLimits(a: Assembler, expression: string): AssembledProgram {
  let program: AssembledProgram;
  try {
    program = a.assemble();
  } catch (e) {
    // a conditional jump reaches 32767 instructions at most (the code jumps to one shared exit)
    if (e instanceof AsmError && /out of range/.test(e.message))
      throw tooLarge(expression, `its ${a.length} instructions need jumps longer than eBPF's 32767`);
    throw e;
  }
  if (program.insns.length > MAX_FILTER_INSNS)
    throw tooLarge(expression, `${program.insns.length} instructions, more than ${MAX_FILTER_INSNS}`);
  return program;
}

/**
 * Loads a compiled filter's standalone program. BPF_PROG_LOAD gives up with EAGAIN when a signal
 * (a child process exiting, a timer) arrives during verification; the load is then simply retried.
 */
export function loadFilterProgram(filter: CompiledFilter, name = "tsbpf_filter"): Program {
  for (let attempt = 0; ; attempt++) {
    try {
      return Program.load({ type: filter.programType, code: filter.program, name });
    } catch (e) {
      if (attempt < 20 && e instanceof SyscallError && e.errno === Errno.EAGAIN) continue;
      // the verifier gives up on programs too long or with too many branches in a row
      if (e instanceof VerifierError && e.errno === Errno.E2BIG)
        throw tooLarge(
          filter.expression,
          `the verifier gives up on its ${filter.insns.length} instructions (${e.verdict})`,
        );
      throw e;
    }
  }
}
