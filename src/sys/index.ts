// The part of the syscall layer the package exports: its errors and the few system helpers a
// user's program needs around tsbpf (network namespaces, bpffs/tracefs mounts, the default
// interface). Everything else in src/sys stays internal.
export {
  SyscallError,
  PermissionError,
  NotSupportedError,
  TargetNotFoundError,
  AlreadyAttachedError,
} from "./errors.js";
export { InterfaceNotFoundError, NetlinkError } from "./netlink.js";
export { withNetns } from "./netns.js";
export { ensureBpffs, ensureTracefs, cgroup2Path } from "./mounts.js";
export { defaultInterface } from "./route.js";
