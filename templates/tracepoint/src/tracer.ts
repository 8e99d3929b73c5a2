// The user side: loads the compiled kernel program (dist/src/kernel.bpf.json, written by
// `npm run build`), attaches it to raw_syscalls:sys_enter and reads the per-process counts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Attachment } from "tsbpf";
import { KernelObject } from "tsbpf/compiler";
import type * as Kernel from "./kernel.bpf.js";

export const ARTIFACT = fileURLToPath(new URL("./kernel.bpf.json", import.meta.url));

export interface ProcessSyscalls {
  pid: number;
  command: string;
  syscalls: bigint;
}

export class SyscallCounter implements Disposable {
  readonly object = KernelObject.load<typeof Kernel>(KernelObject.readArtifact(ARTIFACT));
  #attachment: Attachment | undefined;

  /** Starts counting (every process on the machine). */
  attach(): this {
    this.#attachment = this.object.programs.countSyscalls.attach("raw_syscalls", "sys_enter");
    return this;
  }

  /** System calls of one process so far (0 when it made none). */
  of(pid: number): bigint {
    return this.object.maps.syscalls.get(pid) ?? 0n;
  }

  /** The `limit` busiest processes, with their command names from /proc. */
  top(limit = 10): ProcessSyscalls[] {
    const rows: ProcessSyscalls[] = [];
    for (const [pid, syscalls] of this.object.maps.syscalls) rows.push({ pid, command: command(pid), syscalls });
    return rows
      .sort((a, b) => (b.syscalls > a.syscalls ? 1 : b.syscalls < a.syscalls ? -1 : a.pid - b.pid))
      .slice(0, limit);
  }

  [Symbol.dispose](): void {
    this.#attachment?.detach();
    this.object.close();
  }
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "(exited)";
  }
}
