// The exec tool's reusable parts: ExecTracer (decoded exec events, for other tools such as the
// live `tsbpf top` and its "recent execs"), the line and record formats, and runExec for embedding.
export {
  ExecTracer,
  loadExecObject,
  errnoName,
  MAX_ARGS,
  MAX_ARG_BYTES,
  type ExecEvent,
  type ExecTracerOptions,
} from "./tracer.js";
export {
  commandLine,
  eventLine,
  eventRecord,
  eventJson,
  headerLine,
  nameMatcher,
  TRUNCATION_MARKER,
  ExecCounts,
} from "./report.js";
export { runExec, type ExecOptions } from "./run.js";
