// XDP programs (BPF_PROG_TYPE_XDP): run on every packet a network interface receives, before the
// kernel allocates an skb. Attached with a bpf_link (LINK_CREATE, attach type XDP; the program
// leaves the interface when the link's last fd closes, e.g. when this process dies) or, on
// kernels without XDP links or when asked, through rtnetlink (RTM_SETLINK, IFLA_XDP), which
// stays attached until removed.
import { closeFd, linkCreate } from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import {
  interfaceExists,
  InterfaceNotFoundError,
  NetlinkError,
  NetlinkSocket,
  resolveInterface,
  XdpFlags,
  xdpQuery,
  xdpSet,
  type XdpState,
} from "../sys/netlink.js";
import { AttachType, ProgFlags, ProgType } from "../uapi.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { AttachPointBusyError, describeProgramId, programIdentity, reopenProgram } from "./net-common.js";
import type { KindSpec } from "./tracing-common.js";

export type { XdpState } from "../sys/netlink.js";

/**
 * "driver": native XDP in the network driver; "skb": generic XDP after skb allocation (works on
 * every interface, slower); "hw": offloaded to the NIC; "auto": driver mode when the driver has
 * it, generic otherwise.
 */
export type XdpMode = "auto" | "driver" | "skb" | "hw";

export interface XdpAttachOptions {
  /** Default "auto". */
  mode?: XdpMode;
  /** Further XDP_FLAGS_* bits, passed as they are. */
  flags?: number;
  /**
   * "link": a bpf_link only; "netlink": RTM_SETLINK only; "auto" (default): a link, or netlink on
   * kernels that have no XDP links.
   */
  via?: "auto" | "link" | "netlink";
}

export interface XdpSpec extends KindSpec {
  /** The program handles multi-buffer packets (BPF_F_XDP_HAS_FRAGS), needed for jumbo frames on some drivers. */
  frags?: boolean;
}

const MODE_FLAGS: Record<XdpMode, number> = {
  auto: 0,
  driver: XdpFlags.DRV_MODE,
  skb: XdpFlags.SKB_MODE,
  hw: XdpFlags.HW_MODE,
};

export class XdpProgram extends Program {
  static override load(spec: XdpSpec, options: LoadOptions = {}): XdpProgram {
    const { frags, ...rest } = spec;
    const flags = (rest.flags ?? 0) | (frags ? ProgFlags.XDP_HAS_FRAGS : 0);
    const { fd, log } = loadRaw({ ...rest, flags, type: ProgType.XDP, expectedAttachType: AttachType.XDP }, options);
    return new XdpProgram(fd, ProgType.XDP, spec.name ?? "", log, spec.maps ?? []);
  }

  /**
   * Attaches to an interface (name or index) of the calling thread's network namespace.
   * Throws InterfaceNotFoundError for an unknown interface and AttachPointBusyError when the
   * interface already has an XDP program in that mode.
   */
  attach(iface: string | number, options: XdpAttachOptions = {}): Attachment {
    return attachXdp(this, iface, options);
  }
}

/** Attaches any loaded XDP program (see XdpProgram.attach). */
export function attachXdp(
  program: { fd: number; name?: string },
  iface: string | number,
  options: XdpAttachOptions = {},
): Attachment {
  const { ifindex, label } = resolveInterface(iface);
  const mode = options.mode ?? "auto";
  const modeFlags = MODE_FLAGS[mode] | (options.flags ?? 0);
  const via = options.via ?? "auto";
  const target = `xdp on ${label}`;

  if (via !== "netlink") {
    try {
      const fd = linkCreate(program.fd, ifindex, AttachType.XDP, modeFlags, { kind: "none" }, target);
      return new Link(fd, `${target} (${mode} mode, link)`);
    } catch (err) {
      // "auto": a driver that has XDP but refuses this setup (virtio_net with LRO or too many
      // queues, for instance) answers EOPNOTSUPP/EINVAL; generic XDP works on every interface.
      if (
        mode === "auto" &&
        err instanceof SyscallError &&
        (err.errno === Errno.EOPNOTSUPP || err.errno === Errno.EINVAL) &&
        interfaceExists(ifindex)
      ) {
        return attachXdp(program, iface, { ...options, mode: "skb" });
      }
      if (!(err instanceof SyscallError)) throw err;
      // The XDP link code answers EINVAL, not ENODEV, for an unknown ifindex.
      if (err.errno === Errno.ENODEV || (err.errno === Errno.EINVAL && !interfaceExists(ifindex)))
        throw new InterfaceNotFoundError(iface);
      if (err.errno === Errno.EBUSY || err.errno === Errno.EEXIST)
        throw busyError(ifindex, target, err.errno, undefined);
      // Kernels before 5.9 have no XDP links and refuse the attach type with EINVAL.
      if (via === "link" || err.errno !== Errno.EINVAL) throw err;
    }
  }
  return attachXdpNetlink(program, ifindex, iface, target, mode, modeFlags);
}

function attachXdpNetlink(
  program: { fd: number },
  ifindex: number,
  iface: string | number,
  target: string,
  mode: XdpMode,
  modeFlags: number,
): Attachment {
  // The socket stays open with the attachment: it is bound to this namespace, so detaching works
  // from wherever the thread is by then.
  const sock = NetlinkSocket.open();
  try {
    const { id } = programIdentity(program.fd);
    try {
      xdpSet(ifindex, program.fd, modeFlags | XdpFlags.UPDATE_IF_NOEXIST, undefined, sock, target);
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      if (err.errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
      if (err.errno === Errno.EBUSY || err.errno === Errno.EEXIST)
        throw busyError(ifindex, target, err.errno, err.kernelMessage, sock);
      throw err;
    }
    return new LegacyAttachment(`${target} (${mode} mode, netlink)`, () => {
      try {
        detachXdpNetlink(ifindex, id, modeFlags, sock, target);
      } finally {
        sock.close();
      }
    });
  } catch (err) {
    sock.close();
    throw err;
  }
}

/** Removes program `id` from the interface, but only if it is still the one attached there. */
function detachXdpNetlink(ifindex: number, id: number, modeFlags: number, sock: NetlinkSocket, target: string): void {
  const progFd = reopenProgram(id);
  if (progFd < 0) return; // the program no longer exists, so it is attached nowhere
  try {
    xdpSet(ifindex, -1, modeFlags | XdpFlags.REPLACE, progFd, sock, target);
  } catch (err) {
    // EEXIST: another program replaced ours (leave it); ENODEV: the interface is gone.
    if (err instanceof NetlinkError && (err.errno === Errno.EEXIST || err.errno === Errno.ENODEV)) return;
    throw err;
  } finally {
    closeFd(progFd);
  }
}

function busyError(
  ifindex: number,
  target: string,
  errno: number,
  kernelMessage: string | undefined,
  sock?: NetlinkSocket,
): AttachPointBusyError {
  let occupant: string | undefined;
  try {
    const state = xdpQuery(ifindex, sock);
    if (state.attached !== "none") {
      const ids = [
        state.driverProgId && `${describeProgramId(state.driverProgId)} in driver mode`,
        state.skbProgId && `${describeProgramId(state.skbProgId)} in skb mode`,
        state.hwProgId && `${describeProgramId(state.hwProgId)} in hw mode`,
      ].filter(Boolean);
      occupant = ids.length ? ids.join(" and ") : describeProgramId(state.progId);
    }
  } catch {
    /* the error below is still right without naming the occupant */
  }
  const reason =
    kernelMessage ??
    (errno === Errno.EBUSY
      ? "an interface has one XDP program per mode; detach the other one first (a bpf_link cannot replace a program attached through netlink, nor the other way round)"
      : "the interface has an XDP program in the other mode (native and generic XDP cannot be active together)");
  return new AttachPointBusyError(target, occupant, errno, reason);
}

/** What XDP programs an interface has, by name or index (in the calling thread's namespace). */
export function xdpInfo(iface: string | number): XdpState {
  const { ifindex } = resolveInterface(iface);
  try {
    return xdpQuery(ifindex);
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === Errno.ENODEV) throw new InterfaceNotFoundError(iface);
    throw err;
  }
}
