/**
 * tsbpf/tools — the engines behind the `tsbpf` tools, for use in your own programs: each attaches
 * its kernel programs (prebuilt from kernel TypeScript) when opened and detaches them on close()
 * or dispose; the tools' own entry points (runTop, runFlows, …) take the CLI's options.
 *
 * @module tsbpf/tools
 */
export {
  PacketCounter,
  type CounterOptions,
  type CountTotals,
  type EtherTypeCount,
  type IpProtocolCount,
} from "./count/counter.js";
export {
  FlowTracker,
  type FlowTrackerOptions,
  type FlowRate,
  type FlowSnapshot,
  type InterfaceRate,
  type Flow,
  type Direction,
} from "./flows/index.js";
export {
  TcpTracker,
  type TcpTrackerOptions,
  type TcpCounters,
  type TcpProcessRow,
  type TcpSnapshot,
  type ClosedConnection,
} from "./tcp/index.js";
export {
  ExecTracer,
  MAX_ARGS,
  MAX_ARG_BYTES,
  commandLine,
  eventLine,
  type ExecEvent,
  type ExecTracerOptions,
} from "./exec/index.js";
export { runCount, type CountOptions } from "./count/run.js";
export { runDump, type DumpOptions } from "./dump/run.js";
export { runFlows, type FlowsOptions } from "./flows/run.js";
export { runTcp, type TcpOptions } from "./tcp/run.js";
export { runExec, type ExecOptions } from "./exec/run.js";
export { runTop, type TopOptions } from "./top/run.js";
export {
  MetricsRegistry,
  MetricsServer,
  LiveView,
  NdjsonWriter,
  ToolRuntime,
  MissingPrivilegeError,
} from "./common/index.js";
