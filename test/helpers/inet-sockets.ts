// IPv4 TCP and UDP sockets made with plain system calls, synchronously, so a test can create them
// inside a network namespace (withNetns runs synchronous code only) and give their fds to maps.
// Node's own sockets are made on the event loop later, and have no SO_REUSEPORT before Node 22.
import koffi from "koffi";

const libc = koffi.load("libc.so.6");
type Fn<A extends unknown[], R> = (...args: A) => R;
const c = {
  socket: libc.func("int socket(int, int, int)") as Fn<[number, number, number], number>,
  setsockopt: libc.func("int setsockopt(int, int, int, const void *, unsigned int)") as Fn<
    [number, number, number, Buffer, number],
    number
  >,
  bind: libc.func("int bind(int, const void *, unsigned int)") as Fn<[number, Buffer, number], number>,
  listen: libc.func("int listen(int, int)") as Fn<[number, number], number>,
  connect: libc.func("int connect(int, const void *, unsigned int)") as Fn<[number, Buffer, number], number>,
  accept4: libc.func("int accept4(int, void *, void *, int)") as Fn<[number, null, null, number], number>,
  getsockname: libc.func("int getsockname(int, void *, _Inout_ unsigned int *)") as Fn<
    [number, Buffer, number[]],
    number
  >,
  sendto: libc.func("long sendto(int, const void *, size_t, int, const void *, unsigned int)") as Fn<
    [number, Buffer, number, number, Buffer, number],
    number
  >,
  recv: libc.func("long recv(int, void *, size_t, int)") as Fn<[number, Buffer, number, number], number>,
  close: libc.func("int close(int)") as Fn<[number], number>,
  errno: koffi.errno as () => number,
};

const AF_INET = 2,
  SOCK_STREAM = 1,
  SOCK_DGRAM = 2,
  SOCK_NONBLOCK = 0o4000,
  SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1,
  SO_REUSEPORT = 15,
  SO_SNDTIMEO = 21;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;

/** struct sockaddr_in for `address`:`port`. */
function sockaddr(address: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  address.split(".").forEach((part, i) => b.writeUInt8(Number(part), 4 + i));
  return b;
}

function check(result: number, what: string): number {
  if (result < 0) throw Object.assign(new Error(`${what}: errno ${c.errno()}`), { errno: c.errno() });
  return result;
}

/** An IPv4 socket fd, closed by close() or `using`. */
export class InetSocket implements Disposable {
  #fd: number;
  private constructor(fd: number) {
    this.#fd = fd;
  }

  static tcp(): InetSocket {
    return new InetSocket(check(c.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket(TCP)"));
  }
  /** A listening TCP socket on `address`:`port` (0: any free port), non-blocking for accept(). */
  static listen(address: string, port = 0): InetSocket {
    const s = new InetSocket(check(c.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket(TCP)"));
    try {
      s.bind(address, port);
      check(c.listen(s.fd, 16), "listen");
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  }
  /** A non-blocking UDP socket, with SO_REUSEPORT when asked (before bind). */
  static udp(options: { reusePort?: boolean } = {}): InetSocket {
    const s = new InetSocket(check(c.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket(UDP)"));
    if (options.reusePort) {
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      check(c.setsockopt(s.fd, SOL_SOCKET, SO_REUSEPORT, one, 4), "setsockopt(SO_REUSEPORT)");
    }
    return s;
  }

  get fd(): number {
    if (this.#fd < 0) throw new Error("socket closed");
    return this.#fd;
  }

  bind(address: string, port: number): this {
    check(c.bind(this.fd, sockaddr(address, port), 16), `bind ${address}:${port}`);
    return this;
  }

  /** The local port. */
  get port(): number {
    const addr = Buffer.alloc(16);
    check(c.getsockname(this.fd, addr, [16]), "getsockname");
    return addr.readUInt16BE(2);
  }

  /** A blocking connect (over loopback it completes in the call): 0, or the errno it failed with. */
  connect(address: string, port: number): number {
    const timeout = Buffer.alloc(16); // struct timeval: give up after 5 s instead of hanging a test
    timeout.writeBigInt64LE(5n, 0);
    check(c.setsockopt(this.fd, SOL_SOCKET, SO_SNDTIMEO, timeout, 16), "setsockopt(SO_SNDTIMEO)");
    return c.connect(this.fd, sockaddr(address, port), 16) < 0 ? c.errno() : 0;
  }

  /** A connection waiting on this listener, or null when none is. */
  accept(): InetSocket | null {
    const fd = c.accept4(this.fd, null, null, SOCK_CLOEXEC);
    if (fd < 0) {
      if (c.errno() === EAGAIN) return null;
      check(fd, "accept4");
    }
    return new InetSocket(fd);
  }

  sendTo(data: Uint8Array, address: string, port: number): void {
    const b = Buffer.from(data);
    check(c.sendto(this.fd, b, b.length, 0, sockaddr(address, port), 16), `sendto ${address}:${port}`);
  }

  /** Every datagram queued now. */
  drain(): Buffer[] {
    const out: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    for (;;) {
      const n = c.recv(this.fd, buf, buf.length, MSG_DONTWAIT);
      if (n < 0) {
        if (c.errno() === EAGAIN) return out;
        check(n, "recv");
      }
      out.push(Buffer.from(buf.subarray(0, n)));
    }
  }

  close(): void {
    if (this.#fd >= 0) c.close(this.#fd);
    this.#fd = -1;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
