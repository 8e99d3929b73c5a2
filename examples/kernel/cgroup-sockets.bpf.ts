// Socket policy for one cgroup, in kernel TypeScript: no raw sockets (cgroup_sock), connections to
// one port steered to another (cgroup_sock_addr connect4/connect6), UDP datagrams to one port sent to
// another and their replies shown as if from the first (sendmsg4/recvmsg4), a port nobody may bind
// (bind4/bind6), and TCP connections counted from sock_ops callbacks. Attach only the programs wanted.
import {
  cgroupSock,
  cgroupSockAddr,
  sockOps,
  ArrayMap,
  u32,
  u64,
  BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
  BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
  BPF_SOCK_OPS_STATE_CB,
  BPF_SOCK_OPS_STATE_CB_FLAG,
  BPF_TCP_CLOSE,
} from "tsbpf/kernel";

/** Set before loading: connections (TCP) and datagrams (UDP) to `fromPort` go to `toPort`. */
export const fromPort: u32 = 0;
export const toPort: u32 = 0;
/** Set before loading: binding this port fails with EPERM. */
export const forbiddenPort: u32 = 0;

/** What the programs did, by index (see the constants below). */
export const counters = new ArrayMap({ value: u64, maxEntries: 8 });
const RAW_REFUSED = 0;
const CONNECTS_REDIRECTED = 1;
const BINDS_REFUSED = 2;
const DATAGRAMS_REDIRECTED = 3;
const ACTIVE_ESTABLISHED = 4;
const PASSIVE_ESTABLISHED = 5;
const CLOSED = 6;

const SOCK_RAW = 3;

export const noRawSockets = cgroupSock("sock_create", (ctx) => {
  if (ctx.type === SOCK_RAW) {
    counters.increment(RAW_REFUSED);
    return 0;
  }
  return 1;
});

export const steerConnect4 = cgroupSockAddr("connect4", (ctx) => {
  if (ctx.userPort === fromPort) {
    ctx.userPort = toPort;
    counters.increment(CONNECTS_REDIRECTED);
  }
  return 1;
});

export const steerConnect6 = cgroupSockAddr("connect6", (ctx) => {
  if (ctx.userPort === fromPort) {
    ctx.userPort = toPort;
    counters.increment(CONNECTS_REDIRECTED);
  }
  return 1;
});

export const steerSendmsg4 = cgroupSockAddr("sendmsg4", (ctx) => {
  if (ctx.userPort === fromPort) {
    ctx.userPort = toPort;
    counters.increment(DATAGRAMS_REDIRECTED);
  }
  return 1;
});

/** The reply comes from `toPort`: show it as from `fromPort`, the port the application sent to. */
export const steerRecvmsg4 = cgroupSockAddr("recvmsg4", (ctx) => {
  if (ctx.userPort === toPort) ctx.userPort = fromPort;
  return 1; // recvmsg hooks must return 1
});

export const refuseBind4 = cgroupSockAddr("bind4", (ctx) => {
  if (ctx.userPort === forbiddenPort) {
    counters.increment(BINDS_REFUSED);
    return 0;
  }
  return 1;
});

export const refuseBind6 = cgroupSockAddr("bind6", (ctx) => {
  if (ctx.userPort === forbiddenPort) {
    counters.increment(BINDS_REFUSED);
    return 0;
  }
  return 1;
});

export const tcpEvents = sockOps((ctx) => {
  const op = ctx.op;
  if (op === BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || op === BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB) {
    counters.increment(op === BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? ACTIVE_ESTABLISHED : PASSIVE_ESTABLISHED);
    // Ask for state-change callbacks from now on, to see the connection close.
    ctx.setCallbackFlags(ctx.callbackFlags | BPF_SOCK_OPS_STATE_CB_FLAG);
  } else if (op === BPF_SOCK_OPS_STATE_CB && ctx.arg(1) === BPF_TCP_CLOSE) {
    counters.increment(CLOSED);
  }
  return 1;
});
