// sk_reuseport programs: a group of sockets bound to one address and port with SO_REUSEPORT
// shares the incoming connections or datagrams; the program picks which socket of the group gets
// each one (bpf_sk_select_reuseport with a REUSEPORT_SOCKARRAY), instead of the kernel's hash.
// Attached to the group with setsockopt(SO_ATTACH_REUSEPORT_EBPF) on any of its sockets.
import { Errno } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import { lastErrno, native, NativeMemory } from "../sys/libc.js";
import { AttachType, ProgType } from "../uapi.js";
import { LegacyAttachment, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import type { KindSpec } from "./tracing-common.js";

const SOL_SOCKET = 1,
  SO_ATTACH_REUSEPORT_EBPF = 52,
  SO_DETACH_REUSEPORT_BPF = 68;
const ENOTSOCK = 88;

export interface SkReuseportSpec extends KindSpec {
  /** Also run when a closing listener's requests migrate to another socket (sk_reuseport/migrate). */
  migrate?: boolean;
}

/** sk_reuseport: returns SK_PASS (with the socket it selected, or the kernel's choice) or SK_DROP. */
export class SkReuseportProgram extends Program {
  static override load(spec: SkReuseportSpec, options: LoadOptions = {}): SkReuseportProgram {
    const { migrate, ...rest } = spec;
    const expectedAttachType = migrate ? AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE : AttachType.SK_REUSEPORT_SELECT;
    const { fd, log } = loadRaw({ ...rest, type: ProgType.SK_REUSEPORT, expectedAttachType }, options);
    return new SkReuseportProgram(fd, ProgType.SK_REUSEPORT, spec.name ?? "", log, spec.maps ?? []);
  }

  /**
   * Attaches to the reuseport group of `socket` (a bound socket with SO_REUSEPORT, by fd),
   * replacing the group's program. Detaching takes it off the group again.
   */
  attach(socket: number | { readonly fd: number }): Attachment {
    return attachReuseport(this, typeof socket === "number" ? socket : socket.fd);
  }
}

/** Attaches any loaded sk_reuseport program to the reuseport group of socket `fd`. */
export function attachReuseport(program: { fd: number; name?: string }, fd: number): Attachment {
  const value = new NativeMemory(4);
  try {
    value.view.setInt32(0, program.fd, true);
    if (native.setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, value.address, 4) < 0)
      throw new SyscallError("setsockopt(SO_ATTACH_REUSEPORT_EBPF)", lastErrno(), `socket fd ${fd}`);
  } finally {
    value.free();
  }
  return new LegacyAttachment(`sk_reuseport program "${program.name ?? ""}" on the group of socket fd ${fd}`, () => {
    const dummy = new NativeMemory(4);
    try {
      if (native.setsockopt(fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, dummy.address, 4) < 0) {
        const errno = lastErrno();
        // ENOENT: the group has no program any more; EBADF/ENOTSOCK: the socket is gone.
        if (errno !== Errno.ENOENT && errno !== Errno.EBADF && errno !== ENOTSOCK)
          throw new SyscallError("setsockopt(SO_DETACH_REUSEPORT_BPF)", errno, `socket fd ${fd}`);
      }
    } finally {
      dummy.free();
    }
  });
}
