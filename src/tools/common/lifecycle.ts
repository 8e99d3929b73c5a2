// A tool's run: everything it sets up is registered here and torn down in reverse order when the
// run ends — by SIGINT/SIGTERM/SIGHUP, by the tool itself (--count reached), by an outer
// AbortSignal, or by an error. A second signal while stopping skips the graceful path: what is
// left is released synchronously and the process exits at once.
//
// bpf_links are file descriptors: the kernel detaches them when the process dies, however it
// dies, so SIGKILL leaves nothing attached. The teardown here is for the clean path (summary,
// flushing, closing the metrics socket) and for attachments that are not links (netlink
// fallbacks on old kernels), which also get a last synchronous chance on process "exit".

export type StopReason =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "done" }
  | { kind: "aborted"; reason: unknown };

export interface ToolRuntimeOptions {
  /** Signals that stop the run (default SIGINT, SIGTERM, SIGHUP). */
  signals?: readonly NodeJS.Signals[];
  /** An outer signal (embedding, tests) that also stops the run. */
  signal?: AbortSignal;
  /** Called when a signal stops the run (e.g. to print "stopping…"). */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Whether to install process signal handlers at all (default true). */
  handleSignals?: boolean;
}

interface Cleanup {
  label: string;
  run: () => void | PromiseLike<void>;
}

/** A failure while tearing something down: reported, never thrown over the tool's own result. */
export interface CleanupFailure {
  label: string;
  error: unknown;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export class ToolRuntime {
  readonly #controller = new AbortController();
  readonly #cleanups: Cleanup[] = [];
  readonly #signals: readonly NodeJS.Signals[];
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  readonly #onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  readonly #outer: AbortSignal | undefined;
  readonly #onOuterAbort = (): void => {
    this.stop({ kind: "aborted", reason: this.#outer?.reason });
  };
  readonly #onExit = (): void => {
    this.#releaseSync();
  };
  #reason: StopReason | undefined;
  #closed = false;
  readonly startedAt = performance.now();
  readonly startTime = new Date();

  constructor(options: ToolRuntimeOptions = {}) {
    this.#signals = options.handleSignals === false ? [] : (options.signals ?? ["SIGINT", "SIGTERM", "SIGHUP"]);
    this.#onSignal = options.onSignal;
    for (const sig of this.#signals) {
      const handler = (): void => this.#signalled(sig);
      this.#handlers.set(sig, handler);
      process.on(sig, handler);
    }
    process.on("exit", this.#onExit);
    this.#outer = options.signal;
    if (this.#outer?.aborted) this.#onOuterAbort();
    else this.#outer?.addEventListener("abort", this.#onOuterAbort, { once: true });
  }

  /** Aborted when the run should end; pass it to anything that waits. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stopped(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Why the run ended (undefined while it runs). */
  get stopReason(): StopReason | undefined {
    return this.#reason;
  }

  /** Seconds since the runtime was created. */
  get elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Ends the run (the first reason given wins). */
  stop(reason: StopReason = { kind: "done" }): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller.abort(reason);
  }

  #signalled(signal: NodeJS.Signals): void {
    if (this.#reason) {
      // Second signal: the user insists. Release what we hold now and go.
      this.#releaseSync();
      process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
    }
    this.#onSignal?.(signal);
    this.stop({ kind: "signal", signal });
  }

  /**
   * Registers a teardown step; steps run last-registered first. Returns `resource` for chaining
   * (`const link = rt.defer("xdp on eth0", attach(), (l) => l.detach())`).
   */
  defer<T>(label: string, resource: T, release: (resource: T) => void | PromiseLike<void>): T {
    this.#cleanups.push({ label, run: () => release(resource) });
    return resource;
  }

  /** Registers a Disposable (or AsyncDisposable) to be disposed at the end. */
  use<T extends Disposable | AsyncDisposable>(label: string, resource: T): T {
    return this.defer(label, resource, (r) =>
      Symbol.asyncDispose in r ? (r as AsyncDisposable)[Symbol.asyncDispose]() : (r as Disposable)[Symbol.dispose](),
    );
  }

  /** Waits `ms`; resolves true when the time passed, false as soon as the run stops. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          this.signal.removeEventListener("abort", onAbort);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Ticks every `intervalMs` on a fixed schedule (start + k·interval, so timing does not drift
   * with the work done per tick), `count` times or until the run stops. Each tick says how long
   * its interval really was. After `count` ticks the run is stopped with reason "done".
   */
  async *ticks(
    intervalMs: number,
    count?: number,
  ): AsyncGenerator<{ index: number; seconds: number }, void, undefined> {
    const start = performance.now();
    let previous = start;
    for (let index = 0; count === undefined || index < count; index++) {
      const due = start + (index + 1) * intervalMs;
      if (!(await this.sleep(due - performance.now()))) return;
      const now = performance.now();
      yield { index, seconds: (now - previous) / 1000 };
      previous = now;
    }
    this.stop({ kind: "done" });
  }

  /**
   * Tears everything down (last registered first), removes the signal handlers, and returns what
   * failed to tear down. Idempotent.
   */
  async close(): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    if (this.#closed) return failures;
    this.stop();
    while (this.#cleanups.length > 0) {
      const step = this.#cleanups.pop()!;
      try {
        await step.run();
      } catch (error) {
        failures.push({ label: step.label, error });
      }
    }
    this.#closed = true;
    this.#detachHandlers();
    return failures;
  }

  /**
   * close(), with each teardown failure written as one line ("TOOL: releasing LABEL failed:
   * MESSAGE"); false when something could not be released (the tool then exits with status 1).
   */
  async closeReporting(tool: string, write: (text: string) => void): Promise<boolean> {
    const failures = await this.close();
    for (const { label, error } of failures)
      write(`${tool}: releasing ${label} failed: ${(error as Error)?.message ?? String(error)}\n`);
    return failures.length === 0;
  }

  /** Last resort on exit paths that cannot wait: synchronous steps run, async ones are started. */
  #releaseSync(): void {
    while (this.#cleanups.length > 0) {
      const step = this.#cleanups.pop()!;
      try {
        const pending = step.run();
        if (pending)
          Promise.resolve(pending).catch(() => {
            /* the process is going away */
          });
      } catch {
        /* keep releasing the rest */
      }
    }
    this.#closed = true;
    this.#detachHandlers();
  }

  #detachHandlers(): void {
    for (const [sig, handler] of this.#handlers) process.off(sig, handler);
    this.#handlers.clear();
    process.off("exit", this.#onExit);
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
  }
}

/** "SIGTERM", "--count reached", … for summaries. */
export function describeStop(reason: StopReason | undefined): string {
  if (!reason) return "running";
  switch (reason.kind) {
    case "signal":
      return reason.signal;
    case "done":
      return "done";
    case "aborted":
      return "aborted";
  }
}

/** The fields every tool's NDJSON summary record starts with (docs/tools.md). */
export function summaryHead(
  elapsedSeconds: number,
  stop: StopReason | undefined,
): { type: "summary"; time: string; duration_s: number; stopped_by: string } {
  return {
    type: "summary",
    time: new Date().toISOString(),
    duration_s: Math.round(elapsedSeconds * 1000) / 1000,
    stopped_by: describeStop(stop),
  };
}
