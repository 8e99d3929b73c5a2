// Process policy for one cgroup, in kernel TypeScript: no sysctl writes (cgroup_sysctl, with the
// name of the last refused one kept), no SO_BROADCAST (cgroup_sockopt setsockopt), getsockopt calls
// counted, and one device (by major:minor) that cannot be opened (cgroup_device).
import {
  cgroupSysctl,
  cgroupSockopt,
  cgroupDevice,
  ArrayMap,
  cstring,
  u32,
  u64,
  BPF_DEVCG_DEV_CHAR,
} from "tsbpf/kernel";

/** Set before loading: the character device nobody in the cgroup may open. */
export const deniedMajor: u32 = 0;
export const deniedMinor: u32 = 0;

/** [0] sysctl reads, [1] sysctl writes refused, [2] setsockopt refused, [3] getsockopt seen, [4] device opens refused. */
export const counters = new ArrayMap({ value: u64, maxEntries: 5 });
/** The name of the last sysctl whose write was refused ("kernel/domainname"). */
export const lastRefused = new ArrayMap({ value: cstring(64), maxEntries: 1 });

const SOL_SOCKET = 1;
const SO_BROADCAST = 6;

export const readOnlySysctl = cgroupSysctl((ctx) => {
  if (ctx.write === 0) {
    counters.increment(0);
    return 1;
  }
  const name = lastRefused.lookup(0);
  if (name !== null) ctx.getName(name);
  counters.increment(1);
  return 0;
});

export const noBroadcast = cgroupSockopt("setsockopt", (ctx) => {
  if (ctx.level === SOL_SOCKET && ctx.optname === SO_BROADCAST) {
    counters.increment(2);
    return 0;
  }
  return 1;
});

export const countGetsockopt = cgroupSockopt("getsockopt", (ctx) => {
  counters.increment(3);
  return 1;
});

export const denyDevice = cgroupDevice((ctx) => {
  const type = ctx.accessType & 0xffff;
  if (type === BPF_DEVCG_DEV_CHAR && ctx.major === deniedMajor && ctx.minor === deniedMinor) {
    counters.increment(4);
    return 0;
  }
  return 1;
});
