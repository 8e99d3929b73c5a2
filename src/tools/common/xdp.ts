// Loading and attaching the tools' XDP programs. Links only: a bpf_link goes away with the process
// however it ends, so a SIGKILLed tool leaves nothing behind. Netlink (which stays attached until
// removed) is used only when the kernel has no XDP links at all (before Linux 5.9), and then the
// tool says so on stderr.
import { probeFeatures, programTypeSupported } from "../../features.js";
import { LegacyAttachment, type Attachment } from "../../links/link.js";
import { attachXdp, xdpInfo, XdpProgram, type XdpMode, type XdpSpec } from "../../programs/xdp.js";
import { VerifierError } from "../../programs/program.js";
import { Errno } from "../../errors.js";
import { NotSupportedError, SyscallError } from "../../sys/errors.js";
import type { InterfaceTarget } from "./interfaces.js";

export const XDP_MODES: readonly XdpMode[] = ["auto", "driver", "skb"];

/** Loads an XDP program; a kernel without XDP is a NotSupportedError. */
export function loadXdpProgram(spec: XdpSpec): XdpProgram {
  try {
    return XdpProgram.load(spec);
  } catch (err) {
    if (err instanceof VerifierError || !(err instanceof SyscallError)) throw err;
    if ((err.errno === Errno.EINVAL || err.errno === Errno.EOPNOTSUPP) && !programTypeSupported("xdp")) {
      throw new NotSupportedError(
        "XDP programs",
        "BPF_PROG_LOAD refuses the XDP program type (needs Linux 4.8+ with CONFIG_BPF_SYSCALL and XDP)",
        err.errno,
      );
    }
    throw err;
  }
}

let xdpLinks: boolean | undefined;

/** Whether this kernel has XDP bpf_links (probed once, in a private network namespace). */
export function xdpLinksSupported(): boolean {
  xdpLinks ??=
    probeFeatures({ helperProgramTypes: [] }).attach.find((e) => e.name === "xdp_link")?.status !== "unsupported";
  return xdpLinks;
}

/**
 * Attaches `program` to `target` with a bpf_link. On a kernel without XDP links it attaches
 * through netlink instead and calls `warn` with what that means; a driver without native XDP in
 * `mode: "driver"` is a NotSupportedError.
 */
export function attachXdpLink(
  program: XdpProgram,
  target: InterfaceTarget,
  mode: XdpMode,
  warn: (message: string) => void,
): Attachment {
  try {
    return attachXdp(program, target.name, { mode, via: "link" });
  } catch (err) {
    if (!(err instanceof SyscallError)) throw err;
    if (mode === "driver" && (err.errno === Errno.EOPNOTSUPP || err.errno === Errno.ENOTSUPP)) {
      throw new NotSupportedError(
        `native (driver-mode) XDP on ${target.name}`,
        "the interface's driver has no native XDP; use --mode skb or --mode auto",
        err.errno,
      );
    }
    if (err.errno === Errno.EINVAL && !xdpLinksSupported()) {
      const attachment = attachXdp(program, target.name, { mode, via: "netlink" });
      warn(
        `this kernel has no XDP bpf_links (Linux < 5.9): attached to ${target.name} through netlink instead. ` +
          `It is removed on a normal exit, but if this process is killed with SIGKILL it stays attached: remove it with "ip link set dev ${target.name} xdp off"`,
      );
      return attachment;
    }
    throw err;
  }
}

/**
 * "xdp on veth1 (driver mode, link)": where and how a program is attached, with the mode the
 * kernel actually chose when "auto" was asked for.
 */
export function describeXdpAttachment(target: InterfaceTarget, attachment: Attachment, programId: number): string {
  let mode = "";
  try {
    const state = xdpInfo(target.ifindex);
    mode =
      state.driverProgId === programId
        ? "driver"
        : state.skbProgId === programId
          ? "skb"
          : state.hwProgId === programId
            ? "hw"
            : state.attached;
  } catch {
    /* the description below is still right without the mode */
  }
  return `xdp on ${target.name} (${mode ? `${mode} mode, ` : ""}${isLinkAttachment(attachment) ? "link" : "netlink"})`;
}

/** Whether an attachment is a kernel link (dies with the process) rather than a netlink fallback. */
export function isLinkAttachment(attachment: Attachment): boolean {
  return !(attachment instanceof LegacyAttachment);
}
