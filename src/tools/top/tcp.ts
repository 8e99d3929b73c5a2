// The TCP panel of `tsbpf top`: connections and bytes per process from a TcpTracker (the best
// hooks the kernel allows, counted in the kernel per process; one map read per interval).
// Machine-wide.
import type { MetricsRegistry } from "../common/metrics.js";
import { countersText, intervalRecord, processTable, registerTcpMetrics } from "../tcp/report.js";
import { TcpTracker, type TcpSnapshot } from "../tcp/tracker.js";
import type { FrameContext, Panel } from "./panel.js";

export class TcpPanel implements Panel {
  readonly key = "tcp";
  readonly title = "TCP by process";
  readonly #tracker: TcpTracker;
  readonly #startTime: Date;
  #snapshot: TcpSnapshot | undefined;

  constructor(tracker: TcpTracker, options: { startTime: Date }) {
    this.#tracker = tracker;
    this.#startTime = options.startTime;
  }

  get programIds(): readonly number[] {
    return Object.values(this.#tracker.programIds);
  }

  sample(): void {
    this.#snapshot = this.#tracker.snapshot();
  }

  lines(context: FrameContext): string[] {
    const s = this.#snapshot;
    if (!s) return [this.title];
    return [`${this.title}: ${countersText(s.interval)}`, ...processTable(s.processes.slice(0, context.rows))];
  }

  record(): Record<string, unknown> {
    const s = this.#snapshot;
    if (!s) return { available: true };
    // time and interval are the top record's own
    const { type: _type, time: _time, elapsed_s: _elapsed, interval_s: _interval, ...fields } = intervalRecord(s, 0);
    return { available: true, ...fields };
  }

  registerMetrics(registry: MetricsRegistry): void {
    registerTcpMetrics(registry, this.#tracker, this.#startTime);
  }

  summary(): string {
    return `tcp: ${countersText(this.#snapshot?.total ?? this.#tracker.counters())}`;
  }

  [Symbol.dispose](): void {
    this.#tracker.close();
  }
}

/** Opens the tracker without per-connection records: top shows only the per-process counts. */
export function openTcpPanel(options: { startTime: Date }): TcpPanel {
  return new TcpPanel(TcpTracker.open({ closedConnections: false }), options);
}
