// Watching an fd from Node's own event loop. Node's main thread runs libuv's default loop, and
// the node binary exports libuv's functions (addons link against them), so koffi can put a
// uv_poll_t on any pollable fd — an epoll set included — and libuv calls back on the main thread
// when it is readable. A wake-up then costs what it costs a C program sleeping in epoll: the
// kernel wakes the one thread that will handle the event, and no thread pool or second thread
// is involved. Not available off the main thread (a worker's loop is not the default one) or
// where the running binary does not export libuv; LoopWatch.open() then returns undefined.
import { isMainThread } from "node:worker_threads";
import koffi from "koffi";
import { native } from "./libc.js";

/** uv_handle_type UV_POLL (libuv 1.x ABI). */
const UV_POLL = 8;
const UV_READABLE = 1;

interface Uv {
  defaultLoop: () => number;
  handleSize: (type: number) => number;
  pollInit: (loop: number, handle: number, fd: number) => number;
  pollStart: (handle: number, events: number, cb: unknown) => number;
  pollStop: (handle: number) => number;
  close: (handle: number, cb: unknown) => void;
  ref: (handle: number) => void;
  unref: (handle: number) => void;
  onPoll: unknown;
  onClose: unknown;
}

/** Open watches by handle address: libuv's callbacks name the handle, not the watch. */
const watches = new Map<number, LoopWatch>();
let uv: Uv | null | undefined;

function bindUv(): Uv | null {
  if (uv !== undefined) return uv;
  uv = null;
  if (!isMainThread) return uv;
  try {
    const self = koffi.load(null as unknown as string);
    const pollCb = koffi.proto("void tsbpf_uv_poll_cb(long handle, int status, int events)");
    const closeCb = koffi.proto("void tsbpf_uv_close_cb(long handle)");
    uv = {
      defaultLoop: self.func("long uv_default_loop()"),
      handleSize: self.func("size_t uv_handle_size(int)"),
      pollInit: self.func("int uv_poll_init(long, long, int)"),
      pollStart: self.func("int uv_poll_start(long, int, tsbpf_uv_poll_cb *)"),
      pollStop: self.func("int uv_poll_stop(long)"),
      close: self.func("void uv_close(long, tsbpf_uv_close_cb *)"),
      ref: self.func("void uv_ref(long)"),
      unref: self.func("void uv_unref(long)"),
      // Registered once for the process (koffi has a bounded number of callback slots).
      onPoll: koffi.register((handle: number) => watches.get(handle)?.ready(), koffi.pointer(pollCb)),
      onClose: koffi.register((handle: number) => native.free(BigInt(handle)), koffi.pointer(closeCb)),
    };
  } catch {
    uv = null; // a binary without libuv's symbols: the caller falls back
  }
  return uv;
}

/**
 * A uv_poll_t on `fd` in the main thread's event loop: `onReadable` runs (on the main thread,
 * as any I/O callback) whenever the fd is readable. It keeps the process alive only while ref'd.
 */
export class LoopWatch implements Disposable {
  #handle: number;
  readonly #uv: Uv;

  private constructor(
    u: Uv,
    handle: number,
    private readonly onReadable: () => void,
  ) {
    this.#uv = u;
    this.#handle = handle;
  }

  /** Watches `fd`, unref'd; undefined where Node's loop cannot be reached (see the module comment). */
  static open(fd: number, onReadable: () => void): LoopWatch | undefined {
    const u = bindUv();
    if (!u) return undefined;
    const raw = native.malloc(u.handleSize(UV_POLL));
    if (raw === null || raw === 0n) return undefined;
    const handle = Number(raw);
    if (u.pollInit(u.defaultLoop(), handle, fd) !== 0) {
      native.free(raw);
      return undefined;
    }
    const watch = new LoopWatch(u, handle, onReadable);
    u.unref(handle);
    if (u.pollStart(handle, UV_READABLE, u.onPoll) !== 0) {
      u.close(handle, u.onClose);
      return undefined;
    }
    watches.set(handle, watch);
    return watch;
  }

  /** @internal Called by libuv through the registered callback. */
  ready(): void {
    this.onReadable();
  }

  /** Keeps the process alive (someone waits), or lets it exit. */
  setRef(ref: boolean): void {
    if (this.#handle === 0) return;
    if (ref) this.#uv.ref(this.#handle);
    else this.#uv.unref(this.#handle);
  }

  /** Stops watching; libuv lets go of the fd now and frees the handle on its next turn. */
  close(): void {
    if (this.#handle === 0) return;
    watches.delete(this.#handle);
    this.#uv.pollStop(this.#handle);
    this.#uv.close(this.#handle, this.#uv.onClose);
    this.#handle = 0;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
