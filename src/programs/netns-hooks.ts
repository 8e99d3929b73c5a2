// Programs attached to a network namespace: sk_lookup (picks the socket a new connection or
// datagram goes to, before the kernel's own lookup) and flow_dissector (parses the packets the
// namespace hashes and classifies, in place of the kernel's C dissector). Both attach with a
// bpf_link on an fd of the namespace (LINK_CREATE); closing the link detaches.
import { linkCreate } from "../sys/bpf.js";
import { Errno } from "../errors.js";
import { SyscallError } from "../sys/errors.js";
import { native } from "../sys/libc.js";
import { currentNetns, netnsPath, openNetns } from "../sys/netns.js";
import { AttachType, ProgType } from "../uapi.js";
import { Link, type Attachment } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { AttachPointBusyError } from "./net-common.js";
import type { KindSpec } from "./tracing-common.js";

/**
 * A network namespace: a name under /run/netns, a path (/proc/PID/ns/net), or an open fd of one
 * (left open). Undefined: the namespace of the calling thread.
 */
export type NetnsTarget = string | number | { readonly fd: number } | undefined;

/** Attaches a loaded program to a network namespace with a bpf_link of `attachType`. */
export function attachNetns(
  program: { fd: number; name?: string },
  netns: NetnsTarget,
  attachType: number,
  what: string,
): Attachment {
  const where =
    netns === undefined
      ? "the current network namespace"
      : typeof netns === "string"
        ? `network namespace ${netnsPath(netns)}`
        : `network namespace fd ${typeof netns === "number" ? netns : netns.fd}`;
  const ownFd = netns === undefined || typeof netns === "string";
  const fd =
    netns === undefined
      ? currentNetns()
      : typeof netns === "string"
        ? openNetns(netns)
        : typeof netns === "number"
          ? netns
          : netns.fd;
  const target = `${what} on ${where}`;
  try {
    // The link keeps the namespace; our fd of it is not needed afterwards.
    return new Link(linkCreate(program.fd, fd, attachType, 0, { kind: "none" }, target), `${target} (link)`);
  } catch (err) {
    // E2BIG: the namespace is full (one flow dissector, 64 sk_lookup programs); EEXIST: a flow
    // dissector in the root namespace excludes the others' and the other way round.
    if (err instanceof SyscallError && err.errno === Errno.E2BIG)
      throw new AttachPointBusyError(target, undefined, err.errno, "the namespace holds no more programs of this kind");
    if (err instanceof SyscallError && err.errno === Errno.EEXIST)
      throw new AttachPointBusyError(
        target,
        undefined,
        err.errno,
        "a flow dissector in the root namespace excludes those of other namespaces, and the other way round",
      );
    throw err;
  } finally {
    if (ownFd) native.close(fd);
  }
}

/**
 * sk_lookup: runs when a TCP connection request or a UDP datagram arrives in the namespace, before
 * the kernel looks up a listening or bound socket; it may hand the packet to a socket of its
 * choosing (bpf_sk_assign with a socket from a SockMap/SockHash). Several can attach to one
 * namespace; they run in order until one assigns a socket or drops.
 */
export class SkLookupProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): SkLookupProgram {
    const { fd, log } = loadRaw(
      { ...spec, type: ProgType.SK_LOOKUP, expectedAttachType: AttachType.SK_LOOKUP },
      options,
    );
    return new SkLookupProgram(fd, ProgType.SK_LOOKUP, spec.name ?? "", log, spec.maps ?? []);
  }

  /** Attaches to a network namespace (default: the calling thread's). */
  attach(netns?: NetnsTarget): Attachment {
    return attachNetns(this, netns, AttachType.SK_LOOKUP, `sk_lookup program "${this.name}"`);
  }
}

/**
 * flow_dissector: replaces the kernel's flow dissector for the packets of a namespace (what RPS,
 * fq_codel, bonding and tc flower hash and match on). It fills `flow_keys` and returns BPF_OK, or
 * BPF_DROP when it cannot parse the packet.
 */
export class FlowDissectorProgram extends Program {
  static override load(spec: KindSpec, options: LoadOptions = {}): FlowDissectorProgram {
    const { fd, log } = loadRaw(
      { ...spec, type: ProgType.FLOW_DISSECTOR, expectedAttachType: AttachType.FLOW_DISSECTOR },
      options,
    );
    return new FlowDissectorProgram(fd, ProgType.FLOW_DISSECTOR, spec.name ?? "", log, spec.maps ?? []);
  }

  /** Attaches to a network namespace (default: the calling thread's); a namespace holds one. */
  attach(netns?: NetnsTarget): Attachment {
    return attachNetns(this, netns, AttachType.FLOW_DISSECTOR, `flow_dissector program "${this.name}"`);
  }
}
