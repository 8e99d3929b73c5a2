// A panel of `tsbpf top`: one source of kernel data (the network probe, the TCP tracker, the exec
// tracer) with its part of each frame, of each NDJSON interval record and of /metrics. A source
// that cannot start here (a kernel without the hook, say) becomes an UnavailablePanel that says
// why, so the other panels still run. The agent (tools/agent) runs the same panels headless.
import { PermissionError } from "../../sys/errors.js";
import type { MetricsRegistry } from "../common/metrics.js";

export interface FrameContext {
  /** Rows the panel may use for its table (its title and header not counted). */
  rows: number;
}

export interface Panel extends Disposable {
  /** Key of the panel's part of the NDJSON record ("network", "tcp", "execs"). */
  readonly key: string;
  readonly title: string;
  /** Kernel ids of the programs it loaded (in the start record, so that leftovers can be checked). */
  readonly programIds: readonly number[];
  /** Reads the kernel's counters at the end of an interval of `seconds`. */
  sample(seconds: number): void;
  /** The panel's lines in the frame, title first. */
  lines(context: FrameContext): string[];
  /** Its part of the interval record (values NDJSON-ready: snake_case keys, bigints allowed). */
  record(): Record<string, unknown>;
  /** Registers its metric families. */
  registerMetrics(registry: MetricsRegistry): void;
  /** Its part of the summary printed at exit. */
  summary(): string;
}

/** A source that could not start: the panel shows the reason instead of data. */
export class UnavailablePanel implements Panel {
  readonly key: string;
  readonly title: string;
  readonly reason: string;
  readonly programIds: readonly number[] = [];

  constructor(key: string, title: string, reason: string) {
    this.key = key;
    this.title = title;
    this.reason = reason;
  }

  sample(): void {}
  lines(): string[] {
    return [`${this.title}: unavailable: ${this.reason}`];
  }
  record(): Record<string, unknown> {
    return { available: false, reason: this.reason };
  }
  registerMetrics(): void {}
  summary(): string {
    return `${this.title}: unavailable (${this.reason})`;
  }
  [Symbol.dispose](): void {}
}

/** The first line of an error, for a panel that could not start. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0]!;
}

export interface PanelSpec {
  key: string;
  title: string;
  open: () => Panel;
}

/** Opens each panel; a failure other than a missing privilege makes it an UnavailablePanel. */
export function openPanels(specs: readonly PanelSpec[], warn: (message: string) => void): Panel[] {
  return specs.map((spec) => {
    try {
      return spec.open();
    } catch (err) {
      if (err instanceof PermissionError) throw err;
      warn(`${spec.title}: unavailable: ${reasonOf(err)}`);
      return new UnavailablePanel(spec.key, spec.title, reasonOf(err));
    }
  });
}
