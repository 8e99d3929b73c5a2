// The framework the tools (count, dump, flows, tcp, exec, top) share: NDJSON, the live view,
// Prometheus metrics, the run's lifecycle, interface selection, privilege checks, XDP attaching.
export { jsonNumber, ndjsonLine, nonSnakeCaseKeys, NdjsonWriter } from "./ndjson.js";
export { LiveView, fitHeight, fitWidth, type LiveOutput, type LiveViewOptions } from "./live-view.js";
export {
  MetricsRegistry,
  MetricsServer,
  MetricsAddressError,
  parseListenAddress,
  parseExposition,
  escapeLabelValue,
  CONTENT_TYPE,
  type MetricFamily,
  type MetricType,
  type Sample,
  type ListenAddress,
  type ParsedFamily,
} from "./metrics.js";
export {
  ToolRuntime,
  describeStop,
  type StopReason,
  type ToolRuntimeOptions,
  type CleanupFailure,
} from "./lifecycle.js";
export { listInterfaces, selectInterfaces, type InterfaceTarget, type SelectOptions } from "./interfaces.js";
export {
  Capability,
  effectiveCapabilities,
  hasCapability,
  requireCapabilities,
  requireToolPrivileges,
  canReadTracefs,
  describePrivilege,
  TOOL_PRIVILEGES,
  MissingPrivilegeError,
  type CapabilityName,
  type Privilege,
  type ToolName,
} from "./privilege.js";
export {
  attachXdpLink,
  describeXdpAttachment,
  loadXdpProgram,
  xdpLinksSupported,
  isLinkAttachment,
  XDP_MODES,
} from "./xdp.js";
export { TOOL_OPTIONS, TOOL_OPTIONS_USAGE, parseSeconds, parsePositiveInt } from "./flags.js";
export { siNumber, formatBytes, formatBitRate, formatRate, clockTime, formatDuration } from "./format.js";
