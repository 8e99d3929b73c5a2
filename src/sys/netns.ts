// Network namespaces through setns(2). setns changes the namespace of the calling thread only:
// here the JavaScript main thread, which is where sockets, netlink requests, if_nametoindex and
// bpf() attach calls run. libuv's worker threads (and koffi's async calls) stay where they were,
// so code run inside a namespace must be synchronous.
import { lastErrno, native, SYS } from "./libc.js";
import { TsbpfError } from "../errors.js";
import { SyscallError, TargetNotFoundError } from "./errors.js";

const O_RDONLY = 0,
  O_CLOEXEC = 0o2000000;
export const CLONE_NEWNET = 0x4000_0000;

/** Where `ip netns add NAME` keeps its namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

/** The path of a namespace: NAME means /run/netns/NAME; anything with a "/" is taken as a path. */
export function netnsPath(nameOrPath: string): string {
  return nameOrPath.includes("/") ? nameOrPath : `${NETNS_RUN_DIR}/${nameOrPath}`;
}

/** Opens a network namespace file (a name under /run/netns, or a path such as /proc/PID/ns/net). */
export function openNetns(nameOrPath: string): number {
  const path = netnsPath(nameOrPath);
  const fd = native.open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    const errno = lastErrno();
    if (errno === 2) throw new TargetNotFoundError("network namespace", path);
    throw new SyscallError("open", errno, path);
  }
  return fd;
}

/** An fd of the calling thread's current network namespace. */
export function currentNetns(): number {
  return openNetns("/proc/thread-self/ns/net");
}

/** Moves the calling thread into the namespace behind `fd`. */
export function setns(fd: number, nstype = CLONE_NEWNET): void {
  if (native.syscall3(SYS.setns, fd, nstype, 0) < 0) throw new SyscallError("setns", lastErrno());
}

/**
 * Runs `fn` with the calling thread inside the network namespace `nameOrPath` (or an fd of one),
 * then moves it back, also when `fn` throws. `fn` must be synchronous: a promise it returns would
 * finish after the thread is back in its own namespace.
 */
export function withNetns<T>(nameOrPathOrFd: string | number, fn: () => T): T {
  const original = currentNetns();
  let target = -1;
  try {
    target = typeof nameOrPathOrFd === "number" ? nameOrPathOrFd : openNetns(nameOrPathOrFd);
    setns(target);
    try {
      const result = fn();
      if (result instanceof Promise) {
        throw new TsbpfError(
          "withNetns: the function returned a promise; only synchronous work runs inside the namespace",
        );
      }
      return result;
    } finally {
      setns(original);
    }
  } finally {
    if (typeof nameOrPathOrFd !== "number" && target >= 0) native.close(target);
    native.close(original);
  }
}
