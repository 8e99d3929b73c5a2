// What the network program kinds (xdp, tc, cgroup, socket filter) share: the errors for a hook
// that is taken, and naming the program that holds it.
import { Cmd, closeFd, fdById, objInfo } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { TsbpfError } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import type { KindSpec } from "./tracing-common.js";

export { InterfaceNotFoundError } from "../sys/netlink.js";
export type NetKindSpec = KindSpec;

/**
 * An attach point is taken by another program (or by another attachment of this one) and the
 * hook holds only one. `occupant` says what is there, when the kernel lets us see it.
 */
export class AttachPointBusyError extends TsbpfError {
  override name = "AttachPointBusyError";
  constructor(
    readonly target: string,
    readonly occupant: string | undefined,
    readonly errno: number,
    reason?: string,
  ) {
    super(`${target} is already taken${occupant ? ` by ${occupant}` : ""}${reason ? `: ${reason}` : ""}`);
  }
}

/** A loaded program's id and name (bpf_prog_info). */
export interface ProgramIdentity {
  id: number;
  name: string;
  type: number;
}

const PROG_INFO_SIZE = 80; // enough for type, id … name[16] at offset 64

export function programIdentity(fd: number): ProgramIdentity {
  const info = new NativeMemory(PROG_INFO_SIZE);
  try {
    info.bytes.fill(0);
    objInfo(fd, info);
    const nameBytes = info.bytes.subarray(64, 80);
    const end = nameBytes.indexOf(0);
    return {
      type: info.view.getUint32(0, true),
      id: info.view.getUint32(4, true),
      name: nameBytes.toString("utf8", 0, end < 0 ? 16 : end),
    };
  } finally {
    info.free();
  }
}

/** "program "name" (id N)" for an attached program id, or "program id N" when it cannot be opened. */
export function describeProgramId(id: number): string {
  if (!id) return "a program";
  let fd = -1;
  try {
    fd = fdById(Cmd.PROG_GET_FD_BY_ID, id);
    const { name } = programIdentity(fd);
    return name ? `program "${name}" (id ${id})` : `program id ${id}`;
  } catch {
    return `program id ${id}`;
  } finally {
    closeFd(fd);
  }
}

/** Opens the program with `id` again (for detaching after the caller closed its own fd); -1 when it is gone. */
export function reopenProgram(id: number): number {
  try {
    return fdById(Cmd.PROG_GET_FD_BY_ID, id);
  } catch (err) {
    if (err instanceof SyscallError && err.errno === 2) return -1;
    throw err;
  }
}
