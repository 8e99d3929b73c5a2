// The tcp tool's reusable parts: TcpTracker (TCP connections and traffic per process, counted in
// the kernel from tracepoints) for other tools such as the live `top`, and runTcp for embedding.
export {
  TcpTracker,
  TCP_STATES,
  TCP_TRACEPOINTS,
  addressText,
  decodeClosed,
  type TcpTrackerOptions,
  type TcpCounters,
  type TcpProcessRow,
  type TcpSnapshot,
  type ClosedConnection,
  type SnapshotOptions,
} from "./tracker.js";
export { runTcp, type TcpOptions } from "./run.js";
