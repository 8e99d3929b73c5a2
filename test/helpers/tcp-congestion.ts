// A TCP connection over loopback whose client chooses its congestion control with
// setsockopt(TCP_CONGESTION), as an application would, then pushes data through it. Plain libc
// sockets, synchronous, so it can run inside another network namespace (withNetns). Node's net
// module has no TCP_CONGESTION option.
import koffi from "koffi";
import { withNetns } from "../../src/sys/netns.js";

const libc = koffi.load("libc.so.6");
const socket = libc.func("int socket(int, int, int)");
const bind = libc.func("int bind(int, void *, unsigned int)");
const listen = libc.func("int listen(int, int)");
const accept = libc.func("int accept(int, void *, void *)");
const connect = libc.func("int connect(int, void *, unsigned int)");
const getsockname = libc.func("int getsockname(int, _Inout_ void *, _Inout_ void *)");
const setsockopt = libc.func("int setsockopt(int, int, int, void *, unsigned int)");
const getsockopt = libc.func("int getsockopt(int, int, int, _Inout_ void *, _Inout_ void *)");
const send = libc.func("long send(int, void *, size_t, int)");
const recv = libc.func("long recv(int, _Inout_ void *, size_t, int)");
const close = libc.func("int close(int)");

const AF_INET = 2;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const TCP_CONGESTION = 13;
const TCP_INFO = 11;
/** struct tcp_info: tcpi_snd_cwnd's offset (after 8 bytes of u8 fields and 18 u32s). */
const TCPI_SND_CWND = 80;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;

function check(ret: number, what: string): number {
  if (ret < 0) throw new Error(`${what} failed: errno ${koffi.errno()}`);
  return ret;
}

function loopback(port: number): Buffer {
  const sa = Buffer.alloc(16);
  sa.writeUInt16LE(AF_INET, 0);
  sa.writeUInt16BE(port, 2);
  sa.set([127, 0, 0, 1], 4);
  return sa;
}

export interface CongestionRun {
  /** What getsockopt(TCP_CONGESTION) says on the client socket after the transfer. */
  clientCongestion: string;
  bytes: number;
  /** The client's congestion window at the end (segments; TCP starts at 10). */
  clientCwnd: number;
}

/**
 * In network namespace `netns` (a path or name), connects to a listener on 127.0.0.1 with
 * congestion control `congestion` and sends `bytes` bytes, reading them on the other side.
 */
export function transferWithCongestion(netns: string, congestion: string, bytes: number): CongestionRun {
  return withNetns(netns, () => {
    const fds: number[] = [];
    try {
      const server = check(socket(AF_INET, SOCK_STREAM, 0), "socket");
      fds.push(server);
      check(bind(server, loopback(0), 16), "bind");
      check(listen(server, 4), "listen");
      const bound = Buffer.alloc(16);
      check(getsockname(server, bound, Buffer.from(new Uint32Array([16]).buffer)), "getsockname");
      const client = check(socket(AF_INET, SOCK_STREAM, 0), "socket");
      fds.push(client);
      const name = Buffer.from(`${congestion}\0`);
      check(setsockopt(client, IPPROTO_TCP, TCP_CONGESTION, name, name.length - 1), `TCP_CONGESTION ${congestion}`);
      check(connect(client, loopback(bound.readUInt16BE(2)), 16), "connect");
      const peer = check(accept(server, null, null), "accept");
      fds.push(peer);
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      const sink = Buffer.alloc(256 * 1024);
      let sent = 0;
      let received = 0;
      while (received < bytes) {
        if (sent < bytes) {
          const n = send(client, chunk, Math.min(chunk.length, bytes - sent), MSG_DONTWAIT);
          if (n < 0 && koffi.errno() !== EAGAIN) check(n, "send");
          if (n > 0) sent += n;
        }
        const r = recv(peer, sink, sink.length, MSG_DONTWAIT);
        if (r < 0 && koffi.errno() !== EAGAIN) check(r, "recv");
        if (r === 0) throw new Error("the connection closed early");
        if (r > 0) received += r;
      }
      const out = Buffer.alloc(16);
      const len = Buffer.from(new Uint32Array([16]).buffer);
      check(getsockopt(client, IPPROTO_TCP, TCP_CONGESTION, out, len), "getsockopt TCP_CONGESTION");
      const end = out.indexOf(0);
      const info = Buffer.alloc(256);
      check(getsockopt(client, IPPROTO_TCP, TCP_INFO, info, Buffer.from(new Uint32Array([256]).buffer)), "TCP_INFO");
      return {
        clientCongestion: out.toString("latin1", 0, end < 0 ? out.length : end),
        bytes: received,
        clientCwnd: info.readUInt32LE(TCPI_SND_CWND),
      };
    } finally {
      for (const fd of fds) close(fd);
    }
  });
}
