// The flows tool's reusable parts: FlowTracker (top flows with rates, counted in the kernel) for
// other tools such as a live `top`, the Flow type and its text forms, and runFlows for embedding.
export {
  FlowTracker,
  byIntervalBytes,
  type FlowTrackerOptions,
  type FlowRate,
  type FlowSnapshot,
  type InterfaceRate,
  type SnapshotOptions,
} from "./tracker.js";
export {
  DIRECTIONS,
  destinationPortText,
  sourcePortText,
  protocolLabel,
  ipv4Text,
  ipv6Text,
  flowId,
  type Direction,
  type Flow,
} from "./flow.js";
export type { TotalRow, Traffic, ProbeAttachment } from "./probe.js";
export { runFlows, type FlowsOptions } from "./run.js";
