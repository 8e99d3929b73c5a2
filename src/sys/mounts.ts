// The pseudo file systems eBPF needs: bpffs for pinning, tracefs for tracepoint ids and probes.
// A fresh machine may have neither mounted; as root we mount them where tools expect them (as
// bpftool does), otherwise the error says what to mount.
import { existsSync, readFileSync } from "node:fs";
import koffi from "koffi";
import { TsbpfError } from "../errors.js";

const libc = koffi.load("libc.so.6");
const mount = libc.func("int mount(const char *, const char *, const char *, unsigned long, const void *)") as (
  source: string,
  target: string,
  fsType: string,
  flags: number,
  data: null,
) => number;

const BPFFS_MAGIC = "bpf",
  TRACEFS = "tracefs";

/** The type of the file system visible at `path`: the last (topmost) mount there. */
function mountedType(path: string): string | undefined {
  let type: string | undefined;
  for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
    const [, target, fsType] = line.split(" ");
    if (target === path) type = fsType;
  }
  return type;
}

function ensure(path: string, type: string, what: string): string {
  if (mountedType(path) === type) return path;
  // Nothing there, or only a bind mount of the parent file system (iproute2 and bpftool bind the
  // directory to itself before they mount bpffs on it): mount on top, as they do.
  if (existsSync(path) && mount(type === BPFFS_MAGIC ? "bpf" : "tracefs", path, type, 0, null) === 0) return path;
  if (mountedType(path) === type) return path; // another process mounted it meanwhile
  throw new TsbpfError(
    `${what} is not mounted at ${path} and mounting it failed; run: mount -t ${type} ${type} ${path} (needs root)`,
  );
}

let bpffsPath: string | undefined;
/** The bpffs mount point (/sys/fs/bpf), mounted on first use when needed. */
export function ensureBpffs(): string {
  return (bpffsPath ??= ensure("/sys/fs/bpf", BPFFS_MAGIC, "the BPF file system (bpffs)"));
}

let tracefsPath: string | undefined;
/** The tracefs mount point: /sys/kernel/tracing, or the debugfs one on old systems. */
export function ensureTracefs(): string {
  if (tracefsPath) return tracefsPath;
  if (mountedType("/sys/kernel/debug/tracing") === TRACEFS) return (tracefsPath = "/sys/kernel/debug/tracing");
  return (tracefsPath = ensure("/sys/kernel/tracing", TRACEFS, "tracefs"));
}

/** The cgroup v2 mount point (here /sys/fs/cgroup/unified, elsewhere often /sys/fs/cgroup). */
export function cgroup2Path(): string {
  for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
    const [, target, type] = line.split(" ");
    if (type === "cgroup2" && target) return target;
  }
  throw new TsbpfError("no cgroup v2 file system is mounted (cgroup programs need one)");
}
