// Programs: one class per kind, each with load and attach, and the test runs. The public part of
// the folder; the kinds table, the shared attach plumbing and the BTF id look-ups stay inside.
export {
  Program,
  VerifierError,
  type ProgramSpec,
  type LoadOptions,
  type Bytecode,
  type SourceLine,
  type FunctionMark,
} from "./program.js";
export { testRun, testRunAsync, TestRunFlags, type TestRunInput, type TestRunResult } from "./test-run.js";
export { AttachPointBusyError } from "./net-common.js";
export { XdpProgram, attachXdp, xdpInfo, type XdpMode, type XdpAttachOptions } from "./xdp.js";
export { TcProgram, attachTc, tcInfo, TcxAction, type TcDirection, type TcAttachOptions } from "./tc.js";
export { SocketFilterProgram, attachSocketFilter, Socket, openPacketSocket, socketPair } from "./socket-filter.js";
export {
  CgroupSkbProgram,
  CgroupSockProgram,
  CgroupSockAddrProgram,
  SockOpsProgram,
  CgroupSysctlProgram,
  CgroupSockoptProgram,
  CgroupDeviceProgram,
  attachCgroup,
  openCgroup,
} from "./cgroup.js";
export { TracepointProgram, attachTracepoint } from "./tracepoint.js";
export { tracepointFormat, tracepointField, type TracepointFormat, type TracepointField } from "./tracepoint-format.js";
export { RawTracepointProgram, attachRawTracepoint } from "./raw-tracepoint.js";
export { TpBtfProgram, attachTracing } from "./tp-btf.js";
export { UprobeProgram, attachUprobe, attachUprobeMulti } from "./uprobe.js";
export { PerfEventProgram, attachPerfEventProgram } from "./perf-event.js";
export { IterProgram, attachIter, IterLink, IterReader } from "./iter.js";
export { attachToSocketMap } from "./sk-skb.js";
export { SkLookupProgram, FlowDissectorProgram, attachNetns, type NetnsTarget } from "./netns-hooks.js";
export { SkReuseportProgram, attachReuseport, type SkReuseportSpec } from "./sk-reuseport.js";
export { KprobeProgram, attachKprobe, attachKprobeMulti, kprobeSupport } from "./kprobe.js";
export { FentryProgram } from "./fentry.js";
