// Checking privileges before touching the kernel, so a user without them gets one clear line
// naming everything the tool needs and what is missing, instead of the first EPERM or EACCES from
// deep inside a load or an attach.
import { closeSync, openSync, readFileSync } from "node:fs";
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

/** A privilege a tool may need: a capability, or reading tracefs (event ids for tracepoints). */
export type Privilege = CapabilityName | "tracefs";

/**
 * What each tool needs, found by running it with exactly these as an unprivileged user and with
 * each one fewer. CAP_PERFMON is needed by the packet tools too: their programs subtract packet
 * pointers (`ctx.len`), which the verifier allows only with it.
 */
export const TOOL_PRIVILEGES = {
  count: ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"],
  dump: ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"],
  flows: ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"],
  tcp: ["CAP_BPF", "CAP_PERFMON", "tracefs"],
  exec: ["CAP_BPF", "CAP_PERFMON", "tracefs"],
  top: ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON", "tracefs"],
  agent: ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON", "tracefs"],
} as const satisfies Record<string, readonly Privilege[]>;
export type ToolName = keyof typeof TOOL_PRIVILEGES;

/** How a message names a privilege. */
export function describePrivilege(p: Privilege): string {
  return p === "tracefs" ? "read access to tracefs (/sys/kernel/tracing: root, or CAP_DAC_READ_SEARCH)" : p;
}

function list(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

const TRACEFS_ROOTS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];
// Any event's id would do: they all have the same owner and mode.
const PROBE_EVENT = "events/sched/sched_process_exec/id";

/**
 * Whether this process can read tracefs event ids: false on EACCES/EPERM, undefined when there is
 * no tracefs or no such event (the tool then says what is missing itself).
 */
export function canReadTracefs(): boolean | undefined {
  for (const root of TRACEFS_ROOTS) {
    try {
      closeSync(openSync(`${root}/${PROBE_EVENT}`, "r"));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") return false;
    }
  }
  return undefined;
}

/** A PermissionError whose message says what `tool` needs and what is missing. */
export class MissingPrivilegeError extends PermissionError {
  override name = "MissingPrivilegeError";
  constructor(
    readonly tool: string,
    readonly missing: readonly Privilege[],
    readonly needed: readonly Privilege[] = missing,
  ) {
    super(tool, Errno.EPERM);
    const lacking =
      needed.length === missing.length
        ? ""
        : `; missing here: ${list(missing.map((p) => (p === "tracefs" ? "tracefs access" : p)))}`;
    this.message = `missing privileges: ${tool} needs ${list(needed.map(describePrivilege))}${lacking} (run it as root, or with those capabilities)`;
  }
}

/** Throws MissingPrivilegeError unless the process has every capability in `needed`. */
export function requireCapabilities(tool: string, needed: readonly Privilege[]): void {
  const effective = effectiveCapabilities();
  const missing = needed.filter((p) => (p === "tracefs" ? canReadTracefs() === false : !hasCapability(p, effective)));
  if (missing.length) throw new MissingPrivilegeError(tool, missing, needed);
}

/** Throws MissingPrivilegeError naming everything `tool` needs unless the process has it all. */
export function requireToolPrivileges(tool: ToolName): void {
  requireCapabilities(tool, TOOL_PRIVILEGES[tool]);
}
