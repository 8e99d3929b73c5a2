// The exec panel of `tsbpf top`: the newest programs started on the machine, from an ExecTracer
// (syscall tracepoints, events through a ring buffer, read once per interval).
import type { MetricsRegistry } from "../common/metrics.js";
import { eventLine, eventRecord, ExecCounts, headerLine, registerExecMetrics } from "../exec/report.js";
import { ExecTracer, type ExecEvent } from "../exec/tracer.js";
import type { FrameContext, Panel } from "./panel.js";

export class ExecPanel implements Panel {
  readonly key = "execs";
  readonly title = "Recent execs";
  readonly #tracer: ExecTracer;
  readonly #startTime: Date;
  readonly #startNs = process.hrtime.bigint();
  readonly #keep: number;
  readonly #counts = new ExecCounts();
  /** Successful execs, newest last, at most #keep. */
  #recent: ExecEvent[] = [];
  #interval: ExecEvent[] = [];

  constructor(tracer: ExecTracer, options: { startTime: Date; keep: number }) {
    this.#tracer = tracer;
    this.#startTime = options.startTime;
    this.#keep = options.keep;
  }

  get programIds(): readonly number[] {
    return Object.values(this.#tracer.programIds);
  }

  sample(): void {
    const events = this.#tracer.read();
    for (const e of events) this.#counts.add(e);
    this.#interval = events;
    const started = events.filter((e) => e.ret === 0);
    this.#recent = [...this.#recent, ...started].slice(-this.#keep);
  }

  lines(context: FrameContext): string[] {
    const shown = this.#recent.slice(-context.rows).reverse();
    return [
      `${this.title}: ${this.#interval.length} in the interval, ${this.#counts.ok} started, ${this.#counts.failed} failed since start`,
      headerLine({}),
      ...shown.map((e) => eventLine(e, {})),
      ...(shown.length === 0 ? ["(no exec yet)"] : []),
    ];
  }

  record(): Record<string, unknown> {
    return {
      available: true,
      ok: this.#counts.ok,
      failed: this.#counts.failed,
      events: this.#interval.map((e) => {
        const { type: _type, ...fields } = eventRecord(e, this.#startNs);
        return fields;
      }),
    };
  }

  registerMetrics(registry: MetricsRegistry): void {
    registerExecMetrics(registry, this.#counts, () => this.#tracer.drops(), this.#startTime);
  }

  summary(): string {
    return `execs: ${this.#counts.ok} started, ${this.#counts.failed} failed`;
  }

  [Symbol.dispose](): void {
    this.#tracer.close();
  }
}

export function openExecPanel(options: { startTime: Date; keep: number; netnsInode?: number }): ExecPanel {
  return new ExecPanel(ExecTracer.open({ netnsInode: options.netnsInode }), options);
}
