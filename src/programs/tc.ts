// Traffic control programs (BPF_PROG_TYPE_SCHED_CLS): run on packets entering (ingress) or
// leaving (egress) an interface, with an skb. Attached with a tcx bpf_link (Linux 6.6+; several
// programs per hook, gone when the link's last fd closes) or the classic way: a clsact qdisc
// with a cls_bpf filter in direct-action mode, made through rtnetlink, which stays until removed.
import { linkCreate, progQuery } from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { AlreadyAttachedError, SyscallError } from "../sys/errors.js";
import {
  bpfFilterAdd,
  clsactAdd,
  clsactDelete,
  filterDelete,
  filterList,
  InterfaceNotFoundError,
  NetlinkError,
  NetlinkSocket,
  resolveInterface,
  TcHandle,
  tcHandle,
  type FilterId,
  type FilterInfo,
} from "../sys/netlink.js";
import { AttachType, ProgType } from "../uapi.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { AttachPointBusyError } from "./net-common.js";
import type { KindSpec } from "./tracing-common.js";

export type TcDirection = "ingress" | "egress";

export interface TcAttachOptions {
  /**
   * "tcx": a tcx bpf_link only; "clsact": a clsact qdisc (made when missing) and a cls_bpf
   * filter; "auto" (default): tcx, or clsact on kernels without tcx.
   */
  via?: "auto" | "tcx" | "clsact";
  /** clsact only: the filter's priority (1..65535; default: the kernel picks one). */
  priority?: number;
  /** clsact only: the filter's handle (default: the kernel picks one). */
  handle?: number;
  /** clsact only: the EtherType the filter sees (host order; default ETH_P_ALL). */
  protocol?: number;
}

/** Return codes of tcx programs (TC_ACT_* values: OK = pass, SHOT = drop, UNSPEC = next program). */
export const TcxAction = { NEXT: -1, PASS: 0, DROP: 2, REDIRECT: 7 } as const;

const TCX_ATTACH = { ingress: AttachType.TCX_INGRESS, egress: AttachType.TCX_EGRESS } as const;
const CLSACT_PARENT = {
  ingress: tcHandle(TcHandle.CLSACT, TcHandle.MIN_INGRESS),
  egress: tcHandle(TcHandle.CLSACT, TcHandle.MIN_EGRESS),
} as const;

export class TcProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): TcProgram {
    const { fd, log } = loadRaw({ ...spec, type: ProgType.SCHED_CLS }, options);
    return new TcProgram(fd, ProgType.SCHED_CLS, spec.name ?? "", log, spec.maps ?? []);
  }

  /**
   * Attaches to the ingress or egress hook of an interface (name or index) of the calling
   * thread's network namespace. Throws InterfaceNotFoundError for an unknown interface.
   */
  attach(iface: string | number, direction: TcDirection, options: TcAttachOptions = {}): Attachment {
    return attachTc(this, iface, direction, options);
  }
}

function checkDirection(direction: string): asserts direction is TcDirection {
  if (direction !== "ingress" && direction !== "egress")
    throw new TypeError(`tc direction must be "ingress" or "egress", not ${JSON.stringify(direction)}`);
}

/** Attaches any loaded sched_cls program (see TcProgram.attach). */
export function attachTc(
  program: { fd: number; name?: string },
  iface: string | number,
  direction: TcDirection,
  options: TcAttachOptions = {},
): Attachment {
  checkDirection(direction);
  const { ifindex, label } = resolveInterface(iface);
  const via = options.via ?? "auto";
  const target = `tc ${direction} on ${label}`;
  if (via !== "clsact") {
    try {
      const fd = linkCreate(
        program.fd,
        ifindex,
        TCX_ATTACH[direction],
        0,
        { kind: "tcx", relativeFdOrId: 0, expectedRevision: 0n },
        target,
      );
      return new Link(fd, `${target} (tcx link)`);
    } catch (err) {
      if (!(err instanceof SyscallError)) throw err;
      if (err.errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
      if (err.errno === Errno.EEXIST) {
        throw new AlreadyAttachedError(program.name ?? "", target, "a program attaches to a tcx hook only once");
      }
      // Kernels before 6.6 have no tcx and refuse the attach type with EINVAL.
      if (via === "tcx" || err.errno !== Errno.EINVAL) throw err;
    }
  }
  return attachClsact(program, ifindex, iface, label, direction, options);
}

function attachClsact(
  program: { fd: number; name?: string },
  ifindex: number,
  iface: string | number,
  label: string,
  direction: TcDirection,
  options: TcAttachOptions,
): Attachment {
  const target = `tc ${direction} on ${label}`;
  // Kept with the attachment: a netlink socket stays in the namespace it was opened in.
  const sock = NetlinkSocket.open();
  let createdQdisc = false;
  try {
    try {
      createdQdisc = clsactAdd(ifindex, sock, `clsact qdisc on ${label}`);
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
      throw err;
    }
    let filter: FilterId;
    try {
      filter = bpfFilterAdd(
        {
          ifindex,
          parent: CLSACT_PARENT[direction],
          progFd: program.fd,
          name: program.name || "tsbpf",
          priority: options.priority,
          handle: options.handle,
          protocol: options.protocol,
        },
        sock,
        target,
      );
    } catch (err) {
      if (createdQdisc) {
        try {
          clsactDelete(ifindex, sock);
        } catch {
          /* best effort */
        }
      }
      if (err instanceof NetlinkError && err.errno === Errno.EEXIST) {
        throw new AttachPointBusyError(
          target,
          `a filter with priority ${options.priority ?? "?"} and handle ${options.handle ?? "?"}`,
          err.errno,
          err.kernelMessage ?? "choose another priority or handle",
        );
      }
      throw err;
    }
    const description = `${target} (clsact, cls_bpf pref ${filter.priority} handle 0x${filter.handle.toString(16)}, direct-action)`;
    return new LegacyAttachment(description, () => {
      try {
        detachClsact(filter, createdQdisc, sock, target);
      } finally {
        sock.close();
      }
    });
  } catch (err) {
    sock.close();
    throw err;
  }
}

function detachClsact(filter: FilterId, createdQdisc: boolean, sock: NetlinkSocket, target: string): void {
  try {
    filterDelete(filter, "bpf", sock, target);
  } catch (err) {
    // Gone already: the interface, its qdisc or the filter was removed by someone else.
    if (
      !(
        err instanceof NetlinkError &&
        (err.errno === Errno.ENOENT || err.errno === Errno.ENODEV || err.errno === Errno.EINVAL)
      )
    )
      throw err;
  }
  // Remove the qdisc we made, unless something else now hangs on it.
  if (!createdQdisc) return;
  try {
    const remaining =
      filterList(filter.ifindex, CLSACT_PARENT.ingress, sock).length +
      filterList(filter.ifindex, CLSACT_PARENT.egress, sock).length;
    if (remaining === 0) clsactDelete(filter.ifindex, sock);
  } catch (err) {
    if (
      !(
        err instanceof NetlinkError &&
        (err.errno === Errno.ENOENT || err.errno === Errno.ENODEV || err.errno === Errno.EINVAL)
      )
    )
      throw err;
  }
}

export interface TcHookState {
  /** Program ids attached through tcx, in run order. */
  tcx: number[];
  /** Filters on the clsact qdisc for this direction. */
  clsact: FilterInfo[];
}

/** What runs on an interface's ingress or egress hook (tcx programs and clsact filters). */
export function tcInfo(iface: string | number, direction: TcDirection): TcHookState {
  checkDirection(direction);
  const { ifindex } = resolveInterface(iface);
  let tcx: number[] = [];
  try {
    tcx = progQuery(ifindex, TCX_ATTACH[direction]).progIds;
  } catch (err) {
    if (err instanceof SyscallError && err.errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
    if (!(err instanceof SyscallError && err.errno === Errno.EINVAL)) throw err; // EINVAL: no tcx on this kernel
  }
  return { tcx, clsact: filterList(ifindex, CLSACT_PARENT[direction]) };
}
