// Checking privileges before touching the kernel, so a user without them gets one clear line
// ("needs CAP_BPF and CAP_NET_ADMIN") instead of the first EPERM from deep inside a load.
import { readFileSync } from "node:fs";
import { Errno } from "../../errors.js";
import { PermissionError } from "../../sys/errors.js";

export const Capability = {
  CAP_NET_ADMIN: 12,
  CAP_SYS_ADMIN: 21,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
} as const;
export type CapabilityName = keyof typeof Capability;

/** The effective capability set, or undefined when /proc does not say. */
export function effectiveCapabilities(): bigint | undefined {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? BigInt(`0x${match[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process has `cap` (CAP_BPF and CAP_PERFMON are also granted by CAP_SYS_ADMIN, as on kernels before 5.8). */
export function hasCapability(cap: CapabilityName, effective = effectiveCapabilities()): boolean {
  if (effective === undefined) return true; // cannot tell: let the kernel decide
  const bit = (c: number): boolean => ((effective >> BigInt(c)) & 1n) === 1n;
  if (bit(Capability[cap])) return true;
  return (cap === "CAP_BPF" || cap === "CAP_PERFMON") && bit(Capability.CAP_SYS_ADMIN);
}

/** A PermissionError whose message says what `tool` needs and what is missing. */
export class MissingPrivilegeError extends PermissionError {
  override name = "MissingPrivilegeError";
  constructor(
    readonly tool: string,
    readonly missing: readonly CapabilityName[],
  ) {
    super(tool, Errno.EPERM);
    this.message = `missing privileges: ${tool} needs ${missing.join(" and ")} (run it as root, or with those capabilities)`;
  }
}

/** Throws MissingPrivilegeError unless the process has every capability in `needed`. */
export function requireCapabilities(tool: string, needed: readonly CapabilityName[]): void {
  const effective = effectiveCapabilities();
  const missing = needed.filter((cap) => !hasCapability(cap, effective));
  if (missing.length) throw new MissingPrivilegeError(tool, missing);
}
