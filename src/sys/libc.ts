// The one place where tsbpf touches native code: libc functions bound through koffi.
// Every declaration has a fixed arity (variadic koffi calls cost about twice as much), and
// pointers that the kernel reads or writes are passed as plain integer addresses of memory we
// allocated natively (see NativeMemory), so nothing depends on where V8 keeps its buffers.
import koffi from "koffi";

const libc = koffi.load("libc.so.6");

/** x86_64 system call numbers (this library targets Linux on x86_64 and arm64). */
export const SYS =
  process.arch === "arm64"
    ? { bpf: 280, perf_event_open: 241, setns: 268, memfd_create: 279 }
    : { bpf: 321, perf_event_open: 298, setns: 308, memfd_create: 319 };

type Fn<A extends unknown[], R> = (...args: A) => R;

export const native = {
  syscall3: libc.func("long syscall(long, long, long, long)") as Fn<[number, number, number, number], number>,
  syscall5: libc.func("long syscall(long, long, long, long, long, long)") as Fn<
    [number, number, number, number, number, number],
    number
  >,
  close: libc.func("int close(int)") as Fn<[number], number>,
  malloc: libc.func("void *malloc(size_t)") as Fn<[number], bigint | null>,
  free: libc.func("void free(void *)") as Fn<[bigint], void>,
  mmap: libc.func("void *mmap(void *, size_t, int, int, int, long)") as Fn<
    [bigint | null, number, number, number, number, number],
    bigint
  >,
  munmap: libc.func("int munmap(void *, size_t)") as Fn<[bigint, number], number>,
  ioctl: libc.func("int ioctl(int, unsigned long, long)") as Fn<[number, number, number], number>,
  read: libc.func("long read(int, long, size_t)") as Fn<[number, number, number], number>,
  write: libc.func("long write(int, long, size_t)") as Fn<[number, number, number], number>,
  open: libc.func("int open(const char *, int, int)") as Fn<[string, number, number], number>,
  eventfd: libc.func("int eventfd(unsigned int, int)") as Fn<[number, number], number>,
  epollCreate1: libc.func("int epoll_create1(int)") as Fn<[number], number>,
  epollCtl: libc.func("int epoll_ctl(int, int, int, long)") as Fn<[number, number, number, number], number>,
  epollWait: libc.func("int epoll_wait(int, long, int, int)"),
  socket: libc.func("int socket(int, int, int)") as Fn<[number, number, number], number>,
  socketpair: libc.func("int socketpair(int, int, int, long)") as Fn<[number, number, number, number], number>,
  setsockopt: libc.func("int setsockopt(int, int, int, long, unsigned int)") as Fn<
    [number, number, number, number, number],
    number
  >,
  getsockopt: libc.func("int getsockopt(int, int, int, long, long)") as Fn<
    [number, number, number, number, number],
    number
  >,
  bind: libc.func("int bind(int, long, unsigned int)") as Fn<[number, number, number], number>,
  send: libc.func("long send(int, long, size_t, int)") as Fn<[number, number, number, number], number>,
  recv: libc.func("long recv(int, long, size_t, int)") as Fn<[number, number, number, number], number>,
  ifNameToIndex: libc.func("unsigned int if_nametoindex(const char *)") as Fn<[string], number>,
  getuid: libc.func("unsigned int getuid()") as Fn<[], number>,
  getpagesize: libc.func("int getpagesize()") as Fn<[], number>,
};

/** errno of the last failed call. Only meaningful right after a call that returned < 0. */
export function lastErrno(): number {
  return koffi.errno();
}

/** A zero-copy view of native memory at `address` (used for mmapped ring buffers). */
export function viewOf(address: bigint, length: number): ArrayBuffer {
  return koffi.view(address, length);
}

const releaseNative = new FinalizationRegistry<bigint>((address) => native.free(address));

/**
 * A block of malloc'd memory with a stable address and a Buffer aliasing it. The kernel reads
 * and writes it through the address; JavaScript through `bytes`/`view`. Freed when garbage
 * collected, or explicitly with free().
 */
export class NativeMemory {
  readonly address: number;
  readonly bytes: Buffer;
  readonly view: DataView;
  #raw: bigint;

  constructor(readonly size: number) {
    const raw = native.malloc(Math.max(size, 8));
    if (raw === null || raw === 0n) throw new Error(`malloc(${size}) failed`);
    this.#raw = raw;
    this.address = Number(raw);
    this.bytes = Buffer.from(koffi.view(raw, Math.max(size, 8)), 0, size);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    releaseNative.register(this, raw, this);
  }

  /** Copies `data` into fresh native memory (NUL-terminated when it is a string). */
  static from(data: Uint8Array | string): NativeMemory {
    const src = typeof data === "string" ? Buffer.from(data + "\0") : data;
    const mem = new NativeMemory(src.length);
    mem.bytes.set(src);
    return mem;
  }

  free(): void {
    if (this.#raw === 0n) return;
    releaseNative.unregister(this);
    native.free(this.#raw);
    this.#raw = 0n;
  }
}
