// Programs attached to a cgroup v2 directory: they run for the sockets of every process in that
// cgroup (and its descendants). cgroup_skb sees packets in and out, cgroup_sock socket creation,
// release and binding, cgroup_sock_addr bind/connect/sendmsg/… addresses (it may rewrite them),
// sock_ops TCP events. Attached with a bpf_link on the directory's fd (LINK_CREATE), or on
// kernels before 5.7 with PROG_ATTACH(BPF_F_ALLOW_MULTI).
import { closeFd, linkCreate, progAttach, progDetach, progQuery } from "../sys/bpf.js";
import { Errno, TsbpfError } from "../errors.js";
import { AlreadyAttachedError, SyscallError, TargetNotFoundError } from "../sys/errors.js";
import { lastErrno, native } from "../sys/libc.js";
import { AttachType, ProgType } from "../uapi.js";
import { LegacyAttachment, Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { programIdentity, reopenProgram } from "./net-common.js";
import type { KindSpec } from "./tracing-common.js";

const O_RDONLY = 0,
  O_DIRECTORY = 0o200000,
  O_CLOEXEC = 0o2000000;
const BPF_F_ALLOW_MULTI = 2;

/** Hooks of cgroup_skb programs. Return 1 to let the packet through, 0 to drop it. */
export const CgroupSkbHooks = {
  ingress: AttachType.CGROUP_INET_INGRESS,
  egress: AttachType.CGROUP_INET_EGRESS,
} as const;
/** Hooks of cgroup_sock programs. Return 1 to allow, 0 to refuse (the syscall fails with EPERM). */
export const CgroupSockHooks = {
  sock_create: AttachType.CGROUP_INET_SOCK_CREATE,
  sock_release: AttachType.CGROUP_INET_SOCK_RELEASE,
  post_bind4: AttachType.CGROUP_INET4_POST_BIND,
  post_bind6: AttachType.CGROUP_INET6_POST_BIND,
} as const;
/** Hooks of cgroup_sock_addr programs (the hook is fixed when the program is loaded). */
export const CgroupSockAddrHooks = {
  bind4: AttachType.CGROUP_INET4_BIND,
  bind6: AttachType.CGROUP_INET6_BIND,
  connect4: AttachType.CGROUP_INET4_CONNECT,
  connect6: AttachType.CGROUP_INET6_CONNECT,
  sendmsg4: AttachType.CGROUP_UDP4_SENDMSG,
  sendmsg6: AttachType.CGROUP_UDP6_SENDMSG,
  recvmsg4: AttachType.CGROUP_UDP4_RECVMSG,
  recvmsg6: AttachType.CGROUP_UDP6_RECVMSG,
  getpeername4: AttachType.CGROUP_INET4_GETPEERNAME,
  getpeername6: AttachType.CGROUP_INET6_GETPEERNAME,
  getsockname4: AttachType.CGROUP_INET4_GETSOCKNAME,
  getsockname6: AttachType.CGROUP_INET6_GETSOCKNAME,
  unix_connect: AttachType.CGROUP_UNIX_CONNECT,
  unix_sendmsg: AttachType.CGROUP_UNIX_SENDMSG,
  unix_recvmsg: AttachType.CGROUP_UNIX_RECVMSG,
  unix_getpeername: AttachType.CGROUP_UNIX_GETPEERNAME,
  unix_getsockname: AttachType.CGROUP_UNIX_GETSOCKNAME,
} as const;
export const SockOpsHooks = { sock_ops: AttachType.CGROUP_SOCK_OPS } as const;
/** cgroup_sysctl: /proc/sys reads and writes. Return 1 to allow, 0 to refuse (EPERM). */
export const CgroupSysctlHooks = { sysctl: AttachType.CGROUP_SYSCTL } as const;
/** cgroup_sockopt: getsockopt/setsockopt calls (the hook is fixed when the program is loaded). */
export const CgroupSockoptHooks = {
  getsockopt: AttachType.CGROUP_GETSOCKOPT,
  setsockopt: AttachType.CGROUP_SETSOCKOPT,
} as const;
/** cgroup_device: opening and creating device nodes. Return 1 to allow, 0 to refuse (EPERM). */
export const CgroupDeviceHooks = { device: AttachType.CGROUP_DEVICE } as const;

export type CgroupSkbHook = keyof typeof CgroupSkbHooks;
export type CgroupSockHook = keyof typeof CgroupSockHooks;
export type CgroupSockAddrHook = keyof typeof CgroupSockAddrHooks;
export type SockOpsHook = keyof typeof SockOpsHooks;
export type CgroupSysctlHook = keyof typeof CgroupSysctlHooks;
export type CgroupSockoptHook = keyof typeof CgroupSockoptHooks;
export type CgroupDeviceHook = keyof typeof CgroupDeviceHooks;

/** A cgroup v2 directory by path, or an fd of one opened by the caller (left open). */
export type CgroupTarget = string | number | { readonly fd: number };

export interface CgroupAttachOptions {
  /** "link" (default: a bpf_link, falling back to "attach" on kernels without cgroup links), or PROG_ATTACH with BPF_F_ALLOW_MULTI. */
  via?: "auto" | "link" | "attach";
}

/** The spec of a cgroup program kind: `hook` is its expected attach type (needed for some kinds). */
export interface CgroupSpec<H extends string> extends KindSpec {
  hook?: H;
}

/** What sets one cgroup program kind apart: its type, its hooks and what loading needs of the hook. */
export interface CgroupKind<H extends string = string> {
  readonly kind: string;
  readonly type: ProgType;
  readonly hooks: Readonly<Record<H, number>>;
  /** The hook of a program loaded without one (what the kernel assumes then), if any. */
  readonly defaultHook?: H;
  /** The verifier checks the program against its hook, so loading needs one. */
  readonly hookRequired?: boolean;
  /** Loaded without an expected attach type (the kernel takes none for sock_ops). */
  readonly noExpectedAttachType?: boolean;
}

/** The cgroup program kinds, one row each; the classes below and the kinds table load from them. */
export const CGROUP_KINDS: {
  readonly cgroup_skb: CgroupKind<CgroupSkbHook>;
  readonly cgroup_sock: CgroupKind<CgroupSockHook>;
  readonly cgroup_sock_addr: CgroupKind<CgroupSockAddrHook>;
  readonly sock_ops: CgroupKind<SockOpsHook>;
  readonly cgroup_sysctl: CgroupKind<CgroupSysctlHook>;
  readonly cgroup_sockopt: CgroupKind<CgroupSockoptHook>;
  readonly cgroup_device: CgroupKind<CgroupDeviceHook>;
} = {
  cgroup_skb: { kind: "cgroup_skb", type: ProgType.CGROUP_SKB, hooks: CgroupSkbHooks },
  cgroup_sock: {
    kind: "cgroup_sock",
    type: ProgType.CGROUP_SOCK,
    hooks: CgroupSockHooks,
    defaultHook: "sock_create",
  },
  cgroup_sock_addr: {
    kind: "cgroup_sock_addr",
    type: ProgType.CGROUP_SOCK_ADDR,
    hooks: CgroupSockAddrHooks,
    hookRequired: true,
  },
  sock_ops: {
    kind: "sock_ops",
    type: ProgType.SOCK_OPS,
    hooks: SockOpsHooks,
    defaultHook: "sock_ops",
    noExpectedAttachType: true,
  },
  cgroup_sysctl: {
    kind: "cgroup_sysctl",
    type: ProgType.CGROUP_SYSCTL,
    hooks: CgroupSysctlHooks,
    defaultHook: "sysctl",
  },
  cgroup_sockopt: {
    kind: "cgroup_sockopt",
    type: ProgType.CGROUP_SOCKOPT,
    hooks: CgroupSockoptHooks,
    hookRequired: true,
  },
  cgroup_device: {
    kind: "cgroup_device",
    type: ProgType.CGROUP_DEVICE,
    hooks: CgroupDeviceHooks,
    defaultHook: "device",
  },
};

/** Loads a program of cgroup kind `row`; `make` builds the class's object from what the load gave. */
function loadCgroup<H extends string, P>(
  row: CgroupKind<H>,
  spec: CgroupSpec<H>,
  options: LoadOptions,
  make: (fd: number, name: string, log: string | undefined, maps: readonly { fd: number }[], hook: H | undefined) => P,
): P {
  const { hook: given, ...rest } = spec;
  const hook = given ?? row.defaultHook;
  if (hook === undefined && row.hookRequired)
    throw new TsbpfError(
      `${row.kind} program "${spec.name ?? ""}": a hook is required (one of ${Object.keys(row.hooks).join(", ")})`,
    );
  const expectedAttachType = row.noExpectedAttachType ? undefined : hookOf(row.hooks, row.kind, hook);
  const { fd, log } = loadRaw({ ...rest, type: row.type, expectedAttachType }, options);
  return make(fd, spec.name ?? "", log, spec.maps ?? [], hook);
}

/** What the cgroup program kinds share: a hook table, and attaching to a cgroup directory. */
abstract class CgroupProgramBase<H extends string> extends Program {
  /** The hook given at load time, if any: the default of attach(). */
  readonly hook: H | undefined;
  protected readonly row: CgroupKind<H>;

  protected constructor(
    row: CgroupKind<H>,
    fd: number,
    name: string,
    log: string | undefined,
    maps: readonly { fd: number }[],
    hook: H | undefined,
  ) {
    super(fd, row.type, name, log, maps);
    this.row = row;
    this.hook = hook;
  }

  /**
   * Attaches to a cgroup v2 directory (e.g. /sys/fs/cgroup/unified/my.slice) at `hook`
   * (default: the hook given at load). Throws TargetNotFoundError for a missing directory.
   */
  attach(cgroup: CgroupTarget, hook?: H, options: CgroupAttachOptions = {}): Attachment {
    const { kind, hooks } = this.row;
    const chosen = hook ?? this.hook;
    if (chosen === undefined)
      throw new TsbpfError(
        `${kind} program "${this.name}": name the hook to attach to (one of ${Object.keys(hooks).join(", ")})`,
      );
    const attachType = hooks[chosen];
    if (attachType === undefined)
      throw new TsbpfError(
        `${kind} program "${this.name}": unknown hook "${chosen}" (one of ${Object.keys(hooks).join(", ")})`,
      );
    // A hook given at load is enforced by the kernel (expected_attach_type): say so before it does.
    if (this.hook !== undefined && chosen !== this.hook) {
      throw new TsbpfError(
        `${kind} program "${this.name}" was loaded for hook "${this.hook}" and cannot attach to "${chosen}"`,
      );
    }
    return attachCgroup(this, cgroup, attachType, `${kind} ${chosen}`, options);
  }
}

function hookOf<H extends string>(
  hooks: Readonly<Record<H, number>>,
  kind: string,
  hook: H | undefined,
): number | undefined {
  if (hook === undefined) return undefined;
  const type = hooks[hook];
  if (type === undefined)
    throw new TsbpfError(`unknown ${kind} hook "${hook}" (one of ${Object.keys(hooks).join(", ")})`);
  return type;
}

/**
 * cgroup_skb: sees each packet a cgroup's sockets send (egress) or receive (ingress), from the IP
 * header on. Loaded without a hook it attaches to either direction; with one, only there.
 */
export class CgroupSkbProgram extends CgroupProgramBase<CgroupSkbHook> {
  static override load(spec: CgroupSpec<CgroupSkbHook>, options: LoadOptions = {}): CgroupSkbProgram {
    return loadCgroup(
      CGROUP_KINDS.cgroup_skb,
      spec,
      options,
      (...a) => new CgroupSkbProgram(CGROUP_KINDS.cgroup_skb, ...a),
    );
  }
}

/** cgroup_sock: runs when a cgroup's process creates, releases or binds an inet socket. */
export class CgroupSockProgram extends CgroupProgramBase<CgroupSockHook> {
  declare readonly hook: CgroupSockHook;
  /** `hook` defaults to "sock_create" (what the kernel assumes when none is given). */
  static override load(spec: CgroupSpec<CgroupSockHook>, options: LoadOptions = {}): CgroupSockProgram {
    return loadCgroup(
      CGROUP_KINDS.cgroup_sock,
      spec,
      options,
      (...a) => new CgroupSockProgram(CGROUP_KINDS.cgroup_sock, ...a),
    );
  }
}

/** cgroup_sock_addr: sees (and may rewrite) the address of bind/connect/sendmsg/recvmsg/getname calls. */
export class CgroupSockAddrProgram extends CgroupProgramBase<CgroupSockAddrHook> {
  declare readonly hook: CgroupSockAddrHook;
  /** `hook` is required: the verifier checks the program against it. */
  static override load(spec: CgroupSpec<CgroupSockAddrHook>, options: LoadOptions = {}): CgroupSockAddrProgram {
    const row = CGROUP_KINDS.cgroup_sock_addr;
    return loadCgroup(row, spec, options, (...a) => new CgroupSockAddrProgram(row, ...a));
  }
}

/** sock_ops: called at TCP events (connection established, RTO, …) of a cgroup's sockets. */
export class SockOpsProgram extends CgroupProgramBase<SockOpsHook> {
  declare readonly hook: SockOpsHook;
  static override load(spec: CgroupSpec<SockOpsHook>, options: LoadOptions = {}): SockOpsProgram {
    return loadCgroup(CGROUP_KINDS.sock_ops, spec, options, (...a) => new SockOpsProgram(CGROUP_KINDS.sock_ops, ...a));
  }
}

/** cgroup_sysctl: runs when a process of the cgroup reads or writes a file under /proc/sys. */
export class CgroupSysctlProgram extends CgroupProgramBase<CgroupSysctlHook> {
  declare readonly hook: CgroupSysctlHook;
  static override load(spec: CgroupSpec<CgroupSysctlHook>, options: LoadOptions = {}): CgroupSysctlProgram {
    const row = CGROUP_KINDS.cgroup_sysctl;
    return loadCgroup(row, spec, options, (...a) => new CgroupSysctlProgram(row, ...a));
  }
}

/** cgroup_sockopt: runs on getsockopt or setsockopt calls of the cgroup's sockets. */
export class CgroupSockoptProgram extends CgroupProgramBase<CgroupSockoptHook> {
  declare readonly hook: CgroupSockoptHook;
  /** `hook` is required: the kernel loads the program for one of the two calls. */
  static override load(spec: CgroupSpec<CgroupSockoptHook>, options: LoadOptions = {}): CgroupSockoptProgram {
    const row = CGROUP_KINDS.cgroup_sockopt;
    return loadCgroup(row, spec, options, (...a) => new CgroupSockoptProgram(row, ...a));
  }
}

/** cgroup_device: runs when a process of the cgroup opens or creates (mknod) a device node. */
export class CgroupDeviceProgram extends CgroupProgramBase<CgroupDeviceHook> {
  declare readonly hook: CgroupDeviceHook;
  static override load(spec: CgroupSpec<CgroupDeviceHook>, options: LoadOptions = {}): CgroupDeviceProgram {
    const row = CGROUP_KINDS.cgroup_device;
    return loadCgroup(row, spec, options, (...a) => new CgroupDeviceProgram(row, ...a));
  }
}

/** Opens a cgroup directory for attaching; throws TargetNotFoundError when it is missing. */
export function openCgroup(path: string): number {
  const fd = native.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) {
    const errno = lastErrno();
    if (errno === Errno.ENOENT) throw new TargetNotFoundError("cgroup", path, "no such directory");
    if (errno === 20) throw new TargetNotFoundError("cgroup", path, "not a directory");
    throw new SyscallError("open", errno, path);
  }
  return fd;
}

/**
 * Attaches any loaded cgroup program to `cgroup` with attach type `attachType`. `what` names the
 * hook in descriptions and errors (e.g. "cgroup_skb egress").
 */
export function attachCgroup(
  program: { fd: number; name?: string },
  cgroup: CgroupTarget,
  attachType: number,
  what: string,
  options: CgroupAttachOptions = {},
): Attachment {
  const path = typeof cgroup === "string" ? cgroup : `cgroup fd ${typeof cgroup === "number" ? cgroup : cgroup.fd}`;
  const target = `${what} on ${path}`;
  const ownFd = typeof cgroup === "string";
  const cgroupFd = typeof cgroup === "string" ? openCgroup(cgroup) : typeof cgroup === "number" ? cgroup : cgroup.fd;
  const via = options.via ?? "auto";
  let keepFd = false;
  try {
    if (via !== "attach") {
      try {
        // The link holds the cgroup itself; our directory fd is not needed afterwards.
        return new Link(linkCreate(program.fd, cgroupFd, attachType, 0, { kind: "none" }, target), `${target} (link)`);
      } catch (err) {
        if (!(err instanceof SyscallError)) throw err;
        throwKnown(err.errno, target);
        // Kernels before 5.7 have no cgroup links and refuse them with EINVAL.
        if (via === "link" || err.errno !== Errno.EINVAL) throw err;
      }
    }
    const { id } = programIdentity(program.fd);
    try {
      progAttach(cgroupFd, program.fd, attachType, BPF_F_ALLOW_MULTI);
    } catch (err) {
      if (!(err instanceof SyscallError)) throw err;
      throwKnown(err.errno, target);
      // PROG_ATTACH answers a second attach of the same program with a plain EINVAL.
      if (err.errno === Errno.EINVAL && progQuery(cgroupFd, attachType).progIds.includes(id)) {
        throw new AlreadyAttachedError(
          program.name ?? "",
          target,
          "with PROG_ATTACH a program attaches to a cgroup hook only once",
        );
      }
      throw err;
    }
    // PROG_DETACH needs the cgroup fd again: ours stays open until then (a caller's fd must too).
    keepFd = true;
    return new LegacyAttachment(`${target} (prog_attach, multi)`, () => {
      const progFd = reopenProgram(id);
      try {
        if (progFd >= 0) {
          try {
            progDetach(cgroupFd, progFd, attachType);
          } catch (err) {
            if (!(err instanceof SyscallError && err.errno === Errno.ENOENT)) throw err;
          }
        }
      } finally {
        closeFd(progFd);
        if (ownFd) closeFd(cgroupFd);
      }
    });
  } finally {
    if (ownFd && !keepFd) closeFd(cgroupFd);
  }
}

function throwKnown(errno: number, target: string): void {
  if (errno === Errno.EBADF)
    throw new TsbpfError(
      `${target}: not a cgroup v2 directory (cgroup programs attach to the unified hierarchy, here mounted at the cgroup2 mount point)`,
    );
}

/** Ids of the programs attached to a cgroup at `attachType` (effective ones are not included). */
export function cgroupPrograms(cgroup: CgroupTarget, attachType: number): number[] {
  const fd = typeof cgroup === "string" ? openCgroup(cgroup) : typeof cgroup === "number" ? cgroup : cgroup.fd;
  try {
    return progQuery(fd, attachType).progIds;
  } finally {
    if (typeof cgroup === "string") closeFd(fd);
  }
}
