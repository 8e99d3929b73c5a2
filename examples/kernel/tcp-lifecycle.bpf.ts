// The TCP lifecycle tracer in kernel TypeScript. On sock:inet_sock_set_state every TCP state
// change goes to user space with the process, addresses and ports; at close a tp_btf program on
// the same event reads the socket's byte counters straight from the kernel's tcp_sock (BTF).
import {
  tracepoint,
  tpBtf,
  RingBuf,
  struct,
  bytes,
  cstring,
  u8,
  u16,
  u32,
  u64,
  cast,
  getCurrentPidTgid,
  getCurrentComm,
  addressOf,
  ktimeGetNs,
  IPPROTO_TCP,
  AF_INET6,
  type tcp_sock,
} from "tsbpf/kernel";

export const TCP_CLOSE = 7;

/** kind 0: a state change (tracepoint); kind 1: the byte counters at close (tp_btf). */
export class TcpEvent extends struct({
  kind: u8,
  family: u8,
  oldstate: u8,
  newstate: u8,
  sport: u16,
  dport: u16,
  pid: u32,
  skaddr: u64,
  timestamp: u64,
  bytesAcked: u64,
  bytesReceived: u64,
  saddr: bytes(16),
  daddr: bytes(16),
  comm: cstring(16),
}) {}

export const events = new RingBuf({ size: 256 * 1024 });

export const stateChange = tracepoint("sock/inet_sock_set_state", (ctx) => {
  if (ctx.protocol !== IPPROTO_TCP) return 0;
  const ev = events.reserve(TcpEvent);
  if (ev === null) return 0;
  ev.kind = 0;
  ev.family = ctx.family;
  ev.oldstate = ctx.oldstate;
  ev.newstate = ctx.newstate;
  ev.sport = ctx.sport;
  ev.dport = ctx.dport;
  ev.pid = getCurrentPidTgid() >> 32;
  ev.skaddr = ctx.skaddr;
  ev.timestamp = ktimeGetNs();
  ev.bytesAcked = 0;
  ev.bytesReceived = 0;
  if (ctx.family === AF_INET6) {
    ev.saddr.set(ctx.saddr_v6);
    ev.daddr.set(ctx.daddr_v6);
  } else {
    ev.saddr.fill(0);
    ev.daddr.fill(0);
    ev.saddr.set(ctx.saddr);
    ev.daddr.set(ctx.daddr);
  }
  getCurrentComm(ev.comm);
  events.submit(ev);
  return 0;
});

export const closeStats = tpBtf("inet_sock_set_state", (ctx, sk, oldstate, newstate) => {
  if (newstate !== TCP_CLOSE || sk.sk_protocol !== IPPROTO_TCP) return 0;
  const tp = cast<tcp_sock>(sk);
  const ev = events.reserve(TcpEvent);
  if (ev === null) return 0;
  ev.kind = 1;
  ev.family = sk.__sk_common.skc_family;
  ev.oldstate = oldstate;
  ev.newstate = newstate;
  // skc_num is already cleared when a socket closes from TIME_WAIT; inet_sport is not.
  ev.sport = bswap16(tp.inet_conn.icsk_inet.inet_sport);
  ev.dport = bswap16(sk.__sk_common.skc_dport);
  ev.pid = getCurrentPidTgid() >> 32;
  ev.skaddr = addressOf(sk);
  ev.timestamp = ktimeGetNs();
  ev.bytesAcked = tp.bytes_acked;
  ev.bytesReceived = tp.bytes_received;
  ev.saddr.fill(0);
  ev.daddr.fill(0);
  getCurrentComm(ev.comm);
  events.submit(ev);
  return 0;
});

/**
 * Network to host order of a 16-bit value.
 * @inline
 */
function bswap16(x: u16): u16 {
  return ((x & 0xff) << 8) | (x >> 8);
}
