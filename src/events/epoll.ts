// Waiting for kernel event sources (ring buffers, perf buffers) without blocking Node's event
// loop and without polling on a timer.
//
// A Poller owns one epoll set, and Node's own event loop watches that set (a uv_poll_t on the
// epoll fd, see sys/event-loop.ts): when a source is ready the kernel wakes the main thread's
// libuv, which calls us back; we collect the events with a non-blocking epoll_wait and settle
// the waiters. One wake-up of one thread per burst, as for a C reader in epoll_wait; no thread
// pool job, no second thread. The watch keeps the process alive only while some watcher waits.
//
// Off the main thread (a worker_thread has its own loop) the Poller falls back to keeping ONE
// epoll_wait(…, -1) outstanding as a koffi async call on the libuv thread pool, shared by every
// reader of that thread; writing its eventfd ends the blocked call when the last waiter leaves,
// so the thread can exit. That costs far more per wake-up (a pool job and its completion).
//
// Sources are registered EPOLLONESHOT: once an fd fires it is disarmed until its reader has
// drained it and waits again (EPOLL_CTL_MOD re-arms it and re-checks readiness, so data that
// arrived in between is never missed). Without it, a level-triggered source that still holds
// data would make the worker's next epoll_wait return at once, before the main thread had a
// chance to drain it.
import { lastErrno, native, NativeMemory } from "../sys/libc.js";
import { LoopWatch } from "../sys/event-loop.js";
import { TsbpfError } from "../errors.js";
import { syscallError } from "../sys/errors.js";

export const EpollEvents = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  RDNORM: 0x040,
  WRNORM: 0x100,
  ONESHOT: 1 << 30,
} as const;

const EPOLL_CTL_ADD = 1,
  EPOLL_CTL_DEL = 2,
  EPOLL_CTL_MOD = 3;
const EPOLL_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000,
  EFD_CLOEXEC = 0o2000000;
// struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16 bytes).
const EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const EVENT_DATA_OFFSET = process.arch === "x64" ? 4 : 8;
const MAX_EVENTS = 64;
/** Token of the eventfd in the epoll set; watchers get 1, 2, … */
const WAKE_TOKEN = 0;

type AsyncEpollWait = {
  async: (epfd: number, events: number, max: number, timeout: number, cb: (err: unknown, n: number) => void) => void;
};
const epollWaitAsync = native.epollWait as unknown as AsyncEpollWait;
const epollWaitNow = native.epollWait as unknown as (
  epfd: number,
  events: number,
  max: number,
  timeout: number,
) => number;

function check(ret: number, operation: string): number {
  if (ret < 0) throw syscallError(operation, lastErrno());
  return ret;
}

/**
 * One epoll set shared by many watchers, watched by Node's event loop. Use `Poller.shared`
 * unless you want a set of your own.
 */
export class Poller implements Disposable {
  static #shared: Poller | undefined;

  /** The process-wide poller every reader uses by default. */
  static get shared(): Poller {
    if (!Poller.#shared || Poller.#shared.closed) Poller.#shared = new Poller();
    return Poller.#shared;
  }

  #epfd: number;
  /** Node's loop watching our set; undefined off the main thread (the koffi async fallback). */
  readonly #loop: LoopWatch | undefined;
  /** Fallback only: ends the outstanding epoll_wait. */
  #eventfd = -1;
  #closed = false;
  /** An epoll_wait is running on a worker thread. */
  #inFlight = false;
  /** Watchers with a pending wait() (only they need the worker to be blocked in epoll_wait). */
  #armed = 0;
  #nextToken = WAKE_TOKEN + 1;
  readonly #watchers = new Map<number, Watch>();
  /** Fds registered in our set directly (not through an inner set). */
  readonly #direct = new Set<number>();
  /** Watches of an inner epoll set (see #collect). */
  readonly #nested = new Set<Watch>();
  /** Written by the worker thread during a wait, read afterwards on the main thread. */
  readonly #events = new NativeMemory(MAX_EVENTS * EVENT_SIZE);
  /** Main-thread scratch for epoll_ctl and the eventfd. */
  readonly #ctl = new NativeMemory(16);
  readonly #counter = new NativeMemory(8);

  constructor() {
    this.#epfd = check(native.epollCreate1(EPOLL_CLOEXEC), "epoll_create1");
    this.#loop = LoopWatch.open(this.#epfd, () => this.#collect());
    if (this.#loop) return;
    const efd = native.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
      const errno = lastErrno();
      native.close(this.#epfd);
      throw syscallError("eventfd", errno);
    }
    this.#eventfd = efd;
    this.ctl(EPOLL_CTL_ADD, this.#eventfd, EpollEvents.IN, WAKE_TOKEN);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Whether the poller is waiting for a watcher: Node's loop watching the set for it (and kept
   * alive by it), or, off the main thread, an epoll_wait occupying a pool thread (for tests and
   * diagnostics).
   */
  get waiting(): boolean {
    return this.#loop ? this.#armed > 0 && !this.#closed : this.#inFlight;
  }

  /** Watches one fd (a ring buffer map, a perf event) for `events` (EPOLLIN by default). */
  watch(fd: number, events: number = EpollEvents.IN): Watch {
    return this.#register([fd], events);
  }

  /**
   * Watches several fds as one source (the per-CPU perf events of one buffer): they are put in
   * an epoll set of their own, and that set is what the shared set watches. Re-arming then costs
   * one epoll_ctl however many CPUs there are.
   */
  watchAll(fds: readonly number[], events: number = EpollEvents.IN): Watch {
    return this.#register(fds, events);
  }

  #register(fds: readonly number[], events: number): Watch {
    if (this.#closed) throw new TsbpfError("the poller is closed");
    let inner = -1;
    let fd: number;
    if (fds.length === 1 && !this.#direct.has(fds[0]!)) {
      fd = fds[0]!;
    } else {
      // Several fds, or one that is already in our set (epoll takes an fd only once): give them
      // an epoll set of their own.
      inner = check(native.epollCreate1(EPOLL_CLOEXEC), "epoll_create1");
      try {
        // The inner set is level-triggered: it stays readable while any member is.
        for (const member of fds) this.ctl(EPOLL_CTL_ADD, member, events, member, inner);
      } catch (err) {
        native.close(inner);
        throw err;
      }
      fd = inner;
    }
    const token = this.#nextToken++;
    const outer = inner >= 0 ? EpollEvents.IN : events;
    try {
      // Added disarmed: ONESHOT with no events (only ERR/HUP could fire, and those mean "look").
      this.ctl(EPOLL_CTL_ADD, fd, EpollEvents.ONESHOT, token);
    } catch (err) {
      if (inner >= 0) native.close(inner);
      throw err;
    }
    const watch = new Watch(this, token, fd, inner, outer);
    this.#watchers.set(token, watch);
    if (inner < 0) this.#direct.add(fd);
    else this.#nested.add(watch);
    return watch;
  }

  /** epoll_ctl on our set (or on `epfd`). */
  ctl(op: number, fd: number, events: number, token: number, epfd = this.#epfd): void {
    const v = this.#ctl.view;
    v.setUint32(0, events >>> 0, true);
    v.setUint32(EVENT_DATA_OFFSET, token >>> 0, true);
    v.setUint32(EVENT_DATA_OFFSET + 4, 0, true);
    check(native.epollCtl(epfd, op, fd, this.#ctl.address), "epoll_ctl");
  }

  /** @internal A watcher started waiting: its fd was re-armed. */
  armed(): void {
    this.#armed++;
    if (!this.#loop) this.#startWait();
    else if (this.#armed === 1) this.#loop.setRef(true); // like a listening socket, a wait keeps the process alive
  }

  /** @internal A watcher stopped waiting without an event (abort, close). */
  disarmed(): void {
    this.#armed--;
    if (this.#loop) {
      if (this.#armed === 0) this.#loop.setRef(false);
      return;
    }
    // Nobody needs the blocked wait any more: end it, so an idle process can exit.
    if (this.#armed === 0 && this.#inFlight) this.#kick();
  }

  /** @internal */
  unregister(watch: Watch): void {
    this.#watchers.delete(watch.token);
    this.#nested.delete(watch);
    if (watch.innerEpollFd < 0) this.#direct.delete(watch.fd);
    if (this.#closed) return;
    try {
      this.ctl(EPOLL_CTL_DEL, watch.fd, 0, 0);
    } catch {
      /* the fd may already be gone */
    }
  }

  #kick(): void {
    this.#counter.view.setBigUint64(0, 1n, true);
    native.write(this.#eventfd, this.#counter.address, 8);
  }

  /** Node's loop saw our set readable: take what is ready, without blocking. */
  #collect(): void {
    if (this.#closed) return;
    this.#dispatch(epollWaitNow(this.#epfd, this.#events.address, MAX_EVENTS, 0));
    // A perf event reports readiness once per poll and clears it (perf_poll): libuv's own
    // epoll_wait, polling our set, polls the inner sets below it and may take that report
    // before our epoll_wait sees it. So every wake-up also wakes the watchers of inner sets;
    // a reader woken for nothing drains nothing and waits again.
    for (const watch of this.#nested) watch.fire(0);
  }

  #dispatch(n: number): void {
    const v = this.#events.view;
    for (let i = 0; i < n; i++) {
      const base = i * EVENT_SIZE;
      const token = v.getUint32(base + EVENT_DATA_OFFSET, true);
      if (token === WAKE_TOKEN) {
        native.read(this.#eventfd, this.#counter.address, 8); // reset the counter
        continue;
      }
      this.#watchers.get(token)?.fire(v.getUint32(base, true));
    }
  }

  #startWait(): void {
    if (this.#inFlight || this.#armed === 0 || this.#closed) return;
    this.#inFlight = true;
    epollWaitAsync.async(this.#epfd, this.#events.address, MAX_EVENTS, -1, (err, n) => {
      this.#inFlight = false;
      if (this.#closed) {
        this.#release();
        return;
      }
      if (err) {
        // koffi could not run the call at all (its async queue is full): fail the waiters.
        for (const w of this.#watchers.values()) w.fail(err);
        return;
      }
      this.#dispatch(n);
      // n < 0 (EINTR on the worker) just waits again.
      this.#startWait();
    });
  }

  #release(): void {
    if (this.#eventfd >= 0) native.close(this.#eventfd);
    native.close(this.#epfd);
    this.#events.free();
    this.#ctl.free();
    this.#counter.free();
  }

  /**
   * Closes the epoll set. Pending waits resolve with false. Off the main thread, if a wait is in
   * flight, the fds are closed when the pool thread returns (closing them under a running
   * epoll_wait would be unsafe).
   */
  close(): void {
    if (this.#closed) return;
    for (const w of [...this.#watchers.values()]) w.close();
    this.#closed = true;
    // libuv lets go of the fd inside uv_close, so the set can be closed right after.
    this.#loop?.close();
    if (this.#inFlight) this.#kick();
    else this.#release();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** One source watched by a Poller. At most one wait() is pending at a time. */
export class Watch implements Disposable {
  #pending:
    | { resolve: (ready: boolean) => void; reject: (err: unknown) => void; signal?: AbortSignal; onAbort?: () => void }
    | undefined;
  #promise: Promise<boolean> | undefined;
  #closed = false;

  /** @internal */
  constructor(
    readonly poller: Poller,
    /** @internal */ readonly token: number,
    /** The fd in the poller's set (an inner epoll fd for watchAll). */
    readonly fd: number,
    readonly innerEpollFd: number,
    readonly events: number,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves with true when the source is ready (or was already ready when called), false when
   * `signal` aborts or the watch is closed. Never rejects on abort. Calling it again while a wait
   * is pending returns the same promise.
   */
  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.#promise) return this.#promise;
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    this.#promise = new Promise<boolean>((resolve, reject) => {
      this.#pending = { resolve, reject, signal };
      if (signal) {
        const onAbort = (): void => this.#settle(false);
        this.#pending.onAbort = onAbort;
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const promise = this.#promise;
    try {
      this.poller.ctl(EPOLL_CTL_MOD, this.fd, this.events | EpollEvents.ONESHOT, this.token);
    } catch (err) {
      this.#pending!.reject(err);
      this.#cleanup();
      return promise;
    }
    this.poller.armed();
    return promise;
  }

  /** @internal The poller saw an event for us. */
  fire(_events: number): void {
    if (this.#pending) this.#settle(true);
  }

  /** @internal */
  fail(err: unknown): void {
    const p = this.#pending;
    if (!p) return;
    this.#cleanup();
    this.poller.disarmed();
    p.reject(err);
  }

  #settle(ready: boolean): void {
    const p = this.#pending;
    if (!p) return;
    this.#cleanup();
    // After an event the worker's wait has already returned; after an abort this may end it.
    this.poller.disarmed();
    p.resolve(ready);
  }

  #cleanup(): void {
    const p = this.#pending;
    if (p?.signal && p.onAbort) p.signal.removeEventListener("abort", p.onAbort);
    this.#pending = undefined;
    this.#promise = undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending) this.#settle(false);
    this.poller.unregister(this);
    if (this.innerEpollFd >= 0) native.close(this.innerEpollFd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
