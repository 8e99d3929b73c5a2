// What the loader reads about the running kernel besides its BTF: the configuration (for
// .kconfig externs), kernel symbol addresses (for typeless __ksym externs) and the version.
import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { kernelVersionCode, parseKernelConfig } from "../object/kconfig.js";

let config: Map<string, string> | null | undefined;

/** The kernel's configuration from /proc/config.gz or /boot/config-$(uname -r); null when neither exists. */
export function kernelConfig(): Map<string, string> | null {
  if (config !== undefined) return config;
  config = null;
  try {
    if (existsSync("/proc/config.gz"))
      config = parseKernelConfig(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8"));
    else if (existsSync(`/boot/config-${release()}`))
      config = parseKernelConfig(readFileSync(`/boot/config-${release()}`, "utf8"));
  } catch {
    config = null;
  }
  return config;
}

/** LINUX_KERNEL_VERSION as libbpf computes it: KERNEL_VERSION(major, minor, min(patch, 255)). */
export function linuxKernelVersion(): number {
  return kernelVersionCode(release());
}

let kallsyms: string | undefined;

/** Address of a kernel symbol from /proc/kallsyms (undefined when absent or hidden, i.e. 0). */
export function kernelSymbolAddress(name: string): bigint | undefined {
  try {
    kallsyms ??= readFileSync("/proc/kallsyms", "utf8");
  } catch {
    return undefined;
  }
  const re = new RegExp(`^([0-9a-f]+) \\S ${name.replace(/[^A-Za-z0-9_.$]/g, "\\$&")}(?:\\s|$)`, "m");
  const m = re.exec(kallsyms);
  if (!m) return undefined;
  const addr = BigInt(`0x${m[1]}`);
  return addr === 0n ? undefined : addr;
}

/** Values of the LINUX_* .kconfig externs libbpf knows. */
export function linuxExterns(): Record<string, number | boolean> {
  const version = linuxKernelVersion();
  return {
    LINUX_KERNEL_VERSION: version,
    // bpf_get_attach_cookie for every program kind arrived in 5.15.
    LINUX_HAS_BPF_COOKIE: version >= (5 << 16) + (15 << 8),
    // Syscall entry points wrapped as __<arch>_sys_* (x86-64 since 4.17, arm64 since 4.19).
    LINUX_HAS_SYSCALL_WRAPPER: version >= (4 << 16) + (19 << 8),
  };
}
