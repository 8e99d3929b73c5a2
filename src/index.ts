/**
 * tsbpf — eBPF for TypeScript. The public API: instructions and the assembler, BTF, maps,
 * programs (one class per kind, each with load and attach), links, events, test runs.
 * The syscall layer (src/sys) stays internal; only its typed errors are exported.
 *
 * @module tsbpf
 */
export * from "./asm/index.js";
export * from "./btf/index.js";
export * from "./maps/index.js";
export * from "./events/index.js";
// Names two modules both export: the explicit choice wins over the star exports.
export type { MapBtf } from "./maps/index.js";
export type { MapRef } from "./asm/index.js";
export {
  MapType, ProgType, AttachType, LinkType, MapFlags, UpdateFlags, ProgFlags, XdpAction, TcAction, enumName,
} from "./uapi.js";
export { TsbpfError, Errno, errnoName } from "./errors.js";
export { SyscallError, PermissionError, NotSupportedError, TargetNotFoundError, AlreadyAttachedError } from "./sys/errors.js";
export { InterfaceNotFoundError, NetlinkError } from "./sys/netlink.js";
export { withNetns } from "./sys/netns.js";
export { ensureBpffs, ensureTracefs, cgroup2Path } from "./sys/mounts.js";
export { defaultInterface } from "./sys/route.js";
export { type Attachment, Link, LegacyAttachment } from "./links/link.js";
export { Program, VerifierError, type ProgramSpec, type LoadOptions, type Bytecode, type SourceLine, type FunctionMark } from "./programs/program.js";
export { testRun, testRunAsync, TestRunFlags, type TestRunInput, type TestRunResult } from "./programs/test-run.js";
export { AttachPointBusyError } from "./programs/net-common.js";
export { XdpProgram, attachXdp, xdpInfo, type XdpMode, type XdpAttachOptions } from "./programs/xdp.js";
export { TcProgram, attachTc, tcInfo, TcxAction, type TcDirection, type TcAttachOptions } from "./programs/tc.js";
export { SocketFilterProgram, attachSocketFilter, Socket, openPacketSocket, socketPair } from "./programs/socket-filter.js";
export { CgroupSkbProgram, CgroupSockProgram, CgroupSockAddrProgram, SockOpsProgram, attachCgroup, openCgroup } from "./programs/cgroup.js";
export { TracepointProgram, attachTracepoint } from "./programs/tracepoint.js";
export { tracepointFormat, tracepointField, type TracepointFormat, type TracepointField } from "./programs/tracepoint-format.js";
export { RawTracepointProgram, attachRawTracepoint } from "./programs/raw-tracepoint.js";
export { TpBtfProgram, attachTracing } from "./programs/tp-btf.js";
export { UprobeProgram, attachUprobe, attachUprobeMulti } from "./programs/uprobe.js";
export { PerfEventProgram, attachPerfEventProgram } from "./programs/perf-event.js";
export { IterProgram, attachIter, IterLink, IterReader } from "./programs/iter.js";
export { attachToSocketMap } from "./programs/sk-skb.js";
export { KprobeProgram, attachKprobe, attachKprobeMulti, kprobeSupport } from "./programs/kprobe.js";
export { FentryProgram } from "./programs/fentry.js";
export { listPrograms, listMaps, listLinks, listBtf, getProgram, getMap, getLink, programInstructions, programListing, enableRunStats } from "./introspect.js";
export { probeFeatures, systemFacts, programTypeSupported, mapTypeSupported, helperSupported } from "./features.js";
export * from "./object/index.js";
export * from "./loader/index.js";
// tcpdump filter expressions compiled to eBPF, and capture files.
export * from "./filter/index.js";
export * from "./pcap/index.js";
