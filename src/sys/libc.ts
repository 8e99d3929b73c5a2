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
    [null, number, number, number, number, number],
    bigint
  >,
  munmap: libc.func("int munmap(void *, size_t)") as Fn<[bigint, number], number>,
  mprotect: libc.func("int mprotect(void *, size_t, int)") as Fn<[bigint, number, number], number>,
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

/**
 * bpf(cmd, attr, size) for the hot paths (map element operations): returns the result, or -errno
 * when it failed. See bpfTrampoline() for how it is made.
 */
export const bpfRaw: (cmd: number, attrAddress: number, size: number) => number = bpfTrampoline() ?? bpfThroughLibc;

function bpfThroughLibc(cmd: number, attrAddress: number, size: number): number {
  const ret = native.syscall3(SYS.bpf, cmd, attrAddress, size);
  return ret < 0 ? -koffi.errno() : ret;
}

/** Whether bpfRaw is the trampoline (false: libc's syscall(), on arm64 or where it could not be made). */
export const bpfTrampolineActive = bpfRaw !== bpfThroughLibc;

/**
 * A native function without parameters that makes the bpf() system call with the arguments
 * stored in a small native block: x86-64 machine code written into a page of its own, then made
 * read-only and executable. koffi calls a function without parameters on a cheaper path than
 * libc's syscall() with four (no argument conversion), and the raw system call returns -errno
 * itself, so errno is never read. Measured on x86-64: koffi adds about 35 ns to a call without
 * parameters and about 55 ns to syscall() with four, against a map lookup of about 400 ns in C. Where the page cannot be made executable (W^X policies), on other
 * architectures, or with TSBPF_BPF_TRAMPOLINE=0 in the environment, bpfRaw is libc's syscall().
 * Each thread that loads this module (the main thread, each worker) makes its own and keeps it
 * (4 KiB) until the process ends: a module-level function may be called until the very last moment.
 */
function bpfTrampoline(): ((cmd: number, attrAddress: number, size: number) => number) | undefined {
  if (process.arch !== "x64" || process.env.TSBPF_BPF_TRAMPOLINE === "0") return undefined;
  const PROT_READ = 1,
    PROT_WRITE = 2,
    PROT_EXEC = 4,
    MAP_PRIVATE = 0x02,
    MAP_ANONYMOUS = 0x20;
  // The arguments: cmd, attr, size as three u64s; written through `words` (the high words of cmd
  // and size stay 0).
  const args = native.malloc(24);
  if (args === null || args === 0n) return undefined;
  const words = new Uint32Array(koffi.view(args, 24));
  words.fill(0);
  const page = native.mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page === 0xffff_ffff_ffff_ffffn || page === 0n) {
    native.free(args);
    return undefined;
  }
  const code = [
    [0x48, 0xb9], // mov rcx, imm64: the arguments' address
    [...new Uint8Array(new BigUint64Array([args]).buffer)],
    [0x48, 0x8b, 0x39], // mov rdi, [rcx]
    [0x48, 0x8b, 0x71, 0x08], // mov rsi, [rcx + 8]
    [0x48, 0x8b, 0x51, 0x10], // mov rdx, [rcx + 16]
    [0xb8, ...new Uint8Array(new Uint32Array([SYS.bpf]).buffer)], // mov eax, __NR_bpf
    [0x0f, 0x05], // syscall (clobbers rcx and r11, both caller-saved)
    [0xc3], // ret: rax is the result or -errno
  ].flat();
  new Uint8Array(koffi.view(page, 4096)).set(code);
  if (native.mprotect(page, 4096, PROT_READ | PROT_EXEC) !== 0) {
    native.munmap(page, 4096);
    native.free(args);
    return undefined;
  }
  const call = koffi.decode(page, koffi.proto("long tsbpf_bpf_trampoline()")) as () => number;
  const trampoline = (cmd: number, attrAddress: number, size: number): number => {
    words[0] = cmd;
    words[2] = attrAddress >>> 0;
    words[3] = Math.floor(attrAddress / 0x1_0000_0000);
    words[4] = size;
    return call();
  };
  // Check it against libc before use: an invalid command must fail with the same errno both ways.
  if (trampoline(-1 >>> 0, 0, 0) !== bpfThroughLibc(-1 >>> 0, 0, 0)) {
    native.munmap(page, 4096);
    native.free(args);
    return undefined;
  }
  return trampoline;
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
