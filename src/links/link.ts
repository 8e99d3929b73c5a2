// What attaching returns. A kernel bpf_link (an fd: closing it detaches, unless it is pinned) or,
// for hooks that have no link (netlink XDP, clsact filters, perf_event ioctl, socket options),
// an attachment that knows how to undo itself.
import { closeFd, linkDetach, linkUpdate, objGet, objPin } from "../sys/bpf.js";
import { TsbpfError } from "../errors.js";

/** Anything attached: detach() undoes it; `using` does the same at the end of a scope. */
export interface Attachment extends Disposable {
  /** Human description, e.g. "xdp on veth0 (link)". */
  readonly description: string;
  detach(): void;
}

/** A kernel bpf_link. Closing the last fd detaches the program, unless the link is pinned. */
export class Link implements Attachment {
  #fd: number;
  constructor(
    fd: number,
    readonly description: string,
    readonly extraFds: number[] = [],
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    if (this.#fd < 0) throw new TsbpfError(`link ${this.description} is detached`);
    return this.#fd;
  }

  get detached(): boolean {
    return this.#fd < 0;
  }

  /** Pins the link in bpffs: the program then stays attached after this process exits. */
  pin(path: string): void {
    objPin(this.fd, path);
  }

  /** Reopens a pinned link. */
  static openPinned(path: string): Link {
    return new Link(objGet(path), `pinned link ${path}`);
  }

  /** Atomically replaces the program behind the link. */
  update(program: { fd: number }): void {
    linkUpdate(this.fd, program.fd);
  }

  /**
   * Detaches the program from its hook now — also for a pinned link, whose pin then stays as
   * a defunct link until it is removed — and closes our fd.
   */
  detach(): void {
    if (this.#fd < 0) return;
    try {
      linkDetach(this.#fd);
    } catch {
      /* some link kinds (perf_event, iter) cannot be force-detached: closing them is enough */
    }
    this.close();
  }

  /** Closes our fd; the program stays attached only when the link is pinned elsewhere. */
  close(): void {
    if (this.#fd < 0) return;
    closeFd(this.#fd);
    for (const fd of this.extraFds) closeFd(fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** An attachment without a kernel link: `undo` removes it (netlink, ioctl, setsockopt…). */
export class LegacyAttachment implements Attachment {
  #undo: (() => void) | undefined;
  constructor(
    readonly description: string,
    undo: () => void,
  ) {
    this.#undo = undo;
  }
  get detached(): boolean {
    return this.#undo === undefined;
  }
  detach(): void {
    const undo = this.#undo;
    this.#undo = undefined;
    undo?.();
  }
  [Symbol.dispose](): void {
    this.detach();
  }
}
