// Socket filter programs (BPF_PROG_TYPE_SOCKET_FILTER): attached to one socket with
// setsockopt(SO_ATTACH_BPF), they see every packet the socket is about to receive and return how
// many bytes of it to keep (0 drops it). Also here: the sockets tests and tools attach them to —
// an AF_PACKET raw socket on an interface and a Unix socket pair.
import { Errno, TsbpfError } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import { lastErrno, native, NativeMemory } from "../sys/libc.js";
import { ETH_P_ALL, htons, InterfaceNotFoundError, resolveInterface } from "../sys/netlink.js";
import { ProgType } from "../uapi.js";
import { LegacyAttachment, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import type { KindSpec } from "./tracing-common.js";

const SOL_SOCKET = 1,
  SO_ATTACH_BPF = 50,
  SO_DETACH_BPF = 27;
const AF_UNIX = 1,
  AF_PACKET = 17;
const SOCK_STREAM = 1,
  SOCK_DGRAM = 2,
  SOCK_RAW = 3,
  SOCK_SEQPACKET = 5;
const SOCK_NONBLOCK = 0o4000,
  SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const ENOTSOCK = 88;

export class SocketFilterProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): SocketFilterProgram {
    const { fd, log } = loadRaw({ ...spec, type: ProgType.SOCKET_FILTER }, options);
    return new SocketFilterProgram(fd, ProgType.SOCKET_FILTER, spec.name ?? "", log, spec.maps ?? []);
  }

  /**
   * Attaches to a socket (SO_ATTACH_BPF), replacing any filter it had. Detach before closing the
   * socket: once a plain fd is closed its number may belong to another socket.
   */
  attachTo(socket: number | Socket): Attachment {
    return attachSocketFilter(this, socket);
  }
}

/** Attaches any loaded socket filter program to a socket (see SocketFilterProgram.attachTo). */
export function attachSocketFilter(program: { fd: number }, socket: number | Socket): Attachment {
  const fd = typeof socket === "number" ? socket : socket.fd;
  const value = new NativeMemory(4);
  try {
    value.view.setInt32(0, program.fd, true);
    if (native.setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, value.address, 4) < 0) {
      throw new SyscallError("setsockopt(SO_ATTACH_BPF)", lastErrno(), `socket fd ${fd}`);
    }
  } finally {
    value.free();
  }
  return new LegacyAttachment(`socket filter on fd ${fd}`, () => {
    if (typeof socket !== "number" && socket.closed) return; // closing the socket removed the filter
    const dummy = new NativeMemory(4);
    try {
      if (native.setsockopt(fd, SOL_SOCKET, SO_DETACH_BPF, dummy.address, 4) < 0) {
        const errno = lastErrno();
        // ENOENT: no filter any more; EBADF/ENOTSOCK: the socket is gone, and its filter with it.
        if (errno !== Errno.ENOENT && errno !== Errno.EBADF && errno !== ENOTSOCK)
          throw new SyscallError("setsockopt(SO_DETACH_BPF)", errno, `socket fd ${fd}`);
      }
    } finally {
      dummy.free();
    }
  });
}

/** A socket fd with blocking-free send/receive, closed by close() or `using`. */
export class Socket implements Disposable {
  #fd: number;
  #buf: NativeMemory | undefined;

  constructor(
    fd: number,
    readonly description: string,
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    if (this.#fd < 0) throw new TsbpfError(`${this.description} is closed`);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Sends one datagram/packet; returns the bytes sent. */
  send(data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const mem = NativeMemory.from(bytes);
    try {
      const n = native.send(this.fd, mem.address, bytes.length, MSG_DONTWAIT);
      if (n < 0) throw new SyscallError("send", lastErrno(), this.description);
      return n;
    } finally {
      mem.free();
    }
  }

  /** Receives one datagram/packet if one is queued, else returns null (never blocks). */
  recv(maxLength = 65536): Buffer | null {
    if (!this.#buf || this.#buf.size < maxLength) {
      this.#buf?.free();
      this.#buf = new NativeMemory(maxLength);
    }
    const n = native.recv(this.fd, this.#buf.address, maxLength, MSG_DONTWAIT);
    if (n < 0) {
      const errno = lastErrno();
      if (errno === Errno.EAGAIN) return null;
      throw new SyscallError("recv", errno, this.description);
    }
    return Buffer.from(this.#buf.bytes.subarray(0, n));
  }

  /** Receives everything queued now. */
  drain(maxLength = 65536): Buffer[] {
    const out: Buffer[] = [];
    for (let packet = this.recv(maxLength); packet; packet = this.recv(maxLength)) out.push(packet);
    return out;
  }

  close(): void {
    if (this.#fd >= 0) {
      native.close(this.#fd);
      this.#fd = -1;
    }
    this.#buf?.free();
    this.#buf = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export interface PacketSocketOptions {
  /** EtherType to receive, host order (default ETH_P_ALL: every packet, both directions). */
  protocol?: number;
  /** SOCK_RAW (default: with link-layer headers) or SOCK_DGRAM (without). */
  type?: "raw" | "dgram";
}

/**
 * An AF_PACKET socket bound to one interface of the calling thread's network namespace: it sees
 * the packets that interface sends and receives. Needs CAP_NET_RAW.
 */
export function openPacketSocket(iface: string | number, options: PacketSocketOptions = {}): Socket {
  const { ifindex, label } = resolveInterface(iface);
  const protocol = htons(options.protocol ?? ETH_P_ALL);
  const type = options.type === "dgram" ? SOCK_DGRAM : SOCK_RAW;
  const fd = native.socket(AF_PACKET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) throw new SyscallError("socket(AF_PACKET)", lastErrno(), label);
  const socket = new Socket(fd, `packet socket on ${label}`);
  // struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8].
  const addr = new NativeMemory(20);
  try {
    addr.bytes.fill(0);
    addr.view.setUint16(0, AF_PACKET, true);
    addr.view.setUint16(2, protocol, true);
    addr.view.setInt32(4, ifindex, true);
    if (native.bind(fd, addr.address, 20) < 0) {
      const errno = lastErrno();
      if (errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
      throw new SyscallError("bind(AF_PACKET)", errno, label);
    }
  } catch (err) {
    socket.close();
    throw err;
  } finally {
    addr.free();
  }
  return socket;
}

/** Two connected Unix sockets (socketpair(AF_UNIX)); "dgram" by default. */
export function socketPair(type: "dgram" | "stream" | "seqpacket" = "dgram"): [Socket, Socket] {
  const sockType = type === "stream" ? SOCK_STREAM : type === "seqpacket" ? SOCK_SEQPACKET : SOCK_DGRAM;
  const fds = new NativeMemory(8);
  try {
    if (native.socketpair(AF_UNIX, sockType | SOCK_CLOEXEC, 0, fds.address) < 0)
      throw new SyscallError("socketpair(AF_UNIX)", lastErrno());
    const a = fds.view.getInt32(0, true),
      b = fds.view.getInt32(4, true);
    return [new Socket(a, `unix ${type} socket fd ${a}`), new Socket(b, `unix ${type} socket fd ${b}`)];
  } finally {
    fds.free();
  }
}
