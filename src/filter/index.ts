/**
 * tcpdump filter expressions (pcap-filter(7)) compiled straight to eBPF.
 *
 * @module tsbpf/filter
 */

export {
  compileFilter,
  loadFilterProgram,
  type CompiledFilter,
  type FilterOptions,
  type InlineOptions,
  type FilterContext,
} from "./compile.js";
export { FilterError, type FilterErrorKind } from "./errors.js";
export { parseFilter } from "./parser.js";
export { tokenize, type Token } from "./lexer.js";
export type { FilterAst, Expr, Arith, Qualifiers, IdValue, Span } from "./ast.js";
export { lowerFilter, SUPPORTED_LINK_TYPES, filterableLinkType, type LowerOptions } from "./lower.js";
export { analyzeFilter, type Analysis } from "./frontend.js";
export { buildDag, evalDag, type Dag, type DagNode, type Target } from "./dag.js";
export { condText, valText, type Cond, type Val } from "./ir.js";
export { FilterCodegen, type CodegenOptions, type EmitTarget } from "./codegen.js";
export { parseCbpf, runCbpf, cbpfToEbpf, emitCbpf, type CbpfInsn, type CbpfHost } from "./cbpf.js";
export { PacketRunner, SocketPairRunner, XDP_TEST_RUN_MAX, type RunnerKind } from "./run.js";
export { replayCapture, filterUsesLength, type ReplayOptions, type ReplayResult } from "./replay.js";
